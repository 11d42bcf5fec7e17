/* SPDX-License-Identifier: MIT */
/*
 * Event channels, 2-level ABI (docs §6).  Upcalls stay masked for the whole
 * life of the loader: we wait with SCHEDOP_poll (absolute timeout) and test
 * and clear bits in shared_info->evtchn_pending ourselves.
 */
#include <string.h>
#include "xen_internal.h"
#include "pvboot/err.h"
#include "pvboot/time.h"

#define MAX_PORTS 4096            /* 2-level ABI on x86_64: 64 * 64 */
static uint64_t ours[MAX_PORTS / 64];   /* ports allocated through pb_evtchn_alloc_unbound */

void pb_events_init(void)
{
    /* keep upcalls masked; nothing else to set up */
    pb_shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
}

int pb_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
    long rc = hyp_evtchn_op(EVTCHNOP_alloc_unbound, &op);
    if (rc)
        return pb_error(PB_EXEN, "EVTCHNOP_alloc_unbound(remote dom %u) failed: %ld", remote, rc);
    if (op.port < MAX_PORTS)
        ours[op.port / 64] |= 1ull << (op.port % 64);
    *port = op.port;
    return 0;
}

int pb_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = { .port = port };
    long rc = hyp_evtchn_op(EVTCHNOP_send, &op);
    if (rc)
        return pb_error(PB_EXEN, "EVTCHNOP_send(port %u) failed: %ld", port, rc);
    return 0;
}

int pb_evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };
    long rc = hyp_evtchn_op(EVTCHNOP_close, &op);
    if (port < MAX_PORTS)
        ours[port / 64] &= ~(1ull << (port % 64));
    pb_evtchn_clear(port);
    if (rc)
        return pb_error(PB_EXEN, "EVTCHNOP_close(port %u) failed: %ld", port, rc);
    return 0;
}

bool pb_evtchn_clear(evtchn_port_t port)
{
    if (port >= MAX_PORTS || !pb_shared_info)
        return false;
    unsigned char was;
    __asm__ volatile("lock btrq %2, %0; setc %1"
                     : "+m"(((volatile uint64_t *)pb_shared_info->evtchn_pending)[port / 64]),
                       "=q"(was)
                     : "r"((uint64_t)(port % 64))
                     : "memory", "cc");
    return was;
}

static bool is_pending(evtchn_port_t port)
{
    if (port >= MAX_PORTS)
        return false;
    return (((volatile uint64_t *)pb_shared_info->evtchn_pending)[port / 64] >> (port % 64)) & 1;
}

int pb_evtchn_wait(const evtchn_port_t *ports, unsigned n, uint64_t deadline_ns)
{
    if (n > 128)
        return pb_error(PB_EINVAL, "pb_evtchn_wait: %u ports (at most 128)", n);
    if (n == 0 && deadline_ns == 0)
        return pb_error(PB_EINVAL, "pb_evtchn_wait: no ports and no deadline would never return");
    /* bounded: each iteration either returns or blocks until an event or the
     * deadline; spurious wake-ups are rare, cap them anyway */
    for (unsigned iter = 0; iter < 1000000; iter++) {
        for (unsigned i = 0; i < n; i++)
            if (is_pending(ports[i]))
                return 0;
        if (deadline_ns && pb_time_ns() >= deadline_ns)
            return PB_ETIMEDOUT;
        struct sched_poll p;
        memset(&p, 0, sizeof p);
        set_xen_guest_handle(p.ports, (evtchn_port_t *)ports);
        p.nr_ports = n;
        p.timeout = deadline_ns;
        long rc = hyp_sched_op(SCHEDOP_poll, &p);
        if (rc < 0)
            return pb_error(PB_EXEN, "SCHEDOP_poll failed: %ld", rc);
    }
    return pb_error(PB_ETIMEDOUT, "pb_evtchn_wait: too many spurious wake-ups");
}

unsigned pb_evtchn_open_count(void)
{
    unsigned c = 0;
    for (unsigned i = 0; i < MAX_PORTS / 64; i++)
        for (uint64_t w = ours[i]; w; w &= w - 1)   /* no libgcc popcount */
            c++;
    return c;
}

void pb_evtchn_close_all_ours(void)
{
    for (evtchn_port_t p = 0; p < MAX_PORTS; p++)
        if ((ours[p / 64] >> (p % 64)) & 1)
            pb_evtchn_close(p);
}

void pb_evtchn_clear_all_pending(void)
{
    for (unsigned i = 0; i < MAX_PORTS / 64; i++)
        __atomic_store_n(&((uint64_t *)pb_shared_info->evtchn_pending)[i], 0, __ATOMIC_SEQ_CST);
    pb_shared_info->vcpu_info[0].evtchn_pending_sel = 0;
    pb_shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
}
