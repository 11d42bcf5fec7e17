/* SPDX-License-Identifier: MIT */
/* libFuzzer target: partition maps (msdos, gpt) and every filesystem found on them; see fuzz_common.h. */
#define FUZZ_FS NULL
#include "fuzz_common.h"
