/* SPDX-License-Identifier: MIT */
/*
 * Filesystems.  One `struct pb_fs_ops` per filesystem type, registered by the
 * module's init function.  A mounted fs embeds `struct pb_fs` as its first
 * member; a node (inode) embeds `struct pb_node` as its first member.  The
 * generic layer (file.c) does path walking: `.`, `..`, symlinks (at most
 * PB_SYMLINK_MAX), so the fs only looks names up in one directory.
 * Everything read from disk is untrusted: bound every length and loop.
 */
#ifndef PVBOOT_FS_H
#define PVBOOT_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pb_device;

#define PB_SYMLINK_MAX 8
#define PB_PATH_MAX 4096

enum pb_ftype { PB_FT_UNKNOWN = 0, PB_FT_REG, PB_FT_DIR, PB_FT_LNK, PB_FT_OTHER };

struct pb_stat {
    enum pb_ftype type;
    uint64_t size;            /* bytes */
    int64_t mtime;            /* seconds since the epoch */
    uint64_t ino;
    uint32_t mode;            /* POSIX mode bits if the fs has them */
};

struct pb_fs;
struct pb_node { struct pb_fs *fs; };

struct pb_fs_ops {
    const char *name;         /* GRUB's fs name: "ext2", "xfs", "btrfs", "fat"… */
    /* The format has no volume label (GRUB's squash4, tarfs): `search
     * --label` never matches it, not even with "", and `probe --label` is
     * an error.  A format with labels reports "" for an unlabelled volume. */
    bool no_label;
    /* Probe @dev; on success allocate the fs (embedding struct pb_fs) and set
     * *fsp. PB_ENOENT = not this fs type (quietly), other errors = damaged. */
    int (*mount)(struct pb_device *dev, struct pb_fs **fsp);
    void (*unmount)(struct pb_fs *fs);
    int (*root)(struct pb_fs *fs, struct pb_node **out);
    /* Look @name (@namelen bytes, no '/') up in directory @dir. PB_ENOENT if
     * absent, PB_ENOTDIR if @dir is not a directory. */
    int (*lookup)(struct pb_fs *fs, struct pb_node *dir, const char *name,
                  size_t namelen, struct pb_node **out);
    /* Call @cb per entry ("." and ".." excluded); @cb non-zero stops. */
    int (*readdir)(struct pb_fs *fs, struct pb_node *dir,
                   int (*cb)(const char *name, size_t namelen, enum pb_ftype type, void *ctx),
                   void *ctx);
    int (*stat)(struct pb_fs *fs, struct pb_node *node, struct pb_stat *st);
    /* Read up to @len bytes at byte @off. Returns bytes read (0 at EOF; holes
     * read as zeros) or a negative PB_E*. */
    int64_t (*read)(struct pb_fs *fs, struct pb_node *node, uint64_t off, size_t len, void *buf);
    /* Symlink target into @buf (NUL-terminated). Returns its length or error. */
    int (*readlink)(struct pb_fs *fs, struct pb_node *node, char *buf, size_t bufsize);
    void (*release)(struct pb_fs *fs, struct pb_node *node);
    struct pb_fs_ops *next;
};

struct pb_fs {
    const struct pb_fs_ops *ops;
    struct pb_device *dev;
    char uuid[40];            /* as GRUB prints it for search --fs-uuid */
    char label[256];          /* UTF-8, "" if none */
    /* Why blocks of this filesystem must not be rewritten in place
     * (save_env), or NULL: e.g. ext4 whose journal was replayed in memory
     * only, where the disk still holds the state before it.  Static text,
     * completing "save_env: FILE: the filesystem cannot be written: ". */
    const char *no_write;
};

/**
 * pb_fs_csum_mismatch() - report a metadata checksum mismatch of filesystem
 * @fsname on @dev in the structure the printf-style @fmt names (e.g.
 * "directory block 12 of inode 2"): PB_EBADFS with the message
 * "FSNAME: DEV: WHAT: checksum mismatch (set fs_ignore_checksums=1 to read
 * anyway)", or 0 (read it anyway) while the rescue switch
 * fs_ignore_checksums is set (pvboot(7)).
 */
int pb_fs_csum_mismatch(const char *fsname, const struct pb_device *dev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** pb_fs_register() - add a filesystem type; the types are probed in the
 *  order of pb_fs_probe_order (include/pvboot/probe_order.h), not in the
 *  order they register. */
void pb_fs_register(struct pb_fs_ops *ops);
/** pb_fs_probe() - mount @dev with the first type that recognises it (the
 *  result is cached in dev->fs). PB_ENOENT "unknown filesystem" if none. */
int pb_fs_probe(struct pb_device *dev, struct pb_fs **out);
/** pb_fs_types() - the first registered type (in probe order; ->next). */
struct pb_fs_ops *pb_fs_types(void);

#endif
