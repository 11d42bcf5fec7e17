/* SPDX-License-Identifier: MIT */
/*
 * tar: a read-only filesystem over a tar archive (the memdisk format).
 *
 * Format facts (POSIX.1-1988 ustar, pax extended headers of POSIX.1-2001,
 * GNU long names): 512-byte headers; name 0..100, mode 100, size 124 (12
 * octal digits, or base-256 when the top bit of the first byte is set),
 * mtime 136, checksum 148 (sum of the header bytes with the checksum field
 * taken as spaces), typeflag 156, linkname 157..257, magic "ustar" at 257,
 * prefix 345..500 (POSIX "ustar\0" only).  Data follows, padded to 512.
 * Typeflags: '0'/'\0' file, '1' hard link, '2' symlink, '5' directory,
 * 'L'/'K' GNU long name/link for the next header, 'x' pax record for the
 * next header (path, linkpath, size, mtime), 'g' global pax (ignored).
 * The whole archive is indexed at mount; missing parent directories are
 * implied; a later member replaces an earlier one of the same path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"

#define TAR_MAX_ENTRIES (1u << 20)
#define TAR_MAX_LONGNAME 4096

struct tar_ent {
    char *name;              /* last component */
    char *path;              /* full path, no leading/trailing '/' ("" = root) */
    uint32_t parent;
    enum pb_ftype type;
    uint64_t off, size;      /* data, bytes */
    int64_t mtime;
    uint32_t mode;
    char *link;              /* symlink target / hard link target path */
};

struct tar_fs {
    struct pb_fs base;
    struct tar_ent *e;
    uint32_t n, cap;
    uint32_t *hash;          /* open addressing: index+1, 0 = empty */
    uint32_t hcap;
};

struct tar_node {
    struct pb_node base;
    uint32_t idx;
};

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int64_t find_path(struct tar_fs *fs, const char *path)
{
    if (!fs->hcap)
        return -1;
    for (uint32_t i = fnv(path) & (fs->hcap - 1), k = 0; k < fs->hcap; k++, i = (i + 1) & (fs->hcap - 1)) {
        uint32_t v = fs->hash[i];
        if (!v)
            return -1;
        if (!strcmp(fs->e[v - 1].path, path))
            return v - 1;
    }
    return -1;
}

static int hash_insert(struct tar_fs *fs, uint32_t idx);

static int grow(struct tar_fs *fs)
{
    if (fs->n >= TAR_MAX_ENTRIES)
        return pb_error(PB_ERANGE, "tar: %s: more than %u members", fs->base.dev->name, TAR_MAX_ENTRIES);
    if (fs->n == fs->cap) {
        uint32_t nc = fs->cap ? fs->cap * 2 : 64;
        struct tar_ent *ne = realloc(fs->e, (size_t)nc * sizeof *ne);
        if (!ne)
            return pb_error(PB_ENOMEM, "tar: out of memory");
        fs->e = ne;
        fs->cap = nc;
    }
    if ((uint64_t)(fs->n + 1) * 2 > fs->hcap) {
        uint32_t nh = fs->hcap ? fs->hcap * 2 : 128;
        uint32_t *h = calloc(nh, sizeof *h);
        if (!h)
            return pb_error(PB_ENOMEM, "tar: out of memory");
        free(fs->hash);
        fs->hash = h;
        fs->hcap = nh;
        for (uint32_t i = 0; i < fs->n; i++)
            hash_insert(fs, i);
    }
    return 0;
}

static int hash_insert(struct tar_fs *fs, uint32_t idx)
{
    for (uint32_t i = fnv(fs->e[idx].path) & (fs->hcap - 1), k = 0; k < fs->hcap;
         k++, i = (i + 1) & (fs->hcap - 1)) {
        if (!fs->hash[i]) {
            fs->hash[i] = idx + 1;
            return 0;
        }
    }
    return PB_ENOMEM;
}

/* Normalise @in (len @len) into a malloc'd path: no leading "/" or "./",
 * no empty or "." components, no trailing '/'.  ".." is kept literally. */
static char *norm_path(const char *in, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    while (i < len) {
        while (i < len && in[i] == '/')
            i++;
        size_t s = i;
        while (i < len && in[i] != '/')
            i++;
        size_t cl = i - s;
        if (cl == 0 || (cl == 1 && in[s] == '.'))
            continue;
        if (o)
            out[o++] = '/';
        memcpy(out + o, in + s, cl);
        o += cl;
    }
    out[o] = 0;
    return out;
}

