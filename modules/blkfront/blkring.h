/* SPDX-License-Identifier: MIT */
/*
 * blkfront's pure logic, shared by the Xen module and the hosted unit tests
 * (tests/unit/test_blkfront*.c):
 *
 *  - vbd id -> disk name decoding (xen-vbd-interface(7));
 *  - the I/O engine on one blkif ring (xen/io/blkif.h): request ids,
 *    building requests from a buffer (11 direct segments, or indirect
 *    descriptors), keeping many requests in flight, consuming and checking
 *    responses, bounce buffers for buffers that are not sector aligned.
 *
 * The engine never touches Xen directly: granting a page, ending a grant,
 * notifying the backend and waiting for an event go through
 * struct bf_platform, so a test can put a fake backend behind the ring.
 *
 * Units: every `sector` / `nr_sectors` here is a 512-byte sector (blkif's
 * sector_number unit, see docs/xen-pv-boot.md §10), whatever the device's
 * logical `sector-size`; byte quantities say `bytes`.
 */
#ifndef PVBOOT_BLKFRONT_BLKRING_H
#define PVBOOT_BLKFRONT_BLKRING_H

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

/* xen/io/ring.h wants the includer's barriers (interface >= 0x00030208). */
#ifndef xen_mb
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <xen/io/blkif.h>

#define BF_PAGE_SIZE 4096u
#define BF_SECTORS_PER_PAGE 8u            /* 512-byte sectors in a 4 KiB page */
/* Descriptors in one indirect page: 4096 / sizeof(blkif_request_segment) */
#define BF_SEGS_PER_INDIRECT_PAGE (BF_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* Our cap on segments per indirect request (Linux blkback offers 256). */
#define BF_MAX_INDIRECT_SEGS 1024u
#define BF_MAX_INDIRECT_PAGES \
    ((BF_MAX_INDIRECT_SEGS + BF_SEGS_PER_INDIRECT_PAGE - 1) / BF_SEGS_PER_INDIRECT_PAGE)
/* Cap on data pages granted at once over all requests in flight (16 MiB). */
#define BF_MAX_INFLIGHT_SEGS 4096u
/* Bounce buffer for unaligned caller buffers: pages. */
#define BF_BOUNCE_PAGES 512u
/* Largest ring we negotiate: 2^BF_MAX_RING_ORDER pages. */
#define BF_MAX_RING_ORDER 4u

/* ------------------------------------------------------------------ names */

/**
 * bf_vbd_name() - decode a vbd id (the `device/vbd/<id>` directory name)
 * into the Linux-style device name, per xen-vbd-interface(7):
 *   1<<28 | disk<<8 | part   -> xvd (disks >= 16, parts up to 255)
 *   202<<8 | disk<<4 | part  -> xvd (disk 0..15, part 0..15)
 *   8<<8   | disk<<4 | part  -> sd  (disk 0..15)
 *   3<<8   | disk<<6 | part  -> hd  (hda, hdb); 22<<8 -> hdc, hdd
 * Disk letters go a..z, aa..zz, aaa.. like Linux; a partition number > 0 is
 * appended ("sda3").  Writes a NUL-terminated name to @out (@outlen bytes).
 * Returns 0, or PB_EINVAL for an id that fits no scheme (then @out holds
 * "vbd<id>" so the disk still gets a unique name) or PB_ERANGE if @outlen is
 * too small.
 */
int bf_vbd_name(uint32_t vbd_id, char *out, size_t outlen);

/**
 * bf_dev_name_ok() - true if @dev (the backend's `dev` key, untrusted) is
 * usable as a disk name: 1..15 characters of [a-z0-9], starting with a
 * letter (e.g. "xvda", "sda1", "hdc").
 */
bool bf_dev_name_ok(const char *dev);

/**
 * bf_xenbus_state_name() - "Initialising", "InitWait"... for messages;
 * "state N" style text for unknown values is the caller's job (returns "?").
 */
const char *bf_xenbus_state_name(int state);

/* ------------------------------------------------------------- segments */

/** One data segment: a 4 KiB page and a run of 512-byte sectors in it. */
struct bf_seg {
    uintptr_t page;        /* page-aligned address of the data page */
    uint8_t first_sect;    /* 0..7, inclusive */
    uint8_t last_sect;     /* first_sect..7, inclusive */
};

/**
 * bf_split_segments() - cut the buffer @buf (512-byte aligned) holding
 * @nr_sectors 512-byte sectors into per-page segments, at most @max_segs.
 * Returns the number of segments written to @segs and sets *@sectors_done to
 * the 512-byte sectors they cover (less than @nr_sectors when @max_segs ran
 * out).  Returns 0 if @buf is not 512-aligned or @nr_sectors is 0.
 */
