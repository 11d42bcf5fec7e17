/* SPDX-License-Identifier: MIT */
/*
 * OpenPGP packet parser for key files and detached signatures (RFC 4880
 * sections 4.2 packet headers, 5.2.3 version 4 signatures, 5.2.3.1
 * subpackets, 5.5.2 version 4 public keys, 3.2 MPIs, 12.2 fingerprints;
 * EdDSA keys: RFC 4880bis "legacy" encoding, curve OID 1.3.6.1.4.1.11591.15.1).
 * Every length is checked against the bytes present; errors name the file
 * and the byte offset.  See docs/signatures.md.
 */
#include <stdlib.h>
#include <string.h>
#include <nettle/sha1.h>
#include "pvboot/err.h"
#include "pvboot/pgp.h"

#define TAG_SIGNATURE   2
#define TAG_SECRET_KEY  5
#define TAG_PUBLIC_KEY  6
#define TAG_SECRET_SUB  7
#define TAG_PUBLIC_SUB  14

/* Ed25519's curve OID 1.3.6.1.4.1.11591.15.1, DER body without tag/length */
static const uint8_t ed25519_oid[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01 };

struct pkt {
    unsigned tag;
    size_t hdr;      /* offset of the header's first byte */
    size_t body;     /* offset of the body */
    size_t len;      /* body bytes */
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* One packet header at @off (RFC 4880 4.2: old and new formats). */
static int read_packet(const uint8_t *b, size_t len, size_t off, const char *name,
                       const char *what, int code, struct pkt *p)
{
    size_t o = off;
    uint8_t t = b[o++];
    size_t blen = 0;
    if (!(t & 0x80))
        return pb_error(code, "%s%s: byte %zu: not an OpenPGP packet (tag byte 0x%02x)", what,
                        name, off, t);
    if (t & 0x40) {   /* new format */
        p->tag = t & 0x3f;
        if (o >= len)
            goto trunc;
        uint8_t l0 = b[o++];
        if (l0 < 192) {
            blen = l0;
        } else if (l0 < 224) {
            if (o >= len)
                goto trunc;
            blen = ((size_t)(l0 - 192) << 8) + b[o++] + 192;
        } else if (l0 == 255) {
            if (len - o < 4)
                goto trunc;
            blen = be32(b + o);
            o += 4;
        } else {
            return pb_error(code, "%s%s: byte %zu: partial body length (streamed packet) "
                            "is not supported", what, name, off + 1);
        }
    } else {          /* old format */
        p->tag = (t >> 2) & 0xf;
        unsigned n = t & 3;
        if (n == 3)
            return pb_error(code, "%s%s: byte %zu: indeterminate packet length is not "
                            "supported", what, name, off);
        n = 1u << n;
        if (len - o < n)
            goto trunc;
        for (unsigned i = 0; i < n; i++)
            blen = blen << 8 | b[o++];
    }
    if (blen > len - o)
        return pb_error(code, "%s%s: byte %zu: packet of %zu bytes runs past the end of the "
                        "file (%zu bytes)", what, name, off, blen, len);
    p->hdr = off;
    p->body = o;
    p->len = blen;
    return 0;
trunc:
    return pb_error(code, "%s%s: byte %zu: packet header cut off by the end of the file",
                    what, name, off);
}

/* An MPI at @o within [.., end): its magnitude without leading zero bytes. */
static int read_mpi(const uint8_t *b, size_t *o, size_t end, const char *name,
                    const char *what, int code, const uint8_t **mag, size_t *maglen,
                    unsigned *bits)
{
    if (end - *o < 2)
        return pb_error(code, "%s%s: byte %zu: MPI length cut off", what, name, *o);
    unsigned nbits = (unsigned)b[*o] << 8 | b[*o + 1];
    size_t n = (nbits + 7) / 8;
    if (end - *o - 2 < n)
        return pb_error(code, "%s%s: byte %zu: MPI of %u bits runs past the end of its packet",
                        what, name, *o, nbits);
    const uint8_t *p = b + *o + 2;
    *o += 2 + n;
    while (n && !*p) {
        p++;
        n--;
    }
    *mag = p;
    *maglen = n;
    if (bits)
        *bits = nbits;
    return 0;
}

static const char key_what[] = "bad public key: ";

/*
 * The public part of a version 4 key packet body at [o, o+len).  Returns 1
 * when the algorithm is usable (@sk filled), 0 for others (skipped), or an
 * error.
 */
static int parse_key_body(const uint8_t *b, const struct pkt *p, const char *name,
                          struct pb_pgp_subkey *sk)
{
    size_t o = p->body, end = p->body + p->len;
    const int code = PB_EBADFMT;
    if (p->len < 6)
        return pb_error(code, "%s%s: byte %zu: key packet of %zu bytes is too short", key_what,
                        name, p->hdr, p->len);
    if (b[o] != 4)
        return pb_error(PB_ENOTSUP, "%s%s: byte %zu: version %u key packet (only version 4 "
                        "is supported)", key_what, name, o, b[o]);
    uint8_t algo = b[o + 5];
    o += 6;
    memset(sk, 0, sizeof *sk);
    sk->algo = algo;
    if (algo == PB_PGP_ALGO_RSA || algo == PB_PGP_ALGO_RSA_S) {
        const uint8_t *m;
        size_t ml;
        unsigned bits;
        size_t at = o;
        int r = read_mpi(b, &o, end, name, key_what, code, &m, &ml, &bits);
        if (r)
            return r;
        if (ml > sizeof sk->n)
            return pb_error(PB_ENOTSUP, "%s%s: byte %zu: RSA modulus of %u bits (at most %u "
                            "are supported)", key_what, name, at, bits, PB_PGP_MAX_RSA_BITS);
        if (ml == 0)
            return pb_error(code, "%s%s: byte %zu: RSA modulus is zero", key_what, name, at);
        memcpy(sk->n, m, ml);
        sk->nlen = ml;
        at = o;
        r = read_mpi(b, &o, end, name, key_what, code, &m, &ml, &bits);
        if (r)
            return r;
        if (ml > sizeof sk->e || ml == 0)
            return pb_error(PB_ENOTSUP, "%s%s: byte %zu: RSA exponent of %u bits (1..64 are "
                            "supported)", key_what, name, at, bits);
        memcpy(sk->e, m, ml);
        sk->elen = ml;
    } else if (algo == PB_PGP_ALGO_EDDSA) {
        if (o >= end)
            return pb_error(code, "%s%s: byte %zu: curve OID cut off", key_what, name, o);
        size_t oidlen = b[o++];
        if (oidlen == 0 || oidlen == 0xff || oidlen > end - o)
            return pb_error(code, "%s%s: byte %zu: curve OID of %zu bytes does not fit its "
                            "packet", key_what, name, o - 1, oidlen);
        bool ed25519 = oidlen == sizeof ed25519_oid && !memcmp(b + o, ed25519_oid, oidlen);
        o += oidlen;
        size_t at = o;
        if (end - o < 2)
            return pb_error(code, "%s%s: byte %zu: MPI length cut off", key_what, name, o);
        unsigned nbits = (unsigned)b[o] << 8 | b[o + 1];
        size_t n = (nbits + 7) / 8;
        if (end - o - 2 < n)
            return pb_error(code, "%s%s: byte %zu: MPI of %u bits runs past the end of its "
                            "packet", key_what, name, o, nbits);
        const uint8_t *pt = b + o + 2;
        o += 2 + n;
        if (!ed25519)
            return 0;   /* another curve: not usable here */
        if (n != 1 + PB_PGP_ED25519_LEN || pt[0] != 0x40)
            return pb_error(code, "%s%s: byte %zu: Ed25519 point is not 0x40 followed by 32 "
                            "bytes", key_what, name, at);
        memcpy(sk->ed25519, pt + 1, PB_PGP_ED25519_LEN);
    } else {
        return 0;
    }
    /* fingerprint over the public part (RFC 4880 12.2) */
    size_t publen = o - p->body;
    if ((p->tag == TAG_PUBLIC_KEY || p->tag == TAG_PUBLIC_SUB) && publen != p->len)
        return pb_error(code, "%s%s: byte %zu: %zu bytes after the key material", key_what,
                        name, o, p->len - publen);
    if (publen > 0xffff)
        return pb_error(code, "%s%s: byte %zu: key of %zu bytes is too large", key_what, name,
                        p->hdr, publen);
    struct sha1_ctx c;
    uint8_t h[3] = { 0x99, (uint8_t)(publen >> 8), (uint8_t)publen };
    sha1_init(&c);
    sha1_update(&c, 3, h);
    sha1_update(&c, publen, b + p->body);
    sha1_digest(&c, sizeof sk->fpr, sk->fpr);
    sk->keyid = be64(sk->fpr + 12);
    return 1;
}

void pb_pgp_free_keys(struct pb_pgp_key *k)
{
    while (k) {
        struct pb_pgp_key *n = k->next;
        free(k->sub);
        free(k);
        k = n;
    }
}

int pb_pgp_parse_keys(const uint8_t *buf, size_t len, const char *name, struct pb_pgp_key **out)
{
    *out = NULL;
    if (len >= 5 && !memcmp(buf, "-----", 5))
        return pb_error(PB_EBADFMT, "%s%s: ASCII-armored; binary keys are needed (gpg --export "
                        "without --armor, or gpg --dearmor)", key_what, name);
    if (len == 0)
        return pb_error(PB_EBADFMT, "%s%s: empty file", key_what, name);
    struct pb_pgp_key *head = NULL, **tail = &head, *cur = NULL;
    size_t total = 0, off = 0;
    bool saw_primary = false;
    int r = 0;
    struct pb_pgp_subkey *sk = malloc(sizeof *sk);
    if (!sk)
        return pb_error(PB_ENOMEM, "out of memory reading %s", name);
    while (off < len) {
        struct pkt p;
        r = read_packet(buf, len, off, name, key_what, PB_EBADFMT, &p);
        if (r)
            break;
        off = p.body + p.len;
        bool primary = p.tag == TAG_PUBLIC_KEY || p.tag == TAG_SECRET_KEY;
        bool sub = p.tag == TAG_PUBLIC_SUB || p.tag == TAG_SECRET_SUB;
        if (!primary && !sub)
            continue;   /* user IDs, signatures, trust packets… */
        if (sub && !saw_primary) {
            r = pb_error(PB_EBADFMT, "%s%s: byte %zu: subkey before any primary key", key_what,
                         name, p.hdr);
            break;
        }
        if (primary) {
            saw_primary = true;
            cur = NULL;
        }
        r = parse_key_body(buf, &p, name, sk);
        if (r < 0)
            break;
        if (r == 0)
            continue;
        r = 0;
        if (++total > PB_PGP_MAX_SUBKEYS) {
            r = pb_error(PB_ERANGE, "%s%s: more than %u usable keys", key_what, name,
                         PB_PGP_MAX_SUBKEYS);
            break;
        }
        if (!cur) {
            cur = calloc(1, sizeof *cur);
            if (!cur) {
                r = pb_error(PB_ENOMEM, "out of memory reading %s", name);
                break;
            }
            *tail = cur;
            tail = &cur->next;
        }
        struct pb_pgp_subkey *n = realloc(cur->sub, (cur->nsub + 1) * sizeof *n);
        if (!n) {
            r = pb_error(PB_ENOMEM, "out of memory reading %s", name);
            break;
        }
        cur->sub = n;
        cur->sub[cur->nsub++] = *sk;
    }
    free(sk);
    if (r == 0 && !head)
        r = pb_error(PB_ENOTSUP, "%s%s: no RSA or EdDSA (Ed25519) key in it", key_what, name);
    if (r) {
        pb_pgp_free_keys(head);
        return r;
    }
    *out = head;
    return 0;
}

static const char sig_what[] = "bad signature: ";

/* Subpackets (RFC 4880 5.2.3.1) at [o, end): take the issuer key ID. */
static int scan_subpackets(const uint8_t *b, size_t o, size_t end, const char *name,
                           struct pb_pgp_sig *s)
{
    while (o < end) {
        size_t at = o, l;
        uint8_t l0 = b[o++];
        if (l0 < 192) {
            l = l0;
        } else if (l0 < 255) {
            if (o >= end)
                goto bad;
            l = ((size_t)(l0 - 192) << 8) + b[o++] + 192;
        } else {
            if (end - o < 4)
                goto bad;
            l = be32(b + o);
            o += 4;
        }
        if (l == 0 || l > end - o)
            return pb_error(PB_EBADSIG, "%s%s: byte %zu: subpacket of %zu bytes does not fit "
                            "its area", sig_what, name, at, l);
        uint8_t type = b[o] & 0x7f;
        if (type == 16 && l == 9 && !s->have_keyid) {
            s->keyid = be64(b + o + 1);
            s->have_keyid = true;
        } else if (type == 33 && l == 22 && b[o + 1] == 4 && !s->have_keyid) {
            s->keyid = be64(b + o + 2 + 12);
            s->have_keyid = true;
        }
        o += l;
    }
    return 0;
bad:
    return pb_error(PB_EBADSIG, "%s%s: byte %zu: subpacket length cut off", sig_what, name, o);
}

int pb_pgp_parse_sig(const uint8_t *buf, size_t len, const char *name, struct pb_pgp_sig *out)
{
    memset(out, 0, sizeof *out);
    if (len >= 5 && !memcmp(buf, "-----", 5))
        return pb_error(PB_EBADSIG, "%s%s: ASCII-armored; a binary signature is needed "
                        "(gpg --detach-sign without --armor, or gpg --dearmor)", sig_what, name);
    if (len == 0)
        return pb_error(PB_EBADSIG, "%s%s: empty file", sig_what, name);
    struct pkt p;
    int r = read_packet(buf, len, 0, name, sig_what, PB_EBADSIG, &p);
    if (r)
        return r;
    if (p.tag != TAG_SIGNATURE)
        return pb_error(PB_EBADSIG, "%s%s: byte 0: packet type %u is not a signature", sig_what,
                        name, p.tag);
    size_t o = p.body, end = p.body + p.len;
    if (p.len < 1 || buf[o] != 4)
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: version %u signature (only version 4 is "
                        "supported)", sig_what, name, o, p.len ? buf[o] : 0);
    if (p.len < 6)
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: signature packet of %zu bytes is too short",
                        sig_what, name, o, p.len);
    out->type = buf[o + 1];
    out->pkalgo = buf[o + 2];
    out->hashalgo = buf[o + 3];
    if (out->type != 0)
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: signature type 0x%02x (only 0x00, a "
                        "binary document, is accepted)", sig_what, name, o + 1, out->type);
    if (out->pkalgo != PB_PGP_ALGO_RSA && out->pkalgo != PB_PGP_ALGO_RSA_S &&
        out->pkalgo != PB_PGP_ALGO_EDDSA)
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: public key algorithm %u is not supported "
                        "(RSA and EdDSA are)", sig_what, name, o + 2, out->pkalgo);
    switch (out->hashalgo) {
    case PB_PGP_HASH_SHA1: case PB_PGP_HASH_SHA224: case PB_PGP_HASH_SHA256:
    case PB_PGP_HASH_SHA384: case PB_PGP_HASH_SHA512:
        break;
    default:
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: hash algorithm %u is not supported "
                        "(SHA-1 and SHA-2 are)", sig_what, name, o + 3, out->hashalgo);
    }
    size_t hl = (size_t)buf[o + 4] << 8 | buf[o + 5];
    if (hl > end - o - 6)
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: hashed subpackets (%zu bytes) run past the "
                        "end of the packet", sig_what, name, o + 4, hl);
    out->hashed = buf + o;
    out->hashedlen = 6 + hl;
    r = scan_subpackets(buf, o + 6, o + 6 + hl, name, out);
    if (r)
        return r;
    o += 6 + hl;
    if (end - o < 2)
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: unhashed subpacket length cut off",
                        sig_what, name, o);
    size_t ul = (size_t)buf[o] << 8 | buf[o + 1];
    if (ul > end - o - 2)
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: unhashed subpackets (%zu bytes) run past "
                        "the end of the packet", sig_what, name, o, ul);
    r = scan_subpackets(buf, o + 2, o + 2 + ul, name, out);
    if (r)
        return r;
    o += 2 + ul;
    if (end - o < 2)
        return pb_error(PB_EBADSIG, "%s%s: byte %zu: hash prefix cut off", sig_what, name, o);
    out->hash_start[0] = buf[o];
    out->hash_start[1] = buf[o + 1];
    o += 2;
    out->nmpi = out->pkalgo == PB_PGP_ALGO_EDDSA ? 2 : 1;
    for (size_t i = 0; i < out->nmpi; i++) {
        size_t at = o;
        r = read_mpi(buf, &o, end, name, sig_what, PB_EBADSIG, &out->mpi[i], &out->mpilen[i],
                     NULL);
        if (r)
            return r;
        if (out->pkalgo == PB_PGP_ALGO_EDDSA && out->mpilen[i] > PB_PGP_ED25519_LEN)
            return pb_error(PB_EBADSIG, "%s%s: byte %zu: EdDSA value of %zu bytes (32 at most)",
                            sig_what, name, at, out->mpilen[i]);
        if (out->pkalgo != PB_PGP_ALGO_EDDSA && out->mpilen[i] > PB_PGP_MAX_RSA_BITS / 8)
            return pb_error(PB_EBADSIG, "%s%s: byte %zu: RSA signature of %zu bytes (%u at "
                            "most)", sig_what, name, at, out->mpilen[i], PB_PGP_MAX_RSA_BITS / 8);
    }
    if (!out->have_keyid)
        return pb_error(PB_EBADSIG, "%s%s: no issuer key ID (subpacket 16 or 33)", sig_what,
                        name);
    return 0;
}
