/* SPDX-License-Identifier: MIT */
/*
 * xg-layout KERNEL MIB [INITRD]: run libxenguest's own x86_64 PV domain
 * builder offline (dummy xc handle; the guest memory is a local sparse
 * mapping, foreign maps become scratch pages; the approach of
 * tests/unit/test_linux_layout.c) and print its layout as one JSON object
 * with the keys and hex-string values of `pvboot-probe --json --memory`'s
 * "layout" member.  Built and run by tests/host/probe_layout.sh.
 * Exit status: 0, or 1 when xc_dom_build_image() refuses (printed as
 * {"error": "..."}), 2 on usage or setup errors.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xenctrl.h>
#include <xenguest.h>

#define FAKE_MFN_BASE 0x100000ull

/* libxenguest writes the console/xenstore pages through foreign mappings:
 * give it scratch memory (interposes libxenctrl's function). */
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot, unsigned long mfn);
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot, unsigned long mfn)
{
    (void)xch;
    (void)dom;
    (void)prot;
    (void)mfn;
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void seg(const char *key, const struct xc_dom_seg *s)
{
    printf("  \"%s\": {\"pfn\": \"%#" PRIx64 "\", \"pages\": \"%#" PRIx64 "\", \"vstart\": \"%#" PRIx64
           "\", \"vend\": \"%#" PRIx64 "\"},\n",
           key, (uint64_t)s->pfn, (uint64_t)s->pages, (uint64_t)s->vstart, (uint64_t)s->vend);
}

static void hex(const char *key, uint64_t v)
{
    printf("  \"%s\": \"%#" PRIx64 "\",\n", key, v);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: xg-layout KERNEL MIB [INITRD]\n");
        return 2;
    }
    char *end = NULL;
    unsigned long mib = strtoul(argv[2], &end, 10);
    if (!*argv[2] || *end || mib == 0 || mib > (1ul << 20)) {
        fprintf(stderr, "xg-layout: %s: bad MiB\n", argv[2]);
        return 2;
    }
    xc_interface *xch = xc_interface_open(NULL, NULL, XC_OPENFLAG_DUMMY);
    struct xc_dom_image *dom = xch ? xc_dom_allocate(xch, "", NULL) : NULL;
    if (!dom) {
        fprintf(stderr, "xg-layout: cannot open libxenguest (dummy)\n");
        return 2;
    }
    strcpy(dom->xen_caps, "xen-3.0-x86_64");
    if (xc_dom_kernel_file(dom, argv[1]) != 0 ||
        (argc == 4 && xc_dom_module_file(dom, argv[3], NULL) != 0) ||
        xc_dom_parse_image(dom) != 0 || xc_dom_mem_init(dom, (unsigned)mib) != 0) {
        fprintf(stderr, "xg-layout: %s: libxenguest cannot load/parse it\n", argv[1]);
        return 2;
    }
    uint64_t pages = dom->total_pages;
    dom->p2m_size = pages;
    dom->pv_p2m = calloc(pages, sizeof(xen_pfn_t));
    struct xc_dom_phys *ph = calloc(1, sizeof(*ph));
    uint8_t *mem = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (!dom->pv_p2m || !ph || mem == MAP_FAILED) {
        fprintf(stderr, "xg-layout: out of memory\n");
        return 2;
    }
    for (uint64_t i = 0; i < pages; i++)
        dom->pv_p2m[i] = FAKE_MFN_BASE + i;
    ph->ptr = mem;
    ph->first = 0;
    ph->count = pages;
    dom->phys_pages = ph;
    if (xc_dom_build_image(dom) != 0) {
        printf("{\"error\": \"xc_dom_build_image failed\"}\n");
        return 1;
    }
    if (dom->arch_hooks->setup_pgtables(dom) != 0 || dom->arch_hooks->start_info(dom) != 0) {
        fprintf(stderr, "xg-layout: setup_pgtables/start_info failed\n");
        return 2;
    }
    const start_info_t *si = (const start_info_t *)(mem + dom->start_info_pfn * 4096);
    printf("{\n  \"memory_mib\": %lu,\n", mib);
    hex("nr_pages", pages);
    /* struct elf_dom_parms is opaque here: the kernel segment's pfn maps to
     * its vstart, and pfn 0 to virt_base */
    uint64_t virt_base = dom->kernel_seg.vstart - dom->kernel_seg.pfn * 4096;
    hex("virt_base", virt_base);
    seg("kernel", &dom->kernel_seg);
    if (dom->num_modules)
        seg("initrd", &dom->modules[0].seg);
    else
        printf("  \"initrd\": null,\n");
    seg("p2m", &dom->p2m_seg);
    hex("start_info_pfn", dom->start_info_pfn);
    hex("xenstore_pfn", dom->xenstore_pfn);
    hex("console_pfn", dom->console_pfn);
    seg("pgtables", &dom->pgtables_seg);
    hex("bootstack_pfn", dom->bootstack_pfn);
    hex("virt_pgtab_end", dom->virt_pgtab_end);
    hex("pfn_alloc_end", dom->pfn_alloc_end);
    printf("  \"start_info\": {\"nr_pages\": \"%#" PRIx64 "\", \"flags\": \"%#" PRIx32
           "\", \"pt_base\": \"%#" PRIx64 "\", \"nr_pt_frames\": \"%#" PRIx64 "\", \"mfn_list\": \"%#" PRIx64
           "\", \"mod_start\": \"%#" PRIx64 "\", \"mod_len\": \"%#" PRIx64 "\", \"first_p2m_pfn\": \"%#" PRIx64
           "\", \"nr_p2m_frames\": \"%#" PRIx64 "\"},\n",
           (uint64_t)si->nr_pages, (uint32_t)si->flags, (uint64_t)si->pt_base,
           (uint64_t)si->nr_pt_frames, (uint64_t)si->mfn_list, (uint64_t)si->mod_start,
           (uint64_t)si->mod_len, (uint64_t)si->first_p2m_pfn, (uint64_t)si->nr_p2m_frames);
    /* the initial registers as xc_dom_x86.c's vcpu_x86_64() sets them: rsp =
     * the boot stack's end, rsi = start_info's VA (rip, the ELF entry, is
     * in the opaque parms) */
    hex("stack_top", virt_base + (dom->bootstack_pfn + 1) * 4096);
    printf("  \"start_info_va\": \"%#" PRIx64 "\"\n}\n",
           (uint64_t)(virt_base + dom->start_info_pfn * 4096));
    return 0;
}
