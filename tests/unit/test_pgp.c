/* SPDX-License-Identifier: MIT */
/* Unit tests for the OpenPGP packet parser of module pgp
 * (modules/pgp/packet.c): the packet header forms of RFC 4880 section 4.2
 * (old format with 1-, 2- and 4-byte lengths; new format with 1-, 2- and
 * 5-byte lengths) around one hand-made version 4 EdDSA signature body, the
 * issuer key ID from subpacket 16 in either area and from subpacket 33, and
 * the exact error (file and byte offset) for each malformed form.  Real
 * keys and signatures made by gpg are in tests/host/pgp.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/err.h"
#include "pvboot/pgp.h"

/* version 4, binary document, EdDSA, SHA-256, no hashed subpackets,
 * unhashed: issuer 0102030405060708; hash prefix ab cd; r = 0x11, s = 0x22 */
static const uint8_t body[] = {
    4, 0x00, 22, 8, 0, 0,
    0, 10, 9, 16, 1, 2, 3, 4, 5, 6, 7, 8,
    0xab, 0xcd,
    0, 5, 0x11,
    0, 6, 0x22,
};

static size_t wrap(uint8_t *out, const uint8_t *hdr, size_t hl)
{
    memcpy(out, hdr, hl);
    memcpy(out + hl, body, sizeof body);
    return hl + sizeof body;
}

static void expect_ok(const uint8_t *b, size_t n)
{
    struct pb_pgp_sig s;
    int r = pb_pgp_parse_sig(b, n, "t.sig", &s);
    if (r)
        fail_msg("%s", pb_errmsg());
    assert_int_equal(s.type, 0);
    assert_int_equal(s.pkalgo, PB_PGP_ALGO_EDDSA);
    assert_int_equal(s.hashalgo, PB_PGP_HASH_SHA256);
    assert_true(s.have_keyid);
    assert_true(s.keyid == 0x0102030405060708ull);
    assert_int_equal(s.hashedlen, 6);
    assert_int_equal(s.hash_start[0], 0xab);
    assert_int_equal(s.nmpi, 2);
    assert_int_equal(s.mpilen[0], 1);
    assert_int_equal(s.mpi[0][0], 0x11);
    assert_int_equal(s.mpi[1][0], 0x22);
}

static void expect_err(const uint8_t *b, size_t n, const char *msg)
{
    struct pb_pgp_sig s;
    assert_int_equal(pb_pgp_parse_sig(b, n, "t.sig", &s), PB_EBADSIG);
    assert_string_equal(pb_errmsg(), msg);
    pb_error_clear();
}

static void test_header_forms(void **state)
{
    (void)state;
    uint8_t b[64];
    const uint8_t n = sizeof body;
    const uint8_t old1[] = { 0x88, n }, old2[] = { 0x89, 0, n }, old4[] = { 0x8a, 0, 0, 0, n };
    const uint8_t new1[] = { 0xc2, n }, new5[] = { 0xc2, 0xff, 0, 0, 0, n };
    expect_ok(b, wrap(b, old1, sizeof old1));
    expect_ok(b, wrap(b, old2, sizeof old2));
    expect_ok(b, wrap(b, old4, sizeof old4));
    expect_ok(b, wrap(b, new1, sizeof new1));
    expect_ok(b, wrap(b, new5, sizeof new5));
    /* trailing packets after the signature are ignored (as GRUB) */
    size_t l = wrap(b, new1, sizeof new1);
    b[l] = 0xb4;
    b[l + 1] = 0;
    expect_ok(b, l + 2);
}

static void test_two_byte_new_length(void **state)
{
    (void)state;
    /* 200 bytes of unhashed subpackets of a private type (101) make the
     * body need the two-byte form: 192 + (b0 - 192) * 256 + b1 */
    uint8_t b[400];
    size_t bl = sizeof body + 200;
    b[0] = 0xc2;
    b[1] = (uint8_t)(((bl - 192) >> 8) + 192);
    b[2] = (uint8_t)(bl - 192);
    uint8_t *p = b + 3;
    memcpy(p, body, 6);
    p[6] = 0;
    p[7] = 210;
    memset(p + 8, 0, 200);
    p[8] = 190;         /* one-byte subpacket lengths: type + 189 bytes */
    p[9] = 101;
    p[199] = 8;         /* type + 7 bytes */
    p[200] = 101;
    memcpy(p + 208, body + 8, sizeof body - 8);
    expect_ok(b, 3 + bl);
}

