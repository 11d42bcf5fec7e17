/* SPDX-License-Identifier: MIT */
/*
 * The libc symbols the static nettle, hogweed and GMP archives reference,
 * renamed to pgp_stub_* by objcopy (see CMakeLists.txt), for the module
 * built without a C library: no environment (nettle's fat_init finds no
 * override and prints nothing), no FILE streams; an assertion or GMP's
 * raise(SIGFPE) for a division by zero panics with what it says.  Local to
 * pgp.mod (cryptodisk has its own for its nettle).
 */
#include <stdarg.h>
#include <stddef.h>
#include "pvboot/kernel.h"
#include "pvboot/term.h"

void *pgp_stub_stderr;

char *pgp_stub_getenv(const char *name);
char *pgp_stub_getenv(const char *name)
{
    (void)name;
    return NULL;
}

char *pgp_stub_secure_getenv(const char *name);
char *pgp_stub_secure_getenv(const char *name)
{
    (void)name;
    return NULL;
}

size_t pgp_stub_fwrite(const void *p, size_t size, size_t n, void *f);
size_t pgp_stub_fwrite(const void *p, size_t size, size_t n, void *f)
{
    (void)p;
    (void)size;
    (void)f;
    return n;
}

int pgp_stub___fprintf_chk(void *f, int flag, const char *fmt, ...);
int pgp_stub___fprintf_chk(void *f, int flag, const char *fmt, ...)
{
    va_list ap;
    (void)f;
    (void)flag;
    va_start(ap, fmt);
    int n = pb_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

__attribute__((noreturn)) void pgp_stub___assert_fail(const char *expr, const char *file,
                                                      unsigned line, const char *fn);
void pgp_stub___assert_fail(const char *expr, const char *file, unsigned line, const char *fn)
{
    pb_panic("pgp (nettle/GMP): assertion failed: %s at %s:%u (%s)", expr, file, line, fn);
}

int pgp_stub_raise(int sig);
int pgp_stub_raise(int sig)
{
    pb_panic("pgp (GMP): signal %d raised (division by zero or invalid operation)", sig);
}
