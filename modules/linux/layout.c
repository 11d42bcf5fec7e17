/* SPDX-License-Identifier: MIT */
/*
 * The new domain's layout, planned in exactly the order and with the rules
 * of libxenguest's x86_64 PV domain builder (facts from xc_dom_build_image()
 * in xg_dom_core.c and count_pgtables()/alloc_pgtables_pv()/
 * setup_pgtables_pv()/start_info_x86_64() in xg_dom_x86.c; our own code):
 *
 *   pad up to the kernel's first pfn, kernel, mapped initrd, p2m list
 *   (unless a usable INIT_P2M), start_info, xenstore, console, page tables,
 *   boot stack, padding to the end of the initial mapping (>= 512 KiB slack,
 *   4 MiB aligned), unmapped initrd (MOD_START_PFN), INIT_P2M list + its
 *   own page tables.
 *
 * Pure logic: no memory is touched, the result is numbers.
 */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xen/xen.h>
#include "pvboot/err.h"
#include "pvboot/linux.h"
#include "plan_text.h"

#define PG 4096ull
#define VMASK ((1ull << 48) - 1)          /* VIRT_BITS_X86_64 */
#define PTE_P 0x001ull
#define PTE_RW 0x002ull
#define PTE_US 0x004ull
#define PTE_A 0x020ull
#define PTE_D 0x040ull
#define PROT_L1 (PTE_P | PTE_RW | PTE_A)
#define PROT_UPPER (PTE_P | PTE_RW | PTE_A | PTE_D | PTE_US)

struct bld {
    struct pb_layout *L;
    uint64_t pfn_alloc_end, virt_alloc_end;
};

static int chk_alloc(struct bld *b, const char *name, uint64_t pages)
{
    uint64_t total = b->L->nr_pages;
    if (pages > total || b->pfn_alloc_end > total || pages > total - b->pfn_alloc_end)
        return pb_error(PB_ERANGE,
                        "kernel does not fit: %s needs %llu pages at pfn %#llx but the domain has "
                        "only %llu pages (%llu MiB)",
                        name, (unsigned long long)pages, (unsigned long long)b->pfn_alloc_end,
                        (unsigned long long)total, (unsigned long long)(total >> 8));
    b->pfn_alloc_end += pages;
    b->virt_alloc_end += pages * PG;
    return 0;
}

static int alloc_pad(struct bld *b, uint64_t boundary)
{
    if (boundary & (PG - 1))
        return pb_error(PB_EBADFMT, "layout: segment boundary %#llx is not page aligned",
                        (unsigned long long)boundary);
    if (boundary < b->virt_alloc_end)
        return pb_error(PB_EBADFMT, "layout: segment boundary %#llx below %#llx",
                        (unsigned long long)boundary, (unsigned long long)b->virt_alloc_end);
    return chk_alloc(b, "padding", (boundary - b->virt_alloc_end) / PG);
}

static int alloc_seg(struct bld *b, struct pb_lseg *s, const char *name, uint64_t start,
                     uint64_t size)
{
    int rc;
    if (start && (rc = alloc_pad(b, start)) < 0)
        return rc;
    uint64_t vstart = b->virt_alloc_end;
    s->pfn = b->pfn_alloc_end;
    s->pages = (size + PG - 1) / PG;
    if ((rc = chk_alloc(b, name, s->pages)) < 0)
        return rc;
    s->vstart = vstart;
    s->vend = vstart + size;
    return 0;
}

static int alloc_page(struct bld *b, const char *name, uint64_t *pfn)
{
    *pfn = b->pfn_alloc_end;
    return chk_alloc(b, name, 1);
}

/* count_pgtables(): fill maps[n_maps] for [from, to] (inclusive) mapped to
 * pfns starting at @pfn; table frames start at pfn_alloc_end. */
