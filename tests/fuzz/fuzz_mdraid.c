/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the mdraid1x module.  The input is split in two member
 * disks at a point chosen by its first two bytes; both are registered, the
 * disk scanner assembles arrays (superblocks 1.0, 1.1, 1.2, 0.90) and every
 * md disk is read (bounded).  The parsers also get the raw bytes at each
 * superblock place.  Seeds: seeds-mdraid.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/mdraid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        pb_hosted_init();
        inited = 1;
    }
    if (size < 3 || size > (4u << 20))
        return 0;
    size_t split = ((size_t)data[0] << 8 | data[1]) * 512u;
    data += 2;
    size -= 2;
    if (split > size)
        split = size;
    struct pb_md_super sb;
    pb_md_parse_sb1(data, size < PB_MD_SB1_MAX ? size : PB_MD_SB1_MAX, 0, size / 512, &sb);
    pb_md_parse_sb090(data, size, size / 512, &sb);
    pb_error_clear();
    uint8_t *a = malloc(split + 1), *b = malloc(size - split + 1);
    if (!a || !b) {
        free(a);
        free(b);
        return 0;
    }
    memcpy(a, data, split);
    memcpy(b, data + split, size - split);
    pb_hostdisk_add_mem(a, split, "fa");
    pb_hostdisk_add_mem(b, size - split, "fb");
    pb_error_clear();
    static uint8_t buf[64 << 10];
    for (struct pb_disk *d = pb_disk_first(); d; d = pb_disk_next(d)) {
        if (d->ops == NULL || (strncmp(d->name, "md", 2) != 0 && strncmp(d->name, "lvm/", 4) != 0))
            continue;
        uint64_t bytes = d->nr_sectors * PB_SECTOR_SIZE;
        for (uint64_t off = 0; off < bytes && off < (1u << 20); off += sizeof buf)
            pb_disk_read(d, off, (size_t)(bytes - off < sizeof buf ? bytes - off : sizeof buf), buf);
        pb_error_clear();
    }
    pb_hostdisk_remove_all();
    free(a);
    free(b);
    return 0;
}
