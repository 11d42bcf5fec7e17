/* SPDX-License-Identifier: MIT */
/*
 * The blkif I/O engine (see blkring.h): many requests in flight on one ring,
 * direct (11 segments) or indirect requests, checked responses, bounce
 * buffer for unaligned buffers, widening to the device's sector size.
 * Protocol: xen/io/blkif.h, docs/xen-pv-boot.md §10.
 */
#include <stdlib.h>
#include <string.h>

#include "pvboot/err.h"
#include "blkring.h"

#define SLOT_NONE 0xffffu

unsigned bf_seg_limit;   /* experiment: cap segments per request (0 = none) */
bool bf_ra_disable;      /* experiment (disktest raalt=): no read-ahead on any ring */
/* How often to retry ending a grant the backend still holds. */
#define END_GRANT_RETRIES 1000

/*
 * Copy for the bounce buffer and the persistent pool: 32 bytes per loop
 * iteration with plain (possibly unaligned) 8-byte moves.  libc memcpy's
 * `rep movsb` is fast on hardware but runs one byte per translated-block
 * dispatch under QEMU TCG, where xenlab measures; this loop is fast on both.
 * The attribute keeps gcc from turning the loop back into a memcpy call.
 */
#ifndef __clang__   /* clang (fuzz build) has no such optimize attribute */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
static void bf_copy(void *dst, const void *src, size_t len)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (len >= 32) {
        uint64_t a, b, c, e;
        __builtin_memcpy(&a, s, 8);
        __builtin_memcpy(&b, s + 8, 8);
        __builtin_memcpy(&c, s + 16, 8);
        __builtin_memcpy(&e, s + 24, 8);
        __builtin_memcpy(d, &a, 8);
        __builtin_memcpy(d + 8, &b, 8);
        __builtin_memcpy(d + 16, &c, 8);
        __builtin_memcpy(d + 24, &e, 8);
        d += 32;
        s += 32;
        len -= 32;
    }
    while (len--)
        *d++ = *s++;
}

unsigned bf_split_segments(uintptr_t buf, uint64_t nr_sectors, struct bf_seg *segs,
                           unsigned max_segs, uint64_t *sectors_done)
{
    unsigned n = 0;
    uint64_t done = 0;

    if (sectors_done)
        *sectors_done = 0;
    if ((buf & 511u) || nr_sectors == 0)
        return 0;
    while (done < nr_sectors && n < max_segs) {
        uintptr_t page = buf & ~(uintptr_t)(BF_PAGE_SIZE - 1);
        unsigned first = (unsigned)((buf & (BF_PAGE_SIZE - 1)) >> 9);
        uint64_t cnt = BF_SECTORS_PER_PAGE - first;
        if (cnt > nr_sectors - done)
            cnt = nr_sectors - done;
        segs[n].page = page;
        segs[n].first_sect = (uint8_t)first;
        segs[n].last_sect = (uint8_t)(first + cnt - 1);
        n++;
        done += cnt;
        buf += cnt << 9;
    }
    if (sectors_done)
        *sectors_done = done;
    return n;
}

/* ---------------------------------------------------------------- slots */

static int slot_alloc(struct bf_ring *r)
{
    uint16_t s = r->free_head;
    if (s == SLOT_NONE)
        return -1;
    r->free_head = r->shadow[s].next_free;
    r->shadow[s].in_use = true;
    return s;
}

static void slot_free(struct bf_ring *r, unsigned s)
{
    r->shadow[s].in_use = false;
    r->shadow[s].ra = false;
    r->shadow[s].done = false;
    r->shadow[s].nr_segs = 0;
    r->shadow[s].nr_ind = 0;
    r->shadow[s].next_free = r->free_head;
    r->free_head = (uint16_t)s;
}

static void end_grant(struct bf_ring *r, grant_ref_t ref);