static int count_pgtables(struct bld *b, uint64_t from, uint64_t to, uint64_t pfn)
{
    struct pb_layout *L = b->L;
    if (L->n_maps == 2)
        return pb_error(PB_EINVAL, "layout: too many mappings");
    struct pb_lmap *map = &L->maps[L->n_maps];
    uint64_t pfn_end = pfn + ((to - from) >> 12);
    if (pfn_end >= L->nr_pages)
        return pb_error(PB_ERANGE,
                        "kernel does not fit: the initial mapping needs pfns up to %#llx but the "
                        "domain has only %llu pages (%llu MiB)",
                        (unsigned long long)pfn_end, (unsigned long long)L->nr_pages,
                        (unsigned long long)(L->nr_pages >> 8));
    for (unsigned m = 0; m < L->n_maps; m++)
        if (from < L->maps[m].area.to && to > L->maps[m].area.from)
            return pb_error(PB_EBADFMT, "layout: overlapping mappings (INIT_P2M overlaps the kernel?)");
    memset(map, 0, sizeof(*map));
    map->area.from = from & VMASK;
    map->area.to = to & VMASK;
    for (int l = 3; l >= 0; l--) {
        struct pb_lmap_lvl *lv = &map->lvls[l];
        lv->pfn = b->pfn_alloc_end + map->area.pgtables;
        if (l == 3) {
            if (L->n_maps == 0) {          /* top level only in the first mapping */
                lv->from = 0;
                lv->to = VMASK;
                lv->pgtables = 1;
                map->area.pgtables++;
            }
            continue;
        }
        unsigned bits = 12 + (unsigned)(l + 1) * 9;
        uint64_t mask = (1ull << bits) - 1;
        lv->from = map->area.from & ~mask;
        lv->to = map->area.to | mask;
        for (unsigned m = 0; m < L->n_maps; m++) {
            const struct pb_lmap_lvl *c = &L->maps[m].lvls[l];
            if (c->from == c->to)
                continue;
            if (lv->from >= c->from && lv->to <= c->to) {
                lv->from = lv->to = 0;
                break;
            }
            if (lv->from >= c->from && lv->from <= c->to)
                lv->from = c->to + 1;
            if (lv->to >= c->from && lv->to <= c->to)
                lv->to = c->from - 1;
        }
        if (lv->from < lv->to)
            lv->pgtables = (unsigned)(((lv->to - lv->from) >> bits) + 1);
        map->area.pgtables += lv->pgtables;
    }
    return 0;
}

int pb_layout_plan(const struct pb_xen_kernel *k, uint64_t nr_pages, bool have_initrd,
                   uint64_t initrd_len, struct pb_layout *L)
{
    struct bld b = { .L = L };
    int rc;
    memset(L, 0, sizeof(*L));
    L->nr_pages = nr_pages;
    L->virt_base = k->virt_base;
    L->have_initrd = have_initrd;
    L->initrd_len = initrd_len;
    L->hypercall_page = k->hypercall_page;
    b.virt_alloc_end = k->virt_base;
    /* xc_dom_allocate() starts every domain's flags with this bit */
    L->si_flags = SIF_VIRT_P2M_4TOOLS;

    /* kernel */
    if ((rc = alloc_seg(&b, &L->kernel, "the kernel", k->virt_kstart,
                        k->virt_kend - k->virt_kstart)) < 0)
        return rc;
    /* initrd inside the mapping unless MOD_START_PFN */
    L->initrd_mapped = have_initrd && !k->unmapped_initrd;
    if (L->initrd_mapped) {
        if ((rc = alloc_seg(&b, &L->initrd, "the initrd", 0, initrd_len)) < 0)
            return rc;
        L->si_mod_start = L->initrd.vstart;
        L->si_mod_len = L->initrd.vend - L->initrd.vstart;
    }
    /* INIT_P2M is only used below VIRT_BASE and page aligned */
    uint64_t p2m_base = k->p2m_base;
    if (p2m_base >= k->virt_base || (p2m_base & (PG - 1)))
        p2m_base = PB_UNSET_ADDR;
    uint64_t p2m_size = (nr_pages * 8 + PG - 1) & ~(PG - 1);
    L->p2m_list_pages = p2m_size / PG;
    L->p2m_mapped = p2m_base == PB_UNSET_ADDR;
    if (L->p2m_mapped && (rc = alloc_seg(&b, &L->p2m, "the p2m list", 0, p2m_size)) < 0)
        return rc;
    /* magic pages */
    if ((rc = alloc_page(&b, "start_info", &L->start_info_pfn)) < 0 ||
        (rc = alloc_page(&b, "xenstore", &L->xenstore_pfn)) < 0 ||
        (rc = alloc_page(&b, "console", &L->console_pfn)) < 0)
        return rc;
    /* page tables: grow the mapping until it covers its own tables, the
     * boot stack and 512 KiB, rounded to 4 MiB */
    uint64_t extra = 1 + (512 * 1024) / PG, pages = extra, try_end = 0;
    unsigned it;
    for (it = 0; it < 64; it++) {
        try_end = (b.virt_alloc_end + pages * PG) | ((1ull << 22) - 1);
        if ((rc = count_pgtables(&b, k->virt_base, try_end, 0)) < 0)
            return rc;
        pages = L->maps[L->n_maps].area.pgtables + extra;
        if (b.virt_alloc_end + pages * PG <= try_end + 1)
            break;
    }
    if (it == 64)
        return pb_error(PB_EINVAL, "layout: page-table count did not converge");
    L->maps[0].area.pfn = 0;
    L->n_maps = 1;
    L->virt_pgtab_end = try_end + 1;
    if ((rc = alloc_seg(&b, &L->pgtables, "page tables", 0,
                        (uint64_t)L->maps[0].area.pgtables * PG)) < 0)
        return rc;
    /* boot stack */
    if ((rc = alloc_page(&b, "boot stack", &L->bootstack_pfn)) < 0)
        return rc;
    L->virt_alloc_end = b.virt_alloc_end;
    /* padding up to the end of the mapping */
    L->pad_pfn = b.pfn_alloc_end;
    if ((rc = alloc_pad(&b, L->virt_pgtab_end)) < 0)
        return rc;
    L->pad_pages = b.pfn_alloc_end - L->pad_pfn;
    /* unmapped initrd */
    if (have_initrd && !L->initrd_mapped) {
        if ((rc = alloc_seg(&b, &L->initrd, "the initrd", 0, initrd_len)) < 0)
            return rc;
        L->si_flags |= SIF_MOD_START_PFN;
        L->si_mod_start = L->initrd.pfn;
        L->si_mod_len = L->initrd.pages * PG;
    }
    /* p2m at INIT_P2M: the list, then its own page tables */
    if (!L->p2m_mapped) {
        if ((rc = count_pgtables(&b, p2m_base, p2m_base + p2m_size - 1, b.pfn_alloc_end)) < 0)
            return rc;
        struct pb_lmap *map = &L->maps[L->n_maps];
        map->area.pfn = b.pfn_alloc_end;
        for (int l = 0; l < 4; l++)
            map->lvls[l].pfn += p2m_size / PG;
        L->n_maps++;
        if ((rc = alloc_seg(&b, &L->p2m, "the p2m list", 0,
                            p2m_size + (uint64_t)map->area.pgtables * PG)) < 0)
            return rc;
        L->p2m.vstart = p2m_base;
        L->p2m.vend = p2m_base + p2m_size + (uint64_t)map->area.pgtables * PG;
        L->si_first_p2m_pfn = L->p2m.pfn;
        L->si_nr_p2m_frames = L->p2m.pages;
    }
    L->pfn_alloc_end = b.pfn_alloc_end;
    L->si_pt_base = L->pgtables.vstart;
    L->si_nr_pt_frames = L->maps[0].area.pgtables;
    L->si_mfn_list = L->p2m.vstart;
    L->entry = k->virt_entry;
    L->stack_top = k->virt_base + (L->bootstack_pfn + 1) * PG;
    L->start_info_va = k->virt_base + L->start_info_pfn * PG;
    return 0;
}

