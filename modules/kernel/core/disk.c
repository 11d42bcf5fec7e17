/* SPDX-License-Identifier: MIT */
/*
 * Disk registry and the block cache above the drivers (include/pvboot/disk.h).
 *
 * Cache: 4 KiB blocks (byte offset / 4096), filled in aligned groups of
 * PB_CACHE_GROUP blocks with one driver call, so filesystem metadata is read
 * once and small scattered reads cost one round trip per 32 KiB.  Large reads
 * (>= PB_CACHE_BYPASS bytes) go straight to the driver for the aligned middle
 * part, so the driver can keep its ring full.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"

#define PB_CACHE_BLOCK 4096u
#define PB_CACHE_SECTORS (PB_CACHE_BLOCK / PB_SECTOR_SIZE)
#define PB_CACHE_GROUP 8u               /* blocks per fill: 32 KiB */
#define PB_CACHE_NBLOCKS 2048u          /* 8 MiB */
#define PB_CACHE_HASH 1024u
#define PB_CACHE_BYPASS (64u * 1024u)

static struct pb_disk *disks;   /* sorted by order, then name */
static struct pb_disk_scanner *scanners;
static unsigned disk_generation;    /* bumped by every (un)registration */
static unsigned scanned_generation;
static bool scanning;

struct cblock {
    struct pb_disk *disk;       /* NULL = free */
    uint64_t blk;               /* byte offset / PB_CACHE_BLOCK */
    struct cblock *hnext;       /* hash chain */
    struct cblock *lru_prev, *lru_next;
    unsigned char *data;
};

static struct cblock *blocks;
static unsigned char *block_mem;
static struct cblock *hash[PB_CACHE_HASH];
static struct cblock lru;       /* sentinel: lru.lru_next = most recent */

int pb_disk_register(struct pb_disk *d)
{
    if (!d || !d->name[0] || !d->ops || !d->ops->read)
        return pb_error(PB_EINVAL, "disk registration without name or read op");
    if (d->sector_size == 0)
        d->sector_size = PB_SECTOR_SIZE;
    if (d->sector_size < PB_SECTOR_SIZE || d->sector_size > PB_CACHE_BLOCK ||
        (d->sector_size & (d->sector_size - 1)))
        return pb_error(PB_ENOTSUP, "%s: unsupported sector size %u", d->name, d->sector_size);
    for (struct pb_disk *x = disks; x; x = x->next)
        if (strcmp(x->name, d->name) == 0 || (d->alias[0] && strcmp(x->alias, d->alias) == 0))
            return pb_error(PB_EINVAL, "disk %s registered twice", d->name);
    struct pb_disk **pp = &disks;
    while (*pp && ((*pp)->order < d->order ||
                   ((*pp)->order == d->order && strcmp((*pp)->name, d->name) < 0)))
        pp = &(*pp)->next;
    d->next = *pp;
    *pp = d;
    disk_generation++;
    return 0;
}

static void cache_drop_disk(struct pb_disk *d);

void pb_disk_unregister(struct pb_disk *d)
{
    for (struct pb_disk **pp = &disks; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            d->next = NULL;
            disk_generation++;
            /* before @d's devices go: a disk built on a file of @d
             * (loopback) still closes that file on a mounted filesystem */
            for (struct pb_disk_scanner *sc = scanners; sc; sc = sc->next)
                if (sc->forget)
                    sc->forget(d);
            break;
        }
    }
    pb_device_forget_disk(d);
    cache_drop_disk(d);
}

void pb_disk_scanner_register(struct pb_disk_scanner *s)
{
    for (struct pb_disk_scanner *x = scanners; x; x = x->next)
        if (x == s)
            return;
    s->next = scanners;
    scanners = s;
    scanned_generation = disk_generation - 1;   /* scan on next use */
}

