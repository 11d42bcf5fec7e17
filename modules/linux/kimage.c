/* SPDX-License-Identifier: MIT */
/*
 * Kernel image formats: x86 bzImage (setup header → compressed payload),
 * plain ELF64 x86-64, whole-file compressed ELF; and the Xen ELF notes with
 * the checks libxenguest's libelf applies (doc xen-pv-boot.md §1, §14).
 * All input is untrusted: every offset and length is bounds-checked.
 */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/elfnote.h>
#include <xen/features.h>
#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "pvboot/linux.h"
#include "pvboot/time.h"

/* ---- bzImage ---- */

int pb_bzimage_parse(const void *buf, size_t len, struct pb_bzimage *out)
{
    const uint8_t *b = buf;
    if (len < 0x260 + 4 || pb_le16(b + 0x1fe) != 0xaa55 || memcmp(b + 0x202, "HdrS", 4))
        return PB_ENOENT;
    memset(out, 0, sizeof(*out));
    out->setup_sects = b[0x1f1] ? b[0x1f1] : 4;
    out->version = pb_le16(b + 0x206);
    if (out->version < 0x0208)
        return pb_error(PB_EBADFMT,
                        "bzImage: boot protocol %u.%02u has no payload fields (need 2.08)",
                        out->version >> 8, out->version & 0xff);
    uint32_t poff = pb_le32(b + 0x248);
    out->payload_length = pb_le32(b + 0x24c);
    out->payload_offset = ((uint64_t)out->setup_sects + 1) * 512 + poff;
    if (out->payload_offset > len || out->payload_length > len - out->payload_offset ||
        out->payload_length < 4)
        return pb_error(PB_EBADFMT,
                        "bzImage: payload at offset %llu, %u bytes, is outside the %zu-byte file",
                        (unsigned long long)out->payload_offset, out->payload_length, len);
    const uint8_t *p = b + out->payload_offset;
    out->comp = pb_decomp_detect(p, out->payload_length);
    if (out->comp == PB_COMP_NONE) {
        if (out->payload_length >= 4 && !memcmp(p, "\177ELF", 4))
            return 0;  /* uncompressed payload (CONFIG_KERNEL_UNCOMPRESSED) */
        return pb_error(PB_EBADFMT,
                        "bzImage: unknown payload compression (bytes %02x %02x %02x %02x at offset %llu)",
                        p[0], p[1], p[2], p[3], (unsigned long long)out->payload_offset);
    }
    out->trailer_size = pb_le32(p + out->payload_length - 4);
    return 0;
}

/* ---- description of unknown files ---- */

