/* SPDX-License-Identifier: MIT */
/*
 * blkfront: every Xen virtual block device of the domain as a pb_disk.
 *
 * Discovery, XenbusState negotiation and teardown follow
 * docs/xen-pv-boot.md §10 and xen/io/blkif.h; the I/O engine is blkring.c.
 * All vbds are connected in parallel against one deadline, so a backend
 * that never answers costs BF_CONNECT_TIMEOUT once, not once per disk.
 * Disks are named as GRUB names them, "xen/<dev>" (dev = the backend's
 * `dev` key, else decoded from the vbd id), with "hdN" aliases in vbd id
 * order over all vbds found (a disk that failed keeps its number).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/sched.h>
#include <xen/io/xenbus.h>
#include <xen/io/protocols.h>

#include "pvboot/cmdline.h"
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/kernel.h"
#include "pvboot/term.h"
#include "pvboot/time.h"
#include "pvboot/xen/platform.h"
#include "blkring.h"

#define BF_MAX_VBDS 64
#define BF_CONNECT_TIMEOUT_NS (10ull * 1000000000ull)
#define BF_CLOSE_STEP_TIMEOUT_NS (5ull * 1000000000ull)
#define BF_RING_ORDER_WANTED 2u        /* 4 pages = 128 slots if offered */
/* A backend found Closing/Closed gets this long to answer our reset
 * (frontend Initialising/Closed) by moving on; Linux blkback goes back to
 * InitWait within milliseconds.  Still Closed after that = reported. */
#define BF_CLOSED_GRACE_NS (1000000000ull)

enum bf_phase { PH_INITWAIT, PH_RESET_CLOSED, PH_CONNECTING, PH_UP, PH_FAILED };

struct blkfront {
    struct pb_disk disk;
    struct bf_ring ring;
    uint32_t vbd_id;
    char fe_path[48];            /* device/vbd/<id> */
    char *be_path;               /* backend directory (malloc'd) */
    char state_path[160];        /* <backend>/state (watched) */
    domid_t be_domid;
    enum bf_phase phase;
    evtchn_port_t port;
    bool port_open;
    void *sring;
    unsigned ring_order;
    unsigned nr_ring_refs;
    grant_ref_t ring_refs[1u << BF_MAX_RING_ORDER];
    uint32_t info;               /* VDISK_* */
    uint64_t max_indirect;
    bool feature_flush;
    bool feature_persistent;     /* backend agreed to persistent grants */
    bool spin;                   /* blkfront.spin: yield-poll before blocking */
    bool registered, ring_ok, closed;
    int be_state;
    uint64_t closed_since;       /* first seen Closing/Closed before connecting (0 = not) */
    unsigned hd;                 /* hdN number: position in vbd id order */
    char watch_token[24];
};

static struct blkfront *vbds[BF_MAX_VBDS];
static unsigned nr_vbds;

/* ------------------------------------------------------------ platform */

static int plat_grant(void *ctx, uintptr_t page, bool readonly, grant_ref_t *ref)
{
    struct blkfront *bf = ctx;
    return pb_gnttab_grant(bf->be_domid, pb_virt_to_mfn((void *)page), readonly, ref);
}

static int plat_end_grant(void *ctx, grant_ref_t ref)
{
    (void)ctx;
    return pb_gnttab_end(ref);
}

static void plat_notify(void *ctx)
{
    struct blkfront *bf = ctx;
    pb_evtchn_send(bf->port);
}

static bool spin_allowed(const struct blkfront *bf);

static int plat_wait(void *ctx, uint64_t deadline_ns)
{
    struct blkfront *bf = ctx;
    if (bf->spin) {
        /* blkfront.spin: keep the vCPU runnable (SCHEDOP_yield) instead of
         * blocking, for at most 200 ms, then block as usual */
        uint64_t until = pb_time_ns() + 200000000ull;
        if (deadline_ns && deadline_ns < until)
            until = deadline_ns;
        for (unsigned i = 0; i < 10000000u; i++) {
            if (pb_evtchn_clear(bf->port))
                return 0;
            if ((i & 63) == 63 && pb_time_ns() >= until)
                break;
            pb_hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
        }
    }
    int rc = pb_evtchn_wait(&bf->port, 1, deadline_ns);
    pb_evtchn_clear(bf->port);
    return rc;
}

