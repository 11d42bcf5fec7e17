/* SPDX-License-Identifier: MIT */
/* Unit tests for module password_pbkdf2: SHA-512 (FIPS 180-2 appendix C
 * examples), HMAC-SHA-512 (RFC 4231 test cases 1, 2, 6), PBKDF2-HMAC-SHA-512
 * (values from Python's hashlib.pbkdf2_hmac, an independent
 * implementation), the grub-mkpasswd-pbkdf2 format (a hash made by GRUB
 * 2.06's grub-mkpasswd-pbkdf2 -c 1000 for "secret"), and the password /
 * password_pbkdf2 commands with the superusers check of module normal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "script_test_util.h"
#include "pvboot/menu_ui.h"
#include "pvboot/pbkdf2.h"

static const char *hex(const uint8_t *p, size_t n)
{
    static char b[1024];
    for (size_t i = 0; i < n && 2 * i + 2 < sizeof b; i++)
        snprintf(b + 2 * i, 3, "%02x", p[i]);
    b[2 * n < sizeof b ? 2 * n : sizeof b - 1] = 0;
    return b;
}

static void test_sha512(void **state)
{
    (void)state;
    uint8_t d[64];
    pb_sha512("abc", 3, d);
    assert_string_equal(hex(d, 64), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                                    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    pb_sha512("", 0, d);
    assert_string_equal(hex(d, 64), "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                                    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    const char *two = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                      "klmnopqrlmnopqrsmnopqrstnopqrstu";
    pb_sha512(two, strlen(two), d);
    assert_string_equal(hex(d, 64), "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
                                    "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
    /* one million 'a' fed in uneven pieces (buffer boundary handling) */
    struct pb_sha512 c;
    char a[997];
    memset(a, 'a', sizeof a);
    pb_sha512_init(&c);
    size_t left = 1000000;
    while (left) {
        size_t k = left < sizeof a ? left : sizeof a;
        pb_sha512_update(&c, a, k);
        left -= k;
    }
    pb_sha512_final(&c, d);
    assert_string_equal(hex(d, 64), "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                                    "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

static void test_hmac(void **state)
{
    (void)state;
    uint8_t d[64], key[131];
    memset(key, 0x0b, 20);
    pb_hmac_sha512(key, 20, "Hi There", 8, d);
    assert_string_equal(hex(d, 64), "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                                    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
    pb_hmac_sha512("Jefe", 4, "what do ya want for nothing?", 28, d);
    assert_string_equal(hex(d, 64), "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                                    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
    memset(key, 0xaa, 131);
    const char *m = "Test Using Larger Than Block-Size Key - Hash Key First";
    pb_hmac_sha512(key, 131, m, strlen(m), d);
    assert_string_equal(hex(d, 64), "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                                    "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
}

static void test_pbkdf2(void **state)
{
    (void)state;
    uint8_t d[100];
    assert_int_equal(pb_pbkdf2_sha512("password", 8, "salt", 4, 1, d, 64), 0);
    assert_string_equal(hex(d, 64), "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
                                    "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce");
    assert_int_equal(pb_pbkdf2_sha512("password", 8, "salt", 4, 4096, d, 64), 0);
    assert_string_equal(hex(d, 64), "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5"
                                    "143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5");
    /* two blocks, the second one cut */
    assert_int_equal(pb_pbkdf2_sha512("passwordPASSWORDpassword", 24,
                                      "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36, 4096, d, 100), 0);
    assert_string_equal(hex(d, 100),
                        "8c0511f4c6e597c6ac6315d8f0362e225f3c501495ba23b868c005174dc4ee71115b59f9e60cd953"
                        "2fa33e0f75aefe30225c583a186cd82bd4daea9724a3d3b804f75bdd41494fa324cab24bcc680fb3"
                        "b96a30cf5d21fac3c2875913919f3399b1d9ce7e");
    assert_int_equal(pb_pbkdf2_sha512("p", 1, "s", 1, 0, d, 64), PB_EINVAL);
    assert_int_equal(pb_pbkdf2_sha512("p", 1, "s", 1, 1, d, 0), PB_EINVAL);
}

/* made by: printf 'secret\nsecret\n' | grub-mkpasswd-pbkdf2 -c 1000 */
static const char *grub_hash =
    "grub.pbkdf2.sha512.1000.942A2CB0FEFE7CAF4783FBCDCDFAB6C68D38D9848444E8044A5BD60EA6D16CD1"
    "1A8639EF1E5F2D18315F5F2020D1ABED808AC1AB0B3E1459200D6EA59B59EC3B.47C208968081352352696E3D"
    "C40B4B15F77CED8C5515E5C69FCC62B21E940755BDF0E784BDB81C86C1A8DDD982E0E5E6F116117555DE7C60"
    "F02EDB90C7DD51AD";

static void test_grub_format(void **state)
{
    (void)state;
    st_init();
    struct pb_pbkdf2_hash *h = malloc(sizeof *h);
    assert_non_null(h);
    assert_int_equal(pb_pbkdf2_parse(grub_hash, h), 0);
    assert_int_equal(h->iter, 1000);
    assert_int_equal(h->saltlen, 64);
    assert_int_equal(h->hashlen, 64);
    assert_int_equal(h->salt[0], 0x94);
    assert_int_equal(h->hash[63], 0xad);
    assert_true(pb_pbkdf2_verify(h, "secret"));
    assert_false(pb_pbkdf2_verify(h, "Secret"));
    assert_false(pb_pbkdf2_verify(h, ""));
    static const char *bad[] = {
        "grub.pbkdf2.sha256.1000.AA.BB", "grub.pbkdf2.sha512.0.AA.BB",
        "grub.pbkdf2.sha512.10000001.AA.BB", "grub.pbkdf2.sha512.x.AA.BB",
        "grub.pbkdf2.sha512.10.AA", "grub.pbkdf2.sha512.10.A.BB",
        "grub.pbkdf2.sha512.10.AA.B", "grub.pbkdf2.sha512.10.AA.", "grub.pbkdf2.sha512.10..BB",
        "grub.pbkdf2.sha512.10.AG.BB", "grub.pbkdf2.sha512.10.AA.BB.CC",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (pb_pbkdf2_parse(bad[i], h) != PB_EINVAL)
            fail_msg("accepted %s", bad[i]);
        pb_error_clear();
    }
    free(h);
}

/* The commands and the check behind them: Enter username/password typed on
 * the scripted terminal. */
static void test_commands_auth(void **state)
{
    (void)state;
    st_init();
    pb_ui_eof_ms = 60000;
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "set superusers=\"root\"\npassword_pbkdf2 root %s\npassword bob b0b\n",
             grub_hash);
    st_run(cfg);
    assert_true(pb_auth_enabled());
    pb_auth_logout();
    static const char wrong[] = "root\rsecreT\r";
    pb_hosted_set_input(wrong, sizeof wrong - 1);
    pb_hosted_output_reset();
    assert_int_equal(pb_auth_allowed(NULL), PB_EACCES);
    pb_error_clear();
    /* the password is not echoed */
    assert_null(strstr(st_out(), "secreT"));
    assert_non_null(strstr(st_out(), "Enter password: "));
    /* bob has the right password but is not a superuser */
    static const char bob[] = "bob\rb0b\r";
    pb_hosted_set_input(bob, sizeof bob - 1);
    assert_int_equal(pb_auth_allowed(NULL), PB_EACCES);
    pb_error_clear();
    /* ... but is allowed for an entry with --users bob */
    pb_hosted_set_input(bob, sizeof bob - 1);
    assert_int_equal(pb_auth_allowed("alice,bob"), 0);
    static const char root[] = "root\rsecret\r";
    pb_hosted_set_input(root, sizeof root - 1);
    assert_int_equal(pb_auth_allowed(NULL), 0);
    /* logged in: no second prompt (no input left) */
    pb_hosted_set_input("", 0);
    assert_int_equal(pb_auth_allowed(NULL), 0);
    pb_auth_logout();
    /* unknown user */
    static const char eve[] = "eve\rsecret\r";
    pb_hosted_set_input(eve, sizeof eve - 1);
    assert_int_equal(pb_auth_allowed(NULL), PB_EACCES);
    pb_error_clear();
    /* no superusers: no protection, no prompt */
    st_run("set superusers=\n");
    assert_false(pb_auth_enabled());
    pb_hosted_set_input("", 0);
    assert_int_equal(pb_auth_allowed(NULL), 0);
    /* bad hash is an error of the command */
    const char *o = st_run("password_pbkdf2 x grub.pbkdf2.sha512.10.AA\necho rc=$?\n");
    if (!strstr(o, "password_pbkdf2: no HASH after SALT") || !strstr(o, "rc=4"))
        fail_msg("%s", o);
    pb_ui_eof_ms = -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha512),
        cmocka_unit_test(test_hmac),
        cmocka_unit_test(test_pbkdf2),
        cmocka_unit_test(test_grub_format),
        cmocka_unit_test(test_commands_auth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
