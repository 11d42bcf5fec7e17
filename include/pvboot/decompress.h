/* SPDX-License-Identifier: MIT */
/*
 * Decompression: one small streaming interface over the well-kept libraries
 * (zlib, liblzma, libzstd, liblz4, liblzo2, libbz2).  Each library lives in
 * its own runtime module (GRUB names: gzio, xzio, zstd, lzopio, lz4, bzip2)
 * which exports a `struct pb_decomp_ops` per format; the dispatcher (format
 * detection by magic, the format -> decoder table, one-shot decompression
 * into a bounded buffer) is the `decompress` module
 * (modules/decompress/decompress.c), used by the kernel loader (`linux`),
 * the filesystems (`btrfs`, `squash4`) and the host tools.  No other module
 * calls the libraries: a consumer depends on the `decompress` module, which
 * names every decoder, so mkpvimage pulls them all in by symbol dependency
 * (modules/decompress/README.md).
 *
 * Units: all lengths and offsets are bytes.  Input is untrusted: every
 * decoder bounds its output by the space the caller gives it, and errors name
 * the format and the input offset where decoding failed.
 */
#ifndef PVBOOT_DECOMPRESS_H
#define PVBOOT_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "pvboot/err.h"

enum pb_comp {
    PB_COMP_NONE = 0,   /* not compressed (or unknown) */
    PB_COMP_GZIP,       /* 1f 8b (RFC 1952), module gzio */
    PB_COMP_BZIP2,      /* "BZh", module bzip2 */
    PB_COMP_LZMA,       /* legacy .lzma "alone" (5d 00 00), module xzio */
    PB_COMP_XZ,         /* fd "7zXZ" 00, module xzio */
    PB_COMP_LZO,        /* lzop file format (89 "LZO" 00 0d 0a 1a 0a), module lzopio */
    PB_COMP_LZ4_LEGACY, /* lz4 legacy frame (02 21 4c 18), `lz4 -l`, module lz4 */
    PB_COMP_LZ4,        /* lz4 frame (04 22 4d 18), module lz4 */
    PB_COMP_ZSTD,       /* zstd frame (28 b5 2f fd), module zstd */
    /* Raw formats inside filesystems: never detected (no magic of their own
     * or none checked), named by the caller. */
    PB_COMP_ZLIB,       /* zlib stream (RFC 1950; btrfs, SquashFS), module gzio */
    PB_COMP_LZO1X,      /* one raw lzo1x block (SquashFS; a btrfs lzo segment), module lzopio */
    PB_COMP_LZ4_BLOCK,  /* one raw lz4 block (SquashFS), module lz4 */
    PB_COMP_COUNT
};

/* Result of one step. */
enum pb_decomp_status {
    PB_DECOMP_MORE = 0,  /* progress made; call again (more input or output space) */
    PB_DECOMP_END = 1,   /* end of the compressed stream reached */
};

/*
 * One decoder.  Usage: st = open(); loop step(); close(st).
 *
 * step(): consume from *in (*in_left bytes) and produce into *out
 * (*out_left bytes of space); both pointers/counters are advanced.
 * @final: the caller has no input beyond *in_left (lets formats without an
 * end marker, such as lz4 legacy, finish).  Returns PB_DECOMP_MORE,
 * PB_DECOMP_END, or a negative PB_E* after pb_error() ("xz: corrupt data at
 * input offset N").  The raw block formats (PB_COMP_LZO1X, PB_COMP_LZ4_BLOCK)
 * cannot resume: their step needs @final with the whole block in *in and
 * room for all of its output in *out (pb_decompress() and
 * pb_decompress_upto() give that).  A step that can make no progress (input exhausted or
 * output full) returns PB_DECOMP_MORE with nothing consumed or produced; the
 * caller detects that (pb_decompress reports truncation / PB_ERANGE).
 */
struct pb_decomp_ops {
    enum pb_comp format;
    const char *name;                       /* "gzip", "xz", ... */
    int (*open)(void **st);                 /* 0 or PB_ENOMEM */
    int (*step)(void *st, const uint8_t **in, size_t *in_left,
                uint8_t **out, size_t *out_left, bool final);
    void (*close)(void *st);
};

/**
 * pb_decomp_drain() - hand decoded bytes held back in a block buffer to a
 * step()'s output.  For decoders that decode a whole block at a time into
 * their own buffer (lz4 legacy, lzop) and give it out over several steps.
 * @buf/@len:      the decoded block, @len bytes
 * @pos:           bytes of @buf already handed out; advanced
 * @out/@out_left: step()'s output pointer and space (bytes); advanced
 *
 * Copies min(@len - *@pos, *@out_left) bytes (*@pos <= @len).  Returns the
 * number copied: 0 when the output is full or nothing is pending.
 * Header-only (static inline): each decoder module keeps its own copy.
 */
static inline size_t pb_decomp_drain(const uint8_t *buf, size_t len, size_t *pos, uint8_t **out,
                                     size_t *out_left)
{
    size_t n = len - *pos;
    if (n > *out_left)
        n = *out_left;
    if (n == 0)
        return 0;
    memcpy(*out, buf + *pos, n);
    *out += n;
    *out_left -= n;
    *pos += n;
    return n;
}

