/* SPDX-License-Identifier: MIT */
/* Unit tests for GRUB environment blocks: reading, escapes, in-place
 * rewrite keeping the size, and the load_env command on a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "script_test_util.h"
#include "pvboot/envblk.h"

static void make_block(char *b, size_t len, const char *vars)
{
    memset(b, '#', len);
    memcpy(b, PB_ENVBLK_SIGNATURE, strlen(PB_ENVBLK_SIGNATURE));
    memcpy(b + strlen(PB_ENVBLK_SIGNATURE), vars, strlen(vars));
}

static int collect(const char *n, const char *v, void *ctx)
{
    char *acc = ctx;
    strcat(acc, n);
    strcat(acc, "=<");
    strcat(acc, v);
    strcat(acc, ">;");
    return 0;
}

static void test_iterate(void **state)
{
    (void)state;
    char b[1024], acc[2048] = "";
    make_block(b, sizeof b, "saved_entry=Linux (5)\nkernelopts=root=/x ro \nesc=a\\\\b\\\nc\n#x=comment\n");
    assert_int_equal(pb_envblk_iterate(b, sizeof b, "grubenv", collect, acc), 0);
    assert_string_equal(acc, "saved_entry=<Linux (5)>;kernelopts=<root=/x ro >;esc=<a\\b\nc>;");
    memcpy(b, "# Not GRUB", 10);
    assert_int_equal(pb_envblk_iterate(b, sizeof b, "(hd0)/grubenv", collect, acc), PB_EBADFS);
    assert_string_equal(pb_errmsg(), "(hd0)/grubenv: not a GRUB environment block (bad signature)");
    pb_error_clear();
}

static void test_set_in_place(void **state)
{
    (void)state;
    char b[1024], acc[2048] = "";
    make_block(b, sizeof b, "saved_entry=0\nnext_entry=Debian>Recovery\n");
    assert_int_equal(pb_envblk_set(b, sizeof b, "next_entry", ""), 0);
    assert_int_equal(pb_envblk_set(b, sizeof b, "boot_success", "1"), 0);
    assert_int_equal(pb_envblk_set(b, sizeof b, "multi", "x\\y\nz"), 0);
    assert_int_equal(pb_envblk_set(b, sizeof b, "saved_entry", NULL), 0);
    assert_int_equal(pb_envblk_iterate(b, sizeof b, "g", collect, acc), 0);
    assert_string_equal(acc, "next_entry=<>;boot_success=<1>;multi=<x\\y\nz>;");
    const char *body = PB_ENVBLK_SIGNATURE "next_entry=\nboot_success=1\nmulti=x\\\\y\\\nz\n";
    assert_memory_equal(b, body, strlen(body));
    for (size_t i = strlen(body); i < sizeof b; i++)
        assert_int_equal(b[i], '#');
    /* a value that does not fit leaves the block unchanged */
    char big[1100];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = 0;
    char copy[1024];
    memcpy(copy, b, sizeof b);
    assert_int_equal(pb_envblk_set(b, sizeof b, "big", big), PB_ERANGE);
    assert_memory_equal(b, copy, sizeof b);
    assert_int_equal(pb_envblk_set(b, sizeof b, "a=b", "x"), PB_EINVAL);
    pb_error_clear();
}

static void test_load_env_command(void **state)
{
    (void)state;
    st_init();
    /* load_env of a missing file fails without stopping the script */
    pb_env_set("prefix", "(nodev)/grub");
    const char *o = st_run("load_env\necho st=$?\nif [ -s $prefix/grubenv ]; then echo yes; else echo no; fi\n");
    assert_non_null(strstr(o, "st="));
    assert_null(strstr(o, "st=0"));
    assert_non_null(strstr(o, "no\n"));
    o = st_run("save_env x\necho after\n");
    assert_non_null(strstr(o, "after\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iterate),
        cmocka_unit_test(test_set_in_place),
        cmocka_unit_test(test_load_env_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
