/* SPDX-License-Identifier: MIT */
/*
 * probe (GRUB 2.06's command, man/pvboot.7): one fact about a device,
 * printed without a newline or stored with --set.  Options, precedence
 * (driver, partmap, fs, fs-uuid, label, part-uuid) and messages as
 * measured with grub-emu.  The filesystem UUID and label are the strings
 * each filesystem driver formats for `search --fs-uuid`/`--label`.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/term.h"

#define GRUB_STATUS_BAD_ARGUMENT 18
#define GRUB_STATUS_UNKNOWN_FS 8
#define GRUB_STATUS_UNKNOWN_DEVICE 12
#define GRUB_STATUS_NOT_IMPLEMENTED 24

enum { P_DRIVER, P_PARTMAP, P_FS, P_UUID, P_LABEL, P_PARTUUID, P_N };

/* GRUB's disk driver names: Xen PV disks "xen", LVM and md RAID volumes
 * "diskfilter", memdisk "memdisk" */
static const char *driver_name(const struct pb_disk *d)
{
    if (!strncmp(d->name, "lvm/", 4) || !strncmp(d->name, "md/", 3) || !strncmp(d->alias, "mduuid/", 7) ||
        !strncmp(d->alias, "lvmid/", 6))
        return "diskfilter";
    if (!strncmp(d->name, "memdisk", 7))
        return "memdisk";
    return "xen";
}

static int status_error(int status, const char *msg)
{
    pb_error(PB_EINVAL, "%s", msg);
    return status;
}

static int cmd_probe(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    bool want[P_N] = { false };
    const char *var = NULL, *devarg = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-d") || !strcmp(a, "--driver"))
            want[P_DRIVER] = true;
        else if (!strcmp(a, "-p") || !strcmp(a, "--partmap"))
            want[P_PARTMAP] = true;
        else if (!strcmp(a, "-f") || !strcmp(a, "--fs"))
            want[P_FS] = true;
        else if (!strcmp(a, "-u") || !strcmp(a, "--fs-uuid"))
            want[P_UUID] = true;
        else if (!strcmp(a, "-l") || !strcmp(a, "--label"))
            want[P_LABEL] = true;
        else if (!strcmp(a, "--part-uuid"))
            want[P_PARTUUID] = true;
        else if (!strncmp(a, "--set=", 6))
            var = a + 6;
        else if (!strcmp(a, "-s") || !strcmp(a, "--set")) {
            if (i + 1 >= argc || argv[i + 1][0] == '-')
                return status_error(GRUB_STATUS_BAD_ARGUMENT, "missing mandatory option for `set'");
            var = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            pb_error(PB_EINVAL, "unknown argument `%s'", a);
            return GRUB_STATUS_BAD_ARGUMENT;
        } else if (!devarg) {
            devarg = a;
        }
    }
    if (!devarg)
        return status_error(GRUB_STATUS_BAD_ARGUMENT, "device name required");
    /* "(hd0,msdos1)" or "hd0,msdos1" */
    char name[160];
    size_t n = strlen(devarg);
    if (devarg[0] == '(' && n >= 2 && devarg[n - 1] == ')')
        snprintf(name, sizeof name, "%.*s", (int)(n - 2), devarg + 1);
    else
        snprintf(name, sizeof name, "%s", devarg);
    struct pb_device *dev;
    if (pb_device_open(name, &dev)) {
        pb_error(PB_ENOENT, "disk `%s' not found", name);
        return GRUB_STATUS_UNKNOWN_DEVICE;
    }
    char buf[300];
    const char *val = NULL;
    int st = 0;
    if (want[P_DRIVER]) {
        val = driver_name(dev->disk);
    } else if (want[P_PARTMAP]) {
        val = dev->is_partition ? dev->part.map : "none";
    } else if (want[P_FS] || want[P_UUID] || want[P_LABEL]) {
        struct pb_fs *fs;
        if (pb_fs_probe(dev, &fs)) {
            st = status_error(GRUB_STATUS_UNKNOWN_FS, "unknown filesystem");
        } else if (want[P_FS]) {
            val = fs->ops->name;
        } else if (want[P_UUID]) {
            if (!fs->uuid[0]) {
                snprintf(buf, sizeof buf, "%s does not support UUIDs", fs->ops->name);
                st = status_error(GRUB_STATUS_NOT_IMPLEMENTED, buf);
            } else {
                val = fs->uuid;
            }
        } else if (fs->ops->no_label) {
            snprintf(buf, sizeof buf, "filesystem `%s' does not support labels", fs->ops->name);
            st = status_error(GRUB_STATUS_NOT_IMPLEMENTED, buf);
        } else {
            val = fs->label;
        }
    } else if (want[P_PARTUUID]) {
        const struct pb_partition *p = &dev->part;
        if (dev->is_partition && p->map && !strcmp(p->map, "msdos")) {
            /* disk signature and the partition's 1-based number */
            snprintf(buf, sizeof buf, "%08x-%02x", (unsigned)p->mbr_disk_id, (unsigned)(p->number + 1));
            val = buf;
        } else if (dev->is_partition && p->map && !strcmp(p->map, "gpt")) {
            const uint8_t *g = p->part_guid;   /* mixed-endian, as on disk */
            snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                     g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
                     g[13], g[14], g[15]);
            val = buf;
        } else {
            val = "none";
        }
    } else {
        st = status_error(GRUB_STATUS_BAD_ARGUMENT, "unrecognised target");
    }
    if (val) {
        if (var)
            st = pb_env_set(var, val);
        else
            pb_printf("%s", val);   /* GRUB prints no newline */
    }
    pb_device_close(dev);
    return st;
}

static struct pb_command probe_cmd = {
    .name = "probe",
    .fn = cmd_probe,
    .usage = "[--set VAR] [--driver|-d|--partmap|-p|--fs|-f|--fs-uuid|-u|--label|-l|--part-uuid] DEVICE",
    .summary = "Retrieve device info.",
};

void pb_probe_register(void);
void pb_probe_register(void)
{
    pb_command_register(&probe_cmd);
}
