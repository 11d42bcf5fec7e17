/* SPDX-License-Identifier: MIT */
/*
 * The libc names libargon2.a's members reference, renamed to
 * pb_argon2_stub_* by objcopy (see CMakeLists.txt).  luks2 runs Argon2
 * with one thread, so thread creation is never reached (it fails if it
 * is); the encoded-hash API that calls __sprintf_chk is not used.
 */
#include <stddef.h>
#include "pvboot/kernel.h"

int pb_argon2_stub_pthread_create(void *t, const void *attr, void *(*fn)(void *), void *arg);
int pb_argon2_stub_pthread_create(void *t, const void *attr, void *(*fn)(void *), void *arg)
{
    (void)t;
    (void)attr;
    (void)fn;
    (void)arg;
    return 11;                    /* EAGAIN: argon2 reports ARGON2_THREAD_FAIL */
}

int pb_argon2_stub_pthread_join(unsigned long t, void **ret);
int pb_argon2_stub_pthread_join(unsigned long t, void **ret)
{
    (void)t;
    (void)ret;
    return 22;
}

__attribute__((noreturn)) void pb_argon2_stub_pthread_exit(void *ret);
void pb_argon2_stub_pthread_exit(void *ret)
{
    (void)ret;
    pb_panic("argon2: pthread_exit without threads");
}

__attribute__((noreturn)) int pb_argon2_stub___sprintf_chk(char *s, int flag, size_t n,
                                                           const char *fmt, ...);
int pb_argon2_stub___sprintf_chk(char *s, int flag, size_t n, const char *fmt, ...)
{
    (void)s;
    (void)flag;
    (void)n;
    pb_panic("argon2: encoded-hash formatting (%s) is not available", fmt);
}
