/* SPDX-License-Identifier: MIT */
/*
 * btrfs on real images: mkfs.btrfs --rootdir (DUP metadata default, and
 * 4 KiB nodes with single profiles), and images written by the kernel's
 * btrfs driver in User-Mode Linux with compress-force=zlib/lzo/zstd,
 * subvolumes (@, @home, @/.snapshots), a snapshot moved to
 * @/.snapshots/1/snapshot and made the default subvolume, fragmented,
 * sparse, preallocated and reflinked files.  Every file is compared byte for
 * byte and every listing with the source tree.  With btrfs_relative_path=y
 * (SUSE/Fedora GRUB) the same comparison runs from the default subvolume.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "pvboot/btrfs.h"
#include "pvboot/env.h"
#include "test_xfs_btrfs_common.h"

/* grub.cfg of test_xfs_btrfs_mktree.py: 121 bytes */
#define GRUB_CFG_LEN 121

/* The default subvolume @/.snapshots/1/snapshot holds boot/ (vmlinuz,
 * initrd, grub/grub.cfg) and grub.cfg.abs -> /boot/grub/grub.cfg.  While
 * btrfs_relative_path starts with 'y' or '1' every path starts there. */
static void check_relative(struct fsb_img *im)
{
    char p[256], h[512];
    struct pb_stat st;
    static const char *const on[] = { "y", "yes", "1" };
    static const char *const off[] = { "n", "0", "", "Y" };
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        assert_int_equal(pb_env_set("btrfs_relative_path", on[i]), 0);
        snprintf(p, sizeof p, "(%s)/topfile", im->disk);
        assert_int_equal(pb_stat_path(p, &st, 0), PB_ENOENT);
        snprintf(p, sizeof p, "(%s)/boot/vmlinuz-6.1.0-test", im->disk);
        assert_int_equal(pb_stat_path(p, &st, 0), 0);
        assert_int_equal(st.size, 2 * 1024 * 1024 + 17);
    }
    /* whole default subvolume against the host copy: names, types, bytes */
    struct fsb_counts c = { 0 };
    snprintf(h, sizeof h, "%s/tree/@/.snapshots/1/snapshot", im->dir);
    fsb_compare_tree(im, "/", h, &c);
    assert_int_equal(c.dirs, 3);      /* /, boot, boot/grub */
    assert_int_equal(c.files, 3);
    assert_int_equal(c.links, 1);
    assert_int_equal(c.bytes, 2 * 1024 * 1024 + 17 + 1024 * 1024 + 123 + GRUB_CFG_LEN);
    /* `ls (disk)` lists the default subvolume's root */
    struct fsb_names names = { 0 };
    snprintf(p, sizeof p, "(%s)", im->disk);
    assert_int_equal(pb_dir_iterate(p, fsb_names_cb, &names), 0);
    assert_int_equal(names.n, 2);
    qsort(names.names, names.n, sizeof *names.names, fsb_cmp_str);
    assert_string_equal(names.names[0], "boot");
    assert_string_equal(names.names[1], "grub.cfg.abs");
    fsb_names_free(&names);
    /* the absolute symlink restarts at the default subvolume; `..` stays there */
    fsb_expect_same(im, "/grub.cfg.abs", "@/boot/grub/grub.cfg");
    fsb_expect_same(im, "/../../../boot/grub/grub.cfg", "@/boot/grub/grub.cfg");
    snprintf(p, sizeof p, "(%s)/grub.cfg.abs", im->disk);
    assert_int_equal(pb_stat_path(p, &st, 0), 0);
    assert_int_equal(st.size, GRUB_CFG_LEN);
    snprintf(p, sizeof p, "(%s)/@/boot/grub/grub.cfg", im->disk);
    assert_int_equal(pb_stat_path(p, &st, 0), PB_ENOENT);
    /* not 'y'/'1': the top level again (there /boot does not exist, so the
     * same absolute link dangles) */
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) {
        assert_int_equal(pb_env_set("btrfs_relative_path", off[i]), 0);
        snprintf(p, sizeof p, "(%s)/topfile", im->disk);
        assert_int_equal(pb_stat_path(p, &st, 0), 0);
        assert_int_equal(st.size, 4);
        snprintf(p, sizeof p, "(%s)/@/.snapshots/1/snapshot/grub.cfg.abs", im->disk);
        assert_int_equal(pb_stat_path(p, &st, 0), PB_ENOENT);
        assert_int_equal(pb_stat_path(p, &st, 1), 0);
        assert_int_equal(st.type, PB_FT_LNK);
    }
    pb_env_unset("btrfs_relative_path");
    snprintf(p, sizeof p, "(%s)/boot/vmlinuz-6.1.0-test", im->disk);
    assert_int_equal(pb_stat_path(p, &st, 0), PB_ENOENT);
}

