/* SPDX-License-Identifier: MIT */
/*
 * squash4: read-only SquashFS 4.0 (GRUB's fs name "squash4").
 *
 * Facts (the SquashFS 4.0 format as mksquashfs writes it and Linux reads it; see
 * man/pvboot-disks.7 for what is supported):
 *  - superblock at byte 0, little endian, 96 bytes: magic "hsqs" 0, inode
 *    count 4, mkfs time 8, block size 12, fragment count 16, compressor 20
 *    (1 zlib, 2 lzma, 3 lzo, 4 xz, 5 lz4, 6 zstd), block log 22, flags 24,
 *    id count 26, major 28 (4), minor 30, root inode reference 32, bytes used
 *    40, table starts: id 48, xattr 56, inode 64, directory 72, fragment 80,
 *    export 88.
 *  - metadata blocks: le16 header (bit 15: stored uncompressed, low 15 bits:
 *    stored length), at most 8192 bytes once decoded.  A reference to
 *    metadata is (block start relative to its table) << 16 | offset in the
 *    decoded block; items run on into the following block.
 *  - inodes: 16-byte header (type, mode, uid, gid, mtime, number), then per
 *    type: basic/extended directory (1/8), regular file (2/9), symlink
 *    (3/10), devices, fifos and sockets (4-7, 11-14).
 *  - directory listings: header (count - 1, inode block, base inode number),
 *    then entries (inode offset, number delta, type, name length - 1, name);
 *    a directory's size counts 3 bytes more than its listing; extended
 *    directories carry an index (listing position, directory block, name)
 *    used to skip ahead on lookup.
 *  - file data: consecutive blocks from the inode's start; each block's le32
 *    size word has bit 24 set when stored uncompressed and is 0 for a hole;
 *    the tail may sit in a fragment block (fragment table: 16-byte entries in
 *    metadata blocks listed by an le64 index at the fragment table start).
 * Compressed data is raw: a zlib stream, an xz stream, raw lzo1x, a raw lz4
 * block or a zstd frame, decoded through the decompress module
 * (include/pvboot/decompress.h).  The id and xattr tables are not needed for reading
 * and are not read.  GRUB reports no UUID and no label for squash4: neither
 * does this module.
 *
 * Every length and offset read from the image is checked against the image
 * (bytes_used), the metadata block size and the block size; every loop is
 * bounded by a count or by bytes consumed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/decompress.h"
#include "pvboot/disk.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"

#define SQ_MAGIC 0x73717368u
#define SQ_META_SIZE 8192u
#define SQ_META_CACHE 64           /* decoded metadata blocks kept per fs */
#define SQ_DATA_CACHE 4            /* decoded data/fragment blocks kept per fs */
#define SQ_NAME_MAX 256
#define SQ_DIR_MAX_COUNT 256       /* entries under one directory header */
#define SQ_BL_CHUNK 256            /* block-list words read at a time */

enum { SQ_ZLIB = 1, SQ_LZMA = 2, SQ_LZO = 3, SQ_XZ = 4, SQ_LZ4 = 5, SQ_ZSTD = 6 };
enum {
    SQ_DIR = 1, SQ_REG = 2, SQ_SYMLINK = 3, SQ_BLKDEV = 4, SQ_CHRDEV = 5, SQ_FIFO = 6,
    SQ_SOCKET = 7, SQ_LDIR = 8, SQ_LREG = 9, SQ_LSYMLINK = 10, SQ_LBLKDEV = 11,
    SQ_LCHRDEV = 12, SQ_LFIFO = 13, SQ_LSOCKET = 14
};

/* A decoded block in one of the two LRU caches (metadata, file data). */
struct sq_block {
    uint64_t pos;                  /* key: byte position of the metadata block's header or
                                    * of the stored data block; UINT64_MAX = empty */
    uint64_t next;                 /* metadata: position of the following block */
    uint32_t len;                  /* decoded bytes */
    uint64_t used;                 /* LRU stamp */
    uint8_t *data;                 /* SQ_META_SIZE or block_size bytes, allocated on first use */
};

struct sq_fs {
    struct pb_fs base;
    uint32_t block_size, block_log, frag_count;
    uint16_t comp;
    uint64_t bytes_used;
    uint64_t root_ref;
    uint64_t inode_table, dir_table, frag_table;
    uint64_t stamp;
    struct sq_block *meta;         /* SQ_META_CACHE entries */
    struct sq_block data[SQ_DATA_CACHE];
};

