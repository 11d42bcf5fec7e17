/* SPDX-License-Identifier: MIT */
/*
 * disktest: test-only runtime module for tests/e2e/disks*.sh (never in the
 * default image; built by tests/e2e/disks-lib.sh).  Its main program drives
 * blkfront/testspeed directly and prints DISKTEST-* lines the scripts check.
 *
 * Test disks carry a header in every 512-byte sector (disks-lib.sh mkpattern):
 * the 24 bytes "PVB:<disk 2 digits>:<sector 16 digits>:" — so any read can be
 * checked against its sector number and the disk it came from.
 *
 * Options come from the Xen command line (extra=), space separated:
 *   speed=MIB          testspeed -l MIB M on xen/xvda, then verify that range
 *   speeddisks=D1,D2   run the speed test on these disks instead
 *   errsector=DISK:S   read 512-byte sector S of DISK (expects an error)
 *   write=DISK         write 8 sectors 64 before DISK's end, read them back from the backend
 *   blocks=S1,S2       also run testspeed -s S1, -s S2... (with speed=)
 *   segs=N             cap blkfront's segments per request (experiments)
 *   segsalt=N          cap it at N on every other speed run (A/B)
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/kernel.h"
#include "pvboot/term.h"
#include "pvboot/time.h"
#include "pvboot/xen/platform.h"

#define HDR_LEN 24

static const char *opt(const char *name, char *buf, size_t len)
{
    const char *cl = pb_xen_cmdline();
    size_t nl = strlen(name);
    if (!cl)
        return NULL;
    for (const char *p = cl; *p;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - p) > nl && !strncmp(p, name, nl) && p[nl] == '=') {
            size_t n = (size_t)(e - p) - nl - 1;
            if (n >= len)
                n = len - 1;
            memcpy(buf, p + nl + 1, n);
            buf[n] = '\0';
            return buf;
        }
        p = e;
    }
    return NULL;
}

/* Disk number from sector 0's header, -1 if none. */
static int disk_tag(const uint8_t *sec)
{
    if (memcmp(sec, "PVB:", 4) || sec[6] != ':')
        return -1;
    return (sec[4] - '0') * 10 + (sec[5] - '0');
}

static bool header_ok(const uint8_t *sec, int tag, uint64_t s)
{
    char want[HDR_LEN + 1];
    snprintf(want, sizeof(want), "PVB:%02d:%016" PRIu64 ":", tag, s);
    return memcmp(sec, want, HDR_LEN) == 0;
}

static void check_pattern(struct pb_disk *d)
{
    uint8_t *buf = aligned_alloc(4096, 65536);
    if (!buf)
        return;
    if (pb_disk_read(d, 0, 512, buf) < 0) {
        pb_printf("DISKTEST-PATTERN %s read-error %s\n", d->name, pb_errmsg());
        pb_error_clear();
        free(buf);
        return;
    }
    int tag = disk_tag(buf);
    if (tag < 0) {
        pb_printf("DISKTEST-PATTERN %s nosig\n", d->name);
        free(buf);
        return;
    }
    uint64_t n = d->nr_sectors;
    /* scattered sectors: fixed edges + a multiplicative walk over the disk */
    uint64_t list[48];
    unsigned cnt = 0;
    const uint64_t fixed[] = { 0, 1, 7, 8, 9, 63, 64, 4095, 4096, 4097, 65535, 65536, 131071 };
    for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (fixed[i] < n)
            list[cnt++] = fixed[i];
    uint64_t x = 12345;
    while (cnt < 47) {
        x = (x * 6364136223846793005ull + 1442695040888963407ull);
        list[cnt++] = (x >> 11) % n;
    }
    list[cnt++] = n - 1;
    unsigned bad = 0, checked = 0;
    for (unsigned i = 0; i < cnt; i++) {
        /* single sector through the cache, then 7 sectors from an odd
         * buffer address straight from the driver */
        if (pb_disk_read(d, list[i] * 512, 512, buf) < 0) {
            pb_printf("DISKTEST-BAD %s sector %" PRIu64 ": %s\n", d->name, list[i], pb_errmsg());
            pb_error_clear();
            bad++;
            continue;
        }
        checked++;
        if (!header_ok(buf, tag, list[i])) {
            pb_printf("DISKTEST-BAD %s sector %" PRIu64 ": got '%.24s'\n", d->name, list[i], buf);
            bad++;
        }
        uint64_t ss = d->sector_size / 512;
        uint64_t s0 = list[i] - list[i] % ss, cntsec = 8 * ss;
        if (s0 + cntsec > n)
            continue;
        if (d->ops->read(d, s0, cntsec, buf + 3) < 0) {
            pb_printf("DISKTEST-BAD %s raw read at %" PRIu64 ": %s\n", d->name, s0, pb_errmsg());
            pb_error_clear();
            bad++;
            continue;
        }
        for (uint64_t k = 0; k < cntsec; k++) {
            checked++;
            if (!header_ok(buf + 3 + k * 512, tag, s0 + k)) {
                pb_printf("DISKTEST-BAD %s raw sector %" PRIu64 "\n", d->name, s0 + k);
                bad++;
            }
        }
    }
    pb_printf("DISKTEST-PATTERN %s disk=%02d checked=%u bad=%u\n", d->name, tag, checked, bad);
    free(buf);
}

