/* SPDX-License-Identifier: MIT */
/*
 * blkfront pure logic: vbd id -> name decoding, segment splitting, and the
 * blkif ring engine driven against an in-process fake backend that checks
 * every request the way Linux blkback does (grant validity, segment ranges,
 * alignment to the logical sector size, bounds) and serves a memory disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pvboot/err.h"
#include "../../modules/blkfront/blkring.h"

/* ------------------------------------------------------------ names */

static void test_vbd_names(void **state)
{
    (void)state;
    static const struct { uint32_t id; const char *name; int rc; } cases[] = {
        { 51712, "xvda", 0 },  { 51713, "xvda1", 0 }, { 51728, "xvdb", 0 },
        { 51744, "xvdc", 0 },  { 51760, "xvdd", 0 },  { 51727, "xvda15", 0 },
        { 51952, "xvdp", 0 },  { 2048, "sda", 0 },    { 2051, "sda3", 0 },
        { 2064, "sdb", 0 },    { 768, "hda", 0 },     { 769, "hda1", 0 },
        { 832, "hdb", 0 },     { 5632, "hdc", 0 },    { 5696, "hdd", 0 },
        { (1u << 28) | (16u << 8), "xvdq", 0 },
        { (1u << 28) | (26u << 8), "xvdaa", 0 },
        { (1u << 28) | (26u << 8) | 5, "xvdaa5", 0 },
        { (1u << 28) | (701u << 8), "xvdzz", 0 },
        { (1u << 28) | (702u << 8), "xvdaaa", 0 },
        { 12345, "vbd12345", PB_EINVAL },
        { 0xe0000000u, "vbd3758096384", PB_EINVAL },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[32];
        int rc = bf_vbd_name(cases[i].id, buf, sizeof(buf));
        assert_int_equal(rc, cases[i].rc);
        assert_string_equal(buf, cases[i].name);
    }
    char small[4];
    assert_int_equal(bf_vbd_name(51712, small, sizeof(small)), PB_ERANGE);
}

static void test_dev_names(void **state)
{
    (void)state;
    assert_true(bf_dev_name_ok("xvda"));
    assert_true(bf_dev_name_ok("sda1"));
    assert_true(bf_dev_name_ok("hdc"));
    assert_false(bf_dev_name_ok(""));
    assert_false(bf_dev_name_ok(NULL));
    assert_false(bf_dev_name_ok("XVDA"));
    assert_false(bf_dev_name_ok("xvd/a"));
    assert_false(bf_dev_name_ok("1xvd"));
    assert_false(bf_dev_name_ok("xvd a"));
    assert_false(bf_dev_name_ok("abcdefghijklmnop"));    /* 16 chars */
    assert_true(bf_dev_name_ok("abcdefghijklmno"));      /* 15 chars */
    assert_string_equal(bf_xenbus_state_name(2), "InitWait");
    assert_string_equal(bf_xenbus_state_name(4), "Connected");
    assert_string_equal(bf_xenbus_state_name(9), "?");
}

static void test_split(void **state)
{
    (void)state;
    struct bf_seg segs[8];
    uint64_t done;
    uintptr_t base = 0x100000;
    unsigned n = bf_split_segments(base + 1024, 20, segs, 8, &done);
    assert_int_equal(n, 3);
    assert_int_equal(done, 20);
    assert_int_equal(segs[0].page, base);
    assert_int_equal(segs[0].first_sect, 2);
    assert_int_equal(segs[0].last_sect, 7);
    assert_int_equal(segs[1].page, base + 4096);
    assert_int_equal(segs[1].first_sect, 0);
    assert_int_equal(segs[1].last_sect, 7);
    assert_int_equal(segs[2].page, base + 8192);
    assert_int_equal(segs[2].first_sect, 0);
    assert_int_equal(segs[2].last_sect, 5);
    n = bf_split_segments(base + 1024, 20, segs, 2, &done);
    assert_int_equal(n, 2);
    assert_int_equal(done, 14);
    n = bf_split_segments(base + 3584, 1, segs, 8, &done);
    assert_int_equal(n, 1);
    assert_int_equal(segs[0].first_sect, 7);
    assert_int_equal(segs[0].last_sect, 7);
    assert_int_equal(bf_split_segments(base + 1, 4, segs, 8, &done), 0);
    assert_int_equal(done, 0);
    assert_int_equal(bf_split_segments(base, 0, segs, 8, &done), 0);
}

