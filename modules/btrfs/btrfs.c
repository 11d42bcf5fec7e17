/* SPDX-License-Identifier: MIT */
/*
 * btrfs: read-only btrfs, single device.
 *
 * Written from the on-disk format documentation (btrfs wiki "On-disk
 * Format", btrfs_tree.h facts).  Supports:
 *   - the superblock at 64 KiB, the system chunk array and the chunk tree
 *     (logical -> physical for SINGLE, DUP, RAID1, RAID1C3/C4 on this
 *     device; a mirror whose tree block fails its header check is skipped);
 *   - the root tree, FS trees, subvolumes and snapshots;
 *   - inline, regular and preallocated extents, holes (also NO_HOLES),
 *     zlib, lzo (per-sector segments) and zstd compressed extents (the
 *     codecs through the decompress module, include/pvboot/decompress.h;
 *     the lzo segment framing is btrfs's own, here).
 *
 * Paths: as upstream GRUB, paths resolve from the top-level FS tree (id 5);
 * subvolumes appear as the directories they are linked at ("/@/boot").  The
 * default subvolume (`btrfs subvolume set-default`: the root tree directory's
 * DIR_ITEM "default") is read at mount; pb_btrfs_default_subvol() gives
 * its path from the top level ("@/.snapshots/1/snapshot"), or NULL when it is
 * the top level.
 *
 * SUSE/Fedora GRUB's `btrfs_relative_path` (grub2-btrfs-03-follow_default):
 * while the environment variable btrfs_relative_path starts with 'y' or '1'
 * ("y", "yes", "1"), the root directory of every path is the default
 * subvolume's root instead of the top level: "/boot/x" means
 * "<default>/boot/x", `..` cannot climb above it, absolute symlink targets
 * restart there, and listing "/" lists it.  The variable is read at each
 * path walk (btrfs_root()), so `set`/`unset` take effect at once.
 *
 * Checksums (crc32c; the other types btrfs offers - xxhash64, sha256,
 * blake2b - are refused at mount with an error naming the type unless
 * fs_ignore_checksums is set, pvboot(7)) are verified for the superblock
 * (a bad primary falls back to the valid mirror at 64 MiB or 256 GiB with the
 * highest generation), for every tree block and for file data read from
 * regular and compressed extents against the csum tree (data without
 * checksums, NODATASUM files, reads unchecked).  A copy that fails is
 * skipped for the next copy the chunk has on this device (DUP, RAID1,
 * RAID1C3/C4); when every copy fails the read is an error naming the device,
 * the logical address, the physical offsets and the tree or inode, unless
 * fs_ignore_checksums is set, which then reads the first copy anyway.
 * Every tree block's header (bytenr, fsid, level), item bounds and key order
 * are checked too.  Everything on disk is little-endian.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "pvboot/btrfs.h"
#include "pvboot/crc32c.h"
#include "pvboot/decompress.h"
#include "pvboot/disk.h"
#include "pvboot/endian.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/fsconv.h"

#define BTRFS_SUPER_OFFSET 0x10000
#define BTRFS_SUPER_SIZE 4096
#define BTRFS_MAGIC "_BHRfS_M"
#define BTRFS_HEADER_SIZE 101
#define BTRFS_ITEM_SIZE 25
#define BTRFS_KEYPTR_SIZE 33
#define BTRFS_MAX_LEVEL 8

/* item types */
#define BTRFS_INODE_ITEM 1
#define BTRFS_INODE_REF 12
#define BTRFS_DIR_ITEM 84
#define BTRFS_DIR_INDEX 96
#define BTRFS_EXTENT_DATA 108
#define BTRFS_ROOT_ITEM 132
#define BTRFS_ROOT_BACKREF 144
#define BTRFS_CHUNK_ITEM 228

#define BTRFS_EXTENT_CSUM 128

#define BTRFS_FS_TREE 5
#define BTRFS_ROOT_TREE_DIR 6
#define BTRFS_CSUM_TREE 7
#define BTRFS_EXTENT_CSUM_OBJECTID (~0ull - 9) /* -10 */

/* checksum types (superblock csum_type) and where checksums sit */
#define BTRFS_CSUM_CRC32C 0
#define BTRFS_CSUM_SIZE 32           /* room for a checksum in headers */
#define BTRFS_CSUM_CRC32C_SIZE 4
#define BTRFS_DATA_PIECE (256u << 10) /* data verified per read, bytes */

/* block group profiles */
#define BTRFS_BG_RAID0 (1ull << 3)
#define BTRFS_BG_RAID10 (1ull << 6)
#define BTRFS_BG_RAID5 (1ull << 7)
#define BTRFS_BG_RAID6 (1ull << 8)
#define BTRFS_BG_STRIPED (BTRFS_BG_RAID0 | BTRFS_BG_RAID10 | BTRFS_BG_RAID5 | BTRFS_BG_RAID6)

#define BTRFS_INCOMPAT_METADATA_UUID 0x400
#define BTRFS_INCOMPAT_EXTENT_TREE_V2 0x2000
#define BTRFS_INCOMPAT_RAID_STRIPE_TREE 0x4000

#define BTRFS_MAX_CHUNKS 65536
#define BTRFS_MAX_STRIPES 4          /* copies on this device we remember */
#define BTRFS_MAX_EXTENT_RAM (1u << 20) /* bound on a compressed extent, bytes */
#define BTRFS_MAX_ITER (1u << 24)    /* bound on items visited by one walk */

#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define S_IFLNK_ 0120000

struct bt_key {
    uint64_t objectid;
    uint8_t type;
    uint64_t offset;
};

struct bt_chunk {
    uint64_t logical, length, type;
    unsigned nphys;
    uint64_t phys[BTRFS_MAX_STRIPES];
};

struct btrfs_fs {
    struct pb_fs base;
    uint32_t nodesize, sectorsize;
    uint8_t meta_fsid[16];
    uint64_t devid;
    uint64_t devsize;
    bool csum_check;            /* crc32c: verify; other types: not */
    uint64_t csum_bytenr;       /* csum tree root block, 0 = none */
    uint8_t csum_level;
    uint8_t *dbuf;              /* BTRFS_DATA_PIECE bytes for data checks */
    uint8_t *dcsum;             /* checksums of one piece */
    uint8_t *dhave;             /* which sectors of the piece have one */
    struct bt_chunk *chunks;
    size_t nchunks, capchunks;
    uint64_t root_tree;
    uint8_t root_level;
    uint64_t top_bytenr;        /* FS tree 5 */
    uint8_t top_level;
    uint64_t top_dirid;
    uint64_t default_id;        /* default subvolume id (5 = top level) */
    uint64_t def_bytenr;        /* its root block, level, root directory */
    uint8_t def_level;
    uint64_t def_dirid;
    char *default_path;
    char *default_err;          /* why the default subvolume is unusable */
    /* last decompressed extent */
    uint64_t zc_bytenr, zc_len;
    uint8_t zc_type;
    uint8_t *zc_buf;
    uint64_t zc_ram;
};

struct btrfs_node {
    struct pb_node base;
    uint64_t tree;              /* subvolume id */
    uint64_t tbytenr;           /* its root block */
    uint8_t tlevel;
    uint64_t ino;
    uint64_t size;
    uint32_t mode;
    int64_t mtime;
};

struct bt_path {
    uint8_t *node[BTRFS_MAX_LEVEL];
    int slot[BTRFS_MAX_LEVEL];
    int nitems[BTRFS_MAX_LEVEL];
    int top;
    struct bt_key last;
    bool have_last;
};

static const char *devname(struct btrfs_fs *fs) { return fs->base.dev->name; }

static void read_key(const uint8_t *p, struct bt_key *k)
{
    k->objectid = pb_le64(p);
    k->type = p[8];
    k->offset = pb_le64(p + 9);
}

static int key_cmp(const struct bt_key *a, const struct bt_key *b)
{
    if (a->objectid != b->objectid)
        return a->objectid < b->objectid ? -1 : 1;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return 0;
}

/* btrfs_name_hash(): crc32c (Castagnoli, reflected) seeded with ~1, no final xor. */
static uint32_t btrfs_name_hash(const char *name, size_t len)
{
    return pb_crc32c(~1u, name, len);
}

/* True when the crc32c of @len bytes at @data equals the checksum stored
 * at @want (little-endian, as btrfs_csum_data()/the tree block header keep
 * it; the rest of the 32-byte field is not compared). */
