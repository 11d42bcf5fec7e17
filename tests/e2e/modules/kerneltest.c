/* SPDX-License-Identifier: MIT */
/*
 * kerneltest: an e2e test module for the kernel's Xen platform (linked into
 * a test image by tests/e2e/kernel_platform.sh).  Registers a main program
 * that exercises the heap (hundreds of MiB in one piece), the page
 * allocator, time/sleep, event channels (loopback interdomain pair, poll
 * with timeout), grant table v1, the xenstore client (read/write/directory/
 * rm/transactions/watches/wait_state), the Xen command line, the kernel's
 * commands and the hand-over quiesce; prints one "KTEST ok|FAIL name" line
 * per check and "KTEST-END pass=N fail=M".  With "ktest_fault" on the Xen
 * command line it dereferences NULL instead, to test the fault path; with
 * "ktest_smash" it overflows a stack buffer (stack protector -> panic).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/cmdline.h"
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/kernel.h"
#include "pvboot/term.h"
#include "pvboot/time.h"
#include "pvboot/xen/platform.h"
#include <xen/sched.h>

static int npass, nfail;

static void check(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void check(int ok, const char *name, const char *fmt, ...)
{
    char detail[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    pb_printf("KTEST %s %s: %s\n", ok ? "ok" : "FAIL", name, detail);
    if (ok)
        npass++;
    else
        nfail++;
}

static void test_memory(void)
{
    size_t free0, total;
    pb_mem_stats(&free0, &total);
    check(total == pb_nr_pages, "mem-total", "total %zu pages, nr_pages %lu", total, pb_nr_pages);

    /* one 300 MiB piece in a 512 MiB guest, plus 100 MiB at the same time */
    size_t big = 300ul << 20, mid = 100ul << 20;
    unsigned char *a = malloc(big);
    unsigned char *b = malloc(mid);
    int ok = a && b;
    if (ok) {
        for (size_t off = 0; off < big; off += 4096)
            a[off] = (unsigned char)(off >> 12);
        a[big - 1] = 0x5a;
        memset(b, 0xa5, mid);
        for (size_t off = 0; off < big && ok; off += 4096)
            ok = a[off] == (unsigned char)(off >> 12);
        ok = ok && a[big - 1] == 0x5a && b[0] == 0xa5 && b[mid - 1] == 0xa5;
    }
    check(ok, "heap-300MiB+100MiB", "a=%p b=%p", (void *)a, (void *)b);
    size_t free1;
    pb_mem_stats(&free1, NULL);
    check(free0 - free1 >= (big + mid) / 4096, "heap-large-accounting",
          "free %zu -> %zu pages", free0, free1);
    /* realloc growth keeps the data */
    unsigned char *c = realloc(b, mid + (8ul << 20));
    check(c && c[0] == 0xa5 && c[mid - 1] == 0xa5, "heap-realloc-grow", "%p -> %p", (void *)b, (void *)c);
    free(a);
    free(c);
    size_t free2;
    pb_mem_stats(&free2, NULL);
    check(free2 == free0, "heap-large-free", "free pages %zu after, %zu before", free2, free0);

    /* many small allocations of mixed sizes: distinct, writable, freeable */
    static void *p[4000];
    static size_t sz[4000];
    unsigned seed = 7;
    size_t free_small0;
    pb_mem_stats(&free_small0, NULL);
    ok = 1;
    for (int i = 0; i < 4000; i++) {
        seed = seed * 1103515245u + 12345u;
        sz[i] = 1 + (seed >> 8) % 3000;
        p[i] = malloc(sz[i]);
        if (!p[i]) { ok = 0; break; }
        memset(p[i], i & 0xff, sz[i]);
    }
    for (int i = 0; i < 4000 && ok; i++)
        for (size_t k = 0; k < sz[i]; k += 97)
            if (((unsigned char *)p[i])[k] != (i & 0xff)) { ok = 0; break; }
    size_t free_small1;
    pb_mem_stats(&free_small1, NULL);
    for (int i = 0; i < 4000; i++)
        free(p[i]);
    check(ok, "heap-small-mixed", "4000 allocations of 1..3000 bytes");
    size_t free_small2;
    pb_mem_stats(&free_small2, NULL);
    /* empty slab pages go back (one kept per size class, at most 8) */
    check(free_small1 + 1000 < free_small0 && free_small2 + 8 >= free_small0 &&
          free_small2 <= free_small0, "heap-slab-pages-returned",
          "free pages %zu before, %zu with 4000 live, %zu after", free_small0, free_small1,
          free_small2);
    void *al = aligned_alloc(65536, 100000);
    void *al2 = aligned_alloc(256, 100);
    check(al && ((uintptr_t)al & 65535) == 0 && al2 && ((uintptr_t)al2 & 255) == 0,
          "heap-aligned", "%p %p", al, al2);
    free(al);
    free(al2);
    unsigned *z = calloc(1000, sizeof *z);
    ok = z != NULL;
    for (int i = 0; i < 1000 && ok; i++)
        ok = z[i] == 0;
    free(z);
    check(ok, "heap-calloc-zero", "calloc(1000, 4)");
    check(malloc((total + 1) << 12) == NULL, "heap-too-big-fails", "%zu MiB in a %zu MiB guest -> NULL",
          (total + 1) >> 8, total >> 8);
    void *pg = pb_alloc_pages(3);
    ok = pg && ((uintptr_t)pg & 4095) == 0 && ((unsigned char *)pg)[3 * 4096 - 1] == 0;
    if (pg)
        pb_free_pages(pg, 3);
    check(ok, "alloc-pages", "%p", pg);
    unsigned long canary;
    __asm__ volatile("mov %%fs:0x28, %0" : "=r"(canary));
    check(canary != 0, "stack-canary", "%%fs:0x28 = %#lx", canary);
}

