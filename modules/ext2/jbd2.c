/* SPDX-License-Identifier: MIT */
/*
 * jbd2 (ext3/ext4 journal) replay into a block overlay, read-only.
 *
 * On-disk facts (docs/journal.md; Linux include/linux/jbd2.h and the
 * kernel.org ext4 "Journal (jbd2)" documentation).  Every field is
 * big-endian.  Each journal block that is not data starts with a 12-byte
 * header: magic 0xC03B3998, block type, transaction sequence.
 *  - block 0: the journal superblock (type 3 = v1, 4 = v2): s_blocksize at
 *    0x0C, s_maxlen 0x10, s_first 0x14, s_sequence 0x18, s_start 0x1C (0 =
 *    nothing to recover), v2 features compat 0x24 / incompat 0x28 /
 *    ro_compat 0x2C, s_uuid 0x30, s_checksum_type 0x50, s_num_fc_blks
 *    0x54, s_checksum 0xFC (CRC-32C of the first 1024 bytes with it as
 *    zeros, seed ~0).
 *  - the log: blocks s_first .. s_maxlen-1 (less the fast-commit area),
 *    circular, starting at s_start with transaction s_sequence.  A
 *    transaction is descriptor blocks (type 1), each followed by the data
 *    blocks its tags describe, revoke blocks (type 5), and a commit block
 *    (type 2).  The log ends at the first block whose magic or sequence is
 *    not the expected one, or whose type is unknown.
 *  - tags, after the descriptor header: csum v3: blocknr, flags, blocknr_high,
 *    checksum (be32 each, 16 bytes); otherwise blocknr (be32), checksum
 *    (be16), flags (be16), blocknr_high (be32, only with 64bit), plus 2
 *    bytes with csum v2 (8, 10, 12 or 14 bytes).  A 16-byte UUID follows a
 *    tag unless flag SAME_UUID (2); LAST_TAG (8) ends the list; ESCAPE (1):
 *    the block's first 4 bytes were the magic and are stored as zeros.
 *  - revoke block: r_count (be32 at 12: bytes used, header included), then
 *    block numbers of 4 bytes, 8 with 64bit.  A block revoked in
 *    transaction R is not replayed from any transaction T <= R.
 *  - checksums: v1 (compat 0x1): CRC-32 (big-endian, poly 0x04C11DB7,
 *    seed ~0, no inversion) over each descriptor and its data blocks, in
 *    the commit's h_chksum[0] (type 1, size 4).  v2 (incompat 0x8) / v3
 *    (0x10): CRC-32C seeded with crc32c(~0, s_uuid): descriptor and revoke
 *    blocks end in a 4-byte tail over the whole block (tail as zeros); the
 *    commit block's h_chksum[0] (offset 16) over the whole block with it as
 *    zeros; each data block: seed, be32 sequence, the block as logged
 *    (32 bits in a v3 tag, the low 16 in a v2 tag).
 *  - a damaged transaction (bad commit, descriptor, revoke or data
 *    checksum) ends the log there: earlier transactions are replayed, as
 *    e2fsck's recovery does (the kernel refuses to mount); a commit older
 *    than the previous one (h_commit_sec at offset 48) marks stale blocks,
 *    a quiet end.
 * Sequence numbers wrap: they are compared by signed 32-bit difference.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/crc32c.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "jbd2.h"

#define JBD2_MAGIC 0xc03b3998u
#define JT_DESCRIPTOR 1
#define JT_COMMIT 2
#define JT_SB_V1 3
#define JT_SB_V2 4
#define JT_REVOKE 5

#define JC_CHECKSUM 0x1               /* compat: v1 transaction checksums */
#define JI_REVOKE 0x1
#define JI_64BIT 0x2
#define JI_ASYNC_COMMIT 0x4
#define JI_CSUM_V2 0x8
#define JI_CSUM_V3 0x10
#define JI_FAST_COMMIT 0x20
#define JI_KNOWN (JI_REVOKE | JI_64BIT | JI_ASYNC_COMMIT | JI_CSUM_V2 | JI_CSUM_V3 | JI_FAST_COMMIT)
#define JCSUM_CRC32C 4                /* s_checksum_type */
#define FC_DEFAULT_BLOCKS 256         /* fast-commit area when s_num_fc_blks is 0 */