struct sq_node {
    struct pb_node base;
    uint64_t ref;                  /* inode reference (for messages) */
    uint32_t number;               /* inode number */
    uint16_t type;
    uint16_t mode;
    uint32_t mtime;
    uint64_t size;                 /* bytes: file size, listing size + 3, link length */
    /* directories */
    uint32_t dir_block, dir_offset;
    uint32_t idx_count;            /* extended directory index entries */
    uint64_t idx_blk;              /* index position: metadata block and offset */
    uint32_t idx_off;
    /* regular files */
    uint64_t start;                /* byte position of the first data block */
    uint32_t frag, frag_off;
    uint64_t nblocks;
    uint64_t bl_blk0;              /* block list: position of its first word */
    uint32_t bl_off0;
    uint64_t bl_blk;               /* read cursor after the buffered chunk */
    uint32_t bl_off;
    uint64_t bl_first;             /* index of bl[0] */
    uint32_t bl_n;
    uint64_t bl_dpos;              /* data position of block bl_first */
    uint32_t bl[SQ_BL_CHUNK];
    /* symlinks: target position */
    uint64_t link_blk;
    uint32_t link_off;
};

static const char *devname(struct sq_fs *fs)
{
    return fs->base.dev->name;
}

/* ---- decompression ---- */

/* Decode @inlen stored bytes into @out (at most @cap bytes); *@outlen gets
 * the decoded size.  @where names the block for messages. */
static int sq_decompress(struct sq_fs *fs, const uint8_t *in, size_t inlen, uint8_t *out,
                         size_t cap, size_t *outlen, uint64_t where)
{
    enum pb_comp fmt;
    switch (fs->comp) {
    case SQ_ZLIB: fmt = PB_COMP_ZLIB; break;
    case SQ_LZO: fmt = PB_COMP_LZO1X; break;
    case SQ_LZ4: fmt = PB_COMP_LZ4_BLOCK; break;
    case SQ_ZSTD: fmt = PB_COMP_ZSTD; break;
    case SQ_XZ: fmt = PB_COMP_XZ; break;
    default:
        return pb_error(PB_ENOTSUP, "squash4: %s: compressor %u not supported", devname(fs),
                        fs->comp);
    }
    int r = pb_decompress(fmt, in, inlen, out, cap, outlen, NULL, NULL, NULL);
    if (r < 0)
        return pb_error(r == PB_ENOMEM ? r : PB_EBADFS, "squash4: %s: block at byte %llu: %s",
                        devname(fs), (unsigned long long)where, pb_errmsg());
    return 0;
}

/* ---- metadata ---- */

/* The block keyed @pos in @cache (@n entries): true with *@out = it (marked
 * used), or false with *@out = the least recently used entry to refill. */
static bool sq_cache_find(struct sq_fs *fs, struct sq_block *cache, unsigned n, uint64_t pos,
                          struct sq_block **out)
{
    struct sq_block *victim = &cache[0];
    for (unsigned i = 0; i < n; i++) {
        struct sq_block *b = &cache[i];
        if (b->pos == pos && pos != UINT64_MAX) {
            b->used = ++fs->stamp;
            *out = b;
            return true;
        }
        if (b->used < victim->used)
            victim = b;
    }
    *out = victim;
    return false;
}

/* Refill cache entry @b as the block keyed @pos: the @slen bytes stored at
 * @at, copied when @raw, else decompressed into at most @cap bytes.  @b is
 * empty unless this succeeds. */
static int sq_cache_fill(struct sq_fs *fs, struct sq_block *b, uint64_t pos, uint64_t at,
                         uint32_t slen, bool raw, size_t cap)
{
    if (!b->data && !(b->data = malloc(cap)))
        return pb_error(PB_ENOMEM, "squash4: out of memory for a %zu-byte block", cap);
    b->pos = UINT64_MAX;
    int r;
    size_t dlen = 0;
    if (raw) {
        r = pb_device_read(fs->base.dev, at, slen, b->data);
        dlen = slen;
    } else {
        uint8_t *tmp = malloc(slen ? slen : 1);
        if (!tmp)
            return pb_error(PB_ENOMEM, "squash4: out of memory");
        r = pb_device_read(fs->base.dev, at, slen, tmp);
        if (r == 0)
            r = sq_decompress(fs, tmp, slen, b->data, cap, &dlen, pos);
        free(tmp);
    }
    if (r < 0)
        return r;
    b->pos = pos;
    b->len = (uint32_t)dlen;
    b->used = ++fs->stamp;
    return 0;
}

