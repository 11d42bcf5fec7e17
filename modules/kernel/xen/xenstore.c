/* SPDX-License-Identifier: MIT */
/*
 * Xenstore client over the shared ring (docs §8).  Synchronous requests
 * matched by req_id; WATCH_EVENT messages (which may arrive at any time once
 * a watch exists) are queued for pb_xs_wait_event().  The reader keeps its
 * partial-message state across calls, so a timed-out request never breaks
 * the framing of the stream: a late reply is recognised by its req_id and
 * dropped.  Encoding/decoding is in xs_msg.c (pure, unit-tested).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xen_internal.h"
#include "ring.h"
#include "xs_msg.h"
#include "pvboot/err.h"
#include "pvboot/time.h"

#define RING_SIZE ((uint32_t)XENSTORE_RING_SIZE)
#define MAX_QUEUED_EVENTS 256
#define MAX_WATCHES 64

static volatile struct xenstore_domain_interface *xs;
static evtchn_port_t xs_port;
static uint32_t next_req_id = 1;
static unsigned late_replies;          /* requests that timed out, reply pending */

static struct pb_xs_reader rd;         /* reply stream decoder (xs_msg.c) */
static unsigned resyncs;               /* corrupt reply streams recovered from */

struct event { struct event *next; char *path, *token; };
static struct event *ev_head, **ev_tail = &ev_head;
static unsigned ev_count;

static struct { char *path, *token; } watches[MAX_WATCHES];
static unsigned nwatches;

void pb_xs_init(void)
{
    if (!pb_boot.store_ring) {
        pb_kprintf("pvboot: no xenstore ring; xenstore unavailable\n");
        return;
    }
    xs = pb_boot.store_ring;
    xs_port = pb_boot.store_port;
    uint64_t id;
    if (pb_xs_read_u64(0, "domid", &id) == 0 && id < DOMID_FIRST_RESERVED)
        pb_domid = (domid_t)id;
    else
        pb_kprintf("pvboot: cannot read our domid from xenstore: %s\n", pb_errmsg());
}

static void notify(void)
{
    struct evtchn_send s = { .port = xs_port };
    hyp_evtchn_op(EVTCHNOP_send, &s);
}

static int send_bytes(const void *data, size_t len, uint64_t deadline)
{
    const char *p = data;
    while (len) {
        uint32_t cons = xs->req_cons, prod = xs->req_prod;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (pb_ring_used(prod, cons, RING_SIZE) < 0)
            return pb_error(PB_EXEN, "xenstore: request ring indices corrupt (prod %u cons %u)",
                            prod, cons);
        size_t n = pb_ring_put((char *)xs->req, RING_SIZE, prod, cons, p, len);
        if (n) {
            __atomic_thread_fence(__ATOMIC_RELEASE);
            xs->req_prod = prod + (uint32_t)n;
            notify();
            p += n;
            len -= n;
            continue;
        }
        pb_evtchn_clear(xs_port);
        if (xs->req_prod - xs->req_cons < RING_SIZE)
            continue;
        if (pb_evtchn_wait(&xs_port, 1, deadline) == PB_ETIMEDOUT)
            return pb_error(PB_ETIMEDOUT, "xenstore: request ring full for 5 s (xenstored not answering)");
    }
    return 0;
}

/* Highest req_id we have sent (replies must not name a later one). */
static uint32_t last_req_id(void)
{
    return next_req_id == 1 ? UINT32_MAX : next_req_id - 1;
}

#define RESYNC_QUIET_NS (50ull * 1000000ull)

/*
 * The reply stream lost its framing (a header that fails
 * pb_xs_header_check).  Drop what was buffered and every byte the ring holds
 * until it has stayed empty for RESYNC_QUIET_NS (the rest of the bad message
 * may still be arriving), bounded by @deadline.  Replies in flight are lost:
 * the caller's request fails (with @why, printed on the console as well,
 * since callers often clear errors of optional reads) and later requests
 * start on a clean stream.  Returns PB_EXEN.
 */
