/* SPDX-License-Identifier: MIT */
/*
 * lzopio: decoder for the lzop file format (what `lzop` and Linux's kbuild
 * write for "lzo" kernels) over liblzo2's lzo1x_decompress_safe.
 *
 * Format (big-endian fields; lzop's documentation and source for facts):
 *   magic 89 4c 5a 4f 00 0d 0a 1a 0a; u16 version; u16 lib_version;
 *   [u16 version_needed if version >= 0x0940]; u8 method (1..3 = LZO1X);
 *   [u8 level if version >= 0x0940]; u32 flags; [u32 filter if F_H_FILTER];
 *   u32 mode; u32 mtime_low; [u32 mtime_high if version >= 0x0940];
 *   u8 name_len + name; u32 header checksum (adler32, crc32 if F_H_CRC32);
 *   [u32 extra_len + extra + u32 checksum if F_H_EXTRA_FIELD].
 *   Blocks: u32 dst_len (0 = end); u32 src_len; [u32 dst checksum if
 *   F_ADLER32_D/F_CRC32_D]; [u32 src checksum if F_ADLER32_C/F_CRC32_C and
 *   src_len < dst_len]; src_len bytes (stored raw when src_len == dst_len).
 * Checksums of the decompressed data are verified.
 *
 * Also a raw lzo1x block (pb_decomp_lzo1x: SquashFS's lzo blocks, each
 * segment of a btrfs lzo extent): no header, no length, decoded in one step.
 */
#include <stdlib.h>
#include <string.h>
#include <lzo/lzo1x.h>
#include "pvboot/decompress.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"

#define F_ADLER32_D 0x0001u
#define F_ADLER32_C 0x0002u
#define F_H_EXTRA_FIELD 0x0040u
#define F_CRC32_D 0x0100u
#define F_CRC32_C 0x0200u
#define F_MULTIPART 0x0400u
#define F_H_FILTER 0x0800u
#define F_H_CRC32 0x1000u
#define LZOP_MAX_BLOCK (64u << 20)    /* lzop's own limit */

static const uint8_t lzop_magic[9] = { 0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a };

struct lzop_state {
    uint8_t *buf;          /* gathered bytes of the current unit (header or block) */
    size_t have, cap;
    bool header_done, ended;
    uint32_t flags;
    uint8_t *dbuf;         /* decompressed block */
    size_t dbuf_len, dbuf_pos, dbuf_cap;
    uint64_t total_in;     /* consumed bytes */
    uint64_t unit_start;   /* input offset of the current unit */
};

static int lzop_open(void **st)
{
    struct lzop_state *s = calloc(1, sizeof(*s));
    if (!s)
        return pb_error(PB_ENOMEM, "lzo: out of memory");
    if (lzo_init() != LZO_E_OK) {
        free(s);
        return pb_error(PB_EINVAL, "lzo: library initialisation failed");
    }
    *st = s;
    return 0;
}

/* Make s->buf hold at least @need bytes of the current unit, taking input.
 * Returns 1 when available, 0 when more input is needed. */
static int gather(struct lzop_state *s, size_t need, const uint8_t **in, size_t *in_left)
{
    if (need > s->cap) {
        size_t cap = need < 4096 ? 4096 : need;
        uint8_t *nb = realloc(s->buf, cap);
        if (!nb)
            return pb_error(PB_ENOMEM, "lzo: out of memory");
        s->buf = nb;
        s->cap = cap;
    }
    if (s->have < need) {
        size_t n = need - s->have;
        if (n > *in_left)
            n = *in_left;
        memcpy(s->buf + s->have, *in, n);
        s->have += n;
        *in += n;
        *in_left -= n;
        s->total_in += n;
    }
    return s->have >= need;
}

/* Parse the file header in s->buf. Returns total header length when complete,
 * 0 if more bytes are needed (*need set), or a negative error. */
