/* SPDX-License-Identifier: MIT */
/*
 * iso9660: read-only ISO 9660 (ECMA-119) with Rock Ridge (SUSP/RRIP 1.12)
 * and Joliet.
 *
 * Facts (ECMA-119): volume descriptors from byte 32768 in 2048-byte
 * sectors: type (1 primary, 2 supplementary, 255 terminator), "CD001";
 * primary: volume id at 40 (32 bytes), logical block size at 128 (LE u16),
 * root directory record at 156, creation/modification dates at 813/830
 * ("YYYYMMDDhhmmsscc" + zone).  Directory records: length 0, extent 2 (LE),
 * size 10 (LE), date 18 (7 bytes), flags 25 (0x02 directory, 0x80 more
 * extents), name length 32, name 33, then the System Use area.  Records do
 * not cross sectors; a zero length byte skips to the next sector.
 * Joliet: a supplementary descriptor with escape "%/@", "%/C" or "%/E" at
 * 88; names are UCS-2 big endian.  Rock Ridge: SUSP "SP" in the root's
 * first record (skip bytes at 6), "CE" continuation areas, "NM" names,
 * "SL" symlinks, "PX" modes, "TF" times, "RE"/"CL" relocated directories.
 * Preference: Rock Ridge, then Joliet, then plain names (shown lower case
 * without ";1", looked up case-insensitively).  Files recorded in several
 * extents (flag 0x80, > 4 GiB) are not supported (refused on read).
 * UUID as GRUB prints it: the modification date (else creation date) as
 * "YYYY-MM-DD-hh-mm-ss-cc"; label: the Joliet volume id if any, else the
 * primary one, trailing spaces removed.
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

#define ISO_SECTOR 2048u
#define ISO_MAX_DIR (64u << 20)      /* bound on one directory's size */
#define ISO_MAX_CE 32                /* continuation areas per record */

enum iso_mode { ISO_PLAIN, ISO_JOLIET, ISO_RR };

struct iso_fs {
    struct pb_fs base;
    enum iso_mode mode;
    uint32_t block;              /* logical block size */
    uint64_t nblocks;
    uint32_t rr_skip;            /* SUSP LEN_SKP */
    uint8_t root[34];            /* root directory record of the tree in use */
};

/* What a directory record (with its Rock Ridge entries) says of a file:
 * kept by nodes and directory walks. */
struct iso_ent {
    uint32_t extent;             /* first logical block */
    uint64_t size;               /* bytes (symlinks: target length) */
    uint8_t flags;               /* record flags (0x02 directory, 0x80 more extents) */
    enum pb_ftype type;
    uint32_t mode;               /* POSIX mode: Rock Ridge PX, else made up */
    int64_t mtime;               /* seconds since the epoch */
    char *link;                  /* Rock Ridge symlink target (malloc'd) or NULL */
};

struct iso_node {
    struct pb_node base;
    struct iso_ent ent;
};

/* Seconds since the epoch of a 7-byte directory-record date. */
static int64_t rec_time(const uint8_t *t)
{
    int y = 1900 + t[0], m = t[1], d = t[2];
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    int64_t s = pb_days_from_civil(y, m, d) * 86400 + t[3] * 3600 + t[4] * 60 + t[5];
    return s - (int8_t)t[6] * 15 * 60;
}

/* Seconds since the epoch of a 17-byte "YYYYMMDDhhmmsscc"+zone date. */
static int64_t long_time(const uint8_t *t)
{
    int v[6];
    static const int w[6] = { 4, 2, 2, 2, 2, 2 };
    int pos = 0;
    for (int i = 0; i < 6; i++) {
        v[i] = 0;
        for (int k = 0; k < w[i]; k++, pos++) {
            if (t[pos] < '0' || t[pos] > '9')
                return 0;
            v[i] = v[i] * 10 + (t[pos] - '0');
        }
    }
    uint8_t r[7] = { (uint8_t)(v[0] - 1900), (uint8_t)v[1], (uint8_t)v[2], (uint8_t)v[3],
                     (uint8_t)v[4], (uint8_t)v[5], t[16] };
    if (v[0] < 1900 || v[0] > 2155)
        return 0;
    return rec_time(r);
}

