/* SPDX-License-Identifier: MIT */
/*
 * Block overlay (include/pvboot/blkoverlay.h): blocks put are read back in
 * place of the device's bytes, whole or in part, through both lookup paths
 * of pb_overlay_apply (per block spanned, per block held); a newer version
 * replaces an older one; the memory limit refuses a block with a message
 * and leaves the overlay as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pvboot/blkoverlay.h"
#include "pvboot/err.h"

static void fill(uint8_t *b, size_t n, uint8_t v)
{
    memset(b, v, n);
}

static void test_put_get_apply(void **state)
{
    (void)state;
    struct pb_overlay *o;
    assert_int_equal(pb_overlay_new(1024, 1 << 20, &o), 0);
    uint8_t blk[1024];
    fill(blk, sizeof blk, 0xa1);
    assert_int_equal(pb_overlay_put(o, 3, blk), 0);
    fill(blk, sizeof blk, 0xb2);
    assert_int_equal(pb_overlay_put(o, 5, blk), 0);
    assert_int_equal(pb_overlay_count(o), 2);
    assert_null(pb_overlay_get(o, 4));
    assert_int_equal(((const uint8_t *)pb_overlay_get(o, 5))[1023], 0xb2);

    /* bytes 3000..6499 of the device: block 2 tail, 3, 4, 5, block 6 head */
    uint8_t buf[3500];
    fill(buf, sizeof buf, 0);
    pb_overlay_apply(o, 3000, sizeof buf, buf);
    for (size_t i = 0; i < sizeof buf; i++) {
        uint64_t off = 3000 + i;
        uint8_t want = off / 1024 == 3 ? 0xa1 : off / 1024 == 5 ? 0xb2 : 0;
        assert_int_equal(buf[i], want);
    }
    /* a read inside one held block */
    uint8_t small[10] = { 0 };
    pb_overlay_apply(o, 5 * 1024 + 100, sizeof small, small);
    for (size_t i = 0; i < sizeof small; i++)
        assert_int_equal(small[i], 0xb2);

    /* a newer version replaces the older one */
    fill(blk, sizeof blk, 0xc3);
    assert_int_equal(pb_overlay_put(o, 3, blk), 0);
    assert_int_equal(pb_overlay_count(o), 2);
    pb_overlay_apply(o, 3 * 1024, 1, small);
    assert_int_equal(small[0], 0xc3);
    pb_overlay_free(o);
}

/* many blocks (the table grows), read back by a long and a short span */
static void test_many(void **state)
{
    (void)state;
    struct pb_overlay *o;
    assert_int_equal(pb_overlay_new(512, 8 << 20, &o), 0);
    uint8_t blk[512];
    for (uint64_t b = 0; b < 3000; b += 3) {
        fill(blk, sizeof blk, (uint8_t)(b / 3));
        assert_int_equal(pb_overlay_put(o, b + (1ull << 40), blk), 0);
    }
    assert_int_equal(pb_overlay_count(o), 1000);
    size_t len = 4000 * 512;
    uint8_t *buf = calloc(1, len);
    assert_non_null(buf);
    pb_overlay_apply(o, (1ull << 40) * 512, len, buf);     /* spans more blocks than held */
    for (uint64_t b = 0; b < 4000; b++) {
        uint8_t want = (b % 3 == 0 && b < 3000) ? (uint8_t)(b / 3) : 0;
        assert_int_equal(buf[b * 512], want);
        assert_int_equal(buf[b * 512 + 511], want);
    }
    memset(buf, 0, 2048);
    pb_overlay_apply(o, ((1ull << 40) + 2) * 512, 2048, buf);   /* blocks 2..5: 3 held */
    assert_int_equal(buf[0], 0);
    assert_int_equal(buf[512], 1);
    assert_int_equal(buf[1024], 0);
    free(buf);
    pb_overlay_free(o);
}

static void test_limit(void **state)
{
    (void)state;
    struct pb_overlay *o;
    /* room for the initial table (64 slots of 16 bytes) and 3 blocks */
    assert_int_equal(pb_overlay_new(4096, 64 * 16 + 3 * 4096, &o), 0);
    uint8_t blk[4096];
    fill(blk, sizeof blk, 1);
    for (uint64_t b = 0; b < 3; b++)
        assert_int_equal(pb_overlay_put(o, b, blk), 0);
    assert_int_equal(pb_overlay_put(o, 7, blk), PB_ENOMEM);
    assert_string_equal(pb_errmsg(), "overlay limit of 13312 bytes reached (3 blocks of 4096 bytes held)");
    assert_int_equal(pb_overlay_count(o), 3);
    assert_null(pb_overlay_get(o, 7));
    /* replacing a held block needs no room */
    fill(blk, sizeof blk, 2);
    assert_int_equal(pb_overlay_put(o, 1, blk), 0);
    assert_int_equal(((const uint8_t *)pb_overlay_get(o, 1))[0], 2);
    pb_overlay_free(o);
    assert_int_equal(pb_overlay_new(1000, 1 << 20, &o), PB_EINVAL);
    pb_overlay_free(NULL);
    pb_overlay_apply(NULL, 0, 10, blk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_apply),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
