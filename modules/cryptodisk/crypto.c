/* SPDX-License-Identifier: MIT */
/*
 * The cryptography seam of module cryptodisk: hashes, PBKDF2 and AES sector
 * ciphers come from nettle (Debian's libnettle.a in the module, the shared
 * library in the hosted build); this file only selects and sequences them.
 * Sector IVs follow dm-crypt's IV generators (plain, plain64, essiv:HASH),
 * which LUKS1 and LUKS2 name in their cipher mode strings.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <nettle/aes.h>
#include <nettle/base64.h>
#include <nettle/cbc.h>
#include <nettle/pbkdf2.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <nettle/xts.h>
#include "pvboot/cryptodisk.h"
#include "pvboot/err.h"

void pb_crypto_wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

int pb_crypto_base64_decode(const char *in, uint8_t *out, size_t size)
{
    size_t inlen = strlen(in);
    if (BASE64_DECODE_LENGTH(inlen) > size)
        return -1;
    struct base64_decode_ctx c;
    size_t n = size;
    base64_decode_init(&c);
    if (!base64_decode_update(&c, &n, out, inlen, in) || !base64_decode_final(&c))
        return -1;
    return (int)n;
}

enum hash_id { H_NONE, H_SHA1, H_SHA256, H_SHA512 };

static enum hash_id hash_id(const char *name)
{
    if (!strcasecmp(name, "sha1"))
        return H_SHA1;
    if (!strcasecmp(name, "sha256"))
        return H_SHA256;
    if (!strcasecmp(name, "sha512"))
        return H_SHA512;
    return H_NONE;
}

size_t pb_crypto_hash_len(const char *name)
{
    switch (hash_id(name)) {
    case H_SHA1: return SHA1_DIGEST_SIZE;
    case H_SHA256: return SHA256_DIGEST_SIZE;
    case H_SHA512: return SHA512_DIGEST_SIZE;
    default: return 0;
    }
}

int pb_crypto_hash(const char *name, const void *a, size_t alen, const void *b, size_t blen,
                   uint8_t *out)
{
    switch (hash_id(name)) {
    case H_SHA1: {
        struct sha1_ctx c;
        sha1_init(&c);
        sha1_update(&c, alen, a);
        sha1_update(&c, blen, b);
        sha1_digest(&c, SHA1_DIGEST_SIZE, out);
        pb_crypto_wipe(&c, sizeof c);
        return 0;
    }
    case H_SHA256: {
        struct sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, alen, a);
        sha256_update(&c, blen, b);
        sha256_digest(&c, SHA256_DIGEST_SIZE, out);
        pb_crypto_wipe(&c, sizeof c);
        return 0;
    }
    case H_SHA512: {
        struct sha512_ctx c;
        sha512_init(&c);
        sha512_update(&c, alen, a);
        sha512_update(&c, blen, b);
        sha512_digest(&c, SHA512_DIGEST_SIZE, out);
        pb_crypto_wipe(&c, sizeof c);
        return 0;
    }
    default:
        return pb_error(PB_ENOTSUP, "hash `%s' is not supported (sha1, sha256, sha512 are)", name);
    }
}

int pb_crypto_pbkdf2(const char *name, const void *pass, size_t passlen, const void *salt,
                     size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen)
{
    if (iter == 0)
        return pb_error(PB_EINVAL, "pbkdf2: zero iterations");
    switch (hash_id(name)) {
    case H_SHA1:
        pbkdf2_hmac_sha1(passlen, pass, iter, saltlen, salt, outlen, out);
        return 0;
    case H_SHA256:
        pbkdf2_hmac_sha256(passlen, pass, iter, saltlen, salt, outlen, out);
        return 0;
    case H_SHA512:
        pbkdf2_hmac_sha512(passlen, pass, iter, saltlen, salt, outlen, out);
        return 0;
    default:
        return pb_error(PB_ENOTSUP, "pbkdf2: hash `%s' is not supported (sha1, sha256, sha512 are)",
                        name);
    }
}

/* AFmerge's diffusion: every digest-sized block i of @buf becomes
 * H(be32(i) || block) truncated to the block's length. */
static void af_diffuse(const char *name, size_t dlen, uint8_t *buf, size_t len)
{
    uint8_t d[PB_CRYPTO_MAX_DIGEST];
    for (size_t off = 0, i = 0; off < len; off += dlen, i++) {
        uint8_t be[4] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
        size_t n = len - off < dlen ? len - off : dlen;
        pb_crypto_hash(name, be, 4, buf + off, n, d);
        memcpy(buf + off, d, n);
    }
    pb_crypto_wipe(d, sizeof d);
}

int pb_af_merge(const char *name, const uint8_t *src, size_t keylen, uint32_t stripes, uint8_t *out)
{
    size_t dlen = pb_crypto_hash_len(name);
    if (!dlen)
        return pb_error(PB_ENOTSUP, "hash `%s' is not supported (sha1, sha256, sha512 are)", name);
    if (!stripes || !keylen)
        return pb_error(PB_EINVAL, "AF merge: %u stripes of %zu bytes", stripes, keylen);
    memset(out, 0, keylen);
    for (uint32_t s = 0; s + 1 < stripes; s++) {
        for (size_t i = 0; i < keylen; i++)
            out[i] ^= src[(size_t)s * keylen + i];
        af_diffuse(name, dlen, out, keylen);
    }
    for (size_t i = 0; i < keylen; i++)
        out[i] ^= src[(size_t)(stripes - 1) * keylen + i];
    return 0;
}

/* ---- sector ciphers ---- */

enum cmode { M_XTS, M_CBC };
enum ivgen { IV_PLAIN, IV_PLAIN64, IV_ESSIV };