static int dev_read(struct iso_fs *fs, uint64_t off, size_t len, void *buf)
{
    return pb_device_read(fs->base.dev, off, len, buf);
}

/* ---- Rock Ridge ---- */

struct rr_info {
    char name[1024];
    size_t namelen;
    int have_name;
    char *link;                  /* malloc'd */
    size_t linklen;
    int have_link;
    int link_bad;
    uint32_t mode;
    int have_mode;
    int64_t mtime;
    int have_mtime;
    int relocated;               /* RE: hide */
    uint32_t child;              /* CL: directory really at this block */
    int have_child;
};

static void rr_link_append(struct rr_info *ri, const char *s, size_t n)
{
    if (ri->link_bad)
        return;
    if (ri->linklen + n + 1 > 4096) {
        ri->link_bad = 1;
        return;
    }
    char *nl = realloc(ri->link, ri->linklen + n + 1);
    if (!nl) {
        ri->link_bad = 1;
        return;
    }
    ri->link = nl;
    memcpy(ri->link + ri->linklen, s, n);
    ri->linklen += n;
    ri->link[ri->linklen] = 0;
}

/*
 * Parse one System Use area (@p, @len bytes); follows CE continuations
 * (bounded).  @sl_cont carries "last SL component continues" across entries.
 */
static int rr_parse(struct iso_fs *fs, const uint8_t *p, size_t len, struct rr_info *ri, int depth,
                    int *sl_cont, int *nm_cont)
{
    size_t pos = 0;
    uint64_t ce_block = 0, ce_off = 0, ce_len = 0;
    int have_ce = 0;
    while (pos + 4 <= len) {
        const uint8_t *e = p + pos;
        uint8_t el = e[2];
        if (el < 4 || pos + el > len)
            break;
        if (e[0] == 'S' && e[1] == 'T')
            break;
        if (e[0] == 'C' && e[1] == 'E' && el >= 28) {
            ce_block = pb_le32(e + 4);
            ce_off = pb_le32(e + 12);
            ce_len = pb_le32(e + 20);
            have_ce = 1;
        } else if (e[0] == 'N' && e[1] == 'M' && el >= 5) {
            uint8_t fl = e[4];
            if (!*nm_cont) {
                ri->namelen = 0;
            }
            if (fl & 0x02) {
                ri->name[0] = '.';
                ri->namelen = 1;
            } else if (fl & 0x04) {
                memcpy(ri->name, "..", 2);
                ri->namelen = 2;
            } else {
                size_t n = el - 5u;
                if (ri->namelen + n >= sizeof ri->name)
                    n = sizeof ri->name - 1 - ri->namelen;
                memcpy(ri->name + ri->namelen, e + 5, n);
                ri->namelen += n;
            }
            ri->have_name = 1;
            *nm_cont = fl & 0x01;
        } else if (e[0] == 'S' && e[1] == 'L' && el >= 5) {
            size_t cp = 5;
            ri->have_link = 1;
            while (cp + 2 <= el) {
                uint8_t cf = e[cp], cl = e[cp + 1];
                if (cp + 2 + cl > el)
                    break;
                /* separator between components unless the previous continues */
                if (ri->linklen && !*sl_cont && !(ri->linklen == 1 && ri->link[0] == '/'))
                    rr_link_append(ri, "/", 1);
                if (cf & 0x02)
                    rr_link_append(ri, ".", 1);
                else if (cf & 0x04)
                    rr_link_append(ri, "..", 2);
                else if (cf & 0x08)
                    rr_link_append(ri, "/", 1);
                else
                    rr_link_append(ri, (const char *)e + cp + 2, cl);
                *sl_cont = cf & 0x01;
                cp += 2u + cl;
            }
        } else if (e[0] == 'P' && e[1] == 'X' && el >= 12) {
            ri->mode = pb_le32(e + 4);
            ri->have_mode = 1;
        } else if (e[0] == 'T' && e[1] == 'F' && el >= 5) {
            uint8_t fl = e[4];
            size_t sz = (fl & 0x80) ? 17 : 7;
            size_t tp = 5;
            if (fl & 0x01)
                tp += sz;                     /* creation */
            if ((fl & 0x02) && tp + sz <= el) {
                ri->mtime = sz == 17 ? long_time(e + tp) : rec_time(e + tp);
                ri->have_mtime = 1;
            }
        } else if (e[0] == 'R' && e[1] == 'E') {
            ri->relocated = 1;
        } else if (e[0] == 'C' && e[1] == 'L' && el >= 12) {
            ri->child = pb_le32(e + 4);
            ri->have_child = 1;
        }
        pos += el;
    }
    if (have_ce) {
        if (depth >= ISO_MAX_CE || ce_len > fs->block || ce_off >= fs->block || ce_len > fs->block - ce_off ||
            ce_block >= fs->nblocks)
            return 0;                         /* ignore a bad continuation */
        uint8_t *buf = malloc(ce_len ? ce_len : 1);
        if (!buf)
            return pb_error(PB_ENOMEM, "iso9660: out of memory");
        int r = dev_read(fs, ce_block * fs->block + ce_off, ce_len, buf);
        if (r == 0)
            r = rr_parse(fs, buf, ce_len, ri, depth + 1, sl_cont, nm_cont);
        free(buf);
        return r;
    }
    return 0;
}