/* ------------------------------------------------------ fake backend */

#define FAKE_GRANTS 8192

struct fake {
    blkif_back_ring_t back;
    void *sring;
    unsigned ring_pages;
    uint8_t *disk;                 /* nr_sectors * 512 bytes */
    uint64_t nr_sectors;
    uint32_t sector_size;
    struct { uintptr_t page; bool active, ro; } grants[FAKE_GRANTS];
    unsigned grant_limit;          /* max active at once */
    unsigned active;
    uint64_t clock;
    unsigned per_wait;             /* requests answered per wait (0 = all) */
    bool never_answer;
    bool bad_id;
    uint64_t error_sector;         /* answer ERROR for requests covering it */
    bool has_error_sector;
    unsigned max_outstanding;      /* most unanswered requests seen */
    unsigned nreq, nind, notifies;
    unsigned max_req_segs;
    bool persistent;               /* map every grant writable, as blkback does then */
    bool protocol_violation;       /* set if a request broke a blkback rule */
    char violation[160];
};

__attribute__((format(printf, 2, 3)))
static void violate(struct fake *f, const char *fmt, ...)
{
    va_list ap;
    if (f->protocol_violation)
        return;
    f->protocol_violation = true;
    va_start(ap, fmt);
    vsnprintf(f->violation, sizeof(f->violation), fmt, ap);
    va_end(ap);
}

static int f_grant(void *ctx, uintptr_t page, bool ro, grant_ref_t *ref)
{
    struct fake *f = ctx;
    if (page & 4095)
        violate(f, "grant of unaligned page %#lx", (unsigned long)page);
    if (f->active >= f->grant_limit)
        return PB_EBUSY;
    for (unsigned i = 8; i < FAKE_GRANTS; i++) {
        if (!f->grants[i].active) {
            f->grants[i].active = true;
            f->grants[i].page = page;
            f->grants[i].ro = ro;
            f->active++;
            *ref = i;
            return 0;
        }
    }
    return PB_EBUSY;
}

static int f_end(void *ctx, grant_ref_t ref)
{
    struct fake *f = ctx;
    if (ref >= FAKE_GRANTS || !f->grants[ref].active) {
        violate(f, "end of inactive grant %u", ref);
        return PB_EINVAL;
    }
    f->grants[ref].active = false;
    f->active--;
    return 0;
}

static void f_notify(void *ctx)
{
    ((struct fake *)ctx)->notifies++;
}

static uint64_t f_now(void *ctx)
{
    return ((struct fake *)ctx)->clock;
}

static void *f_alloc(void *ctx, size_t n)
{
    (void)ctx;
    void *p = aligned_alloc(4096, n * 4096);
    if (p)
        memset(p, 0, n * 4096);
    return p;
}

static void f_free(void *ctx, void *p, size_t n)
{
    (void)ctx; (void)n;
    free(p);
}

static uint8_t *gpage(struct fake *f, grant_ref_t ref, bool want_write)
{
    if (ref >= FAKE_GRANTS || !f->grants[ref].active) {
        violate(f, "request uses inactive grant %u", ref);
        return NULL;
    }
    if ((want_write || f->persistent) && f->grants[ref].ro) {
        violate(f, "backend must write read-only grant %u", ref);
        return NULL;
    }
    return (uint8_t *)f->grants[ref].page;
}

