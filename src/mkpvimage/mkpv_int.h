/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage internals shared by module.c, link.c and image.c.
 * Not used outside src/mkpvimage (tests go through mkpv.h).
 */
#ifndef MKPV_INT_H
#define MKPV_INT_H

#include <gelf.h>
#include <libelf.h>

#include "mkpv.h"

#define MKPV_PAGE 4096u
/* Special symbol section indices, outside the range of real ones: with
 * extended numbering (SHN_XINDEX) a real index may equal SHN_ABS (0xfff1)
 * or SHN_COMMON (0xfff2), so those are mapped here when read. */
#define MKPV_SHN_ABS    0xfffffff1u
#define MKPV_SHN_COMMON 0xfffffff2u
/* Linker-defined: the GOT's address (referenced by PIC objects). */
#define MKPV_GOT_SYMBOL "_GLOBAL_OFFSET_TABLE_"

/* Where an input section goes in the image. */
enum mkpv_kind {
    MKPV_DROP = 0,   /* not loaded (non-alloc, .eh_frame, notes, discarded COMDAT) */
    MKPV_TEXT,       /* RX segment */
    MKPV_RODATA,     /* R segment */
    MKPV_DATA,       /* RW segment, file-backed */
    MKPV_BSS,        /* RW segment, zero-filled */
    MKPV_NKINDS
};

struct mkpv_sec {
    const char *name;          /* in the module's buffer */
    uint32_t type;             /* SHT_* */
    uint64_t flags;            /* SHF_* */
    uint64_t size, align;      /* bytes; align >= 1, power of two */
    uint64_t offset;           /* file offset of the data (bounds-checked) */
    uint32_t info, link;       /* sh_info, sh_link */
    enum mkpv_kind kind;
    bool discarded;            /* member of a COMDAT group kept from another module */
    uint64_t addr;             /* VA once laid out */
};

struct mkpv_gsym;

struct mkpv_sym {
    const char *name;          /* "" for unnamed */
    uint64_t value, size;
    uint32_t shndx;            /* section index (SHN_XINDEX resolved), SHN_UNDEF,
                                  MKPV_SHN_ABS or MKPV_SHN_COMMON */
    uint8_t bind, type;
    struct mkpv_gsym *g;       /* global/weak symbols: the global table entry */
    int64_t got;               /* local symbols: GOT slot or -1 */
};

struct mkpv_mod {
    char *name;                /* module name (file name without .mod) */
    char *path;                /* as given or moddir/NAME.mod */
    uint8_t *buf;              /* whole file */
    size_t len;
    Elf *elf;
    size_t nsec;
    struct mkpv_sec *sec;
    size_t nsym;
    struct mkpv_sym *sym;
    size_t symtab;             /* index of SHT_SYMTAB section (0 = none) */
    bool included;
    bool from_moddir;
    /* dependency graph (indices into the link's module array) */
    size_t *deps;
    size_t ndeps;
    size_t order;              /* position in the module table */
    uint64_t init, fini;       /* VAs or 0 */
};

/* Global symbol table entry. */
enum mkpv_strength { MKPV_UNDEF = 0, MKPV_WEAK = 1, MKPV_COMMON = 2, MKPV_STRONG = 3 };

struct mkpv_gsym {
    const char *name;
    enum mkpv_strength strength;
    struct mkpv_mod *def;      /* defining module (NULL: undefined or linker-defined) */
    size_t defsym;             /* index in def->sym */
    uint64_t common_size, common_align;
    struct mkpv_mod *ref;      /* first module with a strong (non-weak) undefined reference */
    bool linker_defined;       /* pvboot_image_info */
    uint64_t addr;             /* final VA (0 for weak undefined) */
    int64_t got;               /* GOT slot or -1 */
};

/* A string → pointer hash table (open addressing, keys not copied). */
struct mkpv_map {
    const char **keys;
    void **vals;
    size_t cap, count;
};
int mkpv_map_put(struct mkpv_map *m, const char *key, void *val);   /* replaces */
void *mkpv_map_get(const struct mkpv_map *m, const char *key);
void mkpv_map_free(struct mkpv_map *m);

