/* SPDX-License-Identifier: MIT */
/*
 * Hand-over to the new PV kernel (Xen build only): realise the planned
 * layout (struct pb_layout) in place and jump, doc xen-pv-boot.md §13.
 *
 * No data is copied.  The new p2m is a permutation of our MFNs: every pfn of
 * the new layout gets the MFN of the page that already holds its content
 * (kernel image and initrd buffers, freshly allocated zeroed pages for
 * padding, start_info, p2m, page tables, boot stack), the new xenstore and
 * console pfns get the live ring MFNs, and all other MFNs (our code, our old
 * page tables, everything else) go to the pfns after the layout, which the
 * new page tables do not map.  Every MFN whose pfn changes gets an
 * MMU_MACHPHYS_UPDATE.  The page tables are built with entries from the new
 * p2m; their frames are made read-only in our current mapping before the
 * trampoline pins them.  The trampoline page sits in the new mapping's
 * padding and is mapped at the same VA in our tables (pb_map_mfn), so after
 * mmuext_op {PIN_L4 new, NEW_BASEPTR new, UNPIN old} it continues and jumps.
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

#define PG 4096ull
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define MMU_BATCH 512

struct pb_tramp_data {
    struct mmuext_op ops[3];
    uint64_t done;
    uint64_t rsp, rsi, entry;
};
_Static_assert(sizeof(struct mmuext_op) == 24, "mmuext_op size");
_Static_assert(__builtin_offsetof(struct pb_tramp_data, done) == 72, "TD_DONE");
_Static_assert(__builtin_offsetof(struct pb_tramp_data, rsp) == 80, "TD_RSP");
_Static_assert(__builtin_offsetof(struct pb_tramp_data, entry) == 96, "TD_ENTRY");
#define TRAMP_DATA_OFF 0xe00

extern const char pb_linux_tramp_start[], pb_linux_tramp_end[];

/* State of one hand-over attempt. */
struct ho {
    struct pb_linux_boot *b;
    const struct pb_layout *L;
    xen_pfn_t *src_mfn;        /* [pfn_alloc_end]: MFN for each new pfn */
    uint8_t **src_va;          /* [pfn_alloc_end]: our VA of that page, NULL for rings */
    xen_pfn_t *newp2m;         /* [nr_pages] */
    uint8_t *taken;            /* [nr_pages]: old pfn's MFN already assigned */
    /* allocated page chunks, to free on failure */
    struct { void *va; size_t n; } chunks[64];
    unsigned nchunks;
};

static void ho_free(struct ho *h)
{
    for (unsigned i = 0; i < h->nchunks; i++)
        pb_free_pages(h->chunks[i].va, h->chunks[i].n);
    free(h->src_mfn);
    free(h->src_va);
    free(h->newp2m);
    free(h->taken);
}

/* Give new pfns [pfn, pfn+n) fresh zeroed pages of ours, in as few chunks as
 * the allocator allows. */
static int give_fresh(struct ho *h, uint64_t pfn, uint64_t n)
{
    size_t chunk = n;
    while (n) {
        if (chunk > n)
            chunk = n;
        void *va = pb_alloc_pages(chunk);
        if (!va) {
            if (chunk == 1 || h->nchunks == 64)
                return pb_error(PB_ENOMEM, "linux: out of memory for the new domain's boot pages");
            chunk = (chunk + 1) / 2;
            continue;
        }
        if (h->nchunks == 64) {
            pb_free_pages(va, chunk);
            return pb_error(PB_ENOMEM, "linux: memory too fragmented for the boot pages");
        }
        h->chunks[h->nchunks].va = va;
        h->chunks[h->nchunks++].n = chunk;
        for (size_t i = 0; i < chunk; i++) {
            h->src_va[pfn + i] = (uint8_t *)va + i * PG;
            h->src_mfn[pfn + i] = pb_virt_to_mfn((uint8_t *)va + i * PG);
        }
        pfn += chunk;
        n -= chunk;
    }
    return 0;
}

/* Use our existing buffer @buf (page aligned) for new pfns [pfn, pfn+n). */
static void give_buffer(struct ho *h, uint64_t pfn, uint64_t n, uint8_t *buf)
{
    for (uint64_t i = 0; i < n; i++) {
        h->src_va[pfn + i] = buf + i * PG;
        h->src_mfn[pfn + i] = pb_virt_to_mfn(buf + i * PG);
    }
}

static int find_old_pfn(xen_pfn_t mfn, uint64_t *pfn)
{
    for (uint64_t p = 0; p < pb_nr_pages; p++)
        if (pb_p2m[p] == mfn) {
            *pfn = p;
            return 0;
        }
    return pb_error(PB_EINVAL, "linux: MFN %#" PRIx64 " is not in our p2m", (uint64_t)mfn);
}

