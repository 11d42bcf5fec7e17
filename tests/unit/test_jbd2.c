/* SPDX-License-Identifier: MIT */
/*
 * jbd2 replay (modules/ext2/jbd2.c) on journals built here block by block,
 * for what debugfs cannot write (tests/host/fs_ext4_journal.sh covers the
 * journals real tools write): checksum v1 (CRC-32 big-endian over the
 * descriptors and data of a transaction), an escaped block, a revoke across
 * the sequence wrap, a damaged transaction after a good one, a stale
 * commit (older time) ending the log quietly, a log that wraps around its
 * end, a block outside the filesystem, and a bad journal superblock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pvboot/blkoverlay.h"
#include "pvboot/err.h"
#include "../../modules/ext2/jbd2.h"

#define BS 1024
#define NB 32
static uint8_t J[NB][BS];

static int jread(void *ctx, uint32_t b, void *buf)
{
    (void)ctx;
    if (b >= NB)
        return pb_error(PB_ERANGE, "past the journal");
    memcpy(buf, J[b], BS);
    return 0;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* CRC-32, MSB first, polynomial 0x04C11DB7, no inversion (bit by bit) */
static uint32_t crc_be(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n--) {
        crc ^= (uint32_t)*p++ << 24;
        for (int i = 0; i < 8; i++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

static void hdr(uint32_t b, uint32_t type, uint32_t seq)
{
    memset(J[b], 0, BS);
    be32(J[b], 0xc03b3998u);
    be32(J[b] + 4, type);
    be32(J[b] + 8, seq);
}

/* journal superblock v2: log 1..NB-1 from @start, sequence @seq */
static void super(uint32_t seq, uint32_t start, uint32_t compat, uint32_t incompat)
{
    memset(J, 0, sizeof J);
    hdr(0, 4, 0);
    be32(J[0] + 12, BS);
    be32(J[0] + 16, NB);
    be32(J[0] + 20, 1);
    be32(J[0] + 24, seq);
    be32(J[0] + 28, start);
    be32(J[0] + 36, compat);
    be32(J[0] + 40, incompat);
}

/* 8-byte tags (32-bit, no csum): block, flags */
static void tag(uint32_t desc, int i, uint32_t blk, uint16_t flags)
{
    uint8_t *t = J[desc] + 12 + 8 * i;        /* SAME_UUID on every tag */
    be32(t, blk);
    be16(t + 6, flags | 2);
}

static void data(uint32_t b, uint8_t v)
{
    memset(J[b], v, BS);
}

static void commit(uint32_t b, uint32_t seq, uint64_t when)
{
    hdr(b, 2, seq);
    be32(J[b] + 48, (uint32_t)(when >> 32));
    be32(J[b] + 52, (uint32_t)when);
}

static const struct jbd2_log LOG = { .block_size = BS, .fs_blocks = 1000, .nblocks = NB, .read = jread };

static uint8_t at(const struct jbd2_result *r, uint64_t blk, size_t off)
{
    const uint8_t *p = pb_overlay_get(r->ov, blk);
    assert_non_null(p);
    return p[off];
}

static void test_v1_escape_and_damage(void **state)
{
    (void)state;
    super(5, 1, 1, 0);
    /* transaction 5: blocks 100 (escaped) and 200, v1 checksum right */
    hdr(1, 1, 5);
    tag(1, 0, 100, 1);
    tag(1, 1, 200, 8);
    data(2, 0x11);
    memset(J[2], 0, 4);                        /* escaped: magic stored as zeros */
    data(3, 0x22);
    commit(4, 5, 1000);
    uint32_t c = crc_be(~0u, J[1], BS);
    c = crc_be(c, J[2], BS);
    c = crc_be(c, J[3], BS);
    J[4][12] = 1;
    J[4][13] = 4;
    be32(J[4] + 16, c);
    /* transaction 6: block 100 again, v1 checksum wrong */
    hdr(5, 1, 6);
    tag(5, 0, 100, 8);
    data(6, 0x33);
    commit(7, 6, 1001);
    J[7][12] = 1;
    J[7][13] = 4;
    be32(J[7] + 16, 0x12345678);
    struct jbd2_result r;
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), 0);
    assert_int_equal(r.transactions, 1);
    assert_string_equal(r.problem,
                        "journal block 7: transaction 6: commit block: transaction checksum (v1) mismatch");
    assert_int_equal(pb_overlay_count(r.ov), 2);
    assert_int_equal(at(&r, 100, 0), 0xc0);    /* the magic restored */
    assert_int_equal(at(&r, 100, 3), 0x98);
    assert_int_equal(at(&r, 100, 4), 0x11);
    assert_int_equal(at(&r, 200, 1023), 0x22);
    pb_overlay_free(r.ov);

    /* the same commit with an older time: stale blocks, a quiet end */
    commit(7, 6, 999);
    J[7][12] = 1;
    J[7][13] = 4;
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), 0);
    assert_int_equal(r.transactions, 1);
    assert_string_equal(r.problem, "");
    pb_overlay_free(r.ov);
}

