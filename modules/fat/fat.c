/* SPDX-License-Identifier: MIT */
/*
 * fat: read-only FAT12/FAT16/FAT32 with VFAT long names.
 *
 * Facts from Microsoft's "FAT: General Overview of On-Disk Format"
 * (fatgen103): the BPB in sector 0 (bytes per sector at 11, sectors per
 * cluster 13, reserved sectors 14, FAT count 16, root entries 17, total
 * sectors 19/32, FAT size 22 or, for FAT32, 36; FAT32 root cluster at 44,
 * volume id at 39 (FAT12/16) or 67 (FAT32)); the FAT type follows from the
 * cluster count alone (< 4085 FAT12, < 65525 FAT16, else FAT32); 32-byte
 * directory entries, long-name entries (attribute 0x0F, 13 UCS-2 units
 * each, stored last-first, with a checksum of the 8.3 name).
 * Lookups are case-insensitive (ASCII), as FAT defines.  UUID is the volume
 * id printed "XXXX-XXXX"; the label is the root directory's volume-label
 * entry, else the BPB's.  Timestamps are taken as UTC.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/fsconv.h"

#define ATTR_RO     0x01
#define ATTR_HIDDEN 0x02
#define ATTR_SYSTEM 0x04
#define ATTR_VOLUME 0x08
#define ATTR_DIR    0x10
#define ATTR_LFN    0x0f

#define FAT_MAX_DIR_ENTRIES (1u << 21)   /* bound on one directory (64 MiB) */

struct fat_fs {
    struct pb_fs base;
    int bits;                    /* 12, 16, 32 */
    uint32_t bps;                /* bytes per sector */
    uint32_t cluster_size;       /* bytes */
    uint64_t fat_off;            /* byte offset of the first FAT */
    uint64_t fat_bytes;          /* size of one FAT */
    uint64_t root_off;           /* FAT12/16 fixed root: byte offset */
    uint32_t root_entries;
    uint64_t data_off;           /* byte offset of cluster 2 */
    uint32_t nclusters;          /* data clusters: valid numbers 2..nclusters+1 */
    uint32_t root_cluster;       /* FAT32 */
    /* one cached FAT block */
    uint64_t fcache_off;
    int fcache_valid;
    uint8_t fcache[4096];
};

/* What a directory entry says of a file: kept by nodes and directory walks. */
struct fat_ent {
    uint8_t attr;                /* ATTR_* */
    uint32_t first;              /* first cluster (0: none, or the root in "..") */
    uint64_t size;               /* bytes, as the entry records it */
    int64_t mtime;               /* seconds since the epoch, taken as UTC */
};

struct fat_node {
    struct pb_node base;
    int is_root;
    struct fat_ent ent;
    /* position cache for sequential reads */
    uint32_t pos_idx, pos_cl;
    int chain_ok;            /* the chain past the file's last cluster was checked */
};

