/* SPDX-License-Identifier: MIT */
/*
 * LVM2 on-disk structures and the metadata text parser (include/pvboot/lvm.h).
 *
 * Format facts (LVM2's lib/format_text/layout.h and the metadata text it
 * writes, e.g. `vgcfgbackup` output):
 *   label sector (one of 0-3): "LABELONE", u64 sector, u32 crc, u32 offset
 *     of the pv_header (from the label start), "LVM2 001"; all little-endian.
 *   pv_header: 32-byte uuid, u64 device size (bytes), then two lists of
 *     {u64 offset, u64 size} (bytes) ended by a zero entry: data areas, then
 *     metadata areas.
 *   mda_header (512 bytes at a metadata area's start): u32 crc of bytes
 *     4..511, magic, u32 version, u64 start, u64 size, then {u64 offset,
 *     u64 size, u32 crc, u32 flags} text locations ended by a zero entry.
 *   text: `key = value`, `name { ... }`, values are "strings", integers or
 *     [lists]; `#` comments to the end of the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "pvboot/lvm.h"

uint32_t pb_lvm_crc(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc;
}

#define LVM_CRC_INIT 0xf597a6cfu

int pb_lvm_parse_label(const void *buf, size_t len, struct pb_lvm_label *out)
{
    const uint8_t *b = buf;
    memset(out, 0, sizeof *out);
    for (unsigned s = 0; s < 4 && (size_t)(s + 1) * 512 <= len; s++) {
        const uint8_t *l = b + s * 512;
        if (memcmp(l, "LABELONE", 8) != 0)
            continue;
        if (pb_le64(l + 8) != s)
            return pb_error(PB_EBADFS, "lvm: label in sector %u says it is in sector %llu", s,
                            (unsigned long long)pb_le64(l + 8));
        uint32_t crc = pb_lvm_crc(LVM_CRC_INIT, l + 20, 512 - 20);
        if (crc != pb_le32(l + 16))
            return pb_error(PB_EBADFS, "lvm: label in sector %u: bad checksum %08x (computed %08x)",
                            s, pb_le32(l + 16), crc);
        if (memcmp(l + 24, "LVM2 001", 8) != 0)
            return pb_error(PB_ENOTSUP, "lvm: label in sector %u: unknown type `%.8s'", s,
                            (const char *)(l + 24));
        uint32_t off = pb_le32(l + 20);
        /* uuid (32) + size (8) + at least the two list terminators */
        if (off < 32 || off > 512 - 72)
            return pb_error(PB_EBADFS, "lvm: label in sector %u: pv_header offset %u out of range",
                            s, off);
        const uint8_t *ph = l + off;
        out->sector = s;
        for (int i = 0; i < PB_LVM_UUID_LEN; i++) {
            char c = (char)ph[i];
            if (c <= ' ' || c > '~')
                return pb_error(PB_EBADFS, "lvm: pv_header in sector %u: bad uuid byte at %d", s, i);
            out->pv_uuid[i] = c;
        }
        out->pv_uuid[PB_LVM_UUID_LEN] = '\0';
        out->device_size = pb_le64(ph + 32);
        size_t p = off + 40;
        int list = 0;   /* 0: data areas, 1: metadata areas */
        while (list < 2) {
            if (p + 16 > 512)
                return pb_error(PB_EBADFS, "lvm: pv_header in sector %u: %s list runs past the sector",
                                s, list ? "metadata area" : "data area");
            uint64_t o = pb_le64(l + p), z = pb_le64(l + p + 8);
            p += 16;
            if (o == 0 && z == 0) {
                list++;
                continue;
            }
            if (list == 1 && out->nr_mdas < 2) {
                out->mda_offset[out->nr_mdas] = o;
                out->mda_size[out->nr_mdas] = z;
                out->nr_mdas++;
            }
        }
        return 0;
    }
    return PB_ENOENT;
}

