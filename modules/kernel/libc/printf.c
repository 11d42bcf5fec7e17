/* SPDX-License-Identifier: MIT */
/*
 * Freestanding vsnprintf family (include/libc/stdio.h).
 * Conversions: d i u x X o p s c %; flags - + space # 0; width and
 * precision (digits or *); length modifiers hh h l ll z j t.
 * Unknown conversions are copied literally (never read a va_arg for them).
 * Return value: the length the full output would have (C99), excluding NUL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#ifndef LIBC_FN
#define LIBC_FN(n) n
#endif

struct out {
    char *buf;
    size_t cap;   /* bytes available including the NUL */
    size_t len;   /* bytes produced so far (may exceed cap) */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void put_n(struct out *o, char c, long n)
{
    while (n-- > 0)
        put(o, c);
}

enum { F_LEFT = 1, F_PLUS = 2, F_SPACE = 4, F_ALT = 8, F_ZERO = 16 };

/* Emit an integer: @v magnitude, @neg sign, @base 8/10/16. */
static void put_int(struct out *o, unsigned long long v, bool neg, unsigned base, bool upper,
                    unsigned flags, int width, int prec)
{
    char digits[24];
    int nd = 0;
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char sign = 0;
    const char *prefix = "";

    if (neg)
        sign = '-';
    else if (flags & F_PLUS)
        sign = '+';
    else if (flags & F_SPACE)
        sign = ' ';
    while (v) {
        digits[nd++] = set[v % base];
        v /= base;
    }
    if (prec < 0)
        prec = 1;
    else
        flags &= ~F_ZERO;            /* precision given: '0' flag ignored */
    int zeros = prec > nd ? prec - nd : 0;
    if ((flags & F_ALT) && base == 8 && zeros == 0 && (nd == 0 || digits[nd - 1] != '0'))
        zeros = 1;
    if ((flags & F_ALT) && base == 16 && nd > 0)
        prefix = upper ? "0X" : "0x";
    int body = nd + zeros + (sign ? 1 : 0) + (int)strlen(prefix);
    int pad = width > body ? width - body : 0;

    if (!(flags & F_LEFT) && !(flags & F_ZERO))
        put_n(o, ' ', pad);
    if (sign)
        put(o, sign);
    for (const char *p = prefix; *p; p++)
        put(o, *p);
    if (!(flags & F_LEFT) && (flags & F_ZERO))
        put_n(o, '0', pad);
    put_n(o, '0', zeros);
    while (nd)
        put(o, digits[--nd]);
    if (flags & F_LEFT)
        put_n(o, ' ', pad);
}

/* Decimal width or precision digits at *@f (none: 0), moving *@f past them;
 * the value stops growing at 100000 so it cannot overflow. */
static int read_count(const char **f)
{
    int v = 0;
    for (; **f >= '0' && **f <= '9'; (*f)++)
        if (v < 100000)
            v = v * 10 + (**f - '0');
    return v;
}