/* Read FAT entry @cl; *next gets the raw value (masked for FAT32). */
static int fat_next(struct fat_fs *fs, uint32_t cl, uint32_t *next)
{
    uint64_t off;
    switch (fs->bits) {
    case 12: off = cl + cl / 2; break;
    case 16: off = (uint64_t)cl * 2; break;
    default: off = (uint64_t)cl * 4; break;
    }
    if (off + (fs->bits == 32 ? 4 : 2) > fs->fat_bytes)
        return pb_error(PB_EBADFS, "fat: %s: cluster %u is beyond the FAT", fs->base.dev->name, cl);
    uint64_t blk = (off / sizeof fs->fcache) * sizeof fs->fcache;
    uint8_t tmp[4];
    if (off + 4 > blk + sizeof fs->fcache) {
        /* straddles the cache block: read directly */
        size_t n = fs->bits == 32 ? 4 : 2;
        int r = pb_device_read(fs->base.dev, fs->fat_off + off, n, tmp);
        if (r < 0)
            return r;
    } else {
        if (!fs->fcache_valid || fs->fcache_off != blk) {
            uint64_t n = fs->fat_bytes - blk < sizeof fs->fcache ? fs->fat_bytes - blk : sizeof fs->fcache;
            memset(fs->fcache, 0, sizeof fs->fcache);
            int r = pb_device_read(fs->base.dev, fs->fat_off + blk, (size_t)n, fs->fcache);
            if (r < 0)
                return r;
            fs->fcache_off = blk;
            fs->fcache_valid = 1;
        }
        memcpy(tmp, fs->fcache + (off - blk), 4);
    }
    switch (fs->bits) {
    case 12: {
        uint16_t v = pb_le16(tmp);
        *next = (cl & 1) ? v >> 4 : v & 0xfff;
        if (*next >= 0xff8) *next = 0x0ffffff8;
        else if (*next == 0xff7) *next = 0x0ffffff7;
        break;
    }
    case 16:
        *next = pb_le16(tmp);
        if (*next >= 0xfff8) *next = 0x0ffffff8;
        else if (*next == 0xfff7) *next = 0x0ffffff7;
        break;
    default:
        *next = pb_le32(tmp) & 0x0fffffff;
        break;
    }
    return 0;
}

static int valid_cluster(struct fat_fs *fs, uint32_t cl)
{
    return cl >= 2 && cl - 2 < fs->nclusters;
}

/*
 * Cluster holding byte @off of @n; *run = how many clusters from there are
 * physically contiguous (at least 1, bounded).  Returns 0, or PB_EBADFS
 * for a broken chain (message names the cluster).
 */
static int fat_map(struct fat_fs *fs, struct fat_node *n, uint64_t off, uint32_t *cl, uint32_t *run)
{
    uint64_t idx64 = off / fs->cluster_size;
    if (idx64 > fs->nclusters)
        return pb_error(PB_EBADFS, "fat: %s: file offset %llu beyond the cluster chain",
                        fs->base.dev->name, (unsigned long long)off);
    uint32_t idx = (uint32_t)idx64;
    uint32_t c, i;
    if (n->pos_cl && n->pos_idx <= idx) {
        c = n->pos_cl;
        i = n->pos_idx;
    } else {
        c = n->ent.first;
        i = 0;
    }
    for (;;) {
        if (c >= 0x0ffffff8)
            return pb_error(PB_ERANGE, "fat: %s: cluster chain starting at %u ends before byte %llu",
                            fs->base.dev->name, n->ent.first, (unsigned long long)off);
        if (!valid_cluster(fs, c))
            return pb_error(PB_EBADFS, "fat: %s: bad cluster number %u in a chain (starting at %u)",
                            fs->base.dev->name, c, n->ent.first);
        if (i == idx)
            break;
        uint32_t nx;
        int r = fat_next(fs, c, &nx);
        if (r < 0)
            return r;
        c = nx;
        i++;
    }
    n->pos_cl = c;
    n->pos_idx = idx;
    /* contiguous run */
    uint32_t len = 1, cur = c;
    while (len < 65536) {
        uint32_t nx;
        if (fat_next(fs, cur, &nx) < 0 || nx != cur + 1 || !valid_cluster(fs, nx))
            break;
        cur = nx;
        len++;
    }
    *cl = c;
    *run = len;
    return 0;
}

