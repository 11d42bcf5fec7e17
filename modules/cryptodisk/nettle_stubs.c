/* SPDX-License-Identifier: MIT */
/*
 * The libc symbols libnettle.a's fat_init and assertions reference, renamed
 * to pb_nettle_stub_* by objcopy (see CMakeLists.txt).  The runtime has no
 * environment (getenv finds nothing, so fat_init neither reads an override
 * nor prints), no FILE streams, and an assertion failure panics.
 */
#include <stdarg.h>
#include <stddef.h>
#include "pvboot/kernel.h"
#include "pvboot/term.h"

void *pb_nettle_stub_stderr;

char *pb_nettle_stub_getenv(const char *name);
char *pb_nettle_stub_getenv(const char *name)
{
    (void)name;
    return NULL;
}

char *pb_nettle_stub_secure_getenv(const char *name);
char *pb_nettle_stub_secure_getenv(const char *name)
{
    (void)name;
    return NULL;
}

size_t pb_nettle_stub_fwrite(const void *p, size_t size, size_t n, void *f);
size_t pb_nettle_stub_fwrite(const void *p, size_t size, size_t n, void *f)
{
    (void)p;
    (void)size;
    (void)f;
    return n;
}

int pb_nettle_stub___fprintf_chk(void *f, int flag, const char *fmt, ...);
int pb_nettle_stub___fprintf_chk(void *f, int flag, const char *fmt, ...)
{
    va_list ap;
    (void)f;
    (void)flag;
    va_start(ap, fmt);
    int n = pb_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

__attribute__((noreturn)) void pb_nettle_stub___assert_fail(const char *expr, const char *file,
                                                            unsigned line, const char *fn);
void pb_nettle_stub___assert_fail(const char *expr, const char *file, unsigned line,
                                  const char *fn)
{
    pb_panic("nettle: assertion failed: %s at %s:%u (%s)", expr, file, line, fn);
}
