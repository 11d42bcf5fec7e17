/* SPDX-License-Identifier: MIT */
/*
 * LUKS1 (GRUB's luks module): the header of "LUKS1 On-Disk Format
 * Specification" version 1.2.3, keyslots opened with PBKDF2 + the anti-forensic merge, the master
 * key checked against the header's PBKDF2 digest.  The payload is then read
 * through module cryptodisk's sector cipher.  The header is untrusted: every
 * field is checked before use and errors name the device and byte offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/cryptodisk.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"

static const uint8_t luks_magic[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };

#define SLOT_ACTIVE   0x00AC71F3u
#define SLOT_INACTIVE 0x0000DEADu

static uint32_t be32at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A NUL-terminated, printable string field of @n bytes at @off. */
static int str_field(const uint8_t *buf, size_t off, size_t n, char *out, const char *what,
                     const char *dev)
{
    size_t len = strnlen((const char *)buf + off, n);
    if (len == n)
        return pb_error(PB_EBADFS, "luks: %s: %s at byte %zu is not NUL-terminated", dev, what,
                        off);
    for (size_t i = 0; i < len; i++)
        if (buf[off + i] < 0x20 || buf[off + i] > 0x7e)
            return pb_error(PB_EBADFS, "luks: %s: %s at byte %zu has a non-printable byte "
                            "0x%02x at byte %zu", dev, what, off, buf[off + i], off + i);
    memcpy(out, buf + off, len);
    out[len] = 0;
    return 0;
}

int pb_luks1_parse(const uint8_t *buf, size_t len, const char *dev, struct pb_luks1_hdr *h)
{
    if (len < PB_LUKS1_HDR_SIZE || memcmp(buf, luks_magic, sizeof luks_magic))
        return PB_ENOENT;
    uint16_t ver = (uint16_t)(buf[6] << 8 | buf[7]);
    if (ver != 1)
        return PB_ENOENT;            /* LUKS2 (version 2) is another format */
    memset(h, 0, sizeof *h);
    int r;
    if ((r = str_field(buf, 8, 32, h->cipher, "cipher name", dev)) < 0 ||
        (r = str_field(buf, 40, 32, h->mode, "cipher mode", dev)) < 0 ||
        (r = str_field(buf, 72, 32, h->hash, "hash spec", dev)) < 0 ||
        (r = str_field(buf, 168, 40, h->uuid, "UUID", dev)) < 0)
        return r;
    h->payload_offset = be32at(buf + 104);
    h->key_bytes = be32at(buf + 108);
    memcpy(h->mk_digest, buf + 112, 20);
    memcpy(h->mk_salt, buf + 132, 32);
    h->mk_iterations = be32at(buf + 164);
    if (h->key_bytes == 0 || h->key_bytes > PB_CRYPTO_MAX_KEY)
        return pb_error(PB_EBADFS, "luks: %s: key size %u bytes at byte 108 is not in 1..%u", dev,
                        h->key_bytes, PB_CRYPTO_MAX_KEY);
    if (!pb_crypto_hash_len(h->hash))
        return pb_error(PB_ENOTSUP, "luks: %s: hash `%s' (byte 72) is not supported "
                        "(sha1, sha256, sha512 are)", dev, h->hash);
    if (h->mk_iterations == 0)
        return pb_error(PB_EBADFS, "luks: %s: zero master key digest iterations at byte 164", dev);
    /* the header and its keyslots' key material lie before the payload */
    uint64_t hdr_sectors = (PB_LUKS1_HDR_SIZE + PB_SECTOR_SIZE - 1) / PB_SECTOR_SIZE;
    for (int i = 0; i < PB_LUKS1_SLOTS; i++) {
        size_t o = 208 + (size_t)i * 48;
        struct pb_luks1_slot *s = &h->slot[i];
        uint32_t state = be32at(buf + o);
        if (state != SLOT_ACTIVE && state != SLOT_INACTIVE)
            return pb_error(PB_EBADFS, "luks: %s: keyslot %d state 0x%08x at byte %zu is neither "
                            "active nor inactive", dev, i, state, o);
        s->active = state == SLOT_ACTIVE;
        s->iterations = be32at(buf + o + 4);
        memcpy(s->salt, buf + o + 8, 32);
        s->key_offset = be32at(buf + o + 40);
        s->stripes = be32at(buf + o + 44);
        if (!s->active)
            continue;
        if (s->iterations == 0)
            return pb_error(PB_EBADFS, "luks: %s: keyslot %d has zero iterations (byte %zu)", dev,
                            i, o + 4);
        if (s->stripes == 0 || s->stripes > PB_LUKS1_MAX_STRIPES)
            return pb_error(PB_EBADFS, "luks: %s: keyslot %d stripes %u at byte %zu not in 1..%u",
                            dev, i, s->stripes, o + 44, PB_LUKS1_MAX_STRIPES);
        uint64_t km = ((uint64_t)h->key_bytes * s->stripes + PB_SECTOR_SIZE - 1) / PB_SECTOR_SIZE;
        if (s->key_offset < hdr_sectors)
            return pb_error(PB_EBADFS, "luks: %s: keyslot %d key material at sector %u (byte "
                            "%zu) overlaps the header", dev, i, s->key_offset, o + 40);
        if (h->payload_offset && (uint64_t)s->key_offset + km > h->payload_offset)
            return pb_error(PB_EBADFS, "luks: %s: keyslot %d key material (sectors %u+%llu, byte "
                            "%zu) runs into the payload at sector %u", dev, i, s->key_offset,
                            (unsigned long long)km, o + 40, h->payload_offset);
        for (int j = 0; j < i; j++) {
            const struct pb_luks1_slot *t = &h->slot[j];
            if (!t->active)
                continue;
            uint64_t tkm = ((uint64_t)h->key_bytes * t->stripes + PB_SECTOR_SIZE - 1) /
                           PB_SECTOR_SIZE;
            if (s->key_offset < t->key_offset + tkm && t->key_offset < s->key_offset + km)
                return pb_error(PB_EBADFS, "luks: %s: keyslots %d and %d key material overlap "
                                "(byte %zu)", dev, j, i, o + 40);
        }
    }
    return 0;
}