#define TAG_ESCAPE 1
#define TAG_SAME_UUID 2
#define TAG_LAST 8

enum pass { PASS_SCAN, PASS_REVOKE, PASS_REPLAY };

/* Revoke records: block -> newest revoking transaction (open addressing). */
struct revokes {
    uint64_t *blk;            /* block + 1; 0 = empty */
    uint32_t *tid;
    size_t cap, count, max;
};

struct jrn {
    const struct jbd2_log *log;
    uint32_t bs;
    uint32_t first, last;     /* log area: [first, last) */
    uint32_t start, seq;      /* s_start, s_sequence */
    uint32_t incompat, compat;
    bool csum23, v3, v1;
    uint32_t seed;            /* CRC-32C seed (v2/v3) */
    size_t tag_bytes;
    size_t tail;              /* 4 with v2/v3: descriptor/revoke tail */
    uint32_t end;             /* first transaction not replayed (after scan) */
    uint8_t *blk, *data;      /* block buffers */
    struct revokes rv;
    struct pb_overlay *ov;
    struct jbd2_result *res;
};

static bool tid_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

static uint32_t crc32_be(uint32_t crc, const uint8_t *p, size_t len)
{
    static uint32_t table[256];
    if (!table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i << 24;
            for (int j = 0; j < 8; j++)
                c = (c << 1) ^ ((c & 0x80000000u) ? 0x04c11db7u : 0);
            table[i] = c;
        }
    }
    for (size_t i = 0; i < len; i++)
        crc = (crc << 8) ^ table[((crc >> 24) ^ p[i]) & 0xff];
    return crc;
}

static const uint8_t zero4[4];

/* CRC-32C of block @b with the 4 bytes at @at taken as zeros. */
static uint32_t csum_skip(const struct jrn *j, const uint8_t *b, size_t at)
{
    uint32_t c = pb_crc32c(j->seed, b, at);
    c = pb_crc32c(c, zero4, 4);
    return pb_crc32c(c, b + at + 4, j->bs - at - 4);
}

/* Error @r again, its recorded message prefixed with "journal block
 * @jblk: " (and "transaction @tid: " unless @tid is NULL). */
static int where(int r, uint32_t jblk, const uint32_t *tid)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s", pb_errmsg());
    if (tid)
        return pb_error(r, "journal block %u: transaction %u: %s", jblk, *tid, msg);
    return pb_error(r, "journal block %u: %s", jblk, msg);
}

static int rd(struct jrn *j, uint32_t jblk, uint8_t *buf)
{
    int r = j->log->read(j->log->ctx, jblk, buf);
    if (r < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", pb_errmsg());
        return pb_error(r, "journal block %u: read error (%s)", jblk, msg);
    }
    return 0;
}

static uint32_t wrap(const struct jrn *j, uint64_t b)
{
    uint32_t len = j->last - j->first;
    if (b >= j->last)
        b = j->first + (b - j->first) % len;
    return (uint32_t)b;
}

/* ---- revoke table ---- */

static size_t rv_slot(const struct revokes *rv, uint64_t blk)
{
    uint64_t h = blk * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 20) & (rv->cap - 1);
    while (rv->blk[i] && rv->blk[i] != blk + 1)
        i = (i + 1) & (rv->cap - 1);
    return i;
}