/* ---- directories ---- */

struct iso_dirent {
    char name[1024];
    size_t namelen;
    struct iso_ent ent;
};

/* UCS-2/UTF-16 big endian (@n bytes at @s; Joliet) to NUL-terminated UTF-8
 * in @out (@cap bytes, cut at a whole character); its length to *@outlen. */
static void ucs2be_to_utf8(const uint8_t *s, size_t n, char *out, size_t cap, size_t *outlen)
{
    size_t o = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint32_t c = (uint32_t)s[i] << 8 | s[i + 1];
        uint32_t pair = i + 3 < n ? pb_utf16_pair(c, (uint32_t)s[i + 2] << 8 | s[i + 3]) : 0;
        if (pair) {
            c = pair;
            i += 2;
        }
        size_t next = pb_utf8_put(out, o, cap, c);
        if (next == o)
            break;                            /* full */
        o = next;
    }
    out[o] = 0;
    *outlen = o;
}

/* Name @de @name (@len bytes, < sizeof de->name, no NUL needed). */
static void set_name(struct iso_dirent *de, const char *name, size_t len)
{
    memcpy(de->name, name, len);
    de->namelen = len;
    de->name[len] = 0;
}

/*
 * Name @de after the file identifier @id (@nl bytes, at most 255) of its
 * directory record: UCS-2 big endian if @joliet, else ISO 9660 characters
 * shown in lower case; then without the ";N" version and a trailing '.'.
 * (Rock Ridge NM names, when present, replace this afterwards.)
 */
static void record_name(int joliet, const uint8_t *id, size_t nl, struct iso_dirent *de)
{
    if (joliet) {
        ucs2be_to_utf8(id, nl, de->name, sizeof de->name, &de->namelen);
    } else {
        set_name(de, (const char *)id, nl);
        for (size_t k = 0; k < nl; k++)
            if (de->name[k] >= 'A' && de->name[k] <= 'Z')
                de->name[k] += 32;
    }
    char *semi = memchr(de->name, ';', de->namelen);
    if (semi)
        de->namelen = (size_t)(semi - de->name);
    if (de->namelen > 1 && de->name[de->namelen - 1] == '.')
        de->namelen--;
    de->name[de->namelen] = 0;
}

