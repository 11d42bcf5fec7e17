/* SPDX-License-Identifier: MIT */
/* Xen command-line validation and parsing (include/pvboot/cmdline.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/cmdline.h"
#include "pvboot/err.h"

static struct pb_cmdline c;

static void test_validate(void **state)
{
    (void)state;
    char buf[PB_CMDLINE_MAX];
    memset(buf, 'a', sizeof buf);
    assert_int_equal(pb_cmdline_validate(buf, sizeof buf), PB_EINVAL);
    assert_non_null(strstr(pb_errmsg(), "no terminating NUL within 1024"));
    buf[1023] = 0;
    assert_int_equal(pb_cmdline_validate(buf, sizeof buf), 1023);
    strcpy(buf, "ok\tline");
    assert_int_equal(pb_cmdline_validate(buf, sizeof buf), 7);
    strcpy(buf, "bad\x01" "byte");
    assert_int_equal(pb_cmdline_validate(buf, sizeof buf), PB_EINVAL);
    assert_non_null(strstr(pb_errmsg(), "0x01 at offset 3"));
    strcpy(buf, "caf\xc3\xa9");
    assert_int_equal(pb_cmdline_validate(buf, sizeof buf), PB_EINVAL);
    assert_non_null(strstr(pb_errmsg(), "0xc3 at offset 3"));
    buf[0] = 0;
    assert_int_equal(pb_cmdline_validate(buf, sizeof buf), 0);
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(pb_cmdline_parse("", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_NONE);
    assert_int_equal(c.nvars, 0);
    assert_int_equal(pb_cmdline_parse("   \t ", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_NONE);
}

static void test_grub_env(void **state)
{
    (void)state;
    assert_int_equal(pb_cmdline_parse("xen_grub_env_root='(xen/xvda,msdos1)' "
                                      "xen_grub_env_msg=\"a \\\"b\\\" c\" xen_grub_env_E", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_NONE);
    assert_int_equal(c.nvars, 3);
    assert_string_equal(c.var_name[0], "root");
    assert_string_equal(c.var_value[0], "(xen/xvda,msdos1)");
    assert_string_equal(c.var_name[1], "msg");
    assert_string_equal(c.var_value[1], "a \"b\" c");
    assert_string_equal(c.var_name[2], "E");
    assert_string_equal(c.var_value[2], "");
    /* value with = and backslash-escaped blank, no $ expansion */
    assert_int_equal(pb_cmdline_parse("xen_grub_env_k=a=b\\ c$HOME", &c), 0);
    assert_int_equal(c.nvars, 1);
    assert_string_equal(c.var_value[0], "a=b c$HOME");
    /* bad names */
    assert_int_equal(pb_cmdline_parse("xen_grub_env_9x=1", &c), PB_EINVAL);
    assert_int_equal(pb_cmdline_parse("xen_grub_env_=1", &c), PB_EINVAL);
    assert_int_equal(pb_cmdline_parse("xen_grub_env_a-b=1", &c), PB_EINVAL);
    assert_non_null(strstr(pb_errmsg(), "xen_grub_env_a-b=1"));
}

