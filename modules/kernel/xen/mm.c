/* SPDX-License-Identifier: MIT */
/*
 * Memory: the page-frame allocator (both modes), and for PV: page tables
 * mapping all guest RAM at VA == pfn << 12 (docs §4), pb_map_mfn/pb_unmap_va
 * and `lsmem` data.  (PVH page tables: entry_pvh.S, pvh.c.)
 *
 * PV pseudo-physical layout after pb_mm_init():
 *   pfn 0                    reserved, unmapped (NULL faults)
 *   [1, image)               free
 *   [image, boot_data_end)   our image + boot data (p2m list, start_info,
 *                            xenstore/console rings, boot page tables, boot
 *                            stack) — reserved
 *   [boot_data_end, boot_end) padding of the boot mapping — free
 *   [pt_start, pt_end)       our page tables (mapped read-only)
 *   [meta_start, meta_end)   allocator bitmap + per-page heap info
 *   rest                     free
 */
#include <stdio.h>
#include <string.h>
#include "xen_internal.h"
#include "pvboot/err.h"
#include "pvboot/image.h"
#include "pvboot/kernel.h"
#include "pvboot/term.h"

extern const struct pvboot_image_info pvboot_image_info;

static unsigned long image_start_pfn, image_end_pfn, boot_data_end_pfn, boot_end_pfn;
static unsigned long pt_start_pfn, pt_end_pfn, meta_start_pfn, meta_end_pfn;
static unsigned long boot_pt_pfn, boot_pt_frames;
static unsigned long l4_pfn;               /* our top-level table */
static uint64_t *page_bitmap;              /* 1 = used */
static size_t free_pages, extra_pt_pages;
uint32_t *pb_page_info;
static unsigned long extra_va_next = PB_EXTRA_VA_BASE;

/* A page-aligned scratch window in .bss, used to fill table frames that are
 * not mapped yet. */
static char pt_window[PB_PAGE_SIZE] __attribute__((aligned(4096)));

static inline bool bit_test(unsigned long pfn) { return page_bitmap[pfn / 64] >> (pfn % 64) & 1; }
static inline void bit_set(unsigned long pfn) { page_bitmap[pfn / 64] |= 1ull << (pfn % 64); }
static inline void bit_clear(unsigned long pfn) { page_bitmap[pfn / 64] &= ~(1ull << (pfn % 64)); }

/* Ranges never given out (pb_free_pages panics on them). */
#define MAX_RESV 64
static struct { unsigned long from, to; const char *what; } resv[MAX_RESV];
static unsigned nresv;
static size_t total_pages;                 /* pages the allocator manages */

static bool is_reserved(unsigned long pfn)
{
    for (unsigned i = 0; i < nresv; i++)
        if (pfn >= resv[i].from && pfn < resv[i].to)
            return true;
    return false;
}

static void mark_used(unsigned long from, unsigned long to)
{
    for (unsigned long p = from; p < to && p < pb_nr_pages; p++)
        if (!bit_test(p)) {
            bit_set(p);
            free_pages--;
        }
}

/* Look up the PTE for @va in the tables rooted at the frame mapped at
 * @l4 (all levels readable through VA == pfn << 12 of the boot mapping or
 * ours).  Returns 0 when not present. */
static uint64_t pt_lookup(const uint64_t *l4, unsigned long va)
{
    const uint64_t *t = l4;
    for (int level = 3; level >= 0; level--) {
        uint64_t e = t[(va >> (12 + 9 * level)) & 511];
        if (!(e & PTE_P))
            return 0;
        if (level == 0)
            return e;
        unsigned long pfn = pb_mfn_to_pfn((e & 0x000ffffffffff000ull) >> 12);
        if (pfn >= pb_nr_pages)
            return 0;
        t = pb_pfn_to_virt(pfn);
    }
    return 0;
}