/* Serve one request like blkback: returns BLKIF_RSP_*. */
static int16_t serve(struct fake *f, const blkif_request_t *req)
{
    struct blkif_request_segment segs[BF_MAX_INDIRECT_SEGS];
    unsigned n;
    uint8_t op;
    uint64_t sector;
    f->nreq++;
    if (req->operation == BLKIF_OP_INDIRECT) {
        const blkif_request_indirect_t *ir = (const void *)req;
        op = ir->indirect_op;
        n = ir->nr_segments;
        sector = ir->sector_number;
        f->nind++;
        if (n == 0 || n > BF_MAX_INDIRECT_SEGS || n <= BLKIF_MAX_SEGMENTS_PER_REQUEST) {
            violate(f, "indirect request with %u segments", n);
            return BLKIF_RSP_ERROR;
        }
        unsigned pages = (n + 511) / 512;
        for (unsigned p = 0; p < pages; p++) {
            const uint8_t *pg = gpage(f, ir->indirect_grefs[p], false);
            if (!pg)
                return BLKIF_RSP_ERROR;
            unsigned cnt = n - p * 512 < 512 ? n - p * 512 : 512;
            memcpy(&segs[p * 512], pg, cnt * sizeof(segs[0]));
        }
    } else if (req->operation == BLKIF_OP_READ || req->operation == BLKIF_OP_WRITE) {
        op = req->operation;
        n = req->nr_segments;
        sector = req->sector_number;
        if (n == 0 || n > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
            violate(f, "direct request with %u segments", n);
            return BLKIF_RSP_ERROR;
        }
        memcpy(segs, req->seg, n * sizeof(segs[0]));
    } else {
        violate(f, "unknown operation %u", req->operation);
        return BLKIF_RSP_ERROR;
    }
    if (n > f->max_req_segs)
        f->max_req_segs = n;
    uint64_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        if (segs[i].first_sect > segs[i].last_sect || segs[i].last_sect > 7) {
            violate(f, "segment %u sectors %u..%u", i, segs[i].first_sect, segs[i].last_sect);
            return BLKIF_RSP_ERROR;
        }
        total += segs[i].last_sect - segs[i].first_sect + 1u;
    }
    uint64_t ss = f->sector_size / 512;
    if ((sector | total) & (ss - 1)) {
        violate(f, "misaligned I/O sector %llu count %llu", (unsigned long long)sector,
                (unsigned long long)total);
        return BLKIF_RSP_ERROR;
    }
    if (sector + total > f->nr_sectors)
        return BLKIF_RSP_ERROR;
    if (f->has_error_sector && f->error_sector >= sector && f->error_sector < sector + total)
        return BLKIF_RSP_ERROR;
    uint64_t s = sector;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *pg = gpage(f, segs[i].gref, op == BLKIF_OP_READ);
        if (!pg)
            return BLKIF_RSP_ERROR;
        size_t off = (size_t)segs[i].first_sect * 512;
        size_t len = (size_t)(segs[i].last_sect - segs[i].first_sect + 1u) * 512;
        if (op == BLKIF_OP_READ)
            memcpy(pg + off, f->disk + s * 512, len);
        else
            memcpy(f->disk + s * 512, pg + off, len);
        s += len / 512;
    }
    return BLKIF_RSP_OKAY;
}

static int f_wait(void *ctx, uint64_t deadline)
{
    struct fake *f = ctx;
    RING_IDX rc = f->back.req_cons, rp = f->back.sring->req_prod;
    unsigned outstanding = rp - f->back.rsp_prod_pvt;
    if (outstanding > f->max_outstanding)
        f->max_outstanding = outstanding;
    if (f->never_answer) {
        f->clock = deadline;
        return PB_ETIMEDOUT;
    }
    unsigned done = 0;
    while (rc != rp && (f->per_wait == 0 || done < f->per_wait)) {
        blkif_request_t req;
        memcpy(&req, RING_GET_REQUEST(&f->back, rc), sizeof(req));
        f->back.req_cons = ++rc;
        blkif_response_t *rsp = RING_GET_RESPONSE(&f->back, f->back.rsp_prod_pvt);
        rsp->id = f->bad_id ? 9999 : req.id;
        rsp->operation = req.operation;
        rsp->status = serve(f, &req);
        f->back.rsp_prod_pvt++;
        done++;
    }
    int notify;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&f->back, notify);
    (void)notify;
    f->clock += 1000;
    return 0;
}

