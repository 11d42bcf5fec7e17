/* SPDX-License-Identifier: MIT */
/*
 * Commands (GRUB names): registered by module init functions; run by the
 * script interpreter and the shell.  A command returns 0 on success or a
 * negative PB_E* code after pb_error().  Every command answers --help
 * (handled by pb_command_run from .summary/.usage).
 */
#ifndef PVBOOT_COMMAND_H
#define PVBOOT_COMMAND_H

struct pb_command {
    const char *name;
    int (*fn)(struct pb_command *cmd, int argc, char **argv); /* argv[0] = name */
    const char *usage;     /* "[-l] [FILE|DEVICE]..." */
    const char *summary;   /* one line */
    unsigned flags;
    struct pb_command *next;   /* registry link, owned by the registry */
};
#define PB_CMD_F_EXTRACTOR 0x1   /* needs the script context (menuentry, source…) */

/** pb_command_register() - add @cmd (static storage). Replaces same name. */
int pb_command_register(struct pb_command *cmd);
/** pb_command_unregister() - remove @cmd. */
void pb_command_unregister(struct pb_command *cmd);
/** pb_command_find() - look up by name, NULL if unknown. */
struct pb_command *pb_command_find(const char *name);
/** pb_command_foreach() - iterate in name order; stop when @cb returns non-zero. */
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