static uint64_t plat_now(void *ctx)
{
    (void)ctx;
    return pb_time_ns();
}

static void *plat_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return pb_alloc_pages(n);
}

static void plat_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    pb_free_pages(p, n);
}

/* ------------------------------------------------------------ xenstore */

static int be_read_u64(struct blkfront *bf, const char *key, uint64_t *v)
{
    char path[200];
    snprintf(path, sizeof(path), "%s/%s", bf->be_path, key);
    return pb_xs_read_u64(0, path, v);
}

static int be_state(struct blkfront *bf)
{
    uint64_t v;
    if (be_read_u64(bf, "state", &v) < 0)
        return -1;
    return v > 255 ? 255 : (int)v;
}

static int fe_write(struct blkfront *bf, pb_xs_tx t, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fe_write(struct blkfront *bf, pb_xs_tx t, const char *key, const char *fmt, ...)
{
    char path[96], val[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", bf->fe_path, key);
    return pb_xs_write(t, path, val);
}

static int fe_set_state(struct blkfront *bf, int state)
{
    return fe_write(bf, 0, "state", "%d", state);
}

static void fe_rm(struct blkfront *bf, const char *key)
{
    char path[96];
    snprintf(path, sizeof(path), "%s/%s", bf->fe_path, key);
    pb_xs_rm(0, path);      /* absent is fine */
    pb_error_clear();
}

/* Wait (bounded) until the backend state is in [lo, hi]; -1 = vanished. */
static int wait_be_state(struct blkfront *bf, int lo, int hi, uint64_t deadline, int *state)
{
    int rc = pb_xs_wait_state(bf->state_path, lo, hi, deadline, state);
    return rc;
}

/* ----------------------------------------------------------- disk ops */

static int bf_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    struct blkfront *bf = d->priv;
    if (bf->phase != PH_UP)
        return pb_error(PB_EIO, "%s: disk is not connected", d->name);
    return bf_ring_rw(&bf->ring, false, sector, count, buf);
}

static int bf_write(struct pb_disk *d, uint64_t sector, uint64_t count, const void *buf)
{
    struct blkfront *bf = d->priv;
    if (bf->phase != PH_UP)
        return pb_error(PB_EIO, "%s: disk is not connected", d->name);
    if (d->flags & PB_DISK_F_READONLY)
        return pb_error(PB_EACCES, "%s: disk is read-only", d->name);
    return bf_ring_rw(&bf->ring, true, sector, count, (void *)buf);
}

static void release_ring(struct blkfront *bf);

/*
 * Close: drain -> Closing -> Closed -> revoke, close, remove keys ->
 * Initialising -> backend back in InitWait, so the next kernel's blkfront
 * connects from scratch (docs/xen-pv-boot.md §10 "Tearing down").
 */
static void bf_close(struct pb_disk *d)
{
    struct blkfront *bf = d->priv;
    int st = -1;
    if (bf->closed || bf->phase != PH_UP)
        return;
    bf->closed = true;
    uint64_t now = pb_time_ns();
    if (bf_ring_drain(&bf->ring, now + BF_CLOSE_STEP_TIMEOUT_NS) < 0)
        pb_print_error();
    fe_set_state(bf, XenbusStateClosing);
    if (wait_be_state(bf, XenbusStateClosing, XenbusStateClosed,
                      pb_time_ns() + BF_CLOSE_STEP_TIMEOUT_NS, &st) < 0) {
        pb_printf("blkfront: %s: backend did not reach Closing (state %d)\n", d->name, st);
        pb_error_clear();
    }
    fe_set_state(bf, XenbusStateClosed);
    if (wait_be_state(bf, XenbusStateClosed, XenbusStateClosed,
                      pb_time_ns() + BF_CLOSE_STEP_TIMEOUT_NS, &st) < 0) {
        pb_printf("blkfront: %s: backend did not reach Closed (state %d)\n", d->name, st);
        pb_error_clear();
    }
    bf_ring_fini(&bf->ring);
    release_ring(bf);
    fe_set_state(bf, XenbusStateInitialising);
    if (wait_be_state(bf, XenbusStateInitWait, XenbusStateInitWait,
                      pb_time_ns() + BF_CLOSE_STEP_TIMEOUT_NS, &st) < 0) {
        pb_printf("blkfront: %s: backend did not return to InitWait (state %d)\n", d->name, st);
        pb_error_clear();
    }
    bf->phase = PH_FAILED;     /* no more I/O */
}

static const struct pb_disk_ops bf_ops = {
    .read = bf_read,
    .write = bf_write,
    .close = bf_close,
};

/* ------------------------------------------------------------- connect */

/* Revoke ring grants, close the event channel, remove the frontend keys. */
static void release_ring(struct blkfront *bf)
{
    for (unsigned i = 0; i < bf->nr_ring_refs; i++) {
        int rc = PB_EBUSY;
        for (int tries = 0; tries < 100 && rc == PB_EBUSY; tries++) {
            rc = pb_gnttab_end(bf->ring_refs[i]);
            if (rc == PB_EBUSY)
                pb_sleep_ms(10);
        }
        if (rc < 0) {
            pb_printf("blkfront: %s: ring grant %u still mapped by the backend\n",
                      bf->disk.name, bf->ring_refs[i]);
            pb_error_clear();
            bf->sring = NULL;          /* leak the pages: the backend may write them */
        }
    }
    bf->nr_ring_refs = 0;
    if (bf->port_open) {
        pb_evtchn_close(bf->port);
        bf->port_open = false;
    }
    if (bf->sring) {
        pb_free_pages(bf->sring, 1u << bf->ring_order);
        bf->sring = NULL;
    }
    fe_rm(bf, "ring-ref");
    char key[16];
    for (unsigned i = 0; i < (1u << BF_MAX_RING_ORDER); i++) {
        snprintf(key, sizeof(key), "ring-ref%u", i);
        fe_rm(bf, key);
    }
    fe_rm(bf, "ring-page-order");
    fe_rm(bf, "num-ring-pages");
    fe_rm(bf, "event-channel");
    fe_rm(bf, "protocol");
    fe_rm(bf, "feature-persistent");
}

static void fail(struct blkfront *bf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct blkfront *bf, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pb_printf("blkfront: %s (vbd %u): %s; skipping this disk\n", bf->disk.name, bf->vbd_id, msg);
    pb_error_clear();
    if (bf->nr_ring_refs || bf->port_open)
        release_ring(bf);
    bf->phase = PH_FAILED;
}

/*
 * Persistent grants (blkif.h feature-persistent) are on by default, as in
 * Linux's blkfront: the backend maps the pool once instead of mapping and
 * unmapping every request's pages; we copy between the pool and the caller
 * (bf_copy).  Measured under xenlab, same run and image: 41-61 MiB/s with,
 * 33-50 MiB/s without.  Xen command-line knob (diagnostics, like Linux's
 * xen_blkfront module parameters): "blkfront.persistent=0" turns them off,
 * "blkfront.persistent=xvda" keeps them for that disk only.
 */
/* "KEY=0|1|DEV" on the Xen command line for this disk (words as
 * include/pvboot/cmdline.h splits them); @dflt if absent or unreadable. */
static bool knob(const struct blkfront *bf, const char *key, bool dflt)
{
    const char *cl = pb_xen_cmdline(), *v;
    char store[PB_CMDLINE_MAX];
    if (!cl)
        return dflt;
    int r = pb_cmdline_value(cl, key, store, &v);
    if (r <= 0) {
        if (r < 0)
            pb_error_clear();
        return dflt;
    }
    if ((v[0] == '0' || v[0] == '1') && v[1] == '\0')
        return v[0] == '1';
    return strcmp(bf->disk.name + 4, v) == 0;     /* after "xen/" */
}

static bool persistent_allowed(const struct blkfront *bf)
{
    return knob(bf, "blkfront.persistent=", true);
}

/* "blkfront.spin=1|DEV": poll with SCHEDOP_yield for up to 200 ms before
 * blocking.  Off: measured under xenlab (same run) 13-15 MiB/s spinning vs
 * 33-40 MiB/s blocking in SCHEDOP_poll; kept as an A/B knob. */
static bool spin_allowed(const struct blkfront *bf)
{
    return knob(bf, "blkfront.spin=", false);
}

/* Ring pages, grants, event channel, keys, state Initialised. */
static int start_connect(struct blkfront *bf)
{
    uint64_t max_order = 0;
    if (be_read_u64(bf, "max-ring-page-order", &max_order) < 0)
        max_order = 0;
    pb_error_clear();
    bf->ring_order = max_order < BF_RING_ORDER_WANTED ? (unsigned)max_order : BF_RING_ORDER_WANTED;
    unsigned pages = 1u << bf->ring_order;
    bf->sring = pb_alloc_pages(pages);
    if (!bf->sring)
        return pb_error(PB_ENOMEM, "no memory for a %u-page ring", pages);
    SHARED_RING_INIT((blkif_sring_t *)bf->sring);
    for (unsigned i = 0; i < pages; i++) {
        int rc = pb_gnttab_grant(bf->be_domid,
                                 pb_virt_to_mfn((char *)bf->sring + i * PB_PAGE_SIZE),
                                 false, &bf->ring_refs[i]);
        if (rc < 0)
            return rc;
        bf->nr_ring_refs = i + 1;
    }
    int rc = pb_evtchn_alloc_unbound(bf->be_domid, &bf->port);
    if (rc < 0)
        return rc;
    bf->port_open = true;
    for (int attempt = 0; attempt < 5; attempt++) {
        pb_xs_tx t;
        rc = pb_xs_transaction_start(&t);
        if (rc < 0)
            return rc;
        if (bf->ring_order == 0) {
            rc = fe_write(bf, t, "ring-ref", "%u", bf->ring_refs[0]);
        } else {
            rc = fe_write(bf, t, "ring-page-order", "%u", bf->ring_order);
            for (unsigned i = 0; rc == 0 && i < pages; i++) {
                char key[16];
                snprintf(key, sizeof(key), "ring-ref%u", i);
                rc = fe_write(bf, t, key, "%u", bf->ring_refs[i]);
            }
        }
        if (rc == 0)
            rc = fe_write(bf, t, "event-channel", "%u", bf->port);
        if (rc == 0)
            rc = fe_write(bf, t, "protocol", "%s", XEN_IO_PROTO_ABI_NATIVE);
        if (rc == 0 && persistent_allowed(bf))   /* backend maps our data pages once */
            rc = fe_write(bf, t, "feature-persistent", "%u", 1u);
        if (rc == 0)
            rc = fe_write(bf, t, "state", "%d", XenbusStateInitialised);
        if (rc < 0) {
            pb_xs_transaction_end(t, true);
            return rc;
        }
        rc = pb_xs_transaction_end(t, false);
        if (rc != PB_EAGAIN)
            return rc;
    }
    return pb_error(PB_EAGAIN, "xenstore transaction kept conflicting");
}

/* Backend Connected: read the geometry and features, set the ring up. */
static int finish_connect(struct blkfront *bf)
{
    uint64_t sectors = 0, ssize = 512, info = 0, v;
    if (be_read_u64(bf, "sectors", &sectors) < 0)
        return pb_error(PB_EIO, "backend %s has no 'sectors'", bf->be_path);
    if (be_read_u64(bf, "sector-size", &ssize) < 0)
        ssize = 512;
    if (be_read_u64(bf, "info", &info) < 0)
        info = 0;
    if (be_read_u64(bf, "feature-max-indirect-segments", &v) == 0)
        bf->max_indirect = v;
    if (be_read_u64(bf, "feature-flush-cache", &v) == 0)
        bf->feature_flush = v != 0;
    if (be_read_u64(bf, "feature-persistent", &v) == 0)
        bf->feature_persistent = v != 0;
    pb_error_clear();
    char path[200], *mode = NULL;
    snprintf(path, sizeof(path), "%s/mode", bf->be_path);
    if (pb_xs_read(0, path, &mode) == 0 && mode[0] == 'r')
        info |= VDISK_READONLY;
    free(mode);
    pb_error_clear();
    if (ssize > 0xffffffffu)
        return pb_error(PB_ENOTSUP, "sector-size %" PRIu64 " unsupported", ssize);
    if (sectors == 0 || sectors > (UINT64_MAX >> 10))
        return pb_error(PB_EIO, "backend reports %" PRIu64 " sectors", sectors);
    bf->info = (uint32_t)info;
    struct bf_platform plat = {
        .grant = plat_grant, .end_grant = plat_end_grant, .notify = plat_notify,
        .wait = plat_wait, .now_ns = plat_now, .alloc_pages = plat_alloc,
        .free_pages = plat_free, .ctx = bf,
    };
    unsigned maxind = bf->max_indirect > BF_MAX_INDIRECT_SEGS ? BF_MAX_INDIRECT_SEGS
                                                              : (unsigned)bf->max_indirect;
    int rc = bf_ring_init(&bf->ring, bf->sring, 1u << bf->ring_order, maxind,
                          (uint16_t)bf->vbd_id, (uint32_t)ssize, sectors, bf->disk.name, &plat);
    if (rc < 0)
        return rc;
    /* blkback maps every grant writable once both sides offered persistent
     * grants, even if we end up without a pool */
    bf->ring.grant_rw = bf->feature_persistent && persistent_allowed(bf);
    if (bf->ring.grant_rw && bf_ring_enable_persistent(&bf->ring, BF_PERSISTENT_POOL_PAGES) < 0) {
        pb_printf("blkfront: %s: persistent grants unavailable (%s); granting per request\n",
                  bf->disk.name, pb_errmsg());
        pb_error_clear();
    }
    /* "blkfront.readahead=0|1|DEV": sequential read-ahead (persistent mode) */
    if (!knob(bf, "blkfront.readahead=", true))
        bf->ring.readahead = false;
    bf->ring_ok = true;
    bf->spin = spin_allowed(bf);
    bf->disk.nr_sectors = sectors;
    bf->disk.sector_size = (uint32_t)ssize;
    bf->disk.flags = ((info & VDISK_READONLY) ? PB_DISK_F_READONLY : 0) |
                     ((info & VDISK_CDROM) ? PB_DISK_F_CDROM : 0) |
                     ((info & VDISK_REMOVABLE) ? PB_DISK_F_REMOVABLE : 0);
    fe_set_state(bf, XenbusStateConnected);
    pb_error_clear();
    return 0;
}

/* Advance one disk's state machine after its backend state changed. */
static void step(struct blkfront *bf)
{
    int st = be_state(bf);
    pb_error_clear();
    bf->be_state = st;
    if (st < 0) {
        fail(bf, "backend %s has no state (backend missing)", bf->be_path);
        return;
    }
    if ((bf->phase == PH_INITWAIT || bf->phase == PH_RESET_CLOSED) &&
        (st == XenbusStateClosing || st == XenbusStateClosed)) {
        /* a live backend leaves Closed as soon as it sees our reset; one
         * that stays there is broken or being removed: report it now
         * rather than at the connect deadline */
        uint64_t now = pb_time_ns();
        if (!bf->closed_since) {
            bf->closed_since = now;
        } else if (now - bf->closed_since >= BF_CLOSED_GRACE_NS) {
            fail(bf, "backend %s is %s (state %d) and did not answer a reset within %llu s",
                 bf->be_path, bf_xenbus_state_name(st), st,
                 BF_CLOSED_GRACE_NS / 1000000000ull);
            fe_set_state(bf, XenbusStateInitialising);
            pb_error_clear();
            return;
        }
    } else {
        bf->closed_since = 0;
    }
    switch (bf->phase) {
    case PH_INITWAIT:
        if (st == XenbusStateInitWait) {
            int rc = start_connect(bf);
            if (rc < 0) {
                fail(bf, "cannot connect: %s", pb_errmsg());
                return;
            }
            bf->phase = PH_CONNECTING;
        } else if (st == XenbusStateConnected || st == XenbusStateInitialised) {
            /* left connected by a previous boot stage: reset it */
            fe_set_state(bf, XenbusStateClosed);
            bf->phase = PH_RESET_CLOSED;
        } else if (st == XenbusStateClosing || st == XenbusStateClosed) {
            fe_set_state(bf, XenbusStateInitialising);
            if (st == XenbusStateClosing)
                fe_set_state(bf, XenbusStateClosed);
            bf->phase = PH_RESET_CLOSED;
        }
        break;
    case PH_RESET_CLOSED:
        if (st == XenbusStateClosed) {
            fe_set_state(bf, XenbusStateInitialising);
            bf->phase = PH_INITWAIT;
        } else if (st == XenbusStateInitWait) {
            bf->phase = PH_INITWAIT;
            step(bf);
        }
        break;
    case PH_CONNECTING:
        if (st == XenbusStateConnected) {
            int rc = finish_connect(bf);
            if (rc < 0) {
                fail(bf, "%s", pb_errmsg());
                return;
            }
            bf->phase = PH_UP;
        } else if (st == XenbusStateClosing || st == XenbusStateClosed) {
            fail(bf, "backend %s closed the connection (state %d %s)", bf->be_path, st,
                 bf_xenbus_state_name(st));
        }
        break;
    default:
        break;
    }
}

static int cmp_vbd(const void *a, const void *b)
{
    const struct blkfront *x = *(struct blkfront *const *)a, *y = *(struct blkfront *const *)b;
    return x->vbd_id < y->vbd_id ? -1 : x->vbd_id > y->vbd_id;
}

/* Strict decimal vbd id. */
static bool parse_id(const char *s, uint32_t *id)
{
    uint64_t v = 0;
    if (!*s || strlen(s) > 10)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > 0xffffffffu)
        return false;
    *id = (uint32_t)v;
    return true;
}

