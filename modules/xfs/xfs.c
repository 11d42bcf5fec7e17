/* SPDX-License-Identifier: MIT */
/*
 * xfs: read-only XFS (v4 and v5/CRC).
 *
 * Written from the on-disk format description (kernel Documentation
 * filesystems/xfs-*, xfs_format.h / xfs_da_format.h facts).  Supports:
 *   - superblock v4 (dir v2) and v5 (crc), ftype, bigtime, inobtcount,
 *     nrext64 (64-bit data extent counters), sparse inodes, reflink,
 *     finobt/rmapbt (irrelevant for reading), ascii-ci names;
 *   - data forks in extent-list and B+tree (BMAP/BMA3) format, unwritten
 *     extents and holes read as zeros;
 *   - directories: shortform (in inode), block (XD2B/XDB3), and leaf, node
 *     and btree directories whose data blocks (XD2D/XDD3) are scanned
 *     linearly (the hash index blocks above XFS_DIR2_LEAF_OFFSET are not
 *     needed for a correct lookup);
 *   - symlinks, local and remote (v5 XSLM headers).
 * Not supported: realtime files (refused per file), v1 directories.
 * v5 CRCs (include/pvboot/crc32c.h: ~crc32c(~0) over the structure with its
 * crc field as zeros, stored little-endian) are verified for the superblock
 * (sb_crc at 224 over sb_sectsize bytes), inodes (di_crc at 100 over the
 * inode size), bmap btree blocks (crc at 64 over the block) and directory
 * data/block blocks (crc at 4 over the directory block); a mismatch is an
 * error naming the structure unless fs_ignore_checksums is set (pvboot(7)).
 * The AGF/AGI headers are never read.  Magic numbers, self-describing inode
 * numbers (v3 inodes) and every length/offset are checked too.
 *
 * Everything on disk is big-endian.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "pvboot/crc32c.h"

#include "pvboot/disk.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/fsconv.h"

#define XFS_SB_MAGIC 0x58465342u        /* "XFSB" */
#define XFS_DINODE_MAGIC 0x494eu        /* "IN" */
#define XFS_BMAP_MAGIC 0x424d4150u      /* "BMAP" */
#define XFS_BMAP_CRC_MAGIC 0x424d4133u  /* "BMA3" */
#define XFS_DIR2_BLOCK_MAGIC 0x58443242u /* "XD2B" */
#define XFS_DIR2_DATA_MAGIC 0x58443244u  /* "XD2D" */
#define XFS_DIR3_BLOCK_MAGIC 0x58444233u /* "XDB3" */
#define XFS_DIR3_DATA_MAGIC 0x58444433u  /* "XDD3" */
#define XFS_SYMLINK_MAGIC 0x58534c4du    /* "XSLM" */

/* sb_versionnum */
#define XFS_SB_VERSION_NUMBITS 0x000f
#define XFS_SB_VERSION_DIRV2BIT 0x2000
#define XFS_SB_VERSION_BORGBIT 0x4000   /* ascii-ci */
#define XFS_SB_VERSION_MOREBITSBIT 0x8000
/* sb_features2 */
#define XFS_SB_VERSION2_FTYPE 0x00000200
/* sb_features_incompat (v5) */
#define XFS_SB_FEAT_INCOMPAT_FTYPE 0x1
#define XFS_SB_FEAT_INCOMPAT_SPINODES 0x2
#define XFS_SB_FEAT_INCOMPAT_META_UUID 0x4
#define XFS_SB_FEAT_INCOMPAT_BIGTIME 0x8
#define XFS_SB_FEAT_INCOMPAT_NEEDSREPAIR 0x10
#define XFS_SB_FEAT_INCOMPAT_NREXT64 0x20
#define XFS_SB_FEAT_INCOMPAT_EXCHRANGE 0x40
#define XFS_SB_FEAT_INCOMPAT_PARENT 0x80
#define XFS_SB_FEAT_INCOMPAT_SUPPORTED                                                  \
    (XFS_SB_FEAT_INCOMPAT_FTYPE | XFS_SB_FEAT_INCOMPAT_SPINODES |                       \
     XFS_SB_FEAT_INCOMPAT_META_UUID | XFS_SB_FEAT_INCOMPAT_BIGTIME |                    \
     XFS_SB_FEAT_INCOMPAT_NEEDSREPAIR | XFS_SB_FEAT_INCOMPAT_NREXT64 |                  \
     XFS_SB_FEAT_INCOMPAT_EXCHRANGE | XFS_SB_FEAT_INCOMPAT_PARENT)

/* di_format */
#define XFS_DINODE_FMT_DEV 0
#define XFS_DINODE_FMT_LOCAL 1
#define XFS_DINODE_FMT_EXTENTS 2
#define XFS_DINODE_FMT_BTREE 3
/* di_flags / di_flags2 */
#define XFS_DIFLAG_REALTIME 0x0001
#define XFS_DIFLAG2_BIGTIME 0x0008
#define XFS_DIFLAG2_NREXT64 0x0010

#define XFS_DIR2_LEAF_OFFSET (32ull << 30) /* bytes: start of the leaf/hash space */
#define XFS_BIGTIME_EPOCH_OFFSET 2147483648ll
#define XFS_MAX_EXTENTS (1u << 24)          /* our bound on a file's extent list */
#define XFS_SYMLINK_MAXLEN 1024

#define S_IFMT_ 0170000
#define S_IFDIR_ 0040000
#define S_IFREG_ 0100000
#define S_IFLNK_ 0120000

