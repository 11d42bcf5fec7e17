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

/*
 * Input format of fuzz_xfs / fuzz_btrfs: a *sparse image*, because even the
 * smallest xfs (16 MiB) and btrfs (16 MiB mixed, 114 MiB plain) spread their
 * metadata over megabytes of zeros, far past libFuzzer's input sizes:
 *
 *   u32 LE  disk size in 4 KiB blocks (taken modulo FSW_MAX_BLOCKS; 0 = the max)
 *   then records: u32 LE block index (modulo the disk size), 4096 bytes data
 *
 * Blocks not named are zero; a later record for the same block wins; a
 * trailing partial record is ignored.  tests/fuzz/sparse_image.py packs an
 * image (seeds-xfs.sh, seeds-btrfs.sh) and unpacks a crash reproducer.
 */
#define FSW_BLOCK 4096u
#define FSW_MAX_BLOCKS 65536u      /* 256 MiB: a plain btrfs needs 114 MiB */

static inline uint32_t fsw_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The sparse disk: block index -> its 4096 bytes in the fuzzer's input (no
 * copy, no large allocation per input), NULL = a block of zeros. */
static const uint8_t *fsw_map[FSW_MAX_BLOCKS];

static int fsw_sparse_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    uint8_t *out = buf;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t s = sector + i;
        if (s >= d->nr_sectors)
            return pb_error(PB_ERANGE, "fuzz: sector %llu beyond the sparse disk", (unsigned long long)s);
        const uint8_t *blk = fsw_map[s / (FSW_BLOCK / PB_SECTOR_SIZE)];
        if (blk)
            memcpy(out, blk + (s % (FSW_BLOCK / PB_SECTOR_SIZE)) * PB_SECTOR_SIZE, PB_SECTOR_SIZE);
        else
            memset(out, 0, PB_SECTOR_SIZE);
        out += PB_SECTOR_SIZE;
    }
    return 0;
}

/* libFuzzer entry of fuzz_xfs.c / fuzz_btrfs.c (which define FSW_FUZZ_TYPE,
 * the pb_fs_ops name): the sparse image above becomes the read-only disk
 * "fuzz", which is mounted as FSW_FUZZ_TYPE and walked with a budget of 400
 * nodes.  Always returns 0 (libFuzzer's "keep going"). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct pb_disk_ops ops = { .read = fsw_sparse_read };
    static struct pb_disk disk;
    fz_hosted_init_once();
    if (size < 4)
        return 0;
    uint32_t nblocks = fsw_le32(data) % FSW_MAX_BLOCKS;
    if (nblocks == 0)
        nblocks = FSW_MAX_BLOCKS;
    for (size_t off = 4; size - off >= 4 + FSW_BLOCK; off += 4 + FSW_BLOCK)
        fsw_map[fsw_le32(data + off) % nblocks] = data + off + 4;
    memset(&disk, 0, sizeof disk);
    strcpy(disk.name, "fuzz");
    disk.nr_sectors = (uint64_t)nblocks * (FSW_BLOCK / PB_SECTOR_SIZE);
    disk.sector_size = PB_SECTOR_SIZE;
    disk.flags = PB_DISK_F_READONLY;
    disk.ops = &ops;
    if (pb_disk_register(&disk) == 0) {
        struct pb_device *dev;
        if (pb_device_open("fuzz", &dev) == 0) {
            fsw_mount_walk(dev, FSW_FUZZ_TYPE, 400);
            pb_device_close(dev);
        }
        pb_disk_unregister(&disk);
    }
    for (size_t off = 4; size - off >= 4 + FSW_BLOCK; off += 4 + FSW_BLOCK)
        fsw_map[fsw_le32(data + off) % nblocks] = NULL;
    pb_error_clear();
    return 0;
}
#endif

#endif