/* Get (or create as an implied directory) the entry for @path; returns
 * its index or a negative error. */
static int64_t get_dir(struct tar_fs *fs, const char *path, int depth)
{
    int64_t i = find_path(fs, path);
    if (i >= 0)
        return i;
    if (depth > 256)
        return pb_error(PB_ELOOP, "tar: %s: path too deep", fs->base.dev->name);
    const char *slash = strrchr(path, '/');
    int64_t parent = 0;
    if (slash) {
        char *pp = strndup(path, (size_t)(slash - path));
        if (!pp)
            return pb_error(PB_ENOMEM, "tar: out of memory");
        parent = get_dir(fs, pp, depth + 1);
        free(pp);
        if (parent < 0)
            return parent;
    }
    int r = grow(fs);
    if (r < 0)
        return r;
    struct tar_ent *e = &fs->e[fs->n];
    memset(e, 0, sizeof *e);
    e->path = strdup(path);
    if (!e->path)
        return pb_error(PB_ENOMEM, "tar: out of memory");
    e->name = slash ? e->path + (slash - path) + 1 : e->path;
    e->parent = (uint32_t)parent;
    e->type = PB_FT_DIR;
    e->mode = 040755;
    hash_insert(fs, fs->n);
    return fs->n++;
}

static int parse_num(const uint8_t *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (p[0] & 0x80) {
        /* GNU base-256 */
        if (p[0] & 0x40)
            return -1;                   /* negative */
        v = p[0] & 0x3f;
        for (size_t i = 1; i < n; i++) {
            if (v >> 55)
                return -1;
            v = v << 8 | p[i];
        }
        *out = v;
        return 0;
    }
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == 0))
        i++;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
        if (v >> 60)
            return -1;
        v = v * 8 + (p[i] - '0');
    }
    for (; i < n; i++)
        if (p[i] != ' ' && p[i] != 0)
            return -1;
    *out = v;
    return 0;
}

static int checksum_ok(const uint8_t *h)
{
    uint64_t want;
    if (parse_num(h + 148, 8, &want) < 0)
        return 0;
    uint32_t sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == want;
}

static void free_entries(struct tar_fs *fs)
{
    for (uint32_t i = 0; i < fs->n; i++) {
        free(fs->e[i].path);
        free(fs->e[i].link);
    }
    free(fs->e);
    free(fs->hash);
}

/* Parse pax records "LEN key=value\n" for the keys we use. */
static void pax_parse(const char *p, size_t len, char **path, char **linkpath, uint64_t *size,
                      int *have_size, int64_t *mtime, int *have_mtime)
{
    size_t pos = 0;
    for (int guard = 0; pos < len && guard < 4096; guard++) {
        size_t rl = 0, i = pos;
        while (i < len && p[i] >= '0' && p[i] <= '9' && rl < len)
            rl = rl * 10 + (size_t)(p[i++] - '0');
        if (i >= len || p[i] != ' ' || rl == 0 || rl > len - pos)
            return;
        const char *kv = p + i + 1, *end = p + pos + rl - 1;   /* end at '\n' */
        if (*end != '\n' || kv > end)
            return;
        const char *eq = memchr(kv, '=', (size_t)(end - kv));
        if (eq) {
            size_t kl = (size_t)(eq - kv), vl = (size_t)(end - eq - 1);
            if (kl == 4 && !memcmp(kv, "path", 4)) {
                free(*path);
                *path = strndup(eq + 1, vl);
            } else if (kl == 8 && !memcmp(kv, "linkpath", 8)) {
                free(*linkpath);
                *linkpath = strndup(eq + 1, vl);
            } else if (kl == 4 && !memcmp(kv, "size", 4)) {
                uint64_t v = 0;
                int okd = vl > 0 && vl < 20;
                for (size_t k = 0; okd && k < vl; k++) {
                    if (eq[1 + k] < '0' || eq[1 + k] > '9') okd = 0;
                    else v = v * 10 + (uint64_t)(eq[1 + k] - '0');
                }
                if (okd) { *size = v; *have_size = 1; }
            } else if (kl == 5 && !memcmp(kv, "mtime", 5)) {
                int64_t v = 0;
                size_t k = 0;
                int neg = vl && eq[1] == '-';
                if (neg) k++;
                for (; k < vl && k < 19 && eq[1 + k] >= '0' && eq[1 + k] <= '9'; k++)
                    v = v * 10 + (eq[1 + k] - '0');
                *mtime = neg ? -v : v;
                *have_mtime = 1;
            }
        }
        pos += rl;
    }
}

