/* SPDX-License-Identifier: MIT */
/* GRUB environment block parsing and in-place update (pvboot/envblk.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/envblk.h"
#include "pvboot/err.h"

static const size_t siglen = sizeof(PB_ENVBLK_SIGNATURE) - 1;

/* Walk NAME=VALUE lines; @cb gets unescaped copies. */
int pb_envblk_iterate(const char *buf, size_t len, const char *what,
                      int (*cb)(const char *name, const char *value, void *ctx), void *ctx)
{
    if (len < siglen || memcmp(buf, PB_ENVBLK_SIGNATURE, siglen) != 0)
        return pb_error(PB_EBADFS, "%s: not a GRUB environment block (bad signature)", what);
    if (len > PB_ENVBLK_MAX)
        return pb_error(PB_EBADFS, "%s: environment block too large (%zu bytes)", what, len);
    char *tmp = malloc(len + 1);
    if (!tmp)
        return pb_error(PB_ENOMEM, "out of memory");
    size_t i = siglen;
    int r = 0;
    while (i < len && r == 0) {
        if (buf[i] == '#') {          /* comment or padding line */
            while (i < len && buf[i] != '\n')
                i++;
            i++;
            continue;
        }
        if (buf[i] == '\n') {
            i++;
            continue;
        }
        /* name up to '=' (no newline) */
        size_t s = i;
        while (i < len && buf[i] != '=' && buf[i] != '\n')
            i++;
        if (i >= len || buf[i] != '=') {   /* malformed line: skip it */
            while (i < len && buf[i] != '\n')
                i++;
            i++;
            continue;
        }
        size_t nl = i - s;
        memcpy(tmp, buf + s, nl);
        tmp[nl] = 0;
        char *val = tmp + nl + 1;
        size_t vn = 0;
        i++;
        while (i < len && buf[i] != '\n') {
            if (buf[i] == '\\' && i + 1 < len) {
                val[vn++] = buf[i + 1];
                i += 2;
            } else {
                val[vn++] = buf[i++];
            }
        }
        i++;
        val[vn] = 0;
        if (nl)
            r = cb(tmp, val, ctx);
    }
    free(tmp);
    return r;
}

struct kv {
    char *name, *value;
};

struct kvlist {
    struct kv *v;
    size_t n, cap;
};

static int collect(const char *name, const char *value, void *ctx)
{
    struct kvlist *l = ctx;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        struct kv *v = realloc(l->v, nc * sizeof *v);
        if (!v)
            return PB_ENOMEM;
        l->v = v;
        l->cap = nc;
    }
    l->v[l->n].name = strdup(name);
    l->v[l->n].value = strdup(value);
    if (!l->v[l->n].name || !l->v[l->n].value) {
        free(l->v[l->n].name);
        free(l->v[l->n].value);
        return PB_ENOMEM;
    }
    l->n++;
    return 0;
}

static void kv_free(struct kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].value);
    }
    free(l->v);
}

int pb_envblk_set(char *buf, size_t len, const char *name, const char *value)
{
    if (!name || !*name || strchr(name, '=') || strchr(name, '\n') || name[0] == '#')
        return pb_error(PB_EINVAL, "grubenv: bad variable name");
    struct kvlist l = { 0 };
    int r = pb_envblk_iterate(buf, len, "grubenv", collect, &l);
    if (r) {
        kv_free(&l);
        return r == PB_ENOMEM ? pb_error(PB_ENOMEM, "out of memory") : r;
    }
    char *out = malloc(len);
    if (!out) {
        kv_free(&l);
        return pb_error(PB_ENOMEM, "out of memory");
    }
    size_t o = 0;
    bool done = false;
    memcpy(out, PB_ENVBLK_SIGNATURE, siglen);
    o = siglen;
    r = 0;
    for (size_t i = 0; i <= l.n && r == 0; i++) {
        const char *n, *v;
        if (i < l.n) {
            n = l.v[i].name;
            v = l.v[i].value;
            if (strcmp(n, name) == 0) {
                if (!value || done)
                    continue;
                v = value;
                done = true;
            }
        } else {
            if (done || !value)
                break;
            n = name;
            v = value;
        }
        size_t need = strlen(n) + 2;
        for (const char *p = v; *p; p++)
            need += (*p == '\\' || *p == '\n') ? 2 : 1;
        if (o + need > len) {
            r = pb_error(PB_ERANGE, "grubenv: no room for %s in the %zu-byte block", name, len);
            break;
        }
        memcpy(out + o, n, strlen(n));
        o += strlen(n);
        out[o++] = '=';
        for (const char *p = v; *p; p++) {
            if (*p == '\\' || *p == '\n')
                out[o++] = '\\';
            out[o++] = *p;
        }
        out[o++] = '\n';
    }
    if (r == 0) {
        memset(out + o, '#', len - o);
        memcpy(buf, out, len);
    }
    free(out);
    kv_free(&l);
    return r;
}
