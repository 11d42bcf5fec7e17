/* SPDX-License-Identifier: MIT */
/*
 * ext2: read-only ext2/ext3/ext4.
 *
 * On-disk facts follow the public ext4 disk layout documentation
 * (kernel.org "ext4 Data Structures and Algorithms"):
 *  - superblock at byte 1024 (magic 0xEF53 at +56), block size
 *    1024 << s_log_block_size; group descriptors follow the superblock's
 *    block (or, with meta_bg, sit in the first group of each meta group);
 *    32-byte descriptors, or s_desc_size with the 64bit feature.
 *  - inodes: (ino - 1) / s_inodes_per_group picks the group, the rest the
 *    slot in bg_inode_table (s_inode_size bytes each).
 *  - data: the classic 12 direct + 1/2/3 indirect block map, or an extent
 *    tree (EXT4_EXTENTS_FL, header magic 0xF30A, depth <= 5), or inline data
 *    (EXT4_INLINE_DATA_FL: i_block plus the "system.data" in-inode xattr).
 *  - directories: linear scan of ext2_dir_entry_2 records; htree (dir_index,
 *    large_dir) interior blocks look like empty records and are skipped.
 *  - metadata_csum (RO_COMPAT 0x400): CRC-32C (include/pvboot/crc32c.h)
 *    seeded with crc32c(~0, s_uuid), or s_checksum_seed with csum_seed
 *    (INCOMPAT 0x2000).  Verified: the superblock (s_checksum over the
 *    first 0x3FC bytes, seed ~0), each group descriptor once (seed, le32
 *    group number, the descriptor with bg_checksum as zeros; low 16 bits),
 *    inodes (seed, le32 inode number, le32 i_generation: the inode seed;
 *    then the whole inode with i_checksum_lo/hi as zeros; 16 bits when
 *    i_extra_isize does not reach i_checksum_hi), extent tree blocks (tail
 *    after eh_max entries, inode seed over the bytes before it), directory
 *    leaf blocks (12-byte tail dirent, inode 0, rec_len 12, file type 0xDE,
 *    inode seed over the bytes before it) and htree index blocks (dx_tail
 *    after `limit` entries: inode seed over the header and `count` entries,
 *    then dt_reserved and four zero bytes).  A mismatch is an error naming
 *    the structure unless fs_ignore_checksums is set (pvboot(7)).
 *    Extent and directory blocks that passed are remembered by block
 *    number, so a block is checksummed once, not on every read.
 * Encrypted inodes are refused with a message naming the inode; casefolded
 * directories are searched exactly, then ASCII case-insensitively.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/blkoverlay.h"
#include "pvboot/crc32c.h"
#include "pvboot/disk.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/fsconv.h"
#include "jbd2.h"

#define EXT2_MAGIC 0xef53
#define EXT2_ROOT_INO 2

#define INCOMPAT_COMPRESSION 0x0001
#define INCOMPAT_FILETYPE    0x0002
#define INCOMPAT_RECOVER     0x0004
#define INCOMPAT_JOURNAL_DEV 0x0008
#define INCOMPAT_META_BG     0x0010
#define INCOMPAT_EXTENTS     0x0040
#define INCOMPAT_64BIT       0x0080
#define INCOMPAT_MMP         0x0100
#define INCOMPAT_FLEX_BG     0x0200
#define INCOMPAT_EA_INODE    0x0400
#define INCOMPAT_DIRDATA     0x1000
#define INCOMPAT_CSUM_SEED   0x2000
#define INCOMPAT_LARGEDIR    0x4000
#define INCOMPAT_INLINE_DATA 0x8000
#define INCOMPAT_ENCRYPT     0x10000
#define INCOMPAT_CASEFOLD    0x20000
#define INCOMPAT_SUPPORTED (INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG | \
    INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_MMP | INCOMPAT_FLEX_BG | INCOMPAT_EA_INODE | \
    INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR | INCOMPAT_INLINE_DATA | INCOMPAT_ENCRYPT | \
    INCOMPAT_CASEFOLD)
#define COMPAT_HAS_JOURNAL     0x0004
#define RO_COMPAT_SPARSE_SUPER 0x0001
#define RO_COMPAT_BIGALLOC     0x0200
#define RO_COMPAT_METADATA_CSUM 0x0400
#define CSUM_TYPE_CRC32C 1
#define VERIFIED_SLOTS 64
#define COMPAT_SPARSE_SUPER2   0x0200

#define FL_ENCRYPT     0x00000800
#define FL_EXTENTS     0x00080000
#define FL_INLINE_DATA 0x10000000
#define FL_CASEFOLD    0x40000000

#define S_IFMT   0170000
#define S_IFREG  0100000
#define S_IFDIR  0040000
#define S_IFLNK  0120000

#define EXT_MAGIC 0xf30a
#define EXT_MAX_DEPTH 5
#define EXT2_NDIR 12

struct ext2_fs {
    struct pb_fs base;
    uint32_t block_size;
    uint32_t log_block_size;      /* log2(block_size) */
    uint64_t blocks_count;
    uint32_t inodes_count;
    uint32_t inodes_per_group;
    uint32_t blocks_per_group;
    uint32_t first_data_block;
    uint32_t inode_size;
    uint32_t desc_size;
    uint32_t groups;
    uint32_t first_meta_bg;
    uint32_t incompat, ro_compat, compat;
    uint32_t backup_bgs[2];
    bool csum;                    /* metadata_csum: verify checksums */
    uint32_t csum_seed;
    uint8_t *gd_ok;               /* bitmap: group descriptors verified */
    uint64_t verified[VERIFIED_SLOTS]; /* blocks verified + 1, by block % slots */
    struct pb_overlay *ov;        /* blocks replayed from the journal, or NULL */
};

struct ext2_node {
    struct pb_node base;
    uint32_t ino;
    uint16_t mode;
    uint32_t flags;
    uint64_t size;
    int64_t mtime;
    uint8_t *raw;                 /* the on-disk inode, inode_size bytes */
    uint32_t csum_seed;           /* metadata_csum: seed of this inode's blocks */
    /* one cached indirect block (block map files) */
    uint64_t ind_blk;
    uint32_t *ind;
};

/* ---- helpers ---- */

/* Every read of the filesystem: the device, then the blocks replayed from
 * the journal on top (include/pvboot/blkoverlay.h). */
static int ext2_dev_read(struct ext2_fs *fs, uint64_t off, size_t len, void *buf)
{
    int r = pb_device_read(fs->base.dev, off, len, buf);
    if (r == 0)
        pb_overlay_apply(fs->ov, off, len, buf);
    return r;
}

