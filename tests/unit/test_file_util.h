/* SPDX-License-Identifier: MIT */
/*
 * Reading a whole host file in the unit tests (test_decomp.c,
 * test_linux_kimage.c, test_linux_layout.c, test_linux_pvh.c).  Include after <cmocka.h>: a file that cannot be
 * opened or read completely fails the test.
 */
#ifndef TEST_FILE_UTIL_H
#define TEST_FILE_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The whole of host file @path in a malloc'd buffer of its length plus
 * @slack bytes (left uninitialised: room the caller may append to, e.g.
 * kbuild's 4-byte size trailer);
 * *@len = the file's length in bytes.  The caller frees the buffer. */
static __attribute__((unused)) uint8_t *tu_load_file(const char *path, size_t slack, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *b = malloc((size_t)n + slack);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

#endif
