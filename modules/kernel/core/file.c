/* SPDX-License-Identifier: MIT */
/*
 * GRUB paths and the file API (include/pvboot/file.h): "(dev)/path",
 * "/path" on $root, "(dev)" as a raw device.  Path walking here; the
 * filesystems only look names up in one directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"

#define PB_PATH_DEPTH 256   /* directory nesting kept for ".." */

int pb_path_split(const char *path, char **devname, char **fspath)
{
    *devname = NULL;
    *fspath = NULL;
    if (!path || !*path)
        return pb_error(PB_EINVAL, "empty file name");
    const char *rest = path;
    if (path[0] == '(') {
        const char *close = strchr(path, ')');
        if (!close)
            return pb_error(PB_EINVAL, "missing `)' in `%s'", path);
        *devname = strndup(path + 1, (size_t)(close - path - 1));
        if (!*devname)
            return pb_error(PB_ENOMEM, "out of memory");
        rest = close + 1;
        if (!*rest)
            return 0;    /* the device itself */
    } else {
        const char *root = pb_env_get("root");
        if (!root || !*root)
            return pb_error(PB_ENOENT, "no server is specified");
        size_t n = strlen(root);
        if (n >= 2 && root[0] == '(' && root[n - 1] == ')')
            *devname = strndup(root + 1, n - 2);
        else
            *devname = strdup(root);
        if (!*devname)
            return pb_error(PB_ENOMEM, "out of memory");
    }
    if (*rest == '/')
        *fspath = strdup(rest);
    else if (asprintf(fspath, "/%s", rest) < 0)
        *fspath = NULL;
    if (!*fspath) {
        free(*devname);
        *devname = NULL;
        return pb_error(PB_ENOMEM, "out of memory");
    }
    return 0;
}

static int node_type(struct pb_fs *fs, struct pb_node *n, enum pb_ftype *t)
{
    struct pb_stat st;
    int r = fs->ops->stat(fs, n, &st);
    if (r < 0)
        return r;
    *t = st.type;
    return 0;
}

int pb_path_resolve(struct pb_fs *fs, const char *fspath, int nofollow, struct pb_node **out)
{
    struct pb_node **stack = calloc(PB_PATH_DEPTH, sizeof *stack);
    char *work = malloc(PB_PATH_MAX + 1);
    char *link = malloc(PB_PATH_MAX + 1);
    int depth = 0, links = 0, r = 0;
    if (!stack || !work || !link) {
        r = pb_error(PB_ENOMEM, "out of memory walking a path");
        goto out;
    }
    if (strlen(fspath) > PB_PATH_MAX) {
        r = pb_error(PB_ERANGE, "path too long");
        goto out;
    }
    strcpy(work, fspath);
    r = fs->ops->root(fs, &stack[0]);
    if (r < 0)
        goto out;
    depth = 1;
    char *p = work;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        char *end = p;
        while (*end && *end != '/')
            end++;
        size_t len = (size_t)(end - p);
        bool last = true;
        for (char *q = end; *q; q++)
            if (*q != '/') {
                last = false;
                break;
            }
        if (len == 1 && p[0] == '.') {
            p = end;
            continue;
        }
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (depth > 1)
                fs->ops->release(fs, stack[--depth]);
            p = end;
            continue;
        }
        enum pb_ftype t;
        r = node_type(fs, stack[depth - 1], &t);
        if (r < 0)
            goto out;
        if (t != PB_FT_DIR) {
            r = pb_error(PB_ENOTDIR, "%s: `%.*s' is not reached through a directory",
                         fspath, (int)len, p);
            goto out;
        }
        struct pb_node *child;
        r = fs->ops->lookup(fs, stack[depth - 1], p, len, &child);
        if (r < 0) {
            if (r == PB_ENOENT)
                r = pb_error(PB_ENOENT, "file `%s' not found", fspath);
            goto out;
        }
        r = node_type(fs, child, &t);
        if (r < 0) {
            fs->ops->release(fs, child);
            goto out;
        }
        if (t == PB_FT_LNK && !(last && nofollow)) {
            if (++links > PB_SYMLINK_MAX) {
                fs->ops->release(fs, child);
                r = pb_error(PB_ELOOP, "%s: too many levels of symbolic links", fspath);
                goto out;
            }
            int n = fs->ops->readlink(fs, child, link, PB_PATH_MAX + 1);
            fs->ops->release(fs, child);
            if (n < 0) {
                r = n;
                goto out;
            }
            size_t restlen = strlen(end);
            if ((size_t)n + 1 + restlen > PB_PATH_MAX) {
                r = pb_error(PB_ERANGE, "%s: path too long after following a link", fspath);
                goto out;
            }
            /* new work = link target + rest of the path */
            memmove(work + n + 1, end, restlen + 1);
            memcpy(work, link, (size_t)n);
            work[n] = '/';
            p = work;
            if (link[0] == '/') {
                while (depth > 1)
                    fs->ops->release(fs, stack[--depth]);
            }
            continue;
        }
        if (depth >= PB_PATH_DEPTH) {
            fs->ops->release(fs, child);
            r = pb_error(PB_ELOOP, "%s: directories nested too deeply", fspath);
            goto out;
        }
        stack[depth++] = child;
        p = end;
    }
    *out = stack[--depth];
    r = 0;