/* pb_alloc_pages_at/pb_pages_free: a run just freed is free and is taken
 * again exactly there; a used page, page 0 and pages past the end are not. */
static void test_alloc_at(void)
{
    uint8_t *p = pb_alloc_pages(4);
    unsigned long pfn = pb_virt_to_pfn(p);
    pb_free_pages(p, 4);
    int was_free = pb_pages_free(pfn, 4);
    uint8_t *q = pb_alloc_pages_at(pfn, 4);
    int ok = p && was_free && q == p && q[0] == 0 && !pb_pages_free(pfn + 3, 1) &&
             pb_alloc_pages_at(pfn + 2, 1) == NULL && !pb_pages_free(0, 1) &&
             pb_alloc_pages_at(pb_nr_pages, 1) == NULL;
    if (q)
        pb_free_pages(q, 4);
    check(ok, "alloc-at", "pfn %#lx free %d got %p", pfn, was_free, (void *)q);
}

/* pb_map_mfn/pb_unmap_va: alias one of our pages at VAs that need new
 * intermediate tables (a low slot and the top L4 slot, as the Linux
 * hand-over trampoline uses), write through the alias, read it back. */
static void test_map(void)
{
    static uint8_t pg[4096] __attribute__((aligned(4096)));
    static const unsigned long vas[] = { 0x00007e0000123000ul, 0xffffffff80002000ul };
    for (unsigned i = 0; i < 2; i++) {
        int rc = pb_map_mfn(vas[i], pb_virt_to_mfn(pg), 0x7);
        if (rc == 0)
            *(volatile uint32_t *)vas[i] = 0x5a5a0000u + i;
        int ok = rc == 0 && *(volatile uint32_t *)pg == 0x5a5a0000u + i;
        int urc = pb_unmap_va(vas[i]);
        check(ok && urc == 0, vas[i] >> 63 ? "map-mfn-high" : "map-mfn-low",
              "va %#lx rc %d unmap %d", vas[i], rc, urc);
    }
}

static void test_time(void)
{
    uint64_t t0 = pb_time_ns();
    pb_sleep_ms(200);
    uint64_t dt = pb_time_ns() - t0;
    check(dt >= 200000000ull && dt < 600000000ull, "sleep-200ms", "slept %llu us",
          (unsigned long long)(dt / 1000));
    int64_t wc = pb_wallclock();
    check(wc > 1600000000, "wallclock", "%lld", (long long)wc);
}

