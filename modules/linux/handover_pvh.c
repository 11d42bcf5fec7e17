/* SPDX-License-Identifier: MIT */
/*
 * Hand-over to a PVH kernel (Xen build, pvboot started as a PVH guest):
 * doc xen-pvh-boot.md §4.1 (Linux's PVH entry with a fresh hvm_start_info)
 * and §4.4 (release before the jump).
 *
 * Everything is staged in memory pvboot already owns (VA == guest-physical
 * address): the kernel image buffer ([p_paddr min, max) with bss zeroed,
 * linux.c), the concatenated initrds, the start-info block built by
 * pb_pvh_plan(), and the trampoline area (trampoline_pvh.S: code + data
 * page, then an identity map of the first GiBs in 2 MiB pages).  The plan
 * puts the start info and the initrd in RAM clear of the kernel's range, of
 * the area and of every staged copy, so the trampoline can copy in the order
 * initrd, start info, kernel (a memmove: the kernel's staged copy may
 * overlap its destination) without overwriting a source it still needs.
 * The kernel's range may cover pvboot itself (GRUB's PVH image and pvboot
 * load at 1 MiB): the trampoline runs on its own tables, stack, GDT and IDT.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/kernel.h"
#include "pvboot/linux.h"
#include "pvboot/term.h"
#include "pvboot/time.h"
#include "pvboot/xen/platform.h"
#include <xen/arch-x86/hvm/start_info.h>

#define PG ((uint64_t)4096)
#define GiB ((uint64_t)1 << 30)
#define TP_GDTR 0xc00
#define TP_IDTR 0xc10
#define TP_NOPS 0xc20
#define TP_SINFO 0xc28
#define TP_GDT 0xc40
#define TP_OPS 0xc80

extern const char pb_pvh_tramp_start[], pb_pvh_tramp_end[], pb_pvh_tramp_ljmp[];
void pb_pvh_tramp_enter(uint64_t cr3, uint64_t area) __attribute__((noreturn));

/* True if @cmdline has a word starting with "console=" (Linux's console
 * selection; without one a PVH kernel's console is tty0, not hvc0). */
static bool has_console_arg(const char *cmdline)
{
    for (const char *p = cmdline ? strstr(cmdline, "console=") : NULL; p; p = strstr(p + 1, "console="))
        if (p == cmdline || p[-1] == ' ' || p[-1] == '"')
            return true;
    return false;
}

