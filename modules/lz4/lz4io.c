/* SPDX-License-Identifier: MIT */
/*
 * lz4: decoders for the lz4 legacy frame (what `lz4 -l` and Linux's kbuild
 * write: LE32 magic 0x184c2102, then blocks of LE32 compressed length +
 * data, each block decompressing to at most 8 MiB) and the lz4 frame format
 * (LZ4F) over liblz4.
 *
 * Legacy streams have no end marker: a stream ends at the end of input, at a
 * block length too large for any 8 MiB block (Linux appends the LE32
 * decompressed size, which then reads as such a length), or with exactly 4
 * bytes left at a block boundary when the caller says the input is final.
 * A repeated magic between blocks (concatenated streams) is skipped.
 *
 * Also a raw lz4 block (pb_decomp_lz4_block: SquashFS's lz4 blocks), which
 * has no header, no length and no end marker: the whole block is decoded in
 * one step.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <lz4.h>
#include <lz4frame.h>
#include "pvboot/decompress.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"

#define LZ4L_MAGIC 0x184c2102u
#define LZ4L_BLOCK (8u << 20)        /* uncompressed block size */

struct lz4l_state {
    uint8_t hdr[4];
    unsigned hdr_have;
    bool magic_seen;
    uint32_t clen;                   /* current block's compressed length */
    uint8_t *cbuf;                   /* compressed block being gathered */
    size_t cbuf_have;
    uint8_t *dbuf;                   /* decompressed block */
    size_t dbuf_len, dbuf_pos;
    bool in_block;
    bool ended;
    uint64_t total_in;
};

static int lz4l_open(void **st)
{
    struct lz4l_state *s = calloc(1, sizeof(*s));
    if (!s)
        return pb_error(PB_ENOMEM, "lz4-legacy: out of memory");
    *st = s;
    return 0;
}

static int lz4l_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                     size_t *out_left, bool final)
{
    struct lz4l_state *s = st;
    const size_t cmax = (size_t)LZ4_compressBound(LZ4L_BLOCK);

    for (unsigned guard = 0; guard < 1u << 20; guard++) {
        /* drain decoded data first */
        if (s->dbuf_pos < s->dbuf_len) {
            if (pb_decomp_drain(s->dbuf, s->dbuf_len, &s->dbuf_pos, out, out_left) == 0)
                return PB_DECOMP_MORE;           /* output full */
            continue;
        }
        if (s->ended)
            return PB_DECOMP_END;
        if (!s->in_block) {
            /* gather a 4-byte word: magic or block length */
            while (s->hdr_have < 4 && *in_left) {
                s->hdr[s->hdr_have++] = **in;
                (*in)++;
                (*in_left)--;
                s->total_in++;
            }
            if (s->hdr_have < 4) {
                if (final && s->magic_seen && (s->hdr_have == 0 || s->hdr_have == 4)) {
                    s->ended = true;
                    continue;
                }
                if (final && s->magic_seen && s->hdr_have) {
                    /* fewer than 4 trailing bytes: tolerated like the
                     * kernel's own decoder, unread bytes are not ours */
                    s->ended = true;
                    continue;
                }
                if (final)
                    return pb_error(PB_EBADFMT, "lz4-legacy: truncated legacy stream at input offset %llu",
                                    (unsigned long long)s->total_in);
                return PB_DECOMP_MORE;
            }
            uint32_t w = pb_le32(s->hdr);
            if (w == LZ4L_MAGIC) {
                s->magic_seen = true;
                s->hdr_have = 0;
                continue;
            }
            if (!s->magic_seen)
                return pb_error(PB_EBADFMT, "lz4-legacy: no legacy-frame magic at input offset 0");
            if (w == 0 || w > cmax || (final && *in_left == 0)) {
                /* trailer (Linux's appended size) or end: the 4 bytes are
                 * given back as unused input when possible */
                s->ended = true;
                continue;
            }
            s->clen = w;
            s->hdr_have = 0;
            s->in_block = true;
            s->cbuf_have = 0;
            if (!s->cbuf) {
                s->cbuf = malloc(cmax);
                s->dbuf = malloc(LZ4L_BLOCK);
                if (!s->cbuf || !s->dbuf)
                    return pb_error(PB_ENOMEM, "lz4-legacy: out of memory");
            }
        }
        /* gather the compressed block (zero-copy when it is all there) */
        const uint8_t *src;
        if (s->cbuf_have == 0 && *in_left >= s->clen) {
            src = *in;
            *in += s->clen;
            *in_left -= s->clen;
            s->total_in += s->clen;
        } else {
            size_t n = s->clen - s->cbuf_have;
            if (n > *in_left)
                n = *in_left;
            memcpy(s->cbuf + s->cbuf_have, *in, n);
            s->cbuf_have += n;
            *in += n;
            *in_left -= n;
            s->total_in += n;
            if (s->cbuf_have < s->clen) {
                if (final)
                    return pb_error(PB_EBADFMT, "lz4-legacy: truncated block at input offset %llu",
                                    (unsigned long long)s->total_in);
                return PB_DECOMP_MORE;
            }
            src = s->cbuf;
        }
        int r = LZ4_decompress_safe((const char *)src, (char *)s->dbuf, (int)s->clen,
                                    (int)LZ4L_BLOCK);
        if (r < 0)
            return pb_error(PB_EBADFMT, "lz4-legacy: corrupt block ending at input offset %llu",
                            (unsigned long long)s->total_in);
        s->dbuf_len = (size_t)r;
        s->dbuf_pos = 0;
        s->in_block = false;
    }
    return pb_error(PB_EBADFMT, "lz4-legacy: decoder made no progress at input offset %llu",
                    (unsigned long long)s->total_in);
}

