/* SPDX-License-Identifier: MIT */
/*
 * The `linux`/`initrd`/`chainloader` commands in the hosted build, on a real
 * ext4 image made by mke2fs -d at test time holding Debian's bzImage, GRUB's
 * pvgrub2 image and two small initrds:
 *   - dry run: the decision records kernel path, GRUB-quoted command line
 *     and the initrds in order; missing files are errors;
 *   - real load: the kernel is decompressed and checked (progress shown),
 *     several initrds are concatenated, `boot` reports that hand-over needs
 *     Xen; a command line over Xen's 1023 bytes is refused, not cut; a
 *     non-kernel file is refused saying what it is; chainloader accepts a PV
 *     ELF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/loader.h"
#include "test_hostdisk_util.h"

static int setup(void **state)
{
    (void)state;
    return tu_ext4_disk_setup("/tmp/pvboot-linuxcmd-XXXXXX",
                              "cp /boot/vmlinuz-6.1.0-57-amd64 root/boot/vmlinuz;"
                              " cp /usr/lib/grub-xen/grub-x86_64-xen.bin root/boot/grub.elf;"
                              " printf 'first-initrd-01' > root/boot/i1; printf 'second' > root/boot/i2;"
                              " echo 'not a kernel' > root/boot/text");
}

static int run(const char *line)
{
    char buf[2048], *argv[64];
    int argc = 0;
    snprintf(buf, sizeof(buf), "%s", line);
    /* test helper: split on '|' so words may contain spaces */
    for (char *s = buf, *t; (t = strsep(&s, "|")) && argc < 63;)
        argv[argc++] = t;
    argv[argc] = NULL;
    return pb_command_run(argc, argv);
}

static void test_dry_run(void **state)
{
    (void)state;
    pb_loader_dry_run = true;
    assert_int_equal(run("linux|/boot/vmlinuz|root=/dev/xvda1|ro|quiet word|say \"hi\""), 0);
    assert_true(pb_boot_decision.valid);
    assert_string_equal(pb_boot_decision.kernel, "/boot/vmlinuz");
    assert_string_equal(pb_boot_decision.cmdline, "root=/dev/xvda1 ro \"quiet word\" \"say \\\"hi\\\"\"");
    assert_int_equal(run("initrd|/boot/i1|/boot/i2"), 0);
    assert_int_equal(pb_boot_decision.nr_initrds, 2);
    assert_string_equal(pb_boot_decision.initrds[0], "/boot/i1");
    assert_string_equal(pb_boot_decision.initrds[1], "/boot/i2");
    assert_true(pb_loader_pending());
    assert_int_equal(pb_loader_boot(), 0);       /* dry run: nothing booted */
    assert_true(run("initrd|/boot/missing") < 0);
    assert_true(run("linux|/boot/nothere") < 0);
    assert_false(pb_loader_pending());
    assert_true(run("initrd|/boot/i1") < 0);     /* no kernel loaded */
    assert_non_null(strstr(pb_errmsg(), "load the kernel first"));
    pb_loader_dry_run = false;
}

static void test_real_load(void **state)
{
    (void)state;
    pb_hosted_capture_output(true);
    pb_hosted_output_reset();
    assert_int_equal(run("linux|/boot/vmlinuz|console=hvc0"), 0);
    const char *out = pb_hosted_output();
    assert_non_null(strstr(out, "loading /boot/vmlinuz: 7.8 of 7.8 MiB"));
    assert_non_null(strstr(out, "decompressing /boot/vmlinuz: 62.8 MiB"));
    assert_int_equal(run("initrd|/boot/i1|/boot/i2"), 0);
    assert_string_equal(pb_boot_decision.cmdline, "console=hvc0");
    int rc = pb_loader_boot();
    assert_int_equal(rc, PB_ENOTSUP);
    assert_non_null(strstr(pb_errmsg(), "only possible inside a Xen PV guest"));
    pb_hosted_capture_output(false);
}

static void test_cmdline_limit(void **state)
{
    (void)state;
    pb_loader_dry_run = true;
    char line[1200];
    strcpy(line, "linux|/boot/vmlinuz|x=");
    size_t n = strlen(line);
    memset(line + n, 'a', 1021);                 /* "x=" + 1021 = 1023 bytes: fits */
    line[n + 1021] = 0;
    assert_int_equal(run(line), 0);
    assert_int_equal(strlen(pb_boot_decision.cmdline), 1023);
    line[n + 1021] = 'a';
    line[n + 1022] = 0;                          /* 1024: refused */
    assert_int_equal(run(line), PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), "1024 bytes"));
    assert_non_null(strstr(pb_errmsg(), "nothing was cut"));
    pb_loader_dry_run = false;
}

static void test_refuse_and_chain(void **state)
{
    (void)state;
    assert_int_equal(run("linux|/boot/text"), PB_EBADFMT);
    assert_non_null(strstr(pb_errmsg(), "/boot/text: not a PV kernel: it is a text file"));
    assert_int_equal(run("chainloader|/boot/grub.elf"), 0);
    assert_true(pb_loader_pending());
    assert_int_equal(run("chainloader|--force|/boot/grub.elf"), 0);
    assert_string_equal(pb_boot_decision.kernel, "/boot/grub.elf");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dry_run),
        cmocka_unit_test(test_real_load),
        cmocka_unit_test(test_cmdline_limit),
        cmocka_unit_test(test_refuse_and_chain),
    };
    return cmocka_run_group_tests(tests, setup, tu_ext4_disk_teardown);
}