/* A GOT slot: the address of a global or of a module's local symbol. */
struct mkpv_got_slot {
    struct mkpv_gsym *g;       /* global, or NULL */
    struct mkpv_mod *m;        /* local: module and symbol index */
    size_t sym;
};

/* Segment indices. */
enum { MKPV_SEG_TEXT, MKPV_SEG_RODATA, MKPV_SEG_DATA, MKPV_NSEGS };

/* The state of one link (mkpv_link()). */
struct mkpv_link {
    struct mkpv_options opt;
    const char *moddir;
    /* every module read: included ones and, once indexed, all of moddir */
    struct mkpv_mod **mods;
    size_t nmods, capmods;
    struct mkpv_map modmap;        /* name -> struct mkpv_mod * */
    bool moddir_indexed;
    struct mkpv_map provider;      /* symbol -> moddir module defining it */
    /* included modules: canonical order (kernel, then by name) and init order */
    struct mkpv_mod **canon, **order;
    size_t norder;
    /* symbols */
    struct mkpv_map gsyms;         /* name -> struct mkpv_gsym * */
    struct mkpv_gsym **glist;      /* in creation order (deterministic) */
    size_t nglist, capglist;
    struct mkpv_gsym *info_sym;    /* PVBOOT_IMAGE_INFO_SYMBOL */
    struct mkpv_gsym *got_sym;     /* MKPV_GOT_SYMBOL */
    struct mkpv_map comdat;        /* group signature -> module keeping it */
    /* GOT */
    struct mkpv_got_slot *got;
    size_t ngot, capgot;
    size_t nrelaxed;
    /* embedded data */
    uint8_t *config;
    size_t config_len;
    uint8_t *memdisk;
    size_t memdisk_len;
    const uint8_t *pubkeys;        /* the options' (not owned) */
    size_t pubkeys_len;
    const char *prefix;
    /* layout (VAs) */
    uint64_t seg_start[MKPV_NSEGS], seg_end[MKPV_NSEGS];  /* seg_end: end of file data */
    uint64_t bss_end, image_end;
    uint64_t info_addr, modtab_addr, got_addr, strings_addr, strings_size;
    uint64_t version_addr, prefix_addr, config_addr, memdisk_addr, pubkeys_addr;
    uint64_t *modname_addr;        /* per module in init order */
    uint64_t entry;
    uint64_t pvh_entry;            /* _start_pvh */
    /* output */
    uint8_t *image;
    size_t image_len;
};

/* image.c */
/** mkpv_image_alloc() - size the file from the layout, allocate it zeroed
 *  and copy every loaded section's bytes to its place. */
int mkpv_image_alloc(struct mkpv_link *l);
/** mkpv_image_finish() - write image info, module table, GOT, strings,
 *  config, memdisk, Xen notes and the ELF/program/section headers. */
int mkpv_image_finish(struct mkpv_link *l);
/** mkpv_image_ptr() - pointer into the image for VA @va, @len bytes
 *  of file-backed data, or NULL if not inside a file-backed segment. */
uint8_t *mkpv_image_ptr(struct mkpv_link *l, uint64_t va, size_t len);

/* module.c */
/** mkpv_mod_load() - read and parse one module file (see module.c). */
struct mkpv_mod *mkpv_mod_load(const char *path, const char *name);
void mkpv_mod_free(struct mkpv_mod *m);
/** mkpv_mod_name_from_path() - "dir/foo.mod" -> "foo" (malloc'd). */
char *mkpv_mod_name_from_path(const char *path);
/** mkpv_moddir_scan() - sorted malloc'd list of module names in @dir. */
int mkpv_moddir_scan(const char *dir, char ***names, size_t *count);
void mkpv_free_names(char **names, size_t count);
/** mkpv_reloc_name() - "R_X86_64_PC32" etc., or NULL for unknown numbers. */
const char *mkpv_reloc_name(uint32_t type);

#endif