static int sq_meta_get(struct sq_fs *fs, uint64_t pos, struct sq_block **out)
{
    struct sq_block *victim;
    if (sq_cache_find(fs, fs->meta, SQ_META_CACHE, pos, out))
        return 0;
    victim = *out;
    uint8_t hdr[2];
    if (pos > fs->bytes_used || fs->bytes_used - pos < 2)
        return pb_error(PB_EBADFS, "squash4: %s: metadata block at byte %llu is outside the image (%llu bytes)",
                        devname(fs), (unsigned long long)pos, (unsigned long long)fs->bytes_used);
    int r = pb_device_read(fs->base.dev, pos, 2, hdr);
    if (r < 0)
        return r;
    uint16_t h = pb_le16(hdr);
    uint32_t slen = h & 0x7fffu;
    if (slen == 0 || slen > SQ_META_SIZE || fs->bytes_used - pos - 2 < slen)
        return pb_error(PB_EBADFS, "squash4: %s: metadata block at byte %llu: bad stored length %u",
                        devname(fs), (unsigned long long)pos, slen);
    r = sq_cache_fill(fs, victim, pos, pos + 2, slen, h & 0x8000u, SQ_META_SIZE);
    if (r < 0)
        return r;
    if (victim->len == 0) {
        victim->pos = UINT64_MAX;
        return pb_error(PB_EBADFS, "squash4: %s: metadata block at byte %llu is empty",
                        devname(fs), (unsigned long long)pos);
    }
    victim->next = pos + 2 + slen;
    return 0;
}

/* Read @len bytes of metadata at cursor (*@blk: block position, *@off:
 * offset in it) and advance the cursor across blocks. */
static int sq_meta_read(struct sq_fs *fs, uint64_t *blk, uint32_t *off, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        struct sq_block *m = NULL;
        int r = sq_meta_get(fs, *blk, &m);
        if (r < 0)
            return r;
        if (*off >= m->len) {
            if (*off > m->len || m->len != SQ_META_SIZE)
                return pb_error(PB_EBADFS, "squash4: %s: offset %u past the end of the metadata block at byte %llu (%u bytes)",
                                devname(fs), *off, (unsigned long long)*blk, m->len);
            *blk = m->next;
            *off = 0;
            continue;
        }
        size_t n = m->len - *off;
        if (n > len)
            n = len;
        memcpy(p, m->data + *off, n);
        p += n;
        len -= n;
        *off += (uint32_t)n;
    }
    return 0;
}

/* ---- inodes ---- */

static int sq_read_inode(struct sq_fs *fs, uint64_t ref, struct sq_node **out)
{
    uint64_t rblk = ref >> 16;
    uint32_t off = (uint32_t)(ref & 0xffff);
    if (off >= SQ_META_SIZE || rblk > fs->bytes_used - fs->inode_table)
        return pb_error(PB_EBADFS, "squash4: %s: inode reference %#llx outside the inode table",
                        devname(fs), (unsigned long long)ref);
    uint64_t blk = fs->inode_table + rblk;
    uint8_t h[16], b[40];
    int r = sq_meta_read(fs, &blk, &off, h, sizeof h);
    if (r < 0)
        goto bad;
    struct sq_node *n = calloc(1, sizeof *n);
    if (!n)
        return pb_error(PB_ENOMEM, "squash4: out of memory");
    n->base.fs = &fs->base;
    n->ref = ref;
    n->type = pb_le16(h);
    n->mode = pb_le16(h + 2);
    n->mtime = pb_le32(h + 8);
    n->number = pb_le32(h + 12);
    switch (n->type) {
    case SQ_DIR:
        if ((r = sq_meta_read(fs, &blk, &off, b, 16)) < 0)
            break;
        n->dir_block = pb_le32(b);
        n->size = pb_le16(b + 8);
        n->dir_offset = pb_le16(b + 10);
        break;
    case SQ_LDIR:
        if ((r = sq_meta_read(fs, &blk, &off, b, 24)) < 0)
            break;
        n->size = pb_le32(b + 4);
        n->dir_block = pb_le32(b + 8);
        n->idx_count = pb_le16(b + 16);
        n->dir_offset = pb_le16(b + 18);
        n->idx_blk = blk;
        n->idx_off = off;
        break;
    case SQ_REG:
    case SQ_LREG:
        if (n->type == SQ_REG) {
            if ((r = sq_meta_read(fs, &blk, &off, b, 16)) < 0)
                break;
            n->start = pb_le32(b);
            n->frag = pb_le32(b + 4);
            n->frag_off = pb_le32(b + 8);
            n->size = pb_le32(b + 12);
        } else {
            if ((r = sq_meta_read(fs, &blk, &off, b, 40)) < 0)
                break;
            n->start = pb_le64(b);
            n->size = pb_le64(b + 8);
            n->frag = pb_le32(b + 28);
            n->frag_off = pb_le32(b + 32);
        }
        n->nblocks = n->size >> fs->block_log;
        if (n->frag == 0xffffffffu && (n->size & (fs->block_size - 1)))
            n->nblocks++;
        if (n->frag != 0xffffffffu &&
            (n->frag >= fs->frag_count || n->frag_off >= fs->block_size ||
             (n->size & (fs->block_size - 1)) > fs->block_size - n->frag_off)) {
            r = pb_error(PB_EBADFS, "squash4: %s: inode %u: fragment %u (offset %u) out of range",
                         devname(fs), n->number, n->frag, n->frag_off);
            break;
        }
        if (n->start > fs->bytes_used) {
            r = pb_error(PB_EBADFS, "squash4: %s: inode %u: data start %llu outside the image",
                         devname(fs), n->number, (unsigned long long)n->start);
            break;
        }
        n->bl_blk0 = n->bl_blk = blk;
        n->bl_off0 = n->bl_off = off;
        n->bl_dpos = n->start;
        break;
    case SQ_SYMLINK:
    case SQ_LSYMLINK:
        if ((r = sq_meta_read(fs, &blk, &off, b, 8)) < 0)
            break;
        n->size = pb_le32(b + 4);
        if (n->size == 0 || n->size >= PB_PATH_MAX) {
            r = pb_error(PB_EBADFS, "squash4: %s: inode %u: symlink length %llu", devname(fs),
                         n->number, (unsigned long long)n->size);
            break;
        }
        n->link_blk = blk;
        n->link_off = off;
        break;
    case SQ_BLKDEV: case SQ_CHRDEV: case SQ_FIFO: case SQ_SOCKET:
    case SQ_LBLKDEV: case SQ_LCHRDEV: case SQ_LFIFO: case SQ_LSOCKET:
        break;
    default:
        r = pb_error(PB_EBADFS, "squash4: %s: inode %u (reference %#llx): unknown type %u",
                     devname(fs), n->number, (unsigned long long)ref, n->type);
    }
    if (r < 0) {
        free(n);
        return r;
    }
    *out = n;
    return 0;
bad:
    return pb_error(r, "squash4: %s: inode reference %#llx: %s", devname(fs),
                    (unsigned long long)ref, pb_errmsg());
}

