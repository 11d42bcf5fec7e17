/* SPDX-License-Identifier: MIT */
/*
 * pvboot-fstest: inspect disk images through pvboot's own partition maps
 * and filesystems (the hosted build of the runtime), in the spirit of
 * grub-fstest.  See man/pvboot-fstest.1.
 *
 *   pvboot-fstest [-s SECTOR_SIZE] IMAGE... -- COMMAND [ARG...]
 *
 * Images become disks hd0, hd1... (named xen/xvda, xen/xvdb...), so paths
 * look like "(hd0,gpt2)/boot/vmlinuz" or "(hd0)/file" for a whole-disk fs.
 * The SHA-256 used by `hash` and `hashtree` is implemented here (FIPS 180-4).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/fs.h"
#include "pvboot/hosted.h"
#include "pvboot/version.h"
#include "confine.h"

/* ---- SHA-256 (FIPS 180-4) ---- */

struct sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t n;
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_init(struct sha256 *s)
{
    static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->n = 0;
}

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, h;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
    e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
    s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_update(struct sha256 *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    s->len += len;
    if (s->n) {
        size_t t = 64 - s->n < len ? 64 - s->n : len;
        memcpy(s->buf + s->n, p, t);
        s->n += t;
        p += t;
        len -= t;
        if (s->n == 64) {
            sha256_block(s, s->buf);
            s->n = 0;
        }
    }
    while (len >= 64) {
        sha256_block(s, p);
        p += 64;
        len -= 64;
    }
    memcpy(s->buf, p, len);
    s->n += len;
}