static struct fake *fake_new(uint64_t nr_sectors, uint32_t ss, unsigned ring_pages)
{
    struct fake *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->nr_sectors = nr_sectors;
    f->sector_size = ss;
    f->grant_limit = FAKE_GRANTS;
    f->disk = malloc(nr_sectors * 512);
    assert_non_null(f->disk);
    /* pattern: every 8-byte word holds its byte offset ^ a constant */
    for (uint64_t i = 0; i < nr_sectors * 512 / 8; i++) {
        uint64_t v = (i * 8) ^ 0x5a5a0000a5a50000ull;
        memcpy(f->disk + i * 8, &v, 8);
    }
    f->ring_pages = ring_pages;
    f->sring = aligned_alloc(4096, ring_pages * 4096);
    assert_non_null(f->sring);
    memset(f->sring, 0, ring_pages * 4096);
    SHARED_RING_INIT((blkif_sring_t *)f->sring);
    BACK_RING_INIT(&f->back, (blkif_sring_t *)f->sring, ring_pages * 4096);
    return f;
}

static void fake_free(struct fake *f)
{
    free(f->disk);
    free(f->sring);
    free(f);
}

static struct bf_ring *ring_new(struct fake *f, unsigned max_indirect)
{
    struct bf_ring *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    struct bf_platform p = {
        .grant = f_grant, .end_grant = f_end, .notify = f_notify, .wait = f_wait,
        .now_ns = f_now, .alloc_pages = f_alloc, .free_pages = f_free, .ctx = f,
    };
    assert_int_equal(bf_ring_init(r, f->sring, f->ring_pages, max_indirect, 51712,
                                  f->sector_size, f->nr_sectors, "xen/xvda", &p), 0);
    return r;
}

static void ring_free(struct bf_ring *r)
{
    bf_ring_fini(r);
    free(r);
}

/* Free a ring left dead with requests in flight: bf_ring_fini() keeps
 * its buffers then (shadow, grant pool, read-ahead queue and segments), so
 * the test frees them and the ring itself here. */
static void ring_free_dead(struct bf_ring *r)
{
    free(r->shadow);
    free(r->gref_pool);
    free(r->ra_q);
    free(r->ra_segs);
    free(r);
}

static void check_pattern(const uint8_t *buf, uint64_t byte_off, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint64_t off = byte_off + i;
        uint64_t word = (off & ~7ull) ^ 0x5a5a0000a5a50000ull;
        uint8_t want = (uint8_t)(word >> ((off & 7) * 8));
        if (buf[i] != want)
            fail_msg("byte %zu (disk offset %llu): got %#x want %#x", i,
                     (unsigned long long)off, buf[i], want);
    }
}

/* 8 MiB aligned read with 256 indirect segments: 8 requests of 1 MiB, all
 * on the ring at once, every grant ended afterwards. */
static void test_read_indirect(void **state)
{
    (void)state;
    struct fake *f = fake_new(32768, 512, 1);
    struct bf_ring *r = ring_new(f, 256);
    assert_int_equal(r->nr_slots, 32);
    assert_true(r->indirect);
    assert_int_equal(r->max_segs, 256);
    size_t len = 8u << 20;
    uint8_t *buf = aligned_alloc(4096, len);
    assert_int_equal(bf_ring_rw(r, false, 4096, len / 512, buf), 0);
    assert_false(f->protocol_violation);
    check_pattern(buf, 4096ull * 512, len);
    assert_int_equal(r->stats.requests, 8);
    assert_int_equal(f->nind, 8);
    assert_int_equal(f->max_req_segs, 256);
    assert_int_equal(f->max_outstanding, 8);
    assert_int_equal(r->stats.max_inflight, 8);
    assert_int_equal(r->stats.sectors, len / 512);
    assert_int_equal(r->stats.bounced_bytes, 0);
    assert_int_equal(f->active, 0);
    assert_int_equal(r->inflight, 0);
    free(buf);
    ring_free(r);
    fake_free(f);
}