static bool btrfs_crc_ok(const void *data, size_t len, const uint8_t *want)
{
    return ~pb_crc32c(~0u, data, len) == pb_le32(want);
}

static const char *btrfs_csum_name(unsigned type)
{
    switch (type) {
    case 0: return "crc32c";
    case 1: return "xxhash64";
    case 2: return "sha256";
    case 3: return "blake2b";
    default: return "unknown";
    }
}

/* ------------------------------------------------------------ chunks --- */

static int btrfs_dev_read(struct btrfs_fs *fs, uint64_t off, size_t len, void *buf)
{
    if (off > fs->devsize || len > fs->devsize - off)
        return pb_error(PB_EBADFS, "btrfs: %s: physical byte %llu (+%zu) beyond the device",
                        devname(fs), (unsigned long long)off, len);
    return pb_device_read(fs->base.dev, off, len, buf);
}

static struct bt_chunk *btrfs_find_chunk(struct btrfs_fs *fs, uint64_t logical)
{
    size_t lo = 0, hi = fs->nchunks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct bt_chunk *c = &fs->chunks[mid];
        if (logical < c->logical)
            hi = mid;
        else if (logical - c->logical >= c->length)
            lo = mid + 1;
        else
            return c;
    }
    return NULL;
}

/* Add the chunk item at @p (@len bytes) for logical address @logical. */
static int btrfs_add_chunk(struct btrfs_fs *fs, uint64_t logical, const uint8_t *p, size_t len)
{
    if (len < 48)
        goto bad;
    uint64_t length = pb_le64(p), type = pb_le64(p + 24);
    unsigned nstripes = pb_le16(p + 44);
    if (nstripes == 0 || len < 48 + 32ull * nstripes || length == 0 ||
        logical + length < logical)
        goto bad;
    if (btrfs_find_chunk(fs, logical) || btrfs_find_chunk(fs, logical + length - 1))
        return 0; /* already known (sys array and chunk tree both list it) */
    struct bt_chunk c = { .logical = logical, .length = length, .type = type };
    if ((type & BTRFS_BG_STRIPED) && nstripes > 1) {
        /* keep it so reads give a clear error */
        c.nphys = 0;
    } else {
        for (unsigned i = 0; i < nstripes && c.nphys < BTRFS_MAX_STRIPES; i++) {
            const uint8_t *s = p + 48 + 32 * i;
            if (pb_le64(s) == fs->devid)
                c.phys[c.nphys++] = pb_le64(s + 8);
        }
    }
    if (fs->nchunks >= BTRFS_MAX_CHUNKS)
        return pb_error(PB_EBADFS, "btrfs: %s: more than %u chunks", devname(fs),
                        BTRFS_MAX_CHUNKS);
    if (fs->nchunks == fs->capchunks) {
        size_t cap = fs->capchunks ? 2 * fs->capchunks : 16;
        struct bt_chunk *n = realloc(fs->chunks, cap * sizeof(*n));
        if (!n)
            return pb_error(PB_ENOMEM, "btrfs: out of memory");
        fs->chunks = n;
        fs->capchunks = cap;
    }
    size_t i = fs->nchunks;
    while (i > 0 && fs->chunks[i - 1].logical > logical) {
        fs->chunks[i] = fs->chunks[i - 1];
        i--;
    }
    fs->chunks[i] = c;
    fs->nchunks++;
    return 0;
bad:
    return pb_error(PB_EBADFS, "btrfs: %s: bad chunk item for logical %llu", devname(fs),
                    (unsigned long long)logical);
}

/*
 * Map @logical to a physical byte offset using copy @mirror; *contig gets
 * the bytes left in the chunk.  PB_EBADFS if unmapped, PB_ENOTSUP for
 * striped profiles, PB_ENOENT when @mirror is beyond the copies here.
 */
static int btrfs_map(struct btrfs_fs *fs, uint64_t logical, unsigned mirror, uint64_t *phys,
                     uint64_t *contig)
{
    struct bt_chunk *c = btrfs_find_chunk(fs, logical);
    if (!c)
        return pb_error(PB_EBADFS, "btrfs: %s: logical address %llu is in no chunk",
                        devname(fs), (unsigned long long)logical);
    if ((c->type & BTRFS_BG_STRIPED) && c->nphys == 0)
        return pb_error(PB_ENOTSUP, "btrfs: %s: chunk at %llu uses a striped profile (0x%llx)",
                        devname(fs), (unsigned long long)c->logical,
                        (unsigned long long)c->type);
    if (c->nphys == 0)
        return pb_error(PB_ENOTSUP,
                        "btrfs: %s: chunk at %llu has no copy on this device (devid %llu)",
                        devname(fs), (unsigned long long)c->logical,
                        (unsigned long long)fs->devid);
    if (mirror >= c->nphys)
        return PB_ENOENT;
    *phys = c->phys[mirror] + (logical - c->logical);
    *contig = c->length - (logical - c->logical);
    return 0;
}

/* Read @len bytes at logical address @logical (first copy). */
static int btrfs_read_logical(struct btrfs_fs *fs, uint64_t logical, size_t len, uint8_t *buf)
{
    while (len > 0) {
        uint64_t phys, contig;
        int r = btrfs_map(fs, logical, 0, &phys, &contig);
        if (r < 0)
            return r == PB_ENOENT ? pb_error(PB_EBADFS, "btrfs: unmapped") : r;
        size_t n = contig < len ? (size_t)contig : len;
        r = btrfs_dev_read(fs, phys, n, buf);
        if (r < 0)
            return r;
        logical += n;
        buf += n;
        len -= n;
    }
    return 0;
}

/*
 * Read tree block @logical into @buf, checking its checksum and header;
 * tries every copy on this device and returns the first good one.
 * @level: expected level or -1.  When every copy fails its checksum the
 * error names the block, its owner tree and the copies' physical offsets;
 * with fs_ignore_checksums set, the first copy whose header is sound is
 * used instead.
 */
static int btrfs_read_node(struct btrfs_fs *fs, uint64_t logical, int level, uint8_t *buf)
{
    int err = 0;
    int cand = -1;              /* first copy with a sound header but bad csum */
    uint64_t cand_phys = 0, owner = 0;
    char bad[64] = "";          /* physical offsets of the copies failing it */
    size_t badlen = 0;
    unsigned m;
    for (m = 0; m < BTRFS_MAX_STRIPES; m++) {
        uint64_t phys, contig;
        int r = btrfs_map(fs, logical, m, &phys, &contig);
        if (r == PB_ENOENT)
            break;
        if (r < 0)
            return r;
        if (contig < fs->nodesize)
            return pb_error(PB_EBADFS, "btrfs: %s: tree block %llu crosses a chunk end",
                            devname(fs), (unsigned long long)logical);
        r = btrfs_dev_read(fs, phys, fs->nodesize, buf);
        if (r < 0) {
            err = r;
            continue;
        }
        bool csum_ok = !fs->csum_check ||
                       btrfs_crc_ok(buf + BTRFS_CSUM_SIZE, fs->nodesize - BTRFS_CSUM_SIZE, buf);
        unsigned nlevel = buf[0x64];
        uint32_t n = pb_le32(buf + 0x60);
        uint32_t max = (fs->nodesize - BTRFS_HEADER_SIZE) /
                       (nlevel ? BTRFS_KEYPTR_SIZE : BTRFS_ITEM_SIZE);
        bool head_ok = pb_le64(buf + 0x30) == logical &&
                       memcmp(buf + 0x20, fs->meta_fsid, 16) == 0 &&
                       nlevel < BTRFS_MAX_LEVEL && (level < 0 || nlevel == (unsigned)level) &&
                       n <= max;
        if (csum_ok && head_ok)
            return 0;
        if (!csum_ok) {
            if (!badlen)
                owner = pb_le64(buf + 0x58);
            if (badlen < sizeof bad)
                badlen += (size_t)snprintf(bad + badlen, sizeof bad - badlen, "%s%llu",
                                           badlen ? ", " : "", (unsigned long long)phys);
            if (head_ok && cand < 0) {
                cand = (int)m;
                cand_phys = phys;
            }
        }
        if (!head_ok)
            err = pb_error(PB_EBADFS,
                           "btrfs: %s: tree block %llu (copy %u): bad header (bytenr %llu, "
                           "level %u, %u items)", devname(fs), (unsigned long long)logical, m,
                           (unsigned long long)pb_le64(buf + 0x30), nlevel, n);
    }
    if (badlen) {
        if (!pb_fs_ignore_checksums() || cand < 0) {
            int r = pb_fs_csum_mismatch("btrfs", fs->base.dev,
                                        "tree block %llu (tree %llu) at physical %s",
                                        (unsigned long long)logical, (unsigned long long)owner,
                                        bad);
            if (r < 0)
                return r;
        } else {
            return btrfs_dev_read(fs, cand_phys, fs->nodesize, buf);
        }
    }
    return err ? err : pb_error(PB_EBADFS, "btrfs: %s: tree block %llu unreadable", devname(fs),
                                (unsigned long long)logical);
}

