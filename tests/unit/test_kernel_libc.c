/* SPDX-License-Identifier: MIT */
/*
 * The freestanding libc of the Xen build (modules/kernel/libc), compiled
 * here under a t_ prefix so it can be checked on the host next to glibc:
 * vsnprintf conversions/flags/width/precision/length modifiers, the strto*
 * family, qsort/bsearch and the string functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <cmocka.h>

#define LIBC_FN(n) t_##n
#include "../../modules/kernel/libc/printf.c"
#include "../../modules/kernel/libc/stdlib.c"
#include "../../modules/kernel/libc/string.c"

/* Format with our vsnprintf into a 64-byte buffer and compare. */
#define CHECK(expect, ...) do { \
    char b_[64]; \
    int n_ = t_snprintf(b_, sizeof b_, __VA_ARGS__); \
    assert_string_equal(b_, expect); \
    assert_int_equal(n_, (int)strlen(expect)); \
} while (0)

static void test_printf_ints(void **state)
{
    (void)state;
    CHECK("0", "%d", 0);
    CHECK("-42", "%d", -42);
    CHECK("-2147483648", "%d", INT_MIN);
    CHECK("4294967295", "%u", UINT_MAX);
    CHECK("-9223372036854775808", "%lld", LLONG_MIN);
    CHECK("18446744073709551615", "%llu", ULLONG_MAX);
    CHECK("ff FF 777", "%x %X %o", 255, 255, 511);
    CHECK("0xff 0XFF 0777 0", "%#x %#X %#o %#x", 255, 255, 511, 0);
    CHECK("   42|42   |00042", "%5d|%-5d|%05d", 42, 42, 42);
    CHECK("+42  42 -42", "%+d % d %+d", 42, 42, -42);
    CHECK("  042|-0042", "%5.3d|%05.4d", 42, -42);       /* precision disables 0 flag */
    CHECK("|", "%.0d|", 0);
    CHECK("-0042", "%05d", -42);
    CHECK("0x00ff", "%#06x", 255);
    CHECK("-1 255 65535 -1", "%hhd %hhu %hu %hd", 255, 255, 65535, 65535);
    CHECK("123456789012 -5 7 8", "%zu %zd %jd %td", (size_t)123456789012ull, (ssize_t)-5,
          (intmax_t)7, (ptrdiff_t)8);
    CHECK("  7|7  ", "%*d|%-*d", 3, 7, 3, 7);
    CHECK("7  ", "%*d", -3, 7);
    CHECK("  00042", "%*.*d", 7, 5, 42);
}

static void test_printf_strings(void **state)
{
    (void)state;
    CHECK("abc", "%s", "abc");
    CHECK("(null)", "%s", (char *)NULL);
    CHECK("  abc|abc  |ab", "%5s|%-5s|%.2s", "abc", "abc", "abc");
    CHECK("x|  y|z  ", "%c|%3c|%-3c", 'x', 'y', 'z');
    CHECK("100%", "%d%%", 100);
    CHECK("0x1234", "%p", (void *)0x1234);
    CHECK("(nil)", "%p", NULL);
    CHECK("a%qb", "a%qb");                 /* unknown conversion copied */
    CHECK("end%", "end%");                 /* trailing lone % */
    CHECK("ab", "%.*s", 2, "abcdef");
}