out:
    if (stack)
        while (depth > 0)
            fs->ops->release(fs, stack[--depth]);
    free(stack);
    free(work);
    free(link);
    return r;
}

/*
 * Open what @path names (pb_path_split syntax): its device and, unless it
 * is the raw device "(dev)", the filesystem on it and the node, with the
 * node's stat in @st.  @dev_as_root takes "(dev)" as its root directory
 * "(dev)/" instead of the raw device.  For the raw device *fs and *node are
 * NULL and @st says PB_FT_OTHER with the device size in bytes.  @nofollow
 * as for pb_path_resolve.  On success the caller ends with close_node();
 * on error nothing is left open.  Errors: those of pb_path_split,
 * pb_device_open, pb_fs_probe, pb_path_resolve and the fs's stat.
 */
static int open_node(const char *path, int nofollow, bool dev_as_root, struct pb_device **dev,
                     struct pb_fs **fs, struct pb_node **node, struct pb_stat *st)
{
    char *devname, *fspath;
    int r = pb_path_split(path, &devname, &fspath);
    if (r < 0)
        return r;
    r = pb_device_open(devname, dev);
    free(devname);
    if (r < 0) {
        free(fspath);
        return r;
    }
    *fs = NULL;
    *node = NULL;
    if (!fspath && !dev_as_root) {
        memset(st, 0, sizeof *st);
        st->type = PB_FT_OTHER;
        st->size = (*dev)->nr_sectors * PB_SECTOR_SIZE;
        return 0;
    }
    r = pb_fs_probe(*dev, fs);
    if (r == 0 && !fspath && !(fspath = strdup("/")))
        r = pb_error(PB_ENOMEM, "out of memory");
    if (r == 0)
        r = pb_path_resolve(*fs, fspath, nofollow, node);
    free(fspath);
    if (r < 0) {
        pb_device_close(*dev);
        return r;
    }
    r = (*fs)->ops->stat(*fs, *node, st);
    if (r < 0) {
        (*fs)->ops->release(*fs, *node);
        pb_device_close(*dev);
    }
    return r;
}

/* Release what open_node() opened. */
static void close_node(struct pb_device *dev, struct pb_fs *fs, struct pb_node *node)
{
    if (fs && node)
        fs->ops->release(fs, node);
    pb_device_close(dev);
}

static const struct pb_file_verifier *verifier;

void pb_file_set_verifier(const struct pb_file_verifier *v)
{
    verifier = v;
}

bool pb_file_verifier_active(void)
{
    return verifier && verifier->active();
}

int pb_file_open(const char *path, struct pb_file **out)
{
    return pb_file_open_flags(path, 0, out);
}