int pb_lvm_parse_mda_header(const void *buf, uint64_t mda_offset, uint64_t mda_size,
                            uint64_t *text_off, uint64_t *text_size, uint32_t *text_crc)
{
    const uint8_t *h = buf;
    if (memcmp(h + 4, " LVM2 x[5A%r0N*>", 16) != 0)
        return pb_error(PB_EBADFS, "lvm: metadata area at byte %llu: bad magic",
                        (unsigned long long)mda_offset);
    uint32_t crc = pb_lvm_crc(LVM_CRC_INIT, h + 4, PB_LVM_MDA_HEADER_SIZE - 4);
    if (crc != pb_le32(h))
        return pb_error(PB_EBADFS, "lvm: metadata area at byte %llu: bad header checksum",
                        (unsigned long long)mda_offset);
    if (pb_le32(h + 20) != 1)
        return pb_error(PB_ENOTSUP, "lvm: metadata area at byte %llu: version %u",
                        (unsigned long long)mda_offset, pb_le32(h + 20));
    if (pb_le64(h + 24) != mda_offset || pb_le64(h + 32) != mda_size)
        return pb_error(PB_EBADFS, "lvm: metadata area at byte %llu: header says start %llu size %llu",
                        (unsigned long long)mda_offset, (unsigned long long)pb_le64(h + 24),
                        (unsigned long long)pb_le64(h + 32));
    /* raw_locn[0]: the committed metadata */
    const uint8_t *r = h + 40;
    uint64_t off = pb_le64(r), size = pb_le64(r + 8);
    uint32_t flags = pb_le32(r + 20);
    if (off == 0 && size == 0)
        return PB_ENOENT;
    if (flags & 1u)     /* RAW_LOCN_IGNORED */
        return PB_ENOENT;
    if (mda_size <= PB_LVM_MDA_HEADER_SIZE || off < PB_LVM_MDA_HEADER_SIZE || off >= mda_size ||
        size == 0 || size > mda_size - PB_LVM_MDA_HEADER_SIZE)
        return pb_error(PB_EBADFS, "lvm: metadata area at byte %llu: text location %llu+%llu out of range",
                        (unsigned long long)mda_offset, (unsigned long long)off,
                        (unsigned long long)size);
    *text_off = off;
    *text_size = size;
    *text_crc = pb_le32(r + 16);
    return 0;
}

int pb_lvm_disk_name(const char *vg, const char *lv, char *out, size_t size)
{
    size_t o = 0;
    const char *parts[2] = { vg, lv };
    const char *pre = "lvm/";
    for (const char *c = pre; *c; c++) {
        if (o + 1 >= size)
            return PB_ERANGE;
        out[o++] = *c;
    }
    for (int k = 0; k < 2; k++) {
        if (k == 1) {
            if (o + 1 >= size)
                return PB_ERANGE;
            out[o++] = '-';
        }
        for (const char *c = parts[k]; *c; c++) {
            unsigned n = *c == '-' ? 2 : 1;
            if (o + n >= size)
                return PB_ERANGE;
            out[o++] = *c;
            if (n == 2)
                out[o++] = '-';
        }
    }
    out[o] = '\0';
    return 0;
}

/* ---- metadata text: a small tree ---- */

enum ntype { N_SEC, N_STR, N_NUM, N_ARR };

struct node {
    const char *key;        /* NULL for list items */
    uint32_t keylen;
    enum ntype type;
    const char *s;          /* N_STR: raw bytes between the quotes */
    uint32_t slen;
    int64_t num;
    int child, next;        /* indices, -1 = none */
};

#define MAX_NODES 200000
#define MAX_DEPTH 32

struct parser {
    const char *t;
    size_t len, pos;
    struct node *n;
    int nn, cap;
    unsigned line;
};

static int perr(struct parser *p, const char *what)
{
    return pb_error(PB_EBADFS, "lvm: metadata text line %u: %s", p->line, what);
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len) {
        char c = p->t[p->pos];
        if (c == '\n') {
            p->line++;
            p->pos++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\0') {
            p->pos++;
        } else if (c == '#') {
            while (p->pos < p->len && p->t[p->pos] != '\n')
                p->pos++;
        } else {
            break;
        }
    }
}

static bool is_word(char c)
{
    return c > ' ' && c != '=' && c != '{' && c != '}' && c != '[' && c != ']' && c != ',' &&
           c != '"' && c != '#' && c != 0x7f;
}