static void lz4l_close(void *st)
{
    struct lz4l_state *s = st;
    if (!s)
        return;
    free(s->cbuf);
    free(s->dbuf);
    free(s);
}

const struct pb_decomp_ops pb_decomp_lz4_legacy = {
    .format = PB_COMP_LZ4_LEGACY, .name = "lz4-legacy",
    .open = lz4l_open, .step = lz4l_step, .close = lz4l_close,
};

/* ---- lz4 frame format ---- */

struct lz4f_state {
    LZ4F_dctx *dctx;
    uint64_t total_in;
};

static int lz4f_open(void **st)
{
    struct lz4f_state *s = calloc(1, sizeof(*s));
    if (!s)
        return pb_error(PB_ENOMEM, "lz4: out of memory");
    LZ4F_errorCode_t e = LZ4F_createDecompressionContext(&s->dctx, LZ4F_VERSION);
    if (LZ4F_isError(e)) {
        free(s);
        return pb_error(PB_ENOMEM, "lz4: %s", LZ4F_getErrorName(e));
    }
    *st = s;
    return 0;
}

static int lz4f_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                     size_t *out_left, bool final)
{
    struct lz4f_state *s = st;
    size_t isz = *in_left, osz = *out_left;
    (void)final;
    size_t rc = LZ4F_decompress(s->dctx, *out, &osz, *in, &isz, NULL);
    *in += isz;
    *in_left -= isz;
    *out += osz;
    *out_left -= osz;
    s->total_in += isz;
    if (LZ4F_isError(rc))
        return pb_error(PB_EBADFMT, "lz4: %s at input offset %llu", LZ4F_getErrorName(rc),
                        (unsigned long long)s->total_in);
    return rc == 0 ? PB_DECOMP_END : PB_DECOMP_MORE;
}

static void lz4f_close(void *st)
{
    struct lz4f_state *s = st;
    if (!s)
        return;
    LZ4F_freeDecompressionContext(s->dctx);
    free(s);
}

const struct pb_decomp_ops pb_decomp_lz4 = {
    .format = PB_COMP_LZ4, .name = "lz4",
    .open = lz4f_open, .step = lz4f_step, .close = lz4f_close,
};

/* ---- raw lz4 block ---- */

/* The whole block at once: @final with all of it in *@in and the room for
 * all of its output in *@out (liblz4 cannot resume a block). */
static int lz4b_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                     size_t *out_left, bool final)
{
    (void)st;
    int rc = pb_decomp_block_ready(*out_left, final, "lz4-block");
    if (rc != 1)
        return rc;
    if (*in_left > INT_MAX)
        return pb_error(PB_EBADFMT, "lz4-block: %zu bytes is larger than any lz4 block",
                        *in_left);
    int cap = *out_left > INT_MAX ? INT_MAX : (int)*out_left;
    int r = LZ4_decompress_safe((const char *)*in, (char *)*out, (int)*in_left, cap);
    if (r < 0)      /* liblz4: -(input position of the error) - 1 */
        return pb_error(PB_EBADFMT, "lz4-block: corrupt, or larger than %d bytes, at input "
                        "offset %d", cap, -r - 1);
    *in += *in_left;
    *in_left = 0;
    *out += r;
    *out_left -= (size_t)r;
    return PB_DECOMP_END;
}

const struct pb_decomp_ops pb_decomp_lz4_block = {
    .format = PB_COMP_LZ4_BLOCK, .name = "lz4-block",
    .open = pb_decomp_nostate_open, .step = lz4b_step, .close = pb_decomp_nostate_close,
};
