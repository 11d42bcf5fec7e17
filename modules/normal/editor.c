/* SPDX-License-Identifier: MIT */
/*
 * The menu-entry editor (`e' in the menu, include/pvboot/menu_ui.h): a
 * multi-line editor on a copy of the entry's commands.  Keys as GRUB's
 * editor (GRUB manual, "Menu entry editor"): arrows, Home/End, Ctrl-A/E,
 * Ctrl-B/F/P/N, Backspace/Delete (joining lines), Ctrl-K (kill to end of
 * line, or join when at the end), Enter (split), Ctrl-X/F10 boot the
 * edited entry, Ctrl-C/F2 command line, Esc cancels.
 *
 * Drawing: the whole screen once, then the text rows after each key
 * (positioned, cleared to the end of line); lines longer than the screen
 * are shown from a horizontal offset on the cursor's line and cut with
 * '$' on the others.  Columns are display columns (wide characters take
 * two, combining marks none: include/pvboot/menu_ui.h); the cursor moves
 * and deletes by whole characters with their marks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/menu.h"
#include "pvboot/menu_ui.h"
#include "pvboot/script.h"
#include "pvboot/term.h"
#include "ui_int.h"

#define ED_MAX_LINES 4096
#define ED_MAX_LINE  16384

struct ed_line {
    char *s;
    size_t len, cap;
};

struct editor {
    struct ed_line *l;
    int n, cap;
    int row;          /* cursor line */
    size_t col;       /* cursor byte offset in the line */
    int top;          /* first line shown */
    bool oom;
};

static bool ed_reserve(struct ed_line *l, size_t need)
{
    if (need + 1 <= l->cap)
        return true;
    size_t nc = l->cap ? l->cap : 64;
    while (nc < need + 1)
        nc *= 2;
    char *p = realloc(l->s, nc);
    if (!p)
        return false;
    l->s = p;
    l->cap = nc;
    return true;
}

static int ed_insert_line(struct editor *ed, int at, const char *s, size_t len)
{
    if (ed->n >= ED_MAX_LINES || len > ED_MAX_LINE)
        return PB_ERANGE;
    if (ed->n == ed->cap) {
        int nc = ed->cap ? ed->cap * 2 : 16;
        struct ed_line *p = realloc(ed->l, sizeof *p * (size_t)nc);
        if (!p)
            return PB_ENOMEM;
        ed->l = p;
        ed->cap = nc;
    }
    struct ed_line nl = { 0 };
    if (!ed_reserve(&nl, len))
        return PB_ENOMEM;
    memcpy(nl.s, s, len);
    nl.s[len] = 0;
    nl.len = len;
    memmove(ed->l + at + 1, ed->l + at, sizeof *ed->l * (size_t)(ed->n - at));
    ed->l[at] = nl;
    ed->n++;
    return 0;
}

static void ed_delete_line(struct editor *ed, int at)
{
    free(ed->l[at].s);
    memmove(ed->l + at, ed->l + at + 1, sizeof *ed->l * (size_t)(ed->n - at - 1));
    ed->n--;
}

static void ed_free(struct editor *ed)
{
    for (int i = 0; i < ed->n; i++)
        free(ed->l[i].s);
    free(ed->l);
}

/* Split @body into lines; a leading and a trailing newline add no empty line.  Leading
 * indentation is kept as written. */
static int ed_load(struct editor *ed, const char *body)
{
    /* `menuentry T {' leaves the newline after '{' in the body: not a line */
    const char *p = body[0] == '\n' ? body + 1 : body;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (!nl && len == 0 && ed->n > 0)
            break;
        int r = ed_insert_line(ed, ed->n, p, len);
        if (r)
            return r;
        if (!nl)
            break;
        p = nl + 1;
    }
    if (ed->n == 0)
        return ed_insert_line(ed, 0, "", 0);
    return 0;
}

/** Join the lines with '\n' (malloc'd) or NULL. */
static char *ed_text(struct editor *ed)
{
    size_t total = 1;
    for (int i = 0; i < ed->n; i++)
        total += ed->l[i].len + 1;
    char *t = malloc(total), *q = t;
    if (!t)
        return NULL;
    for (int i = 0; i < ed->n; i++) {
        memcpy(q, ed->l[i].s, ed->l[i].len);
        q += ed->l[i].len;
        *q++ = '\n';
    }
    *q = 0;
    return t;
}

/* display columns of @s[0..n) */
static int ed_cols(const char *s, size_t n)
{
    return pb_ui_text_width(s, n);
}

/* the glyph (character and its marks) before byte @col */
static size_t ed_prev(const struct ed_line *l, size_t col)
{
    return ui_glyph_prev(l->s, l->len, col);
}

static size_t ed_next(const struct ed_line *l, size_t col)
{
    int w;
    if (col >= l->len)
        return l->len;
    return col + ui_glyph(l->s + col, l->len - col, &w);
}

/* byte offset of the glyph at display column @c of @l (the one covering
 * it when @c falls on the second column of a wide character; the end
 * when the line is shorter) */
