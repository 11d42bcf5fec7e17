/* SPDX-License-Identifier: MIT */
/* Unit tests for blscfg: rpm version compare, rhboot's id sort, and the
 * entry -> menuentry conversion (options expanded at blscfg time, initrd
 * at run time, grub_users/grub_arg/grub_class as menu options). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "script_test_util.h"
#include "pvboot/bls.h"

static void test_rpmvercmp(void **state)
{
    (void)state;
    static const struct { const char *a, *b; int r; } t[] = {
        { "1.0", "1.0", 0 }, { "1.0", "2.0", -1 }, { "2.0", "1.0", 1 }, { "5.14.1", "5.6.13", 1 },
        { "1.0a", "1.0", 1 }, { "1.0", "1.0a", -1 }, { "348.2.1.el8_5", "348.el8", 1 },
        { "acme17", "acme9", 1 }, { "1.010", "1.9", 1 }, { "1.05", "1.5", 0 }, { "a", "1", -1 },
        { "1.0~rc1", "1.0", -1 }, { "1.0~rc1", "1.0~rc2", -1 }, { "1.0^git1", "1.0", 1 },
        { "1.0^git1", "1.0.1", -1 }, { "fc40", "fc39", 1 }, { "1_0", "1.0", 0 }, { "", "1", -1 },
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        int r = pb_rpmvercmp(t[i].a, t[i].b);
        if (r != t[i].r)
            fail_msg("rpmvercmp(%s, %s) = %d, expected %d", t[i].a, t[i].b, r, t[i].r);
    }
}

static int cmp(const void *a, const void *b)
{
    return -pb_bls_idcmp(*(char *const *)a, *(char *const *)b);
}

static void test_sort_fc004(void **state)
{
    (void)state;
    const char *ids[] = {
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-4.18.0-338.el8.x86_64",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-0-rescue",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-5.6.13-0_acme9_5009_g4b6d8f0a2c13",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-4.18.0-348.2.1.el8_5.x86_64",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-5.14.1",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-4.18.0-348.el8.x86_64",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-5.6.13-0_acme17_5815_g0c3d8e1f2a45",
    };
    const char *want[] = {
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-5.14.1",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-5.6.13-0_acme17_5815_g0c3d8e1f2a45",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-5.6.13-0_acme9_5009_g4b6d8f0a2c13",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-4.18.0-348.2.1.el8_5.x86_64",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-4.18.0-348.el8.x86_64",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-4.18.0-338.el8.x86_64",
        "e81f4a2c9b7d4e60a1c3b5d7f9e0a2c4-0-rescue",
    };
    qsort(ids, 7, sizeof ids[0], cmp);
    for (int i = 0; i < 7; i++)
        assert_string_equal(ids[i], want[i]);
    assert_true(pb_bls_idcmp("ostree-2-fedora-coreos", "ostree-1-fedora-coreos") > 0);
}

static void test_entry_conversion(void **state)
{
    (void)state;
    st_init();
    pb_menu_push();
    pb_env_set("kernelopts", "root=/dev/vg/root ro console=ttyS0");
    pb_env_unset("tuned_params");
    const char *f =
        "title Red Hat (4.18) 8.8\n"
        "version 4.18.0-477\n"
        "linux /vmlinuz-4.18\n"
        "initrd /initramfs-4.18.img $tuned_initrd\n"
        "options $kernelopts $tuned_params\n"
        "id ignored-id\n"
        "grub_users $grub_users\n"
        "grub_arg --unrestricted\n"
        "grub_class kernel\n"
        "aboot /x\n";
    assert_int_equal(pb_bls_add_entry("mid-4.18.0-477", f, strlen(f), "e.conf"), 0);
    /* options are expanded now: later changes do not matter */
    pb_env_set("kernelopts", "changed");
    struct pb_menu_entry *e = pb_menu_entry_at(pb_menu_current(), 0);
    assert_string_equal(e->title, "Red Hat (4.18) 8.8");
    assert_string_equal(e->id, "mid-4.18.0-477");
    assert_true(e->unrestricted);
    assert_null(e->users);
    assert_int_equal(e->nr_classes, 1);
    assert_string_equal(e->classes[0], "kernel");
    assert_string_equal(e->body, "linux /vmlinuz-4.18 root=/dev/vg/root ro console=ttyS0 \n"
                                 "initrd /initramfs-4.18.img $tuned_initrd\n");
    pb_env_set("tuned_initrd", "/extra.img");
    assert_int_equal(pb_menu_boot(e, NULL), 0);
    assert_string_equal(rec_kernel, "/vmlinuz-4.18");
    assert_string_equal(rec_args, "[root=/dev/vg/root][ro][console=ttyS0]");
    assert_string_equal(rec_initrd, "[/initramfs-4.18.img][/extra.img]");
    pb_env_unset("tuned_initrd");
    /* an entry without `linux' is skipped with a message naming the file */
    assert_int_equal(pb_bls_add_entry("x", "title t\n", 8, "bad.conf"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "bad.conf: no `linux' key; entry skipped");
    pb_error_clear();
    pb_menu_pop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rpmvercmp),
        cmocka_unit_test(test_sort_fc004),
        cmocka_unit_test(test_entry_conversion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
