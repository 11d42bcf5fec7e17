/* SPDX-License-Identifier: MIT */
/*
 * Wildcard expansion of unquoted words, as GRUB 2.06 does it (measured
 * with grub-emu; man/pvboot.7 "Words and quoting"):
 *  - only `*` (any characters) and `?` (one character) are wildcards;
 *    `[` is literal;
 *  - "/dir/pat" (relative to $root) and "(dev)/dir/pat": every component
 *    with a wildcard is matched against its directory's names, in the
 *    directory's own order, dot files included; the components before the
 *    last must be directories;
 *  - "(pat)", and a word without '/' or '(' such as `*`: device names,
 *    given as "(name)"; a pattern without ',' matches disks, one with ','
 *    partitions;
 *  - no match leaves the word as it is.
 * The pattern becomes the anchored regular expression GRUB builds (each
 * `*` is `.*`, `?` is `.`, other characters literal), so `?` takes one
 * UTF-8 character.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/regex.h"
#include "pvboot/script.h"
#include "pvboot/strbuf.h"
#include "interp_int.h"

struct matches {
    char **v;
    int n, cap;
    bool full;
};

static void add_match(struct matches *m, const char *s, size_t len)
{
    if (m->full)
        return;
    if (m->n + 1 >= m->cap) {
        int nc = m->cap ? m->cap * 2 : 16;
        char **v = nc <= PB_SCRIPT_MAX_WORDS ? realloc(m->v, sizeof *v * (size_t)nc) : NULL;
        if (!v) {
            m->full = true;
            return;
        }
        m->v = v;
        m->cap = nc;
    }
    char *d = strndup(s, len);
    if (!d) {
        m->full = true;
        return;
    }
    m->v[m->n++] = d;
    m->v[m->n] = NULL;
}

static void free_matches(struct matches *m)
{
    for (int i = 0; i < m->n; i++)
        free(m->v[i]);
    free(m->v);
    memset(m, 0, sizeof *m);
}

static bool has_wild(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '*' || s[i] == '?')
            return true;
    return false;
}

/* "^...$" with * -> .*, ? -> ., everything else escaped */
static struct pb_regex *compile_glob(const char *s, size_t len)
{
    struct pb_strbuf b = { .max = PB_REGEX_MAX_PATTERN + 1 };
    pb_strbuf_add(&b, "^", 1);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '*')
            pb_strbuf_add(&b, ".*", 2);
        else if (c == '?')
            pb_strbuf_add(&b, ".", 1);
        else if (strchr("\\.[]()|{}^$+", c)) {
            char esc[2] = { '\\', c };
            pb_strbuf_add(&b, esc, 2);
        } else
            pb_strbuf_add(&b, &c, 1);
    }
    pb_strbuf_add(&b, "$", 1);
    struct pb_regex *re = NULL;
    if (b.oom || pb_regex_compile(&re, b.d) != 0)
        re = NULL;
    free(b.d);
    return re;
}

static bool glob_match(const struct pb_regex *re, const char *name)
{
    struct pb_regmatch m;
    return pb_regex_exec(re, name, &m, 1) == 1;
}

/* ---- devices ---- */

struct dev_ctx {
    const struct pb_regex *re;
    bool partitions;
    struct matches *m;
};

static int dev_cb(const char *name, void *ctx)
{
    struct dev_ctx *d = ctx;
    if ((strchr(name, ',') != NULL) != d->partitions || !glob_match(d->re, name))
        return 0;
    size_t n = strlen(name);
    char *w = malloc(n + 3);
    if (!w)
        return 0;
    w[0] = '(';
    memcpy(w + 1, name, n);
    w[n + 1] = ')';
    w[n + 2] = 0;
    add_match(d->m, w, n + 2);
    free(w);
    return 0;
}

static void match_devices(const char *pat, size_t len, struct matches *m)
{
    struct pb_regex *re = compile_glob(pat, len);
    if (!re)
        return;
    struct dev_ctx d = { re, memchr(pat, ',', len) != NULL, m };
    pb_device_iterate(dev_cb, &d);
    pb_regex_free(re);
    pb_error_clear();
}

/* ---- paths ---- */

struct dir_ctx {
    const struct pb_regex *re;
    bool need_dir;
    const char *base;      /* directory path, no trailing '/' */
    struct matches *out;
};

