/* SPDX-License-Identifier: MIT */
/*
 * An ext4 disk made at test time for the hosted-build command tests
 * (test_linux_cmd.c, test_linux_pvh_cmd.c): a temporary directory whose
 * root/ tree the caller fills by shell commands, packed by `mke2fs -d` into
 * a 64 MiB image that becomes (hd0) and $root.  Include after <cmocka.h>.
 */
#ifndef TEST_HOSTDISK_UTIL_H
#define TEST_HOSTDISK_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/env.h"
#include "pvboot/hosted.h"

/* The test's temporary directory (holds root/ and fs.img). */
static char tu_disk_dir[64];

/* Make tu_disk_dir from mkdtemp(3) template @tmpl, run @populate (shell
 * commands run in that directory after `mkdir -p root/boot`, which put the
 * files into root/), make fs.img from root/ and attach it as (hd0) with
 * 512-byte sectors, read-write, $root=hd0.  Returns 0, or -1 when any step
 * fails (a cmocka group setup's convention). */
static __attribute__((unused)) int tu_ext4_disk_setup(const char *tmpl, const char *populate)
{
    snprintf(tu_disk_dir, sizeof(tu_disk_dir), "%s", tmpl);
    if (!mkdtemp(tu_disk_dir))
        return -1;
    char cmd[1024], img[96];
    if ((size_t)snprintf(cmd, sizeof(cmd),
                         "set -e; cd %s; mkdir -p root/boot; %s;"
                         " truncate -s 64M fs.img; mke2fs -q -t ext4 -d root fs.img",
                         tu_disk_dir, populate) >= sizeof(cmd) ||
        system(cmd) != 0)
        return -1;
    snprintf(img, sizeof(img), "%s/fs.img", tu_disk_dir);
    pb_hosted_init();
    if (!pb_hostdisk_add(img, "hd0", 512, false))
        return -1;
    pb_env_set("root", "hd0");
    return 0;
}

/* Remove tu_disk_dir and everything in it; 0 or -1 (cmocka teardown). */
static __attribute__((unused)) int tu_ext4_disk_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tu_disk_dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
