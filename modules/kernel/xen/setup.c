/* SPDX-License-Identifier: MIT */
/*
 * Start of day (docs/xen-pv-boot.md §2-§3): copy start_info, bring up the
 * console ring (usable at once: it is mapped in the boot region), the trap
 * table, page tables for all RAM, shared_info, time, grants and xenstore,
 * then hand over to the kernel main (main.c).  Also the diagnostic printer
 * used by the fault/panic paths (independent of the terminal core) and
 * domain shutdown.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "xen_internal.h"
#include "pvboot/kernel.h"

start_info_t *pb_start_info;
shared_info_t *pb_shared_info;
xen_pfn_t *pb_p2m;
unsigned long pb_nr_pages;
domid_t pb_domid = DOMID_SELF;
unsigned long pb_boot_stack_pfn;

static start_info_t start_info_copy;
struct pb_xen_boot pb_boot;
const struct pb_xen_platform_ops *pb_xen_ops = &pb_xen_pv_ops;
static struct pb_memmap_entry pv_memmap[1];

void pb_pv_traps_init(void);
unsigned long pb_pv_fault_address(void);
int pb_pv_gnttab_map(uint32_t frames, unsigned long *va, uint32_t *got);

static xen_pfn_t pv_pfn_to_frame(unsigned long pfn)
{
    return pb_p2m[pfn];
}

/* console_io write: dropped by non-debug Xen builds for domUs, but useful
 * under debug hypervisors (xl dmesg) before the ring works. */
static void console_io_write(const char *s, size_t len)
{
    pb_hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, len, s, 0, 0);
}

void pb_kwrite(const char *s, size_t len)
{
    /* translate "\n" into "\r\n" in bounded chunks */
    char buf[256];
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            buf[o++] = '\r';
        buf[o++] = s[i];
        if (o >= sizeof buf - 2 || i + 1 == len) {
            if (pb_console_ready())
                pb_console_write(buf, o);
            else
                pb_xen_ops->early_write(buf, o);
            o = 0;
        }
    }
}

int pb_vkprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    pb_kwrite(buf, len);
    return n;
}

int pb_kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = pb_vkprintf(fmt, ap);
    va_end(ap);
    return n;
}

const struct pb_xen_platform_ops pb_xen_pv_ops = {
    .mode = PB_XEN_PV,
    .platform = &pb_platform_xen_pv,
    .pfn_to_frame = pv_pfn_to_frame,
    .map_frame = pb_pv_map_frame,
    .unmap_va = pb_pv_unmap_va,
    .gnttab_map = pb_pv_gnttab_map,
    .fault_address = pb_pv_fault_address,
    .early_write = console_io_write,
    .print_layout = pb_pv_print_layout,
};

enum pb_xen_mode pb_xen_mode(void)
{
    return pb_xen_ops->mode;
}

const struct pb_memmap_entry *pb_xen_memmap(unsigned *n)
{
    if (pb_xen_ops->mode == PB_XEN_PVH)
        return pb_pvh_memmap(n);
    pv_memmap[0].addr = 0;
    pv_memmap[0].size = (uint64_t)pb_nr_pages << PB_PAGE_SHIFT;
    pv_memmap[0].type = XEN_HVM_MEMMAP_TYPE_RAM;
    *n = 1;
    return pv_memmap;
}

uint64_t pb_xen_rsdp_paddr(void)
{
    return pb_xen_ops->mode == PB_XEN_PVH ? pb_pvh_rsdp_paddr() : 0;
}

uint32_t pb_xen_start_flags(void)
{
    return pb_xen_ops->mode == PB_XEN_PVH ? pb_pvh_start_flags() : pb_start_info->flags;
}

const struct pb_memmap_entry *pb_xen_platform_reserved(unsigned *n)
{
    if (pb_xen_ops->mode == PB_XEN_PVH)
        return pb_pvh_platform_reserved(n);
    *n = 0;
    return NULL;
}

void pb_shutdown(unsigned reason)
{
    if (pb_console_ready())
        pb_console_flush();
    struct sched_shutdown sd = { .reason = reason };
    for (int i = 0; i < 1000; i++) {
        hyp_sched_op(SCHEDOP_shutdown, &sd);
        /* shutdown returns only if Xen refused; do not spin silently */
        if (i == 0)
            pb_kprintf("pvboot: SCHEDOP_shutdown(%u) returned\n", reason);
    }
    for (;;) {
        struct sched_shutdown c = { .reason = SHUTDOWN_crash };
        hyp_sched_op(SCHEDOP_shutdown, &c);
    }
}

void pb_power(enum pb_power how)
{
    unsigned reason = how == PB_POWEROFF ? SHUTDOWN_poweroff
                    : how == PB_REBOOT ? SHUTDOWN_reboot : SHUTDOWN_crash;
    pb_shutdown(reason);
}

/**
 * pb_xen_start() - C entry from entry.S, on our own stack with the FS base
 * (stack-protector canary) set.  @si: the builder's start_info (VA),
 * @boot_rsp: the builder's initial stack pointer (its stack page is part of
 * the boot region and stays reserved).
 */
__attribute__((noreturn)) void pb_xen_start(start_info_t *si, unsigned long boot_rsp);
void pb_xen_start(start_info_t *si, unsigned long boot_rsp)
{
    memcpy(&start_info_copy, si, sizeof start_info_copy);
    pb_start_info = &start_info_copy;
    pb_start_info->magic[sizeof pb_start_info->magic - 1] = 0;
    pb_p2m = (xen_pfn_t *)pb_start_info->mfn_list;
    pb_nr_pages = pb_start_info->nr_pages;
    pb_boot_stack_pfn = (boot_rsp - 1) >> PB_PAGE_SHIFT;
    pb_boot.cmdline = (const char *)start_info_copy.cmd_line;
    pb_boot.cmdline_size = sizeof start_info_copy.cmd_line;
    if (!(start_info_copy.flags & SIF_INITDOMAIN)) {
        /* the rings are in the boot mapping (pfn from the m2p), usable at once */
        xen_pfn_t mfn = start_info_copy.console.domU.mfn;
        unsigned long pfn = pb_mfn_to_pfn(mfn);
        if (pfn < pb_nr_pages && pb_p2m[pfn] == mfn) {
            pb_boot.console_ring = pb_pfn_to_virt(pfn);
            pb_boot.console_port = start_info_copy.console.domU.evtchn;
        }
    }
    xen_pfn_t smfn = start_info_copy.store_mfn;
    unsigned long spfn = pb_mfn_to_pfn(smfn);
    if (spfn < pb_nr_pages && pb_p2m[spfn] == smfn) {
        pb_boot.store_ring = pb_pfn_to_virt(spfn);
        pb_boot.store_port = start_info_copy.store_evtchn;
    }

    pb_console_init();
    if (!pb_boot.store_ring)
        pb_kprintf("pvboot: xenstore ring mfn %#lx is not ours\n", (unsigned long)smfn);
    pb_pv_traps_init();
    pb_mm_init();
    pb_time_init();
    pb_events_init();
    pb_gnttab_init();
    pb_xs_init();
    pb_xen_main();
    pb_shutdown(SHUTDOWN_poweroff);
}