static void test_events(void)
{
    evtchn_port_t a = 0;
    int rc = pb_evtchn_alloc_unbound(pb_domid, &a);
    check(rc == 0, "evtchn-alloc", "port %u rc %d %s", a, rc, rc ? pb_errmsg() : "");
    if (rc)
        return;
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF, .remote_port = a };
    long hr = pb_hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, &bi, 0, 0, 0);
    check(hr == 0, "evtchn-bind-loopback", "local port %u rc %ld", bi.local_port, hr);
    if (hr)
        return;
    pb_evtchn_clear(a);
    rc = pb_evtchn_send(bi.local_port);
    uint64_t t0 = pb_time_ns();
    int w = pb_evtchn_wait(&a, 1, t0 + 1000000000ull);
    check(rc == 0 && w == 0 && pb_time_ns() - t0 < 500000000ull, "evtchn-send-wait",
          "send %d wait %d", rc, w);
    check(pb_evtchn_clear(a) && !pb_evtchn_clear(a), "evtchn-clear", "pending bit cleared once");
    t0 = pb_time_ns();
    w = pb_evtchn_wait(&a, 1, t0 + 150000000ull);
    uint64_t dt = pb_time_ns() - t0;
    check(w == PB_ETIMEDOUT && dt >= 150000000ull && dt < 1000000000ull, "evtchn-wait-timeout",
          "rc %d after %llu us", w, (unsigned long long)(dt / 1000));
    check(pb_evtchn_close(bi.local_port) == 0 && pb_evtchn_close(a) == 0, "evtchn-close", "ok");
}

static void test_grants(void)
{
    static uint8_t page[4096] __attribute__((aligned(4096)));
    grant_ref_t ref;
    unsigned before = pb_gnttab_active();
    int rc = pb_gnttab_grant(0, pb_virt_to_mfn(page), true, &ref);
    check(rc == 0 && ref >= GNTTAB_NR_RESERVED_ENTRIES && pb_gnttab_active() == before + 1,
          "gnttab-grant", "ref %u rc %d", ref, rc);
    check(pb_gnttab_end(ref) == 0 && pb_gnttab_active() == before, "gnttab-end", "ref %u", ref);
    check(pb_gnttab_end(ref) == PB_EINVAL, "gnttab-end-twice", "%s", pb_errmsg());
    /* exhaust the table, then give everything back */
    static grant_ref_t refs[70000];
    unsigned n = 0;
    while (n < 70000 && pb_gnttab_grant(0, pb_virt_to_mfn(page), false, &refs[n]) == 0)
        n++;
    check(pb_errcode() == PB_ENOMEM && n >= 2000, "gnttab-capacity", "%u references, then: %s",
          n, pb_errmsg());
    unsigned bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad += pb_gnttab_end(refs[i]) != 0;
    check(bad == 0 && pb_gnttab_active() == 0, "gnttab-all-ended", "%u failures, %u active",
          bad, pb_gnttab_active());
}

