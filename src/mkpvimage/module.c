/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: reading one module (*.mod) with libelf.
 *
 * A module is an ELF64 little-endian x86-64 relocatable object (ET_REL), as
 * made by `ld -r`.  Everything in it is untrusted: every offset and size is
 * checked against the file before use.  Errors name the file and what is
 * wrong (one line).  Follows the System V gABI "Sections"/"Symbol Table" and
 * the x86-64 psABI.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "mkpv_int.h"

static const char *const reloc_names[] = {
    [R_X86_64_NONE] = "R_X86_64_NONE",         [R_X86_64_64] = "R_X86_64_64",
    [R_X86_64_PC32] = "R_X86_64_PC32",         [R_X86_64_GOT32] = "R_X86_64_GOT32",
    [R_X86_64_PLT32] = "R_X86_64_PLT32",       [R_X86_64_COPY] = "R_X86_64_COPY",
    [R_X86_64_GLOB_DAT] = "R_X86_64_GLOB_DAT", [R_X86_64_JUMP_SLOT] = "R_X86_64_JUMP_SLOT",
    [R_X86_64_RELATIVE] = "R_X86_64_RELATIVE", [R_X86_64_GOTPCREL] = "R_X86_64_GOTPCREL",
    [R_X86_64_32] = "R_X86_64_32",             [R_X86_64_32S] = "R_X86_64_32S",
    [R_X86_64_16] = "R_X86_64_16",             [R_X86_64_PC16] = "R_X86_64_PC16",
    [R_X86_64_8] = "R_X86_64_8",               [R_X86_64_PC8] = "R_X86_64_PC8",
    [R_X86_64_DTPMOD64] = "R_X86_64_DTPMOD64", [R_X86_64_DTPOFF64] = "R_X86_64_DTPOFF64",
    [R_X86_64_TPOFF64] = "R_X86_64_TPOFF64",   [R_X86_64_TLSGD] = "R_X86_64_TLSGD",
    [R_X86_64_TLSLD] = "R_X86_64_TLSLD",       [R_X86_64_DTPOFF32] = "R_X86_64_DTPOFF32",
    [R_X86_64_GOTTPOFF] = "R_X86_64_GOTTPOFF", [R_X86_64_TPOFF32] = "R_X86_64_TPOFF32",
    [R_X86_64_PC64] = "R_X86_64_PC64",         [R_X86_64_GOTOFF64] = "R_X86_64_GOTOFF64",
    [R_X86_64_GOTPC32] = "R_X86_64_GOTPC32",   [R_X86_64_GOT64] = "R_X86_64_GOT64",
    [R_X86_64_GOTPCREL64] = "R_X86_64_GOTPCREL64", [R_X86_64_GOTPC64] = "R_X86_64_GOTPC64",
    [R_X86_64_GOTPLT64] = "R_X86_64_GOTPLT64", [R_X86_64_PLTOFF64] = "R_X86_64_PLTOFF64",
    [R_X86_64_SIZE32] = "R_X86_64_SIZE32",     [R_X86_64_SIZE64] = "R_X86_64_SIZE64",
    [R_X86_64_GOTPC32_TLSDESC] = "R_X86_64_GOTPC32_TLSDESC",
    [R_X86_64_TLSDESC_CALL] = "R_X86_64_TLSDESC_CALL", [R_X86_64_TLSDESC] = "R_X86_64_TLSDESC",
    [R_X86_64_IRELATIVE] = "R_X86_64_IRELATIVE", [R_X86_64_RELATIVE64] = "R_X86_64_RELATIVE64",
    [41] = "R_X86_64_GOTPCRELX",               [42] = "R_X86_64_REX_GOTPCRELX",
};

const char *mkpv_reloc_name(uint32_t type)
{
    if (type < sizeof(reloc_names) / sizeof(reloc_names[0]))
        return reloc_names[type];
    return NULL;
}

char *mkpv_mod_name_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    size_t sl = strlen(MKPV_MOD_SUFFIX);
    if (n > sl && strcmp(base + n - sl, MKPV_MOD_SUFFIX) == 0)
        n -= sl;
    char *name = strndup(base, n);
    if (!name)
        mkpv_error("out of memory");
    return name;
}