static void sha256_final(struct sha256 *s, char hex[65])
{
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80;
    sha256_update(s, &pad, 1);
    pad = 0;
    while (s->n != 56)
        sha256_update(s, &pad, 1);
    uint8_t lb[8];
    for (int i = 0; i < 8; i++)
        lb[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(s, lb, 8);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08x", s->h[i]);
}

/* ---- helpers ---- */

static int fail(const char *what)
{
    const char *m = pb_errmsg();
    fprintf(stderr, "pvboot-fstest: %s: %s\n", what, m && *m ? m : "failed");
    return 1;
}

/*
 * put_safe() - print @s on stdout with every control character (below 0x20,
 * and 0x7f) as \xNN: file names, labels and link targets come from untrusted
 * disks and must not send escape sequences to the terminal.
 */
static void put_safe(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

#define IOBUF (1u << 20)

/* Stream file @path through @fn. Returns 0 or 1 (message printed). */
static int stream_file(const char *path, int (*fn)(const void *, size_t, void *), void *ctx)
{
    struct pb_file *f;
    if (pb_file_open(path, &f) < 0)
        return fail(path);
    char *buf = malloc(IOBUF);
    if (!buf) {
        pb_file_close(f);
        fprintf(stderr, "pvboot-fstest: out of memory\n");
        return 1;
    }
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        int64_t n = pb_file_read(f, buf, IOBUF);
        if (n < 0) {
            rc = fail(path);
            break;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (fn(buf, (size_t)n, ctx)) {
            rc = 1;
            break;
        }
    }
    if (!rc && total != f->size) {
        fprintf(stderr, "pvboot-fstest: %s: read %llu bytes, size is %llu\n", path,
                (unsigned long long)total, (unsigned long long)f->size);
        rc = 1;
    }
    free(buf);
    pb_file_close(f);
    return rc;
}

static int write_fn(const void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (fwrite(p, 1, n, stdout) == n)
        return 0;
    fprintf(stderr, "pvboot-fstest: cannot write to standard output: %s\n", strerror(errno));
    return 1;
}

static int hash_fn(const void *p, size_t n, void *ctx)
{
    sha256_update(ctx, p, n);
    return 0;
}

struct cmp_ctx {
    FILE *local;
    uint64_t off;
    char *buf;
    const char *path;
};

static int cmp_fn(const void *p, size_t n, void *vctx)
{
    struct cmp_ctx *c = vctx;
    size_t got = fread(c->buf, 1, n, c->local);
    size_t m = got < n ? got : n;
    for (size_t i = 0; i < m; i++) {
        if (((const char *)p)[i] != c->buf[i]) {
            fprintf(stderr, "pvboot-fstest: %s: differs at byte %llu\n", c->path,
                    (unsigned long long)(c->off + i));
            return 1;
        }
    }
    if (got < n) {
        fprintf(stderr, "pvboot-fstest: %s: local file is shorter (%llu bytes)\n", c->path,
                (unsigned long long)(c->off + got));
        return 1;
    }
    c->off += n;
    return 0;
}

static const char *type_name(enum pb_ftype t)
{
    switch (t) {
    case PB_FT_REG: return "file";
    case PB_FT_DIR: return "dir";
    case PB_FT_LNK: return "link";
    case PB_FT_OTHER: return "other";
    default: return "unknown";
    }
}

/* parse_ulong() - @s as a whole decimal/0x-hex/0-octal number (strtoul
 * base 0) into @out; -1 for an empty string, trailing junk or overflow. */
static int parse_ulong(const char *s, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    if (!*s || *s == '-')
        return -1;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/*
 * check_image() - refuse an IMAGE argument that cannot be a disk: a
 * directory, or a regular file shorter than one 512-byte sector.  Returns 0,
 * or 2 after printing one line naming @path (a missing file is left to
 * pb_hostdisk_add(), which names the open error).
 */
static int check_image(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "pvboot-fstest: %s: is a directory, not a disk image\n", path);
        return 2;
    }
    if (S_ISREG(st.st_mode) && st.st_size < PB_SECTOR_SIZE) {
        fprintf(stderr, "pvboot-fstest: %s: %lld bytes, smaller than one %u-byte sector: not a disk image\n",
                path, (long long)st.st_size, (unsigned)PB_SECTOR_SIZE);
        return 2;
    }
    return 0;
}

/* ---- commands ---- */

static int count_part(const struct pb_partition *p, void *ctx)
{
    (void)p;
    (void)ctx;
    return 0;
}

/* One probe line for @devname; @ctx (int *, or NULL) is set to 1 when the
 * device cannot be opened. */
static int probe_one(const char *devname, void *ctx)
{
    struct pb_device *dev;
    if (pb_device_open(devname, &dev) < 0) {
        printf("(");
        put_safe(devname);
        printf(") error: ");
        put_safe(pb_errmsg());
        printf("\n");
        pb_error_clear();
        if (ctx)
            *(int *)ctx = 1;   /* a device named on the command line */
        return 0;
    }
    printf("(%s) size=%llu", devname, (unsigned long long)dev->nr_sectors * PB_SECTOR_SIZE);
    if (dev->is_partition) {
        const struct pb_partition *p = &dev->part;
        printf(" start=%llu map=%s", (unsigned long long)p->start, p->map);
        if (p->msdos_type)
            printf(" type=0x%02x", p->msdos_type);
        if (p->part_label[0]) {
            printf(" partlabel=\"");
            put_safe(p->part_label);
            printf("\"");
        }
    }
    if (!dev->is_partition) {
        int r = pb_partition_iterate(dev->disk, count_part, NULL);
        if (r < 0 && r != PB_ENOENT)
            printf(" table-error=\"%s\"", pb_errmsg());
        pb_error_clear();
    }
    struct pb_fs *fs;
    if (pb_fs_probe(dev, &fs) == 0) {
        printf(" fs=%s uuid=", fs->ops->name);
        put_safe(fs->uuid);
        printf(" label=\"");
        put_safe(fs->label);
        printf("\"");
    } else {
        printf(" fs=none");
        if (pb_errcode() && pb_errcode() != PB_ENOENT)
            printf(" (%s)", pb_errmsg());
    }
    pb_error_clear();
    printf("\n");
    pb_device_close(dev);
    return 0;
}

static int cmd_probe(int argc, char **argv)
{
    int rc = 0;
    if (argc == 0)
        return pb_device_iterate(probe_one, NULL) < 0 ? fail("device iteration") : 0;
    for (int i = 0; i < argc; i++) {
        const char *n = argv[i];
        char tmp[128];
        size_t l = strlen(n);
        if (n[0] == '(' && l >= 2 && n[l - 1] == ')' && l - 2 < sizeof tmp) {
            memcpy(tmp, n + 1, l - 2);
            tmp[l - 2] = 0;
            n = tmp;
        }
        probe_one(n, &rc);
    }
    return rc;
}

struct ls_ent {
    char *name;
    enum pb_ftype type;
};
struct ls_list {
    struct ls_ent *e;
    size_t n, cap;
};

static int ls_collect(const char *name, size_t namelen, enum pb_ftype type, void *ctx)
{
    struct ls_list *l = ctx;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        struct ls_ent *ne = realloc(l->e, nc * sizeof *ne);
        if (!ne)
            return 1;
        l->e = ne;
        l->cap = nc;
    }
    l->e[l->n].name = strndup(name, namelen);
    l->e[l->n].type = type;
    l->n++;
    return 0;
}