struct xfs_ext {
    uint64_t off;    /* file offset, fs blocks */
    uint64_t block;  /* start, fs block number (AG-encoded) */
    uint64_t count;  /* fs blocks */
    bool unwritten;
};

struct xfs_fs {
    struct pb_fs base;
    uint32_t bs;            /* block size, bytes */
    uint8_t blocklog;
    uint32_t agblocks;
    uint32_t agcount;
    uint8_t agblklog;
    uint16_t inodesize;
    uint8_t inopblog;
    uint32_t dirblksize;    /* bytes */
    uint8_t dirblklog;
    uint64_t rootino;
    bool v5;
    bool ftype;
    bool ascii_ci;
    uint64_t devsize;       /* bytes */
};

struct xfs_node {
    struct pb_node base;
    uint64_t ino;
    uint8_t *core;          /* the whole on-disk inode (inodesize bytes) */
    uint16_t mode;
    uint8_t format;
    uint16_t flags;
    uint64_t flags2;
    uint64_t size;
    uint64_t nextents;
    uint32_t coresize;      /* 100 (v1/v2) or 176 (v3) */
    uint32_t forksize;      /* data fork bytes */
    struct xfs_ext *ext;    /* loaded lazily */
    size_t next;
    bool ext_loaded;
};

static const char *devname(struct xfs_fs *fs) { return fs->base.dev->name; }

/* ---------------------------------------------------------- checksums --- */

/* Does the v5 CRC at byte @crc_off of the @len bytes at @b match? */
static bool xfs_crc_ok(const uint8_t *b, size_t len, size_t crc_off)
{
    static const uint8_t zero[4];
    uint32_t c = pb_crc32c(~0u, b, crc_off);
    c = pb_crc32c(c, zero, 4);
    c = pb_crc32c(c, b + crc_off + 4, len - crc_off - 4);
    return pb_le32(b + crc_off) == ~c;
}

#define xfs_csum_mismatch(fs, ...) pb_fs_csum_mismatch("xfs", (fs)->base.dev, __VA_ARGS__)

/* ---------------------------------------------------------------- I/O --- */

/* Read @len bytes at byte @off of the device, bounds-checked. */
static int xfs_dev_read(struct xfs_fs *fs, uint64_t off, size_t len, void *buf, const char *what)
{
    if (off > fs->devsize || len > fs->devsize - off)
        return pb_error(PB_EBADFS, "xfs: %s: %s at byte %llu (+%zu) is beyond the device",
                        devname(fs), what, (unsigned long long)off, len);
    return pb_device_read(fs->base.dev, off, len, buf);
}

/*
 * Convert an AG-encoded fs block number (+ @count blocks that must stay in
 * the same AG) to a device byte offset.  PB_EBADFS when out of range.
 */
static int xfs_fsb_to_byte(struct xfs_fs *fs, uint64_t fsb, uint64_t count, uint64_t *out)
{
    uint64_t agno = fsb >> fs->agblklog;
    uint64_t agbno = fsb & ((1ull << fs->agblklog) - 1);
    if (agno >= fs->agcount || agbno >= fs->agblocks || count > fs->agblocks - agbno)
        return pb_error(PB_EBADFS, "xfs: %s: block %llu (+%llu) outside the allocation groups",
                        devname(fs), (unsigned long long)fsb, (unsigned long long)count);
    *out = ((agno * fs->agblocks) + agbno) << fs->blocklog;
    return 0;
}

/* ------------------------------------------------------------- inodes --- */

static void xfs_node_free(struct xfs_node *n)
{
    if (!n)
        return;
    free(n->core);
    free(n->ext);
    free(n);
}

/* Read and validate inode @ino. */
static int xfs_read_inode(struct xfs_fs *fs, uint64_t ino, struct xfs_node **out)
{
    uint64_t agno = ino >> (fs->agblklog + fs->inopblog);
    uint64_t agbno = (ino >> fs->inopblog) & ((1ull << fs->agblklog) - 1);
    uint64_t idx = ino & ((1ull << fs->inopblog) - 1);
    if (agno >= fs->agcount || agbno >= fs->agblocks)
        return pb_error(PB_EBADFS, "xfs: %s: inode number %llu out of range", devname(fs),
                        (unsigned long long)ino);
    uint64_t off = ((agno * fs->agblocks + agbno) << fs->blocklog) + idx * fs->inodesize;

    struct xfs_node *n = calloc(1, sizeof(*n));
    if (!n)
        return pb_error(PB_ENOMEM, "xfs: out of memory");
    n->core = malloc(fs->inodesize);
    if (!n->core) {
        free(n);
        return pb_error(PB_ENOMEM, "xfs: out of memory");
    }
    int r = xfs_dev_read(fs, off, fs->inodesize, n->core, "inode");
    if (r < 0) {
        xfs_node_free(n);
        return r;
    }
    const uint8_t *c = n->core;
    uint8_t version = c[4];
    if (pb_be16(c) != XFS_DINODE_MAGIC || version < 1 || version > 3 || (fs->v5 && version != 3)) {
        xfs_node_free(n);
        return pb_error(PB_EBADFS, "xfs: %s: inode %llu (byte %llu): bad magic/version",
                        devname(fs), (unsigned long long)ino, (unsigned long long)off);
    }
    if (version == 3 && !xfs_crc_ok(c, fs->inodesize, 100)) {
        r = xfs_csum_mismatch(fs, "inode %llu", (unsigned long long)ino);
        if (r < 0) {
            xfs_node_free(n);
            return r;
        }
    }
    n->base.fs = &fs->base;
    n->ino = ino;
    n->mode = pb_be16(c + 2);
    n->format = c[5];
    n->flags = pb_be16(c + 90);
    n->size = pb_be64(c + 56);
    n->coresize = version == 3 ? 176 : 100;
    if (version == 3) {
        n->flags2 = pb_be64(c + 120);
        uint64_t self = pb_be64(c + 152);
        if (self != ino) {
            xfs_node_free(n);
            return pb_error(PB_EBADFS, "xfs: %s: inode %llu: self-number mismatch (%llu)",
                            devname(fs), (unsigned long long)ino, (unsigned long long)self);
        }
    }
    if (n->flags2 & XFS_DIFLAG2_NREXT64)
        n->nextents = pb_be64(c + 24);
    else
        n->nextents = pb_be32(c + 76);
    uint32_t lit = fs->inodesize - n->coresize;
    uint32_t forkoff = (uint32_t)c[82] * 8;
    if (forkoff > lit) {
        xfs_node_free(n);
        return pb_error(PB_EBADFS, "xfs: %s: inode %llu: fork offset %u beyond %u",
                        devname(fs), (unsigned long long)ino, forkoff, lit);
    }
    n->forksize = forkoff ? forkoff : lit;
    if ((int64_t)n->size < 0) {
        xfs_node_free(n);
        return pb_error(PB_EBADFS, "xfs: %s: inode %llu: bad size", devname(fs),
                        (unsigned long long)ino);
    }
    *out = n;
    return 0;
}