/*
 * Walk directory @dir, calling @fn for each entry (".", ".." and relocated
 * entries skipped); @fn owns de->ent.link.  @fn non-zero stops (returned).
 * PB_ENOTDIR if @dir is not a directory, PB_EBADFS for a bad record.
 */
static int walk_dir(struct iso_fs *fs, const struct iso_node *dir,
                    int (*fn)(struct iso_fs *, struct iso_dirent *, void *), void *ctx)
{
    if (dir->ent.type != PB_FT_DIR)
        return pb_error(PB_ENOTDIR, "iso9660: %s: not a directory", fs->base.dev->name);
    uint32_t extent = dir->ent.extent;
    uint64_t size = dir->ent.size;
    if (size > ISO_MAX_DIR)
        return pb_error(PB_EBADFS, "iso9660: %s: directory at block %u too large (%llu bytes)",
                        fs->base.dev->name, extent, (unsigned long long)size);
    if (extent >= fs->nblocks || (size + fs->block - 1) / fs->block > fs->nblocks - extent)
        return pb_error(PB_EBADFS, "iso9660: %s: directory at block %u lies outside the image",
                        fs->base.dev->name, extent);
    uint8_t *sec = malloc(ISO_SECTOR);
    struct iso_dirent *de = malloc(sizeof *de);
    struct rr_info *ri = malloc(sizeof *ri);
    int ret = 0;
    if (!sec || !de || !ri) {
        ret = pb_error(PB_ENOMEM, "iso9660: out of memory");
        goto out;
    }
    for (uint64_t soff = 0; soff < size; soff += ISO_SECTOR) {
        uint64_t slen = size - soff < ISO_SECTOR ? size - soff : ISO_SECTOR;
        ret = dev_read(fs, (uint64_t)extent * fs->block + soff, (size_t)slen, sec);
        if (ret < 0)
            goto out;
        uint64_t pos = 0;
        while (pos + 33 <= slen) {
            const uint8_t *r = sec + pos;
            uint8_t rl = r[0];
            if (rl == 0)
                break;                        /* rest of this sector is padding */
            uint8_t nl = r[32];
            if (rl < 33 || pos + rl > slen || 33u + nl > rl) {
                ret = pb_error(PB_EBADFS, "iso9660: %s: bad directory record at block %u byte %llu",
                               fs->base.dev->name, extent, (unsigned long long)(soff + pos));
                goto out;
            }
            pos += rl;
            if (nl == 1 && (r[33] == 0 || r[33] == 1))
                continue;                     /* "." and ".." */
            de->ent.extent = pb_le32(r + 2);
            de->ent.size = pb_le32(r + 10);
            de->ent.flags = r[25];
            de->ent.mtime = rec_time(r + 18);
            de->ent.type = (de->ent.flags & 0x02) ? PB_FT_DIR : PB_FT_REG;
            de->ent.mode = (de->ent.flags & 0x02) ? 040555 : 0100444;
            de->ent.link = NULL;
            record_name(fs->mode == ISO_JOLIET, r + 33, nl, de);
            if (fs->mode == ISO_RR) {
                size_t su = 33u + nl + ((nl & 1) ? 0 : 1);
                memset(ri, 0, sizeof *ri);
                int slc = 0, nmc = 0;
                if (su + fs->rr_skip < rl) {
                    int pr = rr_parse(fs, r + su + fs->rr_skip, rl - su - fs->rr_skip, ri, 0, &slc, &nmc);
                    if (pr < 0) {
                        free(ri->link);
                        ret = pr;
                        goto out;
                    }
                }
                if (ri->relocated) {
                    free(ri->link);
                    continue;
                }
                if (ri->have_name)
                    set_name(de, ri->name, ri->namelen);
                if (ri->have_mode) {
                    de->ent.mode = ri->mode;
                    switch (ri->mode & 0170000) {
                    case 0040000: de->ent.type = PB_FT_DIR; break;
                    case 0100000: de->ent.type = PB_FT_REG; break;
                    case 0120000: de->ent.type = PB_FT_LNK; break;
                    default: de->ent.type = PB_FT_OTHER; break;
                    }
                }
                if (ri->have_mtime)
                    de->ent.mtime = ri->mtime;
                if (ri->have_child) {
                    /* the real directory was moved: read its "." record for the size */
                    de->ent.type = PB_FT_DIR;
                    de->ent.flags |= 0x02;
                    de->ent.extent = ri->child;
                    uint8_t dot[34];
                    if (ri->child < fs->nblocks &&
                        dev_read(fs, (uint64_t)ri->child * fs->block, sizeof dot, dot) == 0)
                        de->ent.size = pb_le32(dot + 10);
                    else
                        de->ent.size = 0;
                }
                if (de->ent.type == PB_FT_LNK) {
                    if (ri->link_bad || !ri->have_link) {
                        free(ri->link);
                        ret = pb_error(PB_EBADFS, "iso9660: %s: %s: bad Rock Ridge symlink",
                                       fs->base.dev->name, de->name);
                        goto out;
                    }
                    de->ent.link = ri->link ? ri->link : strdup("");
                    de->ent.size = ri->linklen;
                } else {
                    free(ri->link);
                }
            }
            if (de->namelen == 0) {
                free(de->ent.link);
                continue;
            }
            ret = fn(fs, de, ctx);
            if (ret) {
                goto out;
            }
        }
    }
out:
    free(sec);
    free(de);
    free(ri);
    return ret;
}

