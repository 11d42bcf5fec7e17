/* SPDX-License-Identifier: MIT */
/* Unit tests for the command line's line editor and Tab completion
 * (modules/normal/readline.c, shell.c) with a scripted terminal: editing
 * keys, UTF-8, history, horizontal scrolling, end of input, completion of
 * commands, "(device" names and paths (a tar archive in memory as a disk),
 * and the shell running commands, printing errors and going on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "ui_test_util.h"

static char line[256];

/* Read a line into `line' from @keys (history @h); screen in vt. */
static int rl(const char *keys, struct pb_ui_history *h)
{
    return ui_readline(keys, line, sizeof line, h);
}

static void test_editing(void **state)
{
    (void)state;
    assert_int_equal(rl("abc\r", NULL), 3);
    assert_string_equal(line, "abc");
    assert_string_equal(vt_row(1), "> abc");
    rl("abc" LEFT LEFT "X\r", NULL);
    assert_string_equal(line, "aXbc");
    assert_string_equal(vt_row(1), "> aXbc");
    rl("abc" HOME "1" END "2" "\x01" "3" "\x05" "4\r", NULL);
    assert_string_equal(line, "31abc24");
    rl("hello world" LEFT LEFT LEFT "\x0b\r", NULL);    /* Ctrl-K */
    assert_string_equal(line, "hello wo");
    rl("hello world" LEFT LEFT "\x15\r", NULL);         /* Ctrl-U */
    assert_string_equal(line, "ld");
    rl("one two  " "\x17\r", NULL);                     /* Ctrl-W */
    assert_string_equal(line, "one ");
    rl("abc" HOME DEL RIGHT BS "\r", NULL);
    assert_string_equal(line, "c");
    rl("abc" "\x02\x02" "\x06" "-\r", NULL);            /* Ctrl-B, Ctrl-F */
    assert_string_equal(line, "ab-c");
    /* the screen matches the line, cursor where the editing happened */
    rl("abcdef" LEFT LEFT ESC "x" LEFT, NULL);
    assert_string_equal(vt_row(1), "> x");
    assert_int_equal(vt.c, 2);
    /* UTF-8: one character per Left/Backspace */
    rl("\xc3\xa9\xe2\x9c\x93" LEFT BS "\r", NULL);
    assert_string_equal(line, "\xe2\x9c\x93");
    assert_string_equal(vt_row(1), "> \xe2\x9c\x93");
    /* end of input, Ctrl-D and Esc on an empty line: -1 */
    assert_int_equal(rl("abc", NULL), -1);
    assert_int_equal(rl("\x04", NULL), -1);
    assert_int_equal(rl(ESC, NULL), -1);
    /* Ctrl-D on a non-empty line deletes forward */
    rl("abc" HOME "\x04\r", NULL);
    assert_string_equal(line, "bc");
    /* the buffer bound holds */
    char many[400];
    memset(many, 'q', 300);
    strcpy(many + 300, "\r");
    assert_int_equal(rl(many, NULL), 255);
}

static void test_scrolling(void **state)
{
    (void)state;
    char keys[200];
    for (int i = 0; i < 120; i++)
        keys[i] = (char)('a' + i % 26);
    keys[120] = 0;
    rl(keys, NULL);
    /* 80 columns: prompt 2 + 77 characters, the cursor after the last */
    const char *r1 = vt_row(1);
    assert_int_equal(strlen(r1), 2 + 77 - 1);
    assert_int_equal(r1[strlen(r1) - 1], keys[119]);
    assert_int_equal(vt.c, 78);
    strcat(keys, HOME);
    rl(keys, NULL);
    assert_int_equal(strncmp(vt_row(1), "> abcdefghij", 12), 0);
    assert_int_equal(vt.c, 2);
}

static void test_history(void **state)
{
    (void)state;
    struct pb_ui_history h = { 0 };
    pb_ui_history_add(&h, "first");
    pb_ui_history_add(&h, "second");
    pb_ui_history_add(&h, "second");       /* repeated: kept once */
    pb_ui_history_add(&h, "");
    assert_int_equal(h.count, 2);
    rl(UP "\r", &h);
    assert_string_equal(line, "second");
    rl(UP UP UP "\r", &h);
    assert_string_equal(line, "first");
    rl("typing" UP DOWN "\r", &h);
    assert_string_equal(line, "typing");
    rl(UP UP DOWN "!\r", &h);
    assert_string_equal(line, "second!");
    for (int i = 0; i < PB_UI_HISTORY_MAX + 5; i++) {
        char t[16];
        snprintf(t, sizeof t, "cmd%d", i);
        pb_ui_history_add(&h, t);
    }
    assert_int_equal(h.count, PB_UI_HISTORY_MAX);
    assert_string_equal(h.lines[0], "cmd5");
    for (int i = 0; i < h.count; i++)
        free(h.lines[i]);
}

/* a ustar archive: boot/ vmlinuz-1, vmlinux-x, initrd.img; etc/motd */
static unsigned char tarbuf[512 * 16];
static size_t tarlen;

static void tar_add(const char *name, char type, const char *data)
{
    size_t dl = data ? strlen(data) : 0;
    ui_tar_header(tarbuf + tarlen, name, type, dl);
    tarlen += 512;
    if (dl) {
        memcpy(tarbuf + tarlen, data, dl);
        tarlen += (dl + 511) / 512 * 512;
    }
}