static void test_legacy_path(void **state)
{
    (void)state;
    assert_int_equal(pb_cmdline_parse("(hd0,0)/boot/grub/menu.lst", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_CONFIG);
    assert_string_equal(c.config, "(hd0,0)/boot/grub/menu.lst");
    assert_int_equal(pb_cmdline_parse(" /boot/grub/grub.cfg ", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_CONFIG);
    assert_string_equal(c.config, "/boot/grub/grub.cfg");
    /* exports and leftover kernel parameters around a path */
    assert_int_equal(pb_cmdline_parse("console=hvc0 xen_grub_env_x=1 (hd0,1)/grub/menu.lst", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_CONFIG);
    assert_string_equal(c.config, "(hd0,1)/grub/menu.lst");
    assert_int_equal(c.nignored, 1);
    assert_string_equal(c.ignored[0], "console=hvc0");
    assert_int_equal(c.nvars, 1);
}

static void test_command(void **state)
{
    (void)state;
    assert_int_equal(pb_cmdline_parse("normal (xen/xvda,msdos1)/boot/grub2/grub.cfg", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_COMMAND);
    assert_int_equal(c.argc, 2);
    assert_string_equal(c.argv[0], "normal");
    assert_string_equal(c.argv[1], "(xen/xvda,msdos1)/boot/grub2/grub.cfg");
    assert_null(c.argv[2]);
    assert_string_equal(c.command, "normal (xen/xvda,msdos1)/boot/grub2/grub.cfg");
    /* re-quoting of words with blanks, quotes and script metacharacters */
    assert_int_equal(pb_cmdline_parse("echo 'a b' \"it's\" x;y ''", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_COMMAND);
    assert_int_equal(c.argc, 5);
    assert_string_equal(c.argv[1], "a b");
    assert_string_equal(c.argv[2], "it's");
    assert_string_equal(c.argv[3], "x;y");
    assert_string_equal(c.argv[4], "");
    assert_string_equal(c.command, "echo 'a b' 'it'\\''s' 'x;y' ''");
    /* two path words are a command, not a config path */
    assert_int_equal(pb_cmdline_parse("/a /b", &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_COMMAND);
    /* KEY=VALUE after the command word is an argument, not ignored */
    assert_int_equal(pb_cmdline_parse("root=x set a=b", &c), 0);
    assert_int_equal(c.nignored, 1);
    assert_int_equal(c.argc, 2);
    assert_string_equal(c.argv[1], "a=b");
}

static void test_quote_errors(void **state)
{
    (void)state;
    assert_int_equal(pb_cmdline_parse("echo 'abc", &c), PB_EINVAL);
    assert_non_null(strstr(pb_errmsg(), "unterminated ' at offset 5"));
    assert_int_equal(pb_cmdline_parse("echo \"abc", &c), PB_EINVAL);
    assert_non_null(strstr(pb_errmsg(), "unterminated \" at offset 5"));
    /* trailing backslash is literal */
    assert_int_equal(pb_cmdline_parse("echo a\\", &c), 0);
    assert_string_equal(c.argv[1], "a\\");
    /* backslash inside double quotes before an ordinary char stays */
    assert_int_equal(pb_cmdline_parse("echo \"a\\nb\"", &c), 0);
    assert_string_equal(c.argv[1], "a\\nb");
}

static void test_limits(void **state)
{
    (void)state;
    /* 1023 chars: 512 one-letter words, the most a line can hold */
    char line[PB_CMDLINE_MAX];
    for (int i = 0; i < 1023; i++)
        line[i] = (i % 2) ? ' ' : 'w';
    line[1023] = 0;
    assert_int_equal(pb_cmdline_parse(line, &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_COMMAND);
    assert_int_equal(c.argc, 512);
    assert_string_equal(c.argv[511], "w");
    /* worst case for re-quoting: many quote characters inside words */
    memset(line, 0, sizeof line);
    strcpy(line, "echo ");
    for (size_t i = strlen(line); i < 1022; i += 3)
        memcpy(line + i, "\\' ", 3);
    line[1022] = 0;
    assert_int_equal(pb_cmdline_parse(line, &c), 0);
    assert_int_equal(c.kind, PB_CMDLINE_COMMAND);
    assert_int_equal(c.argc, 1 + (1022 - 5 + 2) / 3);
    assert_string_equal(c.argv[1], "'");
    assert_true(strlen(c.command) < sizeof c.command);
    char big[PB_CMDLINE_MAX + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(pb_cmdline_parse(big, &c), PB_EINVAL);
}

/* Module knobs (blkfront.persistent=...): the first word with the key and
 * something after it, split and dequoted as the rest of the line. */
static void test_value(void **state)
{
    (void)state;
    char store[PB_CMDLINE_MAX];
    const char *v = NULL;
    assert_int_equal(pb_cmdline_value("console=hvc0 blkfront.persistent=0", "blkfront.persistent=",
                                      store, &v), 1);
    assert_string_equal(v, "0");
    assert_int_equal(pb_cmdline_value("a\tblkfront.persistent=xvdb\tb", "blkfront.persistent=",
                                      store, &v), 1);
    assert_string_equal(v, "xvdb");
    /* empty values are skipped; the first word with a value wins */
    assert_int_equal(pb_cmdline_value("k= k=1 k=0", "k=", store, &v), 1);
    assert_string_equal(v, "1");
    assert_int_equal(pb_cmdline_value("'k=a b' k=c", "k=", store, &v), 1);
    assert_string_equal(v, "a b");
    /* a key inside a word is not the word's start */
    assert_int_equal(pb_cmdline_value("xk=1 'x k=1'", "k=", store, &v), 0);
    assert_int_equal(pb_cmdline_value("", "k=", store, &v), 0);
    assert_int_equal(pb_cmdline_value("k=1 'open", "k=", store, &v), 1);
    assert_int_equal(pb_cmdline_value("j=1 'open", "k=", store, &v), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "Xen command line: unterminated ' at offset 4");
    pb_error_clear();
    char big[PB_CMDLINE_MAX + 10];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(pb_cmdline_value(big, "k=", store, &v), PB_EINVAL);
    pb_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_grub_env),
        cmocka_unit_test(test_legacy_path),
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_quote_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
