/* SPDX-License-Identifier: MIT */
/*
 * Corruption suite shared by test_xfs_corrupt.c and test_btrfs_corrupt.c.
 * A small image is built by test_xfs_btrfs_mkimg.sh and held in memory as a
 * disk whose driver records which sectors the filesystem reads.  A clean
 * walk (../fuzz/fuzz_xfs_btrfs_walk.h) marks the sectors the code parses;
 * then every round flips 1-4 random bytes inside those sectors, mounts and
 * walks again under a 10 s alarm (every other round with
 * fs_ignore_checksums=1, so the damage reaches past the checksums), and
 * restores the bytes.  Run it in an
 * ASan/UBSan build (-DPVBOOT_SANITIZE=ON) to catch reads outside buffers;
 * any crash, sanitizer report or hang fails the test.  FSB_FLIPS overrides
 * the number of rounds (default 1000 per image).
 */
#ifndef TEST_XFS_BTRFS_CORRUPT_H
#define TEST_XFS_BTRFS_CORRUPT_H

#include <signal.h>
#include "pvboot/env.h"
#include "../fuzz/fuzz_xfs_btrfs_walk.h"
#include "test_xfs_btrfs_common.h"

static uint8_t *cr_img;
static size_t cr_len;
static uint8_t *cr_touched;   /* one byte per 512-byte sector */
static bool cr_record;

static int cr_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    (void)d;
    if (sector > cr_len / 512 || count > cr_len / 512 - sector)
        return pb_error(PB_EIO, "corrupt-test disk: read past end");
    memcpy(buf, cr_img + sector * 512, count * 512);
    if (cr_record)
        memset(cr_touched + sector, 1, count);
    return 0;
}

static const struct pb_disk_ops cr_ops = { .read = cr_read };

static int cr_round(const char *type)
{
    struct pb_disk d = { .nr_sectors = cr_len / 512, .sector_size = 512, .ops = &cr_ops };
    snprintf(d.name, sizeof d.name, "corrupt");
    assert_int_equal(pb_disk_register(&d), 0);
    struct pb_device *dev;
    assert_int_equal(pb_device_open("corrupt", &dev), 0);
    int r = fsw_mount_walk(dev, type, 400);
    pb_device_close(dev);
    pb_disk_unregister(&d);
    pb_error_clear();
    return r;
}

static void cr_alarm(int sig)
{
    (void)sig;
    static const char m[] = "corruption round took more than 10 s: hang\n";
    if (write(2, m, sizeof m - 1) < 0) {
    }
    abort();
}

static void cr_run(const char *variant, const char *type)
{
    if (strstr(variant, "zstd") && !fsb_have_uml())
        fail_msg("/usr/bin/linux.uml missing: install user-mode-linux");
    struct fsb_img im = { 0 };
    fsb_build(&im, variant);
    char path[512];
    snprintf(path, sizeof path, "%s/img", im.dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    cr_len = (size_t)ftell(f) & ~(size_t)511;
    fseek(f, 0, SEEK_SET);
    cr_img = malloc(cr_len);
    cr_touched = calloc(cr_len / 512, 1);
    assert_non_null(cr_img);
    assert_int_equal(fread(cr_img, 1, cr_len, f), cr_len);
    fclose(f);
    fsb_cleanup(&im);

    cr_record = true;
    assert_int_equal(cr_round(type), 0);
    cr_record = false;
    size_t nsec = 0;
    size_t *secs = malloc(cr_len / 512 * sizeof *secs);
    for (size_t s = 0; s < cr_len / 512; s++)
        if (cr_touched[s])
            secs[nsec++] = s;
    assert_true(nsec > 10);

    unsigned rounds = getenv("FSB_FLIPS") ? (unsigned)atoi(getenv("FSB_FLIPS")) : 1000;
    unsigned seed = getenv("FSB_SEED") ? (unsigned)atoi(getenv("FSB_SEED")) : 12345;
    srand(seed);
    signal(SIGALRM, cr_alarm);
    unsigned mounted = 0, flips = 0;
    for (unsigned i = 0; i < rounds; i++) {
        size_t off[4];
        uint8_t old[4];
        int k = 1 + rand() % 4;
        for (int j = 0; j < k; j++) {
            off[j] = secs[(size_t)rand() % nsec] * 512 + (size_t)(rand() % 512);
            old[j] = cr_img[off[j]];
            cr_img[off[j]] ^= (uint8_t)(1 + rand() % 255);
        }
        flips += (unsigned)k;
        /* every other round past the checksums, so the parsers behind them
         * see the damage too */
        pb_env_set("fs_ignore_checksums", (i & 1) ? "1" : "0");
        alarm(10);
        if (cr_round(type) == 0)
            mounted++;
        alarm(0);
        for (int j = k - 1; j >= 0; j--)
            cr_img[off[j]] = old[j];
    }
    printf("%s: %u rounds, %u byte flips in %zu parsed sectors (seed %u); %u rounds still "
           "mounted; no crash, no hang\n", variant, rounds, flips, nsec, seed, mounted);
    /* the image is intact again: a clean round still mounts */
    pb_env_set("fs_ignore_checksums", "0");
    assert_int_equal(cr_round(type), 0);
    free(secs);
    free(cr_img);
    free(cr_touched);
}

#endif
