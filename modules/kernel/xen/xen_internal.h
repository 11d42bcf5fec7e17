/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces of the kernel module's Xen platform code
 * (modules/kernel/xen/ *.c).  Not for other modules: they use
 * include/pvboot/xen/platform.h.
 */
#ifndef PVBOOT_KERNEL_XEN_INTERNAL_H
#define PVBOOT_KERNEL_XEN_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pvboot/platform.h"
#include "pvboot/xen/platform.h"
#include <xen/sched.h>
#include <xen/io/console.h>
#include <xen/arch-x86/hvm/start_info.h>

/* x86 PTE bits */
#define PTE_P   0x1ull
#define PTE_RW  0x2ull
#define PTE_US  0x4ull
#define PTE_DATA (PTE_P | PTE_RW | PTE_US)   /* ordinary RAM, intermediate tables */
#define PTE_RO   (PTE_P | PTE_US)            /* page-table frames, read-only data */

/* Base of the VA area used for mappings that are not RAM (shared_info, grant
 * frames): far above any guest RAM, below Xen's reserved L4 slots. */
#define PB_EXTRA_VA_BASE 0x00007f0000000000ull

/* m2p: machine frame -> pfn, Xen's read-only table. */
static inline unsigned long pb_mfn_to_pfn(xen_pfn_t mfn)
{
    return ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

/* ---- hypercall shorthands ---- */
static inline long hyp_sched_op(int cmd, void *arg) { return pb_hypercall(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0); }
static inline long hyp_evtchn_op(int cmd, void *arg) { return pb_hypercall(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0); }
static inline long hyp_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
    return pb_hypercall(__HYPERVISOR_update_va_mapping, va, pte, flags, 0, 0);
}

/* ---- the platform seam: PV (setup.c, mm.c) or PVH (pvh.c), fixed at entry ---- */
/* What the start-up of either mode found; drivers read only this. */
struct pb_xen_boot {
    void *console_ring;           /* VA of the console ring, NULL if none */
    evtchn_port_t console_port;
    void *store_ring;             /* VA of the xenstore ring, NULL if none */
    evtchn_port_t store_port;
    const char *cmdline;          /* raw Xen command line buffer (maybe unterminated) */
    size_t cmdline_size;          /* bytes readable at cmdline */
};
extern struct pb_xen_boot pb_boot;

struct pb_xen_platform_ops {
    enum pb_xen_mode mode;
    /** What modules see of this mode (include/pvboot/platform.h). */
    const struct pb_platform_ops *platform;
    /** The frame number Xen uses for RAM page @pfn (MFN / GFN). */
    xen_pfn_t (*pfn_to_frame)(unsigned long pfn);
    /** Map frame @frame at @va (pb_map_mfn), unmap (pb_unmap_va). */
    int (*map_frame)(unsigned long va, xen_pfn_t frame, uint64_t pte_flags);
    int (*unmap_va)(unsigned long va);
    /** Map @frames grant-table frames; *va receives the table's VA, *got how
     *  many were mapped.  0 or a PB_E* error with message. */
    int (*gnttab_map)(uint32_t frames, unsigned long *va, uint32_t *got);
    /** The faulting address of the last page fault (cr2). */
    unsigned long (*fault_address)(void);
    /** Output before the console ring works. */
    void (*early_write)(const char *s, size_t len);
    /** lsmem. */
    void (*print_layout)(void);
};
extern const struct pb_xen_platform_ops *pb_xen_ops;   /* set once at entry */
extern const struct pb_xen_platform_ops pb_xen_pv_ops, pb_xen_pvh_ops;
/* platform.c: the two instances of include/pvboot/platform.h */
extern const struct pb_platform_ops pb_platform_xen_pv, pb_platform_xen_pvh;
/** Set by entry.S (PV) / entry_pvh.S (PVH): PVH hypercall page VA, 0 under PV. */
extern unsigned long pb_hypercall_page;