static int ent_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ls_ent *)a)->name, ((const struct ls_ent *)b)->name);
}

static void ls_free(struct ls_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].name);
    free(l->e);
}

/* Join "dir" + "/" + "name" (dir may end in '/' or ')'). */
static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    char *out;
    if (dl && dir[dl - 1] == '/')
        out = malloc(dl + strlen(name) + 1), sprintf(out, "%s%s", dir, name);
    else
        out = malloc(dl + strlen(name) + 2), sprintf(out, "%s/%s", dir, name);
    return out;
}

/*
 * List @path.  long_fmt: "TYPE SIZE MTIME NAME"; recursive: paths relative
 * to the top directory, depth-first, sorted by name at each level.
 */
static int do_ls(const char *top, const char *path, const char *rel, bool long_fmt, bool recursive,
                 int depth)
{
    struct ls_list l = { 0 };
    if (depth > 64) {
        fprintf(stderr, "pvboot-fstest: %s: directory nesting too deep\n", path);
        return 1;
    }
    if (pb_dir_iterate(path, ls_collect, &l) < 0) {
        ls_free(&l);
        return fail(path);
    }
    if (l.n)   /* qsort(NULL, 0, ...) is undefined */
        qsort(l.e, l.n, sizeof *l.e, ent_cmp);
    int rc = 0;
    for (size_t i = 0; i < l.n; i++) {
        char *full = join(path, l.e[i].name);
        char *r = rel[0] ? join(rel, l.e[i].name) : strdup(l.e[i].name);
        const char *shown = recursive ? r : l.e[i].name;
        if (long_fmt) {
            struct pb_stat st;
            if (pb_stat_path(full, &st, 1) < 0) {
                rc |= fail(full);
            } else {
                printf("%-5s %12llu %lld ", type_name(st.type), (unsigned long long)st.size,
                       (long long)st.mtime);
                put_safe(shown);
                printf("\n");
            }
        } else {
            put_safe(shown);
            printf("%s\n", l.e[i].type == PB_FT_DIR ? "/" : "");
        }
        if (recursive && l.e[i].type == PB_FT_DIR)
            rc |= do_ls(top, full, r, long_fmt, recursive, depth + 1);
        free(full);
        free(r);
    }
    ls_free(&l);
    return rc;
}

static int cmd_hashtree(const char *path, const char *rel, int depth)
{
    struct ls_list l = { 0 };
    if (depth > 64) {
        fprintf(stderr, "pvboot-fstest: %s: directory nesting too deep\n", path);
        return 1;
    }
    if (pb_dir_iterate(path, ls_collect, &l) < 0) {
        ls_free(&l);
        return fail(path);
    }
    if (l.n)   /* qsort(NULL, 0, ...) is undefined */
        qsort(l.e, l.n, sizeof *l.e, ent_cmp);
    int rc = 0;
    for (size_t i = 0; i < l.n; i++) {
        char *full = join(path, l.e[i].name);
        char *r = rel[0] ? join(rel, l.e[i].name) : strdup(l.e[i].name);
        if (l.e[i].type == PB_FT_DIR) {
            rc |= cmd_hashtree(full, r, depth + 1);
        } else if (l.e[i].type == PB_FT_REG) {
            struct sha256 s;
            sha256_init(&s);
            if (stream_file(full, hash_fn, &s) == 0) {
                char hex[65];
                sha256_final(&s, hex);
                printf("%s  ", hex);
                put_safe(r);
                putchar('\n');
            } else {
                rc = 1;
            }
        }
        free(full);
        free(r);
    }
    ls_free(&l);
    return rc;
}


/* ---- whole-tree walk (corruption runs) ---- */

static uint64_t walk_read_cap = 4u << 20;   /* bytes read per file by walk */

struct walk_stats {
    unsigned entries, files, errors;
    uint64_t bytes;
};

