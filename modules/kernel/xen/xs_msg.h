/* SPDX-License-Identifier: MIT */
/*
 * Xenstore wire format (docs §8, <xen/io/xs_wire.h>): building requests and
 * decoding replies.  Pure logic, in the hosted build too
 * (tests/unit/test_kernel_xs.c).  The ring transport is in xenstore.c.
 */
#ifndef PVBOOT_KERNEL_XS_MSG_H
#define PVBOOT_KERNEL_XS_MSG_H

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#define PB_XS_HDR_SIZE ((size_t)sizeof(struct xsd_sockmsg))
#define PB_XS_MSG_MAX (PB_XS_HDR_SIZE + XENSTORE_PAYLOAD_MAX)

/**
 * pb_xs_build() - encode one request into @buf (@cap bytes).
 * @parts/@nparts: payload strings; each is followed by a NUL except the
 * last one when @last_raw (XS_WRITE's value is sent unterminated).
 * Returns the total message size (header + payload), or PB_ERANGE (message
 * text names the request) if the payload exceeds XENSTORE_PAYLOAD_MAX or @cap.
 */
long pb_xs_build(void *buf, size_t cap, uint32_t type, uint32_t req_id, uint32_t tx_id,
                 const char *const *parts, unsigned nparts, bool last_raw);

/** pb_xs_header_ok() - reply header sane (len <= XENSTORE_PAYLOAD_MAX)? */
bool pb_xs_header_ok(const struct xsd_sockmsg *h);

/**
 * pb_xs_error_code() - map an XS_ERROR payload ("ENOENT\0"…) to a PB_E*
 * code: ENOENT→PB_ENOENT, EAGAIN→PB_EAGAIN, EACCES/EPERM→PB_EACCES,
 * EINVAL/E2BIG/EEXIST→PB_EINVAL, EBUSY→PB_EBUSY, ENOSPC/ENOMEM→PB_ENOMEM,
 * anything else PB_EXEN.
 */
int pb_xs_error_code(const char *payload, size_t len);

/**
 * pb_xs_split() - split a NUL-separated payload ("a\0b\0") into a malloc'd
 * block holding the pointer array followed by copies of the strings.
 * A missing final NUL is tolerated.  *n gets the count.  Returns 0 or
 * PB_ENOMEM.  An empty payload gives n = 0 and a valid (freeable) block.
 */
int pb_xs_split(const char *payload, size_t len, char ***out, unsigned *n);

/**
 * pb_xs_parse_watch() - decode a WATCH_EVENT payload "path\0token\0" into
 * pointers into @payload (which must have a NUL at payload[len]).
 * Returns 0 or PB_EINVAL when there are not two strings.
 */
int pb_xs_parse_watch(const char *payload, size_t len, const char **path, const char **token);

/** pb_xs_parse_uint() - parse a decimal reply ("123") fully; PB_EINVAL otherwise. */
int pb_xs_parse_uint(const char *s, uint64_t *v);

#endif
