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
#include "pvboot/xen/platform.h"
#include <xen/sched.h>
#include <xen/io/console.h>

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
