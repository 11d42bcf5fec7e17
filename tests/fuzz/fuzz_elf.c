/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: an (uncompressed) PV kernel ELF.  Program headers, Xen
 * notes from PT_NOTE / SHT_NOTE, FEATURES strings, the libelf address checks,
 * then the layout plan and every page-table entry of it for a small and a
 * large guest: all bounded, never out of range.  The same bytes through the
 * PVH parser (ELF32 and ELF64, PHYS32_ENTRY) and the PVH plan for a 512 MiB
 * domain: every placed piece inside RAM and clear of the kernel.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "pvboot/err.h"
#include "pvboot/linux.h"

static int count_pte(void *ctx, uint64_t table_pfn, unsigned index, uint64_t target_pfn,
                     uint64_t flags)
{
    const struct pb_layout *L = ctx;
    (void)flags;
    if (table_pfn >= L->pfn_alloc_end || index >= 512 || target_pfn >= L->nr_pages)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pb_xen_kernel *k = malloc(sizeof(*k));
    struct pb_layout *L = malloc(sizeof(*L));
    if (k && L && pb_xen_elf_parse(data, size, k) == 0) {
        static const uint64_t sizes[] = { 16384, 262144 };
        for (unsigned i = 0; i < 2; i++)
            if (pb_layout_plan(k, sizes[i], i == 1, 1u << 20, L) == 0)
                (void)pb_layout_pt_foreach(L, count_pte, L);
    }
    static struct pb_pvh_plan P;
    if (k && pb_pvh_elf_parse(data, size, k) == 0) {
        static const struct pb_pvh_range map[] = { { 0, 0x20000000, 1 }, { 0xfeff8000, 0x8000, 2 } };
        struct pb_pvh_input in = {
            .kstart = k->pstart, .kend = k->pend, .entry = k->phys32_entry, .have_initrd = true,
            .initrd_len = 1u << 20, .cmdline = "console=hvc0", .memmap = map, .nr_memmap = 2,
        };
        if (pb_pvh_plan(&in, &P) == 0 &&
            ((P.initrd_addr < k->pend && k->pstart < P.initrd_addr + P.initrd_len) ||
             (P.info_addr < k->pend && k->pstart < P.info_addr + P.info_len) ||
             P.info_addr + P.info_len > 0x20000000 || P.initrd_addr + P.initrd_len > 0x20000000))
            abort();
    }
    free(k);
    free(L);
    pb_error_clear();
    return 0;
}