static int new_node(struct parser *p)
{
    if (p->nn >= MAX_NODES)
        return perr(p, "too many entries");
    if (p->nn == p->cap) {
        int cap = p->cap ? p->cap * 2 : 256;
        struct node *n = realloc(p->n, (size_t)cap * sizeof *n);
        if (!n)
            return pb_error(PB_ENOMEM, "lvm: out of memory parsing metadata");
        p->n = n;
        p->cap = cap;
    }
    memset(&p->n[p->nn], 0, sizeof p->n[0]);
    p->n[p->nn].child = p->n[p->nn].next = -1;
    return p->nn++;
}

/* A scalar at p->pos: "string" or a number; fills node @i. */
static int parse_scalar(struct parser *p, int i)
{
    if (p->pos >= p->len)
        return perr(p, "value expected at end of text");
    if (p->t[p->pos] == '"') {
        size_t s = ++p->pos;
        while (p->pos < p->len && p->t[p->pos] != '"') {
            if (p->t[p->pos] == '\\')
                p->pos++;
            else if (p->t[p->pos] == '\n')
                p->line++;
            p->pos++;
        }
        if (p->pos >= p->len)
            return perr(p, "unterminated string");
        if (p->pos - s > UINT32_MAX)
            return perr(p, "string too long");
        p->n[i].type = N_STR;
        p->n[i].s = p->t + s;
        p->n[i].slen = (uint32_t)(p->pos - s);
        p->pos++;
        return 0;
    }
    size_t s = p->pos;
    while (p->pos < p->len && is_word(p->t[p->pos]))
        p->pos++;
    if (p->pos == s)
        return perr(p, "value expected");
    /* integer (possibly negative); anything else (e.g. 1.5) is kept as text */
    const char *c = p->t + s;
    size_t n = p->pos - s;
    bool neg = c[0] == '-';
    size_t k = neg ? 1 : 0;
    uint64_t v = 0;
    bool isnum = k < n;
    for (; k < n && isnum; k++) {
        if (c[k] < '0' || c[k] > '9' || v > (UINT64_MAX / 2 - 9) / 10)
            isnum = false;
        else
            v = v * 10 + (uint64_t)(c[k] - '0');
    }
    if (isnum) {
        p->n[i].type = N_NUM;
        p->n[i].num = neg ? -(int64_t)v : (int64_t)v;
    } else {
        p->n[i].type = N_STR;
        p->n[i].s = c;
        p->n[i].slen = (uint32_t)n;
    }
    return 0;
}

/* Items until '}' (depth > 0) or the end; children of node @parent. */
static int parse_items(struct parser *p, int parent, int depth)
{
    if (depth > MAX_DEPTH)
        return perr(p, "sections nested too deeply");
    int last = -1;
    for (;;) {
        skip_ws(p);
        if (p->pos >= p->len) {
            if (depth > 0)
                return perr(p, "missing `}' at end of text");
            return 0;
        }
        if (p->t[p->pos] == '}') {
            if (depth == 0)
                return perr(p, "unexpected `}'");
            p->pos++;
            return 0;
        }
        size_t ks = p->pos;
        while (p->pos < p->len && is_word(p->t[p->pos]))
            p->pos++;
        if (p->pos == ks)
            return perr(p, "name expected");
        if (p->pos - ks >= PB_LVM_NAME_MAX)
            return perr(p, "name too long");
        int i = new_node(p);
        if (i < 0)
            return i;
        p->n[i].key = p->t + ks;
        p->n[i].keylen = (uint32_t)(p->pos - ks);
        if (last < 0) {
            if (parent >= 0)
                p->n[parent].child = i;
        } else {
            p->n[last].next = i;
        }
        last = i;
        skip_ws(p);
        if (p->pos >= p->len)
            return perr(p, "`=' or `{' expected at end of text");
        char c = p->t[p->pos++];
        if (c == '{') {
            p->n[i].type = N_SEC;
            int r = parse_items(p, i, depth + 1);
            if (r < 0)
                return r;
        } else if (c == '=') {
            skip_ws(p);
            if (p->pos < p->len && p->t[p->pos] == '[') {
                p->pos++;
                p->n[i].type = N_ARR;
                int lastv = -1;
                for (;;) {
                    skip_ws(p);
                    if (p->pos >= p->len)
                        return perr(p, "unterminated list");
                    if (p->t[p->pos] == ']') {
                        p->pos++;
                        break;
                    }
                    if (lastv >= 0) {
                        if (p->t[p->pos] != ',')
                            return perr(p, "`,' expected in list");
                        p->pos++;
                        skip_ws(p);
                    }
                    int v = new_node(p);
                    if (v < 0)
                        return v;
                    int r = parse_scalar(p, v);
                    if (r < 0)
                        return r;
                    if (lastv < 0)
                        p->n[i].child = v;
                    else
                        p->n[lastv].next = v;
                    lastv = v;
                }
            } else {
                int r = parse_scalar(p, i);
                if (r < 0)
                    return r;
            }
        } else {
            return perr(p, "`=' or `{' expected");
        }
    }
}

