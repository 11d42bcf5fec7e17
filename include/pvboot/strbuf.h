/* SPDX-License-Identifier: MIT */
/*
 * A growing NUL-terminated string (kernel core, modules/kernel/core/
 * strbuf.c), for code that builds text piece by piece: the script word
 * expander (normal), the config converters (legacycfg, syslinuxcfg) and
 * the Boot Loader Spec entry reader (blscfg).
 *
 * Failures are sticky: once an append runs out of memory or would pass
 * the buffer's limit, `oom` is set, the text stays as it was and later
 * appends do nothing, so a caller checks `oom` once at the end.
 */
#ifndef PVBOOT_STRBUF_H
#define PVBOOT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct pb_strbuf {
    char *d;        /* the text, NUL-terminated; NULL until the first append */
    size_t n;       /* its length in bytes, without the NUL */
    size_t cap;     /* bytes allocated at d */
    size_t max;     /* most bytes d may take, NUL included; 0 = no limit */
    bool oom;       /* an append failed (no memory, or over max); sticky */
};

/**
 * pb_strbuf_add() - append the @n bytes at @s to @b and keep @b->d
 * NUL-terminated (the first append allocates, even of 0 bytes).
 * @s: need not be NUL-terminated; may hold NUL bytes (copied as they are)
 *
 * Grows @b->d by doubling.  Sets @b->oom instead when memory runs out or
 * the text with its NUL would take more than @b->max bytes (@b->max != 0);
 * nothing is appended then, nor by any later call.  The caller frees
 * @b->d.
 */
void pb_strbuf_add(struct pb_strbuf *b, const char *s, size_t n);

/** pb_strbuf_str() - pb_strbuf_add() of the NUL-terminated string @s. */
void pb_strbuf_str(struct pb_strbuf *b, const char *s);

#endif
