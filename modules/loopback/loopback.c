/* SPDX-License-Identifier: MIT */
/*
 * loopback (GRUB manual, "loopback"): `loopback NAME FILE` makes FILE, on
 * any filesystem, the read-only disk NAME, so its partition maps and
 * filesystems can be used as (NAME), (NAME,msdos1), ...; `loopback -d NAME`
 * deletes it.  Behaviour and messages follow GRUB 2.06 (measured with
 * grub-emu, see man/pvboot-disks.7):
 *  - no NAME: "device name required"; NAME without FILE: "filename expected";
 *  - a NAME already in use: "device name already exists";
 *  - deleting an unknown NAME: "device not found"; deleting a device whose
 *    disk backs another loop device: "device still referenced";
 *  - the disk's size is the file's size rounded up to 512-byte sectors, the
 *    tail of the last sector reads as zeros.
 * A loop device may sit on a file inside another loop device; the depth is
 * bounded (LOOP_MAX_DEPTH) because every read goes down the whole stack.
 * A cycle cannot form: FILE must exist when NAME is created, and a device
 * is not deleted while another one is built on it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"

#define LOOP_MAX_DEPTH 8          /* loop devices stacked on loop devices */
#define LOOP_ORDER_BASE (1ull << 62)  /* after the vbds, newest first (as GRUB lists them) */

struct loopdev {
    struct pb_disk disk;
    struct pb_file *file;
    struct pb_disk *lower;        /* the disk holding the file */
    int depth;                    /* 1 = on a real disk */
    struct loopdev *next;
};

static struct loopdev *loops;
static uint64_t loop_seq;

static struct loopdev *loop_of(const struct pb_disk *d)
{
    for (struct loopdev *l = loops; l; l = l->next)
        if (&l->disk == d)
            return l;
    return NULL;
}

static int loop_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    struct loopdev *l = d->priv;
    if (sector > d->nr_sectors || count > d->nr_sectors - sector)
        return pb_error(PB_ERANGE, "%s: read of sectors %llu+%llu past the end (%llu sectors)",
                        d->name, (unsigned long long)sector, (unsigned long long)count,
                        (unsigned long long)d->nr_sectors);
    uint64_t off = sector << PB_SECTOR_SHIFT;
    size_t len = (size_t)(count << PB_SECTOR_SHIFT);
    int64_t n = pb_file_pread(l->file, off, buf, len);
    if (n < 0)
        return (int)n;
    if ((size_t)n < len)
        memset((uint8_t *)buf + n, 0, len - (size_t)n);   /* past the file's end */
    return 0;
}

static const struct pb_disk_ops loop_ops = { .read = loop_read };

static void loop_free(struct loopdev *l)
{
    pb_file_close(l->file);
    free(l);
}

static void loop_unlink(struct loopdev *l)
{
    for (struct loopdev **pp = &loops; *pp; pp = &(*pp)->next)
        if (*pp == l) {
            *pp = l->next;
            return;
        }
}

/* Scanner hook: @d was unregistered; loop devices on it go too (which in
 * turn removes those stacked on them).  @d's filesystems are still mounted
 * here (include/pvboot/disk.h), so the files are closed normally. */
static void loop_forget(struct pb_disk *d)
{
    struct loopdev *l = loops;
    while (l) {
        if (l->lower == d) {
            loop_unlink(l);
            l->lower = NULL;
            pb_disk_unregister(&l->disk);
            loop_free(l);
            l = loops;            /* the list may have changed underneath */
        } else {
            l = l->next;
        }
    }
}

static void loop_scan(void)
{
}

static struct pb_disk_scanner loop_scanner = {
    .name = "loopback", .scan = loop_scan, .forget = loop_forget,
};

static int loop_delete(const char *name)
{
    struct loopdev *l = loops;
    while (l && strcmp(l->disk.name, name))
        l = l->next;
    if (!l)
        return pb_error(PB_ENOENT, "device not found");
    for (struct loopdev *o = loops; o; o = o->next)
        if (o->lower == &l->disk)
            return pb_error(PB_EBUSY, "device still referenced");
    loop_unlink(l);
    pb_disk_unregister(&l->disk);
    loop_free(l);
    return 0;
}

static int loop_create(const char *name, const char *path)
{
    size_t nl = strlen(name);
    if (nl == 0 || nl >= sizeof ((struct pb_disk *)0)->name || strpbrk(name, ",()/ "))
        return pb_error(PB_EINVAL, "loopback: invalid device name `%s'", name);
    struct pb_file *f;
    int r = pb_file_open(path, &f);
    if (r < 0)
        return r;
    if (pb_disk_find(name)) {
        pb_file_close(f);
        return pb_error(PB_EINVAL, "device name already exists");
    }
    struct loopdev *under = loop_of(f->dev->disk);
    int depth = under ? under->depth + 1 : 1;
    if (depth > LOOP_MAX_DEPTH) {
        pb_file_close(f);
        return pb_error(PB_ELOOP, "loopback: %s: loop devices nested more than %d deep", path,
                        LOOP_MAX_DEPTH);
    }
    struct loopdev *l = calloc(1, sizeof *l);
    if (!l) {
        pb_file_close(f);
        return pb_error(PB_ENOMEM, "loopback: out of memory");
    }
    snprintf(l->disk.name, sizeof l->disk.name, "%s", name);
    l->disk.nr_sectors = (f->size + PB_SECTOR_SIZE - 1) >> PB_SECTOR_SHIFT;
    l->disk.sector_size = PB_SECTOR_SIZE;
    l->disk.flags = PB_DISK_F_READONLY;
    l->disk.order = LOOP_ORDER_BASE - ++loop_seq;
    l->disk.ops = &loop_ops;
    l->disk.priv = l;
    l->file = f;
    l->lower = f->dev->disk;
    l->depth = depth;
    r = pb_disk_register(&l->disk);
    if (r < 0) {
        loop_free(l);
        return r;
    }
    l->next = loops;
    loops = l;
    return 0;
}

static int cmd_loopback(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    int del = 0;
    const char *args[2];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--delete"))
            del = 1;
        else if (argv[i][0] == '-' && argv[i][1] && n == 0)
            return pb_error(PB_EINVAL, "unknown argument `%s'", argv[i]);
        else if (n < 2)
            args[n++] = argv[i];
        else
            return pb_error(PB_EINVAL, "loopback: too many arguments");
    }
    if (n < 1)
        return pb_error(PB_EINVAL, "device name required");
    if (del)
        return loop_delete(args[0]);
    if (n < 2)
        return pb_error(PB_EINVAL, "filename expected");
    return loop_create(args[0], args[1]);
}

static struct pb_command loop_cmd = {
    .name = "loopback",
    .fn = cmd_loopback,
    .usage = "[-d] DEVICENAME FILE",
    .summary = "Make a virtual drive from a file.",
};

void pvboot_init_loopback(void);
/** pvboot_init_loopback() - register the loopback command and its disk hook. */
void pvboot_init_loopback(void)
{
    pb_command_register(&loop_cmd);
    pb_disk_scanner_register(&loop_scanner);
}
