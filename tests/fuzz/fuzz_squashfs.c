/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the squash4 (SquashFS 4.0) filesystem; see fuzz_common.h.
 * Seeds: seeds-squashfs.sh (mksquashfs in every compression). */
#define FUZZ_FS "squash4"
#include "fuzz_common.h"
