/* SPDX-License-Identifier: MIT */
/*
 * Shared body of the partition-map and filesystem libFuzzer targets: the
 * input becomes a memory disk; FUZZ_FS names the filesystem type to mount
 * directly (NULL: iterate partition maps and probe every device); then the
 * whole tree is listed, stat'ed and read (bounded) through the public file
 * API, as the runtime would.  Build with -DPVBOOT_FUZZ=ON (clang); see
 * run-fuzzer.sh for the seed corpora.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/fs.h"
#include "pvboot/hosted.h"
#include "fuzz_util.h"

#define FZ_MAX_DEPTH 8
#define FZ_MAX_ENTRIES 4000
#define FZ_READ_CAP (256u << 10)

struct fz_list {
    char *names[256];
    enum pb_ftype types[256];
    int n;
};

static unsigned fz_entries;

static int fz_collect(const char *name, size_t len, enum pb_ftype type, void *ctx)
{
    struct fz_list *l = ctx;
    if (l->n >= 256)
        return 1;
    l->names[l->n] = strndup(name, len);
    l->types[l->n] = type;
    l->n++;
    return 0;
}

static void fz_walk(const char *path, int depth)
{
    static char buf[64 << 10];
    struct fz_list l;
    l.n = 0;
    if (depth > FZ_MAX_DEPTH || fz_entries > FZ_MAX_ENTRIES)
        return;
    pb_dir_iterate(path, fz_collect, &l);
    pb_error_clear();
    for (int i = 0; i < l.n; i++) {
        fz_entries++;
        char *full = NULL;
        if (l.names[i] && asprintf(&full, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
                                   l.names[i]) >= 0) {
            struct pb_stat st;
            pb_stat_path(full, &st, 1);
            if (l.types[i] == PB_FT_DIR) {
                fz_walk(full, depth + 1);
            } else {
                struct pb_file *f;
                if (pb_file_open(full, &f) == 0) {
                    uint64_t total = 0;
                    int64_t n;
                    while (total < FZ_READ_CAP && (n = pb_file_read(f, buf, sizeof buf)) > 0)
                        total += (uint64_t)n;
                    pb_file_close(f);
                }
            }
            pb_error_clear();
            free(full);
        }
        free(l.names[i]);
    }
}

static int fz_dev_cb(const char *devname, void *ctx)
{
    char (*devs)[80] = ctx;
    for (int i = 0; i < 16; i++) {
        if (!devs[i][0]) {
            snprintf(devs[i], 80, "(%s)/", devname);
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_hosted_init_once();
    if (size < 512 || size > (16u << 20))
        return 0;
    uint8_t *copy = fz_add_mem_copy(data, size, "fuzz");
    if (!copy)
        return 0;
    fz_entries = 0;
    /* half the inputs (last byte odd) pass metadata checksum mismatches, so
     * mutated images still reach the parsers behind the checksums */
    pb_env_set("fs_ignore_checksums", (data[size - 1] & 1) ? "1" : "0");
    const char *want = FUZZ_FS;
    if (want) {
        struct pb_device *dev;
        if (pb_device_open("fuzz", &dev) == 0) {
            for (struct pb_fs_ops *t = pb_fs_types(); t; t = t->next) {
                if (strcmp(t->name, want))
                    continue;
                struct pb_fs *fs = NULL;
                if (t->mount(dev, &fs) == 0 && fs) {
                    fs->ops = t;
                    fs->dev = dev;
                    dev->fs = fs;            /* unmounted by pb_hostdisk_remove_all */
                    fz_walk("(fuzz)/", 0);
                }
            }
            pb_device_close(dev);
        }
    } else {
        char devs[16][80];
        memset(devs, 0, sizeof devs);
        pb_device_iterate(fz_dev_cb, devs);
        for (int i = 0; i < 16 && devs[i][0]; i++) {
            struct pb_stat st;
            pb_stat_path(devs[i], &st, 0);
            fz_walk(devs[i], 0);
        }
    }
    pb_error_clear();
    pb_hostdisk_remove_all();
    free(copy);
    return 0;
}