/*
 * Helpers for the raw block formats' decoders (lzo1x, lz4 blocks), which keep
 * no state and decode a whole block in one step.  Header-only (static
 * inline): each decoder module keeps its own copy.
 */
static inline int pb_decomp_nostate_open(void **st)
{
    *st = NULL;
    return 0;
}

static inline void pb_decomp_nostate_close(void *st)
{
    (void)st;
}

/**
 * pb_decomp_block_ready() - the start of a block decoder's step(): 1 when it
 * can decode now, PB_DECOMP_MORE when there is no output room (the caller
 * sees no progress), PB_EINVAL (message naming @name) when the input is not
 * @final, since a block cannot be resumed.
 */
static inline int pb_decomp_block_ready(size_t out_left, bool final, const char *name)
{
    if (out_left == 0)
        return PB_DECOMP_MORE;
    if (!final)
        return pb_error(PB_EINVAL, "%s: needs the whole block in one step", name);
    return 1;
}

/* Exported by the format modules. */
extern const struct pb_decomp_ops pb_decomp_gzip;       /* gzio */
extern const struct pb_decomp_ops pb_decomp_bzip2;      /* bzip2 */
extern const struct pb_decomp_ops pb_decomp_lzma;       /* xzio */
extern const struct pb_decomp_ops pb_decomp_xz;         /* xzio */
extern const struct pb_decomp_ops pb_decomp_lzo;        /* lzopio */
extern const struct pb_decomp_ops pb_decomp_lz4_legacy; /* lz4 */
extern const struct pb_decomp_ops pb_decomp_lz4;        /* lz4 */
extern const struct pb_decomp_ops pb_decomp_zstd;       /* zstd */
extern const struct pb_decomp_ops pb_decomp_zlib;       /* gzio */
extern const struct pb_decomp_ops pb_decomp_lzo1x;      /* lzopio */
extern const struct pb_decomp_ops pb_decomp_lz4_block;  /* lz4 */

/**
 * pb_decomp_detect() - recognise a compression format by its magic bytes.
 * @buf/@len: the first bytes of the data (at least 6 for reliable xz/lzma
 * detection; fewer just gives PB_COMP_NONE for those).
 * The legacy .lzma header has no real magic: accepted are properties byte
 * 0x5d with dictionary size a power of two (as written by xz/lzma).
 */
enum pb_comp pb_decomp_detect(const void *buf, size_t len);

/** pb_decomp_name() - "gzip", "xz", "zlib", ... or "uncompressed". */
const char *pb_decomp_name(enum pb_comp fmt);

/** pb_decomp_ops_for() - the decoder for @fmt, or NULL (PB_COMP_NONE). */
const struct pb_decomp_ops *pb_decomp_ops_for(enum pb_comp fmt);

/* Progress callback for pb_decompress(): bytes consumed/produced so far. */
typedef void (*pb_decomp_progress_fn)(void *ctx, size_t in_done, size_t out_done);

/**
 * pb_decompress() - decompress one whole stream of format @fmt.
 * @in/@in_len:   compressed bytes (trailing bytes after the stream, such as
 *                Linux's appended LE32 size, are allowed and reported in
 *                *in_used).
 * @out/@out_cap: output buffer; more output than @out_cap is PB_ERANGE.
 * @out_len:      receives the decompressed size.
 * @in_used:      may be NULL; receives the compressed bytes consumed.
 * @progress:     may be NULL; called every few MiB.
 * Returns 0 or a negative PB_E* (message names format and offset).
 */
int pb_decompress(enum pb_comp fmt, const void *in, size_t in_len, void *out, size_t out_cap,
                  size_t *out_len, size_t *in_used, pb_decomp_progress_fn progress, void *ctx);

/**
 * pb_decompress_upto() - decompress the first @out_cap bytes of one stream
 * or block of format @fmt (a filesystem's extent or block whose decoded size
 * it knows: btrfs's ram_bytes, one sector of a btrfs lzo extent).
 * As pb_decompress() without progress, except that a full @out ends the
 * decoding successfully: data beyond @out_cap bytes is not looked at.  A
 * stream that ends earlier gives *@out_len < @out_cap (the rest of @out is
 * untouched).  Returns 0 or a negative PB_E* (message names format and
 * offset; a truncated stream is PB_EBADFMT).
 */
int pb_decompress_upto(enum pb_comp fmt, const void *in, size_t in_len, void *out, size_t out_cap,
                       size_t *out_len);

/**
 * pb_decompress_alloc() - decompress one whole stream of format @fmt into a
 * malloc'd buffer that starts at @cap bytes (at most @max) and doubles in
 * place (realloc) while the data is larger, up to @max bytes.
 * @what:     names the data in messages ("kernel": "decompressed kernel
 *            larger than N MiB").
 * @out/@out_len: receive the buffer (the caller frees it) and the
 *            decompressed size; untouched on error.
 * @progress: may be NULL; called every few MiB.
 * Returns 0 or a negative PB_E*: PB_ERANGE over @max, PB_ENOMEM, or the
 * decoder's error (message names format and offset), as pb_decompress().
 */
int pb_decompress_alloc(enum pb_comp fmt, const void *in, size_t in_len, size_t cap, size_t max,
                        const char *what, uint8_t **out, size_t *out_len,
                        pb_decomp_progress_fn progress, void *ctx);

#endif
