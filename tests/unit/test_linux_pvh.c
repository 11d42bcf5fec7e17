/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot planner (modules/linux/pvh.c) and the PVH ELF check
 * (pb_pvh_elf_parse in kimage.c): exact addresses and start-info bytes
 * (read back by offset, doc xen-pvh-boot.md §2.2, not through the struct),
 * the placement rules (after the kernel, else from 1 MiB; below 1 GiB / 4
 * GiB; clear of kernel, trampoline and staged copies), and the bad cases: no
 * PHYS32_ENTRY, kernel over non-RAM, too little memory below 4 GiB, a memmap
 * longer than Linux's table, the trampoline inside the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "test_kernel_util.h"
#include "pvboot/err.h"
#include "pvboot/linux.h"

#define VMLINUZ "/boot/vmlinuz-6.1.0-57-amd64"
#define GRUB_PVH "/usr/lib/grub-xen/grub-i386-xen_pvh.bin"
#define GRUB_PV "/usr/lib/grub-xen/grub-x86_64-xen.bin"
#define MiB (1ull << 20)

static int parse_file(const char *path, struct pb_xen_kernel *k)
{
    return tu_kernel_parse(path, pb_pvh_elf_parse, k);
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static void test_elf_debian(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    assert_int_equal(parse_file(VMLINUZ, &k), 0);
    /* measured with libxenguest's HVM parse, doc xen-pvh-boot.md §1.2 */
    assert_int_equal(k.pstart, 0x1000000);
    assert_int_equal(k.pend, 0x4a00000);
    assert_int_equal(k.phys32_entry, 0x1000850);
    assert_int_equal(k.virt_entry, 0x1000850);
    assert_int_equal(k.virt_kstart, 0x1000000);
    assert_int_equal(k.virt_base, 0);
    assert_int_equal(k.nr_loads, 4);
}

static void test_elf_grub32(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    assert_int_equal(parse_file(GRUB_PVH, &k), 0);     /* ELF32, one note */
    assert_int_equal(k.phys32_entry, 0x100000);
    assert_int_equal(k.pstart, 0x100000);
    assert_true(k.pend > 0x100000);
    assert_int_equal(k.nr_notes, 1);
    /* and the PV parser still refuses it */
    size_t len;
    uint8_t *f = tu_load_file(GRUB_PVH, 0, &len);
    struct pb_xen_kernel k2;
    assert_int_equal(pb_xen_elf_parse(f, len, &k2), PB_EBADFMT);
    free(f);
}

static void test_elf_no_note(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    assert_int_equal(parse_file(GRUB_PV, &k), PB_ENOTSUP);
    assert_non_null(strstr(pb_errmsg(), "no PVH entry point"));
    assert_non_null(strstr(pb_errmsg(), "XEN_ELFNOTE_PHYS32_ENTRY"));
    assert_non_null(strstr(pb_errmsg(), "type = \"pv\""));
}

/* a 512 MiB PVH domain as libxl lays it out, platform frames in the hole
 * after RAM, pvboot's staged copies above the kernel */
static const struct pb_pvh_range map512[] = {
    { 0, 0x20000000, 1 },
    { 0xfc000000, 0x6000, 3 },
    { 0xfeff8000, 0x8000, 2 },
};
static const struct pb_pvh_range plat[] = { { 0x20000000, 0x2000, 2 } };
static const struct pb_pvh_range staged[] = {
    { 0x5000000, 0x3a00000, 0 },   /* kernel image */
    { 0x8a00000, 0x1e00000, 0 },   /* initrd */
    { 0x400000, 0x1000, 0 },       /* nothing else here in pvboot's heap */
};

static struct pb_pvh_input base_input(void)
{
    struct pb_pvh_input in = {
        .kstart = 0x1000000, .kend = 0x4a00000, .entry = 0x1000850,
        .have_initrd = true, .initrd_len = 31457000,
        .cmdline = "root=/dev/xvda1 ro console=hvc0",
        .flags = 0, .rsdp_paddr = 0xfc009000,
        .memmap = map512, .nr_memmap = 3,
        .reserved = plat, .nr_reserved = 1,
        .busy = staged, .nr_busy = 3,
        .tramp = 0x300000, .tramp_len = 0x7000,
    };
    return in;
}

static void test_plan_exact(void **state)
{
    (void)state;
    static struct pb_pvh_plan p;
    struct pb_pvh_input in = base_input();
    assert_int_equal(pb_pvh_plan(&in, &p), 0);
    assert_int_equal(p.info_addr, 0x4a00000);          /* first page after the kernel */
    assert_int_equal(p.info_len, 0x1000);
    assert_int_equal(p.initrd_addr, 0xa800000);        /* after the staged copies */
    assert_int_equal(p.initrd_len, 31457000);
    assert_int_equal(p.nr_memmap, 4);
    const uint8_t *b = p.info;
    assert_int_equal(le32(b + 0), 0x336ec578);
    assert_int_equal(le32(b + 4), 1);
    assert_int_equal(le32(b + 8), 0);
    assert_int_equal(le32(b + 12), 1);
    assert_int_equal(le64(b + 16), 0x4a00038);          /* modlist right after the 56 bytes */
    assert_int_equal(le64(b + 24), 0x4a000b8);          /* cmdline after 4 memmap entries */
    assert_int_equal(le64(b + 32), 0xfc009000);
    assert_int_equal(le64(b + 40), 0x4a00058);
    assert_int_equal(le32(b + 48), 4);
    assert_int_equal(le32(b + 52), 0);
    /* module 0 */
    assert_int_equal(le64(b + 0x38), 0xa800000);
    assert_int_equal(le64(b + 0x40), 31457000);
    assert_int_equal(le64(b + 0x48), 0);
    assert_int_equal(le64(b + 0x50), 0);
    /* memmap: platform frames RESERVED in the hole */
    static const uint64_t want[4][3] = {
        { 0, 0x20000000, 1 }, { 0x20000000, 0x2000, 2 }, { 0xfc000000, 0x6000, 3 }, { 0xfeff8000, 0x8000, 2 },
    };
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = b + 0x58 + 24 * i;
        assert_int_equal(le64(e), want[i][0]);
        assert_int_equal(le64(e + 8), want[i][1]);
        assert_int_equal(le32(e + 16), want[i][2]);
        assert_int_equal(le32(e + 20), 0);
    }
    assert_string_equal((const char *)b + 0xb8, "root=/dev/xvda1 ro console=hvc0");
    assert_int_equal(b[0xb8 + 31], 0);
}