void mkpv_mod_free(struct mkpv_mod *m)
{
    if (!m)
        return;
    if (m->elf)
        elf_end(m->elf);
    free(m->buf);
    free(m->sec);
    free(m->sym);
    free(m->deps);
    free(m->name);
    free(m->path);
    free(m);
}

static const char *machine_name(unsigned m)
{
    switch (m) {
    case EM_386: return "i386";
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "ARM";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "s390";
    default: return "unknown";
    }
}

static const char *type_name(unsigned t)
{
    switch (t) {
    case ET_NONE: return "ET_NONE";
    case ET_REL: return "ET_REL (relocatable)";
    case ET_EXEC: return "ET_EXEC (executable)";
    case ET_DYN: return "ET_DYN (shared object or PIE)";
    case ET_CORE: return "ET_CORE (core dump)";
    default: return "unknown";
    }
}

/* Decide where an allocated section goes.  Returns -1 on unsupported input. */
static int classify(struct mkpv_mod *m, struct mkpv_sec *s)
{
    s->kind = MKPV_DROP;
    if (!(s->flags & SHF_ALLOC))
        return 0;
    if (strcmp(s->name, ".eh_frame") == 0 || s->type == SHT_X86_64_UNWIND ||
        s->type == SHT_NOTE)
        return 0;   /* unwind tables and notes are not needed at run time */
    if (s->flags & SHF_TLS)
        return mkpv_error("%s: section %s: thread-local storage is not supported", m->path, s->name);
    if (s->type == SHT_INIT_ARRAY || s->type == SHT_FINI_ARRAY || s->type == SHT_PREINIT_ARRAY)
        return mkpv_error("%s: section %s: constructors/destructors are not supported "
                          "(use pvboot_init_%s)", m->path, s->name, m->name);
    if (s->type == SHT_NOBITS)
        s->kind = MKPV_BSS;
    else if (s->type != SHT_PROGBITS)
        return mkpv_error("%s: section %s: unsupported allocated section type 0x%x",
                          m->path, s->name, s->type);
    else if (s->flags & SHF_EXECINSTR)
        s->kind = MKPV_TEXT;
    else if (s->flags & SHF_WRITE)
        s->kind = MKPV_DATA;
    else
        s->kind = MKPV_RODATA;
    return 0;
}

