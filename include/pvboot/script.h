/* SPDX-License-Identifier: MIT */
/*
 * The GRUB script language (module `script`, modules/script): parser,
 * interpreter and the builtins that need its state.  The menu, the config
 * pipeline around it (configfile, source) and the user interface are module
 * `normal`, which uses this interface; the interpreter knows nothing of them.  Follows the GRUB manual, "Shell-like scripting":
 * words and quoting, $var/${var} expansion, positional parameters, if/for/
 * while/until/function, menuentry/submenu blocks.
 *
 * Syntax errors name "FILE:LINE:COLUMN" (1-based).  Running a script never
 * stops the loader: a failing command sets $? and execution continues; a
 * syntax error stops that file after the commands that parsed before it.
 */
#ifndef PVBOOT_SCRIPT_H
#define PVBOOT_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

/* Bounds for untrusted input (deeply nested or huge scripts fail cleanly). */
#define PB_SCRIPT_MAX_SIZE      (4u << 20)   /* bytes of one script text */
#define PB_SCRIPT_MAX_NESTING   64           /* nested if/for/while/{} */
#define PB_SCRIPT_MAX_CALLS     64           /* function/source/configfile depth */
#define PB_SCRIPT_MAX_WORDS     4096         /* words of one command after expansion */
#define PB_SCRIPT_MAX_WORD      (256u << 10) /* bytes of one expanded word */
#define PB_SCRIPT_MAX_LOOP      100000       /* iterations of one while/until loop */

/**
 * pb_script_check() - parse @text (@len bytes) without running it.
 * @filename: name used in messages.
 * Returns 0, or PB_EINVAL with the first error recorded as
 * "FILE:LINE:COL: message" (pb_errmsg()).  Needs no runtime state, so
 * host tools (mkpvimage -c, pvboot-probe --check) may call it directly.
 */
int pb_script_check(const char *text, size_t len, const char *filename);

/**
 * pb_script_run() - parse and run @text in the current environment context
 * (like `source`).  Returns the status of the last command (0 = success,
 * positive = failure as $? shows it) or a negative PB_E* when there was a
 * syntax error.  As GRUB reads a config file, the text is parsed and run
 * line by line (a line together with the further lines an unfinished
 * command needs); a syntax error is printed with its location, the rest
 * of that line is skipped and the run goes on with the next line.
 */
int pb_script_run(const char *text, size_t len, const char *filename);

/** pb_script_source() - load the file at GRUB path @path and run it as
 *  pb_script_run() does (GRUB's `source'; module normal provides it with
 *  the `source' command, the interpreter itself reads no files).  0 once it ran, whatever its
 *  commands did (their errors, syntax errors too, are shown as it runs); a
 *  missing file is 0 and runs nothing; PB_E* if it cannot be read. */
int pb_script_source(const char *path);

/**
 * pb_script_run_argv() - run one already-expanded command line: a script
 * function, an interpreter builtin or a registered command; failing those,
 * a first word NAME=VALUE sets NAME (GRUB's last resort: further words
 * are ignored).  Used by the shell and by command aliases.  Returns 0, a negative PB_E* (a command
 * failed), or a positive status (a script function returned non-zero).
 */
int pb_script_run_argv(int argc, char **argv);

/**
 * pb_script_run_at() - pb_script_run() for a menu entry's body: line
 * numbers start at @first_line, and a syntax error ends the text (GRUB
 * runs an entry's body as one piece of source code, without the config
 * file's recovery at the next line).
 */
int pb_script_run_at(const char *text, size_t len, const char *filename, int first_line);

/**
 * pb_script_push_params() - make @argc words of @argv (copied) the
 * positional parameters $1... of a new scope (a menu entry being run).
 * Returns 0, PB_ELOOP (more than PB_SCRIPT_MAX_CALLS scopes) or PB_ENOMEM.
 * Undo with pb_script_pop_params().
 */
int pb_script_push_params(int argc, char **argv);
/** pb_script_pop_params() - drop the scope pushed last. */
void pb_script_pop_params(void);

/**
 * pb_script_enter_call() - count one more nested script run (function,
 * `source', `configfile').  Returns 0, or PB_ELOOP (with message) beyond
 * PB_SCRIPT_MAX_CALLS.  Each success is matched by pb_script_leave_call().
 */
int pb_script_enter_call(void);
/** pb_script_leave_call() - see pb_script_enter_call(). */
void pb_script_leave_call(void);

/** pb_script_status() - $? after the last command (0 = success). */
int pb_script_status(void);

/**
 * pb_script_quote() - GRUB-quote @word so that the interpreter reads it
 * back as exactly one word with that text (single quotes, with ' written
 * as '\'').  Returns a malloc'd string or NULL (out of memory).
 */
char *pb_script_quote(const char *word);

/**
 * pb_script_expand() - expand $var references in @text as the interpreter
 * does inside double quotes (no field splitting, no quote removal other
 * than backslash before $ " \).  Returns a malloc'd string or NULL.
 * (rhboot blscfg expands `options` this way.)
 */
char *pb_script_expand(const char *text);

/**
 * pb_script_stop_requested() - true once a boot has been handed over in
 * dry-run mode (hosted tools) or a fatal stop was requested: every running
 * script unwinds without running more commands.
 */
bool pb_script_stop_requested(void);
/** pb_script_request_stop() - see pb_script_stop_requested(); @stop false clears it. */
void pb_script_request_stop(bool stop);

#endif