/* Build newp2m: the layout's pfns from src_mfn, the rest from the MFNs not
 * used, in old-pfn order. */
static int build_p2m(struct ho *h)
{
    const struct pb_layout *L = h->L;
    uint64_t nr = pb_nr_pages, end = L->pfn_alloc_end;
    for (uint64_t p = 0; p < end; p++) {
        uint64_t old = 0;
        uint8_t *va = h->src_va[p];
        if (va) {
            old = pb_virt_to_pfn(va);
            if (old >= nr || pb_p2m[old] != h->src_mfn[p])
                return pb_error(PB_EINVAL, "linux: page at %p is not identity mapped", (void *)va);
        } else {
            int rc = find_old_pfn(h->src_mfn[p], &old);
            if (rc < 0)
                return rc;
        }
        if (h->taken[old])
            return pb_error(PB_EINVAL, "linux: internal error: pfn %#" PRIx64 " used twice", old);
        h->taken[old] = 1;
        h->newp2m[p] = h->src_mfn[p];
    }
    uint64_t q = 0;
    for (uint64_t p = end; p < nr; p++) {
        while (q < nr && h->taken[q])
            q++;
        if (q >= nr)
            return pb_error(PB_EINVAL, "linux: internal error: ran out of MFNs at pfn %#" PRIx64, p);
        h->taken[q] = 1;
        h->newp2m[p] = pb_p2m[q];
    }
    return 0;
}

static int write_pte(void *ctx, uint64_t table_pfn, unsigned index, uint64_t target_pfn,
                     uint64_t flags)
{
    struct ho *h = ctx;
    if (table_pfn >= h->L->pfn_alloc_end || target_pfn >= pb_nr_pages)
        return pb_error(PB_EINVAL, "linux: page-table entry out of range");
    uint64_t *t = (uint64_t *)h->src_va[table_pfn];
    t[index] = ((uint64_t)h->newp2m[target_pfn] << 12) | flags;
    return 0;
}

static void write_hypercall_page(uint8_t *p)
{
    for (unsigned i = 0; i < PG / 32; i++, p += 32) {
        memset(p, 0xcc, 32);
        unsigned k = 0;
        p[k++] = 0x51;                          /* push %rcx */
        p[k++] = 0x41; p[k++] = 0x53;           /* push %r11 */
        if (i == __HYPERVISOR_iret)
            p[k++] = 0x50;                      /* push %rax */
        p[k++] = 0xb8;                          /* mov $i, %eax */
        p[k++] = (uint8_t)i; p[k++] = 0; p[k++] = 0; p[k++] = 0;
        p[k++] = 0x0f; p[k++] = 0x05;           /* syscall */
        if (i == __HYPERVISOR_iret)
            continue;
        p[k++] = 0x41; p[k++] = 0x5b;           /* pop %r11 */
        p[k++] = 0x59;                          /* pop %rcx */
        p[k++] = 0xc3;                          /* ret */
    }
}

static unsigned long read_cr3(void)
{
    unsigned long v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));   /* emulated by Xen for PV */
    return v;
}

static void print_summary(const struct pb_linux_boot *b, const struct pb_layout *L)
{
    pb_printf("linux: %s: read %" PRIu64 " ms, decompress %" PRIu64 " ms, layout %" PRIu64
              " ms; kernel %" PRIu64 " KiB, initrd %" PRIu64 " KiB, %" PRIu64 " MiB domain\n",
              b->kernel_path, b->t_read_ns / 1000000, b->t_decomp_ns / 1000000,
              b->t_layout_ns / 1000000, L->kernel.pages * 4, (b->initrd_len + 1023) / 1024,
              L->nr_pages >> 8);
}