/* ---- mount ---- */

static int iso_mount(struct pb_device *dev, struct pb_fs **fsp)
{
    uint8_t vd[ISO_SECTOR];
    uint8_t pvd[ISO_SECTOR];
    uint8_t jroot[34];
    char jlabel[64] = "";
    int have_pvd = 0, have_joliet = 0;
    uint64_t devsize = dev->nr_sectors * PB_SECTOR_SIZE;
    if (devsize < 17 * ISO_SECTOR)
        return PB_ENOENT;
    for (int i = 0; i < 64; i++) {
        uint64_t off = (uint64_t)(16 + i) * ISO_SECTOR;
        if (off + ISO_SECTOR > devsize)
            break;
        int r = pb_device_read(dev, off, ISO_SECTOR, vd);
        if (r < 0)
            return r;
        if (memcmp(vd + 1, "CD001", 5))
            break;
        if (vd[0] == 255)
            break;
        if (vd[0] == 1 && !have_pvd) {
            memcpy(pvd, vd, ISO_SECTOR);
            have_pvd = 1;
        } else if (vd[0] == 2 && !have_joliet && vd[88] == '%' && vd[89] == '/' &&
                   (vd[90] == '@' || vd[90] == 'C' || vd[90] == 'E')) {
            memcpy(jroot, vd + 156, 34);
            size_t jl;
            ucs2be_to_utf8(vd + 40, 32, jlabel, sizeof jlabel, &jl);
            while (jl && jlabel[jl - 1] == ' ')
                jlabel[--jl] = 0;
            have_joliet = 1;
        }
    }
    if (!have_pvd)
        return PB_ENOENT;
    uint32_t bs = pb_le16(pvd + 128);
    if (bs != 2048 && bs != 1024 && bs != 512)
        return pb_error(PB_EBADFS, "iso9660: %s: primary descriptor: bad block size %u", dev->name, bs);
    struct iso_fs *fs = calloc(1, sizeof *fs);
    if (!fs)
        return pb_error(PB_ENOMEM, "iso9660: out of memory");
    fs->base.dev = dev;
    fs->block = bs;
    fs->nblocks = devsize / bs;
    memcpy(fs->root, pvd + 156, 34);
    fs->mode = ISO_PLAIN;
    /* Rock Ridge: SUSP "SP" in the System Use area of the root's "." record */
    uint32_t rext = pb_le32(fs->root + 2);
    uint8_t dot[255];
    if (rext < fs->nblocks && pb_device_read(dev, (uint64_t)rext * bs, sizeof dot, dot) == 0) {
        uint8_t rl = dot[0], nl = dot[32];
        size_t su = 33u + nl + ((nl & 1) ? 0 : 1);
        if (rl >= su + 7 && dot[su] == 'S' && dot[su + 1] == 'P' &&
            dot[su + 4] == 0xbe && dot[su + 5] == 0xef) {
            fs->mode = ISO_RR;
            fs->rr_skip = dot[su + 6];
        }
    }
    if (fs->mode == ISO_PLAIN && have_joliet) {
        fs->mode = ISO_JOLIET;
        memcpy(fs->root, jroot, 34);
    }
    /* uuid: modification date, else creation date */
    const uint8_t *d = pvd + 830;
    int zero = 1;
    for (int i = 0; i < 16; i++)
        if (d[i] != '0' && d[i] != 0)
            zero = 0;
    if (zero)
        d = pvd + 813;
    int digits = 1;
    for (int i = 0; i < 16; i++)
        if (d[i] < '0' || d[i] > '9')
            digits = 0;
    if (digits)
        snprintf(fs->base.uuid, sizeof fs->base.uuid, "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s",
                 d, d + 4, d + 6, d + 8, d + 10, d + 12, d + 14);
    if (have_joliet && jlabel[0]) {
        snprintf(fs->base.label, sizeof fs->base.label, "%s", jlabel);
    } else {
        int l = 32;
        while (l > 0 && (pvd[40 + l - 1] == ' ' || pvd[40 + l - 1] == 0))
            l--;
        memcpy(fs->base.label, pvd + 40, (size_t)l);
        fs->base.label[l] = 0;
    }
    *fsp = &fs->base;
    return 0;
}