#define csum_mismatch(fs, ...) pb_fs_csum_mismatch("ext2", (fs)->base.dev, __VA_ARGS__)

static uint32_t crc_le32(uint32_t crc, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    return pb_crc32c(crc, b, 4);
}

static const uint8_t zeros[4];

/* Was block @blk already verified (metadata_csum)? */
static bool verified(struct ext2_fs *fs, uint64_t blk)
{
    return fs->verified[blk % VERIFIED_SLOTS] == blk + 1;
}

static void set_verified(struct ext2_fs *fs, uint64_t blk)
{
    fs->verified[blk % VERIFIED_SLOTS] = blk + 1;
}

/* Inode @ino's checksum (on-disk inode @p) holds, or the inode is all zeros. */
static bool inode_csum_ok(struct ext2_fs *fs, uint32_t ino, const uint8_t *p, uint32_t seed)
{
    uint32_t isz = fs->inode_size;
    uint32_t c = pb_crc32c(seed, p, 0x7c);
    c = pb_crc32c(c, zeros, 2);
    c = pb_crc32c(c, p + 0x7e, 128 - 0x7e);
    uint32_t want = pb_le16(p + 0x7c);
    bool hi = false;
    if (isz > 128) {
        hi = pb_le16(p + 128) >= 4;      /* i_extra_isize reaches i_checksum_hi */
        c = pb_crc32c(c, p + 128, 2);
        if (hi) {
            c = pb_crc32c(c, zeros, 2);
            c = pb_crc32c(c, p + 0x84, isz - 0x84);
            want |= (uint32_t)pb_le16(p + 0x82) << 16;
        } else {
            c = pb_crc32c(c, p + 0x82, isz - 0x82);
        }
    }
    if (!hi)
        c &= 0xffff;
    if (c == want)
        return true;
    for (uint32_t i = 0; i < isz; i++)
        if (p[i])
            return false;
    (void)ino;
    return true;
}

/* Verify group descriptor @g at byte @off once (metadata_csum). */
static int check_desc(struct ext2_fs *fs, uint32_t g, uint64_t off)
{
    if (fs->gd_ok[g / 8] & (1u << (g % 8)))
        return 0;
    uint8_t *d = malloc(fs->desc_size);
    if (!d)
        return pb_error(PB_ENOMEM, "ext2: out of memory");
    int r = ext2_dev_read(fs, off, fs->desc_size, d);
    if (r == 0) {
        uint32_t c = crc_le32(fs->csum_seed, g);
        c = pb_crc32c(c, d, 0x1e);
        c = pb_crc32c(c, zeros, 2);
        if (fs->desc_size > 0x20)
            c = pb_crc32c(c, d + 0x20, fs->desc_size - 0x20);
        if ((c & 0xffff) != pb_le16(d + 0x1e))
            r = csum_mismatch(fs, "group descriptor %u", g);
    }
    free(d);
    if (r == 0)
        fs->gd_ok[g / 8] |= (uint8_t)(1u << (g % 8));
    return r;
}

static int is_power_of(uint32_t n, uint32_t b)
{
    if (n == 0)
        return 0;
    while (n % b == 0)
        n /= b;
    return n == 1;
}

/* Does group @g carry a superblock backup (sparse_super / sparse_super2)? */
static int group_has_super(struct ext2_fs *fs, uint32_t g)
{
    if (g == 0)
        return 1;
    if (fs->compat & COMPAT_SPARSE_SUPER2)
        return g == fs->backup_bgs[0] || g == fs->backup_bgs[1];
    if (!(fs->ro_compat & RO_COMPAT_SPARSE_SUPER))
        return 1;
    if (g == 1)
        return 1;
    return is_power_of(g, 3) || is_power_of(g, 5) || is_power_of(g, 7);
}

/* Byte offset of group descriptor @g. */
static int desc_offset(struct ext2_fs *fs, uint32_t g, uint64_t *off)
{
    uint32_t per_block = fs->block_size / fs->desc_size;
    uint64_t blk;
    if ((fs->incompat & INCOMPAT_META_BG) && g / per_block >= fs->first_meta_bg) {
        uint64_t first = (uint64_t)(g / per_block) * per_block;
        blk = fs->first_data_block + first * fs->blocks_per_group + (group_has_super(fs, (uint32_t)first) ? 1 : 0);
        if (blk == 1 && fs->block_size == 1024 && fs->first_data_block == 0)
            blk++;      /* bigalloc, 1 KiB blocks: block 0 is not the superblock's */
        *off = blk * fs->block_size + (uint64_t)(g % per_block) * fs->desc_size;
    } else {
        /* the block after the one holding the superblock (byte 1024) */
        blk = 1024 / fs->block_size + 1;
        *off = blk * fs->block_size + (uint64_t)g * fs->desc_size;
    }
    return 0;
}

static void node_free(struct ext2_node *n)
{
    if (!n)
        return;
    free(n->raw);
    free(n->ind);
    free(n);
}

/* Read inode @ino into a new node. */
static int read_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_node **out)
{
    if (ino < 1 || ino > fs->inodes_count)
        return pb_error(PB_EBADFS, "ext2: %s: inode number %u out of range (1..%u)",
                        fs->base.dev->name, ino, fs->inodes_count);
    uint32_t g = (ino - 1) / fs->inodes_per_group;
    uint32_t idx = (ino - 1) % fs->inodes_per_group;
    uint64_t doff;
    desc_offset(fs, g, &doff);
    uint8_t desc[64];
    memset(desc, 0, sizeof desc);
    int r = fs->csum ? check_desc(fs, g, doff) : 0;
    if (r < 0)
        return r;
    r = ext2_dev_read(fs, doff, fs->desc_size >= 64 ? 64 : 32, desc);
    if (r < 0)
        return r;
    uint64_t itab = pb_le32(desc + 8);
    if (fs->desc_size >= 64)
        itab |= (uint64_t)pb_le32(desc + 0x28) << 32;
    if (itab == 0 || itab >= fs->blocks_count)
        return pb_error(PB_EBADFS, "ext2: %s: group %u descriptor: inode table block %llu out of range",
                        fs->base.dev->name, g, (unsigned long long)itab);
    struct ext2_node *n = calloc(1, sizeof *n);
    if (!n)
        return pb_error(PB_ENOMEM, "ext2: out of memory");
    n->raw = malloc(fs->inode_size);
    if (!n->raw) {
        free(n);
        return pb_error(PB_ENOMEM, "ext2: out of memory");
    }
    r = ext2_dev_read(fs, itab * fs->block_size + (uint64_t)idx * fs->inode_size,
                      fs->inode_size, n->raw);
    if (r < 0) {
        node_free(n);
        return r;
    }
    const uint8_t *p = n->raw;
    if (fs->csum) {
        n->csum_seed = crc_le32(crc_le32(fs->csum_seed, ino), pb_le32(p + 0x64));
        if (!inode_csum_ok(fs, ino, p, n->csum_seed)) {
            r = csum_mismatch(fs, "inode %u", ino);
            if (r < 0) {
                node_free(n);
                return r;
            }
        }
    }
    n->base.fs = &fs->base;
    n->ino = ino;
    n->mode = pb_le16(p + 0);
    n->flags = pb_le32(p + 32);
    n->size = pb_le32(p + 4) | (uint64_t)pb_le32(p + 108) << 32;
    n->mtime = (int32_t)pb_le32(p + 16);
    if (fs->inode_size > 128) {
        uint16_t extra = pb_le16(p + 128);
        if (extra >= 12 && 128u + extra <= fs->inode_size) {
            uint32_t mx = pb_le32(p + 136);
            n->mtime += (int64_t)(mx & 3) << 32;
        }
    }
    *out = n;
    return 0;
}

