/* SPDX-License-Identifier: MIT */
/*
 * The domain layout planner (modules/linux/layout.c) against libxenguest
 * itself: xc_dom_build_image() runs offline here (dummy xc handle, the guest
 * memory is a local sparse mapping, foreign maps become scratch pages), and
 * every segment, start_info field and page-table entry it produces must equal
 * our plan.  Plus exact values for Debian 12's kernel and the
 * kernel-does-not-fit error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenguest.h>
#include "test_kernel_util.h"
#include "pvboot/err.h"
#include "pvboot/linux.h"

#define VMLINUX "/var/cache/pvboot-xenlab/vmlinux-6.1.0-57-amd64"
#define VMLINUZ "/boot/vmlinuz-6.1.0-57-amd64"
#define GRUBXEN "/usr/lib/grub-xen/grub-x86_64-xen.bin"
#define FAKE_MFN_BASE 0x100000ull

/* libxenguest writes console/xenstore pages through foreign mappings: give
 * it scratch memory (interposes libxenctrl's function). */
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot, unsigned long mfn);
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot, unsigned long mfn)
{
    (void)xch; (void)dom; (void)prot; (void)mfn;
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Our side: file -> ELF -> notes -> plan. */
static int our_plan(const char *kpath, uint64_t mem_mb, uint64_t initrd_len, bool have_initrd,
                    struct pb_xen_kernel *k, struct pb_layout *L)
{
    assert_int_equal(tu_kernel_parse(kpath, pb_xen_elf_parse, k), 0);
    return pb_layout_plan(k, mem_mb << 8, have_initrd, initrd_len, L);
}

struct xg {
    xc_interface *xch;
    struct xc_dom_image *dom;
    uint8_t *mem;
    uint64_t pages;
};

/* libxenguest's side, offline. Returns xc_dom_build_image()'s result. */
static int xg_build(struct xg *x, const char *kpath, unsigned mem_mb, const char *initrd)
{
    x->xch = xc_interface_open(NULL, NULL, XC_OPENFLAG_DUMMY);
    assert_non_null(x->xch);
    x->dom = xc_dom_allocate(x->xch, "", NULL);
    assert_non_null(x->dom);
    strcpy(x->dom->xen_caps, "xen-3.0-x86_64");
    assert_int_equal(xc_dom_kernel_file(x->dom, kpath), 0);
    if (initrd)
        assert_int_equal(xc_dom_module_file(x->dom, initrd, NULL), 0);
    assert_int_equal(xc_dom_parse_image(x->dom), 0);
    assert_int_equal(xc_dom_mem_init(x->dom, mem_mb), 0);
    x->pages = x->dom->total_pages;
    x->dom->p2m_size = x->pages;
    x->dom->pv_p2m = calloc(x->pages, sizeof(xen_pfn_t));
    for (uint64_t i = 0; i < x->pages; i++)
        x->dom->pv_p2m[i] = FAKE_MFN_BASE + i;
    struct xc_dom_phys *ph = calloc(1, sizeof(*ph));
    x->mem = mmap(NULL, x->pages * 4096, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(x->mem != MAP_FAILED);
    ph->ptr = x->mem;
    ph->first = 0;
    ph->count = x->pages;
    x->dom->phys_pages = ph;
    int rc = xc_dom_build_image(x->dom);
    if (rc == 0) {
        assert_int_equal(x->dom->arch_hooks->setup_pgtables(x->dom), 0);
        assert_int_equal(x->dom->arch_hooks->start_info(x->dom), 0);
    }
    return rc;
}

/* Kept reachable until exit (so LeakSanitizer does not count them). */
static struct xg kept[32];
static unsigned nkept;

static void xg_free(struct xg *x)
{
    /* the dom and its phys list are left to process exit: xc_dom_release()
     * would try to unmap our local memory as foreign mappings */
    munmap(x->mem, x->pages * 4096);
    if (nkept < sizeof kept / sizeof kept[0])
        kept[nkept++] = *x;
}

struct cmp_ctx {
    const uint8_t *mem;
    uint64_t entries, mismatches;
};

static int cmp_pte(void *ctx, uint64_t table_pfn, unsigned index, uint64_t target_pfn, uint64_t flags)
{
    struct cmp_ctx *c = ctx;
    const uint64_t *t = (const uint64_t *)(c->mem + table_pfn * 4096);
    uint64_t want = ((FAKE_MFN_BASE + target_pfn) << 12) | flags;
    if (t[index] != want && c->mismatches++ < 5)
        print_error("pte pfn %#lx[%u]: libxenguest %#lx, ours %#lx\n", (unsigned long)table_pfn,
                    index, (unsigned long)t[index], (unsigned long)want);
    c->entries++;
    return 0;
}

/* Compare our plan with libxenguest's image completely. */
static void compare(const struct pb_layout *L, struct xg *x, bool have_initrd)
{
    struct xc_dom_image *d = x->dom;
    assert_int_equal(L->kernel.pfn, d->kernel_seg.pfn);
    assert_int_equal(L->kernel.pages, d->kernel_seg.pages);
    assert_int_equal(L->kernel.vstart, d->kernel_seg.vstart);
    assert_int_equal(L->kernel.vend, d->kernel_seg.vend);
    assert_int_equal(L->p2m.pfn, d->p2m_seg.pfn);
    assert_int_equal(L->p2m.pages, d->p2m_seg.pages);
    assert_int_equal(L->p2m.vstart, d->p2m_seg.vstart);
    assert_int_equal(L->pgtables.pfn, d->pgtables_seg.pfn);
    assert_int_equal(L->pgtables.pages, d->pgtables_seg.pages);
    assert_int_equal(L->pgtables.vstart, d->pgtables_seg.vstart);
    assert_int_equal(L->start_info_pfn, d->start_info_pfn);
    assert_int_equal(L->xenstore_pfn, d->xenstore_pfn);
    assert_int_equal(L->console_pfn, d->console_pfn);
    assert_int_equal(L->bootstack_pfn, d->bootstack_pfn);
    assert_int_equal(L->pfn_alloc_end, d->pfn_alloc_end);
    assert_int_equal(L->virt_pgtab_end, d->virt_pgtab_end);
    if (have_initrd) {
        assert_int_equal(L->initrd.pfn, d->modules[0].seg.pfn);
        assert_int_equal(L->initrd.pages, d->modules[0].seg.pages);
    }
    const start_info_t *si = (const start_info_t *)(x->mem + d->start_info_pfn * 4096);
    assert_int_equal(si->nr_pages, L->nr_pages);
    assert_int_equal(si->flags, L->si_flags);
    assert_int_equal(si->pt_base, L->si_pt_base);
    assert_int_equal(si->nr_pt_frames, L->si_nr_pt_frames);
    assert_int_equal(si->mfn_list, L->si_mfn_list);
    assert_int_equal(si->mod_start, L->si_mod_start);
    assert_int_equal(si->mod_len, L->si_mod_len);
    assert_int_equal(si->first_p2m_pfn, L->si_first_p2m_pfn);
    assert_int_equal(si->nr_p2m_frames, L->si_nr_p2m_frames);
    /* every entry we would write equals libxenguest's */
    struct cmp_ctx c = { .mem = x->mem };
    assert_int_equal(pb_layout_pt_foreach(L, cmp_pte, &c), 0);
    assert_int_equal(c.mismatches, 0);
    /* and libxenguest wrote no entry we do not */
    uint64_t nonzero = 0;
    for (unsigned m = 0; m < L->n_maps; m++) {
        uint64_t first = L->maps[m].lvls[3].pfn;
        for (uint64_t p = 0; p < L->maps[m].area.pgtables; p++) {
            const uint64_t *t = (const uint64_t *)(x->mem + (first + p) * 4096);
            for (unsigned i = 0; i < 512; i++)
                nonzero += t[i] != 0;
        }
    }
    assert_int_equal(nonzero, c.entries);
}

static char initrd_path[64];

static const char *make_initrd(size_t len)
{
    snprintf(initrd_path, sizeof(initrd_path), "/tmp/pvboot-layout-initrd-%d", (int)getpid());
    FILE *f = fopen(initrd_path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < len; i++)
        fputc((int)(i * 7 % 251), f);
    fclose(f);
    return initrd_path;
}

static void test_debian_256m_initrd(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    struct pb_layout L;
    const size_t ilen = 2u << 20;
    assert_int_equal(our_plan(VMLINUZ, 256, ilen, true, &k, &L), 0);
    /* exact values (Debian 6.1.0-57, 256 MiB, 2 MiB initrd) */
    assert_int_equal(L.kernel.pfn, 0x1000);
    assert_int_equal(L.kernel.pages, 0x3a00);
    assert_int_equal(L.start_info_pfn, 0x4a00);
    assert_int_equal(L.xenstore_pfn, 0x4a01);
    assert_int_equal(L.console_pfn, 0x4a02);
    assert_int_equal(L.pgtables.pfn, 0x4a03);
    assert_int_equal(L.si_nr_pt_frames, 41);
    assert_int_equal(L.bootstack_pfn, 0x4a2c);
    assert_int_equal(L.virt_pgtab_end, 0xffffffff84c00000ull);
    assert_false(L.initrd_mapped);
    assert_int_equal(L.si_mod_start, 0x4c00);          /* a pfn: SIF_MOD_START_PFN */
    assert_int_equal(L.si_mod_len, ilen);
    assert_int_equal(L.si_flags, SIF_MOD_START_PFN | SIF_VIRT_P2M_4TOOLS);
    assert_int_equal(L.si_mfn_list, 0x8000000000ull);  /* INIT_P2M */
    assert_int_equal(L.si_first_p2m_pfn, 0x4e00);
    assert_int_equal(L.si_nr_p2m_frames, 0x80 + 3 + 0);  /* 128 list pages + L3/L2/L1 */
    assert_int_equal(L.entry, 0xffffffff830791c0ull);
    assert_int_equal(L.stack_top, 0xffffffff84a2d000ull);
    assert_int_equal(L.start_info_va, 0xffffffff84a00000ull);

    struct xg x;
    assert_int_equal(xg_build(&x, VMLINUZ, 256, make_initrd(ilen)), 0);
    compare(&L, &x, true);
    xg_free(&x);
    unlink(initrd_path);
}

static void test_debian_1g_no_initrd(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    struct pb_layout L;
    assert_int_equal(our_plan(VMLINUX, 1024, 0, false, &k, &L), 0);
    struct xg x;
    assert_int_equal(xg_build(&x, VMLINUX, 1024, NULL), 0);
    compare(&L, &x, false);
    assert_int_equal(L.si_mod_start, 0);
    assert_int_equal(L.si_mod_len, 0);
    assert_int_equal(L.si_flags, SIF_VIRT_P2M_4TOOLS);
    xg_free(&x);
}

/* GRUB's image: VIRT_BASE 0, no INIT_P2M, no MOD_START_PFN: initrd and p2m
 * inside the initial mapping. */
static void test_grub_image_mapped_initrd(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    struct pb_layout L;
    const size_t ilen = (1u << 20) + 123;
    assert_int_equal(our_plan(GRUBXEN, 128, ilen, true, &k, &L), 0);
    assert_int_equal(L.virt_base, 0);
    assert_true(L.initrd_mapped);
    assert_true(L.p2m_mapped);
    assert_int_equal(L.si_mod_start, L.initrd.vstart);
    assert_int_equal(L.si_mod_len, ilen);               /* exact bytes when mapped */
    struct xg x;
    assert_int_equal(xg_build(&x, GRUBXEN, 128, make_initrd(ilen)), 0);
    compare(&L, &x, true);
    xg_free(&x);
    unlink(initrd_path);
}

static void test_too_small(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    struct pb_layout L;
    int rc = our_plan(VMLINUX, 48, 0, false, &k, &L);
    assert_int_equal(rc, PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), "kernel does not fit"));
    /* libxenguest refuses it too */
    struct xg x;
    assert_int_not_equal(xg_build(&x, VMLINUX, 48, NULL), 0);
    xg_free(&x);
}

static int count_cb(void *ctx, uint64_t table_pfn, unsigned index, uint64_t target_pfn, uint64_t flags)
{
    (void)table_pfn; (void)index;
    const struct pb_layout *L = ((void **)ctx)[0];
    uint64_t *ro = ((void **)ctx)[1];
    if (!(flags & 2)) {
        assert_true(pb_layout_is_pt_pfn(L, target_pfn));
        (*ro)++;
    }
    return 0;
}

static void test_pt_frames_read_only(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    struct pb_layout L;
    assert_int_equal(our_plan(VMLINUX, 512, 0, false, &k, &L), 0);
    uint64_t ro = 0;
    void *ctx[2] = { &L, &ro };
    assert_int_equal(pb_layout_pt_foreach(&L, count_cb, ctx), 0);
    /* the map-0 tables are inside the mapping; the INIT_P2M tables are not */
    assert_int_equal(ro, L.si_nr_pt_frames);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debian_256m_initrd),
        cmocka_unit_test(test_debian_1g_no_initrd),
        cmocka_unit_test(test_grub_image_mapped_initrd),
        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_pt_frames_read_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
