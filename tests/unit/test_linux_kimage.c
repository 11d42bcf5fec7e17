/* SPDX-License-Identifier: MIT */
/*
 * Kernel images (modules/linux/kimage.c): Debian 12's bzImage (xz payload),
 * its extracted vmlinux, whole-file compressed copies made at test time, GRUB's
 * pvgrub2 image; exact setup-header and Xen-note values, cross-checked with
 * libxenguest's own parser (xc_dom_parse_image, offline); and refusals that
 * say what the file is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenguest.h>
#include "test_file_util.h"
#include "pvboot/err.h"
#include "pvboot/linux.h"

#define VMLINUX "/var/cache/pvboot-xenlab/vmlinux-6.1.0-57-amd64"
#define VMLINUZ "/boot/vmlinuz-6.1.0-57-amd64"
#define GRUBXEN "/usr/lib/grub-xen/grub-x86_64-xen.bin"
#define DEB_ELF_LEN 65906612u

static uint8_t *load(const char *path, size_t *len)
{
    return tu_load_file(path, 1, len);
}

static void to_kernel(const char *path, struct pb_xen_kernel *k, struct pb_kimage_stats *st)
{
    size_t len;
    uint8_t *file = load(path, &len);
    const void *elf;
    size_t elf_len;
    bool owned;
    int rc = pb_kimage_to_elf(path, file, len, 1u << 30, &elf, &elf_len, &owned, st, NULL, NULL);
    if (rc)
        fail_msg("%s: %s", path, pb_errmsg());
    rc = pb_xen_elf_parse(elf, elf_len, k);
    if (rc)
        fail_msg("%s: %s", path, pb_errmsg());
    if (owned)
        free((void *)elf);
    free(file);
}

/* libxenguest's view of the same file */
static void xg_check(const char *path, const struct pb_xen_kernel *k)
{
    xc_interface *xch = xc_interface_open(NULL, NULL, XC_OPENFLAG_DUMMY);
    struct xc_dom_image *dom = xc_dom_allocate(xch, "", NULL);
    strcpy(dom->xen_caps, "xen-3.0-x86_64");
    assert_int_equal(xc_dom_kernel_file(dom, path), 0);
    assert_int_equal(xc_dom_parse_image(dom), 0);
    assert_int_equal(xc_dom_virt_base(dom), k->virt_base);
    assert_int_equal(xc_dom_virt_entry(dom), k->virt_entry);
    uint64_t hc = xc_dom_virt_hypercall(dom);
    assert_int_equal(hc, k->hypercall_page);
    assert_int_equal(dom->kernel_seg.vstart, k->virt_kstart);
    assert_int_equal(dom->kernel_seg.vend, k->virt_kend);
    assert_string_equal(xc_dom_guest_os(dom), k->guest_os);
    for (unsigned f = 0; f < 32; f++)
        assert_int_equal(xc_dom_feature_get(dom, f), !!(k->f_supported & (1u << f)));
    xc_dom_release(dom);
    xc_interface_close(xch);
}

static void check_debian_notes(const struct pb_xen_kernel *k)
{
    assert_string_equal(k->guest_os, "linux");
    assert_string_equal(k->guest_version, "2.6");
    assert_string_equal(k->xen_version, "xen-3.0");
    assert_string_equal(k->loader, "generic");
    assert_string_equal(k->pae_mode, "yes");
    assert_string_equal(k->features, "!writable_page_tables|pae_pgdir_above_4gb");
    assert_int_equal(k->virt_base, 0xffffffff80000000ull);
    assert_int_equal(k->paddr_offset, 0);
    assert_int_equal(k->entry, 0xffffffff830791c0ull);
    assert_int_equal(k->virt_entry, 0xffffffff830791c0ull);
    assert_int_equal(k->p2m_base, 0x8000000000ull);
    assert_int_equal(k->hv_start_low, 0xffff800000000000ull);
    assert_int_equal(k->hypercall_page, PB_UNSET_ADDR);
    assert_true(k->unmapped_initrd);
    assert_true(k->suspend_cancel);
    /* FEATURES bits 0 and 4 + SUPPORTED_FEATURES 0x8801 */
    assert_int_equal(k->f_supported, 0x8811);
    assert_int_equal(k->f_required, 0x1);
    assert_int_equal(k->virt_kstart, 0xffffffff81000000ull);
    assert_int_equal(k->virt_kend, 0xffffffff84a00000ull);
    assert_true(k->phys32_entry != PB_UNSET_ADDR);
}

static void test_bzimage_header(void **state)
{
    (void)state;
    size_t len;
    uint8_t *file = load(VMLINUZ, &len);
    struct pb_bzimage bz;
    assert_int_equal(pb_bzimage_parse(file, len, &bz), 0);
    assert_int_equal(bz.setup_sects, 39);
    assert_int_equal(bz.version, 0x020f);
    assert_int_equal(bz.payload_offset, 0x52cc);
    assert_int_equal(bz.comp, PB_COMP_XZ);
    assert_int_equal(bz.trailer_size, DEB_ELF_LEN);
    /* payload outside the file */
    uint8_t *bad = malloc(len);
    memcpy(bad, file, len);
    uint32_t huge = (uint32_t)len;
    memcpy(bad + 0x24c, &huge, 4);
    assert_int_equal(pb_bzimage_parse(bad, len, &bz), PB_EBADFMT);
    assert_non_null(strstr(pb_errmsg(), "outside"));
    /* too old a boot protocol */
    memcpy(bad, file, len);
    bad[0x206] = 0x04;
    bad[0x207] = 0x02;
    assert_int_equal(pb_bzimage_parse(bad, len, &bz), PB_EBADFMT);
    assert_non_null(strstr(pb_errmsg(), "2.04"));
    /* not a bzImage */
    assert_int_equal(pb_bzimage_parse("hello", 5, &bz), PB_ENOENT);
    free(bad);
    free(file);
}

