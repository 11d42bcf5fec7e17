/* SPDX-License-Identifier: MIT */
/*
 * The PV kernel loader (module `linux`): kernel image formats, Xen ELF
 * notes, the new domain's layout (as Xen's x86_64 domain builder lays it
 * out), the command line.  Everything here is pure logic, compiled into
 * linux.mod and into the hosted library (tests, pvboot-probe); only the final
 * hand-over (modules/linux/handover.c) is Xen-only.
 *
 * Units: pfn = guest pseudo-physical frame (4 KiB), "va" = guest virtual
 * address in the NEW kernel's address space, lengths in bytes unless the
 * name says pages.  Facts from docs/xen-pv-boot.md §1, §3, §13,
 * §14 and libxenguest (xg_dom_core.c, xg_dom_x86.c, libelf-dominfo.c).
 */
#ifndef PVBOOT_LINUX_H
#define PVBOOT_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pvboot/decompress.h"

/* ------------------------------------------------------------------ */
/* Kernel images                                                       */

#define PB_KIMAGE_MAX_LOADS 16
#define PB_XEN_CMDLINE_MAX 1023          /* MAX_GUEST_CMDLINE - 1 (NUL) */
#define PB_UNSET_ADDR UINT64_MAX

/* The x86 boot-protocol setup header of a bzImage (offsets from file start,
 * doc §14). */
struct pb_bzimage {
    unsigned setup_sects;      /* 0x1f1, 0 means 4 */
    uint16_t version;          /* 0x206 */
    uint64_t payload_offset;   /* absolute file offset of the payload */
    uint32_t payload_length;   /* 0x24c */
    uint32_t trailer_size;     /* LE32 at the end of the payload (kbuild), 0 if none */
    enum pb_comp comp;         /* payload compression */
};

/**
 * pb_bzimage_parse() - read the setup header of @buf (@len bytes).
 * Returns 0, PB_ENOENT if this is not a bzImage (no 0xAA55 / "HdrS"), or
 * PB_EBADFMT (with message) for a bzImage that is too old (< 2.08), whose
 * payload lies outside the file, or whose payload compression is unknown.
 */
int pb_bzimage_parse(const void *buf, size_t len, struct pb_bzimage *out);

/* One PT_LOAD segment of the kernel ELF. */
struct pb_kload {
    uint64_t offset, paddr, vaddr, filesz, memsz;
};

/* What libelf's elf_xen_parse() extracts (doc §1), plus the ELF facts. */
struct pb_xen_kernel {
    /* ELF */
    uint64_t e_entry;
    unsigned nr_loads;
    struct pb_kload loads[PB_KIMAGE_MAX_LOADS];
    uint64_t pstart, pend;             /* min p_paddr, max p_paddr + p_memsz */
    /* Xen notes (PB_UNSET_ADDR when absent) */
    unsigned nr_notes;                 /* Xen notes found */
    uint64_t virt_base, paddr_offset, entry, hypercall_page, p2m_base, hv_start_low;
    uint64_t phys32_entry;
    bool unmapped_initrd;              /* MOD_START_PFN != 0 */
    bool suspend_cancel;
    char guest_os[32], guest_version[32], xen_version[32], loader[32], pae_mode[32];
    char features[256];
    uint32_t f_supported, f_required;  /* XENFEAT submap 0 */
    /* computed as elf_xen_addr_calc_check() does */
    uint64_t virt_kstart, virt_kend, virt_entry;
};

/**
 * pb_xen_elf_parse() - parse an ELF64 x86-64 PV kernel in @elf (@len bytes):
 * PT_LOAD segments (bounds-checked against the file), Xen notes from PT_NOTE
 * segments, else SHT_NOTE sections (owner "Xen"), then the checks of
 * libxenguest/libelf: LOADER "generic" or GUEST_OS "linux*", XEN_VERSION
 * "xen-3.0*", PADDR_OFFSET needs VIRT_BASE, entry within [kstart,kend],
 * VIRT_BASE <= kstart, INIT_P2M outside the kernel, required features known.
 * Returns 0 or PB_EBADFMT/PB_ENOTSUP with a message saying what is wrong
 * (32-bit ELF, HVM-only/PVH-only kernel, missing notes...).
 */