static void test_plan_no_initrd_and_fallback(void **state)
{
    (void)state;
    static struct pb_pvh_plan p;
    struct pb_pvh_input in = base_input();
    in.have_initrd = false;
    in.initrd_len = 0;
    in.cmdline = "";
    in.reserved = NULL;
    in.nr_reserved = 0;
    assert_int_equal(pb_pvh_plan(&in, &p), 0);
    assert_int_equal(p.initrd_addr, 0);
    assert_int_equal(le32(p.info + 12), 0);             /* nr_modules */
    assert_int_equal(le64(p.info + 16), 0);             /* modlist_paddr */
    assert_int_equal(le64(p.info + 40), 0x4a00038);     /* memmap right after the header */
    assert_int_equal(le32(p.info + 48), 3);
    assert_int_equal(le64(p.info + 24), 0x4a00038 + 3 * 24);
    assert_int_equal(p.info[0x38 + 3 * 24], 0);

    /* RAM ends 2 MiB after the kernel: the initrd goes below it, from 1 MiB,
     * past the trampoline (0x300000-0x307000) and the busy page at 4 MiB */
    static const struct pb_pvh_range small[] = { { 0, 0x4c00000, 1 } };
    in = base_input();
    in.memmap = small;
    in.nr_memmap = 1;
    in.nr_reserved = 0;
    in.busy = staged + 2;
    in.nr_busy = 1;
    in.initrd_len = 0x200000;
    in.tramp = 0x100000;
    assert_int_equal(pb_pvh_plan(&in, &p), 0);
    assert_int_equal(p.info_addr, 0x4a00000);
    assert_int_equal(p.initrd_addr, 0x107000);
    in.initrd_len = 0x300000;      /* 3 MiB: not before 4 MiB; the page at 4 MiB is busy */
    assert_int_equal(pb_pvh_plan(&in, &p), 0);
    assert_int_equal(p.initrd_addr, 0x401000);
}

