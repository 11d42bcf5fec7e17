/* SPDX-License-Identifier: MIT */
/*
 * Encrypted disks (GRUB's cryptodisk, luks modules): module `cryptodisk`
 * holds the cryptography seam (nettle, linked from Debian's static archive:
 * hashes, PBKDF2, AES-XTS / AES-CBC), the sector decryption layer that makes
 * an opened volume a read-only disk "cryptoN" (alias
 * "cryptouuid/UUID", UUID without dashes, as GRUB names them) and the
 * `cryptomount` command.  Formats (module `luks` for LUKS1) register with
 * pb_cryptodisk_format_register().  See man/pvboot-disks.7.
 */
#ifndef PVBOOT_CRYPTODISK_H
#define PVBOOT_CRYPTODISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pb_device;

/* ---- the cryptography seam (nettle) ---- */

#define PB_CRYPTO_MAX_DIGEST 64   /* SHA-512 */
#define PB_CRYPTO_MAX_KEY    64   /* AES-256-XTS: two 256-bit keys */

/** pb_crypto_hash_len() - digest size in bytes of hash @name ("sha1",
 *  "sha256", "sha512"; case-insensitive), 0 if not supported. */
size_t pb_crypto_hash_len(const char *name);
/** pb_crypto_hash() - digest of the concatenation @a (@alen bytes) || @b
 *  (@blen bytes) with hash @name into @out (pb_crypto_hash_len() bytes).
 *  Returns 0 or PB_ENOTSUP naming the hash. */
int pb_crypto_hash(const char *name, const void *a, size_t alen, const void *b, size_t blen,
                   uint8_t *out);
/**
 * pb_crypto_pbkdf2() - PBKDF2 (RFC 8018 section 5.2) with HMAC over hash
 * @name, @iter iterations, @outlen bytes into @out.  Returns 0, PB_ENOTSUP
 * for an unknown hash, PB_EINVAL for iter == 0.
 */
int pb_crypto_pbkdf2(const char *name, const void *pass, size_t passlen, const void *salt,
                     size_t saltlen, uint32_t iter, uint8_t *out, size_t outlen);
/** pb_crypto_base64_decode() - decode base64 text @in (RFC 4648, padding
 *  required as LUKS2 writes it) into @out (at most @size bytes).  Returns
 *  the length, or -1 for bad text or a result longer than @size. */
int pb_crypto_base64_decode(const char *in, uint8_t *out, size_t size);
/** pb_crypto_wipe() - clear @n bytes at @p in a way the compiler keeps. */
void pb_crypto_wipe(void *p, size_t n);

/**
 * pb_af_merge() - LUKS anti-forensic merge (LUKS1 On-Disk Format
 * Specification 1.2.3, section 2.4, AFmerge): @src holds @stripes stripes
 * of @keylen bytes; the key (@keylen bytes) goes to @out.  Hash @name is
 * the diffusion hash.  Returns 0, PB_ENOTSUP (unknown hash), PB_EINVAL
 * (stripes == 0 or keylen == 0).
 */
int pb_af_merge(const char *name, const uint8_t *src, size_t keylen, uint32_t stripes,
                uint8_t *out);

struct pb_crypto_cipher;
/**
 * pb_crypto_cipher_new() - a sector cipher for dm-crypt's "CIPHER-MODE"
 * spelling: @cipher "aes", @mode "xts-plain64", "xts-plain", "cbc-essiv:sha256",
 * "cbc-plain64" or "cbc-plain"; @key of @keylen bytes (XTS: 32 or 64; CBC: 16,
 * 24 or 32).  Returns 0 and *@out, PB_ENOTSUP naming an unsupported
 * cipher/mode, PB_EINVAL for a key size the mode cannot take, PB_ENOMEM.
 */
int pb_crypto_cipher_new(const char *cipher, const char *mode, const uint8_t *key,
                         size_t keylen, struct pb_crypto_cipher **out);
/**
 * pb_crypto_decrypt() - decrypt @len bytes in place at @buf: consecutive
 * sectors of @sector_size bytes (512, 1024, 2048 or 4096; @len a multiple
 * of it), the first having IV sector number @iv_sector (counted in
 * @sector_size units, or in 512-byte units when @iv_512 is true, as LUKS2's
 * "iv_large_sectors": false asks).
 */