int bf_ring_init(struct bf_ring *r, void *sring, unsigned ring_pages, unsigned max_indirect,
                 uint16_t handle, uint32_t sector_size, uint64_t nr_sectors,
                 const char *name, const struct bf_platform *plat)
{
    memset(r, 0, sizeof(*r));
    r->plat = *plat;
    r->name = name;
    if (sector_size < 512 || sector_size > BF_PAGE_SIZE || (sector_size & (sector_size - 1)))
        return pb_error(PB_ENOTSUP, "%s: unsupported sector-size %u (need a power of two, 512..4096)",
                        name, sector_size);
    if (ring_pages == 0 || ring_pages > (1u << BF_MAX_RING_ORDER) || (ring_pages & (ring_pages - 1)))
        return pb_error(PB_EINVAL, "%s: bad ring size of %u pages", name, ring_pages);
    blkif_sring_t *s = sring;
    FRONT_RING_INIT(&r->front, s, (size_t)ring_pages * BF_PAGE_SIZE);
    r->nr_slots = RING_SIZE(&r->front);
    if (r->nr_slots == 0 || r->nr_slots >= SLOT_NONE)
        return pb_error(PB_EINVAL, "%s: bad ring size %u", name, r->nr_slots);
    r->handle = handle;
    r->sector_size = sector_size;
    r->nr_sectors = nr_sectors;
    r->timeout_ns = 30ull * 1000000000ull;
    if (max_indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
        r->indirect = true;
        r->max_segs = max_indirect < BF_MAX_INDIRECT_SEGS ? max_indirect : BF_MAX_INDIRECT_SEGS;
        r->ind_per_req = (r->max_segs + BF_SEGS_PER_INDIRECT_PAGE - 1) / BF_SEGS_PER_INDIRECT_PAGE;
    } else {
        r->max_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
    }
    r->shadow = calloc(r->nr_slots, sizeof(*r->shadow));
    r->gref_pool = calloc((size_t)r->nr_slots * r->max_segs, sizeof(grant_ref_t));
    r->ra_q = calloc(r->nr_slots, sizeof(*r->ra_q));
    r->ra_segs = calloc(r->max_segs, sizeof(*r->ra_segs));
    if (!r->shadow || !r->gref_pool || !r->ra_q || !r->ra_segs)
        goto nomem;
    if (r->indirect) {
        size_t nind = (size_t)r->nr_slots * r->ind_per_req;
        r->ind_pages = calloc(nind, sizeof(void *));
        if (!r->ind_pages)
            goto nomem;
        for (size_t i = 0; i < nind; i++) {
            r->ind_pages[i] = r->plat.alloc_pages(r->plat.ctx, 1);
            if (!r->ind_pages[i])
                goto nomem;
        }
    }
    r->free_head = SLOT_NONE;
    for (unsigned i = r->nr_slots; i-- > 0;) {
        r->shadow[i].grefs = r->gref_pool + (size_t)i * r->max_segs;
        r->shadow[i].in_use = true;
        slot_free(r, i);
    }
    return 0;
nomem:
    bf_ring_fini(r);
    return pb_error(PB_ENOMEM, "%s: out of memory for the blkif ring state", name);
}

int bf_ring_enable_persistent(struct bf_ring *r, unsigned pool_pages)
{
    if (r->persistent || r->inflight)
        return pb_error(PB_EINVAL, "%s: persistent grants: ring not idle", r->name);
    if (pool_pages == 0 || pool_pages > 0xffffu || pool_pages > BF_MAX_INFLIGHT_SEGS)
        return pb_error(PB_EINVAL, "%s: persistent pool of %u pages", r->name, pool_pages);
    size_t nind = (size_t)r->nr_slots * r->ind_per_req;
    r->pool = r->plat.alloc_pages(r->plat.ctx, pool_pages);
    r->pool_gref = calloc(pool_pages, sizeof(*r->pool_gref));
    r->pool_free = calloc(pool_pages, sizeof(*r->pool_free));
    r->ind_gref = calloc(nind ? nind : 1, sizeof(*r->ind_gref));
    r->ind_granted = calloc(nind ? nind : 1, sizeof(*r->ind_granted));
    unsigned granted = 0;
    int rc = 0;
    if (!r->pool || !r->pool_gref || !r->pool_free || !r->ind_gref || !r->ind_granted) {
        rc = pb_error(PB_ENOMEM, "%s: no memory for %u persistent pages", r->name, pool_pages);
    } else {
        for (; granted < pool_pages; granted++) {
            rc = r->plat.grant(r->plat.ctx, (uintptr_t)(r->pool + (size_t)granted * BF_PAGE_SIZE),
                               false, &r->pool_gref[granted]);
            if (rc < 0)
                break;
        }
    }
    if (rc < 0) {
        for (unsigned i = 0; i < granted; i++)
            end_grant(r, r->pool_gref[i]);
        if (r->pool)
            r->plat.free_pages(r->plat.ctx, r->pool, pool_pages);
        free(r->pool_gref);
        free(r->pool_free);
        free(r->ind_gref);
        free(r->ind_granted);
        r->pool = NULL;
        return rc;
    }
    for (unsigned i = 0; i < pool_pages; i++)
        r->pool_free[i] = (uint16_t)(pool_pages - 1 - i);
    r->pool_top = pool_pages;
    r->pool_pages = pool_pages;
    r->persistent = true;
    r->readahead = true;
    r->last_end = UINT64_MAX;
    return 0;
}

