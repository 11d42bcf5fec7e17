/* SPDX-License-Identifier: MIT */
/*
 * help (GRUB manual, "help"): without arguments, every command with its
 * one-line summary; with PATTERNs (shell wildcards * and ?), the usage and
 * summary of each command whose name matches.
 */
#include <stdbool.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/term.h"

/* Shell-style match of @name against @pat (* and ?), bounded by the lengths:
 * iterative with one backtrack point. */
static bool wild_match(const char *pat, const char *name)
{
    const char *star = NULL, *resume = NULL;
    while (*name) {
        if (*pat == '*') {
            star = pat++;
            resume = name;
        } else if (*pat == '?' || *pat == *name) {
            pat++;
            name++;
        } else if (star) {
            pat = star + 1;
            name = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == 0;
}

struct help_ctx {
    int argc;
    char **argv;
    int shown;
};

static int list_one(struct pb_command *c, void *vctx)
{
    struct help_ctx *h = vctx;
    if (h->argc <= 1) {
        pb_printf("%-20s %s\n", c->name, c->summary ? c->summary : "");
        h->shown++;
        return 0;
    }
    for (int i = 1; i < h->argc; i++) {
        if (wild_match(h->argv[i], c->name)) {
            pb_printf("Usage: %s %s\n  %s\n", c->name, c->usage ? c->usage : "",
                      c->summary ? c->summary : "");
            h->shown++;
            break;
        }
    }
    return 0;
}

static int cmd_help(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    struct help_ctx h = { argc, argv, 0 };
    pb_command_foreach(list_one, &h);
    if (argc > 1 && h.shown == 0)
        return pb_error(PB_ENOENT, "help: no command matches `%s'", argv[1]);
    if (argc <= 1)
        pb_printf("\nEvery command also answers --help.\n");
    return 0;
}

static struct pb_command help_cmd = {
    .name = "help", .fn = cmd_help, .usage = "[PATTERN ...]",
    .summary = "List the commands, or show the usage of those matching PATTERNs.",
};

void pvboot_init_help(void);
void pvboot_init_help(void)
{
    pb_command_register(&help_cmd);
}

void pvboot_fini_help(void);
void pvboot_fini_help(void)
{
    pb_command_unregister(&help_cmd);
}