/* --------------------------------------------------------------- trees --- */

static void path_free(struct bt_path *p)
{
    for (int i = 0; i < BTRFS_MAX_LEVEL; i++)
        free(p->node[i]);
    memset(p, 0, sizeof(*p));
}

static int path_buf(struct btrfs_fs *fs, struct bt_path *p, int level)
{
    if (!p->node[level] && !(p->node[level] = malloc(fs->nodesize)))
        return pb_error(PB_ENOMEM, "btrfs: out of memory");
    return 0;
}

static void node_key(const uint8_t *node, int slot, struct bt_key *k)
{
    int level = node[0x64];
    read_key(node + BTRFS_HEADER_SIZE + slot * (level ? BTRFS_KEYPTR_SIZE : BTRFS_ITEM_SIZE), k);
}

/* Largest slot whose key <= @k, -1 if none. */
static int node_find_le(const uint8_t *node, int n, const struct bt_key *k)
{
    int lo = 0, hi = n; /* first slot with key > k */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        struct bt_key m;
        node_key(node, mid, &m);
        if (key_cmp(&m, k) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* Load into level @level of @p the child at the current slot of level+1. */
static int path_descend(struct btrfs_fs *fs, struct bt_path *p, int level, uint64_t bytenr)
{
    int r = path_buf(fs, p, level);
    if (r < 0)
        return r;
    r = btrfs_read_node(fs, bytenr, level, p->node[level]);
    if (r < 0)
        return r;
    p->nitems[level] = (int)pb_le32(p->node[level] + 0x60);
    if (p->nitems[level] == 0 && level > 0)
        return pb_error(PB_EBADFS, "btrfs: %s: empty internal tree block %llu", devname(fs),
                        (unsigned long long)bytenr);
    return 0;
}

/* Position @p on the last item with key <= @k (slot -1 when @k precedes
 * the whole tree). */
static int bt_search_le(struct btrfs_fs *fs, uint64_t root, uint8_t rlevel,
                        const struct bt_key *k, struct bt_path *p)
{
    memset(p->slot, 0, sizeof(p->slot));
    p->have_last = false;
    if (rlevel >= BTRFS_MAX_LEVEL)
        return pb_error(PB_EBADFS, "btrfs: %s: tree root level %u", devname(fs), rlevel);
    p->top = rlevel;
    uint64_t bytenr = root;
    for (int level = rlevel;; level--) {
        int r = path_descend(fs, p, level, bytenr);
        if (r < 0)
            return r;
        int s = node_find_le(p->node[level], p->nitems[level], k);
        if (level == 0) {
            p->slot[0] = s;
            return 0;
        }
        if (s < 0)
            s = 0;
        p->slot[level] = s;
        bytenr = pb_le64(p->node[level] + BTRFS_HEADER_SIZE + s * BTRFS_KEYPTR_SIZE + 17);
    }
}

/* Advance to the next item.  1 = positioned, 0 = end of tree, <0 error. */
static int bt_next(struct btrfs_fs *fs, struct bt_path *p)
{
    if (p->slot[0] + 1 < p->nitems[0]) {
        p->slot[0]++;
    } else {
        int lvl = 1;
        while (lvl <= p->top && p->slot[lvl] + 1 >= p->nitems[lvl])
            lvl++;
        if (lvl > p->top)
            return 0;
        p->slot[lvl]++;
        for (int l = lvl - 1; l >= 0; l--) {
            uint64_t bytenr = pb_le64(p->node[l + 1] + BTRFS_HEADER_SIZE +
                                   p->slot[l + 1] * BTRFS_KEYPTR_SIZE + 17);
            int r = path_descend(fs, p, l, bytenr);
            if (r < 0)
                return r;
            p->slot[l] = 0;
        }
        if (p->nitems[0] == 0)
            return pb_error(PB_EBADFS, "btrfs: %s: empty leaf inside a tree", devname(fs));
    }
    return 1;
}

/* Current item: key, data, size (bounds-checked).  Also checks that keys
 * only grow during a walk (a damaged tree cannot make it loop). */
static int bt_item(struct btrfs_fs *fs, struct bt_path *p, struct bt_key *k, const uint8_t **data,
                   uint32_t *size)
{
    const uint8_t *leaf = p->node[0];
    int s = p->slot[0];
    if (s < 0 || s >= p->nitems[0])
        return pb_error(PB_EBADFS, "btrfs: %s: no item", devname(fs));
    const uint8_t *it = leaf + BTRFS_HEADER_SIZE + s * BTRFS_ITEM_SIZE;
    read_key(it, k);
    uint32_t off = pb_le32(it + 17), sz = pb_le32(it + 21);
    uint32_t room = fs->nodesize - BTRFS_HEADER_SIZE;
    if (off > room || sz > room - off)
        return pb_error(PB_EBADFS, "btrfs: %s: leaf %llu item %d out of bounds", devname(fs),
                        (unsigned long long)pb_le64(leaf + 0x30), s);
    if (p->have_last && key_cmp(k, &p->last) <= 0)
        return pb_error(PB_EBADFS, "btrfs: %s: leaf %llu: keys out of order", devname(fs),
                        (unsigned long long)pb_le64(leaf + 0x30));
    p->last = *k;
    p->have_last = true;
    *data = leaf + BTRFS_HEADER_SIZE + off;
    *size = sz;
    return 0;
}

/* Position on the first item >= @k.  1 = positioned, 0 = none. */
static int bt_search_ge(struct btrfs_fs *fs, uint64_t root, uint8_t rlevel,
                        const struct bt_key *k, struct bt_path *p)
{
    int r = bt_search_le(fs, root, rlevel, k, p);
    if (r < 0)
        return r;
    if (p->slot[0] >= 0 && p->slot[0] < p->nitems[0]) {
        struct bt_key cur;
        node_key(p->node[0], p->slot[0], &cur);
        if (key_cmp(&cur, k) == 0)
            return 1;
    }
    return bt_next(fs, p);
}

/* Exact lookup of @k: copies up to @max bytes of the item to a malloc'd buffer. */
static int bt_lookup(struct btrfs_fs *fs, uint64_t root, uint8_t rlevel, const struct bt_key *k,
                     uint8_t **out, uint32_t *size)
{
    struct bt_path p = { 0 };
    int r = bt_search_ge(fs, root, rlevel, k, &p);
    if (r == 1) {
        struct bt_key got;
        const uint8_t *d;
        uint32_t sz;
        r = bt_item(fs, &p, &got, &d, &sz);
        if (r == 0 && key_cmp(&got, k) != 0)
            r = PB_ENOENT;
        if (r == 0) {
            *out = malloc(sz ? sz : 1);
            if (!*out) {
                r = pb_error(PB_ENOMEM, "btrfs: out of memory");
            } else {
                memcpy(*out, d, sz);
                *size = sz;
            }
        }
    } else if (r == 0) {
        r = PB_ENOENT;
    }
    path_free(&p);
    return r;
}

/* The root item of tree @id: its root block, level and root directory;
 * PB_ENOENT (no message) when there is none. */
static int btrfs_root_item(struct btrfs_fs *fs, uint64_t id, uint64_t *bytenr, uint8_t *level,
                           uint64_t *dirid)
{
    struct bt_path p = { 0 };
    struct bt_key k = { id, BTRFS_ROOT_ITEM, UINT64_MAX }, got;
    int r = bt_search_le(fs, fs->root_tree, fs->root_level, &k, &p);
    const uint8_t *d;
    uint32_t sz;
    if (r == 0 && p.slot[0] < 0)
        r = PB_ENOENT;
    if (r == 0)
        r = bt_item(fs, &p, &got, &d, &sz);
    if (r == 0 && (got.objectid != id || got.type != BTRFS_ROOT_ITEM))
        r = PB_ENOENT;
    if (r == 0 && sz < 239)
        r = pb_error(PB_EBADFS, "btrfs: %s: root item %llu too short", devname(fs),
                     (unsigned long long)id);
    if (r == 0) {
        *dirid = pb_le64(d + 168);
        *bytenr = pb_le64(d + 176);
        *level = d[238];
    }
    path_free(&p);
    return r;
}

/* As btrfs_root_item(), a missing root item being an error. */
static int btrfs_find_root(struct btrfs_fs *fs, uint64_t id, uint64_t *bytenr, uint8_t *level,
                           uint64_t *dirid)
{
    int r = btrfs_root_item(fs, id, bytenr, level, dirid);
    if (r == PB_ENOENT)
        return pb_error(PB_EBADFS, "btrfs: %s: subvolume %llu has no root item", devname(fs),
                        (unsigned long long)id);
    return r;
}

/* ------------------------------------------------------------- inodes --- */

static int btrfs_make_node(struct btrfs_fs *fs, uint64_t tree, uint64_t tbytenr, uint8_t tlevel,
                           uint64_t ino, struct btrfs_node **out)
{
    struct bt_key k = { ino, BTRFS_INODE_ITEM, 0 };
    uint8_t *d;
    uint32_t sz;
    int r = bt_lookup(fs, tbytenr, tlevel, &k, &d, &sz);
    if (r == PB_ENOENT)
        return pb_error(PB_EBADFS, "btrfs: %s: subvolume %llu: inode %llu has no inode item",
                        devname(fs), (unsigned long long)tree, (unsigned long long)ino);
    if (r < 0)
        return r;
    if (sz < 160) {
        free(d);
        return pb_error(PB_EBADFS, "btrfs: %s: inode %llu: short inode item", devname(fs),
                        (unsigned long long)ino);
    }
    struct btrfs_node *n = calloc(1, sizeof(*n));
    if (!n) {
        free(d);
        return pb_error(PB_ENOMEM, "btrfs: out of memory");
    }
    n->base.fs = &fs->base;
    n->tree = tree;
    n->tbytenr = tbytenr;
    n->tlevel = tlevel;
    n->ino = ino;
    n->size = pb_le64(d + 16);
    n->mode = pb_le32(d + 52);
    n->mtime = (int64_t)pb_le64(d + 136);
    free(d);
    *out = n;
    return 0;
}

/* Node for the directory entry location (@loc) seen in tree of @dir. */
static int btrfs_node_at(struct btrfs_fs *fs, struct btrfs_node *dir, const struct bt_key *loc,
                         struct btrfs_node **out)
{
    if (loc->type == BTRFS_ROOT_ITEM) {
        uint64_t bytenr, dirid;
        uint8_t level;
        int r = btrfs_find_root(fs, loc->objectid, &bytenr, &level, &dirid);
        if (r < 0)
            return r;
        return btrfs_make_node(fs, loc->objectid, bytenr, level, dirid, out);
    }
    if (loc->type != BTRFS_INODE_ITEM)
        return pb_error(PB_EBADFS, "btrfs: %s: directory entry with location type %u",
                        devname(fs), loc->type);
    return btrfs_make_node(fs, dir->tree, dir->tbytenr, dir->tlevel, loc->objectid, out);
}

/* ------------------------------------------------------- decompression --- */

/* btrfs lzo: le32 total length, then per-sector segments (le32 length +
 * lzo1x data); a segment header never straddles a sector boundary. */
static int btrfs_unlzo(struct btrfs_fs *fs, const uint8_t *in, size_t inlen, uint8_t *out,
                       size_t outlen)
{
    uint32_t sect = fs->sectorsize;
    if (inlen < 4)
        goto bad;
    size_t total = pb_le32(in);
    if (total > inlen || total < 4)
        goto bad;
    size_t pos = 4, o = 0;
    while (pos < total && o < outlen) {
        if (sect - pos % sect < 4)
            pos += sect - pos % sect;
        if (pos + 4 > total)
            break;
        size_t seg = pb_le32(in + pos);
        pos += 4;
        if (seg == 0 || seg > total - pos)
            goto bad;
        size_t dl;
        int r = pb_decompress_upto(PB_COMP_LZO1X, in + pos, seg, out + o,
                                   outlen - o < sect ? outlen - o : sect, &dl);
        if (r < 0)
            return pb_error(PB_EBADFS, "btrfs: %s: lzo segment at byte %zu: %s", devname(fs),
                            pos, pb_errmsg());
        o += dl;
        pos += seg;
    }
    return 0;
bad:
    return pb_error(PB_EBADFS, "btrfs: %s: lzo extent framing damaged", devname(fs));
}

static int btrfs_decompress(struct btrfs_fs *fs, uint8_t type, const uint8_t *in, size_t inlen,
                            uint8_t *out, size_t outlen)
{
    memset(out, 0, outlen);
    enum pb_comp fmt;
    switch (type) {
    case 1: fmt = PB_COMP_ZLIB; break;
    case 2: return btrfs_unlzo(fs, in, inlen, out, outlen);
    case 3: fmt = PB_COMP_ZSTD; break;
    default:
        return pb_error(PB_ENOTSUP, "btrfs: %s: unknown compression type %u", devname(fs), type);
    }
    /* a stream that ends before @outlen bytes leaves the rest zero */
    size_t made;
    int r = pb_decompress_upto(fmt, in, inlen, out, outlen, &made);
    if (r < 0)
        return pb_error(PB_EBADFS, "btrfs: %s: %s", devname(fs), pb_errmsg());
    return 0;
}

/* ---------------------------------------------------------- file data --- */

/* Fill fs->dcsum/dhave with the data checksums of the @nsec sectors from
 * logical @start (csum tree items EXTENT_CSUM, key offset = the logical
 * byte of their first sector, one checksum per sector). */
static int btrfs_get_csums(struct btrfs_fs *fs, uint64_t start, unsigned nsec)
{
    const unsigned cs = BTRFS_CSUM_CRC32C_SIZE, ss = fs->sectorsize;
    uint64_t end = start + (uint64_t)nsec * ss;
    memset(fs->dhave, 0, nsec);
    struct bt_path p = { 0 };
    struct bt_key k = { BTRFS_EXTENT_CSUM_OBJECTID, BTRFS_EXTENT_CSUM, start };
    int r = bt_search_le(fs, fs->csum_bytenr, fs->csum_level, &k, &p);
    if (r == 0)
        r = p.slot[0] < 0 ? bt_next(fs, &p) : 1;
    for (unsigned iter = 0; r == 1; iter++) {
        struct bt_key ik;
        const uint8_t *d;
        uint32_t sz;
        if (iter > BTRFS_MAX_ITER) {
            r = pb_error(PB_EBADFS, "btrfs: %s: csum tree too large", devname(fs));
            break;
        }
        r = bt_item(fs, &p, &ik, &d, &sz);
        if (r < 0)
            break;
        if (ik.objectid > BTRFS_EXTENT_CSUM_OBJECTID ||
            (ik.objectid == BTRFS_EXTENT_CSUM_OBJECTID && ik.type > BTRFS_EXTENT_CSUM) ||
            (ik.objectid == BTRFS_EXTENT_CSUM_OBJECTID && ik.type == BTRFS_EXTENT_CSUM &&
             ik.offset >= end))
            break;
        if (ik.objectid == BTRFS_EXTENT_CSUM_OBJECTID && ik.type == BTRFS_EXTENT_CSUM &&
            ik.offset % ss == 0) {
            /* item covers [ik.offset, ik.offset + (sz / cs) * ss) */
            uint64_t n = sz / cs, j = 0;
            if (ik.offset < start)
                j = (start - ik.offset) / ss;
            for (; j < n; j++) {
                uint64_t b = ik.offset + j * ss;
                if (b < ik.offset || b >= end)
                    break;
                if (b < start)
                    continue;
                unsigned i = (unsigned)((b - start) / ss);
                memcpy(fs->dcsum + (size_t)i * cs, d + j * cs, cs);
                fs->dhave[i] = 1;
            }
        }
        r = bt_next(fs, &p);
    }
    path_free(&p);
    return r < 0 ? r : 0;
}

/*
 * Read @len bytes of file data at logical address @logical for inode @ino,
 * verifying each sector that has a checksum in the csum tree; a sector
 * failing it is read again from the chunk's other copies on this device.
 * When no copy matches: an error naming the logical address, the physical
 * offsets and the inode (fs_ignore_checksums: the first copy is used).
 */
static int btrfs_read_data_logical(struct btrfs_fs *fs, uint64_t logical, size_t len,
                                   uint8_t *buf, uint64_t ino)
{
    if (!fs->csum_check || !fs->csum_bytenr)
        return btrfs_read_logical(fs, logical, len, buf);
    const uint32_t ss = fs->sectorsize;
    if (!fs->dbuf) {
        fs->dbuf = malloc(BTRFS_DATA_PIECE);
        fs->dcsum = malloc((BTRFS_DATA_PIECE / 512) * BTRFS_CSUM_CRC32C_SIZE);
        fs->dhave = malloc(BTRFS_DATA_PIECE / 512);
        if (!fs->dbuf || !fs->dcsum || !fs->dhave)
            return pb_error(PB_ENOMEM, "btrfs: out of memory");
    }
    uint64_t pos = logical - logical % ss;
    uint64_t end = logical + len;
    while (pos < end) {
        uint64_t plen = end - pos;
        if (plen > BTRFS_DATA_PIECE)
            plen = BTRFS_DATA_PIECE;
        plen = (plen + ss - 1) / ss * ss;
        unsigned nsec = (unsigned)(plen / ss);
        int r = btrfs_read_logical(fs, pos, plen, fs->dbuf);
        if (r < 0)
            return r;
        r = btrfs_get_csums(fs, pos, nsec);
        if (r < 0)
            return r;
        for (unsigned i = 0; i < nsec; i++) {
            uint8_t *sec = fs->dbuf + (size_t)i * ss;
            const uint8_t *want = fs->dcsum + (size_t)i * BTRFS_CSUM_CRC32C_SIZE;
            if (!fs->dhave[i] || btrfs_crc_ok(sec, ss, want))
                continue;
            uint64_t sl = pos + (uint64_t)i * ss, phys = 0, contig;
            char bad[64];
            size_t badlen = 0;
            bool good = false;
            for (unsigned m = 0; m < BTRFS_MAX_STRIPES && !good; m++) {
                r = btrfs_map(fs, sl, m, &phys, &contig);
                if (r == PB_ENOENT)
                    break;
                if (r < 0)
                    return r;
                if (m > 0) {
                    r = btrfs_dev_read(fs, phys, ss, sec);
                    if (r < 0)
                        return r;
                    good = btrfs_crc_ok(sec, ss, want);
                }
                if (!good && badlen < sizeof bad)
                    badlen += (size_t)snprintf(bad + badlen, sizeof bad - badlen, "%s%llu",
                                               badlen ? ", " : "", (unsigned long long)phys);
            }
            if (good)
                continue;
            r = pb_fs_csum_mismatch("btrfs", fs->base.dev,
                                    "inode %llu: data at logical %llu, physical %s",
                                    (unsigned long long)ino, (unsigned long long)sl, bad);
            if (r < 0)
                return r;
            r = btrfs_map(fs, sl, 0, &phys, &contig);
            if (r == 0)
                r = btrfs_dev_read(fs, phys, ss, sec);
            if (r < 0)
                return r;
        }
        uint64_t from = logical > pos ? logical : pos;
        uint64_t to = end < pos + plen ? end : pos + plen;
        memcpy(buf + (from - logical), fs->dbuf + (from - pos), to - from);
        pos += plen;
    }
    return 0;
}

/* Copy extent bytes [from, from+n) of the extent item @e (@esz bytes) at
 * file offset @koff to @buf. */
static int btrfs_extent_copy(struct btrfs_fs *fs, struct btrfs_node *n, const uint8_t *e,
                             uint32_t esz, uint64_t from, size_t len, uint8_t *buf)
{
    uint8_t comp = e[16], type = e[20];
    uint64_t ram = pb_le64(e + 8);
    if (e[17] || pb_le16(e + 18))
        return pb_error(PB_ENOTSUP, "btrfs: %s: inode %llu: encrypted/encoded extent",
                        devname(fs), (unsigned long long)n->ino);
    if (type == 0) {
        const uint8_t *data = e + 21;
        size_t dlen = esz - 21;
        if (!comp) {
            if (from + len > dlen)
                goto bad;
            memcpy(buf, data + from, len);
            return 0;
        }
        if (ram > BTRFS_MAX_EXTENT_RAM || from + len > ram)
            goto bad;
        uint8_t *tmp = malloc(ram ? ram : 1);
        if (!tmp)
            return pb_error(PB_ENOMEM, "btrfs: out of memory");
        int r = btrfs_decompress(fs, comp, data, dlen, tmp, ram);
        if (r == 0)
            memcpy(buf, tmp + from, len);
        free(tmp);
        return r;
    }
    uint64_t dbytenr = pb_le64(e + 21), dbytes = pb_le64(e + 29), eoff = pb_le64(e + 37);
    if (type == 2 || dbytenr == 0) {
        memset(buf, 0, len);
        return 0;
    }
    if (!comp)
        return btrfs_read_data_logical(fs, dbytenr + eoff + from, len, buf, n->ino);
    if (ram > BTRFS_MAX_EXTENT_RAM || dbytes > BTRFS_MAX_EXTENT_RAM || dbytes == 0 ||
        eoff + from + len > ram)
        goto bad;
    if (!(fs->zc_buf && fs->zc_bytenr == dbytenr && fs->zc_len == dbytes &&
          fs->zc_type == comp && fs->zc_ram == ram)) {
        uint8_t *cbuf = malloc(dbytes);
        uint8_t *rbuf = realloc(fs->zc_buf, ram ? ram : 1);
        if (!cbuf || !rbuf) {
            free(cbuf);
            if (rbuf)
                fs->zc_buf = rbuf;
            fs->zc_bytenr = 0;
            return pb_error(PB_ENOMEM, "btrfs: out of memory");
        }
        fs->zc_buf = rbuf;
        fs->zc_bytenr = 0;
        int r = btrfs_read_data_logical(fs, dbytenr, dbytes, cbuf, n->ino);
        if (r == 0)
            r = btrfs_decompress(fs, comp, cbuf, dbytes, rbuf, ram);
        free(cbuf);
        if (r < 0)
            return r;
        fs->zc_bytenr = dbytenr;
        fs->zc_len = dbytes;
        fs->zc_type = comp;
        fs->zc_ram = ram;
    }
    memcpy(buf, fs->zc_buf + eoff + from, len);
    return 0;
bad:
    return pb_error(PB_EBADFS, "btrfs: %s: inode %llu: extent item out of bounds", devname(fs),
                    (unsigned long long)n->ino);
}

/* Read [off, off+len) of @n (caller clamps to the size). */
static int btrfs_read_data(struct btrfs_fs *fs, struct btrfs_node *n, uint64_t off, size_t len,
                           uint8_t *buf)
{
    struct bt_path p = { 0 };
    struct bt_key k = { n->ino, BTRFS_EXTENT_DATA, off };
    int r = bt_search_le(fs, n->tbytenr, n->tlevel, &k, &p);
    if (r < 0)
        goto out;
    r = (p.slot[0] < 0) ? bt_next(fs, &p) : 1;
    uint64_t pos = off, end = off + len;
    for (unsigned iter = 0; r == 1 && pos < end; iter++) {
        struct bt_key ik;
        const uint8_t *d = NULL;
        uint32_t sz = 0;
        if (iter > BTRFS_MAX_ITER) {
            r = pb_error(PB_EBADFS, "btrfs: %s: inode %llu: too many extents", devname(fs),
                         (unsigned long long)n->ino);
            break;
        }
        r = bt_item(fs, &p, &ik, &d, &sz);
        if (r < 0)
            break;
        if (ik.objectid > n->ino || (ik.objectid == n->ino && ik.type > BTRFS_EXTENT_DATA))
            break;
        if (ik.objectid == n->ino && ik.type == BTRFS_EXTENT_DATA) {
            if (sz < 21 || (d[20] != 0 && sz < 53) || d[20] > 2) {
                r = pb_error(PB_EBADFS, "btrfs: %s: inode %llu: bad extent item at %llu",
                             devname(fs), (unsigned long long)n->ino,
                             (unsigned long long)ik.offset);
                break;
            }
            uint64_t elen;
            if (d[20] == 0)
                elen = d[16] ? pb_le64(d + 8) : sz - 21u;
            else
                elen = pb_le64(d + 45);
            uint64_t estart = ik.offset, eend = estart + elen;
            if (eend < estart) {
                r = pb_error(PB_EBADFS, "btrfs: %s: inode %llu: extent length overflow",
                             devname(fs), (unsigned long long)n->ino);
                break;
            }
            if (estart > pos) { /* hole */
                uint64_t h = (estart < end ? estart : end) - pos;
                memset(buf + (pos - off), 0, h);
                pos += h;
            }
            if (pos < end && pos < eend && pos >= estart) {
                uint64_t c = (eend < end ? eend : end) - pos;
                r = btrfs_extent_copy(fs, n, d, sz, pos - estart, c, buf + (pos - off));
                if (r < 0)
                    break;
                pos += c;
            }
        }
        r = bt_next(fs, &p);
    }
    if (r >= 0) {
        if (pos < end) /* trailing hole */
            memset(buf + (pos - off), 0, end - pos);
        r = 0;
    }
out:
    path_free(&p);
    return r;
}

/* --------------------------------------------------------------- ops --- */

static enum pb_ftype btrfs_mode_type(uint32_t mode)
{
    switch (mode & S_IFMT_) {
    case S_IFDIR_: return PB_FT_DIR;
    case S_IFREG_: return PB_FT_REG;
    case S_IFLNK_: return PB_FT_LNK;
    default: return PB_FT_OTHER;
    }
}

static void btrfs_unmount(struct pb_fs *pfs)
{
    struct btrfs_fs *fs = (struct btrfs_fs *)pfs;
    if (!fs)
        return;
    free(fs->chunks);
    free(fs->default_path);
    free(fs->default_err);
    free(fs->zc_buf);
    free(fs->dbuf);
    free(fs->dcsum);
    free(fs->dhave);
    free(fs);
}

/* Path of inode @ino inside tree (@bytenr,@level) up to @dirid, appended
 * in front of *@path (components separated by '/'). */
static int btrfs_prepend(char **path, const char *name, size_t len)
{
    size_t old = *path ? strlen(*path) : 0;
    char *n = malloc(len + 1 + old + 1);
    if (!n)
        return pb_error(PB_ENOMEM, "btrfs: out of memory");
    memcpy(n, name, len);
    if (old) {
        n[len] = '/';
        memcpy(n + len + 1, *path, old + 1);
    } else {
        n[len] = 0;
    }
    free(*path);
    *path = n;
    return 0;
}

/* Path of subvolume @id from the top level, via ROOT_BACKREF and INODE_REF. */
static int btrfs_subvol_path(struct btrfs_fs *fs, uint64_t id, char **out)
{
    char *path = NULL;
    int r = 0;
    for (unsigned depth = 0; id != BTRFS_FS_TREE; depth++) {
        if (depth > 64) {
            r = pb_error(PB_EBADFS, "btrfs: %s: subvolume nesting too deep", devname(fs));
            break;
        }
        struct bt_path p = { 0 };
        struct bt_key k = { id, BTRFS_ROOT_BACKREF, 0 }, got;
        const uint8_t *d;
        uint32_t sz;
        r = bt_search_ge(fs, fs->root_tree, fs->root_level, &k, &p);
        if (r == 1)
            r = bt_item(fs, &p, &got, &d, &sz);
        else if (r == 0)
            r = PB_ENOENT;
        if (r == 0 && (got.objectid != id || got.type != BTRFS_ROOT_BACKREF))
            r = PB_ENOENT;
        if (r == 0 && (sz < 18 || pb_le16(d + 16) > sz - 18))
            r = pb_error(PB_EBADFS, "btrfs: %s: bad root backref of %llu", devname(fs),
                         (unsigned long long)id);
        uint64_t parent = got.offset, dirid = 0;
        if (r == 0) {
            dirid = pb_le64(d);
            r = btrfs_prepend(&path, (const char *)d + 18, pb_le16(d + 16));
        }
        path_free(&p);
        if (r == PB_ENOENT)
            r = pb_error(PB_EBADFS, "btrfs: %s: subvolume %llu has no back reference",
                         devname(fs), (unsigned long long)id);
        if (r < 0)
            break;
        /* directories between the parent's root and the link */
        uint64_t pbytenr, pdirid;
        uint8_t plevel;
        r = btrfs_find_root(fs, parent, &pbytenr, &plevel, &pdirid);
        for (unsigned up = 0; r == 0 && dirid != pdirid; up++) {
            if (up > 256) {
                r = pb_error(PB_EBADFS, "btrfs: %s: directory nesting too deep", devname(fs));
                break;
            }
            struct bt_key rk = { dirid, BTRFS_INODE_REF, 0 };
            r = bt_search_ge(fs, pbytenr, plevel, &rk, &p);
            if (r == 1)
                r = bt_item(fs, &p, &got, &d, &sz);
            else if (r == 0)
                r = PB_ENOENT;
            if (r == 0 && (got.objectid != dirid || got.type != BTRFS_INODE_REF || sz < 10 ||
                           pb_le16(d + 8) > sz - 10))
                r = pb_error(PB_EBADFS, "btrfs: %s: inode %llu has no name", devname(fs),
                             (unsigned long long)dirid);
            if (r == 0) {
                r = btrfs_prepend(&path, (const char *)d + 10, pb_le16(d + 8));
                dirid = got.offset;
            }
            path_free(&p);
        }
        if (r < 0)
            break;
        id = parent;
    }
    if (r < 0) {
        free(path);
        return r;
    }
    *out = path;
    return 0;
}

/* The default subvolume: DIR_ITEM "default" in the root tree directory. */
static int btrfs_default_subvol(struct btrfs_fs *fs, uint64_t *id)
{
    struct bt_key k = { BTRFS_ROOT_TREE_DIR, BTRFS_DIR_ITEM, btrfs_name_hash("default", 7) };
    uint8_t *d;
    uint32_t sz;
    *id = BTRFS_FS_TREE;
    int r = bt_lookup(fs, fs->root_tree, fs->root_level, &k, &d, &sz);
    if (r == PB_ENOENT)
        return 0;
    if (r < 0)
        return r;
    for (uint32_t pos = 0; pos + 30 <= sz;) {
        uint32_t dl = pb_le16(d + pos + 25), nl = pb_le16(d + pos + 27);
        if (nl > sz - pos - 30 || dl > sz - pos - 30 - nl)
            break;
        if (nl == 7 && !memcmp(d + pos + 30, "default", 7)) {
            *id = pb_le64(d + pos);
            if (*id == 0)
                *id = BTRFS_FS_TREE;
            break;
        }
        pos += 30 + nl + dl;
    }
    free(d);
    return 0;
}

/*
 * Check the checksum of the primary superblock @sb (read at 64 KiB, magic
 * already matched).  A bad one is replaced by the valid mirror (64 MiB,
 * 256 GiB: magic, bytenr equal to its offset, crc32c) with the highest
 * generation; with none valid, a checksum error unless fs_ignore_checksums.
 * A checksum type other than crc32c is refused naming it (same switch).
 * Sets fs->csum_check.
 */
static int btrfs_check_super(struct btrfs_fs *fs, uint8_t *sb)
{
    static const uint64_t mirrors[] = { 64ull << 20, 256ull << 30 };
    unsigned type = pb_le16(sb + 0xc4);
    if (type != BTRFS_CSUM_CRC32C) {
        if (pb_fs_ignore_checksums())
            return 0;
        return pb_error(PB_ENOTSUP,
                        "btrfs: %s: checksum type %s (%u) is not supported, only crc32c "
                        "(set fs_ignore_checksums=1 to read without checking)",
                        devname(fs), btrfs_csum_name(type), type);
    }
    fs->csum_check = true;
    if (btrfs_crc_ok(sb + BTRFS_CSUM_SIZE, BTRFS_SUPER_SIZE - BTRFS_CSUM_SIZE, sb))
        return 0;
    uint8_t *m = malloc(BTRFS_SUPER_SIZE);
    if (!m)
        return pb_error(PB_ENOMEM, "btrfs: out of memory");
    bool found = false;
    uint64_t gen = 0;
    for (size_t i = 0; i < sizeof mirrors / sizeof mirrors[0]; i++) {
        uint64_t off = mirrors[i];
        if (off + BTRFS_SUPER_SIZE > fs->devsize)
            break;
        if (btrfs_dev_read(fs, off, BTRFS_SUPER_SIZE, m) < 0) {
            pb_error_clear();
            continue;
        }
        if (memcmp(m + 0x40, BTRFS_MAGIC, 8) != 0 || pb_le64(m + 0x30) != off ||
            pb_le16(m + 0xc4) != BTRFS_CSUM_CRC32C ||
            !btrfs_crc_ok(m + BTRFS_CSUM_SIZE, BTRFS_SUPER_SIZE - BTRFS_CSUM_SIZE, m))
            continue;
        if (!found || pb_le64(m + 0x48) > gen) {
            memcpy(sb, m, BTRFS_SUPER_SIZE);
            gen = pb_le64(m + 0x48);
            found = true;
        }
    }
    free(m);
    if (found)
        return 0;
    return pb_fs_csum_mismatch("btrfs", fs->base.dev, "superblock at %u (and no valid mirror)",
                               BTRFS_SUPER_OFFSET);
}

/** btrfs_mount() - probe and mount btrfs on @dev (superblock at 64 KiB).
 *  PB_ENOENT if there is no btrfs magic, PB_EBADFS/PB_ENOTSUP otherwise. */
static int btrfs_mount(struct pb_device *dev, struct pb_fs **fsp)
{
    uint64_t devsize = dev->nr_sectors << PB_SECTOR_SHIFT;
    if (devsize < BTRFS_SUPER_OFFSET + BTRFS_SUPER_SIZE)
        return PB_ENOENT;
    uint8_t *sb = malloc(BTRFS_SUPER_SIZE);
    if (!sb)
        return pb_error(PB_ENOMEM, "btrfs: out of memory");
    int r = pb_device_read(dev, BTRFS_SUPER_OFFSET, BTRFS_SUPER_SIZE, sb);
    if (r < 0) {
        free(sb);
        return r;
    }
    if (memcmp(sb + 0x40, BTRFS_MAGIC, 8) != 0) {
        free(sb);
        return PB_ENOENT;
    }
    struct btrfs_fs *fs = calloc(1, sizeof(*fs));
    if (!fs) {
        free(sb);
        return pb_error(PB_ENOMEM, "btrfs: out of memory");
    }
    fs->base.dev = dev;
    fs->devsize = devsize;
    r = btrfs_check_super(fs, sb);
    if (r < 0)
        goto fail;
    fs->sectorsize = pb_le32(sb + 0x90);
    fs->nodesize = pb_le32(sb + 0x94);
    fs->root_tree = pb_le64(sb + 0x50);
    fs->root_level = sb[0xc6];
    uint64_t chunk_root = pb_le64(sb + 0x58);
    uint8_t chunk_level = sb[0xc7];
    uint32_t sysarr = pb_le32(sb + 0xa0);
    uint64_t incompat = pb_le64(sb + 0xbc);
    fs->devid = pb_le64(sb + 0xc9);
    const char *why = NULL;
    if (fs->sectorsize < 512 || fs->sectorsize > 65536 || (fs->sectorsize & (fs->sectorsize - 1)))
        why = "sector size";
    else if (fs->nodesize < 4096 || fs->nodesize > 65536 || (fs->nodesize & (fs->nodesize - 1)))
        why = "node size";
    else if (sysarr > 2048)
        why = "system chunk array size";
    else if (fs->root_level >= BTRFS_MAX_LEVEL || chunk_level >= BTRFS_MAX_LEVEL)
        why = "tree level";
    if (why) {
        r = pb_error(PB_EBADFS, "btrfs: %s: bad superblock (%s)", dev->name, why);
        goto fail;
    }
    if (incompat & (BTRFS_INCOMPAT_EXTENT_TREE_V2 | BTRFS_INCOMPAT_RAID_STRIPE_TREE)) {
        r = pb_error(PB_ENOTSUP, "btrfs: %s: unsupported incompatible features 0x%llx",
                     dev->name, (unsigned long long)incompat);
        goto fail;
    }
    memcpy(fs->meta_fsid, (incompat & BTRFS_INCOMPAT_METADATA_UUID) ? sb + 0x23b : sb + 0x20, 16);
    const uint8_t *u = sb + 0x20;
    pb_uuid_format(fs->base.uuid, sizeof fs->base.uuid, u);
    size_t ll = strnlen((const char *)sb + 0x12b, 255);
    memcpy(fs->base.label, sb + 0x12b, ll);
    fs->base.label[ll] = 0;

    /* system chunk array: (disk key, chunk item)* */
    const uint8_t *a = sb + 0x32b;
    for (uint32_t pos = 0; pos < sysarr;) {
        if (sysarr - pos < 17 + 48) {
            r = pb_error(PB_EBADFS, "btrfs: %s: system chunk array truncated", dev->name);
            goto fail;
        }
        struct bt_key k;
        read_key(a + pos, &k);
        unsigned ns = pb_le16(a + pos + 17 + 44);
        uint32_t isz = 48 + 32 * ns;
        if (k.type != BTRFS_CHUNK_ITEM || ns == 0 || isz > sysarr - pos - 17) {
            r = pb_error(PB_EBADFS, "btrfs: %s: bad system chunk array entry at %u", dev->name,
                         pos);
            goto fail;
        }
        r = btrfs_add_chunk(fs, k.offset, a + pos + 17, isz);
        if (r < 0)
            goto fail;
        pos += 17 + isz;
    }
    free(sb);
    sb = NULL;

    /* chunk tree */
    {
        struct bt_path p = { 0 };
        struct bt_key k = { 0, 0, 0 };
        r = bt_search_ge(fs, chunk_root, chunk_level, &k, &p);
        for (unsigned i = 0; r == 1; i++) {
            struct bt_key ik;
            const uint8_t *d;
            uint32_t sz;
            if (i > BTRFS_MAX_ITER) {
                r = pb_error(PB_EBADFS, "btrfs: %s: chunk tree too large", dev->name);
                break;
            }
            r = bt_item(fs, &p, &ik, &d, &sz);
            if (r == 0 && ik.type == BTRFS_CHUNK_ITEM)
                r = btrfs_add_chunk(fs, ik.offset, d, sz);
            if (r == 0)
                r = bt_next(fs, &p);
        }
        path_free(&p);
        if (r < 0)
            goto fail;
    }
    r = btrfs_find_root(fs, BTRFS_FS_TREE, &fs->top_bytenr, &fs->top_level, &fs->top_dirid);
    if (r < 0)
        goto fail;
    if (fs->csum_check) {
        uint64_t unused;
        r = btrfs_root_item(fs, BTRFS_CSUM_TREE, &fs->csum_bytenr, &fs->csum_level, &unused);
        if (r == PB_ENOENT)
            fs->csum_bytenr = 0, r = 0;
        if (r < 0)
            goto fail;
    }
    r = btrfs_default_subvol(fs, &fs->default_id);
    fs->def_bytenr = fs->top_bytenr;
    fs->def_level = fs->top_level;
    fs->def_dirid = fs->top_dirid;
    if (r == 0 && fs->default_id != BTRFS_FS_TREE) {
        /* A damaged default subvolume (no root item, broken back
         * references) only fails btrfs_relative_path lookups: the top
         * level stays readable, as upstream GRUB reads it. */
        int d = btrfs_subvol_path(fs, fs->default_id, &fs->default_path);
        if (d == 0)
            d = btrfs_find_root(fs, fs->default_id, &fs->def_bytenr, &fs->def_level,
                                &fs->def_dirid);
        if (d == PB_ENOMEM) {
            r = d;
        } else if (d < 0) {
            free(fs->default_path);
            fs->default_path = NULL;
            fs->default_err = strdup(pb_errmsg());
            pb_error_clear();
            if (!fs->default_err)
                r = pb_error(PB_ENOMEM, "btrfs: out of memory");
        }
    }
    if (r < 0)
        goto fail;
    *fsp = &fs->base;
    return 0;
fail:
    free(sb);
    btrfs_unmount(&fs->base);
    return r;
}

/** btrfs_relative_mode() - true while the GRUB variable btrfs_relative_path
 *  starts with 'y' or '1' (the test SUSE's grub2-btrfs-03-follow_default
 *  patch makes in find_path()): paths then start at the default subvolume. */
static bool btrfs_relative_mode(void)
{
    const char *v = pb_env_get("btrfs_relative_path");
    return v && (v[0] == 'y' || v[0] == '1');
}

/** btrfs_root() - the directory a path starts from: the top-level FS tree's
 *  root directory, or the default subvolume's while btrfs_relative_mode().
 *  Errors: PB_ENOMEM, PB_EBADFS (no inode item for the root directory; in
 *  relative mode, a default subvolume that could not be resolved at mount). */
static int btrfs_root(struct pb_fs *pfs, struct pb_node **out)
{
    struct btrfs_fs *fs = (struct btrfs_fs *)pfs;
    struct btrfs_node *n = NULL;
    int r;
    bool rel = fs->default_id != BTRFS_FS_TREE && btrfs_relative_mode();
    if (rel && fs->default_err)
        return pb_error(PB_EBADFS, "btrfs: %s: btrfs_relative_path: default subvolume %llu: %s",
                        devname(fs), (unsigned long long)fs->default_id, fs->default_err);
    if (rel)
        r = btrfs_make_node(fs, fs->default_id, fs->def_bytenr, fs->def_level, fs->def_dirid, &n);
    else
        r = btrfs_make_node(fs, BTRFS_FS_TREE, fs->top_bytenr, fs->top_level, fs->top_dirid, &n);
    if (r < 0)
        return r;
    *out = &n->base;
    return 0;
}

static int btrfs_lookup(struct pb_fs *pfs, struct pb_node *dir, const char *name, size_t namelen,
                        struct pb_node **out)
{
    struct btrfs_fs *fs = (struct btrfs_fs *)pfs;
    struct btrfs_node *d = (struct btrfs_node *)dir;
    if ((d->mode & S_IFMT_) != S_IFDIR_)
        return pb_error(PB_ENOTDIR, "btrfs: %s: inode %llu is not a directory", devname(fs),
                        (unsigned long long)d->ino);
    struct bt_key k = { d->ino, BTRFS_DIR_ITEM, btrfs_name_hash(name, namelen) };
    uint8_t *it;
    uint32_t sz;
    int r = bt_lookup(fs, d->tbytenr, d->tlevel, &k, &it, &sz);
    if (r == PB_ENOENT)
        return pb_error(PB_ENOENT, "btrfs: %s: '%.*s' not found", devname(fs), (int)namelen,
                        name);
    if (r < 0)
        return r;
    r = PB_ENOENT;
    for (uint32_t pos = 0; pos + 30 <= sz;) {
        uint32_t dl = pb_le16(it + pos + 25), nl = pb_le16(it + pos + 27);
        if (nl > sz - pos - 30 || dl > sz - pos - 30 - nl) {
            r = pb_error(PB_EBADFS, "btrfs: %s: dir %llu: damaged dir item", devname(fs),
                         (unsigned long long)d->ino);
            break;
        }
        if (nl == namelen && !memcmp(it + pos + 30, name, namelen)) {
            struct bt_key loc;
            read_key(it + pos, &loc);
            struct btrfs_node *n;
            r = btrfs_node_at(fs, d, &loc, &n);
            if (r == 0)
                *out = &n->base;
            break;
        }
        pos += 30 + nl + dl;
    }
    free(it);
    if (r == PB_ENOENT)
        return pb_error(PB_ENOENT, "btrfs: %s: '%.*s' not found", devname(fs), (int)namelen,
                        name);
    return r;
}

static int btrfs_readdir(struct pb_fs *pfs, struct pb_node *dir,
                         int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx),
                         void *ctx)
{
    struct btrfs_fs *fs = (struct btrfs_fs *)pfs;
    struct btrfs_node *d = (struct btrfs_node *)dir;
    if ((d->mode & S_IFMT_) != S_IFDIR_)
        return pb_error(PB_ENOTDIR, "btrfs: %s: inode %llu is not a directory", devname(fs),
                        (unsigned long long)d->ino);
    struct bt_path p = { 0 };
    struct bt_key k = { d->ino, BTRFS_DIR_INDEX, 0 };
    int r = bt_search_ge(fs, d->tbytenr, d->tlevel, &k, &p);
    char name[256];
    for (unsigned i = 0; r == 1; i++) {
        struct bt_key ik;
        const uint8_t *it = NULL;
        uint32_t sz = 0;
        if (i > BTRFS_MAX_ITER) {
            r = pb_error(PB_EBADFS, "btrfs: %s: dir %llu too large", devname(fs),
                         (unsigned long long)d->ino);
            break;
        }
        r = bt_item(fs, &p, &ik, &it, &sz);
        if (r < 0)
            break;
        if (ik.objectid != d->ino || ik.type != BTRFS_DIR_INDEX)
            break;
        uint32_t nl = sz >= 30 ? pb_le16(it + 27) : 0;
        if (sz < 30 || nl == 0 || nl > 255 || nl > sz - 30) {
            r = pb_error(PB_EBADFS, "btrfs: %s: dir %llu: damaged index entry %llu", devname(fs),
                         (unsigned long long)d->ino, (unsigned long long)ik.offset);
            break;
        }
        memcpy(name, it + 30, nl);
        name[nl] = 0;
        enum pb_ftype t;
        switch (it[29]) {
        case 1: t = PB_FT_REG; break;
        case 2: t = PB_FT_DIR; break;
        case 7: t = PB_FT_LNK; break;
        default: t = PB_FT_OTHER; break;
        }
        if (cb(name, nl, t, ctx)) {
            r = 0;
            break;
        }
        r = bt_next(fs, &p);
    }
    path_free(&p);
    return r < 0 ? r : 0;
}

static int btrfs_stat(struct pb_fs *pfs, struct pb_node *node, struct pb_stat *st)
{
    (void)pfs;
    struct btrfs_node *n = (struct btrfs_node *)node;
    memset(st, 0, sizeof(*st));
    st->type = btrfs_mode_type(n->mode);
    st->size = n->size;
    st->mtime = n->mtime;
    st->ino = n->ino;
    st->mode = n->mode;
    return 0;
}

static int64_t btrfs_read(struct pb_fs *pfs, struct pb_node *node, uint64_t off, size_t len,
                          void *buf)
{
    struct btrfs_fs *fs = (struct btrfs_fs *)pfs;
    struct btrfs_node *n = (struct btrfs_node *)node;
    if ((n->mode & S_IFMT_) == S_IFDIR_)
        return pb_error(PB_EISDIR, "btrfs: %s: inode %llu is a directory", devname(fs),
                        (unsigned long long)n->ino);
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = (size_t)(n->size - off);
    if (len > INT64_MAX)
        len = INT64_MAX;
    int r = btrfs_read_data(fs, n, off, len, buf);
    return r < 0 ? r : (int64_t)len;
}

static int btrfs_readlink(struct pb_fs *pfs, struct pb_node *node, char *buf, size_t bufsize)
{
    struct btrfs_fs *fs = (struct btrfs_fs *)pfs;
    struct btrfs_node *n = (struct btrfs_node *)node;
    if ((n->mode & S_IFMT_) != S_IFLNK_)
        return pb_error(PB_EINVAL, "btrfs: %s: inode %llu is not a symlink", devname(fs),
                        (unsigned long long)n->ino);
    if (n->size == 0 || n->size + 1 > bufsize || n->size > 4096)
        return pb_error(PB_ERANGE, "btrfs: %s: symlink inode %llu: length %llu", devname(fs),
                        (unsigned long long)n->ino, (unsigned long long)n->size);
    int r = btrfs_read_data(fs, n, 0, (size_t)n->size, (uint8_t *)buf);
    if (r < 0)
        return r;
    buf[n->size] = 0;
    if (memchr(buf, 0, (size_t)n->size))
        return pb_error(PB_EBADFS, "btrfs: %s: symlink inode %llu: NUL in target", devname(fs),
                        (unsigned long long)n->ino);
    return (int)n->size;
}

static void btrfs_release(struct pb_fs *pfs, struct pb_node *node)
{
    (void)pfs;
    free(node);
}

static struct pb_fs_ops btrfs_ops = {
    .name = "btrfs",
    .mount = btrfs_mount,
    .unmount = btrfs_unmount,
    .root = btrfs_root,
    .lookup = btrfs_lookup,
    .readdir = btrfs_readdir,
    .stat = btrfs_stat,
    .read = btrfs_read,
    .readlink = btrfs_readlink,
    .release = btrfs_release,
};

const char *pb_btrfs_default_subvol(const struct pb_fs *pfs)
{
    if (!pfs || pfs->ops != &btrfs_ops)
        return NULL;
    return ((const struct btrfs_fs *)pfs)->default_path;
}

/** pvboot_init_btrfs() - register the btrfs filesystem type. */
void pvboot_init_btrfs(void);
void pvboot_init_btrfs(void)
{
    pb_fs_register(&btrfs_ops);
}