static void window_map(xen_pfn_t mfn)
{
    long rc = hyp_update_va_mapping((unsigned long)pt_window, (mfn << 12) | PTE_DATA,
                                    UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        pb_panic("mm: update_va_mapping(window, mfn %#lx) failed: %ld", (unsigned long)mfn, rc);
}

static bool is_pt_pfn(unsigned long pfn)
{
    return (pfn >= pt_start_pfn && pfn < pt_end_pfn) ||
           (pfn >= boot_pt_pfn && pfn < boot_pt_pfn + boot_pt_frames);
}

/*
 * Build 4-level tables for pfns [0, nr_pages) in frames [pt_start, pt_end),
 * filled one by one through pt_window, then switch to them with one
 * mmuext batch {PIN_L4 new, NEW_BASEPTR new, UNPIN old}.
 */
static void build_page_tables(void)
{
    unsigned long n = pb_nr_pages;
    unsigned long n1 = (n + 511) / 512, n2 = (n1 + 511) / 512, n3 = (n2 + 511) / 512;
    unsigned long total = n1 + n2 + n3 + 1;
    /* frame order: L1s, L2s, L3s, L4 */
    pt_start_pfn = boot_end_pfn;
    pt_end_pfn = pt_start_pfn + total;
    if (pt_end_pfn > n)
        pb_panic("mm: %lu page-table frames do not fit above pfn %#lx (nr_pages %#lx)",
                 total, boot_end_pfn, n);
    unsigned long l1_base = pt_start_pfn, l2_base = l1_base + n1, l3_base = l2_base + n2;
    l4_pfn = l3_base + n3;
    uint64_t *w = (uint64_t *)pt_window;
    xen_pfn_t window_mfn = pb_virt_to_mfn(pt_window);

    for (unsigned long i = 0; i < n1; i++) {
        window_map(pb_p2m[l1_base + i]);
        for (unsigned j = 0; j < 512; j++) {
            unsigned long pfn = i * 512 + j;
            if (pfn == 0 || pfn >= n)
                w[j] = 0;
            else
                w[j] = ((uint64_t)pb_p2m[pfn] << 12) | (is_pt_pfn(pfn) ? PTE_RO : PTE_DATA);
        }
    }
    struct { unsigned long base, count, child_base, child_count; } lv[3] = {
        { l2_base, n2, l1_base, n1 }, { l3_base, n3, l2_base, n2 }, { l4_pfn, 1, l3_base, n3 },
    };
    for (int k = 0; k < 3; k++) {
        for (unsigned long i = 0; i < lv[k].count; i++) {
            window_map(pb_p2m[lv[k].base + i]);
            for (unsigned j = 0; j < 512; j++) {
                unsigned long c = i * 512 + j;
                w[j] = c < lv[k].child_count
                     ? ((uint64_t)pb_p2m[lv[k].child_base + c] << 12) | PTE_DATA : 0;
            }
        }
    }
    window_map(window_mfn);   /* no writable alias of a table frame may remain */

    struct mmuext_op ops[3];
    memset(ops, 0, sizeof ops);
    ops[0].cmd = MMUEXT_PIN_L4_TABLE;
    ops[0].arg1.mfn = pb_p2m[l4_pfn];
    ops[1].cmd = MMUEXT_NEW_BASEPTR;
    ops[1].arg1.mfn = pb_p2m[l4_pfn];
    ops[2].cmd = MMUEXT_UNPIN_TABLE;
    ops[2].arg1.mfn = pb_p2m[boot_pt_pfn];
    unsigned done = 0;
    long rc = pb_hypercall(__HYPERVISOR_mmuext_op, ops, 3, &done, DOMID_SELF, 0);
    if (rc && done < 2)
        pb_panic("mm: switching page tables failed: mmuext_op rc %ld after %u ops", rc, done);
    if (rc)
        pb_kprintf("pvboot: warning: unpinning the boot page tables failed (%ld)\n", rc);
}

unsigned long pb_extra_va_alloc(size_t npages)
{
    unsigned long va = extra_va_next;
    extra_va_next += (npages + 1) << PB_PAGE_SHIFT;   /* one guard page */
    return va;
}

void pb_mm_init(void)
{
    const struct pvboot_image_info *ii = &pvboot_image_info;
    if (ii->magic != PVBOOT_IMAGE_MAGIC)
        pb_panic("mm: pvboot_image_info magic %#x is wrong (image corrupt?)", ii->magic);
    image_start_pfn = ii->image_start >> PB_PAGE_SHIFT;
    image_end_pfn = (ii->image_end + PB_PAGE_SIZE - 1) >> PB_PAGE_SHIFT;
    boot_pt_pfn = pb_virt_to_pfn((void *)pb_start_info->pt_base);
    boot_pt_frames = pb_start_info->nr_pt_frames;
    boot_data_end_pfn = pb_boot_stack_pfn + 1;
    if (boot_data_end_pfn < boot_pt_pfn + boot_pt_frames)
        boot_data_end_pfn = boot_pt_pfn + boot_pt_frames;
    if (boot_data_end_pfn < image_end_pfn || boot_data_end_pfn > pb_nr_pages || image_start_pfn == 0)
        pb_panic("mm: odd boot layout: image pfns %#lx-%#lx, boot data end %#lx, nr_pages %#lx",
                 image_start_pfn, image_end_pfn, boot_data_end_pfn, pb_nr_pages);

    /* end of the builder's mapping: first unmapped pfn after the boot data */
    const uint64_t *boot_l4 = (const uint64_t *)pb_start_info->pt_base;
    boot_end_pfn = boot_data_end_pfn;
    while (boot_end_pfn < pb_nr_pages && pt_lookup(boot_l4, boot_end_pfn << PB_PAGE_SHIFT))
        boot_end_pfn++;

    build_page_tables();

    /* allocator metadata right after the page tables (mapped RW now) */
    meta_start_pfn = pt_end_pfn;
    if (meta_start_pfn + pb_alloc_meta_pages() > pb_nr_pages)
        pb_panic("mm: no room for allocator metadata (%lu pages)", pb_alloc_meta_pages());
    pb_alloc_setup(meta_start_pfn, &meta_end_pfn);
    pb_alloc_reserve(0, 1, NULL);
    pb_alloc_reserve(image_start_pfn, boot_data_end_pfn, NULL);
    pb_alloc_reserve(pt_start_pfn, meta_end_pfn, NULL);

    /* shared_info */
    unsigned long va = pb_extra_va_alloc(1);
    if (pb_map_mfn(va, pb_start_info->shared_info >> PB_PAGE_SHIFT, PTE_DATA))
        pb_panic("mm: cannot map shared_info (machine address %#lx): %s",
                 (unsigned long)pb_start_info->shared_info, pb_errmsg());
    pb_shared_info = (shared_info_t *)va;
}

unsigned long pb_alloc_meta_pages(void)
{
    size_t bitmap_bytes = ((pb_nr_pages + 63) / 64) * 8;
    size_t info_bytes = pb_nr_pages * sizeof(uint32_t);
    return (bitmap_bytes + PB_PAGE_SIZE - 1) / PB_PAGE_SIZE +
           (info_bytes + PB_PAGE_SIZE - 1) / PB_PAGE_SIZE;
}

void pb_alloc_setup(unsigned long meta_pfn, unsigned long *meta_end)
{
    size_t bitmap_bytes = ((pb_nr_pages + 63) / 64) * 8;
    unsigned long meta_pages = pb_alloc_meta_pages();
    page_bitmap = pb_pfn_to_virt(meta_pfn);
    pb_page_info = (uint32_t *)((char *)page_bitmap +
                                ((bitmap_bytes + PB_PAGE_SIZE - 1) & ~(PB_PAGE_SIZE - 1)));
    memset(page_bitmap, 0, meta_pages * PB_PAGE_SIZE);
    free_pages = pb_nr_pages;
    total_pages = pb_nr_pages;
    /* bits beyond nr_pages in the last word: used */
    for (unsigned long p = pb_nr_pages; p % 64; p++)
        bit_set(p);
    *meta_end = meta_pfn + meta_pages;
}

void pb_alloc_hole(unsigned long from, unsigned long to)
{
    if (to > pb_nr_pages)
        to = pb_nr_pages;
    for (unsigned long p = from; p < to; p++)
        if (!bit_test(p)) {
            bit_set(p);
            free_pages--;
            total_pages--;
        }
    if (from < to && nresv < MAX_RESV) {
        resv[nresv].from = from;
        resv[nresv].to = to;
        resv[nresv].what = NULL;
        nresv++;
    } else if (from < to) {
        pb_panic("mm: more than %d reserved ranges", MAX_RESV);
    }
}

void pb_alloc_reserve(unsigned long from, unsigned long to, const char *what)
{
    if (to > pb_nr_pages)
        to = pb_nr_pages;
    if (from >= to)
        return;
    mark_used(from, to);
    if (nresv < MAX_RESV) {
        resv[nresv].from = from;
        resv[nresv].to = to;
        resv[nresv].what = what;
        nresv++;
    } else {
        pb_panic("mm: more than %d reserved ranges", MAX_RESV);
    }
}

/* Find @n free pages aligned to @align (pages, power of two); first fit. */
static long find_run(size_t n, size_t align)
{
    unsigned long p = 1;
    while (p + n <= pb_nr_pages) {
        if (p % 64 == 0 && page_bitmap[p / 64] == ~0ull) {
            p += 64;
            continue;
        }
        if (p & (align - 1)) {
            p = (p + align) & ~(align - 1);
            continue;
        }
        size_t run = 0;
        while (run < n && !bit_test(p + run))
            run++;
        if (run == n)
            return (long)p;
        p += run + 1;
    }
    return -1;
}

void *pb_alloc_pages_raw(size_t n, size_t align_pages)
{
    if (n == 0 || n > free_pages || align_pages == 0 || (align_pages & (align_pages - 1)))
        return NULL;
    long p = find_run(n, align_pages);
    if (p < 0)
        return NULL;
    mark_used((unsigned long)p, (unsigned long)p + n);
    return pb_pfn_to_virt((unsigned long)p);
}

void *pb_alloc_pages(size_t n)
{
    void *v = pb_alloc_pages_raw(n, 1);
    if (v)
        memset(v, 0, n << PB_PAGE_SHIFT);
    return v;
}

bool pb_pages_claim(unsigned long pfn, size_t n)
{
    if (pfn + n > pb_nr_pages || pfn + n < pfn)
        return false;
    for (size_t i = 0; i < n; i++)
        if (bit_test(pfn + i))
            return false;
    mark_used(pfn, pfn + n);
    return true;
}

bool pb_pages_free(unsigned long pfn, size_t n)
{
    if (pfn == 0 || pfn + n > pb_nr_pages || pfn + n < pfn)
        return false;
    for (size_t i = 0; i < n; i++)
        if (bit_test(pfn + i))
            return false;
    return true;
}

void *pb_alloc_pages_at(unsigned long pfn, size_t n)
{
    if (n == 0 || !pb_pages_free(pfn, n))
        return NULL;
    mark_used(pfn, pfn + n);
    void *va = pb_pfn_to_virt(pfn);
    memset(va, 0, n << PB_PAGE_SHIFT);
    return va;
}

void pb_free_pages(void *va, size_t n)
{
    unsigned long pfn = pb_virt_to_pfn(va);
    if (((unsigned long)va & (PB_PAGE_SIZE - 1)) || pfn == 0 || pfn + n > pb_nr_pages)
        pb_panic("pb_free_pages(%p, %zu): not a page range of guest RAM", va, n);
    for (size_t i = 0; i < n; i++) {
        if (!bit_test(pfn + i))
            pb_panic("pb_free_pages(%p, %zu): pfn %#lx is already free", va, n, pfn + i);
        if (is_reserved(pfn + i))
            pb_panic("pb_free_pages(%p, %zu): pfn %#lx is reserved", va, n, pfn + i);
        bit_clear(pfn + i);
        free_pages++;
    }
}

void pb_mem_stats(size_t *free_out, size_t *total_out)
{
    if (free_out)
        *free_out = free_pages;
    if (total_out)
        *total_out = total_pages;
}

/* Machine address of the entry for @va at @level (3 = L4 … 0 = L1) in our
 * tables, creating missing intermediate tables.  Returns 0 on failure. */
static uint64_t entry_maddr(unsigned long va, int level_wanted)
{
    unsigned long table_pfn = l4_pfn;
    for (int level = 3;; level--) {
        unsigned idx = (va >> (12 + 9 * level)) & 511;
        uint64_t maddr = ((uint64_t)pb_p2m[table_pfn] << 12) + idx * 8;
        if (level == level_wanted)
            return maddr;
        uint64_t e = ((uint64_t *)pb_pfn_to_virt(table_pfn))[idx];
        if (!(e & PTE_P)) {
            uint64_t *nt = pb_alloc_pages(1);
            if (!nt) {
                pb_error(PB_ENOMEM, "mm: no page for a page table (mapping %#lx)", va);
                return 0;
            }
            unsigned long npfn = pb_virt_to_pfn(nt);
            long rc = hyp_update_va_mapping((unsigned long)nt,
                                            ((uint64_t)pb_p2m[npfn] << 12) | PTE_RO,
                                            UVMF_INVLPG | UVMF_LOCAL);
            mmu_update_t u = { .ptr = maddr | MMU_NORMAL_PT_UPDATE,
                               .val = ((uint64_t)pb_p2m[npfn] << 12) | PTE_DATA };
            unsigned done = 0;
            if (!rc)
                rc = pb_hypercall(__HYPERVISOR_mmu_update, &u, 1, &done, DOMID_SELF, 0);
            if (rc) {
                pb_error(PB_EXEN, "mm: installing a level-%d table for %#lx failed (%ld)",
                         level, va, rc);
                return 0;
            }
            extra_pt_pages++;
            e = u.val;
        }
        table_pfn = pb_mfn_to_pfn((e & 0x000ffffffffff000ull) >> 12);
        if (table_pfn >= pb_nr_pages) {
            pb_error(PB_EXEN, "mm: table for %#lx at level %d has no pfn", va, level);
            return 0;
        }
    }
}

int pb_pv_map_frame(unsigned long va, xen_pfn_t mfn, uint64_t pte_flags)
{
    if (va & (PB_PAGE_SIZE - 1))
        return pb_error(PB_EINVAL, "pb_map_mfn: VA %#lx not page aligned", va);
    uint64_t maddr = entry_maddr(va, 0);
    if (!maddr)
        return pb_errcode() ? pb_errcode() : PB_EXEN;
    long rc = hyp_update_va_mapping(va, ((uint64_t)mfn << 12) | pte_flags, UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        return pb_error(PB_EXEN, "update_va_mapping(%#lx -> mfn %#lx) failed: %ld", va,
                        (unsigned long)mfn, rc);
    return 0;
}

int pb_pv_unmap_va(unsigned long va)
{
    long rc = hyp_update_va_mapping(va & ~(PB_PAGE_SIZE - 1), 0, UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        return pb_error(PB_EXEN, "unmapping VA %#lx failed: %ld", va, rc);
    return 0;
}

/* lsmem under PV: the layout (pfn ranges, inclusive-exclusive) and usage. */
void pb_pv_print_layout(void)
{
    pb_printf("guest RAM: %lu pages (%lu MiB), pfn 0x0-%#lx\n", pb_nr_pages,
               pb_nr_pages >> 8, pb_nr_pages);
    pb_printf("  %-22s pfn %#8lx-%#8lx\n", "null page (unmapped)", 0ul, 1ul);
    pb_printf("  %-22s pfn %#8lx-%#8lx\n", "image", image_start_pfn, image_end_pfn);
    pb_printf("  %-22s pfn %#8lx-%#8lx\n", "boot data", image_end_pfn, boot_data_end_pfn);
    pb_printf("  %-22s pfn %#8lx-%#8lx\n", "  boot page tables", boot_pt_pfn,
               boot_pt_pfn + boot_pt_frames);
    pb_printf("  %-22s pfn %#8lx-%#8lx\n", "boot padding (free)", boot_data_end_pfn, boot_end_pfn);
    pb_printf("  %-22s pfn %#8lx-%#8lx (+%zu added later)\n", "page tables", pt_start_pfn,
               pt_end_pfn, extra_pt_pages);
    pb_printf("  %-22s pfn %#8lx-%#8lx\n", "allocator metadata", meta_start_pfn, meta_end_pfn);
    pb_alloc_print();
    pb_printf("extra mappings (shared_info, grant frames): VA %#llx-%#lx\n",
               PB_EXTRA_VA_BASE, extra_va_next);
}

/* lsmem, both modes: named reserved ranges, heap use, free pages and the
 * largest free ranges. */
void pb_alloc_print(void)
{
    size_t slab = 0, large = 0, nlarge = 0;
    pb_heap_stats(&slab, &large, &nlarge);
    for (unsigned i = 0; i < nresv; i++)
        if (resv[i].what)
            pb_printf("  %-22s pfn %#8lx-%#8lx\n", resv[i].what, resv[i].from, resv[i].to);
    pb_printf("heap: %zu slab pages, %zu pages in %zu large allocations\n", slab, large, nlarge);
    pb_printf("free: %zu pages (%zu KiB) of %zu\n", free_pages, free_pages * 4, total_pages);
    /* free ranges: how many, and the largest ones (what big allocations get) */
    enum { TOP = 8 };
    unsigned long top_start[TOP], top_len[TOP];
    unsigned ntop = 0, nranges = 0;
    for (unsigned long p = 1; p < pb_nr_pages;) {
        if (bit_test(p)) {
            p++;
            continue;
        }
        unsigned long s = p;
        while (p < pb_nr_pages && !bit_test(p))
            p++;
        nranges++;
        unsigned long len = p - s;
        if (ntop == TOP && top_len[TOP - 1] >= len)
            continue;                                /* not among the largest */
        unsigned k = ntop < TOP ? ntop++ : TOP - 1;
        while (k > 0 && top_len[k - 1] < len) {      /* insertion, largest first */
            top_start[k] = top_start[k - 1];
            top_len[k] = top_len[k - 1];
            k--;
        }
        top_start[k] = s;
        top_len[k] = len;
    }
    pb_printf("free ranges: %u; largest:\n", nranges);
    for (unsigned k = 0; k < ntop; k++)
        pb_printf("  free pfn %#8lx-%#8lx (%lu pages, %lu KiB)\n", top_start[k],
                  top_start[k] + top_len[k], top_len[k], top_len[k] * 4);
}

void pb_mm_print_layout(void)
{
    pb_xen_ops->print_layout();
}

xen_pfn_t pb_pfn_to_mfn(unsigned long pfn)
{
    return pb_xen_ops->pfn_to_frame(pfn);
}

int pb_map_mfn(unsigned long va, xen_pfn_t mfn, uint64_t pte_flags)
{
    return pb_xen_ops->map_frame(va, mfn, pte_flags);
}

int pb_unmap_va(unsigned long va)
{
    return pb_xen_ops->unmap_va(va);
}
