/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage image writer: Xen notes, segments, image info (config, prefix,
 * memdisk), reproducibility, gzip/auto/xz, atomic writes and the libxenguest
 * check of every written image.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <xen/elfnote.h>

#include "pvboot/decompress.h"
#include "pvboot/linux.h"
#include "test_mkpv_util.h"

static const char cfg_text[] = "set default=0\nmenuentry 'Debian' { linux /vmlinuz root=/dev/xvda1 }\n";

struct fx {
    struct tdir d;
    char cfg[512], out[512];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    tdir_make(&f->d);
    build_kernel(f->d.path);
    build_mod(f->d.path, "hello", "c", "",
              "static const char greeting[] = \"hello from a module\";\n"
              "int hello_counter = 3;\n"
              "const char *hello(void) { hello_counter++; return greeting; }\n"
              "void pvboot_init_hello(void) { hello_counter = 1; }\n");
    snprintf(f->cfg, sizeof(f->cfg), "%s/grub.cfg", f->d.path);
    write_text(f->cfg, cfg_text);
    snprintf(f->out, sizeof(f->out), "%s/out/pvboot.bin", f->d.path);
    char dir[600];
    snprintf(dir, sizeof(dir), "%s/out", f->d.path);
    assert_int_equal(mkdir(dir, 0755), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tdir_remove(&f->d);
    free(f);
    return 0;
}

/* Link the fixture's modules with its config into @o's image (link_ok:
 * checked by libxenguest); *@img / *@len: the linked ELF and its length in
 * bytes, owned by the returned link. */
static struct mkpv_link *link_fx(struct fx *f, struct mkpv_options *o, const uint8_t **img,
                                 size_t *len)
{
    *o = opts_for(f->d.path, f->cfg, NULL, 0);
    struct mkpv_link *l = link_ok(o);
    *img = mkpv_link_image(l, len);
    return l;
}

/* Write @o's image to @path with -C @c (mkpv_run must succeed) and return
 * the written file (malloc'd; *@len bytes).  Leaves @o's output_path and
 * compress set to @path and @c. */
static uint8_t *write_as(struct mkpv_options *o, const char *path, enum mkpv_compress c,
                         size_t *len)
{
    o->output_path = path;
    o->compress = c;
    assert_int_equal(mkpv_run(o), 0);
    return slurp(path, len);
}

/* ------------------------------------------------------------ notes */

struct note {
    uint32_t type;
    const uint8_t *desc;
    uint32_t descsz;
};

static size_t read_notes(const uint8_t *img, size_t len, struct note *out, size_t max)
{
    const Elf64_Ehdr *eh = img_ehdr(img, len);
    size_t n = 0, nnote_phdrs = 0;
    for (size_t i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = img_phdr(img, len, i);
        if (ph->p_type != PT_NOTE)
            continue;
        nnote_phdrs++;
        assert_true(ph->p_offset + ph->p_filesz <= len);
        size_t off = 0;
        while (off + sizeof(Elf64_Nhdr) <= ph->p_filesz) {
            Elf64_Nhdr nh;
            memcpy(&nh, img + ph->p_offset + off, sizeof(nh));
            const char *name = (const char *)img + ph->p_offset + off + sizeof(nh);
            assert_int_equal(nh.n_namesz, 4);
            assert_memory_equal(name, "Xen", 4);
            assert_true(n < max);
            out[n].type = nh.n_type;
            out[n].desc = (const uint8_t *)name + 4;
            out[n].descsz = nh.n_descsz;
            n++;
            off += sizeof(nh) + 4 + ((nh.n_descsz + 3) & ~3u);
        }
        assert_int_equal(off, ph->p_filesz);
    }
    assert_int_equal(nnote_phdrs, 1);
    return n;
}

static void check_notes(const uint8_t *img, size_t len, uint64_t entry, uint64_t pvh_entry)
{
    struct note n[16];
    size_t nn = read_notes(img, len, n, 16);
    assert_int_equal(nn, 8);
    static const struct { uint32_t type; const char *s; } strs[] = {
        { XEN_ELFNOTE_XEN_VERSION, "xen-3.0" }, { XEN_ELFNOTE_GUEST_OS, "pvboot" },
        { XEN_ELFNOTE_GUEST_VERSION, PVBOOT_VERSION }, { XEN_ELFNOTE_LOADER, "generic" },
    };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(n[i].type, strs[i].type);
        assert_int_equal(n[i].descsz, strlen(strs[i].s) + 1);
        assert_string_equal((const char *)n[i].desc, strs[i].s);
    }
    static const uint32_t addr_types[] = { XEN_ELFNOTE_VIRT_BASE, XEN_ELFNOTE_PADDR_OFFSET,
                                           XEN_ELFNOTE_ENTRY };
    const uint64_t addr_vals[] = { 0, 0, entry };
    for (size_t i = 0; i < 3; i++) {
        uint64_t v;
        assert_int_equal(n[4 + i].type, addr_types[i]);
        assert_int_equal(n[4 + i].descsz, 8);
        memcpy(&v, n[4 + i].desc, 8);
        assert_int_equal(v, addr_vals[i]);
    }
    /* PHYS32_ENTRY: 4 bytes, the physical (== virtual) address of _start_pvh */
    uint32_t v32;
    assert_int_equal(n[7].type, XEN_ELFNOTE_PHYS32_ENTRY);
    assert_int_equal(n[7].descsz, 4);
    memcpy(&v32, n[7].desc, 4);
    assert_int_equal(v32, pvh_entry);
    for (size_t i = 0; i < nn; i++)
        assert_int_not_equal(n[i].type, XEN_ELFNOTE_HYPERCALL_PAGE);
}