static uint64_t pa(const void *p)
{
    return (uint64_t)(uintptr_t)p;       /* VA == guest-physical (platform.h) */
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The area's page tables: PML4 at +1 page, PDPT at +2, @npd page
 * directories from +3, identity mapping [0, npd GiB) with 2 MiB pages. */
static void build_tables(uint8_t *area, unsigned npd)
{
    uint64_t base = pa(area);
    uint64_t *l4 = (uint64_t *)(area + PG), *l3 = (uint64_t *)(area + 2 * PG);
    memset(area + PG, 0, (2 + npd) * PG);
    l4[0] = (base + 2 * PG) | 0x3;                        /* P | RW */
    for (unsigned g = 0; g < npd; g++) {
        uint64_t *pd = (uint64_t *)(area + (3 + g) * PG);
        l3[g] = (base + (3 + g) * PG) | 0x3;
        for (unsigned i = 0; i < 512; i++)
            pd[i] = ((uint64_t)g * GiB + (uint64_t)i * (2ull << 20)) | 0x83;   /* P | RW | PS */
    }
}

/* The lowest run of @n free pages below 4 GiB and clear of the kernel's
 * load range [@kstart, @kend) (above it first, then from 1 MiB below it),
 * taken; NULL if there is none. */
static void *alloc_clear_of(uint64_t kstart, uint64_t kend, size_t n)
{
    unsigned long lo[2] = { (unsigned long)((kend + PG - 1) / PG), 0x100 };
    unsigned long hi[2] = { (unsigned long)(4 * GiB / PG), (unsigned long)(kstart / PG) };
    for (int r = 0; r < 2; r++)
        for (unsigned long pfn = lo[r]; pfn + n <= hi[r]; pfn++)
            if (pb_pages_free(pfn, n))
                return pb_alloc_pages_at(pfn, n);
    return NULL;
}

int pb_linux_handover_pvh(struct pb_linux_boot *b)
{
    uint64_t t0 = pb_time_ns();
    unsigned nmap = 0, nres = 0;
    const struct pb_memmap_entry *mm = pb_xen_memmap(&nmap);
    const struct pb_memmap_entry *rs = pb_xen_platform_reserved(&nres);
    struct pb_pvh_range *map = calloc(nmap + 1, sizeof(*map));
    struct pb_pvh_range *res = calloc(nres + 1, sizeof(*res));
    struct pb_pvh_plan *plan = malloc(sizeof(*plan));
    uint8_t *info = NULL, *area = NULL;
    unsigned npd = 0;
    int rc = 0;
    if (!map || !res || !plan) {
        rc = pb_error(PB_ENOMEM, "linux: out of memory for the PVH plan");
        goto out;
    }
    uint64_t top = 4 * GiB;                       /* the map covers at least 4 GiB */
    for (unsigned i = 0; i < nmap; i++) {
        map[i] = (struct pb_pvh_range){ mm[i].addr, mm[i].size, mm[i].type };
        if (mm[i].type == XEN_HVM_MEMMAP_TYPE_RAM && mm[i].addr + mm[i].size > top)
            top = mm[i].addr + mm[i].size;
    }
    for (unsigned i = 0; i < nres; i++)
        res[i] = (struct pb_pvh_range){ rs[i].addr, rs[i].size, rs[i].type };
    npd = (unsigned)((top + GiB - 1) / GiB);
    if (npd > 512) {
        rc = pb_error(PB_ERANGE, "linux: RAM up to %" PRIu64 " GiB: the PVH trampoline maps at most 512",
                      top / GiB);
        goto out;
    }
    info = pb_alloc_pages(PB_PVH_INFO_MAX / PG);
    if (!info) {
        rc = pb_error(PB_ENOMEM, "linux: out of memory for the start info");
        goto out;
    }

    struct pb_pvh_range busy[4] = {
        { pa(b->kimage), b->kimage_pages * PG, 0 },
        { pa(info), PB_PVH_INFO_MAX, 0 },
        { pa(b->initrd), (b->initrd_len + PG - 1) / PG * PG, 0 },
    };
    struct pb_pvh_input in = {
        .kstart = b->k.pstart, .kend = b->k.pend, .entry = b->k.phys32_entry,
        .have_initrd = b->initrd != NULL, .initrd_len = b->initrd_len,
        .cmdline = b->cmdline, .flags = pb_xen_start_flags(), .rsdp_paddr = pb_xen_rsdp_paddr(),
        .memmap = map, .nr_memmap = nmap, .reserved = res, .nr_reserved = nres,
        .busy = busy, .nr_busy = b->initrd ? 3 : 2,
    };
    /* the area: below 4 GiB and outside the kernel's range (the first-fit
     * allocator may hand out pages inside it, freed by earlier work: then
     * take the lowest free run clear of it) */
    size_t apages = 3 + npd;
    area = pb_alloc_pages(apages);
    if (!area) {
        rc = pb_error(PB_ENOMEM, "linux: out of memory for the PVH trampoline (%zu pages)", apages);
        goto out;
    }
    in.tramp = pa(area);
    in.tramp_len = apages * PG;
    rc = in.tramp + in.tramp_len > 4 * GiB ? PB_EBUSY : pb_pvh_plan(&in, plan);
    if (rc == PB_EBUSY) {
        pb_free_pages(area, apages);
        area = alloc_clear_of(in.kstart, in.kend, apages);
        if (!area) {
            rc = pb_error(PB_ENOMEM, "linux: no %zu free pages below 4 GiB outside the kernel's range "
                          "%#" PRIx64 "-%#" PRIx64 " for the PVH trampoline", apages, in.kstart, in.kend);
            goto out;
        }
        in.tramp = pa(area);
        rc = pb_pvh_plan(&in, plan);
    }
    if (rc < 0)
        goto out;

    /* stage: start info, trampoline code and data, page tables */
    memcpy(info, plan->info, plan->info_len);
    size_t tlen = (size_t)(pb_pvh_tramp_end - pb_pvh_tramp_start);
    if (tlen > TP_GDTR) {
        rc = pb_error(PB_EINVAL, "linux: PVH trampoline too large (%zu bytes)", tlen);
        goto out;
    }
    memcpy(area, pb_pvh_tramp_start, tlen);
    uint32_t entry32 = (uint32_t)plan->entry;
    memcpy(area + (pb_pvh_tramp_ljmp - pb_pvh_tramp_start) + 1, &entry32, 4);   /* ljmp ptr16:32 */
    static const uint64_t gdt[4] = {
        0,
        0x00af9a000000ffffull,      /* 0x08 64-bit code */
        0x00cf9a000000ffffull,      /* 0x10 32-bit code, flat */
        0x00cf92000000ffffull,      /* 0x18 32-bit data, flat */
    };
    memcpy(area + TP_GDT, gdt, sizeof(gdt));
    uint16_t glim = sizeof(gdt) - 1;
    memcpy(area + TP_GDTR, &glim, 2);
    put64(area + TP_GDTR + 2, pa(area) + TP_GDT);
    memset(area + TP_IDTR, 0, 10);
    put64(area + TP_SINFO, plan->info_addr);
    unsigned nops = 0;
    uint8_t *ops = area + TP_OPS;
    if (b->initrd) {
        put64(ops + 0, plan->initrd_addr);
        put64(ops + 8, pa(b->initrd));
        put64(ops + 16, (b->initrd_len + PG - 1) / PG * PG);
        ops += 24;
        nops++;
    }
    put64(ops + 0, plan->info_addr);
    put64(ops + 8, pa(info));
    put64(ops + 16, plan->info_len);
    ops += 24;
    nops++;
    put64(ops + 0, b->k.pstart);
    put64(ops + 8, pa(b->kimage));
    put64(ops + 16, b->kimage_pages * PG);
    nops++;
    put64(area + TP_NOPS, nops);
    build_tables(area, npd);

    b->t_layout_ns += pb_time_ns() - t0;
    pb_printf("linux: %s: read %" PRIu64 " ms, decompress %" PRIu64 " ms, layout %" PRIu64
              " ms; kernel %" PRIu64 " KiB, initrd %" PRIu64 " KiB, PVH\n",
              b->kernel_path, b->t_read_ns / 1000000, b->t_decomp_ns / 1000000,
              b->t_layout_ns / 1000000, b->kimage_pages * 4, (b->initrd_len + 1023) / 1024);
    if (b->initrd)
        pb_printf("linux: PVH start info at %#" PRIx64 ", initrd at %#" PRIx64 ", kernel %#" PRIx64
                  "-%#" PRIx64 "\n", plan->info_addr, plan->initrd_addr, plan->kstart, plan->kend);
    else
        pb_printf("linux: PVH start info at %#" PRIx64 ", no initrd, kernel %#" PRIx64 "-%#" PRIx64
                  "\n", plan->info_addr, plan->kstart, plan->kend);
    if (!has_console_arg(b->cmdline))
        pb_printf("linux: note: no console= on the command line: a PVH kernel does not pick the "
                  "Xen console by itself (add console=hvc0 to see it on xl console)\n");
    pb_printf("linux: starting the kernel at %#" PRIx64 "\n", plan->entry);

    /* nothing may fail from here: quiesce the runtime, then jump */
    pb_before_handover();
    pb_pvh_tramp_enter(pa(area) + PG, pa(area));

out:
    if (area)
        pb_free_pages(area, 3 + npd);
    if (info)
        pb_free_pages(info, PB_PVH_INFO_MAX / PG);
    free(plan);
    free(map);
    free(res);
    return rc;
}
