/* SPDX-License-Identifier: MIT */
/*
 * Guest memory maps (PVH): parsing hvm_start_info and the memory map Xen
 * gives a PVH guest, normalising it, and choosing free guest-physical frames
 * for the frames the platform maps itself (shared_info, grant table).  Pure
 * logic: also built into the hosted library and unit-tested
 * (tests/unit/test_kernel_memmap.c).  Formats: xen/arch-x86/hvm/start_info.h,
 * XENMEM_memory_map in xen/memory.h; see modules/kernel/xen/README.md.
 */
#ifndef PVBOOT_KERNEL_XEN_MEMMAP_H
#define PVBOOT_KERNEL_XEN_MEMMAP_H

#include <stddef.h>
#include <stdint.h>
#include "pvboot/xen/platform.h"

/* At most this many entries are accepted from Xen (libxl builds a handful;
 * E820MAX is 128). */
#define PB_MEMMAP_MAX 128
/* Output capacity of pb_memmap_normalize() for PB_MEMMAP_MAX inputs. */
#define PB_MEMMAP_OUT_MAX (2 * PB_MEMMAP_MAX)

/* The fields of hvm_start_info pvboot uses, checked. */
struct pb_pvh_info {
    uint32_t version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
    uint64_t memmap_paddr;        /* 0 unless version >= 1 and memmap_entries != 0 */
    uint32_t memmap_entries;
};

/**
 * pb_pvh_parse_start_info() - check and decode the hvm_start_info at @buf
 * (@len readable bytes; 56 are needed for version >= 1, 40 for version 0).
 * Errors (PB_EINVAL, message naming the field and value): wrong magic
 * (XEN_HVM_START_MAGIC_VALUE), too short, nr_modules with modlist_paddr 0,
 * a v1 map with memmap_paddr 0 or more than PB_MEMMAP_MAX entries.  Versions
 * above 1 are read as 1 ("backwards-compatible", start_info.h).
 */
int pb_pvh_parse_start_info(const void *buf, size_t len, struct pb_pvh_info *out);

/**
 * pb_memmap_from_table() - convert @n hvm_memmap_table_entry records (24
 * bytes each, at @buf) into @out (capacity @n).  Returns @n, or PB_EINVAL if
 * @n > PB_MEMMAP_MAX.
 */
int pb_memmap_from_table(const void *buf, unsigned n, struct pb_memmap_entry *out);
/**
 * pb_memmap_from_e820() - the same for XENMEM_memory_map's result: @n packed
 * 20-byte BIOS E820 records (u64 addr, u64 size, u32 type).
 */
int pb_memmap_from_e820(const void *buf, unsigned n, struct pb_memmap_entry *out);

/**
 * pb_memmap_normalize() - sort, page-align and de-overlap @n entries of @in
 * into @out (capacity @cap; PB_MEMMAP_OUT_MAX always suffices):
 *   - zero-length entries and RAM entries shorter than a page are dropped;
 *   - RAM is shrunk to whole pages (start rounded up, end down), other types
 *     are grown to whole pages (start down, end up);
 *   - where entries overlap, a non-RAM type wins over RAM and the higher
 *     type number wins between two non-RAM types;
 *   - adjacent entries of the same type are merged.
 * Entries whose end overflows 2^64 are clipped at the last page.  Returns
 * the number of output entries, or PB_EINVAL (@n > PB_MEMMAP_MAX) /
 * PB_ERANGE (@cap too small).
 */
int pb_memmap_normalize(const struct pb_memmap_entry *in, unsigned n, struct pb_memmap_entry *out,
                        unsigned cap);

/**
 * pb_memmap_find_hole() - the highest run of @npages guest-physical frames
 * that lies below @limit (bytes, page-aligned), at or above 1 MiB, is covered
 * by no entry of the normalised map @map (@n entries) and does not intersect
 * [@avoid, @avoid + @avoid_len).  *gfn receives its first frame.  Returns 0,
 * or PB_ENOMEM if no such run exists.
 */
int pb_memmap_find_hole(const struct pb_memmap_entry *map, unsigned n, uint64_t npages,
                        uint64_t limit, uint64_t avoid, uint64_t avoid_len, uint64_t *gfn);

/** pb_memmap_ram_pages() - number of pages in RAM entries of @map. */
uint64_t pb_memmap_ram_pages(const struct pb_memmap_entry *map, unsigned n);
/**
 * pb_memmap_touch_limit() - with populate-on-demand (libxl turns it on for
 * PVH when memory < maxmem, doc xen-pvh-boot.md §3.8) the map shows maxmem
 * of RAM, but the domain owns only @reservation pages (XENMEM_current_
 * reservation: populated pages plus the PoD cache) and every distinct frame
 * touched takes one of them for good.  Frames of non-RAM entries (special
 * pages, ACPI tables) are counted as already populated.  Returns the
 * page-aligned address below which the lowest RAM pages number
 * @reservation minus those frames, UINT64_MAX if all RAM fits (no PoD), or
 * 0 if not even that many are left.  Units: pages, bytes for the result.
 */
uint64_t pb_memmap_touch_limit(const struct pb_memmap_entry *map, unsigned n, uint64_t reservation);
/** pb_memmap_type_at() - type of the entry containing byte @addr, 0 if none. */
uint32_t pb_memmap_type_at(const struct pb_memmap_entry *map, unsigned n, uint64_t addr);

#endif