static long parse_header(struct lzop_state *s, size_t *need)
{
    const uint8_t *b = s->buf;
    size_t n = s->have, p = 9;
#define NEED(k) do { if (n < p + (k)) { *need = p + (k); return 0; } } while (0)
    NEED(0);
    if (memcmp(b, lzop_magic, 9))
        return pb_error(PB_EBADFMT, "lzo: bad lzop magic at input offset 0");
    NEED(4);
    uint16_t version = pb_be16(b + p);
    p += 4;                                   /* version, lib_version */
    if (version < 0x0900)
        return pb_error(PB_ENOTSUP, "lzo: lzop version %#x too old", version);
    if (version >= 0x0940) {
        NEED(2);
        if (pb_be16(b + p) > 0x1040)
            return pb_error(PB_ENOTSUP, "lzo: lzop file needs version %#x", pb_be16(b + p));
        p += 2;
    }
    NEED(1);
    uint8_t method = b[p++];
    if (method < 1 || method > 3)
        return pb_error(PB_ENOTSUP, "lzo: compression method %u is not LZO1X (offset %zu)",
                        method, p - 1);
    if (version >= 0x0940) {
        NEED(1);
        p++;                                  /* level */
    }
    NEED(4);
    s->flags = pb_be32(b + p);
    p += 4;
    if (s->flags & F_MULTIPART)
        return pb_error(PB_ENOTSUP, "lzo: multi-part lzop files are not supported");
    if (s->flags & F_H_FILTER) {
        NEED(4);
        p += 4;
    }
    NEED(8);
    p += 8;                                   /* mode, mtime_low */
    if (version >= 0x0940) {
        NEED(4);
        p += 4;
    }
    NEED(1);
    uint8_t namelen = b[p++];
    NEED((size_t)namelen + 4);
    uint32_t want = pb_be32(b + p + namelen);
    uint32_t got = (s->flags & F_H_CRC32) ? lzo_crc32(0, b + 9, p + namelen - 9)
                                          : lzo_adler32(1, b + 9, p + namelen - 9);
    if (want != got)
        return pb_error(PB_EBADFMT, "lzo: header checksum mismatch (%#x != %#x)", got, want);
    p += namelen + 4;
    if (s->flags & F_H_EXTRA_FIELD) {
        NEED(4);
        uint32_t xl = pb_be32(b + p);
        if (xl > 1u << 20)
            return pb_error(PB_EBADFMT, "lzo: extra field of %u bytes", xl);
        p += 4;
        NEED((size_t)xl + 4);
        p += xl + 4;
    }
#undef NEED
    return (long)p;
}

static int lzop_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                     size_t *out_left, bool final)
{
    struct lzop_state *s = st;

    for (unsigned guard = 0; guard < 1u << 20; guard++) {
        /* drain decoded data first */
        if (s->dbuf_pos < s->dbuf_len) {
            if (pb_decomp_drain(s->dbuf, s->dbuf_len, &s->dbuf_pos, out, out_left) == 0)
                return PB_DECOMP_MORE;           /* output full */
            continue;
        }
        if (s->ended)
            return PB_DECOMP_END;
        if (!s->header_done) {
            size_t need = 9;
            for (unsigned g2 = 0; g2 < 16; g2++) {
                int r = gather(s, need, in, in_left);
                if (r < 0)
                    return r;
                long h = parse_header(s, &need);
                if (h < 0)
                    return (int)h;
                if (h > 0) {
                    /* header complete: keep any extra gathered bytes (none:
                     * gather never takes more than asked) */
                    s->header_done = true;
                    s->have = 0;
                    s->unit_start = s->total_in;
                    break;
                }
                if (s->have < need && *in_left == 0)
                    break;
            }
            if (!s->header_done) {
                if (final && *in_left == 0)
                    return pb_error(PB_EBADFMT, "lzo: truncated lzop header");
                return PB_DECOMP_MORE;
            }
            continue;
        }
        /* block header: dst_len first */
        int r = gather(s, 4, in, in_left);
        if (r <= 0) {
            if (r < 0)
                return r;
            if (final && *in_left == 0)
                return pb_error(PB_EBADFMT, "lzo: truncated stream at input offset %llu",
                                (unsigned long long)s->total_in);
            return PB_DECOMP_MORE;
        }
        uint32_t dst_len = pb_be32(s->buf);
        if (dst_len == 0) {
            s->ended = true;
            continue;
        }
        if (dst_len > LZOP_MAX_BLOCK)
            return pb_error(PB_EBADFMT, "lzo: block of %u bytes at input offset %llu", dst_len,
                            (unsigned long long)s->unit_start);
        /* each of F_ADLER32_D / F_CRC32_D adds one u32 (adler first) */
        size_t nd = !!(s->flags & F_ADLER32_D) + !!(s->flags & F_CRC32_D);
        size_t nc = !!(s->flags & F_ADLER32_C) + !!(s->flags & F_CRC32_C);
        size_t hl = 8 + 4 * nd;
        r = gather(s, hl, in, in_left);
        if (r <= 0)
            goto need_more;
        uint32_t src_len = pb_be32(s->buf + 4);
        if (src_len == 0 || src_len > dst_len)
            return pb_error(PB_EBADFMT, "lzo: bad block lengths %u/%u at input offset %llu",
                            src_len, dst_len, (unsigned long long)s->unit_start);
        size_t total = hl + (src_len < dst_len ? 4 * nc : 0) + src_len;
        r = gather(s, total, in, in_left);
        if (r <= 0)
            goto need_more;
        if (dst_len > s->dbuf_cap) {
            uint8_t *nb = realloc(s->dbuf, dst_len);
            if (!nb)
                return pb_error(PB_ENOMEM, "lzo: out of memory");
            s->dbuf = nb;
            s->dbuf_cap = dst_len;
        }
        const uint8_t *data = s->buf + total - src_len;
        if (src_len == dst_len) {
            memcpy(s->dbuf, data, dst_len);
        } else {
            lzo_uint outl = dst_len;
            int e = lzo1x_decompress_safe(data, src_len, s->dbuf, &outl, NULL);
            if (e != LZO_E_OK || outl != dst_len)
                return pb_error(PB_EBADFMT, "lzo: corrupt block at input offset %llu (error %d)",
                                (unsigned long long)s->unit_start, e);
        }
        size_t ck = 8;
        if (s->flags & F_ADLER32_D) {
            if (pb_be32(s->buf + ck) != lzo_adler32(1, s->dbuf, dst_len))
                return pb_error(PB_EBADFMT, "lzo: checksum mismatch in block at input offset %llu",
                                (unsigned long long)s->unit_start);
            ck += 4;
        }
        if (s->flags & F_CRC32_D) {
            if (pb_be32(s->buf + ck) != lzo_crc32(0, s->dbuf, dst_len))
                return pb_error(PB_EBADFMT, "lzo: checksum mismatch in block at input offset %llu",
                                (unsigned long long)s->unit_start);
        }
        s->dbuf_len = dst_len;
        s->dbuf_pos = 0;
        s->have = 0;
        s->unit_start = s->total_in;
        continue;
need_more:
        if (r < 0)
            return r;
        if (final && *in_left == 0)
            return pb_error(PB_EBADFMT, "lzo: truncated block at input offset %llu",
                            (unsigned long long)s->unit_start);
        return PB_DECOMP_MORE;
    }
    return pb_error(PB_EBADFMT, "lzo: decoder made no progress");
}

