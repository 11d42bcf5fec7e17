/* SPDX-License-Identifier: MIT */
/*
 * ls (GRUB manual, "ls"): without arguments, the devices; for "(DEV)" the
 * device's filesystem type, label and UUID; for a directory its entries
 * (directories with a trailing '/'; -l adds sizes; -a shows dot files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/fs.h"
#include "pvboot/term.h"

static int print_dev(const char *name, void *ctx)
{
    (void)ctx;
    pb_printf("(%s) ", name);
    return 0;
}

struct lctx {
    const char *dir;
    bool longfmt, all;
    int count;
};

static int print_entry(const char *name, size_t len, enum pb_ftype type, void *ctx)
{
    struct lctx *c = ctx;
    if (!c->all && len && name[0] == '.')
        return 0;
    if (c->count++ > 100000)
        return 1;
    if (c->longfmt) {
        char path[PB_PATH_MAX];
        snprintf(path, sizeof path, "%s%s%.*s", c->dir,
                 c->dir[strlen(c->dir) - 1] == '/' ? "" : "/", (int)len, name);
        struct pb_stat st;
        if (type != PB_FT_DIR && pb_stat_path(path, &st, 1) == 0)
            pb_printf("%-12llu %.*s%s\n", (unsigned long long)st.size, (int)len, name,
                      type == PB_FT_LNK ? "@" : "");
        else
            pb_printf("%-12s %.*s%s\n", type == PB_FT_DIR ? "DIR" : "", (int)len, name,
                      type == PB_FT_DIR ? "/" : "");
        pb_error_clear();
    } else {
        pb_printf("%.*s%s ", (int)len, name, type == PB_FT_DIR ? "/" : "");
    }
    return 0;
}

static int ls_device(const char *name)
{
    struct pb_device *dev;
    int r = pb_device_open(name, &dev);
    if (r)
        return r;
    struct pb_fs *fs;
    if (dev->is_partition)
        pb_printf("Partition %s: ", dev->name);
    else
        pb_printf("Device %s: ", dev->name);
    if (pb_fs_probe(dev, &fs) == 0) {
        pb_printf("Filesystem type %s", fs->ops->name);
        if (fs->label[0])
            pb_printf(" - Label `%s'", fs->label);
        if (fs->uuid[0])
            pb_printf(" - UUID %s", fs->uuid);
    } else {
        pb_printf("No known filesystem detected");
    }
    pb_error_clear();
    pb_printf(" - %llu sectors of 512 bytes\n", (unsigned long long)dev->nr_sectors);
    pb_device_close(dev);
    return 0;
}

static int cmd_ls(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    struct lctx c = { 0 };
    int nargs = 0, r = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            for (const char *o = argv[i] + 1; *o; o++) {
                if (*o == 'l')
                    c.longfmt = true;
                else if (*o == 'a')
                    c.all = true;
                else if (*o != 'h')
                    return pb_error(PB_EINVAL, "ls: unknown option `-%c'", *o);
            }
        }
    }
    for (int i = 1; i < argc && r == 0; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1])
            continue;
        nargs++;
        size_t n = strlen(a);
        if (a[0] == '(' && a[n - 1] == ')') {
            char name[128];
            if (n - 2 >= sizeof name)
                return pb_error(PB_EINVAL, "ls: device name too long");
            memcpy(name, a + 1, n - 2);
            name[n - 2] = 0;
            r = ls_device(name);
            continue;
        }
        struct pb_stat st;
        r = pb_stat_path(a, &st, 0);
        if (r)
            break;
        if (st.type != PB_FT_DIR) {
            if (c.longfmt)
                pb_printf("%-12llu %s\n", (unsigned long long)st.size, a);
            else
                pb_printf("%s\n", a);
            continue;
        }
        c.dir = a;
        c.count = 0;
        r = pb_dir_iterate(a, print_entry, &c);
        if (!c.longfmt)
            pb_printf("\n");
    }
    if (nargs == 0 && r == 0) {
        pb_device_iterate(print_dev, NULL);
        pb_printf("\n");
    }
    return r;
}

static struct pb_command cmds[] = {
    { .name = "ls", .fn = cmd_ls, .usage = "[-l] [-a] [(DEVICE)|PATH]...",
      .summary = "List devices, a device's filesystem, or a directory." },
};

void pvboot_init_ls(void);
void pvboot_init_ls(void)
{
    pb_command_register(&cmds[0]);
}