void bf_ring_fini(struct bf_ring *r)
{
    if (r->inflight) {
        pb_error(PB_EBUSY, "%s: %u requests still in flight; ring memory kept", r->name, r->inflight);
        return;
    }
    if (r->persistent) {
        for (unsigned i = 0; i < r->pool_pages; i++)
            end_grant(r, r->pool_gref[i]);
        for (size_t i = 0; i < (size_t)r->nr_slots * r->ind_per_req; i++)
            if (r->ind_granted[i])
                end_grant(r, r->ind_gref[i]);
        r->plat.free_pages(r->plat.ctx, r->pool, r->pool_pages);
        free(r->pool_gref);
        free(r->pool_free);
        free(r->ind_gref);
        free(r->ind_granted);
        r->pool = NULL;
        r->persistent = false;
    }
    if (r->ind_pages) {
        for (size_t i = 0; i < (size_t)r->nr_slots * r->ind_per_req; i++)
            if (r->ind_pages[i])
                r->plat.free_pages(r->plat.ctx, r->ind_pages[i], 1);
        free(r->ind_pages);
        r->ind_pages = NULL;
    }
    if (r->bounce) {
        r->plat.free_pages(r->plat.ctx, r->bounce, BF_BOUNCE_PAGES);
        r->bounce = NULL;
    }
    free(r->gref_pool);
    free(r->shadow);
    free(r->ra_q);
    free(r->ra_segs);
    r->gref_pool = NULL;
    r->shadow = NULL;
    r->ra_q = NULL;
    r->ra_segs = NULL;
    r->ra_n = 0;
}

/* End one grant; the backend unmaps before it answers, so EBUSY is rare. */
static void end_grant(struct bf_ring *r, grant_ref_t ref)
{
    for (int i = 0; i < END_GRANT_RETRIES; i++) {
        int rc = r->plat.end_grant(r->plat.ctx, ref);
        if (rc != PB_EBUSY)
            return;
    }
    pb_error(PB_EBUSY, "%s: backend still maps grant %u; leaving it", r->name, ref);
}

static void release_slot_grants(struct bf_ring *r, struct bf_shadow *sh)
{
    if (r->persistent) {           /* grants stay; pool pages go back */
        for (unsigned i = 0; i < sh->nr_segs; i++)
            r->pool_free[r->pool_top++] = (uint16_t)sh->grefs[i];
        sh->nr_segs = 0;
        sh->nr_ind = 0;
        return;
    }
    for (unsigned i = 0; i < sh->nr_segs; i++)
        end_grant(r, sh->grefs[i]);
    for (unsigned i = 0; i < sh->nr_ind; i++)
        end_grant(r, sh->ind_grefs[i]);
    sh->nr_segs = 0;
    sh->nr_ind = 0;
}

/*
 * Put one request for up to the segment cap starting at @sector / @va on the
 * ring (not yet pushed).  *@done gets the 512-byte sectors it covers.
 * Returns 0, PB_EBUSY if no grant could be had (retry after completions),
 * or another error.
 */