unsigned bf_split_segments(uintptr_t buf, uint64_t nr_sectors, struct bf_seg *segs,
                           unsigned max_segs, uint64_t *sectors_done);

/* --------------------------------------------------------------- engine */

/** Services the engine needs (Xen: pb_gnttab_*, pb_evtchn_*; tests: fakes). */
struct bf_platform {
    /* Grant the backend access to the page at @page (page aligned);
     * @readonly for pages it only reads. 0 or a PB_E* code. */
    int (*grant)(void *ctx, uintptr_t page, bool readonly, grant_ref_t *ref);
    /* End access; PB_EBUSY if the backend still has it mapped. */
    int (*end_grant)(void *ctx, grant_ref_t ref);
    /* Kick the backend's event channel. */
    void (*notify)(void *ctx);
    /* Wait until the backend may have produced responses, or until
     * @deadline_ns (now_ns clock). 0, or PB_ETIMEDOUT. Must clear the
     * event before returning so the next wait blocks again. */
    int (*wait)(void *ctx, uint64_t deadline_ns);
    /* Monotonic nanoseconds. */
    uint64_t (*now_ns)(void *ctx);
    /* Page-aligned, zeroed memory for the bounce buffer / indirect pages. */
    void *(*alloc_pages)(void *ctx, size_t n);
    void (*free_pages)(void *ctx, void *p, size_t n);
    void *ctx;
};

/** Per-slot bookkeeping of a request in flight. */
struct bf_shadow {
    bool in_use;
    uint8_t op;                     /* BLKIF_OP_READ / BLKIF_OP_WRITE */
    uint16_t nr_segs;
    uint16_t nr_ind;                /* indirect pages used */
    uint64_t sector;                /* first 512-byte sector */
    uint64_t nr_sectors;
    uintptr_t user;                 /* persistent mode: caller's buffer for this request */
    grant_ref_t *grefs;             /* nr_segs data grants, or pool indexes when persistent */
    grant_ref_t ind_grefs[BF_MAX_INDIRECT_PAGES];
    uint16_t next_free;
    bool ra;                        /* read-ahead request (no caller buffer) */
    bool done;                      /* read-ahead: answered, data in the pool */
    int16_t status;                 /* read-ahead: the backend's answer */
};

struct bf_stats {
    uint64_t requests;              /* requests pushed */
    uint64_t sectors;               /* 512-byte sectors transferred */
    uint64_t bounced_bytes;         /* bytes copied through the bounce buffer */
    unsigned max_inflight;          /* most requests in flight at once */
    uint64_t notifies;
    uint64_t waits;
    uint64_t ra_requests;           /* read-ahead requests pushed */
    uint64_t ra_hit_sectors;        /* 512-byte sectors handed out from read-ahead */
    uint64_t ra_dropped;            /* read-ahead requests thrown away unused */
    uint64_t copy_ns;               /* time copying between pool/bounce and callers */
    uint64_t wait_ns;               /* time blocked waiting for the backend */
};

/** One blkif ring and its in-flight state. */
struct bf_ring {
    blkif_front_ring_t front;
    unsigned nr_slots;              /* RING_SIZE */
    struct bf_shadow *shadow;       /* nr_slots entries */
    grant_ref_t *gref_pool;         /* nr_slots * max_segs */
    void **ind_pages;               /* nr_slots * ind_per_req page pointers (or NULL) */
    unsigned ind_per_req;           /* indirect pages per slot */
    uint16_t free_head;             /* free-list of slots (0xffff = none) */
    unsigned inflight;              /* requests on the ring */
    unsigned inflight_segs;         /* data grants held */
    unsigned max_segs;              /* per request: 11, or indirect max */
    bool indirect;                  /* use BLKIF_OP_INDIRECT */
    bool dead;                      /* protocol broken / timed out: refuse I/O */
    uint16_t handle;                /* blkif_vdev_t (vbd id) */
    uint32_t sector_size;           /* logical, bytes (512 or 4096...) */
    uint64_t nr_sectors;            /* disk size, 512-byte sectors */
    uint64_t timeout_ns;            /* no progress for this long = error */
    const char *name;               /* disk name for messages */
    uint8_t *bounce;                /* BF_BOUNCE_PAGES pages, lazily allocated */
    /* persistent grants (backend feature-persistent): data moves through a
     * pool of pages granted once; indirect pages are granted once too */
    bool persistent;
    bool grant_rw;                  /* never grant read-only: the backend maps
                                       every grant writable (blkback does once
                                       persistent grants were negotiated) */
    unsigned pool_pages;
    uint8_t *pool;                  /* pool_pages contiguous pages */
    grant_ref_t *pool_gref;         /* per pool page */
    uint16_t *pool_free;            /* stack of free pool page indexes */
    unsigned pool_top;
    grant_ref_t *ind_gref;          /* per indirect page (nr_slots * ind_per_req) */
    bool *ind_granted;
    /* sequential read-ahead (persistent mode only, see bf_ring_rw) */
    bool readahead;                 /* enabled (bf_ring_enable_persistent sets it) */
    bool queue_ra;                  /* queue_request: mark the slot read-ahead */
    int last_slot;                  /* slot used by the last queue_request */
    uint16_t *ra_q;                 /* FIFO of read-ahead slots, nr_slots entries */
    unsigned ra_head, ra_n;
    unsigned ra_inflight;           /* read-ahead requests not yet answered */
    uint64_t ra_off;                /* sectors of the head entry already handed out */
    uint64_t ra_next;               /* sector after the last read-ahead queued */
    uint64_t ra_window;             /* current read-ahead distance, sectors */
    uint64_t last_end;              /* sector after the caller's previous read */
    struct bf_seg *ra_segs;         /* scratch, max_segs entries */
    struct bf_platform plat;
    struct bf_stats stats;
};