static void test_xenstore(void)
{
    char *v = NULL;
    uint64_t id;
    int rc = pb_xs_read_u64(0, "domid", &id);
    check(rc == 0 && id == pb_domid && id > 0, "xs-domid", "domid %llu pb_domid %u",
          (unsigned long long)id, pb_domid);
    rc = pb_xs_read(0, "name", &v);
    check(rc == 0 && strcmp(v, "guest") == 0, "xs-read-name", "\"%s\"", rc ? pb_errmsg() : v);
    free(v);
    rc = pb_xs_write(0, "data/ktest", "hello world");
    v = NULL;
    int rc2 = pb_xs_read(0, "data/ktest", &v);
    check(rc == 0 && rc2 == 0 && strcmp(v, "hello world") == 0, "xs-write-read", "%d %d", rc, rc2);
    free(v);
    char **names;
    unsigned n = 0, found = 0;
    rc = pb_xs_directory(0, "data", &names, &n);
    for (unsigned i = 0; rc == 0 && i < n; i++)
        found += strcmp(names[i], "ktest") == 0;
    if (rc == 0)
        free(names);
    check(rc == 0 && found == 1, "xs-directory", "%u entries", n);
    char abs[64];
    snprintf(abs, sizeof abs, "/local/domain/%u/data/ktest", pb_domid);
    v = NULL;
    rc = pb_xs_read(0, abs, &v);
    check(rc == 0 && strcmp(v, "hello world") == 0, "xs-absolute-path", "%s", abs);
    free(v);
    rc = pb_xs_rm(0, "data/ktest");
    rc2 = pb_xs_read(0, "data/ktest", &v);
    check(rc == 0 && rc2 == PB_ENOENT, "xs-rm-enoent", "rm %d read %d (%s)", rc, rc2, pb_errmsg());
    /* transactions */
    pb_xs_tx t;
    rc = pb_xs_transaction_start(&t);
    rc2 = rc ? rc : pb_xs_write(t, "data/tx1", "1");
    int rc3 = rc ? rc : pb_xs_write(t, "data/tx2", "2");
    int rc4 = rc ? rc : pb_xs_transaction_end(t, false);
    uint64_t a = 0, b = 0;
    pb_xs_read_u64(0, "data/tx1", &a);
    pb_xs_read_u64(0, "data/tx2", &b);
    check(!rc && !rc2 && !rc3 && !rc4 && a == 1 && b == 2, "xs-transaction-commit",
          "tx %u: %d %d %d %d", t, rc, rc2, rc3, rc4);
    rc = pb_xs_transaction_start(&t);
    rc2 = rc ? rc : pb_xs_write(t, "data/tx3", "3");
    rc3 = rc ? rc : pb_xs_transaction_end(t, true);
    rc4 = pb_xs_read(0, "data/tx3", &v);
    check(!rc && !rc2 && !rc3 && rc4 == PB_ENOENT, "xs-transaction-abort", "%d %d %d %d",
          rc, rc2, rc3, rc4);
    pb_xs_rm(0, "data/tx1");
    pb_xs_rm(0, "data/tx2");
    /* watches */
    rc = pb_xs_watch("data/w", "tok-w");
    char *p = NULL, *tk = NULL;
    rc2 = pb_xs_wait_event(pb_time_ns() + 2000000000ull, &p, &tk);   /* initial firing */
    check(rc == 0 && rc2 == 0 && tk && strcmp(tk, "tok-w") == 0, "xs-watch-initial",
          "%d %d %s %s", rc, rc2, p ? p : "-", tk ? tk : "-");
    free(p);
    free(tk);
    p = tk = NULL;
    pb_xs_write(0, "data/w", "x");
    rc2 = pb_xs_wait_event(pb_time_ns() + 2000000000ull, &p, &tk);
    size_t pl = p ? strlen(p) : 0;
    check(rc2 == 0 && pl >= 6 && strcmp(p + pl - 6, "data/w") == 0, "xs-watch-event",
          "%d %s", rc2, p ? p : "-");
    free(p);
    free(tk);
    check(pb_xs_unwatch("data/w", "tok-w") == 0, "xs-unwatch", "ok");
    pb_xs_rm(0, "data/w");
    /* wait_state: already satisfied, then a timeout */
    pb_xs_write(0, "data/state", "4");
    int st = -1;
    uint64_t t0 = pb_time_ns();
    rc = pb_xs_wait_state("data/state", 4, 4, t0 + 2000000000ull, &st);
    check(rc == 0 && st == 4, "xs-wait-state", "rc %d state %d", rc, st);
    t0 = pb_time_ns();
    rc = pb_xs_wait_state("data/state", 6, 6, t0 + 300000000ull, &st);
    uint64_t dt = pb_time_ns() - t0;
    check(rc == PB_ETIMEDOUT && st == 4 && dt >= 300000000ull && dt < 2000000000ull,
          "xs-wait-state-timeout", "rc %d state %d after %llu ms (%s)", rc, st,
          (unsigned long long)(dt / 1000000), pb_errmsg());
    pb_xs_rm(0, "data/state");
}

static struct pb_cmdline c;

static void test_cmdline(void)
{
    const char *cl = pb_xen_cmdline();
    pb_printf("KTEST-CMDLINE [%s]\n", cl ? cl : "(none)");
    if (!cl)
        return;
    int rc = pb_cmdline_parse(cl, &c);
    pb_printf("KTEST-CMDLINE-PARSED rc=%d kind=%d nvars=%u", rc, c.kind, c.nvars);
    for (unsigned i = 0; i < c.nvars; i++)
        pb_printf(" var[%s]=[%s]", c.var_name[i], c.var_value[i]);
    if (c.kind == PB_CMDLINE_CONFIG)
        pb_printf(" config=[%s]", c.config);
    if (c.kind == PB_CMDLINE_COMMAND)
        pb_printf(" command=[%s]", c.command);
    pb_printf("\n");
}

/* Console input: the e2e script types keys into the domain's pty from dom0
 * once it sees KTEST-KEYS-READY; print each decoded key until 'q'. */