struct walk_list {
    char **names;
    enum pb_ftype *types;
    size_t n, cap;
};

static int walk_collect(const char *name, size_t namelen, enum pb_ftype type, void *ctx)
{
    struct walk_list *l = ctx;
    if (l->n >= 2000)
        return 1;                               /* bound per directory */
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 32;
        char **nn = realloc(l->names, nc * sizeof *nn);
        if (!nn)
            return 1;
        l->names = nn;
        enum pb_ftype *nt = realloc(l->types, nc * sizeof *nt);
        if (!nt)
            return 1;
        l->types = nt;
        l->cap = nc;
    }
    l->names[l->n] = strndup(name, namelen);
    l->types[l->n] = type;
    l->n++;
    return 0;
}

/*
 * Visit everything below @path: list directories (depth <= 12, 2000
 * entries each), stat every entry, read every regular file (at most 4 MiB
 * each) and symlink target.  Errors are counted, not fatal.
 */
static void walk_tree(const char *path, int depth, struct walk_stats *ws, char *buf, size_t bufsz)
{
    struct walk_list l = { 0 };
    if (depth > 12 || ws->entries > 20000)
        return;
    if (pb_dir_iterate(path, walk_collect, &l) < 0)
        ws->errors++;
    for (size_t i = 0; i < l.n; i++) {
        char *full = l.names[i] ? join(path, l.names[i]) : NULL;
        ws->entries++;
        if (full) {
            struct pb_stat st;
            if (pb_stat_path(full, &st, 1) < 0)
                ws->errors++;
            if (l.types[i] == PB_FT_DIR) {
                walk_tree(full, depth + 1, ws, buf, bufsz);
            } else if (l.types[i] == PB_FT_REG || l.types[i] == PB_FT_LNK) {
                struct pb_file *f;
                if (pb_file_open(full, &f) == 0) {
                    uint64_t total = 0;
                    for (;;) {
                        int64_t n = pb_file_read(f, buf, bufsz);
                        if (n <= 0) {
                            if (n < 0)
                                ws->errors++;
                            break;
                        }
                        total += (uint64_t)n;
                        if (total >= walk_read_cap)
                            break;
                    }
                    ws->bytes += total;
                    ws->files++;
                    pb_file_close(f);
                } else {
                    ws->errors++;
                }
            }
        }
        pb_error_clear();
        free(full);
        free(l.names[i]);
    }
    free(l.names);
    free(l.types);
}

static int walk_probe_cb(const char *devname, void *ctx)
{
    char ***list = ctx;
    size_t n = 0;
    while ((*list)[n])
        n++;
    if (n >= 63)
        return 1;
    (*list)[n] = strdup(devname);
    return 0;
}

/* Walk every device and filesystem of the registered disks. */
static void walk_all(struct walk_stats *ws)
{
    char *devs[64] = { 0 };
    char **dp = devs;
    char *buf = malloc(1u << 20);
    if (!buf)
        return;
    pb_device_iterate(walk_probe_cb, &dp);
    pb_error_clear();
    for (int i = 0; i < 64 && devs[i]; i++) {
        char root[80];
        snprintf(root, sizeof root, "(%s)/", devs[i]);
        walk_tree(root, 0, ws, buf, 1u << 20);
        pb_error_clear();
        free(devs[i]);
    }
    free(buf);
}

static volatile unsigned long corrupt_iter;

/* xorshift64*: the corruption runs' reproducible random numbers */
static uint64_t xorshift64s(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545f4914f6cdd1dull;
}

static void corrupt_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "pvboot-fstest: corrupt: an iteration exceeded its time limit (hang)\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(3);
    _exit(3);
}

/*
 * corrupt IMAGE ITERATIONS [SEED [FLIPS]]: for each iteration, flip FLIPS
 * (default 1..16) random bytes of a copy of IMAGE (3 in 4 inside its
 * non-zero sectors, the rest in its first MiB or anywhere), register it as a memory disk and walk
 * every partition and filesystem on it.  Each iteration is bounded by a
 * 10 s alarm; a crash or sanitizer report ends the process non-zero.
 */
static uint8_t *corrupt_img;   /* corrupt's IMAGE, read in the parent */
static size_t corrupt_len;