static void lzop_close(void *st)
{
    struct lzop_state *s = st;
    if (!s)
        return;
    free(s->buf);
    free(s->dbuf);
    free(s);
}

const struct pb_decomp_ops pb_decomp_lzo = {
    .format = PB_COMP_LZO, .name = "lzo",
    .open = lzop_open, .step = lzop_step, .close = lzop_close,
};

/* ---- raw lzo1x block ---- */

/* The whole block at once: @final with all of it in *@in and the room for
 * all of its output in *@out (liblzo2 cannot resume a block).  A block that
 * fills *@out exactly and has more to give stops there (PB_DECOMP_MORE with
 * the output full, input not consumed): pb_decompress_upto() takes that as
 * done, pb_decompress() reports the output too small. */
static int lzo1x_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                      size_t *out_left, bool final)
{
    (void)st;
    int rc = pb_decomp_block_ready(*out_left, final, "lzo1x");
    if (rc != 1)
        return rc;
    lzo_uint dl = *out_left;
    int e = lzo1x_decompress_safe(*in, *in_left, *out, &dl, NULL);
    if (e == LZO_E_OUTPUT_OVERRUN && dl == *out_left) {
        *out += dl;
        *out_left = 0;
        return PB_DECOMP_MORE;
    }
    if (e == LZO_E_OUTPUT_OVERRUN)
        return pb_error(PB_ERANGE, "lzo1x: block larger than %zu bytes", *out_left);
    if (e != LZO_E_OK)
        return pb_error(PB_EBADFMT, "lzo1x: corrupt block of %zu bytes (liblzo2 error %d)",
                        *in_left, e);
    *in += *in_left;
    *in_left = 0;
    *out += dl;
    *out_left -= dl;
    return PB_DECOMP_END;
}

const struct pb_decomp_ops pb_decomp_lzo1x = {
    .format = PB_COMP_LZO1X, .name = "lzo1x",
    .open = pb_decomp_nostate_open, .step = lzo1x_step,
    .close = pb_decomp_nostate_close,
};
