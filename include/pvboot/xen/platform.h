/* SPDX-License-Identifier: MIT */
/*
 * Xen platform services (PV and PVH), provided by the kernel module (Xen
 * build only).  pfn = guest (pseudo-)physical frame number; "mfn" = the frame
 * number Xen wants in grant entries, ring references and pb_map_mfn(): the
 * machine frame under PV (p2m lookup), the guest frame (GFN == pfn) under
 * PVH.  After start-up every RAM pfn is mapped at VA == pfn << 12, page 0
 * unmapped; under PVH all of [4 KiB, 4 GiB) (holes included: the special
 * pages, shared_info and grant frames live there) and all RAM above 4 GiB
 * are mapped 1:1.  pb_start_info, pb_p2m and pb_mfn_to_pfn() exist under PV only
 * (NULL / unusable under PVH: use the accessors below).
 */
#ifndef PVBOOT_XEN_PLATFORM_H
#define PVBOOT_XEN_PLATFORM_H

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/io/xs_wire.h>

#define PB_PAGE_SIZE 4096ul
#define PB_PAGE_SHIFT 12

extern start_info_t *pb_start_info;        /* our copy's VA */
extern shared_info_t *pb_shared_info;      /* mapped shared_info */
extern xen_pfn_t *pb_p2m;                  /* pfn -> mfn, pb_nr_pages entries */
extern unsigned long pb_nr_pages;
extern domid_t pb_domid;                   /* from xenstore "domid", or DOMID_SELF */

/** pb_pfn_to_mfn() - the frame number Xen uses for guest page @pfn: the MFN
 *  from the p2m under PV, @pfn itself (GFN) under PVH.  @pfn must be RAM. */
xen_pfn_t pb_pfn_to_mfn(unsigned long pfn);
static inline void *pb_pfn_to_virt(unsigned long pfn) { return (void *)(pfn << PB_PAGE_SHIFT); }
static inline unsigned long pb_virt_to_pfn(const void *va) { return (unsigned long)va >> PB_PAGE_SHIFT; }
/** pb_virt_to_mfn() - pb_pfn_to_mfn() of the page holding @va (grant entries,
 *  ring references). */
static inline xen_pfn_t pb_virt_to_mfn(const void *va) { return pb_pfn_to_mfn(pb_virt_to_pfn(va)); }

/* ---- start mode and memory layout (PV and PVH) ---- */
/*
 * One image starts either as a PV guest (64-bit entry, %rsi = start_info) or
 * as a PVH guest (XEN_ELFNOTE_PHYS32_ENTRY, 32-bit, %ebx = hvm_start_info
 * guest-physical address); see modules/kernel/xen/README.md.  In both modes
 * the image is linked and loaded at PVBOOT_LINK_BASE with VA == (pseudo-)
 * physical address.
 */
enum pb_xen_mode { PB_XEN_PV, PB_XEN_PVH };
/** pb_xen_mode() - how this image was started (fixed at entry, before any C). */
enum pb_xen_mode pb_xen_mode(void);

/** One entry of the guest's memory map: guest-physical bytes; type = XEN_HVM_MEMMAP_TYPE_*
 *  (xen/include/public/arch-x86/hvm/start_info.h). */
struct pb_memmap_entry { uint64_t addr, size; uint32_t type; };

/**
 * pb_xen_memmap() - the memory map as received (PVH: start info v1, else
 * XENMEM_memory_map), sorted by address, page-aligned (RAM shrunk inwards,
 * other types grown outwards), non-overlapping (non-RAM wins over RAM),
 * adjacent entries of one type merged; under PV: one RAM entry
 * [0, nr_pages * 4 KiB).  *n receives the number of entries.  The array is
 * static and stays valid (and unchanged) for the life of the image.
 */
const struct pb_memmap_entry *pb_xen_memmap(unsigned *n);
/** pb_xen_rsdp_paddr() - PVH: hvm_start_info.rsdp_paddr as received (0 = none); PV: 0. */
uint64_t pb_xen_rsdp_paddr(void);
/** pb_xen_start_flags() - PVH: hvm_start_info.flags as received; PV: start_info.flags (SIF_*). */
uint32_t pb_xen_start_flags(void);
/**
 * pb_xen_platform_reserved() - PVH: guest-physical frames the platform mapped
 * over memory-map holes (shared_info, grant frames), each as one
 * XEN_HVM_MEMMAP_TYPE_RESERVED entry, sorted; a next kernel must see them as
 * reserved (they are never inside a RAM entry of pb_xen_memmap()).  PV: none.
 * *n receives the number of entries.
 */