extern unsigned bf_seg_limit;
extern bool bf_ra_disable;

static void speed_one(const char *mib, const char *disk);

static void speed(const char *mib)
{
    char v[64];
    if (!opt("speeddisks", v, sizeof(v))) {
        speed_one(mib, "xen/xvda");
        return;
    }
    for (char *p = v, *e; *p; p = e) {
        e = strchr(p, ',');
        if (e)
            *e++ = '\0';
        else
            e = p + strlen(p);
        speed_one(mib, p);
    }
}

static void speed_one(const char *mib, const char *disk)
{
    char len[32], v[64];
    static unsigned round;
    snprintf(len, sizeof(len), "%sM", mib);
    if (opt("segs", v, sizeof(v)))
        bf_seg_limit = (unsigned)strtoul(v, NULL, 10);
    if (opt("segsalt", v, sizeof(v)))     /* A/B: every other run capped */
        bf_seg_limit = (round++ & 1) ? (unsigned)strtoul(v, NULL, 10) : 0;
    static unsigned ra_round;
    if (opt("raalt", v, sizeof(v)))       /* A/B: read-ahead off every other run */
        bf_ra_disable = (ra_round++ & 1) != 0;
    pb_printf("DISKTEST-SPEED %s seg_limit=%u readahead=%d length=%s\n", disk, bf_seg_limit,
              !bf_ra_disable, len);
    if (opt("blocks", v, sizeof(v))) {
        for (char *p = v, *e; *p; p = e) {
            e = strchr(p, ',');
            if (e)
                *e++ = '\0';
            else
                e = p + strlen(p);
            char *a[] = { "testspeed", "-s", p, "-l", len, (char *)disk, NULL };
            pb_command_run(6, a);
        }
    }
    char *argv[] = { "testspeed", "-l", len, (char *)disk, NULL };
    int rc = pb_command_run(4, argv);
    if (opt("speedstats", v, sizeof(v))) {   /* cumulative driver stats after each run */
        char *ls[] = { "lsvbd", NULL };
        pb_command_run(1, ls);
    }
    if (rc < 0) {
        pb_printf("DISKTEST-SPEED error: %s\n", pb_errmsg());
        pb_error_clear();
        return;
    }
    /* verify the same range in 4 MiB reads straight from the driver */
    struct pb_disk *d = pb_disk_find(disk);
    uint64_t total = strtoull(mib, NULL, 10) << 20, bad = 0;
    if (!d || total > (d->nr_sectors << 9))
        return;
    size_t chunk = 4u << 20;
    uint8_t *buf = aligned_alloc(4096, chunk);
    if (!buf)
        return;
    int tag = -1;
    uint64_t t0 = pb_time_ns();
    for (uint64_t off = 0; off < total; off += chunk) {
        if (d->ops->read(d, off >> 9, chunk >> 9, buf) < 0) {
            pb_printf("DISKTEST-VERIFY error: %s\n", pb_errmsg());
            pb_error_clear();
            free(buf);
            return;
        }
        if (tag < 0)
            tag = disk_tag(buf);
        if (tag < 0) {
            pb_printf("DISKTEST-VERIFY %s skipped (no pattern on the disk)\n", disk);
            free(buf);
            return;
        }
        for (size_t k = 0; k < chunk / 512; k++)
            if (!header_ok(buf + k * 512, tag, (off >> 9) + k))
                bad++;
    }
    uint64_t ns = pb_time_ns() - t0;
    pb_printf("DISKTEST-VERIFY %s bytes=%" PRIu64 " bad_sectors=%" PRIu64 " ms=%" PRIu64 "\n",
              disk, total, bad, ns / 1000000);
    free(buf);
}

static void errsector(const char *spec)
{
    char name[40];
    const char *colon = strchr(spec, ':');
    if (!colon || (size_t)(colon - spec) >= sizeof(name))
        return;
    memcpy(name, spec, (size_t)(colon - spec));
    name[colon - spec] = '\0';
    uint64_t s = strtoull(colon + 1, NULL, 10);
    struct pb_disk *d = pb_disk_find(name);
    if (!d) {
        pb_printf("DISKTEST-ERRSECTOR %s: no such disk\n", name);
        return;
    }
    uint8_t *buf = aligned_alloc(4096, 65536);
    int rc = pb_disk_read(d, s * 512, 512, buf);
    pb_printf("DISKTEST-ERRSECTOR %s %" PRIu64 " rc=%d msg=%s\n", name, s, rc, rc < 0 ? pb_errmsg() : "");
    pb_error_clear();
    /* the disk keeps working away from the bad sector */
    rc = pb_disk_read(d, 0, 4096, buf);
    pb_printf("DISKTEST-AFTER-ERROR %s rc=%d sig=%.7s\n", name, rc, rc == 0 ? (char *)buf : "");
    pb_error_clear();
    free(buf);
}

