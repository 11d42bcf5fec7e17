/* SPDX-License-Identifier: MIT */
/*
 * Partition-map registry and devices ("DISK" or "DISK,PART") — see
 * include/pvboot/disk.h.  Opened devices are kept (reference counted, never
 * freed while registered) so a mounted filesystem is reused across opens.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/probe_order.h"

static struct pb_partmap *partmaps;

void pb_partmap_register(struct pb_partmap *m)
{
    for (struct pb_partmap *x = partmaps; x; x = x->next)
        if (x == m)
            return;
    /* kept in pb_partmap_probe_order's order; equal ranks (unlisted maps)
     * in registration order */
    unsigned rank = pb_probe_rank(pb_partmap_probe_order, m->name);
    struct pb_partmap **pp = &partmaps;
    while (*pp && pb_probe_rank(pb_partmap_probe_order, (*pp)->name) <= rank)
        pp = &(*pp)->next;
    m->next = *pp;
    *pp = m;
}

int pb_partition_iterate(struct pb_disk *d, int (*cb)(const struct pb_partition *, void *), void *ctx)
{
    int first_err = PB_ENOENT;
    for (struct pb_partmap *m = partmaps; m; m = m->next) {
        int r = m->iterate(d, cb, ctx);
        if (r == 0)
            return 0;
        if (r != PB_ENOENT && first_err == PB_ENOENT)
            first_err = r;
    }
    if (first_err == PB_ENOENT)
        pb_error_clear();
    return first_err;
}

/* ---- devices ---- */

struct devnode {
    struct devnode *next;
    struct pb_device dev;
};
static struct devnode *devices;

struct find_part {
    const char *spec;
    bool numeric;
    int num;
    struct pb_partition found;
    bool ok;
};

static int find_part_cb(const struct pb_partition *p, void *vctx)
{
    struct find_part *f = vctx;
    if ((f->numeric && p->number + 1 == f->num) || (!f->numeric && strcmp(p->name, f->spec) == 0)) {
        f->found = *p;
        f->ok = true;
        return 1;
    }
    return 0;
}

int pb_device_open(const char *name, struct pb_device **out)
{
    char buf[160];
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '(' && name[n - 1] == ')') {
        name++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof buf)
        return pb_error(PB_EINVAL, "invalid device name `%.*s'", (int)(n > 60 ? 60 : n), name);
    memcpy(buf, name, n);
    buf[n] = '\0';
    char *comma = strchr(buf, ',');
    const char *partspec = NULL;
    if (comma) {
        *comma = '\0';
        partspec = comma + 1;
        if (!*partspec)
            partspec = NULL;
    }
    struct pb_disk *d = pb_disk_find(buf);
    if (!d)
        return pb_error(PB_ENOENT, "disk `%s' not found", buf);

    struct find_part f = { .spec = partspec };
    if (partspec) {
        if (strchr(partspec, ','))
            return pb_error(PB_ENOTSUP, "nested partitions `%s' are not supported", partspec);
        f.numeric = true;
        for (const char *c = partspec; *c; c++)
            if (!isdigit((unsigned char)*c))
                f.numeric = false;
        if (f.numeric)
            f.num = atoi(partspec);
        int r = pb_partition_iterate(d, find_part_cb, &f);
        if (r < 0 && !f.ok)
            return r == PB_ENOENT ? pb_error(PB_ENOENT, "no partition table on %s", d->name) : r;
        if (!f.ok)
            return pb_error(PB_ENOENT, "no such partition `%s,%s'", d->name, partspec);
    }
    char canon[sizeof ((struct pb_device *)0)->name];
    if (partspec)
        snprintf(canon, sizeof canon, "%s,%s", d->name, f.found.name);
    else
        snprintf(canon, sizeof canon, "%s", d->name);

    for (struct devnode *dn = devices; dn; dn = dn->next) {
        if (dn->dev.disk == d && strcmp(dn->dev.name, canon) == 0) {
            dn->dev.refs++;
            *out = &dn->dev;
            return 0;
        }
    }
    struct devnode *dn = calloc(1, sizeof *dn);
    if (!dn)
        return pb_error(PB_ENOMEM, "out of memory opening %s", canon);
    struct pb_device *dev = &dn->dev;
    snprintf(dev->name, sizeof dev->name, "%s", canon);
    dev->disk = d;
    if (partspec) {
        dev->is_partition = true;
        dev->part = f.found;
        dev->start = f.found.start;
        dev->nr_sectors = f.found.len;
        if (dev->start > d->nr_sectors || dev->nr_sectors > d->nr_sectors - dev->start) {
            free(dn);
            return pb_error(PB_EBADFS, "%s: partition extends beyond the end of the disk", canon);
        }
    } else {
        dev->start = 0;
        dev->nr_sectors = d->nr_sectors;
    }
    dev->refs = 1;
    dn->next = devices;
    devices = dn;
    *out = dev;
    return 0;
}

void pb_device_close(struct pb_device *dev)
{
    if (dev && dev->refs > 0)
        dev->refs--;
}

void pb_device_forget_disk(struct pb_disk *d)
{
    struct devnode **pp = &devices;
    while (*pp) {
        struct devnode *dn = *pp;
        if (dn->dev.disk == d) {
            *pp = dn->next;
            if (dn->dev.fs && dn->dev.fs->ops->unmount)
                dn->dev.fs->ops->unmount(dn->dev.fs);
            free(dn);
        } else {
            pp = &dn->next;
        }
    }
}

int pb_device_read(struct pb_device *dev, uint64_t offset, size_t len, void *buf)
{
    uint64_t size = dev->nr_sectors * PB_SECTOR_SIZE;
    if (offset > size || len > size - offset)
        return pb_error(PB_ERANGE, "%s: read of %zu bytes at byte %llu beyond the end (%llu bytes)",
                        dev->name, len, (unsigned long long)offset, (unsigned long long)size);
    return pb_disk_read(dev->disk, dev->start * PB_SECTOR_SIZE + offset, len, buf);
}

int pb_device_write(struct pb_device *dev, uint64_t offset, size_t len, const void *buf)
{
    uint64_t size = dev->nr_sectors * PB_SECTOR_SIZE;
    if (offset > size || len > size - offset)
        return pb_error(PB_ERANGE, "%s: write of %zu bytes at byte %llu beyond the end",
                        dev->name, len, (unsigned long long)offset);
    return pb_disk_write(dev->disk, dev->start * PB_SECTOR_SIZE + offset, len, buf);
}

struct iter_ctx {
    struct pb_disk *d;
    int (*cb)(const char *, void *);
    void *ctx;
    int ret;
};

static int iter_part_cb(const struct pb_partition *p, void *vctx)
{
    struct iter_ctx *ic = vctx;
    char name[sizeof ((struct pb_device *)0)->name];
    snprintf(name, sizeof name, "%s,%s", ic->d->name, p->name);
    ic->ret = ic->cb(name, ic->ctx);
    return ic->ret;
}

int pb_device_iterate(int (*cb)(const char *, void *), void *ctx)
{
    for (struct pb_disk *d = pb_disk_first(); d; d = pb_disk_next(d)) {
        int r = cb(d->name, ctx);
        if (r)
            return r;
        struct iter_ctx ic = { d, cb, ctx, 0 };
        pb_partition_iterate(d, iter_part_cb, &ic);
        pb_error_clear();   /* a disk without a table is not an error here */
        if (ic.ret)
            return ic.ret;
    }
    return 0;
}
