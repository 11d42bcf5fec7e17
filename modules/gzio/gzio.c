/* SPDX-License-Identifier: MIT */
/*
 * gzio: gzip decoder (struct pb_decomp_ops) over zlib's inflate.
 * The zlib API itself (inflate*, crc32, adler32) is linked into this module
 * only; other modules (btrfs) call it directly.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "pvboot/decompress.h"
#include "pvboot/err.h"

struct gz_state {
    z_stream zs;
    uint64_t total_in;   /* bytes consumed, for error offsets */
};

static int gz_open(void **st)
{
    struct gz_state *s = calloc(1, sizeof(*s));
    if (!s)
        return pb_error(PB_ENOMEM, "gzip: out of memory");
    /* 16 + MAX_WBITS: gzip wrapper only (RFC 1952). */
    int rc = inflateInit2(&s->zs, 16 + MAX_WBITS);
    if (rc != Z_OK) {
        free(s);
        return pb_error(rc == Z_MEM_ERROR ? PB_ENOMEM : PB_EINVAL,
                        "gzip: inflateInit2 failed (%d)", rc);
    }
    *st = s;
    return 0;
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
        return pb_error(PB_ENOMEM, "gzip: out of memory at input offset %llu",
                        (unsigned long long)s->total_in);
    default:
        return pb_error(PB_EBADFMT, "gzip: corrupt data at input offset %llu: %s",
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
