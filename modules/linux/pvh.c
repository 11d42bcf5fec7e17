/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot plan (pure): where the kernel, the initrd (module 0) and the
 * start-info block go, and the block's bytes -- a fresh hvm_start_info v1
 * (xen/arch-x86/hvm/start_info.h) with modlist, memmap and command line.
 * Facts: doc xen-pvh-boot.md §2.2 (the structures), §4.1 (what Linux reads
 * and through which mapping: u32 cmdline/initrd fields, modlist and memmap
 * read through a 1 GiB boot mapping), §6 (limits).  No memory is touched:
 * input is numbers (ranges), output is numbers plus the block's bytes; the
 * Xen-only hand-over (handover_pvh.c) and `pvboot-probe --type pvh` use it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/arch-x86/hvm/start_info.h>
#include "pvboot/err.h"
#include "pvboot/linux.h"
#include "plan_text.h"

#define PG 4096ull
#define MAX_IN_MAP 1024
#define MAX_IN_RESERVED 64
#define MAX_IN_BUSY 16

static uint64_t pg_down(uint64_t a) { return a & ~(PG - 1); }
static uint64_t pg_up(uint64_t a) { return a > UINT64_MAX - (PG - 1) ? UINT64_MAX & ~(PG - 1) : (a + PG - 1) & ~(PG - 1); }
static uint64_t end_of(uint64_t a, uint64_t n) { return n > UINT64_MAX - a ? UINT64_MAX : a + n; }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The map to pass: every boundary of @map and @res cuts the address space
 * into elementary pieces; a piece takes RESERVED if a @res entry covers it,
 * else the type of a non-RAM @map entry covering it, else RAM if a RAM
 * entry covers it (else it is a hole).  Adjacent pieces of one type merge. */
static int build_map(const struct pb_pvh_input *in, struct pb_pvh_plan *p)
{
    unsigned nb = 2 * (in->nr_memmap + in->nr_reserved);
    uint64_t *b = malloc((nb ? nb : 1) * sizeof(*b));
    if (!b)
        return pb_error(PB_ENOMEM, "pvh: out of memory for the memory map");
    unsigned k = 0;
    for (unsigned i = 0; i < in->nr_memmap; i++) {
        b[k++] = in->memmap[i].addr;
        b[k++] = end_of(in->memmap[i].addr, in->memmap[i].size);
    }
    for (unsigned i = 0; i < in->nr_reserved; i++) {
        b[k++] = in->reserved[i].addr;
        b[k++] = end_of(in->reserved[i].addr, in->reserved[i].size);
    }
    qsort(b, k, sizeof(*b), cmp_u64);
    p->nr_memmap = 0;
    int rc = 0;
    unsigned wanted = 0;
    for (unsigned i = 0; i + 1 < k; i++) {
        uint64_t lo = b[i], hi = b[i + 1];
        if (lo == hi)
            continue;
        uint32_t type = 0;
        for (unsigned j = 0; j < in->nr_reserved && !type; j++)
            if (in->reserved[j].addr <= lo && hi <= end_of(in->reserved[j].addr, in->reserved[j].size))
                type = XEN_HVM_MEMMAP_TYPE_RESERVED;
        for (unsigned j = 0; j < in->nr_memmap && !type; j++)
            if (in->memmap[j].type != XEN_HVM_MEMMAP_TYPE_RAM && in->memmap[j].addr <= lo &&
                hi <= end_of(in->memmap[j].addr, in->memmap[j].size))
                type = in->memmap[j].type;
        for (unsigned j = 0; j < in->nr_memmap && !type; j++)
            if (in->memmap[j].type == XEN_HVM_MEMMAP_TYPE_RAM && in->memmap[j].addr <= lo &&
                hi <= end_of(in->memmap[j].addr, in->memmap[j].size))
                type = XEN_HVM_MEMMAP_TYPE_RAM;
        if (!type)
            continue;
        struct pb_pvh_range *last = p->nr_memmap ? &p->memmap[p->nr_memmap - 1] : NULL;
        if (last && last->type == type && last->addr + last->size == lo) {
            last->size += hi - lo;
            continue;
        }
        wanted++;
        if (p->nr_memmap == PB_PVH_MEMMAP_MAX) {
            rc = PB_ERANGE;
            continue;
        }
        p->memmap[p->nr_memmap++] = (struct pb_pvh_range){ lo, hi - lo, type };
    }
    free(b);
    if (rc < 0)
        return pb_error(PB_ERANGE,
                        "pvh: the memory map has %u entries; Linux takes at most %d "
                        "(boot_params e820 table)",
                        wanted, PB_PVH_MEMMAP_MAX);
    return 0;
}

