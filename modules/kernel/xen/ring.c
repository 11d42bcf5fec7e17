/* SPDX-License-Identifier: MIT */
/* Byte-ring accounting: see ring.h. */
#include <string.h>
#include "ring.h"

long pb_ring_used(uint32_t prod, uint32_t cons, uint32_t size)
{
    uint32_t used = prod - cons;     /* free-running: wraps correctly */
    return used > size ? -1 : (long)used;
}

uint32_t pb_ring_free(uint32_t prod, uint32_t cons, uint32_t size)
{
    long used = pb_ring_used(prod, cons, size);
    return used < 0 ? 0 : size - (uint32_t)used;
}

size_t pb_ring_put(char *ring, uint32_t size, uint32_t prod, uint32_t cons,
                   const void *data, size_t len)
{
    uint32_t space = pb_ring_free(prod, cons, size);
    size_t n = len < space ? len : space;
    const char *src = data;
    for (size_t done = 0; done < n;) {
        uint32_t off = (uint32_t)(prod + done) & (size - 1);
        size_t chunk = size - off;          /* up to the end of the buffer */
        if (chunk > n - done)
            chunk = n - done;
        memcpy(ring + off, src + done, chunk);
        done += chunk;
    }
    return n;
}

size_t pb_ring_get(const char *ring, uint32_t size, uint32_t prod, uint32_t cons,
                   void *out, size_t len)
{
    long used = pb_ring_used(prod, cons, size);
    if (used <= 0)
        return 0;
    size_t n = len < (size_t)used ? len : (size_t)used;
    char *dst = out;
    for (size_t done = 0; done < n;) {
        uint32_t off = (uint32_t)(cons + done) & (size - 1);
        size_t chunk = size - off;
        if (chunk > n - done)
            chunk = n - done;
        memcpy(dst + done, ring + off, chunk);
        done += chunk;
    }
    return n;
}
