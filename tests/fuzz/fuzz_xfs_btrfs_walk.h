/* SPDX-License-Identifier: MIT */
/*
 * Bounded walk of a mounted filesystem through its pb_fs_ops, used by the
 * xfs/btrfs fuzzers (tests/fuzz/fuzz_xfs.c, fuzz_btrfs.c) and corruption
 * suites (tests/unit/test_xfs_corrupt.c, test_btrfs_corrupt.c): list every
 * directory, look every name up, stat it, read the start and the middle of
 * files, read symlinks.  Errors are expected on damaged images; what must
 * not happen is a crash, a hang or a read outside a buffer.  With
 * FSW_FUZZ_TYPE defined before inclusion it also defines the libFuzzer
 * entry point for that filesystem type (below).
 */
#ifndef FUZZ_XFS_BTRFS_WALK_H
#define FUZZ_XFS_BTRFS_WALK_H

#include <stdlib.h>
#include <string.h>

#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"

struct fsw_names {
    char names[64][256];
    size_t lens[64];
    int n;
};

static int fsw_cb(const char *name, size_t namelen, enum pb_ftype type, void *ctx)
{
    (void)type;
    struct fsw_names *l = ctx;
    if (namelen == 0 || namelen > 255)
        return 0;
    memcpy(l->names[l->n], name, namelen);
    l->lens[l->n++] = namelen;
    return l->n >= 64;
}

/* Walk @dir (depth @depth); *@budget bounds the nodes visited. */
static void fsw_walk(struct pb_fs *fs, struct pb_node *dir, int depth, int *budget)
{
    struct fsw_names *l = calloc(1, sizeof(*l));
    if (!l)
        return;
    fs->ops->readdir(fs, dir, fsw_cb, l);
    static char buf[16384];
    for (int i = 0; i < l->n && *budget > 0; i++) {
        struct pb_node *n;
        (*budget)--;
        if (fs->ops->lookup(fs, dir, l->names[i], l->lens[i], &n) != 0)
            continue;
        struct pb_stat st;
        if (fs->ops->stat(fs, n, &st) == 0) {
            if (st.type == PB_FT_DIR && depth < 6) {
                fsw_walk(fs, n, depth + 1, budget);
            } else if (st.type == PB_FT_LNK) {
                char t[PB_PATH_MAX + 1];
                fs->ops->readlink(fs, n, t, sizeof t);
            } else if (st.type == PB_FT_REG) {
                fs->ops->read(fs, n, 0, sizeof buf, buf);
                if (st.size > sizeof buf)
                    fs->ops->read(fs, n, st.size / 2, sizeof buf, buf);
            }
        }
        fs->ops->release(fs, n);
    }
    free(l);
}

/* Mount @dev as type @type and walk it.  Returns the mount result. */
static int fsw_mount_walk(struct pb_device *dev, const char *type, int budget)
{
    struct pb_fs_ops *ops = pb_fs_types();
    while (ops && strcmp(ops->name, type))
        ops = ops->next;
    if (!ops)
        return PB_ENOENT;
    struct pb_fs *fs = NULL;
    int r = ops->mount(dev, &fs);
    if (r != 0 || !fs)
        return r;
    fs->ops = ops;
    fs->dev = dev;
    struct pb_node *root;
    if (ops->root(fs, &root) == 0) {
        fsw_walk(fs, root, 0, &budget);
        ops->release(fs, root);
    }
    ops->unmount(fs);
    return 0;
}

#ifdef FSW_FUZZ_TYPE
#include <stdint.h>
#include "fuzz_util.h"

/* libFuzzer entry of fuzz_xfs.c / fuzz_btrfs.c (which define FSW_FUZZ_TYPE,
 * the pb_fs_ops name): the input (at least 4096 bytes) becomes the memory
 * disk "fuzz", which is mounted as FSW_FUZZ_TYPE and walked with a budget
 * of 400 nodes.  Always returns 0 (libFuzzer's "keep going"). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_hosted_init_once();
    if (size < 4096)
        return 0;
    if (!pb_hostdisk_add_mem(data, size, "fuzz"))
        return 0;
    struct pb_device *dev;
    if (pb_device_open("fuzz", &dev) == 0) {
        fsw_mount_walk(dev, FSW_FUZZ_TYPE, 400);
        pb_device_close(dev);
    }
    pb_hostdisk_remove_all();
    pb_error_clear();
    return 0;
}
#endif

#endif