/* corrupt IMAGE ...: read IMAGE (512 bytes .. 256 MiB) before confinement.
 * Returns 0, or 2 after a message naming it. */
static int load_corrupt_image(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "pvboot-fstest: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 2;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 512 || st.st_size > (256l << 20)) {
        close(fd);
        fprintf(stderr, "pvboot-fstest: %s: image must be a file of 512 bytes .. 256 MiB\n", path);
        return 2;
    }
    corrupt_len = (size_t)st.st_size;
    corrupt_img = malloc(corrupt_len);
    size_t got = 0;
    while (corrupt_img && got < corrupt_len) {
        ssize_t n = pread(fd, corrupt_img + got, corrupt_len - got, (off_t)got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!corrupt_img || got != corrupt_len) {
        fprintf(stderr, "pvboot-fstest: %s: cannot read\n", path);
        return 2;
    }
    return 0;
}

static int cmd_corrupt(int nargs, char **args)
{
    unsigned long iters = 0, seed = 1, fixed_flips = 0;
    if (nargs < 2 || nargs > 4) {
        fprintf(stderr, "pvboot-fstest: corrupt IMAGE N [SEED [FLIPS]]: %s arguments\n",
                nargs < 2 ? "too few" : "too many");
        return 2;
    }
    if (parse_ulong(args[1], &iters) < 0 || (nargs > 2 && parse_ulong(args[2], &seed) < 0) ||
        (nargs > 3 && parse_ulong(args[3], &fixed_flips) < 0)) {
        fprintf(stderr, "pvboot-fstest: corrupt: N, SEED and FLIPS must be numbers\n");
        return 2;
    }
    /* read by the parent before the parser was confined (load_corrupt_image) */
    long sz = (long)corrupt_len;
    uint8_t *orig = corrupt_img, *img = malloc(corrupt_len);
    if (!img)
        return fail("out of memory");
    /* sectors holding anything: most flips land there (metadata, small files) */
    size_t nsec = (size_t)sz / 512, nused = 0;
    uint32_t *used = malloc(nsec * sizeof *used + 1);
    if (!used)
        return fail("out of memory");
    for (size_t i = 0; i < nsec; i++) {
        for (size_t k = 0; k < 512; k++) {
            if (orig[i * 512 + k]) {
                used[nused++] = (uint32_t)i;
                break;
            }
        }
    }
    pb_hostdisk_remove_all();
    walk_read_cap = 64u << 10;   /* SIGALRM -> corrupt_alarm: set by main, before confinement */
    struct walk_stats total = { 0 };
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (corrupt_iter = 0; corrupt_iter < iters; corrupt_iter++) {
        memcpy(img, orig, (size_t)sz);
#define NEXT() xorshift64s(&x)
        unsigned long flips = fixed_flips ? fixed_flips : 1 + NEXT() % 16;
        for (unsigned long k = 0; k < flips; k++) {
            uint64_t r = NEXT(), pos;
            if ((r & 3) != 0 && nused)          /* 3 in 4: inside a used sector */
                pos = (uint64_t)used[NEXT() % nused] * 512 + NEXT() % 512;
            else if ((r & 4) != 0)              /* the first MiB (metadata) */
                pos = NEXT() % (sz < (1l << 20) ? (uint64_t)sz : (1u << 20));
            else
                pos = NEXT() % (uint64_t)sz;
            img[pos] ^= (uint8_t)(1 + NEXT() % 255);
        }
#undef NEXT
        alarm(10);
        if (!pb_hostdisk_add_mem(img, (size_t)sz, NULL))
            return fail("memory disk");
        struct walk_stats ws = { 0 };
        walk_all(&ws);
        pb_hostdisk_remove_all();
        alarm(0);
        total.entries += ws.entries;
        total.files += ws.files;
        total.errors += ws.errors;
        total.bytes += ws.bytes;
    }
    printf("%lu iterations: %u entries, %u files, %llu bytes read, %u errors reported, no crash or hang\n",
           iters, total.entries, total.files, (unsigned long long)total.bytes, total.errors);
    free(used);
    free(orig);
    free(img);
    return 0;
}

#define FSTEST_TIMEOUT_S 1800u           /* default --timeout */
#define FSTEST_WRITE_ROOM (1ull << 40)     /* cat to a file: at most 1 TiB */

