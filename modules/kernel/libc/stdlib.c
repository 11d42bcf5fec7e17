/* SPDX-License-Identifier: MIT */
/*
 * Freestanding <stdlib.h> pieces (include/libc/stdlib.h): strtol family,
 * atoi/atol, abs, qsort, bsearch.  The heap (malloc…) is in xen/heap.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>

#ifndef LIBC_FN
#define LIBC_FN(n) n
#endif

/*
 * Shared core of the strto* functions: parse an unsigned magnitude of at
 * most @limit (for signed results the caller passes |min| or max), C-library
 * style: leading white space, optional sign, base prefix (0x/0X for 16 and 0,
 * 0 for 0 = octal).  *neg gets the sign; on overflow returns @limit and sets
 * errno = ERANGE.  *end points after the last digit used (or at @s if none).
 */
static unsigned long long parse_ull(const char *s, char **end, int base, bool *neg,
                                    unsigned long long limit_pos, unsigned long long limit_neg)
{
    const char *p = s;
    unsigned long long v = 0;
    bool overflow = false, any = false;

    *neg = false;
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        if (end)
            *end = (char *)s;
        return 0;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-') {
        *neg = (*p == '-');
        p++;
    }
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        isxdigit((unsigned char)p[2])) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = (p[0] == '0') ? 8 : 10;
    }
    unsigned long long limit = *neg ? limit_neg : limit_pos;
    for (;; p++) {
        int c = (unsigned char)*p, d;
        if (isdigit(c))
            d = c - '0';
        else if (isalpha(c))
            d = tolower(c) - 'a' + 10;
        else
            break;
        if (d >= base)
            break;
        any = true;
        if (overflow)
            continue;
        if (v > (limit - (unsigned)d) / (unsigned)base) {
            overflow = true;
            v = limit;
        } else {
            v = v * (unsigned)base + (unsigned)d;
        }
    }
    if (end)
        *end = (char *)(any ? p : s);
    if (!any)
        *neg = false;
    if (overflow)
        errno = ERANGE;
    return v;
}

long long LIBC_FN(strtoll)(const char *s, char **end, int base)
{
    bool neg;
    unsigned long long v = parse_ull(s, end, base, &neg, (unsigned long long)INT64_MAX,
                                     (unsigned long long)INT64_MAX + 1);
    if (neg)
        return v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN : -(long long)v;
    return (long long)v;
}

long LIBC_FN(strtol)(const char *s, char **end, int base)
{
    return (long)LIBC_FN(strtoll)(s, end, base);
}

unsigned long long LIBC_FN(strtoull)(const char *s, char **end, int base)
{
    bool neg;
    /* C semantics: "-1" is accepted and negated in the unsigned type */
    unsigned long long v = parse_ull(s, end, base, &neg, UINT64_MAX, UINT64_MAX);
    return neg ? -v : v;
}

unsigned long LIBC_FN(strtoul)(const char *s, char **end, int base)
{
    return (unsigned long)LIBC_FN(strtoull)(s, end, base);
}

int LIBC_FN(atoi)(const char *s)
{
    return (int)LIBC_FN(strtol)(s, NULL, 10);
}

long LIBC_FN(atol)(const char *s)
{
    return LIBC_FN(strtol)(s, NULL, 10);
}

int LIBC_FN(abs)(int x)
{
    return x < 0 ? -x : x;
}

long LIBC_FN(labs)(long x)
{
    return x < 0 ? -x : x;
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t n)
{
    while (n--) {
        unsigned char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/* Sift-down for heapsort over @n elements of @size bytes. */
static void sift(unsigned char *base, size_t root, size_t n, size_t size,
                 int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
            child++;
        if (cmp(base + root * size, base + child * size) >= 0)
            return;
        swap_bytes(base + root * size, base + child * size, size);
        root = child;
    }
}

/**
 * qsort() - heapsort: O(n log n) worst case, no recursion, no allocation
 * (not stable, like the C library's).
 */
void LIBC_FN(qsort)(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char *b = base;
    if (n < 2 || size == 0)
        return;
    for (size_t i = n / 2; i-- > 0;)
        sift(b, i, n, size, cmp);
    for (size_t end = n - 1; end > 0; end--) {
        swap_bytes(b, b + end * size, size);
        sift(b, 0, end, size, cmp);
    }
}

void *LIBC_FN(bsearch)(const void *key, const void *base, size_t n, size_t size,
                       int (*cmp)(const void *, const void *))
{
    const unsigned char *b = base;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = cmp(key, b + mid * size);
        if (r == 0)
            return (void *)(b + mid * size);
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