int pb_xen_elf_parse(const void *elf, size_t len, struct pb_xen_kernel *k);

/**
 * pb_kimage_describe() - short human description of what @buf is, for
 * refusing it ("a 32-bit ELF (i386)", "a PE/COFF (EFI) image", "an ASCII text
 * file", "a cpio archive", "zstd-compressed data" ...).  Never NULL.
 */
const char *pb_kimage_describe(const void *buf, size_t len);

/* Timing of the kernel preparation (nanoseconds). */
struct pb_kimage_stats {
    enum pb_comp comp;                 /* compression found (NONE = plain ELF) */
    bool bzimage;
    uint64_t decompress_ns;
    size_t elf_len;
};

/**
 * pb_kimage_to_elf() - turn a kernel file into its ELF: a bzImage's payload
 * or a whole-file compressed ELF is decompressed (any format of
 * decompress.h), a plain ELF is returned as is (*elf = @buf, *elf_owned =
 * false).  Anything else is refused: PB_EBADFMT "FILE: not a PV kernel: it
 * is <description>".  @name is used in messages.  The output buffer is
 * malloc'd (*elf_owned = true) and bounded by @max_elf bytes.
 */
int pb_kimage_to_elf(const char *name, const void *buf, size_t len, size_t max_elf,
                     const void **elf, size_t *elf_len, bool *elf_owned,
                     struct pb_kimage_stats *st, pb_decomp_progress_fn progress, void *ctx);

/* ------------------------------------------------------------------ */
/* Command line                                                        */

/**
 * pb_linux_cmdline() - join @argc words as GRUB 2's `linux` does: separated
 * by one space; a word containing a space is wrapped in double quotes; `\`,
 * `'` and `"` get a backslash in front, except a `\xHH` escape which is kept.
 * Writes the NUL-terminated result into @out (@cap bytes).
 * Returns the full length it needs (excluding the NUL), like snprintf; the
 * caller compares it with PB_XEN_CMDLINE_MAX.
 */
size_t pb_linux_cmdline(int argc, char *const argv[], char *out, size_t cap);

/* ------------------------------------------------------------------ */
/* Layout of the new domain (libxenguest's x86_64 PV order, doc §3)     */

struct pb_lseg {
    uint64_t pfn, pages;               /* first pfn, page count */
    uint64_t vstart, vend;             /* VAs (vend = vstart + byte size) */
};

struct pb_lmap_lvl {                   /* one page-table level of a mapping */
    uint64_t from, to;                 /* VA range covered (48-bit masked, inclusive) */
    uint64_t pfn;                      /* first table frame */
    unsigned pgtables;                 /* number of table frames */
};

struct pb_lmap {                       /* one mapped VA range */
    struct pb_lmap_lvl area;           /* area.pfn = first mapped pfn */
    struct pb_lmap_lvl lvls[4];        /* [0] = L1 ... [3] = L4 */
};

struct pb_layout {
    uint64_t nr_pages;                 /* domain size in pages */
    uint64_t virt_base;
    struct pb_lseg kernel;
    bool have_initrd, initrd_mapped;
    struct pb_lseg initrd;             /* page-rounded */
    uint64_t initrd_len;               /* bytes */
    bool p2m_mapped;                   /* false: at INIT_P2M */
    struct pb_lseg p2m;                /* with INIT_P2M: includes its page tables */
    uint64_t p2m_list_pages;           /* pages of the list itself */
    uint64_t start_info_pfn, xenstore_pfn, console_pfn, bootstack_pfn;
    struct pb_lseg pgtables;           /* the bootstrap page tables (map 0) */
    unsigned n_maps;
    struct pb_lmap maps[2];
    uint64_t virt_alloc_end;           /* VA after the boot stack */
    uint64_t virt_pgtab_end;           /* end of the initial mapping (4 MiB aligned) */
    uint64_t pad_pfn, pad_pages;       /* the padding after the boot stack */
    uint64_t pfn_alloc_end;            /* first pfn after everything */
    /* start_info as the builder fills it (doc §3 table) */
    uint32_t si_flags;
    uint64_t si_pt_base, si_nr_pt_frames, si_mfn_list, si_mod_start, si_mod_len;
    uint64_t si_first_p2m_pfn, si_nr_p2m_frames;
    /* initial registers */
    uint64_t entry, stack_top, start_info_va;
    uint64_t hypercall_page;           /* VA or PB_UNSET_ADDR */
};

