/* SPDX-License-Identifier: MIT */
/*
 * The platform interface: what the runtime's modules may ask of the
 * platform they run on, in one table.  Three platforms implement it
 * (docs/architecture.md, "The platform interface"):
 *
 *   - Xen PV   modules/kernel/xen/platform.c  (pvboot started as a PV guest)
 *   - Xen PVH  modules/kernel/xen/platform.c  (pvboot started as a PVH guest)
 *   - hosted   src/hosted/platform.c          (host tools, unit tests, fuzzers)
 *
 * Modules (drivers, filesystems, the script interpreter, the menu, the
 * loaders) read the answers and never test which platform they run on.
 * The platform is fixed before the first module starts and does not
 * change while modules run (the hosted one is set up by the tool or test
 * before it runs the guest's scripts).
 */
#ifndef PVBOOT_PLATFORM_H
#define PVBOOT_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

struct pb_boot_decision;   /* include/pvboot/loader.h */
struct pb_menu_report;
struct pb_menu;            /* include/pvboot/menu.h */

/*
 * The boot protocol a next kernel is started with: fixed by how the domain
 * was created (`type = "pv"` / `"pvh"` in the xl config; docs/xen-pv-boot.md,
 * docs/xen-pvh-boot.md).  `linux` and `chainloader` accept only kernels
 * that support it and hand them over that way (modules/linux/README.md).
 */
enum pb_boot_proto {
    PB_BOOT_PV,     /* Xen PV: start_info, p2m, page tables (handover.c) */
    PB_BOOT_PVH,    /* Xen PVH: PHYS32_ENTRY with hvm_start_info (handover_pvh.c) */
};

struct pb_platform_ops {
    /** Short name for messages: "xen-pv", "xen-pvh", "hosted". */
    const char *name;

    /**
     * interactive - a person may be at the console: the menu counts down
     * and waits for keys, `sleep` waits, and when nothing booted the
     * command line is offered.  False (hosted tools): no key is ever
     * pressed, waits take no time, and the run ends when the configs did.
     */
    bool interactive;

    /**
     * decide_only - the session decides what it would boot but boots
     * nothing (pvboot-probe): `linux`, `initrd` and `chainloader` only check
     * that their files exist (nothing is read or decompressed), and a
     * pending loader's boot returns 0 at once; the loader core then hands
     * the decision to report_boot().  False: the loaders load their files
     * and `boot` hands over, which does not return when it succeeds.
     */
    bool decide_only;

    /** proto - the protocol next kernels are booted with (see above). */
    enum pb_boot_proto proto;

    /**
     * domain_pages() - the memory of this domain in 4 KiB pages, as the
     * next kernel will get it (PV: start_info nr_pages; PVH: the pages up to
     * the end of the highest RAM range).  The Linux loader plans the PV
     * layout for it and refuses what cannot fit.  0: there is no domain
     * (hosted): nothing is planned and no size limit is applied.
     */
    uint64_t (*domain_pages)(void);

    /**
     * report_menu() - the menu runner's current view (config file,
     * timeout, the default entry it walked to); called each time the
     * runner updates it, @r valid only during the call.  The hosted
     * platform keeps a copy for pvboot-probe; the Xen platforms ignore it.
     */
    void (*report_menu)(const struct pb_menu_report *r);

    /**
     * report_boot() - a boot was decided and, the platform being
     * decide_only, not carried out: @d is what the pending loader would
     * have started ($root at that moment included), valid only during the
     * call.  Called by the loader core (pb_loader_boot()) when the loader's
     * boot returned 0, which only a decide_only platform lets happen.  The
     * hosted platform keeps a copy; the Xen platforms ignore it.
     */
    void (*report_boot)(const struct pb_boot_decision *d);

    /**
     * menu_tree_begin(), menu_tree() - optional (NULL: not wanted; the Xen
     * platforms leave them NULL).  For a platform that lists the whole menu
     * (pvboot-probe through the hosted platform): menu_tree_begin() is
     * called before the runner walks to the default entry to fill its
     * report, and menu_tree() with the top menu @top and that report right
     * before the entry boots.  The submenu bodies the walk ran are run again
     * for the boot itself, so what was printed between the two calls is the
     * walk's, not the boot's.  Both are set or neither.
     */
    void (*menu_tree_begin)(void);
    void (*menu_tree)(struct pb_menu *top, const struct pb_menu_report *r);
};

/**
 * pb_platform() - the platform this runtime runs on.  Xen build: the PV or
 * the PVH table, chosen at entry (modules/kernel/xen/platform.c); hosted
 * build: the hosted table as set up with the pb_hosted_* session calls
 * (include/pvboot/hosted.h).  Never NULL.
 */
const struct pb_platform_ops *pb_platform(void);

#endif