const char *pb_kimage_describe(const void *buf, size_t len)
{
    const uint8_t *b = buf;
    if (len == 0)
        return "an empty file";
    if (len >= 5 && !memcmp(b, "\177ELF", 4)) {
        if (b[4] == 1)
            return len >= 20 && pb_le16(b + 18) == 3 ? "a 32-bit ELF (i386) file: 32-bit PV kernels are not supported"
                                     : "a 32-bit ELF file";
        if (len >= 20 && pb_le16(b + 18) != 62)
            return "a 64-bit ELF file for another machine (not x86-64)";
        return "a 64-bit ELF x86-64 file";
    }
    if (len >= 0x206 && pb_le16(b + 0x1fe) == 0xaa55 && !memcmp(b + 0x202, "HdrS", 4))
        return "an x86 bzImage";
    if (len >= 2 && b[0] == 'M' && b[1] == 'Z')
        return "a PE/COFF (EFI or DOS) executable without a bzImage header";
    enum pb_comp c = pb_decomp_detect(b, len);
    if (c != PB_COMP_NONE) {
        static char msg[64];
        snprintf(msg, sizeof(msg), "%s-compressed data", pb_decomp_name(c));
        return msg;
    }
    if (len >= 6 && (!memcmp(b, "070701", 6) || !memcmp(b, "070702", 6) || !memcmp(b, "070707", 6)))
        return "a cpio archive (an initrd?)";
    if (len >= 262 && !memcmp(b + 257, "ustar", 5))
        return "a tar archive";
    if (len >= 4 && pb_le32(b) == 0x1badb002)
        return "a multiboot image";
    for (size_t i = 0; i + 12 <= len && i < 8192; i += 4)
        if (pb_le32(b + i) == 0x1badb002 || pb_le32(b + i) == 0xe85250d6)
            return "a multiboot kernel (not a Xen PV kernel)";
    size_t n = len < 512 ? len : 512, printable = 0;
    for (size_t i = 0; i < n; i++)
        if ((b[i] >= 0x20 && b[i] < 0x7f) || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')
            printable++;
    if (printable == n)
        return "a text file";
    return "data of an unknown format";
}

/* ---- ELF ---- */

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define PHDR32_SIZE 32
#define SHDR32_SIZE 40
#define PT_LOAD 1
#define PT_NOTE 4
#define SHT_NOTE 7
#define PF_RWX 7

static const char *const feature_names[32] = {
    [XENFEAT_writable_page_tables] = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [XENFEAT_dom0] = "dom0",
};

/* Parse FEATURES "a|!b|c" like elf_xen_parse_features(): unknown names are
 * ignored unless required. */
static int parse_features(const char *s, uint32_t *sup, uint32_t *req)
{
    size_t pos = 0, slen = strlen(s);
    for (unsigned guard = 0; pos < slen && guard < 256; guard++) {
        char f[64];
        size_t n = 0;
        while (pos < slen && s[pos] != '|' && n < sizeof(f) - 1)
            f[n++] = s[pos++];
        if (pos < slen && s[pos] == '|')
            pos++;
        f[n] = 0;
        bool required = f[0] == '!';
        const char *name = required ? f + 1 : f;
        unsigned i;
        for (i = 0; i < 32; i++) {
            if (feature_names[i] && !strcmp(name, feature_names[i])) {
                *sup |= 1u << i;
                if (required)
                    *req |= 1u << i;
                break;
            }
        }
        if (i == 32 && required)
            return pb_error(PB_ENOTSUP, "kernel requires unknown Xen feature \"%s\"", name);
    }
    return 0;
}

static uint64_t note_num(const uint8_t *d, uint32_t sz)
{
    switch (sz) {
    case 1: return d[0];
    case 2: return pb_le16(d);
    case 4: return pb_le32(d);
    case 8: return pb_le64(d);
    default: return 0;
    }
}

static void note_str(char *dst, size_t cap, const uint8_t *d, uint32_t sz)
{
    size_t n = strnlen((const char *)d, sz);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, d, n);
    dst[n] = 0;
}

/* Walk the notes in [off, off+size) of the file. Returns the number of Xen
 * notes or a negative error. */