static void test_printf_truncation(void **state)
{
    (void)state;
    char b[8];
    memset(b, 'Z', sizeof b);
    assert_int_equal(t_snprintf(b, 5, "%s", "abcdefgh"), 8);
    assert_string_equal(b, "abcd");
    assert_int_equal(b[5], 'Z');
    assert_int_equal(t_snprintf(NULL, 0, "%d-%s", 12345, "xy"), 8);
    memset(b, 'Z', sizeof b);
    assert_int_equal(t_snprintf(b, 1, "abc"), 3);
    assert_int_equal(b[0], 0);
    char *s = NULL;
    assert_int_equal(t_asprintf(&s, "%s=%u", "pages", 131072u), 12);
    assert_string_equal(s, "pages=131072");
    free(s);
    /* compare against glibc on a mixed format */
    char mine[128], ref[128];
    t_snprintf(mine, sizeof mine, "%-10s|%8.3x|%+5ld|%#o|%lx", "hi", 0xab, -7L, 8, 0xdeadbeefUL);
    snprintf(ref, sizeof ref, "%-10s|%8.3x|%+5ld|%#o|%lx", "hi", 0xab, -7L, 8, 0xdeadbeefUL);
    assert_string_equal(mine, ref);
}

static void test_strto(void **state)
{
    (void)state;
    char *end;
    assert_int_equal(t_strtol("  -123abc", &end, 10), -123);
    assert_string_equal(end, "abc");
    assert_int_equal(t_strtol("0x1F", &end, 0), 31);
    assert_int_equal(t_strtol("0x1F", &end, 16), 31);
    assert_int_equal(t_strtol("017", &end, 0), 15);
    assert_int_equal(t_strtol("z", &end, 36), 35);
    assert_int_equal(t_strtoul("0x", &end, 16), 0);
    assert_string_equal(end, "x");                 /* "0" parsed, x left */
    assert_int_equal(t_strtol("junk", &end, 10), 0);
    assert_string_equal(end, "junk");
    assert_int_equal(t_strtol("-", &end, 10), 0);
    assert_string_equal(end, "-");
    errno = 0;
    assert_true(t_strtol("99999999999999999999", &end, 10) == LONG_MAX);
    assert_int_equal(errno, ERANGE);
    errno = 0;
    assert_true(t_strtol("-9223372036854775808", &end, 10) == LONG_MIN);
    assert_int_equal(errno, 0);
    errno = 0;
    assert_true(t_strtol("-9223372036854775809", &end, 10) == LONG_MIN);
    assert_int_equal(errno, ERANGE);
    errno = 0;
    assert_true(t_strtoull("18446744073709551615", &end, 10) == ULLONG_MAX);
    assert_int_equal(errno, 0);
    assert_true(t_strtoull("18446744073709551616", &end, 10) == ULLONG_MAX);
    assert_int_equal(errno, ERANGE);
    assert_true(t_strtoul("-1", &end, 10) == ULONG_MAX);
    assert_int_equal(t_atoi("  42x"), 42);
    assert_int_equal(t_abs(-5), 5);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void test_qsort_bsearch(void **state)
{
    (void)state;
    int v[1000];
    unsigned seed = 12345;
    for (int i = 0; i < 1000; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (int)(seed >> 16) % 500;      /* many duplicates */
    }
    t_qsort(v, 1000, sizeof v[0], cmp_int);
    for (int i = 1; i < 1000; i++)
        assert_true(v[i - 1] <= v[i]);
    int key = v[500];
    int *hit = t_bsearch(&key, v, 1000, sizeof v[0], cmp_int);
    assert_non_null(hit);
    assert_int_equal(*hit, key);
    key = 1000;
    assert_null(t_bsearch(&key, v, 1000, sizeof v[0], cmp_int));
    int one = 3;
    t_qsort(&one, 1, sizeof one, cmp_int);
    assert_int_equal(one, 3);
}

static void test_strings(void **state)
{
    (void)state;
    char b[32];
    assert_int_equal(t_strlen("hello"), 5);
    assert_int_equal(t_strnlen("hello", 3), 3);
    assert_true(t_strcmp("a", "b") < 0);
    assert_true(t_strcmp("b", "a") > 0);
    assert_int_equal(t_strcmp("abc", "abc"), 0);
    assert_true(t_strcmp("\xff", "a") > 0);          /* unsigned comparison */
    assert_int_equal(t_strncmp("abcx", "abcy", 3), 0);
    assert_int_equal(t_strcasecmp("HeLLo", "hello"), 0);
    assert_true(t_strncasecmp("abc", "ABD", 3) < 0);
    assert_string_equal(t_strchr("a/b/c", '/'), "/b/c");
    assert_string_equal(t_strrchr("a/b/c", '/'), "/c");
    assert_non_null(t_strchr("abc", '\0'));
    assert_string_equal(t_strstr("find the needle", "needle"), "needle");
    assert_null(t_strstr("abc", "abd"));
    assert_int_equal(t_strlcpy(b, "truncate me", 5), 11);
    assert_string_equal(b, "trun");
    assert_int_equal(t_strlcat(b, "cated", sizeof b), 9);
    assert_string_equal(b, "truncated");
    t_memset(b, 'x', 4);
    assert_memory_equal(b, "xxxx", 4);
    char ov[16] = "0123456789";
    t_memmove(ov + 2, ov, 8);
    assert_memory_equal(ov, "0101234567", 10);
    t_memmove(ov, ov + 2, 8);
    assert_memory_equal(ov, "0123456767", 10);
    assert_true(t_memcmp("ab", "ac", 2) < 0);
    const char *s = "abca";
    assert_ptr_equal(t_memrchr(s, 'a', 4), s + 3);
    assert_ptr_equal(t_memmem(s, 4, "ca", 2), s + 2);
    /* block paths of memcpy/memmove/memset against a byte model, all
     * lengths 0..100 and overlaps in both directions */
    static unsigned char src[256], dst[256], ref[256];
    for (size_t len = 0; len <= 100; len++) {
        for (size_t off = 0; off < 8; off++) {
            for (size_t i = 0; i < 256; i++)
                src[i] = (unsigned char)(i * 7 + len), dst[i] = ref[i] = 0xee;
            t_memcpy(dst + off, src + 3, len);
            memcpy(ref + off, src + 3, len);
            assert_memory_equal(dst, ref, 256);
            t_memset(dst + off, (int)len, len);
            memset(ref + off, (int)len, len);
            assert_memory_equal(dst, ref, 256);
            for (size_t i = 0; i < 256; i++)
                dst[i] = ref[i] = (unsigned char)(i ^ len);
            t_memmove(dst + 50 + off, dst + 50, len);       /* overlapping, forward dest */
            memmove(ref + 50 + off, ref + 50, len);
            assert_memory_equal(dst, ref, 256);
            t_memmove(dst + 50, dst + 50 + off, len);       /* overlapping, backward dest */
            memmove(ref + 50, ref + 50 + off, len);
            assert_memory_equal(dst, ref, 256);
            t_memmove(dst + 100, dst + 140 + off, len);     /* disjoint */
            memmove(ref + 100, ref + 140 + off, len);
            assert_memory_equal(dst, ref, 256);
        }
    }
    char tok[] = "a,,b,c";
    char *save;
    assert_string_equal(t_strtok_r(tok, ",", &save), "a");
    assert_string_equal(t_strtok_r(NULL, ",", &save), "b");
    assert_string_equal(t_strtok_r(NULL, ",", &save), "c");
    assert_null(t_strtok_r(NULL, ",", &save));
    char sep[] = "a,,b";
    char *sp = sep;
    assert_string_equal(t_strsep(&sp, ","), "a");
    assert_string_equal(t_strsep(&sp, ","), "");
    assert_string_equal(t_strsep(&sp, ","), "b");
    assert_null(t_strsep(&sp, ","));
    char *d = t_strndup("abcdef", 3);
    assert_string_equal(d, "abc");
    free(d);
    assert_int_equal(t_strspn("aabbc", "ab"), 4);
    assert_int_equal(t_strcspn("abc:d", ":"), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printf_ints),
        cmocka_unit_test(test_printf_strings),
        cmocka_unit_test(test_printf_truncation),
        cmocka_unit_test(test_strto),
        cmocka_unit_test(test_qsort_bsearch),
        cmocka_unit_test(test_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