static const uint8_t *xfs_fork(struct xfs_node *n) { return n->core + n->coresize; }

/* Decode one 16-byte bmbt record. */
static void xfs_decode_ext(const uint8_t *p, struct xfs_ext *e)
{
    uint64_t l0 = pb_be64(p), l1 = pb_be64(p + 8);
    e->unwritten = (l0 >> 63) != 0;
    e->off = (l0 & 0x7fffffffffffffffull) >> 9;
    e->block = ((l0 & 0x1ffull) << 43) | (l1 >> 21);
    e->count = l1 & 0x1fffff;
}

struct xfs_extload {
    struct xfs_fs *fs;
    struct xfs_node *n;
    struct xfs_ext *ext;
    size_t count, cap;
    uint64_t visits, max_visits;
    uint8_t *buf;
};

static int xfs_ext_push(struct xfs_extload *L, const uint8_t *rec)
{
    if (L->count >= L->cap)
        return pb_error(PB_EBADFS, "xfs: %s: inode %llu: more extents than its count %llu",
                        devname(L->fs), (unsigned long long)L->n->ino,
                        (unsigned long long)L->n->nextents);
    xfs_decode_ext(rec, &L->ext[L->count++]);
    return 0;
}

/* Walk a bmap btree block at @fsb expected at @level; records/pointers. */
static int xfs_bmbt_walk(struct xfs_extload *L, uint64_t fsb, unsigned level)
{
    struct xfs_fs *fs = L->fs;
    if (++L->visits > L->max_visits)
        return pb_error(PB_EBADFS, "xfs: %s: inode %llu: bmap btree too large or looped",
                        devname(fs), (unsigned long long)L->n->ino);
    uint64_t off = 0;
    int r = xfs_fsb_to_byte(fs, fsb, 1, &off);
    if (r < 0)
        return r;
    uint8_t *b = malloc(fs->bs);
    if (!b)
        return pb_error(PB_ENOMEM, "xfs: out of memory");
    r = xfs_dev_read(fs, off, fs->bs, b, "bmap btree block");
    if (r < 0)
        goto out;
    uint32_t hdr = fs->v5 ? 72 : 24;
    uint32_t magic = pb_be32(b);
    unsigned blevel = pb_be16(b + 4), nrecs = pb_be16(b + 6);
    uint32_t maxrecs = (fs->bs - hdr) / 16;
    if (magic != (fs->v5 ? XFS_BMAP_CRC_MAGIC : XFS_BMAP_MAGIC) || blevel != level ||
        nrecs > maxrecs || (fs->v5 && pb_be64(b + 56) != L->n->ino)) {
        r = pb_error(PB_EBADFS,
                     "xfs: %s: inode %llu: bad bmap btree block %llu (magic %08x level %u/%u "
                     "recs %u)", devname(fs), (unsigned long long)L->n->ino,
                     (unsigned long long)fsb, magic, blevel, level, nrecs);
        goto out;
    }
    if (fs->v5 && !xfs_crc_ok(b, fs->bs, 64)) {
        r = xfs_csum_mismatch(fs, "bmap btree block %llu of inode %llu", (unsigned long long)fsb,
                              (unsigned long long)L->n->ino);
        if (r < 0)
            goto out;
    }
    if (level == 0) {
        for (unsigned i = 0; i < nrecs && r == 0; i++)
            r = xfs_ext_push(L, b + hdr + 16 * i);
    } else {
        /* node: keys then pointers at hdr + maxrecs*8 */
        for (unsigned i = 0; i < nrecs && r == 0; i++)
            r = xfs_bmbt_walk(L, pb_be64(b + hdr + maxrecs * 8 + 8 * i), level - 1);
    }
out:
    free(b);
    return r;
}

