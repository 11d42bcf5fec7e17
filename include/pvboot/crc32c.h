/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C (Castagnoli, polynomial 0x1EDC6F41, bit-reflected 0x82F63B78) as
 * the filesystems use it (ext4 metadata_csum, XFS v5, btrfs name hashes),
 * and the rescue switch that lets metadata checksum mismatches through.
 * Header-only (static inline, like fsconv.h): each module that uses it keeps
 * its own 1 KiB table, nothing is exported.
 */
#ifndef PVBOOT_CRC32C_H
#define PVBOOT_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pvboot/env.h"

/**
 * pb_crc32c() - continue a raw CRC-32C over @len bytes at @buf.
 * @crc: the running value (the filesystems start from ~0, or from a seed)
 * @buf: data
 * @len: length in bytes
 *
 * Returns the updated register, with no inversion on entry or exit (the
 * Linux crc32c_le() convention): the standard CRC-32C of a buffer is
 * ~pb_crc32c(~0u, buf, len); ext4 stores pb_crc32c(seed, ...) as is.
 */
static inline uint32_t pb_crc32c(uint32_t crc, const void *buf, size_t len)
{
    static uint32_t table[256];
    if (!table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int j = 0; j < 8; j++)
                c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
            table[i] = c;
        }
    }
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

/**
 * pb_fs_ignore_checksums() - true while the environment variable
 * fs_ignore_checksums starts with '1' or 'y' (the rescue switch, see
 * pvboot(7)): filesystems then read metadata whose checksum does not match
 * instead of refusing it.  The host tools copy the variable from their
 * process environment at start-up.
 */
static inline bool pb_fs_ignore_checksums(void)
{
    const char *v = pb_env_get("fs_ignore_checksums");
    return v && (v[0] == '1' || v[0] == 'y');
}

#endif