static void test_plan_reserved_splits_ram(void **state)
{
    (void)state;
    static struct pb_pvh_plan p;
    static const struct pb_pvh_range res[] = { { 0x1ffff000, 0x1000, 2 } };
    struct pb_pvh_input in = base_input();
    in.reserved = res;
    assert_int_equal(pb_pvh_plan(&in, &p), 0);
    assert_int_equal(p.nr_memmap, 4);
    assert_int_equal(p.memmap[0].addr, 0);
    assert_int_equal(p.memmap[0].size, 0x1ffff000);
    assert_int_equal(p.memmap[1].addr, 0x1ffff000);
    assert_int_equal(p.memmap[1].size, 0x1000);
    assert_int_equal(p.memmap[1].type, 2);
}

static void test_plan_bad(void **state)
{
    (void)state;
    static struct pb_pvh_plan p;
    /* kernel over a hole */
    static const struct pb_pvh_range ram48[] = { { 0, 0x3000000, 1 } };
    struct pb_pvh_input in = base_input();
    in.memmap = ram48;
    in.nr_memmap = 1;
    assert_int_equal(pb_pvh_plan(&in, &p), PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), "load range 0x1000000-0x4a00000 is not all RAM: 0x3000000 is a hole"));
    /* kernel over a reserved range */
    static const struct pb_pvh_range acpi_in[] = { { 0, 0x8000000, 1 }, { 0x2000000, 0x1000, 3 } };
    in.memmap = acpi_in;
    in.nr_memmap = 2;
    in.nr_busy = 0;
    assert_int_equal(pb_pvh_plan(&in, &p), PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), "0x2000000 is not RAM"));
    /* too little memory below 4 GiB: 128 MiB, the rest above 4 GiB */
    static const struct pb_pvh_range split[] = { { 0, 0x8000000, 1 }, { 1ull << 32, 1ull << 30, 1 } };
    in = base_input();
    in.memmap = split;
    in.nr_memmap = 2;
    in.initrd_len = 100 * MiB;
    in.nr_busy = 2;
    assert_int_equal(pb_pvh_plan(&in, &p), PB_ENOMEM);
    assert_non_null(strstr(pb_errmsg(), "initrd (102400 KiB) does not fit in free RAM below 4 GiB"));
    /* a memmap Linux cannot take: 130 entries */
    static struct pb_pvh_range many[130];
    for (int i = 0; i < 130; i++)
        many[i] = (struct pb_pvh_range){ 0x100000000ull + (uint64_t)i * 0x2000, 0x1000, (uint32_t)(1 + i % 2) };
    in = base_input();
    in.memmap = many;
    in.nr_memmap = 130;
    in.nr_reserved = 0;
    assert_int_equal(pb_pvh_plan(&in, &p), PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), "130 entries; Linux takes at most 128"));
    /* the trampoline inside the kernel: the caller must move it */
    in = base_input();
    in.tramp = 0x2000000;
    assert_int_equal(pb_pvh_plan(&in, &p), PB_EBUSY);
    /* entry outside the kernel */
    in = base_input();
    in.entry = 0x4a00000;
    assert_int_equal(pb_pvh_plan(&in, &p), PB_EBADFMT);
    /* start info must end below 1 GiB: all RAM below it is busy */
    static const struct pb_pvh_range hi[] = { { 0, 0x80000000, 1 } };
    static const struct pb_pvh_range busy1g[] = { { 0x4a00000, 0x40000000 - 0x4a00000, 0 }, { 0x100000, 0xf00000, 0 } };
    in = base_input();
    in.memmap = hi;
    in.nr_memmap = 1;
    in.nr_reserved = 0;
    in.busy = busy1g;
    in.nr_busy = 2;
    in.tramp_len = 0;
    assert_int_equal(pb_pvh_plan(&in, &p), PB_ENOMEM);
    assert_non_null(strstr(pb_errmsg(), "start info (4 KiB) does not fit in free RAM below 1 GiB"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_debian),
        cmocka_unit_test(test_elf_grub32),
        cmocka_unit_test(test_elf_no_note),
        cmocka_unit_test(test_plan_exact),
        cmocka_unit_test(test_plan_no_initrd_and_fallback),
        cmocka_unit_test(test_plan_reserved_splits_ram),
        cmocka_unit_test(test_plan_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
