/* SPDX-License-Identifier: MIT */
/*
 * The interactive user interface of module `normal` on a VT100 terminal
 * (the Xen console, or stdio / a scripted terminal when hosted): the
 * full-screen menu, the entry editor, the command line with line editing,
 * history and Tab completion, and GRUB-style password protection.
 *
 * Screen size: no size query is reliable over `xl console`, so the UI
 * assumes 80x24 unless the variable `pvboot_term_size` says otherwise
 * ("COLSxROWS", e.g. `set pvboot_term_size=132x43`; clamped to 20..512
 * columns and 12..200 rows).  Every redraw positions each line absolutely
 * (CSI row;col H) and clears to the end of the line, so a larger terminal
 * shows the same picture in its top-left corner.
 *
 * Characters: titles and edited text are UTF-8 and take their display
 * width in columns: East Asian Wide/Fullwidth characters (CJK, most emoji)
 * 2, combining marks and other zero-width format characters 0 (they stay
 * with the character before them: cursor keys and deletion move over the
 * whole group), everything else 1 (Ambiguous included), from a table
 * generated out of the Unicode Character Database by scripts/gen-wcwidth
 * (modules/normal/menu_ui_wcwidth.h).  Long text is cut before the first
 * character that does not fit whole (a wide character never straddles
 * the edge; the cell left over is padded), a tab is shown as one space,
 * and control characters (C0, DEL, C1), the line/paragraph separators,
 * bidi embedding/override/isolate controls and invalid UTF-8 bytes are
 * shown as one '?' each, so a config cannot send escape sequences to the
 * terminal or reorder what it shows.
 */
#ifndef PVBOOT_MENU_UI_H
#define PVBOOT_MENU_UI_H

#include <stdbool.h>
#include <stddef.h>

struct pb_menu;
struct pb_menu_entry;

/**
 * pb_ui_eof_ms - when >= 0, a wait of that many milliseconds without a key
 * counts as the end of input (the UI backs out: menus return, the editor
 * cancels, the command line ends).  -1 (default) waits forever, as a
 * console must.  Set by unit tests with a scripted terminal.
 */
extern int pb_ui_eof_ms;

/** pb_ui_getkey() - pb_getkey(-1) bounded by pb_ui_eof_ms; PB_KEY_NONE at
 *  the end of input. */
int pb_ui_getkey(void);

/** pb_ui_term_size() - the assumed terminal size (see above). */
void pb_ui_term_size(int *cols, int *rows);

/**
 * pb_ui_utf8_cut() - how many bytes of @s (@len bytes) fit in @cols
 * columns, cut before the first character (with its marks) that does not
 * fit whole.  *@used gets the columns used (may be @cols - 1 when a wide
 * character is left out).
 */
size_t pb_ui_utf8_cut(const char *s, size_t len, int cols, int *used);

/**
 * pb_ui_wcwidth() - display columns of Unicode code point @cp on the
 * terminal: 0, 1 or 2 (see the top of this file), or -1 for characters
 * the UI never sends (controls, separators, bidi controls, surrogates,
 * values above U+10FFFF) and shows as one '?'.
 */
int pb_ui_wcwidth(unsigned long cp);

/**
 * pb_ui_text_width() - display columns of UTF-8 text @s (@len bytes) as
 * the UI draws it (a '?' or a tab's space counts 1).
 */
int pb_ui_text_width(const char *s, size_t len);

/*
 * What the menu and the editor do on the user's behalf, given by the module
 * that puts the pieces together (modules/normal/main.c): the menu and the
 * editor draw and read keys, and call these for the rest, so they do not
 * call the runner, the editor, the command line or the password check
 * themselves.
 */
struct pb_ui_actions {
    /* 0 if the user may run entry @e (NULL: the superuser-only actions,
     * edit and the command line); else the error is recorded (pb_error)
     * and returned. */
    int (*authorize)(const struct pb_menu_entry *e);
    /* run entry @e with $chosen = @chosen (pb_menu_boot()): returns only
     * on failure, or 0 in dry-run mode */
    int (*boot)(struct pb_menu_entry *e, const char *chosen);
    /* the editor on @e (pb_ui_edit_entry()) */
    int (*edit)(struct pb_menu_entry *e, const char *chosen);
    /* the command line (pb_ui_shell()) */
    void (*shell)(bool from_menu);
};

/** pb_ui_set_actions() - the actions pb_ui_menu() and pb_ui_edit_entry()
 *  use (@a: static storage).  Until set, every action fails with an error. */
void pb_ui_set_actions(const struct pb_ui_actions *a);