static int resync(uint64_t deadline, const char *why)
{
    char msg[200];
    snprintf(msg, sizeof msg, "%s", why);
    size_t dropped = pb_xs_reader_resync(&rd);
    uint64_t quiet_until = pb_time_ns() + RESYNC_QUIET_NS;
    for (unsigned guard = 0; guard < 100000; guard++) {
        uint32_t cons = xs->rsp_cons, prod = xs->rsp_prod;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint32_t used = prod - cons;
        if (used > RING_SIZE) {            /* indices themselves corrupt: trust prod */
            used = 0;
            cons = prod;
            xs->rsp_cons = prod;
        }
        if (used) {
            dropped += used;
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            xs->rsp_cons = cons + used;
            notify();
            quiet_until = pb_time_ns() + RESYNC_QUIET_NS;
            continue;
        }
        uint64_t now = pb_time_ns();
        if (now >= quiet_until || now >= deadline)
            break;
        pb_evtchn_clear(xs_port);
        if (xs->rsp_prod != xs->rsp_cons)
            continue;
        pb_evtchn_wait(&xs_port, 1, quiet_until < deadline ? quiet_until : deadline);
    }
    pb_evtchn_clear(xs_port);
    late_replies = 0;                      /* their replies may be gone; ids tell */
    resyncs++;
    pb_kprintf("pvboot: %s; dropped %zu bytes of the reply stream and resynchronised "
               "(the pending request failed)\n", msg, dropped);
    return pb_error(PB_EXEN, "%s; reply stream resynchronised, request failed", msg);
}

/* Pull bytes until one whole message is in rd.  Returns 1 when complete,
 * PB_ETIMEDOUT, or PB_EXEN after a corrupt stream was resynchronised. */
static int pump(uint64_t deadline)
{
    for (unsigned guard = 0; guard < 1000000; guard++) {
        long want = pb_xs_reader_want(&rd, last_req_id());
        if (want < 0)
            return resync(deadline, pb_errmsg());
        if (want == 0)
            return 1;
        uint32_t cons = xs->rsp_cons, prod = xs->rsp_prod;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (pb_ring_used(prod, cons, RING_SIZE) < 0) {
            char why[96];
            snprintf(why, sizeof why, "xenstore: reply ring indices corrupt (prod %u cons %u)",
                     prod, cons);
            return resync(deadline, why);
        }
        static unsigned char tmp[PB_XS_MSG_MAX];
        size_t n = pb_ring_get((const char *)xs->rsp, RING_SIZE, prod, cons, (char *)tmp,
                               (size_t)want);
        if (n) {
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            xs->rsp_cons = cons + (uint32_t)n;
            notify();
            pb_xs_reader_push(&rd, tmp, n, last_req_id());
            continue;
        }
        pb_evtchn_clear(xs_port);
        if (xs->rsp_prod != xs->rsp_cons)
            continue;
        if (pb_evtchn_wait(&xs_port, 1, deadline) == PB_ETIMEDOUT)
            return PB_ETIMEDOUT;
    }
    return pb_error(PB_EXEN, "xenstore: reply stream makes no progress");
}

static void queue_event(const char *payload, size_t len)
{
    const char *path, *token;
    if (pb_xs_parse_watch(payload, len, &path, &token))
        return;
    if (ev_count >= MAX_QUEUED_EVENTS) {
        struct event *old = ev_head;         /* drop the oldest */
        ev_head = old->next;
        if (!ev_head)
            ev_tail = &ev_head;
        free(old->path);
        free(old->token);
        free(old);
        ev_count--;
    }
    struct event *e = malloc(sizeof *e);
    if (!e)
        return;
    e->path = strdup(path);
    e->token = strdup(token);
    e->next = NULL;
    if (!e->path || !e->token) {
        free(e->path);
        free(e->token);
        free(e);
        return;
    }
    *ev_tail = e;
    ev_tail = &e->next;
    ev_count++;
}

/* Forget the message in rd after use. */
static void consume(void)
{
    pb_xs_reader_next(&rd);
}

/* Handle messages until the reply to @req_id arrives (or an event, when
 * @req_id is 0).  Watch events are queued.  Returns 1 with the reply left in
 * rd (consume() it), or a negative error. */
static int wait_reply(uint32_t req_id, uint64_t deadline, struct xsd_sockmsg *h)
{
    for (unsigned guard = 0; guard < 100000; guard++) {
        int rc = pump(deadline);
        if (rc != 1)
            return rc;
        char *payload;
        if (pb_xs_reader_msg(&rd, h, &payload) < 0)
            return pb_error(PB_EXEN, "xenstore: internal: no whole message after pump");
        if (h->type == XS_WATCH_EVENT) {
            queue_event(payload, h->len);
            consume();
            if (req_id == 0)
                return 1;
            continue;
        }
        if (h->req_id == req_id && req_id != 0)
            return 1;
        if (late_replies)
            late_replies--;                  /* a reply to a timed-out request */
        consume();
    }
    return pb_error(PB_EXEN, "xenstore: too many unexpected messages");
}

/*
 * One request/reply exchange.  On success *reply (malloc'd, NUL-terminated,
 * may be NULL if @reply is NULL) and *reply_len are set.
 */