struct avoid {
    uint64_t lo, hi;
};

struct placer {
    const struct pb_pvh_plan *p;
    struct avoid av[MAX_IN_BUSY + 8];
    unsigned nav;
    uint64_t pref;                     /* preferred minimum: the kernel's end */
};

static void add_avoid(struct placer *pl, uint64_t addr, uint64_t len)
{
    if (len == 0)
        return;
    pl->av[pl->nav].lo = pg_down(addr);
    pl->av[pl->nav].hi = pg_up(end_of(addr, len));
    pl->nav++;
}

/* [a, a+size) is inside one RAM entry, ends at or below @limit, starts at
 * or above 1 MiB and overlaps nothing to avoid. */
static bool fits(const struct placer *pl, uint64_t a, uint64_t size, uint64_t limit)
{
    uint64_t e = end_of(a, size);
    if (a < PB_PVH_LOW_LIMIT || e > limit)
        return false;
    bool in_ram = false;
    for (unsigned i = 0; i < pl->p->nr_memmap && !in_ram; i++) {
        const struct pb_pvh_range *r = &pl->p->memmap[i];
        in_ram = r->type == XEN_HVM_MEMMAP_TYPE_RAM && r->addr <= a && e <= end_of(r->addr, r->size);
    }
    if (!in_ram)
        return false;
    for (unsigned i = 0; i < pl->nav; i++)
        if (a < pl->av[i].hi && pl->av[i].lo < e)
            return false;
    return true;
}

/* Lowest fitting page-aligned address at or above pl->pref, else the
 * lowest at all.  Candidates: starts of RAM entries, ends of avoided
 * ranges, 1 MiB and pl->pref (a free run starts at one of them). */
static bool place(const struct placer *pl, uint64_t size, uint64_t limit, uint64_t *out)
{
    uint64_t best_hi = UINT64_MAX, best_lo = UINT64_MAX;
    unsigned nc = pl->p->nr_memmap + pl->nav + 2;
    for (unsigned i = 0; i < nc; i++) {
        uint64_t c;
        if (i < pl->p->nr_memmap)
            c = pl->p->memmap[i].addr;
        else if (i < pl->p->nr_memmap + pl->nav)
            c = pl->av[i - pl->p->nr_memmap].hi;
        else if (i == nc - 2)
            c = PB_PVH_LOW_LIMIT;
        else
            c = pl->pref;
        c = pg_up(c);
        if (!fits(pl, c, size, limit))
            continue;
        if (c >= pl->pref && c < best_hi)
            best_hi = c;
        if (c < best_lo)
            best_lo = c;
    }
    uint64_t best = best_hi != UINT64_MAX ? best_hi : best_lo;
    if (best == UINT64_MAX)
        return false;
    *out = best;
    return true;
}

static const char *limit_name(uint64_t limit)
{
    return limit == PB_PVH_INFO_LIMIT ? "1 GiB" : "4 GiB";
}