static enum pb_ftype sq_ftype(unsigned t)
{
    switch (t) {
    case SQ_DIR: case SQ_LDIR: return PB_FT_DIR;
    case SQ_REG: case SQ_LREG: return PB_FT_REG;
    case SQ_SYMLINK: case SQ_LSYMLINK: return PB_FT_LNK;
    default: return PB_FT_OTHER;
    }
}

/* ---- directories ---- */

struct sq_dirent {
    uint64_t ref;
    unsigned type;
    char name[SQ_NAME_MAX + 1];
    size_t namelen;
};

/* Walk @dir's listing, from listing byte @skip at cursor (@blk, @off), calling
 * @fn per entry until it returns non-zero.  Returns that value, 0 at the end,
 * or an error. */
static int sq_walk(struct sq_fs *fs, struct sq_node *dir, uint64_t blk, uint32_t off,
                   uint64_t skip, int (*fn)(struct sq_dirent *e, void *ctx), void *ctx)
{
    if (dir->size <= 3)
        return 0;
    uint64_t left = dir->size - 3;
    if (skip > left)
        return pb_error(PB_EBADFS, "squash4: %s: directory inode %u: index points past its listing",
                        devname(fs), dir->number);
    left -= skip;
    uint8_t b[12];
    struct sq_dirent e;
    while (left > 0) {
        if (left < 12)
            goto bad;
        int r = sq_meta_read(fs, &blk, &off, b, 12);
        if (r < 0)
            return r;
        left -= 12;
        uint32_t count = pb_le32(b) + 1;
        uint32_t iblk = pb_le32(b + 4);
        uint32_t base = pb_le32(b + 8);
        if (count == 0 || count > SQ_DIR_MAX_COUNT)
            goto bad;
        for (uint32_t i = 0; i < count; i++) {
            if (left < 8)
                goto bad;
            if ((r = sq_meta_read(fs, &blk, &off, b, 8)) < 0)
                return r;
            left -= 8;
            uint16_t ioff = pb_le16(b);
            e.type = pb_le16(b + 4);
            e.namelen = (size_t)pb_le16(b + 6) + 1;
            if (e.namelen > SQ_NAME_MAX || e.namelen > left)
                goto bad;
            if ((r = sq_meta_read(fs, &blk, &off, e.name, e.namelen)) < 0)
                return r;
            left -= e.namelen;
            e.name[e.namelen] = 0;
            e.ref = (uint64_t)iblk << 16 | ioff;
            (void)base;
            if (memchr(e.name, '/', e.namelen) || memchr(e.name, 0, e.namelen))
                return pb_error(PB_EBADFS, "squash4: %s: directory inode %u: entry name with '/' or NUL",
                                devname(fs), dir->number);
            r = fn(&e, ctx);
            if (r)
                return r;
        }
    }
    return 0;
bad:
    return pb_error(PB_EBADFS, "squash4: %s: directory inode %u: listing damaged (%llu bytes left)",
                    devname(fs), dir->number, (unsigned long long)left);
}

