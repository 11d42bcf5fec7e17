/* SPDX-License-Identifier: MIT */
/*
 * Other boot-config formats turned into GRUB script (one menu model):
 * GRUB legacy menu.lst/grub.conf (module `legacycfg`) and syslinux/
 * extlinux (module `syslinuxcfg`).  The converters are pure functions (unit
 * tested, fuzzed); the commands legacy_configfile / syslinux_configfile
 * run the result like `configfile`.
 */
#ifndef PVBOOT_CFGCONV_H
#define PVBOOT_CFGCONV_H

#include <stddef.h>

#define PB_CFGCONV_MAX_OUT (8u << 20)
#define PB_SYSLINUX_MAX_INCLUDE 8      /* INCLUDE nesting */

/**
 * pb_legacy_to_script() - convert a GRUB legacy config (@text, @len bytes).
 * `keyword value` or `keyword=value`; title = rest of line; root (hdN[,M])
 * -> hdN[,M+1]; kernel's command line kept verbatim (tabs -> spaces,
 * trailing blanks dropped); default N|saved (saved without data = 0),
 * timeout, fallback, hiddenmenu (timeout_style=hidden).  Unknown keywords
 * are ignored.  Returns a malloc'd script or NULL (error recorded).
 */
char *pb_legacy_to_script(const char *text, size_t len);

/**
 * pb_syslinux_to_script() - convert a syslinux/extlinux config.
 * @dir: directory of the main config (relative paths, INCLUDE) as a GRUB
 * path, e.g. "(hd0,msdos1)/syslinux".  @load: reads an INCLUDEd file (GRUB
 * path) into a malloc'd buffer, returns 0 or an error; NULL = no INCLUDE.
 * Keywords case-insensitive; TIMEOUT in 1/10 s (rounded up to seconds,
 * 0 = wait); DEFAULT label, or a .c32 module with MENU DEFAULT deciding;
 * a label's APPEND replaces the global one (APPEND - = none); INITRD a,b
 * and initrd= in APPEND are initrds; MENU HIDDEN -> timeout_style=hidden.
 * Returns a malloc'd script or NULL (error recorded).
 */
char *pb_syslinux_to_script(const char *text, size_t len, const char *dir,
                            int (*load)(const char *path, char **buf, size_t *len));

#endif