static int parse_notes(const uint8_t *f, size_t len, uint64_t off, uint64_t size,
                       struct pb_xen_kernel *k)
{
    if (off > len || size > len - off)
        return pb_error(PB_EBADFMT, "ELF: note area at offset %llu (%llu bytes) is outside the file",
                        (unsigned long long)off, (unsigned long long)size);
    const uint8_t *p = f + off, *end = f + off + size;
    int count = 0;
    for (unsigned guard = 0; p + 12 <= end && guard < 4096; guard++) {
        uint32_t namesz = pb_le32(p), descsz = pb_le32(p + 4), type = pb_le32(p + 8);
        uint64_t nsz = ((uint64_t)namesz + 3) & ~3ull, dsz = ((uint64_t)descsz + 3) & ~3ull;
        if (nsz > (uint64_t)(end - p - 12) || dsz > (uint64_t)(end - p - 12) - nsz)
            return pb_error(PB_EBADFMT, "ELF: truncated note at file offset %llu",
                            (unsigned long long)(p - f));
        const uint8_t *name = p + 12, *desc = p + 12 + nsz;
        p += 12 + nsz + dsz;
        if (namesz != 4 || memcmp(name, "Xen", 4))
            continue;
        count++;
        uint64_t v = note_num(desc, descsz);
        switch (type) {
        case XEN_ELFNOTE_ENTRY: k->entry = v; break;
        case XEN_ELFNOTE_HYPERCALL_PAGE: k->hypercall_page = v; break;
        case XEN_ELFNOTE_VIRT_BASE: k->virt_base = v; break;
        case XEN_ELFNOTE_PADDR_OFFSET: k->paddr_offset = v; break;
        case XEN_ELFNOTE_INIT_P2M: k->p2m_base = v; break;
        case XEN_ELFNOTE_HV_START_LOW: k->hv_start_low = v; break;
        case XEN_ELFNOTE_MOD_START_PFN: k->unmapped_initrd = v != 0; break;
        case XEN_ELFNOTE_SUSPEND_CANCEL: k->suspend_cancel = v != 0; break;
        case XEN_ELFNOTE_PHYS32_ENTRY: k->phys32_entry = v; break;
        case XEN_ELFNOTE_XEN_VERSION: note_str(k->xen_version, sizeof(k->xen_version), desc, descsz); break;
        case XEN_ELFNOTE_GUEST_OS: note_str(k->guest_os, sizeof(k->guest_os), desc, descsz); break;
        case XEN_ELFNOTE_GUEST_VERSION: note_str(k->guest_version, sizeof(k->guest_version), desc, descsz); break;
        case XEN_ELFNOTE_LOADER: note_str(k->loader, sizeof(k->loader), desc, descsz); break;
        case XEN_ELFNOTE_PAE_MODE: note_str(k->pae_mode, sizeof(k->pae_mode), desc, descsz); break;
        case XEN_ELFNOTE_FEATURES: {
            char tmp[256];
            note_str(tmp, sizeof(tmp), desc, descsz);
            snprintf(k->features, sizeof(k->features), "%s", tmp);
            int rc = parse_features(tmp, &k->f_supported, &k->f_required);
            if (rc < 0)
                return rc;
            break;
        }
        case XEN_ELFNOTE_SUPPORTED_FEATURES:
            if (descsz >= 4)
                k->f_supported |= pb_le32(desc);
            break;
        default:
            break;
        }
    }
    return count;
}

/* An address/offset/size field of an ELF header, program or section header
 * at @p: 4 bytes at @off32 in ELF32, 8 bytes at @off64 in ELF64 (the System
 * V gABI's two layouts of the same structures). */
static uint64_t elf_word(const uint8_t *p, bool is32, unsigned off32, unsigned off64)
{
    return is32 ? pb_le32(p + off32) : pb_le64(p + off64);
}

/* Program headers and Xen notes of an ELF64 (x86-64) or, with @allow32,
 * ELF32 (i386) file into @k (initialised by the caller).  Returns the number
 * of Xen notes or a negative error. */
