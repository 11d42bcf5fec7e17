/* SPDX-License-Identifier: MIT */
/*
 * Block overlay (include/pvboot/blkoverlay.h): an open-addressing hash
 * table from block number to a heap copy of the block, grown by doubling
 * while it is at most half full.
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/blkoverlay.h"
#include "pvboot/err.h"

struct slot {
    uint64_t block;
    uint8_t *data;            /* NULL: empty slot */
};

struct pb_overlay {
    uint32_t block_size;
    uint32_t shift;           /* log2(block_size) */
    size_t limit;             /* bytes */
    size_t used;              /* bytes: blocks + table */
    size_t count;
    size_t cap;               /* slots, a power of two */
    struct slot *tab;
};

static size_t hash(uint64_t b, size_t cap)
{
    b ^= b >> 33;
    b *= 0xff51afd7ed558ccdull;
    b ^= b >> 33;
    return (size_t)b & (cap - 1);
}

static struct slot *find(const struct pb_overlay *o, uint64_t block)
{
    size_t i = hash(block, o->cap);
    while (o->tab[i].data) {
        if (o->tab[i].block == block)
            return &o->tab[i];
        i = (i + 1) & (o->cap - 1);
    }
    return &o->tab[i];
}

int pb_overlay_new(uint32_t block_size, size_t limit, struct pb_overlay **out)
{
    if (block_size < 512 || block_size > 65536 || (block_size & (block_size - 1)))
        return pb_error(PB_EINVAL, "overlay: bad block size %u", block_size);
    struct pb_overlay *o = calloc(1, sizeof *o);
    if (!o)
        return pb_error(PB_ENOMEM, "out of memory");
    o->block_size = block_size;
    while ((1u << o->shift) < block_size)
        o->shift++;
    o->limit = limit;
    o->cap = 64;
    o->tab = calloc(o->cap, sizeof *o->tab);
    if (!o->tab) {
        free(o);
        return pb_error(PB_ENOMEM, "out of memory");
    }
    o->used = o->cap * sizeof *o->tab;
    *out = o;
    return 0;
}

static int over_limit(const struct pb_overlay *o)
{
    if (o->limit % (1u << 20) == 0)
        return pb_error(PB_ENOMEM, "overlay limit of %zu MiB reached (%zu blocks of %u bytes held)",
                        o->limit >> 20, o->count, o->block_size);
    return pb_error(PB_ENOMEM, "overlay limit of %zu bytes reached (%zu blocks of %u bytes held)",
                    o->limit, o->count, o->block_size);
}

static int grow(struct pb_overlay *o)
{
    size_t ncap = o->cap * 2;
    size_t extra = (ncap - o->cap) * sizeof *o->tab;
    if (o->used + extra > o->limit)
        return over_limit(o);
    struct slot *old = o->tab;
    size_t ocap = o->cap;
    o->tab = calloc(ncap, sizeof *o->tab);
    if (!o->tab) {
        o->tab = old;
        return pb_error(PB_ENOMEM, "out of memory");
    }
    o->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].data)
            *find(o, old[i].block) = old[i];
    free(old);
    o->used += extra;
    return 0;
}

int pb_overlay_put(struct pb_overlay *o, uint64_t block, const void *data)
{
    struct slot *s = find(o, block);
    if (s->data) {
        memcpy(s->data, data, o->block_size);
        return 0;
    }
    if (o->used + o->block_size > o->limit)
        return over_limit(o);
    if (2 * (o->count + 1) > o->cap) {
        int r = grow(o);
        if (r < 0)
            return r;
        if (o->used + o->block_size > o->limit)
            return over_limit(o);
        s = find(o, block);
    }
    uint8_t *d = malloc(o->block_size);
    if (!d)
        return pb_error(PB_ENOMEM, "out of memory");
    memcpy(d, data, o->block_size);
    s->block = block;
    s->data = d;
    o->count++;
    o->used += o->block_size;
    return 0;
}

const void *pb_overlay_get(const struct pb_overlay *o, uint64_t block)
{
    return o ? find(o, block)->data : NULL;
}

/* Copy the part of held block @s that falls in [@offset, @offset + @len). */
static void patch(const struct pb_overlay *o, const struct slot *s, uint64_t offset, size_t len,
                  uint8_t *buf)
{
    uint64_t bstart = s->block << o->shift, bend = bstart + o->block_size;
    uint64_t lo = bstart > offset ? bstart : offset;
    uint64_t hi = bend < offset + len ? bend : offset + len;
    if (lo < hi)
        memcpy(buf + (lo - offset), s->data + (lo - bstart), (size_t)(hi - lo));
}

void pb_overlay_apply(const struct pb_overlay *o, uint64_t offset, size_t len, void *buf)
{
    if (!o || !o->count || !len)
        return;
    uint64_t first = offset >> o->shift, last = (offset + len - 1) >> o->shift;
    if (last - first + 1 > o->count) {
        for (size_t i = 0; i < o->cap; i++)
            if (o->tab[i].data && o->tab[i].block >= first && o->tab[i].block <= last)
                patch(o, &o->tab[i], offset, len, buf);
        return;
    }
    for (uint64_t b = first; b <= last; b++) {
        const struct slot *s = find(o, b);
        if (s->data)
            patch(o, s, offset, len, buf);
    }
}

size_t pb_overlay_count(const struct pb_overlay *o)
{
    return o ? o->count : 0;
}

void pb_overlay_free(struct pb_overlay *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->cap; i++)
        free(o->tab[i].data);
    free(o->tab);
    free(o);
}
