/* SPDX-License-Identifier: MIT */
/* Unit tests for the menu-entry editor (modules/normal/editor.c) with a
 * scripted terminal: the exact screen (80x24), cursor position, every
 * editing key (arrows, Home/End, Ctrl-A/E/K, Backspace/Delete joining
 * lines, Enter splitting, UTF-8 characters as units), horizontal
 * scrolling of long lines, Ctrl-X booting the edited text, a failed boot
 * returning to the editor, Esc discarding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "ui_test_util.h"

static const char *body2 = "\n  linux /k a b\n  initrd /i\n";

static void test_screen(void **state)
{
    (void)state;
    int r = ui_edit(body2, ESC);
    assert_int_equal(r, PB_ECANCELED);
    assert_string_equal(vt_row(1), "Editing: Test entry");
    assert_string_equal(vt_row(2), "");
    assert_string_equal(vt_row(3), "    linux /k a b");
    assert_string_equal(vt_row(4), "    initrd /i");
    assert_string_equal(vt_row(5), "");
    assert_string_equal(vt_row(22),
                        "Ctrl-X or F10 boots, Ctrl-C or F2 opens a command line, Esc discards the change");
    /* cursor on the first character of the first line */
    assert_int_equal(vt.r, 2);
    assert_int_equal(vt.c, 2);
    assert_string_equal(rec_kernel, "");
    /* a tab (as grub.cfg files indent) shows as one space, other control
     * bytes as '?' */
    ui_edit("\n\tlinux /k\x1b[31m\n", ESC);
    assert_string_equal(vt_row(3), "   linux /k?[31m");
}

static void test_cursor_keys(void **state)
{
    (void)state;
    ui_edit(body2, END ESC);
    assert_int_equal(vt.c, 2 + 14);
    /* the screen is cleared once; later keys rewrite the text rows only */
    const char *o = pb_hosted_output();
    assert_non_null(strstr(o, "\033[2J"));
    assert_null(strstr(strstr(o, "\033[2J") + 1, "\033[2J"));
    assert_non_null(strstr(o, "\033[3;1H    linux /k a b\033[K\033[4;1H    initrd /i\033[K\033[5;1H\033[K"));
    ui_edit(body2, END DOWN ESC);     /* column clamped to the shorter line */
    assert_int_equal(vt.r, 3);
    assert_int_equal(vt.c, 2 + 11);
    ui_edit(body2, DOWN RIGHT RIGHT UP ESC);
    assert_int_equal(vt.r, 2);
    assert_int_equal(vt.c, 4);
    ui_edit(body2, END "\x01" ESC);   /* Ctrl-A */
    assert_int_equal(vt.c, 2);
    ui_edit(body2, "\x05" HOME ESC);  /* Ctrl-E, Home */
    assert_int_equal(vt.c, 2);
    ui_edit(body2, LEFT ESC);         /* at the start: stays */
    assert_int_equal(vt.r, 2);
    assert_int_equal(vt.c, 2);
    ui_edit(body2, DOWN LEFT ESC);    /* Left at a line start goes to the end of the previous */
    assert_int_equal(vt.r, 2);
    assert_int_equal(vt.c, 2 + 14);
}

static void test_editing_and_boot(void **state)
{
    (void)state;
    /* End, Backspace 'b', type 'c'; Ctrl-A, Delete x2; Down, Ctrl-K (line
     * emptied), Backspace joins into line 1; Enter opens a new line; type
     * an initrd line; Ctrl-X boots */
    int r = ui_edit(body2, END BS "c" "\x01" DEL DEL DOWN "\x0b" BS "\r" "initrd /j" "\x18");
    assert_int_equal(r, 0);
    assert_string_equal(rec_kernel, "/k");
    assert_string_equal(rec_args, "[a][c]");
    assert_string_equal(rec_initrd, "[/j]");
    /* the screen right before booting showed the edited text */
    assert_non_null(strstr(pb_hosted_output(), "\033[3;1H  linux /k a c\033[K\033[4;1H  initrd /j"));
    /* Ctrl-K at the end of a line joins the next; Delete at the end too */
    ui_edit(body2, END "\x0b" ESC);
    assert_string_equal(vt_row(3), "    linux /k a b  initrd /i");
    assert_string_equal(vt_row(4), "");
    ui_edit(body2, END DEL ESC);
    assert_string_equal(vt_row(3), "    linux /k a b  initrd /i");
    /* Enter in the middle splits the line */
    ui_edit(body2, RIGHT RIGHT RIGHT RIGHT RIGHT RIGHT RIGHT "\r" ESC);
    assert_string_equal(vt_row(3), "    linux");
    assert_string_equal(vt_row(4), "   /k a b");
    assert_int_equal(vt.r, 3);
    assert_int_equal(vt.c, 2);
}

static void test_utf8(void **state)
{
    (void)state;
    /* é typed as two bytes is one character for the cursor, Left and
     * Backspace */
    ui_edit("", "\xc3\xa9" "z" LEFT LEFT "x" ESC);
    assert_string_equal(vt_row(3), "  x\xc3\xa9z");
    assert_int_equal(vt.c, 3);
    ui_edit("", "a\xe2\x9c\x93" "b" LEFT BS ESC);
    assert_string_equal(vt_row(3), "  ab");
    assert_int_equal(vt.c, 3);
    ui_edit("", "\xc3\xa9" RIGHT DEL LEFT DEL ESC);
    assert_string_equal(vt_row(3), "");
}

static void test_long_lines(void **state)
{
    (void)state;
    char body[512] = "\n";
    for (int i = 0; i < 100; i++)
        body[1 + i] = (char)('0' + i % 10);
    strcat(body, "\nshort\n");
    /* cursor at the start: the long line is cut with '$' at column 79 (the
     * last column is never written: no auto-wrap surprises) */
    ui_edit(body, ESC);
    char want[128] = "  ";
    for (int i = 0; i < 76; i++)
        want[2 + i] = (char)('0' + i % 10);
    want[78] = '$';
    want[79] = 0;
    assert_string_equal(vt_row(3), want);
    /* at its end: shown from an offset with '$' in front, cursor in view */
    ui_edit(body, END ESC);
    const char *r3 = vt_row(3);
    assert_int_equal(r3[1], '$');
    assert_int_equal(strlen(r3), 2 + 76);
    assert_string_equal(r3 + 2 + 76 - 10, "0123456789");
    assert_int_equal(vt.c, 2 + 76);
    assert_string_equal(vt_row(4), "  short");
}

static void test_failed_boot_back_to_editor(void **state)
{
    (void)state;
    int r = ui_edit("\nlinux /missing\n", "\x18" "x" ESC);
    assert_int_equal(r, PB_ECANCELED);
    assert_non_null(strstr(st_out(), "error: t.cfg:1: file `/missing' not found"));
    assert_non_null(strstr(st_out(), "Press any key to continue..."));
    /* the editor is on the screen again, the text kept */
    assert_string_equal(vt_row(1), "Editing: Test entry");
    assert_string_equal(vt_row(3), "  linux /missing");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen),
        cmocka_unit_test(test_cursor_keys),
        cmocka_unit_test(test_editing_and_boot),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_failed_boot_back_to_editor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
