/* SPDX-License-Identifier: MIT */
/*
 * zstd: Zstandard decoder (struct pb_decomp_ops) over libzstd.  Only the
 * first frame is decoded (Linux appends a LE32 size after it).
 */
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include "pvboot/decompress.h"
#include "pvboot/err.h"

struct zs_state {
    ZSTD_DCtx *dctx;
    uint64_t total_in;
};

/* One decoding context kept between streams: the filesystems decode one
 * zstd frame per extent or block, and a fresh ZSTD_DCtx each time (its
 * workspace and window buffer) costs more than many small frames do.  The
 * runtime is single-threaded; a second stream open at the same time gets
 * its own context.  A context grown past ZS_SPARE_MAX bytes (a kernel's
 * window) is freed, not kept. */
#define ZS_SPARE_MAX (4u << 20)
static ZSTD_DCtx *zs_spare;

static int zs_open(void **st)
{
    struct zs_state *s = calloc(1, sizeof(*s));
    if (!s)
        return pb_error(PB_ENOMEM, "zstd: out of memory");
    if (zs_spare) {
        s->dctx = zs_spare;
        zs_spare = NULL;
        ZSTD_DCtx_reset(s->dctx, ZSTD_reset_session_only);
    } else {
        s->dctx = ZSTD_createDCtx();
    }
    if (!s->dctx) {
        free(s);
        return pb_error(PB_ENOMEM, "zstd: out of memory");
    }
    /* Kernels are compressed with `zstd -22 --ultra`: windows up to 2^27 and
     * more; allow up to 2^31 (the window buffer is bounded by the frame's
     * content size when it is known). */
    ZSTD_DCtx_setParameter(s->dctx, ZSTD_d_windowLogMax, 31);
    *st = s;
    return 0;
}

static int zs_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                   size_t *out_left, bool final)
{
    struct zs_state *s = st;
    (void)final;
    ZSTD_inBuffer ib = { *in, *in_left, 0 };
    ZSTD_outBuffer ob = { *out, *out_left, 0 };
    size_t rc = ZSTD_decompressStream(s->dctx, &ob, &ib);
    *in += ib.pos;
    *in_left -= ib.pos;
    *out += ob.pos;
    *out_left -= ob.pos;
    s->total_in += ib.pos;
    if (ZSTD_isError(rc))
        return pb_error(PB_EBADFMT, "zstd: %s at input offset %llu", ZSTD_getErrorName(rc),
                        (unsigned long long)s->total_in);
    return rc == 0 ? PB_DECOMP_END : PB_DECOMP_MORE;
}

static void zs_close(void *st)
{
    struct zs_state *s = st;
    if (!s)
        return;
    if (!zs_spare && ZSTD_sizeof_DCtx(s->dctx) <= ZS_SPARE_MAX)
        zs_spare = s->dctx;
    else
        ZSTD_freeDCtx(s->dctx);
    free(s);
}

const struct pb_decomp_ops pb_decomp_zstd = {
    .format = PB_COMP_ZSTD, .name = "zstd",
    .open = zs_open, .step = zs_step, .close = zs_close,
};