int pb_pvh_plan(const struct pb_pvh_input *in, struct pb_pvh_plan *p)
{
    memset(p, 0, sizeof(*p));
    if (in->nr_memmap > MAX_IN_MAP || in->nr_reserved > MAX_IN_RESERVED || in->nr_busy > MAX_IN_BUSY)
        return pb_error(PB_ERANGE, "pvh: too many input ranges (%u map, %u reserved, %u busy)",
                        in->nr_memmap, in->nr_reserved, in->nr_busy);
    if (in->kend <= in->kstart)
        return pb_error(PB_EBADFMT, "pvh: empty kernel range %#llx-%#llx",
                        (unsigned long long)in->kstart, (unsigned long long)in->kend);
    if (in->entry < in->kstart || in->entry >= in->kend || in->entry >= (1ull << 32))
        return pb_error(PB_EBADFMT, "pvh: PHYS32_ENTRY %#llx is not inside the kernel %#llx-%#llx below 4 GiB",
                        (unsigned long long)in->entry, (unsigned long long)in->kstart,
                        (unsigned long long)in->kend);
    p->kstart = in->kstart;
    p->kend = in->kend;
    p->entry = in->entry;
    int rc = build_map(in, p);
    if (rc < 0)
        return rc;

    /* the kernel goes where its p_paddr says: that must be RAM */
    uint64_t a = pg_down(in->kstart), e = pg_up(in->kend);
    while (a < e) {
        const struct pb_pvh_range *r = NULL;
        for (unsigned i = 0; i < p->nr_memmap && !r; i++)
            if (p->memmap[i].addr <= a && a < end_of(p->memmap[i].addr, p->memmap[i].size))
                r = &p->memmap[i];
        if (!r || r->type != XEN_HVM_MEMMAP_TYPE_RAM)
            return pb_error(PB_ERANGE,
                            "pvh: the kernel's load range %#llx-%#llx is not all RAM: %#llx is %s "
                            "in this domain's memory map",
                            (unsigned long long)in->kstart, (unsigned long long)in->kend,
                            (unsigned long long)a, r ? "not RAM" : "a hole");
        a = end_of(r->addr, r->size);
    }
    if (in->tramp_len && in->tramp < e && pg_down(in->kstart) < end_of(in->tramp, in->tramp_len))
        return pb_error(PB_EBUSY, "pvh: the trampoline at %#llx lies in the kernel's load range",
                        (unsigned long long)in->tramp);

    /* the start-info block */
    size_t clen = strlen(in->cmdline ? in->cmdline : "");
    uint64_t off_mod = sizeof(struct hvm_start_info);
    uint64_t off_map = off_mod + (in->have_initrd ? sizeof(struct hvm_modlist_entry) : 0);
    uint64_t off_cmd = off_map + (uint64_t)p->nr_memmap * sizeof(struct hvm_memmap_table_entry);
    uint64_t blen = off_cmd + clen + 1;
    if (blen > PB_PVH_INFO_MAX)
        return pb_error(PB_ERANGE, "pvh: the start info with a %zu-byte command line needs %llu bytes (at most %d)",
                        clen, (unsigned long long)blen, PB_PVH_INFO_MAX);
    p->info_len = pg_up(blen);

    struct placer pl = { .p = p, .pref = e };
    add_avoid(&pl, in->kstart, in->kend - in->kstart);
    add_avoid(&pl, in->tramp, in->tramp_len);
    for (unsigned i = 0; i < in->nr_busy; i++)
        add_avoid(&pl, in->busy[i].addr, in->busy[i].size);
    if (!place(&pl, p->info_len, PB_PVH_INFO_LIMIT, &p->info_addr))
        return pb_error(PB_ENOMEM, "pvh: the start info (%llu KiB) does not fit in free RAM below %s",
                        (unsigned long long)(p->info_len >> 10), limit_name(PB_PVH_INFO_LIMIT));
    add_avoid(&pl, p->info_addr, p->info_len);
    if (in->have_initrd) {
        uint64_t isz = pg_up(in->initrd_len ? in->initrd_len : 1);
        if (!place(&pl, isz, PB_PVH_INITRD_LIMIT, &p->initrd_addr))
            return pb_error(PB_ENOMEM,
                            "pvh: the initrd (%llu KiB) does not fit in free RAM below %s clear of "
                            "the kernel %#llx-%#llx",
                            (unsigned long long)((in->initrd_len + 1023) >> 10),
                            limit_name(PB_PVH_INITRD_LIMIT), (unsigned long long)in->kstart,
                            (unsigned long long)in->kend);
        p->initrd_len = in->initrd_len;
    }

    /* the block's bytes */
    p->modlist_addr = in->have_initrd ? p->info_addr + off_mod : 0;
    p->memmap_addr = p->info_addr + off_map;
    p->cmdline_addr = p->info_addr + off_cmd;
    struct hvm_start_info si = {
        .magic = XEN_HVM_START_MAGIC_VALUE,
        .version = 1,
        .flags = in->flags,
        .nr_modules = in->have_initrd ? 1 : 0,
        .modlist_paddr = p->modlist_addr,
        .cmdline_paddr = p->cmdline_addr,
        .rsdp_paddr = in->rsdp_paddr,
        .memmap_paddr = p->nr_memmap ? p->memmap_addr : 0,
        .memmap_entries = p->nr_memmap,
    };
    memcpy(p->info, &si, sizeof(si));
    if (in->have_initrd) {
        struct hvm_modlist_entry m = { .paddr = p->initrd_addr, .size = p->initrd_len };
        memcpy(p->info + off_mod, &m, sizeof(m));
    }
    for (unsigned i = 0; i < p->nr_memmap; i++) {
        struct hvm_memmap_table_entry me = {
            .addr = p->memmap[i].addr, .size = p->memmap[i].size, .type = p->memmap[i].type,
        };
        memcpy(p->info + off_map + (uint64_t)i * sizeof(me), &me, sizeof(me));
    }
    if (clen)
        memcpy(p->info + off_cmd, in->cmdline, clen);
    p->info[off_cmd + clen] = 0;
    return 0;
}

