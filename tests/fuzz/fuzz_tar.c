/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the tar filesystem; see fuzz_common.h. */
#define FUZZ_FS "tarfs"
#include "fuzz_common.h"
