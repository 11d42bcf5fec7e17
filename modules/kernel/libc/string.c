/* SPDX-License-Identifier: MIT */
/*
 * Freestanding <string.h> (include/libc/string.h) for the Xen build.
 * memcpy/memmove/memset move 32-byte blocks of unaligned 64-bit words:
 * `rep movsb` would be simpler, but under QEMU TCG (the e2e harness) it
 * costs one emulated iteration per byte; the other functions are byte loops.
 * This file is built with -fno-builtin and -fno-tree-loop-distribute-patterns
 * so gcc cannot turn the loops back into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>

#ifndef LIBC_FN
#define LIBC_FN(n) n
#endif

/* Unaligned 64-bit access that may alias anything. */
typedef uint64_t __attribute__((may_alias, aligned(1))) u64_any;

/*
 * Copy @n bytes from @sp up to @dp, lowest address first.  Every 32-byte
 * block is loaded before it is stored and later loads lie above every
 * earlier store, so this is also right for overlapping buffers with
 * dp < sp (memmove's forward case).
 */
static inline __attribute__((always_inline)) void copy_forward(unsigned char *dp,
                                                               const unsigned char *sp, size_t n)
{
    for (; n >= 32; n -= 32, dp += 32, sp += 32) {
        uint64_t a = ((const u64_any *)sp)[0], b = ((const u64_any *)sp)[1];
        uint64_t c = ((const u64_any *)sp)[2], e = ((const u64_any *)sp)[3];
        ((u64_any *)dp)[0] = a;
        ((u64_any *)dp)[1] = b;
        ((u64_any *)dp)[2] = c;
        ((u64_any *)dp)[3] = e;
    }
    for (; n >= 8; n -= 8, dp += 8, sp += 8)
        *(u64_any *)dp = *(const u64_any *)sp;
    while (n--)
        *dp++ = *sp++;
}

void *LIBC_FN(memcpy)(void *restrict d, const void *restrict s, size_t n)
{
    copy_forward(d, s, n);
    return d;
}

void *LIBC_FN(memmove)(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp == sp || n == 0)
        return d;
    if (dp < sp || dp >= sp + n) {
        copy_forward(dp, sp, n);
    } else {
        /* destination above an overlapping source: copy from the end */
        dp += n;
        sp += n;
        for (; n >= 32; n -= 32) {
            dp -= 32;
            sp -= 32;
            uint64_t a = ((const u64_any *)sp)[0], b = ((const u64_any *)sp)[1];
            uint64_t c = ((const u64_any *)sp)[2], e = ((const u64_any *)sp)[3];
            ((u64_any *)dp)[3] = e;
            ((u64_any *)dp)[2] = c;
            ((u64_any *)dp)[1] = b;
            ((u64_any *)dp)[0] = a;
        }
        for (; n >= 8; n -= 8) {
            dp -= 8;
            sp -= 8;
            *(u64_any *)dp = *(const u64_any *)sp;
        }
        while (n--)
            *--dp = *--sp;
    }
    return d;
}

void *LIBC_FN(memset)(void *d, int c, size_t n)
{
    unsigned char *dp = d;
    uint64_t v = 0x0101010101010101ull * (unsigned char)c;
    for (; n >= 32; n -= 32, dp += 32) {
        ((u64_any *)dp)[0] = v;
        ((u64_any *)dp)[1] = v;
        ((u64_any *)dp)[2] = v;
        ((u64_any *)dp)[3] = v;
    }
    for (; n >= 8; n -= 8, dp += 8)
        *(u64_any *)dp = v;
    while (n--)
        *dp++ = (unsigned char)c;
    return d;
}

int LIBC_FN(memcmp)(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

void *LIBC_FN(memchr)(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == (unsigned char)c)
            return (void *)(p + i);
    return NULL;
}

void *LIBC_FN(memrchr)(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    while (n--)
        if (p[n] == (unsigned char)c)
            return (void *)(p + n);
    return NULL;
}

void *LIBC_FN(memmem)(const void *h, size_t hl, const void *nd, size_t nl)
{
    const unsigned char *hp = h;
    if (nl == 0)
        return (void *)h;
    if (nl > hl)
        return NULL;
    for (size_t i = 0; i + nl <= hl; i++)
        if (hp[i] == *(const unsigned char *)nd && LIBC_FN(memcmp)(hp + i, nd, nl) == 0)
            return (void *)(hp + i);
    return NULL;
}

size_t LIBC_FN(strlen)(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t LIBC_FN(strnlen)(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int LIBC_FN(strncmp)(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
        if (!*x)
            break;
    }
    return 0;
}

int LIBC_FN(strncasecmp)(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            break;
    }
    return 0;
}

