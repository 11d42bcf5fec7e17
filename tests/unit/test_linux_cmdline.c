/* SPDX-License-Identifier: MIT */
/* Kernel command line (modules/linux/cmdline.c): GRUB 2 quoting, no
 * BOOT_IMAGE=, and the length the caller checks against Xen's limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "pvboot/linux.h"

static void check(int argc, char *const argv[], const char *want)
{
    char out[256];
    size_t n = pb_linux_cmdline(argc, argv, out, sizeof(out));
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_quoting(void **state)
{
    (void)state;
    char *a1[] = { "root=/dev/xvda1", "ro", "console=hvc0" };
    check(3, a1, "root=/dev/xvda1 ro console=hvc0");
    char *a2[] = { "a b", "c" };
    check(2, a2, "\"a b\" c");
    char *a3[] = { "x=\"q\"", "it's", "back\\slash" };
    check(3, a3, "x=\\\"q\\\" it\\'s back\\\\slash");
    char *a4[] = { "sep=\\x20", "\\xzz" };
    check(2, a4, "sep=\\x20 \\\\xzz");
    char *a5[] = { "tab\there" };
    check(1, a5, "tab\there");
    check(0, NULL, "");
    char *a6[] = { "", "x" };
    check(2, a6, " x");
}

static void test_limit(void **state)
{
    (void)state;
    static char word[2000];
    memset(word, 'a', sizeof(word) - 1);
    char *argv[] = { word };
    char out[PB_XEN_CMDLINE_MAX + 1];
    word[PB_XEN_CMDLINE_MAX] = 0;                  /* exactly 1023: fits */
    assert_int_equal(pb_linux_cmdline(1, argv, out, sizeof(out)), PB_XEN_CMDLINE_MAX);
    assert_int_equal(strlen(out), PB_XEN_CMDLINE_MAX);
    word[PB_XEN_CMDLINE_MAX] = 'a';
    word[PB_XEN_CMDLINE_MAX + 1] = 0;              /* 1024: reported, buffer stays terminated */
    assert_int_equal(pb_linux_cmdline(1, argv, out, sizeof(out)), PB_XEN_CMDLINE_MAX + 1);
    assert_int_equal(strlen(out), PB_XEN_CMDLINE_MAX);
    word[PB_XEN_CMDLINE_MAX + 1] = 'a';
    word[1500] = 0;
    assert_int_equal(pb_linux_cmdline(1, argv, out, sizeof(out)), 1500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