/* The directory table block where @dir's listing starts, or PB_ENOTDIR when
 * @dir is not a directory, PB_EBADFS when the listing is outside the table. */
static int sq_dir_start(struct sq_fs *fs, struct sq_node *dir, uint64_t *blk)
{
    if (sq_ftype(dir->type) != PB_FT_DIR)
        return pb_error(PB_ENOTDIR, "squash4: %s: inode %u is not a directory", devname(fs),
                        dir->number);
    if (dir->dir_offset >= SQ_META_SIZE || dir->dir_block > fs->bytes_used - fs->dir_table)
        return pb_error(PB_EBADFS, "squash4: %s: directory inode %u: listing at %u:%u outside the directory table",
                        devname(fs), dir->number, dir->dir_block, dir->dir_offset);
    *blk = fs->dir_table + dir->dir_block;
    return 0;
}

struct sq_lookup {
    const char *name;
    size_t len;
    uint64_t ref;
    int found;
};

static int sq_lookup_fn(struct sq_dirent *e, void *ctx)
{
    struct sq_lookup *l = ctx;
    size_t n = e->namelen < l->len ? e->namelen : l->len;
    int c = memcmp(e->name, l->name, n);
    if (c == 0 && e->namelen == l->len) {
        l->ref = e->ref;
        l->found = 1;
        return 1;
    }
    /* listings are sorted by name (byte order): stop once past it */
    if (c > 0 || (c == 0 && e->namelen > l->len))
        return 1;
    return 0;
}

static int sq_lookup(struct pb_fs *pfs, struct pb_node *pdir, const char *name, size_t namelen,
                     struct pb_node **out)
{
    struct sq_fs *fs = (struct sq_fs *)pfs;
    struct sq_node *dir = (struct sq_node *)pdir;
    uint64_t blk = 0;
    int r = sq_dir_start(fs, dir, &blk);
    if (r < 0)
        return r;
    uint32_t off = dir->dir_offset;
    uint64_t skip = 0;
    if (namelen > SQ_NAME_MAX)
        return pb_error(PB_ENOENT, "squash4: %s: %.*s: file not found", devname(fs),
                        (int)(namelen > 64 ? 64 : namelen), name);
    /* extended directory index: the last entry whose name is <= the one
     * sought gives a later starting point */
    uint64_t iblk = dir->idx_blk;
    uint32_t ioff = dir->idx_off;
    for (uint32_t i = 0; i < dir->idx_count; i++) {
        uint8_t b[12];
        char iname[SQ_NAME_MAX + 1];
        if ((r = sq_meta_read(fs, &iblk, &ioff, b, 12)) < 0)
            return r;
        uint32_t isize = pb_le32(b + 8) + 1;
        if (isize > SQ_NAME_MAX)
            return pb_error(PB_EBADFS, "squash4: %s: directory inode %u: index entry %u damaged",
                            devname(fs), dir->number, i);
        if ((r = sq_meta_read(fs, &iblk, &ioff, iname, isize)) < 0)
            return r;
        size_t n = isize < namelen ? isize : namelen;
        int c = memcmp(iname, name, n);
        if (c > 0 || (c == 0 && isize > namelen))
            break;
        uint32_t pos = pb_le32(b), dblk = pb_le32(b + 4);
        if (pos <= skip && i > 0)
            return pb_error(PB_EBADFS, "squash4: %s: directory inode %u: index not increasing",
                            devname(fs), dir->number);
        if (dblk > fs->bytes_used - fs->dir_table)
            return pb_error(PB_EBADFS, "squash4: %s: directory inode %u: index entry %u outside the directory table",
                            devname(fs), dir->number, i);
        skip = pos;
        blk = fs->dir_table + dblk;
        off = (uint32_t)((dir->dir_offset + pos) % SQ_META_SIZE);
    }
    struct sq_lookup l = { name, namelen, 0, 0 };
    r = sq_walk(fs, dir, blk, off, skip, sq_lookup_fn, &l);
    if (r < 0)
        return r;
    if (!l.found)
        return pb_error(PB_ENOENT, "squash4: %s: %.*s: file not found", devname(fs), (int)namelen,
                        name);
    struct sq_node *n;
    r = sq_read_inode(fs, l.ref, &n);
    if (r < 0)
        return r;
    *out = &n->base;
    return 0;
}