/* Create the per-vbd state from the frontend directory. */
static struct blkfront *probe_vbd(uint32_t id)
{
    struct blkfront *bf = calloc(1, sizeof(*bf));
    if (!bf)
        return NULL;
    bf->vbd_id = id;
    snprintf(bf->fe_path, sizeof(bf->fe_path), "device/vbd/%u", id);
    char path[96], *dev = NULL, name[16];
    if (bf_vbd_name(id, name, sizeof(name)) < 0)
        pb_error_clear();
    snprintf(path, sizeof(path), "%s/backend", bf->fe_path);
    if (pb_xs_read(0, path, &bf->be_path) < 0 || !bf->be_path[0] ||
        strlen(bf->be_path) > 120) {
        snprintf(bf->disk.name, sizeof(bf->disk.name), "xen/%s", name);
        fail(bf, "no usable 'backend' key in %s", bf->fe_path);
        return bf;
    }
    uint64_t bid = 0;
    snprintf(path, sizeof(path), "%s/backend-id", bf->fe_path);
    if (pb_xs_read_u64(0, path, &bid) < 0 || bid >= DOMID_FIRST_RESERVED) {
        snprintf(bf->disk.name, sizeof(bf->disk.name), "xen/%s", name);
        fail(bf, "no usable 'backend-id' key in %s", bf->fe_path);
        return bf;
    }
    bf->be_domid = (domid_t)bid;
    snprintf(path, sizeof(path), "%s/dev", bf->be_path);
    if (pb_xs_read(0, path, &dev) == 0 && bf_dev_name_ok(dev))
        snprintf(name, sizeof(name), "%s", dev);
    free(dev);
    pb_error_clear();
    snprintf(bf->disk.name, sizeof(bf->disk.name), "xen/%s", name);
    snprintf(bf->state_path, sizeof(bf->state_path), "%s/state", bf->be_path);
    bf->disk.ops = &bf_ops;
    bf->disk.priv = bf;
    bf->disk.order = id;
    bf->phase = PH_INITWAIT;
    return bf;
}