/* Read bytes of a cluster chain (or the fixed FAT12/16 root). */
static int64_t chain_read(struct fat_fs *fs, struct fat_node *n, uint64_t off, size_t len, uint8_t *buf,
                          uint64_t limit)
{
    if (off >= limit)
        return 0;
    if (len > limit - off)
        len = (size_t)(limit - off);
    if (n->is_root && fs->bits != 32) {
        int r = pb_device_read(fs->base.dev, fs->root_off + off, len, buf);
        return r < 0 ? r : (int64_t)len;
    }
    size_t done = 0;
    while (done < len) {
        uint32_t cl = 0, run = 1;
        uint64_t pos = off + done;
        int r = fat_map(fs, n, pos, &cl, &run);
        if (r == PB_ERANGE && done > 0)
            return (int64_t)done;     /* chain ended: a short read */
        if (r < 0)
            return r;
        uint64_t coff = pos % fs->cluster_size;
        uint64_t avail = (uint64_t)run * fs->cluster_size - coff;
        size_t chunk = len - done < avail ? len - done : (size_t)avail;
        r = pb_device_read(fs->base.dev, fs->data_off + (uint64_t)(cl - 2) * fs->cluster_size + coff,
                           chunk, buf + done);
        if (r < 0)
            return r;
        done += chunk;
        /* advance the position cache to the end of this run */
        uint64_t endidx = (pos + chunk - 1) / fs->cluster_size;
        if (endidx > n->pos_idx) {
            n->pos_cl = cl + (uint32_t)(endidx - (pos / fs->cluster_size));
            n->pos_idx = (uint32_t)endidx;
        }
    }
    return (int64_t)len;
}

