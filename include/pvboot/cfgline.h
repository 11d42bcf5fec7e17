/* SPDX-License-Identifier: MIT */
/*
 * The `keyword value` lines of line-oriented boot configs (kernel core,
 * modules/kernel/core/cfgline.c): GRUB legacy menu.lst (legacycfg),
 * syslinux/extlinux (syslinuxcfg) and Boot Loader Specification entries
 * (blscfg).  Only the splitting is shared; each reader gives the keywords
 * their meaning.
 */
#ifndef PVBOOT_CFGLINE_H
#define PVBOOT_CFGLINE_H

#include <stdbool.h>
#include <stddef.h>

/* One line, pointing into the config text (not NUL-terminated). */
struct pb_cfgline {
    const char *key;    /* the keyword: the first word of the line */
    size_t keylen;      /* bytes; 0 only for a "=value" line with PB_CFGLINE_EQUALS */
    const char *val;    /* the rest of the line after the separator */
    size_t vallen;      /* bytes, 0 when the line is only a keyword */
};

/* The keyword also ends at '=', and one '=' (with blanks on either side)
 * may separate keyword and value: GRUB legacy's `key=value`. */
#define PB_CFGLINE_EQUALS 1u
/* Trim only blanks, not '\r', at the start of a line (blscfg reads its
 * entries so; trailing '\r' is always trimmed). */
#define PB_CFGLINE_KEEP_LEADING_CR 2u

/**
 * pb_cfgline_next() - the next line of @text that has a keyword.
 * @text/@len: the whole config, @len bytes (need not be NUL-terminated)
 * @pos:       byte offset in @text where the next line starts (0 at first);
 *             advanced past the line returned (or to @len); never > @len
 * @flags:     PB_CFGLINE_* bits
 * @out:       receives the line's keyword and value
 *
 * Lines end at '\n' (or at @len).  Blanks (' ', '\t') and '\r' are trimmed
 * at both ends; lines then empty or starting with '#' are skipped.  The
 * keyword runs to the first blank, the value starts after the blanks that
 * follow it and runs to the (trimmed) end of the line.
 * Returns true with @out set, false when no line with a keyword is left.
 */
bool pb_cfgline_next(const char *text, size_t len, size_t *pos, unsigned flags,
                     struct pb_cfgline *out);

#endif
