/* SPDX-License-Identifier: MIT */
/* Command registry (include/pvboot/command.h). */
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/loader.h"
#include "pvboot/term.h"

static struct pb_command *commands;   /* sorted by name */

int pb_command_register(struct pb_command *cmd)
{
    struct pb_command **pp = &commands;
    while (*pp && strcmp((*pp)->name, cmd->name) < 0)
        pp = &(*pp)->next;
    if (*pp && strcmp((*pp)->name, cmd->name) == 0) {
        if (*pp == cmd)
            return 0;
        cmd->next = (*pp)->next;   /* replace */
        *pp = cmd;
        return 0;
    }
    cmd->next = *pp;
    *pp = cmd;
    return 0;
}

void pb_command_unregister(struct pb_command *cmd)
{
    for (struct pb_command **pp = &commands; *pp; pp = &(*pp)->next) {
        if (*pp == cmd) {
            *pp = cmd->next;
            cmd->next = NULL;
            return;
        }
    }
}

static struct pb_command *find(const char *name)
{
    for (struct pb_command *c = commands; c; c = c->next) {
        int r = strcmp(c->name, name);
        if (r == 0)
            return c;
        if (r > 0)
            break;
    }
    return NULL;
}

struct pb_command *pb_command_find(const char *name)
{
    struct pb_command *c = find(name);
    return c && !(c->flags & PB_CMD_F_BLOCK) ? c : NULL;
}

struct pb_command *pb_command_find_block(const char *name)
{
    struct pb_command *c = find(name);
    return c && (c->flags & PB_CMD_F_BLOCK) && c->block_fn ? c : NULL;
}

int pb_command_not_found(const char *name)
{
    if (pb_loader_is_command_name(name))
        pb_loader_note_failure();
    return pb_error(PB_ENOENT, "can't find command `%s'", name);
}

int pb_command_foreach(int (*cb)(struct pb_command *, void *), void *ctx)
{
    for (struct pb_command *c = commands; c; c = c->next) {
        if (c->flags & PB_CMD_F_BLOCK)
            continue;
        int r = cb(c, ctx);
        if (r)
            return r;
    }
    return 0;
}

int pb_command_run(int argc, char **argv)
{
    if (argc < 1 || !argv[0])
        return pb_error(PB_EINVAL, "empty command");
    struct pb_command *c = pb_command_find(argv[0]);
    if (!c)
        return pb_command_not_found(argv[0]);
    /* only as the first argument, so `linux /vmlinuz --help` still passes it on */
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        pb_printf("Usage: %s %s\n%s\n", c->name, c->usage ? c->usage : "",
                  c->summary ? c->summary : "");
        return 0;
    }
    /* The command gets its own copy of the pointer array: it may reorder or
     * replace entries (option parsing, aliases) without touching the
     * caller's array, which the caller frees entry by entry afterwards.
     * The strings stay the caller's: a command never frees them. */
    char **copy = malloc(((size_t)argc + 1) * sizeof *copy);
    if (!copy)
        return pb_error(PB_ENOMEM, "out of memory");
    memcpy(copy, argv, (size_t)argc * sizeof *copy);
    copy[argc] = NULL;
    int r = c->fn(c, argc, copy);
    free(copy);
    if (r != 0 && (c->flags & PB_CMD_F_LOADER))
        pb_loader_note_failure();
    return r;
}