static int64_t fat_time(uint16_t date, uint16_t time)
{
    int y = 1980 + (date >> 9), m = (date >> 5) & 15, d = date & 31;
    int hh = time >> 11, mm = (time >> 5) & 63, ss = (time & 31) * 2;
    if (m < 1 || m > 12 || d < 1)
        return 0;
    return pb_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/* An 11-byte space-padded volume label (BPB or directory entry) at @src
 * into @out (at least 12 bytes) without the padding, NUL-terminated. */
static void copy_label(char *out, const uint8_t *src)
{
    int l = 11;
    while (l > 0 && src[l - 1] == ' ')
        l--;
    memcpy(out, src, (size_t)l);
    out[l] = 0;
}

static int fat_mount(struct pb_device *dev, struct pb_fs **fsp)
{
    uint8_t bs[512];
    if (dev->nr_sectors < 1)
        return PB_ENOENT;
    int r = pb_device_read(dev, 0, sizeof bs, bs);
    if (r < 0)
        return r;
    uint32_t bps = pb_le16(bs + 11), spc = bs[13], reserved = pb_le16(bs + 14), nfats = bs[16];
    uint32_t root_entries = pb_le16(bs + 17);
    uint64_t total = pb_le16(bs + 19) ? pb_le16(bs + 19) : pb_le32(bs + 32);
    uint64_t fatsz = pb_le16(bs + 22) ? pb_le16(bs + 22) : pb_le32(bs + 36);
    if ((bs[0] != 0xeb && bs[0] != 0xe9) || !memcmp(bs + 3, "NTFS    ", 8) || !memcmp(bs + 3, "EXFAT   ", 8))
        return PB_ENOENT;
    if ((bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) || spc == 0 || (spc & (spc - 1)) ||
        reserved == 0 || nfats == 0 || nfats > 4 || fatsz == 0 || total == 0)
        return PB_ENOENT;
    if (bs[21] != 0xf0 && bs[21] < 0xf8)
        return PB_ENOENT;                     /* media descriptor */
    const char *dn = dev->name;
    uint64_t root_secs = ((uint64_t)root_entries * 32 + bps - 1) / bps;
    uint64_t meta = reserved + nfats * fatsz + root_secs;
    if (meta >= total)
        return pb_error(PB_EBADFS, "fat: %s: BPB: metadata (%llu sectors) fills the volume",
                        dn, (unsigned long long)meta);
    uint64_t clusters = (total - meta) / spc;
    struct fat_fs *fs = calloc(1, sizeof *fs);
    if (!fs)
        return pb_error(PB_ENOMEM, "fat: out of memory");
    fs->base.dev = dev;
    fs->bits = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
    fs->bps = bps;
    fs->cluster_size = bps * spc;
    fs->fat_off = (uint64_t)reserved * bps;
    fs->fat_bytes = fatsz * bps;
    fs->root_off = (reserved + nfats * fatsz) * bps;
    fs->root_entries = root_entries;
    fs->data_off = meta * bps;
    /* the FAT itself bounds the usable cluster numbers */
    uint64_t fat_entries = fs->bits == 12 ? fs->fat_bytes * 2 / 3 : fs->fat_bytes / (fs->bits / 8);
    if (clusters + 2 > fat_entries)
        clusters = fat_entries > 2 ? fat_entries - 2 : 0;
    if (clusters > 0x0ffffff5)
        clusters = 0x0ffffff5;
    fs->nclusters = (uint32_t)clusters;
    const uint8_t *vid, *vlabel;
    if (fs->bits == 32) {
        if (root_entries != 0 || pb_le16(bs + 22) != 0) {
            free(fs);
            return pb_error(PB_EBADFS, "fat: %s: BPB: FAT32 with a fixed root directory", dn);
        }
        fs->root_cluster = pb_le32(bs + 44);
        vid = bs + 67;
        vlabel = bs + 71;
        if (bs[66] != 0x29)
            vid = NULL, vlabel = NULL;
    } else {
        if (root_entries == 0) {
            int bits = fs->bits;
            free(fs);
            return pb_error(PB_EBADFS, "fat: %s: BPB: FAT%d without a root directory", dn, bits);
        }
        vid = bs + 39;
        vlabel = bs + 43;
        if (bs[38] != 0x29)
            vid = NULL, vlabel = NULL;
    }
    if (vid) {
        uint32_t id = pb_le32(vid);
        snprintf(fs->base.uuid, sizeof fs->base.uuid, "%04X-%04X", id >> 16, id & 0xffff);
    }
    if (vlabel && memcmp(vlabel, "NO NAME    ", 11))
        copy_label(fs->base.label, vlabel);
    *fsp = &fs->base;
    return 0;
}

static void fat_unmount(struct pb_fs *fs)
{
    free(fs);
}

static struct fat_node *new_node(struct fat_fs *fs)
{
    struct fat_node *n = calloc(1, sizeof *n);
    if (n)
        n->base.fs = &fs->base;
    return n;
}

/* Make directory node @n the root: FAT32's root cluster, or the fixed
 * FAT12/16 root area (cluster 0). */
static void set_root(struct fat_fs *fs, struct fat_node *n)
{
    n->is_root = 1;
    n->ent.first = fs->bits == 32 ? fs->root_cluster : 0;
}

static int fat_root(struct pb_fs *pfs, struct pb_node **out)
{
    struct fat_fs *fs = (struct fat_fs *)pfs;
    struct fat_node *n = new_node(fs);
    if (!n)
        return pb_error(PB_ENOMEM, "fat: out of memory");
    n->ent.attr = ATTR_DIR;
    set_root(fs, n);
    if (fs->bits == 32 && !valid_cluster(fs, n->ent.first)) {
        free(n);
        return pb_error(PB_EBADFS, "fat: %s: bad root cluster %u", fs->base.dev->name, fs->root_cluster);
    }
    *out = &n->base;
    return 0;
}

struct fat_dirent {
    char name[256 * 3 + 1];      /* UTF-8 */
    size_t namelen;
    struct fat_ent ent;
};

/* Walk directory @dir, calling @fn for each entry (volume labels, ".",
 * ".." and deleted entries skipped).  @fn non-zero stops (returned). */
static int walk_dir(struct fat_fs *fs, struct fat_node *dir,
                    int (*fn)(struct fat_fs *, const struct fat_dirent *, void *), void *ctx,
                    char *label_out)
{
    if (!(dir->ent.attr & ATTR_DIR))
        return pb_error(PB_ENOTDIR, "fat: %s: not a directory", fs->base.dev->name);
    uint64_t limit;
    if (dir->is_root && fs->bits != 32)
        limit = (uint64_t)fs->root_entries * 32;
    else
        limit = (uint64_t)FAT_MAX_DIR_ENTRIES * 32;
    uint16_t lfn[20 * 13 + 1];
    int lfn_seq = 0, lfn_total = 0;
    uint8_t lfn_sum = 0;
    uint8_t buf[4096];
    struct fat_dirent *de = malloc(sizeof *de);
    if (!de)
        return pb_error(PB_ENOMEM, "fat: out of memory");
    int ret = 0;
    dir->pos_cl = 0;
    for (uint64_t off = 0; off < limit; off += sizeof buf) {
        int64_t got = chain_read(fs, dir, off, sizeof buf, buf, limit);
        if (got == PB_ERANGE) {
            /* the end of a directory's cluster chain ends the directory */
            pb_error_clear();
            break;
        }
        if (got < 0) {
            ret = (int)got;
            break;
        }
        if (got == 0)
            break;
        for (int64_t i = 0; i + 32 <= got; i += 32) {
            const uint8_t *e = buf + i;
            if (e[0] == 0)
                goto done;
            if (e[0] == 0xe5) {
                lfn_total = 0;
                continue;
            }
            uint8_t attr = e[11];
            if ((attr & 0x3f) == ATTR_LFN) {
                int ord = e[0] & 0x1f;
                if (ord < 1 || ord > 20) {
                    lfn_total = 0;
                    continue;
                }
                if (e[0] & 0x40) {
                    lfn_total = ord;
                    lfn_seq = ord;
                    lfn_sum = e[13];
                    memset(lfn, 0, sizeof lfn);
                } else if (!lfn_total || ord != lfn_seq - 1 || e[13] != lfn_sum) {
                    lfn_total = 0;
                    continue;
                } else {
                    lfn_seq = ord;
                }
                static const uint8_t pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
                for (int k = 0; k < 13; k++)
                    lfn[(ord - 1) * 13 + k] = pb_le16(e + pos[k]);
                continue;
            }
            if (attr & ATTR_VOLUME) {
                if (label_out && !(attr & ATTR_DIR) && !label_out[0]) {
                    copy_label(label_out, e);
                    if (!fn)
                        goto done;
                }
                lfn_total = 0;
                continue;
            }
            /* short entry: long name valid if the chain completed and the checksum matches */
            uint8_t sum = 0;
            for (int k = 0; k < 11; k++)
                sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + e[k]);
            size_t o = 0;
            if (lfn_total && lfn_seq == 1 && sum == lfn_sum) {
                for (int k = 0; k < lfn_total * 13; k++) {
                    uint32_t c = lfn[k];
                    if (c == 0 || c == 0xffff)
                        break;
                    uint32_t pair = k + 1 < lfn_total * 13 ? pb_utf16_pair(c, lfn[k + 1]) : 0;
                    if (pair) {
                        c = pair;
                        k++;
                    }
                    o = pb_utf8_put(de->name, o, sizeof de->name, c);
                }
            }
            lfn_total = 0;
            if (o == 0) {
                /* 8.3 name, with the NT lower-case flags */
                int bl = 8, el = 3;
                while (bl > 0 && e[bl - 1] == ' ')
                    bl--;
                while (el > 0 && e[8 + el - 1] == ' ')
                    el--;
                for (int k = 0; k < bl; k++) {
                    uint8_t c = (k == 0 && e[0] == 0x05) ? 0xe5 : e[k];
                    if ((e[12] & 0x08) && c >= 'A' && c <= 'Z')
                        c += 32;
                    de->name[o++] = (char)c;
                }
                if (el) {
                    de->name[o++] = '.';
                    for (int k = 0; k < el; k++) {
                        uint8_t c = e[8 + k];
                        if ((e[12] & 0x10) && c >= 'A' && c <= 'Z')
                            c += 32;
                        de->name[o++] = (char)c;
                    }
                }
            }
            de->name[o] = 0;
            de->namelen = o;
            if (o == 0 || (o == 1 && de->name[0] == '.') || (o == 2 && !memcmp(de->name, "..", 2)))
                continue;
            de->ent.attr = attr;
            de->ent.first = pb_le16(e + 26) | (fs->bits == 32 ? (uint32_t)pb_le16(e + 20) << 16 : 0);
            de->ent.size = pb_le32(e + 28);
            de->ent.mtime = fat_time(pb_le16(e + 24), pb_le16(e + 22));
            if (!fn)
                continue;
            ret = fn(fs, de, ctx);
            if (ret)
                goto done;
        }
    }
done:
    free(de);
    return ret;
}