static void write_test(const char *name)
{
    struct pb_disk *d = pb_disk_find(name);
    if (!d)
        return;
    uint8_t *w = aligned_alloc(4096, 8192), *r = aligned_alloc(4096, 8192);
    for (unsigned i = 0; i < 4096; i++)
        w[i] = (uint8_t)(i * 7 + 1);
    uint64_t s = d->nr_sectors - 64;              /* outside the speed test's range */
    int rc = pb_disk_write(d, s * 512, 4096, w);
    int rc2 = d->ops->read(d, s, 8, r + 1);       /* from the backend, odd buffer */
    pb_printf("DISKTEST-WRITE %s rc=%d readback_rc=%d same=%d\n", name, rc, rc2,
              rc == 0 && rc2 == 0 && memcmp(w, r + 1, 4096) == 0);
    pb_error_clear();
    free(w);
    free(r);
}

static void report_vbds(const char *when)
{
    char **names = NULL;
    unsigned n = 0;
    if (pb_xs_directory(0, "device/vbd", &names, &n) < 0) {
        pb_error_clear();
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        char path[96], *be = NULL;
        uint64_t fe_st = 99, be_st = 99;
        snprintf(path, sizeof(path), "device/vbd/%.20s/state", names[i]);
        pb_xs_read_u64(0, path, &fe_st);
        snprintf(path, sizeof(path), "device/vbd/%.20s/backend", names[i]);
        if (pb_xs_read(0, path, &be) == 0) {
            char bpath[200];
            snprintf(bpath, sizeof(bpath), "%s/state", be);
            pb_xs_read_u64(0, bpath, &be_st);
        }
        free(be);
        pb_error_clear();
        pb_printf("DISKTEST-VBD %s %s frontend=%" PRIu64 " backend=%" PRIu64 "\n", when,
                  names[i], fe_st, be_st);
    }
    free(names);
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void copy_words(uint64_t *d, const uint64_t *src, size_t n)
{
    for (size_t i = 0; i < n; i += 4) {
        uint64_t a = src[i], b = src[i + 1], c = src[i + 2], e = src[i + 3];
        d[i] = a; d[i + 1] = b; d[i + 2] = c; d[i + 3] = e;
    }
}

/* memcpy throughput in the guest: libc memcpy vs a plain word loop. */
static void copybench(void)
{
    size_t len = 16u << 20;
    uint8_t *a = aligned_alloc(4096, len), *b = aligned_alloc(4096, len);
    if (!a || !b)
        return;
    memset(a, 1, len);
    uint64_t t0 = pb_time_ns();
    memcpy(b, a, len);
    uint64_t t1 = pb_time_ns();
    copy_words((uint64_t *)b, (const uint64_t *)a, len / 8);
    uint64_t t2 = pb_time_ns();
    pb_printf("DISKTEST-COPY bytes=%zu memcpy_ms=%" PRIu64 " wordloop_ms=%" PRIu64 "\n", len,
              (t1 - t0) / 1000000, (t2 - t1) / 1000000);
    free(a);
    free(b);
}

static void disktest_main(void)
{
    char v[64];
    pb_printf("DISKTEST-BEGIN\n");
    for (struct pb_disk *d = pb_disk_first(); d; d = pb_disk_next(d))
        pb_printf("DISKTEST-DISK %s alias=%s sectors=%" PRIu64 " sector_size=%u mib=%" PRIu64 "\n",
                  d->name, d->alias[0] ? d->alias : "-", d->nr_sectors, d->sector_size,
                  d->nr_sectors >> 11);
    report_vbds("connected");
    char line[256];
    size_t used = 0;
    for (unsigned i = 0; i < 6 && used < sizeof(line); i++) {
        char a[8];
        snprintf(a, sizeof(a), "hd%u", i);
        struct pb_disk *d = pb_disk_find(a);
        used += (size_t)snprintf(line + used, sizeof(line) - used, " %s=%s", a, d ? d->name : "-");
    }
    pb_printf("DISKTEST-ALIASES%s\n", line);
    for (struct pb_disk *d = pb_disk_first(); d; d = pb_disk_next(d))
        check_pattern(d);
    if (opt("errsector", v, sizeof(v)))
        errsector(v);
    if (opt("write", v, sizeof(v)))
        write_test(v);
    if (opt("copybench", v, sizeof(v)))
        copybench();
    if (opt("speed", v, sizeof(v)))
        speed(v);
    char *lsvbd[] = { "lsvbd", NULL };
    pb_command_run(1, lsvbd);
    uint64_t t0 = pb_time_ns();
    pb_disk_close_all();
    pb_printf("DISKTEST-CLOSE ms=%" PRIu64 " active_grants=%u\n", (pb_time_ns() - t0) / 1000000,
              pb_gnttab_active());
    report_vbds("closed");
    pb_printf("DISKTEST-END\n");
}

/** pvboot_init_disktest() - run the disk checks as the main program. */
void pvboot_init_disktest(void)
{
    pb_main_register(disktest_main);
}