static void test_issuer_fingerprint(void **state)
{
    (void)state;
    /* hashed area: subpacket 33 (version 4 + 20-byte fingerprint) */
    uint8_t b[80];
    uint8_t *p = b + 2;
    memcpy(p, body, 4);
    p[4] = 0;
    p[5] = 23;
    p[6] = 22;
    p[7] = 33;
    p[8] = 4;
    for (int i = 0; i < 20; i++)
        p[9 + i] = (uint8_t)(0xa0 + i);
    p[29] = 0;          /* no unhashed subpackets */
    p[30] = 0;
    memcpy(p + 31, body + 18, sizeof body - 18);
    size_t bl = 31 + sizeof body - 18;
    b[0] = 0xc2;
    b[1] = (uint8_t)bl;
    struct pb_pgp_sig s;
    assert_int_equal(pb_pgp_parse_sig(b, 2 + bl, "t.sig", &s), 0);
    assert_true(s.keyid == 0xacadaeafb0b1b2b3ull);
    assert_int_equal(s.hashedlen, 29);
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t b[64];
    const uint8_t n = sizeof body;
    const uint8_t partial[] = { 0xc2, 0xe0 }, indet[] = { 0x8b };
    memcpy(b, partial, 2);
    expect_err(b, 2, "bad signature: t.sig: byte 1: partial body length (streamed packet) is "
                     "not supported");
    memcpy(b, indet, 1);
    expect_err(b, 1, "bad signature: t.sig: byte 0: indeterminate packet length is not supported");
    b[0] = 0x89;
    b[1] = 0;
    expect_err(b, 2, "bad signature: t.sig: byte 0: packet header cut off by the end of the file");
    b[0] = 0x42;
    expect_err(b, 2, "bad signature: t.sig: byte 0: not an OpenPGP packet (tag byte 0x42)");
    const uint8_t h[] = { 0x88, n };
    size_t l = wrap(b, h, sizeof h);
    expect_err(b, l - 1, "bad signature: t.sig: byte 0: packet of 26 bytes runs past the end of "
                         "the file (27 bytes)");
    expect_err(b, 0, "bad signature: t.sig: empty file");
    wrap(b, h, sizeof h);
    b[0] = 0x98;   /* tag 6: a public key */
    expect_err(b, l, "bad signature: t.sig: byte 0: packet type 6 is not a signature");
    wrap(b, h, sizeof h);
    b[2] = 3;
    expect_err(b, l, "bad signature: t.sig: byte 2: version 3 signature (only version 4 is "
                     "supported)");
    wrap(b, h, sizeof h);
    b[4] = 17;
    expect_err(b, l, "bad signature: t.sig: byte 4: public key algorithm 17 is not supported "
                     "(RSA and EdDSA are)");
    wrap(b, h, sizeof h);
    b[5] = 1;
    expect_err(b, l, "bad signature: t.sig: byte 5: hash algorithm 1 is not supported (SHA-1 and "
                   "SHA-2 are)");
    wrap(b, h, sizeof h);
    b[7] = 200;
    expect_err(b, l, "bad signature: t.sig: byte 6: hashed subpackets (200 bytes) run past the end "
                     "of the packet");
    wrap(b, h, sizeof h);
    b[10] = 50;    /* the issuer subpacket's length */
    expect_err(b, l, "bad signature: t.sig: byte 10: subpacket of 50 bytes does not fit its area");
    wrap(b, h, sizeof h);
    b[11] = 2;     /* not an issuer: no key ID anywhere */
    expect_err(b, l, "bad signature: t.sig: no issuer key ID (subpacket 16 or 33)");
    wrap(b, h, sizeof h);
    b[26] = 200;   /* s: 200 bits claimed, 1 byte present */
    expect_err(b, l, "bad signature: t.sig: byte 25: MPI of 200 bits runs past the end of its "
                     "packet");
}

static void test_keys_errors(void **state)
{
    (void)state;
    struct pb_pgp_key *k = (void *)1;
    assert_int_equal(pb_pgp_parse_keys((const uint8_t *)"-----BEGIN PGP", 14, "k.asc", &k),
                     PB_EBADFMT);
    assert_null(k);
    assert_string_equal(pb_errmsg(), "bad public key: k.asc: ASCII-armored; binary keys are "
                                     "needed (gpg --export without --armor, or gpg --dearmor)");
    /* a subkey packet first */
    const uint8_t sub[] = { 0xb8, 6, 4, 0, 0, 0, 0, 1 };
    assert_int_equal(pb_pgp_parse_keys(sub, sizeof sub, "k", &k), PB_EBADFMT);
    assert_string_equal(pb_errmsg(), "bad public key: k: byte 0: subkey before any primary key");
    /* RSA key whose modulus MPI claims more than the packet holds */
    const uint8_t rsa[] = { 0x98, 9, 4, 0, 0, 0, 0, 1, 0x08, 0x00, 0xff };
    assert_int_equal(pb_pgp_parse_keys(rsa, sizeof rsa, "k", &k), PB_EBADFMT);
    assert_string_equal(pb_errmsg(), "bad public key: k: byte 8: MPI of 2048 bits runs past the "
                                     "end of its packet");
    /* a DSA key only: nothing usable */
    const uint8_t dsa[] = { 0x98, 6, 4, 0, 0, 0, 0, 17 };
    assert_int_equal(pb_pgp_parse_keys(dsa, sizeof dsa, "k", &k), PB_ENOTSUP);
    assert_string_equal(pb_errmsg(), "bad public key: k: no RSA or EdDSA (Ed25519) key in it");
    /* version 3 key */
    const uint8_t v3[] = { 0x98, 6, 3, 0, 0, 0, 0, 1 };
    assert_int_equal(pb_pgp_parse_keys(v3, sizeof v3, "k", &k), PB_ENOTSUP);
    assert_string_equal(pb_errmsg(), "bad public key: k: byte 2: version 3 key packet (only "
                                     "version 4 is supported)");
    pb_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_forms),
        cmocka_unit_test(test_two_byte_new_length),
        cmocka_unit_test(test_issuer_fingerprint),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_keys_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
