/* SPDX-License-Identifier: MIT */
/*
 * Boot Loader Specification entries as Red Hat's GRUB reads them (module
 * `blscfg`, rhboot grub2 blscfg.c semantics): *.conf files in $blsdir, else
 * /loader/entries, else /boot/loader/entries, on $root; id = file name
 * without ".conf"; sorted newest first by rpm version comparison of the id
 * split into name-version-release at the last two '-'; `options` expanded
 * from the environment when blscfg runs; `initrd` when the entry runs;
 * grub_users/grub_arg/grub_class become menuentry options.
 */
#ifndef PVBOOT_BLS_H
#define PVBOOT_BLS_H

#include <stddef.h>

#define PB_BLS_MAX_ENTRIES 256
#define PB_BLS_MAX_FILE    (64u << 10)

/** pb_rpmvercmp() - rpm's segmented version compare (rpmvercmp: digits vs
 *  letters segments, '~' sorts before everything, '^' after the end).
 *  Returns 1 if @a is newer, -1 if @b is newer, 0 if equal. */
int pb_rpmvercmp(const char *a, const char *b);

/** pb_bls_idcmp() - compare two entry ids as rhboot sorts them: split each
 *  into name-version-release at the last two '-', compare the parts with
 *  pb_rpmvercmp.  Returns >0 when @a is newer. */
int pb_bls_idcmp(const char *a, const char *b);

/**
 * pb_bls_add_entry() - turn one entry file @text (@len bytes) with id
 * @id into menuentry arguments and a body: adds the entry to the current
 * menu (pvboot/menu.h).  @file names it in messages.  Returns 0 or an error.
 */
int pb_bls_add_entry(const char *id, const char *text, size_t len, const char *file);

#endif
