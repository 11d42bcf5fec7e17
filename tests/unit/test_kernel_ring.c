/* SPDX-License-Identifier: MIT */
/* Byte-ring accounting for the console and xenstore rings
 * (modules/kernel/xen/ring.c), including index wrap-around. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../modules/kernel/xen/ring.h"

static void test_used_free(void **state)
{
    (void)state;
    assert_int_equal(pb_ring_used(10, 10, 2048), 0);
    assert_int_equal(pb_ring_free(10, 10, 2048), 2048);
    assert_int_equal(pb_ring_used(2058, 10, 2048), 2048);
    assert_int_equal(pb_ring_free(2058, 10, 2048), 0);
    assert_int_equal(pb_ring_used(2059, 10, 2048), -1);     /* corrupt */
    assert_int_equal(pb_ring_free(2059, 10, 2048), 0);
    assert_int_equal(pb_ring_used(5, 0xfffffffbu, 1024), 10); /* u32 wrap */
    assert_int_equal(pb_ring_used(0, 1, 1024), -1);          /* cons ahead of prod */
}

static void test_put_get_wrap(void **state)
{
    (void)state;
    char ring[16];
    memset(ring, '.', sizeof ring);
    uint32_t prod = 0xfffffff9u, cons = 0xfffffff9u;        /* offset 9, near u32 wrap */
    size_t n = pb_ring_put(ring, 16, prod, cons, "ABCDEFGHIJ", 10);
    assert_int_equal(n, 10);
    assert_memory_equal(ring, "HIJ......ABCDEFG", 16);       /* wrapped at 16 */
    prod += 10;
    assert_int_equal(prod, 3);
    /* only 6 bytes of space left */
    n = pb_ring_put(ring, 16, prod, cons, "0123456789", 10);
    assert_int_equal(n, 6);
    prod += 6;
    assert_int_equal(pb_ring_free(prod, cons, 16), 0);
    assert_int_equal(pb_ring_put(ring, 16, prod, cons, "x", 1), 0);
    char out[32];
    n = pb_ring_get(ring, 16, prod, cons, out, 4);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "ABCD", 4);
    cons += 4;
    n = pb_ring_get(ring, 16, prod, cons, out, sizeof out);
    assert_int_equal(n, 12);
    assert_memory_equal(out, "EFGHIJ012345", 12);
    cons += 12;
    assert_int_equal(pb_ring_get(ring, 16, prod, cons, out, sizeof out), 0);
    /* corrupt indices read nothing */
    assert_int_equal(pb_ring_get(ring, 16, cons + 17, cons, out, sizeof out), 0);
}

static void test_console_sizes(void **state)
{
    (void)state;
    /* a console-sized output ring filled in odd-sized pieces keeps order */
    static char ring[2048];
    uint32_t prod = 2040, cons = 2040;
    unsigned char expect = 0;
    unsigned char next = 0;
    for (int round = 0; round < 100; round++) {
        unsigned char chunk[333];
        for (size_t i = 0; i < sizeof chunk; i++)
            chunk[i] = (unsigned char)(next + i);
        size_t n = pb_ring_put(ring, 2048, prod, cons, chunk, sizeof chunk);
        next = (unsigned char)(next + n);
        prod += (uint32_t)n;
        unsigned char out[200];
        size_t m = pb_ring_get(ring, 2048, prod, cons, out, sizeof out);
        for (size_t i = 0; i < m; i++)
            assert_int_equal(out[i], (unsigned char)(expect + i));
        expect = (unsigned char)(expect + m);
        cons += (uint32_t)m;
        assert_true(pb_ring_used(prod, cons, 2048) >= 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_used_free),
        cmocka_unit_test(test_put_get_wrap),
        cmocka_unit_test(test_console_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