/* A string cannot be longer than SIZE_MAX bytes: no bound at all. */
int LIBC_FN(strcmp)(const char *a, const char *b)
{
    return LIBC_FN(strncmp)(a, b, SIZE_MAX);
}

int LIBC_FN(strcasecmp)(const char *a, const char *b)
{
    return LIBC_FN(strncasecmp)(a, b, SIZE_MAX);
}

char *LIBC_FN(strchr)(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *LIBC_FN(strrchr)(const char *s, int c)
{
    const char *r = NULL;
    for (;; s++) {
        if (*s == (char)c)
            r = s;
        if (!*s)
            return (char *)r;
    }
}

char *LIBC_FN(strstr)(const char *h, const char *nd)
{
    return LIBC_FN(memmem)(h, LIBC_FN(strlen)(h), nd, LIBC_FN(strlen)(nd));
}

char *LIBC_FN(strcpy)(char *restrict d, const char *restrict s)
{
    char *r = d;
    while ((*d++ = *s++))
        ;
    return r;
}

char *LIBC_FN(strncpy)(char *restrict d, const char *restrict s, size_t n)
{
    size_t i = 0;
    for (; i < n && s[i]; i++)
        d[i] = s[i];
    for (; i < n; i++)
        d[i] = 0;
    return d;
}

char *LIBC_FN(strcat)(char *restrict d, const char *restrict s)
{
    LIBC_FN(strcpy)(d + LIBC_FN(strlen)(d), s);
    return d;
}

size_t LIBC_FN(strlcpy)(char *restrict d, const char *restrict s, size_t n)
{
    size_t len = LIBC_FN(strlen)(s);
    if (n) {
        size_t c = len < n - 1 ? len : n - 1;
        LIBC_FN(memcpy)(d, s, c);
        d[c] = 0;
    }
    return len;
}

size_t LIBC_FN(strlcat)(char *restrict d, const char *restrict s, size_t n)
{
    size_t dl = LIBC_FN(strnlen)(d, n);
    if (dl == n)
        return n + LIBC_FN(strlen)(s);
    return dl + LIBC_FN(strlcpy)(d + dl, s, n - dl);
}

char *LIBC_FN(strndup)(const char *s, size_t n)
{
    size_t len = LIBC_FN(strnlen)(s, n);
    char *p = malloc(len + 1);
    if (!p)
        return NULL;
    LIBC_FN(memcpy)(p, s, len);
    p[len] = 0;
    return p;
}

char *LIBC_FN(strdup)(const char *s)
{
    return LIBC_FN(strndup)(s, (size_t)-1);
}

size_t LIBC_FN(strspn)(const char *s, const char *accept)
{
    size_t n = 0;
    while (s[n] && LIBC_FN(strchr)(accept, s[n]))
        n++;
    return n;
}

size_t LIBC_FN(strcspn)(const char *s, const char *reject)
{
    size_t n = 0;
    while (s[n] && !LIBC_FN(strchr)(reject, s[n]))
        n++;
    return n;
}

char *LIBC_FN(strpbrk)(const char *s, const char *accept)
{
    s += LIBC_FN(strcspn)(s, accept);
    return *s ? (char *)s : NULL;
}

/* End the token at @s before its first byte of @delim; the rest after it,
 * or NULL when the token runs to the end of the string. */
static char *cut_token(char *s, const char *delim)
{
    char *end = s + LIBC_FN(strcspn)(s, delim);
    if (!*end)
        return NULL;
    *end = 0;
    return end + 1;
}

char *LIBC_FN(strtok_r)(char *restrict s, const char *restrict delim, char **restrict save)
{
    if (!s)
        s = *save;
    if (!s)
        return NULL;
    s += LIBC_FN(strspn)(s, delim);
    if (!*s) {
        *save = NULL;
        return NULL;
    }
    *save = cut_token(s, delim);
    return s;
}

char *LIBC_FN(strsep)(char **sp, const char *delim)
{
    char *s = *sp;
    if (!s)
        return NULL;
    *sp = cut_token(s, delim);
    return s;
}

const char *LIBC_FN(strerror)(int e)
{
    switch (e) {
    case 0: return "Success";
    case EPERM: return "Operation not permitted";
    case ENOENT: return "No such file or directory";
    case EIO: return "Input/output error";
    case ENOMEM: return "Out of memory";
    case EINVAL: return "Invalid argument";
    case ERANGE: return "Result out of range";
    case ENOSYS: return "Function not implemented";
    default: return "Unknown error";
    }
}
