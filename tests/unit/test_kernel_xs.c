/* SPDX-License-Identifier: MIT */
/* Xenstore wire encoding/decoding (modules/kernel/xen/xs_msg.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../modules/kernel/xen/xs_msg.h"
#include "pvboot/err.h"

_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg size (docs §0)");
_Static_assert(sizeof(struct xenstore_domain_interface) == 2076, "xenstore ring size (docs §0)");

static void hdr(const unsigned char *buf, uint32_t *t, uint32_t *r, uint32_t *tx, uint32_t *len)
{
    struct xsd_sockmsg h;
    memcpy(&h, buf, sizeof h);
    *t = h.type; *r = h.req_id; *tx = h.tx_id; *len = h.len;
}

static void test_build_read(void **state)
{
    (void)state;
    unsigned char buf[PB_XS_MSG_MAX];
    const char *parts[] = { "device/vbd" };
    long n = pb_xs_build(buf, sizeof buf, XS_DIRECTORY, 7, 0, parts, 1, false);
    assert_int_equal(n, 16 + 11);
    uint32_t t, r, tx, len;
    hdr(buf, &t, &r, &tx, &len);
    assert_int_equal(t, XS_DIRECTORY);
    assert_int_equal(t, 1);
    assert_int_equal(r, 7);
    assert_int_equal(tx, 0);
    assert_int_equal(len, 11);
    assert_memory_equal(buf + 16, "device/vbd\0", 11);
}

static void test_build_write_watch(void **state)
{
    (void)state;
    unsigned char buf[PB_XS_MSG_MAX];
    const char *w[] = { "device/vbd/51712/state", "4" };
    long n = pb_xs_build(buf, sizeof buf, XS_WRITE, 9, 42, w, 2, true);
    assert_int_equal(n, 16 + 23 + 1);          /* value unterminated */
    uint32_t t, r, tx, len;
    hdr(buf, &t, &r, &tx, &len);
    assert_int_equal(t, 11);
    assert_int_equal(tx, 42);
    assert_int_equal(len, 24);
    assert_memory_equal(buf + 16, "device/vbd/51712/state\0" "4", 24);

    const char *wa[] = { "backend/state", "tok1" };
    n = pb_xs_build(buf, sizeof buf, XS_WATCH, 1, 0, wa, 2, false);
    assert_int_equal(n, 16 + 14 + 5);
    assert_memory_equal(buf + 16, "backend/state\0tok1\0", 19);

    const char *ts[] = { "" };
    n = pb_xs_build(buf, sizeof buf, XS_TRANSACTION_START, 2, 0, ts, 1, false);
    assert_int_equal(n, 17);
    assert_int_equal(buf[16], 0);
}

static void test_build_too_big(void **state)
{
    (void)state;
    static unsigned char buf[PB_XS_MSG_MAX];
    static char big[XENSTORE_PAYLOAD_MAX + 1];
    memset(big, 'x', XENSTORE_PAYLOAD_MAX - 1);     /* + NUL = exactly the max */
    const char *p[] = { big };
    assert_int_equal(pb_xs_build(buf, sizeof buf, XS_READ, 1, 0, p, 1, false), 16 + 4096);
    big[XENSTORE_PAYLOAD_MAX - 1] = 'y';             /* one more byte: too large */
    assert_int_equal(pb_xs_build(buf, sizeof buf, XS_READ, 1, 0, p, 1, false), PB_ERANGE);
    assert_non_null(strstr(pb_errmsg(), "4097 bytes"));
    const char *s[] = { "abc" };
    assert_int_equal(pb_xs_build(buf, 18, XS_READ, 1, 0, s, 1, false), PB_ERANGE);
}

static void test_header_and_errors(void **state)
{
    (void)state;
    struct xsd_sockmsg h = { .type = XS_READ, .len = 4096 };
    assert_true(pb_xs_header_ok(&h));
    h.len = 4097;
    assert_false(pb_xs_header_ok(&h));
    assert_int_equal(pb_xs_error_code("ENOENT", 7), PB_ENOENT);
    assert_int_equal(pb_xs_error_code("EAGAIN", 6), PB_EAGAIN);   /* no NUL */
    assert_int_equal(pb_xs_error_code("EACCES", 7), PB_EACCES);
    assert_int_equal(pb_xs_error_code("EINVAL", 7), PB_EINVAL);
    assert_int_equal(pb_xs_error_code("ENOENTX", 8), PB_EXEN);
    assert_int_equal(pb_xs_error_code("ENO", 3), PB_EXEN);
    assert_int_equal(pb_xs_error_code("", 0), PB_EXEN);
}