static int rv_add(struct jrn *j, uint64_t blk, uint32_t tid)
{
    struct revokes *rv = &j->rv;
    if (2 * (rv->count + 1) > rv->cap) {
        size_t ncap = rv->cap ? rv->cap * 2 : 256;
        if (ncap > rv->max)
            return pb_error(PB_ENOMEM, "too many revoke records (limit %zu)", rv->max / 2);
        uint64_t *ob = rv->blk;
        uint32_t *ot = rv->tid;
        size_t ocap = rv->cap;
        rv->blk = calloc(ncap, sizeof *rv->blk);
        rv->tid = calloc(ncap, sizeof *rv->tid);
        if (!rv->blk || !rv->tid) {
            free(rv->blk);
            free(rv->tid);
            rv->blk = ob;
            rv->tid = ot;
            return pb_error(PB_ENOMEM, "out of memory");
        }
        rv->cap = ncap;
        for (size_t i = 0; i < ocap; i++) {
            if (ob[i]) {
                size_t s = rv_slot(rv, ob[i] - 1);
                rv->blk[s] = ob[i];
                rv->tid[s] = ot[i];
            }
        }
        free(ob);
        free(ot);
    }
    size_t s = rv_slot(rv, blk);
    if (!rv->blk[s]) {
        rv->blk[s] = blk + 1;
        rv->tid[s] = tid;
        rv->count++;
    } else if (tid_gt(tid, rv->tid[s])) {
        rv->tid[s] = tid;
    }
    return 0;
}

/* Is @blk revoked for transaction @tid (revoked in a transaction >= @tid)? */
static bool rv_test(const struct revokes *rv, uint64_t blk, uint32_t tid)
{
    if (!rv->cap)
        return false;
    size_t s = rv_slot(rv, blk);
    return rv->blk[s] && !tid_gt(tid, rv->tid[s]);
}

/* ---- the log walk ---- */

/* Record why the log ends early at transaction @tid. */
static void damaged(struct jrn *j, uint32_t jblk, uint32_t tid, const char *why)
{
    snprintf(j->res->problem, sizeof j->res->problem, "journal block %u: transaction %u: %s",
             jblk, tid, why);
}

/* The target block (*@blk) and flags of the descriptor tag at @t. */
static uint32_t tag_at(const struct jrn *j, const uint8_t *t, uint64_t *blk)
{
    uint32_t flags;
    if (j->v3) {
        flags = pb_be32(t + 4);
        *blk = pb_be32(t);
        if (j->incompat & JI_64BIT)
            *blk |= (uint64_t)pb_be32(t + 8) << 32;
    } else {
        flags = pb_be16(t + 6);
        *blk = pb_be32(t);
        if (j->incompat & JI_64BIT)
            *blk |= (uint64_t)pb_be32(t + 8) << 32;
    }
    return flags;
}

/* Data block checksum of tag @t (v2/v3) for block @d logged in @tid. */
static bool tag_csum_ok(const struct jrn *j, const uint8_t *t, const uint8_t *d, uint32_t tid)
{
    uint8_t s[4] = { (uint8_t)(tid >> 24), (uint8_t)(tid >> 16), (uint8_t)(tid >> 8), (uint8_t)tid };
    uint32_t c = pb_crc32c(pb_crc32c(j->seed, s, 4), d, j->bs);
    if (j->v3)
        return pb_be32(t + 12) == c;
    return pb_be16(t + 4) == (c & 0xffff);
}

/*
 * One pass over the log from s_start.  PASS_SCAN finds j->end (the first
 * transaction not to replay) and checks every checksum; PASS_REVOKE
 * collects revoke records of transactions before j->end; PASS_REPLAY puts
 * the tagged blocks of those transactions into the overlay.
 */