/* ---- block mapping ---- */

/*
 * In the @entries 12-byte entries at @e of an extent node (leaf ee_block or
 * index ei_block: the first logical block they cover, a u32 at offset 0,
 * ascending), the last one whose first block is <= @lblk: its number, or
 * -1 when @lblk lies before them all.  *@next is lowered to the first
 * logical block of the entry after it, if there is one and it is lower
 * (where what was found must end).
 */
static int ext_find(const uint8_t *e, int entries, uint64_t lblk, uint64_t *next)
{
    int found = -1;
    for (int i = 0; i < entries; i++) {
        if (pb_le32(e + 12 * i) <= lblk)
            found = i;
        else
            break;
    }
    if (found + 1 < entries && pb_le32(e + 12 * (found + 1)) < *next)
        *next = pb_le32(e + 12 * (found + 1));
    return found;
}

/*
 * Map logical block @lblk of @n.  On success *pblk is the physical block
 * (0 for a hole) and *run the number of blocks from @lblk with the same
 * status that are physically contiguous (at least 1).
 */
static int bmap_extents(struct ext2_fs *fs, struct ext2_node *n, uint64_t lblk,
                        uint64_t *pblk, uint64_t *run)
{
    uint8_t *blk = NULL;
    const uint8_t *hdr = n->raw + 40;
    size_t avail = 60;
    int r = 0;
    /* first logical block mapped by the next index entry of any level above:
     * a hole at the end of a leaf ends there, not at the end of the file */
    uint64_t limit = UINT64_MAX;
    for (int level = 0;; level++) {
        if (avail < 12 || pb_le16(hdr) != EXT_MAGIC) {
            r = pb_error(PB_EBADFS, "ext2: %s: inode %u: bad extent header (level %d)",
                         fs->base.dev->name, n->ino, level);
            goto out;
        }
        uint16_t entries = pb_le16(hdr + 2), depth = pb_le16(hdr + 6);
        if (depth > EXT_MAX_DEPTH || level > EXT_MAX_DEPTH ||
            (size_t)entries > (avail - 12) / 12) {
            r = pb_error(PB_EBADFS, "ext2: %s: inode %u: bad extent header (level %d: %u entries, depth %u)",
                         fs->base.dev->name, n->ino, level, entries, depth);
            goto out;
        }
        const uint8_t *e = hdr + 12;
        if (depth == 0) {
            /* leaf: last extent with ee_block <= lblk */
            uint64_t next_start = limit;
            int found = ext_find(e, entries, lblk, &next_start);
            if (found >= 0) {
                const uint8_t *x = e + 12 * found;
                uint32_t start = pb_le32(x);
                uint32_t len = pb_le16(x + 4);
                int uninit = 0;
                if (len > 32768) {
                    len -= 32768;
                    uninit = 1;
                }
                uint64_t phys = (uint64_t)pb_le16(x + 6) << 32 | pb_le32(x + 8);
                if (lblk < (uint64_t)start + len) {
                    uint64_t off = lblk - start;
                    if (!uninit && (phys + off >= fs->blocks_count || phys + len > fs->blocks_count || phys == 0)) {
                        r = pb_error(PB_EBADFS, "ext2: %s: inode %u: extent at block %u points outside the fs",
                                     fs->base.dev->name, n->ino, start);
                        goto out;
                    }
                    *pblk = uninit ? 0 : phys + off;
                    *run = len - off;
                    if (limit > lblk && *run > limit - lblk)
                        *run = limit - lblk;   /* corrupt: extent overlaps the next subtree */
                    goto out;
                }
            }
            /* hole up to the next extent (or "forever" if none) */
            *pblk = 0;
            *run = next_start > lblk ? next_start - lblk : 1;
            goto out;
        }
        /* index: last entry with ei_block <= lblk */
        int found = ext_find(e, entries, lblk, &limit);
        if (found < 0) {
            *pblk = 0;
            *run = entries ? pb_le32(e) - lblk : UINT64_MAX;
            goto out;
        }
        const uint8_t *x = e + 12 * found;
        uint64_t child = (uint64_t)pb_le16(x + 8) << 32 | pb_le32(x + 4);
        if (child == 0 || child >= fs->blocks_count) {
            r = pb_error(PB_EBADFS, "ext2: %s: inode %u: extent index points at block %llu outside the fs",
                         fs->base.dev->name, n->ino, (unsigned long long)child);
            goto out;
        }
        if (!blk) {
            blk = malloc(fs->block_size);
            if (!blk) {
                r = pb_error(PB_ENOMEM, "ext2: out of memory");
                goto out;
            }
        }
        r = ext2_dev_read(fs, child * fs->block_size, fs->block_size, blk);
        if (r < 0)
            goto out;
        if (pb_le16(blk + 6) != depth - 1) {
            r = pb_error(PB_EBADFS, "ext2: %s: inode %u: extent block %llu has depth %u, expected %u",
                         fs->base.dev->name, n->ino, (unsigned long long)child, pb_le16(blk + 6), depth - 1);
            goto out;
        }
        if (fs->csum && !verified(fs, child)) {
            /* struct ext4_extent_tail follows eh_max entries */
            size_t tail = 12 + 12 * (size_t)pb_le16(blk + 4);
            if (tail + 4 > fs->block_size || pb_crc32c(n->csum_seed, blk, tail) != pb_le32(blk + tail)) {
                r = csum_mismatch(fs, "extent block %llu of inode %u", (unsigned long long)child, n->ino);
                if (r < 0)
                    goto out;
            } else {
                set_verified(fs, child);
            }
        }
        hdr = blk;
        avail = fs->block_size;
    }
out:
    free(blk);
    return r;
}

