/* SPDX-License-Identifier: MIT */
/*
 * vbd id -> disk name (xen-vbd-interface(7)) and XenbusState names.
 * Pure logic: built into blkfront.mod and the hosted unit tests.
 */
#include <stdio.h>
#include <string.h>

#include "pvboot/err.h"
#include "blkring.h"

/* Linux-style disk letters: 0 -> "a", 25 -> "z", 26 -> "aa", 701 -> "zz",
 * 702 -> "aaa".  Writes at most 7 letters (+NUL) into @out[8]. */
static void disk_letters(uint32_t disk, char out[8])
{
    char rev[8];
    unsigned n = 0;
    uint64_t v = (uint64_t)disk + 1;          /* bijective base 26 */
    while (v > 0 && n < 7) {
        v -= 1;
        rev[n++] = (char)('a' + v % 26);
        v /= 26;
    }
    for (unsigned i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    out[n] = '\0';
}

int bf_vbd_name(uint32_t vbd_id, char *out, size_t outlen)
{
    const char *prefix;
    uint32_t disk, part;
    char letters[8];
    int valid = 1;

    if (!out || outlen == 0)
        return PB_ERANGE;
    if (vbd_id & (1u << 28)) {
        /* extended xvd scheme: 1<<28 | disk<<8 | part; bits above 28 unused */
        if (vbd_id >> 29) {
            valid = 0;
        } else {
            prefix = "xvd";
            disk = (vbd_id >> 8) & 0xfffff;
            part = vbd_id & 0xff;
        }
    } else {
        uint32_t major = vbd_id >> 8, minor = vbd_id & 0xff;
        switch (major) {
        case 202: prefix = "xvd"; disk = minor >> 4; part = minor & 0xf; break;
        case 8:   prefix = "sd";  disk = minor >> 4; part = minor & 0xf; break;
        case 3:   prefix = "hd";  disk = minor >> 6; part = minor & 0x3f; break;
        case 22:  prefix = "hd";  disk = 2 + (minor >> 6); part = minor & 0x3f; break;
        default:  valid = 0; break;
        }
    }
    int n;
    if (!valid) {
        n = snprintf(out, outlen, "vbd%u", vbd_id);
    } else {
        disk_letters(disk, letters);
        if (part)
            n = snprintf(out, outlen, "%s%s%u", prefix, letters, part);
        else
            n = snprintf(out, outlen, "%s%s", prefix, letters);
    }
    if (n < 0 || (size_t)n >= outlen)
        return PB_ERANGE;
    return valid ? 0 : PB_EINVAL;
}

bool bf_dev_name_ok(const char *dev)
{
    size_t n;
    if (!dev)
        return false;
    n = strnlen(dev, 16);
    if (n == 0 || n > 15 || !(dev[0] >= 'a' && dev[0] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = dev[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

const char *bf_xenbus_state_name(int state)
{
    static const char *const names[] = {
        "Unknown", "Initialising", "InitWait", "Initialised", "Connected",
        "Closing", "Closed", "Reconfiguring", "Reconfigured",
    };
    if (state < 0 || (unsigned)state >= sizeof(names) / sizeof(names[0]))
        return "?";
    return names[state];
}
