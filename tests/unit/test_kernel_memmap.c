/* SPDX-License-Identifier: MIT */
/* PVH start info and memory-map handling (modules/kernel/xen/memmap.c):
 * hvm_start_info checks, both record formats, sort/align/de-overlap/merge,
 * hole selection for the platform frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../modules/kernel/xen/memmap.h"
#include <xen/arch-x86/hvm/start_info.h>
#include "pvboot/err.h"

#define RAM XEN_HVM_MEMMAP_TYPE_RAM
#define RES XEN_HVM_MEMMAP_TYPE_RESERVED
#define ACPI XEN_HVM_MEMMAP_TYPE_ACPI
#define NVS XEN_HVM_MEMMAP_TYPE_NVS
#define G4 0x100000000ull

static void expect_map(const struct pb_memmap_entry *got, int n, const struct pb_memmap_entry *want,
                       int nwant)
{
    assert_int_equal(n, nwant);
    for (int i = 0; i < n; i++) {
        assert_int_equal(got[i].addr, want[i].addr);
        assert_int_equal(got[i].size, want[i].size);
        assert_int_equal(got[i].type, want[i].type);
    }
}

static struct hvm_start_info mk_si(void)
{
    struct hvm_start_info si;
    memset(&si, 0, sizeof si);
    si.magic = XEN_HVM_START_MAGIC_VALUE;
    si.version = 1;
    si.cmdline_paddr = 0x7000;
    si.rsdp_paddr = 0xfc009000;
    si.memmap_paddr = 0x7100;
    si.memmap_entries = 5;
    return si;
}

static void test_start_info(void **state)
{
    (void)state;
    struct hvm_start_info si = mk_si();
    struct pb_pvh_info in;
    assert_int_equal(pb_pvh_parse_start_info(&si, sizeof si, &in), 0);
    assert_int_equal(in.version, 1);
    assert_int_equal(in.cmdline_paddr, 0x7000);
    assert_int_equal(in.rsdp_paddr, 0xfc009000);
    assert_int_equal(in.memmap_paddr, 0x7100);
    assert_int_equal(in.memmap_entries, 5);
    assert_int_equal(in.nr_modules, 0);

    /* wrong magic */
    si.magic = 0x336ec577;
    assert_int_equal(pb_pvh_parse_start_info(&si, sizeof si, &in), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "hvm_start_info: magic 0x336ec577, expected 0x336ec578");
    /* version 0: the memmap fields are not read (ask XENMEM_memory_map), 40 bytes suffice */
    si = mk_si();
    si.version = 0;
    assert_int_equal(pb_pvh_parse_start_info(&si, 40, &in), 0);
    assert_int_equal(in.memmap_entries, 0);
    assert_int_equal(in.memmap_paddr, 0);
    /* version 1 with no map: memmap_entries 0 means "none" */
    si = mk_si();
    si.memmap_entries = 0;
    assert_int_equal(pb_pvh_parse_start_info(&si, sizeof si, &in), 0);
    assert_int_equal(in.memmap_entries, 0);
    /* a v1 header cut short */
    si = mk_si();
    assert_int_equal(pb_pvh_parse_start_info(&si, 48, &in), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "hvm_start_info version 1: only 48 bytes (56 needed)");
    assert_int_equal(pb_pvh_parse_start_info(&si, 16, &in), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "hvm_start_info: only 16 bytes (at least 40 needed)");
    /* entries without an address; too many entries; modules without a list */
    si.memmap_paddr = 0;
    assert_int_equal(pb_pvh_parse_start_info(&si, sizeof si, &in), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "hvm_start_info: 5 memmap entries but memmap_paddr 0");
    si = mk_si();
    si.memmap_entries = PB_MEMMAP_MAX + 1;
    assert_int_equal(pb_pvh_parse_start_info(&si, sizeof si, &in), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "hvm_start_info: 129 memmap entries (at most 128)");
    si = mk_si();
    si.nr_modules = 1;
    assert_int_equal(pb_pvh_parse_start_info(&si, sizeof si, &in), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "hvm_start_info: 1 modules but modlist_paddr 0");
    /* a later version is read as version 1 */
    si = mk_si();
    si.version = 2;
    assert_int_equal(pb_pvh_parse_start_info(&si, sizeof si, &in), 0);
    assert_int_equal(in.memmap_entries, 5);
}