const struct pb_memmap_entry *pb_xen_platform_reserved(unsigned *n);

/* ---- pages ---- */
/** pb_alloc_pages() - @n contiguous (in pfn and VA) zeroed pages, or NULL. */
void *pb_alloc_pages(size_t n);
/** pb_free_pages() - return @n pages starting at page-aligned @va (as
 *  allocated by pb_alloc_pages).  Freeing a page that is already free,
 *  reserved (page tables, the image, boot data) or outside guest RAM is a
 *  programming error and panics naming the pfn. */
void pb_free_pages(void *va, size_t n);
/**
 * pb_alloc_pages_at() - take the @n pages starting at (pseudo-)physical
 * frame @pfn, e.g. where a next kernel must be loaded; zeroed; VA ==
 * pfn << 12.  NULL (nothing taken) unless every one of them is free RAM of
 * the allocator (not a hole, not reserved, not in use).  Free with
 * pb_free_pages().
 */
void *pb_alloc_pages_at(unsigned long pfn, size_t n);
/** pb_pages_free() - true if the @n pages at @pfn are all free RAM (what
 *  pb_alloc_pages_at() would take). */
bool pb_pages_free(unsigned long pfn, size_t n);
/** pb_mem_stats() - free/total pages for `lsmem` (total = RAM pages the
 *  allocator manages: nr_pages under PV, the RAM of the memory map under
 *  PVH). */
void pb_mem_stats(size_t *free_pages, size_t *total_pages);

/**
 * pb_map_mfn() - map frame @mfn (machine frame under PV, guest frame under
 * PVH) at virtual address @va in the current page tables, creating missing
 * intermediate tables (taken from the page allocator; under PVH a 2 MiB
 * mapping covering @va is split).  @pte_flags are x86 PTE bits (P=1, RW=2,
 * US=4, NX=1<<63).
 * Used for shared_info, grant frames and the hand-over trampoline (which must
 * sit at the same VA in the old and new tables).  Returns 0 or PB_EXEN/PB_ENOMEM.
 */
int pb_map_mfn(unsigned long va, xen_pfn_t mfn, uint64_t pte_flags);
/** pb_unmap_va() - clear the PTE for @va (intermediate tables stay). */
int pb_unmap_va(unsigned long va);

/* ---- hypercalls (raw; return negative Xen errno) ---- */
/**
 * pb_hypercall5() - issue hypercall @nr with up to five arguments: under PV
 * through the `syscall` instruction (the 64-bit PV ABI: rdi, rsi, rdx, r10,
 * r8; no hypercall page since XSA-466), under PVH through the hypercall page
 * (same registers, vmcall/vmmcall inside Xen's stub).  Returns Xen's result: >= 0, or
 * a negative Xen errno (xen/include/public/errno.h).  Use pb_hypercall().
 */
long pb_hypercall5(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3,
                   unsigned long a4, unsigned long a5);
#define pb_hypercall(nr, a1, a2, a3, a4, a5) \
    pb_hypercall5((nr), (unsigned long)(a1), (unsigned long)(a2), (unsigned long)(a3), \
                  (unsigned long)(a4), (unsigned long)(a5))

/* ---- event channels (xen/include/public/event_channel.h) ---- */
/** pb_evtchn_alloc_unbound() - EVTCHNOP_alloc_unbound: a new local port that
 *  domain @remote may bind to (e.g. a backend's frontend event channel);
 *  *port receives it.  Returns 0 or PB_EXEN (Xen's error in the message). */
int pb_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
/** pb_evtchn_send() - EVTCHNOP_send: notify the remote end of @port.
 *  Returns 0 or PB_EXEN. */
int pb_evtchn_send(evtchn_port_t port);
/** pb_evtchn_close() - EVTCHNOP_close @port and clear its pending bit (the
 *  local bookkeeping is dropped even if Xen refuses).  Returns 0 or PB_EXEN. */
int pb_evtchn_close(evtchn_port_t port);
/** Atomically clear the pending bit; true if it was set. */
bool pb_evtchn_clear(evtchn_port_t port);
/**
 * pb_evtchn_wait() - block (SCHEDOP_poll, upcalls stay masked) until one of
 * @ports is pending or until @deadline_ns (pb_time_ns clock; 0 = none).
 * Returns 0, or PB_ETIMEDOUT.  Does not clear pending bits.
 */