static void iso_unmount(struct pb_fs *fs)
{
    free(fs);
}

static int iso_root(struct pb_fs *pfs, struct pb_node **out)
{
    struct iso_fs *fs = (struct iso_fs *)pfs;
    struct iso_node *n = calloc(1, sizeof *n);
    if (!n)
        return pb_error(PB_ENOMEM, "iso9660: out of memory");
    n->base.fs = pfs;
    n->ent.extent = pb_le32(fs->root + 2);
    n->ent.size = pb_le32(fs->root + 10);
    n->ent.flags = 0x02;
    n->ent.type = PB_FT_DIR;
    n->ent.mode = 040555;
    n->ent.mtime = rec_time(fs->root + 18);
    *out = &n->base;
    return 0;
}

struct lookup_ctx {
    const char *name;
    size_t len;
    int icase;
    struct iso_node *found;
};

static int lookup_fn(struct iso_fs *fs, struct iso_dirent *de, void *vctx)
{
    struct lookup_ctx *c = vctx;
    int match = de->namelen == c->len &&
                (c->icase ? !strncasecmp(de->name, c->name, c->len) : !memcmp(de->name, c->name, c->len));
    if (!match) {
        free(de->ent.link);
        return 0;
    }
    struct iso_node *n = calloc(1, sizeof *n);
    if (!n) {
        free(de->ent.link);
        return pb_error(PB_ENOMEM, "iso9660: out of memory");
    }
    n->base.fs = &fs->base;
    n->ent = de->ent;
    c->found = n;
    return 1;
}

static int iso_lookup(struct pb_fs *pfs, struct pb_node *pdir, const char *name, size_t namelen,
                      struct pb_node **out)
{
    struct iso_fs *fs = (struct iso_fs *)pfs;
    struct lookup_ctx c = { name, namelen, fs->mode != ISO_RR, NULL };
    int r = walk_dir(fs, (struct iso_node *)pdir, lookup_fn, &c);
    if (r < 0)
        return r;
    if (!c.found)
        return pb_error(PB_ENOENT, "iso9660: %s: %.*s: file not found", fs->base.dev->name, (int)namelen, name);
    *out = &c.found->base;
    return 0;
}

