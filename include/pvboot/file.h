/* SPDX-License-Identifier: MIT */
/*
 * Files by GRUB path: "(DEVICE)/path/to/file", or "/path" relative to the
 * device named by the variable `root`.  A bare "(DEVICE)" names the device
 * itself (read as a raw block file, as GRUB does).
 */
#ifndef PVBOOT_FILE_H
#define PVBOOT_FILE_H

#include <stdbool.h>
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
    uint8_t *mem;             /* verified contents (size bytes), or NULL */
};

/* pb_file_open_flags() flags */
#define PB_FILE_SKIP_SIGNATURE 0x1u   /* not checked by the verifier (signature files…) */

/*
 * A file verifier (GRUB's verifiers; module pgp registers one): when
 * active() says it enforces, every file opened without
 * PB_FILE_SKIP_SIGNATURE is handed to verify(), which reads all of it,
 * checks it and returns its bytes in a malloc'd *mem (size bytes, owned by
 * the file from then on: reads are served from it, so what was checked is
 * what is used), or an error that fails the open.
 */
struct pb_file_verifier {
    bool (*active)(void);
    int (*verify)(struct pb_file *f, uint8_t **mem);
};
/** pb_file_set_verifier() - install @v (static storage; NULL removes it). */
void pb_file_set_verifier(const struct pb_file_verifier *v);
/** pb_file_verifier_active() - true when opened files are being verified. */
bool pb_file_verifier_active(void);
/** pb_file_open_flags() - pb_file_open() with PB_FILE_* @flags. */
int pb_file_open_flags(const char *path, unsigned flags, struct pb_file **out);

/** pb_path_split() - split "(dev)/p" into device name (or NULL = $root) and
 *  path ("/" if empty). Both malloc'd. Returns 0 or PB_EINVAL/PB_ENOENT. */
int pb_path_split(const char *path, char **devname, char **fspath);
/** pb_file_open() - open a regular file (symlinks followed); checked by the
 *  file verifier when one is active (a failed check fails the open). */
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