static void test_notes(void **state)
{
    struct fx *f = *state;
    struct mkpv_options o;
    size_t len;
    const uint8_t *img;
    struct mkpv_link *l = link_fx(f, &o, &img, &len);
    assert_int_equal(img_ehdr(img, len)->e_entry, sym_va(l, "_start"));
    assert_int_equal(mkpv_link_entry(l), sym_va(l, "_start"));
    assert_int_equal(mkpv_link_pvh_entry(l), sym_va(l, "_start_pvh"));
    assert_int_not_equal(sym_va(l, "_start_pvh"), sym_va(l, "_start"));
    check_notes(img, len, sym_va(l, "_start"), sym_va(l, "_start_pvh"));
    mkpv_link_free(l);
}

/* Both libxenguest parses: exact entries and ranges; an image whose
 * PHYS32_ENTRY note is gone is refused as PVH with Xen's reason. */
static void test_verify_pv_and_pvh(void **state)
{
    struct fx *f = *state;
    struct mkpv_options o;
    size_t len;
    const uint8_t *img;
    struct mkpv_link *l = link_fx(f, &o, &img, &len);
    struct mkpv_verify_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(mkpv_verify_mem(img, len, "dual", &r), 0);
    assert_int_equal(r.virt_base, 0);
    assert_int_equal(r.virt_entry, sym_va(l, "_start"));
    assert_int_equal(r.pvh_entry, sym_va(l, "_start_pvh"));
    assert_int_equal(r.pvh_kstart, PVBOOT_LINK_BASE);
    /* kernel range = [min p_paddr, max p_paddr + p_memsz) of the PT_LOADs */
    uint64_t end = 0;
    for (size_t i = 0; i < 3; i++) {
        const Elf64_Phdr *ph = img_phdr(img, len, i);
        if (ph->p_paddr + ph->p_memsz > end)
            end = ph->p_paddr + ph->p_memsz;
    }
    assert_int_equal(r.pvh_kend, end);

    /* retype the PHYS32_ENTRY note (to an unknown type Xen ignores) */
    uint8_t *cp = malloc(len);
    memcpy(cp, img, len);
    const Elf64_Phdr *np = img_phdr(img, len, 3);
    assert_int_equal(np->p_type, PT_NOTE);
    size_t patched = 0;
    for (size_t off = 0; off < np->p_filesz;) {
        Elf64_Nhdr nh;
        memcpy(&nh, cp + np->p_offset + off, sizeof nh);
        if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
            nh.n_type = 0x7f;
            memcpy(cp + np->p_offset + off, &nh, sizeof nh);
            patched++;
        }
        off += sizeof nh + 4 + ((nh.n_descsz + 3) & ~3u);
    }
    assert_int_equal(patched, 1);
    assert_int_equal(mkpv_verify_mem(cp, len, "pvonly", NULL), -1);
    assert_string_equal(mkpv_errmsg(), "pvonly: Xen's domain builder rejects the image as a PVH "
                        "guest: panic: xg_dom_elfloader.c:63: xc_dom_guest_type: image not "
                        "capable of booting inside a HVM container: Invalid kernel");
    mkpv_error_clear();
    free(cp);
    mkpv_link_free(l);
}

