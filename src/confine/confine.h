/* SPDX-License-Identifier: MIT */
/*
 * Confinement of the host tools that read guest disks (pvboot-probe,
 * pvboot-fstest).  A guest disk is untrusted input: its partition tables,
 * filesystems and GRUB scripts are parsed in a forked child that has
 * nothing left to abuse.  The threat model and the exact list of what the
 * child can do are in man/pvboot-probe.1 (SECURITY) and man/pvboot-fstest.1.
 */
#ifndef PVBOOT_CONFINE_H
#define PVBOOT_CONFINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pb_confine {
    const char *tool;       /* "pvboot-probe": prefix of every message */
    const char *what;       /* the disks, for messages: "a.img, b.img" */
    const char *runas;      /* user to run as when started as root (NULL: "nobody") */
    unsigned timeout_s;     /* wall-clock and CPU-time limit in seconds; 0: none */
    uint64_t mem_bytes;     /* RLIMIT_AS of the child (0: PB_CONFINE_MEM) */
    uint64_t write_bytes;   /* RLIMIT_FSIZE: how far a regular file may be
                             * written (stdout redirected to a file, a disk
                             * image with -w), in bytes; 0: nothing */
    bool write_disks;       /* allow pwrite64/fsync (save_env with -w) */
    bool quiet_fallback;    /* no warning when only Landlock+seccomp apply */
};

#define PB_CONFINE_MEM (4ull << 30)   /* default address-space limit: 4 GiB */

/**
 * pb_confine_prepare() - resolve @c->runas (or "nobody") to a uid/gid
 * in the parent, before anything is parsed (NSS may open files).  Only
 * needed when running as root.  Returns 0, or 2 after a message naming the
 * user.
 */
int pb_confine_prepare(const struct pb_confine *c);

/**
 * pb_confine_output_room() - an RLIMIT_FSIZE (bytes) that lets the child
 * write @room more bytes to stdout/stderr when they are regular files
 * (appending to a log that is already large included).
 */
uint64_t pb_confine_output_room(uint64_t room);

/**
 * pb_confine_run() - run @fn(@ctx) in a confined child and wait for it.
 *
 * Every file the child needs (disk images, a file to compare with) must be
 * open before this call; stdout and stderr are inherited.  The child, in
 * this order: dies with the parent (PDEATHSIG), sets rlimits (address space
 * @c->mem_bytes except in sanitizer builds, CPU @c->timeout_s + 1, file size
 * @c->write_bytes, no core), is not dumpable, leaves the filesystem (as
 * root: chroot into an empty, already deleted directory, then all groups
 * dropped and setresgid/setresuid to the run-as user; otherwise: a new user
 * namespace and the same chroot), drops every capability (bounding,
 * ambient, effective/permitted/inheritable), restricts itself with Landlock
 * (all filesystem access handled, none granted) when the kernel has it,
 * sets no_new_privs and loads a seccomp filter (libseccomp) that allows
 * only reading and writing open descriptors, memory management, clocks and
 * exit; any other system call raises SIGSYS, whose handler reports the call
 * to the parent and exits.  Then @fn runs; its return value is the child's
 * exit status (stdout/stderr are flushed, exit handlers do not run).
 *
 * The parent waits at most @c->timeout_s seconds (then SIGKILL).  Returns
 * the child's exit status, or 2 after one message on stderr naming
 * @c->what and why the parser was stopped: a forbidden system call (name
 * and number), a signal (e.g. SIGXCPU for the CPU limit, SIGSEGV), the
 * wall-clock limit, or a failed confinement step (the child never runs @fn
 * unconfined, except that without root and without user namespaces the
 * chroot is skipped - Landlock and seccomp still apply - with a warning).
 */
int pb_confine_run(const struct pb_confine *c, int (*fn)(void *ctx), void *ctx);

#endif