/* Load the data fork's extent list (sorted, validated) into @n->ext. */
static int xfs_load_extents(struct xfs_fs *fs, struct xfs_node *n)
{
    if (n->ext_loaded)
        return 0;
    if (n->format != XFS_DINODE_FMT_EXTENTS && n->format != XFS_DINODE_FMT_BTREE)
        return pb_error(PB_EBADFS, "xfs: %s: inode %llu: data fork format %u has no extents",
                        devname(fs), (unsigned long long)n->ino, n->format);
    if (n->nextents > XFS_MAX_EXTENTS)
        return pb_error(PB_ENOTSUP, "xfs: %s: inode %llu: %llu extents (limit %u)",
                        devname(fs), (unsigned long long)n->ino,
                        (unsigned long long)n->nextents, XFS_MAX_EXTENTS);
    struct xfs_extload L = { .fs = fs, .n = n, .cap = n->nextents };
    L.ext = calloc(n->nextents ? n->nextents : 1, sizeof(*L.ext));
    if (!L.ext)
        return pb_error(PB_ENOMEM, "xfs: out of memory for %llu extents",
                        (unsigned long long)n->nextents);
    const uint8_t *f = xfs_fork(n);
    int r = 0;
    if (n->format == XFS_DINODE_FMT_EXTENTS) {
        if (n->nextents * 16 > n->forksize)
            r = pb_error(PB_EBADFS, "xfs: %s: inode %llu: %llu extents overflow the fork",
                         devname(fs), (unsigned long long)n->ino,
                         (unsigned long long)n->nextents);
        for (uint64_t i = 0; r == 0 && i < n->nextents; i++)
            r = xfs_ext_push(&L, f + 16 * i);
    } else {
        unsigned level = pb_be16(f), nrecs = pb_be16(f + 2);
        uint32_t maxrecs = n->forksize >= 4 ? (n->forksize - 4) / 16 : 0;
        if (level == 0 || level > 9 || nrecs > maxrecs) {
            r = pb_error(PB_EBADFS, "xfs: %s: inode %llu: bad bmap btree root (level %u, %u recs)",
                         devname(fs), (unsigned long long)n->ino, level, nrecs);
        }
        /* every leaf holds >= 1 extent; nodes are fewer than leaves per level */
        L.max_visits = 2 * n->nextents + 16;
        for (unsigned i = 0; r == 0 && i < nrecs; i++)
            r = xfs_bmbt_walk(&L, pb_be64(f + 4 + maxrecs * 8 + 8 * i), level - 1);
    }
    if (r == 0 && L.count != n->nextents)
        r = pb_error(PB_EBADFS, "xfs: %s: inode %llu: found %zu extents, inode says %llu",
                     devname(fs), (unsigned long long)n->ino, L.count,
                     (unsigned long long)n->nextents);
    for (size_t i = 0; r == 0 && i < L.count; i++) {
        struct xfs_ext *e = &L.ext[i];
        if (e->count == 0 || (i > 0 && e->off < L.ext[i - 1].off + L.ext[i - 1].count))
            r = pb_error(PB_EBADFS, "xfs: %s: inode %llu: extent %zu empty or out of order",
                         devname(fs), (unsigned long long)n->ino, i);
    }
    if (r < 0) {
        free(L.ext);
        return r;
    }
    n->ext = L.ext;
    n->next = L.count;
    n->ext_loaded = true;
    return 0;
}

/* Index of the extent holding file block @lblk, or of the first one after it
 * (== n->next if none). */