/* ------------------------------------------------------------ segments and image info */

static void test_segments(void **state)
{
    struct fx *f = *state;
    struct mkpv_options o;
    size_t len;
    const uint8_t *img;
    struct mkpv_link *l = link_fx(f, &o, &img, &len);
    const Elf64_Ehdr *eh = img_ehdr(img, len);
    assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
    assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
    assert_int_equal(eh->e_ident[EI_DATA], ELFDATA2LSB);
    assert_int_equal(eh->e_type, ET_EXEC);
    assert_int_equal(eh->e_machine, EM_X86_64);
    assert_int_equal(eh->e_phnum, 4);
    static const uint32_t flags[3] = { PF_R | PF_X, PF_R, PF_R | PF_W };
    uint64_t prev_end = PVBOOT_LINK_BASE;
    for (size_t i = 0; i < 3; i++) {
        const Elf64_Phdr *ph = img_phdr(img, len, i);
        assert_int_equal(ph->p_type, PT_LOAD);
        assert_int_equal(ph->p_flags, flags[i]);
        assert_int_equal(ph->p_vaddr, ph->p_paddr);
        assert_int_equal(ph->p_vaddr % 4096, 0);
        assert_int_equal(ph->p_offset % 4096, ph->p_vaddr % 4096);
        assert_int_equal(ph->p_offset, 4096 + (ph->p_vaddr - PVBOOT_LINK_BASE));
        assert_true(ph->p_vaddr >= prev_end);
        assert_true(ph->p_memsz >= ph->p_filesz);
        assert_true(ph->p_offset + ph->p_filesz <= len);
        if (i == 0)
            assert_int_equal(ph->p_vaddr, PVBOOT_LINK_BASE);
        prev_end = ph->p_vaddr + ph->p_memsz;
    }
    assert_int_equal(img_phdr(img, len, 3)->p_type, PT_NOTE);
    /* entry in text; image info and the greeting in rodata; hello_counter in data;
     * the kernel's 8 KiB stack in bss */
    const Elf64_Phdr *t = img_phdr(img, len, 0), *r = img_phdr(img, len, 1),
                     *d = img_phdr(img, len, 2);
    uint64_t e = sym_va(l, "_start"), info = sym_va(l, PVBOOT_IMAGE_INFO_SYMBOL);
    assert_true(e >= t->p_vaddr && e < t->p_vaddr + t->p_filesz);
    assert_true(info >= r->p_vaddr && info + 128 <= r->p_vaddr + r->p_filesz);
    assert_int_equal(info % 8, 0);
    uint64_t hc = sym_va(l, "hello_counter");
    assert_true(hc >= d->p_vaddr && hc + 4 <= d->p_vaddr + d->p_filesz);
    assert_int_equal(rd32(img, len, hc), 3);
    uint64_t stack = sym_va(l, "kernel_stack");
    assert_int_equal(stack % 4096, 0);
    assert_true(stack >= d->p_vaddr + d->p_filesz && stack + 8192 <= d->p_vaddr + d->p_memsz);
    /* image info */
    struct pvboot_image_info ii;
    memcpy(&ii, img_at(img, len, info, sizeof(ii)), sizeof(ii));
    assert_int_equal(ii.magic, PVBOOT_IMAGE_MAGIC);
    assert_int_equal(ii.abi, PVBOOT_IMAGE_ABI);
    assert_int_equal(ii.nr_modules, 2);
    assert_int_equal(ii.flags, 0);
    assert_string_equal((const char *)img_at(img, len, ii.version, sizeof(PVBOOT_VERSION)),
                        PVBOOT_VERSION);
    assert_int_equal(ii.config_size, strlen(cfg_text));
    assert_memory_equal(img_at(img, len, ii.config, sizeof(cfg_text)), cfg_text, sizeof(cfg_text));
    assert_int_equal(ii.prefix, 0);
    assert_int_equal(ii.memdisk, 0);
    assert_int_equal(ii.memdisk_size, 0);
    assert_int_equal(ii.image_start, PVBOOT_LINK_BASE);
    assert_int_equal(ii.image_end, (d->p_vaddr + d->p_memsz + 4095) & ~4095ull);
    assert_int_equal(ii.pubkeys, 0);
    assert_int_equal(ii.pubkeys_size, 0);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(ii.reserved[i], 0);
    mkpv_link_free(l);
}

