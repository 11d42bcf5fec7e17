/* SPDX-License-Identifier: MIT */
/*
 * SHA-512 (FIPS 180-4), HMAC-SHA-512 (RFC 2104) and PBKDF2-HMAC-SHA-512
 * (RFC 8018 section 5.2) for `password_pbkdf2`, plus the parser of the
 * hashes grub-mkpasswd-pbkdf2 prints: grub.pbkdf2.sha512.ITER.SALT.HASH
 * (SALT and HASH in hexadecimal).  Pure logic, module password_pbkdf2.
 */
#ifndef PVBOOT_PBKDF2_H
#define PVBOOT_PBKDF2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_SHA512_LEN   64
#define PB_SHA512_BLOCK 128

struct pb_sha512 {
    uint64_t h[8];
    uint64_t bytes_lo, bytes_hi;   /* message length in bytes (128-bit) */
    uint8_t buf[PB_SHA512_BLOCK];
    size_t fill;
};

/** SHA-512 (FIPS 180-4 §6.4), incremental: init, update with any number of
 *  byte ranges, final writes the 64-byte digest (the context is then spent). */
void pb_sha512_init(struct pb_sha512 *c);
void pb_sha512_update(struct pb_sha512 *c, const void *data, size_t len);
void pb_sha512_final(struct pb_sha512 *c, uint8_t out[PB_SHA512_LEN]);
/** pb_sha512() - one-shot digest of @len bytes. */
void pb_sha512(const void *data, size_t len, uint8_t out[PB_SHA512_LEN]);
/** pb_hmac_sha512() - HMAC-SHA-512 of @msg under @key (any length). */
void pb_hmac_sha512(const void *key, size_t keylen, const void *msg, size_t msglen,
                    uint8_t out[PB_SHA512_LEN]);
/**
 * pb_pbkdf2_sha512() - PBKDF2 with HMAC-SHA-512: @iter iterations (>= 1),
 * @outlen bytes of derived key.  Returns 0, or PB_EINVAL for iter == 0 /
 * outlen == 0 / a salt too long (> 1024 bytes).
 */
int pb_pbkdf2_sha512(const void *pass, size_t passlen, const void *salt, size_t saltlen,
                     uint32_t iter, uint8_t *out, size_t outlen);

/* A parsed grub.pbkdf2.sha512 hash. */
#define PB_PBKDF2_MAX_SALT 1024
#define PB_PBKDF2_MAX_HASH 256
#define PB_PBKDF2_MAX_ITER 10000000u
struct pb_pbkdf2_hash {
    uint32_t iter;
    uint8_t salt[PB_PBKDF2_MAX_SALT];
    size_t saltlen;
    uint8_t hash[PB_PBKDF2_MAX_HASH];
    size_t hashlen;
};

/**
 * pb_pbkdf2_parse() - parse "grub.pbkdf2.sha512.ITER.SALT.HASH".
 * Returns 0 or PB_EINVAL (with a message naming the bad field): unknown
 * prefix, ITER not in 1..PB_PBKDF2_MAX_ITER, SALT/HASH empty, odd, not hex
 * or too long.
 */
int pb_pbkdf2_parse(const char *s, struct pb_pbkdf2_hash *out);

/** pb_pbkdf2_verify() - does @pass give @h's hash?  Constant-time compare. */
bool pb_pbkdf2_verify(const struct pb_pbkdf2_hash *h, const char *pass);

#endif