struct sq_readdir {
    int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx);
    void *ctx;
};

static int sq_readdir_fn(struct sq_dirent *e, void *ctx)
{
    struct sq_readdir *c = ctx;
    return c->cb(e->name, e->namelen, sq_ftype(e->type), c->ctx) ? 1 : 0;
}

static int sq_readdir(struct pb_fs *pfs, struct pb_node *pdir,
                      int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx),
                      void *ctx)
{
    struct sq_fs *fs = (struct sq_fs *)pfs;
    struct sq_node *dir = (struct sq_node *)pdir;
    uint64_t blk = 0;
    int r = sq_dir_start(fs, dir, &blk);
    if (r < 0)
        return r;
    struct sq_readdir c = { cb, ctx };
    r = sq_walk(fs, dir, blk, dir->dir_offset, 0, sq_readdir_fn, &c);
    return r < 0 ? r : 0;
}

/* ---- file data ---- */

/* The stored block at @pos (@word: its size word) decoded, cached. */
static int sq_data_get(struct sq_fs *fs, uint64_t pos, uint32_t word, struct sq_block **out,
                       uint32_t ino)
{
    struct sq_block *victim;
    if (sq_cache_find(fs, fs->data, SQ_DATA_CACHE, pos, &victim)) {
        *out = victim;
        return 0;
    }
    uint32_t slen = word & 0xffffffu;
    if (slen > fs->block_size || pos > fs->bytes_used || fs->bytes_used - pos < slen)
        return pb_error(PB_EBADFS, "squash4: %s: inode %u: data block at byte %llu (%u bytes) outside the image",
                        devname(fs), ino, (unsigned long long)pos, slen);
    bool raw = word & (1u << 24);
    int r = sq_cache_fill(fs, victim, pos, pos, slen, raw, fs->block_size);
    if (r < 0)
        return raw ? r : pb_error(r, "%s (inode %u)", pb_errmsg(), ino);
    *out = victim;
    return 0;
}

/* Data position and size word of block @k of file @n. */
static int sq_block_locate(struct sq_fs *fs, struct sq_node *n, uint64_t k, uint64_t *pos,
                           uint32_t *word)
{
    if (k < n->bl_first) {            /* backwards: start over */
        n->bl_first = 0;
        n->bl_n = 0;
        n->bl_blk = n->bl_blk0;
        n->bl_off = n->bl_off0;
        n->bl_dpos = n->start;
    }
    while (k >= n->bl_first + n->bl_n) {
        for (uint32_t i = 0; i < n->bl_n; i++)
            n->bl_dpos += n->bl[i] & 0xffffffu;
        n->bl_first += n->bl_n;
        uint64_t want = n->nblocks - n->bl_first;
        if (want > SQ_BL_CHUNK)
            want = SQ_BL_CHUNK;
        uint8_t raw[SQ_BL_CHUNK * 4];
        n->bl_n = 0;
        int r = sq_meta_read(fs, &n->bl_blk, &n->bl_off, raw, (size_t)want * 4);
        if (r < 0)
            return pb_error(r, "squash4: %s: inode %u: block list: %s", devname(fs), n->number,
                            pb_errmsg());
        for (uint32_t i = 0; i < want; i++)
            n->bl[i] = pb_le32(raw + 4 * i);
        n->bl_n = (uint32_t)want;
    }
    uint64_t p = n->bl_dpos;
    for (uint64_t i = 0; i < k - n->bl_first; i++)
        p += n->bl[i] & 0xffffffu;
    if (p > fs->bytes_used)
        return pb_error(PB_EBADFS, "squash4: %s: inode %u: block %llu lies outside the image",
                        devname(fs), n->number, (unsigned long long)k);
    *pos = p;
    *word = n->bl[k - n->bl_first];
    return 0;
}

