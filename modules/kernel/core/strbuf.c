/* SPDX-License-Identifier: MIT */
/* A growing NUL-terminated string (include/pvboot/strbuf.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/strbuf.h"

#define STRBUF_FIRST 64   /* bytes of the first allocation */

void pb_strbuf_add(struct pb_strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n > SIZE_MAX / 4 - b->n) {    /* the doubling below cannot overflow */
        b->oom = true;
        return;
    }
    size_t need = b->n + n + 1;
    if (b->max && need > b->max) {
        b->oom = true;
        return;
    }
    if (need > b->cap) {
        size_t nc = b->cap ? b->cap : STRBUF_FIRST;
        while (nc < need)
            nc *= 2;
        char *d = realloc(b->d, nc);
        if (!d) {
            b->oom = true;
            return;
        }
        b->d = d;
        b->cap = nc;
    }
    memcpy(b->d + b->n, s, n);
    b->n += n;
    b->d[b->n] = 0;
}

void pb_strbuf_str(struct pb_strbuf *b, const char *s)
{
    pb_strbuf_add(b, s, strlen(s));
}
