/* SPDX-License-Identifier: MIT */
/*
 * Decompression dispatcher (include/pvboot/decompress.h): format detection
 * by magic, the format -> decoder table and the one-shot bounded driver over
 * the per-format modules.  Shared by the kernel loader, the filesystems and
 * the host tools; see modules/decompress/README.md.
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/decompress.h"
#include "pvboot/err.h"

enum pb_comp pb_decomp_detect(const void *buf, size_t len)
{
    const uint8_t *b = buf;
    static const uint8_t xz[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
    static const uint8_t lzo[9] = { 0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a };

    if (len >= 2 && b[0] == 0x1f && (b[1] == 0x8b || b[1] == 0x9e))
        return PB_COMP_GZIP;
    if (len >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9')
        return PB_COMP_BZIP2;
    if (len >= 6 && !memcmp(b, xz, 6))
        return PB_COMP_XZ;
    if (len >= 9 && !memcmp(b, lzo, 9))
        return PB_COMP_LZO;
    if (len >= 4 && b[0] == 0x02 && b[1] == 0x21 && b[2] == 0x4c && b[3] == 0x18)
        return PB_COMP_LZ4_LEGACY;
    if (len >= 4 && b[0] == 0x04 && b[1] == 0x22 && b[2] == 0x4d && b[3] == 0x18)
        return PB_COMP_LZ4;
    if (len >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return PB_COMP_ZSTD;
    if (len >= 13 && b[0] == 0x5d) {
        /* .lzma: props 0x5d (lc=3 lp=0 pb=2), LE32 dictionary size that is
         * 2^n or 2^n + 2^(n-1), then LE64 size (-1 = unknown, or plausible) */
        uint32_t d = (uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 |
                     (uint32_t)b[4] << 24;
        uint32_t top = d & -d;  /* lowest set bit */
        bool ok = d >= 4096 && (d == top || d == top * 3);
        uint64_t sz = 0;
        for (int i = 0; i < 8; i++)
            sz |= (uint64_t)b[5 + i] << (8 * i);
        if (ok && (sz == UINT64_MAX || sz < (1ull << 40)))
            return PB_COMP_LZMA;
    }
    return PB_COMP_NONE;
}

const char *pb_decomp_name(enum pb_comp fmt)
{
    const struct pb_decomp_ops *o = pb_decomp_ops_for(fmt);
    return o ? o->name : "uncompressed";
}

const struct pb_decomp_ops *pb_decomp_ops_for(enum pb_comp fmt)
{
    switch (fmt) {
    case PB_COMP_GZIP: return &pb_decomp_gzip;
    case PB_COMP_BZIP2: return &pb_decomp_bzip2;
    case PB_COMP_LZMA: return &pb_decomp_lzma;
    case PB_COMP_XZ: return &pb_decomp_xz;
    case PB_COMP_LZO: return &pb_decomp_lzo;
    case PB_COMP_LZ4_LEGACY: return &pb_decomp_lz4_legacy;
    case PB_COMP_LZ4: return &pb_decomp_lz4;
    case PB_COMP_ZSTD: return &pb_decomp_zstd;
    case PB_COMP_ZLIB: return &pb_decomp_zlib;
    case PB_COMP_LZO1X: return &pb_decomp_lzo1x;
    case PB_COMP_LZ4_BLOCK: return &pb_decomp_lz4_block;
    default: return NULL;
    }
}

#define PROGRESS_STEP (4u << 20)   /* report every 4 MiB of output */
#define STEP_OUT (1u << 20)        /* hand the decoder 1 MiB of space at a time */

/* The output side of one run: a fixed buffer, or (@grow) a malloc'd one
 * that doubles in place (realloc) up to @max bytes; @what names the data in
 * the growing buffer's messages.  @upto: a full fixed buffer ends the run
 * successfully (pb_decompress_upto). */
struct decomp_out {
    uint8_t *buf;
    size_t cap, max;
    bool grow, upto;
    const char *what;
};

/* Drive decoder @o over @in into @d until the stream ends.  Each step gets
 * at most STEP_OUT bytes of space when the buffer grows or @progress is set
 * (so progress is reported), else all the room left.  Every productive step
 * consumes or produces; a run of 4 no-progress steps ends the run with an
 * error (buffer full: PB_ERANGE; else a truncated stream).  *@out_len /
 * *@in_used (may be NULL): bytes produced / consumed. */