/* Without indirect: 11 segments per request, the ring (32 slots) full. */
static void test_read_direct_ring_full(void **state)
{
    (void)state;
    struct fake *f = fake_new(16384, 512, 1);
    struct bf_ring *r = ring_new(f, 0);
    assert_false(r->indirect);
    assert_int_equal(r->max_segs, 11);
    size_t len = 4u << 20;                 /* 1024 pages -> 94 requests */
    uint8_t *buf = aligned_alloc(4096, len);
    f->per_wait = 5;                       /* slow backend: several rounds */
    assert_int_equal(bf_ring_rw(r, false, 0, len / 512, buf), 0);
    assert_false(f->protocol_violation);
    check_pattern(buf, 0, len);
    assert_int_equal(r->stats.requests, 94);
    assert_int_equal(f->max_req_segs, 11);
    assert_int_equal(f->max_outstanding, 32);
    assert_int_equal(r->stats.max_inflight, 32);
    assert_int_equal(f->active, 0);
    free(buf);
    ring_free(r);
    fake_free(f);
}

/* Multi-page ring: 4 pages = 128 slots. */
static void test_multipage_ring(void **state)
{
    (void)state;
    struct fake *f = fake_new(16384, 512, 4);
    struct bf_ring *r = ring_new(f, 0);
    assert_int_equal(r->nr_slots, 128);
    size_t len = 4u << 20;
    uint8_t *buf = aligned_alloc(4096, len);
    assert_int_equal(bf_ring_rw(r, false, 0, len / 512, buf), 0);
    check_pattern(buf, 0, len);
    assert_int_equal(r->stats.requests, 94);
    assert_int_equal(f->max_outstanding, 94);
    assert_int_equal(f->active, 0);
    free(buf);
    ring_free(r);
    fake_free(f);
}

/* Buffer not 512-aligned, odd start: bounce buffer, exact bytes. */
static void test_read_unaligned(void **state)
{
    (void)state;
    struct fake *f = fake_new(16384, 512, 1);
    struct bf_ring *r = ring_new(f, 256);
    uint8_t *raw = malloc(3u << 20);
    uint8_t *buf = raw + 3;
    uint64_t nsect = (2u << 20) / 512 + 7;    /* > one bounce chunk (1 MiB)... */
    assert_int_equal(bf_ring_rw(r, false, 1001, nsect, buf), 0);
    assert_false(f->protocol_violation);
    check_pattern(buf, 1001ull * 512, nsect * 512);
    assert_int_equal(r->stats.bounced_bytes, nsect * 512);
    assert_int_equal(f->active, 0);
    free(raw);
    ring_free(r);
    fake_free(f);
}

/* Write then read back; read-modify-write of a partial 4096-byte sector. */
static void test_write_4k(void **state)
{
    (void)state;
    struct fake *f = fake_new(8192, 4096, 1);
    struct bf_ring *r = ring_new(f, 256);
    uint8_t before[4096 * 3];
    memcpy(before, f->disk + 64 * 512, sizeof(before));
    uint8_t data[512 * 3];
    memset(data, 0xab, sizeof(data));
    /* sectors 67..69 lie inside the 4 KiB sector 64..71 */
    assert_int_equal(bf_ring_rw(r, true, 67, 3, data), 0);
    assert_false(f->protocol_violation);
    assert_memory_equal(f->disk + 64 * 512, before, 3 * 512);
    assert_memory_equal(f->disk + 67 * 512, data, 3 * 512);
    assert_memory_equal(f->disk + 70 * 512, before + 6 * 512, sizeof(before) - 6 * 512);
    /* the data pages of the write were granted read-only: no violation above */
    uint8_t back[512 * 5];
    assert_int_equal(bf_ring_rw(r, false, 66, 5, back), 0);
    assert_memory_equal(back, before + 2 * 512, 512);
    assert_memory_equal(back + 512, data, 3 * 512);
    assert_memory_equal(back + 4 * 512, before + 6 * 512, 512);
    /* aligned 4 KiB read of a page-aligned buffer goes direct */
    uint64_t bounced = r->stats.bounced_bytes;
    uint8_t *al = aligned_alloc(4096, 65536);
    assert_int_equal(bf_ring_rw(r, false, 128, 128, al), 0);
    check_pattern(al, 128ull * 512, 65536);
    assert_int_equal(r->stats.bounced_bytes, bounced);
    assert_false(f->protocol_violation);
    assert_int_equal(f->active, 0);
    free(al);
    ring_free(r);
    fake_free(f);
}

