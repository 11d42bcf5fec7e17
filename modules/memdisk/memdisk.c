/* SPDX-License-Identifier: MIT */
/*
 * memdisk: the disk image embedded in pvboot.bin (mkpvimage -m FILE) as the
 * read-only disk "memdisk", as GRUB's memdisk module provides it.
 * A trailing partial sector reads as zeros past the image's end.
 */
#include <stdint.h>
#include <string.h>

#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/kernel.h"

static const uint8_t *memdisk_data;
static size_t memdisk_len;             /* bytes */

static int memdisk_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    if (sector > d->nr_sectors || count > d->nr_sectors - sector)
        return pb_error(PB_ERANGE, "memdisk: read of sectors %llu+%llu past the end (%llu sectors)",
                        (unsigned long long)sector, (unsigned long long)count,
                        (unsigned long long)d->nr_sectors);
    uint64_t off = sector << PB_SECTOR_SHIFT, len = count << PB_SECTOR_SHIFT;
    uint64_t have = off < memdisk_len ? memdisk_len - off : 0;
    if (have > len)
        have = len;
    memcpy(buf, memdisk_data + off, (size_t)have);
    memset((uint8_t *)buf + have, 0, (size_t)(len - have));
    return 0;
}

static const struct pb_disk_ops memdisk_ops = { .read = memdisk_read };

static struct pb_disk memdisk_disk = {
    .name = "memdisk",
    .sector_size = PB_SECTOR_SIZE,
    .flags = PB_DISK_F_READONLY,
    .order = UINT64_MAX - 1,           /* listed after the vbds */
    .ops = &memdisk_ops,
};

/** pvboot_init_memdisk() - register the embedded memdisk, if the image has one. */
void pvboot_init_memdisk(void)
{
    size_t len = 0;
    const void *data = pb_embedded_memdisk(&len);
    if (!data || len == 0)
        return;
    memdisk_data = data;
    memdisk_len = len;
    memdisk_disk.nr_sectors = (len + PB_SECTOR_SIZE - 1) >> PB_SECTOR_SHIFT;
    if (pb_disk_register(&memdisk_disk) < 0)
        pb_print_error();
}