static int sq_fragment(struct sq_fs *fs, struct sq_node *n, struct sq_block **out)
{
    uint64_t ipos = fs->frag_table + (uint64_t)(n->frag / 512) * 8;
    uint8_t b[16];
    if (fs->frag_table > fs->bytes_used || ipos > fs->bytes_used - 8)
        return pb_error(PB_EBADFS, "squash4: %s: inode %u: fragment index outside the image",
                        devname(fs), n->number);
    int r = pb_device_read(fs->base.dev, ipos, 8, b);
    if (r < 0)
        return r;
    uint64_t blk = pb_le64(b);
    uint32_t off = (n->frag % 512) * 16;
    r = sq_meta_read(fs, &blk, &off, b, 16);
    if (r < 0)
        return pb_error(r, "squash4: %s: inode %u: fragment %u: %s", devname(fs), n->number,
                        n->frag, pb_errmsg());
    uint64_t start = pb_le64(b);
    uint32_t word = pb_le32(b + 8);
    if ((word & 0xffffffu) == 0)
        return pb_error(PB_EBADFS, "squash4: %s: inode %u: fragment %u is empty", devname(fs),
                        n->number, n->frag);
    r = sq_data_get(fs, start, word, out, n->number);
    if (r < 0)
        return r;
    uint32_t tail = (uint32_t)(n->size & (fs->block_size - 1));
    if ((*out)->len < n->frag_off || (*out)->len - n->frag_off < tail)
        return pb_error(PB_EBADFS, "squash4: %s: inode %u: fragment %u holds %u bytes, file tail needs %u at %u",
                        devname(fs), n->number, n->frag, (*out)->len, tail, n->frag_off);
    return 0;
}

static int64_t sq_read(struct pb_fs *pfs, struct pb_node *pn, uint64_t off, size_t len, void *buf)
{
    struct sq_fs *fs = (struct sq_fs *)pfs;
    struct sq_node *n = (struct sq_node *)pn;
    if (sq_ftype(n->type) != PB_FT_REG)
        return pb_error(PB_EINVAL, "squash4: %s: inode %u is not a regular file", devname(fs),
                        n->number);
    if (off >= n->size)
        return 0;
    if (len > n->size - off)
        len = (size_t)(n->size - off);
    uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        uint64_t fpos = off + done;
        uint64_t k = fpos >> fs->block_log;
        uint32_t in = (uint32_t)(fpos & (fs->block_size - 1));
        uint64_t bstart = k << fs->block_log;
        uint64_t blen = n->size - bstart < fs->block_size ? n->size - bstart : fs->block_size;
        size_t want = (size_t)(blen - in);
        if (want > len - done)
            want = len - done;
        const uint8_t *src;
        if (k >= n->nblocks) {                 /* the tail, in a fragment */
            struct sq_block *d;
            int r = sq_fragment(fs, n, &d);
            if (r < 0)
                return r;
            src = d->data + n->frag_off + in;
        } else {
            uint64_t pos;
            uint32_t word;
            int r = sq_block_locate(fs, n, k, &pos, &word);
            if (r < 0)
                return r;
            if ((word & 0xffffffu) == 0) {     /* a hole */
                memset(p + done, 0, want);
                done += want;
                continue;
            }
            struct sq_block *d;
            r = sq_data_get(fs, pos, word, &d, n->number);
            if (r < 0)
                return r;
            if (d->len < blen)
                return pb_error(PB_EBADFS, "squash4: %s: inode %u: block %llu decodes to %u bytes, expected %llu",
                                devname(fs), n->number, (unsigned long long)k, d->len,
                                (unsigned long long)blen);
            src = d->data + in;
        }
        memcpy(p + done, src, want);
        done += want;
    }
    return (int64_t)done;
}

/* ---- the rest of the fs ops ---- */

static int sq_readlink(struct pb_fs *pfs, struct pb_node *pn, char *buf, size_t bufsize)
{
    struct sq_fs *fs = (struct sq_fs *)pfs;
    struct sq_node *n = (struct sq_node *)pn;
    if (sq_ftype(n->type) != PB_FT_LNK)
        return pb_error(PB_EINVAL, "squash4: %s: inode %u is not a symlink", devname(fs),
                        n->number);
    if (n->size >= bufsize)
        return pb_error(PB_ERANGE, "squash4: %s: inode %u: symlink target too long", devname(fs),
                        n->number);
    uint64_t blk = n->link_blk;
    uint32_t off = n->link_off;
    int r = sq_meta_read(fs, &blk, &off, buf, (size_t)n->size);
    if (r < 0)
        return r;
    buf[n->size] = 0;
    if (strlen(buf) != n->size)
        return pb_error(PB_EBADFS, "squash4: %s: inode %u: symlink target holds a NUL byte",
                        devname(fs), n->number);
    return (int)n->size;
}

static int sq_stat(struct pb_fs *pfs, struct pb_node *pn, struct pb_stat *st)
{
    struct sq_node *n = (struct sq_node *)pn;
    (void)pfs;
    memset(st, 0, sizeof *st);
    st->type = sq_ftype(n->type);
    st->size = st->type == PB_FT_DIR ? 0 : n->size;
    st->mtime = n->mtime;
    st->ino = n->number;
    st->mode = n->mode;
    return 0;
}