static int queue_request(struct bf_ring *r, uint8_t op, uint64_t sector, uintptr_t va,
                         uint64_t nr_sectors, uint64_t *done, struct bf_seg *segs, unsigned cap)
{
    if (BF_MAX_INFLIGHT_SEGS - r->inflight_segs < cap)
        cap = BF_MAX_INFLIGHT_SEGS - r->inflight_segs;
    if (r->persistent && r->pool_top < cap)
        cap = r->pool_top;
    if (cap == 0)
        return PB_EBUSY;
    uint64_t cover;
    unsigned n;
    uint64_t ss_sect = r->sector_size >> 9;
    if (r->persistent) {
        /* whole pool pages from their first sector; the caller's buffer
         * may have any alignment (data is copied) */
        uint64_t max = (uint64_t)cap * BF_SECTORS_PER_PAGE;
        cover = nr_sectors < max ? nr_sectors : max;
        cover -= cover % ss_sect;
        if (cover == 0)
            return pb_error(PB_EINVAL, "%s: internal: request below sector size", r->name);
        n = (unsigned)((cover + BF_SECTORS_PER_PAGE - 1) / BF_SECTORS_PER_PAGE);
        for (unsigned i = 0; i < n; i++) {
            uint64_t left = cover - (uint64_t)i * BF_SECTORS_PER_PAGE;
            segs[i].page = 0;
            segs[i].first_sect = 0;
            segs[i].last_sect = (uint8_t)((left < BF_SECTORS_PER_PAGE ? left : BF_SECTORS_PER_PAGE) - 1);
        }
    } else {
        n = bf_split_segments(va, nr_sectors, segs, cap, &cover);
        if (n == 0)
            return pb_error(PB_EINVAL, "%s: internal: unaligned request buffer", r->name);
        /* a large-sector device needs whole logical sectors per request */
        if (cover % ss_sect) {
            uint64_t want = cover - cover % ss_sect;
            if (want == 0)
                return pb_error(PB_EINVAL, "%s: internal: request below sector size", r->name);
            n = bf_split_segments(va, want, segs, cap, &cover);
        }
    }
    int s = slot_alloc(r);
    if (s < 0)
        return PB_EBUSY;
    struct bf_shadow *sh = &r->shadow[s];
    sh->user = va;
    sh->ra = r->queue_ra;
    sh->done = false;
    r->last_slot = s;
    if (r->persistent) {
        for (unsigned i = 0; i < n; i++) {
            uint16_t idx = r->pool_free[--r->pool_top];
            sh->grefs[i] = idx;
            sh->nr_segs = (uint16_t)(i + 1);
            if (op == BLKIF_OP_WRITE)
                bf_copy(r->pool + (size_t)idx * BF_PAGE_SIZE, (const void *)(va + (uintptr_t)i * BF_PAGE_SIZE),
                        ((size_t)segs[i].last_sect + 1) << 9);
        }
    } else {
        bool readonly = (op == BLKIF_OP_WRITE) && !r->grant_rw;   /* backend only reads our data */
        for (unsigned i = 0; i < n; i++) {
            int rc = r->plat.grant(r->plat.ctx, segs[i].page, readonly, &sh->grefs[i]);
            if (rc < 0) {
                release_slot_grants(r, sh);
                slot_free(r, s);
                return rc == PB_ENOMEM || rc == PB_EBUSY ? PB_EBUSY : rc;
            }
            sh->nr_segs = (uint16_t)(i + 1);
        }
    }
    blkif_request_t *req = RING_GET_REQUEST(&r->front, r->front.req_prod_pvt);
    if (n > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
        /* indirect: descriptors in our pages, granted read-only */
        unsigned nind = (n + BF_SEGS_PER_INDIRECT_PAGE - 1) / BF_SEGS_PER_INDIRECT_PAGE;
        blkif_request_indirect_t ind;
        memset(&ind, 0, sizeof(ind));
        for (unsigned p = 0; p < nind; p++) {
            struct blkif_request_segment *d = r->ind_pages[(size_t)s * r->ind_per_req + p];
            unsigned lo = p * BF_SEGS_PER_INDIRECT_PAGE;
            for (unsigned i = lo; i < n && i < lo + BF_SEGS_PER_INDIRECT_PAGE; i++) {
                d[i - lo].gref = r->persistent ? r->pool_gref[sh->grefs[i]] : sh->grefs[i];
                d[i - lo].first_sect = segs[i].first_sect;
                d[i - lo].last_sect = segs[i].last_sect;
            }
            size_t ip = (size_t)s * r->ind_per_req + p;
            if (r->persistent && r->ind_granted[ip]) {
                sh->ind_grefs[p] = r->ind_gref[ip];
            } else {
                /* blkback maps persistent grants writable even for pages it
                 * only reads, so they must not be granted read-only */
                int rc = r->plat.grant(r->plat.ctx, (uintptr_t)d, !r->persistent && !r->grant_rw,
                                       &sh->ind_grefs[p]);
                if (rc < 0) {
                    release_slot_grants(r, sh);
                    slot_free(r, s);
                    return rc == PB_ENOMEM || rc == PB_EBUSY ? PB_EBUSY : rc;
                }
                if (r->persistent) {          /* kept until bf_ring_fini */
                    r->ind_gref[ip] = sh->ind_grefs[p];
                    r->ind_granted[ip] = true;
                }
            }
            sh->nr_ind = (uint16_t)(p + 1);
            ind.indirect_grefs[p] = sh->ind_grefs[p];
        }
        ind.operation = BLKIF_OP_INDIRECT;
        ind.indirect_op = op;
        ind.nr_segments = (uint16_t)n;
        ind.id = (uint64_t)s;
        ind.sector_number = sector;
        ind.handle = r->handle;
        memcpy(req, &ind, sizeof(ind));
    } else {
        blkif_request_t d;
        memset(&d, 0, sizeof(d));
        d.operation = op;
        d.nr_segments = (uint8_t)n;
        d.handle = r->handle;
        d.id = (uint64_t)s;
        d.sector_number = sector;
        for (unsigned i = 0; i < n; i++) {
            d.seg[i].gref = r->persistent ? r->pool_gref[sh->grefs[i]] : sh->grefs[i];
            d.seg[i].first_sect = segs[i].first_sect;
            d.seg[i].last_sect = segs[i].last_sect;
        }
        memcpy(req, &d, sizeof(d));
    }
    r->front.req_prod_pvt++;
    sh->op = op;
    sh->sector = sector;
    sh->nr_sectors = cover;
    r->inflight++;
    r->inflight_segs += n;
    if (r->inflight > r->stats.max_inflight)
        r->stats.max_inflight = r->inflight;
    r->stats.requests++;
    *done = cover;
    return 0;
}

