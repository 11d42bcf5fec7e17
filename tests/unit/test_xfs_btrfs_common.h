/* SPDX-License-Identifier: MIT */
/*
 * Shared by tests/unit/test_xfs.c and test_btrfs.c: build an image with
 * tests/unit/test_xfs_btrfs_mkimg.sh (real mkfs tools + User-Mode Linux),
 * then walk the source tree and the filesystem side by side through the
 * hosted runtime's file API: same names, same types, same sizes, same bytes
 * (every regular file read completely), same symlink targets.
 */
#ifndef TEST_XFS_BTRFS_COMMON_H
#define TEST_XFS_BTRFS_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/fs.h"
#include "pvboot/hosted.h"

struct fsb_img {
    char dir[256];        /* OUTDIR of the build script */
    char disk[64];        /* "host/<variant>" */
    char info[1024];      /* contents of OUTDIR/info */
    struct pb_fs *fs;
    struct pb_device *dev;
};

struct fsb_counts {
    unsigned files, dirs, links;
    unsigned long long bytes;
};

static int fsb_have_uml(void)
{
    return access("/usr/bin/linux.uml", X_OK) == 0;
}

/* Fail the test unless User-Mode Linux (/usr/bin/linux.uml) is installed. */
__attribute__((unused)) static void fsb_require_uml(void)
{
    if (!fsb_have_uml())
        fail_msg("/usr/bin/linux.uml missing: install user-mode-linux (scripts/install-deps.sh)");
}

/* time() when the test program started (fsb_start): files the kernel or
 * mkfs wrote during the test have an mtime from then on. */
__attribute__((unused)) static time_t fsb_t_start;

/* Start of main() of test_xfs.c / test_btrfs.c: the hosted runtime,
 * fsb_t_start, and the cmocka test filter from $FSB_ONLY (e.g.
 * FSB_ONLY=test_btrfs_zstd runs that test alone). */
__attribute__((unused)) static void fsb_start(void)
{
    pb_hosted_init();
    fsb_t_start = time(NULL);
    if (getenv("FSB_ONLY"))
        cmocka_set_test_filter(getenv("FSB_ONLY"));
}

/* Build variant @v into a fresh temporary directory and mount it. */
static void fsb_build(struct fsb_img *im, const char *v)
{
    const char *src = getenv("PVBOOT_SRC");
    const char *tmp = getenv("TMPDIR");
    char cmd[1024], srcbuf[512];
    if (!src) {
        /* __FILE__ is .../tests/unit/test_xfs_btrfs_common.h */
        snprintf(srcbuf, sizeof srcbuf, "%s", __FILE__);
        char *t = strstr(srcbuf, "/tests/unit/");
        if (t)
            *t = 0;
        src = srcbuf;
    }
    snprintf(im->dir, sizeof im->dir, "%s/pvb-fsb-%s-%d", tmp ? tmp : "/tmp", v, (int)getpid());
    snprintf(cmd, sizeof cmd, "bash %s/tests/unit/test_xfs_btrfs_mkimg.sh %s %s", src, im->dir, v);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("image build failed (%d): %s", rc, cmd);
    char path[512];
    snprintf(path, sizeof path, "%s/info", im->dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(im->info, 1, sizeof im->info - 1, f);
    im->info[n] = 0;
    fclose(f);
    snprintf(im->disk, sizeof im->disk, "host/%s", v);
    snprintf(path, sizeof path, "%s/img", im->dir);
    assert_non_null(pb_hostdisk_add(path, im->disk, 512, false));
    assert_int_equal(pb_device_open(im->disk, &im->dev), 0);
    int r = pb_fs_probe(im->dev, &im->fs);
    if (r != 0)
        fail_msg("mount %s: %s", im->disk, pb_errmsg());
}

__attribute__((unused)) static void fsb_info(const struct fsb_img *im, const char *key, char *out, size_t outlen)
{
    size_t kl = strlen(key);
    out[0] = 0;
    for (const char *p = im->info; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > kl && !strncmp(p, key, kl) && p[kl] == '=') {
            snprintf(out, outlen, "%.*s", (int)(len - kl - 1), p + kl + 1);
            return;
        }
        p += len + (e ? 1 : 0);
    }
}

static void fsb_cleanup(struct fsb_img *im)
{
    pb_device_close(im->dev);
    pb_hostdisk_remove_all();
    if (!getenv("PVBOOT_KEEP")) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf %s", im->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", im->dir);
    }
}