struct readdir_ctx {
    int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx);
    void *ctx;
};

static int readdir_fn(struct iso_fs *fs, struct iso_dirent *de, void *vctx)
{
    struct readdir_ctx *c = vctx;
    (void)fs;
    free(de->ent.link);
    if (de->ent.flags & 0x80)
        return 0;      /* a non-final extent of a multi-extent file: list it once */
    return c->cb(de->name, de->namelen, de->ent.type, c->ctx) ? 1 : 0;
}

static int iso_readdir(struct pb_fs *pfs, struct pb_node *pdir,
                       int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx), void *ctx)
{
    struct readdir_ctx c = { cb, ctx };
    int r = walk_dir((struct iso_fs *)pfs, (struct iso_node *)pdir, readdir_fn, &c);
    return r < 0 ? r : 0;
}

static int iso_stat(struct pb_fs *pfs, struct pb_node *pn, struct pb_stat *st)
{
    struct iso_node *n = (struct iso_node *)pn;
    (void)pfs;
    memset(st, 0, sizeof *st);
    st->type = n->ent.type;
    st->size = n->ent.size;
    st->mtime = n->ent.mtime;
    st->ino = n->ent.extent;
    st->mode = n->ent.mode;
    return 0;
}

static int64_t iso_read(struct pb_fs *pfs, struct pb_node *pn, uint64_t off, size_t len, void *buf)
{
    struct iso_fs *fs = (struct iso_fs *)pfs;
    struct iso_node *n = (struct iso_node *)pn;
    if (n->ent.type != PB_FT_REG)
        return pb_error(PB_EINVAL, "iso9660: %s: not a regular file", fs->base.dev->name);
    if (n->ent.flags & 0x80)
        return pb_error(PB_ENOTSUP, "iso9660: %s: file at block %u is recorded in several extents (unsupported)",
                        fs->base.dev->name, n->ent.extent);
    if (off >= n->ent.size)
        return 0;
    if (len > n->ent.size - off)
        len = (size_t)(n->ent.size - off);
    uint64_t start = (uint64_t)n->ent.extent * fs->block;
    if (n->ent.size && (n->ent.extent >= fs->nblocks || n->ent.size > fs->nblocks * fs->block - start))
        return pb_error(PB_EBADFS, "iso9660: %s: file at block %u (%llu bytes) lies outside the image",
                        fs->base.dev->name, n->ent.extent, (unsigned long long)n->ent.size);
    int r = dev_read(fs, start + off, len, buf);
    return r < 0 ? r : (int64_t)len;
}

static int iso_readlink(struct pb_fs *pfs, struct pb_node *pn, char *buf, size_t bufsize)
{
    struct iso_node *n = (struct iso_node *)pn;
    if (n->ent.type != PB_FT_LNK || !n->ent.link)
        return pb_error(PB_EINVAL, "iso9660: %s: not a symlink", pfs->dev->name);
    size_t l = strlen(n->ent.link);
    if (l >= bufsize)
        return pb_error(PB_ERANGE, "iso9660: %s: symlink target too long", pfs->dev->name);
    memcpy(buf, n->ent.link, l + 1);
    return (int)l;
}

static void iso_release(struct pb_fs *fs, struct pb_node *pn)
{
    struct iso_node *n = (struct iso_node *)pn;
    (void)fs;
    free(n->ent.link);
    free(n);
}

static struct pb_fs_ops iso_ops = {
    .name = "iso9660",
    .mount = iso_mount,
    .unmount = iso_unmount,
    .root = iso_root,
    .lookup = iso_lookup,
    .readdir = iso_readdir,
    .stat = iso_stat,
    .read = iso_read,
    .readlink = iso_readlink,
    .release = iso_release,
};

/** pvboot_init_iso9660() - register the iso9660 filesystem. */
void pvboot_init_iso9660(void)
{
    pb_fs_register(&iso_ops);
}