static const char *rsp_text(int16_t status)
{
    switch (status) {
    case BLKIF_RSP_ERROR: return "BLKIF_RSP_ERROR";
    case BLKIF_RSP_EOPNOTSUPP: return "BLKIF_RSP_EOPNOTSUPP";
    default: return "an unknown status";
    }
}

/*
 * Consume every response available.  Returns the number consumed; *@err
 * receives the first I/O error (with its message) if none was recorded yet.
 */
static unsigned consume(struct bf_ring *r, int *err)
{
    unsigned got = 0;
    int more;
    do {
        RING_IDX rp = r->front.sring->rsp_prod;
        xen_rmb();
        if (rp - r->front.rsp_cons > r->nr_slots) {
            r->dead = true;
            if (!*err)
                *err = pb_error(PB_EIO, "%s: backend protocol error: response producer %u "
                                "is %u ahead of our consumer (ring of %u)", r->name, rp,
                                rp - r->front.rsp_cons, r->nr_slots);
            return got;
        }
        for (RING_IDX i = r->front.rsp_cons; i != rp; i++) {
            blkif_response_t rsp;
            memcpy(&rsp, RING_GET_RESPONSE(&r->front, i), sizeof(rsp));
            got++;
            if (rsp.id >= r->nr_slots || !r->shadow[rsp.id].in_use || r->shadow[rsp.id].done) {
                r->dead = true;
                if (!*err)
                    *err = pb_error(PB_EIO, "%s: backend protocol error: response for unknown "
                                    "request id %llu", r->name, (unsigned long long)rsp.id);
                continue;
            }
            struct bf_shadow *sh = &r->shadow[rsp.id];
            unsigned nseg = sh->nr_segs;
            if (sh->ra) {            /* data stays in the pool until asked for */
                sh->done = true;
                sh->status = rsp.status;
                r->inflight--;
                r->ra_inflight--;
                r->inflight_segs -= nseg;
                continue;
            }
            if (r->persistent && sh->op == BLKIF_OP_READ && rsp.status == BLKIF_RSP_OKAY) {
                uint64_t t0 = r->plat.now_ns(r->plat.ctx);
                uint64_t left = sh->nr_sectors << 9;
                for (unsigned k = 0; k < nseg; k++) {
                    size_t len = left < BF_PAGE_SIZE ? (size_t)left : BF_PAGE_SIZE;
                    bf_copy((void *)(sh->user + (uintptr_t)k * BF_PAGE_SIZE),
                            r->pool + (size_t)sh->grefs[k] * BF_PAGE_SIZE, len);
                    left -= len;
                }
                r->stats.copy_ns += r->plat.now_ns(r->plat.ctx) - t0;
            }
            release_slot_grants(r, sh);
            r->inflight--;
            r->inflight_segs -= nseg;
            if (rsp.status != BLKIF_RSP_OKAY) {
                if (!*err)
                    *err = pb_error(PB_EIO, "%s: %s error at sector %llu (%llu sectors): "
                                    "backend answered %s (%d)", r->name,
                                    sh->op == BLKIF_OP_WRITE ? "write" : "read",
                                    (unsigned long long)sh->sector,
                                    (unsigned long long)sh->nr_sectors, rsp_text(rsp.status),
                                    rsp.status);
            } else {
                r->stats.sectors += sh->nr_sectors;
            }
            slot_free(r, (unsigned)rsp.id);
        }
        r->front.rsp_cons = rp;
        RING_FINAL_CHECK_FOR_RESPONSES(&r->front, more);
    } while (more);
    return got;
}

/* Oldest in-flight sector, for timeout messages. */
static uint64_t oldest_sector(const struct bf_ring *r)
{
    uint64_t best = UINT64_MAX;
    for (unsigned i = 0; i < r->nr_slots; i++)
        if (r->shadow[i].in_use && r->shadow[i].sector < best)
            best = r->shadow[i].sector;
    return best;
}

/* Wait for responses, no longer than the no-progress timeout. */
static int wait_progress(struct bf_ring *r, uint64_t since, int *err)
{
    uint64_t deadline = since + r->timeout_ns;
    r->stats.waits++;
    for (unsigned spins = 0; spins < 1000000; spins++) {
        if (consume(r, err))
            return 0;
        uint64_t now = r->plat.now_ns(r->plat.ctx);
        if (now >= deadline) {
            uint64_t sec = oldest_sector(r);
            r->dead = true;
            return pb_error(PB_ETIMEDOUT, "%s: no answer from the backend for %llu s "
                            "(%u requests in flight, sector %llu); disk taken offline",
                            r->name, (unsigned long long)(r->timeout_ns / 1000000000ull),
                            r->inflight, (unsigned long long)sec);
        }
        uint64_t t0 = r->plat.now_ns(r->plat.ctx);
        r->plat.wait(r->plat.ctx, deadline);
        r->stats.wait_ns += r->plat.now_ns(r->plat.ctx) - t0;
    }
    r->dead = true;
    return pb_error(PB_ETIMEDOUT, "%s: backend event storm without responses; disk offline",
                    r->name);
}

