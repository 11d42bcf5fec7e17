/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: the output ELF64 executable.
 *
 * File layout (VIRT_BASE 0, PADDR_OFFSET 0, so p_paddr == p_vaddr):
 *   0x0000  ELF header, program headers, the Xen notes (PT_NOTE, not loaded)
 *   0x1000  text   PT_LOAD R+X at PVBOOT_LINK_BASE
 *           rodata PT_LOAD R   (modules' rodata, image info, module table,
 *                               GOT, strings, config, memdisk)
 *           data   PT_LOAD R+W (data; memsz covers bss and commons)
 *   then    .shstrtab and section headers (for readelf/objdump only)
 * A VA maps to file offset 0x1000 + (VA - PVBOOT_LINK_BASE).
 *
 * Xen notes (xen/elfnote.h, owner "Xen"; docs/xen-pv-boot.md §1):
 * XEN_VERSION "xen-3.0", GUEST_OS "pvboot", GUEST_VERSION PVBOOT_VERSION,
 * LOADER "generic", VIRT_BASE 0, PADDR_OFFSET 0, ENTRY (8-byte values), and
 * PHYS32_ENTRY (4 bytes) = _start_pvh, the 32-bit PVH entry in the text
 * segment (PVH guests are loaded at p_paddr == VA with paging off; see
 * modules/kernel/xen/README.md).
 * No HYPERCALL_PAGE: the runtime issues hypercalls with `syscall`.
 */
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>

#include "pvboot/image.h"
#include "pvboot/version.h"
#include "mkpv_int.h"

#define HDR_PAGE MKPV_PAGE

static uint64_t file_off(uint64_t va)
{
    return HDR_PAGE + (va - PVBOOT_LINK_BASE);
}

static bool has_data_seg(const struct mkpv_link *l)
{
    return l->seg_end[MKPV_SEG_DATA] > l->seg_start[MKPV_SEG_DATA] ||
           l->bss_end > l->seg_start[MKPV_SEG_DATA];
}

static uint64_t file_data_end(const struct mkpv_link *l)
{
    return has_data_seg(l) ? file_off(l->seg_end[MKPV_SEG_DATA])
                           : file_off(l->seg_end[MKPV_SEG_RODATA]);
}

/* names in .shstrtab */
static const char shstrtab[] = "\0.text\0.rodata\0.data\0.bss\0.note.Xen\0.shstrtab";
enum { SN_TEXT = 1, SN_RODATA = 7, SN_DATA = 15, SN_BSS = 21, SN_NOTE = 26, SN_SHSTRTAB = 36 };

uint8_t *mkpv_image_ptr(struct mkpv_link *l, uint64_t va, size_t len)
{
    for (int s = 0; s < MKPV_NSEGS; s++) {
        if (va >= l->seg_start[s] && va <= l->seg_end[s] && l->seg_end[s] - va >= len)
            return l->image + file_off(va);
    }
    return NULL;
}

int mkpv_image_alloc(struct mkpv_link *l)
{
    uint64_t end = file_data_end(l);
    uint64_t shoff = (end + sizeof(shstrtab) + 7) & ~7ull;
    uint64_t total = shoff + 7 * sizeof(Elf64_Shdr);
    if (total > MKPV_MAX_IMAGE_SIZE)
        return mkpv_error("image too large (%llu bytes)", (unsigned long long)total);
    l->image_len = (size_t)total;
    l->image = calloc(1, l->image_len);
    if (!l->image)
        return mkpv_error("out of memory (image of %zu bytes)", l->image_len);
    for (size_t i = 0; i < l->norder; i++) {
        struct mkpv_mod *m = l->order[i];
        for (size_t j = 1; j < m->nsec; j++) {
            struct mkpv_sec *s = &m->sec[j];
            if (s->kind != MKPV_TEXT && s->kind != MKPV_RODATA && s->kind != MKPV_DATA)
                continue;
            uint8_t *dst = mkpv_image_ptr(l, s->addr, s->size);
            if (!dst)
                return mkpv_error("internal error: section %s of %s outside its segment",
                                  s->name, m->name);
            memcpy(dst, m->buf + s->offset, s->size);
        }
    }
    return 0;
}

static size_t put_note(uint8_t *p, uint32_t type, const void *desc, uint32_t descsz)
{
    Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = descsz, .n_type = type };
    memcpy(p, &nh, sizeof(nh));
    memcpy(p + sizeof(nh), "Xen", 4);
    memcpy(p + sizeof(nh) + 4, desc, descsz);
    return sizeof(nh) + 4 + ((descsz + 3) & ~3u);
}

