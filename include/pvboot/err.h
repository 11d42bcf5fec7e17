/* SPDX-License-Identifier: MIT */
/*
 * Errors travel as negative int values plus one recorded message (what failed
 * and where: file, offset, line).  Functions return 0 (or a count) on success
 * and a negative PB_E* code on failure, after calling pb_error() once.
 */
#ifndef PVBOOT_ERR_H
#define PVBOOT_ERR_H

#include <stdarg.h>

enum pb_err {
    PB_OK         = 0,
    PB_ENOMEM     = -1,   /* out of memory */
    PB_EIO        = -2,   /* device I/O error */
    PB_ENOENT     = -3,   /* no such file, device, variable, entry */
    PB_EINVAL     = -4,   /* bad argument or syntax */
    PB_EBADFS     = -5,   /* corrupt or unrecognised on-disk structure */
    PB_ENOTSUP    = -6,   /* valid but unsupported feature */
    PB_ETIMEDOUT  = -7,   /* a bounded wait ran out */
    PB_ERANGE     = -8,   /* value or offset out of range */
    PB_ENOTDIR    = -9,
    PB_EISDIR     = -10,
    PB_ELOOP      = -11,  /* too many symlinks / nesting */
    PB_EAGAIN     = -12,  /* retry (xenstore transaction conflict…) */
    PB_EBUSY      = -13,  /* resource still in use (grant being accessed…) */
    PB_EACCES     = -14,  /* permission (password) denied */
    PB_EBADFMT    = -15,  /* unknown file format (kernel, compression) */
    PB_EXEN       = -16,  /* a hypercall failed */
    PB_ECANCELED  = -17,  /* user interrupted */
    PB_EBADSIG    = -45,  /* signature malformed or not matching (pgp); -45: $? is then
                             GRUB_ERR_BAD_SIGNATURE, as GRUB leaves it */
};

/**
 * pb_error() - record an error message and return @code.
 * @code: a negative PB_E* value.
 * @fmt:  printf-style message naming what failed and where.
 * Replaces any previously recorded message.  Returns @code so callers can
 * write `return pb_error(PB_EBADFS, "ext2: %s: bad inode %u", dev, ino);`.
 */
int pb_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** pb_verror() - pb_error() with a va_list. */
int pb_verror(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/** pb_errmsg() - the last recorded message ("" if none). */
const char *pb_errmsg(void);
/** pb_errcode() - the last recorded code (0 if none). */
int pb_errcode(void);
/** pb_error_clear() - forget the recorded error. */
void pb_error_clear(void);
/** pb_strerror() - short generic text for a PB_E* code. */
const char *pb_strerror(int code);
/** pb_print_error() - print "error: <message>" on the terminal and clear it. */
void pb_print_error(void);

/**
 * pb_warn() - report a problem that was worked around (a journal that could
 * not be replayed, ...): "warning: <message>" on the terminal, or through
 * pb_warn_sink when one is set (the host tools print on stderr, keeping
 * stdout for what was read).  Does not touch the recorded error.
 */
void pb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Where pb_warn() sends the formatted message (without "warning: "); NULL:
 * the terminal. */
extern void (*pb_warn_sink)(const char *msg);

#endif
