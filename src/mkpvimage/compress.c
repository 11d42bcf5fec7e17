/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: output compression (-C).
 *
 * Xen's domain builder (libxenguest xc_dom_try_gunzip) gunzips a whole-file
 * gzip kernel before parsing it, so -C gzip compresses the whole image with
 * zlib.  A whole-file xz image is not unpacked by libxenguest for PV ELF
 * kernels (only bzImage payloads are), so -C xz would need an image that
 * unpacks its own module area at start-up; the runtime kernel has no such
 * unpacker yet, hence -C xz is refused with that explanation.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "mkpv.h"

int mkpv_compress_parse(const char *word, enum mkpv_compress *out)
{
    static const struct { const char *w; enum mkpv_compress c; } words[] = {
        { "none", MKPV_COMPRESS_NONE }, { "gzip", MKPV_COMPRESS_GZIP },
        { "xz", MKPV_COMPRESS_XZ },     { "auto", MKPV_COMPRESS_AUTO },
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(word, words[i].w) == 0) {
            *out = words[i].c;
            return 0;
        }
    }
    return mkpv_error("unknown compression '%s' after -C (expected none, gzip, xz or auto)", word);
}

int mkpv_compress_check(enum mkpv_compress c)
{
    if (c == MKPV_COMPRESS_XZ)
        return mkpv_error("-C xz: Xen's domain builder (xl) does not load a whole-file xz "
                          "kernel, and a self-unpacking xz image needs an unpacker in the "
                          "runtime kernel that pvboot does not have yet; use -C gzip or -C auto");
    return 0;
}

int mkpv_gzip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    *out = NULL;
    *out_len = 0;
    /* windowBits 15 + 16: gzip wrapper; level 9, memLevel 9: smallest output */
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return mkpv_error("gzip: deflateInit2 failed");
    gz_header hdr;
    memset(&hdr, 0, sizeof(hdr));
    hdr.time = 0;      /* no timestamp: reproducible */
    hdr.os = 3;        /* Unix, whatever the build host */
    if (deflateSetHeader(&zs, &hdr) != Z_OK) {
        deflateEnd(&zs);
        return mkpv_error("gzip: deflateSetHeader failed");
    }
    size_t cap = deflateBound(&zs, (uLong)len);
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf) {
        deflateEnd(&zs);
        return mkpv_error("out of memory (gzip)");
    }
    size_t done_in = 0, done_out = 0;
    int rc;
    do {
        /* zlib counts in uInt: feed at most 1 GiB per call */
        size_t chunk_in = len - done_in > (1u << 30) ? (1u << 30) : len - done_in;
        size_t chunk_out = cap - done_out > (1u << 30) ? (1u << 30) : cap - done_out;
        zs.next_in = (Bytef *)(uintptr_t)(in + done_in);
        zs.avail_in = (uInt)chunk_in;
        zs.next_out = buf + done_out;
        zs.avail_out = (uInt)chunk_out;
        rc = deflate(&zs, done_in + chunk_in == len ? Z_FINISH : Z_NO_FLUSH);
        done_in += chunk_in - zs.avail_in;
        done_out += chunk_out - zs.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            free(buf);
            deflateEnd(&zs);
            return mkpv_error("gzip: deflate failed (%d)", rc);
        }
        if (rc == Z_BUF_ERROR && done_out == cap) {
            free(buf);
            deflateEnd(&zs);
            return mkpv_error("gzip: output larger than deflateBound");
        }
    } while (rc != Z_STREAM_END);
    deflateEnd(&zs);
    *out = buf;
    *out_len = done_out;
    return 0;
}

int mkpv_gunzip(const uint8_t *in, size_t len, size_t max, uint8_t **out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    *out = NULL;
    *out_len = 0;
    if (len > (1u << 30))
        return mkpv_error("gunzip: input too large");
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return mkpv_error("gunzip: inflateInit2 failed");
    size_t cap = len * 4 + 4096, done = 0;
    if (cap > max + 1)
        cap = max + 1;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        inflateEnd(&zs);
        return mkpv_error("out of memory (gunzip)");
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    int rc;
    for (;;) {
        if (done == cap) {
            if (cap > max) {
                rc = Z_BUF_ERROR;
                break;
            }
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                rc = Z_MEM_ERROR;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t chunk = cap - done > (1u << 30) ? (1u << 30) : cap - done;
        zs.next_out = buf + done;
        zs.avail_out = (uInt)chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        done += chunk - zs.avail_out;
        if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR))
            break;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0)
            break;   /* truncated input */
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(buf);
        return mkpv_error("gunzip: %s", done > max ? "output too large" : "corrupt or truncated data");
    }
    *out = buf;
    *out_len = done;
    return 0;
}