static void check_variant(const char *v, bool subvols)
{
    if (subvols)
        fsb_require_uml();
    struct fsb_img im = { 0 };
    struct fsb_counts c = { 0 };
    fsb_build_compare(&im, v, "btrfs", "1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0", "PVB-BTRFS", &c);
    const char *pre = subvols ? "/@" : "";
    const char *hpre = subvols ? "@/" : "";
    char p[256], h[512];
    snprintf(p, sizeof p, "%s/link_dir/grub/grub.cfg", pre);
    snprintf(h, sizeof h, "%sboot/grub/grub.cfg", hpre);
    fsb_expect_same(&im, p, h);
    snprintf(p, sizeof p, "%s/files/link_rel", pre);
    snprintf(h, sizeof h, "%sboot/vmlinuz-6.1.0-test", hpre);
    fsb_expect_same(&im, p, h);
    struct pb_stat st;
    snprintf(p, sizeof p, "(%s)%s/boot/vmlinuz-6.1.0-test", im.disk, pre);
    assert_int_equal(pb_stat_path(p, &st, 0), 0);
    assert_int_equal(st.size, 2 * 1024 * 1024 + 17);
    assert_int_equal(st.type, PB_FT_REG);
    char info[64];
    if (subvols) {
        assert_true(c.files >= 5900);
        assert_int_equal(c.links, 6);
        /* the default subvolume, and a path through two subvolume hops */
        assert_non_null(pb_btrfs_default_subvol(im.fs));
        assert_string_equal(pb_btrfs_default_subvol(im.fs), "@/.snapshots/1/snapshot");
        fsb_expect_same(&im, "/@/.snapshots/1/snapshot/boot/grub/grub.cfg", "@/boot/grub/grub.cfg");
        fsb_expect_same(&im, "/@/.snapshots/1/snapshot/../../../boot/grub/grub.cfg",
                        "@/boot/grub/grub.cfg");
        fsb_info(&im, "compressed", info, sizeof info);
        printf("%s: %s compressed extents in the image\n", v, info);
        assert_true(atoi(info) > 1000);
        /* the kernel's mtime of a file it wrote during this test */
        assert_true(st.mtime >= fsb_t_start - 5 && st.mtime <= time(NULL) + 5);
        check_relative(&im);
    } else {
        assert_true(c.files >= 5900);
        assert_int_equal(c.links, 4);
        assert_null(pb_btrfs_default_subvol(im.fs));
        /* no default subvolume: btrfs_relative_path=y changes nothing */
        assert_int_equal(pb_env_set("btrfs_relative_path", "y"), 0);
        snprintf(p, sizeof p, "(%s)/boot/vmlinuz-6.1.0-test", im.disk);
        assert_int_equal(pb_stat_path(p, &st, 0), 0);
        assert_int_equal(st.size, 2 * 1024 * 1024 + 17);
        fsb_expect_same(&im, "/link_dir/grub/grub.cfg", "boot/grub/grub.cfg");
        pb_env_unset("btrfs_relative_path");
        /* mkfs --rootdir copies the source mtime */
        struct stat hs;
        snprintf(h, sizeof h, "%s/tree/boot/vmlinuz-6.1.0-test", im.dir);
        assert_int_equal(stat(h, &hs), 0);
        assert_int_equal(st.mtime, hs.st_mtime);
    }
    fsb_check_absent(&im, pre);
    fsb_cleanup(&im);
}

static void test_btrfs_plain(void **s) { (void)s; check_variant("btrfs-plain", false); }
static void test_btrfs_small(void **s) { (void)s; check_variant("btrfs-small", false); }
static void test_btrfs_zlib(void **s) { (void)s; check_variant("btrfs-zlib", true); }
static void test_btrfs_lzo(void **s) { (void)s; check_variant("btrfs-lzo", true); }
static void test_btrfs_zstd(void **s) { (void)s; check_variant("btrfs-zstd", true); }

int main(void)
{
    fsb_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_btrfs_plain),
        cmocka_unit_test(test_btrfs_small),
        cmocka_unit_test(test_btrfs_zlib),
        cmocka_unit_test(test_btrfs_lzo),
        cmocka_unit_test(test_btrfs_zstd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