struct lookup_ctx {
    const char *name;
    size_t len;
    struct fat_dirent found;
};

static int lookup_fn(struct fat_fs *fs, const struct fat_dirent *de, void *vctx)
{
    struct lookup_ctx *c = vctx;
    (void)fs;
    if (de->namelen != c->len || strncasecmp(de->name, c->name, c->len))
        return 0;
    c->found = *de;
    return 1;
}

static int fat_lookup(struct pb_fs *pfs, struct pb_node *pdir, const char *name, size_t namelen,
                      struct pb_node **out)
{
    struct fat_fs *fs = (struct fat_fs *)pfs;
    struct lookup_ctx *c = malloc(sizeof *c);
    if (!c)
        return pb_error(PB_ENOMEM, "fat: out of memory");
    c->name = name;
    c->len = namelen;
    int r = walk_dir(fs, (struct fat_node *)pdir, lookup_fn, c, NULL);
    if (r <= 0) {
        free(c);
        if (r < 0)
            return r;
        return pb_error(PB_ENOENT, "fat: %s: %.*s: file not found", fs->base.dev->name, (int)namelen, name);
    }
    struct fat_node *n = new_node(fs);
    if (!n) {
        free(c);
        return pb_error(PB_ENOMEM, "fat: out of memory");
    }
    n->ent = c->found.ent;
    if ((n->ent.attr & ATTR_DIR) && n->ent.first == 0)
        set_root(fs, n);      /* ".." of a first-level directory names the root as cluster 0 */
    free(c);
    *out = &n->base;
    return 0;
}

