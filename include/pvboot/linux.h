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
/* PVH: Linux's PVH entry (XEN_ELFNOTE_PHYS32_ENTRY) with a fresh        */
/* hvm_start_info (doc xen-pvh-boot.md §2.2, §4.1)                      */

/**
 * pb_pvh_elf_parse() - parse a kernel ELF for booting in a PVH domain, as
 * libelf does for an HVM container (elf_xen_parse with hvm = true): ELF32
 * (i386) or ELF64 (x86-64); PT_LOAD segments (bounds-checked); Xen notes;
 * XEN_ELFNOTE_PHYS32_ENTRY is the one required note and must lie in the
 * physical range [min p_paddr, max p_paddr + p_memsz) below 4 GiB.  Fills
 * @k with virt_base = paddr_offset = 0, virt_kstart/virt_kend = that range,
 * virt_entry = phys32_entry.  Returns 0; PB_ENOTSUP "the kernel has no PVH
 * entry point ... boot it in a PV domain (type = "pv")" when the note is
 * missing; PB_EBADFMT for a malformed file.
 */
int pb_pvh_elf_parse(const void *elf, size_t len, struct pb_xen_kernel *k);

/* One range of guest-physical memory (bytes); type = XEN_HVM_MEMMAP_TYPE_*
 * (xen/arch-x86/hvm/start_info.h) where it matters. */
struct pb_pvh_range {
    uint64_t addr, size;
    uint32_t type;
};

/* Linux copies the start-info memmap into boot_params.e820_table, which
 * has E820_MAX_ENTRIES_ZEROPAGE (128) slots, without checking the count. */
#define PB_PVH_MEMMAP_MAX 128
#define PB_PVH_INFO_MAX 8192            /* start-info block, bytes (2 pages) */
#define PB_PVH_LOW_LIMIT (1ull << 20)   /* nothing placed below 1 MiB */
#define PB_PVH_INFO_LIMIT (1ull << 30)  /* start info, modlist, memmap, cmdline */
#define PB_PVH_INITRD_LIMIT (1ull << 32)

struct pb_pvh_input {
    uint64_t kstart, kend;             /* kernel load range (p_paddr) */
    uint64_t entry;                    /* PHYS32_ENTRY */
    bool have_initrd;
    uint64_t initrd_len;               /* bytes, module 0 */
    const char *cmdline;               /* NUL-terminated */
    uint32_t flags;                    /* hvm_start_info.flags to pass on */
    uint64_t rsdp_paddr;               /* 0 = none */
    const struct pb_pvh_range *memmap; /* the received map */
    unsigned nr_memmap;
    const struct pb_pvh_range *reserved; /* platform frames to mark RESERVED */
    unsigned nr_reserved;
    const struct pb_pvh_range *busy;   /* memory the placed pieces must avoid
                                        * (the staged copies) */
    unsigned nr_busy;
    uint64_t tramp, tramp_len;         /* the trampoline: nothing may overlap it */
};

struct pb_pvh_plan {
    uint64_t kstart, kend, entry;
    uint64_t initrd_addr, initrd_len;  /* initrd_addr 0: none */
    uint64_t info_addr, info_len;      /* the start-info block, page aligned */
    uint64_t modlist_addr, memmap_addr, cmdline_addr;  /* inside the block */
    unsigned nr_memmap;
    struct pb_pvh_range memmap[PB_PVH_MEMMAP_MAX];     /* as passed */
    uint8_t info[PB_PVH_INFO_MAX];     /* the block's bytes (info_len used) */
};

/**
 * pb_pvh_plan() - plan a PVH hand-over (pure): the memmap to pass (the
 * received map with @reserved overlaid as RESERVED: sorted, RAM split
 * around them, adjacent equal types merged, at most PB_PVH_MEMMAP_MAX
 * entries); the kernel range must lie in RAM and clear of the trampoline;
 * then, in RAM at or above 1 MiB and clear of the kernel, the trampoline,
 * @busy and each other: the start-info block (hvm_start_info v1 | modlist |
 * memmap | cmdline, page aligned, ending below 1 GiB) and the initrd
 * (page aligned, ending below 4 GiB), each at the lowest fitting address at
 * or above the kernel's end, else the lowest from 1 MiB up.  The block's
 * bytes are built in @p->info (magic, version 1, flags, nr_modules,
 * modlist/cmdline/rsdp/memmap addresses; module 0 = initrd).
 * Returns 0; PB_EBADFMT (entry outside the kernel or >= 4 GiB), PB_ERANGE
 * (kernel over non-RAM, memmap too long, cmdline too long), PB_EBUSY
 * (kernel over the trampoline: the caller moves the trampoline), PB_ENOMEM
 * ("... does not fit in free RAM below N") with a message naming the piece.
 */
int pb_pvh_plan(const struct pb_pvh_input *in, struct pb_pvh_plan *p);

/**
 * pb_pvh_plan_print() - the PVH boot plan in text (kernel range and entry,
 * initrd, start-info block with its fields, the memmap), one line per call
 * of @out (without newline).
 */
void pb_pvh_plan_print(const struct pb_pvh_plan *p, void (*out)(void *ctx, const char *line),
                       void *ctx);

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

/*
 * The two hand-overs, one per boot protocol (pb_platform()->proto,
 * include/pvboot/platform.h).  Xen build: handover.c and handover_pvh.c;
 * hosted build: handover_hosted.c, where both fail with PB_ENOTSUP (there
 * is no domain to hand over; a hosted session normally only decides and
 * never gets here).
 */

/**
 * pb_linux_handover() - PV hand-over: build the planned domain @L in place
 * and jump to the new kernel (doc xen-pv-boot.md §13).  Returns only on
 * failure (before anything irreversible) with a PB_E* code and message.
 * Hosted: PB_ENOTSUP (there @L is NULL: no domain, nothing planned).
 */
int pb_linux_handover(struct pb_linux_boot *b, const struct pb_layout *L);

/**
 * pb_linux_handover_pvh() - PVH hand-over: plan with pb_pvh_plan() for
 * this domain's memory map, stage the start info, quiesce
 * (pb_before_handover) and jump through the trampoline, which copies
 * initrd, start info and kernel into place, leaves long mode and enters
 * PHYS32_ENTRY as the PVH boot ABI says (doc xen-pvh-boot.md §4.1).
 * Returns only on failure before anything irreversible; hosted: PB_ENOTSUP.
 */
int pb_linux_handover_pvh(struct pb_linux_boot *b);

#endif
