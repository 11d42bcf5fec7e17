/* SPDX-License-Identifier: MIT */
/*
 * Kernel commands: lsmem (memory layout), lsxen (xenstore tree, like
 * xenstore-ls), reboot, halt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xen_internal.h"
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/kernel.h"
#include "pvboot/term.h"

static int cmd_lsmem(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argv;
    if (argc > 1)
        return pb_error(PB_EINVAL, "lsmem: takes no arguments");
    pb_mm_print_layout();
    return 0;
}

#define LSXEN_MAX_DEPTH 16
#define LSXEN_MAX_NODES 5000

/* Print @path's children recursively, xenstore-ls style:
 *   name = "value"   indented by one space per level. */
static int lsxen_walk(const char *path, int depth, unsigned *budget)
{
    char **names;
    unsigned n;
    int rc = pb_xs_directory(0, path, &names, &n);
    if (rc)
        return rc;
    for (unsigned i = 0; i < n && rc == 0; i++) {
        if ((*budget)-- == 0) {
            pb_printf("%*s... (output truncated after %u nodes)\n", depth, "", LSXEN_MAX_NODES);
            rc = PB_ERANGE;
            break;
        }
        char *child;
        if (asprintf(&child, "%s%s%s", path, strcmp(path, "/") == 0 ? "" : "/", names[i]) < 0) {
            rc = pb_error(PB_ENOMEM, "lsxen: out of memory");
            break;
        }
        char *value = NULL;
        if (pb_xs_read(0, child, &value) == 0) {
            pb_printf("%*s%s = \"", depth, "", names[i]);
            for (const char *p = value; *p; p++) {
                if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
                    pb_printf("%c", *p);
                else
                    pb_printf("\\x%02x", (unsigned char)*p);
            }
            pb_printf("\"\n");
            free(value);
        } else {
            pb_printf("%*s%s = (unreadable: %s)\n", depth, "", names[i], pb_errmsg());
            pb_error_clear();
        }
        if (depth + 1 < LSXEN_MAX_DEPTH) {
            int r = lsxen_walk(child, depth + 1, budget);
            if (r == PB_ERANGE)
                rc = r;
            else if (r && r != PB_ENOENT && r != PB_EACCES)
                pb_error_clear();
        }
        free(child);
    }
    free(names);
    return rc == PB_ERANGE ? 0 : rc;
}

static int cmd_lsxen(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    if (argc > 2)
        return pb_error(PB_EINVAL, "lsxen: at most one PATH");
    char home[32];
    snprintf(home, sizeof home, "/local/domain/%u", pb_domid);
    const char *path = argc == 2 ? argv[1] : home;
    unsigned budget = LSXEN_MAX_NODES;
    return lsxen_walk(path, 0, &budget);
}

static int cmd_reboot(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argc;
    (void)argv;
    pb_power(PB_REBOOT);
}

static int cmd_halt(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argc;
    (void)argv;
    pb_power(PB_POWEROFF);
}

static struct pb_command commands[] = {
    { .name = "lsmem", .fn = cmd_lsmem, .usage = "",
      .summary = "Show the guest memory layout (pfn ranges) and free memory." },
    { .name = "lsxen", .fn = cmd_lsxen, .usage = "[PATH]",
      .summary = "List the xenstore tree under PATH (default: this domain's home)." },
    { .name = "reboot", .fn = cmd_reboot, .usage = "", .summary = "Reboot the domain." },
    { .name = "halt", .fn = cmd_halt, .usage = "", .summary = "Power the domain off." },
};

void pb_kernel_commands_register(void)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        pb_command_register(&commands[i]);
}
