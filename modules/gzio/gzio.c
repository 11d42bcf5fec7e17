/* SPDX-License-Identifier: MIT */
/*
 * gzio: decoders (struct pb_decomp_ops) over zlib's inflate for gzip files
 * (RFC 1952, pb_decomp_gzip) and raw zlib streams (RFC 1950, pb_decomp_zlib:
 * btrfs and SquashFS store their compressed extents and blocks so).  The
 * zlib API itself (inflate*, crc32, adler32) is linked into this module
 * only; other modules reach it through include/pvboot/decompress.h.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "pvboot/decompress.h"
#include "pvboot/err.h"

struct gz_state {
    z_stream zs;
    uint64_t total_in;   /* bytes consumed, for error offsets */
    const char *name;    /* "gzip" or "zlib", for messages */
};

/* @wbits: inflateInit2's windowBits, which selects the wrapper. */
static int gz_open_wrapper(void **st, int wbits, const char *name)
{
    struct gz_state *s = calloc(1, sizeof(*s));
    if (!s)
        return pb_error(PB_ENOMEM, "%s: out of memory", name);
    int rc = inflateInit2(&s->zs, wbits);
    if (rc != Z_OK) {
        free(s);
        return pb_error(rc == Z_MEM_ERROR ? PB_ENOMEM : PB_EINVAL,
                        "%s: inflateInit2 failed (%d)", name, rc);
    }
    s->name = name;
    *st = s;
    return 0;
}

/* 16 + MAX_WBITS: gzip wrapper only (RFC 1952). */
static int gz_open(void **st)
{
    return gz_open_wrapper(st, 16 + MAX_WBITS, "gzip");
}

/* MAX_WBITS: zlib wrapper only (RFC 1950). */
static int zl_open(void **st)
{
    return gz_open_wrapper(st, MAX_WBITS, "zlib");
}

/* zlib counts in uInt (32 bit): feed at most 1 GiB per call. */
#define GZ_CHUNK (1u << 30)

static int gz_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                   size_t *out_left, bool final)
{
    struct gz_state *s = st;
    uInt ia = *in_left > GZ_CHUNK ? GZ_CHUNK : (uInt)*in_left;
    uInt oa = *out_left > GZ_CHUNK ? GZ_CHUNK : (uInt)*out_left;

    (void)final;
    s->zs.next_in = (Bytef *)*in;
    s->zs.avail_in = ia;
    s->zs.next_out = *out;
    s->zs.avail_out = oa;
    int rc = inflate(&s->zs, Z_NO_FLUSH);
    size_t used = ia - s->zs.avail_in, made = oa - s->zs.avail_out;
    *in += used;
    *in_left -= used;
    *out += made;
    *out_left -= made;
    s->total_in += used;
    switch (rc) {
    case Z_STREAM_END:
        return PB_DECOMP_END;
    case Z_OK:
        return PB_DECOMP_MORE;
    case Z_BUF_ERROR:      /* no progress possible: the caller sees that */
        return PB_DECOMP_MORE;
    case Z_MEM_ERROR:
        return pb_error(PB_ENOMEM, "%s: out of memory at input offset %llu", s->name,
                        (unsigned long long)s->total_in);
    default:
        return pb_error(PB_EBADFMT, "%s: corrupt data at input offset %llu: %s", s->name,
                        (unsigned long long)s->total_in, s->zs.msg ? s->zs.msg : "error");
    }
}

static void gz_close(void *st)
{
    struct gz_state *s = st;
    if (!s)
        return;
    inflateEnd(&s->zs);
    free(s);
}

const struct pb_decomp_ops pb_decomp_gzip = {
    .format = PB_COMP_GZIP, .name = "gzip",
    .open = gz_open, .step = gz_step, .close = gz_close,
};

const struct pb_decomp_ops pb_decomp_zlib = {
    .format = PB_COMP_ZLIB, .name = "zlib",
    .open = zl_open, .step = gz_step, .close = gz_close,
};