static int read_header(struct pb_device *dev, struct pb_luks1_hdr *h)
{
    uint8_t buf[PB_LUKS1_HDR_SIZE];
    if (dev->nr_sectors * PB_SECTOR_SIZE < sizeof buf)
        return PB_ENOENT;
    int r = pb_device_read(dev, 0, sizeof buf, buf);
    if (r < 0)
        return r;
    return pb_luks1_parse(buf, sizeof buf, dev->name, h);
}

static int luks1_probe(struct pb_device *dev, char uuid[48])
{
    struct pb_luks1_hdr h;
    int r = read_header(dev, &h);
    if (r < 0)
        return r;
    snprintf(uuid, 48, "%s", h.uuid);
    return 0;
}

/* Try keyslot @i: derive the slot key, decrypt and merge its key material,
 * check the master key's digest.  1 and @mk filled when it opens, 0 when
 * not, an error on I/O failure or a cipher the header names but we lack. */
static int try_slot(struct pb_device *dev, const struct pb_luks1_hdr *h, int i,
                    const uint8_t *pass, size_t passlen, uint8_t *mk)
{
    const struct pb_luks1_slot *s = &h->slot[i];
    size_t kmlen = (size_t)h->key_bytes * s->stripes;
    size_t kmalloc = (kmlen + PB_SECTOR_SIZE - 1) / PB_SECTOR_SIZE * PB_SECTOR_SIZE;
    if ((uint64_t)s->key_offset + kmalloc / PB_SECTOR_SIZE > dev->nr_sectors)
        return pb_error(PB_EBADFS, "luks: %s: keyslot %d key material (sector %u) is past the "
                        "device's end", dev->name, i, s->key_offset);
    uint8_t *km = malloc(kmalloc);
    if (!km)
        return pb_error(PB_ENOMEM, "luks: out of memory for %zu bytes of key material", kmalloc);
    uint8_t key[PB_CRYPTO_MAX_KEY], digest[20];
    struct pb_crypto_cipher *c = NULL;
    int r = pb_device_read(dev, (uint64_t)s->key_offset * PB_SECTOR_SIZE, kmalloc, km);
    if (r == 0)
        r = pb_crypto_pbkdf2(h->hash, pass, passlen, s->salt, sizeof s->salt, s->iterations, key,
                             h->key_bytes);
    if (r == 0)
        r = pb_crypto_cipher_new(h->cipher, h->mode, key, h->key_bytes, &c);
    if (r == 0) {
        pb_crypto_decrypt(c, 0, PB_SECTOR_SIZE, false, km, kmalloc);
        r = pb_af_merge(h->hash, km, h->key_bytes, s->stripes, mk);
    }
    if (r == 0)
        r = pb_crypto_pbkdf2(h->hash, mk, h->key_bytes, h->mk_salt, sizeof h->mk_salt,
                             h->mk_iterations, digest, sizeof digest);
    if (r == 0)
        r = memcmp(digest, h->mk_digest, sizeof digest) == 0;
    pb_crypto_cipher_free(c);
    pb_crypto_wipe(key, sizeof key);
    pb_crypto_wipe(km, kmalloc);
    free(km);
    return r;
}

static int luks1_open(struct pb_device *dev, const uint8_t *pass, size_t passlen,
                      struct pb_cryptodisk_volume *vol)
{
    struct pb_luks1_hdr h;
    int r = read_header(dev, &h);
    if (r < 0)
        return r;
    uint8_t mk[PB_CRYPTO_MAX_KEY];
    int opened = 0;
    for (int i = 0; i < PB_LUKS1_SLOTS && !opened; i++) {
        if (!h.slot[i].active)
            continue;
        r = try_slot(dev, &h, i, pass, passlen, mk);
        if (r < 0)
            return r;
        opened = r;
    }
    if (!opened)
        return pb_error(PB_EACCES, "luks: %s: no key slot opens with this passphrase", dev->name);
    memset(vol, 0, sizeof *vol);
    snprintf(vol->uuid, sizeof vol->uuid, "%s", h.uuid);
    r = pb_crypto_cipher_new(h.cipher, h.mode, mk, h.key_bytes, &vol->cipher);
    pb_crypto_wipe(mk, sizeof mk);
    if (r < 0)
        return r;
    vol->offset = (uint64_t)h.payload_offset * PB_SECTOR_SIZE;
    vol->size = 0;
    vol->sector_size = PB_SECTOR_SIZE;
    vol->iv_512 = true;
    return 0;
}

static struct pb_cryptodisk_format luks1_format = {
    .name = "luks", .probe = luks1_probe, .open = luks1_open,
};

void pvboot_init_luks(void);
void pvboot_init_luks(void)
{
    pb_cryptodisk_format_register(&luks1_format);
}