int pb_evtchn_wait(const evtchn_port_t *ports, unsigned n, uint64_t deadline_ns);

/* ---- grant table v1 ---- */
/** Grant @domid access to machine frame @mfn; *ref receives the reference. */
int pb_gnttab_grant(domid_t domid, xen_pfn_t mfn, bool readonly, grant_ref_t *ref);
/** End access: PB_EBUSY if the backend still maps it (then retry later). */
int pb_gnttab_end(grant_ref_t ref);
/** Number of grants still active (must be 0 before hand-over). */
unsigned pb_gnttab_active(void);

/* ---- xenstore (paths relative to /local/domain/<domid> unless absolute) ---- */
typedef uint32_t pb_xs_tx;          /* 0 = no transaction */
#define PB_XS_TIMEOUT_NS 5000000000ull
/** Read: *value is malloc'd and NUL-terminated. PB_ENOENT if absent. */
int pb_xs_read(pb_xs_tx t, const char *path, char **value);
/*
 * Errors of every pb_xs_* request (docs/misc/xenstore.txt wire protocol, one
 * request in flight, PB_XS_TIMEOUT_NS per reply): xenstored's error strings
 * map to PB_ENOENT (ENOENT), PB_EAGAIN (EAGAIN), PB_EACCES (EACCES/EPERM),
 * PB_EINVAL (EINVAL/E2BIG/EEXIST), PB_EBUSY, PB_ENOMEM (ENOSPC), anything
 * else PB_EXEN; no reply in time is
 * PB_ETIMEDOUT; a corrupt reply stream is PB_EXEN (the stream is then
 * resynchronised, see man pvboot-disks(7)).  @t is a transaction id from
 * pb_xs_transaction_start or 0.
 */
/** pb_xs_read_u64() - read @path as an unsigned decimal number (xenstore
 *  integers, e.g. `sectors`); PB_EINVAL, naming the path, if it is not one. */
int pb_xs_read_u64(pb_xs_tx t, const char *path, uint64_t *v);
/** pb_xs_write() - XS_WRITE: set @path (created with parents) to the
 *  NUL-terminated @value. */
int pb_xs_write(pb_xs_tx t, const char *path, const char *value);
/** pb_xs_printf() - pb_xs_write() of a printf-formatted value; PB_ENOMEM if
 *  it cannot be formatted. */
int pb_xs_printf(pb_xs_tx t, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** pb_xs_rm() - XS_RM: remove @path and everything below it. */
int pb_xs_rm(pb_xs_tx t, const char *path);
/** pb_xs_mkdir() - XS_MKDIR: create @path (empty value) if absent. */
int pb_xs_mkdir(pb_xs_tx t, const char *path);
/** Directory: *names is one malloc'd block (array of pointers + strings). */
int pb_xs_directory(pb_xs_tx t, const char *path, char ***names, unsigned *n);
/** pb_xs_transaction_start() - XS_TRANSACTION_START; *t receives the id
 *  (never 0) to pass to the requests of the transaction. */
int pb_xs_transaction_start(pb_xs_tx *t);
/** End: PB_EAGAIN when the commit conflicted (retry the whole transaction). */
int pb_xs_transaction_end(pb_xs_tx t, bool abort);
/** pb_xs_watch() - XS_WATCH @path (and below) with @token; xenstored fires
 *  it once at once, then on every change (pb_xs_wait_event).  At most 64
 *  watches at a time (PB_ENOMEM beyond). */
int pb_xs_watch(const char *path, const char *token);
/** pb_xs_unwatch() - XS_UNWATCH the watch set with the same @path/@token. */
int pb_xs_unwatch(const char *path, const char *token);
/** Wait for a watch event until @deadline_ns; *path and *token are malloc'd (either may be NULL). */
int pb_xs_wait_event(uint64_t deadline_ns, char **path, char **token);
/**
 * pb_xs_wait_state() - wait until the integer at @path satisfies
 * lo <= value <= hi (XenbusState), watching it, until @deadline_ns.
 * *state gets the last value read. PB_ETIMEDOUT on timeout.
 */
int pb_xs_wait_state(const char *path, int lo, int hi, uint64_t deadline_ns, int *state);

#endif