static int tar_mount(struct pb_device *dev, struct pb_fs **fsp)
{
    uint8_t h[512];
    uint64_t devsize = dev->nr_sectors * PB_SECTOR_SIZE;
    if (devsize < 512)
        return PB_ENOENT;
    int r = pb_device_read(dev, 0, 512, h);
    if (r < 0)
        return r;
    if (memcmp(h + 257, "ustar", 5) || !checksum_ok(h))
        return PB_ENOENT;
    struct tar_fs *fs = calloc(1, sizeof *fs);
    if (!fs)
        return pb_error(PB_ENOMEM, "tar: out of memory");
    fs->base.dev = dev;
    if (get_dir(fs, "", 0) < 0) {
        free_entries(fs);
        free(fs);
        return PB_ENOMEM;
    }
    char *longname = NULL, *longlink = NULL;
    uint64_t pax_size = 0;
    int have_size = 0, have_mtime = 0;
    int64_t pax_mtime = 0;
    uint64_t off = 0;
    r = 0;
    for (uint32_t guard = 0; guard < 4 * TAR_MAX_ENTRIES; guard++) {
        if (off + 512 > devsize)
            break;
        r = pb_device_read(dev, off, 512, h);
        if (r < 0)
            break;
        int zero = 1;
        for (int i = 0; i < 512 && zero; i++)
            zero = h[i] == 0;
        if (zero)
            break;                       /* end of archive */
        if (!checksum_ok(h)) {
            r = pb_error(PB_EBADFS, "tar: %s: bad header checksum at byte %llu",
                         dev->name, (unsigned long long)off);
            break;
        }
        uint64_t size;
        if (parse_num(h + 124, 12, &size) < 0) {
            r = pb_error(PB_EBADFS, "tar: %s: bad size field in the header at byte %llu",
                         dev->name, (unsigned long long)off);
            break;
        }
        char type = (char)h[156];
        if (have_size && type != 'x' && type != 'L' && type != 'K' && type != 'g')
            size = pax_size;
        uint64_t data = off + 512;
        if (size > devsize || data > devsize - size) {
            r = pb_error(PB_EBADFS, "tar: %s: member at byte %llu (%llu bytes) runs past the end",
                         dev->name, (unsigned long long)off, (unsigned long long)size);
            break;
        }
        uint64_t next = data + ((size + 511) & ~511ull);
        if (type == 'L' || type == 'K' || type == 'x') {
            if (size > (type == 'x' ? 65536 : TAR_MAX_LONGNAME)) {
                r = pb_error(PB_EBADFS, "tar: %s: extended header at byte %llu too long",
                             dev->name, (unsigned long long)off);
                break;
            }
            char *buf = malloc(size + 1);
            if (!buf) {
                r = pb_error(PB_ENOMEM, "tar: out of memory");
                break;
            }
            r = pb_device_read(dev, data, size, buf);
            if (r < 0) {
                free(buf);
                break;
            }
            buf[size] = 0;
            if (type == 'x') {
                pax_parse(buf, size, &longname, &longlink, &pax_size, &have_size, &pax_mtime, &have_mtime);
                free(buf);
            } else if (type == 'L') {
                free(longname);
                longname = buf;
            } else {
                free(longlink);
                longlink = buf;
            }
            off = next;
            continue;
        }
        if (type == 'g') {
            off = next;
            continue;
        }
        /* name */
        char nbuf[256 + 2];
        const char *name;
        size_t nlen;
        if (longname) {
            name = longname;
            nlen = strlen(longname);
        } else {
            size_t bl = strnlen((const char *)h, 100);
            size_t pl = 0;
            if (!memcmp(h + 257, "ustar\0", 6))
                pl = strnlen((const char *)h + 345, 155);
            nlen = 0;
            if (pl) {
                memcpy(nbuf, h + 345, pl);
                nbuf[pl] = '/';
                nlen = pl + 1;
            }
            memcpy(nbuf + nlen, h, bl);
            nlen += bl;
            nbuf[nlen] = 0;
            name = nbuf;
        }
        char *path = norm_path(name, nlen);
        char *link = NULL;
        if (type == '1' || type == '2') {
            if (longlink)
                link = strdup(longlink);
            else
                link = strndup((const char *)h + 157, 100);
        }
        free(longname);
        free(longlink);
        longname = longlink = NULL;
        uint64_t mode = 0, mt = 0;
        parse_num(h + 100, 8, &mode);
        parse_num(h + 136, 12, &mt);
        int64_t mtime = have_mtime ? pax_mtime : (int64_t)mt;
        have_size = have_mtime = 0;
        if (!path || ((type == '1' || type == '2') && !link)) {
            free(path);
            free(link);
            r = pb_error(PB_ENOMEM, "tar: out of memory");
            break;
        }
        if (!path[0]) {                       /* "./" itself */
            free(path);
            free(link);
            off = next;
            continue;
        }
        /* parent directory */
        char *slash = strrchr(path, '/');
        int64_t parent = 0;
        if (slash) {
            *slash = 0;
            parent = get_dir(fs, path, 0);
            *slash = '/';
        }
        int64_t idx = parent >= 0 ? find_path(fs, path) : -1;
        if (parent < 0) {
            free(path);
            free(link);
            r = (int)parent;
            break;
        }
        if (idx < 0) {
            r = grow(fs);
            if (r < 0) {
                free(path);
                free(link);
                break;
            }
            idx = fs->n++;
            memset(&fs->e[idx], 0, sizeof fs->e[idx]);
            fs->e[idx].path = path;
            hash_insert(fs, (uint32_t)idx);
        } else {
            free(fs->e[idx].link);
            fs->e[idx].link = NULL;
            free(path);
        }
        struct tar_ent *e = &fs->e[idx];
        e->name = strrchr(e->path, '/') ? strrchr(e->path, '/') + 1 : e->path;
        e->parent = (uint32_t)parent;
        e->mtime = mtime;
        e->mode = (uint32_t)mode & 07777;
        e->link = link;
        e->off = data;
        e->size = size;
        switch (type) {
        case '0': case '\0': case '7': e->type = PB_FT_REG; e->mode |= 0100000; break;
        case '1': e->type = PB_FT_REG; e->mode |= 0100000; e->size = 0; break;
        case '2': e->type = PB_FT_LNK; e->mode |= 0120000; e->size = strlen(link); break;
        case '5': e->type = PB_FT_DIR; e->mode |= 040000; e->size = 0; break;
        default: e->type = PB_FT_OTHER; e->size = 0; break;
        }
        off = next;
    }
    free(longname);
    free(longlink);
    if (r < 0) {
        free_entries(fs);
        free(fs);
        return r;
    }
    /* hard links take their target's data (bounded chain) */
    for (uint32_t i = 0; i < fs->n; i++) {
        struct tar_ent *e = &fs->e[i];
        if (!(e->type == PB_FT_REG && e->link))
            continue;
        int64_t t = i;
        for (int k = 0; k < 16 && t >= 0 && fs->e[t].type == PB_FT_REG && fs->e[t].link; k++) {
            char *np = norm_path(fs->e[t].link, strlen(fs->e[t].link));
            t = np ? find_path(fs, np) : -1;
            free(np);
        }
        if (t >= 0 && fs->e[t].type == PB_FT_REG && !fs->e[t].link) {
            e->off = fs->e[t].off;
            e->size = fs->e[t].size;
            free(e->link);
            e->link = NULL;
        }
    }
    *fsp = &fs->base;
    return 0;
}