static int load_sections(struct mkpv_mod *m, const GElf_Ehdr *eh)
{
    size_t shnum, shstrndx;
    if (eh->e_shoff == 0)
        return mkpv_error("%s: no section headers", m->path);
    if (eh->e_shentsize != sizeof(Elf64_Shdr))
        return mkpv_error("%s: bad section header size %u", m->path, eh->e_shentsize);
    if (eh->e_shoff > m->len || m->len - eh->e_shoff < sizeof(Elf64_Shdr))
        return mkpv_error("%s: truncated: section headers at offset 0x%llx, file is %zu bytes",
                          m->path, (unsigned long long)eh->e_shoff, m->len);
    if (elf_getshdrnum(m->elf, &shnum) != 0 || elf_getshdrstrndx(m->elf, &shstrndx) != 0)
        return mkpv_error("%s: bad section header table: %s", m->path, elf_errmsg(-1));
    if (shnum > (m->len - eh->e_shoff) / sizeof(Elf64_Shdr))
        return mkpv_error("%s: truncated: %zu section headers at offset 0x%llx need %zu bytes, "
                          "file is %zu bytes", m->path, shnum, (unsigned long long)eh->e_shoff,
                          (size_t)eh->e_shoff + shnum * sizeof(Elf64_Shdr), m->len);
    if (shnum == 0 || shstrndx >= shnum)
        return mkpv_error("%s: bad section header table (%zu sections, names in %zu)",
                          m->path, shnum, shstrndx);
    m->sec = reallocarray(NULL, shnum, sizeof(*m->sec));
    if (!m->sec)
        return mkpv_error("out of memory");
    memset(m->sec, 0, shnum * sizeof(*m->sec));
    m->nsec = shnum;
    m->sec[0].name = "";
    m->sec[0].align = 1;
    /* the section name table must itself be in the file before elf_strptr reads it */
    GElf_Shdr strsh;
    if (!gelf_getshdr(elf_getscn(m->elf, shstrndx), &strsh))
        return mkpv_error("%s: bad section name table: %s", m->path, elf_errmsg(-1));
    if (strsh.sh_type != SHT_STRTAB || strsh.sh_offset > m->len ||
        strsh.sh_size > m->len - strsh.sh_offset)
        return mkpv_error("%s: truncated: section name table extends past end of file (%zu bytes)",
                          m->path, m->len);
    for (size_t i = 1; i < shnum; i++) {
        GElf_Shdr sh;
        struct mkpv_sec *s = &m->sec[i];
        if (!gelf_getshdr(elf_getscn(m->elf, i), &sh))
            return mkpv_error("%s: bad section header %zu: %s", m->path, i, elf_errmsg(-1));
        s->name = elf_strptr(m->elf, shstrndx, sh.sh_name);
        if (!s->name)
            return mkpv_error("%s: section %zu: bad name offset 0x%x", m->path, i, sh.sh_name);
        s->type = sh.sh_type;
        s->flags = sh.sh_flags;
        s->size = sh.sh_size;
        s->offset = sh.sh_offset;
        s->info = sh.sh_info;
        s->link = sh.sh_link;
        s->align = sh.sh_addralign ? sh.sh_addralign : 1;
        if (s->align & (s->align - 1))
            return mkpv_error("%s: section %s: alignment %llu is not a power of two",
                              m->path, s->name, (unsigned long long)s->align);
        if (s->align > (1u << 30))
            return mkpv_error("%s: section %s: alignment %llu is too large",
                              m->path, s->name, (unsigned long long)s->align);
        if (s->type != SHT_NOBITS && (s->offset > m->len || s->size > m->len - s->offset))
            return mkpv_error("%s: truncated: section %s (offset 0x%llx, size 0x%llx) extends "
                              "past end of file (%zu bytes)", m->path, s->name,
                              (unsigned long long)s->offset, (unsigned long long)s->size, m->len);
        if (s->type == SHT_REL)
            return mkpv_error("%s: section %s: SHT_REL relocations are not used on x86-64 "
                              "(expected SHT_RELA)", m->path, s->name);
        if (s->type == SHT_RELA && (s->info == 0 || s->info >= shnum || s->link >= shnum))
            return mkpv_error("%s: section %s: bad target/symbol table index", m->path, s->name);
        if (s->type == SHT_SYMTAB) {
            if (m->symtab)
                return mkpv_error("%s: more than one symbol table", m->path);
            m->symtab = i;
        }
        if (classify(m, s) < 0)
            return -1;
    }
    return 0;
}