void pb_disk_scan(void)
{
    if (scanning || !scanners)
        return;
    scanning = true;
    for (int round = 0; round < 4 && scanned_generation != disk_generation; round++) {
        scanned_generation = disk_generation;
        for (struct pb_disk_scanner *s = scanners; s; s = s->next)
            s->scan();
    }
    scanned_generation = disk_generation;
    scanning = false;
}

static struct pb_disk *find_registered(const char *name)
{
    for (struct pb_disk *d = disks; d; d = d->next)
        if (strcmp(d->name, name) == 0 || (d->alias[0] && strcmp(d->alias, name) == 0))
            return d;
    return NULL;
}

struct pb_disk *pb_disk_find(const char *name)
{
    pb_disk_scan();     /* no-op unless disks changed since the last scan */
    return find_registered(name);
}

struct pb_disk *pb_disk_first(void)
{
    pb_disk_scan();
    return disks;
}

struct pb_disk *pb_disk_next(struct pb_disk *d)
{
    return d ? d->next : NULL;
}

void pb_disk_close_all(void)
{
    for (struct pb_disk *d = disks; d; d = d->next) {
        cache_drop_disk(d);
        if (d->ops->close)
            d->ops->close(d);
    }
}

/* ---- cache ---- */

static unsigned hash_of(struct pb_disk *d, uint64_t blk)
{
    uint64_t h = blk * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)d;
    return (unsigned)(h >> 40) % PB_CACHE_HASH;
}

static void lru_unlink(struct cblock *b)
{
    b->lru_prev->lru_next = b->lru_next;
    b->lru_next->lru_prev = b->lru_prev;
}

static void lru_push_front(struct cblock *b)
{
    b->lru_next = lru.lru_next;
    b->lru_prev = &lru;
    lru.lru_next->lru_prev = b;
    lru.lru_next = b;
}

static int cache_init(void)
{
    if (blocks)
        return 0;
    blocks = calloc(PB_CACHE_NBLOCKS, sizeof *blocks);
    block_mem = malloc((size_t)PB_CACHE_NBLOCKS * PB_CACHE_BLOCK);
    if (!blocks || !block_mem) {
        free(blocks);
        free(block_mem);
        blocks = NULL;
        block_mem = NULL;
        return pb_error(PB_ENOMEM, "out of memory for the disk cache");
    }
    lru.lru_next = lru.lru_prev = &lru;
    for (unsigned i = 0; i < PB_CACHE_NBLOCKS; i++) {
        blocks[i].data = block_mem + (size_t)i * PB_CACHE_BLOCK;
        lru_push_front(&blocks[i]);
    }
    return 0;
}

static void hash_remove(struct cblock *b)
{
    if (!b->disk)
        return;
    struct cblock **pp = &hash[hash_of(b->disk, b->blk)];
    while (*pp && *pp != b)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = b->hnext;
    b->disk = NULL;
    b->hnext = NULL;
}

static struct cblock *cache_lookup(struct pb_disk *d, uint64_t blk)
{
    if (!blocks)
        return NULL;
    for (struct cblock *b = hash[hash_of(d, blk)]; b; b = b->hnext)
        if (b->disk == d && b->blk == blk)
            return b;
    return NULL;
}

static struct cblock *cache_insert(struct pb_disk *d, uint64_t blk, const unsigned char *data)
{
    struct cblock *b = cache_lookup(d, blk);
    if (!b) {
        b = lru.lru_prev;           /* least recently used */
        hash_remove(b);
        b->disk = d;
        b->blk = blk;
        unsigned h = hash_of(d, blk);
        b->hnext = hash[h];
        hash[h] = b;
    }
    memcpy(b->data, data, PB_CACHE_BLOCK);
    lru_unlink(b);
    lru_push_front(b);
    return b;
}