static int walk(struct jrn *j, enum pass pass)
{
    uint32_t tid = j->seq, pos = j->start;
    uint32_t loglen = j->last - j->first;
    uint64_t used = 0;                       /* log blocks consumed */
    uint32_t crc1 = ~0u;                     /* v1 running checksum */
    uint64_t last_commit_time = 0;
    bool first = true;
    for (;;) {
        if (pass != PASS_SCAN && !tid_gt(j->end, tid))
            return 0;
        if (used >= loglen) {
            if (pass == PASS_SCAN) {
                damaged(j, pos, tid, "the log runs past its own start");
                j->end = tid;
            }
            return 0;
        }
        uint32_t here = pos;
        int r = rd(j, here, j->blk);
        if (r < 0)
            return r;
        pos = wrap(j, (uint64_t)pos + 1);
        used++;
        const uint8_t *b = j->blk;
        uint32_t type = pb_be32(b + 4);
        if (pb_be32(b) != JBD2_MAGIC || pb_be32(b + 8) != tid ||
            (type != JT_DESCRIPTOR && type != JT_COMMIT && type != JT_REVOKE)) {
            if (pass == PASS_SCAN) {
                j->end = tid;
                if (first && pb_be32(b) != JBD2_MAGIC) {
                    /* s_start promises a transaction: zeros are an empty
                     * log (a crash before the first commit), other bytes a
                     * damaged one */
                    bool zero = true;
                    for (uint32_t i = 0; i < j->bs && zero; i++)
                        zero = !b[i];
                    if (!zero)
                        damaged(j, here, tid, "bad magic where the log starts; nothing replayed");
                }
            }
            return 0;
        }
        first = false;
        if (type == JT_DESCRIPTOR) {
            if (pass == PASS_SCAN && j->csum23 &&
                csum_skip(j, b, j->bs - 4) != pb_be32(b + j->bs - 4)) {
                damaged(j, here, tid, "descriptor block checksum mismatch");
                j->end = tid;
                return 0;
            }
            if (pass == PASS_SCAN && j->v1)
                crc1 = crc32_be(crc1, b, j->bs);
            /* keep the descriptor: j->blk is reused for data blocks */
            uint8_t *desc = malloc(j->bs);
            if (!desc)
                return pb_error(PB_ENOMEM, "out of memory");
            memcpy(desc, b, j->bs);
            size_t off = 12;
            int err = 0;
            bool bad = false;
            while (off + j->tag_bytes <= j->bs - j->tail) {
                const uint8_t *t = desc + off;
                uint64_t blk;
                uint32_t flags = tag_at(j, t, &blk);
                uint32_t dpos = pos;
                if (used >= loglen) {
                    if (pass == PASS_SCAN) {
                        damaged(j, here, tid, "descriptor tags run past the log's start");
                        bad = true;
                    }
                    break;
                }
                pos = wrap(j, (uint64_t)pos + 1);
                used++;
                if (pass == PASS_SCAN) {
                    if (blk >= j->log->fs_blocks) {
                        char why[96];
                        snprintf(why, sizeof why, "tag for block %llu outside the filesystem",
                                 (unsigned long long)blk);
                        damaged(j, here, tid, why);
                        bad = true;
                        break;
                    }
                    if (j->csum23 || j->v1) {
                        err = rd(j, dpos, j->data);
                        if (err < 0)
                            break;
                        if (j->v1)
                            crc1 = crc32_be(crc1, j->data, j->bs);
                        if (j->csum23 && !tag_csum_ok(j, t, j->data, tid)) {
                            char why[96];
                            snprintf(why, sizeof why, "checksum mismatch of logged block %u (for block %llu)",
                                     dpos, (unsigned long long)blk);
                            damaged(j, here, tid, why);
                            bad = true;
                            break;
                        }
                    }
                } else if (pass == PASS_REPLAY) {
                    if (rv_test(&j->rv, blk, tid)) {
                        j->res->revoked++;
                    } else {
                        err = rd(j, dpos, j->data);
                        if (err < 0)
                            break;
                        if (flags & TAG_ESCAPE) {
                            j->data[0] = 0xc0;
                            j->data[1] = 0x3b;
                            j->data[2] = 0x39;
                            j->data[3] = 0x98;
                        }
                        err = pb_overlay_put(j->ov, blk, j->data);
                        if (err < 0) {
                            err = where(err, dpos, &tid);
                            break;
                        }
                    }
                }
                off += j->tag_bytes;
                if (!(flags & TAG_SAME_UUID))
                    off += 16;
                if (flags & TAG_LAST)
                    break;
            }
            free(desc);
            if (err < 0)
                return err;
            if (bad) {
                j->end = tid;
                return 0;
            }
            continue;
        }
        if (type == JT_REVOKE) {
            uint32_t count = pb_be32(b + 12);
            if (pass == PASS_SCAN) {
                const char *why = NULL;
                if (j->csum23 && csum_skip(j, b, j->bs - 4) != pb_be32(b + j->bs - 4))
                    why = "revoke block checksum mismatch";
                else if (count < 16 || count > j->bs - j->tail)
                    why = "bad revoke record count";
                if (why) {
                    damaged(j, here, tid, why);
                    j->end = tid;
                    return 0;
                }
            } else if (pass == PASS_REVOKE) {
                size_t rec = (j->incompat & JI_64BIT) ? 8 : 4;
                for (size_t o = 16; o + rec <= count; o += rec) {
                    uint64_t blk = rec == 8 ? pb_be64(b + o) : pb_be32(b + o);
                    r = rv_add(j, blk, tid);
                    if (r < 0)
                        return where(r, here, NULL);
                }
            }
            continue;
        }
        /* commit block */
        if (pass == PASS_SCAN) {
            uint64_t when = pb_be64(b + 48);
            const char *why = NULL;
            if (j->v1) {
                uint32_t found = pb_be32(b + 16);
                bool match = crc1 == found && b[12] == 1 && b[13] == 4;
                bool unused = b[12] == 0 && b[13] == 0 && found == 0;
                if (!match && !unused)
                    why = "commit block: transaction checksum (v1) mismatch";
                crc1 = ~0u;
            }
            if (!why && j->csum23 && csum_skip(j, b, 16) != pb_be32(b + 16))
                why = "commit block checksum mismatch";
            if (why) {
                j->end = tid;
                if (when >= last_commit_time)
                    damaged(j, here, tid, why);
                return 0;                    /* else: stale blocks, a quiet end */
            }
            last_commit_time = when;
        } else if (pass == PASS_REPLAY) {
            j->res->transactions++;
        }
        tid++;
    }
}