/* sequence 0xffffffff then 0: the revoke in 0 cancels the block of
 * 0xffffffff; the log wraps from block NB-1 to block 1 */
static void test_revoke_wrap(void **state)
{
    (void)state;
    super(0xffffffffu, NB - 3, 0, 1);
    hdr(NB - 3, 1, 0xffffffffu);
    tag(NB - 3, 0, 50, 0);
    tag(NB - 3, 1, 60, 8);
    data(NB - 2, 0x50);
    data(NB - 1, 0x60);
    commit(1, 0xffffffffu, 10);
    hdr(2, 5, 0);                              /* revoke 50 */
    be32(J[2] + 12, 16 + 4);
    be32(J[2] + 16, 50);
    hdr(3, 1, 0);
    tag(3, 0, 70, 8);
    data(4, 0x70);
    commit(5, 0, 11);
    hdr(6, 1, 1);                              /* uncommitted: ignored */
    tag(6, 0, 80, 8);
    data(7, 0x80);
    struct jbd2_result r;
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), 0);
    assert_int_equal(r.transactions, 2);
    assert_int_equal(r.revoked, 1);
    assert_string_equal(r.problem, "");
    assert_null(pb_overlay_get(r.ov, 50));
    assert_null(pb_overlay_get(r.ov, 80));
    assert_int_equal(at(&r, 60, 0), 0x60);
    assert_int_equal(at(&r, 70, 0), 0x70);
    pb_overlay_free(r.ov);
}

static void test_bad(void **state)
{
    (void)state;
    struct jbd2_result r;
    /* a tag for a block past the filesystem ends the log there */
    super(1, 1, 0, 0);
    hdr(1, 1, 1);
    tag(1, 0, 5000, 8);
    data(2, 1);
    commit(3, 1, 1);
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), 0);
    assert_int_equal(r.transactions, 0);
    assert_null(r.ov);
    assert_string_equal(r.problem, "journal block 1: transaction 1: tag for block 5000 outside the filesystem");
    /* garbage where the log starts is reported, zeros are not */
    super(1, 1, 0, 0);
    data(1, 0x5a);
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), 0);
    assert_string_equal(r.problem, "journal block 1: transaction 1: bad magic where the log starts; nothing replayed");
    data(1, 0);
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), 0);
    assert_string_equal(r.problem, "");
    /* journal superblock problems */
    super(1, 1, 0, 0x40);
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), PB_ENOTSUP);
    assert_string_equal(pb_errmsg(), "journal block 0: unsupported journal features 0x40");
    super(1, 1, 0, 0);
    be32(J[0] + 12, 4096);
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), PB_EBADFS);
    assert_string_equal(pb_errmsg(), "journal block 0: journal block size 4096 differs from the filesystem's 1024");
    super(1, 40, 0, 0);
    assert_int_equal(jbd2_replay(&LOG, 1 << 20, &r), PB_EBADFS);
    assert_string_equal(pb_errmsg(), "journal block 0: log start 40 outside the log (1..31)");
    /* the overlay limit: the whole journal is refused */
    super(1, 1, 0, 0);
    hdr(1, 1, 1);
    tag(1, 0, 10, 0);
    tag(1, 1, 11, 8);
    data(2, 1);
    data(3, 2);
    commit(4, 1, 1);
    assert_int_equal(jbd2_replay(&LOG, 64 * 16 + BS, &r), PB_ENOMEM);
    assert_null(r.ov);
    assert_string_equal(pb_errmsg(),
                        "journal block 3: transaction 1: overlay limit of 2048 bytes reached (1 blocks of 1024 bytes held)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_escape_and_damage),
        cmocka_unit_test(test_revoke_wrap),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