static int dir_cb(const char *name, size_t namelen, enum pb_ftype type, void *ctx)
{
    struct dir_ctx *d = ctx;
    if ((namelen == 1 && name[0] == '.') || (namelen == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    if (d->need_dir && type != PB_FT_DIR)
        return 0;
    char *nm = strndup(name, namelen);
    if (!nm)
        return 0;
    if (glob_match(d->re, nm)) {
        struct pb_strbuf b = { .max = PB_SCRIPT_MAX_WORD };
        pb_strbuf_str(&b, d->base);
        pb_strbuf_add(&b, "/", 1);
        pb_strbuf_str(&b, nm);
        if (!b.oom)
            add_match(d->out, b.d, b.n);
        free(b.d);
    }
    free(nm);
    return 0;
}

/* Expand the components of @rest (starting after a '/') below each path
 * of @bases into @out. */
static void match_path(struct matches *bases, const char *rest, struct matches *out, int depth)
{
    const char *slash = strchr(rest, '/');
    size_t clen = slash ? (size_t)(slash - rest) : strlen(rest);
    bool last = !slash || !slash[1];
    struct matches next = { 0 };
    if (!has_wild(rest, clen)) {
        for (int i = 0; i < bases->n; i++) {
            struct pb_strbuf b = { .max = PB_SCRIPT_MAX_WORD };
            pb_strbuf_str(&b, bases->v[i]);
            pb_strbuf_add(&b, "/", 1);
            pb_strbuf_add(&b, rest, clen);
            if (!b.oom)
                add_match(&next, b.d, b.n);
            free(b.d);
        }
    } else {
        struct pb_regex *re = compile_glob(rest, clen);
        for (int i = 0; re && i < bases->n; i++) {
            struct dir_ctx d = { re, !last, bases->v[i], &next };
            /* "(dev)" lists as "(dev)/" */
            struct pb_strbuf b = { .max = PB_SCRIPT_MAX_WORD };
            pb_strbuf_str(&b, bases->v[i]);
            pb_strbuf_add(&b, "/", 1);
            if (!b.oom)
                pb_dir_iterate(b.d, dir_cb, &d);
            free(b.d);
            pb_error_clear();
        }
        pb_regex_free(re);
    }
    if (last || depth > 64) {
        for (int i = 0; i < next.n; i++) {
            if (!has_wild(rest, clen)) {
                /* a literal last component must exist */
                struct pb_stat st;
                if (pb_stat_path(next.v[i], &st, 1) != 0) {
                    pb_error_clear();
                    continue;
                }
            }
            add_match(out, next.v[i], strlen(next.v[i]));
        }
        if (slash && !slash[1])   /* a pattern ending in a slash keeps it */
            for (int i = 0; i < out->n; i++) {
                size_t n = strlen(out->v[i]);
                char *w = realloc(out->v[i], n + 2);
                if (w) {
                    w[n] = '/';
                    w[n + 1] = 0;
                    out->v[i] = w;
                }
            }
    } else {
        match_path(&next, slash + 1, out, depth + 1);
    }
    free_matches(&next);
}

int script_wildcard(const char *word, char ***out)
{
    size_t len = strlen(word);
    if (!has_wild(word, len))
        return 0;
    struct matches m = { 0 };
    if (word[0] == '(') {
        const char *close = strchr(word, ')');
        if (!close)
            return 0;
        size_t dl = (size_t)(close - word - 1);
        if (has_wild(word + 1, dl)) {
            if (close[1] == 0)
                match_devices(word + 1, dl, &m);
        } else if (close[1] == '/') {
            struct matches base = { 0 };
            add_match(&base, word, (size_t)(close - word) + 1);
            match_path(&base, close + 2, &m, 0);
            free_matches(&base);
        }
    } else if (word[0] == '/') {
        struct matches base = { 0 };
        add_match(&base, "", 0);
        match_path(&base, word + 1, &m, 0);
        free_matches(&base);
    } else if (!strchr(word, '/')) {
        match_devices(word, len, &m);
    }
    if (m.full || m.n == 0) {
        free_matches(&m);
        return 0;
    }
    *out = m.v;
    return m.n;
}
