/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the iso9660 filesystem; see fuzz_common.h. */
#define FUZZ_FS "iso9660"
#include "fuzz_common.h"
