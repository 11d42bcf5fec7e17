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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_read),
        cmocka_unit_test(test_build_write_watch),
        cmocka_unit_test(test_build_too_big),
        cmocka_unit_test(test_header_and_errors),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_watch_and_uint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