static bool all_settled(void)
{
    for (unsigned i = 0; i < nr_vbds; i++)
        if (vbds[i]->phase != PH_UP && vbds[i]->phase != PH_FAILED)
            return false;
    return true;
}

/** blkfront_scan() - find, connect and register every vbd (once). */
static void blkfront_scan(void)
{
    char **names = NULL;
    unsigned n = 0;
    int rc = pb_xs_directory(0, "device/vbd", &names, &n);
    if (rc < 0) {
        pb_error_clear();        /* no vbds at all */
        return;
    }
    for (unsigned i = 0; i < n && nr_vbds < BF_MAX_VBDS; i++) {
        uint32_t id;
        if (!parse_id(names[i], &id)) {
            pb_printf("blkfront: ignoring device/vbd/%.20s (not a vbd id)\n", names[i]);
            continue;
        }
        struct blkfront *bf = probe_vbd(id);
        if (!bf) {
            pb_printf("blkfront: out of memory\n");
            break;
        }
        vbds[nr_vbds++] = bf;
    }
    if (n > BF_MAX_VBDS)
        pb_printf("blkfront: %u vbds, using the first %u\n", n, BF_MAX_VBDS);
    free(names);
    if (nr_vbds)
        qsort(vbds, nr_vbds, sizeof(vbds[0]), cmp_vbd);
    /* hdN = position in vbd id order over every vbd found, connected or
     * not: a disk that fails keeps its number (its alias just does not
     * resolve), so hd1 stays hd1 when hd0 is broken (pvboot-disks(7)) */
    for (unsigned i = 0; i < nr_vbds; i++) {
        vbds[i]->hd = i;
        snprintf(vbds[i]->disk.alias, sizeof(vbds[i]->disk.alias), "hd%u", i);
    }

    /* watch every backend state; events just wake the loop below */
    for (unsigned i = 0; i < nr_vbds; i++) {
        struct blkfront *bf = vbds[i];
        if (bf->phase == PH_FAILED)
            continue;
        snprintf(bf->watch_token, sizeof(bf->watch_token), "blkfront-%u", bf->vbd_id);
        if (pb_xs_watch(bf->state_path, bf->watch_token) < 0)
            pb_error_clear();
        step(bf);
    }
    uint64_t deadline = pb_time_ns() + BF_CONNECT_TIMEOUT_NS;
    for (unsigned rounds = 0; rounds < 100000 && !all_settled(); rounds++) {
        uint64_t now = pb_time_ns();
        if (now >= deadline)
            break;
        uint64_t wake = now + 200000000ull;     /* re-poll at least every 0.2 s */
        if (wake > deadline)
            wake = deadline;
        if (pb_xs_wait_event(wake, NULL, NULL) < 0)
            pb_error_clear();
        for (unsigned i = 0; i < nr_vbds; i++)
            if (vbds[i]->phase != PH_UP && vbds[i]->phase != PH_FAILED)
                step(vbds[i]);
    }
    for (unsigned i = 0; i < nr_vbds; i++) {
        struct blkfront *bf = vbds[i];
        if (bf->watch_token[0] && pb_xs_unwatch(bf->state_path, bf->watch_token) < 0)
            pb_error_clear();
        if (bf->phase != PH_UP && bf->phase != PH_FAILED) {
            int st = bf->be_state;
            fail(bf, "backend %s did not connect within %llu s (backend state %d %s)",
                 bf->be_path, BF_CONNECT_TIMEOUT_NS / 1000000000ull, st,
                 bf_xenbus_state_name(st));
            fe_set_state(bf, XenbusStateInitialising);
            pb_error_clear();
        }
    }
    for (unsigned i = 0; i < nr_vbds; i++) {
        struct blkfront *bf = vbds[i];
        if (bf->phase != PH_UP)
            continue;
        if (pb_disk_register(&bf->disk) < 0) {
            pb_error_clear();
            snprintf(bf->disk.name, sizeof(bf->disk.name), "xen/vbd%u", bf->vbd_id);
            if (pb_disk_register(&bf->disk) < 0) {
                pb_printf("blkfront: cannot register vbd %u: %s\n", bf->vbd_id, pb_errmsg());
                pb_error_clear();
                bf_close(&bf->disk);
                continue;
            }
        }
        bf->registered = true;
    }
}