static void test_debian_bzimage(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    struct pb_kimage_stats st;
    to_kernel(VMLINUZ, &k, &st);
    assert_true(st.bzimage);
    assert_int_equal(st.comp, PB_COMP_XZ);
    assert_int_equal(st.elf_len, DEB_ELF_LEN);
    check_debian_notes(&k);
    xg_check(VMLINUZ, &k);
}

static void test_debian_vmlinux(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    struct pb_kimage_stats st;
    to_kernel(VMLINUX, &k, &st);
    assert_false(st.bzimage);
    assert_int_equal(st.comp, PB_COMP_NONE);
    check_debian_notes(&k);
    xg_check(VMLINUX, &k);
}

static void test_whole_file_compressed(void **state)
{
    (void)state;
    static const struct { const char *tool; enum pb_comp c; } t[] = {
        { "gzip -1 -c", PB_COMP_GZIP }, { "zstd -1 -q -c", PB_COMP_ZSTD }, { "lz4 -1 -c", PB_COMP_LZ4 },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char path[96], cmd[256];
        snprintf(path, sizeof(path), "/tmp/pvboot-kimage-%d-%zu", (int)getpid(), i);
        snprintf(cmd, sizeof(cmd), "%s < %s > %s", t[i].tool, VMLINUX, path);
        assert_int_equal(system(cmd), 0);
        struct pb_xen_kernel k;
        struct pb_kimage_stats st;
        to_kernel(path, &k, &st);
        assert_int_equal(st.comp, t[i].c);
        assert_int_equal(st.elf_len, DEB_ELF_LEN);
        check_debian_notes(&k);
        if (t[i].c == PB_COMP_GZIP)
            xg_check(path, &k);    /* xl accepts whole-file gzip */
        unlink(path);
    }
}

static void test_grub_image(void **state)
{
    (void)state;
    struct pb_xen_kernel k;
    struct pb_kimage_stats st;
    to_kernel(GRUBXEN, &k, &st);
    assert_string_equal(k.guest_os, "GRUB");
    assert_string_equal(k.loader, "generic");
    assert_int_equal(k.virt_base, 0);
    assert_int_equal(k.virt_entry, 0);
    assert_false(k.unmapped_initrd);
    assert_int_equal(k.p2m_base, PB_UNSET_ADDR);
    xg_check(GRUBXEN, &k);
}

static void refuse(const void *buf, size_t len, const char *want)
{
    const void *elf = NULL;
    size_t elf_len;
    bool owned;
    struct pb_kimage_stats st;
    int rc = pb_kimage_to_elf("(hd0)/f", buf, len, 1u << 30, &elf, &elf_len, &owned, &st, NULL, NULL);
    if (rc == 0) {
        struct pb_xen_kernel k;
        rc = pb_xen_elf_parse(elf, elf_len, &k);
        if (owned)
            free((void *)elf);
    }
    assert_true(rc < 0);
    if (!strstr(pb_errmsg(), want))
        fail_msg("expected \"%s\" in \"%s\"", want, pb_errmsg());
}

static void test_refusals(void **state)
{
    (void)state;
    refuse("just some text\n", 15, "not a PV kernel: it is a text file");
    refuse("070701000000", 12, "cpio archive");
    uint8_t elf32[64] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
    elf32[18] = 3;
    refuse(elf32, sizeof(elf32), "32-bit ELF (i386)");
    uint8_t pe[64] = { 'M', 'Z' };
    refuse(pe, sizeof(pe), "PE/COFF");
    size_t len;
    uint8_t *ls = load("/bin/ls", &len);     /* a 64-bit ELF without Xen notes */
    refuse(ls, len, "no Xen notes");
    /* truncated program headers */
    uint8_t *vm = load(VMLINUX, &len);
    refuse(vm, 200, "outside");
    /* notes altered: LOADER and GUEST_OS not acceptable */
    uint8_t *hit = memmem(vm, len, "generic", 8);
    assert_non_null(hit);
    memcpy(hit, "special", 7);
    uint8_t *os = memmem(vm, len, "\0\0\0linux", 9);
    (void)os;
    struct pb_xen_kernel k;
    int rc = pb_xen_elf_parse(vm, len, &k);
    assert_int_equal(rc, 0);   /* GUEST_OS "linux" still makes it acceptable */
    uint8_t *xv = memmem(vm, len, "xen-3.0", 8);
    assert_non_null(xv);
    memcpy(xv, "xen-2.0", 7);
    refuse(vm, len, "XEN_VERSION \"xen-2.0\"");
    free(vm);
    /* a compressed file that does not hold a kernel */
    uint8_t gz[64];
    FILE *p = popen("echo hello | gzip -c", "r");
    size_t n = fread(gz, 1, sizeof(gz), p);
    pclose(p);
    refuse(gz, n, "gzip data does not contain a PV kernel: it is a text file");
    free(ls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bzimage_header),
        cmocka_unit_test(test_debian_bzimage),
        cmocka_unit_test(test_debian_vmlinux),
        cmocka_unit_test(test_whole_file_compressed),
        cmocka_unit_test(test_grub_image),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