static size_t xfs_find_ext(struct xfs_node *n, uint64_t lblk)
{
    size_t lo = 0, hi = n->next;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (n->ext[mid].off + n->ext[mid].count <= lblk)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Read @len bytes at file byte @off through the extent map (no size
 * clamp); holes and unwritten extents read as zeros.
 */
static int xfs_read_mapped(struct xfs_fs *fs, struct xfs_node *n, uint64_t off, size_t len,
                           uint8_t *buf)
{
    if (n->format == XFS_DINODE_FMT_LOCAL) {
        if (off > n->forksize || len > n->forksize - off)
            return pb_error(PB_EBADFS, "xfs: %s: inode %llu: local data read beyond the fork",
                            devname(fs), (unsigned long long)n->ino);
        memcpy(buf, xfs_fork(n) + off, len);
        return 0;
    }
    int r = xfs_load_extents(fs, n);
    if (r < 0)
        return r;
    while (len > 0) {
        uint64_t lblk = off >> fs->blocklog;
        uint32_t inblk = (uint32_t)(off & (fs->bs - 1));
        size_t i = xfs_find_ext(n, lblk);
        size_t chunk;
        if (i >= n->next || n->ext[i].off > lblk) {
            /* hole up to the next extent */
            uint64_t end = i >= n->next ? UINT64_MAX : (n->ext[i].off << fs->blocklog);
            chunk = (end - off < len) ? (size_t)(end - off) : len;
            memset(buf, 0, chunk);
        } else {
            struct xfs_ext *e = &n->ext[i];
            uint64_t left = ((e->off + e->count - lblk) << fs->blocklog) - inblk;
            chunk = left < len ? (size_t)left : len;
            if (e->unwritten) {
                memset(buf, 0, chunk);
            } else {
                uint64_t nblk = (inblk + chunk + fs->bs - 1) >> fs->blocklog;
                uint64_t dev = 0;
                r = xfs_fsb_to_byte(fs, e->block + (lblk - e->off), nblk, &dev);
                if (r < 0)
                    return r;
                r = xfs_dev_read(fs, dev + inblk, chunk, buf, "file data");
                if (r < 0)
                    return r;
            }
        }
        buf += chunk;
        off += chunk;
        len -= chunk;
    }
    return 0;
}

/* ---------------------------------------------------------- directories --- */

typedef int (*xfs_dirent_cb)(struct xfs_fs *fs, const uint8_t *name, size_t namelen,
                             uint64_t ino, int ftype, void *ctx);

static int xfs_dir_sf(struct xfs_fs *fs, struct xfs_node *d, xfs_dirent_cb cb, void *ctx)
{
    const uint8_t *f = xfs_fork(d);
    uint32_t size = d->forksize;
    if (d->size < size)
        size = (uint32_t)d->size;
    if (size < 6)
        return pb_error(PB_EBADFS, "xfs: %s: dir inode %llu: short-form header truncated",
                        devname(fs), (unsigned long long)d->ino);
    unsigned count = f[0], i8 = f[1];
    unsigned inolen = i8 ? 8 : 4;
    uint32_t pos = 2 + inolen;
    for (unsigned i = 0; i < count; i++) {
        if (pos + 3 > size)
            goto bad;
        unsigned namelen = f[pos];
        uint32_t epos = pos + 3;
        if (namelen == 0 || epos + namelen + (fs->ftype ? 1 : 0) + inolen > size)
            goto bad;
        const uint8_t *name = f + epos;
        epos += namelen;
        int ftype = -1;
        if (fs->ftype)
            ftype = f[epos++];
        uint64_t ino = inolen == 8 ? pb_be64(f + epos) : pb_be32(f + epos);
        epos += inolen;
        int r = cb(fs, name, namelen, ino, ftype, ctx);
        if (r)
            return r;
        pos = epos;
    }
    return 0;
bad:
    return pb_error(PB_EBADFS, "xfs: %s: dir inode %llu: short-form entry beyond the fork",
                    devname(fs), (unsigned long long)d->ino);
}

/* Parse the entries of one directory data/block block. */
static int xfs_dir_block(struct xfs_fs *fs, struct xfs_node *d, uint64_t db, const uint8_t *b,
                         xfs_dirent_cb cb, void *ctx)
{
    uint32_t magic = pb_be32(b);
    uint32_t hdr = fs->v5 ? 64 : 16;
    uint32_t end = fs->dirblksize;
    if (magic == XFS_DIR2_BLOCK_MAGIC || magic == XFS_DIR3_BLOCK_MAGIC) {
        uint32_t count = pb_be32(b + fs->dirblksize - 8);
        if (count > (fs->dirblksize - hdr - 8) / 8)
            goto bad;
        end = fs->dirblksize - 8 - count * 8;
    } else if (magic != XFS_DIR2_DATA_MAGIC && magic != XFS_DIR3_DATA_MAGIC) {
        goto bad;
    }
    if ((magic == XFS_DIR3_BLOCK_MAGIC || magic == XFS_DIR3_DATA_MAGIC) != fs->v5)
        goto bad;
    if (fs->v5 && pb_be64(b + 40) != d->ino)
        goto bad;
    if (fs->v5 && !xfs_crc_ok(b, fs->dirblksize, 4)) {
        int r = xfs_csum_mismatch(fs, "directory block %llu of inode %llu", (unsigned long long)db,
                                  (unsigned long long)d->ino);
        if (r < 0)
            return r;
    }
    uint32_t pos = hdr;
    while (pos + 8 <= end) {
        if (pb_be16(b + pos) == 0xffff) {
            uint32_t len = pb_be16(b + pos + 2);
            if (len < 8 || (len & 7) || len > end - pos)
                goto bad;
            pos += len;
            continue;
        }
        uint64_t ino = pb_be64(b + pos);
        unsigned namelen = b[pos + 8];
        uint32_t elen = (8 + 1 + namelen + (fs->ftype ? 1 : 0) + 2 + 7) & ~7u;
        if (namelen == 0 || elen > end - pos)
            goto bad;
        int ftype = fs->ftype ? b[pos + 9 + namelen] : -1;
        int r = cb(fs, b + pos + 9, namelen, ino, ftype, ctx);
        if (r)
            return r;
        pos += elen;
    }
    return 0;
bad:
    return pb_error(PB_EBADFS, "xfs: %s: dir inode %llu: directory block %llu is damaged",
                    devname(fs), (unsigned long long)d->ino, (unsigned long long)db);
}

/* Call @cb for each entry of directory @d ("." and ".." included when
 * stored; the callbacks skip them).  @cb non-zero stops (returned). */
static int xfs_dir_iterate(struct xfs_fs *fs, struct xfs_node *d, xfs_dirent_cb cb, void *ctx)
{
    if ((d->mode & S_IFMT_) != S_IFDIR_)
        return pb_error(PB_ENOTDIR, "xfs: %s: inode %llu is not a directory", devname(fs),
                        (unsigned long long)d->ino);
    if (d->format == XFS_DINODE_FMT_LOCAL)
        return xfs_dir_sf(fs, d, cb, ctx);
    int r = xfs_load_extents(fs, d);
    if (r < 0)
        return r;
    uint8_t *b = malloc(fs->dirblksize);
    if (!b)
        return pb_error(PB_ENOMEM, "xfs: out of memory");
    uint64_t leafblk = XFS_DIR2_LEAF_OFFSET >> fs->blocklog;
    uint64_t dirfsbs = 1ull << fs->dirblklog;
    uint64_t next_db = 0;  /* first directory block not yet parsed */
    for (size_t i = 0; r == 0 && i < d->next; i++) {
        struct xfs_ext *e = &d->ext[i];
        if (e->off >= leafblk)
            break;
        uint64_t first = e->off / dirfsbs, last = (e->off + e->count - 1) / dirfsbs;
        if (last >= leafblk / dirfsbs)
            last = leafblk / dirfsbs - 1;
        if (first < next_db)
            first = next_db;
        for (uint64_t db = first; r == 0 && db <= last; db++) {
            r = xfs_read_mapped(fs, d, (db * dirfsbs) << fs->blocklog, fs->dirblksize, b);
            if (r == 0)
                r = xfs_dir_block(fs, d, db, b, cb, ctx);
        }
        next_db = last + 1;
    }
    free(b);
    return r;
}

/* ----------------------------------------------------------- fs ops --- */

static int xfs_node_type(uint16_t mode)
{
    switch (mode & S_IFMT_) {
    case S_IFDIR_: return PB_FT_DIR;
    case S_IFREG_: return PB_FT_REG;
    case S_IFLNK_: return PB_FT_LNK;
    default: return PB_FT_OTHER;
    }
}

static enum pb_ftype xfs_dirent_type(int ftype)
{
    switch (ftype) {
    case 1: return PB_FT_REG;
    case 2: return PB_FT_DIR;
    case 7: return PB_FT_LNK;
    case 3: case 4: case 5: case 6: return PB_FT_OTHER;
    default: return PB_FT_UNKNOWN;
    }
}

/** xfs_mount() - probe and mount XFS on @dev (superblock at byte 0).
 *  PB_ENOENT if there is no XFS magic, PB_EBADFS/PB_ENOTSUP otherwise. */
static int xfs_mount(struct pb_device *dev, struct pb_fs **fsp)
{
    uint8_t sb[512];
    uint64_t devsize = dev->nr_sectors << PB_SECTOR_SHIFT;
    if (devsize < sizeof(sb))
        return PB_ENOENT;
    int r = pb_device_read(dev, 0, sizeof(sb), sb);
    if (r < 0)
        return r;
    if (pb_be32(sb) != XFS_SB_MAGIC)
        return PB_ENOENT;
    struct xfs_fs *fs = calloc(1, sizeof(*fs));
    if (!fs)
        return pb_error(PB_ENOMEM, "xfs: out of memory");
    fs->base.dev = dev;
    fs->devsize = devsize;
    fs->bs = pb_be32(sb + 4);
    fs->blocklog = sb[120];
    fs->agblocks = pb_be32(sb + 84);
    fs->agcount = pb_be32(sb + 88);
    fs->agblklog = sb[124];
    fs->inodesize = pb_be16(sb + 104);
    fs->inopblog = sb[123];
    fs->dirblklog = sb[192];
    fs->rootino = pb_be64(sb + 56);
    uint16_t version = pb_be16(sb + 100);
    uint32_t features2 = (version & XFS_SB_VERSION_MOREBITSBIT) ? pb_be32(sb + 200) : 0;
    unsigned vnum = version & XFS_SB_VERSION_NUMBITS;
    const char *why = NULL;
    if (vnum != 4 && vnum != 5)
        why = "superblock version";
    else if (fs->blocklog < 9 || fs->blocklog > 16 || fs->bs != (1u << fs->blocklog))
        why = "block size";
    else if (fs->inodesize < 256 || fs->inodesize > 2048 ||
             (fs->inodesize & (fs->inodesize - 1)) || sb[122] > 11 ||
             fs->inodesize != (1u << sb[122]) || fs->inodesize > fs->bs ||
             fs->inopblog != fs->blocklog - sb[122] || pb_be16(sb + 106) != fs->bs / fs->inodesize)
        why = "inode size";
    else if (fs->agcount == 0 || fs->agblocks < 8 || fs->agblklog > 31 ||
             (1ull << fs->agblklog) < fs->agblocks ||
             (fs->agblklog > 0 && (1ull << (fs->agblklog - 1)) >= fs->agblocks))
        why = "allocation group geometry";
    else if (fs->blocklog + fs->dirblklog > 16)
        why = "directory block size";
    if (why) {
        free(fs);
        return pb_error(PB_EBADFS, "xfs: %s: bad superblock (%s)", dev->name, why);
    }
    fs->dirblksize = fs->bs << fs->dirblklog;
    fs->v5 = vnum == 5;
    fs->ascii_ci = (version & XFS_SB_VERSION_BORGBIT) != 0;
    if (fs->v5) {
        uint32_t incompat = pb_be32(sb + 216);
        if (incompat & ~(uint32_t)XFS_SB_FEAT_INCOMPAT_SUPPORTED) {
            free(fs);
            return pb_error(PB_ENOTSUP, "xfs: %s: unsupported incompatible features 0x%x",
                            dev->name, incompat & ~(uint32_t)XFS_SB_FEAT_INCOMPAT_SUPPORTED);
        }
        fs->ftype = (incompat & XFS_SB_FEAT_INCOMPAT_FTYPE) != 0;
        uint16_t sectsize = pb_be16(sb + 102);
        if (sectsize < 512 || sectsize > 32768 || (sectsize & (sectsize - 1)) || sectsize > devsize) {
            free(fs);
            return pb_error(PB_EBADFS, "xfs: %s: bad superblock (sector size %u)", dev->name, sectsize);
        }
        uint8_t *sbs = malloc(sectsize);
        if (!sbs) {
            free(fs);
            return pb_error(PB_ENOMEM, "xfs: out of memory");
        }
        r = pb_device_read(dev, 0, sectsize, sbs);
        if (r == 0 && !xfs_crc_ok(sbs, sectsize, 224))
            r = xfs_csum_mismatch(fs, "superblock");
        free(sbs);
        if (r < 0) {
            free(fs);
            return r;
        }
    } else {
        if (!(version & XFS_SB_VERSION_DIRV2BIT)) {
            free(fs);
            return pb_error(PB_ENOTSUP, "xfs: %s: version 1 directories are not supported",
                            dev->name);
        }
        fs->ftype = (features2 & XFS_SB_VERSION2_FTYPE) != 0;
    }
    pb_uuid_format(fs->base.uuid, sizeof fs->base.uuid, sb + 32);
    size_t ll = strnlen((const char *)sb + 108, 12);
    memcpy(fs->base.label, sb + 108, ll);
    fs->base.label[ll] = 0;

    /* the root inode must be readable and a directory */
    struct xfs_node *root;
    r = xfs_read_inode(fs, fs->rootino, &root);
    if (r < 0) {
        free(fs);
        return r;
    }
    bool isdir = (root->mode & S_IFMT_) == S_IFDIR_;
    xfs_node_free(root);
    if (!isdir) {
        unsigned long long rootino = fs->rootino;
        free(fs);
        return pb_error(PB_EBADFS, "xfs: %s: root inode %llu is not a directory", dev->name,
                        rootino);
    }
    *fsp = &fs->base;
    return 0;
}

static void xfs_unmount(struct pb_fs *fs) { free(fs); }

static int xfs_root(struct pb_fs *pfs, struct pb_node **out)
{
    struct xfs_fs *fs = (struct xfs_fs *)pfs;
    struct xfs_node *n;
    int r = xfs_read_inode(fs, fs->rootino, &n);
    if (r < 0)
        return r;
    *out = &n->base;
    return 0;
}

struct xfs_lookup_ctx {
    const char *name;
    size_t namelen;
    uint64_t ino;
    bool found;
};

static int xfs_lookup_cb(struct xfs_fs *fs, const uint8_t *name, size_t namelen, uint64_t ino,
                         int ftype, void *ctx)
{
    struct xfs_lookup_ctx *c = ctx;
    (void)ftype;
    if (namelen != c->namelen)
        return 0;
    if (fs->ascii_ci ? strncasecmp((const char *)name, c->name, namelen) != 0
                     : memcmp(name, c->name, namelen) != 0)
        return 0;
    c->ino = ino;
    c->found = true;
    return 1;
}

static int xfs_lookup(struct pb_fs *pfs, struct pb_node *dir, const char *name, size_t namelen,
                      struct pb_node **out)
{
    struct xfs_fs *fs = (struct xfs_fs *)pfs;
    struct xfs_node *d = (struct xfs_node *)dir;
    struct xfs_lookup_ctx c = { .name = name, .namelen = namelen };
    int r = xfs_dir_iterate(fs, d, xfs_lookup_cb, &c);
    if (r < 0)
        return r;
    if (!c.found)
        return pb_error(PB_ENOENT, "xfs: %s: '%.*s' not found", devname(fs), (int)namelen, name);
    struct xfs_node *n;
    r = xfs_read_inode(fs, c.ino, &n);
    if (r < 0)
        return r;
    *out = &n->base;
    return 0;
}

struct xfs_readdir_ctx {
    int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx);
    void *ctx;
    int err;
};

