/* SPDX-License-Identifier: MIT */
/*
 * A small bounded JSON (RFC 8259) tokenizer for the LUKS2 metadata area:
 * the text is split into a flat array of tokens in document order (objects
 * and arrays record how many tokens their subtree spans), nothing is
 * copied.  Limits: PB_JSON_MAX_DEPTH nesting, the caller's token array.
 * Numbers are kept as text; strings as their raw span (escapes decoded on
 * request by pb_json_str()).
 */
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/json.h"

struct jp {
    const char *s;
    size_t len, pos;
    struct pb_json_tok *t;
    size_t nt, max;
    const char *what;
};

static void ws(struct jp *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int bad(struct jp *p, const char *msg)
{
    return pb_error(PB_EBADFS, "%s: JSON byte %zu: %s", p->what, p->pos, msg);
}

static int new_tok(struct jp *p, enum pb_json_type type, size_t start)
{
    if (p->nt >= p->max)
        return bad(p, "too many values");
    struct pb_json_tok *t = &p->t[p->nt];
    t->type = type;
    t->start = start;
    t->end = start;
    t->span = 1;
    t->count = 0;
    return (int)p->nt++;
}

static int value(struct jp *p, int depth);

static int string(struct jp *p)
{
    size_t start = ++p->pos;      /* after the quote */
    while (p->pos < p->len && p->s[p->pos] != '"') {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c < 0x20)
            return bad(p, "control character in a string");
        if (c == '\\') {
            if (++p->pos >= p->len)
                break;
            char e = p->s[p->pos];
            if (e == 'u') {
                for (int i = 1; i <= 4; i++) {
                    char h = p->pos + i < p->len ? p->s[p->pos + i] : 0;
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                          (h >= 'A' && h <= 'F')))
                        return bad(p, "bad \\u escape");
                }
                p->pos += 4;
            } else if (!strchr("\"\\/bfnrt", e) || !e) {
                return bad(p, "bad escape");
            }
        }
        p->pos++;
    }
    if (p->pos >= p->len)
        return bad(p, "unterminated string");
    int i = new_tok(p, PB_JSON_STR, start);
    if (i < 0)
        return i;
    p->t[i].end = p->pos++;
    return i;
}

static int container(struct jp *p, int depth, bool obj)
{
    if (depth >= PB_JSON_MAX_DEPTH)
        return bad(p, "nested too deep");
    int i = new_tok(p, obj ? PB_JSON_OBJ : PB_JSON_ARR, p->pos);
    if (i < 0)
        return i;
    p->pos++;
    ws(p);
    char close = obj ? '}' : ']';
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->t[i].end = ++p->pos;
        return i;
    }
    for (;;) {
        ws(p);
        if (obj) {
            if (p->pos >= p->len || p->s[p->pos] != '"')
                return bad(p, "object key expected");
            int k = string(p);
            if (k < 0)
                return k;
            ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':')
                return bad(p, "':' expected");
            p->pos++;
        }
        int v = value(p, depth + 1);
        if (v < 0)
            return v;
        p->t[i].count++;
        ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->t[i].end = ++p->pos;
            p->t[i].span = p->nt - (size_t)i;
            return i;
        }
        return bad(p, obj ? "',' or '}' expected" : "',' or ']' expected");
    }
}

static int value(struct jp *p, int depth)
{
    ws(p);
    if (p->pos >= p->len)
        return bad(p, "value expected");
    char c = p->s[p->pos];
    if (c == '{' || c == '[')
        return container(p, depth, c == '{');
    if (c == '"')
        return string(p);
    static const struct { const char *w; enum pb_json_type t; } lit[] = {
        { "true", PB_JSON_BOOL }, { "false", PB_JSON_BOOL }, { "null", PB_JSON_NULL },
    };
    for (size_t k = 0; k < sizeof lit / sizeof lit[0]; k++) {
        size_t n = strlen(lit[k].w);
        if (p->len - p->pos >= n && !memcmp(p->s + p->pos, lit[k].w, n)) {
            int i = new_tok(p, lit[k].t, p->pos);
            if (i < 0)
                return i;
            p->pos += n;
            p->t[i].end = p->pos;
            return i;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        int i = new_tok(p, PB_JSON_NUM, p->pos);
        if (i < 0)
            return i;
        if (c == '-')
            p->pos++;
        size_t digits = 0;
        while (p->pos < p->len && ((p->s[p->pos] >= '0' && p->s[p->pos] <= '9') ||
                                   strchr(".eE+-", p->s[p->pos]))) {
            p->pos++;
            digits++;
        }
        if (!digits)
            return bad(p, "number expected");
        p->t[i].end = p->pos;
        return i;
    }
    return bad(p, "value expected");
}

int pb_json_parse(const char *s, size_t len, struct pb_json_tok *toks, size_t max,
                  const char *what, size_t *ntok)
{
    struct jp p = { .s = s, .len = len, .t = toks, .max = max, .what = what };
    int r = value(&p, 0);
    if (r < 0)
        return r;
    ws(&p);
    if (p.pos != len)
        return bad(&p, "data after the JSON value");
    *ntok = p.nt;
    return 0;
}

/* Tokens of the subtree at @i (a key token followed by its value counts
 * the value's span). */
static size_t span_of(const struct pb_json_tok *t, size_t i)
{
    return t[i].span;
}

int pb_json_get(const char *s, const struct pb_json_tok *t, size_t nt, int obj, const char *key)
{
    if (obj < 0 || (size_t)obj >= nt || t[obj].type != PB_JSON_OBJ)
        return -1;
    size_t i = (size_t)obj + 1, klen = strlen(key);
    for (uint32_t m = 0; m < t[obj].count && i + 1 < nt; m++) {
        size_t v = i + 1;
        if (t[i].end - t[i].start == klen && !memcmp(s + t[i].start, key, klen))
            return (int)v;
        i = v + span_of(t, v);
    }
    return -1;
}

int pb_json_member(const struct pb_json_tok *t, size_t nt, int obj, uint32_t n, int *key)
{
    if (obj < 0 || (size_t)obj >= nt || (t[obj].type != PB_JSON_OBJ && t[obj].type != PB_JSON_ARR) ||
        n >= t[obj].count)
        return -1;
    bool isobj = t[obj].type == PB_JSON_OBJ;
    size_t i = (size_t)obj + 1;
    for (uint32_t m = 0; i < nt; m++) {
        size_t v = isobj ? i + 1 : i;
        if (v >= nt)
            return -1;
        if (m == n) {
            if (key)
                *key = isobj ? (int)i : -1;
            return (int)v;
        }
        i = v + span_of(t, v);
    }
    return -1;
}

int pb_json_str(const char *s, const struct pb_json_tok *t, int i, char *out, size_t size)
{
    if (i < 0 || t[i].type != PB_JSON_STR || size == 0)
        return -1;
    size_t o = 0;
    for (size_t p = t[i].start; p < t[i].end; p++) {
        char c = s[p];
        if (c == '\\') {
            c = s[++p];
            switch (c) {
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': {
                unsigned v = 0;
                for (int k = 1; k <= 4; k++) {
                    char h = s[p + (size_t)k];
                    v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                }
                p += 4;
                if (v == 0 || v > 0x7f)
                    return -1;    /* LUKS2 metadata is ASCII */
                c = (char)v;
                break;
            }
            default: break;       /* " \ / stand for themselves */
            }
        }
        if (o + 1 >= size)
            return -1;
        out[o++] = c;
    }
    out[o] = 0;
    return (int)o;
}