static void test_error_response(void **state)
{
    (void)state;
    struct fake *f = fake_new(16384, 512, 1);
    struct bf_ring *r = ring_new(f, 256);
    f->has_error_sector = true;
    f->error_sector = 5000;
    uint8_t *buf = aligned_alloc(4096, 1u << 20);
    assert_int_equal(bf_ring_rw(r, false, 4096, 2048, buf), PB_EIO);
    assert_string_equal(pb_errmsg(), "xen/xvda: read error at sector 4096 (2048 sectors): "
                                     "backend answered BLKIF_RSP_ERROR (-1)");
    assert_int_equal(f->active, 0);
    assert_int_equal(r->inflight, 0);
    /* the disk still works elsewhere */
    assert_int_equal(bf_ring_rw(r, false, 0, 2048, buf), 0);
    check_pattern(buf, 0, 1u << 20);
    free(buf);
    ring_free(r);
    fake_free(f);
}

static void test_timeout(void **state)
{
    (void)state;
    struct fake *f = fake_new(4096, 512, 1);
    struct bf_ring *r = ring_new(f, 0);
    f->never_answer = true;
    uint8_t *buf = aligned_alloc(4096, 8192);
    assert_int_equal(bf_ring_rw(r, false, 100, 16, buf), PB_ETIMEDOUT);
    assert_string_equal(pb_errmsg(), "xen/xvda: no answer from the backend for 30 s "
                                     "(1 requests in flight, sector 100); disk taken offline");
    assert_true(r->dead);
    assert_int_equal(bf_ring_rw(r, false, 0, 8, buf), PB_EIO);
    free(buf);
    ring_free_dead(r);        /* requests stay in flight: fini keeps memory */
    fake_free(f);
}

static void test_bad_response_id(void **state)
{
    (void)state;
    struct fake *f = fake_new(4096, 512, 1);
    struct bf_ring *r = ring_new(f, 0);
    f->bad_id = true;
    uint8_t *buf = aligned_alloc(4096, 8192);
    assert_int_equal(bf_ring_rw(r, false, 0, 16, buf), PB_EIO);
    assert_string_equal(pb_errmsg(), "xen/xvda: backend protocol error: response for unknown "
                                     "request id 9999");
    assert_true(r->dead);
    free(buf);
    ring_free_dead(r);
    fake_free(f);
}

static void test_range_and_grant_shortage(void **state)
{
    (void)state;
    struct fake *f = fake_new(4096, 512, 1);
    struct bf_ring *r = ring_new(f, 256);
    uint8_t *buf = aligned_alloc(4096, 1u << 20);
    assert_int_equal(bf_ring_rw(r, false, 4090, 8, buf), PB_ERANGE);
    assert_string_equal(pb_errmsg(), "xen/xvda: read of sectors 4090..4097 past the end "
                                     "(4096 sectors)");
    assert_int_equal(bf_ring_rw(r, false, UINT64_MAX - 2, 8, buf), PB_ERANGE);
    /* only 20 grants at a time: requests shrink, data still right */
    f->grant_limit = 20;
    assert_int_equal(bf_ring_rw(r, false, 8, 2048, buf), 0);
    check_pattern(buf, 8 * 512, 1u << 20);
    assert_true(f->max_req_segs <= 19);
    assert_false(f->protocol_violation);
    assert_int_equal(f->active, 0);
    free(buf);
    ring_free(r);
    fake_free(f);
}

/* Persistent grants: pool granted once, odd buffers need no bounce, grants
 * stay active across requests and are all ended by bf_ring_fini. */
