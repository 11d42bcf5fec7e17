/* SPDX-License-Identifier: MIT */
/* The pending boot (include/pvboot/loader.h). */
#include <stdio.h>
#include <string.h>
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/loader.h"
#include "pvboot/platform.h"

static struct pb_loader pending;
static bool have_pending;
static bool cmd_failed;

void pb_loader_note_failure(void)
{
    cmd_failed = true;
}

void pb_loader_clear_failure(void)
{
    cmd_failed = false;
}

bool pb_loader_failed(void)
{
    return cmd_failed;
}

bool pb_loader_is_command_name(const char *name)
{
    static const char *const names[] = {
        "linux", "initrd", "linux16", "initrd16", "linuxefi", "initrdefi", "chainloader",
        "kernel", "multiboot", "multiboot2", "module", "module2",
    };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

void pb_loader_unset(void)
{
    if (have_pending && pending.unload)
        pending.unload(pending.ctx);
    have_pending = false;
    memset(&pending, 0, sizeof pending);
}

void pb_loader_set(const struct pb_loader *l)
{
    pb_loader_unset();
    pending = *l;
    have_pending = true;
}

bool pb_loader_pending(void)
{
    return have_pending;
}

/* The boot returned without handing over: tell the platform what it was. */
static void report(void)
{
    static struct pb_boot_decision d;
    if (pending.decision)
        d = *pending.decision;
    else
        memset(&d, 0, sizeof d);
    const char *root = pb_env_get("root");
    snprintf(d.root, sizeof d.root, "%s", root ? root : "");
    pb_platform()->report_boot(&d);
}

int pb_loader_boot(void)
{
    if (!have_pending)
        return pb_error(PB_EINVAL, "you need to load the kernel first");
    int r = pending.boot(pending.ctx);
    if (r == 0)
        report();
    return r;
}