static int request(uint32_t type, pb_xs_tx tx, const char *const *parts, unsigned nparts,
                   bool last_raw, char **reply, size_t *reply_len)
{
    if (!xs)
        return pb_error(PB_EXEN, "xenstore unavailable");
    static unsigned char msg[PB_XS_MSG_MAX];
    uint32_t id = next_req_id++;
    if (next_req_id == 0)
        next_req_id = 1;
    long len = pb_xs_build(msg, sizeof msg, type, id, tx, parts, nparts, last_raw);
    if (len < 0)
        return (int)len;
    uint64_t deadline = pb_time_ns() + PB_XS_TIMEOUT_NS;
    int rc = send_bytes(msg, (size_t)len, deadline);
    if (rc)
        return rc;
    struct xsd_sockmsg h;
    rc = wait_reply(id, deadline, &h);
    if (rc == PB_ETIMEDOUT) {
        late_replies++;
        return pb_error(PB_ETIMEDOUT, "xenstore: no reply to request type %u (%s) within 5 s",
                        type, nparts ? parts[0] : "");
    }
    if (rc < 0)
        return rc;
    char *payload;
    if (pb_xs_reader_msg(&rd, &h, &payload) < 0)
        return pb_error(PB_EXEN, "xenstore: internal: reply vanished");
    if (h.type == XS_ERROR) {
        int code = pb_xs_error_code(payload, h.len);
        char name[16];
        snprintf(name, sizeof name, "%s", payload);
        consume();
        return pb_error(code, "xenstore: %s %s: %s", type == XS_READ ? "read" :
                        type == XS_WRITE ? "write" : type == XS_DIRECTORY ? "directory" :
                        type == XS_RM ? "rm" : type == XS_MKDIR ? "mkdir" :
                        type == XS_WATCH ? "watch" : "request",
                        nparts ? parts[0] : "", name);
    }
    if (h.type != type) {
        consume();
        return pb_error(PB_EXEN, "xenstore: reply type %u to request type %u", h.type, type);
    }
    if (reply) {
        char *r = malloc(h.len + 1);
        if (!r) {
            consume();
            return pb_error(PB_ENOMEM, "xenstore: no memory for a %u-byte reply", h.len);
        }
        memcpy(r, payload, h.len + 1);
        *reply = r;
    }
    if (reply_len)
        *reply_len = h.len;
    consume();
    return 0;
}

int pb_xs_read(pb_xs_tx t, const char *path, char **value)
{
    const char *parts[] = { path };
    return request(XS_READ, t, parts, 1, false, value, NULL);
}

int pb_xs_read_u64(pb_xs_tx t, const char *path, uint64_t *v)
{
    char *s;
    int rc = pb_xs_read(t, path, &s);
    if (rc)
        return rc;
    rc = pb_xs_parse_uint(s, v);
    if (rc)
        pb_error(rc, "xenstore: %s = \"%.32s\" is not a number", path, s);
    free(s);
    return rc;
}

int pb_xs_write(pb_xs_tx t, const char *path, const char *value)
{
    const char *parts[] = { path, value };
    return request(XS_WRITE, t, parts, 2, true, NULL, NULL);
}

int pb_xs_printf(pb_xs_tx t, const char *path, const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return pb_error(PB_ENOMEM, "xenstore: no memory to format %s", path);
    int rc = pb_xs_write(t, path, s);
    free(s);
    return rc;
}

int pb_xs_rm(pb_xs_tx t, const char *path)
{
    const char *parts[] = { path };
    return request(XS_RM, t, parts, 1, false, NULL, NULL);
}

int pb_xs_mkdir(pb_xs_tx t, const char *path)
{
    const char *parts[] = { path };
    return request(XS_MKDIR, t, parts, 1, false, NULL, NULL);
}

int pb_xs_directory(pb_xs_tx t, const char *path, char ***names, unsigned *n)
{
    const char *parts[] = { path };
    char *r;
    size_t len;
    int rc = request(XS_DIRECTORY, t, parts, 1, false, &r, &len);
    if (rc)
        return rc;
    rc = pb_xs_split(r, len, names, n);
    free(r);
    return rc;
}

int pb_xs_transaction_start(pb_xs_tx *t)
{
    const char *parts[] = { "" };
    char *r;
    int rc = request(XS_TRANSACTION_START, 0, parts, 1, false, &r, NULL);
    if (rc)
        return rc;
    uint64_t id;
    rc = pb_xs_parse_uint(r, &id);
    free(r);
    if (rc || id == 0 || id > UINT32_MAX)
        return pb_error(PB_EXEN, "xenstore: bad transaction id");
    *t = (pb_xs_tx)id;
    return 0;
}

int pb_xs_transaction_end(pb_xs_tx t, bool abort_tx)
{
    const char *parts[] = { abort_tx ? "F" : "T" };
    return request(XS_TRANSACTION_END, t, parts, 1, false, NULL, NULL);
}