/* Entry @idx of an upper-level indirect block @blk (4 bytes, via the disk cache). */
static int ind_upper(struct ext2_fs *fs, struct ext2_node *n, uint64_t blk, uint32_t idx, uint32_t *out)
{
    uint8_t v[4];
    if (blk >= fs->blocks_count)
        return pb_error(PB_EBADFS, "ext2: %s: inode %u: indirect block %llu outside the fs",
                        fs->base.dev->name, n->ino, (unsigned long long)blk);
    int r = ext2_dev_read(fs, blk * fs->block_size + 4ull * idx, 4, v);
    if (r < 0)
        return r;
    *out = pb_le32(v);
    return 0;
}

/* Leaf indirect block @blk, entry @idx: pointer and contiguous run (with a
 * one-block cache of the leaf). */
static int ind_leaf(struct ext2_fs *fs, struct ext2_node *n, uint64_t blk, uint32_t idx,
                    uint64_t *pblk, uint64_t *run)
{
    uint32_t per = fs->block_size / 4;
    if (blk >= fs->blocks_count)
        return pb_error(PB_EBADFS, "ext2: %s: inode %u: indirect block %llu outside the fs",
                        fs->base.dev->name, n->ino, (unsigned long long)blk);
    if (!n->ind) {
        n->ind = malloc(fs->block_size);
        if (!n->ind)
            return pb_error(PB_ENOMEM, "ext2: out of memory");
        n->ind_blk = 0;
    }
    if (n->ind_blk != blk) {
        int r = ext2_dev_read(fs, blk * fs->block_size, fs->block_size, n->ind);
        if (r < 0) {
            n->ind_blk = 0;
            return r;
        }
        n->ind_blk = blk;
    }
    const uint8_t *a = (const uint8_t *)n->ind;
    uint32_t first = pb_le32(a + 4 * idx);
    uint32_t k = idx + 1;
    if (first == 0) {
        while (k < per && pb_le32(a + 4 * k) == 0)
            k++;
    } else {
        while (k < per && pb_le32(a + 4 * k) == first + (k - idx))
            k++;
    }
    *pblk = first;
    *run = k - idx;
    return 0;
}

static int bmap_blockmap(struct ext2_fs *fs, struct ext2_node *n, uint64_t lblk,
                         uint64_t *pblk, uint64_t *run)
{
    uint64_t per = fs->block_size / 4;
    const uint8_t *ib = n->raw + 40;
    uint32_t b;
    int r;
    *run = 1;
    if (lblk < EXT2_NDIR) {
        uint32_t first = pb_le32(ib + 4 * lblk);
        uint64_t k = lblk + 1;
        while (k < EXT2_NDIR && (first ? pb_le32(ib + 4 * k) == first + (k - lblk) : pb_le32(ib + 4 * k) == 0))
            k++;
        *pblk = first;
        *run = k - lblk;
        goto check;
    }
    lblk -= EXT2_NDIR;
    if (lblk < per) {
        b = pb_le32(ib + 4 * 12);
        if (!b) { *pblk = 0; *run = per - lblk; return 0; }
        r = ind_leaf(fs, n, b, (uint32_t)lblk, pblk, run);
        if (r < 0) return r;
        goto check;
    }
    lblk -= per;
    if (lblk < per * per) {
        b = pb_le32(ib + 4 * 13);
        if (!b) { *pblk = 0; *run = per * per - lblk; return 0; }
        r = ind_upper(fs, n, b, (uint32_t)(lblk / per), &b);
        if (r < 0) return r;
        if (!b) { *pblk = 0; *run = per - lblk % per; return 0; }
        r = ind_leaf(fs, n, b, (uint32_t)(lblk % per), pblk, run);
        if (r < 0) return r;
        goto check;
    }
    lblk -= per * per;
    if (lblk < per * per * per) {
        b = pb_le32(ib + 4 * 14);
        if (!b) { *pblk = 0; *run = per * per * per - lblk; return 0; }
        r = ind_upper(fs, n, b, (uint32_t)(lblk / (per * per)), &b);
        if (r < 0) return r;
        if (!b) { *pblk = 0; *run = per * per - lblk % (per * per); return 0; }
        r = ind_upper(fs, n, b, (uint32_t)(lblk / per % per), &b);
        if (r < 0) return r;
        if (!b) { *pblk = 0; *run = per - lblk % per; return 0; }
        r = ind_leaf(fs, n, b, (uint32_t)(lblk % per), pblk, run);
        if (r < 0) return r;
        goto check;
    }
    *pblk = 0;
    *run = UINT64_MAX;
    return 0;
check:
    if (*pblk && (*pblk >= fs->blocks_count || *run > fs->blocks_count - *pblk))
        return pb_error(PB_EBADFS, "ext2: %s: inode %u: data block %llu outside the fs",
                        fs->base.dev->name, n->ino, (unsigned long long)*pblk);
    return 0;
}

static int bmap(struct ext2_fs *fs, struct ext2_node *n, uint64_t lblk, uint64_t *pblk, uint64_t *run)
{
    if (n->flags & FL_EXTENTS)
        return bmap_extents(fs, n, lblk, pblk, run);
    return bmap_blockmap(fs, n, lblk, pblk, run);
}

/* ---- inline data ---- */

/*
 * Find the "system.data" xattr in the inode body.  Returns 0 with *val and *len
 * (possibly len 0), PB_ENOENT if absent.
 */
static int inline_xattr(struct ext2_fs *fs, struct ext2_node *n, const uint8_t **val, size_t *len)
{
    *val = NULL;
    *len = 0;
    if (fs->inode_size <= 128)
        return PB_ENOENT;
    uint32_t extra = pb_le16(n->raw + 128);
    uint32_t start = 128 + extra;
    if (extra % 4 || start + 4 > fs->inode_size)
        return PB_ENOENT;
    if (pb_le32(n->raw + start) != 0xea020000u)
        return PB_ENOENT;
    const uint8_t *base = n->raw + start + 4;      /* value offsets are relative to this */
    size_t region = fs->inode_size - start - 4;
    size_t pos = 0;
    for (int i = 0; i < 256 && pos + 16 <= region; i++) {
        const uint8_t *e = base + pos;
        if (pb_le32(e) == 0)
            break;
        uint8_t nlen = e[0], nidx = e[1];
        uint16_t voff = pb_le16(e + 2);
        uint32_t vinum = pb_le32(e + 4), vsize = pb_le32(e + 8);
        if (pos + 16 + nlen > region)
            break;
        if (nidx == 7 && nlen == 4 && !memcmp(e + 16, "data", 4)) {
            if (vinum || (size_t)voff + vsize > region)
                return pb_error(PB_EBADFS, "ext2: %s: inode %u: bad system.data xattr",
                                fs->base.dev->name, n->ino);
            *val = base + voff;
            *len = vsize;
            return 0;
        }
        pos += (16 + nlen + 3) & ~3u;
    }
    return PB_ENOENT;
}