static int load_symbols(struct mkpv_mod *m)
{
    if (!m->symtab)
        return 0;   /* a module without symbols links (and contributes nothing named) */
    struct mkpv_sec *st = &m->sec[m->symtab];
    if (st->size % sizeof(Elf64_Sym))
        return mkpv_error("%s: symbol table size %llu is not a multiple of %zu", m->path,
                          (unsigned long long)st->size, sizeof(Elf64_Sym));
    if (st->link == 0 || st->link >= m->nsec || m->sec[st->link].type != SHT_STRTAB)
        return mkpv_error("%s: symbol table has no string table", m->path);
    Elf_Scn *scn = elf_getscn(m->elf, m->symtab);
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data)
        return mkpv_error("%s: cannot read symbol table: %s", m->path, elf_errmsg(-1));
    /* extended section indices, if any */
    Elf_Data *xdata = NULL;
    for (size_t i = 1; i < m->nsec; i++)
        if (m->sec[i].type == SHT_SYMTAB_SHNDX && m->sec[i].link == m->symtab)
            xdata = elf_getdata(elf_getscn(m->elf, i), NULL);
    size_t n = st->size / sizeof(Elf64_Sym);
    m->sym = reallocarray(NULL, n ? n : 1, sizeof(*m->sym));
    if (!m->sym)
        return mkpv_error("out of memory");
    memset(m->sym, 0, (n ? n : 1) * sizeof(*m->sym));
    m->nsym = n;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym es;
        Elf32_Word xndx = 0;
        struct mkpv_sym *s = &m->sym[i];
        if (!gelf_getsymshndx(data, xdata, (int)i, &es, &xndx))
            return mkpv_error("%s: cannot read symbol %zu: %s", m->path, i, elf_errmsg(-1));
        s->name = elf_strptr(m->elf, st->link, es.st_name);
        if (!s->name)
            return mkpv_error("%s: symbol %zu: bad name offset 0x%x", m->path, i, es.st_name);
        s->value = es.st_value;
        s->size = es.st_size;
        s->bind = GELF_ST_BIND(es.st_info);
        s->type = GELF_ST_TYPE(es.st_info);
        s->got = -1;
        if (es.st_shndx == SHN_XINDEX)
            s->shndx = xndx;
        else if (es.st_shndx == SHN_ABS)
            s->shndx = MKPV_SHN_ABS;
        else if (es.st_shndx == SHN_COMMON)
            s->shndx = MKPV_SHN_COMMON;
        else if (es.st_shndx >= SHN_LORESERVE)
            return mkpv_error("%s: symbol '%s': unsupported special section index 0x%x", m->path,
                              s->name, es.st_shndx);
        else
            s->shndx = es.st_shndx;
        if (s->shndx != SHN_UNDEF && s->shndx != MKPV_SHN_ABS && s->shndx != MKPV_SHN_COMMON &&
            s->shndx >= m->nsec)
            return mkpv_error("%s: symbol '%s': bad section index %u", m->path, s->name, s->shndx);
        if (s->type == STT_GNU_IFUNC)
            return mkpv_error("%s: symbol '%s': indirect functions (STT_GNU_IFUNC) are not "
                              "supported", m->path, s->name);
        if (s->type == STT_TLS && s->shndx != SHN_UNDEF)
            return mkpv_error("%s: symbol '%s': thread-local storage is not supported",
                              m->path, s->name);
        if (i > 0 && s->bind != STB_LOCAL && s->bind != STB_GLOBAL && s->bind != STB_WEAK &&
            s->bind != STB_GNU_UNIQUE)
            return mkpv_error("%s: symbol '%s': unsupported binding %u", m->path, s->name, s->bind);
        if (s->shndx == MKPV_SHN_COMMON && (s->value == 0 || (s->value & (s->value - 1)) ||
                                       s->value > (1u << 30)))
            return mkpv_error("%s: common symbol '%s': bad alignment %llu", m->path, s->name,
                              (unsigned long long)s->value);
    }
    return 0;
}