/* libxl's PVH map for a 4 GiB guest (unsorted: RAM, reserved, ACPI, high RAM) */
static void test_libxl_map_4g(void **state)
{
    (void)state;
    struct hvm_memmap_table_entry t[4] = {
        { .addr = 0, .size = 0xfc000000, .type = RAM },
        { .addr = 0xfeff8000, .size = 0x8000, .type = RES },
        { .addr = 0xfc000000, .size = 0xa000, .type = ACPI },
        { .addr = G4, .size = 0x4000000, .type = RAM },
    };
    struct pb_memmap_entry raw[4], out[PB_MEMMAP_OUT_MAX];
    assert_int_equal(pb_memmap_from_table(t, 4, raw), 4);
    int n = pb_memmap_normalize(raw, 4, out, PB_MEMMAP_OUT_MAX);
    const struct pb_memmap_entry want[] = {
        { 0, 0xfc000000, RAM }, { 0xfc000000, 0xa000, ACPI }, { 0xfeff8000, 0x8000, RES },
        { G4, 0x4000000, RAM },
    };
    expect_map(out, n, want, 4);
    assert_int_equal(pb_memmap_ram_pages(out, (unsigned)n), 0xfc000 + 0x4000);
    assert_int_equal(pb_memmap_type_at(out, (unsigned)n, 0xfc009fff), ACPI);
    assert_int_equal(pb_memmap_type_at(out, (unsigned)n, 0xfc00a000), 0);
    assert_int_equal(pb_memmap_type_at(out, (unsigned)n, G4 + 5), RAM);
    /* the platform frames (pvh.c: limit = the LAPIC page): right below it */
    uint64_t gfn;
    assert_int_equal(pb_memmap_find_hole(out, (unsigned)n, 33, 0xfee00000, 0, 0, &gfn), 0);
    assert_int_equal(gfn, 0xfee00 - 33);
    /* limit 4 GiB: the gap [0xff000000, 4 GiB) above the special pages is the highest */
    assert_int_equal(pb_memmap_find_hole(out, (unsigned)n, 33, G4, 0xfee00000, 0x1000, &gfn), 0);
    assert_int_equal(gfn, 0x100000 - 33);
    /* larger than that gap and the part above the LAPIC page: below the LAPIC */
    assert_int_equal(pb_memmap_find_hole(out, (unsigned)n, 0x1000, G4, 0xfee00000, 0x1000, &gfn), 0);
    assert_int_equal(gfn, 0xff000);                      /* exactly fills [0xff000000, 4 GiB) */
    assert_int_equal(pb_memmap_find_hole(out, (unsigned)n, 0x1001, G4, 0xfee00000, 0x1000, &gfn), 0);
    assert_int_equal(gfn, 0xfee00 - 0x1001);
    /* the avoided page splits [0xfc00a000, 0xfeff8000): 0x1f7 frames above it */
    assert_int_equal(pb_memmap_find_hole(out, (unsigned)n, 0x1f7, 0xff000000, 0xfee00000, 0x1000,
                                         &gfn), 0);
    assert_int_equal(gfn, 0xfee01);
    assert_int_equal(pb_memmap_find_hole(out, (unsigned)n, 0x3000, 0xfee00000, 0, 0, &gfn),
                     PB_ENOMEM);
    assert_string_equal(pb_errmsg(), "memory map: no hole of 12288 pages below 0xfee00000");
}

/* populate-on-demand: the 4 GiB map above (0x100000 RAM pages; ACPI 10 and
 * special 8 frames count as populated) against XENMEM_current_reservation */
static void test_touch_limit(void **state)
{
    (void)state;
    const struct pb_memmap_entry m[] = {
        { 0, 0xfc000000, RAM }, { 0xfc000000, 0xa000, ACPI }, { 0xfeff8000, 0x8000, RES },
        { G4, 0x4000000, RAM },
    };
    assert_int_equal(pb_memmap_touch_limit(m, 4, 0x100000 + 18), UINT64_MAX);
    assert_int_equal(pb_memmap_touch_limit(m, 4, 0x200000), UINT64_MAX);
    assert_int_equal(pb_memmap_touch_limit(m, 4, 0x100000 + 17), G4 + 0x3fff000);
    assert_int_equal(pb_memmap_touch_limit(m, 4, 0xfc000 + 19), G4 + 0x1000);
    assert_int_equal(pb_memmap_touch_limit(m, 4, 0xfc000 + 18), 0xfc000000);
    assert_int_equal(pb_memmap_touch_limit(m, 4, 0x20000 + 18), 0x20000000);  /* memory = 512 */
    assert_int_equal(pb_memmap_touch_limit(m, 4, 19), 0x1000);
    assert_int_equal(pb_memmap_touch_limit(m, 4, 18), 0);
    assert_int_equal(pb_memmap_touch_limit(m, 4, 0), 0);
    assert_int_equal(pb_memmap_touch_limit(m, 1, 0x100), 0x100000);            /* RAM only */
}

/* XENMEM_memory_map's packed 20-byte records */
static void test_e820(void **state)
{
    (void)state;
    uint8_t b[40];
    uint64_t a0 = 0, s0 = 0x20000000, a1 = 0xfeff8000, s1 = 0x8000;
    uint32_t t0 = RAM, t1 = RES;
    memcpy(b, &a0, 8); memcpy(b + 8, &s0, 8); memcpy(b + 16, &t0, 4);
    memcpy(b + 20, &a1, 8); memcpy(b + 28, &s1, 8); memcpy(b + 36, &t1, 4);
    struct pb_memmap_entry raw[2];
    assert_int_equal(pb_memmap_from_e820(b, 2, raw), 2);
    assert_int_equal(raw[1].addr, 0xfeff8000);
    assert_int_equal(raw[1].size, 0x8000);
    assert_int_equal(raw[1].type, RES);
    assert_int_equal(pb_memmap_from_e820(b, PB_MEMMAP_MAX + 1, raw), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "XENMEM_memory_map: 129 entries (at most 128)");
}