struct fsb_names {
    char **names;
    enum pb_ftype *types;
    size_t n, cap;
};

static int fsb_names_cb(const char *name, size_t namelen, enum pb_ftype type, void *ctx)
{
    struct fsb_names *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->names = realloc(l->names, l->cap * sizeof *l->names);
        l->types = realloc(l->types, l->cap * sizeof *l->types);
    }
    l->names[l->n] = strndup(name, namelen);
    l->types[l->n++] = type;
    return 0;
}

static int fsb_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void fsb_names_free(struct fsb_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->types);
}

/* Compare regular file @fspath (on im) with host file @host byte for byte. */
static void fsb_compare_file(struct fsb_img *im, const char *fspath, const char *host,
                             struct fsb_counts *c)
{
    char p[PB_PATH_MAX + 80];
    snprintf(p, sizeof p, "(%s)%s", im->disk, fspath);
    struct pb_file *f;
    int r = pb_file_open(p, &f);
    if (r)
        fail_msg("open %s: %s", p, pb_errmsg());
    int fd = open(host, O_RDONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    if (f->size != (uint64_t)st.st_size)
        fail_msg("%s: size %llu, expected %llu", p, (unsigned long long)f->size,
                 (unsigned long long)st.st_size);
    static char a[1 << 17], b[1 << 17];
    uint64_t off = 0;
    /* odd chunk sizes so reads straddle blocks and extents */
    size_t chunk = 65536 + 4097;
    for (;;) {
        int64_t n = pb_file_read(f, a, chunk);
        if (n < 0)
            fail_msg("read %s at %llu: %s", p, (unsigned long long)off, pb_errmsg());
        ssize_t m = read(fd, b, (size_t)chunk);
        assert_true(m >= 0);
        if (n != m)
            fail_msg("%s: short read at %llu (%lld vs %zd)", p, (unsigned long long)off,
                     (long long)n, m);
        if (n == 0)
            break;
        if (memcmp(a, b, (size_t)n) != 0)
            fail_msg("%s: content differs in bytes %llu..%llu", p, (unsigned long long)off,
                     (unsigned long long)(off + (uint64_t)n));
        off += (uint64_t)n;
    }
    close(fd);
    pb_file_close(f);
    c->files++;
    c->bytes += off;
}

static void fsb_compare_link(struct fsb_img *im, const char *fspath, const char *host)
{
    char want[PB_PATH_MAX + 1], got[PB_PATH_MAX + 1];
    ssize_t wl = readlink(host, want, sizeof want - 1);
    assert_true(wl > 0);
    want[wl] = 0;
    struct pb_node *n;
    int r = pb_path_resolve(im->fs, fspath, 1, &n);
    if (r)
        fail_msg("resolve %s: %s", fspath, pb_errmsg());
    struct pb_stat st;
    assert_int_equal(im->fs->ops->stat(im->fs, n, &st), 0);
    assert_int_equal(st.type, PB_FT_LNK);
    assert_int_equal(st.size, (uint64_t)wl);
    int gl = im->fs->ops->readlink(im->fs, n, got, sizeof got);
    if (gl < 0)
        fail_msg("readlink %s: %s", fspath, pb_errmsg());
    assert_int_equal(gl, wl);
    assert_string_equal(got, want);
    im->fs->ops->release(im->fs, n);
}

/* Recursively compare directory @fspath with host directory @host. */
__attribute__((unused)) static void fsb_compare_tree(struct fsb_img *im, const char *fspath, const char *host,
                             struct fsb_counts *c)
{
    struct fsb_names ours = { 0 }, theirs = { 0 };
    char p[PB_PATH_MAX + 80];
    snprintf(p, sizeof p, "(%s)%s", im->disk, fspath);
    int r = pb_dir_iterate(p, fsb_names_cb, &ours);
    if (r)
        fail_msg("list %s: %s", p, pb_errmsg());
    DIR *d = opendir(host);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        fsb_names_cb(de->d_name, strlen(de->d_name), PB_FT_UNKNOWN, &theirs);
    }
    closedir(d);
    /* sort ours by name, keeping types together */
    for (size_t i = 0; i < ours.n; i++) {
        size_t len = strlen(ours.names[i]);
        char *s = malloc(len + 3);
        memcpy(s, ours.names[i], len + 1);
        s[len + 1] = (char)ours.types[i];
        free(ours.names[i]);
        ours.names[i] = s;
    }
    if (ours.n)     /* qsort(NULL, 0, ...) is undefined (UBSan) */
        qsort(ours.names, ours.n, sizeof *ours.names, fsb_cmp_str);
    if (theirs.n)
        qsort(theirs.names, theirs.n, sizeof *theirs.names, fsb_cmp_str);
    if (ours.n != theirs.n)
        fail_msg("%s: %zu entries, expected %zu", p, ours.n, theirs.n);
    c->dirs++;
    for (size_t i = 0; i < ours.n; i++) {
        const char *name = ours.names[i];
        enum pb_ftype type = (enum pb_ftype)name[strlen(name) + 1];
        if (strcmp(name, theirs.names[i]))
            fail_msg("%s: entry '%s', expected '%s'", p, name, theirs.names[i]);
        char hp[PB_PATH_MAX], fp[PB_PATH_MAX];
        snprintf(hp, sizeof hp, "%s/%s", host, name);
        snprintf(fp, sizeof fp, "%s/%s", strcmp(fspath, "/") ? fspath : "", name);
        struct stat st;
        assert_int_equal(lstat(hp, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            if (type != PB_FT_DIR)
                fail_msg("%s: type %d, expected directory", fp, type);
            fsb_compare_tree(im, fp, hp, c);
        } else if (S_ISLNK(st.st_mode)) {
            if (type != PB_FT_LNK)
                fail_msg("%s: type %d, expected symlink", fp, type);
            fsb_compare_link(im, fp, hp);
            c->links++;
        } else {
            if (type != PB_FT_REG)
                fail_msg("%s: type %d, expected regular file", fp, type);
            fsb_compare_file(im, fp, hp, c);
        }
    }
    fsb_names_free(&ours);
    fsb_names_free(&theirs);
}

/* Load a whole file through the file API and compare with host file. */
__attribute__((unused)) static void fsb_expect_same(struct fsb_img *im, const char *fspath, const char *hostrel)
{
    char p[PB_PATH_MAX], hp[PB_PATH_MAX];
    snprintf(p, sizeof p, "(%s)%s", im->disk, fspath);
    snprintf(hp, sizeof hp, "%s/tree/%s", im->dir, hostrel);
    void *buf;
    size_t len;
    int r = pb_file_load(p, 64u << 20, &buf, &len);
    if (r)
        fail_msg("load %s: %s", p, pb_errmsg());
    FILE *f = fopen(hp, "rb");
    assert_non_null(f);
    char *want = malloc(len + 1);
    size_t m = fread(want, 1, len + 1, f);
    fclose(f);
    assert_int_equal(m, len);
    assert_memory_equal(buf, want, len);
    free(want);
    free(buf);
}

/* Build and mount variant @v into @im (fsb_build), check the filesystem
 * type name @type, its UUID @uuid and label @label exactly, and compare
 * the whole image with the source tree (IMDIR/tree) into @c; prints the
 * counts. */
__attribute__((unused)) static void fsb_build_compare(struct fsb_img *im, const char *v, const char *type,
                                                      const char *uuid, const char *label,
                                                      struct fsb_counts *c)
{
    fsb_build(im, v);
    assert_string_equal(im->fs->ops->name, type);
    assert_string_equal(im->fs->uuid, uuid);
    assert_string_equal(im->fs->label, label);
    char host[512];
    snprintf(host, sizeof host, "%s/tree", im->dir);
    fsb_compare_tree(im, "/", host, c);
    printf("%s: %u dirs, %u files (%llu bytes), %u symlinks identical\n", v, c->dirs, c->files,
           c->bytes, c->links);
}

/* Absent names fail as on the real system: @pre (a path prefix, "" for
 * the top) + /dirs/node/entry-99999 is PB_ENOENT, a path through the
 * regular file @pre/files/size1 is PB_ENOTDIR. */
__attribute__((unused)) static void fsb_check_absent(struct fsb_img *im, const char *pre)
{
    struct pb_stat st;
    char p[256];
    snprintf(p, sizeof p, "(%s)%s/dirs/node/entry-99999", im->disk, pre);
    assert_int_equal(pb_stat_path(p, &st, 0), PB_ENOENT);
    snprintf(p, sizeof p, "(%s)%s/files/size1/x", im->disk, pre);
    assert_int_equal(pb_stat_path(p, &st, 0), PB_ENOTDIR);
}

#endif