struct readdir_ctx {
    int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx);
    void *ctx;
};

static int readdir_fn(struct fat_fs *fs, const struct fat_dirent *de, void *vctx)
{
    struct readdir_ctx *c = vctx;
    (void)fs;
    return c->cb(de->name, de->namelen, (de->ent.attr & ATTR_DIR) ? PB_FT_DIR : PB_FT_REG, c->ctx) ? 1 : 0;
}

static int fat_readdir(struct pb_fs *pfs, struct pb_node *dir,
                       int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx), void *ctx)
{
    struct readdir_ctx c = { cb, ctx };
    int r = walk_dir((struct fat_fs *)pfs, (struct fat_node *)dir, readdir_fn, &c, NULL);
    return r < 0 ? r : 0;
}

static int fat_stat(struct pb_fs *pfs, struct pb_node *pn, struct pb_stat *st)
{
    struct fat_node *n = (struct fat_node *)pn;
    (void)pfs;
    memset(st, 0, sizeof *st);
    st->type = (n->ent.attr & ATTR_DIR) ? PB_FT_DIR : PB_FT_REG;
    st->size = (n->ent.attr & ATTR_DIR) ? 0 : n->ent.size;
    st->mtime = n->ent.mtime;
    st->ino = n->ent.first;
    st->mode = (n->ent.attr & ATTR_DIR) ? 040755 : (n->ent.attr & ATTR_RO) ? 0100444 : 0100644;
    return 0;
}

