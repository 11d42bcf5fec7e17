/* SPDX-License-Identifier: MIT */
/* Internal interfaces shared by the files of module `normal`. */
#ifndef PVBOOT_NORMAL_INT_H
#define PVBOOT_NORMAL_INT_H

#include <stdbool.h>

/* exec.c */
int normal_push_params(int argc, char **argv);
void normal_pop_params(void);
int normal_enter_call(void);
void normal_leave_call(void);
void normal_register_builtins(void);
void normal_reset_interpreter(void);
const char *normal_current_file(void);
bool normal_function_exists(const char *name);
/* pb_script_run() with line numbers starting at @first_line (entry bodies) */
int normal_script_run_at(const char *text, size_t len, const char *filename, int first_line);
/* pb_script_run() of the text of `eval' (not a config file: a block keeps
 * its lines that start with `#') */
int normal_script_run_eval(const char *text, size_t len);
void normal_functions_clear(void);
/* An error a command leaves behind although it succeeded (test's
 * "unrecognized number"): GRUB shows it after the command, unless `!'
 * inverted the command.  Set by the command, shown and cleared by exec.c. */
extern const char *normal_late_error;
/* set when linux/initrd/... failed while an entry ran (then it is not booted) */
extern bool pb_normal_loader_cmd_failed;

/* commands.c / test.c */
void normal_register_commands(void);
void normal_register_test(void);
/* wildcard.c: the expansions of an unquoted word with * or ? (GRUB's
 * wildcard translator): their number and *out (malloc'd, NULL-terminated),
 * or 0 to keep the word as it is */
int normal_wildcard(const char *word, char ***out);
/* strcmds.c: regexp, tr, eval */
void normal_register_strcmds(void);
/* main.c */
void normal_register_main_commands(void);

#endif
