/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: error recording, verbose output and a small string hash map.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "mkpv_int.h"

static char errbuf[2048];
static int verbosity;

int mkpv_verror(const char *fmt, va_list ap)
{
    vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
    /* one line: a message must never span lines */
    for (char *p = errbuf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return -1;
}

int mkpv_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mkpv_verror(fmt, ap);
    va_end(ap);
    return -1;
}

const char *mkpv_errmsg(void)
{
    return errbuf;
}

void mkpv_error_clear(void)
{
    errbuf[0] = '\0';
}

int mkpv_get_verbose(void)
{
    return verbosity;
}

void mkpv_set_verbose(int level)
{
    verbosity = level;
}

void mkpv_verbose(int level, const char *fmt, ...)
{
    va_list ap;
    if (level > verbosity)
        return;
    va_start(ap, fmt);
    fputs("mkpvimage: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- string map: FNV-1a, linear probing, load factor <= 1/2 ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static int map_grow(struct mkpv_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    const char **nk = calloc(ncap, sizeof(*nk));
    void **nv = calloc(ncap, sizeof(*nv));
    if (!nk || !nv) {
        free(nk);
        free(nv);
        return mkpv_error("out of memory");
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = hash_str(m->keys[i]) & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    return 0;
}

int mkpv_map_put(struct mkpv_map *m, const char *key, void *val)
{
    if ((m->count + 1) * 2 > m->cap && map_grow(m) < 0)
        return -1;
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->keys[j] && strcmp(m->keys[j], key) != 0)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->count++;
    }
    m->vals[j] = val;
    return 0;
}

void *mkpv_map_get(const struct mkpv_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], key) == 0)
            return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

void mkpv_map_free(struct mkpv_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}
