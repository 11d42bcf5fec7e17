/* SPDX-License-Identifier: MIT */
/*
 * The Xen platforms behind include/pvboot/platform.h: PV and PVH differ
 * only in the boot protocol a next kernel gets (the mode pvboot itself was
 * started in, fixed at entry: pb_xen_ops, xen_internal.h).  Both are
 * interactive, boot for real, and have nobody to report a decision to.
 */
#include "pvboot/platform.h"
#include "xen_internal.h"

static uint64_t xen_domain_pages(void)
{
    return pb_nr_pages;
}

static void xen_report_menu(const struct pb_menu_report *r)
{
    (void)r;
}

static void xen_report_boot(const struct pb_boot_decision *d)
{
    (void)d;
}

const struct pb_platform_ops pb_platform_xen_pv = {
    .name = "xen-pv",
    .interactive = true,
    .decide_only = false,
    .proto = PB_BOOT_PV,
    .domain_pages = xen_domain_pages,
    .report_menu = xen_report_menu,
    .report_boot = xen_report_boot,
};

const struct pb_platform_ops pb_platform_xen_pvh = {
    .name = "xen-pvh",
    .interactive = true,
    .decide_only = false,
    .proto = PB_BOOT_PVH,
    .domain_pages = xen_domain_pages,
    .report_menu = xen_report_menu,
    .report_boot = xen_report_boot,
};

const struct pb_platform_ops *pb_platform(void)
{
    return pb_xen_ops->platform;
}
