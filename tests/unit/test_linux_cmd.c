/* SPDX-License-Identifier: MIT */
/*
 * The `linux`/`initrd`/`chainloader` commands in the hosted build, on a real
 * ext4 image made by mke2fs -d at test time holding Debian's bzImage, GRUB's
 * pvgrub2 image and two small initrds:
 *   - decide-only session (pvboot-probe's): `boot` reports the decision to
 *     the hosted platform: kernel path, GRUB-quoted command line, the
 *     initrds in order, $root; missing files are errors;
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
#include "pvboot/platform.h"
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

/* The hosted session: decide only (pvboot-probe's) or load and hand over. */
static void decide_only(bool on)
{
    pb_hosted_set_interactive(!on);
    pb_hosted_set_decide_only(on);
    pb_hosted_reports_reset();
}

static void test_dry_run(void **state)
{
    (void)state;
    decide_only(true);
    assert_int_equal(run("linux|/boot/vmlinuz|root=/dev/xvda1|ro|quiet word|say \"hi\""), 0);
    assert_int_equal(run("initrd|/boot/i1|/boot/i2"), 0);
    assert_true(pb_loader_pending());
    assert_null(pb_hosted_boot_report());        /* nothing reported before `boot` */
    assert_int_equal(pb_loader_boot(), 0);       /* decided: nothing booted */
    const struct pb_boot_decision *d = pb_hosted_boot_report();
    assert_non_null(d);
    assert_string_equal(d->kernel, "/boot/vmlinuz");
    assert_string_equal(d->cmdline, "root=/dev/xvda1 ro \"quiet word\" \"say \\\"hi\\\"\"");
    assert_int_equal(d->nr_initrds, 2);
    assert_string_equal(d->initrds[0], "/boot/i1");
    assert_string_equal(d->initrds[1], "/boot/i2");
    assert_string_equal(d->root, "hd0");         /* the device of paths without "(dev)" */
    assert_true(run("initrd|/boot/missing") < 0);
    assert_true(run("linux|/boot/nothere") < 0);
    assert_false(pb_loader_pending());
    assert_true(run("initrd|/boot/i1") < 0);     /* no kernel loaded */
    assert_non_null(strstr(pb_errmsg(), "load the kernel first"));
    /* chainloader: no command line, --force accepted */
    pb_hosted_reports_reset();
    assert_int_equal(run("chainloader|--force|/boot/grub.elf"), 0);
    assert_int_equal(pb_loader_boot(), 0);
    d = pb_hosted_boot_report();
    assert_non_null(d);
    assert_string_equal(d->kernel, "/boot/grub.elf");
    assert_string_equal(d->cmdline, "");
    assert_int_equal(d->nr_initrds, 0);
    pb_loader_unset();
    decide_only(false);
}

static void test_real_load(void **state)
{
    (void)state;
    decide_only(false);
    pb_hosted_capture_output(true);
    pb_hosted_output_reset();
    assert_int_equal(run("linux|/boot/vmlinuz|console=hvc0"), 0);
    const char *out = pb_hosted_output();
    assert_non_null(strstr(out, "loading /boot/vmlinuz: 7.8 of 7.8 MiB"));
    assert_non_null(strstr(out, "decompressing /boot/vmlinuz: 62.8 MiB"));
    assert_int_equal(run("initrd|/boot/i1|/boot/i2"), 0);
    int rc = pb_loader_boot();
    assert_int_equal(rc, PB_ENOTSUP);
    assert_non_null(strstr(pb_errmsg(), "only possible inside a Xen PV guest"));
    assert_null(pb_hosted_boot_report());        /* a failed hand-over decides nothing */
    pb_hosted_capture_output(false);
}

static void test_cmdline_limit(void **state)
{
    (void)state;
    decide_only(true);
    char line[1200];
    strcpy(line, "linux|/boot/vmlinuz|x=");
    size_t n = strlen(line);
    memset(line + n, 'a', 1021);                 /* "x=" + 1021 = 1023 bytes: fits */
    line[n + 1021] = 0;
    assert_int_equal(run(line), 0);
    assert_int_equal(pb_loader_boot(), 0);
    assert_non_null(pb_hosted_boot_report());
    assert_int_equal(strlen(pb_hosted_boot_report()->cmdline), 1023);
    line[n + 1021] = 'a';
    line[n + 1022] = 0;                          /* 1024: refused */
    assert_int_equal(run(line), PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), "1024 bytes"));
    assert_non_null(strstr(pb_errmsg(), "nothing was cut"));
    assert_false(pb_loader_pending());
    decide_only(false);
}

static void test_refuse_and_chain(void **state)
{
    (void)state;
    decide_only(false);
    assert_int_equal(run("linux|/boot/text"), PB_EBADFMT);
    assert_non_null(strstr(pb_errmsg(), "/boot/text: not a PV kernel: it is a text file"));
    assert_int_equal(run("chainloader|/boot/grub.elf"), 0);
    assert_true(pb_loader_pending());
    assert_int_equal(run("chainloader|--force|/boot/grub.elf"), 0);
    assert_true(pb_loader_pending());
    assert_int_equal(pb_loader_boot(), PB_ENOTSUP);
    assert_non_null(strstr(pb_errmsg(), "only possible inside a Xen PV guest"));
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