/**
 * bf_ring_init() - set up @r over the shared ring page(s) @sring
 * (@ring_pages pages; the caller ran SHARED_RING_INIT before granting them
 * to the backend; FRONT_RING_INIT is done here).  @max_indirect is the backend's
 * feature-max-indirect-segments (0 = none; capped at BF_MAX_INDIRECT_SEGS).
 * Allocates the shadow table and indirect pages.  Returns 0 or PB_ENOMEM /
 * PB_EINVAL (bad sector size or ring size).
 */
int bf_ring_init(struct bf_ring *r, void *sring, unsigned ring_pages, unsigned max_indirect,
                 uint16_t handle, uint32_t sector_size, uint64_t nr_sectors,
                 const char *name, const struct bf_platform *plat);

/* Pool size for persistent grants: Linux blkback keeps at most 1056
 * persistent grants per ring (data and indirect pages together). */
#define BF_PERSISTENT_POOL_PAGES 1024u
/* Largest read-ahead distance, 512-byte sectors (4 MiB, the whole
 * persistent pool: the caller's own requests run only when the read-ahead
 * queue is empty). */
#define BF_RA_MAX_SECTORS 8192u

/**
 * bf_ring_enable_persistent() - switch @r (idle, just initialised) to
 * persistent grants: allocate @pool_pages pages and grant them once; data is
 * copied between the pool and callers' buffers (any alignment), so the
 * backend never maps or unmaps per request.  Use when the backend's
 * `feature-persistent` is 1 after we wrote ours.  Returns 0 or
 * PB_ENOMEM / grant errors (the ring then stays in per-request mode).
 */
int bf_ring_enable_persistent(struct bf_ring *r, unsigned pool_pages);

/**
 * bf_ring_fini() - free what bf_ring_init allocated.  Only when nothing is in
 * flight (else the memory stays, with a message, since the backend may still
 * write it).  The shared ring pages belong to the caller.
 */
void bf_ring_fini(struct bf_ring *r);

/**
 * bf_ring_rw() - read (@write false) or write @nr_sectors 512-byte sectors
 * at 512-byte @sector, into/from @buf (any alignment).  Keeps as many
 * requests in flight as the ring, the segment cap and the grant table allow.
 * With persistent grants and @r->readahead, a read that starts where the
 * previous one ended also queues read-ahead requests for the sectors that
 * follow (up to BF_RA_MAX_SECTORS, doubling from twice the read's size),
 * so the backend works on the next range while the caller copies this one;
 * the next sequential read takes its data from them.  Any other read, any
 * write and the bounce path first wait for and drop the read-ahead; a
 * read-ahead the backend failed is dropped and the range re-read, so errors
 * are reported for the caller's own request.
 * I/O is widened to the device's sector_size (read-modify-write for writes)
 * when @sector/@nr_sectors are not aligned to it.
 * Returns 0; PB_ERANGE past the end of the disk; PB_EIO when the backend
 * answered an error (message names the disk and the request's sector range);
 * PB_ETIMEDOUT when it stopped answering (the ring is then marked dead);
 * PB_ENOMEM / grant errors.
 */
int bf_ring_rw(struct bf_ring *r, bool write, uint64_t sector, uint64_t nr_sectors, void *buf);

/**
 * bf_ring_drain() - wait (until @deadline_ns) for every request in flight to
 * complete and end its grants.  Returns 0 or PB_ETIMEDOUT.
 */
int bf_ring_drain(struct bf_ring *r, uint64_t deadline_ns);

#endif
