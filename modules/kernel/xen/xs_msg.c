/* SPDX-License-Identifier: MIT */
/* Xenstore wire encoding/decoding: see xs_msg.h. */
#include <stdlib.h>
#include <string.h>
#include "xs_msg.h"
#include "pvboot/err.h"

long pb_xs_build(void *buf, size_t cap, uint32_t type, uint32_t req_id, uint32_t tx_id,
                 const char *const *parts, unsigned nparts, bool last_raw)
{
    size_t len = 0;
    for (unsigned i = 0; i < nparts; i++) {
        len += strlen(parts[i]);
        if (!(last_raw && i + 1 == nparts))
            len++;
        if (len > XENSTORE_PAYLOAD_MAX)
            break;
    }
    if (len > XENSTORE_PAYLOAD_MAX || PB_XS_HDR_SIZE + len > cap)
        return pb_error(PB_ERANGE, "xenstore request type %u: payload of %zu bytes is too large "
                        "(max %u)", type, len, (unsigned)XENSTORE_PAYLOAD_MAX);
    struct xsd_sockmsg h = { .type = type, .req_id = req_id, .tx_id = tx_id, .len = (uint32_t)len };
    char *p = buf;
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    for (unsigned i = 0; i < nparts; i++) {
        size_t l = strlen(parts[i]);
        memcpy(p, parts[i], l);
        p += l;
        if (!(last_raw && i + 1 == nparts))
            *p++ = '\0';
    }
    return (long)(PB_XS_HDR_SIZE + len);
}

bool pb_xs_header_ok(const struct xsd_sockmsg *h)
{
    return h->len <= XENSTORE_PAYLOAD_MAX;
}

int pb_xs_header_check(const struct xsd_sockmsg *h, uint32_t max_req_id)
{
    if (h->type >= XS_TYPE_COUNT)
        return pb_error(PB_EXEN, "xenstore: corrupt reply header: unknown type %u (req_id %u, "
                        "len %u)", h->type, h->req_id, h->len);
    if (h->len > XENSTORE_PAYLOAD_MAX)
        return pb_error(PB_EXEN, "xenstore: corrupt reply header: payload of %u bytes exceeds "
                        "the protocol limit of %u (type %u, req_id %u)", h->len,
                        (unsigned)XENSTORE_PAYLOAD_MAX, h->type, h->req_id);
    if (h->type != XS_WATCH_EVENT && h->req_id > max_req_id)
        return pb_error(PB_EXEN, "xenstore: corrupt reply header: req_id %u was never sent "
                        "(last %u; type %u, len %u)", h->req_id, max_req_id, h->type, h->len);
    return 0;
}

long pb_xs_reader_want(struct pb_xs_reader *r, uint32_t max_req_id)
{
    if (r->have < PB_XS_HDR_SIZE)
        return (long)(PB_XS_HDR_SIZE - r->have);
    struct xsd_sockmsg h;
    memcpy(&h, r->buf, sizeof h);
    int rc = pb_xs_header_check(&h, max_req_id);
    if (rc < 0)
        return rc;
    size_t total = PB_XS_HDR_SIZE + h.len;       /* <= PB_XS_MSG_MAX: checked */
    if (r->have > total)                         /* cannot happen via push */
        return pb_error(PB_EXEN, "xenstore: reader overrun (%zu of %zu bytes)", r->have, total);
    if (r->have == total)
        r->buf[total] = '\0';
    return (long)(total - r->have);
}

size_t pb_xs_reader_push(struct pb_xs_reader *r, const void *data, size_t n, uint32_t max_req_id)
{
    size_t taken = 0;
    const unsigned char *p = data;
    /* at most two rounds: header, then payload */
    for (int round = 0; round < 2 && taken < n; round++) {
        long want = pb_xs_reader_want(r, max_req_id);
        if (want <= 0)
            break;
        size_t k = n - taken < (size_t)want ? n - taken : (size_t)want;
        memcpy(r->buf + r->have, p + taken, k);
        r->have += k;
        taken += k;
    }
    return taken;
}

int pb_xs_reader_msg(struct pb_xs_reader *r, struct xsd_sockmsg *h, char **payload)
{
    if (r->have < PB_XS_HDR_SIZE)
        return PB_EAGAIN;
    struct xsd_sockmsg m;
    memcpy(&m, r->buf, sizeof m);
    if (!pb_xs_header_ok(&m) || r->have != PB_XS_HDR_SIZE + m.len)
        return PB_EAGAIN;
    r->buf[r->have] = '\0';
    *h = m;
    *payload = (char *)r->buf + PB_XS_HDR_SIZE;
    return 0;
}

void pb_xs_reader_next(struct pb_xs_reader *r)
{
    r->have = 0;
}

size_t pb_xs_reader_resync(struct pb_xs_reader *r)
{
    size_t n = r->have;
    r->have = 0;
    return n;
}

int pb_xs_error_code(const char *payload, size_t len)
{
    static const struct { const char *name; int code; } map[] = {
        { "ENOENT", PB_ENOENT }, { "EAGAIN", PB_EAGAIN }, { "EACCES", PB_EACCES },
        { "EPERM", PB_EACCES }, { "EINVAL", PB_EINVAL }, { "E2BIG", PB_EINVAL },
        { "EEXIST", PB_EINVAL }, { "EBUSY", PB_EBUSY }, { "ENOSPC", PB_ENOMEM },
        { "ENOMEM", PB_ENOMEM },
    };
    size_t n = strnlen(payload, len);
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].name) == n && memcmp(map[i].name, payload, n) == 0)
            return map[i].code;
    return PB_EXEN;
}

int pb_xs_split(const char *payload, size_t len, char ***out, unsigned *n)
{
    unsigned count = 0;
    for (size_t i = 0; i < len; i++)
        if (payload[i] == '\0')
            count++;
    bool tail = len > 0 && payload[len - 1] != '\0';   /* unterminated last string */
    if (tail)
        count++;
    size_t ptrs = (count + 1) * sizeof(char *);
    char **arr = malloc(ptrs + len + 1);
    if (!arr)
        return pb_error(PB_ENOMEM, "xenstore: no memory for a %zu-byte directory", len);
    char *strs = (char *)arr + ptrs;
    memcpy(strs, payload, len);
    strs[len] = '\0';
    unsigned k = 0;
    for (size_t i = 0; i < len && k < count;) {
        arr[k++] = strs + i;
        i += strlen(strs + i) + 1;
    }
    arr[k] = NULL;
    *out = arr;
    *n = k;
    return 0;
}

int pb_xs_parse_watch(const char *payload, size_t len, const char **path, const char **token)
{
    size_t l1 = strnlen(payload, len);
    if (l1 >= len)
        return pb_error(PB_EINVAL, "xenstore: watch event without a token");
    *path = payload;
    *token = payload + l1 + 1;
    return 0;
}

int pb_xs_parse_uint(const char *s, uint64_t *v)
{
    uint64_t x = 0;
    if (!*s)
        return pb_error(PB_EINVAL, "xenstore: empty number");
    for (const char *p = s; *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (*p < '0' || *p > '9' || x > (UINT64_MAX - d) / 10)
            return pb_error(PB_EINVAL, "xenstore: \"%.32s\" is not a number", s);
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}
