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
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_hosted_init_once();
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
    /* a member the registry refuses is left out; the other one still goes */
    uint8_t *a = fz_add_mem_copy(data, split, "fa");
    uint8_t *b = fz_add_mem_copy(data + split, size - split, "fb");
    pb_error_clear();
    for (struct pb_disk *d = pb_disk_first(); d; d = pb_disk_next(d)) {
        if (d->ops == NULL || (strncmp(d->name, "md", 2) != 0 && strncmp(d->name, "lvm/", 4) != 0))
            continue;
        fz_read_disk(d, 1u << 20);
    }
    pb_hostdisk_remove_all();
    free(a);
    free(b);
    return 0;
}
