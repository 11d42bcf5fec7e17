/* SPDX-License-Identifier: MIT */
/*
 * The hosted platform (src/hosted/): what tests, fuzzers and host tools use
 * to run the runtime's logic on the build machine.  Disks are image files;
 * they are named as the guest would see them (xen/xvda, alias hd0, …) so a
 * host tool shows exactly what the guest will boot.
 */
#ifndef PVBOOT_HOSTED_H
#define PVBOOT_HOSTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvboot/platform.h"

struct pb_boot_decision;
struct pb_disk;
struct pb_menu_report;
struct pb_menu;

/** pb_hosted_init() - register the stdio terminal and every module's init
 *  (generated list).  Call once before anything else.  (src/hosted/init.c:
 *  apart from the platform layer, so that a program that only uses pure
 *  code of the library, as mkpvimage's -c check, does not link every
 *  module.) */
void pb_hosted_init(void);
/** pb_hosted_register_term() - register the stdio terminal (part of
 *  pb_hosted_init()). */
void pb_hosted_register_term(void);

/**
 * pb_hostdisk_add() - register image file or block device @path as a disk.
 * A block device's size comes from BLKGETSIZE64 (its st_size is 0); other
 * non-regular files (directories, FIFOs, character devices) are refused;
 * the open never blocks (O_NONBLOCK until the type is checked).  Only
 * opens: nothing on the disk is read until something asks for it.
 * With @writable the open is O_EXCL: a block device that is mounted or held
 * exclusively by another program is refused (PB_EBUSY, "in use").
 * @name: disk name, or NULL for the next "xen/xvdX" (alias "hdN" in order).
 * @sector_size: logical sector size in bytes (512 or 4096; 0 = the block
 *  device's own (BLKSSZGET), else 512).
 * @writable: open read-write (save_env tests); otherwise writes fail.
 * Returns the disk or NULL (error recorded: file name and reason).
 */
struct pb_disk *pb_hostdisk_add(const char *path, const char *name, uint32_t sector_size,
                                bool writable);
/** pb_hostdisk_add_mem() - a disk backed by a caller-owned buffer (fuzzers);
 *  @len bytes, rounded down to 512. */
struct pb_disk *pb_hostdisk_add_mem(const void *data, size_t len, const char *name);
/** pb_hostdisk_remove_all() - unregister and close every hosted disk. */
void pb_hostdisk_remove_all(void);

/** Capture terminal output into a growing buffer instead of stdout
 *  (tests). pb_hosted_output() returns it NUL-terminated; reset clears. */
void pb_hosted_capture_output(bool on);
const char *pb_hosted_output(void);
void pb_hosted_output_reset(void);
/** Drop captured output after its first @len bytes (no-op if shorter). */
void pb_hosted_output_truncate(size_t len);
/**
 * pb_hosted_capture_limit() - keep at most @max bytes of captured output
 * (default: unlimited).  Output beyond it is dropped, and the first time
 * that happens @on_overflow (may be NULL) is called, e.g. to stop the run;
 * pb_hosted_output_truncated() then answers true until the next reset.
 */
void pb_hosted_capture_limit(size_t max, void (*on_overflow)(void));
bool pb_hosted_output_truncated(void);
/** Scripted terminal input (bytes returned by poll_byte in order). */
void pb_hosted_set_input(const char *bytes, size_t len);
/** Virtual clock: waits return at once and advance time to their deadline
 *  (tests and dry runs never sleep). */
void pb_hosted_virtual_clock(bool on);

/*
 * The session the hosted platform (include/pvboot/platform.h) presents to
 * the runtime; set before running the guest's scripts.  Default: an
 * interactive PV domain whose loaders read their files (and whose
 * hand-over fails: there is no Xen here).  pvboot-probe runs
 * non-interactive and decide-only.
 */
/** pb_hosted_set_interactive() - pb_platform()->interactive. */
void pb_hosted_set_interactive(bool on);
/** pb_hosted_set_decide_only() - pb_platform()->decide_only. */
void pb_hosted_set_decide_only(bool on);
/** pb_hosted_set_boot_proto() - pb_platform()->proto (PV by default). */
void pb_hosted_set_boot_proto(enum pb_boot_proto proto);

/**
 * pb_hosted_menu_report() - the last report_menu() the platform received
 * (all zero, valid false, if none since pb_hosted_reports_reset()).
 * Never NULL; overwritten by the next report.
 */
const struct pb_menu_report *pb_hosted_menu_report(void);
/**
 * pb_hosted_boot_report() - the last report_boot() the platform received:
 * what a decide-only session would have booted; NULL if nothing was booted
 * since pb_hosted_reports_reset().
 */
const struct pb_boot_decision *pb_hosted_boot_report(void);
/**
 * pb_hosted_set_menu_tree() - have the platform list the whole menu
 * (platform.h, menu_tree_begin/menu_tree): @begin before the runner walks
 * to the default entry, @tree with the top menu right before it boots
 * (pvboot-probe prints the tree).  Both or neither: NULL for either turns
 * the listing off.
 */
void pb_hosted_set_menu_tree(void (*begin)(void), void (*tree)(struct pb_menu *top,
                                                             const struct pb_menu_report *r));
/** pb_hosted_reports_reset() - forget both reports. */
void pb_hosted_reports_reset(void);

/** What the image would embed / what Xen would pass (`extra =`). */
void pb_hosted_set_embedded_config(const char *text, size_t len);
void pb_hosted_set_prefix(const char *prefix);
/* What pb_embedded_pubkeys() returns (mkpvimage --pubkey's bytes); call
 * before pb_hosted_init() so module pgp's init sees them. */
void pb_hosted_set_embedded_pubkeys(const void *keys, size_t len);
void pb_hosted_set_xen_cmdline(const char *cmdline);

/**
 * pb_hosted_passphrase_file() - the host tools' --passphrase-file: read
 * @path (at most 8 MiB; one trailing newline is not part of the passphrase)
 * and give it to cryptomount instead of a console prompt.  Returns 0, or -1
 * with a message naming @path on stderr.
 */
int pb_hosted_passphrase_file(const char *path);

/** The function registered with pb_main_register (NULL if none). */
void (*pb_hosted_main(void))(void);

/** When set, pb_power() and pb_panic() longjmp here instead of exiting:
 *  pb_hosted_power_status() tells which (1 poweroff, 2 reboot, 3 crash). */
void pb_hosted_trap_exit(void *jmp_buf_ptr);
int pb_hosted_power_status(void);

#endif