/* Check the journal superblock in j->blk and fill @j; a negative PB_E* with
 * the message when the journal cannot be used. */
static int load_super(struct jrn *j, bool *clean)
{
    const uint8_t *s = j->blk;
    uint32_t type = pb_be32(s + 4);
    if (pb_be32(s) != JBD2_MAGIC || (type != JT_SB_V1 && type != JT_SB_V2))
        return pb_error(PB_EBADFS, "journal block 0: not a journal superblock (magic 0x%08x, type %u)",
                        pb_be32(s), type);
    uint32_t bs = pb_be32(s + 12), maxlen = pb_be32(s + 16), first = pb_be32(s + 20);
    if (bs != j->bs)
        return pb_error(PB_EBADFS, "journal block 0: journal block size %u differs from the filesystem's %u",
                        bs, j->bs);
    if (maxlen > j->log->nblocks || first < 1 || first >= maxlen)
        return pb_error(PB_EBADFS, "journal block 0: bad log bounds (first %u, length %u, journal %u blocks)",
                        first, maxlen, j->log->nblocks);
    j->first = first;
    j->last = maxlen;
    j->seq = pb_be32(s + 24);
    j->start = pb_be32(s + 28);
    if (type == JT_SB_V2) {
        j->compat = pb_be32(s + 36);
        j->incompat = pb_be32(s + 40);
    }
    if (j->incompat & ~JI_KNOWN)
        return pb_error(PB_ENOTSUP, "journal block 0: unsupported journal features 0x%x",
                        j->incompat & ~JI_KNOWN);
    if ((j->incompat & JI_CSUM_V2) && (j->incompat & JI_CSUM_V3))
        return pb_error(PB_EBADFS, "journal block 0: both checksum v2 and v3 are set");
    j->csum23 = j->incompat & (JI_CSUM_V2 | JI_CSUM_V3);
    j->v3 = j->incompat & JI_CSUM_V3;
    j->v1 = (j->compat & JC_CHECKSUM) != 0;
    if (j->v1 && j->csum23)
        return pb_error(PB_EBADFS, "journal block 0: both checksum v1 and v2/v3 are set");
    if (j->csum23) {
        if (s[0x50] != JCSUM_CRC32C)
            return pb_error(PB_ENOTSUP, "journal block 0: unknown checksum type %u", s[0x50]);
        uint32_t c = pb_crc32c(~0u, s, 0xfc);
        c = pb_crc32c(c, zero4, 4);
        c = pb_crc32c(c, s + 0x100, 1024 - 0x100);
        if (c != pb_be32(s + 0xfc))
            return pb_error(PB_EBADFS, "journal block 0: journal superblock checksum mismatch");
        j->seed = pb_crc32c(~0u, s + 0x30, 16);
        j->tail = 4;
    }
    if (j->incompat & JI_FAST_COMMIT) {
        uint32_t fc = pb_be32(s + 0x54);
        if (!fc)
            fc = FC_DEFAULT_BLOCKS;
        if (fc >= maxlen - first)
            return pb_error(PB_EBADFS, "journal block 0: fast-commit area (%u blocks) fills the log", fc);
        j->last = maxlen - fc;
    }
    if (j->v3) {
        j->tag_bytes = 16;
    } else {
        j->tag_bytes = 12;
        if (j->incompat & JI_CSUM_V2)
            j->tag_bytes += 2;
        if (!(j->incompat & JI_64BIT))
            j->tag_bytes -= 4;
    }
    *clean = j->start == 0;
    if (!*clean && (j->start < j->first || j->start >= j->last))
        return pb_error(PB_EBADFS, "journal block 0: log start %u outside the log (%u..%u)",
                        j->start, j->first, j->last - 1);
    return 0;
}