bool pb_layout_is_pt_pfn(const struct pb_layout *L, uint64_t pfn)
{
    for (unsigned m = 0; m < L->n_maps; m++) {
        uint64_t s = L->maps[m].lvls[3].pfn;
        if (pfn >= s && pfn < s + L->maps[m].area.pgtables)
            return true;
    }
    return false;
}

int pb_layout_pt_foreach(const struct pb_layout *L,
                         int (*cb)(void *ctx, uint64_t table_pfn, unsigned index,
                                   uint64_t target_pfn, uint64_t flags),
                         void *ctx)
{
    for (int l = 3; l >= 0; l--) {
        unsigned shift = 12 + (unsigned)l * 9;
        for (unsigned m1 = 0; m1 < L->n_maps; m1++) {
            const struct pb_lmap_lvl *t = &L->maps[m1].lvls[l];
            uint64_t from = t->from, to = t->to;
            for (unsigned m2 = 0; m2 < L->n_maps; m2++) {
                const struct pb_lmap_lvl *lv = l > 0 ? &L->maps[m2].lvls[l - 1] : &L->maps[m2].area;
                if (l > 0 && lv->pgtables == 0)
                    continue;
                if (lv->from >= to || lv->to <= from)
                    continue;
                uint64_t lo = from > lv->from ? from : lv->from;
                uint64_t hi = to < lv->to ? to : lv->to;
                uint64_t p_s = (lo - from) >> shift, p_e = (hi - from) >> shift;
                uint64_t pfn = ((lo - lv->from) >> shift) + lv->pfn;
                if (p_e - p_s >= (uint64_t)512 * (t->pgtables ? t->pgtables : 1))
                    return pb_error(PB_EINVAL, "layout: level %d table overflow", l + 1);
                for (uint64_t p = p_s; p <= p_e; p++, pfn++) {
                    uint64_t flags = l > 0 ? PROT_UPPER : PROT_L1;
                    if (l == 0 && pb_layout_is_pt_pfn(L, pfn))
                        flags &= ~PTE_RW;
                    int rc = cb(ctx, t->pfn + p / 512, (unsigned)(p % 512), pfn, flags);
                    if (rc)
                        return rc;
                }
            }
        }
    }
    return 0;
}

void pb_plan_linef(void (*out)(void *ctx, const char *line), void *ctx, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    out(ctx, buf);
}