static void setup_disk(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    st_init();
    tar_add("boot/", '5', NULL);
    tar_add("boot/vmlinuz-1", '0', "k1");
    tar_add("boot/vmlinux-x", '0', "kx");
    tar_add("boot/initrd.img", '0', "i");
    tar_add("etc/motd", '0', "hello\n");
    tarlen += 1024;
    assert_non_null(pb_hostdisk_add_mem(tarbuf, sizeof tarbuf, "memtar"));
}

static const char *complete(const char *text, char *list, size_t listsize)
{
    static char out[256];
    pb_ui_complete(text, strlen(text), out, sizeof out, list, listsize);
    return out;
}

static void test_completion(void **state)
{
    (void)state;
    setup_disk();
    char list[1024];
    /* commands: unique (with a space), ambiguous (list), after ';' */
    assert_string_equal(complete("ech", list, sizeof list), "o ");
    assert_string_equal(complete("echo x; ech", list, sizeof list), "o ");
    assert_string_equal(complete("passw", list, sizeof list), "ord");
    assert_string_equal(complete("password", list, sizeof list), "");
    assert_string_equal(list, "password password_pbkdf2");
    assert_string_equal(complete("zzz", list, sizeof list), "");
    assert_string_equal(list, "");
    /* devices */
    assert_string_equal(complete("ls (mem", list, sizeof list), "tar)");
    /* paths on a device; directories get '/', files a space */
    assert_string_equal(complete("ls (memtar)/bo", list, sizeof list), "ot/");
    assert_string_equal(complete("ls (memtar)/boot/vml", list, sizeof list), "inu");
    assert_string_equal(complete("ls (memtar)/boot/vmlinu", list, sizeof list), "");
    assert_string_equal(list, "vmlinuz-1 vmlinux-x");
    assert_string_equal(complete("linux (memtar)/boot/vmlinuz", list, sizeof list), "-1 ");
    assert_string_equal(complete("cat (memtar)/", list, sizeof list), "");
    assert_string_equal(list, "boot/ etc/");
    /* paths relative to $root */
    st_run("set root=memtar\n");
    assert_string_equal(complete("cat /etc/m", list, sizeof list), "otd ");
    /* no such directory: nothing, no error left behind */
    assert_string_equal(complete("cat /nodir/x", list, sizeof list), "");
    assert_int_equal(pb_errcode(), 0);
    /* in the line editor: Tab inserts, a second Tab on an ambiguous word lists */
    rl("ech\thi\r", NULL);
    assert_string_equal(line, "echo hi");
    rl("cat /boot/vmlinu\t\r", NULL);
    assert_non_null(strstr(st_out(), "\nvmlinuz-1 vmlinux-x\n"));
    assert_string_equal(line, "cat /boot/vmlinu");
    st_run("unset root\n");
}

static void test_shell(void **state)
{
    (void)state;
    setup_disk();
    st_init();
    pb_ui_eof_ms = 600000;
    static const char keys[] = "cat (memtar)/etc/motd\r" "nosuch\r" "help ec*\r" "echo --help\r"
                               "echo done\r" "exit\r" "echo not-run\r";
    pb_hosted_set_input(keys, sizeof keys - 1);
    pb_ui_shell(false);
    const char *o = st_out();
    if (!strstr(o, "cat (memtar)/etc/motd\nhello\n") ||
        !strstr(o, "error: (command line):1: can't find command `nosuch'\n") ||
        !strstr(o, "Usage: echo [-n] [-e] [STRING]...\n  Print the arguments.\n") ||
        !strstr(o, "echo --help\nUsage: echo [-n] [-e] [STRING]...\nPrint the arguments.\n") ||
        !strstr(o, "\ndone\n") || strstr(o, "not-run")) {
        fputs(o, stderr);
        fail();
    }
    /* with superusers set, the shell outside the menu asks until the
     * password is right */
    st_run("set superusers=root\npassword root pw\n");
    pb_auth_logout();
    static const char keys2[] = "root\rbad\r" "root\rpw\r" "echo in-shell\r";
    pb_hosted_set_input(keys2, sizeof keys2 - 1);
    pb_hosted_output_reset();
    pb_ui_shell(false);
    o = st_out();
    if (!strstr(o, "error: access denied.\n\nEnter username: ") || !strstr(o, "\nin-shell\n")) {
        fputs(o, stderr);
        fail();
    }
    /* from the menu, a refusal returns at once */
    pb_auth_logout();
    static const char keys3[] = "root\rbad\r" "x" "echo not-run\r";
    pb_hosted_set_input(keys3, sizeof keys3 - 1);
    pb_hosted_output_reset();
    pb_ui_shell(true);
    assert_null(strstr(st_out(), "not-run"));
    st_run("unset superusers\n");
    pb_auth_logout();
    /* `help' lists every command with its summary */
    const char *h = st_run("help\n");
    assert_non_null(strstr(h, "password_pbkdf2      Set USER's password from a grub-mkpasswd-pbkdf2 hash.\n"));
    assert_non_null(strstr(h, "help                 List the commands"));
    assert_non_null(strstr(st_run("help nomatch*\necho rc=$?\n"), "help: no command matches `nomatch*'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_editing),
        cmocka_unit_test(test_scrolling),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_completion),
        cmocka_unit_test(test_shell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