static void tar_unmount(struct pb_fs *pfs)
{
    struct tar_fs *fs = (struct tar_fs *)pfs;
    free_entries(fs);
    free(fs);
}

static int new_node(struct tar_fs *fs, uint32_t idx, struct pb_node **out)
{
    struct tar_node *n = calloc(1, sizeof *n);
    if (!n)
        return pb_error(PB_ENOMEM, "tar: out of memory");
    n->base.fs = &fs->base;
    n->idx = idx;
    *out = &n->base;
    return 0;
}

static int tar_root(struct pb_fs *pfs, struct pb_node **out)
{
    return new_node((struct tar_fs *)pfs, 0, out);
}

static int tar_lookup(struct pb_fs *pfs, struct pb_node *dir, const char *name, size_t namelen,
                      struct pb_node **out)
{
    struct tar_fs *fs = (struct tar_fs *)pfs;
    struct tar_ent *d = &fs->e[((struct tar_node *)dir)->idx];
    if (d->type != PB_FT_DIR)
        return pb_error(PB_ENOTDIR, "tar: %s: %s: not a directory", fs->base.dev->name, d->path);
    size_t pl = strlen(d->path);
    char *full = malloc(pl + namelen + 2);
    if (!full)
        return pb_error(PB_ENOMEM, "tar: out of memory");
    if (pl) {
        memcpy(full, d->path, pl);
        full[pl++] = '/';
    }
    memcpy(full + pl, name, namelen);
    full[pl + namelen] = 0;
    int64_t i = memchr(name, 0, namelen) ? -1 : find_path(fs, full);
    free(full);
    if (i < 0)
        return pb_error(PB_ENOENT, "tar: %s: %.*s: file not found", fs->base.dev->name, (int)namelen, name);
    return new_node(fs, (uint32_t)i, out);
}

