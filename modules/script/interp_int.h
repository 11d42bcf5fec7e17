/* SPDX-License-Identifier: MIT */
/* Internal interfaces shared by the files of module `script`. */
#ifndef PVBOOT_SCRIPT_INTERP_INT_H
#define PVBOOT_SCRIPT_INTERP_INT_H

#include <stdbool.h>
#include <stddef.h>

/* exec.c */
void script_register_builtins(void);
void script_reset_interpreter(void);
const char *script_current_file(void);
bool script_function_exists(const char *name);
void script_functions_clear(void);
/* pb_script_run() of the text of `eval' (not a config file: a block keeps
 * its lines that start with `#') */
int script_run_eval(const char *text, size_t len);
/* An error a command leaves behind although it succeeded (test's
 * "unrecognized number"): GRUB shows it after the command, unless `!'
 * inverted the command.  Set by the command, shown and cleared by exec.c. */
extern const char *script_late_error;

/* test.c */
void script_register_test(void);
/* wildcard.c: the expansions of an unquoted word with * or ? (GRUB's
 * wildcard translator): their number and *out (malloc'd, NULL-terminated),
 * or 0 to keep the word as it is */
int script_wildcard(const char *word, char ***out);
/* strcmds.c: record the printf-style error and return GRUB's status 18
 * (GRUB_ERR_BAD_ARGUMENT), which $? shows for a usage error */
int script_bad_argument(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* strcmds.c: regexp, tr, eval */
void script_register_strcmds(void);

#endif