/*
 * A read reached the end of file @n (so n->pos_cl is the cluster holding its
 * last byte): follow the chain on from there to its end-of-chain mark.  A
 * chain that loops (2 -> 3 -> 2 ...) never gets there, and the bytes just
 * read came from clusters visited twice: PB_EBADFS naming the chain.  The
 * walk uses Brent's cycle detection (no memory per cluster) and is bounded
 * by the cluster count.  Like Linux and GRUB, a chain that is merely longer
 * than the file, or ends in an invalid entry, is accepted.  Checked once
 * per node.
 */
static int chain_check_end(struct fat_fs *fs, struct fat_node *n)
{
    uint32_t c = n->pos_cl, tortoise = c, power = 1, lam = 0;
    for (uint64_t steps = 0; steps <= 2 * (uint64_t)fs->nclusters + 2; steps++) {
        uint32_t nx;
        int r = fat_next(fs, c, &nx);
        if (r < 0)
            return r;
        if (nx >= 0x0ffffff8 || !valid_cluster(fs, nx)) {
            n->chain_ok = 1;
            return 0;
        }
        c = nx;
        if (c == tortoise)
            return pb_error(PB_EBADFS, "fat: %s: the cluster chain of a %llu-byte file (starting at "
                            "cluster %u) loops: its data is not what was written",
                            fs->base.dev->name, (unsigned long long)n->ent.size, n->ent.first);
        if (++lam == power) {
            tortoise = c;
            power <<= 1;
            lam = 0;
        }
    }
    return pb_error(PB_EBADFS, "fat: %s: the cluster chain starting at cluster %u does not end",
                    fs->base.dev->name, n->ent.first);
}

static int64_t fat_read(struct pb_fs *pfs, struct pb_node *pn, uint64_t off, size_t len, void *buf)
{
    struct fat_fs *fs = (struct fat_fs *)pfs;
    struct fat_node *n = (struct fat_node *)pn;
    if (n->ent.attr & ATTR_DIR)
        return pb_error(PB_EISDIR, "fat: %s: is a directory", fs->base.dev->name);
    if (off >= n->ent.size || len == 0)
        return 0;
    if (n->ent.first == 0)
        return pb_error(PB_EBADFS, "fat: %s: non-empty file (%llu bytes) without clusters",
                        fs->base.dev->name, (unsigned long long)n->ent.size);
    int64_t got = chain_read(fs, n, off, len, buf, n->ent.size);
    if (got > 0 && off + (uint64_t)got == n->ent.size && !n->chain_ok) {
        int r = chain_check_end(fs, n);
        if (r < 0)
            return r;
    }
    return got;
}

static void fat_release(struct pb_fs *fs, struct pb_node *n)
{
    (void)fs;
    free(n);
}

static int fat_label_probe(struct fat_fs *fs)
{
    /* the root directory's volume-label entry overrides the BPB label */
    struct fat_node *root;
    char label[12] = "";
    if (fat_root(&fs->base, (struct pb_node **)&root) < 0)
        return -1;
    walk_dir(fs, root, NULL, NULL, label);
    free(root);
    pb_error_clear();
    if (label[0])
        snprintf(fs->base.label, sizeof fs->base.label, "%s", label);
    return 0;
}

/* Mount, then take the label from the root directory (walk_dir with a
 * NULL callback only collects the volume-label entry). */
static int fat_mount_full(struct pb_device *dev, struct pb_fs **fsp)
{
    int r = fat_mount(dev, fsp);
    if (r < 0)
        return r;
    fat_label_probe((struct fat_fs *)*fsp);
    return 0;
}

static struct pb_fs_ops fat_ops = {
    .name = "fat",
    .mount = fat_mount_full,
    .unmount = fat_unmount,
    .root = fat_root,
    .lookup = fat_lookup,
    .readdir = fat_readdir,
    .stat = fat_stat,
    .read = fat_read,
    .readlink = NULL,
    .release = fat_release,
};

/** pvboot_init_fat() - register the FAT12/16/32 filesystem. */
void pvboot_init_fat(void)
{
    pb_fs_register(&fat_ops);
}
