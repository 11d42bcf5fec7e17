/* SPDX-License-Identifier: MIT */
/* The pending boot (include/pvboot/loader.h). */
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/loader.h"

struct pb_boot_decision pb_boot_decision;
bool pb_loader_dry_run;

static struct pb_loader pending;
static bool have_pending;

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

int pb_loader_boot(void)
{
    if (!have_pending)
        return pb_error(PB_EINVAL, "you need to load the kernel first");
    return pending.boot(pending.ctx);
}
