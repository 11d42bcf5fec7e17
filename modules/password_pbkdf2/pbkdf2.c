/* SPDX-License-Identifier: MIT */
/*
 * PBKDF2-HMAC-SHA-512 (RFC 8018 section 5.2) and the `password_pbkdf2`
 * command (GRUB manual, "password_pbkdf2"): USER and a hash as
 * grub-mkpasswd-pbkdf2 prints it, grub.pbkdf2.sha512.ITER.SALT.HASH.
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/menu_ui.h"
#include "pvboot/pbkdf2.h"

int pb_pbkdf2_sha512(const void *pass, size_t passlen, const void *salt, size_t saltlen,
                     uint32_t iter, uint8_t *out, size_t outlen)
{
    if (iter == 0 || outlen == 0 || saltlen > PB_PBKDF2_MAX_SALT)
        return PB_EINVAL;
    /* HMAC's keyed inner/outer states, computed once (RFC 2104 section 4) */
    uint8_t k[PB_SHA512_BLOCK] = { 0 }, pad[PB_SHA512_BLOCK];
    if (passlen > PB_SHA512_BLOCK)
        pb_sha512(pass, passlen, k);
    else if (passlen)
        memcpy(k, pass, passlen);
    struct pb_sha512 ist, ost, c;
    for (int i = 0; i < PB_SHA512_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    pb_sha512_init(&ist);
    pb_sha512_update(&ist, pad, sizeof pad);
    for (int i = 0; i < PB_SHA512_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    pb_sha512_init(&ost);
    pb_sha512_update(&ost, pad, sizeof pad);

    uint8_t u[PB_SHA512_LEN], t[PB_SHA512_LEN];
    for (uint32_t blk = 1; outlen > 0; blk++) {
        uint8_t be[4] = { (uint8_t)(blk >> 24), (uint8_t)(blk >> 16), (uint8_t)(blk >> 8),
                          (uint8_t)blk };
        /* U1 = PRF(P, S || INT(i)) */
        c = ist;
        pb_sha512_update(&c, salt, saltlen);
        pb_sha512_update(&c, be, 4);
        pb_sha512_final(&c, u);
        c = ost;
        pb_sha512_update(&c, u, sizeof u);
        pb_sha512_final(&c, u);
        memcpy(t, u, sizeof t);
        for (uint32_t j = 1; j < iter; j++) {
            c = ist;
            pb_sha512_update(&c, u, sizeof u);
            pb_sha512_final(&c, u);
            c = ost;
            pb_sha512_update(&c, u, sizeof u);
            pb_sha512_final(&c, u);
            for (int x = 0; x < PB_SHA512_LEN; x++)
                t[x] ^= u[x];
        }
        size_t n = outlen < PB_SHA512_LEN ? outlen : PB_SHA512_LEN;
        memcpy(out, t, n);
        out += n;
        outlen -= n;
    }
    memset(k, 0, sizeof k);
    memset(pad, 0, sizeof pad);
    memset(&ist, 0, sizeof ist);
    memset(&ost, 0, sizeof ost);
    memset(u, 0, sizeof u);
    memset(t, 0, sizeof t);
    return 0;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int parse_hex(const char *s, size_t len, uint8_t *out, size_t max, size_t *outlen,
                     const char *what)
{
    if (len == 0 || len % 2)
        return pb_error(PB_EINVAL, "password_pbkdf2: %s: %s", what,
                        len ? "odd number of hex digits" : "empty");
    if (len / 2 > max)
        return pb_error(PB_EINVAL, "password_pbkdf2: %s longer than %zu bytes", what, max);
    for (size_t i = 0; i < len; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return pb_error(PB_EINVAL, "password_pbkdf2: %s: not hexadecimal at offset %zu",
                            what, i + (hi < 0 ? 0 : 1));
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *outlen = len / 2;
    return 0;
}

int pb_pbkdf2_parse(const char *s, struct pb_pbkdf2_hash *out)
{
    static const char prefix[] = "grub.pbkdf2.sha512.";
    if (strncmp(s, prefix, sizeof prefix - 1) != 0)
        return pb_error(PB_EINVAL, "password_pbkdf2: hash does not start with %s", prefix);
    s += sizeof prefix - 1;
    uint64_t iter = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9' && p - s < 10)
        iter = iter * 10 + (uint64_t)(*p++ - '0');
    if (p == s || *p != '.' || iter == 0 || iter > PB_PBKDF2_MAX_ITER)
        return pb_error(PB_EINVAL, "password_pbkdf2: iteration count must be 1..%u",
                        PB_PBKDF2_MAX_ITER);
    out->iter = (uint32_t)iter;
    const char *salt = p + 1;
    const char *dot = strchr(salt, '.');
    if (!dot)
        return pb_error(PB_EINVAL, "password_pbkdf2: no HASH after SALT");
    int r = parse_hex(salt, (size_t)(dot - salt), out->salt, sizeof out->salt, &out->saltlen,
                      "SALT");
    if (r)
        return r;
    return parse_hex(dot + 1, strlen(dot + 1), out->hash, sizeof out->hash, &out->hashlen,
                     "HASH");
}

bool pb_pbkdf2_verify(const struct pb_pbkdf2_hash *h, const char *pass)
{
    uint8_t *d = malloc(h->hashlen);
    if (!d)
        return false;
    if (pb_pbkdf2_sha512(pass, strlen(pass), h->salt, h->saltlen, h->iter, d, h->hashlen)) {
        free(d);
        return false;
    }
    unsigned diff = 0;
    for (size_t i = 0; i < h->hashlen; i++)
        diff |= d[i] ^ h->hash[i];
    memset(d, 0, h->hashlen);
    free(d);
    return diff == 0;
}

static bool check_pbkdf2(const char *pass, void *ctx)
{
    return pb_pbkdf2_verify(ctx, pass);
}

static int cmd_password_pbkdf2(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    if (argc != 3)
        return pb_error(PB_EINVAL, "password_pbkdf2: expected USER HASH");
    if (!argv[1][0])
        return pb_error(PB_EINVAL, "password_pbkdf2: empty user name");
    struct pb_pbkdf2_hash *h = malloc(sizeof *h);
    if (!h)
        return pb_error(PB_ENOMEM, "out of memory");
    int r = pb_pbkdf2_parse(argv[2], h);
    if (r == 0)
        r = pb_auth_register_user(argv[1], check_pbkdf2, h, free);
    if (r)
        free(h);
    return r;
}

static struct pb_command pbkdf2_cmd = {
    .name = "password_pbkdf2", .fn = cmd_password_pbkdf2,
    .usage = "USER grub.pbkdf2.sha512.ITER.SALT.HASH",
    .summary = "Set USER's password from a grub-mkpasswd-pbkdf2 hash.",
};

void pvboot_init_password_pbkdf2(void);
void pvboot_init_password_pbkdf2(void)
{
    pb_command_register(&pbkdf2_cmd);
}