static size_t ed_col_to_byte(const struct ed_line *l, int c)
{
    size_t i = 0;
    int x = 0, w;
    while (i < l->len) {
        size_t g = ui_glyph(l->s + i, l->len - i, &w);
        if (x + w > c)
            break;
        x += w;
        i += g;
    }
    return i;
}

/* Draw the editor; @full clears the screen first, otherwise only the text
 * rows are rewritten (each cleared to its end: no flicker per key). */
static void ed_draw(struct editor *ed, const char *title, bool full)
{
    int cols, rows;
    pb_ui_term_size(&cols, &rows);
    int width = cols - 2;          /* text columns: "  text" */
    int nrows = rows - 6;          /* text rows: 3..rows-4 */
    if (ed->row < ed->top)
        ed->top = ed->row;
    if (ed->row >= ed->top + nrows)
        ed->top = ed->row - nrows + 1;
    struct pb_strbuf b = { 0 };
    if (full) {
        pb_strbuf_str(&b, "\033[0m\033[H\033[2J");
        ui_buf_goto(&b, 1, 1);
        pb_strbuf_str(&b, "Editing: ");
        ui_buf_text(&b, title, strlen(title), cols - 10);
    }
    int cur_r = 3, cur_c = 2;
    for (int i = 0; i < nrows; i++) {
        if (ed->top + i >= ed->n) {
            if (!full) {
                ui_buf_goto(&b, 3 + i, 1);
                pb_strbuf_str(&b, "\033[K");
            }
            continue;
        }
        struct ed_line *l = &ed->l[ed->top + i];
        ui_buf_goto(&b, 3 + i, 1);
        pb_strbuf_str(&b, ed->top + i == 0 && ed->top > 0 ? "^" : " ");
        int total = ed_cols(l->s, l->len);
        if (ed->top + i == ed->row) {
            /* the cursor's line scrolls horizontally to keep it visible */
            int cc = ed_cols(l->s, ed->col);
            int off = 0, wcur = 1;
            size_t start = 0;
            if (ed->col < l->len)
                ui_glyph(l->s + ed->col, l->len - ed->col, &wcur);
            /* the character under the cursor is shown whole, left of the
             * '$' that marks more text (at the end: the last column) */
            int need = cc + (wcur ? wcur : 1) - (ed->col < l->len ? width - 2 : width - 1);
            if (total > width - 1 && need > 0)
                start = ui_skip_cols(l->s, l->len, need, &off);
            pb_strbuf_str(&b, off ? "$" : " ");
            int room = width - 1 - (total - off > width - 1 ? 1 : 0);
            int shown = ui_buf_text(&b, l->s + start, l->len - start, room);
            if (total - off > shown) {
                ui_buf_spaces(&b, room - shown);   /* a wide character left out */
                pb_strbuf_str(&b, "$");
            }
            cur_r = 3 + i;
            cur_c = 3 + cc - off;
        } else {
            pb_strbuf_str(&b, " ");
            int room = total > width - 1 ? width - 2 : width - 1;
            int shown = ui_buf_text(&b, l->s, l->len, room);
            if (total > shown) {
                ui_buf_spaces(&b, room - shown);
                pb_strbuf_str(&b, "$");
            }
        }
        pb_strbuf_str(&b, "\033[K");
    }
    if (full) {
        ui_buf_goto(&b, rows - 2, 1);
        ui_buf_text(&b,
                    "Ctrl-X or F10 boots, Ctrl-C or F2 opens a command line, Esc discards the changes.",
                    82, cols - 1);
    }
    ui_buf_goto(&b, cur_r, cur_c);
    ui_buf_flush(&b);
}

/**
 * editor_key() - apply key @k to @ed.  Returns 0, or 1 for "boot",
 * 2 for "cancel", 3 for "command line".
 */
