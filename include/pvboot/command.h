/* SPDX-License-Identifier: MIT */
/*
 * Commands (GRUB names): registered by module init functions; run by the
 * script interpreter and the shell.  A command returns 0 on success or a
 * negative PB_E* code after pb_error().  Every command answers --help
 * (handled by pb_command_run from .summary/.usage).
 */
#ifndef PVBOOT_COMMAND_H
#define PVBOOT_COMMAND_H

#include <stddef.h>

struct pb_command_block;

struct pb_command {
    const char *name;
    int (*fn)(struct pb_command *cmd, int argc, char **argv); /* argv[0] = name */
    /* PB_CMD_F_BLOCK commands: called by the interpreter with the { } block
     * that follows the arguments, or the --source=TEXT value (argv[0] =
     * name, then the options as --NAME=VALUE as GRUB's menuentry parses
     * them, "--", the title and its arguments); fn is not used. */
    int (*block_fn)(struct pb_command *cmd, int argc, char **argv,
                    const struct pb_command_block *block);
    const char *usage;     /* "[-l] [FILE|DEVICE]..." */
    const char *summary;   /* one line */
    unsigned flags;
    struct pb_command *next;   /* registry link, owned by the registry */
};
/* Takes a { ... } block (menuentry, submenu): the script parser reads the
 * block, the interpreter hands it over as text through block_fn.  Such a
 * command is found only by pb_command_find_block(): pb_command_find(),
 * pb_command_run() and pb_command_foreach() do not see it (without its
 * block it is no command). */
#define PB_CMD_F_BLOCK  0x1
/* Prepares the boot (linux, initrd, chainloader and their aliases): when it
 * fails, pb_command_run() records the failure with pb_loader_note_failure()
 * (include/pvboot/loader.h), and a menu entry that ran it is not booted. */
#define PB_CMD_F_LOADER 0x2

/* The block of a PB_CMD_F_BLOCK command. */
struct pb_command_block {
    const char *text;      /* source text between the braces (not NUL-terminated) */
    size_t len;            /* bytes of text */
    const char *file;      /* script file the command is in, "" if none */
    int line;              /* 1-based line of the command in that file */
};

/** pb_command_register() - add @cmd (static storage). Replaces same name. */
int pb_command_register(struct pb_command *cmd);
/** pb_command_unregister() - remove @cmd. */
void pb_command_unregister(struct pb_command *cmd);
/** pb_command_find() - look up by name, NULL if unknown (or a block command). */
struct pb_command *pb_command_find(const char *name);
/** pb_command_find_block() - look up a PB_CMD_F_BLOCK command by name, NULL if none. */
struct pb_command *pb_command_find_block(const char *name);
/**
 * pb_command_not_found() - record the error for a command @name that is not
 * registered ("can't find command `NAME'") and return PB_ENOENT.  A GRUB
 * loader command that this image lacks counts as a failed loader command
 * (pb_loader_note_failure()).
 */
int pb_command_not_found(const char *name);
/** pb_command_foreach() - iterate in name order (block commands left out);
 *  stop when @cb returns non-zero. */
int pb_command_foreach(int (*cb)(struct pb_command *cmd, void *ctx), void *ctx);
/**
 * pb_command_run() - run argv[0] with its arguments.  Handles --help.
 * The command's fn gets a copy of the @argc + 1 pointers (NULL-terminated),
 * so it may rearrange them; @argv and its strings stay the caller's and are
 * unchanged by any command.  Returns the command's result, PB_ENOENT (with
 * message) if unknown, PB_ENOMEM if the copy cannot be made.
 */
int pb_command_run(int argc, char **argv);

#endif
