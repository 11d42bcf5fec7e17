/* SPDX-License-Identifier: MIT */
/*
 * Small conversions that on-disk formats share (FAT long names and dates,
 * ISO 9660 Joliet names and dates, GPT partition names, ext2/xfs/btrfs
 * UUIDs): UTF-16 surrogate pairs, UTF-8 output, civil dates to days since
 * the Unix epoch, UUID text.  Header-only (static inline): each module that
 * uses them keeps its own copy, nothing is exported.
 */
#ifndef PVBOOT_FSCONV_H
#define PVBOOT_FSCONV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/**
 * pb_utf16_pair() - the code point of the UTF-16 surrogate pair @hi @lo.
 * @hi: first unit (a high surrogate U+D800..U+DBFF for a pair)
 * @lo: following unit (a low surrogate U+DC00..U+DFFF for a pair)
 *
 * Returns the code point (U+10000..U+10FFFF), or 0 when @hi @lo are not a
 * high surrogate followed by a low one (Unicode 15, section 3.9, D91).
 */
static inline uint32_t pb_utf16_pair(uint32_t hi, uint32_t lo)
{
    if (hi < 0xd800 || hi >= 0xdc00 || lo < 0xdc00 || lo >= 0xe000)
        return 0;
    return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/**
 * pb_utf8_put() - append code point @c as UTF-8 (1 to 4 bytes, RFC 3629).
 * @out: buffer of @cap bytes holding @o bytes so far
 * @c:   code point, at most 0x10FFFF (not checked: lone surrogates are
 *       encoded as they are, as the callers always did)
 *
 * Appends only when the bytes fit with room left for a terminating NUL
 * (which is not written).  Returns the new length in bytes: @o unchanged
 * when @c did not fit.
 */
static inline size_t pb_utf8_put(char *out, size_t o, size_t cap, uint32_t c)
{
    uint8_t b[4];
    size_t n;
    if (c < 0x80) {
        b[0] = (uint8_t)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (uint8_t)(0xc0 | (c >> 6));
        b[1] = (uint8_t)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (uint8_t)(0xe0 | (c >> 12));
        b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | (c >> 18));
        b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
        b[3] = (uint8_t)(0x80 | (c & 0x3f));
        n = 4;
    }
    if (o + n >= cap)
        return o;
    memcpy(out + o, b, n);
    return o + n;
}

/**
 * pb_days_from_civil() - days from 1970-01-01 to the proleptic Gregorian
 * date @y-@m-@d (negative before 1970).
 * @m: month 1..12 and @d: day 1..31, both checked by the caller
 *
 * The era/day-of-era method (H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms", days_from_civil): years counted from March, 400-year eras
 * of 146097 days, 719468 days from 0000-03-01 to 1970-01-01.
 */
static inline int64_t pb_days_from_civil(int y, int m, int d)
{
    int yy = m <= 2 ? y - 1 : y;
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + doe - 719468;
}

/**
 * pb_uuid_format() - the 16 bytes at @u as UUID text, 36 lower-case hex
 * digits and dashes "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (the RFC 4122,
 * section 3 string layout), the bytes printed in the order they are stored,
 * as GRUB prints ext2, xfs and btrfs UUIDs for `search --fs-uuid`.
 * @out: buffer of @cap bytes (37 hold it all); the text is cut to fit and
 *       always NUL-terminated (snprintf).
 */
static inline void pb_uuid_format(char *out, size_t cap, const uint8_t *u)
{
    snprintf(out, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
             u[13], u[14], u[15]);
}

#endif