static void test_prefix_and_memdisk(void **state)
{
    struct fx *f = *state;
    char md[600];
    snprintf(md, sizeof(md), "%s/memdisk.tar", f->d.path);
    /* a 10000-byte memdisk with a recognisable pattern */
    FILE *fp = fopen(md, "wb");
    assert_non_null(fp);
    for (int i = 0; i < 10000; i++)
        fputc((i * 7 + 3) & 0xff, fp);
    fclose(fp);
    struct mkpv_options o = opts_for(f->d.path, f->cfg, NULL, 0);
    o.memdisk_path = md;
    struct mkpv_link *l = link_ok(&o);
    size_t len, mlen;
    const uint8_t *img = mkpv_link_image(l, &len);
    uint8_t *mdata = slurp(md, &mlen);
    struct pvboot_image_info ii;
    memcpy(&ii, img_at(img, len, sym_va(l, PVBOOT_IMAGE_INFO_SYMBOL), sizeof(ii)), sizeof(ii));
    assert_int_equal(ii.memdisk % 4096, 0);
    assert_int_equal(ii.memdisk_size, 10000);
    assert_memory_equal(img_at(img, len, ii.memdisk, 10000), mdata, 10000);
    /* -m without -p: GRUB's (memdisk)/boot/grub */
    assert_string_equal((const char *)img_at(img, len, ii.prefix, 20), "(memdisk)/boot/grub");
    free(mdata);
    mkpv_link_free(l);

    o.memdisk_path = NULL;
    o.prefix = "(xen/xvda,gpt2)/boot/grub";
    /* -k: the key bytes as given (main.c checked them), 8-byte aligned */
    static const uint8_t keys[] = { 0x99, 0x00, 0x03, 4, 5, 6, 7, 8, 9, 10, 11 };
    o.pubkeys = keys;
    o.pubkeys_len = sizeof keys;
    l = link_ok(&o);
    img = mkpv_link_image(l, &len);
    memcpy(&ii, img_at(img, len, sym_va(l, PVBOOT_IMAGE_INFO_SYMBOL), sizeof(ii)), sizeof(ii));
    assert_string_equal((const char *)img_at(img, len, ii.prefix, 26), "(xen/xvda,gpt2)/boot/grub");
    assert_int_equal(ii.memdisk, 0);
    assert_int_equal(ii.pubkeys % 8, 0);
    assert_int_equal(ii.pubkeys_size, sizeof keys);
    assert_memory_equal(img_at(img, len, ii.pubkeys, sizeof keys), keys, sizeof keys);
    mkpv_link_free(l);
    o.pubkeys = NULL;
    o.pubkeys_len = 0;

    /* an empty memdisk is an error */
    write_text(md, "");
    o.memdisk_path = md;
    char msg[700];
    snprintf(msg, sizeof(msg), "%s: memdisk is empty", md);
    assert_string_equal(link_fails(&o), msg);
}

