/* SPDX-License-Identifier: MIT */
/*
 * errno, abort(), assertion failures and the stack-protector failure hook
 * for the freestanding runtime.  The canary itself lives at %fs:0x28 (see
 * xen/entry.S, which points the FS base at a canary block before any C runs).
 */
#include <stdlib.h>
#include <assert.h>
#include "pvboot/kernel.h"

int errno;

void abort(void)
{
    pb_panic("abort() called from %p", __builtin_return_address(0));
}

void __pb_assert_fail(const char *expr, const char *file, int line)
{
    pb_panic("assertion failed: %s at %s:%d", expr, file, line);
}

/* Called by -fstack-protector code when the canary was overwritten. */
__attribute__((noreturn)) void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
    pb_panic("stack smashing detected in function returning to %p",
             __builtin_return_address(0));
}

/* Some static libraries reference the local alias. */
__attribute__((noreturn)) void __stack_chk_fail_local(void);
void __stack_chk_fail_local(void)
{
    pb_panic("stack smashing detected (local) near %p", __builtin_return_address(0));
}
