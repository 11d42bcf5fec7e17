/* SPDX-License-Identifier: MIT */
/* Time: provided by the platform (Xen vcpu_time_info, or the host clock). */
#ifndef PVBOOT_TIME_H
#define PVBOOT_TIME_H

#include <stdint.h>

/** pb_time_ns() - monotonic time in nanoseconds since an arbitrary origin
 *  (on Xen: Xen system time, the clock SCHEDOP_poll timeouts use). */
uint64_t pb_time_ns(void);
/** pb_sleep_ms() - sleep @ms milliseconds without spinning needlessly. */
void pb_sleep_ms(uint32_t ms);
/** pb_wallclock() - seconds since the Unix epoch (0 if unknown). */
int64_t pb_wallclock(void);

#endif
