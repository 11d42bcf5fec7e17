/* SPDX-License-Identifier: MIT */
/* Freestanding <limits.h>: gcc's own, without its #include_next of a C
 * library's limits.h (there is none).  Added for the decompression
 * libraries' headers (zstd.h, lzoconf.h). */
#ifndef PVBOOT_LIBC_LIMITS_H
#define PVBOOT_LIBC_LIMITS_H
#ifndef _LIBC_LIMITS_H_
#define _LIBC_LIMITS_H_ 1
#endif
#include_next <limits.h>
#endif
