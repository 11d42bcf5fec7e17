/* SPDX-License-Identifier: MIT */
/*
 * xzio: xz (.xz container, any filter chain liblzma knows, e.g. x86 BCJ +
 * LZMA2 as Linux uses) and legacy .lzma ("alone") decoders over liblzma.
 */
#include <stdlib.h>
#include <string.h>
#include <lzma.h>
#include "pvboot/decompress.h"
#include "pvboot/err.h"

/* Most memory the decoder may use (dictionary and state), bytes; Linux's
 * xz -9 dictionary is 64 MiB, so real kernels stay far below it. */
#define XZ_MEMLIMIT (256ull << 20)

struct xz_state {
    lzma_stream ls;
    const char *name;
    uint64_t total_in;
};

static int xz_open_common(void **st, bool alone)
{
    struct xz_state *s = calloc(1, sizeof(*s));
    if (!s)
        return pb_error(PB_ENOMEM, "xz: out of memory");
    lzma_stream init = LZMA_STREAM_INIT;
    s->ls = init;
    s->name = alone ? "lzma" : "xz";
    /* Decoder memory capped at XZ_MEMLIMIT, as libxenguest's bzImage loader
     * caps it (a header asking for a 2 GiB dictionary is refused, not
     * allocated); no concatenation: the decoder stops at the end of the
     * first stream (Linux appends a size). */
    lzma_ret rc = alone ? lzma_alone_decoder(&s->ls, XZ_MEMLIMIT)
                        : lzma_stream_decoder(&s->ls, XZ_MEMLIMIT, 0);
    if (rc != LZMA_OK) {
        free(s);
        return pb_error(rc == LZMA_MEM_ERROR ? PB_ENOMEM : PB_EINVAL,
                        "%s: decoder initialisation failed (%d)", alone ? "lzma" : "xz", (int)rc);
    }
    *st = s;
    return 0;
}

static int xz_open(void **st) { return xz_open_common(st, false); }
static int lzma_open(void **st) { return xz_open_common(st, true); }

static int xz_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                   size_t *out_left, bool final)
{
    struct xz_state *s = st;
    (void)final;
    s->ls.next_in = *in;
    s->ls.avail_in = *in_left;
    s->ls.next_out = *out;
    s->ls.avail_out = *out_left;
    lzma_ret rc = lzma_code(&s->ls, LZMA_RUN);
    size_t used = *in_left - s->ls.avail_in, made = *out_left - s->ls.avail_out;
    *in += used;
    *in_left -= used;
    *out += made;
    *out_left -= made;
    s->total_in += used;
    switch (rc) {
    case LZMA_STREAM_END:
        return PB_DECOMP_END;
    case LZMA_OK:
    case LZMA_BUF_ERROR:
        return PB_DECOMP_MORE;
    case LZMA_MEM_ERROR:
        return pb_error(PB_ENOMEM, "%s: out of memory at input offset %llu", s->name,
                        (unsigned long long)s->total_in);
    case LZMA_MEMLIMIT_ERROR:
        return pb_error(PB_ENOMEM,
                        "%s: stream needs %llu MiB of decoder memory (limit %llu MiB) at input "
                        "offset %llu",
                        s->name, (unsigned long long)(lzma_memusage(&s->ls) >> 20),
                        (unsigned long long)(XZ_MEMLIMIT >> 20), (unsigned long long)s->total_in);
    case LZMA_FORMAT_ERROR:
        return pb_error(PB_EBADFMT, "%s: not a %s stream (input offset %llu)", s->name,
                        s->name, (unsigned long long)s->total_in);
    case LZMA_OPTIONS_ERROR:
        return pb_error(PB_ENOTSUP, "%s: unsupported options at input offset %llu", s->name,
                        (unsigned long long)s->total_in);
    case LZMA_DATA_ERROR:
        return pb_error(PB_EBADFMT, "%s: corrupt data at input offset %llu", s->name,
                        (unsigned long long)s->total_in);
    default:
        return pb_error(PB_EBADFMT, "%s: decoder error %d at input offset %llu", s->name,
                        (int)rc, (unsigned long long)s->total_in);
    }
}

static void xz_close(void *st)
{
    struct xz_state *s = st;
    if (!s)
        return;
    lzma_end(&s->ls);
    free(s);
}

const struct pb_decomp_ops pb_decomp_xz = {
    .format = PB_COMP_XZ, .name = "xz",
    .open = xz_open, .step = xz_step, .close = xz_close,
};

const struct pb_decomp_ops pb_decomp_lzma = {
    .format = PB_COMP_LZMA, .name = "lzma",
    .open = lzma_open, .step = xz_step, .close = xz_close,
};
