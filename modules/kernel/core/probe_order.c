/* SPDX-License-Identifier: MIT */
/*
 * The probe order tables (include/pvboot/probe_order.h).  pb_fs_register()
 * and pb_partmap_register() keep their lists sorted by these, so the order
 * of registration (the image's module table, the hosted build's list of
 * init functions) does not matter.  Why this order: docs/architecture.md,
 * "Probe order".
 */
#include <string.h>
#include "pvboot/probe_order.h"

const char *const pb_fs_probe_order[] = {
    "ext2", "fat", "iso9660", "tarfs", "xfs", "btrfs", "squash4", NULL,
};

/* gpt before msdos: a GPT disk's protective MBR (one 0xEE partition) would
 * otherwise be read as an msdos map. */
const char *const pb_partmap_probe_order[] = {
    "gpt", "msdos", NULL,
};

unsigned pb_probe_rank(const char *const *order, const char *name)
{
    unsigned i = 0;
    for (; order[i]; i++)
        if (!strcmp(order[i], name))
            break;
    return i;
}
