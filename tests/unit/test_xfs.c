/* SPDX-License-Identifier: MIT */
/*
 * xfs on real images: mkfs.xfs (protofile) in five feature sets, files
 * written by the kernel's xfs driver in User-Mode Linux (fragmented,
 * sparse, preallocated, reflinked, hard-linked), every file compared byte
 * for byte and every directory listing compared with the source tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "test_xfs_btrfs_common.h"

static void check_variant(const char *v, unsigned min_files)
{
    fsb_require_uml();
    struct fsb_img im = { 0 };
    struct fsb_counts c = { 0 };
    fsb_build_compare(&im, v, "xfs", "5f0c2a1e-8b7d-4c3a-9e21-0123456789ab", "PVB-XFS", &c);
    assert_true(c.files >= min_files);
    assert_int_equal(c.links, 5);
    /* path walking through symlinks and .. */
    fsb_expect_same(&im, "/link_dir/grub/grub.cfg", "boot/grub/grub.cfg");
    fsb_expect_same(&im, "/files/link_rel", "boot/vmlinuz-6.1.0-test");
    fsb_expect_same(&im, "/files/link_abs", "boot/grub/grub.cfg");
    fsb_expect_same(&im, "/dirs/../boot/./grub/grub.cfg", "boot/grub/grub.cfg");
    /* mtime: set when mkfs/UML wrote the file, i.e. during this test */
    struct pb_stat st;
    char p[256];
    snprintf(p, sizeof p, "(%s)/boot/vmlinuz-6.1.0-test", im.disk);
    assert_int_equal(pb_stat_path(p, &st, 0), 0);
    assert_true(st.mtime >= fsb_t_start - 5 && st.mtime <= time(NULL) + 5);
    assert_int_equal(st.size, 2 * 1024 * 1024 + 17);
    assert_int_equal(st.type, PB_FT_REG);
    /* absent names, file used as directory */
    fsb_check_absent(&im, "");
    fsb_cleanup(&im);
}

static void test_xfs_v5(void **s) { (void)s; check_variant("xfs-v5", 5900); }
static void test_xfs_v5_1k(void **s) { (void)s; check_variant("xfs-v5-1k", 5900); }
static void test_xfs_v5_old(void **s) { (void)s; check_variant("xfs-v5-old", 5900); }
static void test_xfs_v4(void **s) { (void)s; check_variant("xfs-v4", 5900); }
static void test_xfs_v4_noftype(void **s) { (void)s; check_variant("xfs-v4-noftype", 5900); }

int main(void)
{
    fsb_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xfs_v5),
        cmocka_unit_test(test_xfs_v5_1k),
        cmocka_unit_test(test_xfs_v5_old),
        cmocka_unit_test(test_xfs_v4),
        cmocka_unit_test(test_xfs_v4_noftype),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