static int editor_key(struct editor *ed, int k)
{
    struct ed_line *l = &ed->l[ed->row];
    switch (k) {
    case PB_KEY_CTRL('x'):
    case PB_KEY_F10:
        return 1;
    case PB_KEY_ESC:
        return 2;
    case PB_KEY_CTRL('c'):
    case PB_KEY_F2:
        return 3;
    case PB_KEY_LEFT:
    case PB_KEY_CTRL('b'):
        if (ed->col > 0)
            ed->col = ed_prev(l, ed->col);
        else if (ed->row > 0) {
            ed->row--;
            ed->col = ed->l[ed->row].len;
        }
        break;
    case PB_KEY_RIGHT:
    case PB_KEY_CTRL('f'):
        if (ed->col < l->len)
            ed->col = ed_next(l, ed->col);
        else if (ed->row + 1 < ed->n) {
            ed->row++;
            ed->col = 0;
        }
        break;
    case PB_KEY_UP:
    case PB_KEY_CTRL('p'):
    case PB_KEY_DOWN:
    case PB_KEY_CTRL('n'): {
        bool up = k == PB_KEY_UP || k == PB_KEY_CTRL('p');
        if (up ? ed->row == 0 : ed->row + 1 >= ed->n)
            break;
        int c = ed_cols(l->s, ed->col);
        ed->row += up ? -1 : 1;
        ed->col = ed_col_to_byte(&ed->l[ed->row], c);
        break;
    }
    case PB_KEY_HOME:
    case PB_KEY_CTRL('a'):
        ed->col = 0;
        break;
    case PB_KEY_END:
    case PB_KEY_CTRL('e'):
        ed->col = l->len;
        break;
    case PB_KEY_PGUP:
        ed->row = 0;
        ed->col = 0;
        break;
    case PB_KEY_PGDN:
        ed->row = ed->n - 1;
        ed->col = ed->l[ed->row].len;
        break;
    case PB_KEY_BACKSPACE:
    case 0x7f:
        if (ed->col > 0) {
            size_t p = ed_prev(l, ed->col);
            memmove(l->s + p, l->s + ed->col, l->len - ed->col + 1);
            l->len -= ed->col - p;
            ed->col = p;
        } else if (ed->row > 0) {
            struct ed_line *pl = &ed->l[ed->row - 1];
            if (pl->len + l->len > ED_MAX_LINE || !ed_reserve(pl, pl->len + l->len))
                break;
            size_t pc = pl->len;
            memcpy(pl->s + pl->len, l->s, l->len + 1);
            pl->len += l->len;
            ed_delete_line(ed, ed->row);
            ed->row--;
            ed->col = pc;
        }
        break;
    case PB_KEY_DELETE:
    case PB_KEY_CTRL('d'):
        if (ed->col < l->len) {
            size_t nx = ed_next(l, ed->col);
            memmove(l->s + ed->col, l->s + nx, l->len - nx + 1);
            l->len -= nx - ed->col;
        } else if (ed->row + 1 < ed->n) {
            struct ed_line *nl = &ed->l[ed->row + 1];
            if (l->len + nl->len > ED_MAX_LINE || !ed_reserve(l, l->len + nl->len))
                break;
            memcpy(l->s + l->len, nl->s, nl->len + 1);
            l->len += nl->len;
            ed_delete_line(ed, ed->row + 1);
        }
        break;
    case PB_KEY_CTRL('k'):
        if (ed->col < l->len) {
            l->len = ed->col;
            l->s[l->len] = 0;
        } else {
            return editor_key(ed, PB_KEY_DELETE);
        }
        break;
    case PB_KEY_ENTER:
    case '\n':
    case PB_KEY_CTRL('o'):
        if (ed_insert_line(ed, ed->row + 1, l->s + ed->col, l->len - ed->col) == 0) {
            l = &ed->l[ed->row];    /* the array may have moved */
            l->len = ed->col;
            l->s[l->len] = 0;
            if (k != PB_KEY_CTRL('o')) {
                ed->row++;
                ed->col = 0;
            }
        }
        break;
    case PB_KEY_TAB:
        k = ' ';
        /* fall through */
    default:
        if (k >= 0x20 && k < 0x100 && k != 0x7f) {
            if (l->len + 1 > ED_MAX_LINE || !ed_reserve(l, l->len + 1))
                break;
            memmove(l->s + ed->col + 1, l->s + ed->col, l->len - ed->col + 1);
            l->s[ed->col++] = (char)k;
            l->len++;
        }
        break;
    }
    return 0;
}

int pb_ui_edit_entry(struct pb_menu_entry *e, const char *chosen)
{
    struct editor ed = { 0 };
    int r = ed_load(&ed, e->body ? e->body : "");
    if (r) {
        ed_free(&ed);
        return pb_error(r, "entry `%s' is too large to edit", e->title);
    }
    /* GRUB puts the cursor on the first line's start */
    bool full = true;
    for (;;) {
        ed_draw(&ed, e->title, full);
        full = false;
        int k = pb_ui_getkey();
        int act = k == PB_KEY_NONE ? 2 : 0;   /* end of input cancels */
        if (!act)
            act = editor_key(&ed, k);
        if (act == 0)
            continue;
        if (act == 2) {
            r = PB_ECANCELED;
            break;
        }
        if (act == 3) {
            pb_write("\033[0m\033[H\033[2J", 11);
            ui_actions()->shell(true);
            if (pb_script_stop_requested()) {
                r = 0;
                break;
            }
            full = true;
            continue;
        }
        char *text = ed_text(&ed);
        if (!text) {
            r = pb_error(PB_ENOMEM, "out of memory");
            pb_print_error();
            ui_wait_key();
            full = true;
            continue;
        }
        struct pb_menu_entry copy = *e;
        copy.body = text;
        copy.next = NULL;
        copy.unrestricted = true;   /* the editor already required a superuser */
        r = ui_boot_entry(&copy, chosen);
        free(text);
        full = true;
        if (pb_script_stop_requested())
            break;
        /* failed: back to the editor with the text kept, as GRUB does */
    }
    ed_free(&ed);
    return r;
}