static int elf_scan(const uint8_t *f, size_t len, struct pb_xen_kernel *k, bool allow32)
{
    if (len < 52 || memcmp(f, "\177ELF", 4))
        return pb_error(PB_EBADFMT, "not an ELF file");
    bool is32 = f[4] == 1;
    if (is32 ? !allow32 || pb_le16(f + 18) != 3 : f[4] != 2 || pb_le16(f + 18) != 62)
        return pb_error(PB_EBADFMT, "not a PV kernel: %s", pb_kimage_describe(f, len));
    if (!is32 && len < EHDR_SIZE)
        return pb_error(PB_EBADFMT, "not an ELF file");
    if (f[5] != 1)
        return pb_error(PB_EBADFMT, "ELF: big-endian file");
    uint16_t type = pb_le16(f + 16);
    if (type != 2 && type != 3)
        return pb_error(PB_EBADFMT, "ELF: type %u is not an executable", type);
    uint64_t phoff, shoff;
    uint16_t phentsize, phnum, shentsize, shnum;
    unsigned phsz = is32 ? PHDR32_SIZE : PHDR_SIZE, shsz = is32 ? SHDR32_SIZE : SHDR_SIZE;
    k->e_entry = elf_word(f, is32, 24, 24);
    phoff = elf_word(f, is32, 28, 32);
    shoff = elf_word(f, is32, 32, 40);
    unsigned h16 = is32 ? 42 : 54;      /* e_phentsize; e_phnum, e_shentsize, e_shnum follow */
    phentsize = pb_le16(f + h16);
    phnum = pb_le16(f + h16 + 2);
    shentsize = pb_le16(f + h16 + 4);
    shnum = pb_le16(f + h16 + 6);
    if (phnum == 0)
        return pb_error(PB_EBADFMT, "ELF: no program headers");
    if (phentsize != phsz || phoff > len || (uint64_t)phnum * phsz > len - phoff)
        return pb_error(PB_EBADFMT, "ELF: program headers (offset %llu, %u x %u) outside the file",
                        (unsigned long long)phoff, phnum, phentsize);

    k->pstart = UINT64_MAX;
    k->pend = 0;
    int notes = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + (uint64_t)i * phsz;
        uint32_t ptype = pb_le32(ph), pflags = pb_le32(ph + (is32 ? 24 : 4));
        uint64_t off = elf_word(ph, is32, 4, 8), vaddr = elf_word(ph, is32, 8, 16),
                 paddr = elf_word(ph, is32, 12, 24), filesz = elf_word(ph, is32, 16, 32),
                 memsz = elf_word(ph, is32, 20, 40);
        if (ptype == PT_NOTE && off != 0) {
            int n = parse_notes(f, len, off, filesz, k);
            if (n < 0)
                return n;
            notes += n;
        }
        if (ptype != PT_LOAD || !(pflags & PF_RWX))
            continue;
        if (k->nr_loads == PB_KIMAGE_MAX_LOADS)
            return pb_error(PB_EBADFMT, "ELF: more than %d loadable segments", PB_KIMAGE_MAX_LOADS);
        if (off > len || filesz > len - off)
            return pb_error(PB_EBADFMT, "ELF: segment %u (offset %llu, %llu bytes) outside the %zu-byte file",
                            i, (unsigned long long)off, (unsigned long long)filesz, len);
        if (filesz > memsz || memsz > (1ull << 40) || paddr > UINT64_MAX - memsz)
            return pb_error(PB_EBADFMT, "ELF: segment %u has bad sizes (filesz %llu, memsz %llu)", i,
                            (unsigned long long)filesz, (unsigned long long)memsz);
        struct pb_kload *l = &k->loads[k->nr_loads++];
        l->offset = off;
        l->paddr = paddr;
        l->vaddr = vaddr;
        l->filesz = filesz;
        l->memsz = memsz;
        if (paddr < k->pstart)
            k->pstart = paddr;
        if (paddr + memsz > k->pend)
            k->pend = paddr + memsz;
    }
    if (k->nr_loads == 0)
        return pb_error(PB_EBADFMT, "ELF: no loadable segments");

    if (notes == 0 && shoff && shnum && shentsize == shsz && shoff <= len &&
        (uint64_t)shnum * shsz <= len - shoff) {
        for (unsigned i = 1; i < shnum; i++) {
            const uint8_t *sh = f + shoff + (uint64_t)i * shsz;
            if (pb_le32(sh + 4) != SHT_NOTE)
                continue;
            uint64_t so = elf_word(sh, is32, 16, 24);
            uint64_t ss = elf_word(sh, is32, 20, 32);
            int n = parse_notes(f, len, so, ss, k);
            if (n < 0)
                return n;
            notes += n;
        }
    }
    return notes;
}

static void kernel_init(struct pb_xen_kernel *k)
{
    memset(k, 0, sizeof(*k));
    k->virt_base = k->paddr_offset = k->entry = k->hypercall_page = PB_UNSET_ADDR;
    k->p2m_base = k->hv_start_low = k->phys32_entry = PB_UNSET_ADDR;
}

int pb_pvh_elf_parse(const void *elf, size_t len, struct pb_xen_kernel *k)
{
    kernel_init(k);
    int notes = elf_scan(elf, len, k, true);
    if (notes < 0)
        return notes;
    k->nr_notes = (unsigned)notes;
    if (k->phys32_entry == PB_UNSET_ADDR)
        return pb_error(PB_ENOTSUP,
                        "the kernel has no PVH entry point (no XEN_ELFNOTE_PHYS32_ENTRY note, e.g. "
                        "built without CONFIG_PVH), and this domain is PVH: boot it in a PV domain "
                        "(type = \"pv\" in the xl config) or use a PVH-capable kernel");
    /* elf_xen_addr_calc_check() for an HVM container */
    k->virt_base = 0;
    k->paddr_offset = 0;
    k->virt_kstart = k->pstart;
    k->virt_kend = k->pend;
    k->virt_entry = k->phys32_entry;
    if (k->phys32_entry < k->pstart || k->phys32_entry >= k->pend || k->phys32_entry >= (1ull << 32))
        return pb_error(PB_EBADFMT,
                        "PHYS32_ENTRY %#llx is outside the kernel's physical range %#llx-%#llx",
                        (unsigned long long)k->phys32_entry, (unsigned long long)k->pstart,
                        (unsigned long long)k->pend);
    return 0;
}

