/* SPDX-License-Identifier: MIT */
/*
 * The pending boot: `linux`/`initrd` (or `chainloader`) prepare a loader;
 * `boot` (or the end of a menu entry) starts it.  Every boot goes through
 * pb_loader_boot(), which reports the decision to the platform when the
 * platform only decides (include/pvboot/platform.h).
 */
#ifndef PVBOOT_LOADER_H
#define PVBOOT_LOADER_H

#include <stdbool.h>
#include <stddef.h>

struct pb_boot_decision;

struct pb_loader {
    const char *name;              /* "linux", "chainloader" */
    /* does not return on success; returns 0 without booting on a
     * decide_only platform (include/pvboot/platform.h) */
    int (*boot)(void *ctx);
    void (*unload)(void *ctx);     /* free what the loader holds */
    void *ctx;
    /* what boot() would start (the loader keeps it up to date until then),
     * or NULL: the loader cannot say */
    const struct pb_boot_decision *decision;
};

/** pb_loader_set() - replace the pending loader (the old one is unloaded). */
void pb_loader_set(const struct pb_loader *l);
/** pb_loader_unset() - drop the pending loader. */
void pb_loader_unset(void);
/** pb_loader_pending() - true if `boot` has something to start. */
bool pb_loader_pending(void);
/**
 * pb_loader_boot() - start the pending loader.  Returns only on failure
 * (error recorded), or with 0 when the loader did not hand over because
 * the platform only decides (decide_only, include/pvboot/platform.h): then
 * the loader's decision, with $root as it is now, has been given to
 * pb_platform()->report_boot() (an empty one if the loader has none).
 */
int pb_loader_boot(void);

/*
 * Failed loader commands.  A menu entry is booted only if no loader command
 * (a PB_CMD_F_LOADER command, include/pvboot/command.h, or a GRUB loader
 * command this image does not have) failed while its body ran: the menu
 * clears the record before it runs the body and looks at it afterwards.
 */
/** pb_loader_note_failure() - record that a loader command failed. */
void pb_loader_note_failure(void);
/** pb_loader_clear_failure() - forget recorded failures. */
void pb_loader_clear_failure(void);
/** pb_loader_failed() - true if a loader command failed since the last
 *  pb_loader_clear_failure(). */
bool pb_loader_failed(void);
/**
 * pb_loader_is_command_name() - true if @name is one of GRUB's loader
 * commands (linux, initrd, their 16/efi forms, chainloader, kernel,
 * multiboot, multiboot2, module, module2), registered in this image or not.
 */
bool pb_loader_is_command_name(const char *name);

#define PB_DECISION_MAX_INITRDS 16

/*
 * What a pending loader would boot, in plain form: paths as given after
 * expansion (a path without "(dev)" is on @root), the exact command line.
 * The loader that can say fills one (the `linux` module) and points
 * struct pb_loader.decision at it; a decide_only platform receives it
 * (include/pvboot/platform.h, report_boot) so a host tool can print exactly
 * what a guest would boot without booting it.
 */
struct pb_boot_decision {
    char kernel[512];              /* "(xen/xvda,msdos1)/boot/vmlinuz-6.1" */
    char cmdline[4096];            /* exact kernel command line */
    int nr_initrds;
    char initrds[PB_DECISION_MAX_INITRDS][512];
    char root[128];                /* $root when `boot` ran (set by the loader core) */
};

#endif