/* What pb_ui_menu() did. */
enum pb_ui_result {
    PB_UI_TIMEOUT = 1,   /* the countdown ran out: the caller boots the default */
    PB_UI_LEFT = 2,      /* Esc in a nested menu (configfile): go back */
    PB_UI_STOP = 3,      /* a stop was requested (dry run booted, exit) */
};

/**
 * pb_ui_menu() - run the full-screen menu for @m.
 * @def: index of the highlighted entry at start.
 * @timeout: seconds of countdown before the caller boots the default
 *           (-1 = none; the countdown stops at the first key).
 * @style: $timeout_style ("menu", "countdown", "hidden"; NULL = menu).
 * @nested: Esc at this level returns PB_UI_LEFT (a configfile menu; see
 *          pb_ui_menu_active()).
 * Entries chosen by the user are booted here; a boot that fails shows the
 * error and the menu again.  Returns an enum pb_ui_result.
 */
int pb_ui_menu(struct pb_menu *m, int def, int timeout, const char *style, bool nested);

/**
 * pb_ui_menu_active() - true while a pb_ui_menu() runs (below the
 * caller).  pb_menu_run() shows the menu of a config run by `configfile'
 * from a menu entry or from the menu's command line as nested: Esc at its
 * top level returns to the menu below as in GRUB (and the entry that ran
 * `configfile' then returns quietly, without a "loaded no kernel" error).
 * The first config's menu is not nested: Esc there does nothing.
 */
bool pb_ui_menu_active(void);

/**
 * pb_ui_edit_entry() - the multi-line editor on a copy of @e's body.
 * Ctrl-X/F10 boots the edited copy (returns its boot result: only on
 * failure, or 0 in dry-run mode), Esc returns PB_ECANCELED, Ctrl-C/F2
 * opens the command line (and returns to the editor).
 */
int pb_ui_edit_entry(struct pb_menu_entry *e, const char *chosen);

/* ---- line editor ---- */

#define PB_UI_HISTORY_MAX 32

/** Completion callback: candidates for the word at the end of @line[0..len). */
struct pb_ui_history {
    char *lines[PB_UI_HISTORY_MAX];
    int count;
};

/**
 * pb_ui_readline() - read one line with editing (Left/Right, Home/End,
 * Ctrl-A/E/B/F, Backspace/Delete, Ctrl-K/U/W, Up/Down history, Tab
 * completion of commands, "(device" names and paths).
 * @prompt: shown first; @buf/@size: the result (NUL-terminated, at most
 * @size-1 bytes); @hist: history (may be NULL) — the line is not added.
 * Returns the length, or -1 on Ctrl-D on an empty line / Esc (cancel).
 */
int pb_ui_readline(const char *prompt, char *buf, size_t size, struct pb_ui_history *hist);

/** pb_ui_history_add() - append @line (not empty, not repeating the last). */
void pb_ui_history_add(struct pb_ui_history *h, const char *line);

/**
 * pb_ui_complete() - Tab completion of the word ending at @cur in
 * @line.  Fills @out (NUL-terminated) with the text to insert, and when
 * several candidates remain and nothing can be inserted, lists them in
 * @list (space-separated, cut to @listsize).  Returns the number of
 * candidates.  Pure of terminal I/O (unit tested).
 */
int pb_ui_complete(const char *line, size_t cur, char *out, size_t outsize, char *list,
                   size_t listsize);

/** pb_ui_shell() - the command line until `exit`, Esc on an empty line
 *  (when @from_menu) or end of input.  Needs a superuser if any are set. */
void pb_ui_shell(bool from_menu);

/* ---- authentication (GRUB's `superusers`, `password`, `password_pbkdf2`) ---- */

/**
 * pb_auth_register_user() - set @user's password checker (replaces an
 * earlier one).  @check(pass, ctx) returns true when @pass matches;
 * @free_ctx frees @ctx when replaced.  Returns 0 or PB_ENOMEM.
 */
int pb_auth_register_user(const char *user, bool (*check)(const char *pass, void *ctx), void *ctx,
                          void (*free_ctx)(void *ctx));

/** pb_auth_enabled() - true when $superusers is set and not empty. */
bool pb_auth_enabled(void);

/**
 * pb_auth_allowed() - may the user run something restricted to @users
 * (a comma/space/semicolon/pipe separated list; NULL = superusers only)?
 * Prompts for a user name and password when needed (unless an allowed
 * user already logged in).  Returns 0, or PB_EACCES after "Access denied".
 */
int pb_auth_allowed(const char *users);

/** pb_auth_entry_allowed() - as GRUB: --unrestricted entries are free;
 *  --users X allows X and superusers; otherwise superusers only. */
int pb_auth_entry_allowed(const struct pb_menu_entry *e);

/** pb_auth_logout() - forget logged-in users (tests). */
void pb_auth_logout(void);

#endif