static int sq_root(struct pb_fs *pfs, struct pb_node **out)
{
    struct sq_fs *fs = (struct sq_fs *)pfs;
    struct sq_node *n;
    int r = sq_read_inode(fs, fs->root_ref, &n);
    if (r < 0)
        return r;
    if (sq_ftype(n->type) != PB_FT_DIR) {
        free(n);
        return pb_error(PB_EBADFS, "squash4: %s: root inode is not a directory", devname(fs));
    }
    *out = &n->base;
    return 0;
}

static void sq_release(struct pb_fs *pfs, struct pb_node *pn)
{
    (void)pfs;
    free(pn);
}

static void sq_unmount(struct pb_fs *pfs)
{
    struct sq_fs *fs = (struct sq_fs *)pfs;
    for (unsigned i = 0; i < SQ_DATA_CACHE; i++)
        free(fs->data[i].data);
    for (unsigned i = 0; i < SQ_META_CACHE; i++)
        free(fs->meta[i].data);
    free(fs->meta);
    free(fs);
}

static int sq_mount(struct pb_device *dev, struct pb_fs **fsp)
{
    uint8_t sb[96];
    uint64_t devsize = dev->nr_sectors * PB_SECTOR_SIZE;
    if (devsize < sizeof sb)
        return PB_ENOENT;
    int r = pb_device_read(dev, 0, sizeof sb, sb);
    if (r < 0)
        return r;
    if (pb_le32(sb) != SQ_MAGIC)
        return PB_ENOENT;
    uint16_t major = pb_le16(sb + 28);
    if (major != 4)
        return pb_error(PB_ENOTSUP, "squash4: %s: SquashFS version %u.%u (only 4.x)", dev->name,
                        major, pb_le16(sb + 30));
    uint32_t bs = pb_le32(sb + 12);
    uint16_t blog = pb_le16(sb + 22);
    if (blog < 12 || blog > 20 || bs != 1u << blog)
        return pb_error(PB_EBADFS, "squash4: %s: bad block size %u (log %u)", dev->name, bs, blog);
    uint16_t comp = pb_le16(sb + 20);
    if (comp < SQ_ZLIB || comp > SQ_ZSTD || comp == SQ_LZMA)
        return pb_error(PB_ENOTSUP, "squash4: %s: compressor %u not supported (gzip, lzo, xz, lz4, zstd are)",
                        dev->name, comp);
    uint64_t used = pb_le64(sb + 40);
    if (used < sizeof sb || used > devsize)
        return pb_error(PB_EBADFS, "squash4: %s: superblock says %llu bytes used, the device has %llu",
                        dev->name, (unsigned long long)used, (unsigned long long)devsize);
    uint64_t itab = pb_le64(sb + 64), dtab = pb_le64(sb + 72);
    if (itab >= used || dtab >= used || itab > dtab)
        return pb_error(PB_EBADFS, "squash4: %s: inode/directory table at %llu/%llu outside %llu bytes",
                        dev->name, (unsigned long long)itab, (unsigned long long)dtab,
                        (unsigned long long)used);
    struct sq_fs *fs = calloc(1, sizeof *fs);
    if (!fs || !(fs->meta = calloc(SQ_META_CACHE, sizeof *fs->meta))) {
        free(fs);
        return pb_error(PB_ENOMEM, "squash4: out of memory");
    }
    fs->base.dev = dev;
    fs->block_size = bs;
    fs->block_log = blog;
    fs->comp = comp;
    fs->bytes_used = used;
    fs->frag_count = pb_le32(sb + 16);
    fs->root_ref = pb_le64(sb + 32);
    fs->inode_table = itab;
    fs->dir_table = dtab;
    fs->frag_table = pb_le64(sb + 80);
    for (unsigned i = 0; i < SQ_DATA_CACHE; i++)
        fs->data[i].pos = UINT64_MAX;
    for (unsigned i = 0; i < SQ_META_CACHE; i++)
        fs->meta[i].pos = UINT64_MAX;
    /* the root must be readable: a damaged image fails here, not later */
    struct pb_node *root;
    r = sq_root(&fs->base, &root);
    if (r < 0) {
        sq_unmount(&fs->base);
        return r;
    }
    sq_release(&fs->base, root);
    *fsp = &fs->base;
    return 0;
}

static struct pb_fs_ops sq_ops = {
    .name = "squash4",
    .no_label = true,
    .mount = sq_mount,
    .unmount = sq_unmount,
    .root = sq_root,
    .lookup = sq_lookup,
    .readdir = sq_readdir,
    .stat = sq_stat,
    .read = sq_read,
    .readlink = sq_readlink,
    .release = sq_release,
};

void pvboot_init_squash4(void);
/** pvboot_init_squash4() - register the squash4 (SquashFS 4.0) filesystem. */
void pvboot_init_squash4(void)
{
    pb_fs_register(&sq_ops);
}