static int child(const struct parser *p, int sec, const char *key)
{
    size_t kl = strlen(key);
    for (int i = sec >= 0 ? p->n[sec].child : -1; i >= 0; i = p->n[i].next)
        if (p->n[i].key && p->n[i].keylen == kl && memcmp(p->n[i].key, key, kl) == 0)
            return i;
    return -1;
}

static int get_num(const struct parser *p, int sec, const char *key, const char *where,
                   uint64_t max, uint64_t *out)
{
    int i = child(p, sec, key);
    if (i < 0 || p->n[i].type != N_NUM)
        return pb_error(PB_EBADFS, "lvm: metadata: %s: missing number `%s'", where, key);
    if (p->n[i].num < 0 || (uint64_t)p->n[i].num > max)
        return pb_error(PB_EBADFS, "lvm: metadata: %s: %s = %lld out of range", where, key,
                        (long long)p->n[i].num);
    *out = (uint64_t)p->n[i].num;
    return 0;
}

/* Copy a string value; backslash escapes taken literally. */
static void copy_str(const struct node *n, char *out, size_t size)
{
    size_t o = 0;
    for (uint32_t k = 0; k < n->slen && o + 1 < size; k++) {
        if (n->s[k] == '\\' && k + 1 < n->slen)
            k++;
        out[o++] = n->s[k];
    }
    out[o] = '\0';
}

static void copy_key(const struct node *n, char *out, size_t size)
{
    size_t l = n->keylen < size - 1 ? n->keylen : size - 1;
    memcpy(out, n->key, l);
    out[l] = '\0';
}

static int get_uuid(const struct parser *p, int sec, const char *where, char *out)
{
    int i = child(p, sec, "id");
    if (i < 0 || p->n[i].type != N_STR)
        return pb_error(PB_EBADFS, "lvm: metadata: %s: missing `id'", where);
    unsigned o = 0;
    for (uint32_t k = 0; k < p->n[i].slen; k++) {
        char c = p->n[i].s[k];
        if (c == '-')
            continue;
        if (o >= PB_LVM_UUID_LEN || c <= ' ' || c > '~')
            return pb_error(PB_EBADFS, "lvm: metadata: %s: bad id", where);
        out[o++] = c;
    }
    if (o != PB_LVM_UUID_LEN)
        return pb_error(PB_EBADFS, "lvm: metadata: %s: id has %u characters, not 32", where, o);
    out[o] = '\0';
    return 0;
}

static int cmp_seg(const void *a, const void *b)
{
    const struct pb_lvm_seg *x = a, *y = b;
    return x->start_extent < y->start_extent ? -1 : x->start_extent > y->start_extent;
}

static int count_sections(const struct parser *p, int sec)
{
    int c = 0;
    for (int i = sec >= 0 ? p->n[sec].child : -1; i >= 0; i = p->n[i].next)
        if (p->n[i].type == N_SEC)
            c++;
    return c;
}

