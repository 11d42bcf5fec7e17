/* SPDX-License-Identifier: MIT */
/*
 * The command line's line editor (include/pvboot/menu_ui.h): one terminal
 * row, scrolled horizontally when the line is wider than the screen
 * (display columns: wide characters take two, combining marks none; the
 * cursor moves and deletes by whole characters with their marks);
 * history; Tab completion of command names, "(device" names and paths
 * (as GRUB's command line completes them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/menu_ui.h"
#include "pvboot/term.h"
#include "ui_int.h"

#define COMPL_MAX 512

void pb_ui_history_add(struct pb_ui_history *h, const char *line)
{
    if (!h || !*line)
        return;
    if (h->count && strcmp(h->lines[h->count - 1], line) == 0)
        return;
    char *c = strdup(line);
    if (!c)
        return;
    if (h->count == PB_UI_HISTORY_MAX) {
        free(h->lines[0]);
        memmove(h->lines, h->lines + 1, sizeof h->lines[0] * (PB_UI_HISTORY_MAX - 1));
        h->count--;
    }
    h->lines[h->count++] = c;
}

/* ---- completion ---- */

struct compl {
    char *cand[COMPL_MAX];     /* full replacement words */
    const char *show[COMPL_MAX];  /* what to list (points into cand) */
    int n;
    bool more;                 /* candidates were dropped */
    const char *prefix;        /* the word typed so far */
    size_t plen;
    size_t dirlen;             /* path completion: bytes of the directory part */
    const char *dir;
};

static void compl_add(struct compl *c, const char *s, size_t len, size_t showoff)
{
    if (c->n >= COMPL_MAX) {
        c->more = true;
        return;
    }
    char *d = malloc(len + 1);
    if (!d)
        return;
    memcpy(d, s, len);
    d[len] = 0;
    c->cand[c->n] = d;
    c->show[c->n] = d + (showoff < len ? showoff : len);
    c->n++;
}

static int compl_cmd(struct pb_command *cmd, void *ctx)
{
    struct compl *c = ctx;
    if (strncmp(cmd->name, c->prefix, c->plen) == 0)
        compl_add(c, cmd->name, strlen(cmd->name), 0);
    return 0;
}

static int compl_dev(const char *devname, void *ctx)
{
    struct compl *c = ctx;
    char t[80];
    int n = snprintf(t, sizeof t, "(%s)", devname);
    if (n > 0 && (size_t)n < sizeof t && strncmp(t, c->prefix, c->plen) == 0)
        compl_add(c, t, (size_t)n, 1);
    return 0;
}