static int64_t read_inline(struct ext2_fs *fs, struct ext2_node *n, uint64_t off, size_t len, uint8_t *buf)
{
    const uint8_t *x;
    size_t xlen;
    int r = inline_xattr(fs, n, &x, &xlen);
    if (r < 0 && r != PB_ENOENT)
        return r;
    uint64_t total = 60 + xlen;
    if (n->size > total)
        return pb_error(PB_EBADFS, "ext2: %s: inode %u: inline data size %llu exceeds the inode",
                        fs->base.dev->name, n->ino, (unsigned long long)n->size);
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = (size_t)(n->size - off);
    for (size_t i = 0; i < len; i++) {
        uint64_t o = off + i;
        buf[i] = o < 60 ? n->raw[40 + o] : x[o - 60];
    }
    return (int64_t)len;
}

/* ---- file data ---- */

static int64_t read_data(struct ext2_fs *fs, struct ext2_node *n, uint64_t off, size_t len, void *vbuf)
{
    uint8_t *buf = vbuf;
    if (n->flags & FL_ENCRYPT)
        return pb_error(PB_ENOTSUP, "ext2: %s: inode %u is encrypted (fscrypt); cannot read it",
                        fs->base.dev->name, n->ino);
    if (n->flags & FL_INLINE_DATA)
        return read_inline(fs, n, off, len, buf);
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = (size_t)(n->size - off);
    size_t done = 0;
    uint32_t bs = fs->block_size;
    while (done < len) {
        uint64_t pos = off + done;
        uint64_t lblk = pos >> fs->log_block_size;
        uint32_t boff = (uint32_t)(pos & (bs - 1));
        if (lblk > 0xffffffffull) {
            memset(buf + done, 0, len - done);   /* beyond any mapping: hole */
            break;
        }
        uint64_t pblk = 0, run = 1;
        int r = bmap(fs, n, lblk, &pblk, &run);
        if (r < 0)
            return r;
        if (run == 0)
            run = 1;
        /* how many bytes this run covers from pos */
        uint64_t avail = run > (UINT64_MAX >> 17) ? UINT64_MAX : run * bs - boff;
        size_t chunk = len - done;
        if (chunk > avail)
            chunk = (size_t)avail;
        if (pblk == 0) {
            memset(buf + done, 0, chunk);
        } else {
            r = ext2_dev_read(fs, pblk * bs + boff, chunk, buf + done);
            if (r < 0)
                return r;
        }
        done += chunk;
    }
    return (int64_t)len;
}

/* ---- journal ---- */

/* The journal inode, as jbd2_log.read sees it: one mapped run remembered. */
struct jmap {
    struct ext2_fs *fs;
    struct ext2_node *n;
    uint64_t lblk, pblk, run;     /* run == 0: nothing remembered */
};

static int journal_read(void *ctx, uint32_t jblk, void *buf)
{
    struct jmap *m = ctx;
    struct ext2_fs *fs = m->fs;
    if (!(m->run && jblk >= m->lblk && jblk - m->lblk < m->run)) {
        uint64_t pblk = 0, run = 1;
        int r = bmap(fs, m->n, jblk, &pblk, &run);
        if (r < 0)
            return r;
        if (!pblk)
            return pb_error(PB_EBADFS, "a hole in the journal inode");
        m->lblk = jblk;
        m->pblk = pblk;
        m->run = run ? run : 1;
    }
    /* the journal itself is read as it is on the disk */
    return pb_device_read(fs->base.dev, (m->pblk + (jblk - m->lblk)) * fs->block_size,
                          fs->block_size, buf);
}

/*
 * The superblock says the journal needs recovery (INCOMPAT_RECOVER): replay
 * it into fs->ov (modules/ext2/jbd2.c) without writing the disk.  A journal
 * that cannot be used is reported (pb_warn) and the filesystem read as it
 * is on the disk; a damaged transaction ends the replay there (earlier ones
 * stay, as e2fsck keeps them).  docs/journal.md.
 */
static void replay_journal(struct ext2_fs *fs, const uint8_t *sb)
{
    const char *dn = fs->base.dev->name;
    uint32_t jino = pb_le32(sb + 0xe0);
    /* whether or not it can be replayed here, Linux will replay it: a block
     * written in place now could be overwritten by a logged copy then */
    fs->base.no_write = "its journal needs recovery (done in memory only here)";
    if (!(fs->compat & COMPAT_HAS_JOURNAL) || jino == 0) {
        pb_warn("ext2: %s: the journal needs recovery but is %s; reading the filesystem without it",
                dn, jino == 0 ? "on another device (external journal)" : "missing (no has_journal)");
        return;
    }
    struct ext2_node *n;
    int r = read_inode(fs, jino, &n);
    if (r < 0) {
        pb_warn("ext2: %s: journal inode %u: %s; reading the filesystem without the journal", dn, jino,
                pb_errmsg());
        pb_error_clear();
        return;
    }
    struct jmap m = { .fs = fs, .n = n };
    uint64_t nblocks = n->size / fs->block_size;
    struct jbd2_log log = {
        .block_size = fs->block_size,
        .fs_blocks = fs->blocks_count,
        .nblocks = nblocks > UINT32_MAX ? UINT32_MAX : (uint32_t)nblocks,
        .read = journal_read,
        .ctx = &m,
    };
    struct jbd2_result res;
    r = jbd2_replay(&log, PB_OVERLAY_DEFAULT_LIMIT, &res);
    node_free(n);
    if (r < 0) {
        pb_warn("ext2: %s: %s; reading the filesystem without the journal", dn, pb_errmsg());
        pb_error_clear();
        return;
    }
    if (res.problem[0]) {
        if (res.transactions)
            pb_warn("ext2: %s: %s; the %u transaction%s before it replayed, the rest of the journal ignored",
                    dn, res.problem, res.transactions, res.transactions == 1 ? "" : "s");
        else
            pb_warn("ext2: %s: %s; reading the filesystem without the journal", dn, res.problem);
    }
    if (pb_overlay_count(res.ov) == 0) {
        pb_overlay_free(res.ov);
        return;
    }
    fs->ov = res.ov;
    /* what was checked before the replay is checked again through it */
    memset(fs->verified, 0, sizeof fs->verified);
    if (fs->gd_ok)
        memset(fs->gd_ok, 0, fs->groups / 8 + 1);
}

