/* SPDX-License-Identifier: MIT */
/*
 * Core script commands of module `normal` (GRUB manual, "Command-line and
 * menu entry commands"): set, unset, export, echo, insmod, sleep,
 * keystatus, the linux16/linuxefi/initrd16/initrdefi aliases, and the
 * graphics/terminal commands that are no-ops on a PV text console.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/platform.h"
#include "pvboot/script.h"
#include "pvboot/term.h"
#include "pvboot/time.h"
#include "normal_int.h"

static int print_var(const char *name, const char *value, bool exported, void *ctx)
{
    (void)exported;
    (void)ctx;
    pb_printf("%s=%s\n", name, value);
    return 0;
}

/* set NAME=VALUE: as GRUB, only the first argument counts, and it must
 * be an assignment (`set a` is an error, not an empty a) */
static int cmd_set(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    if (argc == 1)
        return pb_env_foreach(print_var, NULL);
    const char *eq = strchr(argv[1], '=');
    if (!eq) {
        pb_error(PB_EINVAL, "not an assignment");
        return 18;   /* GRUB_ERR_BAD_ARGUMENT, what GRUB leaves in $? */
    }
    char *name = strndup(argv[1], (size_t)(eq - argv[1]));
    if (!name)
        return pb_error(PB_ENOMEM, "out of memory");
    int r = name[0] ? pb_env_set(name, eq + 1) : 0;   /* GRUB: `set =x' is accepted, to no effect */
    free(name);
    return r;
}

static int cmd_unset(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    /* GRUB unsets only the first NAME */
    if (argc > 2)
        argc = 2;
    for (int i = 1; i < argc; i++)
        pb_env_unset(argv[i]);
    return 0;
}

static int cmd_export(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    for (int i = 1; i < argc; i++) {
        if (!argv[i][0])
            continue;
        int r = pb_env_export(argv[i]);
        if (r)
            return r;
    }
    return 0;
}

static int cmd_echo(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    bool newline = true, escapes = false;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0)
            newline = false;
        else if (strcmp(argv[i], "-e") == 0)
            escapes = true;
        else if (strcmp(argv[i], "-ne") == 0 || strcmp(argv[i], "-en") == 0)
            newline = false, escapes = true;
        else
            break;
    }
    for (int first = i; i < argc; i++) {
        if (i > first)
            pb_write(" ", 1);
        const char *s = argv[i];
        if (!escapes) {
            pb_printf("%s", s);
            continue;
        }
        for (; *s; s++) {
            char c = *s;
            if (c == '\\' && s[1]) {
                s++;
                switch (*s) {
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'a': c = '\a'; break;
                case 'b': c = '\b'; break;
                case 'f': c = '\f'; break;
                case 'r': c = '\r'; break;
                case 'v': c = '\v'; break;
                case 'c': newline = false; continue;   /* GRUB: no final newline, the rest is shown */
                case '\\': c = '\\'; break;
                default: pb_write("\\", 1); c = *s; break;
                }
            }
            if (c == '\n')
                pb_printf("\n");
            else
                pb_write(&c, 1);
        }
    }
    if (newline)
        pb_printf("\n");
    return 0;
}

/* All modules are linked into the image: insmod only notes unknown names. */
static int cmd_insmod(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argc;
    (void)argv;
    return 0;
}

static int cmd_noop(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argc;
    (void)argv;
    return 0;
}

/* Commands that exist in GRUB but cannot work on a Xen PV console: fail
 * (so `if loadfont ...` takes the text path) without aborting anything. */
static int cmd_unsupported(struct pb_command *cmd, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    pb_error_clear();
    (void)cmd;
    return PB_ENOTSUP;
}

static int cmd_terminal(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argv;
    if (argc == 1)
        pb_printf("Active: console\n");
    return 0;
}

static int cmd_keystatus(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argc;
    (void)argv;
    /* no modifier state on a serial-like console: never "pressed" */
    pb_error_clear();
    return PB_ENOENT;
}

static int cmd_sleep(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    bool verbose = false, interruptible = false;
    const char *n = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
            verbose = true;
        else if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "--interruptible"))
            interruptible = true;
        else
            n = argv[i];
    }
    if (!n)
        return pb_error(PB_EINVAL, "sleep: missing number of seconds");
    char *end;
    long secs = strtol(n, &end, 10);
    if (*end || secs < 0)
        return pb_error(PB_EINVAL, "sleep: bad number `%s'", n);
    if (secs > 3600)
        secs = 3600;
    if (!pb_platform()->interactive)
        return 0;    /* host tools: "no key is ever pressed", do not wait */
    for (long s = secs; s > 0; s--) {
        if (verbose)
            pb_printf("\r%ld ", s);
        if (interruptible) {
            int k = pb_getkey(1000);
            if (k != PB_KEY_NONE) {
                if (verbose)
                    pb_printf("\n");
                pb_error_clear();
                return PB_ECANCELED;   /* GRUB: interrupted sleep fails */
            }
        } else {
            pb_sleep_ms(1000);
        }
    }
    if (verbose)
        pb_printf("\r   \r");
    return 0;
}

