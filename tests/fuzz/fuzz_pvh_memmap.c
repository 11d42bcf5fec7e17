/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: what a PVH guest gets from Xen at start-up.  Input =
 * an hvm_start_info (56 bytes; shorter inputs exercise the size checks)
 * followed by memory-map records; the records are read both as
 * hvm_memmap_table_entry (24 bytes, count from the header, bounded by the
 * input) and as XENMEM_memory_map's 20-byte e820 records, then normalised
 * and searched for holes as the PVH start-up does (modules/kernel/xen/pvh.c).
 * Normalised maps are checked: sorted, page-aligned, non-overlapping,
 * merged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "pvboot/err.h"
#include "../../modules/kernel/xen/memmap.h"
#include <xen/arch-x86/hvm/start_info.h>

static void check_map(const struct pb_memmap_entry *m, int n)
{
    for (int i = 0; i < n; i++) {
        if (m[i].size == 0 || (m[i].addr & 0xfff) || (m[i].size & 0xfff))
            abort();
        if (i && (m[i - 1].addr + m[i - 1].size > m[i].addr ||
                  (m[i - 1].addr + m[i - 1].size == m[i].addr && m[i - 1].type == m[i].type)))
            abort();
    }
}

static void use_map(const struct pb_memmap_entry *raw, int n)
{
    static struct pb_memmap_entry out[PB_MEMMAP_OUT_MAX];
    if (n < 0)
        return;
    int k = pb_memmap_normalize(raw, (unsigned)n, out, PB_MEMMAP_OUT_MAX);
    if (k < 0)
        return;
    check_map(out, k);
    uint64_t gfn;
    if (pb_memmap_find_hole(out, (unsigned)k, 33, 0xfee00000ull, 0, 0, &gfn) == 0) {
        /* the hole lies below the limit and touches no entry */
        for (uint64_t f = gfn; f < gfn + 33; f++)
            if (pb_memmap_type_at(out, (unsigned)k, f << 12) != 0 || (f << 12) >= 0xfee00000ull)
                abort();
    }
    (void)pb_memmap_ram_pages(out, (unsigned)k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pb_memmap_entry raw[PB_MEMMAP_MAX];
    struct pb_pvh_info info;
    size_t hdr = sizeof(struct hvm_start_info);
    if (pb_pvh_parse_start_info(data, size, &info) == 0 && size >= hdr) {
        size_t avail = (size - hdr) / sizeof(struct hvm_memmap_table_entry);
        unsigned n = info.memmap_entries < avail ? info.memmap_entries : (unsigned)avail;
        use_map(raw, pb_memmap_from_table(data + hdr, n, raw));
    }
    if (size >= hdr) {
        size_t n = (size - hdr) / 20;
        if (n > PB_MEMMAP_MAX)
            n = PB_MEMMAP_MAX;
        use_map(raw, pb_memmap_from_e820(data + hdr, (unsigned)n, raw));
    }
    pb_error_clear();
    return 0;
}
