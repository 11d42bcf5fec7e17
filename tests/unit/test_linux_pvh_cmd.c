/* SPDX-License-Identifier: MIT */
/*
 * The `linux`/`chainloader` commands when pvboot runs as a PVH guest (the
 * hosted platform's boot protocol set to PVH, include/pvboot/platform.h),
 * on an ext4 image made at test time:
 *   - Debian's bzImage (PHYS32_ENTRY) loads; `boot` in the hosted build says
 *     the hand-over needs a Xen PVH guest;
 *   - GRUB's PVH image (an ELF32) chainloads;
 *   - a PV-only image (GRUB's pvgrub2, no PHYS32_ENTRY) makes `linux` and
 *     `chainloader` fail with the reason and the fix, nothing loaded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    /* this test's domain is PVH; the loaders read their files */
    pb_hosted_set_boot_proto(PB_BOOT_PVH);
    pb_hosted_set_decide_only(false);
    return tu_ext4_disk_setup("/tmp/pvboot-pvhcmd-XXXXXX",
                              "cp /boot/vmlinuz-6.1.0-57-amd64 root/boot/vmlinuz;"
                              " cp /usr/lib/grub-xen/grub-x86_64-xen.bin root/boot/pvgrub.elf;"
                              " cp /usr/lib/grub-xen/grub-i386-xen_pvh.bin root/boot/grub-pvh.elf");
}

static int run2(const char *a, const char *b)
{
    char *argv[] = { (char *)a, (char *)b, NULL };
    return pb_command_run(2, argv);
}

static void test_pvh_kernel(void **state)
{
    (void)state;
    pb_hosted_capture_output(true);
    assert_int_equal(run2("linux", "/boot/vmlinuz"), 0);
    assert_true(pb_loader_pending());
    assert_int_equal(pb_loader_boot(), PB_ENOTSUP);
    assert_non_null(strstr(pb_errmsg(), "only possible inside a Xen PVH guest"));
    assert_int_equal(run2("chainloader", "/boot/grub-pvh.elf"), 0);
    assert_true(pb_loader_pending());
    pb_hosted_capture_output(false);
}

static void test_pv_only_refused(void **state)
{
    (void)state;
    assert_int_equal(run2("linux", "/boot/pvgrub.elf"), PB_ENOTSUP);
    assert_string_equal(pb_errmsg(),
                        "/boot/pvgrub.elf: the kernel has no PVH entry point (no XEN_ELFNOTE_PHYS32_ENTRY "
                        "note, e.g. built without CONFIG_PVH), and this domain is PVH: boot it in a PV "
                        "domain (type = \"pv\" in the xl config) or use a PVH-capable kernel");
    assert_false(pb_loader_pending());
    assert_int_equal(run2("chainloader", "/boot/pvgrub.elf"), PB_ENOTSUP);
    assert_false(pb_loader_pending());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pvh_kernel),
        cmocka_unit_test(test_pv_only_refused),
    };
    return cmocka_run_group_tests(tests, setup, tu_ext4_disk_teardown);
}