static const char *type_name(uint32_t t)
{
    static const char *const n[] = { "?", "RAM", "RESERVED", "ACPI", "NVS", "UNUSABLE", "DISABLED", "PMEM" };
    return t < sizeof(n) / sizeof(n[0]) ? n[t] : "?";
}

void pb_pvh_plan_print(const struct pb_pvh_plan *p, void (*out)(void *ctx, const char *line),
                       void *ctx)
{
    typedef unsigned long long ull;
    const struct hvm_start_info *si = (const void *)p->info;
    pb_plan_linef(out, ctx, "pvh: kernel %#llx-%#llx (p_paddr), entry %#llx (PHYS32_ENTRY)", (ull)p->kstart,
          (ull)p->kend, (ull)p->entry);
    if (p->initrd_addr)
        pb_plan_linef(out, ctx, "  initrd       %#llx-%#llx (%llu bytes, module 0)", (ull)p->initrd_addr,
              (ull)(p->initrd_addr + p->initrd_len), (ull)p->initrd_len);
    pb_plan_linef(out, ctx, "  start info   %#llx (%llu bytes): modlist %#llx memmap %#llx cmdline %#llx",
          (ull)p->info_addr, (ull)p->info_len, (ull)si->modlist_paddr, (ull)si->memmap_paddr,
          (ull)si->cmdline_paddr);
    pb_plan_linef(out, ctx, "hvm_start_info: magic %#x version %u flags %#x nr_modules %u rsdp_paddr %#llx "
          "memmap_entries %u", si->magic, si->version, si->flags, si->nr_modules,
          (ull)si->rsdp_paddr, si->memmap_entries);
    for (unsigned i = 0; i < p->nr_memmap; i++)
        pb_plan_linef(out, ctx, "  memmap %#llx-%#llx %s", (ull)p->memmap[i].addr,
              (ull)(p->memmap[i].addr + p->memmap[i].size), type_name(p->memmap[i].type));
    pb_plan_linef(out, ctx, "registers: eip %#llx ebx %#llx (32-bit, paging off)", (ull)p->entry,
          (ull)p->info_addr);
}