static int compl_file(const char *name, size_t namelen, enum pb_ftype type, void *ctx)
{
    struct compl *c = ctx;
    const char *fp = c->prefix + c->dirlen;
    size_t fl = c->plen - c->dirlen;
    if ((namelen == 1 && name[0] == '.') || (namelen == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    if (namelen < fl || memcmp(name, fp, fl) != 0)
        return 0;
    size_t len = c->dirlen + namelen + 1;
    char *t = malloc(len + 1);
    if (!t)
        return 0;
    memcpy(t, c->prefix, c->dirlen);
    memcpy(t + c->dirlen, name, namelen);
    t[c->dirlen + namelen] = type == PB_FT_DIR ? '/' : ' ';
    t[len] = 0;
    compl_add(c, t, len, c->dirlen);
    free(t);
    return 0;
}

static bool is_sep(char ch)
{
    return ch == ' ' || ch == '\t' || ch == ';' || ch == '{' || ch == '}' || ch == '|' ||
           ch == '&';
}

int pb_ui_complete(const char *line, size_t cur, char *out, size_t outsize, char *list,
                   size_t listsize)
{
    if (outsize)
        out[0] = 0;
    if (listsize)
        list[0] = 0;
    size_t ws = cur;
    while (ws > 0 && !is_sep(line[ws - 1]))
        ws--;
    bool first = true;
    for (size_t i = ws; i > 0; i--) {
        char ch = line[i - 1];
        if (ch == ';' || ch == '{' || ch == '}' || ch == '|' || ch == '&')
            break;
        if (ch != ' ' && ch != '\t') {
            first = false;
            break;
        }
    }
    /* the word as typed; NUL-terminated copy */
    size_t wl = cur - ws;
    char *word = malloc(wl + 1);
    if (!word)
        return 0;
    memcpy(word, line + ws, wl);
    word[wl] = 0;
    struct compl *c = calloc(1, sizeof *c);
    if (!c) {
        free(word);
        return 0;
    }
    c->prefix = word;
    c->plen = wl;
    const char *slash = strrchr(word, '/');
    bool suffix_space = false;
    if (first && !slash && word[0] != '(') {
        pb_command_foreach(compl_cmd, c);
        suffix_space = true;
    } else if (word[0] == '(' && !strchr(word, ')')) {
        pb_device_iterate(compl_dev, c);
    } else if (slash) {
        c->dirlen = (size_t)(slash - word) + 1;
        char *dir = malloc(c->dirlen + 1);
        if (dir) {
            memcpy(dir, word, c->dirlen);
            dir[c->dirlen] = 0;
            c->dir = dir;
            if (pb_dir_iterate(dir, compl_file, c))
                pb_error_clear();
            free(dir);
        }
    }
    int n = c->n;
    if (n > 0) {
        /* longest common prefix of all candidates */
        size_t lcp = strlen(c->cand[0]);
        for (int i = 1; i < n; i++) {
            size_t j = 0;
            while (j < lcp && c->cand[i][j] == c->cand[0][j])
                j++;
            lcp = j;
        }
        if (n == 1 && suffix_space) {
            snprintf(out, outsize, "%s ", c->cand[0] + wl);
        } else if (lcp > wl) {
            size_t k = lcp - wl;
            /* a common prefix ending inside a UTF-8 sequence would be cut
             * there; that is fine, the rest follows on the next Tab */
            if (n > 1 && c->cand[0][lcp - 1] == ' ')
                k--;   /* a file and its own name with suffix: keep typing */
            if (k + 1 > outsize)
                k = outsize ? outsize - 1 : 0;
            memcpy(out, c->cand[0] + wl, k);
            out[k] = 0;
        }
        if (n > 1 && (!out[0]) && listsize) {
            size_t used = 0;
            for (int i = 0; i < n; i++) {
                const char *s = c->show[i];
                size_t sl = strlen(s);
                while (sl && s[sl - 1] == ' ')
                    sl--;
                if (used + sl + 2 >= listsize)
                    break;
                if (used)
                    list[used++] = ' ';
                memcpy(list + used, s, sl);
                used += sl;
                list[used] = 0;
            }
        }
    }
    for (int i = 0; i < c->n; i++)
        free(c->cand[i]);
    free(c);
    free(word);
    return n;
}

/* ---- the editor ---- */

struct rl {
    char *buf;
    size_t size, len, cur;
    const char *prompt;
    int cols;
};

static void rl_draw(struct rl *r)
{
    struct pb_strbuf b = { 0 };
    int pl = pb_ui_text_width(r->prompt, strlen(r->prompt));
    int room = r->cols - 1 - pl;
    if (room < 8)
        room = 8;
    /* scroll horizontally (by whole characters) to keep the cursor visible */
    int cc = pb_ui_text_width(r->buf, r->cur);
    int off = 0, wcur = 1;
    size_t start = 0;
    if (r->cur < r->len)
        ui_glyph(r->buf + r->cur, r->len - r->cur, &wcur);
    int need = cc + (wcur ? wcur : 1) - room;   /* the character under the cursor shown whole */
    if (need > 0)
        start = ui_skip_cols(r->buf, r->len, need, &off);
    pb_strbuf_str(&b, "\r");
    ui_buf_text(&b, r->prompt, strlen(r->prompt), pl);
    ui_buf_text(&b, r->buf + start, r->len - start, room);
    pb_strbuf_str(&b, "\033[K");
    if (r->cur < r->len) {
        pb_strbuf_str(&b, "\r");
        int x = pl + cc - off;
        if (x > 0)
            ui_buf_printf(&b, "\033[%dC", x);
    }
    ui_buf_flush(&b);
}

/* Typing at the end of a line that still fits: just echo the byte. */
static bool rl_simple_append(const struct rl *r)
{
    int pl = pb_ui_text_width(r->prompt, strlen(r->prompt));
    return r->cur == r->len && pl + pb_ui_text_width(r->buf, r->len) < r->cols - 1;
}

static void rl_set(struct rl *r, const char *s)
{
    size_t n = strlen(s);
    if (n >= r->size)
        n = r->size - 1;
    memcpy(r->buf, s, n);
    r->buf[n] = 0;
    r->len = r->cur = n;
}

static void rl_insert(struct rl *r, const char *s, size_t n)
{
    if (r->len + n >= r->size)
        n = r->size - 1 - r->len;
    memmove(r->buf + r->cur + n, r->buf + r->cur, r->len - r->cur + 1);
    memcpy(r->buf + r->cur, s, n);
    r->len += n;
    r->cur += n;
}

/* the glyph (character and its marks) before / at byte @i */
static size_t rl_prev(const struct rl *r, size_t i)
{
    return ui_glyph_prev(r->buf, r->len, i);
}

static size_t rl_next(const struct rl *r, size_t i)
{
    int w;
    return i < r->len ? i + ui_glyph(r->buf + i, r->len - i, &w) : r->len;
}

static void rl_delete(struct rl *r, size_t from, size_t to)
{
    memmove(r->buf + from, r->buf + to, r->len - to + 1);
    r->len -= to - from;
    if (r->cur > to)
        r->cur -= to - from;
    else if (r->cur > from)
        r->cur = from;
}

int pb_ui_readline(const char *prompt, char *buf, size_t size, struct pb_ui_history *hist)
{
    if (size < 2)
        return -1;
    int rows;
    struct rl r = { .buf = buf, .size = size, .prompt = prompt };
    pb_ui_term_size(&r.cols, &rows);
    buf[0] = 0;
    int hpos = hist ? hist->count : 0;
    char *saved = NULL;     /* the line being typed while browsing history */
    int result = -1;
    rl_draw(&r);
    for (;;) {
        int k = pb_ui_getkey();
        if (k == PB_KEY_NONE) {
            pb_write("\r\n", 2);   /* end of input */
            goto out;
        }
        switch (k) {
        case PB_KEY_ENTER:
        case '\n':
            pb_write("\r\n", 2);
            result = (int)r.len;
            goto out;
        case PB_KEY_CTRL('d'):
            if (r.len == 0) {
                pb_write("\r\n", 2);
                goto out;
            }
            /* fall through */
        case PB_KEY_DELETE:
            if (r.cur < r.len)
                rl_delete(&r, r.cur, rl_next(&r, r.cur));
            break;
        case PB_KEY_ESC:
            if (r.len == 0) {
                pb_write("\r\n", 2);
                goto out;
            }
            rl_set(&r, "");
            break;
        case PB_KEY_CTRL('c'):
            pb_write("^C\r\n", 4);
            rl_set(&r, "");
            break;
        case PB_KEY_BACKSPACE:
        case 0x7f:
            if (r.cur > 0)
                rl_delete(&r, rl_prev(&r, r.cur), r.cur);
            break;
        case PB_KEY_LEFT:
        case PB_KEY_CTRL('b'):
            r.cur = rl_prev(&r, r.cur);
            break;
        case PB_KEY_RIGHT:
        case PB_KEY_CTRL('f'):
            r.cur = rl_next(&r, r.cur);
            break;
        case PB_KEY_HOME:
        case PB_KEY_CTRL('a'):
            r.cur = 0;
            break;
        case PB_KEY_END:
        case PB_KEY_CTRL('e'):
            r.cur = r.len;
            break;
        case PB_KEY_CTRL('k'):
            buf[r.cur] = 0;
            r.len = r.cur;
            break;
        case PB_KEY_CTRL('u'):
            rl_delete(&r, 0, r.cur);
            break;
        case PB_KEY_CTRL('w'): {
            size_t i = r.cur;
            while (i > 0 && buf[i - 1] == ' ')
                i--;
            while (i > 0 && buf[i - 1] != ' ')
                i--;
            rl_delete(&r, i, r.cur);
            break;
        }
        case PB_KEY_UP:
        case PB_KEY_CTRL('p'):
            if (hist && hpos > 0) {
                if (hpos == hist->count) {
                    free(saved);
                    saved = strdup(buf);
                }
                hpos--;
                rl_set(&r, hist->lines[hpos]);
            }
            break;
        case PB_KEY_DOWN:
        case PB_KEY_CTRL('n'):
            if (hist && hpos < hist->count) {
                hpos++;
                rl_set(&r, hpos == hist->count ? (saved ? saved : "") : hist->lines[hpos]);
            }
            break;
        case PB_KEY_TAB: {
            char ins[256], list[2048];
            char save = buf[r.cur];
            buf[r.cur] = 0;
            int n = pb_ui_complete(buf, r.cur, ins, sizeof ins, list, sizeof list);
            buf[r.cur] = save;
            if (ins[0])
                rl_insert(&r, ins, strlen(ins));
            else if (n > 1 && list[0])
                pb_printf("\n%s\n", list);
            break;
        }
        default:
            if (k >= 0x20 && k < 0x100 && k != 0x7f) {
                char ch = (char)k;
                bool simple = rl_simple_append(&r);
                size_t before = r.len;
                rl_insert(&r, &ch, 1);
                /* echo a whole character once its last byte arrived */
                if (simple && r.len > before) {
                    size_t st = r.len - 1;
                    while (st > 0 && ((unsigned char)buf[st] & 0xc0) == 0x80 && r.len - st < 4)
                        st--;
                    size_t want = ui_utf8_len((const unsigned char *)buf + st, r.len - st);
                    if (k < 0x80 && k >= 0x20)
                        pb_write(&ch, 1);
                    else if (want == r.len - st && want > 1)
                        rl_draw(&r);
                    continue;
                }
            }
            break;
        }
        rl_draw(&r);
    }
out:
    free(saved);
    return result;
}