int pb_file_open_flags(const char *path, unsigned flags, struct pb_file **out)
{
    struct pb_device *dev;
    struct pb_fs *fs;
    struct pb_node *node;
    struct pb_stat st;
    int r = open_node(path, 0, false, &dev, &fs, &node, &st);
    if (r < 0)
        return r;
    if (st.type == PB_FT_DIR) {
        close_node(dev, fs, node);
        return pb_error(PB_EISDIR, "`%s' is a directory", path);
    }
    struct pb_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        close_node(dev, fs, node);
        return pb_error(PB_ENOMEM, "out of memory opening %s", path);
    }
    f->dev = dev;
    f->fs = fs;
    f->node = node;
    f->size = st.size;
    if (!(flags & PB_FILE_SKIP_SIGNATURE) && pb_file_verifier_active()) {
        uint8_t *mem = NULL;
        r = verifier->verify(f, &mem);
        if (r < 0) {
            pb_file_close(f);
            return r;
        }
        f->mem = mem;
    }
    *out = f;
    return 0;
}

int64_t pb_file_pread(struct pb_file *f, uint64_t off, void *buf, size_t len)
{
    if (off >= f->size)
        return 0;
    if (len > f->size - off)
        len = (size_t)(f->size - off);
    if (f->mem) {
        memcpy(buf, f->mem + off, len);
        return (int64_t)len;
    }
    if (!f->fs) {
        int r = pb_device_read(f->dev, off, len, buf);
        return r < 0 ? r : (int64_t)len;
    }
    size_t done = 0;
    while (done < len) {
        int64_t n = f->fs->ops->read(f->fs, f->node, off + done, len - done, (char *)buf + done);
        if (n < 0)
            return n;
        if (n == 0)
            return pb_error(PB_EBADFS, "%s: file ends at byte %llu before its size %llu",
                            f->path, (unsigned long long)(off + done), (unsigned long long)f->size);
        done += (size_t)n;
    }
    return (int64_t)done;
}

int64_t pb_file_read(struct pb_file *f, void *buf, size_t len)
{
    int64_t n = pb_file_pread(f, f->pos, buf, len);
    if (n > 0)
        f->pos += (uint64_t)n;
    return n;
}

int pb_file_seek(struct pb_file *f, uint64_t pos)
{
    if (pos > f->size)
        return pb_error(PB_ERANGE, "%s: seek to %llu beyond the end", f->path, (unsigned long long)pos);
    f->pos = pos;
    return 0;
}

void pb_file_close(struct pb_file *f)
{
    if (!f)
        return;
    close_node(f->dev, f->fs, f->node);
    free(f->mem);
    free(f->path);
    free(f);
}

int pb_file_load(const char *path, size_t max_size, void **buf, size_t *len)
{
    struct pb_file *f;
    int r = pb_file_open(path, &f);
    if (r < 0)
        return r;
    if (f->size > max_size) {
        r = pb_error(PB_ERANGE, "%s: file too large (%llu bytes, limit %zu)", path,
                     (unsigned long long)f->size, max_size);
        pb_file_close(f);
        return r;
    }
    char *b = malloc((size_t)f->size + 1);
    if (!b) {
        unsigned long long size = f->size;
        pb_file_close(f);
        return pb_error(PB_ENOMEM, "%s: out of memory (%llu bytes)", path, size);
    }
    int64_t n = pb_file_pread(f, 0, b, (size_t)f->size);
    if (n < 0) {
        free(b);
        pb_file_close(f);
        return (int)n;
    }
    b[n] = '\0';
    *buf = b;
    *len = (size_t)n;
    pb_file_close(f);
    return 0;
}

int pb_stat_path(const char *path, struct pb_stat *st, int nofollow)
{
    struct pb_device *dev;
    struct pb_fs *fs;
    struct pb_node *n;
    int r = open_node(path, nofollow, false, &dev, &fs, &n, st);
    if (r < 0)
        return r;
    close_node(dev, fs, n);
    return 0;
}

int pb_dir_iterate(const char *path,
                   int (*cb)(const char *, size_t, enum pb_ftype, void *), void *ctx)
{
    struct pb_device *dev;
    struct pb_fs *fs;
    struct pb_node *n;
    struct pb_stat st;
    int r = open_node(path, 0, true, &dev, &fs, &n, &st);
    if (r < 0)
        return r;
    if (st.type != PB_FT_DIR)
        r = pb_error(PB_ENOTDIR, "`%s' is not a directory", path);
    else
        r = fs->ops->readdir(fs, n, cb, ctx);
    close_node(dev, fs, n);
    return r;
}
