/* SPDX-License-Identifier: MIT */
/*
 * testspeed [-s SIZE] [-l LENGTH] FILE|DISK - read sequentially and print
 * the size, the time and the throughput, as GRUB's testspeed does
 * ("File size:", "Elapsed time:", "Speed:").  FILE is any GRUB path,
 * including a raw device "(xen/xvda)"; DISK is a disk name or alias
 * ("xen/xvda", "hd0") read through pb_disk_read.  -l (pvboot extension)
 * stops after LENGTH bytes.  Sizes take K, M, G suffixes (powers of 1024).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/term.h"
#include "pvboot/time.h"

#define TS_DEFAULT_BLOCK (1u << 20)
#define TS_MAX_BLOCK (64u << 20)

/** Parse "123", "64K", "1M", "2G" into bytes; false on junk or overflow. */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end = NULL;
    if (!s || !*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return false;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: return false;
    }
    if (*end == 'i' && end[1] == 'B')
        end += 2;
    else if (*end == 'B')
        end++;
    if (*end || v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

/* "12.345" style: @num / @den with 3 decimals (integers only). */
static void print_ratio(const char *prefix, uint64_t num, uint64_t den, const char *suffix)
{
    if (den == 0)
        den = 1;
    uint64_t whole = num / den;
    uint64_t frac = (num % den) * 1000 / den;       /* den < 2^40: no overflow */
    pb_printf("%s%" PRIu64 ".%03" PRIu64 "%s", prefix, whole, frac, suffix);
}

static int cmd_testspeed(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    uint64_t block = TS_DEFAULT_BLOCK, limit = UINT64_MAX;
    const char *target = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char opt = 0;
        if (!strcmp(a, "-s") || !strcmp(a, "-l")) {
            opt = a[1];
            if (i + 1 >= argc)
                return pb_error(PB_EINVAL, "testspeed: %s needs a size", a);
            val = argv[++i];
        } else if (!strncmp(a, "--size=", 7)) {
            opt = 's';
            val = a + 7;
        } else if (!strncmp(a, "--length=", 9)) {
            opt = 'l';
            val = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return pb_error(PB_EINVAL, "testspeed: unknown option %s", a);
        } else if (!target) {
            target = a;
            continue;
        } else {
            return pb_error(PB_EINVAL, "testspeed: more than one FILE");
        }
        uint64_t v;
        if (!parse_size(val, &v) || v == 0)
            return pb_error(PB_EINVAL, "testspeed: invalid size '%s'", val);
        if (opt == 's') {
            if (v > TS_MAX_BLOCK)
                return pb_error(PB_EINVAL, "testspeed: block size %s above 64M", val);
            block = v;
        } else {
            limit = v;
        }
    }
    if (!target)
        return pb_error(PB_EINVAL, "testspeed: filename expected");

    struct pb_disk *disk = NULL;
    struct pb_file *file = NULL;
    uint64_t total;
    if (target[0] != '(' && target[0] != '/' && (disk = pb_disk_find(target)) != NULL) {
        total = disk->nr_sectors << PB_SECTOR_SHIFT;
    } else {
        int rc = pb_file_open(target, &file);
        if (rc < 0)
            return rc;
        total = file->size;
    }
    if (total > limit)
        total = limit;
    uint8_t *buf = aligned_alloc(4096, (size_t)((block + 4095) & ~4095ull));
    if (!buf) {
        if (file)
            pb_file_close(file);
        return pb_error(PB_ENOMEM, "testspeed: no memory for a %" PRIu64 "-byte buffer", block);
    }
    uint64_t done = 0, t0 = pb_time_ns();
    int rc = 0;
    while (done < total) {
        size_t n = (size_t)(total - done < block ? total - done : block);
        if (disk) {
            rc = pb_disk_read(disk, done, n, buf);
        } else {
            int64_t got = pb_file_read(file, buf, n);
            if (got < 0)
                rc = (int)got;
            else if (got == 0)
                break;
            else
                n = (size_t)got;
        }
        if (rc < 0)
            break;
        done += n;
    }
    uint64_t ns = pb_time_ns() - t0;
    free(buf);
    if (file)
        pb_file_close(file);
    if (rc < 0)
        return rc;
    /* sizes in MiB with 3 decimals; speed = bytes/s in MiB */
    print_ratio("File size: ", done, 1u << 20, " MiB\n");
    print_ratio("Elapsed time: ", ns, 1000000000ull, " s\n");
    uint64_t us = ns / 1000 ? ns / 1000 : 1;
    uint64_t kibps = (done >> 10) * 1000000ull / us;    /* < 2^44 KiB read: no overflow */
    print_ratio("Speed: ", kibps, 1024, " MiB/s\n");
    pb_printf("testspeed: %s bytes=%" PRIu64 " ns=%" PRIu64 " block=%" PRIu64 "\n",
              target, done, ns, block);
    return 0;
}

static struct pb_command testspeed_cmd = {
    .name = "testspeed",
    .fn = cmd_testspeed,
    .usage = "[-s SIZE] [-l LENGTH] FILE|DISK",
    .summary = "Read FILE or DISK sequentially and print the throughput.",
};

/** pvboot_init_testspeed() - register the testspeed command. */
void pvboot_init_testspeed(void)
{
    pb_command_register(&testspeed_cmd);
}