int LIBC_FN(vsnprintf)(char *restrict buf, size_t n, const char *restrict fmt, va_list ap)
{
    struct out o = { buf, n, 0 };
    va_list aq;
    va_copy(aq, ap);

    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        const char *start = f++;
        unsigned flags = 0;
        for (;; f++) {
            if (*f == '-') flags |= F_LEFT;
            else if (*f == '+') flags |= F_PLUS;
            else if (*f == ' ') flags |= F_SPACE;
            else if (*f == '#') flags |= F_ALT;
            else if (*f == '0') flags |= F_ZERO;
            else break;
        }
        int width = 0, prec = -1;
        if (*f == '*') {
            width = va_arg(aq, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = width == INT32_MIN ? 0 : -width;
            }
            f++;
        } else {
            width = read_count(&f);
        }
        if (*f == '.') {
            f++;
            prec = 0;
            if (*f == '*') {
                prec = va_arg(aq, int);
                if (prec < 0)
                    prec = -1;
                f++;
            } else {
                prec = read_count(&f);
            }
        }
        /* length: 0 int, 1 char, 2 short, 3 long, 4 long long, 5 size_t, 6 intmax, 7 ptrdiff */
        int len = 0;
        switch (*f) {
        case 'h':
            len = 2;
            if (f[1] == 'h') { len = 1; f++; }
            f++;
            break;
        case 'l':
            len = 3;
            if (f[1] == 'l') { len = 4; f++; }
            f++;
            break;
        case 'z': len = 5; f++; break;
        case 'j': len = 6; f++; break;
        case 't': len = 7; f++; break;
        default: break;
        }
        char conv = *f;
        switch (conv) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case 1: v = (signed char)va_arg(aq, int); break;
            case 2: v = (short)va_arg(aq, int); break;
            case 3: v = va_arg(aq, long); break;
            case 4: v = va_arg(aq, long long); break;
            case 5: v = va_arg(aq, long); break;   /* ssize_t */
            case 6: v = va_arg(aq, intmax_t); break;
            case 7: v = va_arg(aq, ptrdiff_t); break;
            default: v = va_arg(aq, int); break;
            }
            unsigned long long m = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
            put_int(&o, m, v < 0, 10, false, flags & ~F_ALT, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v;
            switch (len) {
            case 1: v = (unsigned char)va_arg(aq, unsigned); break;
            case 2: v = (unsigned short)va_arg(aq, unsigned); break;
            case 3: v = va_arg(aq, unsigned long); break;
            case 4: v = va_arg(aq, unsigned long long); break;
            case 5: v = va_arg(aq, size_t); break;
            case 6: v = va_arg(aq, uintmax_t); break;
            case 7: v = (unsigned long long)va_arg(aq, ptrdiff_t); break;
            default: v = va_arg(aq, unsigned); break;
            }
            unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
            put_int(&o, v, false, base, conv == 'X', flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        }
        case 'p': {
            void *p = va_arg(aq, void *);
            if (!p) {
                const char *nil = "(nil)";
                int pad = width > 5 ? width - 5 : 0;
                if (!(flags & F_LEFT))
                    put_n(&o, ' ', pad);
                for (; *nil; nil++)
                    put(&o, *nil);
                if (flags & F_LEFT)
                    put_n(&o, ' ', pad);
            } else {
                put_int(&o, (uintptr_t)p, false, 16, false, (flags & (F_LEFT | F_ZERO)) | F_ALT,
                        width, prec);
            }
            break;
        }
        case 's': {
            const char *s = va_arg(aq, const char *);
            if (!s)
                s = "(null)";
            size_t sl = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
            long pad = width > (long)sl ? width - (long)sl : 0;
            if (!(flags & F_LEFT))
                put_n(&o, ' ', pad);
            for (size_t i = 0; i < sl; i++)
                put(&o, s[i]);
            if (flags & F_LEFT)
                put_n(&o, ' ', pad);
            break;
        }
        case 'c': {
            char c = (char)va_arg(aq, int);
            int pad = width > 1 ? width - 1 : 0;
            if (!(flags & F_LEFT))
                put_n(&o, ' ', pad);
            put(&o, c);
            if (flags & F_LEFT)
                put_n(&o, ' ', pad);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:
            /* unknown or truncated conversion: copy it literally */
            for (const char *p = start; p <= f && *p; p++)
                put(&o, *p);
            if (!*f)
                f--;   /* let the loop see the terminator */
            break;
        }
    }
    va_end(aq);
    if (n)
        buf[o.len < n ? o.len : n - 1] = '\0';
    return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int LIBC_FN(snprintf)(char *restrict buf, size_t n, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = LIBC_FN(vsnprintf)(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

int LIBC_FN(sprintf)(char *restrict buf, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = LIBC_FN(vsnprintf)(buf, (size_t)INT32_MAX, fmt, ap);
    va_end(ap);
    return r;
}

int LIBC_FN(vasprintf)(char **out, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = LIBC_FN(vsnprintf)(NULL, 0, fmt, aq);
    va_end(aq);
    *out = NULL;
    if (n < 0)
        return -1;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return -1;
    LIBC_FN(vsnprintf)(p, (size_t)n + 1, fmt, ap);
    *out = p;
    return n;
}

int LIBC_FN(asprintf)(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = LIBC_FN(vasprintf)(out, fmt, ap);
    va_end(ap);
    return r;
}
