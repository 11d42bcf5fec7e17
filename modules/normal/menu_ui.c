/* SPDX-License-Identifier: MIT */
/*
 * The full-screen boot menu on a VT100 terminal (include/pvboot/menu_ui.h):
 * drawing, keys, countdown, submenus, hotkeys and booting with errors
 * shown.  Key bindings follow GRUB's menu (GRUB manual, "Menu interface"):
 * Up/Down/PgUp/PgDn/Home/End move, Enter/Right/Ctrl-X boot, `e' edits,
 * `c' opens the command line, Esc/Left leaves a submenu.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/loader.h"
#include "pvboot/menu.h"
#include "pvboot/menu_ui.h"
#include "pvboot/script.h"
#include "pvboot/term.h"
#include "ui_int.h"
#include "menu_ui_wcwidth.h"

/* ---- output buffer ---- */

void ui_buf_printf(struct pb_strbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    pb_strbuf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void ui_buf_goto(struct pb_strbuf *b, int row, int col)
{
    ui_buf_printf(b, "\033[%d;%dH", row, col);
}

void ui_buf_spaces(struct pb_strbuf *b, int n)
{
    static const char sp[] = "                                ";
    while (n > 0) {
        int k = n > 32 ? 32 : n;
        pb_strbuf_add(b, sp, (size_t)k);
        n -= k;
    }
}

void ui_buf_flush(struct pb_strbuf *b)
{
    if (b->d && b->n)
        pb_write(b->d, b->n);
    free(b->d);
    *b = (struct pb_strbuf){ 0 };
}

/* ---- UTF-8 ---- */

size_t ui_utf8_len(const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    unsigned c = s[0];
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 1;
    if (n > len)
        return 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    /* overlong / surrogate / above U+10FFFF */
    if (c == 0xe0 && s[1] < 0xa0)
        return 1;
    if (c == 0xed && s[1] >= 0xa0)
        return 1;
    if (c == 0xf0 && s[1] < 0x90)
        return 1;
    if (c == 0xf4 && s[1] >= 0x90)
        return 1;
    return n;
}

/* Decode the sequence @s[0..n) that ui_utf8_len() measured: the code
 * point, or -1 for an invalid byte (n == 1 and not ASCII). */
static long ui_utf8_cp(const unsigned char *s, size_t n)
{
    switch (n) {
    case 1:
        return s[0] < 0x80 ? (long)s[0] : -1;
    case 2:
        return (long)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
    case 3:
        return (long)(s[0] & 0x0f) << 12 | (long)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
    case 4:
        return (long)(s[0] & 0x07) << 18 | (long)(s[1] & 0x3f) << 12 | (long)(s[2] & 0x3f) << 6 |
               (s[3] & 0x3f);
    default:
        return -1;
    }
}

static bool ui_in_ranges(const struct ui_wrange *r, size_t n, unsigned cp)
{
    size_t lo = 0, hi = n;       /* binary search over sorted ranges */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int pb_ui_wcwidth(unsigned long cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
        return -1;                     /* C0, DEL, C1 */
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    /* line/paragraph separators and the bidi embedding, override and
     * isolate controls could reorder or break what the terminal shows */
    if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069))
        return -1;
    if (cp < 0x300)
        return 1;                      /* fast path: Latin */
    if (ui_in_ranges(ui_wzero, sizeof ui_wzero / sizeof ui_wzero[0], (unsigned)cp))
        return 0;
    if (ui_in_ranges(ui_wwide, sizeof ui_wwide / sizeof ui_wwide[0], (unsigned)cp))
        return 2;
    return 1;
}

/* Width of the one sequence @s[0..n) (from ui_utf8_len): -1 when it is
 * shown as a replacement (invalid byte, control). */
static int ui_seq_width(const unsigned char *s, size_t n)
{
    long cp = ui_utf8_cp(s, n);
    return cp < 0 ? -1 : pb_ui_wcwidth((unsigned long)cp);
}

bool ui_utf8_printable(const unsigned char *s, size_t n)
{
    return ui_seq_width(s, n) >= 0;
}

size_t ui_glyph(const char *s, size_t len, int *cols)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0) {
        *cols = 0;
        return 0;
    }
    size_t n = ui_utf8_len(u, len);
    int w = ui_seq_width(u, n);
    if (w < 0) {
        *cols = 1;                     /* shown as one '?' (a tab as ' ') */
        return n;
    }
    /* the marks that follow belong to this character's cell(s) */
    while (n < len) {
        size_t m = ui_utf8_len(u + n, len - n);
        if (ui_seq_width(u + n, m) != 0)
            break;
        n += m;
    }
    *cols = w;
    return n;
}

