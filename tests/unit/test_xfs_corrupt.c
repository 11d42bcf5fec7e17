/* SPDX-License-Identifier: MIT */
/* xfs corruption suite (see test_xfs_btrfs_corrupt.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_xfs_btrfs_corrupt.h"

static void test_xfs_corrupt(void **s) { (void)s; cr_run("xfs-small", "xfs"); }

int main(void)
{
    pb_hosted_init();
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_xfs_corrupt) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