/* ---- setup.c ---- */
extern unsigned long pb_boot_stack_pfn;     /* the builder's boot stack page */
void pb_xen_main(void);                     /* kernel main (main.c) */
/** Early/diagnostic output: console ring if up, else console_io. "\n" -> "\r\n". */
void pb_kwrite(const char *s, size_t len);
int pb_kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int pb_vkprintf(const char *fmt, va_list ap);
/** Print a frame-pointer backtrace starting at @rbp. */
void pb_backtrace(unsigned long rbp);
__attribute__((noreturn)) void pb_shutdown(unsigned reason);

/* ---- mm.c ---- */
void pb_mm_init(void);
/** Allocate @n pages aligned to @align_pages (power of two); not zeroed. */
void *pb_alloc_pages_raw(size_t n, size_t align_pages);
/** Try to mark the @n pages at @pfn used (for in-place realloc growth). */
bool pb_pages_claim(unsigned long pfn, size_t n);
/** Reserve @npages of VA in the extra area (for pb_map_mfn users). */
unsigned long pb_extra_va_alloc(size_t npages);
void pb_mm_print_layout(void);
extern uint32_t *pb_page_info;              /* per-pfn heap metadata (heap.c) */
/* PV implementations (mm.c) */
int pb_pv_map_frame(unsigned long va, xen_pfn_t mfn, uint64_t pte_flags);
int pb_pv_unmap_va(unsigned long va);
void pb_pv_print_layout(void);
/**
 * pb_alloc_setup() - the page allocator over pfns [0, pb_nr_pages): metadata
 * (bitmap, per-page heap info) at @meta_pfn (its pages, which the caller
 * guarantees are mapped RAM, are returned in *meta_end); every page starts
 * free.  Then the caller marks what is not for allocation with
 * pb_alloc_reserve().
 */
void pb_alloc_setup(unsigned long meta_pfn, unsigned long *meta_end);
/** pb_alloc_meta_pages() - how many pages pb_alloc_setup() needs. */
unsigned long pb_alloc_meta_pages(void);
/** pb_alloc_reserve() - mark RAM pages [@from, @to) used for good
 *  (pb_free_pages panics on them); @what names the range for lsmem (NULL:
 *  not listed). */
void pb_alloc_reserve(unsigned long from, unsigned long to, const char *what);
/** pb_alloc_hole() - [@from, @to) is not RAM: used for good, not counted
 *  in the total. */
void pb_alloc_hole(unsigned long from, unsigned long to);
/** pb_alloc_print() - lsmem's common part: reserved ranges, heap, free. */
void pb_alloc_print(void);
/* PVH (pvh.c): the data behind pb_xen_memmap() etc. */
const struct pb_memmap_entry *pb_pvh_memmap(unsigned *n);
uint64_t pb_pvh_rsdp_paddr(void);
uint32_t pb_pvh_start_flags(void);
const struct pb_memmap_entry *pb_pvh_platform_reserved(unsigned *n);

/* ---- heap.c ---- */
void pb_heap_stats(size_t *slab_pages, size_t *large_pages, size_t *large_allocs);

/* ---- time.c / events.c ---- */
void pb_time_init(void);
void pb_events_init(void);
/** Ports opened with pb_evtchn_alloc_unbound and not closed yet. */
unsigned pb_evtchn_open_count(void);
void pb_evtchn_close_all_ours(void);
void pb_evtchn_clear_all_pending(void);

/* ---- console.c ---- */
void pb_console_init(void);                 /* ring usable (before mm init) */
void pb_console_register(void);             /* register with the terminal core */
bool pb_console_ready(void);
void pb_console_write(const char *buf, size_t len);
void pb_console_flush(void);
evtchn_port_t pb_console_port(void);

/* ---- gnttab.c / xenstore.c ---- */
void pb_gnttab_init(void);
void pb_xs_init(void);
/** True when no request is outstanding and no watch is registered. */
bool pb_xs_idle(void);
/** Drop every watch (XS_RESET_WATCHES or one UNWATCH each). */
int pb_xs_unwatch_all(void);

/* ---- commands.c ---- */
void pb_kernel_commands_register(void);

#endif
