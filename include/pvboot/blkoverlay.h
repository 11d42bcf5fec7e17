/* SPDX-License-Identifier: MIT */
/*
 * Block overlay: whole filesystem blocks held in memory that take the place
 * of the same blocks on the device when read.  Journal replay (ext4's jbd2,
 * modules/ext2/jbd2.c; an XFS log replay could fill one the same way) puts
 * the blocks of committed transactions here instead of writing them to the
 * disk: the disk is never written, yet every read sees the recovered state.
 *
 * Units: blocks of the overlay's block size, counted from the start of the
 * device; byte offsets are device offsets.  Memory is bounded: the blocks
 * and the index together may not exceed the limit given at creation.
 */
#ifndef PVBOOT_BLKOVERLAY_H
#define PVBOOT_BLKOVERLAY_H

#include <stddef.h>
#include <stdint.h>

/* Default memory limit of an overlay, bytes (the reason it is refused
 * beyond this is named in the error, docs/journal.md). */
#define PB_OVERLAY_DEFAULT_LIMIT (64u << 20)

struct pb_overlay;

/**
 * pb_overlay_new() - an empty overlay of @block_size-byte blocks (a power of
 * two, 512..65536) that may hold at most @limit bytes (blocks plus index).
 * Returns 0 and *@out, PB_EINVAL for a bad block size, PB_ENOMEM.
 */
int pb_overlay_new(uint32_t block_size, size_t limit, struct pb_overlay **out);

/**
 * pb_overlay_put() - set block @block to the @block_size bytes at @data
 * (replacing an earlier version of it).  Returns 0, or PB_ENOMEM with the
 * message "overlay limit of N MiB reached (M blocks of B bytes held)" (N
 * bytes when the limit is not whole MiB) when the limit
 * (or the heap) would be exceeded; the overlay is unchanged then.
 */
int pb_overlay_put(struct pb_overlay *o, uint64_t block, const void *data);

/** pb_overlay_get() - the bytes of block @block, or NULL if not held. */
const void *pb_overlay_get(const struct pb_overlay *o, uint64_t block);

/**
 * pb_overlay_apply() - @buf holds the @len device bytes from byte @offset
 * as read from the disk: overwrite the parts of it covered by held blocks.
 * Costs O(min(blocks spanned, blocks held)).
 */
void pb_overlay_apply(const struct pb_overlay *o, uint64_t offset, size_t len, void *buf);

/** pb_overlay_count() - number of blocks held. */
size_t pb_overlay_count(const struct pb_overlay *o);

/** pb_overlay_free() - release the overlay and its blocks (NULL is fine). */
void pb_overlay_free(struct pb_overlay *o);

#endif