/* The aligned core: @va aligned to the sector size, @sector/@nr too. */
static int do_io(struct bf_ring *r, uint8_t op, uint64_t sector, uint64_t nr_sectors, uintptr_t va)
{
    int err = 0;
    struct bf_seg segs[64];
    struct bf_seg *sg = segs;
    bool heap = false;
    if (r->max_segs > 64) {
        sg = malloc(sizeof(*sg) * r->max_segs);
        if (!sg)
            return pb_error(PB_ENOMEM, "%s: out of memory", r->name);
        heap = true;
    }
    unsigned seg_cap = r->max_segs;   /* halved while grants run short */
    if (bf_seg_limit && bf_seg_limit < seg_cap)
        seg_cap = bf_seg_limit;
    uint64_t since = r->plat.now_ns(r->plat.ctx);
    /* Bounded: each round either queues a request, consumes a response
     * or waits with a deadline that marks the ring dead. */
    while ((nr_sectors > 0 && !err) || r->inflight > 0) {
        bool queued = false;
        while (nr_sectors > 0 && !err && !r->dead && !RING_FULL(&r->front)) {
            uint64_t done = 0;
            int rc = queue_request(r, op, sector, va, nr_sectors, &done, sg, seg_cap);
            if (rc == PB_EBUSY && r->inflight == 0 && seg_cap > 1) {
                seg_cap /= 2;         /* fewer grants free than a full request needs */
                continue;
            }
            if (rc == PB_EBUSY) {
                if (r->inflight == 0)
                    err = pb_error(PB_EBUSY, "%s: no grant references or ring slots available",
                                   r->name);
                break;
            }
            if (rc < 0) {
                err = rc;
                break;
            }
            sector += done;
            nr_sectors -= done;
            va += done << 9;
            queued = true;
        }
        if (queued) {
            int notify;
            RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r->front, notify);
            if (notify) {
                r->stats.notifies++;
                r->plat.notify(r->plat.ctx);
            }
        }
        if (consume(r, &err)) {
            since = r->plat.now_ns(r->plat.ctx);
            continue;
        }
        if (r->dead)
            break;                 /* protocol error: stop, do not wait */
        if (r->inflight == 0)
            continue;
        int rc = wait_progress(r, since, &err);
        if (rc < 0) {
            if (heap)
                free(sg);
            return rc;
        }
        since = r->plat.now_ns(r->plat.ctx);
        if (r->dead)
            break;
    }
    if (heap)
        free(sg);
    if (!err && r->dead)
        err = pb_error(PB_EIO, "%s: disk is offline after a protocol error", r->name);
    return err;
}

/* ------------------------------------------------------------ read-ahead */

/* Give a read-ahead slot's pool pages back and free the slot. */
static void ra_release(struct bf_ring *r, unsigned slot)
{
    release_slot_grants(r, &r->shadow[slot]);
    slot_free(r, slot);
}

/* Wait until read-ahead slot @slot is answered (no-progress timeout as for
 * any request).  0, or PB_ETIMEDOUT / PB_EIO (ring dead). */
static int ra_wait(struct bf_ring *r, unsigned slot)
{
    int err = 0;
    uint64_t since = r->plat.now_ns(r->plat.ctx);
    for (unsigned spins = 0; !r->shadow[slot].done && spins < 1000000; spins++) {
        if (r->dead)
            break;
        if (consume(r, &err))
            since = r->plat.now_ns(r->plat.ctx);
        if (err)
            return err;
        if (r->shadow[slot].done)
            break;
        int rc = wait_progress(r, since, &err);
        if (rc < 0)
            return rc;
        if (err)
            return err;
    }
    if (!r->shadow[slot].done)
        return r->dead ? pb_error(PB_EIO, "%s: disk is offline after a protocol error", r->name)
                       : pb_error(PB_ETIMEDOUT, "%s: read-ahead never answered", r->name);
    return 0;
}

/* Wait for every read-ahead request and throw them all away. */
static int ra_drop(struct bf_ring *r)
{
    int rc = 0;
    while (r->ra_n) {
        unsigned slot = r->ra_q[r->ra_head];
        if (rc == 0 && !r->dead)
            rc = ra_wait(r, slot);
        if (!r->shadow[slot].done)
            break;                 /* dead ring: keep the pages, the backend may write them */
        ra_release(r, slot);
        r->ra_head = (r->ra_head + 1) % r->nr_slots;
        r->ra_n--;
        r->stats.ra_dropped++;
    }
    r->ra_off = 0;
    r->ra_window = 0;
    r->last_end = UINT64_MAX;
    return rc;
}