static size_t put_note_str(uint8_t *p, uint32_t type, const char *s)
{
    return put_note(p, type, s, (uint32_t)strlen(s) + 1);
}

static size_t put_note_addr(uint8_t *p, uint32_t type, uint64_t v)
{
    return put_note(p, type, &v, sizeof(v));
}

static uint64_t got_value(const struct mkpv_got_slot *s)
{
    if (s->g)
        return s->g->addr;   /* 0 for a weak undefined symbol */
    const struct mkpv_sym *sym = &s->m->sym[s->sym];
    if (sym->shndx == MKPV_SHN_ABS)
        return sym->value;
    return s->m->sec[sym->shndx].addr + sym->value;
}

static int write_linker_data(struct mkpv_link *l)
{
    struct pvboot_image_info info = {
        .magic = PVBOOT_IMAGE_MAGIC,
        .abi = PVBOOT_IMAGE_ABI,
        .nr_modules = (uint32_t)l->norder,
        .flags = 0,
        .modules = l->modtab_addr,
        .version = l->version_addr,
        .config = l->config_addr,
        .config_size = l->config_len,
        .prefix = l->prefix_addr,
        .memdisk = l->memdisk_addr,
        .memdisk_size = l->memdisk ? l->memdisk_len : 0,
        .pubkeys = l->pubkeys_addr,
        .pubkeys_size = l->pubkeys_len,
        .image_start = PVBOOT_LINK_BASE,
        .image_end = l->image_end,
    };
    uint8_t *p = mkpv_image_ptr(l, l->info_addr, sizeof(info));
    if (!p)
        return mkpv_error("internal error: image info outside the image");
    memcpy(p, &info, sizeof(info));
    for (size_t i = 0; i < l->norder; i++) {
        struct pvboot_module_entry e = {
            .name = l->modname_addr[i], .init = l->order[i]->init, .fini = l->order[i]->fini,
        };
        memcpy(mkpv_image_ptr(l, l->modtab_addr + i * sizeof(e), sizeof(e)), &e, sizeof(e));
        const char *n = l->order[i]->name;
        memcpy(mkpv_image_ptr(l, l->modname_addr[i], strlen(n) + 1), n, strlen(n) + 1);
    }
    for (size_t i = 0; i < l->ngot; i++) {
        uint64_t v = got_value(&l->got[i]);
        memcpy(mkpv_image_ptr(l, l->got_addr + 8 * i, 8), &v, 8);
    }
    memcpy(mkpv_image_ptr(l, l->version_addr, sizeof(PVBOOT_VERSION)), PVBOOT_VERSION,
           sizeof(PVBOOT_VERSION));
    if (l->prefix)
        memcpy(mkpv_image_ptr(l, l->prefix_addr, strlen(l->prefix) + 1), l->prefix,
               strlen(l->prefix) + 1);
    memcpy(mkpv_image_ptr(l, l->config_addr, l->config_len + 1), l->config, l->config_len + 1);
    if (l->memdisk)
        memcpy(mkpv_image_ptr(l, l->memdisk_addr, l->memdisk_len), l->memdisk, l->memdisk_len);
    if (l->pubkeys_len)
        memcpy(mkpv_image_ptr(l, l->pubkeys_addr, l->pubkeys_len), l->pubkeys, l->pubkeys_len);
    return 0;
}

