/* SPDX-License-Identifier: MIT */
/*
 * Small pieces shared by the libFuzzer targets in tests/fuzz/: the hosted
 * runtime set up once per process, an input copied into a registered
 * memory disk, and a bounded read of a whole disk.  Everything here runs
 * on fuzzer input: lengths are the input's, reads are capped, errors are
 * expected and cleared (the targets only look for crashes, hangs and
 * sanitizer reports).
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/hosted.h"

static inline void fz_no_warn(const char *msg)
{
    (void)msg;
}

/* pb_hosted_init() on the first call, nothing afterwards. */
static inline void fz_hosted_init_once(void)
{
    static int inited;
    if (!inited) {
        pb_hosted_init();
        pb_warn_sink = fz_no_warn;    /* warnings about the input are expected */
        inited = 1;
    }
}

/* Copy @size bytes at @data into a new heap buffer (one byte more, so that
 * an empty part is never malloc(0)) and register it as the memory disk
 * @name (pb_hostdisk_add_mem: 512-byte sectors, @size bytes).  Returns the
 * buffer, to be freed after pb_hostdisk_remove_all(); NULL when out of
 * memory or the disk was refused (then nothing stays allocated). */
static inline uint8_t *fz_add_mem_copy(const uint8_t *data, size_t size, const char *name)
{
    uint8_t *copy = malloc(size + 1);
    if (!copy)
        return NULL;
    memcpy(copy, data, size);
    if (!pb_hostdisk_add_mem(copy, size, name)) {
        free(copy);
        return NULL;
    }
    return copy;
}

/* Read disk @d from byte 0 in 64 KiB pieces while the offset is below
 * @cap bytes (and below the disk's end, nr_sectors * PB_SECTOR_SIZE);
 * read errors are ignored and cleared. */
static inline void fz_read_disk(struct pb_disk *d, uint64_t cap)
{
    static uint8_t buf[64 << 10];
    uint64_t bytes = d->nr_sectors * PB_SECTOR_SIZE;
    for (uint64_t off = 0; off < bytes && off < cap; off += sizeof buf)
        pb_disk_read(d, off, (size_t)(bytes - off < sizeof buf ? bytes - off : sizeof buf), buf);
    pb_error_clear();
}

/* Every registered disk whose name starts with @prefix (the volumes a
 * storage layer made from the input): read it up to @cap bytes
 * (fz_read_disk), then open it as "(NAME)" and probe it for a filesystem;
 * errors are cleared. */
static inline void fz_read_and_probe_disks(const char *prefix, uint64_t cap)
{
    size_t plen = strlen(prefix);
    for (struct pb_disk *d = pb_disk_first(); d; d = pb_disk_next(d)) {
        if (strncmp(d->name, prefix, plen) != 0)
            continue;
        fz_read_disk(d, cap);
        char name[sizeof d->name + 2];
        snprintf(name, sizeof name, "(%s)", d->name);
        struct pb_device *dev;
        if (pb_device_open(name, &dev) == 0) {
            struct pb_fs *fs;
            pb_fs_probe(dev, &fs);
            pb_device_close(dev);
        }
        pb_error_clear();
    }
}

#endif