int pb_xen_elf_parse(const void *elf, size_t len, struct pb_xen_kernel *k)
{
    const uint8_t *f = elf;
    kernel_init(k);
    if (len < EHDR_SIZE || memcmp(f, "\177ELF", 4))
        return pb_error(PB_EBADFMT, "not an ELF file");
    if (f[4] != 2 || pb_le16(f + 18) != 62)
        return pb_error(PB_EBADFMT, "not a PV kernel: %s", pb_kimage_describe(f, len));
    if (f[5] != 1)
        return pb_error(PB_EBADFMT, "ELF: big-endian x86-64 file");
    int notes = elf_scan(f, len, k, false);
    if (notes < 0)
        return notes;
    k->nr_notes = (unsigned)notes;
    if (notes == 0)
        return pb_error(PB_EBADFMT,
                        "not a Xen PV kernel: the ELF has no Xen notes (an HVM/bare-metal-only kernel,"
                        " or built without CONFIG_XEN_PV)");
    if (k->phys32_entry != PB_UNSET_ADDR && k->entry == PB_UNSET_ADDR && !k->loader[0] &&
        !k->guest_os[0])
        return pb_error(PB_ENOTSUP, "kernel supports only PVH (PHYS32_ENTRY), not PV");
    /* elf_xen_note_check() */
    if (strncmp(k->loader, "generic", 7) && strncmp(k->guest_os, "linux", 5))
        return pb_error(PB_EBADFMT,
                        "kernel is neither for the generic loader nor Linux (LOADER \"%s\", GUEST_OS \"%s\")",
                        k->loader, k->guest_os);
    if (strncmp(k->xen_version, "xen-3.0", 7))
        return pb_error(PB_EBADFMT, "kernel is not built for Xen 3.0 ABI (XEN_VERSION \"%s\")",
                        k->xen_version);
    /* elf_xen_addr_calc_check() */
    if (k->paddr_offset != PB_UNSET_ADDR && k->virt_base == PB_UNSET_ADDR)
        return pb_error(PB_EBADFMT, "kernel sets ELF_PADDR_OFFSET without VIRT_BASE");
    uint64_t virt_base = k->virt_base == PB_UNSET_ADDR ? 0 : k->virt_base;
    uint64_t paddr_offset = k->paddr_offset == PB_UNSET_ADDR ? 0 : k->paddr_offset;
    k->virt_base = virt_base;
    k->paddr_offset = paddr_offset;
    uint64_t virt_offset = virt_base - paddr_offset;
    k->virt_kstart = k->pstart + virt_offset;
    k->virt_kend = k->pend + virt_offset;
    k->virt_entry = k->entry == PB_UNSET_ADDR ? k->e_entry : k->entry;
    if (k->virt_kstart > k->virt_kend || k->virt_entry < k->virt_kstart ||
        k->virt_entry > k->virt_kend || virt_base > k->virt_kstart)
        return pb_error(PB_EBADFMT,
                        "kernel start or entry out of bounds (kstart %#llx, kend %#llx, entry %#llx, virt_base %#llx)",
                        (unsigned long long)k->virt_kstart, (unsigned long long)k->virt_kend,
                        (unsigned long long)k->virt_entry, (unsigned long long)virt_base);
    if (k->p2m_base != PB_UNSET_ADDR && k->p2m_base >= k->virt_kstart && k->p2m_base < k->virt_kend)
        return pb_error(PB_EBADFMT, "kernel INIT_P2M %#llx lies inside the kernel",
                        (unsigned long long)k->p2m_base);
    if (k->hypercall_page != PB_UNSET_ADDR &&
        (k->hypercall_page < k->virt_kstart || k->hypercall_page + 4096 > k->virt_kend ||
         (k->hypercall_page & 4095)))
        return pb_error(PB_EBADFMT, "kernel HYPERCALL_PAGE %#llx is not a page inside the kernel",
                        (unsigned long long)k->hypercall_page);
    return 0;
}