static void cache_invalidate(struct pb_disk *d, uint64_t first_blk, uint64_t nblk)
{
    for (uint64_t i = 0; i < nblk; i++) {
        struct cblock *b = cache_lookup(d, first_blk + i);
        if (b) {
            hash_remove(b);
            lru_unlink(b);
            b->lru_prev = lru.lru_prev;   /* to the LRU end */
            b->lru_next = &lru;
            lru.lru_prev->lru_next = b;
            lru.lru_prev = b;
        }
    }
}

static void cache_drop_disk(struct pb_disk *d)
{
    if (!blocks)
        return;
    for (unsigned i = 0; i < PB_CACHE_NBLOCKS; i++)
        if (blocks[i].disk == d)
            hash_remove(&blocks[i]);
}

static uint64_t disk_bytes(const struct pb_disk *d)
{
    return d->nr_sectors * PB_SECTOR_SIZE;
}

/* Make block @blk present; fill its whole group with one driver read. */
static int cache_get(struct pb_disk *d, uint64_t blk, struct cblock **out)
{
    struct cblock *b = cache_lookup(d, blk);
    if (b) {
        lru_unlink(b);
        lru_push_front(b);
        *out = b;
        return 0;
    }
    int r = cache_init();
    if (r)
        return r;
    uint64_t total_blocks = (disk_bytes(d) + PB_CACHE_BLOCK - 1) / PB_CACHE_BLOCK;
    uint64_t g0 = blk - blk % PB_CACHE_GROUP;
    uint64_t gn = PB_CACHE_GROUP;
    if (g0 + gn > total_blocks)
        gn = total_blocks - g0;
    /* A disk whose driver reads files through the cache itself (loopback)
     * re-enters here: the static buffer serves the outermost fill only. */
    static unsigned char group_static[PB_CACHE_GROUP * PB_CACHE_BLOCK];
    static unsigned fill_depth;
    unsigned char *group = group_static;
    if (fill_depth > 0 && !(group = malloc(sizeof group_static)))
        return pb_error(PB_ENOMEM, "%s: out of memory for a cache fill", d->name);
    uint64_t sec0 = g0 * PB_CACHE_SECTORS;
    uint64_t nsec = gn * PB_CACHE_SECTORS;
    if (sec0 + nsec > d->nr_sectors)
        nsec = d->nr_sectors - sec0;
    /* keep driver I/O in whole device sectors */
    uint64_t ss = d->sector_size / PB_SECTOR_SIZE;
    nsec -= nsec % ss;
    if (nsec == 0) {
        if (group != group_static)
            free(group);
        return pb_error(PB_ERANGE, "%s: read at byte %llu beyond the end of the disk",
                        d->name, (unsigned long long)(blk * PB_CACHE_BLOCK));
    }
    memset(group, 0, sizeof group_static);
    fill_depth++;
    r = d->ops->read(d, sec0, nsec, group);
    fill_depth--;
    if (r >= 0) {
        for (uint64_t i = 0; i < gn; i++) {
            struct cblock *c = cache_insert(d, g0 + i, group + i * PB_CACHE_BLOCK);
            if (g0 + i == blk)
                b = c;
        }
    }
    if (group != group_static)
        free(group);
    if (r < 0)
        return r;
    if (!b)
        return pb_error(PB_ERANGE, "%s: block %llu beyond the end of the disk", d->name,
                        (unsigned long long)blk);
    *out = b;
    return 0;
}

void (*pb_disk_read_hook)(struct pb_disk *d, uint64_t offset, size_t len, void *ctx);
void *pb_disk_read_hook_ctx;

