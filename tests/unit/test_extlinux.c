/* SPDX-License-Identifier: MIT */
/* Unit tests for syslinux/extlinux -> menu conversion (syslinuxcfg). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "script_test_util.h"
#include "pvboot/cfgconv.h"

static int fake_load(const char *path, char **buf, size_t *len)
{
    if (strcmp(path, "(hd0,1)/syslinux/extra/e.cfg") != 0)
        return pb_error(PB_ENOENT, "no %s", path);
    const char *t = "default arch\nLABEL arch\n menu label Arch\n LINUX ../vmlinuz\n"
                    " APPEND root=X rw\n INITRD ../ucode.img,../initramfs.img\n";
    *buf = strdup(t);
    *len = strlen(t);
    return 0;
}

static void test_include_append_initrd(void **state)
{
    (void)state;
    const char *c =
        "UI menu.c32\nTIMEOUT 50\nAPPEND console=ttyS0\nINCLUDE extra/e.cfg\n"
        "LABEL fb\n  LINUX ../vmlinuz\n  INITRD ../fb.img\n"
        "LABEL hdt\n  COM32 hdt.c32\n"
        "LABEL q\n  KERNEL /abs/k\n  APPEND -\n";
    char *s = pb_syslinux_to_script(c, strlen(c), "(hd0,1)/syslinux", fake_load);
    assert_non_null(s);
    assert_string_equal(s,
        "set default=0\nset timeout=5\nset timeout_style=menu\n"
        "menuentry 'Arch' --id 'arch' {\n"
        "linux '(hd0,1)/syslinux/../vmlinuz' 'root=X' 'rw'\n"
        "initrd '(hd0,1)/syslinux/../ucode.img' '(hd0,1)/syslinux/../initramfs.img'\n}\n"
        "menuentry 'fb' --id 'fb' {\n"
        "linux '(hd0,1)/syslinux/../vmlinuz' 'console=ttyS0'\n"
        "initrd '(hd0,1)/syslinux/../fb.img'\n}\n"
        "menuentry 'hdt' --id 'hdt' {\n"
        "echo 'syslinux: this label runs a COM32 module or has no kernel; not bootable on Xen PV'\n"
        "false\n}\n"
        "menuentry 'q' --id 'q' {\n"
        "linux '/abs/k'\n}\n");
    assert_int_equal(pb_script_check(s, strlen(s), "conv"), 0);
    free(s);
}

static void test_menu_default_hidden_initrd_in_append(void **state)
{
    (void)state;
    const char *c =
        "DEFAULT menu.c32\nMENU HIDDEN\ntimeout 10\n"
        "label lts\n MENU LABEL Linux lts\n LINUX vmlinuz-lts\n"
        "label virt\n MENU DEFAULT\n menu label Linux virt\n linux vmlinuz-virt\n initrd initramfs-virt\n"
        " append root=UUID=x quiet\n"
        "label old\n kernel vmlinuz-old\n append initrd=ini-old root=y\n";
    char *s = pb_syslinux_to_script(c, strlen(c), "(hd0,1)", NULL);
    assert_non_null(s);
    assert_non_null(strstr(s, "set default=1\nset timeout=1\nset timeout_style=hidden\n"));
    assert_non_null(strstr(s, "linux '(hd0,1)/vmlinuz-old' 'root=y'\ninitrd '(hd0,1)/ini-old'\n"));
    st_init();
    pb_normal_execute("(hd0,1)/extlinux.conf", s, strlen(s));
    assert_string_equal(pb_hosted_menu_report()->title, "Linux virt");
    assert_string_equal(pb_hosted_menu_report()->id, "virt");
    assert_string_equal(rec_kernel, "(hd0,1)/vmlinuz-virt");
    assert_string_equal(rec_args, "[root=UUID=x][quiet]");
    assert_string_equal(rec_initrd, "[(hd0,1)/initramfs-virt]");
    free(s);
    /* no TIMEOUT (or 0): wait for a key; unknown DEFAULT: first label */
    s = pb_syslinux_to_script("DEFAULT nope\nLABEL a\nLINUX k\n", 30, "", NULL);
    assert_string_equal(s, "set default=0\nset timeout_style=menu\nmenuentry 'a' --id 'a' {\nlinux '/k'\n}\n");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_include_append_initrd),
        cmocka_unit_test(test_menu_default_hidden_initrd_in_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
