/* SPDX-License-Identifier: MIT */
/*
 * Decompression modules (gzio, xzio, zstd, lz4, lzopio, bzip2) through
 * include/pvboot/decompress.h.  Payloads are made at test time with the real
 * tools (gzip, xz --format=lzma, xz --check=crc32 --x86 --lzma2, lzop,
 * lz4 -l, lz4, zstd, bzip2), also with Linux's appended LE32 size, and
 * compared byte for byte; corrupt, truncated and too-large cases must fail
 * with messages naming the format.  The raw formats of filesystems (zlib
 * stream, lzo1x block, lz4 block) are made with the libraries' own
 * compressors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <zlib.h>
#include "test_file_util.h"
#include "pvboot/decompress.h"
#include "pvboot/err.h"

#define PAYLOAD_LEN (3u << 19 | 12345)

static char tmpdir[64];
static uint8_t *payload;

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/pvboot-decomp-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    payload = malloc(PAYLOAD_LEN);
    /* half text, half xorshift noise: compressible but not trivial */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < PAYLOAD_LEN; i++) {
        if ((i / 65536) % 2) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            payload[i] = (uint8_t)x;
        } else {
            payload[i] = "pvboot decompression test line\n"[i % 31];
        }
    }
    char path[128];
    snprintf(path, sizeof(path), "%s/payload", tmpdir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(payload, 1, PAYLOAD_LEN, f) != PAYLOAD_LEN)
        return -1;
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return -1;
    free(payload);
    return 0;
}

/* Run "@tool < payload > out" and return the output. */
static uint8_t *compress_with(const char *tool, size_t *len)
{
    char cmd[512], out[128];
    snprintf(out, sizeof(out), "%s/out", tmpdir);
    snprintf(cmd, sizeof(cmd), "%s < %s/payload > %s", tool, tmpdir, out);
    assert_int_equal(system(cmd), 0);
    return tu_load_file(out, 4, len);    /* room for a size trailer */
}

struct fmt_case {
    const char *tool;
    enum pb_comp fmt;
    const char *name;
};

static const struct fmt_case cases[] = {
    { "gzip -9 -c", PB_COMP_GZIP, "gzip" },
    { "bzip2 -c", PB_COMP_BZIP2, "bzip2" },
    { "xz --format=lzma -c", PB_COMP_LZMA, "lzma" },
    { "xz --check=crc32 --x86 --lzma2 -c", PB_COMP_XZ, "xz" },
    { "lzop -c", PB_COMP_LZO, "lzo" },
    { "lz4 -l -c", PB_COMP_LZ4_LEGACY, "lz4-legacy" },
    { "lz4 -c", PB_COMP_LZ4, "lz4" },
    { "zstd -q -c", PB_COMP_ZSTD, "zstd" },
};

static void check_roundtrip(const struct fmt_case *c, bool trailer)
{
    size_t clen;
    uint8_t *cdata = compress_with(c->tool, &clen);
    size_t stream_len = clen;
    if (trailer) {   /* kbuild's size_append: LE32 decompressed size */
        uint32_t v = PAYLOAD_LEN;
        memcpy(cdata + clen, &v, 4);
        clen += 4;
    }
    assert_int_equal(pb_decomp_detect(cdata, clen), c->fmt);
    assert_string_equal(pb_decomp_name(c->fmt), c->name);
    uint8_t *out = malloc(PAYLOAD_LEN + 100);
    size_t olen = 0, used = 0;
    int rc = pb_decompress(c->fmt, cdata, clen, out, PAYLOAD_LEN + 100, &olen, &used, NULL, NULL);
    if (rc)
        fail_msg("%s: %s", c->tool, pb_errmsg());
    assert_int_equal(olen, PAYLOAD_LEN);
    assert_memory_equal(out, payload, PAYLOAD_LEN);
    /* formats with an end marker stop exactly at the stream's end */
    if (c->fmt != PB_COMP_LZ4_LEGACY)
        assert_int_equal(used, stream_len);
    else
        assert_true(used >= stream_len && used <= clen);

    /* output bound: one byte too small must be PB_ERANGE, naming the format */
    rc = pb_decompress(c->fmt, cdata, clen, out, PAYLOAD_LEN - 1, &olen, NULL, NULL, NULL);
    assert_int_equal(rc, PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), c->name));

    /* truncated input: an error naming the format */
    rc = pb_decompress(c->fmt, cdata, stream_len / 2, out, PAYLOAD_LEN + 100, &olen, NULL, NULL, NULL);
    assert_true(rc < 0);
    assert_non_null(strstr(pb_errmsg(), c->name));

    /* corruption in the middle: error (or, for formats without a checksum,
     * different output) - never a crash or overrun */
    cdata[stream_len / 2] ^= 0x55;
    cdata[stream_len / 2 + 1] ^= 0xaa;
    memset(out, 0, PAYLOAD_LEN + 100);
    rc = pb_decompress(c->fmt, cdata, clen, out, PAYLOAD_LEN + 100, &olen, NULL, NULL, NULL);
    if (rc == 0)
        assert_true(olen != PAYLOAD_LEN || memcmp(out, payload, PAYLOAD_LEN) != 0);
    else if (!strstr(pb_errmsg(), c->name))
        fail_msg("%s: corrupt-data message does not name the format: %s", c->tool, pb_errmsg());
    free(out);
    free(cdata);
}

