/* SPDX-License-Identifier: MIT */
/* A minimal VT100 screen for the UI unit tests: interprets what the UI
 * writes (printable UTF-8, CR, LF, BS, CSI H/J/K/m/A/B/C/D) into a grid
 * of cells with a reverse-video flag, so tests assert the exact screen.
 * Character widths come from the C library's wcwidth() in the C.UTF-8
 * locale (an implementation independent of the UI's own table): a wide
 * character fills its cell and a continuation cell (""), a zero-width one
 * joins the cell before it, as xterm-like terminals do. */
#ifndef VT_SCREEN_H
#define VT_SCREEN_H

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define VT_MAXC 200
#define VT_MAXR 60

struct vt {
    int cols, rows, r, c;
    bool rev;
    char cell[VT_MAXR][VT_MAXC][32];
    bool crev[VT_MAXR][VT_MAXC];
    int unknown;          /* escape sequences not understood */
};

static struct vt vt;

static __attribute__((unused)) void vt_reset(int cols, int rows)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    memset(&vt, 0, sizeof vt);
    vt.cols = cols;
    vt.rows = rows;
    for (int r = 0; r < VT_MAXR; r++)
        for (int c = 0; c < VT_MAXC; c++)
            strcpy(vt.cell[r][c], " ");
}

static void vt_clear_line_from(int r, int c)
{
    for (; c < vt.cols; c++) {
        strcpy(vt.cell[r][c], " ");
        vt.crev[r][c] = false;
    }
}

static void vt_lf(void)
{
    if (vt.r + 1 < vt.rows) {
        vt.r++;
        return;
    }
    memmove(vt.cell[0], vt.cell[1], sizeof vt.cell[0] * (size_t)(vt.rows - 1));
    memmove(vt.crev[0], vt.crev[1], sizeof vt.crev[0] * (size_t)(vt.rows - 1));
    vt_clear_line_from(vt.rows - 1, 0);
}

static __attribute__((unused)) void vt_feed(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == 0x1b && p[1] == '[') {
            p += 2;
            int par[8] = { 0 }, np = 0;
            bool have = false;
            while ((*p >= '0' && *p <= '9') || *p == ';') {
                if (*p == ';') {
                    if (np < 7)
                        np++;
                } else {
                    par[np] = par[np] * 10 + (*p - '0');
                    have = true;
                }
                p++;
            }
            if (have || np)
                np++;
            int n1 = par[0] ? par[0] : 1;
            switch (*p) {
            case 'H':
                vt.r = (np >= 1 && par[0] ? par[0] : 1) - 1;
                vt.c = (np >= 2 && par[1] ? par[1] : 1) - 1;
                break;
            case 'J':
                if (par[0] == 2)
                    for (int r = 0; r < vt.rows; r++)
                        vt_clear_line_from(r, 0);
                else
                    vt.unknown++;
                break;
            case 'K':
                vt_clear_line_from(vt.r, vt.c);
                break;
            case 'm':
                for (int i = 0; i < (np ? np : 1); i++)
                    vt.rev = par[i] == 7 ? true : par[i] == 0 ? false : vt.rev;
                break;
            case 'A': vt.r = vt.r - n1 < 0 ? 0 : vt.r - n1; break;
            case 'B': vt.r = vt.r + n1 >= vt.rows ? vt.rows - 1 : vt.r + n1; break;
            case 'C': vt.c = vt.c + n1 >= vt.cols ? vt.cols - 1 : vt.c + n1; break;
            case 'D': vt.c = vt.c - n1 < 0 ? 0 : vt.c - n1; break;
            default: vt.unknown++; break;
            }
            if (*p)
                p++;
            continue;
        }
        if (*p == '\r') { vt.c = 0; p++; continue; }
        if (*p == '\n') { vt_lf(); p++; continue; }
        if (*p == '\b') { if (vt.c) vt.c--; p++; continue; }
        if (*p < 0x20 || *p == 0x7f) { vt.unknown++; p++; continue; }
        int n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
        wchar_t wc = 0;
        mbstate_t mbs;
        memset(&mbs, 0, sizeof mbs);
        size_t ml = mbrtowc(&wc, (const char *)p, (size_t)n, &mbs);
        int w = ml == (size_t)n ? wcwidth(wc) : 1;
        if (ml != (size_t)n || w < 0)
            vt.unknown++;        /* the UI must never send these */
        if (w == 0) {            /* joins the previous cell */
            int pc = vt.c > 0 ? vt.c - 1 : 0;
            if (pc > 0 && vt.cell[vt.r][pc][0] == 0)
                pc--;
            size_t have = strlen(vt.cell[vt.r][pc]);
            if (have + (size_t)n < sizeof vt.cell[0][0]) {
                memcpy(vt.cell[vt.r][pc] + have, p, (size_t)n);
                vt.cell[vt.r][pc][have + (size_t)n] = 0;
            } else {
                vt.unknown++;
            }
        } else {
            if (w < 1)
                w = 1;
            if (vt.c + w > vt.cols) {      /* auto-wrap (a wide char too) */
                vt.c = 0;
                vt_lf();
            }
            /* overwriting half of a wide character blanks its other half */
            if (vt.cell[vt.r][vt.c][0] == 0 && vt.c > 0)
                strcpy(vt.cell[vt.r][vt.c - 1], " ");
            if (vt.c + w < vt.cols && vt.cell[vt.r][vt.c + w][0] == 0)
                strcpy(vt.cell[vt.r][vt.c + w], " ");
            memcpy(vt.cell[vt.r][vt.c], p, (size_t)n);
            vt.cell[vt.r][vt.c][n] = 0;
            vt.crev[vt.r][vt.c] = vt.rev;
            if (w == 2) {
                vt.cell[vt.r][vt.c + 1][0] = 0;    /* continuation */
                vt.crev[vt.r][vt.c + 1] = vt.rev;
            }
            vt.c += w;
        }
        for (int i = 0; i < n && *p; i++)
            p++;
    }
}

/* Row @r (1-based) as text without trailing spaces. Static buffer. */
static __attribute__((unused)) const char *vt_row(int r)
{
    static char b[VT_MAXC * 4 + 1];
    b[0] = 0;
    size_t n = 0, keep = 0;
    for (int c = 0; c < vt.cols; c++) {
        const char *t = vt.cell[r - 1][c];
        size_t l = strlen(t);
        memcpy(b + n, t, l);
        n += l;
        if (strcmp(t, " ") != 0)
            keep = n;
    }
    b[keep] = 0;
    return b;
}

/* Columns of row @r in reverse video as a string of '#' and '.'. */
static __attribute__((unused)) const char *vt_rev_row(int r)
{
    static char b[VT_MAXC + 1];
    for (int c = 0; c < vt.cols; c++)
        b[c] = vt.crev[r - 1][c] ? '#' : '.';
    b[vt.cols] = 0;
    return b;
}

static __attribute__((unused)) void vt_dump(void)
{
    for (int r = 1; r <= vt.rows; r++)
        fprintf(stderr, "%2d|%s\n", r, vt_row(r));
}

#endif