/* Copy @n sectors starting @off sectors into read-ahead slot @sh's data to @va. */
static void ra_copy(struct bf_ring *r, const struct bf_shadow *sh, uint64_t off, uint64_t n,
                    uintptr_t va)
{
    while (n > 0) {
        unsigned page = (unsigned)(off / BF_SECTORS_PER_PAGE);
        unsigned in = (unsigned)(off % BF_SECTORS_PER_PAGE);
        uint64_t k = BF_SECTORS_PER_PAGE - in;
        if (k > n)
            k = n;
        bf_copy((void *)va, r->pool + (size_t)sh->grefs[page] * BF_PAGE_SIZE + ((size_t)in << 9),
                (size_t)k << 9);
        va += (uintptr_t)(k << 9);
        off += k;
        n -= k;
    }
}

/* Queue read-ahead requests until r->ra_window sectors past last_end are
 * covered (bounded by the free pool pages). */
static void ra_fill(struct bf_ring *r)
{
    uint64_t next = r->ra_n ? r->ra_next : r->last_end;
    uint64_t ss_sect = r->sector_size >> 9;
    bool queued = false;
    for (unsigned guard = 0; guard < r->nr_slots; guard++) {
        if (next >= r->nr_sectors || next - r->last_end >= r->ra_window || RING_FULL(&r->front) ||
            r->ra_n >= r->nr_slots || r->dead)
            break;
        /* the caller's own requests run only once the read-ahead queue is
         * empty (ra_read), so read-ahead may use the whole pool */
        if (r->pool_top == 0)
            break;
        unsigned cap = r->pool_top;
        if (cap > r->max_segs)
            cap = r->max_segs;
        if (bf_seg_limit && bf_seg_limit < cap)
            cap = bf_seg_limit;
        uint64_t want = r->ra_window - (next - r->last_end);
        if (want > r->nr_sectors - next)
            want = r->nr_sectors - next;
        want -= want % ss_sect;
        if (want == 0 || (uint64_t)cap * BF_SECTORS_PER_PAGE < ss_sect)
            break;
        uint64_t done = 0;
        r->queue_ra = true;
        int rc = queue_request(r, BLKIF_OP_READ, next, 0, want, &done, r->ra_segs, cap);
        r->queue_ra = false;
        if (rc < 0) {              /* no slot or grant now: fine, it is only read-ahead */
            pb_error_clear();
            break;
        }
        r->ra_q[(r->ra_head + r->ra_n) % r->nr_slots] = (uint16_t)r->last_slot;
        r->ra_n++;
        r->ra_inflight++;
        r->stats.ra_requests++;
        next += done;
        queued = true;
    }
    r->ra_next = next;
    if (queued) {
        int notify;
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r->front, notify);
        if (notify) {
            r->stats.notifies++;
            r->plat.notify(r->plat.ctx);
        }
    }
}

/* A read in persistent mode (sector/nr aligned to the sector size): served
 * from read-ahead where it continues the previous read, then read-ahead is
 * topped up. */
static int ra_read(struct bf_ring *r, uint64_t sector, uint64_t nr, uintptr_t va)
{
    uint64_t start = sector, total = nr;
    int rc;
    if (r->ra_n) {
        const struct bf_shadow *h = &r->shadow[r->ra_q[r->ra_head]];
        if (sector != h->sector + r->ra_off && (rc = ra_drop(r)) < 0)
            return rc;
    }
    while (nr > 0 && r->ra_n) {
        unsigned slot = r->ra_q[r->ra_head];
        struct bf_shadow *sh = &r->shadow[slot];
        if ((rc = ra_wait(r, slot)) < 0)
            return rc;
        if (sh->status != BLKIF_RSP_OKAY) {
            if ((rc = ra_drop(r)) < 0)          /* re-read below: the error is reported */
                return rc;                      /* for the caller's own request */
            break;
        }
        uint64_t k = sh->nr_sectors - r->ra_off;
        if (k > nr)
            k = nr;
        uint64_t t0 = r->plat.now_ns(r->plat.ctx);
        ra_copy(r, sh, r->ra_off, k, va);
        r->stats.copy_ns += r->plat.now_ns(r->plat.ctx) - t0;
        r->stats.ra_hit_sectors += k;
        r->stats.sectors += k;
        va += (uintptr_t)(k << 9);
        sector += k;
        nr -= k;
        r->ra_off += k;
        if (r->ra_off == sh->nr_sectors) {
            ra_release(r, slot);
            r->ra_head = (r->ra_head + 1) % r->nr_slots;
            r->ra_n--;
            r->ra_off = 0;
        }
    }
    if (nr > 0 && (rc = do_io(r, BLKIF_OP_READ, sector, nr, va)) < 0) {
        r->last_end = UINT64_MAX;
        return rc;
    }
    bool sequential = start == r->last_end;
    r->last_end = start + total;
    if (!sequential) {
        r->ra_window = 0;
        return 0;
    }
    uint64_t w = r->ra_window * 2;
    if (w < total * 2)
        w = total * 2;
    r->ra_window = w < BF_RA_MAX_SECTORS ? w : BF_RA_MAX_SECTORS;
    ra_fill(r);
    return 0;
}

