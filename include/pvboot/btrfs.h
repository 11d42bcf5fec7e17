/* SPDX-License-Identifier: MIT */
/*
 * What the btrfs module (modules/btrfs) tells beyond the generic filesystem
 * interface (include/pvboot/fs.h).
 */
#ifndef PVBOOT_BTRFS_H
#define PVBOOT_BTRFS_H

struct pb_fs;

/**
 * pb_btrfs_default_subvol() - the default subvolume of a mounted btrfs
 * (`btrfs subvolume set-default`: the root tree directory's DIR_ITEM
 * "default"), as its path from the top level without a leading '/'
 * ("@/.snapshots/1/snapshot").
 * @fs: a mounted filesystem of any type.
 *
 * Returns NULL when the default is the top level, when it cannot be used
 * (a message is given at path walks that need it) or when @fs is not btrfs.
 * Paths resolve from the top level (as upstream GRUB) unless the variable
 * btrfs_relative_path starts with 'y' or '1' (SUSE/Fedora GRUB): then the
 * root directory is this subvolume's.  The string is owned by @fs.
 */
const char *pb_btrfs_default_subvol(const struct pb_fs *fs);

#endif
