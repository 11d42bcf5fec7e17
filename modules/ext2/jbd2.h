/* SPDX-License-Identifier: MIT */
/*
 * jbd2 journal replay into a block overlay (modules/ext2/jbd2.c); the
 * on-disk format is described there and in docs/journal.md.
 */
#ifndef PVBOOT_EXT2_JBD2_H
#define PVBOOT_EXT2_JBD2_H

#include <stddef.h>
#include <stdint.h>
#include "pvboot/blkoverlay.h"

/* The journal as the replay sees it: @nblocks blocks of @block_size bytes
 * (the filesystem's) read through @read (block @jblk of the journal, 0 is
 * its superblock); replayed blocks must lie below @fs_blocks. */
struct jbd2_log {
    uint32_t block_size;
    uint64_t fs_blocks;
    uint32_t nblocks;
    int (*read)(void *ctx, uint32_t jblk, void *buf);
    void *ctx;
};

/* What the replay did. */
struct jbd2_result {
    struct pb_overlay *ov;    /* the replayed blocks; NULL if none */
    uint32_t transactions;    /* committed transactions applied */
    uint32_t revoked;         /* tagged blocks skipped as revoked */
    char problem[200];        /* "" or why the journal ends early / is ignored:
                               * "journal block N: REASON" */
};

/**
 * jbd2_replay() - read the jbd2 journal @log and collect every block that
 * recovery would write (committed transactions from s_start on, revoke
 * records honoured, escaped blocks restored) in a new overlay limited to
 * @limit bytes, as Linux's fs/jbd2 recovery does, without writing.
 * Returns 0 with *@res filled: res->problem is set when the log ended at a
 * damaged transaction (those before it are in res->ov, as e2fsck's
 * recovery keeps them; the Linux kernel refuses to mount then).  Returns
 * a negative PB_E* with the message "journal block N: REASON" (res->ov
 * NULL) when the journal cannot be used at all: a bad
 * journal superblock, unsupported features, a read error or the overlay
 * limit.  Work is bounded by 3 passes over the log.
 */
int jbd2_replay(const struct jbd2_log *log, size_t limit, struct jbd2_result *res);

#endif