int jbd2_replay(const struct jbd2_log *log, size_t limit, struct jbd2_result *res)
{
    memset(res, 0, sizeof *res);
    struct jrn j = { .log = log, .bs = log->block_size, .res = res };
    j.rv.max = limit / (sizeof(uint64_t) + sizeof(uint32_t));
    if (j.bs < 1024 || log->nblocks < 2)
        return pb_error(PB_EBADFS, "journal block 0: journal too small (%u blocks)", log->nblocks);
    j.blk = malloc(j.bs);
    j.data = malloc(j.bs);
    int r = 0;
    if (!j.blk || !j.data) {
        r = pb_error(PB_ENOMEM, "out of memory");
        goto out;
    }
    bool clean = true;
    r = rd(&j, 0, j.blk);
    if (r == 0)
        r = load_super(&j, &clean);
    if (r < 0 || clean)
        goto out;
    r = walk(&j, PASS_SCAN);
    if (r < 0 || j.end == j.seq)
        goto out;                            /* nothing committed */
    if (j.incompat & JI_REVOKE) {
        r = walk(&j, PASS_REVOKE);
        if (r < 0)
            goto out;
    }
    r = pb_overlay_new(j.bs, limit, &j.ov);
    if (r < 0)
        goto out;
    r = walk(&j, PASS_REPLAY);
    if (r == 0 && j.incompat & JI_FAST_COMMIT) {
        /* a fast-commit area whose first block opens with a head tag
         * (EXT4_FC_TAG_HEAD, 9) for the next transaction holds ext4
         * fast commits, which are not replayed here */
        r = rd(&j, j.last, j.blk);
        if (r == 0 && pb_le16(j.blk) == 9 && pb_le16(j.blk + 2) >= 8 && pb_le32(j.blk + 8) == j.end &&
            !res->problem[0])
            snprintf(res->problem, sizeof res->problem,
                     "journal block %u: ext4 fast-commit records are not replayed", j.last);
    }
out:
    if (r < 0) {
        pb_overlay_free(j.ov);
        j.ov = NULL;
        res->transactions = 0;
    }
    res->ov = j.ov;
    free(j.blk);
    free(j.data);
    free(j.rv.blk);
    free(j.rv.tid);
    return r;
}
