/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the fat filesystem; see fuzz_common.h. */
#define FUZZ_FS "fat"
#include "fuzz_common.h"
