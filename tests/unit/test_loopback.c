/* SPDX-License-Identifier: MIT */
/*
 * loopback: tar archives built in memory (the tar filesystem reads them)
 * holding each other, used as disks through the `loopback` command: file
 * contents through one and two levels, the zero-padded last sector, the
 * reference rule for -d, and the removal of the disk underneath (the loop
 * devices on it go too; run under ASan this checks no freed memory is used).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/hosted.h"

/* Append a ustar member NAME with @len bytes of @data to @buf at *@pos. */
static void tar_add(uint8_t *buf, size_t *pos, const char *name, const void *data, size_t len)
{
    uint8_t *h = buf + *pos;
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011lo", (unsigned long)len);
    snprintf((char *)h + 136, 12, "%011o", 0);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    *pos += 512;
    memcpy(buf + *pos, data, len);
    *pos += (len + 511) / 512 * 512;
}

static int run(const char *line)
{
    char copy[256], *words[8];
    int n = 0;
    snprintf(copy, sizeof copy, "%s", line);
    for (char *w = strtok(copy, " "); w && n < 8; w = strtok(NULL, " "))
        words[n++] = w;
    return pb_command_run(n, words);
}

static char *slurp(const char *path, size_t *len)
{
    void *b = NULL;
    if (pb_file_load(path, 1 << 20, &b, len) < 0)
        return NULL;
    return b;
}

static uint8_t inner[8192], outer[32768];

static void test_loopback(void **state)
{
    (void)state;
    size_t ip = 0, op = 0, len;
    tar_add(inner, &ip, "hello.txt", "hello from inside\n", 18);
    ip += 1024;                                   /* end-of-archive blocks */
    tar_add(outer, &op, "inner.tar", inner, ip);
    tar_add(outer, &op, "six", "hello\n", 6);
    op += 1024;
    assert_non_null(pb_hostdisk_add_mem(outer, sizeof outer, "outer"));

    assert_int_equal(run("loopback"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "device name required");
    assert_int_equal(run("loopback l1"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "filename expected");
    assert_int_equal(run("loopback l1 (outer)/missing"), PB_ENOENT);

    assert_int_equal(run("loopback l1 (outer)/inner.tar"), 0);
    struct pb_disk *l1 = pb_disk_find("l1");
    assert_non_null(l1);
    assert_int_equal(l1->nr_sectors, ip / 512);
    assert_int_equal(run("loopback l1 (outer)/six"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "device name already exists");
    char *s = slurp("(l1)/hello.txt", &len);
    assert_non_null(s);
    assert_string_equal(s, "hello from inside\n");
    free(s);

    /* a 6-byte file: one sector, zeros after the file */
    assert_int_equal(run("loopback six (outer)/six"), 0);
    uint8_t sec[512], want[512] = "hello\n";
    memset(sec, 0xaa, sizeof sec);
    struct pb_device *dev;
    assert_int_equal(pb_device_open("six", &dev), 0);
    assert_int_equal(dev->nr_sectors, 1);
    assert_int_equal(pb_device_read(dev, 0, 512, sec), 0);
    assert_memory_equal(sec, want, 512);
    pb_device_close(dev);
    assert_int_equal(run("loopback -d six"), 0);
    assert_null(pb_disk_find("six"));
    assert_int_equal(run("loopback -d six"), PB_ENOENT);
    assert_string_equal(pb_errmsg(), "device not found");

    /* l2 on l1: l1 cannot go while l2 is built on it */
    assert_int_equal(run("loopback l2 (l1)/hello.txt"), 0);
    assert_int_equal(run("loopback -d l1"), PB_EBUSY);
    assert_string_equal(pb_errmsg(), "device still referenced");
    assert_int_equal(pb_device_open("l2", &dev), 0);
    assert_int_equal(pb_device_read(dev, 0, 18, sec), 0);
    assert_memory_equal(sec, "hello from inside\n", 18);
    pb_device_close(dev);

    /* the disk underneath goes: both loop devices go with it */
    pb_hostdisk_remove_all();
    pb_error_clear();
    assert_null(pb_disk_find("l1"));
    assert_null(pb_disk_find("l2"));
    /* the names are free again */
    assert_non_null(pb_hostdisk_add_mem(outer, sizeof outer, "outer"));
    assert_int_equal(run("loopback l1 (outer)/inner.tar"), 0);
    assert_int_equal(run("loopback --delete l1"), 0);
    pb_hostdisk_remove_all();
}

int main(void)
{
    pb_hosted_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
