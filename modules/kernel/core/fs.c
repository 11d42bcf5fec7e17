/* SPDX-License-Identifier: MIT */
/* Filesystem type registry and probing (include/pvboot/fs.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/crc32c.h"
#include "pvboot/fs.h"
#include "pvboot/probe_order.h"

static struct pb_fs_ops *types;

void pb_fs_register(struct pb_fs_ops *ops)
{
    for (struct pb_fs_ops *t = types; t; t = t->next)
        if (t == ops)
            return;
    /* kept in pb_fs_probe_order's order; equal ranks (unlisted types) in
     * registration order */
    unsigned rank = pb_probe_rank(pb_fs_probe_order, ops->name);
    struct pb_fs_ops **pp = &types;
    while (*pp && pb_probe_rank(pb_fs_probe_order, (*pp)->name) <= rank)
        pp = &(*pp)->next;
    ops->next = *pp;
    *pp = ops;
}

struct pb_fs_ops *pb_fs_types(void)
{
    return types;
}

int pb_fs_probe(struct pb_device *dev, struct pb_fs **out)
{
    if (dev->fs) {
        *out = dev->fs;
        return 0;
    }
    int first_err = 0;
    char first_msg[256] = "";
    for (struct pb_fs_ops *t = types; t; t = t->next) {
        struct pb_fs *fs = NULL;
        int r = t->mount(dev, &fs);
        if (r == 0 && fs) {
            fs->ops = t;
            fs->dev = dev;
            dev->fs = fs;
            pb_error_clear();
            *out = fs;
            return 0;
        }
        if (r != PB_ENOENT && first_err == 0) {
            first_err = r;
            strncpy(first_msg, pb_errmsg(), sizeof first_msg - 1);
        }
    }
    if (first_err)
        return pb_error(first_err, "%s", first_msg);
    return pb_error(PB_ENOENT, "%s: unknown filesystem", dev->name);
}

int pb_fs_csum_mismatch(const char *fsname, const struct pb_device *dev, const char *fmt, ...)
{
    if (pb_fs_ignore_checksums())
        return 0;
    char what[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return pb_error(PB_EBADFS, "%s: %s: %s: checksum mismatch (set fs_ignore_checksums=1 to read anyway)",
                    fsname, dev->name, what);
}