static void seg_line(void (*out)(void *, const char *), void *ctx, const char *name,
                     const struct pb_lseg *s)
{
    pb_plan_linef(out, ctx, "  %-12s va %#018llx-%#018llx pfn %#llx + %#llx pages", name,
          (unsigned long long)s->vstart, (unsigned long long)s->vend, (unsigned long long)s->pfn,
          (unsigned long long)s->pages);
}

void pb_layout_print(const struct pb_layout *L, const struct pb_xen_kernel *k,
                     void (*out)(void *ctx, const char *line), void *ctx)
{
    unsigned long long vb = L->virt_base;
    if (k) {
        pb_plan_linef(out, ctx, "kernel: GUEST_OS \"%s\" LOADER \"%s\" XEN_VERSION \"%s\"", k->guest_os,
              k->loader, k->xen_version);
        pb_plan_linef(out, ctx, "  virt_base %#llx kstart %#llx kend %#llx entry %#llx", vb,
              (unsigned long long)k->virt_kstart, (unsigned long long)k->virt_kend,
              (unsigned long long)k->virt_entry);
        char p2m[24] = "none", hp[24] = "none";     /* PB_UNSET_ADDR: note absent */
        if (k->p2m_base != PB_UNSET_ADDR)
            snprintf(p2m, sizeof(p2m), "%#llx", (unsigned long long)k->p2m_base);
        if (k->hypercall_page != PB_UNSET_ADDR)
            snprintf(hp, sizeof(hp), "%#llx", (unsigned long long)k->hypercall_page);
        pb_plan_linef(out, ctx, "  init_p2m %s mod_start_pfn %d hypercall_page %s features %#x/%#x", p2m,
              k->unmapped_initrd, hp, k->f_supported, k->f_required);
    }
    pb_plan_linef(out, ctx, "layout: %llu pages (%llu MiB)", (unsigned long long)L->nr_pages,
          (unsigned long long)(L->nr_pages >> 8));
    seg_line(out, ctx, "kernel", &L->kernel);
    if (L->have_initrd)
        seg_line(out, ctx, L->initrd_mapped ? "initrd" : "initrd(pfn)", &L->initrd);
    seg_line(out, ctx, L->p2m_mapped ? "p2m" : "p2m(INIT_P2M)", &L->p2m);
    pb_plan_linef(out, ctx, "  start_info   pfn %#llx", (unsigned long long)L->start_info_pfn);
    pb_plan_linef(out, ctx, "  xenstore     pfn %#llx", (unsigned long long)L->xenstore_pfn);
    pb_plan_linef(out, ctx, "  console      pfn %#llx", (unsigned long long)L->console_pfn);
    seg_line(out, ctx, "page tables", &L->pgtables);
    pb_plan_linef(out, ctx, "  boot stack   pfn %#llx", (unsigned long long)L->bootstack_pfn);
    pb_plan_linef(out, ctx, "  padding      pfn %#llx + %#llx pages, mapping ends at va %#llx",
          (unsigned long long)L->pad_pfn, (unsigned long long)L->pad_pages,
          (unsigned long long)L->virt_pgtab_end);
    pb_plan_linef(out, ctx, "  end          pfn %#llx", (unsigned long long)L->pfn_alloc_end);
    for (unsigned m = 0; m < L->n_maps; m++) {
        const struct pb_lmap *M = &L->maps[m];
        pb_plan_linef(out, ctx, "mapping %u: va %#llx-%#llx -> pfn %#llx, %u table frames", m,
              (unsigned long long)M->area.from, (unsigned long long)M->area.to,
              (unsigned long long)M->area.pfn, M->area.pgtables);
        for (int l = 3; l >= 0; l--)
            if (M->lvls[l].pgtables)
                pb_plan_linef(out, ctx, "  L%d: %u frame(s) at pfn %#llx covering %#llx-%#llx", l + 1,
                      M->lvls[l].pgtables, (unsigned long long)M->lvls[l].pfn,
                      (unsigned long long)M->lvls[l].from, (unsigned long long)M->lvls[l].to);
    }
    pb_plan_linef(out, ctx, "start_info: nr_pages %#llx flags %#x pt_base %#llx nr_pt_frames %llu",
          (unsigned long long)L->nr_pages, L->si_flags, (unsigned long long)L->si_pt_base,
          (unsigned long long)L->si_nr_pt_frames);
    pb_plan_linef(out, ctx, "  mfn_list %#llx mod_start %#llx mod_len %llu first_p2m_pfn %#llx nr_p2m_frames %llu",
          (unsigned long long)L->si_mfn_list, (unsigned long long)L->si_mod_start,
          (unsigned long long)L->si_mod_len, (unsigned long long)L->si_first_p2m_pfn,
          (unsigned long long)L->si_nr_p2m_frames);
    pb_plan_linef(out, ctx, "registers: rip %#llx rsp %#llx rsi %#llx", (unsigned long long)L->entry,
          (unsigned long long)L->stack_top, (unsigned long long)L->start_info_va);
}