static int tar_readdir(struct pb_fs *pfs, struct pb_node *dir,
                       int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx), void *ctx)
{
    struct tar_fs *fs = (struct tar_fs *)pfs;
    uint32_t di = ((struct tar_node *)dir)->idx;
    if (fs->e[di].type != PB_FT_DIR)
        return pb_error(PB_ENOTDIR, "tar: %s: %s: not a directory", fs->base.dev->name, fs->e[di].path);
    for (uint32_t i = 1; i < fs->n; i++)
        if (fs->e[i].parent == di && cb(fs->e[i].name, strlen(fs->e[i].name), fs->e[i].type, ctx))
            break;
    return 0;
}

static int tar_stat(struct pb_fs *pfs, struct pb_node *node, struct pb_stat *st)
{
    struct tar_fs *fs = (struct tar_fs *)pfs;
    uint32_t i = ((struct tar_node *)node)->idx;
    memset(st, 0, sizeof *st);
    st->type = fs->e[i].type;
    st->size = fs->e[i].size;
    st->mtime = fs->e[i].mtime;
    st->ino = i;
    st->mode = fs->e[i].mode;
    return 0;
}

static int64_t tar_read(struct pb_fs *pfs, struct pb_node *node, uint64_t off, size_t len, void *buf)
{
    struct tar_fs *fs = (struct tar_fs *)pfs;
    struct tar_ent *e = &fs->e[((struct tar_node *)node)->idx];
    if (e->type != PB_FT_REG)
        return pb_error(PB_EINVAL, "tar: %s: %s: not a regular file", fs->base.dev->name, e->path);
    if (e->link)
        return pb_error(PB_EBADFS, "tar: %s: %s: hard link to a missing member %s",
                        fs->base.dev->name, e->path, e->link);
    if (off >= e->size)
        return 0;
    if (len > e->size - off)
        len = (size_t)(e->size - off);
    int r = pb_device_read(fs->base.dev, e->off + off, len, buf);
    return r < 0 ? r : (int64_t)len;
}

static int tar_readlink(struct pb_fs *pfs, struct pb_node *node, char *buf, size_t bufsize)
{
    struct tar_fs *fs = (struct tar_fs *)pfs;
    struct tar_ent *e = &fs->e[((struct tar_node *)node)->idx];
    if (e->type != PB_FT_LNK)
        return pb_error(PB_EINVAL, "tar: %s: %s: not a symlink", fs->base.dev->name, e->path);
    size_t l = strlen(e->link);
    if (l >= bufsize)
        return pb_error(PB_ERANGE, "tar: %s: %s: symlink target too long", fs->base.dev->name, e->path);
    memcpy(buf, e->link, l + 1);
    return (int)l;
}

static void tar_release(struct pb_fs *fs, struct pb_node *node)
{
    (void)fs;
    free(node);
}

static struct pb_fs_ops tar_ops = {
    .name = "tarfs",
    .no_label = true,
    .mount = tar_mount,
    .unmount = tar_unmount,
    .root = tar_root,
    .lookup = tar_lookup,
    .readdir = tar_readdir,
    .stat = tar_stat,
    .read = tar_read,
    .readlink = tar_readlink,
    .release = tar_release,
};

/** pvboot_init_tar() - register the tar (memdisk) filesystem, "tarfs". */
void pvboot_init_tar(void)
{
    pb_fs_register(&tar_ops);
}
