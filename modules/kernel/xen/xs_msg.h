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
 * pb_xs_header_check() - validate a reply header read from the (untrusted)
 * response ring: @h->type must be a message type of xs_wire.h (below
 * XS_TYPE_COUNT), @h->len at most XENSTORE_PAYLOAD_MAX, and a reply other
 * than XS_WATCH_EVENT must carry a req_id we have used (<= @max_req_id;
 * pass UINT32_MAX to skip that check).  Returns 0 or PB_EXEN with a message
 * naming the type, req_id and len.
 */
int pb_xs_header_check(const struct xsd_sockmsg *h, uint32_t max_req_id);

/**
 * Incremental decoder of the xenstore reply byte stream: bytes go in as the
 * ring yields them, whole messages come out.  After a corrupt header the
 * stream has lost its framing: pb_xs_reader_resync() drops what was
 * buffered and the caller discards whatever else the ring holds.
 */
struct pb_xs_reader {
    unsigned char buf[PB_XS_MSG_MAX + 1];   /* header, payload, NUL */
    size_t have;                            /* bytes in buf */
};

/**
 * pb_xs_reader_want() - bytes the reader needs before the current message is
 * complete: first the 16-byte header, then header + len.  Returns that
 * count (> 0), 0 when a whole message is in @r->buf (payload followed by a
 * NUL; see pb_xs_reader_msg), or PB_EXEN when the buffered header fails
 * pb_xs_header_check(@max_req_id) (the stream must then be resynchronised).
 */
long pb_xs_reader_want(struct pb_xs_reader *r, uint32_t max_req_id);

/**
 * pb_xs_reader_push() - append up to @n bytes of @data, never more than
 * the current message still needs.  Returns the number of bytes taken
 * (0 when a message is complete or the header is corrupt).
 */
size_t pb_xs_reader_push(struct pb_xs_reader *r, const void *data, size_t n, uint32_t max_req_id);

/**
 * pb_xs_reader_msg() - the complete message: header into *@h, *@payload
 * points at its NUL-terminated payload inside @r (valid until
 * pb_xs_reader_next).  Returns 0, or PB_EAGAIN if no message is complete.
 */
int pb_xs_reader_msg(struct pb_xs_reader *r, struct xsd_sockmsg *h, char **payload);

/** pb_xs_reader_next() - forget the current (complete) message. */
void pb_xs_reader_next(struct pb_xs_reader *r);

/**
 * pb_xs_reader_resync() - drop every buffered byte (a corrupt or partial
 * message); returns how many were dropped.
 */
size_t pb_xs_reader_resync(struct pb_xs_reader *r);

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