int pb_xs_watch(const char *path, const char *token)
{
    if (nwatches >= MAX_WATCHES)
        return pb_error(PB_ENOMEM, "xenstore: too many watches (%u)", nwatches);
    const char *parts[] = { path, token };
    int rc = request(XS_WATCH, 0, parts, 2, false, NULL, NULL);
    if (rc)
        return rc;
    watches[nwatches].path = strdup(path);
    watches[nwatches].token = strdup(token);
    nwatches++;
    return 0;
}

static void forget_events(const char *token)
{
    for (struct event **pp = &ev_head; *pp;) {
        struct event *e = *pp;
        if (strcmp(e->token, token) == 0) {
            *pp = e->next;
            free(e->path);
            free(e->token);
            free(e);
            ev_count--;
        } else {
            pp = &e->next;
        }
    }
    ev_tail = &ev_head;
    while (*ev_tail)
        ev_tail = &(*ev_tail)->next;
}

int pb_xs_unwatch(const char *path, const char *token)
{
    const char *parts[] = { path, token };
    int rc = request(XS_UNWATCH, 0, parts, 2, false, NULL, NULL);
    for (unsigned i = 0; i < nwatches; i++) {
        if (watches[i].path && watches[i].token && strcmp(watches[i].path, path) == 0 &&
            strcmp(watches[i].token, token) == 0) {
            free(watches[i].path);
            free(watches[i].token);
            watches[i] = watches[--nwatches];
            break;
        }
    }
    forget_events(token);
    return rc;
}

int pb_xs_unwatch_all(void)
{
    int rc = 0;
    for (unsigned guard = 0; nwatches && guard < MAX_WATCHES; guard++) {
        char *p = strdup(watches[nwatches - 1].path ? watches[nwatches - 1].path : "");
        char *t = strdup(watches[nwatches - 1].token ? watches[nwatches - 1].token : "");
        unsigned before = nwatches;
        int r = p && t ? pb_xs_unwatch(p, t) : PB_ENOMEM;
        if (nwatches == before)
            nwatches--;             /* could not match it: forget anyway */
        if (r)
            rc = r;
        free(p);
        free(t);
    }
    return rc;
}

bool pb_xs_idle(void)
{
    return nwatches == 0 && late_replies == 0 && rd.have == 0;
}

static int take_event(const char *token, char **path, char **tok)
{
    for (struct event **pp = &ev_head; *pp; pp = &(*pp)->next) {
        struct event *e = *pp;
        if (token && strcmp(e->token, token) != 0)
            continue;
        *pp = e->next;
        if (!*pp)
            ev_tail = pp;
        ev_count--;
        if (path)
            *path = e->path;
        else
            free(e->path);
        if (tok)
            *tok = e->token;
        else
            free(e->token);
        free(e);
        return 1;
    }
    return 0;
}

static int wait_event_token(const char *token, uint64_t deadline, char **path, char **tok)
{
    if (!xs)
        return pb_error(PB_EXEN, "xenstore unavailable");
    for (unsigned guard = 0; guard < 100000; guard++) {
        if (take_event(token, path, tok))
            return 0;
        struct xsd_sockmsg h;
        int rc = wait_reply(0, deadline, &h);
        if (rc == PB_ETIMEDOUT)
            return PB_ETIMEDOUT;
        if (rc < 0)
            return rc;
    }
    return pb_error(PB_EXEN, "xenstore: too many events");
}

int pb_xs_wait_event(uint64_t deadline_ns, char **path, char **token)
{
    int rc = wait_event_token(NULL, deadline_ns, path, token);
    if (rc == PB_ETIMEDOUT)
        return pb_error(PB_ETIMEDOUT, "xenstore: no watch event before the deadline");
    return rc;
}

int pb_xs_wait_state(const char *path, int lo, int hi, uint64_t deadline_ns, int *state)
{
    char token[48];
    static unsigned seq;
    snprintf(token, sizeof token, "pvboot-state-%u", ++seq);
    *state = -1;
    int rc = pb_xs_watch(path, token);
    if (rc)
        return rc;
    for (;;) {
        uint64_t v;
        if (pb_xs_read_u64(0, path, &v) == 0 && v <= 0x7fffffff) {
            *state = (int)v;
            if (*state >= lo && *state <= hi) {
                rc = 0;
                break;
            }
        }
        rc = wait_event_token(token, deadline_ns, NULL, NULL);
        if (rc == PB_ETIMEDOUT) {
            rc = pb_error(PB_ETIMEDOUT, "xenstore: %s stayed at %d (waited for %d..%d)",
                          path, *state, lo, hi);
            break;
        }
        if (rc < 0)
            break;
    }
    int saved = rc;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", pb_errmsg());
    pb_xs_unwatch(path, token);
    if (saved)
        pb_error(saved, "%s", msg);
    return saved;
}