/* overlaps (the low-RSDP case: ACPI inside RAM), alignment, zero lengths, merging */
static void test_normalize_edges(void **state)
{
    (void)state;
    const struct pb_memmap_entry in[] = {
        { 0x100000, 0x1000, RAM },             /* adjacent to the next RAM: merged */
        { 0, 0x100000, RAM },
        { 0xfffc0, 0x40, ACPI },               /* RSDP inside low RAM: grown to its page, wins */
        { 0x300000, 0, RES },                  /* zero length: dropped */
        { 0x200800, 0x1800, RAM },             /* unaligned RAM: shrunk to [0x201000, 0x202000) */
        { 0x400000, 0x800, RAM },              /* less than a page after aligning: dropped */
        { 0x500000, 0x2000, RES },
        { 0x501000, 0x2000, NVS },             /* overlapping non-RAM: higher type wins */
        { G4 + 0x1000, 0x1000, RAM },          /* above 4 GiB */
    };
    struct pb_memmap_entry out[PB_MEMMAP_OUT_MAX];
    int n = pb_memmap_normalize(in, sizeof in / sizeof in[0], out, PB_MEMMAP_OUT_MAX);
    const struct pb_memmap_entry want[] = {
        { 0, 0xff000, RAM }, { 0xff000, 0x1000, ACPI }, { 0x100000, 0x1000, RAM },
        { 0x201000, 0x1000, RAM }, { 0x500000, 0x1000, RES }, { 0x501000, 0x2000, NVS },
        { G4 + 0x1000, 0x1000, RAM },
    };
    expect_map(out, n, want, 7);
    /* RAM fully covered by reserved disappears; duplicates collapse */
    const struct pb_memmap_entry in2[] = {
        { 0x10000, 0x10000, RES }, { 0x10000, 0x10000, RAM }, { 0x10000, 0x10000, RES },
    };
    n = pb_memmap_normalize(in2, 3, out, PB_MEMMAP_OUT_MAX);
    const struct pb_memmap_entry want2[] = { { 0x10000, 0x10000, RES } };
    expect_map(out, n, want2, 1);
    /* an entry whose end overflows 2^64 is clipped */
    const struct pb_memmap_entry in3[] = { { 0xfffffffffffff000ull, 0x2000, RES } };
    n = pb_memmap_normalize(in3, 1, out, PB_MEMMAP_OUT_MAX);
    assert_int_equal(n, 0);   /* [0xfffffffffffff000, clipped end 0xfffffffffffff000): empty */
    /* nothing at all */
    assert_int_equal(pb_memmap_normalize(in, 0, out, PB_MEMMAP_OUT_MAX), 0);
    /* too many inputs, too little output room */
    assert_int_equal(pb_memmap_normalize(in, PB_MEMMAP_MAX + 1, out, PB_MEMMAP_OUT_MAX), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "memory map: 129 entries (at most 128)");
    assert_int_equal(pb_memmap_normalize(in, sizeof in / sizeof in[0], out, 3), PB_ERANGE);
    assert_string_equal(pb_errmsg(), "memory map: more than 3 entries after normalising");
}

/* holes: below 1 MiB never chosen, the avoided range splits a gap */
static void test_find_hole(void **state)
{
    (void)state;
    const struct pb_memmap_entry m[] = { { 0, 0x80000, RAM }, { 0x200000, 0x100000, RAM } };
    uint64_t gfn;
    /* gap [0x300000, limit 0x400000): top frames */
    assert_int_equal(pb_memmap_find_hole(m, 2, 2, 0x400000, 0, 0, &gfn), 0);
    assert_int_equal(gfn, 0x3fe);
    /* avoid [0x3ff000, 0x400000): the run ends below it */
    assert_int_equal(pb_memmap_find_hole(m, 2, 2, 0x400000, 0x3ff000, 0x1000, &gfn), 0);
    assert_int_equal(gfn, 0x3fd);
    /* avoid the middle: the part above is too small, the part below fits */
    assert_int_equal(pb_memmap_find_hole(m, 2, 0x80, 0x400000, 0x3c0000, 0x1000, &gfn), 0);
    assert_int_equal(gfn, 0x340);
    /* [0x100000, 0x200000) is the other gap; [0x80000, 0x100000) is below 1 MiB */
    assert_int_equal(pb_memmap_find_hole(m, 2, 0x100, 0x300000, 0, 0, &gfn), 0);
    assert_int_equal(gfn, 0x100);
    assert_int_equal(pb_memmap_find_hole(m, 2, 0x101, 0x300000, 0, 0, &gfn), PB_ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_info),
        cmocka_unit_test(test_libxl_map_4g),
        cmocka_unit_test(test_touch_limit),
        cmocka_unit_test(test_e820),
        cmocka_unit_test(test_normalize_edges),
        cmocka_unit_test(test_find_hole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
