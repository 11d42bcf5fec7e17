/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: output compression (-C).
 *
 * gzip: Xen's domain builder (libxenguest xc_dom_kernel_file/_mem ->
 * xc_dom_try_gunzip) gunzips a whole-file gzip kernel before probing it, so
 * -C gzip compresses the whole ELF image with zlib.
 *
 * xz: libxenguest does not unpack a whole-file xz kernel, but its "Linux
 * bzImage" loader (tools/libs/guest/xg_dom_bzimageloader.c) accepts an x86
 * boot-protocol container (Linux Documentation/arch/x86/boot.rst): it checks
 * "HdrS" at 0x202 and version >= 2.08 at 0x206, takes the payload at
 * (setup_sects + 1) * 512 + payload_offset, payload_length bytes, recognises
 * the xz magic, decodes it with liblzma (lzma_stream_decoder, 256 MiB memory
 * limit) up to the size in the payload's last 4 bytes (little endian, as
 * Linux appends it), and hands the result to its ELF loader.  So -C xz writes
 * such a container around an xz stream of the ELF image; see
 * mkpv_xz_bzimage() for the exact bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <lzma.h>
#include <zlib.h>

#include "pvboot/version.h"
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

int mkpv_xz(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    lzma_options_lzma lz;
    if (lzma_lzma_preset(&lz, 9 | LZMA_PRESET_EXTREME))
        return mkpv_error("xz: liblzma has no preset 9e");
    /* A dictionary larger than the input gains nothing but costs the decoder
     * (libxenguest, pvboot's own chainloader) that much memory. */
    if (lz.dict_size > len)
        lz.dict_size = len < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN : (uint32_t)len;
    lzma_filter filters[] = {
        { .id = LZMA_FILTER_X86, .options = NULL },
        { .id = LZMA_FILTER_LZMA2, .options = &lz },
        { .id = LZMA_VLI_UNKNOWN, .options = NULL },
    };
    size_t cap = lzma_stream_buffer_bound(len);
    if (cap == 0)
        return mkpv_error("xz: input of %zu bytes too large", len);
    uint8_t *buf = malloc(cap);
    if (!buf)
        return mkpv_error("out of memory (xz)");
    size_t pos = 0;
    lzma_ret r = lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, in, len, buf, &pos,
                                           cap);
    if (r != LZMA_OK) {
        free(buf);
        return mkpv_error("xz: lzma_stream_buffer_encode failed (liblzma error %d)", (int)r);
    }
    *out = buf;
    *out_len = pos;
    return 0;
}

int mkpv_unxz(const uint8_t *in, size_t len, size_t max, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    uint8_t *buf = malloc(max ? max : 1);
    if (!buf)
        return mkpv_error("out of memory (unxz)");
    uint64_t memlimit = MKPV_XZ_MEMLIMIT;
    size_t in_pos = 0, out_pos = 0;
    lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, NULL, in, &in_pos, len, buf, &out_pos,
                                           max);
    if (r != LZMA_OK || in_pos != len) {
        free(buf);
        if (r == LZMA_OK)
            return mkpv_error("unxz: %zu bytes after the end of the xz stream", len - in_pos);
        return mkpv_error("unxz: %s (liblzma error %d)",
                          r == LZMA_BUF_ERROR ? "output too large or input truncated" :
                          r == LZMA_MEMLIMIT_ERROR ? "needs more than the memory limit" :
                          "corrupt or unsupported data", (int)r);
    }
    *out = buf;
    *out_len = out_pos;
    return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

int mkpv_xz_bzimage(const uint8_t *elf, size_t elf_len, uint8_t **out, size_t *out_len)
{
    /* x86 "cli; 1: hlt; jmp 1b" (16- and 32-bit alike): what a BIOS, a
     * real-mode or a 32-bit boot loader runs if someone boots this Xen PV
     * image on bare metal -- it stops instead of executing compressed data. */
    static const uint8_t hang[4] = { 0xfa, 0xf4, 0xeb, 0xfd };
    static const char version[] = "pvboot " PVBOOT_VERSION " (Xen PV image, xz-compressed ELF)";
    _Static_assert(MKPV_BZ_VERSION_STR + sizeof(version) <= MKPV_BZ_PM_START,
                   "version string inside the setup sector");
    *out = NULL;
    *out_len = 0;
    if (elf_len > UINT32_MAX)
        return mkpv_error("-C xz: image of %zu bytes too large for a bzImage (at most 4 GiB)",
                          elf_len);
    uint8_t *xz;
    size_t xz_len;
    if (mkpv_xz(elf, elf_len, &xz, &xz_len) < 0)
        return -1;
    size_t payload_len = xz_len + 4;   /* + little-endian uncompressed size */
    size_t pm_len = MKPV_BZ_PAYLOAD_OFFSET + payload_len;
    size_t total = MKPV_BZ_PM_START + pm_len;
    if (pm_len > UINT32_MAX - 15) {
        free(xz);
        return mkpv_error("-C xz: payload of %zu bytes too large for a bzImage", payload_len);
    }
    uint8_t *b = calloc(1, total);
    if (!b) {
        free(xz);
        return mkpv_error("out of memory (bzImage)");
    }
    /* boot sector (Documentation/arch/x86/boot.rst "The real-mode kernel header") */
    memcpy(b, hang, sizeof(hang));
    b[0x1f1] = MKPV_BZ_SETUP_SECTS;                       /* setup_sects */
    put32(b + 0x1f4, (uint32_t)((pm_len + 15) / 16));     /* syssize, 16-byte units */
    put16(b + 0x1fa, 0xffff);                             /* vid_mode: "normal" */
    put16(b + 0x1fe, 0xaa55);                             /* boot_flag */
    b[0x200] = 0xeb;                                      /* jump: jmp short setup stub */
    b[0x201] = (uint8_t)(MKPV_BZ_SETUP_STUB - 0x202);
    memcpy(b + 0x202, "HdrS", 4);                         /* header */
    put16(b + 0x206, MKPV_BZ_VERSION);                    /* version 2.08 */
    put16(b + 0x20e, MKPV_BZ_VERSION_STR - 0x200);        /* kernel_version */
    b[0x211] = 0x01;                                      /* loadflags: LOADED_HIGH */
    put32(b + 0x214, 0x100000);                           /* code32_start */
    put32(b + 0x22c, 0x7fffffff);                         /* initrd_addr_max */
    put32(b + 0x238, MKPV_BZ_CMDLINE_SIZE);               /* cmdline_size */
    put32(b + 0x23c, MKPV_BZ_SUBARCH_XEN);                /* hardware_subarch */
    put32(b + 0x248, MKPV_BZ_PAYLOAD_OFFSET);             /* payload_offset */
    put32(b + 0x24c, (uint32_t)payload_len);              /* payload_length */
    memcpy(b + MKPV_BZ_SETUP_STUB, hang, sizeof(hang));
    memcpy(b + MKPV_BZ_VERSION_STR, version, sizeof(version));
    /* protected-mode part: a stop for code32_start, then the payload */
    memcpy(b + MKPV_BZ_PM_START, hang, sizeof(hang));
    uint8_t *p = b + MKPV_BZ_PM_START + MKPV_BZ_PAYLOAD_OFFSET;
    memcpy(p, xz, xz_len);
    put32(p + xz_len, (uint32_t)elf_len);
    free(xz);
    *out = b;
    *out_len = total;
    return 0;
}
