/* SPDX-License-Identifier: MIT */
/*
 * Scripted-terminal fixtures shared by the UI unit tests (test_menu_ui.c,
 * test_editor.c, test_readline.c, test_menu_width.c): the keys a VT100
 * terminal sends, and one helper per UI entry point (menu, entry editor,
 * command line) that types the keys into the hosted runtime, runs the UI
 * and leaves the final screen in `vt' (vt_screen.h), failing the test if
 * the UI sent an escape sequence the screen does not know.  Also a ustar
 * header writer for the small archives the tests mount as memory disks.
 * Include after <cmocka.h>.
 */
#ifndef UI_TEST_UTIL_H
#define UI_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "script_test_util.h"
#include "vt_screen.h"
#include "pvboot/menu_ui.h"

#define UP "\033[A"
#define DOWN "\033[B"
#define RIGHT "\033[C"
#define LEFT "\033[D"
#define HOME "\033[H"
#define END "\033[F"
#define DEL "\033[3~"
#define PGUP "\033[5~"
#define PGDN "\033[6~"
#define ESC "\033"
#define BS "\177"

/* Build the menu of script @cfg in a new environment and menu context,
 * type @keys into pb_ui_menu(@def, @timeout, @style, @nested) and put the
 * final screen (@cols x @rows cells) into vt.  @dry_run: st_decide_only()
 * while the menu runs (false: pb_menu_run boots interactively).  Returns
 * pb_ui_menu's result. */
static __attribute__((unused)) int ui_menu(const char *cfg, const char *keys, int def, int timeout,
                                           const char *style, bool nested, int cols, int rows,
                                           bool dry_run)
{
    st_init();
    st_decide_only(dry_run);
    pb_ui_eof_ms = 600000;
    pb_auth_logout();
    assert_int_equal(pb_env_push(), 0);
    assert_int_equal(pb_menu_push(), 0);
    st_run(cfg);
    pb_hosted_output_reset();
    pb_hosted_set_input(keys, strlen(keys));
    int r = pb_ui_menu(pb_menu_current(), def, timeout, style, nested);
    vt_reset(cols, rows);
    vt_feed(pb_hosted_output());
    pb_menu_pop();
    pb_env_pop();
    assert_int_equal(vt.unknown, 0);
    return r;
}

/* The entry ui_edit() edits (title "Test entry", file "t.cfg"). */
static struct pb_menu_entry ui_entry;

/* Edit @body (ui_entry's body) with @keys in pb_ui_edit_entry(); the
 * screen (80x24) ends up in vt.  Returns pb_ui_edit_entry's result. */
static __attribute__((unused)) int ui_edit(const char *body, const char *keys)
{
    st_init();
    pb_ui_eof_ms = 600000;
    memset(&ui_entry, 0, sizeof ui_entry);
    ui_entry.title = "Test entry";
    ui_entry.body = (char *)body;
    ui_entry.file = "t.cfg";
    ui_entry.unrestricted = true;
    pb_hosted_output_reset();
    pb_hosted_set_input(keys, strlen(keys));
    int r = pb_ui_edit_entry(&ui_entry, "Test entry");
    vt_reset(80, 24);
    vt_feed(pb_hosted_output());
    assert_int_equal(vt.unknown, 0);
    return r;
}

/* Read one line with pb_ui_readline("> ", @line, @size bytes, @h) from
 * @keys; vt (80x24) gets the screen as it was before the final CR LF
 * (Enter or end of input).  Returns pb_ui_readline's result. */
static __attribute__((unused)) int ui_readline(const char *keys, char *line, size_t size,
                                               struct pb_ui_history *h)
{
    st_init();
    pb_ui_eof_ms = 600000;
    pb_hosted_set_input(keys, strlen(keys));
    pb_hosted_output_reset();
    int n = pb_ui_readline("> ", line, size, h);
    static char o[65536];
    snprintf(o, sizeof o, "%s", pb_hosted_output());
    size_t ol = strlen(o);
    if (ol >= 2 && strcmp(o + ol - 2, "\r\n") == 0)
        o[ol - 2] = 0;
    vt_reset(80, 24);
    vt_feed(o);
    assert_int_equal(vt.unknown, 0);
    return n;
}

/* Write the 512-byte POSIX ustar header @h of member @name (at most 99
 * bytes) with typeflag @type ('0' file, '5' directory) and @size bytes of
 * data (below 2 MiB: the low 21 bits are written): mode 0644, uid/gid/mtime
 * 0, checksum filled in (POSIX.1-1988 ustar header fields). */
static __attribute__((unused)) void ui_tar_header(unsigned char h[512], const char *name, char type,
                                                  size_t size)
{
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    snprintf((char *)h + 124, 12, "%011o", (unsigned)size & 07777777u);
    memcpy(h + 136, "00000000000", 12);
    h[156] = (unsigned char)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

#endif
