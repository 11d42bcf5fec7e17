/* SPDX-License-Identifier: MIT */
/*
 * Console ring driver (docs §9): ring and port from the start-up (PV:
 * start_info console.domU; PVH: HVM_PARAM_CONSOLE_PFN/EVTCHN), pb_boot.
 * Output with flow control (bounded waits: a peer that never drains the ring
 * costs at most a few seconds, then output is dropped rather than hanging),
 * raw input bytes for the terminal core's VT100 key decoder, and flush.
 * Registered as the terminal "xencons" via pb_term_register().
 */
#include <string.h>
#include "xen_internal.h"
#include "ring.h"
#include "pvboot/term.h"
#include "pvboot/time.h"

#define OUT_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->out))
#define IN_SIZE  ((uint32_t)sizeof(((struct xencons_interface *)0)->in))
#define STALL_NS 3000000000ull      /* give up on a full ring after 3 s */

static volatile struct xencons_interface *ring;
static evtchn_port_t port;
static bool stalled;                /* last write timed out: do not wait again long */

#define barrier() __asm__ volatile("" ::: "memory")

bool pb_console_ready(void) { return ring != NULL; }
evtchn_port_t pb_console_port(void) { return port; }

void pb_console_init(void)
{
    if (!pb_boot.console_ring)
        return;                    /* e.g. dom0: console_io only */
    port = pb_boot.console_port;
    ring = pb_boot.console_ring;
}

static void notify(void)
{
    struct evtchn_send s = { .port = port };
    hyp_evtchn_op(EVTCHNOP_send, &s);
}

/* Wait (bounded) for the peer to make progress on the ring. */
static void wait_peer(uint64_t deadline)
{
    if (pb_shared_info) {
        pb_evtchn_wait(&port, 1, deadline);
        pb_evtchn_clear(port);
    } else {
        hyp_sched_op(SCHEDOP_yield, NULL);
    }
}

void pb_console_write(const char *buf, size_t len)
{
    if (!ring)
        return;
    uint64_t start = pb_shared_info ? pb_time_ns() : 0;
    uint64_t limit = stalled ? STALL_NS / 30 : STALL_NS;
    unsigned spins = 0;
    while (len) {
        uint32_t cons = ring->out_cons, prod = ring->out_prod;
        barrier();
        size_t n = pb_ring_put((char *)ring->out, OUT_SIZE, prod, cons, buf, len);
        if (n) {
            __atomic_thread_fence(__ATOMIC_RELEASE);     /* data before index */
            ring->out_prod = prod + (uint32_t)n;
            notify();
            buf += n;
            len -= n;
            stalled = false;
            continue;
        }
        /* ring full (or corrupt indices): wait for xenconsoled */
        notify();
        if (pb_shared_info) {
            uint64_t now = pb_time_ns();
            if (now - start > limit) {
                stalled = true;
                return;
            }
            wait_peer(now + 10000000ull);
        } else {
            if (++spins > 200000) {
                stalled = true;
                return;
            }
            wait_peer(0);
        }
    }
}

static int console_poll_byte(void)
{
    if (!ring)
        return -1;
    uint32_t cons = ring->in_cons, prod = ring->in_prod;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    unsigned char c;
    if (pb_ring_get((const char *)ring->in, IN_SIZE, prod, cons, &c, 1) != 1) {
        if (pb_ring_used(prod, cons, IN_SIZE) < 0)
            ring->in_cons = prod;          /* corrupt indices: resynchronise */
        return -1;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ring->in_cons = cons + 1;
    notify();
    return c;
}

static void console_wait(uint64_t deadline_ns)
{
    if (!ring)
        return;
    pb_evtchn_clear(port);
    if (ring->in_cons != ring->in_prod)
        return;
    pb_evtchn_wait(&port, 1, deadline_ns);
}

void pb_console_flush(void)
{
    if (!ring)
        return;
    uint64_t deadline = pb_shared_info ? pb_time_ns() + 2000000000ull : 0;
    for (unsigned i = 0; i < 100000 && ring->out_cons != ring->out_prod; i++) {
        notify();
        if (pb_shared_info) {
            uint64_t now = pb_time_ns();
            if (now >= deadline)
                return;
            wait_peer(now + 5000000ull);
        } else {
            wait_peer(0);
        }
    }
}

static void console_write_op(const char *buf, size_t len)
{
    pb_console_write(buf, len);
}

static const struct pb_term_ops xencons_ops = {
    .name = "xencons",
    .write = console_write_op,
    .poll_byte = console_poll_byte,
    .wait = console_wait,
    .flush = pb_console_flush,
};

void pb_console_register(void)
{
    if (ring)
        pb_term_register(&xencons_ops);
}
