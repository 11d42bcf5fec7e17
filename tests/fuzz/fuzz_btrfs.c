/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the input is a whole btrfs image (a memory disk); mount it
 * and walk it (fuzz_xfs_btrfs_walk.h).  Seeds: small images made by
 * tests/unit/test_xfs_btrfs_mkimg.sh btrfs-small.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_xfs_btrfs_walk.h"
#include "pvboot/hosted.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        pb_hosted_init();
        inited = 1;
    }
    if (size < 4096)
        return 0;
    if (!pb_hostdisk_add_mem(data, size, "fuzz"))
        return 0;
    struct pb_device *dev;
    if (pb_device_open("fuzz", &dev) == 0) {
        fsw_mount_walk(dev, "btrfs", 400);
        pb_device_close(dev);
    }
    pb_hostdisk_remove_all();
    pb_error_clear();
    return 0;
}
