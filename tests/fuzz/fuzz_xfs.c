/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input is an xfs image in the sparse format of
 * fuzz_xfs_btrfs_walk.h (4 KiB blocks by index); mount it and walk it (the
 * entry point is there too).  Seeds: tests/fuzz/seeds-xfs.sh.
 */
#define FSW_FUZZ_TYPE "xfs"
#include "fuzz_xfs_btrfs_walk.h"