int pb_ui_text_width(const char *s, size_t len)
{
    int c = 0, w;
    for (size_t i = 0; i < len;) {
        i += ui_glyph(s + i, len - i, &w);
        c += w;
    }
    return c;
}

size_t ui_glyph_prev(const char *s, size_t len, size_t pos)
{
    size_t i = 0;
    int w;
    if (pos > len)
        pos = len;
    while (i < pos) {
        size_t g = ui_glyph(s + i, len - i, &w);
        if (i + g >= pos)
            return i;
        i += g;
    }
    return i;
}

size_t ui_skip_cols(const char *s, size_t len, int cols, int *skipped)
{
    size_t i = 0;
    int c = 0, w;
    while (i < len && c < cols) {
        i += ui_glyph(s + i, len - i, &w);
        c += w;
    }
    if (skipped)
        *skipped = c;
    return i;
}

size_t pb_ui_utf8_cut(const char *s, size_t len, int cols, int *used)
{
    size_t i = 0;
    int c = 0, w;
    while (i < len) {
        size_t g = ui_glyph(s + i, len - i, &w);
        if (c + w > cols)
            break;
        i += g;
        c += w;
    }
    if (used)
        *used = c;
    return i;
}

int ui_buf_text(struct pb_strbuf *b, const char *s, size_t len, int cols)
{
    size_t i = 0;
    int c = 0, w;
    while (i < len) {
        size_t g = ui_glyph(s + i, len - i, &w);
        if (c + w > cols)
            break;
        if (ui_seq_width((const unsigned char *)s + i, ui_utf8_len((const unsigned char *)s + i,
                                                                   len - i)) >= 0)
            pb_strbuf_add(b, s + i, g);     /* the character and its marks */
        else
            pb_strbuf_add(b, s[i] == '\t' ? " " : "?", 1);
        i += g;
        c += w;
    }
    return c;
}

void pb_ui_term_size(int *cols, int *rows)
{
    int c = 80, r = 24;
    const char *v = pb_env_get("pvboot_term_size");
    if (v && *v) {
        char *end;
        long lc = strtol(v, &end, 10);
        if (end != v && (*end == 'x' || *end == 'X')) {
            const char *p = end + 1;
            long lr = strtol(p, &end, 10);
            if (end != p && *end == 0) {
                c = lc < 20 ? 20 : lc > 512 ? 512 : (int)lc;
                r = lr < 12 ? 12 : lr > 200 ? 200 : (int)lr;
            }
        }
    }
    *cols = c;
    *rows = r;
}

/* ---- input ---- */

int pb_ui_eof_ms = -1;

int pb_ui_getkey(void)
{
    if (pb_ui_eof_ms < 0) {
        for (;;) {
            int k = pb_getkey(-1);
            if (k != PB_KEY_NONE)
                return k;
        }
    }
    return pb_getkey(pb_ui_eof_ms);
}

/* ---- booting ---- */

void ui_wait_key(void)
{
    pb_printf("\nPress any key to continue...");
    pb_ui_getkey();
    pb_printf("\n");
}

/* pb_ui_menu() calls running (a configfile run from a menu entry or the
 * menu's command line shows its menu nested in the one below) */
static int ui_menu_depth;
/* Esc left a nested configfile menu while the current entry ran */
static bool ui_left_nested;

bool pb_ui_menu_active(void)
{
    return ui_menu_depth > 0;
}

static int no_authorize(const struct pb_menu_entry *e)
{
    (void)e;
    return pb_error(PB_ENOTSUP, "no user interface actions are set");
}

static int no_entry_action(struct pb_menu_entry *e, const char *chosen)
{
    (void)e;
    (void)chosen;
    return pb_error(PB_ENOTSUP, "no user interface actions are set");
}

static void no_shell(bool from_menu)
{
    (void)from_menu;
    pb_printf("error: no command line in this image\n");
}

static const struct pb_ui_actions no_actions = {
    .authorize = no_authorize, .boot = no_entry_action, .edit = no_entry_action, .shell = no_shell,
};
static const struct pb_ui_actions *ui_act = &no_actions;

void pb_ui_set_actions(const struct pb_ui_actions *a)
{
    ui_act = a ? a : &no_actions;
}

const struct pb_ui_actions *ui_actions(void)
{
    return ui_act;
}

