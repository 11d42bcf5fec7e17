/* SPDX-License-Identifier: MIT */
/*
 * Byte-ring accounting shared by the console (docs §9) and xenstore (§8)
 * drivers: a ring of @size bytes (a power of two) with free-running 32-bit
 * producer/consumer indices; the byte at stream offset x lives at
 * x & (size - 1).  Pure logic (hosted unit tests: tests/unit/test_kernel_ring.c).
 * The caller does the memory barriers and index updates.
 */
#ifndef PVBOOT_KERNEL_RING_H
#define PVBOOT_KERNEL_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Bytes queued (prod - cons), or -1 if the indices are inconsistent
 *  (more than @size apart: the peer corrupted them). */
long pb_ring_used(uint32_t prod, uint32_t cons, uint32_t size);
/** Free bytes for the producer (0 when inconsistent). */
uint32_t pb_ring_free(uint32_t prod, uint32_t cons, uint32_t size);
/**
 * pb_ring_put() - copy up to @len bytes of @data into @ring at producer
 * index @prod, limited by the free space.  Returns the number of bytes
 * copied; the caller then publishes prod += result after a write barrier.
 */
size_t pb_ring_put(char *ring, uint32_t size, uint32_t prod, uint32_t cons,
                   const void *data, size_t len);
/**
 * pb_ring_get() - copy up to @len queued bytes from @ring starting at
 * consumer index @cons into @out.  Returns the count; the caller then
 * publishes cons += result.  Returns 0 if the indices are inconsistent.
 */
size_t pb_ring_get(const char *ring, uint32_t size, uint32_t prod, uint32_t cons,
                   void *out, size_t len);

#endif