/* ---- ops ---- */

static int ext2_mount(struct pb_device *dev, struct pb_fs **fsp)
{
    uint8_t sb[1024];
    if (dev->nr_sectors * PB_SECTOR_SIZE < 2048)
        return PB_ENOENT;
    int r = pb_device_read(dev, 1024, sizeof sb, sb);
    if (r < 0)
        return r;
    if (pb_le16(sb + 56) != EXT2_MAGIC)
        return PB_ENOENT;
    const char *dn = dev->name;
    uint32_t log = pb_le32(sb + 24);
    uint32_t rev = pb_le32(sb + 76);
    uint32_t incompat = rev >= 1 ? pb_le32(sb + 96) : 0;
    if (log > 6)
        return pb_error(PB_EBADFS, "ext2: %s: superblock: bad block size (log %u)", dn, log);
    if (incompat & INCOMPAT_JOURNAL_DEV)
        return pb_error(PB_ENOTSUP, "ext2: %s: this is an external journal device, not a filesystem", dn);
    if (incompat & ~INCOMPAT_SUPPORTED)
        return pb_error(PB_ENOTSUP, "ext2: %s: unsupported incompatible features 0x%x",
                        dn, incompat & ~INCOMPAT_SUPPORTED);
    struct ext2_fs *fs = calloc(1, sizeof *fs);
    if (!fs)
        return pb_error(PB_ENOMEM, "ext2: out of memory");
    fs->base.dev = dev;
    fs->log_block_size = 10 + log;
    fs->block_size = 1024u << log;
    fs->incompat = incompat;
    fs->compat = rev >= 1 ? pb_le32(sb + 92) : 0;
    fs->ro_compat = rev >= 1 ? pb_le32(sb + 100) : 0;
    fs->inodes_count = pb_le32(sb + 0);
    fs->blocks_count = pb_le32(sb + 4);
    if (incompat & INCOMPAT_64BIT)
        fs->blocks_count |= (uint64_t)pb_le32(sb + 336) << 32;
    fs->first_data_block = pb_le32(sb + 20);
    fs->blocks_per_group = pb_le32(sb + 32);
    fs->inodes_per_group = pb_le32(sb + 40);
    fs->inode_size = rev >= 1 ? pb_le16(sb + 88) : 128;
    fs->desc_size = (incompat & INCOMPAT_64BIT) ? pb_le16(sb + 254) : 32;
    fs->first_meta_bg = pb_le32(sb + 260);
    fs->backup_bgs[0] = pb_le32(sb + 0x24c);
    fs->backup_bgs[1] = pb_le32(sb + 0x250);

    const char *bad = NULL;
    uint32_t log_cluster = pb_le32(sb + 28);
    uint32_t clusters_per_group = pb_le32(sb + 36);
    if (!(fs->ro_compat & RO_COMPAT_BIGALLOC))
        clusters_per_group = fs->blocks_per_group;
    if (fs->blocks_per_group == 0 || clusters_per_group == 0 ||
        clusters_per_group > 8 * fs->block_size || log_cluster > 30 ||
        (uint64_t)fs->blocks_per_group > (uint64_t)clusters_per_group << 16)
        bad = "blocks per group";
    else if (fs->inodes_per_group == 0 || fs->inodes_count == 0)
        bad = "inodes per group";
    else if (fs->inode_size < 128 || fs->inode_size > fs->block_size ||
             (fs->inode_size & (fs->inode_size - 1)))
        bad = "inode size";
    else if (fs->desc_size < 32 || fs->desc_size > fs->block_size ||
             (fs->desc_size & (fs->desc_size - 1)))
        bad = "descriptor size";
    else if (fs->blocks_count <= fs->first_data_block)
        bad = "block count";
    else if (fs->first_data_block > 1)
        bad = "first data block";
    if (bad) {
        free(fs);
        return pb_error(PB_EBADFS, "ext2: %s: superblock: bad %s", dn, bad);
    }
    uint64_t groups = (fs->blocks_count - fs->first_data_block + fs->blocks_per_group - 1) /
                      fs->blocks_per_group;
    if (groups > 0xffffffffull ||
        (uint64_t)fs->inodes_count > groups * fs->inodes_per_group) {
        free(fs);
        return pb_error(PB_EBADFS, "ext2: %s: superblock: inode/group counts disagree", dn);
    }
    fs->groups = (uint32_t)groups;
    if (fs->ro_compat & RO_COMPAT_METADATA_CSUM) {
        if (sb[0x175] != CSUM_TYPE_CRC32C) {
            free(fs);
            return pb_error(PB_ENOTSUP, "ext2: %s: superblock: unknown metadata checksum type %u", dn, sb[0x175]);
        }
        if (pb_crc32c(~0u, sb, 0x3fc) != pb_le32(sb + 0x3fc)) {
            r = csum_mismatch(fs, "superblock");
            if (r < 0) {
                free(fs);
                return r;
            }
        }
        fs->csum = true;
        fs->csum_seed = (incompat & INCOMPAT_CSUM_SEED) ? pb_le32(sb + 0x270) : pb_crc32c(~0u, sb + 104, 16);
        fs->gd_ok = calloc(groups / 8 + 1, 1);
        if (!fs->gd_ok) {
            free(fs);
            return pb_error(PB_ENOMEM, "ext2: out of memory");
        }
    }
    /* the blocks the device really holds bound every physical block */
    uint64_t dev_blocks = dev->nr_sectors * PB_SECTOR_SIZE / fs->block_size;
    if (fs->blocks_count > dev_blocks)
        fs->blocks_count = dev_blocks;

    pb_uuid_format(fs->base.uuid, sizeof fs->base.uuid, sb + 104);
    if (incompat & INCOMPAT_RECOVER)
        replay_journal(fs, sb);
    size_t ll = strnlen((const char *)sb + 120, 16);
    memcpy(fs->base.label, sb + 120, ll);
    fs->base.label[ll] = 0;
    *fsp = &fs->base;
    return 0;
}

static void ext2_unmount(struct pb_fs *pfs)
{
    struct ext2_fs *fs = (struct ext2_fs *)pfs;
    pb_overlay_free(fs->ov);
    free(fs->gd_ok);
    free(fs);
}

static int ext2_root(struct pb_fs *pfs, struct pb_node **out)
{
    struct ext2_fs *fs = (struct ext2_fs *)pfs;
    struct ext2_node *n;
    int r = read_inode(fs, EXT2_ROOT_INO, &n);
    if (r < 0)
        return r;
    if ((n->mode & S_IFMT) != S_IFDIR) {
        node_free(n);
        return pb_error(PB_EBADFS, "ext2: %s: root inode is not a directory", fs->base.dev->name);
    }
    *out = &n->base;
    return 0;
}