static void test_all_formats(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_roundtrip(&cases[i], false);
        check_roundtrip(&cases[i], true);
    }
}

static void test_offset_in_error(void **state)
{
    (void)state;
    size_t clen;
    uint8_t *cdata = compress_with("gzip -c", &clen);
    cdata[clen / 3] ^= 0xff;
    cdata[clen / 3 + 1] ^= 0xff;
    uint8_t *out = malloc(PAYLOAD_LEN);
    size_t olen;
    int rc = pb_decompress(PB_COMP_GZIP, cdata, clen, out, PAYLOAD_LEN, &olen, NULL, NULL, NULL);
    assert_int_equal(rc, PB_EBADFMT);
    assert_non_null(strstr(pb_errmsg(), "gzip: "));
    assert_non_null(strstr(pb_errmsg(), "input offset "));
    free(out);
    free(cdata);
}

static void test_detect(void **state)
{
    (void)state;
    static const uint8_t elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t text[] = "hello world, plain text";
    static const uint8_t lzma_bad[] = { 0x5d, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0 };
    assert_int_equal(pb_decomp_detect(elf, sizeof(elf)), PB_COMP_NONE);
    assert_int_equal(pb_decomp_detect(text, sizeof(text)), PB_COMP_NONE);
    assert_int_equal(pb_decomp_detect(lzma_bad, sizeof(lzma_bad)), PB_COMP_NONE);
    assert_int_equal(pb_decomp_detect("\x1f", 1), PB_COMP_NONE);
    assert_null(pb_decomp_ops_for(PB_COMP_NONE));
    assert_string_equal(pb_decomp_name(PB_COMP_NONE), "uncompressed");
}

/* A legacy .lzma header asking for a 2 GiB dictionary is refused at the
 * decoder's 256 MiB limit (as libxenguest's), not allocated. */
static void test_memlimit(void **state)
{
    (void)state;
    static const uint8_t big_dict[] = { 0x5d, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00 };
    uint8_t out[64];
    size_t olen;
    int rc = pb_decompress(PB_COMP_LZMA, big_dict, sizeof(big_dict), out, sizeof(out), &olen,
                           NULL, NULL, NULL);
    assert_int_equal(rc, PB_ENOMEM);
    assert_string_equal(pb_errmsg(),
                        "lzma: stream needs 2048 MiB of decoder memory (limit 256 MiB) at input offset 13");
}

static int calls;
static void count_progress(void *ctx, size_t in_done, size_t out_done)
{
    (void)ctx;
    (void)in_done;
    assert_true(out_done <= PAYLOAD_LEN);
    calls++;
}

static void test_progress(void **state)
{
    (void)state;
    size_t clen, olen;
    uint8_t *cdata = compress_with("zstd -q -c", &clen);
    uint8_t *out = malloc(PAYLOAD_LEN);
    calls = 0;
    assert_int_equal(pb_decompress(PB_COMP_ZSTD, cdata, clen, out, PAYLOAD_LEN, &olen, NULL,
                                   count_progress, NULL), 0);
    assert_int_equal(olen, PAYLOAD_LEN);
    assert_true(calls >= 1);   /* every 4 MiB + once at the end */
    free(out);
    free(cdata);
}

#define BLOCK_LEN (128u << 10)   /* a btrfs extent / SquashFS block */

