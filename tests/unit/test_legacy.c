/* SPDX-License-Identifier: MIT */
/* Unit tests for GRUB legacy menu.lst -> menu conversion (legacycfg). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "script_test_util.h"
#include "pvboot/cfgconv.h"

static void test_convert(void **state)
{
    (void)state;
    const char *m =
        "# comment\n"
        "        default=1\n"
        "timeout 5\n"
        "hiddenmenu\n"
        "password --md5 $1$x$y\n"
        "splashimage=(hd0,0)/grub/splash.xpm.gz\n"
        "title First one\n"
        "\troot (hd0,0)\n"
        "\tkernel /vmlinuz-1 ro root=/dev/x  KEYTABLE=us\tquiet   \n"
        "\tinitrd /initrd-1\n"
        "title Second 'quoted'\n"
        "  root (hd0)\n"
        "  kernel //kernels/bz init=/nix/init\n"
        "  initrd (hd1,4)/i2\n"
        "  savedefault\n";
    char *s = pb_legacy_to_script(m, strlen(m));
    assert_non_null(s);
    assert_string_equal(s,
        "set default=0\n"
        "set default='1'\n"
        "set timeout='5'\n"
        "menuentry 'First one' {\n"
        "set root='hd0,1'\n"
        "linux '/vmlinuz-1' 'ro' 'root=/dev/x' '' 'KEYTABLE=us' 'quiet'\n"
        "initrd '/initrd-1'\n"
        "}\n"
        "menuentry 'Second '\\''quoted'\\''' {\n"
        "set root='hd0'\n"
        "linux '//kernels/bz' 'init=/nix/init'\n"
        "initrd '(hd1,5)/i2'\n"
        "}\n"
        "set timeout_style=hidden\n");
    assert_int_equal(pb_script_check(s, strlen(s), "conv"), 0);
    /* run it: the verbatim double blank survives as an empty word */
    st_init();
    pb_normal_execute("(t)/menu.lst", s, strlen(s));
    assert_string_equal(pb_hosted_menu_report()->title, "Second 'quoted'");
    assert_int_equal(pb_hosted_menu_report()->timeout, 5);
    assert_string_equal(pb_hosted_menu_report()->timeout_style, "hidden");
    assert_string_equal(rec_kernel, "//kernels/bz");
    assert_string_equal(rec_args, "[init=/nix/init]");
    free(s);
    s = pb_legacy_to_script("default saved\ntitle A\nkernel /a x\n", 34);
    assert_non_null(strstr(s, "set default=0\nset default=0\n"));
    assert_non_null(strstr(s, "set timeout_style=menu\n"));
    free(s);
    /* a title with no command (a fuzzer found it): the entry gets `true`,
     * since an empty body is a syntax error in GRUB 2's script */
    s = pb_legacy_to_script("title A\ntitle B\nvd x\n", 20);
    assert_string_equal(s, "set default=0\nmenuentry 'A' {\ntrue\n}\nmenuentry 'B' {\ntrue\n}\n"
                           "set timeout_style=menu\n");
    assert_int_equal(pb_script_check(s, strlen(s), "legacy"), 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
