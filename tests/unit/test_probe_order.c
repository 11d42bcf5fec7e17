/* SPDX-License-Identifier: MIT */
/*
 * The probe order (include/pvboot/probe_order.h): after the hosted build
 * registers its modules (in its own order: the sorted module list), the
 * filesystem types stand exactly in pb_fs_probe_order's order, every listed
 * type present; a type the table does not list goes after the listed ones,
 * in registration order; registering twice changes nothing; pb_probe_rank()
 * ranks by the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "pvboot/fs.h"
#include "pvboot/hosted.h"
#include "pvboot/probe_order.h"

static void test_rank(void **state)
{
    (void)state;
    assert_int_equal(pb_probe_rank(pb_partmap_probe_order, "gpt"), 0);
    assert_int_equal(pb_probe_rank(pb_partmap_probe_order, "msdos"), 1);
    assert_int_equal(pb_probe_rank(pb_partmap_probe_order, "apple"), 2);
    assert_int_equal(pb_probe_rank(pb_fs_probe_order, "ext2"), 0);
    assert_int_equal(pb_probe_rank(pb_fs_probe_order, "squash4"), 6);
    assert_int_equal(pb_probe_rank(pb_fs_probe_order, "ntfs"), 7);
}

static struct pb_fs_ops zz_b = { .name = "zz_b" }, zz_a = { .name = "zz_a" };

static void test_fs_order(void **state)
{
    (void)state;
    pb_hosted_init();
    /* unlisted types, registered b then a (and b again): after the listed
     * ones, in registration order */
    pb_fs_register(&zz_b);
    pb_fs_register(&zz_a);
    pb_fs_register(&zz_b);
    const char *want[] = { "ext2", "fat", "iso9660", "tarfs", "xfs", "btrfs", "squash4",
                           "zz_b", "zz_a" };
    unsigned n = 0;
    for (struct pb_fs_ops *t = pb_fs_types(); t; t = t->next, n++) {
        assert_true(n < sizeof want / sizeof want[0]);
        assert_string_equal(t->name, want[n]);
    }
    assert_int_equal(n, sizeof want / sizeof want[0]);
    /* the table and this test name the same listed types */
    for (unsigned i = 0; pb_fs_probe_order[i]; i++)
        assert_string_equal(pb_fs_probe_order[i], want[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rank),
        cmocka_unit_test(test_fs_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