int pb_linux_handover(struct pb_linux_boot *b, const struct pb_layout *L)
{
    struct ho h = { .b = b, .L = L };
    uint64_t t0 = pb_time_ns();
    uint64_t end = L->pfn_alloc_end, nr = pb_nr_pages;
    int rc = 0;

    if (L->nr_pages != nr)
        return pb_error(PB_EINVAL, "linux: layout planned for %" PRIu64 " pages, domain has %" PRIu64,
                        L->nr_pages, (uint64_t)nr);
    if (L->kernel.pages != b->kimage_pages)
        return pb_error(PB_EINVAL, "linux: kernel image size mismatch");
    h.src_mfn = calloc(end, sizeof(*h.src_mfn));
    h.src_va = calloc(end, sizeof(*h.src_va));
    h.newp2m = calloc(nr, sizeof(*h.newp2m));
    h.taken = calloc(nr, 1);
    if (!h.src_mfn || !h.src_va || !h.newp2m || !h.taken) {
        rc = pb_error(PB_ENOMEM, "linux: out of memory for the hand-over tables");
        goto fail;
    }

    /* 1. which page becomes which new pfn */
    uint64_t p = 0;
    if ((rc = give_fresh(&h, 0, L->kernel.pfn)) < 0)
        goto fail;
    give_buffer(&h, L->kernel.pfn, L->kernel.pages, b->kimage);
    p = L->kernel.pfn + L->kernel.pages;
    if (L->have_initrd && L->initrd_mapped) {
        give_buffer(&h, L->initrd.pfn, L->initrd.pages, b->initrd);
        p = L->initrd.pfn + L->initrd.pages;
    }
    /* everything up to the end of the padding: fresh pages, except the rings */
    uint64_t map_end = L->pad_pfn + L->pad_pages;
    if ((rc = give_fresh(&h, p, map_end - p)) < 0)
        goto fail;
    h.src_va[L->xenstore_pfn] = NULL;
    h.src_mfn[L->xenstore_pfn] = pb_start_info->store_mfn;
    h.src_va[L->console_pfn] = NULL;
    h.src_mfn[L->console_pfn] = pb_start_info->console.domU.mfn;
    p = map_end;
    if (L->have_initrd && !L->initrd_mapped) {
        give_buffer(&h, L->initrd.pfn, L->initrd.pages, b->initrd);
        p = L->initrd.pfn + L->initrd.pages;
    }
    if (p < end && (rc = give_fresh(&h, p, end - p)) < 0)
        goto fail;
    /* the fresh pages that the rings replaced are simply unused: they go to
     * the high pfns like every other MFN not in the layout */

    /* 2. the new p2m */
    if ((rc = build_p2m(&h)) < 0)
        goto fail;

    /* 3. contents: p2m list, page tables, start_info, hypercall page */
    for (uint64_t i = 0; i < L->p2m_list_pages; i++) {
        uint8_t *dst = h.src_va[L->p2m.pfn + i];
        uint64_t first = i * (PG / 8), n = nr - first < PG / 8 ? nr - first : PG / 8;
        memcpy(dst, &h.newp2m[first], n * 8);
    }
    if ((rc = pb_layout_pt_foreach(L, write_pte, &h)) < 0)
        goto fail;
    start_info_t *si = (start_info_t *)h.src_va[L->start_info_pfn];
    memcpy(si->magic, pb_start_info->magic, sizeof(si->magic));
    si->magic[sizeof(si->magic) - 1] = 0;
    si->nr_pages = nr;
    si->shared_info = pb_start_info->shared_info;
    si->flags = L->si_flags;
    si->store_mfn = pb_start_info->store_mfn;
    si->store_evtchn = pb_start_info->store_evtchn;
    si->console.domU.mfn = pb_start_info->console.domU.mfn;
    si->console.domU.evtchn = pb_start_info->console.domU.evtchn;
    si->pt_base = L->si_pt_base;
    si->nr_pt_frames = L->si_nr_pt_frames;
    si->mfn_list = L->si_mfn_list;
    si->mod_start = L->si_mod_start;
    si->mod_len = L->si_mod_len;
    si->first_p2m_pfn = L->si_first_p2m_pfn;
    si->nr_p2m_frames = L->si_nr_p2m_frames;
    strlcpy((char *)si->cmd_line, b->cmdline, sizeof(si->cmd_line));
    if (L->hypercall_page != PB_UNSET_ADDR) {
        uint64_t hp = (L->hypercall_page - L->virt_base) / PG;
        write_hypercall_page(h.src_va[hp]);
    }

    /* 4. the trampoline page: the last padding page whose VA is free in our
     * tables (with VIRT_BASE 0 the VA is one of our identity VAs: then avoid
     * the pages this code and its stack run on) */
    uint64_t tpfn = 0;
    bool found = false;
    unsigned long code_pfn = (unsigned long)(uintptr_t)&pb_linux_handover >> 12;
    unsigned long stack_pfn = (unsigned long)(uintptr_t)__builtin_frame_address(0) >> 12;
    for (uint64_t i = L->pad_pages; i-- > 0 && !found;) {
        uint64_t cand = L->pad_pfn + i;
        uint64_t va = L->virt_base + cand * PG;
        uint64_t vpfn = va >> 12;
        bool near_code = vpfn + 2 >= code_pfn && vpfn <= code_pfn + 2;
        bool near_stack = vpfn + 4 >= stack_pfn && vpfn <= stack_pfn + 1;
        if (va < (uint64_t)nr * PG && (near_code || near_stack))
            continue;
        if (!h.src_va[cand])
            continue;
        tpfn = cand;
        found = true;
    }
    if (!found) {
        rc = pb_error(PB_EINVAL, "linux: no page for the trampoline in the padding");
        goto fail;
    }
    uint8_t *tpage = h.src_va[tpfn];
    uint64_t tva = L->virt_base + tpfn * PG;
    size_t tlen = (size_t)(pb_linux_tramp_end - pb_linux_tramp_start);
    if (tlen > TRAMP_DATA_OFF) {
        rc = pb_error(PB_EINVAL, "linux: trampoline too large");
        goto fail;
    }
    memcpy(tpage, pb_linux_tramp_start, tlen);
    struct pb_tramp_data *td = (struct pb_tramp_data *)(tpage + TRAMP_DATA_OFF);
    uint64_t l4pfn = L->maps[0].lvls[3].pfn;
    td->ops[0].cmd = MMUEXT_PIN_L4_TABLE;
    td->ops[0].arg1.mfn = h.newp2m[l4pfn];
    td->ops[1].cmd = MMUEXT_NEW_BASEPTR;
    td->ops[1].arg1.mfn = h.newp2m[l4pfn];
    td->ops[2].cmd = MMUEXT_UNPIN_TABLE;
    td->ops[2].arg1.mfn = read_cr3() >> 12;
    td->done = 0;
    td->rsp = L->stack_top;
    td->rsi = L->start_info_va;
    td->entry = L->entry;

    b->t_layout_ns += pb_time_ns() - t0;
    print_summary(b, L);
    pb_printf("linux: starting the kernel at %#" PRIx64 "\n", L->entry);

    /* 5. nothing may fail silently from here: quiesce the runtime */
    pb_before_handover();

    /* 6. the trampoline at its new VA in our tables.  Before the m2p
     * changes: pb_map_mfn walks our page tables through the m2p. */
    if (pb_map_mfn(tva, h.src_mfn[tpfn], PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D) < 0)
        pb_panic("linux: cannot map the trampoline at %#" PRIx64 ": %s", tva, pb_errmsg());

    /* 7. m2p for every MFN that moves (nothing below may look pfns up
     * through the m2p any more) */
    {
        mmu_update_t req[MMU_BATCH];
        unsigned n = 0;
        for (uint64_t q = 0; q < nr; q++) {
            if (h.newp2m[q] == pb_p2m[q])
                continue;
            req[n].ptr = ((uint64_t)h.newp2m[q] << 12) | MMU_MACHPHYS_UPDATE;
            req[n].val = q;
            if (++n == MMU_BATCH || q + 1 == nr) {
                unsigned done = 0;
                long e = pb_hypercall(__HYPERVISOR_mmu_update, req, n, &done, DOMID_SELF, 0);
                if (e < 0)
                    pb_panic("linux: MMU_MACHPHYS_UPDATE failed (%ld) at pfn %#" PRIx64, e, q);
                n = 0;
            }
        }
        if (n) {
            unsigned done = 0;
            long e = pb_hypercall(__HYPERVISOR_mmu_update, req, n, &done, DOMID_SELF, 0);
            if (e < 0)
                pb_panic("linux: MMU_MACHPHYS_UPDATE failed (%ld)", e);
        }
    }

    /* 8. page-table frames read-only in our mapping */
    for (uint64_t q = 0; q < end; q++) {
        if (!pb_layout_is_pt_pfn(L, q))
            continue;
        uint64_t pte = ((uint64_t)h.src_mfn[q] << 12) | PTE_P | PTE_US | PTE_A;
        long e = pb_hypercall(__HYPERVISOR_update_va_mapping, (unsigned long)h.src_va[q], pte,
                              UVMF_INVLPG | UVMF_LOCAL, 0, 0);
        if (e < 0)
            pb_panic("linux: cannot make page-table frame pfn %#" PRIx64 " read-only (%ld)", q, e);
    }

    /* 9. jump through the trampoline */
    long (*tramp)(struct pb_tramp_data *) = (long (*)(struct pb_tramp_data *))(uintptr_t)tva;
    long e = tramp((struct pb_tramp_data *)(uintptr_t)(tva + TRAMP_DATA_OFF));
    pb_panic("linux: Xen refused the new page tables: mmuext_op returned %ld after %" PRIu64
             " of 3 operations", e, td->done);

fail:
    ho_free(&h);
    return rc;
}