/* Raw formats: decoded exactly; too small an output is PB_ERANGE (or, for
 * lz4, which cannot tell, a corrupt-or-larger error naming the format);
 * a truncated stream or block is an error naming the format. */
static void check_raw(enum pb_comp fmt, const char *name, const uint8_t *c, size_t clen,
                      size_t len)
{
    uint8_t *out = malloc(len + 100);
    size_t olen = 0, used = 0;
    assert_int_equal(pb_decomp_detect(c, clen), PB_COMP_NONE);
    assert_string_equal(pb_decomp_name(fmt), name);
    assert_int_equal(pb_decompress(fmt, c, clen, out, len + 100, &olen, &used, NULL, NULL), 0);
    assert_int_equal(olen, len);
    assert_int_equal(used, clen);
    assert_memory_equal(out, payload, len);
    int rc = pb_decompress(fmt, c, clen, out, len - 1, &olen, NULL, NULL, NULL);
    assert_int_equal(rc, fmt == PB_COMP_LZ4_BLOCK ? PB_EBADFMT : PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), name));
    rc = pb_decompress(fmt, c, clen / 2, out, len + 100, &olen, NULL, NULL, NULL);
    assert_true(rc < 0);
    assert_non_null(strstr(pb_errmsg(), name));
    pb_error_clear();
    free(out);
}

static void test_raw_formats(void **state)
{
    (void)state;
    size_t cap = compressBound(BLOCK_LEN) + LZ4_compressBound(BLOCK_LEN);
    uint8_t *c = malloc(cap);
    uLongf zl = cap;
    assert_int_equal(compress2(c, &zl, payload, BLOCK_LEN, 6), Z_OK);
    check_raw(PB_COMP_ZLIB, "zlib", c, zl, BLOCK_LEN);
    int n = LZ4_compress_default((const char *)payload, (char *)c, BLOCK_LEN, (int)cap);
    assert_true(n > 0);
    check_raw(PB_COMP_LZ4_BLOCK, "lz4-block", c, (size_t)n, BLOCK_LEN);
    static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
    lzo_uint ll = cap;
    assert_int_equal(lzo1x_1_compress(payload, BLOCK_LEN, c, &ll, wrk), LZO_E_OK);
    check_raw(PB_COMP_LZO1X, "lzo1x", c, ll, BLOCK_LEN);
    free(c);
}

/* pb_decompress_upto(): the first N bytes of a longer stream, or all of a
 * shorter one (the rest of the buffer untouched); damage is still an error. */
static void test_upto(void **state)
{
    (void)state;
    size_t cap = compressBound(BLOCK_LEN);
    uint8_t *c = malloc(cap), *out = malloc(BLOCK_LEN + 100);
    uLongf zl = cap;
    size_t olen = 0;
    assert_int_equal(compress2(c, &zl, payload, BLOCK_LEN, 6), Z_OK);
    assert_int_equal(pb_decompress_upto(PB_COMP_ZLIB, c, zl, out, 4096, &olen), 0);
    assert_int_equal(olen, 4096);
    assert_memory_equal(out, payload, 4096);
    memset(out, 0xee, BLOCK_LEN + 100);
    assert_int_equal(pb_decompress_upto(PB_COMP_ZLIB, c, zl, out, BLOCK_LEN + 100, &olen), 0);
    assert_int_equal(olen, BLOCK_LEN);
    assert_memory_equal(out, payload, BLOCK_LEN);
    assert_int_equal(out[BLOCK_LEN], 0xee);
    assert_int_equal(pb_decompress_upto(PB_COMP_ZLIB, c, zl / 2, out, BLOCK_LEN, &olen),
                     PB_EBADFMT);
    assert_non_null(strstr(pb_errmsg(), "zlib: truncated stream"));
    pb_error_clear();
    size_t zsl;
    uint8_t *z = compress_with("zstd -q -c", &zsl);
    assert_int_equal(pb_decompress_upto(PB_COMP_ZSTD, z, zsl, out, 70000, &olen), 0);
    assert_int_equal(olen, 70000);
    assert_memory_equal(out, payload, 70000);
    free(z);
    free(out);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_formats),
        cmocka_unit_test(test_raw_formats),
        cmocka_unit_test(test_upto),
        cmocka_unit_test(test_offset_in_error),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_memlimit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