static enum pb_ftype mode_type(uint16_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return PB_FT_REG;
    case S_IFDIR: return PB_FT_DIR;
    case S_IFLNK: return PB_FT_LNK;
    default: return PB_FT_OTHER;
    }
}

static enum pb_ftype dirent_type(uint8_t t)
{
    switch (t) {
    case 1: return PB_FT_REG;
    case 2: return PB_FT_DIR;
    case 7: return PB_FT_LNK;
    case 0: return PB_FT_UNKNOWN;
    default: return PB_FT_OTHER;
    }
}

/* Directory walker: calls @fn for each live entry; @fn returns non-zero to
 * stop (that value is returned). */
typedef int (*dirent_fn)(struct ext2_fs *fs, uint32_t ino, const char *name, size_t nlen,
                         uint8_t ftype, void *ctx);

static int walk_records(struct ext2_fs *fs, struct ext2_node *dir, const uint8_t *b, size_t blen,
                        uint64_t where, dirent_fn fn, void *ctx)
{
    size_t pos = 0;
    while (pos + 8 <= blen) {
        uint32_t ino = pb_le32(b + pos);
        uint32_t rec = pb_le16(b + pos + 4);
        uint32_t nlen = b[pos + 6];
        uint8_t ft = b[pos + 7];
        if (!(fs->incompat & INCOMPAT_FILETYPE)) {
            nlen |= (uint32_t)ft << 8;
            ft = 0;
        }
        if (fs->block_size == 65536 && (rec == 0 || rec == 65535) && blen == 65536)
            rec = 65536;
        if (rec == 0 && ino == 0 && pos == 0)
            return 0;               /* all-zero block (hole): nothing here */
        if (rec < 8 || rec % 4 || pos + rec > blen || (ino && 8 + nlen > rec))
            return pb_error(PB_EBADFS, "ext2: %s: directory inode %u: bad entry at byte %llu",
                            fs->base.dev->name, dir->ino, (unsigned long long)(where + pos));
        if (ino && nlen) {
            int r = fn(fs, ino, (const char *)b + pos + 8, nlen, ft, ctx);
            if (r)
                return r;
        }
        pos += rec;
    }
    return 0;
}

/*
 * metadata_csum: does directory block @b (logical block @lblk of @dir,
 * block_size bytes) carry a matching checksum?  A leaf block ends in a tail
 * dirent; an htree block (the root: "." of rec_len 12, ".." reaching the
 * block end and dx_root_info with info_length 8; an interior node: one
 * empty record spanning the block) has a dx_tail after its `limit` entries.
 */
static int check_dirblock(struct ext2_fs *fs, struct ext2_node *dir, uint64_t lblk, const uint8_t *b)
{
    uint32_t bs = fs->block_size;
    uint64_t pblk = 0, run = 1;
    int r = bmap(fs, dir, lblk, &pblk, &run);
    if (r < 0)
        return r;
    if (pblk == 0 || verified(fs, pblk))
        return 0;                       /* a hole reads as zeros: no records */
    const uint8_t *t = b + bs - 12;
    bool ok;
    if (pb_le32(t) == 0 && pb_le16(t + 4) == 12 && t[6] == 0 && t[7] == 0xde) {
        ok = pb_crc32c(dir->csum_seed, b, bs - 12) == pb_le32(t + 8);
    } else {
        uint32_t rec0 = pb_le16(b + 4);
        if (bs == 65536 && (rec0 == 0 || rec0 == 65535))
            rec0 = 65536;
        size_t co = 0;                  /* offset of the dx limit/count pair */
        if (rec0 == bs && b[6] == 0)
            co = 8;
        else if (rec0 == 12 && pb_le16(b + 16) == bs - 12 && pb_le32(b + 24) == 0 && b[29] == 8)
            co = 32;
        uint32_t limit = co ? pb_le16(b + co) : 0, count = co ? pb_le16(b + co + 2) : 0;
        if (!co || count > limit || co + 8 * (size_t)limit + 8 > bs) {
            ok = false;                 /* no room for a checksum: refused like a mismatch */
        } else {
            const uint8_t *dt = b + co + 8 * (size_t)limit;
            uint32_t c = pb_crc32c(dir->csum_seed, b, co + 8 * (size_t)count);
            c = pb_crc32c(c, dt, 4);
            c = pb_crc32c(c, zeros, 4);
            ok = c == pb_le32(dt + 4);
        }
    }
    if (ok) {
        set_verified(fs, pblk);
        return 0;
    }
    return csum_mismatch(fs, "directory block %llu of inode %u", (unsigned long long)pblk, dir->ino);
}

static int walk_dir(struct ext2_fs *fs, struct ext2_node *dir, dirent_fn fn, void *ctx)
{
    if ((dir->mode & S_IFMT) != S_IFDIR)
        return pb_error(PB_ENOTDIR, "ext2: %s: inode %u is not a directory", fs->base.dev->name, dir->ino);
    if (dir->flags & FL_ENCRYPT)
        return pb_error(PB_ENOTSUP, "ext2: %s: directory inode %u is encrypted (fscrypt); cannot list it",
                        fs->base.dev->name, dir->ino);
    if (dir->flags & FL_INLINE_DATA) {
        /* i_block: parent inode (4 bytes), then records; more in system.data */
        const uint8_t *x;
        size_t xlen;
        int r = inline_xattr(fs, dir, &x, &xlen);
        if (r < 0 && r != PB_ENOENT)
            return r;
        uint32_t parent = pb_le32(dir->raw + 40);
        (void)parent;
        r = walk_records(fs, dir, dir->raw + 44, 56, 4, fn, ctx);
        if (r)
            return r;
        if (xlen)
            r = walk_records(fs, dir, x, xlen, 60, fn, ctx);
        return r;
    }
    uint32_t bs = fs->block_size;
    if (dir->size / bs > fs->blocks_count)
        return pb_error(PB_EBADFS, "ext2: %s: directory inode %u: size %llu exceeds the filesystem",
                        fs->base.dev->name, dir->ino, (unsigned long long)dir->size);
    uint8_t *b = malloc(bs);
    if (!b)
        return pb_error(PB_ENOMEM, "ext2: out of memory");
    uint64_t nblocks = (dir->size + bs - 1) / bs;
    int r = 0;
    for (uint64_t i = 0; i < nblocks; i++) {
        int64_t got = read_data(fs, dir, i * bs, bs, b);
        if (got < 0) {
            r = (int)got;
            break;
        }
        if (fs->csum && (size_t)got == bs) {
            r = check_dirblock(fs, dir, i, b);
            if (r < 0)
                break;
        }
        r = walk_records(fs, dir, b, (size_t)got, i * bs, fn, ctx);
        if (r)
            break;
    }
    free(b);
    return r;
}

