/* SPDX-License-Identifier: MIT */
/*
 * Time (docs §11): Xen system time from vcpu_info[0].time (version protocol,
 * TSC extrapolation with a 128-bit multiply), the wall clock from
 * shared_info, and sleeping with SCHEDOP_poll on no ports with an absolute
 * timeout (upcalls stay masked, no CPU spinning).
 */
#include <string.h>
#include "xen_internal.h"
#include "pvboot/time.h"

static uint64_t last_ns;

void pb_time_init(void)
{
    last_ns = pb_time_ns();
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

uint64_t pb_time_ns(void)
{
    if (!pb_shared_info)
        return 0;
    volatile struct vcpu_time_info *t = &pb_shared_info->vcpu_info[0].time;
    uint64_t ns = 0;
    for (int tries = 0; tries < 1000; tries++) {
        uint32_t v = t->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (v & 1)
            continue;                     /* update in progress */
        uint64_t tsc_ts = t->tsc_timestamp, sys = t->system_time;
        uint32_t mul = t->tsc_to_system_mul;
        int8_t shift = t->tsc_shift;
        uint64_t tsc = rdtsc();
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (t->version != v)
            continue;
        uint64_t delta = tsc - tsc_ts;
        if ((int64_t)delta < 0)
            delta = 0;
        if (shift < 0)
            delta >>= -shift;
        else
            delta <<= shift;
        ns = sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
        break;
    }
    if (ns < last_ns)
        ns = last_ns;                     /* monotonic */
    last_ns = ns;
    return ns;
}

void pb_sleep_ms(uint32_t ms)
{
    uint64_t deadline = pb_time_ns() + (uint64_t)ms * 1000000ull;
    for (unsigned i = 0; i < 100000; i++) {
        if (pb_time_ns() >= deadline)
            return;
        struct sched_poll p;
        memset(&p, 0, sizeof p);
        p.nr_ports = 0;
        p.timeout = deadline;
        if (hyp_sched_op(SCHEDOP_poll, &p) < 0)
            hyp_sched_op(SCHEDOP_yield, NULL);
    }
}

int64_t pb_wallclock(void)
{
    if (!pb_shared_info)
        return 0;
    volatile shared_info_t *s = pb_shared_info;
    for (int tries = 0; tries < 1000; tries++) {
        uint32_t v = s->wc_version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (v & 1)
            continue;
        uint64_t sec = s->wc_sec | ((uint64_t)s->wc_sec_hi << 32);
        uint32_t nsec = s->wc_nsec;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (s->wc_version != v)
            continue;
        if (sec == 0 && nsec == 0)
            return 0;
        return (int64_t)(sec + (nsec + pb_time_ns()) / 1000000000ull);
    }
    return 0;
}
