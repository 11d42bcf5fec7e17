/* SPDX-License-Identifier: MIT */
/*
 * Runtime entry points shared by all modules (both builds): banner/version,
 * the main hook, memory helpers, panic and power.
 */
#ifndef PVBOOT_KERNEL_H
#define PVBOOT_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include "pvboot/version.h"   /* generated: PVBOOT_VERSION "x.y.z" */

/**
 * pb_main_register() - the function the kernel runs after all module inits
 * (normal registers "run the embedded config, then menu/shell").  Without
 * one, the kernel prints the embedded config's first line and powers off.
 */
void pb_main_register(void (*fn)(void));

/** Embedded config / prefix / memdisk from the image (NULL/0 if none). */
const char *pb_embedded_config(size_t *len);
const char *pb_embedded_prefix(void);
const void *pb_embedded_memdisk(size_t *len);
/** Embedded OpenPGP public keys (mkpvimage --pubkey; binary key files
 *  concatenated), NULL/0 if none. */
const void *pb_embedded_pubkeys(size_t *len);
/** The Xen command line (start_info cmd_line, `extra =`), validated:
 *  NULL when absent or rejected (the reason was printed). */
const char *pb_xen_cmdline(void);

/** pb_panic() - print message, location and backtrace; crash the domain
 *  (SHUTDOWN_crash) on Xen, abort() hosted. */
__attribute__((noreturn, format(printf, 1, 2))) void pb_panic(const char *fmt, ...);
#define PB_ASSERT(c) do { if (!(c)) pb_panic("assertion failed: %s at %s:%d", #c, __FILE__, __LINE__); } while (0)

enum pb_power { PB_POWEROFF, PB_REBOOT, PB_CRASH };
/** pb_power() - flush the console and shut the domain down. */
__attribute__((noreturn)) void pb_power(enum pb_power how);

/** pb_before_handover() - run every module fini (reverse order), close
 *  disks, quiesce events/grants/xenstore, flush the console. */
void pb_before_handover(void);

#endif