int bf_ring_drain(struct bf_ring *r, uint64_t deadline_ns)
{
    int err = 0;
    for (unsigned spins = 0; r->inflight > 0 && spins < 1000000; spins++) {
        if (consume(r, &err))
            continue;
        if (r->plat.now_ns(r->plat.ctx) >= deadline_ns)
            return pb_error(PB_ETIMEDOUT, "%s: %u requests still in flight at close",
                            r->name, r->inflight);
        r->plat.wait(r->plat.ctx, deadline_ns);
    }
    if (r->inflight)
        return PB_ETIMEDOUT;
    return ra_drop(r);            /* all answered: just frees the pages */
}

int bf_ring_rw(struct bf_ring *r, bool write, uint64_t sector, uint64_t nr_sectors, void *buf)
{
    uint8_t op = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
    if (r->dead)
        return pb_error(PB_EIO, "%s: disk is offline (backend stopped answering earlier)", r->name);
    if (nr_sectors == 0)
        return 0;
    if (sector > r->nr_sectors || nr_sectors > r->nr_sectors - sector)
        return pb_error(PB_ERANGE, "%s: %s of sectors %llu..%llu past the end (%llu sectors)",
                        r->name, write ? "write" : "read", (unsigned long long)sector,
                        (unsigned long long)(sector + nr_sectors - 1),
                        (unsigned long long)r->nr_sectors);
    uint64_t ss = r->sector_size >> 9;
    uintptr_t va = (uintptr_t)buf;
    bool aligned = sector % ss == 0 && nr_sectors % ss == 0;
    if (aligned && !write && r->persistent && r->readahead && !bf_ra_disable)
        return ra_read(r, sector, nr_sectors, va);
    if (r->ra_n) {                /* writes and the bounce path: no stale read-ahead */
        int rc = ra_drop(r);
        if (rc < 0)
            return rc;
    }
    r->last_end = UINT64_MAX;
    if (aligned && (r->persistent || va % r->sector_size == 0))
        return do_io(r, op, sector, nr_sectors, va);

    /* Through the bounce buffer, widened to whole logical sectors. */
    if (!r->bounce) {
        r->bounce = r->plat.alloc_pages(r->plat.ctx, BF_BOUNCE_PAGES);
        if (!r->bounce)
            return pb_error(PB_ENOMEM, "%s: no memory for the bounce buffer", r->name);
    }
    const uint64_t chunk = (uint64_t)BF_BOUNCE_PAGES * BF_SECTORS_PER_PAGE;
    uint64_t lo = sector - sector % ss;
    uint64_t end = sector + nr_sectors;
    uint64_t hi = end % ss ? end + (ss - end % ss) : end;
    if (hi > r->nr_sectors)
        return pb_error(PB_ERANGE, "%s: device size %llu is not a multiple of its %u-byte sectors",
                        r->name, (unsigned long long)r->nr_sectors, r->sector_size);
    uint8_t *out = buf;
    for (uint64_t cs = lo; cs < hi; cs += chunk) {
        uint64_t cn = hi - cs < chunk ? hi - cs : chunk;
        /* overlap of [cs, cs+cn) with the caller's [sector, end) */
        uint64_t a = cs > sector ? cs : sector;
        uint64_t b = cs + cn < end ? cs + cn : end;
        size_t boff = (size_t)((a - cs) << 9), bytes = (size_t)((b - a) << 9);
        uint8_t *user = out + ((a - sector) << 9);
        int rc;
        if (!write) {
            rc = do_io(r, op, cs, cn, (uintptr_t)r->bounce);
            if (rc < 0)
                return rc;
            bf_copy(user, r->bounce + boff, bytes);
        } else {
            if (a != cs || b != cs + cn) {    /* partial: read-modify-write */
                rc = do_io(r, BLKIF_OP_READ, cs, cn, (uintptr_t)r->bounce);
                if (rc < 0)
                    return rc;
            }
            bf_copy(r->bounce + boff, user, bytes);
            rc = do_io(r, op, cs, cn, (uintptr_t)r->bounce);
            if (rc < 0)
                return rc;
        }
        r->stats.bounced_bytes += bytes;
    }
    return 0;
}