int mkpv_image_finish(struct mkpv_link *l)
{
    if (write_linker_data(l) < 0)
        return -1;
    bool data = has_data_seg(l);
    size_t nph = (data ? 3 : 2) + 1;
    uint8_t *img = l->image;

    /* notes right after the program headers */
    uint64_t note_off = sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr);
    uint8_t notes[1024] = { 0 };   /* note padding must be zero: reproducible output */
    size_t nl = 0;
    nl += put_note_str(notes + nl, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    nl += put_note_str(notes + nl, XEN_ELFNOTE_GUEST_OS, "pvboot");
    nl += put_note_str(notes + nl, XEN_ELFNOTE_GUEST_VERSION, PVBOOT_VERSION);
    nl += put_note_str(notes + nl, XEN_ELFNOTE_LOADER, "generic");
    nl += put_note_addr(notes + nl, XEN_ELFNOTE_VIRT_BASE, 0);
    nl += put_note_addr(notes + nl, XEN_ELFNOTE_PADDR_OFFSET, 0);
    nl += put_note_addr(notes + nl, XEN_ELFNOTE_ENTRY, l->entry);
    uint32_t pvh_entry = (uint32_t)l->pvh_entry;
    nl += put_note(notes + nl, XEN_ELFNOTE_PHYS32_ENTRY, &pvh_entry, sizeof(pvh_entry));
    if (note_off + nl > HDR_PAGE)
        return mkpv_error("internal error: headers do not fit in the first page");
    memcpy(img + note_off, notes, nl);

    Elf64_Phdr ph[4];
    memset(ph, 0, sizeof(ph));
    static const uint32_t pflags[MKPV_NSEGS] = { PF_R | PF_X, PF_R, PF_R | PF_W };
    size_t k = 0;
    for (int s = 0; s < MKPV_NSEGS; s++) {
        if (s == MKPV_SEG_DATA && !data)
            continue;
        uint64_t memend = s == MKPV_SEG_DATA ? l->bss_end : l->seg_end[s];
        ph[k++] = (Elf64_Phdr){
            .p_type = PT_LOAD, .p_flags = pflags[s],
            .p_offset = file_off(l->seg_start[s]),
            .p_vaddr = l->seg_start[s], .p_paddr = l->seg_start[s],
            .p_filesz = l->seg_end[s] - l->seg_start[s],
            .p_memsz = memend - l->seg_start[s],
            .p_align = MKPV_PAGE,
        };
    }
    ph[k++] = (Elf64_Phdr){
        .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = note_off,
        .p_filesz = nl, .p_memsz = nl, .p_align = 4,
    };

    uint64_t end = file_data_end(l);
    uint64_t shoff = (end + sizeof(shstrtab) + 7) & ~7ull;
    memcpy(img + end, shstrtab, sizeof(shstrtab));
    Elf64_Shdr sh[7];
    memset(sh, 0, sizeof(sh));
    size_t ns = 1;
    static const uint32_t sname[MKPV_NSEGS] = { SN_TEXT, SN_RODATA, SN_DATA };
    static const uint64_t sflags[MKPV_NSEGS] = { SHF_ALLOC | SHF_EXECINSTR, SHF_ALLOC,
                                                 SHF_ALLOC | SHF_WRITE };
    for (int s = 0; s < MKPV_NSEGS; s++) {
        if (s == MKPV_SEG_DATA && !data)
            continue;
        sh[ns++] = (Elf64_Shdr){
            .sh_name = sname[s], .sh_type = SHT_PROGBITS, .sh_flags = sflags[s],
            .sh_addr = l->seg_start[s], .sh_offset = file_off(l->seg_start[s]),
            .sh_size = l->seg_end[s] - l->seg_start[s], .sh_addralign = MKPV_PAGE,
        };
    }
    if (data && l->bss_end > l->seg_end[MKPV_SEG_DATA])
        sh[ns++] = (Elf64_Shdr){
            .sh_name = SN_BSS, .sh_type = SHT_NOBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
            .sh_addr = l->seg_end[MKPV_SEG_DATA], .sh_offset = file_off(l->seg_end[MKPV_SEG_DATA]),
            .sh_size = l->bss_end - l->seg_end[MKPV_SEG_DATA], .sh_addralign = 1,
        };
    sh[ns++] = (Elf64_Shdr){
        .sh_name = SN_NOTE, .sh_type = SHT_NOTE, .sh_offset = note_off, .sh_size = nl,
        .sh_addralign = 4,
    };
    size_t shstrndx = ns;
    sh[ns++] = (Elf64_Shdr){
        .sh_name = SN_SHSTRTAB, .sh_type = SHT_STRTAB, .sh_offset = end,
        .sh_size = sizeof(shstrtab), .sh_addralign = 1,
    };
    l->image_len = (size_t)(shoff + ns * sizeof(Elf64_Shdr));
    memcpy(img + shoff, sh, ns * sizeof(Elf64_Shdr));

    Elf64_Ehdr eh;
    memset(&eh, 0, sizeof(eh));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = l->entry;
    eh.e_phoff = sizeof(Elf64_Ehdr);
    eh.e_shoff = shoff;
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = (uint16_t)k;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = (uint16_t)ns;
    eh.e_shstrndx = (uint16_t)shstrndx;
    memcpy(img, &eh, sizeof(eh));
    memcpy(img + sizeof(eh), ph, k * sizeof(Elf64_Phdr));
    return 0;
}
