/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the lvm module.  First input byte selects:
 *   odd:  the rest is VG metadata text for pb_lvm_parse_metadata();
 *   even: the rest is a disk (label in sectors 0-3, pv_header, metadata
 *         area header and text); it is registered, the disk scanner finds
 *         the LVs, and every LV is read (bounded) and probed for a filesystem.
 * Also feeds the bytes to pb_lvm_parse_label() and pb_lvm_parse_mda_header()
 * directly.  Seeds: seeds-lvm.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/hosted.h"
#include "pvboot/lvm.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_hosted_init_once();
    if (size < 2 || size > (4u << 20))
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    if (sel & 1) {
        struct pb_lvm_vg vg;
        if (pb_lvm_parse_metadata((const char *)data, size, &vg) == 0)
            pb_lvm_vg_free(&vg);
        pb_error_clear();
        return 0;
    }
    struct pb_lvm_label lab;
    pb_lvm_parse_label(data, size, &lab);
    if (size >= 512) {
        uint64_t o, n;
        uint32_t c;
        pb_lvm_parse_mda_header(data, 4096, 1u << 20, &o, &n, &c);
    }
    pb_error_clear();
    if (size < 512)
        return 0;
    uint8_t *copy = fz_add_mem_copy(data, size, "fuzz");
    if (!copy)
        return 0;
    fz_read_and_probe_disks("lvm/", 1u << 20);
    pb_hostdisk_remove_all();
    free(copy);
    return 0;
}