/* ------------------------------------------------------------ reproducibility */

static void test_reproducible(void **state)
{
    struct fx *f = *state;
    struct mkpv_options o = opts_for(f->d.path, f->cfg, NULL, 0);
    struct mkpv_link *a = link_ok(&o), *b = link_ok(&o);
    size_t la, lb;
    const uint8_t *ia = mkpv_link_image(a, &la), *ib = mkpv_link_image(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ia, ib, la);
    /* the same modules and config copied elsewhere: no host path leaks in */
    char other[600];
    snprintf(other, sizeof(other), "%s/elsewhere-with-a-longer-name", f->d.path);
    run_ok("mkdir '%s' && cp '%s'/*.mod '%s'/grub.cfg '%s'/", other, f->d.path, f->d.path, other);
    char cfg2[700];
    snprintf(cfg2, sizeof(cfg2), "%s/grub.cfg", other);
    struct mkpv_options o2 = opts_for(other, cfg2, NULL, 0);
    struct mkpv_link *c = link_ok(&o2);
    size_t lc;
    const uint8_t *ic = mkpv_link_image(c, &lc);
    assert_int_equal(la, lc);
    assert_memory_equal(ia, ic, la);
    mkpv_link_free(a);
    mkpv_link_free(b);
    mkpv_link_free(c);

    /* written files, uncompressed, gzip and xz, twice each */
    static const enum mkpv_compress cs[] = { MKPV_COMPRESS_NONE, MKPV_COMPRESS_GZIP,
                                             MKPV_COMPRESS_XZ };
    for (size_t i = 0; i < 3; i++) {
        char p1[700], p2[700];
        snprintf(p1, sizeof(p1), "%s/r1.bin", other);
        snprintf(p2, sizeof(p2), "%s/r2.bin", other);
        size_t l1, l2;
        uint8_t *d1 = write_as(&o, p1, cs[i], &l1);
        sleep(1);   /* a timestamp would now differ */
        uint8_t *d2 = write_as(&o, p2, cs[i], &l2);
        assert_int_equal(l1, l2);
        assert_memory_equal(d1, d2, l1);
        free(d1);
        free(d2);
    }
}

/* ------------------------------------------------------------ compression */