int ui_boot_entry(struct pb_menu_entry *e, const char *chosen)
{
    int r = ui_act->authorize(e);
    if (r) {
        pb_print_error();
        ui_wait_key();
        return r;
    }
    pb_write("\033[0m\033[H\033[2J", 11);
    pb_printf("Booting `%s'\n\n", e->title);
    r = pb_env_push();
    ui_left_nested = false;
    if (r == 0) {
        pb_error_clear();
        r = ui_act->boot(e, chosen);
        pb_env_pop();
    }
    if (pb_script_stop_requested())
        return r;
    if (ui_left_nested && !pb_loader_pending()) {
        /* the entry ran `configfile' and the user left that menu with
         * Esc: back to this menu as GRUB does, not an error */
        ui_left_nested = false;
        pb_error_clear();
        return 0;
    }
    if (r == 0)
        r = pb_error(PB_EINVAL, "entry `%s' returned without booting", e->title);
    /* never a dead console: show why and go back */
    pb_loader_unset();
    pb_print_error();
    pb_error_clear();
    ui_wait_key();
    return r;
}

/* ---- the menu ---- */

struct menu_state {
    struct pb_menu *m;
    struct pb_menu_entry **vis;   /* visible entries */
    int *idx;                     /* their real indices */
    int n;
    int sel, top;
    int cols, rows;
    bool nested;
    const char *path;             /* chosen path of the enclosing submenus */
};

static int list_rows(const struct menu_state *s)
{
    return s->rows - 10;
}

static void draw_entry(struct pb_strbuf *b, const struct menu_state *s, int i, int row)
{
    int inner = s->cols - 3;       /* between the two '|' */
    ui_buf_goto(b, row, 1);
    pb_strbuf_str(b, "|");
    if (i < s->n) {
        struct pb_menu_entry *e = s->vis[i];
        bool sel = i == s->sel;
        if (sel)
            pb_strbuf_str(b, "\033[7m");
        pb_strbuf_str(b, sel ? "*" : " ");
        int room = inner - 1 - (e->submenu ? 2 : 0);
        int used = ui_buf_text(b, e->title, strlen(e->title), room);
        ui_buf_spaces(b, room - used);
        if (e->submenu)
            pb_strbuf_str(b, " >");
        if (sel)
            pb_strbuf_str(b, "\033[0m");
    } else {
        ui_buf_spaces(b, inner);
    }
    pb_strbuf_str(b, "|\033[K");
}

static void draw_border(struct pb_strbuf *b, const struct menu_state *s, int row, bool more,
                        char mark)
{
    ui_buf_goto(b, row, 1);
    pb_strbuf_str(b, "+");
    int inner = s->cols - 3;
    for (int i = 0; i < inner; i++)
        pb_strbuf_add(b, i == inner - 2 && more ? &mark : "-", 1);
    pb_strbuf_str(b, "+\033[K");
}

static void draw_line(struct pb_strbuf *b, const struct menu_state *s, int row, const char *text)
{
    ui_buf_goto(b, row, 1);
    ui_buf_text(b, text, strlen(text), s->cols - 1);
    pb_strbuf_str(b, "\033[K");
}

static void draw_countdown(const struct menu_state *s, int secs)
{
    struct pb_strbuf b = { 0 };
    char t[128];
    if (secs >= 0)
        snprintf(t, sizeof t, "The highlighted entry will be booted automatically in %d s.", secs);
    else
        t[0] = 0;
    draw_line(&b, s, s->rows - 1, t);
    ui_buf_goto(&b, s->rows, 1);
    ui_buf_flush(&b);
}

static void draw_menu(struct menu_state *s, int secs)
{
    int lr = list_rows(s);
    if (s->sel < s->top)
        s->top = s->sel;
    if (s->sel >= s->top + lr)
        s->top = s->sel - lr + 1;
    struct pb_strbuf b = { 0 };
    pb_strbuf_str(&b, "\033[0m\033[H\033[2J");
    const char *hdr = "pvboot boot menu";
    int hl = (int)strlen(hdr);
    ui_buf_goto(&b, 1, (s->cols - hl) / 2 + 1);
    pb_strbuf_str(&b, hdr);
    draw_border(&b, s, 3, s->top > 0, '^');
    for (int i = 0; i < lr; i++)
        draw_entry(&b, s, s->top + i, 4 + i);
    draw_border(&b, s, 4 + lr, s->top + lr < s->n, 'v');
    draw_line(&b, s, s->rows - 4,
              "Use the Up and Down keys to select an entry. Enter boots it,");
    draw_line(&b, s, s->rows - 3,
              s->nested ? "`e' edits its commands, `c' opens a command line, Esc goes back."
                        : "`e' edits its commands, `c' opens a command line.");
    ui_buf_flush(&b);
    draw_countdown(s, secs);
}