int pb_disk_read(struct pb_disk *d, uint64_t offset, size_t len, void *buf)
{
    unsigned char *p = buf;
    if (offset > disk_bytes(d) || len > disk_bytes(d) - offset)
        return pb_error(PB_ERANGE, "%s: read of %zu bytes at byte %llu beyond the end of the disk (%llu bytes)",
                        d->name, len, (unsigned long long)offset, (unsigned long long)disk_bytes(d));
    if (pb_disk_read_hook)
        pb_disk_read_hook(d, offset, len, pb_disk_read_hook_ctx);
    while (len > 0) {
        uint64_t ss = d->sector_size;
        /* big aligned middle part: straight to the driver */
        if (offset % ss == 0 && len >= PB_CACHE_BYPASS) {
            uint64_t n = len - len % ss;
            int r = d->ops->read(d, offset / PB_SECTOR_SIZE, n / PB_SECTOR_SIZE, p);
            if (r < 0)
                return r;
            offset += n;
            p += n;
            len -= n;
            continue;
        }
        uint64_t blk = offset / PB_CACHE_BLOCK;
        size_t in = offset % PB_CACHE_BLOCK;
        size_t n = PB_CACHE_BLOCK - in;
        if (n > len)
            n = len;
        struct cblock *b = NULL;
        int r = cache_get(d, blk, &b);
        if (r < 0)
            return r;
        memcpy(p, b->data + in, n);
        offset += n;
        p += n;
        len -= n;
    }
    return 0;
}

int pb_disk_read_raw(struct pb_disk *d, uint64_t offset, size_t len, void *buf)
{
    if (offset > disk_bytes(d) || len > disk_bytes(d) - offset)
        return pb_error(PB_ERANGE, "%s: read of %zu bytes at byte %llu beyond the end of the disk (%llu bytes)",
                        d->name, len, (unsigned long long)offset, (unsigned long long)disk_bytes(d));
    if (len == 0)
        return 0;
    uint64_t ss = d->sector_size;
    if (offset % ss == 0 && len % ss == 0)
        return d->ops->read(d, offset / PB_SECTOR_SIZE, len / PB_SECTOR_SIZE, buf);
    uint64_t a = offset - offset % ss;
    uint64_t b = offset + len;
    if (b % ss)
        b += ss - b % ss;
    if (b > disk_bytes(d))
        return pb_error(PB_ERANGE, "%s: read at byte %llu crosses the end of the disk in a partial sector",
                        d->name, (unsigned long long)offset);
    unsigned char *tmp = malloc(b - a);
    if (!tmp)
        return pb_error(PB_ENOMEM, "%s: out of memory for a %llu-byte bounce buffer", d->name,
                        (unsigned long long)(b - a));
    int r = d->ops->read(d, a / PB_SECTOR_SIZE, (b - a) / PB_SECTOR_SIZE, tmp);
    if (r >= 0)
        memcpy(buf, tmp + (offset - a), len);
    free(tmp);
    return r < 0 ? r : 0;
}

int pb_disk_write(struct pb_disk *d, uint64_t offset, size_t len, const void *buf)
{
    if (!d->ops->write || (d->flags & PB_DISK_F_READONLY))
        return pb_error(PB_EACCES, "%s: disk is read-only", d->name);
    if (offset > disk_bytes(d) || len > disk_bytes(d) - offset)
        return pb_error(PB_ERANGE, "%s: write of %zu bytes at byte %llu beyond the end of the disk",
                        d->name, len, (unsigned long long)offset);
    if (len == 0)
        return 0;
    uint64_t ss = d->sector_size;
    uint64_t a = offset - offset % ss;
    uint64_t b = offset + len;
    if (b % ss)
        b += ss - b % ss;
    unsigned char *tmp = malloc(b - a);
    if (!tmp)
        return pb_error(PB_ENOMEM, "%s: out of memory for a write", d->name);
    int r = 0;
    if (a != offset || b != offset + len)
        r = pb_disk_read(d, a, b - a, tmp);
    if (r == 0) {
        memcpy(tmp + (offset - a), buf, len);
        r = d->ops->write(d, a / PB_SECTOR_SIZE, (b - a) / PB_SECTOR_SIZE, tmp);
    }
    free(tmp);
    cache_invalidate(d, a / PB_CACHE_BLOCK, (b - a + PB_CACHE_BLOCK - 1) / PB_CACHE_BLOCK + 1);
    return r;
}