void pb_crypto_decrypt(struct pb_crypto_cipher *c, uint64_t iv_sector, uint32_t sector_size,
                       bool iv_512, uint8_t *buf, size_t len);
/** pb_crypto_cipher_free() - wipe the key schedule and free (NULL is fine). */
void pb_crypto_cipher_free(struct pb_crypto_cipher *c);

/* ---- formats and volumes ---- */

/* An opened volume, filled by a format's open(). */
struct pb_cryptodisk_volume {
    char uuid[48];                /* as the header spells it (dashes kept) */
    struct pb_crypto_cipher *cipher;
    uint64_t offset;              /* payload start on the device, bytes */
    uint64_t size;                /* payload size, bytes (0: to the device's end) */
    uint32_t sector_size;         /* encryption sector size, bytes */
    bool iv_512;                  /* IVs count 512-byte sectors */
    uint64_t iv_offset;           /* added to every IV sector number (LUKS2 iv_tweak) */
};

struct pb_cryptodisk_format {
    const char *name;             /* "luks", "luks2" */
    /* Does @dev hold this format?  0 and the UUID (dashes kept) into @uuid,
     * PB_ENOENT if not (no error left set), another error for a damaged
     * header (message names the device and offset). */
    int (*probe)(struct pb_device *dev, char uuid[48]);
    /* Open with passphrase/key @pass (@passlen bytes).  0 and @vol filled,
     * PB_EACCES (with message) if no keyslot opens with it, another error
     * for a damaged header. */
    int (*open)(struct pb_device *dev, const uint8_t *pass, size_t passlen,
                struct pb_cryptodisk_volume *vol);
    struct pb_cryptodisk_format *next;
};

/** pb_cryptodisk_format_register() - add a format (static storage). */
void pb_cryptodisk_format_register(struct pb_cryptodisk_format *f);

/**
 * pb_cryptodisk_preset_passphrase() - hosted tools (--passphrase-file): use
 * @pass (@len bytes, copied) instead of prompting on the console.  NULL
 * clears it (and wipes the copy).  Returns 0 or PB_ENOMEM.
 */
int pb_cryptodisk_preset_passphrase(const void *pass, size_t len);

/** pb_cryptodisk_wipe_all() - wipe every opened volume's key schedule and
 *  the preset passphrase (before the kernel runs); the crypto disks stay
 *  registered but read as errors afterwards. */
void pb_cryptodisk_wipe_all(void);

/* ---- LUKS1 (module luks) ---- */

#define PB_LUKS1_HDR_SIZE 592
#define PB_LUKS1_SLOTS 8

struct pb_luks1_slot {
    bool active;
    uint32_t iterations;
    uint8_t salt[32];
    uint32_t key_offset;          /* 512-byte sectors */
    uint32_t stripes;
};

struct pb_luks1_hdr {
    char cipher[33], mode[33], hash[33];
    uint32_t payload_offset;      /* 512-byte sectors */
    uint32_t key_bytes;
    uint8_t mk_digest[20];
    uint8_t mk_salt[32];
    uint32_t mk_iterations;
    char uuid[41];
    struct pb_luks1_slot slot[PB_LUKS1_SLOTS];
};

/**
 * pb_luks1_parse() - parse and check the LUKS1 header (LUKS1 On-Disk Format
 * Specification 1.2.3, section 2.2) in @buf (@len bytes, at least
 * PB_LUKS1_HDR_SIZE) of device @devname (for messages).  Checks: magic,
 * version 1, NUL-terminated printable strings, key size 1..64, hash known,
 * non-zero digest iterations, for active slots non-zero iterations, stripes
 * 1..PB_LUKS1_MAX_STRIPES and key material inside the header area (before
 * the payload, not overlapping the header or each other when the payload
 * offset is non-zero).  Returns 0, PB_ENOENT (not LUKS, no error set),
 * PB_EBADFS/PB_ENOTSUP with a message naming @devname and the byte offset.
 */
#define PB_LUKS1_MAX_STRIPES 65536u
int pb_luks1_parse(const uint8_t *buf, size_t len, const char *devname, struct pb_luks1_hdr *h);

#endif