static void test_split(void **state)
{
    (void)state;
    char **names;
    unsigned n;
    assert_int_equal(pb_xs_split("51712\0" "51728\0" "268441856\0", 22, &names, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "51712");
    assert_string_equal(names[1], "51728");
    assert_string_equal(names[2], "268441856");
    assert_null(names[3]);
    free(names);
    assert_int_equal(pb_xs_split("", 0, &names, &n), 0);
    assert_int_equal(n, 0);
    assert_null(names[0]);
    free(names);
    assert_int_equal(pb_xs_split("a\0bc", 4, &names, &n), 0);   /* unterminated tail */
    assert_int_equal(n, 2);
    assert_string_equal(names[1], "bc");
    free(names);
}

static void test_watch_and_uint(void **state)
{
    (void)state;
    const char *path, *token;
    char ev[] = "backend/vbd/3/51712/state\0pvboot-state-1\0";
    assert_int_equal(pb_xs_parse_watch(ev, sizeof ev - 1, &path, &token), 0);
    assert_string_equal(path, "backend/vbd/3/51712/state");
    assert_string_equal(token, "pvboot-state-1");
    char bad[] = "onlypath";
    assert_int_equal(pb_xs_parse_watch(bad, 8, &path, &token), PB_EINVAL);
    uint64_t v;
    assert_int_equal(pb_xs_parse_uint("12345", &v), 0);
    assert_int_equal(v, 12345);
    assert_int_equal(pb_xs_parse_uint("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(pb_xs_parse_uint("18446744073709551616", &v), PB_EINVAL);
    assert_int_equal(pb_xs_parse_uint("", &v), PB_EINVAL);
    assert_int_equal(pb_xs_parse_uint("4 ", &v), PB_EINVAL);
    assert_int_equal(pb_xs_parse_uint("-1", &v), PB_EINVAL);
}

/* a reply message: header + payload (@plen bytes) into @out; returns size */
static size_t mkmsg(unsigned char *out, uint32_t type, uint32_t req_id, uint32_t len,
                    const char *payload, size_t plen)
{
    struct xsd_sockmsg h = { .type = type, .req_id = req_id, .tx_id = 0, .len = len };
    memcpy(out, &h, sizeof h);
    memcpy(out + sizeof h, payload, plen);
    return sizeof h + plen;
}

static void test_reader_stream(void **state)
{
    (void)state;
    static struct pb_xs_reader r;
    unsigned char s[128];
    size_t n = mkmsg(s, XS_READ, 3, 2, "4", 2);
    n += mkmsg(s + n, XS_WATCH_EVENT, 0, 6, "a\0tok", 6);
    /* byte by byte: the reader never takes more than the message needs */
    size_t off = 0;
    unsigned msgs = 0;
    for (unsigned guard = 0; guard < 200 && off < n; guard++) {
        size_t k = pb_xs_reader_push(&r, s + off, 1, 3);
        if (k == 0) {
            struct xsd_sockmsg h;
            char *p;
            assert_int_equal(pb_xs_reader_want(&r, 3), 0);
            assert_int_equal(pb_xs_reader_msg(&r, &h, &p), 0);
            if (msgs == 0) {
                assert_int_equal(h.type, XS_READ);
                assert_int_equal(h.req_id, 3);
                assert_string_equal(p, "4");
            } else {
                assert_int_equal(h.type, XS_WATCH_EVENT);
                assert_memory_equal(p, "a\0tok\0", 7);
            }
            msgs++;
            pb_xs_reader_next(&r);
            continue;
        }
        assert_int_equal(k, 1);
        off += k;
    }
    assert_int_equal(off, n);
    assert_int_equal(pb_xs_reader_want(&r, 3), 0);     /* the event is complete */
    msgs++;
    pb_xs_reader_next(&r);
    assert_int_equal(msgs, 2);
    /* all at once: push stops at the end of the first message */
    assert_int_equal(pb_xs_reader_push(&r, s, n, 3), 18);
    assert_int_equal(pb_xs_reader_want(&r, 3), 0);
    pb_xs_reader_next(&r);
    assert_int_equal(pb_xs_reader_push(&r, s + 18, n - 18, 3), 22);
    pb_xs_reader_next(&r);
    /* incomplete: PB_EAGAIN, and want says how much is missing */
    assert_int_equal(pb_xs_reader_push(&r, s, 10, 3), 10);
    struct xsd_sockmsg h;
    char *p;
    assert_int_equal(pb_xs_reader_msg(&r, &h, &p), PB_EAGAIN);
    assert_int_equal(pb_xs_reader_want(&r, 3), 6);
    assert_int_equal(pb_xs_reader_push(&r, s + 10, 6, 3), 6);
    assert_int_equal(pb_xs_reader_want(&r, 3), 2);
    assert_int_equal(pb_xs_reader_resync(&r), 16);
}

static void test_reader_corrupt(void **state)
{
    (void)state;
    static struct pb_xs_reader r;
    static unsigned char s[PB_XS_MSG_MAX * 2];
    struct xsd_sockmsg h;
    char *p;
    /* oversized: a 5000-byte payload claimed; the reader stops at the header */
    size_t n = mkmsg(s, XS_READ, 1, 5000, "xxxxxxxx", 8);
    assert_int_equal(pb_xs_reader_push(&r, s, n, 1), 16);
    assert_int_equal(pb_xs_reader_want(&r, 1), PB_EXEN);
    assert_non_null(strstr(pb_errmsg(), "payload of 5000 bytes exceeds the protocol limit of 4096"));
    assert_int_equal(pb_xs_reader_push(&r, s + 16, n - 16, 1), 0);   /* takes nothing more */
    assert_int_equal(pb_xs_reader_msg(&r, &h, &p), PB_EAGAIN);
    assert_int_equal(pb_xs_reader_resync(&r), 16);
    /* after a resync the next good message decodes */
    n = mkmsg(s, XS_WRITE, 2, 3, "OK", 3);
    assert_int_equal(pb_xs_reader_push(&r, s, n, 2), 19);
    assert_int_equal(pb_xs_reader_msg(&r, &h, &p), 0);
    assert_int_equal(h.type, XS_WRITE);
    assert_string_equal(p, "OK");
    pb_xs_reader_next(&r);
    /* unknown type */
    n = mkmsg(s, XS_TYPE_COUNT, 2, 0, "", 0);
    pb_xs_reader_push(&r, s, n, 2);
    assert_int_equal(pb_xs_reader_want(&r, 2), PB_EXEN);
    assert_non_null(strstr(pb_errmsg(), "unknown type"));
    assert_int_equal(pb_xs_reader_resync(&r), 16);
    n = mkmsg(s, XS_INVALID, 2, 0, "", 0);
    pb_xs_reader_push(&r, s, n, 2);
    assert_int_equal(pb_xs_reader_want(&r, 2), PB_EXEN);
    pb_xs_reader_resync(&r);
    /* a reply naming a req_id never sent (payload bytes read as a header) */
    n = mkmsg(s, XS_READ, 77, 1, "", 1);
    pb_xs_reader_push(&r, s, n, 5);
    assert_int_equal(pb_xs_reader_want(&r, 5), PB_EXEN);
    assert_non_null(strstr(pb_errmsg(), "req_id 77 was never sent (last 5"));
    pb_xs_reader_resync(&r);
    /* watch events carry req_id 0 and are fine with any last id */
    n = mkmsg(s, XS_WATCH_EVENT, 0, 4, "p\0t", 4);
    assert_int_equal(pb_xs_reader_push(&r, s, n, 5), 20);
    assert_int_equal(pb_xs_reader_want(&r, 5), 0);
    pb_xs_reader_next(&r);
    /* exactly the largest payload is accepted */
    memset(s, 'y', sizeof s);
    n = mkmsg(s, XS_DIRECTORY, 1, XENSTORE_PAYLOAD_MAX, (const char *)s + 16, XENSTORE_PAYLOAD_MAX);
    assert_int_equal(pb_xs_reader_push(&r, s, n, 1), 16 + XENSTORE_PAYLOAD_MAX);
    assert_int_equal(pb_xs_reader_msg(&r, &h, &p), 0);
    assert_int_equal(h.len, XENSTORE_PAYLOAD_MAX);
    assert_int_equal(p[XENSTORE_PAYLOAD_MAX], '\0');
    pb_xs_reader_next(&r);
    /* pseudo-random garbage: the reader never overruns and never takes
     * bytes past a bad header; each message is bounded */
    uint32_t x = 12345;
    for (unsigned i = 0; i < sizeof s; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = (unsigned char)(x >> 16);
    }
    size_t off = 0, msgs = 0, resyncs = 0;
    for (unsigned guard = 0; guard < 100000 && off < sizeof s; guard++) {
        size_t k = pb_xs_reader_push(&r, s + off, sizeof s - off, 1000);
        off += k;
        long w = pb_xs_reader_want(&r, 1000);
        assert_true(r.have <= PB_XS_MSG_MAX);
        if (w < 0) {
            assert_int_equal(pb_xs_reader_resync(&r), 16);   /* bad header: only it buffered */
            resyncs++;
        } else if (w == 0) {
            assert_int_equal(pb_xs_reader_msg(&r, &h, &p), 0);
            pb_xs_reader_next(&r);
            msgs++;
        } else {
            assert_int_equal(off, sizeof s);
        }
    }
    assert_int_equal(off, sizeof s);
    assert_true(resyncs > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_read),
        cmocka_unit_test(test_build_write_watch),
        cmocka_unit_test(test_build_too_big),
        cmocka_unit_test(test_header_and_errors),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_watch_and_uint),
        cmocka_unit_test(test_reader_stream),
        cmocka_unit_test(test_reader_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
