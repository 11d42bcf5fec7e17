/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the ext2 filesystem; see fuzz_common.h. */
#define FUZZ_FS "ext2"
#include "fuzz_common.h"