static void test_persistent(void **state)
{
    (void)state;
    struct fake *f = fake_new(16384, 512, 1);
    struct bf_ring *r = ring_new(f, 256);
    f->persistent = true;
    assert_int_equal(bf_ring_enable_persistent(r, 64), 0);
    assert_int_equal(f->active, 64);
    uint8_t *raw = malloc((2u << 20) + 64);
    uint8_t *buf = raw + 5;
    assert_int_equal(bf_ring_rw(r, false, 77, 4096, buf), 0);   /* 2 MiB, odd buffer */
    assert_false(f->protocol_violation);
    check_pattern(buf, 77ull * 512, 2u << 20);
    assert_int_equal(r->stats.bounced_bytes, 0);
    /* 64-page pool: requests of at most 64 segments, one in flight */
    assert_int_equal(f->max_req_segs, 64);
    assert_int_equal(r->stats.requests, 8);      /* 2 MiB / 256 KiB */
    /* pool (64) + the indirect page of the one slot used stay granted */
    assert_int_equal(f->active, 65);
    uint8_t data[3000];
    for (unsigned i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13);
    assert_int_equal(bf_ring_rw(r, true, 10, 5, data + 1), 0);
    assert_memory_equal(f->disk + 10 * 512, data + 1, 5 * 512);
    assert_false(f->protocol_violation);
    bf_ring_fini(r);
    assert_int_equal(f->active, 0);
    free(r);
    free(raw);
    fake_free(f);
}

/* Sequential read-ahead (persistent mode): 256 KiB reads in order; from the
 * third on, every sector comes from read-ahead; a write, a jump and a
 * backend error each drop it, and data stays right throughout. */