static void test_keys(void)
{
    int want = 0;
    for (unsigned i = 0; i < c.nvars; i++)
        want |= strcmp(c.var_name[i], "ktest_keys") == 0;
    if (!want)
        return;
    pb_printf("KTEST-KEYS-READY\n");
    int keys[16], n = 0;
    uint64_t t0 = pb_time_ns();
    while (n < 16) {
        int k = pb_getkey(20000);
        if (k == PB_KEY_NONE)
            break;
        keys[n++] = k;
        if (k == 'q')
            break;
    }
    pb_printf("KTEST-KEYS");
    for (int i = 0; i < n; i++)
        pb_printf(" %d", keys[i]);
    pb_printf("\n");
    static const int expect[] = { 'a', 'b', PB_KEY_UP, PB_KEY_DOWN, PB_KEY_ENTER,
                                  PB_KEY_BACKSPACE, PB_KEY_HOME, PB_KEY_PGDN, 'q' };
    int ok = n == (int)(sizeof expect / sizeof expect[0]);
    for (int i = 0; ok && i < n; i++)
        ok = keys[i] == expect[i];
    check(ok, "console-keys", "%d keys in %llu ms", n,
          (unsigned long long)((pb_time_ns() - t0) / 1000000));
}

static void run_cmd(const char *line)
{
    char buf[128];
    char *argv[8];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *s = buf, *tok; argc < 7 && (tok = strsep(&s, " ")) != NULL;)
        if (*tok)
            argv[argc++] = tok;
    argv[argc] = NULL;
    pb_printf("KTEST-CMD %s\n", line);
    int rc = pb_command_run(argc, argv);
    check(rc == 0, line, "rc %d %s", rc, rc ? pb_errmsg() : "");
}

/* Overflow a stack buffer: the canary at %fs:0x28 must catch it on return. */
__attribute__((noinline)) static void smash(size_t n)
{
    char buf[16];
    memset(buf, 'A', n);
    __asm__ volatile("" : : "r"(buf) : "memory");
}

/* Informational: memcpy/memset throughput (under TCG these dominate
 * decompression and disk-buffer handling), next to plain `rep movsb`. */
static void bench_mem(void)
{
    size_t len = 16ul << 20;
    unsigned char *a = malloc(len), *b = malloc(len);
    if (!a || !b)
        return;
    memset(a, 1, len);
    uint64_t t0 = pb_time_ns();
    memcpy(b, a, len);
    uint64_t t1 = pb_time_ns();
    void *dd = b;
    const void *ss = a;
    size_t nn = len;
    __asm__ volatile("rep movsb" : "+D"(dd), "+S"(ss), "+c"(nn) : : "memory");
    uint64_t t2 = pb_time_ns();
    memset(b, 2, len);
    uint64_t t3 = pb_time_ns();
    for (size_t off = 0; off + 64 <= len; off += 64)
        memmove(b + off, a + off + 1, 61);
    uint64_t t4 = pb_time_ns();
    pb_printf("KTEST-BENCH memcpy %llu MiB/s, rep movsb %llu MiB/s, memset %llu MiB/s, "
              "61-byte memmoves %llu MiB/s\n",
              (unsigned long long)(16000ull / ((t1 - t0) / 1000000 + 1)),
              (unsigned long long)(16000ull / ((t2 - t1) / 1000000 + 1)),
              (unsigned long long)(16000ull / ((t3 - t2) / 1000000 + 1)),
              (unsigned long long)(16000ull / ((t4 - t3) / 1000000 + 1)));
    free(a);
    free(b);
}

static void ktest_main(void)
{
    const char *cl = pb_xen_cmdline();
    if (cl && strstr(cl, "ktest_smash")) {
        pb_printf("KTEST-SMASH: overflowing a 16-byte stack buffer\n");
        volatile size_t n = 64;
        smash(n);
        pb_printf("KTEST-SMASH: survived?!\n");
        return;
    }
    if (cl && strstr(cl, "ktest_fault")) {
        pb_printf("KTEST-FAULT: dereferencing NULL\n");
        volatile int *np;
        __asm__ volatile("" : "=r"(np) : "0"(0));   /* a NULL the compiler cannot see */
        *np = 1;
        pb_printf("KTEST-FAULT: survived?!\n");
        return;
    }
    test_memory();
    bench_mem();
    test_map();
    test_alloc_at();
    test_time();
    test_events();
    test_grants();
    test_xenstore();
    test_cmdline();
    test_keys();
    run_cmd("lsmem");
    run_cmd("lsxen");
    pb_before_handover();
    check(pb_gnttab_active() == 0, "handover-quiesced", "grants %u", pb_gnttab_active());
    pb_printf("KTEST-END pass=%d fail=%d\n", npass, nfail);
    pb_power(PB_POWEROFF);
}

void pvboot_init_kerneltest(void);
void pvboot_init_kerneltest(void)
{
    pb_main_register(ktest_main);
}
