/* SPDX-License-Identifier: MIT */
/*
 * OpenPGP (RFC 4880) public keys and detached signatures, as GRUB's `pgp`
 * module uses them: binary (not ASCII-armored) transferable public keys
 * (`gpg --export`) and detached version 4 signatures over binary documents
 * (`gpg --detach-sign`, signature type 0x00).  Algorithms: RSA (1, 3) with
 * PKCS#1 v1.5 and EdDSA (22) on Ed25519 (RFC 4880bis "legacy" EdDSA);
 * hashes SHA-1, SHA-224, SHA-256, SHA-384, SHA-512.  See docs/signatures.md.
 *
 * The parser (modules/pgp/packet.c) is bounded: every length is checked
 * against the bytes present, and errors name the file and the byte offset.
 */
#ifndef PVBOOT_PGP_H
#define PVBOOT_PGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_PGP_ALGO_RSA       1    /* RSA (encrypt or sign) */
#define PB_PGP_ALGO_RSA_S     3    /* RSA sign-only */
#define PB_PGP_ALGO_EDDSA     22   /* EdDSA (legacy OpenPGP encoding) */
#define PB_PGP_HASH_SHA1      2
#define PB_PGP_HASH_SHA256    8
#define PB_PGP_HASH_SHA384    9
#define PB_PGP_HASH_SHA512    10
#define PB_PGP_HASH_SHA224    11

#define PB_PGP_MAX_RSA_BITS   8192 /* larger moduli are refused */
#define PB_PGP_MAX_FILE       (1u << 20)  /* key and signature files: bytes at most */
#define PB_PGP_MAX_SUBKEYS    64   /* key packets in one key file */
#define PB_PGP_ED25519_LEN    32

/* One primary key or subkey whose algorithm can verify signatures. */
struct pb_pgp_subkey {
    uint8_t algo;                   /* PB_PGP_ALGO_* */
    uint8_t fpr[20];                /* v4 fingerprint: SHA-1 of 0x99, length, body */
    uint64_t keyid;                 /* low 64 bits of the fingerprint */
    uint8_t n[PB_PGP_MAX_RSA_BITS / 8];   /* RSA modulus, big-endian, nlen bytes */
    size_t nlen;
    uint8_t e[8];                   /* RSA exponent, big-endian, elen bytes */
    size_t elen;
    uint8_t ed25519[PB_PGP_ED25519_LEN];  /* EdDSA public point (compressed) */
};

/* A transferable public key: its usable key packets (primary first). */
struct pb_pgp_key {
    struct pb_pgp_subkey *sub;      /* nsub entries */
    size_t nsub;
    bool embedded;                  /* came with the image (mkpvimage --pubkey) */
    struct pb_pgp_key *next;
};

/* A parsed detached signature (points into the caller's buffer). */
struct pb_pgp_sig {
    uint8_t type;                   /* signature type (0x00: binary document) */
    uint8_t pkalgo;                 /* PB_PGP_ALGO_* */
    uint8_t hashalgo;               /* PB_PGP_HASH_* */
    const uint8_t *hashed;          /* version byte .. end of hashed subpackets */
    size_t hashedlen;
    bool have_keyid;
    uint64_t keyid;                 /* issuer (subpacket 16, or 33's low 64 bits) */
    uint8_t hash_start[2];          /* left 16 bits of the signed hash */
    const uint8_t *mpi[2];          /* RSA: s; EdDSA: r, s (magnitudes, big-endian) */
    size_t mpilen[2];
    size_t nmpi;
};

/**
 * pb_pgp_parse_keys() - parse a binary OpenPGP key file (one or more
 * transferable public keys; secret key packets are read for their public
 * part, as GRUB does).  Key packets of other algorithms (DSA, ECDH, ECDSA…)
 * and non-key packets (user IDs, signatures, trust) are skipped.
 * @buf, @len: the file's bytes; @name: the file name for messages.
 * On success *@out is a malloc'd list (one entry per primary key; free with
 * pb_pgp_free_keys()); a file without any RSA or EdDSA key is an error.
 * Returns 0, PB_EBADFMT (naming @name and the byte offset), PB_ENOTSUP or
 * PB_ENOMEM.
 */
int pb_pgp_parse_keys(const uint8_t *buf, size_t len, const char *name, struct pb_pgp_key **out);
/** pb_pgp_free_keys() - free a list from pb_pgp_parse_keys() (NULL is ignored). */
void pb_pgp_free_keys(struct pb_pgp_key *k);

/**
 * pb_pgp_parse_sig() - parse a detached signature file: its first packet
 * must be a version 4 signature packet (tag 2) of type 0x00 (binary
 * document) made with a supported public key and hash algorithm.
 * Returns 0 or PB_EBADSIG ("bad signature: NAME: byte N: why").
 */
int pb_pgp_parse_sig(const uint8_t *buf, size_t len, const char *name, struct pb_pgp_sig *out);

/**
 * pb_pgp_verify() - check @sig over the document @data/@len against the
 * keys in @keys (any subkey with the signature's issuer key ID).
 * @file, @sigfile: names for messages.  Returns 0 when the signature is
 * good; PB_EBADSIG with "public key KEYID not found" when no key matches,
 * "bad signature: FILE does not match SIGFILE (key KEYID)" otherwise.
 */
int pb_pgp_verify(const struct pb_pgp_sig *sig, const void *data, size_t len,
                  const struct pb_pgp_key *keys, const char *file, const char *sigfile);

/**
 * pb_pgp_trusted() - the trusted key list the file verifier uses (the
 * image's embedded keys and those added by `trust`).
 */
const struct pb_pgp_key *pb_pgp_trusted(void);

#endif