static int parse_lv(const struct parser *p, int ln, struct pb_lvm_vg *vg, struct pb_lvm_lv *lv)
{
    char where[PB_LVM_NAME_MAX + 32];
    copy_key(&p->n[ln], lv->name, sizeof lv->name);
    snprintf(where, sizeof where, "logical volume `%s'", lv->name);
    int r = get_uuid(p, ln, where, lv->uuid);
    if (r < 0)
        return r;
    int st = child(p, ln, "status");
    if (st >= 0 && p->n[st].type == N_ARR)
        for (int v = p->n[st].child; v >= 0; v = p->n[v].next)
            if (p->n[v].type == N_STR && p->n[v].slen == 7 && memcmp(p->n[v].s, "VISIBLE", 7) == 0)
                lv->visible = true;
    int nseg = 0;
    for (int i = p->n[ln].child; i >= 0; i = p->n[i].next)
        if (p->n[i].type == N_SEC && p->n[i].keylen > 7 && memcmp(p->n[i].key, "segment", 7) == 0)
            nseg++;
    if (nseg == 0 || (unsigned)nseg > PB_LVM_MAX_SEGS)
        return pb_error(PB_EBADFS, "lvm: metadata: %s: %d segments", where, nseg);
    lv->segs = calloc((size_t)nseg, sizeof *lv->segs);
    if (!lv->segs)
        return pb_error(PB_ENOMEM, "lvm: out of memory for %s", where);
    for (int i = p->n[ln].child; i >= 0; i = p->n[i].next) {
        if (!(p->n[i].type == N_SEC && p->n[i].keylen > 7 && memcmp(p->n[i].key, "segment", 7) == 0))
            continue;
        struct pb_lvm_seg *s = &lv->segs[lv->nr_segs++];
        char sw[PB_LVM_NAME_MAX * 2 + 48];
        snprintf(sw, sizeof sw, "%s %.*s", where, (int)p->n[i].keylen, p->n[i].key);
        s->pv = -1;
        if ((r = get_num(p, i, "start_extent", sw, UINT32_MAX * 64ull, &s->start_extent)) < 0 ||
            (r = get_num(p, i, "extent_count", sw, UINT32_MAX * 64ull, &s->extent_count)) < 0)
            return r;
        if (s->extent_count == 0)
            return pb_error(PB_EBADFS, "lvm: metadata: %s: extent_count is 0", sw);
        int t = child(p, i, "type");
        if (t < 0 || p->n[t].type != N_STR)
            return pb_error(PB_EBADFS, "lvm: metadata: %s: missing `type'", sw);
        copy_str(&p->n[t], s->type, sizeof s->type);
        if (strcmp(s->type, "striped") != 0)
            continue;   /* kept; the disk layer refuses it by name */
        uint64_t sc;
        if ((r = get_num(p, i, "stripe_count", sw, 1u << 16, &sc)) < 0)
            return r;
        s->stripe_count = (uint32_t)sc;
        if (sc != 1)
            continue;
        int a = child(p, i, "stripes");
        int v0 = a >= 0 && p->n[a].type == N_ARR ? p->n[a].child : -1;
        int v1 = v0 >= 0 ? p->n[v0].next : -1;
        if (v0 < 0 || v1 < 0 || p->n[v0].type != N_STR || p->n[v1].type != N_NUM || p->n[v1].num < 0 ||
            p->n[v1].next >= 0)
            return pb_error(PB_EBADFS, "lvm: metadata: %s: `stripes' is not [\"pvN\", extent]", sw);
        char pvn[PB_LVM_NAME_MAX];
        copy_str(&p->n[v0], pvn, sizeof pvn);
        for (unsigned k = 0; k < vg->nr_pvs; k++)
            if (strcmp(vg->pvs[k].name, pvn) == 0)
                s->pv = (int)k;
        if (s->pv < 0)
            return pb_error(PB_EBADFS, "lvm: metadata: %s: unknown physical volume `%s'", sw, pvn);
        s->pv_start_extent = (uint64_t)p->n[v1].num;
        const struct pb_lvm_pv *pv = &vg->pvs[s->pv];
        if (s->pv_start_extent > pv->pe_count || s->extent_count > pv->pe_count - s->pv_start_extent)
            return pb_error(PB_EBADFS, "lvm: metadata: %s: extents %llu+%llu beyond %s's %llu",
                            sw, (unsigned long long)s->pv_start_extent,
                            (unsigned long long)s->extent_count, pv->name,
                            (unsigned long long)pv->pe_count);
    }
    qsort(lv->segs, lv->nr_segs, sizeof *lv->segs, cmp_seg);
    uint64_t next = 0;
    for (unsigned k = 0; k < lv->nr_segs; k++) {
        if (lv->segs[k].start_extent != next)
            return pb_error(PB_EBADFS, "lvm: metadata: %s: segments %s at extent %llu",
                            where, lv->segs[k].start_extent < next ? "overlap" : "leave a gap",
                            (unsigned long long)next);
        next += lv->segs[k].extent_count;
    }
    lv->extent_count = next;
    /* the LV's size in sectors must fit in 64 bits */
    uint64_t bytes;
    if (__builtin_mul_overflow(next, vg->extent_size * 512u, &bytes))
        return pb_error(PB_EBADFS, "lvm: metadata: %s: size overflows", where);
    return 0;
}

