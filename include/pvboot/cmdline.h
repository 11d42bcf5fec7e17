/* SPDX-License-Identifier: MIT */
/*
 * The Xen command line (`extra = "…"` in the xl config, start_info
 * cmd_line, at most 1023 bytes + NUL).  Pure logic, in both builds; unit
 * tests in tests/unit/test_cmdline.c.  Documented for users in
 * man/pvboot.7, section XEN COMMAND LINE.
 *
 * Syntax
 * ------
 * The line must be NUL-terminated within 1024 bytes and contain only
 * printable ASCII (0x20-0x7e) or TAB; otherwise it is reported and ignored
 * (pb_cmdline_validate).  It is split into words like a POSIX shell does,
 * without any expansion:
 *   - unquoted blanks (space, TAB) separate words;
 *   - 'single quotes' keep everything literally up to the next ';
 *   - "double quotes" keep everything literally except \" \\ \$ \` which
 *     stand for the second character;
 *   - outside quotes, a backslash makes the next character literal;
 *   - $ is never expanded; an unterminated quote is an error.
 * Then, in this order:
 *   1. Every word `xen_grub_env_NAME=VALUE` (anywhere on the line; NAME is
 *      [A-Za-z_][A-Za-z0-9_]*) becomes an exported variable NAME=VALUE, as
 *      GRUB 2.14 does.  `xen_grub_env_NAME` without `=` exports NAME="".
 *      A word with the prefix but an invalid NAME is an error.
 *   2. Leading remaining words of the form KEY=VALUE (KEY an identifier,
 *      e.g. `console=hvc0` left over from a direct-kernel xl config) mean
 *      nothing to pvboot: they are listed in `ignored` and skipped.
 *   3. What is left decides the action:
 *        nothing                      -> PB_CMDLINE_NONE (embedded config)
 *        one word starting with ( or / -> PB_CMDLINE_CONFIG: the config file
 *                                        to run instead of the embedded
 *                                        one, legacy pv-grub style:
 *                                        (hd0,0)/boot/grub/menu.lst
 *        anything else                -> PB_CMDLINE_COMMAND: a command and
 *                                        its arguments, e.g.
 *                                        normal (xen/xvda,msdos1)/boot/grub2/grub.cfg
 *      For COMMAND, `argv` holds the words and `command` the same words
 *      re-quoted for the GRUB script parser (single quotes where needed).
 */
#ifndef PVBOOT_CMDLINE_H
#define PVBOOT_CMDLINE_H

#include <stddef.h>

#define PB_CMDLINE_MAX 1024            /* MAX_GUEST_CMDLINE, including the NUL */
#define PB_CMDLINE_ENV_PREFIX "xen_grub_env_"

enum pb_cmdline_kind {
    PB_CMDLINE_NONE = 0,
    PB_CMDLINE_CONFIG,
    PB_CMDLINE_COMMAND,
};

struct pb_cmdline {
    enum pb_cmdline_kind kind;
    unsigned nvars;                     /* exports, in line order */
    const char *var_name[PB_CMDLINE_MAX / 2];
    const char *var_value[PB_CMDLINE_MAX / 2];
    unsigned nignored;                  /* skipped KEY=VALUE words */
    const char *ignored[PB_CMDLINE_MAX / 2];
    const char *config;                 /* PB_CMDLINE_CONFIG: the path */
    int argc;                           /* PB_CMDLINE_COMMAND: the words */
    const char *argv[PB_CMDLINE_MAX / 2 + 1];
    char command[PB_CMDLINE_MAX * 6];   /* PB_CMDLINE_COMMAND: re-quoted */
    char store[PB_CMDLINE_MAX * 2];     /* storage for all strings above */
};

/**
 * pb_cmdline_validate() - check a raw command-line buffer of @cap bytes
 * (start_info.cmd_line has 1024): a NUL within @cap, and only printable
 * ASCII or TAB before it.  Returns the length (bytes before the NUL), or
 * PB_EINVAL with a message naming the offset and byte value.
 */
long pb_cmdline_validate(const char *buf, size_t cap);

/**
 * pb_cmdline_parse() - parse a validated, NUL-terminated @line (at most
 * PB_CMDLINE_MAX - 1 bytes) into @out (see the syntax above).  All strings
 * point into @out itself.  Returns 0, or PB_EINVAL (unterminated quote,
 * bad xen_grub_env_ name, line too long) with a message naming the offset.
 */
int pb_cmdline_parse(const char *line, struct pb_cmdline *out);

/**
 * pb_cmdline_word() - split the next word off @line (@len bytes) from byte
 * *@pos on, by the rules above (blanks, quotes, backslashes).
 * @w: receives the dequoted word, NUL-terminated; room for the rest of the
 *     line plus the NUL is enough (a word never grows by dequoting).
 * Returns 1 with *@pos after the word, 0 when only blanks are left, or
 * PB_EINVAL (unterminated quote, with a message naming its offset).
 */
int pb_cmdline_word(const char *line, size_t len, size_t *pos, char *w);

/**
 * pb_cmdline_value() - find the first word of @line that starts with @key
 * and goes on beyond it (a module's diagnostic knob such as
 * "blkfront.persistent=0"); the words are split as pb_cmdline_parse() does.
 * @store: PB_CMDLINE_MAX bytes that hold the dequoted word.
 * @value: receives the rest of that word after @key (inside @store).
 * Returns 1 (found), 0 (no such word) or PB_EINVAL (the line is too long or
 * has an unterminated quote; message as pb_cmdline_parse()).
 */
int pb_cmdline_value(const char *line, const char *key, char *store, const char **value);

#endif