static void test_gzip(void **state)
{
    struct fx *f = *state;
    struct mkpv_options o;
    size_t rawlen;
    const uint8_t *raw;
    struct mkpv_link *l = link_fx(f, &o, &raw, &rawlen);

    size_t glen;
    uint8_t *gz = write_as(&o, f->out, MKPV_COMPRESS_GZIP, &glen);
    /* RFC 1952 header: magic, deflate, no flags, mtime 0, XFL 2 (max), OS 3 */
    assert_memory_equal(gz, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03", 10);
    assert_true(glen < rawlen);
    uint8_t *un;
    size_t unlen;
    assert_int_equal(mkpv_gunzip(gz, glen, 1u << 26, &un, &unlen), 0);
    assert_int_equal(unlen, rawlen);
    assert_memory_equal(un, raw, rawlen);
    uint32_t isize;
    memcpy(&isize, gz + glen - 4, 4);
    assert_int_equal(isize, (uint32_t)rawlen);
    struct mkpv_verify_result r;
    assert_int_equal(mkpv_verify_file(f->out, &r), 0);
    assert_int_equal(r.virt_entry, mkpv_link_entry(l));
    /* xl's PVH build gunzips the same way: PHYS32_ENTRY and the physical range */
    assert_int_equal(r.pvh_entry, mkpv_link_pvh_entry(l));
    assert_int_equal(r.pvh_kstart, PVBOOT_LINK_BASE);
    free(un);

    free(gz);

    /* none: exactly the linked bytes */
    char out2[700];
    snprintf(out2, sizeof(out2), "%s.none", f->out);
    size_t nlen;
    uint8_t *nb = write_as(&o, out2, MKPV_COMPRESS_NONE, &nlen);
    assert_int_equal(nlen, rawlen);
    assert_memory_equal(nb, raw, rawlen);
    assert_int_equal(mkpv_verify_file(out2, NULL), 0);
    free(nb);

    enum mkpv_compress c;
    assert_int_equal(mkpv_compress_parse("gzip", &c), 0);
    assert_int_equal(c, MKPV_COMPRESS_GZIP);
    assert_int_equal(mkpv_compress_parse("auto", &c), 0);
    assert_int_equal(c, MKPV_COMPRESS_AUTO);
    assert_int_equal(mkpv_compress_parse("xz", &c), 0);
    assert_int_equal(c, MKPV_COMPRESS_XZ);
    assert_int_equal(mkpv_compress_parse("none", &c), 0);
    assert_int_equal(c, MKPV_COMPRESS_NONE);
    assert_int_equal(mkpv_compress_parse("lz4", &c), -1);
    assert_string_equal(mkpv_errmsg(), "unknown compression 'lz4' after -C (expected none, "
                        "gzip, xz or auto)");
    mkpv_link_free(l);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* -C xz: a boot-protocol 2.08 container (header fields exact) whose payload is
 * the xz stream of the linked ELF plus its size; libxenguest's bzImage loader
 * and pvboot's own kernel loader both get the ELF back. */
static void test_xz(void **state)
{
    struct fx *f = *state;
    struct mkpv_options o;
    size_t rawlen;
    const uint8_t *raw;
    struct mkpv_link *l = link_fx(f, &o, &raw, &rawlen);

    size_t len;
    uint8_t *bz = write_as(&o, f->out, MKPV_COMPRESS_XZ, &len);
    assert_true(len > 0x410 + 12 + 4);
    static const uint8_t hang[4] = { 0xfa, 0xf4, 0xeb, 0xfd };
    assert_memory_equal(bz, hang, 4);
    assert_int_equal(bz[0x1f1], 1);                        /* setup_sects */
    uint32_t plen = le32(bz + 0x24c);
    assert_int_equal(len, 0x410 + (size_t)plen);
    assert_int_equal(le32(bz + 0x1f4), (16 + plen + 15) / 16);   /* syssize */
    assert_int_equal(le16(bz + 0x1fa), 0xffff);
    assert_int_equal(le16(bz + 0x1fe), 0xaa55);
    assert_memory_equal(bz + 0x200, "\xeb\x6eHdrS\x08\x02", 8);
    assert_int_equal(le16(bz + 0x20e), 0x80);
    assert_string_equal((const char *)bz + 0x280,
                        "pvboot " PVBOOT_VERSION " (Xen PV image, xz-compressed ELF)");
    assert_int_equal(bz[0x211], 0x01);                      /* LOADED_HIGH */
    assert_int_equal(le32(bz + 0x214), 0x100000);
    assert_int_equal(le32(bz + 0x22c), 0x7fffffff);
    assert_int_equal(le32(bz + 0x238), 1023);
    assert_int_equal(le32(bz + 0x23c), 2);                  /* X86_SUBARCH_XEN */
    assert_int_equal(le32(bz + 0x248), 16);
    assert_memory_equal(bz + 0x270, hang, 4);
    assert_memory_equal(bz + 0x400, hang, 4);
    /* xz stream header: magic, flags 00 01 (CRC32) */
    assert_memory_equal(bz + 0x410, "\xfd" "7zXZ\0\0\x01", 8);
    assert_int_equal(le32(bz + len - 4), rawlen);
    uint8_t *un;
    size_t unlen;
    assert_int_equal(mkpv_unxz(bz + 0x410, plen - 4, rawlen, &un, &unlen), 0);
    assert_int_equal(unlen, rawlen);
    assert_memory_equal(un, raw, rawlen);
    free(un);
    /* one byte less of room, or a byte of the stream changed: refused */
    assert_int_equal(mkpv_unxz(bz + 0x410, plen - 4, rawlen - 1, &un, &unlen), -1);
    struct mkpv_verify_result r;
    assert_int_equal(mkpv_verify_file(f->out, &r), 0);
    assert_int_equal(r.virt_base, 0);
    assert_int_equal(r.virt_entry, mkpv_link_entry(l));
    /* the xz bzImage loads as PVH too (libxenguest's bzImage loader decompresses
     * before the ELF parse, for both container types) */
    assert_int_equal(r.pvh_entry, mkpv_link_pvh_entry(l));
    assert_int_equal(r.pvh_kstart, PVBOOT_LINK_BASE);

    /* pvboot's own loader (linux / chainloader) reads the same container */
    struct pb_bzimage hdr;
    assert_int_equal(pb_bzimage_parse(bz, len, &hdr), 0);
    assert_int_equal(hdr.payload_offset, 0x410);
    assert_int_equal(hdr.payload_length, plen);
    assert_int_equal(hdr.comp, PB_COMP_XZ);
    const void *elf;
    size_t elf_len;
    bool owned;
    struct pb_kimage_stats st;
    assert_int_equal(pb_kimage_to_elf("pvboot.xz", bz, len, 1u << 26, &elf, &elf_len, &owned,
                                      &st, NULL, NULL), 0);
    assert_true(st.bzimage);
    assert_true(owned);
    assert_int_equal(elf_len, rawlen);
    assert_memory_equal(elf, raw, rawlen);
    free((void *)elf);

    /* a corrupted payload byte is caught by Xen's xz decoding (CRC32 / LZMA) */
    uint8_t *bad = malloc(len);
    memcpy(bad, bz, len);
    bad[0x410 + (plen - 4) / 2] ^= 0x55;
    assert_int_equal(mkpv_verify_mem(bad, len, "bad.xz", NULL), -1);
    assert_memory_equal(mkpv_errmsg(), "bad.xz: Xen's domain builder rejects the image as a PV guest: ", 62);
    assert_non_null(strstr(mkpv_errmsg(), "xc_dom_probe_bzimage_kernel unable to XZ decompress"));
    mkpv_error_clear();
    /* a payload_length past the end of the file: Xen's bound check */
    memcpy(bad, bz, len);
    bad[0x24c] = (uint8_t)(plen + 1);
    bad[0x24d] = (uint8_t)((plen + 1) >> 8);
    bad[0x24e] = (uint8_t)((plen + 1) >> 16);
    bad[0x24f] = (uint8_t)((plen + 1) >> 24);
    assert_int_equal(mkpv_verify_mem(bad, len, "long.xz", NULL), -1);
    assert_non_null(strstr(mkpv_errmsg(), "payload length overflow"));
    mkpv_error_clear();
    free(bad);

    /* auto: the smallest of gzip and xz (both accepted here), byte for byte */
    char pg[700], pa[700];
    snprintf(pg, sizeof(pg), "%s.gz", f->out);
    snprintf(pa, sizeof(pa), "%s.auto", f->out);
    size_t glen, alen;
    uint8_t *gz = write_as(&o, pg, MKPV_COMPRESS_GZIP, &glen);
    uint8_t *au = write_as(&o, pa, MKPV_COMPRESS_AUTO, &alen);
    const uint8_t *want = glen < len ? gz : bz;
    size_t wlen = glen < len ? glen : len;
    assert_int_equal(alen, wlen);
    assert_memory_equal(au, want, wlen);
    free(gz);
    free(au);
    free(bz);
    mkpv_link_free(l);
}

/* ------------------------------------------------------------ atomic writes */

static void write_old(const char *path)
{
    write_text(path, "OLD GOOD IMAGE\n");
}

static void check_old(const char *path)
{
    size_t n;
    uint8_t *d = slurp(path, &n);
    assert_int_equal(n, 15);
    assert_memory_equal(d, "OLD GOOD IMAGE\n", 15);
    free(d);
}

static void test_atomic_failed_link(void **state)
{
    struct fx *f = *state;
    char dir[600];
    snprintf(dir, sizeof(dir), "%s/out", f->d.path);
    write_old(f->out);
    const char *m[] = { "no_such_module" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 1);
    o.output_path = f->out;
    assert_int_equal(mkpv_run(&o), -1);
    check_old(f->out);
    assert_int_equal(count_entries(dir), 1);
}

/* A write that fails halfway (RLIMIT_FSIZE: the temp file hits the limit
 * after 8 KiB, write() returns EFBIG) leaves the old file and no temp file. */
static void test_atomic_write_fails_halfway(void **state)
{
    struct fx *f = *state;
    char dir[600];
    snprintf(dir, sizeof(dir), "%s/out", f->d.path);
    write_old(f->out);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = { 8192, 8192 };
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(10);
        struct mkpv_options o = opts_for(f->d.path, f->cfg, NULL, 0);
        o.output_path = f->out;
        if (mkpv_run(&o) != -1)
            _exit(11);
        char want[2048];
        snprintf(want, sizeof(want), "%s: cannot write temporary file %s/.pvboot.bin.tmp",
                 f->out, dir);
        if (strncmp(mkpv_errmsg(), want, strlen(want)) != 0 ||
            !strstr(mkpv_errmsg(), ": File too large"))
            _exit(12);
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    check_old(f->out);
    assert_int_equal(count_entries(dir), 1);
    /* without the limit the same build succeeds and replaces the file */
    struct mkpv_options o = opts_for(f->d.path, f->cfg, NULL, 0);
    o.output_path = f->out;
    assert_int_equal(mkpv_run(&o), 0);
    assert_int_equal(mkpv_verify_file(f->out, NULL), 0);
    assert_int_equal(count_entries(dir), 1);
}

static int verify_cb(const char *tmp, void *arg)
{
    (void)arg;
    return mkpv_verify_file_as(tmp, "candidate", NULL);
}

/* Bytes Xen rejects are never renamed into place. */
static void test_atomic_rejected_by_xen(void **state)
{
    struct fx *f = *state;
    char dir[600];
    snprintf(dir, sizeof(dir), "%s/out", f->d.path);
    write_old(f->out);
    static const char junk[] = "\x7f" "ELF but not really an image";
    assert_int_equal(mkpv_write_atomic(f->out, junk, sizeof(junk), verify_cb, NULL), -1);
    assert_memory_equal(mkpv_errmsg(), "candidate: Xen's domain builder rejects the image as a PV guest: ", 65);
    check_old(f->out);
    assert_int_equal(count_entries(dir), 1);
    /* a missing output directory */
    char bad[700];
    snprintf(bad, sizeof(bad), "%s/missing/pvboot.bin", f->d.path);
    assert_int_equal(mkpv_write_atomic(bad, junk, sizeof(junk), NULL, NULL), -1);
    char msg[1600];
    snprintf(msg, sizeof(msg), "%s: cannot create temporary file in %s/missing: No such file "
             "or directory", bad, f->d.path);
    assert_string_equal(mkpv_errmsg(), msg);
    /* output is a directory */
    assert_int_equal(mkpv_write_atomic(dir, junk, sizeof(junk), NULL, NULL), -1);
    snprintf(msg, sizeof(msg), "%s: output is a directory", dir);
    assert_string_equal(mkpv_errmsg(), msg);
    /* success: mode follows the umask, content exact */
    mode_t old = umask(022);
    assert_int_equal(mkpv_write_atomic(f->out, junk, sizeof(junk), NULL, NULL), 0);
    umask(old);
    struct stat st;
    assert_int_equal(stat(f->out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(st.st_size, sizeof(junk));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_pv_and_pvh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix_and_memdisk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reproducible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_failed_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_write_fails_halfway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_rejected_by_xen, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