static int decomp_run(const struct pb_decomp_ops *o, const uint8_t *in, size_t in_len,
                      struct decomp_out *d, size_t *out_len, size_t *in_used,
                      pb_decomp_progress_fn progress, void *ctx)
{
    void *st = NULL;
    int rc = o->open(&st);
    if (rc < 0)
        return rc;
    const uint8_t *ip = in;
    size_t il = in_len, produced = 0, next_report = PROGRESS_STEP;
    unsigned stalls = 0;
    for (;;) {
        if (d->grow && produced == d->cap) {
            if (d->cap >= d->max) {
                rc = pb_error(PB_ERANGE, "%s: decompressed %s larger than %zu MiB", o->name,
                              d->what, d->max >> 20);
                break;
            }
            size_t ncap = d->cap > d->max / 2 ? d->max : d->cap * 2;
            uint8_t *nb = realloc(d->buf, ncap);
            if (!nb) {
                rc = pb_error(PB_ENOMEM, "%s: cannot grow the %s buffer to %zu MiB", o->name,
                              d->what, ncap >> 20);
                break;
            }
            d->buf = nb;
            d->cap = ncap;
        }
        size_t room = d->cap - produced;
        size_t give = room > STEP_OUT && (progress || d->grow) ? STEP_OUT : room;
        size_t ol = give;
        const uint8_t *ip0 = ip;
        uint8_t *op = d->buf + produced, *op0 = op;
        rc = o->step(st, &ip, &il, &op, &ol, true);
        produced += give - ol;
        if (rc < 0)
            break;
        if (rc == PB_DECOMP_END || (d->upto && produced == d->cap)) {
            rc = 0;
            break;
        }
        if (progress && produced >= next_report) {
            progress(ctx, in_len - il, produced);
            next_report = produced + PROGRESS_STEP;
        }
        /* a full growing buffer grows on the next round instead */
        if (ip == ip0 && op == op0 && !(d->grow && produced == d->cap)) {
            if (++stalls < 4)
                continue;
            if (produced == d->cap)
                rc = pb_error(PB_ERANGE, "%s: decompressed data exceeds %zu bytes (input offset %zu)",
                              o->name, d->cap, in_len - il);
            else
                rc = pb_error(PB_EBADFMT, "%s: truncated stream: input ends at offset %zu", o->name,
                              in_len);
            break;
        }
        stalls = 0;
    }
    o->close(st);
    if (rc == 0) {
        if (progress)
            progress(ctx, in_len - il, produced);
        *out_len = produced;
        if (in_used)
            *in_used = in_len - il;
    }
    return rc;
}

int pb_decompress(enum pb_comp fmt, const void *in, size_t in_len, void *out, size_t out_cap,
                  size_t *out_len, size_t *in_used, pb_decomp_progress_fn progress, void *ctx)
{
    const struct pb_decomp_ops *o = pb_decomp_ops_for(fmt);
    if (!o)
        return pb_error(PB_EINVAL, "decompress: no decoder for format %d", (int)fmt);
    struct decomp_out d = { .buf = out, .cap = out_cap };
    return decomp_run(o, in, in_len, &d, out_len, in_used, progress, ctx);
}

int pb_decompress_upto(enum pb_comp fmt, const void *in, size_t in_len, void *out, size_t out_cap,
                       size_t *out_len)
{
    const struct pb_decomp_ops *o = pb_decomp_ops_for(fmt);
    if (!o)
        return pb_error(PB_EINVAL, "decompress: no decoder for format %d", (int)fmt);
    struct decomp_out d = { .buf = out, .cap = out_cap, .upto = true };
    if (out_cap == 0) {
        *out_len = 0;
        return 0;
    }
    return decomp_run(o, in, in_len, &d, out_len, NULL, NULL, NULL);
}

int pb_decompress_alloc(enum pb_comp fmt, const void *in, size_t in_len, size_t cap, size_t max,
                        const char *what, uint8_t **out, size_t *out_len,
                        pb_decomp_progress_fn progress, void *ctx)
{
    const struct pb_decomp_ops *o = pb_decomp_ops_for(fmt);
    if (!o)
        return pb_error(PB_EINVAL, "decompress: no decoder for format %d", (int)fmt);
    if (cap > max)
        cap = max;
    struct decomp_out d = { .buf = malloc(cap), .cap = cap, .max = max, .grow = true, .what = what };
    if (!d.buf)
        return pb_error(PB_ENOMEM, "%s: cannot allocate %zu MiB for the decompressed %s",
                        o->name, cap >> 20, what);
    int rc = decomp_run(o, in, in_len, &d, out_len, NULL, progress, ctx);
    if (rc < 0) {
        free(d.buf);
        return rc;
    }
    *out = d.buf;
    return 0;
}
