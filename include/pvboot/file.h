/* SPDX-License-Identifier: MIT */
/*
 * Files by GRUB path: "(DEVICE)/path/to/file", or "/path" relative to the
 * device named by the variable `root`.  A bare "(DEVICE)" names the device
 * itself (read as a raw block file, as GRUB does).
 */
#ifndef PVBOOT_FILE_H
#define PVBOOT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "pvboot/fs.h"

struct pb_file {
    struct pb_device *dev;
    struct pb_fs *fs;         /* NULL for a raw device file */
    struct pb_node *node;
    uint64_t size;            /* bytes */
    uint64_t pos;             /* bytes */
    char *path;               /* as opened */
};

/** pb_path_split() - split "(dev)/p" into device name (or NULL = $root) and
 *  path ("/" if empty). Both malloc'd. Returns 0 or PB_EINVAL/PB_ENOENT. */
int pb_path_split(const char *path, char **devname, char **fspath);
/** pb_file_open() - open a regular file (symlinks followed). */
int pb_file_open(const char *path, struct pb_file **out);
/** pb_file_read() - up to @len bytes from the current position; returns
 *  bytes read (0 at end) or a negative error. */
int64_t pb_file_read(struct pb_file *f, void *buf, size_t len);
/** pb_file_pread() - at an explicit byte offset, position unchanged. */
int64_t pb_file_pread(struct pb_file *f, uint64_t off, void *buf, size_t len);
/** pb_file_seek() - set the position to byte @pos (0..size); PB_ERANGE,
 *  naming the file, beyond the end. */
int pb_file_seek(struct pb_file *f, uint64_t pos);
/** pb_file_close() - release the file and its node (NULL is ignored). */
void pb_file_close(struct pb_file *f);
/** pb_file_load() - whole file into a malloc'd buffer (+1 NUL byte, not
 *  counted). @max_size bounds it (PB_ERANGE beyond). */
int pb_file_load(const char *path, size_t max_size, void **buf, size_t *len);
/** pb_stat_path() - stat without opening (symlinks followed unless @nofollow). */
int pb_stat_path(const char *path, struct pb_stat *st, int nofollow);
/** pb_dir_iterate() - list a directory by path. */
int pb_dir_iterate(const char *path,
                   int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx),
                   void *ctx);
/** pb_path_resolve() - open the node at @fspath on @fs following symlinks
 *  (final one too unless @nofollow); `..` above root stays at root. */
int pb_path_resolve(struct pb_fs *fs, const char *fspath, int nofollow, struct pb_node **out);

#endif
