/* SPDX-License-Identifier: MIT */
/*
 * GRUB environment blocks (`grubenv`, module `loadenv`): a file of a fixed
 * size (normally 1024 bytes) starting with "# GRUB Environment Block\n",
 * then NAME=VALUE lines (a backslash escapes the next character, so a
 * value's `\` and newline are written `\\` and `\` + newline), padded with
 * '#'.  Writing never changes the block's size (GRUB writes it in place).
 */
#ifndef PVBOOT_ENVBLK_H
#define PVBOOT_ENVBLK_H

#include <stddef.h>

#define PB_ENVBLK_SIGNATURE "# GRUB Environment Block\n"
#define PB_ENVBLK_MAX (64u << 10)   /* largest block we accept, bytes */

/**
 * pb_envblk_iterate() - call @cb for each variable of the block @buf
 * (@len bytes).  Returns 0, PB_EBADFS ("not a GRUB environment block",
 * naming @what) or the first non-zero value @cb returned.
 */
int pb_envblk_iterate(const char *buf, size_t len, const char *what,
                      int (*cb)(const char *name, const char *value, void *ctx), void *ctx);

/**
 * pb_envblk_set() - set (or, with @value NULL, remove) @name in the block
 * @buf of @len bytes, in place: the block is rewritten with the same size
 * and '#' padding.  Returns 0, PB_EBADFS (bad block), PB_ERANGE (does not
 * fit: the block is unchanged) or PB_EINVAL (bad name).
 */
int pb_envblk_set(char *buf, size_t len, const char *name, const char *value);

#endif