/* Redraw only the rows of entries @a and @b (selection moved on screen). */
static void draw_two(struct menu_state *s, int a, int bsel)
{
    struct pb_strbuf b = { 0 };
    draw_entry(&b, s, a, 4 + a - s->top);
    draw_entry(&b, s, bsel, 4 + bsel - s->top);
    ui_buf_goto(&b, s->rows, 1);
    ui_buf_flush(&b);
}

static int find_hotkey(const struct menu_state *s, int key)
{
    for (int i = 0; i < s->n; i++) {
        int h = s->vis[i]->hotkey;
        if (!h)
            continue;
        if (h == key)
            return i;
        /* letters match in either case, as GRUB's hotkeys do */
        if (h < 0x80 && key < 0x80 && ((h | 0x20) >= 'a' && (h | 0x20) <= 'z') &&
            (h | 0x20) == (key | 0x20))
            return i;
    }
    return -1;
}

static char *join_path(const char *path, const struct pb_menu_entry *e)
{
    const char *el = e->id ? e->id : e->title;
    size_t n = (path ? strlen(path) + 1 : 0) + strlen(el) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", path ? path : "", path ? ">" : "", el);
    return p;
}

static int menu_loop(struct pb_menu *m, int def, int timeout, const char *style, bool nested,
                     const char *path);

/* Enter/boot the selected entry.  Returns PB_UI_STOP or 0 (show the menu). */
static int activate(struct menu_state *s, int i)
{
    struct pb_menu_entry *e = s->vis[i];
    char *chosen = join_path(s->path, e);
    if (!chosen) {
        pb_printf("error: out of memory\n");
        return 0;
    }
    int res = 0;
    if (e->submenu) {
        if (ui_act->authorize(e)) {
            pb_print_error();
            pb_error_clear();
            ui_wait_key();
        } else if (pb_menu_enter(e) == 0) {
            struct pb_menu *sm = pb_menu_current();
            if (pb_script_stop_requested()) {
                res = PB_UI_STOP;
            } else if (sm && sm->count > 0) {
                const char *d = pb_env_get("default");
                int sd = d ? pb_menu_match(sm, d, strlen(d)) : 0;
                res = menu_loop(sm, sd < 0 ? 0 : sd, -1, NULL, true, chosen);
                if (res != PB_UI_STOP)
                    res = 0;
            } else {
                pb_printf("Submenu `%s' has no entries.\n", e->title);
                ui_wait_key();
            }
            pb_menu_leave();
        } else {
            pb_print_error();
            pb_error_clear();
            ui_wait_key();
        }
    } else {
        ui_boot_entry(e, chosen);
        if (pb_script_stop_requested())
            res = PB_UI_STOP;
    }
    free(chosen);
    return res;
}

/* Back to the menu after an action that took the whole screen (an entry
 * ran, the entry editor, the shell).  @stop: the action asked for the
 * script to stop.  Returns true when @stop (the menu ends with PB_UI_STOP);
 * otherwise re-reads the terminal size, which may have changed meanwhile,
 * redraws the whole menu without a countdown and returns false. */
static bool resume_menu(struct menu_state *s, bool stop)
{
    if (stop)
        return true;
    pb_ui_term_size(&s->cols, &s->rows);
    draw_menu(s, -1);
    return false;
}