static void test_readahead(void **state)
{
    (void)state;
    struct fake *f = fake_new(32768, 512, 4);
    struct bf_ring *r = ring_new(f, 256);
    f->persistent = true;
    assert_int_equal(bf_ring_enable_persistent(r, BF_PERSISTENT_POOL_PAGES), 0);
    assert_true(r->readahead);
    uint8_t *raw = malloc((256u << 10) + 16);
    uint8_t *buf = raw + 3;                      /* odd: copies, any alignment */
    uint64_t sec = 0;
    for (unsigned i = 0; i < 16; i++, sec += 512) {
        assert_int_equal(bf_ring_rw(r, false, sec, 512, buf), 0);
        check_pattern(buf, sec * 512, 256u << 10);
    }
    assert_false(f->protocol_violation);
    assert_true(r->stats.ra_requests > 0);
    assert_int_equal(r->stats.ra_hit_sectors, 14 * 512);      /* all but the first two */
    assert_int_equal(r->stats.ra_dropped, 0);
    assert_int_equal(r->stats.sectors, 16 * 512);
    /* read-ahead stays within its 4 MiB window (= the pool) */
    assert_true(r->ra_next - r->last_end <= BF_RA_MAX_SECTORS);
    uint64_t head = r->shadow[r->ra_q[r->ra_head]].sector;
    assert_int_equal(head + r->ra_off, r->last_end);
    assert_int_equal(r->pool_top + (r->ra_next - head) / 8, BF_PERSISTENT_POOL_PAGES);
    assert_true(r->ra_n > 0);

    /* a write inside the read-ahead range: next reads see the new data */
    uint8_t data[1024];
    memset(data, 0xab, sizeof data);
    assert_int_equal(bf_ring_rw(r, true, sec + 1, 2, data), 0);
    assert_int_equal(r->ra_n, 0);
    uint64_t dropped = r->stats.ra_dropped;
    assert_true(dropped > 0);
    assert_int_equal(bf_ring_rw(r, false, sec, 512, buf), 0);
    check_pattern(buf, sec * 512, 512);
    assert_memory_equal(buf + 512, data, 1024);
    check_pattern(buf + 1536, (sec + 3) * 512, (256u << 10) - 1536);
    sec += 512;
    assert_int_equal(bf_ring_rw(r, false, sec, 512, buf), 0);   /* sequential again */
    check_pattern(buf, sec * 512, 256u << 10);
    sec += 512;
    assert_int_equal(bf_ring_rw(r, false, sec, 512, buf), 0);
    check_pattern(buf, sec * 512, 256u << 10);
    assert_true(r->ra_n > 0);

    /* a jump elsewhere drops it and reads right */
    assert_int_equal(bf_ring_rw(r, false, 100, 8, buf), 0);
    check_pattern(buf, 100 * 512, 4096);
    assert_int_equal(r->ra_n, 0);
    assert_true(r->stats.ra_dropped > dropped);

    /* the backend fails a read-ahead: the caller's own read reports it */
    sec = 20000;
    assert_int_equal(bf_ring_rw(r, false, sec, 512, buf), 0);
    assert_int_equal(bf_ring_rw(r, false, sec + 512, 512, buf), 0);   /* queues 20992.. */
    f->has_error_sector = true;
    f->error_sector = sec + 1100;
    assert_true(r->ra_n > 0);
    assert_int_equal(bf_ring_rw(r, false, sec + 1024, 512, buf), PB_EIO);
    assert_non_null(strstr(pb_errmsg(), "xen/xvda: read error at sector 21024 (512 sectors)"));
    f->has_error_sector = false;
    assert_int_equal(bf_ring_rw(r, false, sec + 1024, 512, buf), 0);   /* works again */
    check_pattern(buf, (sec + 1024) * 512, 256u << 10);

    /* drain frees the read-ahead; only the pool and indirect pages stay granted */
    assert_int_equal(bf_ring_rw(r, false, sec + 1536, 512, buf), 0);
    assert_int_equal(bf_ring_drain(r, UINT64_MAX), 0);
    assert_int_equal(r->ra_n, 0);
    assert_int_equal(r->pool_top, BF_PERSISTENT_POOL_PAGES);
    assert_false(f->protocol_violation);
    bf_ring_fini(r);
    assert_int_equal(f->active, 0);
    free(r);

    fake_free(f);

    /* off: no read-ahead requests at all */
    f = fake_new(32768, 512, 4);
    f->persistent = true;
    r = ring_new(f, 256);
    assert_int_equal(bf_ring_enable_persistent(r, 256), 0);
    r->readahead = false;
    for (sec = 0; sec < 4096; sec += 512)
        assert_int_equal(bf_ring_rw(r, false, sec, 512, buf), 0);
    assert_int_equal(r->stats.ra_requests, 0);
    check_pattern(buf, 3584ull * 512, 256u << 10);
    ring_free(r);
    free(raw);
    fake_free(f);
}

/* Persistent grants negotiated but no pool (e.g. out of memory): the
 * backend still maps every grant writable, so nothing may be read-only. */
static void test_grant_rw_fallback(void **state)
{
    (void)state;
    struct fake *f = fake_new(4096, 512, 1);
    struct bf_ring *r = ring_new(f, 256);
    f->persistent = true;
    r->grant_rw = true;
    uint8_t *buf = aligned_alloc(4096, 1u << 20);
    memset(buf, 0x5c, 1u << 20);
    assert_int_equal(bf_ring_rw(r, true, 8, 2048, buf), 0);      /* indirect write */
    assert_false(f->protocol_violation);
    assert_int_equal(f->disk[8 * 512], 0x5c);
    assert_int_equal(bf_ring_rw(r, false, 0, 2048, buf), 0);
    assert_false(f->protocol_violation);
    check_pattern(buf, 0, 8 * 512);
    assert_int_equal(f->active, 0);
    free(buf);
    ring_free(r);
    fake_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vbd_names),
        cmocka_unit_test(test_dev_names),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_read_indirect),
        cmocka_unit_test(test_read_direct_ring_full),
        cmocka_unit_test(test_multipage_ring),
        cmocka_unit_test(test_read_unaligned),
        cmocka_unit_test(test_write_4k),
        cmocka_unit_test(test_error_response),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_bad_response_id),
        cmocka_unit_test(test_range_and_grant_shortage),
        cmocka_unit_test(test_persistent),
        cmocka_unit_test(test_readahead),
        cmocka_unit_test(test_grant_rw_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