static int xfs_readdir_cb(struct xfs_fs *fs, const uint8_t *name, size_t namelen, uint64_t ino,
                          int ftype, void *ctx)
{
    struct xfs_readdir_ctx *c = ctx;
    if ((namelen == 1 && name[0] == '.') || (namelen == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    enum pb_ftype t = xfs_dirent_type(ftype);
    if (t == PB_FT_UNKNOWN) {
        /* no ftype in the entry: ask the inode */
        struct xfs_node *n;
        int r = xfs_read_inode(fs, ino, &n);
        if (r < 0) {
            c->err = r;
            return 1;
        }
        t = (enum pb_ftype)xfs_node_type(n->mode);
        xfs_node_free(n);
    }
    char tmp[256];
    memcpy(tmp, name, namelen);
    tmp[namelen] = 0;
    return c->cb(tmp, namelen, t, c->ctx) ? 1 : 0;
}

static int xfs_readdir(struct pb_fs *pfs, struct pb_node *dir,
                       int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx),
                       void *ctx)
{
    struct xfs_readdir_ctx c = { .cb = cb, .ctx = ctx };
    int r = xfs_dir_iterate((struct xfs_fs *)pfs, (struct xfs_node *)dir, xfs_readdir_cb, &c);
    if (c.err)
        return c.err;
    return r < 0 ? r : 0;
}

static int xfs_stat(struct pb_fs *pfs, struct pb_node *node, struct pb_stat *st)
{
    (void)pfs;
    struct xfs_node *n = (struct xfs_node *)node;
    memset(st, 0, sizeof(*st));
    st->type = (enum pb_ftype)xfs_node_type(n->mode);
    st->size = n->size;
    st->ino = n->ino;
    st->mode = n->mode;
    const uint8_t *t = n->core + 40;
    if (n->flags2 & XFS_DIFLAG2_BIGTIME)
        st->mtime = (int64_t)(pb_be64(t) / 1000000000ull) - XFS_BIGTIME_EPOCH_OFFSET;
    else
        st->mtime = (int32_t)pb_be32(t);
    return 0;
}

static int64_t xfs_read(struct pb_fs *pfs, struct pb_node *node, uint64_t off, size_t len,
                        void *buf)
{
    struct xfs_fs *fs = (struct xfs_fs *)pfs;
    struct xfs_node *n = (struct xfs_node *)node;
    if ((n->mode & S_IFMT_) == S_IFDIR_)
        return pb_error(PB_EISDIR, "xfs: %s: inode %llu is a directory", devname(fs),
                        (unsigned long long)n->ino);
    if (n->flags & XFS_DIFLAG_REALTIME)
        return pb_error(PB_ENOTSUP, "xfs: %s: inode %llu is on the realtime device",
                        devname(fs), (unsigned long long)n->ino);
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = (size_t)(n->size - off);
    if (len > INT64_MAX)
        len = INT64_MAX;
    int r = xfs_read_mapped(fs, n, off, len, buf);
    return r < 0 ? r : (int64_t)len;
}

static int xfs_readlink(struct pb_fs *pfs, struct pb_node *node, char *buf, size_t bufsize)
{
    struct xfs_fs *fs = (struct xfs_fs *)pfs;
    struct xfs_node *n = (struct xfs_node *)node;
    if ((n->mode & S_IFMT_) != S_IFLNK_)
        return pb_error(PB_EINVAL, "xfs: %s: inode %llu is not a symlink", devname(fs),
                        (unsigned long long)n->ino);
    if (n->size == 0 || n->size > XFS_SYMLINK_MAXLEN)
        return pb_error(PB_EBADFS, "xfs: %s: symlink inode %llu: bad length %llu", devname(fs),
                        (unsigned long long)n->ino, (unsigned long long)n->size);
    size_t len = (size_t)n->size;
    if (len + 1 > bufsize)
        return pb_error(PB_ERANGE, "xfs: %s: symlink inode %llu: target too long", devname(fs),
                        (unsigned long long)n->ino);
    int r;
    bool raw = n->format == XFS_DINODE_FMT_LOCAL || !fs->v5;
    if (!raw) {
        /* mkfs.xfs (xfsprogs <= 6.x) protofiles write v5 remote symlinks
         * without the XSLM header; the text then starts at byte 0 */
        uint8_t m[4];
        r = xfs_read_mapped(fs, n, 0, 4, m);
        if (r < 0)
            return r;
        raw = pb_be32(m) != XFS_SYMLINK_MAGIC;
    }
    if (raw) {
        r = xfs_read_mapped(fs, n, 0, len, (uint8_t *)buf);
        if (r < 0)
            return r;
    } else {
        /* remote v5: every mapped extent (buffer) starts with a 56-byte
         * XSLM header, followed by up to extent size - 56 bytes of text */
        r = xfs_load_extents(fs, n);
        if (r < 0)
            return r;
        uint8_t *b = malloc((size_t)fs->bs * 4);
        if (!b)
            return pb_error(PB_ENOMEM, "xfs: out of memory");
        size_t done = 0;
        for (size_t i = 0; done < len && i < n->next; i++) {
            struct xfs_ext *e = &n->ext[i];
            uint64_t ebytes = e->count << fs->blocklog;
            if (e->count > 4 || e->unwritten) {
                free(b);
                return pb_error(PB_EBADFS, "xfs: %s: symlink inode %llu: bad extent %zu",
                                devname(fs), (unsigned long long)n->ino, i);
            }
            r = xfs_read_mapped(fs, n, e->off << fs->blocklog, (size_t)ebytes, b);
            if (r < 0) {
                free(b);
                return r;
            }
            uint32_t boff = pb_be32(b + 4), bytes = pb_be32(b + 8);
            if (pb_be32(b) != XFS_SYMLINK_MAGIC || boff != done || bytes == 0 ||
                bytes > ebytes - 56 || bytes > len - done || pb_be64(b + 32) != n->ino) {
                free(b);
                return pb_error(PB_EBADFS, "xfs: %s: symlink inode %llu: bad block %llu",
                                devname(fs), (unsigned long long)n->ino,
                                (unsigned long long)e->off);
            }
            memcpy(buf + done, b + 56, bytes);
            done += bytes;
        }
        free(b);
        if (done != len)
            return pb_error(PB_EBADFS, "xfs: %s: symlink inode %llu: target truncated",
                            devname(fs), (unsigned long long)n->ino);
    }
    buf[len] = 0;
    if (memchr(buf, 0, len))
        return pb_error(PB_EBADFS, "xfs: %s: symlink inode %llu: NUL in target", devname(fs),
                        (unsigned long long)n->ino);
    return (int)len;
}

static void xfs_release(struct pb_fs *pfs, struct pb_node *node)
{
    (void)pfs;
    xfs_node_free((struct xfs_node *)node);
}

static struct pb_fs_ops xfs_ops = {
    .name = "xfs",
    .mount = xfs_mount,
    .unmount = xfs_unmount,
    .root = xfs_root,
    .lookup = xfs_lookup,
    .readdir = xfs_readdir,
    .stat = xfs_stat,
    .read = xfs_read,
    .readlink = xfs_readlink,
    .release = xfs_release,
};

/** pvboot_init_xfs() - register the xfs filesystem type. */
void pvboot_init_xfs(void);
void pvboot_init_xfs(void)
{
    pb_fs_register(&xfs_ops);
}