struct aes_any {
    size_t keylen;            /* 16, 24, 32 */
    union {
        struct aes128_ctx a128;
        struct aes192_ctx a192;
        struct aes256_ctx a256;
    } u;
};

struct pb_crypto_cipher {
    enum cmode mode;
    enum ivgen iv;
    union {
        struct xts_aes128_key x128;
        struct xts_aes256_key x256;
        struct aes_any cbc;      /* decryption schedule */
    } k;
    size_t xts_keylen;           /* 32 or 64 */
    struct aes_any essiv;        /* ESSIV: encryption schedule under H(key) */
};

static void aes_set(struct aes_any *a, const uint8_t *key, size_t len, bool decrypt)
{
    a->keylen = len;
    if (len == 16)
        (decrypt ? aes128_set_decrypt_key : aes128_set_encrypt_key)(&a->u.a128, key);
    else if (len == 24)
        (decrypt ? aes192_set_decrypt_key : aes192_set_encrypt_key)(&a->u.a192, key);
    else
        (decrypt ? aes256_set_decrypt_key : aes256_set_encrypt_key)(&a->u.a256, key);
}

static void aes_encrypt_any(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src)
{
    const struct aes_any *a = ctx;
    if (a->keylen == 16)
        aes128_encrypt(&a->u.a128, len, dst, src);
    else if (a->keylen == 24)
        aes192_encrypt(&a->u.a192, len, dst, src);
    else
        aes256_encrypt(&a->u.a256, len, dst, src);
}

static void aes_decrypt_any(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src)
{
    const struct aes_any *a = ctx;
    if (a->keylen == 16)
        aes128_decrypt(&a->u.a128, len, dst, src);
    else if (a->keylen == 24)
        aes192_decrypt(&a->u.a192, len, dst, src);
    else
        aes256_decrypt(&a->u.a256, len, dst, src);
}

int pb_crypto_cipher_new(const char *cipher, const char *mode, const uint8_t *key,
                         size_t keylen, struct pb_crypto_cipher **out)
{
    if (strcasecmp(cipher, "aes"))
        return pb_error(PB_ENOTSUP, "cipher `%s' is not supported (aes is)", cipher);
    enum cmode m;
    enum ivgen iv;
    const char *ivs;
    if (!strncasecmp(mode, "xts-", 4)) {
        m = M_XTS;
        ivs = mode + 4;
    } else if (!strncasecmp(mode, "cbc-", 4)) {
        m = M_CBC;
        ivs = mode + 4;
    } else {
        return pb_error(PB_ENOTSUP, "cipher mode `%s' is not supported (xts-plain64, "
                        "cbc-essiv:sha256, cbc-plain64 are)", mode);
    }
    if (!strcasecmp(ivs, "plain64"))
        iv = IV_PLAIN64;
    else if (!strcasecmp(ivs, "plain"))
        iv = IV_PLAIN;
    else if (m == M_CBC && !strcasecmp(ivs, "essiv:sha256"))
        iv = IV_ESSIV;
    else
        return pb_error(PB_ENOTSUP, "cipher mode `%s' is not supported (xts-plain64, "
                        "cbc-essiv:sha256, cbc-plain64 are)", mode);
    if (m == M_XTS ? (keylen != 32 && keylen != 64)
                   : (keylen != 16 && keylen != 24 && keylen != 32))
        return pb_error(PB_EINVAL, "aes-%s: a %zu-bit key is not valid for this mode", mode,
                        keylen * 8);
    struct pb_crypto_cipher *c = calloc(1, sizeof *c);
    if (!c)
        return pb_error(PB_ENOMEM, "out of memory for a cipher");
    c->mode = m;
    c->iv = iv;
    if (m == M_XTS) {
        c->xts_keylen = keylen;
        if (keylen == 32)
            xts_aes128_set_decrypt_key(&c->k.x128, key);
        else
            xts_aes256_set_decrypt_key(&c->k.x256, key);
    } else {
        aes_set(&c->k.cbc, key, keylen, true);
        if (iv == IV_ESSIV) {
            uint8_t salt[SHA256_DIGEST_SIZE];
            pb_crypto_hash("sha256", key, keylen, NULL, 0, salt);
            aes_set(&c->essiv, salt, sizeof salt, false);
            pb_crypto_wipe(salt, sizeof salt);
        }
    }
    *out = c;
    return 0;
}

void pb_crypto_decrypt(struct pb_crypto_cipher *c, uint64_t iv_sector, uint32_t sector_size,
                       bool iv_512, uint8_t *buf, size_t len)
{
    uint64_t step = iv_512 ? sector_size / 512u : 1;
    for (size_t off = 0; off + sector_size <= len; off += sector_size, iv_sector += step) {
        uint8_t iv[16] = { 0 };
        uint64_t n = c->iv == IV_PLAIN ? (uint32_t)iv_sector : iv_sector;
        for (int i = 0; i < 8; i++)
            iv[i] = (uint8_t)(n >> (8 * i));          /* little-endian */
        uint8_t *p = buf + off;
        if (c->mode == M_XTS) {
            if (c->xts_keylen == 32)
                xts_aes128_decrypt_message(&c->k.x128, iv, sector_size, p, p);
            else
                xts_aes256_decrypt_message(&c->k.x256, iv, sector_size, p, p);
        } else {
            if (c->iv == IV_ESSIV)
                aes_encrypt_any(&c->essiv, 16, iv, iv);
            cbc_decrypt(&c->k.cbc, aes_decrypt_any, 16, iv, sector_size, p, p);
        }
    }
}

void pb_crypto_cipher_free(struct pb_crypto_cipher *c)
{
    if (!c)
        return;
    pb_crypto_wipe(c, sizeof *c);
    free(c);
}
