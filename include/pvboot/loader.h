/* SPDX-License-Identifier: MIT */
/*
 * The pending boot: `linux`/`initrd` (or `chainloader`) prepare a loader;
 * `boot` (or the end of a menu entry) starts it.  The boot decision is also
 * recorded in plain form so the hosted tools can print exactly what a guest
 * would boot without booting it.
 */
#ifndef PVBOOT_LOADER_H
#define PVBOOT_LOADER_H

#include <stdbool.h>
#include <stddef.h>

struct pb_loader {
    const char *name;              /* "linux", "chainloader" */
    int (*boot)(void *ctx);        /* does not return on success */
    void (*unload)(void *ctx);     /* free what the loader holds */
    void *ctx;
};

/** pb_loader_set() - replace the pending loader (the old one is unloaded). */
void pb_loader_set(const struct pb_loader *l);
/** pb_loader_unset() - drop the pending loader. */
void pb_loader_unset(void);
/** pb_loader_pending() - true if `boot` has something to start. */
bool pb_loader_pending(void);
/** pb_loader_boot() - start it.  Returns only on failure (error recorded). */
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

/* What `linux`/`initrd` asked for, with paths as given after expansion and
 * the device they resolve to. */
struct pb_boot_decision {
    bool valid;
    char kernel[512];              /* "(xen/xvda,msdos1)/boot/vmlinuz-6.1" */
    char cmdline[4096];            /* exact kernel command line */
    int nr_initrds;
    char initrds[PB_DECISION_MAX_INITRDS][512];
};

/** pb_boot_decision - the current decision (the `linux` command resets it). */
extern struct pb_boot_decision pb_boot_decision;

/** pb_loader_dry_run - hosted tools set this: `linux` records the decision
 *  and only checks that the files exist; `boot` returns 0 without booting. */
extern bool pb_loader_dry_run;

#endif