/* ------------------------------------------------------------- command */

static int cmd_lsvbd(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd; (void)argc; (void)argv;
    for (unsigned i = 0; i < nr_vbds; i++) {
        struct blkfront *bf = vbds[i];
        pb_printf("%-10s %-4s vbd %-6u %s\n", bf->disk.name, bf->disk.alias, bf->vbd_id,
                  bf->phase == PH_UP ? "connected" : bf->closed ? "closed" : "failed");
        if (bf->phase != PH_UP && !bf->closed)
            continue;
        pb_printf("  backend %s (dom %u), %" PRIu64 " sectors (%" PRIu64 " MiB), sector-size %u%s%s\n",
                  bf->be_path ? bf->be_path : "-", bf->be_domid, bf->disk.nr_sectors,
                  bf->disk.nr_sectors >> 11, bf->disk.sector_size,
                  (bf->disk.flags & PB_DISK_F_READONLY) ? ", read-only" : "",
                  (bf->disk.flags & PB_DISK_F_CDROM) ? ", cdrom" : "");
        pb_printf("  ring %u page(s) (%u slots), %u segments/request%s%s, "
                  "stats: %" PRIu64 " requests, %" PRIu64 " sectors, max %u in flight, "
                  "%" PRIu64 " bounced bytes, read-ahead %" PRIu64 " requests %" PRIu64
                  " sectors used %" PRIu64 " dropped%s; %" PRIu64 " ms copying, %" PRIu64
                  " ms waiting\n",
                  1u << bf->ring_order, bf->ring.nr_slots, bf->ring.max_segs,
                  bf->ring.indirect ? " (indirect)" : "",
                  bf->ring.persistent ? ", persistent grants" : "", bf->ring.stats.requests,
                  bf->ring.stats.sectors, bf->ring.stats.max_inflight,
                  bf->ring.stats.bounced_bytes, bf->ring.stats.ra_requests,
                  bf->ring.stats.ra_hit_sectors, bf->ring.stats.ra_dropped,
                  bf->ring.readahead ? "" : " (off)", bf->ring.stats.copy_ns / 1000000,
                  bf->ring.stats.wait_ns / 1000000);
    }
    return 0;
}

static struct pb_command lsvbd_cmd = {
    .name = "lsvbd",
    .fn = cmd_lsvbd,
    .usage = "",
    .summary = "List Xen virtual block devices, their backends and I/O statistics.",
};

/** pvboot_init_blkfront() - connect every vbd and register it as a disk. */
void pvboot_init_blkfront(void)
{
    pb_command_register(&lsvbd_cmd);
    blkfront_scan();
}