/* linux16/linuxefi → linux, initrd16/initrdefi → initrd (Xen PV has one
 * Linux loader; GRUB's xen platform has no linux16). */
static int cmd_alias(struct pb_command *cmd, int argc, char **argv)
{
    const char *target = strncmp(cmd->name, "linux", 5) == 0 ? "linux" : "initrd";
    struct pb_command *t = pb_command_find(target);
    if (!t || t == cmd)
        return pb_error(PB_ENOENT, "%s: no `%s' command in this image", cmd->name, target);
    char *saved = argv[0];
    argv[0] = (char *)target;
    int r = pb_command_run(argc, argv);
    argv[0] = saved;
    return r;
}

static int cmd_clear(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argc;
    (void)argv;
    pb_printf("\x1b[H\x1b[J");
    return 0;
}

#define NOOP(n, s) { .name = n, .fn = cmd_noop, .usage = "[ARG]...", .summary = s " (no-op on a PV console)." }
#define UNSUP(n, s) { .name = n, .fn = cmd_unsupported, .usage = "[ARG]...", .summary = s " (not available on Xen PV; fails)." }

static struct pb_command cmds[] = {
    { .name = "set", .fn = cmd_set, .usage = "[NAME=VALUE]", .summary = "Set a variable, or list them." },
    { .name = "unset", .fn = cmd_unset, .usage = "NAME", .summary = "Remove a variable." },
    { .name = "export", .fn = cmd_export, .usage = "NAME...", .summary = "Export variables to new contexts." },
    { .name = "echo", .fn = cmd_echo, .usage = "[-n] [-e] [STRING]...", .summary = "Print the arguments." },
    { .name = "insmod", .fn = cmd_insmod, .usage = "MODULE", .summary = "Accepted: every module is linked into the image." },
    { .name = "rmmod", .fn = cmd_insmod, .usage = "MODULE", .summary = "Accepted and ignored." },
    { .name = "sleep", .fn = cmd_sleep, .usage = "[--verbose] [--interruptible] SECONDS", .summary = "Wait." },
    { .name = "keystatus", .fn = cmd_keystatus, .usage = "[--shift] [--ctrl] [--alt]", .summary = "Modifier keys: never pressed on a PV console." },
    { .name = "linux16", .fn = cmd_alias, .flags = PB_CMD_F_LOADER, .usage = "FILE [ARG]...", .summary = "Same as linux." },
    { .name = "linuxefi", .fn = cmd_alias, .flags = PB_CMD_F_LOADER, .usage = "FILE [ARG]...", .summary = "Same as linux." },
    { .name = "initrd16", .fn = cmd_alias, .flags = PB_CMD_F_LOADER, .usage = "FILE...", .summary = "Same as initrd." },
    { .name = "initrdefi", .fn = cmd_alias, .flags = PB_CMD_F_LOADER, .usage = "FILE...", .summary = "Same as initrd." },
    { .name = "clear", .fn = cmd_clear, .usage = "", .summary = "Clear the screen." },
    { .name = "terminal_output", .fn = cmd_terminal, .usage = "[TERMINAL]...", .summary = "The PV console is the only terminal." },
    { .name = "terminal_input", .fn = cmd_terminal, .usage = "[TERMINAL]...", .summary = "The PV console is the only terminal." },
    NOOP("terminal", "Terminal selection"),
    NOOP("terminfo", "Terminal type"),
    NOOP("serial", "Serial port setup"),
    NOOP("background_color", "Background colour"),
    NOOP("background_image", "Background image"),
    NOOP("set_background_image", "Background image"),
    NOOP("gfxmode", "Graphics mode"),
    NOOP("videoinfo", "Video information"),
    NOOP("play", "Play a tune"),
    NOOP("gettext", "Translations"),
    UNSUP("loadfont", "Load a font"),
    UNSUP("hwmatch", "Hardware match"),
    UNSUP("fwsetup", "Firmware setup"),
};

void normal_register_commands(void)
{
    for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        /* `gfxmode` is a variable/function name in real configs (Ubuntu
         * defines `function gfxmode`); functions win over commands, so
         * registering it is harmless. */
        pb_command_register(&cmds[i]);
    }
}
