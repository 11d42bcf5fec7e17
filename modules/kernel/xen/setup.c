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

void pb_traps_init(void);

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
                console_io_write(buf, o);
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

    pb_console_init();
    pb_traps_init();
    pb_mm_init();
    pb_time_init();
    pb_events_init();
    pb_gnttab_init();
    pb_xs_init();
    pb_xen_main();
    pb_shutdown(SHUTDOWN_poweroff);
}
