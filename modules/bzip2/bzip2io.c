/* SPDX-License-Identifier: MIT */
/* bzip2: bzip2 decoder (struct pb_decomp_ops) over libbz2's buffer API. */
#include <stdlib.h>
#include <string.h>
#include <bzlib.h>
#include "pvboot/decompress.h"
#include "pvboot/err.h"

struct bz_state {
    bz_stream bs;
    uint64_t total_in;
};

static int bz_open(void **st)
{
    struct bz_state *s = calloc(1, sizeof(*s));
    if (!s)
        return pb_error(PB_ENOMEM, "bzip2: out of memory");
    int rc = BZ2_bzDecompressInit(&s->bs, 0, 0);
    if (rc != BZ_OK) {
        free(s);
        return pb_error(rc == BZ_MEM_ERROR ? PB_ENOMEM : PB_EINVAL,
                        "bzip2: decoder initialisation failed (%d)", rc);
    }
    *st = s;
    return 0;
}

#define BZ_CHUNK (1u << 30)   /* avail_* are unsigned int */

static int bz_step(void *st, const uint8_t **in, size_t *in_left, uint8_t **out,
                   size_t *out_left, bool final)
{
    struct bz_state *s = st;
    unsigned ia = *in_left > BZ_CHUNK ? BZ_CHUNK : (unsigned)*in_left;
    unsigned oa = *out_left > BZ_CHUNK ? BZ_CHUNK : (unsigned)*out_left;
    (void)final;
    if (ia == 0 && oa == 0)
        return PB_DECOMP_MORE;
    s->bs.next_in = (char *)*in;
    s->bs.avail_in = ia;
    s->bs.next_out = (char *)*out;
    s->bs.avail_out = oa;
    int rc = BZ2_bzDecompress(&s->bs);
    size_t used = ia - s->bs.avail_in, made = oa - s->bs.avail_out;
    *in += used;
    *in_left -= used;
    *out += made;
    *out_left -= made;
    s->total_in += used;
    switch (rc) {
    case BZ_STREAM_END:
        return PB_DECOMP_END;
    case BZ_OK:
        return PB_DECOMP_MORE;
    case BZ_MEM_ERROR:
        return pb_error(PB_ENOMEM, "bzip2: out of memory at input offset %llu",
                        (unsigned long long)s->total_in);
    case BZ_DATA_ERROR_MAGIC:
        return pb_error(PB_EBADFMT, "bzip2: bad magic at input offset %llu",
                        (unsigned long long)s->total_in);
    default:
        return pb_error(PB_EBADFMT, "bzip2: corrupt data at input offset %llu (%d)",
                        (unsigned long long)s->total_in, rc);
    }
}

static void bz_close(void *st)
{
    struct bz_state *s = st;
    if (!s)
        return;
    BZ2_bzDecompressEnd(&s->bs);
    free(s);
}

const struct pb_decomp_ops pb_decomp_bzip2 = {
    .format = PB_COMP_BZIP2, .name = "bzip2",
    .open = bz_open, .step = bz_step, .close = bz_close,
};
