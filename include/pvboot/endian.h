/* SPDX-License-Identifier: MIT */
/*
 * Fixed-width little- and big-endian integers read from on-disk or
 * in-stream bytes (superblocks, metadata headers, compressed-stream
 * framing), whatever the host's byte order and alignment.  Header-only
 * (static inline): each module that uses them keeps its own copy.
 */
#ifndef PVBOOT_ENDIAN_H
#define PVBOOT_ENDIAN_H

#include <stdint.h>

/** pb_le16() - the little-endian 16-bit value in @p[0..1]. */
static inline uint16_t pb_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/** pb_le32() - the little-endian 32-bit value in @p[0..3]. */
static inline uint32_t pb_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/** pb_le64() - the little-endian 64-bit value in @p[0..7]. */
static inline uint64_t pb_le64(const uint8_t *p)
{
    return (uint64_t)pb_le32(p + 4) << 32 | pb_le32(p);
}

/** pb_be16() - the big-endian 16-bit value in @p[0..1]. */
static inline uint16_t pb_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/** pb_be32() - the big-endian 32-bit value in @p[0..3]. */
static inline uint32_t pb_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/** pb_be64() - the big-endian 64-bit value in @p[0..7]. */
static inline uint64_t pb_be64(const uint8_t *p)
{
    return (uint64_t)pb_be32(p) << 32 | pb_be32(p + 4);
}

#endif