/* -c COMMAND: a runtime command line (words split at blanks, no quoting),
 * run after the images are added, e.g. "loopback loop0 (hd0)/x.iso". */
static int run_setup(const char *line)
{
    char *copy = strdup(line);
    char *words[16];
    int n = 0;
    if (!copy)
        return fail("-c");
    for (char *w = strtok(copy, " \t"); w; w = strtok(NULL, " \t")) {
        if (n == 16) {
            free(copy);
            fprintf(stderr, "pvboot-fstest: -c %s: more than 16 words\n", line);
            return 2;
        }
        words[n++] = w;
    }
    int r = n ? pb_command_run(n, words) : 0;
    free(copy);
    if (r < 0) {
        char what[300];
        snprintf(what, sizeof what, "-c %s", line);
        return fail(what);
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: pvboot-fstest [-s SECTOR_SIZE] [-c SETUP] [--runas USER] [--timeout SECONDS]\n"
        "                     [--passphrase-file FILE] IMAGE... -- COMMAND [ARG...]\n"
        "       pvboot-fstest --help | --version\n"
        "Images become disks hd0, hd1... (xen/xvda, xen/xvdb...); -s (--sector-size)\n"
        "applies to the images after it.\n"
        "-c SETUP runs a runtime command first, e.g. -c 'loopback loop0 (hd0)/boot.sqfs'.\n"
        "--passphrase-file FILE: cryptomount's passphrase (one trailing newline dropped),\n"
        "e.g. -c 'cryptomount -a', then (crypto0)/...\n"
        "The images are parsed in a confined child (as root: as USER, default nobody), stopped\n"
        "after SECONDS (default %u) of wall-clock or CPU time; see pvboot-fstest(1).\n"
        "commands:\n"
        "  probe [DEVICE...]      list devices with partition and filesystem (type, UUID, label)\n"
        "  ls [-l] [-R] PATH      list a directory, e.g. (hd0,msdos1)/boot\n"
        "  cat PATH               write a file to stdout\n"
        "  cmp PATH LOCALFILE     compare a file with a host file (exit 1 if different)\n"
        "  hash PATH...           SHA-256 of files (like sha256sum)\n"
        "  hashtree DIR           SHA-256 of every regular file below DIR, relative paths, sorted\n"
        "  stat PATH              type, size, mtime, inode, mode (symlinks not followed)\n"
        "  readlink PATH          a symlink's target\n"
        "  bench PATH             read a file and print MiB/s\n"
        "  walk                   list, stat and read everything on every device (counts)\n"
        "  corrupt IMAGE N [SEED [FLIPS]]  N runs of walk over copies of IMAGE with random\n"
        "                         byte flips (no image arguments needed before --)\n", FSTEST_TIMEOUT_S);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count_fn(const void *p, size_t n, void *ctx)
{
    (void)p;
    *(uint64_t *)ctx += n;
    return 0;
}

struct fstest_cmd {
    const char *cmd;
    int nargs;
    char **args;
    FILE *local;        /* cmp: LOCALFILE, opened before confinement */
    const char *setup[16];  /* -c commands, run first */
    int nsetup;
};

/* the command, run in the confined child */
static int run_cmd(void *ctx)
{
    const struct fstest_cmd *cc = ctx;
    const char *cmd = cc->cmd;
    int nargs = cc->nargs;
    char **args = cc->args;
    for (int k = 0; k < cc->nsetup; k++) {
        int r = run_setup(cc->setup[k]);
        if (r)
            return r;
    }
    if (!strcmp(cmd, "probe"))
        return cmd_probe(nargs, args);
    if (!strcmp(cmd, "corrupt"))
        return cmd_corrupt(nargs, args);
    if (!strcmp(cmd, "walk")) {
        struct walk_stats ws = { 0 };
        walk_all(&ws);
        printf("%u entries, %u files, %llu bytes, %u errors\n", ws.entries, ws.files,
               (unsigned long long)ws.bytes, ws.errors);
        return 0;
    }
    if (!strcmp(cmd, "ls")) {
        bool lf = false, rec = false;
        int j = 0;
        for (; j < nargs && args[j][0] == '-'; j++) {
            for (const char *o = args[j] + 1; *o; o++) {
                if (*o == 'l') lf = true;
                else if (*o == 'R') rec = true;
                else { usage(stderr); return 2; }
            }
        }
        if (j != nargs - 1) {
            usage(stderr);
            return 2;
        }
        return do_ls(args[j], args[j], "", lf, rec, 0);
    }
    if (!strcmp(cmd, "cat") && nargs == 1) {
        int rc = stream_file(args[0], write_fn, NULL);
        if (!rc && fflush(stdout) != 0) {
            fprintf(stderr, "pvboot-fstest: cannot write to standard output: %s\n", strerror(errno));
            rc = 1;
        }
        return rc;
    }
    if (!strcmp(cmd, "hash") && nargs >= 1) {
        int rc = 0;
        for (int j = 0; j < nargs; j++) {
            struct sha256 s;
            sha256_init(&s);
            if (stream_file(args[j], hash_fn, &s)) {
                rc = 1;
                continue;
            }
            char hex[65];
            sha256_final(&s, hex);
            printf("%s  %s\n", hex, args[j]);
        }
        return rc;
    }
    if (!strcmp(cmd, "hashtree") && nargs == 1)
        return cmd_hashtree(args[0], "", 0);
    if (!strcmp(cmd, "cmp") && nargs == 2) {
        FILE *lf = cc->local;   /* opened by main */
        struct cmp_ctx c = { lf, 0, malloc(IOBUF), args[0] };
        int rc = c.buf ? stream_file(args[0], cmp_fn, &c) : 1;
        if (!rc && fgetc(lf) != EOF) {
            fprintf(stderr, "pvboot-fstest: %s: local file is longer\n", args[0]);
            rc = 1;
        }
        free(c.buf);
        return rc;
    }
    if (!strcmp(cmd, "stat") && nargs == 1) {
        struct pb_stat st;
        if (pb_stat_path(args[0], &st, 1) < 0)
            return fail(args[0]);
        printf("type=%s size=%llu mtime=%lld ino=%llu mode=0%o\n", type_name(st.type),
               (unsigned long long)st.size, (long long)st.mtime, (unsigned long long)st.ino, st.mode);
        return 0;
    }
    if (!strcmp(cmd, "readlink") && nargs == 1) {
        char *devname = NULL, *fspath = NULL;
        struct pb_device *dev = NULL;
        struct pb_fs *fs;
        struct pb_node *node;
        int rc = 1;
        if (pb_path_split(args[0], &devname, &fspath) < 0 || !devname) {
            fprintf(stderr, "pvboot-fstest: %s: need a (device)/path\n", args[0]);
        } else if (pb_device_open(devname, &dev) < 0 || pb_fs_probe(dev, &fs) < 0 ||
                   pb_path_resolve(fs, fspath, 1, &node) < 0) {
            fail(args[0]);
        } else {
            char target[PB_PATH_MAX];
            if (!fs->ops->readlink || fs->ops->readlink(fs, node, target, sizeof target) < 0)
                fail(args[0]);
            else {
                put_safe(target);
                putchar('\n');
                rc = 0;
            }
            fs->ops->release(fs, node);
        }
        if (dev)
            pb_device_close(dev);
        free(devname);
        free(fspath);
        return rc;
    }
    if (!strcmp(cmd, "bench") && nargs == 1) {
        uint64_t total = 0;
        double t0 = now_s();
        if (stream_file(args[0], count_fn, &total))
            return 1;
        double dt = now_s() - t0;
        printf("%llu bytes in %.3f s: %.1f MiB/s\n", (unsigned long long)total, dt,
               dt > 0 ? total / 1048576.0 / dt : 0.0);
        return 0;
    }
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "sector-size", required_argument, NULL, 's' },
        { "runas", required_argument, NULL, 'U' },
        { "timeout", required_argument, NULL, 'T' },
        { "passphrase-file", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    uint32_t ssz = 0;
    int nimg = 0, opt;
    struct fstest_cmd c = { 0 };
    struct pb_confine conf = { .tool = "pvboot-fstest", .timeout_s = FSTEST_TIMEOUT_S };
    static char what[1024];
    pb_hosted_init();
    /* "-" first: images come back in order (as 1), so -s applies to the
     * images after it; getopt_long stops at "--", before the command */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "-:s:c:hV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("pvboot-fstest (pvboot) %s\n", PVBOOT_VERSION);
            return 0;
        case 's': {
            unsigned long v;
            if (!strcmp(optarg, "--")) {
                fprintf(stderr, "pvboot-fstest: -s needs a sector size (512 or 4096)\n");
                return 2;
            }
            if (parse_ulong(optarg, &v) < 0 || (v != 512 && v != 4096)) {
                fprintf(stderr, "pvboot-fstest: -s %s: sector size must be 512 or 4096\n", optarg);
                return 2;
            }
            ssz = (uint32_t)v;
            break;
        }
        case 'c':
            if (!strcmp(optarg, "--") || c.nsetup == 16) {
                fprintf(stderr, "pvboot-fstest: -c needs a command (at most 16 -c)\n");
                return 2;
            }
            c.setup[c.nsetup++] = optarg;
            break;
        case 'P':
            if (!strcmp(optarg, "--")) {
                fprintf(stderr, "pvboot-fstest: --passphrase-file needs a file\n");
                return 2;
            }
            /* read now: the confined child cannot open it */
            if (pb_hosted_passphrase_file(optarg) < 0)
                return 2;
            break;
        case 'U':
        case 'T': {
            const char *name = opt == 'U' ? "--runas" : "--timeout";
            if (!strcmp(optarg, "--")) {
                fprintf(stderr, "pvboot-fstest: %s needs a value\n", name);
                return 2;
            }
            if (opt == 'U') {
                conf.runas = optarg;
                break;
            }
            unsigned long v;
            if (parse_ulong(optarg, &v) < 0 || v == 0 || v > 86400) {
                fprintf(stderr, "pvboot-fstest: --timeout %s: want seconds (1..86400)\n", optarg);
                return 2;
            }
            conf.timeout_s = (unsigned)v;
            break;
        }
        case ':':
            if (optopt == 'c')
                fprintf(stderr, "pvboot-fstest: -c needs a command (at most 16 -c)\n");
            else if (optopt == 's')
                fprintf(stderr, "pvboot-fstest: -s needs a sector size (512 or 4096)\n");
            else
                fprintf(stderr, "pvboot-fstest: %s needs a value\n", argv[optind - 1]);
            return 2;
        case 1: {
            int bad = check_image(optarg);
            if (bad)
                return bad;
            /* only opened here (type, size); read by the confined child */
            if (!pb_hostdisk_add(optarg, NULL, ssz, false))
                return fail(optarg);
            size_t wl = strlen(what);
            snprintf(what + wl, sizeof what - wl, "%s%s", wl ? ", " : "", optarg);
            nimg++;
            break;
        }
        default:
            fprintf(stderr, "pvboot-fstest: unknown option %s (images come before --, the command after it; try --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    /* the command follows "--" */
    int i = optind - 1;
    if (optind < 2 || strcmp(argv[i], "--") || i + 1 >= argc ||
        (nimg == 0 && strcmp(argv[i + 1], "corrupt"))) {
        usage(stderr);
        return 2;
    }
    i++;
    c.cmd = argv[i];
    c.nargs = argc - i - 1;
    c.args = argv + i + 1;
    if (pb_confine_prepare(&conf))
        return 2;
    conf.what = what[0] ? what : c.nargs ? c.args[0] : "(no disk)";
    /* what the command needs from the host is opened before confinement */
    if (!strcmp(c.cmd, "corrupt") && c.nargs >= 2 && c.nargs <= 4) {
        if (load_corrupt_image(c.args[0]))
            return 2;
        signal(SIGALRM, corrupt_alarm);
    }
    if (!strcmp(c.cmd, "cmp") && c.nargs == 2) {
        c.local = fopen(c.args[1], "rbe");
        if (!c.local) {
            fprintf(stderr, "pvboot-fstest: %s: %s\n", c.args[1], strerror(errno));
            return 2;
        }
        struct stat lst;
        if (fstat(fileno(c.local), &lst) == 0 && S_ISDIR(lst.st_mode)) {
            fprintf(stderr, "pvboot-fstest: %s: is a directory, not a file to compare with\n", c.args[1]);
            fclose(c.local);
            return 2;
        }
    }
    /* cat may write a whole file to a redirected stdout */
    conf.write_bytes = pb_confine_output_room(FSTEST_WRITE_ROOM);
    int rc = pb_confine_run(&conf, run_cmd, &c);
    if (c.local)
        fclose(c.local);
    return rc;
}