/**
 * pb_layout_plan() - plan the new domain exactly as xc_dom_build_image()
 * does for an x86_64 PV guest: kernel (virt_kstart..virt_kend), initrd
 * (mapped unless MOD_START_PFN), p2m (mapped unless a valid INIT_P2M),
 * start_info, xenstore, console, page tables (counted like
 * count_pgtables/alloc_pgtables_pv), boot stack, padding (>= 512 KiB, to a
 * 4 MiB boundary), unmapped initrd, INIT_P2M list + its page tables.
 * @initrd_len: bytes (0 with @have_initrd false = none).
 * Returns 0, or PB_ERANGE "kernel does not fit: needs N pages, domain has M"
 * (message says which item did not fit), PB_EBADFMT for an unaligned kernel.
 */
int pb_layout_plan(const struct pb_xen_kernel *k, uint64_t nr_pages, bool have_initrd,
                   uint64_t initrd_len, struct pb_layout *L);

/**
 * pb_layout_pt_foreach() - every page-table entry the builder writes
 * (setup_pgtables_pv): @cb(table_pfn, index, target_pfn, pte_flags) where
 * the entry value is (p2m[target_pfn] << 12) | pte_flags.  Read-only (no RW)
 * for frames that are page tables themselves.  Stops when @cb returns
 * non-zero and returns that value.
 */
int pb_layout_pt_foreach(const struct pb_layout *L,
                         int (*cb)(void *ctx, uint64_t table_pfn, unsigned index,
                                   uint64_t target_pfn, uint64_t flags),
                         void *ctx);

/** pb_layout_is_pt_pfn() - true if @pfn is one of the planned page-table frames. */
bool pb_layout_is_pt_pfn(const struct pb_layout *L, uint64_t pfn);

/**
 * pb_layout_print() - the boot plan in text: segments, initrd placement,
 * start_info fields, page-table frames.  @out is called with each line
 * (without newline).
 */
void pb_layout_print(const struct pb_layout *L, const struct pb_xen_kernel *k,
                     void (*out)(void *ctx, const char *line), void *ctx);

/* ------------------------------------------------------------------ */
/* The prepared boot (filled by `linux`/`initrd`, used by `boot`)     */

struct pb_linux_boot {
    struct pb_xen_kernel k;
    /* kernel image: one buffer of kernel.pages pages, content already at
     * its offsets (segments copied, bss zeroed), page aligned */
    uint8_t *kimage;
    uint64_t kimage_pages;
    /* initrds concatenated, page aligned buffer of initrd_len bytes */
    uint8_t *initrd;
    uint64_t initrd_len;
    char cmdline[PB_XEN_CMDLINE_MAX + 1];
    char kernel_path[512];
    uint64_t t_read_ns, t_decomp_ns, t_layout_ns;
};

/**
 * pb_linux_handover() - build the planned domain in place and jump to the
 * new kernel (Xen build, modules/linux/handover.c).  Returns only on
 * failure (before anything irreversible) with a PB_E* code and message.
 * The hosted build has no hand-over: PB_ENOTSUP (there @L may be NULL).
 */
int pb_linux_handover(struct pb_linux_boot *b, const struct pb_layout *L);

/** pb_linux_domain_pages() - nr_pages of this domain (Xen build); 0 hosted. */
uint64_t pb_linux_domain_pages(void);

#endif