/* ---- kernel file → ELF ---- */

/* Prefix the recorded error message with the file name. */
static int with_name(int rc, const char *name)
{
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "%s", pb_errmsg());
    return pb_error(rc, "%s: %s", name, tmp);
}

/* Decompress one stream (pb_decompress_alloc) into a buffer that starts at the size hint
 * (kbuild's trailer, gzip's ISIZE) or a guess and grows in place (realloc,
 * x2) when the data is larger, up to @max bytes. */
static int decompress_alloc(enum pb_comp c, const uint8_t *in, size_t in_len, size_t hint,
                            size_t max, uint8_t **out, size_t *out_len,
                            pb_decomp_progress_fn progress, void *ctx)
{
    const struct pb_decomp_ops *o = pb_decomp_ops_for(c);
    if (!o)
        return pb_error(PB_EBADFMT, "no decoder for this compression");
    size_t cap = hint ? hint + 4096 : (in_len < max / 4 ? in_len * 4 : max);
    if (cap < (1u << 20))
        cap = 1u << 20;
    if (cap > max)
        cap = max;
    return pb_decompress_alloc(c, in, in_len, cap, max, "kernel", out, out_len, progress, ctx);
}

int pb_kimage_to_elf(const char *name, const void *buf, size_t len, size_t max_elf,
                     const void **elf, size_t *elf_len, bool *elf_owned,
                     struct pb_kimage_stats *st, pb_decomp_progress_fn progress, void *ctx)
{
    const uint8_t *b = buf;
    memset(st, 0, sizeof(*st));
    *elf_owned = false;
    if (len >= 4 && !memcmp(b, "\177ELF", 4)) {
        *elf = buf;
        *elf_len = len;
        st->elf_len = len;
        return 0;
    }
    struct pb_bzimage bz;
    const uint8_t *payload = NULL;
    size_t plen = 0, hint = 0;
    enum pb_comp c;
    int rc = pb_bzimage_parse(buf, len, &bz);
    if (rc == 0) {
        st->bzimage = true;
        payload = b + bz.payload_offset;
        plen = bz.payload_length;
        c = bz.comp;
        if (c == PB_COMP_NONE) {
            *elf = payload;
            *elf_len = plen;
            st->elf_len = plen;
            return 0;
        }
        if (bz.trailer_size >= 4096 && bz.trailer_size <= max_elf)
            hint = bz.trailer_size;
    } else if (rc != PB_ENOENT) {
        return with_name(rc, name);
    } else {
        c = pb_decomp_detect(buf, len);
        if (c == PB_COMP_NONE)
            return pb_error(PB_EBADFMT, "%s: not a PV kernel: it is %s", name,
                            pb_kimage_describe(buf, len));
        payload = buf;
        plen = len;
        if (c == PB_COMP_GZIP && len >= 18) {
            uint32_t isz = pb_le32(b + len - 4);
            if (isz >= 4096 && isz <= max_elf && isz >= len)
                hint = isz;
        }
    }
    st->comp = c;
    uint64_t t0 = pb_time_ns();
    uint8_t *out = NULL;
    size_t olen = 0;
    rc = decompress_alloc(c, payload, plen, hint, max_elf, &out, &olen, progress, ctx);
    st->decompress_ns = pb_time_ns() - t0;
    if (rc < 0)
        return with_name(rc, name);
    if (olen < 4 || memcmp(out, "\177ELF", 4)) {
        const char *what = pb_kimage_describe(out, olen);
        pb_error(PB_EBADFMT, "%s: %s data does not contain a PV kernel: it is %s", name,
                 pb_decomp_name(c), what);
        free(out);
        return PB_EBADFMT;
    }
    *elf = out;
    *elf_len = olen;
    *elf_owned = true;
    st->elf_len = olen;
    return 0;
}