struct lookup_ctx {
    const char *name;
    size_t nlen;
    int icase;
    uint32_t ino;
};

static int lookup_fn(struct ext2_fs *fs, uint32_t ino, const char *name, size_t nlen, uint8_t ft, void *vctx)
{
    struct lookup_ctx *c = vctx;
    (void)fs;
    (void)ft;
    if (nlen != c->nlen)
        return 0;
    if (c->icase ? strncasecmp(name, c->name, nlen) : memcmp(name, c->name, nlen))
        return 0;
    c->ino = ino;
    return 1;
}

static int ext2_lookup(struct pb_fs *pfs, struct pb_node *pdir, const char *name, size_t namelen,
                       struct pb_node **out)
{
    struct ext2_fs *fs = (struct ext2_fs *)pfs;
    struct ext2_node *dir = (struct ext2_node *)pdir;
    struct lookup_ctx c = { .name = name, .nlen = namelen };
    int r = walk_dir(fs, dir, lookup_fn, &c);
    if (r < 0)
        return r;
    if (!r && (dir->flags & FL_CASEFOLD)) {
        /* casefolded directory: ASCII case-insensitive second pass */
        c.icase = 1;
        r = walk_dir(fs, dir, lookup_fn, &c);
        if (r < 0)
            return r;
        if (!r) {
            for (size_t i = 0; i < namelen; i++)
                if ((unsigned char)name[i] >= 0x80)
                    return pb_error(PB_ENOENT, "ext2: %s: %.*s: not found (directory inode %u is casefolded; "
                                    "only ASCII case folding is supported)",
                                    fs->base.dev->name, (int)namelen, name, dir->ino);
        }
    }
    if (!r)
        return pb_error(PB_ENOENT, "ext2: %s: %.*s: file not found", fs->base.dev->name, (int)namelen, name);
    struct ext2_node *n;
    r = read_inode(fs, c.ino, &n);
    if (r < 0)
        return r;
    *out = &n->base;
    return 0;
}

struct readdir_ctx {
    int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx);
    void *ctx;
};

static int readdir_fn(struct ext2_fs *fs, uint32_t ino, const char *name, size_t nlen, uint8_t ft, void *vctx)
{
    struct readdir_ctx *c = vctx;
    if ((nlen == 1 && name[0] == '.') || (nlen == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    enum pb_ftype t = dirent_type(ft);
    if (t == PB_FT_UNKNOWN) {
        struct ext2_node *n;
        if (read_inode(fs, ino, &n) == 0) {
            t = mode_type(n->mode);
            node_free(n);
        }
    }
    return c->cb(name, nlen, t, c->ctx) ? 1 : 0;
}

static int ext2_readdir(struct pb_fs *pfs, struct pb_node *pdir,
                        int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx),
                        void *ctx)
{
    struct readdir_ctx c = { cb, ctx };
    int r = walk_dir((struct ext2_fs *)pfs, (struct ext2_node *)pdir, readdir_fn, &c);
    return r < 0 ? r : 0;
}

static int ext2_stat(struct pb_fs *pfs, struct pb_node *pnode, struct pb_stat *st)
{
    struct ext2_node *n = (struct ext2_node *)pnode;
    (void)pfs;
    memset(st, 0, sizeof *st);
    st->type = mode_type(n->mode);
    st->size = n->size;
    st->mtime = n->mtime;
    st->ino = n->ino;
    st->mode = n->mode;
    return 0;
}

static int64_t ext2_read(struct pb_fs *pfs, struct pb_node *pnode, uint64_t off, size_t len, void *buf)
{
    struct ext2_node *n = (struct ext2_node *)pnode;
    if ((n->mode & S_IFMT) == S_IFDIR)
        return pb_error(PB_EISDIR, "ext2: %s: inode %u is a directory", pfs->dev->name, n->ino);
    return read_data((struct ext2_fs *)pfs, n, off, len, buf);
}

static int ext2_readlink(struct pb_fs *pfs, struct pb_node *pnode, char *buf, size_t bufsize)
{
    struct ext2_fs *fs = (struct ext2_fs *)pfs;
    struct ext2_node *n = (struct ext2_node *)pnode;
    if ((n->mode & S_IFMT) != S_IFLNK)
        return pb_error(PB_EINVAL, "ext2: %s: inode %u is not a symlink", fs->base.dev->name, n->ino);
    if (n->size >= bufsize || n->size >= PB_PATH_MAX)
        return pb_error(PB_ERANGE, "ext2: %s: symlink inode %u: target too long (%llu bytes)",
                        fs->base.dev->name, n->ino, (unsigned long long)n->size);
    if (n->flags & FL_ENCRYPT)
        return pb_error(PB_ENOTSUP, "ext2: %s: symlink inode %u is encrypted (fscrypt)",
                        fs->base.dev->name, n->ino);
    size_t len = (size_t)n->size;
    uint32_t blocks = pb_le32(n->raw + 28);
    uint32_t acl = pb_le32(n->raw + 104);
    uint32_t ea_blocks = acl ? fs->block_size / 512 : 0;
    if (!(n->flags & FL_INLINE_DATA) && len < 60 && blocks - ea_blocks == 0) {
        memcpy(buf, n->raw + 40, len);      /* fast symlink */
    } else {
        int64_t got = read_data(fs, n, 0, len, buf);
        if (got < 0)
            return (int)got;
        if ((size_t)got != len)
            return pb_error(PB_EBADFS, "ext2: %s: symlink inode %u: short read", fs->base.dev->name, n->ino);
    }
    buf[len] = 0;
    return (int)len;
}

static void ext2_release(struct pb_fs *fs, struct pb_node *node)
{
    (void)fs;
    node_free((struct ext2_node *)node);
}

static struct pb_fs_ops ext2_ops = {
    .name = "ext2",
    .mount = ext2_mount,
    .unmount = ext2_unmount,
    .root = ext2_root,
    .lookup = ext2_lookup,
    .readdir = ext2_readdir,
    .stat = ext2_stat,
    .read = ext2_read,
    .readlink = ext2_readlink,
    .release = ext2_release,
};

/** pvboot_init_ext2() - register the ext2/3/4 filesystem. */
void pvboot_init_ext2(void)
{
    pb_fs_register(&ext2_ops);
}