static int menu_loop(struct pb_menu *m, int def, int timeout, const char *style, bool nested,
                     const char *path)
{
    struct menu_state s = { .m = m, .nested = nested, .path = path };
    s.vis = calloc((size_t)m->count + 1, sizeof *s.vis);
    s.idx = calloc((size_t)m->count + 1, sizeof *s.idx);
    if (!s.vis || !s.idx) {
        free(s.vis);
        free(s.idx);
        pb_printf("error: out of memory for the menu\n");
        return PB_UI_LEFT;
    }
    int ri = 0;
    for (struct pb_menu_entry *e = m->first; e && s.n < m->count; e = e->next, ri++) {
        if (e->hidden)
            continue;
        if (ri == def)
            s.sel = s.n;
        s.idx[s.n] = ri;
        s.vis[s.n++] = e;
    }
    int result = 0;
    if (s.n == 0) {
        result = timeout >= 0 ? PB_UI_TIMEOUT : PB_UI_LEFT;
        goto out;
    }
    pb_ui_term_size(&s.cols, &s.rows);

    /* timeout_style=hidden|countdown: wait without the menu first */
    bool quiet = style && (strcmp(style, "hidden") == 0 || strcmp(style, "countdown") == 0);
    int pending = PB_KEY_NONE;
    if (timeout >= 0 && quiet) {
        bool show = strcmp(style, "countdown") == 0;
        int t = timeout;
        for (; t > 0; t--) {
            if (show)
                pb_printf("\rPress Esc or any key for the menu. Booting in %d s. \033[K", t);
            pending = pb_getkey(1000);
            if (pending != PB_KEY_NONE)
                break;
        }
        if (show)
            pb_printf("\r\033[K");
        if (pending == PB_KEY_NONE) {
            result = PB_UI_TIMEOUT;
            goto out;
        }
        int h = find_hotkey(&s, pending);
        pending = PB_KEY_NONE;
        if (h >= 0) {
            s.sel = h;
            pending = PB_KEY_ENTER;
        }
        timeout = -1;
    }
    int secs = timeout;
    draw_menu(&s, secs);
    for (;;) {
        if (pb_script_stop_requested()) {
            result = PB_UI_STOP;
            break;
        }
        int k;
        if (pending != PB_KEY_NONE) {
            k = pending;
            pending = PB_KEY_NONE;
        } else if (secs >= 0) {
            if (secs == 0) {
                result = PB_UI_TIMEOUT;
                break;
            }
            k = pb_getkey(1000);
            if (k == PB_KEY_NONE) {
                secs--;
                draw_countdown(&s, secs);
                continue;
            }
            secs = -1;
            draw_countdown(&s, secs);
        } else {
            k = pb_ui_getkey();
            if (k == PB_KEY_NONE) {
                result = PB_UI_LEFT;     /* end of input */
                break;
            }
        }
        int old = s.sel, lr = list_rows(&s);
        switch (k) {
        case PB_KEY_UP:
        case PB_KEY_CTRL('p'):
        case '^':
            if (s.sel > 0)
                s.sel--;
            break;
        case PB_KEY_DOWN:
        case PB_KEY_CTRL('n'):
        case 'v':
            if (s.sel + 1 < s.n)
                s.sel++;
            break;
        case PB_KEY_PGUP:
            s.sel = s.sel > lr - 1 ? s.sel - (lr - 1) : 0;
            break;
        case PB_KEY_PGDN:
            s.sel = s.sel + lr - 1 < s.n ? s.sel + lr - 1 : s.n - 1;
            break;
        case PB_KEY_HOME:
            s.sel = 0;
            break;
        case PB_KEY_END:
            s.sel = s.n - 1;
            break;
        case PB_KEY_ENTER:
        case '\n':
        case PB_KEY_RIGHT:
        case PB_KEY_CTRL('x'):
        case PB_KEY_F10:
            if (resume_menu(&s, activate(&s, s.sel) == PB_UI_STOP)) {
                result = PB_UI_STOP;
                goto out;
            }
            continue;
        case 'e':
            if (ui_act->authorize(NULL) == 0) {
                char *chosen = join_path(s.path, s.vis[s.sel]);
                if (s.vis[s.sel]->submenu) {
                    pb_printf("\nSubmenus cannot be edited.\n");
                    ui_wait_key();
                } else {
                    ui_act->edit(s.vis[s.sel], chosen);
                }
                free(chosen);
            } else {
                pb_print_error();
                pb_error_clear();
                ui_wait_key();
            }
            if (resume_menu(&s, pb_script_stop_requested())) {
                result = PB_UI_STOP;
                goto out;
            }
            continue;
        case 'c':
            pb_write("\033[0m\033[H\033[2J", 11);
            ui_act->shell(true);
            if (resume_menu(&s, pb_script_stop_requested())) {
                result = PB_UI_STOP;
                goto out;
            }
            continue;
        case PB_KEY_ESC:
        case PB_KEY_LEFT:
            if (s.nested) {
                result = PB_UI_LEFT;
                goto out;
            }
            continue;
        default: {
            int h = find_hotkey(&s, k);
            if (h >= 0) {
                s.sel = h;
                draw_menu(&s, -1);
                pending = PB_KEY_ENTER;
            }
            continue;
        }
        }
        if (s.sel == old)
            continue;
        if (s.sel >= s.top && s.sel < s.top + lr)
            draw_two(&s, old, s.sel);
        else
            draw_menu(&s, secs);
    }
out:
    free(s.vis);
    free(s.idx);
    return result;
}

int pb_ui_menu(struct pb_menu *m, int def, int timeout, const char *style, bool nested)
{
    if (!m || m->count == 0)
        return PB_UI_LEFT;
    ui_menu_depth++;
    int r = menu_loop(m, def, timeout, style, nested, NULL);
    ui_menu_depth--;
    if (nested && r == PB_UI_LEFT)
        ui_left_nested = true;
    if (r != PB_UI_TIMEOUT)
        pb_write("\033[0m", 4);   /* the cursor is on the last row already */
    return r;
}