struct mkpv_mod *mkpv_mod_load(const char *path, const char *name)
{
    struct mkpv_mod *m = calloc(1, sizeof(*m));
    if (!m) {
        mkpv_error("out of memory");
        return NULL;
    }
    m->path = strdup(path);
    m->name = name ? strdup(name) : mkpv_mod_name_from_path(path);
    if (!m->path || !m->name) {
        mkpv_error("out of memory");
        goto fail;
    }
    if (mkpv_read_file(path, "module", MKPV_MAX_MODULE_SIZE, &m->buf, &m->len) < 0)
        goto fail;
    if (m->len < SELFMAG || memcmp(m->buf, ELFMAG, SELFMAG) != 0) {
        mkpv_error("%s: not an ELF file", path);
        goto fail;
    }
    if (m->len < EI_NIDENT || m->buf[EI_CLASS] != ELFCLASS64) {
        if (m->len >= EI_NIDENT && m->buf[EI_CLASS] == ELFCLASS32)
            mkpv_error("%s: wrong class: 32-bit ELF, expected ELF64 x86-64", path);
        else
            mkpv_error("%s: truncated or bad ELF identification", path);
        goto fail;
    }
    if (m->buf[EI_DATA] != ELFDATA2LSB) {
        mkpv_error("%s: wrong byte order: expected little-endian (x86-64)", path);
        goto fail;
    }
    if (m->len < sizeof(Elf64_Ehdr)) {
        mkpv_error("%s: truncated: %zu bytes, an ELF64 header needs %zu", path, m->len,
                   sizeof(Elf64_Ehdr));
        goto fail;
    }
    /* identity and header-table bounds from the raw header, before libelf */
    Elf64_Ehdr raw;
    memcpy(&raw, m->buf, sizeof(raw));
    if (raw.e_machine != EM_X86_64) {
        mkpv_error("%s: wrong machine: %s (e_machine %u), expected x86-64 (%u)", path,
                   machine_name(raw.e_machine), raw.e_machine, EM_X86_64);
        goto fail;
    }
    if (raw.e_type != ET_REL) {
        mkpv_error("%s: wrong type: %s, expected ET_REL (a relocatable module made by ld -r)",
                   path, type_name(raw.e_type));
        goto fail;
    }
    if (raw.e_shoff == 0 || raw.e_shentsize != sizeof(Elf64_Shdr)) {
        mkpv_error("%s: no usable section header table (e_shoff 0x%llx, e_shentsize %u)", path,
                   (unsigned long long)raw.e_shoff, raw.e_shentsize);
        goto fail;
    }
    if (raw.e_shoff > m->len || m->len - raw.e_shoff < sizeof(Elf64_Shdr)) {
        mkpv_error("%s: truncated: section headers at offset 0x%llx, file is %zu bytes", path,
                   (unsigned long long)raw.e_shoff, m->len);
        goto fail;
    }
    uint64_t shnum = raw.e_shnum;
    if (shnum == 0) {   /* extended numbering: the count is in section 0's sh_size */
        Elf64_Shdr sh0;
        memcpy(&sh0, m->buf + raw.e_shoff, sizeof(sh0));
        shnum = sh0.sh_size;
    }
    if (shnum > (m->len - raw.e_shoff) / sizeof(Elf64_Shdr)) {
        mkpv_error("%s: truncated: %llu section headers at offset 0x%llx need %llu bytes, "
                   "file is %zu bytes", path, (unsigned long long)shnum,
                   (unsigned long long)raw.e_shoff,
                   (unsigned long long)(raw.e_shoff + shnum * sizeof(Elf64_Shdr)), m->len);
        goto fail;
    }
    if (elf_version(EV_CURRENT) == EV_NONE) {
        mkpv_error("libelf: %s", elf_errmsg(-1));
        goto fail;
    }
    m->elf = elf_memory((char *)m->buf, m->len);
    GElf_Ehdr eh;
    if (!m->elf || elf_kind(m->elf) != ELF_K_ELF || !gelf_getehdr(m->elf, &eh)) {
        mkpv_error("%s: bad ELF header: %s", path, elf_errmsg(-1));
        goto fail;
    }
    if (load_sections(m, &eh) < 0 || load_symbols(m) < 0)
        goto fail;
    return m;
fail:
    mkpv_mod_free(m);
    return NULL;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void mkpv_free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

int mkpv_moddir_scan(const char *dir, char ***names, size_t *count)
{
    DIR *d = opendir(dir);
    *names = NULL;
    *count = 0;
    if (!d)
        return mkpv_error("%s: cannot read module directory: %s", dir, strerror(errno));
    size_t cap = 0, n = 0;
    char **v = NULL;
    struct dirent *de;
    size_t sl = strlen(MKPV_MOD_SUFFIX);
    while ((errno = 0, de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= sl || strcmp(de->d_name + len - sl, MKPV_MOD_SUFFIX))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nv = reallocarray(v, ncap, sizeof(*v));
            if (!nv)
                goto oom;
            v = nv;
            cap = ncap;
        }
        v[n] = strndup(de->d_name, len - sl);
        if (!v[n])
            goto oom;
        n++;
    }
    if (errno) {
        int e = errno;
        closedir(d);
        mkpv_free_names(v, n);
        return mkpv_error("%s: cannot read module directory: %s", dir, strerror(e));
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof(*v), cmp_names);
    *names = v;
    *count = n;
    return 0;
oom:
    closedir(d);
    mkpv_free_names(v, n);
    return mkpv_error("out of memory");
}
