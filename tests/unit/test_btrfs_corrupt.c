/* SPDX-License-Identifier: MIT */
/* btrfs corruption suite (see test_xfs_btrfs_corrupt.h): an uncompressed
 * mkfs --rootdir image and a kernel-written zstd one with a subvolume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_xfs_btrfs_corrupt.h"

static void test_btrfs_corrupt_plain(void **s) { (void)s; cr_run("btrfs-small-plain", "btrfs"); }
static void test_btrfs_corrupt_zstd(void **s) { (void)s; cr_run("btrfs-small-zstd", "btrfs"); }

int main(void)
{
    pb_hosted_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_btrfs_corrupt_plain),
        cmocka_unit_test(test_btrfs_corrupt_zstd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
