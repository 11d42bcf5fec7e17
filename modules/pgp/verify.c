/* SPDX-License-Identifier: MIT */
/*
 * Signature verification for parsed OpenPGP signatures (include/pvboot/pgp.h)
 * with nettle/hogweed: the version 4 hash (RFC 4880 5.2.4: document, then
 * the hashed part of the signature packet, then 0x04 0xff and its length as
 * 32 bits), RSA PKCS#1 v1.5 (RFC 8017 8.2.2, DigestInfo prefixes of its
 * section 9.2 note 1) and Ed25519 over the digest (RFC 4880bis EdDSA).
 */
#include <string.h>
#include <nettle/bignum.h>
#include <nettle/eddsa.h>
#include <nettle/nettle-meta.h>
#include <nettle/rsa.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include "pvboot/err.h"
#include "pvboot/pgp.h"

struct hashdef {
    uint8_t id;
    const struct nettle_hash *h;
    const uint8_t *prefix;   /* DER DigestInfo up to the digest */
    size_t prefixlen;
};

static const uint8_t di_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02,
                                   0x1a, 0x05, 0x00, 0x04, 0x14 };
#define DI_SHA2(name, total, n, len) \
    static const uint8_t name[] = { 0x30, total, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, \
                                    0x01, 0x65, 0x03, 0x04, 0x02, n, 0x05, 0x00, 0x04, len }
DI_SHA2(di_sha256, 0x31, 0x01, 0x20);
DI_SHA2(di_sha384, 0x41, 0x02, 0x30);
DI_SHA2(di_sha512, 0x51, 0x03, 0x40);
DI_SHA2(di_sha224, 0x2d, 0x04, 0x1c);

static const struct hashdef *hashdef(uint8_t id)
{
    static const struct hashdef defs[] = {
        { PB_PGP_HASH_SHA1, &nettle_sha1, di_sha1, sizeof di_sha1 },
        { PB_PGP_HASH_SHA224, &nettle_sha224, di_sha224, sizeof di_sha224 },
        { PB_PGP_HASH_SHA256, &nettle_sha256, di_sha256, sizeof di_sha256 },
        { PB_PGP_HASH_SHA384, &nettle_sha384, di_sha384, sizeof di_sha384 },
        { PB_PGP_HASH_SHA512, &nettle_sha512, di_sha512, sizeof di_sha512 },
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (defs[i].id == id)
            return &defs[i];
    return NULL;
}

static bool rsa_ok(const struct pb_pgp_subkey *k, const struct hashdef *hd,
                   const uint8_t *digest, const struct pb_pgp_sig *sig)
{
    struct rsa_public_key pub;
    mpz_t s;
    uint8_t di[19 + SHA512_DIGEST_SIZE];
    rsa_public_key_init(&pub);
    mpz_init(s);
    nettle_mpz_set_str_256_u(pub.n, k->nlen, k->n);
    nettle_mpz_set_str_256_u(pub.e, k->elen, k->e);
    nettle_mpz_set_str_256_u(s, sig->mpilen[0], sig->mpi[0]);
    bool ok = false;
    if (rsa_public_key_prepare(&pub)) {
        memcpy(di, hd->prefix, hd->prefixlen);
        memcpy(di + hd->prefixlen, digest, hd->h->digest_size);
        ok = rsa_pkcs1_verify(&pub, hd->prefixlen + hd->h->digest_size, di, s) == 1;
    }
    mpz_clear(s);
    rsa_public_key_clear(&pub);
    return ok;
}

static bool eddsa_ok(const struct pb_pgp_subkey *k, const struct hashdef *hd,
                     const uint8_t *digest, const struct pb_pgp_sig *sig)
{
    uint8_t rs[2 * PB_PGP_ED25519_LEN] = { 0 };
    /* r and s as MPIs lose their leading zero bytes: pad back to 32 */
    memcpy(rs + PB_PGP_ED25519_LEN - sig->mpilen[0], sig->mpi[0], sig->mpilen[0]);
    memcpy(rs + 2 * PB_PGP_ED25519_LEN - sig->mpilen[1], sig->mpi[1], sig->mpilen[1]);
    return ed25519_sha512_verify(k->ed25519, hd->h->digest_size, digest, rs) == 1;
}

int pb_pgp_verify(const struct pb_pgp_sig *sig, const void *data, size_t len,
                  const struct pb_pgp_key *keys, const char *file, const char *sigfile)
{
    const struct pb_pgp_subkey *k = NULL;
    for (; keys && !k; keys = keys->next)
        for (size_t i = 0; i < keys->nsub; i++)
            if (keys->sub[i].keyid == sig->keyid) {
                k = &keys->sub[i];
                break;
            }
    if (!k)
        return pb_error(PB_EBADSIG, "public key %016llx not found (signature %s)",
                        (unsigned long long)sig->keyid, sigfile);
    const struct hashdef *hd = hashdef(sig->hashalgo);
    bool rsa = sig->pkalgo == PB_PGP_ALGO_RSA || sig->pkalgo == PB_PGP_ALGO_RSA_S;
    bool keyrsa = k->algo == PB_PGP_ALGO_RSA || k->algo == PB_PGP_ALGO_RSA_S;
    if (!hd || rsa != keyrsa)
        return pb_error(PB_EBADSIG, "bad signature: %s: made with algorithm %u, key %016llx "
                        "is algorithm %u", sigfile, sig->pkalgo, (unsigned long long)k->keyid,
                        k->algo);
    union {
        struct sha1_ctx sha1;
        struct sha256_ctx sha256;
        struct sha512_ctx sha512;
    } ctx;
    uint8_t digest[SHA512_DIGEST_SIZE];
    uint8_t trailer[6] = { 4, 0xff, (uint8_t)(sig->hashedlen >> 24),
                           (uint8_t)(sig->hashedlen >> 16), (uint8_t)(sig->hashedlen >> 8),
                           (uint8_t)sig->hashedlen };
    hd->h->init(&ctx);
    hd->h->update(&ctx, len, data);
    hd->h->update(&ctx, sig->hashedlen, sig->hashed);
    hd->h->update(&ctx, sizeof trailer, trailer);
    hd->h->digest(&ctx, hd->h->digest_size, digest);
    bool ok = digest[0] == sig->hash_start[0] && digest[1] == sig->hash_start[1] &&
              (rsa ? rsa_ok(k, hd, digest, sig) : eddsa_ok(k, hd, digest, sig));
    if (!ok)
        return pb_error(PB_EBADSIG, "bad signature: %s does not match %s (key %016llx)", file,
                        sigfile, (unsigned long long)k->keyid);
    return 0;
}