int pb_lvm_parse_metadata(const char *text, size_t len, struct pb_lvm_vg *vg)
{
    memset(vg, 0, sizeof *vg);
    struct parser p = { .t = text, .len = len, .line = 1 };
    int root = new_node(&p);
    int r = root < 0 ? root : parse_items(&p, root, 0);
    int vgn = -1;
    if (r == 0) {
        for (int i = p.n[root].child; i >= 0; i = p.n[i].next)
            if (p.n[i].type == N_SEC && child(&p, i, "physical_volumes") >= 0) {
                vgn = i;
                break;
            }
        if (vgn < 0)
            r = pb_error(PB_EBADFS, "lvm: metadata: no volume group section");
    }
    if (r == 0) {
        copy_key(&p.n[vgn], vg->name, sizeof vg->name);
        char where[PB_LVM_NAME_MAX + 32];
        snprintf(where, sizeof where, "volume group `%s'", vg->name);
        if ((r = get_uuid(&p, vgn, where, vg->uuid)) == 0 &&
            (r = get_num(&p, vgn, "seqno", where, UINT64_MAX / 2, &vg->seqno)) == 0 &&
            (r = get_num(&p, vgn, "extent_size", where, 1ull << 32, &vg->extent_size)) == 0 &&
            vg->extent_size == 0)
            r = pb_error(PB_EBADFS, "lvm: metadata: %s: extent_size is 0", where);
    }
    int pvs = r == 0 ? child(&p, vgn, "physical_volumes") : -1;
    if (r == 0) {
        int n = count_sections(&p, pvs);
        if (n == 0 || (unsigned)n > PB_LVM_MAX_PVS)
            r = pb_error(PB_EBADFS, "lvm: metadata: %d physical volumes", n);
        else if (!(vg->pvs = calloc((size_t)n, sizeof *vg->pvs)))
            r = pb_error(PB_ENOMEM, "lvm: out of memory");
    }
    for (int i = r == 0 ? p.n[pvs].child : -1; i >= 0 && r == 0; i = p.n[i].next) {
        if (p.n[i].type != N_SEC)
            continue;
        struct pb_lvm_pv *pv = &vg->pvs[vg->nr_pvs++];
        copy_key(&p.n[i], pv->name, sizeof pv->name);
        char where[PB_LVM_NAME_MAX + 32];
        snprintf(where, sizeof where, "physical volume `%s'", pv->name);
        if ((r = get_uuid(&p, i, where, pv->uuid)) == 0 &&
            (r = get_num(&p, i, "pe_start", where, UINT64_MAX / 1024, &pv->pe_start)) == 0)
            r = get_num(&p, i, "pe_count", where, UINT32_MAX * 64ull, &pv->pe_count);
    }
    int lvs = r == 0 ? child(&p, vgn, "logical_volumes") : -1;
    if (r == 0 && lvs >= 0) {
        int n = count_sections(&p, lvs);
        if ((unsigned)n > PB_LVM_MAX_LVS)
            r = pb_error(PB_EBADFS, "lvm: metadata: %d logical volumes", n);
        else if (n > 0 && !(vg->lvs = calloc((size_t)n, sizeof *vg->lvs)))
            r = pb_error(PB_ENOMEM, "lvm: out of memory");
        for (int i = p.n[lvs].child; i >= 0 && r == 0; i = p.n[i].next)
            if (p.n[i].type == N_SEC)
                r = parse_lv(&p, i, vg, &vg->lvs[vg->nr_lvs++]);
    }
    free(p.n);
    if (r < 0)
        pb_lvm_vg_free(vg);
    return r;
}

void pb_lvm_vg_free(struct pb_lvm_vg *vg)
{
    for (unsigned i = 0; i < vg->nr_lvs; i++)
        free(vg->lvs[i].segs);
    free(vg->lvs);
    free(vg->pvs);
    memset(vg, 0, sizeof *vg);
}
