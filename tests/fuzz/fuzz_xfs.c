/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input is a whole xfs image (a memory disk); mount it
 * and walk it (the entry point is in fuzz_xfs_btrfs_walk.h).  Seeds: small
 * images made by tests/unit/test_xfs_btrfs_mkimg.sh xfs-small.
 */
#define FSW_FUZZ_TYPE "xfs"
#include "fuzz_xfs_btrfs_walk.h"
