/* SPDX-License-Identifier: MIT */
/*
 * LUKS2 (GRUB's luks2 module), after the "LUKS2 On-Disk Format
 * Specification" version 1.1.x: a binary header (4096 bytes, big-endian)
 * followed by the JSON metadata area, the whole header area (hdr_size
 * bytes) checksummed with SHA-256; a second copy at byte hdr_size is used
 * when the first does not check.  Keyslots of type luks2 with a pbkdf2,
 * argon2i or argon2id KDF (Argon2 from Debian's libargon2.a, one thread),
 * the luks1 anti-forensic split, the volume key checked against a pbkdf2
 * digest, and the crypt segment that digest names.  All of it is
 * untrusted: every field is checked and errors name the device, the byte
 * offset (binary header) or the JSON path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <argon2.h>
#include "pvboot/cryptodisk.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/json.h"

#define BIN_SIZE 4096u
#define MAX_HDR (4u << 20)        /* the largest hdr_size the spec allows */
#define MAX_TOKS 4096
#define ARGON2_MAX_KIB (4u << 20) /* LUKS2 caps memory at 4 GiB */

static const uint8_t luks_magic[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };
static const uint8_t luks_magic2[6] = { 'S', 'K', 'U', 'L', 0xba, 0xbe };

static uint64_t be64at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

struct l2 {
    struct pb_device *dev;
    uint8_t *area;                /* the header area (hdr_size bytes) */
    const char *json;
    size_t jlen;
    struct pb_json_tok *t;
    size_t nt;
    char uuid[41];
};

static void l2_free(struct l2 *l)
{
    free(l->area);
    free(l->t);
}

/* Read and check the header area at byte @at.  0, PB_ENOENT (not LUKS2),
 * or PB_EBADFS with a message. */
static int read_area(struct l2 *l, uint64_t at, bool secondary)
{
    struct pb_device *dev = l->dev;
    uint64_t devbytes = dev->nr_sectors * PB_SECTOR_SIZE;
    uint8_t bin[BIN_SIZE];
    if (at + BIN_SIZE > devbytes)
        return PB_ENOENT;
    int r = pb_device_read(dev, at, BIN_SIZE, bin);
    if (r < 0)
        return r;
    if (memcmp(bin, secondary ? luks_magic2 : luks_magic, 6) || bin[6] != 0 || bin[7] != 2)
        return PB_ENOENT;
    uint64_t hsize = be64at(bin + 8);
    if (hsize < 16384 || hsize > MAX_HDR || (hsize & (hsize - 1)))
        return pb_error(PB_EBADFS, "luks2: %s: header size %llu at byte %llu is not a power of "
                        "two in 16 KiB..4 MiB", dev->name, (unsigned long long)hsize,
                        (unsigned long long)at + 8);
    if (be64at(bin + 256) != at)
        return pb_error(PB_EBADFS, "luks2: %s: header at byte %llu says it is at byte %llu "
                        "(byte %llu)", dev->name, (unsigned long long)at,
                        (unsigned long long)be64at(bin + 256), (unsigned long long)at + 256);
    if (strnlen((const char *)bin + 72, 32) == 32 || strcmp((const char *)bin + 72, "sha256"))
        return pb_error(PB_ENOTSUP, "luks2: %s: header checksum algorithm at byte %llu is not "
                        "sha256", dev->name, (unsigned long long)at + 72);
    if (at + hsize > devbytes)
        return pb_error(PB_EBADFS, "luks2: %s: header area at byte %llu (%llu bytes) passes the "
                        "device's end", dev->name, (unsigned long long)at,
                        (unsigned long long)hsize);
    uint8_t *a = malloc(hsize);
    if (!a)
        return pb_error(PB_ENOMEM, "luks2: out of memory for a %llu-byte header",
                        (unsigned long long)hsize);
    r = pb_device_read(dev, at, hsize, a);
    if (r < 0) {
        free(a);
        return r;
    }
    uint8_t want[32], got[32];
    memcpy(want, a + 448, 32);
    memset(a + 448, 0, 64);
    pb_crypto_hash("sha256", a, hsize, NULL, 0, got);
    if (memcmp(want, got, 32)) {
        free(a);
        return pb_error(PB_EBADFS, "luks2: %s: header checksum mismatch (header at byte %llu)",
                        dev->name, (unsigned long long)at);
    }
    size_t ul = strnlen((const char *)a + 168, 40);
    if (ul == 40) {
        free(a);
        return pb_error(PB_EBADFS, "luks2: %s: UUID at byte %llu is not NUL-terminated",
                        dev->name, (unsigned long long)at + 168);
    }
    memcpy(l->uuid, a + 168, ul + 1);
    l->area = a;
    l->json = (const char *)a + BIN_SIZE;
    l->jlen = strnlen(l->json, hsize - BIN_SIZE);
    if (l->jlen == hsize - BIN_SIZE) {
        free(a);
        l->area = NULL;
        return pb_error(PB_EBADFS, "luks2: %s: JSON area at byte %llu is not NUL-terminated",
                        dev->name, (unsigned long long)at + BIN_SIZE);
    }
    return 0;
}

static int load(struct pb_device *dev, struct l2 *l)
{
    memset(l, 0, sizeof *l);
    l->dev = dev;
    int r = read_area(l, 0, false);
    if (r == PB_ENOENT)
        return r;
    if (r < 0 && r != PB_ENOMEM) {
        /* the secondary copy sits right after the primary's area; the
         * primary's size may be what is damaged, so try the sizes LUKS2 allows */
        char first[256];
        snprintf(first, sizeof first, "%s", pb_errmsg());
        for (uint64_t at = 16384; at <= MAX_HDR && r < 0; at <<= 1)
            if (read_area(l, at, true) == 0)
                r = 0;
        if (r < 0)
            return pb_error(r, "%s; no usable secondary header", first);
        pb_error_clear();
    }
    if (r < 0)
        return r;
    l->t = malloc(MAX_TOKS * sizeof *l->t);
    if (!l->t) {
        l2_free(l);
        return pb_error(PB_ENOMEM, "luks2: out of memory for the JSON tokens");
    }
    char what[sizeof dev->name + 8];
    snprintf(what, sizeof what, "luks2: %s", dev->name);
    r = pb_json_parse(l->json, l->jlen, l->t, MAX_TOKS, what, &l->nt);
    if (r == 0 && l->t[0].type != PB_JSON_OBJ)
        r = pb_error(PB_EBADFS, "luks2: %s: the JSON metadata is not an object", dev->name);
    if (r < 0)
        l2_free(l);
    return r;
}

static int luks2_probe(struct pb_device *dev, char uuid[48])
{
    struct l2 l;
    int r = load(dev, &l);
    if (r < 0)
        return r;
    snprintf(uuid, 48, "%s", l.uuid);
    l2_free(&l);
    return 0;
}

/* ---- JSON field access with errors naming the path ---- */

struct jctx {
    struct l2 *l;
    char path[96];
    int err;
};

static int jbad(struct jctx *c, const char *key, const char *want)
{
    if (!c->err)
        c->err = pb_error(PB_EBADFS, "luks2: %s: %s.%s: %s", c->l->dev->name, c->path, key, want);
    return -1;
}

static int jget(struct jctx *c, int obj, const char *key, enum pb_json_type type)
{
    int i = pb_json_get(c->l->json, c->l->t, c->l->nt, obj, key);
    if (i < 0)
        return jbad(c, key, "missing");
    if (c->l->t[i].type != type)
        return jbad(c, key, "wrong type");
    return i;
}

static const char *jstr(struct jctx *c, int obj, const char *key, char *buf, size_t size)
{
    int i = jget(c, obj, key, PB_JSON_STR);
    if (i < 0)
        return NULL;
    if (pb_json_str(c->l->json, c->l->t, i, buf, size) < 0) {
        jbad(c, key, "string too long or not ASCII");
        return NULL;
    }
    return buf;
}

/* An unsigned decimal, as a JSON number (@num) or a string ("16777216"). */
static bool ju64(struct jctx *c, int obj, const char *key, bool num, uint64_t max, uint64_t *out)
{
    int i = jget(c, obj, key, num ? PB_JSON_NUM : PB_JSON_STR);
    if (i < 0)
        return false;
    const struct pb_json_tok *t = &c->l->t[i];
    uint64_t v = 0;
    if (t->end == t->start)
        return jbad(c, key, "empty number"), false;
    for (size_t p = t->start; p < t->end; p++) {
        char ch = c->l->json[p];
        if (ch < '0' || ch > '9' || v > (UINT64_MAX - 9) / 10)
            return jbad(c, key, "not an unsigned integer"), false;
        v = v * 10 + (uint64_t)(ch - '0');
    }
    if (v > max)
        return jbad(c, key, "out of range"), false;
    *out = v;
    return true;
}

static bool jb64(struct jctx *c, int obj, const char *key, uint8_t *out, size_t size, size_t *len)
{
    char buf[256];
    if (!jstr(c, obj, key, buf, sizeof buf))
        return false;
    int n = pb_crypto_base64_decode(buf, out, size);
    if (n <= 0)
        return jbad(c, key, "bad base64 or too long"), false;
    *len = (size_t)n;
    return true;
}

/* Does array @arr hold the string @id? */
static bool jhas(struct jctx *c, int arr, const char *id)
{
    for (uint32_t n = 0;; n++) {
        int v = pb_json_member(c->l->t, c->l->nt, arr, n, NULL);
        if (v < 0)
            return false;
        char buf[16];
        if (pb_json_str(c->l->json, c->l->t, v, buf, sizeof buf) >= 0 && !strcmp(buf, id))
            return true;
    }
}

/* ---- opening ---- */

static int kdf(struct jctx *c, int kd, const uint8_t *pass, size_t passlen, uint8_t *key,
               size_t keylen)
{
    char type[16], hash[16];
    uint8_t salt[128];
    size_t saltlen;
    if (!jstr(c, kd, "type", type, sizeof type) || !jb64(c, kd, "salt", salt, sizeof salt, &saltlen))
        return c->err;
    if (!strcmp(type, "pbkdf2")) {
        uint64_t iter;
        if (!jstr(c, kd, "hash", hash, sizeof hash) ||
            !ju64(c, kd, "iterations", true, UINT32_MAX, &iter))
            return c->err;
        if (iter == 0)
            return jbad(c, "iterations", "zero"), c->err;
        return pb_crypto_pbkdf2(hash, pass, passlen, salt, saltlen, (uint32_t)iter, key, keylen);
    }
    bool id = !strcmp(type, "argon2id");
    if (!id && strcmp(type, "argon2i"))
        return pb_error(PB_ENOTSUP, "luks2: %s: %s.type: KDF `%s' is not supported (pbkdf2, "
                        "argon2i, argon2id are)", c->l->dev->name, c->path, type);
    uint64_t t_cost, m_cost, lanes;
    if (!ju64(c, kd, "time", true, UINT32_MAX, &t_cost) ||
        !ju64(c, kd, "memory", true, ARGON2_MAX_KIB, &m_cost) ||
        !ju64(c, kd, "cpus", true, 16, &lanes))
        return c->err;
    argon2_context a = {
        .out = key, .outlen = (uint32_t)keylen,
        .pwd = (uint8_t *)(uintptr_t)pass, .pwdlen = (uint32_t)passlen,
        .salt = salt, .saltlen = (uint32_t)saltlen,
        .t_cost = (uint32_t)t_cost, .m_cost = (uint32_t)m_cost,
        .lanes = (uint32_t)lanes, .threads = 1,   /* no threads in the runtime */
        .version = ARGON2_VERSION_13, .flags = ARGON2_DEFAULT_FLAGS,
    };
    int r = argon2_ctx(&a, id ? Argon2_id : Argon2_i);
    if (r == ARGON2_MEMORY_ALLOCATION_ERROR)
        return pb_error(PB_ENOMEM, "luks2: %s: %s: %s needs %llu KiB of memory, more than is "
                        "free in this guest", c->l->dev->name, c->path, type,
                        (unsigned long long)m_cost);
    if (r != ARGON2_OK)
        return pb_error(PB_EBADFS, "luks2: %s: %s: %s: %s", c->l->dev->name, c->path, type,
                        argon2_error_message(r));
    return 0;
}

/* Try keyslot @ks (key @kid).  1 and @vk (@vklen) when the passphrase
 * opens it and a digest confirms it (@dig set to that digest), 0 when not,
 * an error for a damaged slot. */
static int try_slot(struct l2 *l, int ks, const char *kid, const uint8_t *pass, size_t passlen,
                    uint8_t *vk, size_t *vklen, int *dig)
{
    struct jctx c = { .l = l };
    snprintf(c.path, sizeof c.path, "keyslots.%s", kid);
    char type[16], enc[64], hash[16];
    uint64_t key_size, akey_size, off, size, stripes;
    if (!jstr(&c, ks, "type", type, sizeof type))
        return c.err;
    if (strcmp(type, "luks2"))
        return 0;                 /* other slot types (reencrypt) hold no passphrase key */
    int af = jget(&c, ks, "af", PB_JSON_OBJ), area = jget(&c, ks, "area", PB_JSON_OBJ);
    int kd = jget(&c, ks, "kdf", PB_JSON_OBJ);
    if (af < 0 || area < 0 || kd < 0 || !ju64(&c, ks, "key_size", true, PB_CRYPTO_MAX_KEY, &key_size))
        return c.err;
    snprintf(c.path, sizeof c.path, "keyslots.%s.af", kid);
    if (!jstr(&c, af, "type", type, sizeof type) || !jstr(&c, af, "hash", hash, sizeof hash) ||
        !ju64(&c, af, "stripes", true, PB_LUKS1_MAX_STRIPES, &stripes))
        return c.err;
    if (strcmp(type, "luks1") || stripes == 0 || key_size == 0)
        return pb_error(PB_ENOTSUP, "luks2: %s: %s: anti-forensic split `%s' with %llu stripes "
                        "of %llu bytes is not supported", l->dev->name, c.path, type,
                        (unsigned long long)stripes, (unsigned long long)key_size);
    snprintf(c.path, sizeof c.path, "keyslots.%s.area", kid);
    if (!jstr(&c, area, "type", type, sizeof type) ||
        !jstr(&c, area, "encryption", enc, sizeof enc) ||
        !ju64(&c, area, "key_size", true, PB_CRYPTO_MAX_KEY, &akey_size) ||
        !ju64(&c, area, "offset", false, UINT64_MAX, &off) ||
        !ju64(&c, area, "size", false, UINT64_MAX, &size))
        return c.err;
    uint64_t kmlen = key_size * stripes;
    uint64_t kmalloc = (kmlen + PB_SECTOR_SIZE - 1) / PB_SECTOR_SIZE * PB_SECTOR_SIZE;
    uint64_t devbytes = l->dev->nr_sectors * PB_SECTOR_SIZE;
    if (strcmp(type, "raw") || off % PB_SECTOR_SIZE || kmalloc > size || off > devbytes ||
        kmalloc > devbytes - off)
        return pb_error(PB_EBADFS, "luks2: %s: %s: key material (%s, byte %llu, %llu of %llu "
                        "bytes) is not a raw area inside the device", l->dev->name, c.path, type,
                        (unsigned long long)off, (unsigned long long)kmalloc,
                        (unsigned long long)size);
    char *dash = strchr(enc, '-');
    if (!dash)
        return pb_error(PB_ENOTSUP, "luks2: %s: %s.encryption: `%s' is not CIPHER-MODE",
                        l->dev->name, c.path, enc);
    *dash = 0;
    snprintf(c.path, sizeof c.path, "keyslots.%s.kdf", kid);
    uint8_t key[PB_CRYPTO_MAX_KEY];
    int r = kdf(&c, kd, pass, passlen, key, akey_size);
    if (r < 0)
        return r;
    uint8_t *km = malloc(kmalloc);
    if (!km) {
        pb_crypto_wipe(key, sizeof key);
        return pb_error(PB_ENOMEM, "luks2: out of memory for %llu bytes of key material",
                        (unsigned long long)kmalloc);
    }
    struct pb_crypto_cipher *ci = NULL;
    r = pb_device_read(l->dev, off, kmalloc, km);
    if (r == 0)
        r = pb_crypto_cipher_new(enc, dash + 1, key, akey_size, &ci);
    if (r == 0) {
        pb_crypto_decrypt(ci, 0, PB_SECTOR_SIZE, true, km, kmalloc);
        r = pb_af_merge(hash, km, key_size, (uint32_t)stripes, vk);
    }
    pb_crypto_cipher_free(ci);
    pb_crypto_wipe(key, sizeof key);
    pb_crypto_wipe(km, kmalloc);
    free(km);
    if (r < 0)
        return r;
    *vklen = key_size;
    /* a pbkdf2 digest that covers this keyslot must match */
    int digests = jget(&c, 0, "digests", PB_JSON_OBJ);
    if (digests < 0)
        return c.err;
    for (uint32_t n = 0;; n++) {
        int dkey, d = pb_json_member(l->t, l->nt, digests, n, &dkey);
        if (d < 0)
            return 0;
        char did[16];
        pb_json_str(l->json, l->t, dkey, did, sizeof did);
        struct jctx dc = { .l = l };
        snprintf(dc.path, sizeof dc.path, "digests.%s", did);
        int kss = jget(&dc, d, "keyslots", PB_JSON_ARR);
        if (kss < 0)
            return dc.err;
        if (!jhas(&dc, kss, kid))
            continue;
        char dtype[16], dhash[16];
        uint8_t salt[128], want[128], got[128];
        size_t saltlen, wantlen;
        uint64_t iter;
        if (!jstr(&dc, d, "type", dtype, sizeof dtype) || !jstr(&dc, d, "hash", dhash, sizeof dhash) ||
            !ju64(&dc, d, "iterations", true, UINT32_MAX, &iter) ||
            !jb64(&dc, d, "salt", salt, sizeof salt, &saltlen) ||
            !jb64(&dc, d, "digest", want, sizeof want, &wantlen))
            return dc.err;
        if (wantlen > PB_CRYPTO_MAX_DIGEST)
            return jbad(&dc, "digest", "longer than 64 bytes"), dc.err;
        if (strcmp(dtype, "pbkdf2"))
            return pb_error(PB_ENOTSUP, "luks2: %s: %s: digest type `%s' is not supported "
                            "(pbkdf2 is)", l->dev->name, dc.path, dtype);
        r = pb_crypto_pbkdf2(dhash, vk, key_size, salt, saltlen, (uint32_t)iter, got, wantlen);
        if (r < 0)
            return r;
        if (!memcmp(got, want, wantlen)) {
            *dig = d;
            return 1;
        }
    }
}

static int segment(struct l2 *l, int dig, struct pb_cryptodisk_volume *vol, const uint8_t *vk,
                   size_t vklen)
{
    struct jctx c = { .l = l };
    snprintf(c.path, sizeof c.path, "digests");
    int segs = jget(&c, dig, "segments", PB_JSON_ARR);
    int all = jget(&c, 0, "segments", PB_JSON_OBJ);
    if (segs < 0 || all < 0)
        return c.err;
    int sid_tok = pb_json_member(l->t, l->nt, segs, 0, NULL);
    char sid[16];
    if (sid_tok < 0 || pb_json_str(l->json, l->t, sid_tok, sid, sizeof sid) < 0)
        return jbad(&c, "segments", "no segment"), c.err;
    snprintf(c.path, sizeof c.path, "segments");
    int s = jget(&c, all, sid, PB_JSON_OBJ);
    if (s < 0)
        return c.err;
    snprintf(c.path, sizeof c.path, "segments.%s", sid);
    char type[16], enc[64], size[32];
    uint64_t off, tweak, ss;
    if (!jstr(&c, s, "type", type, sizeof type) || !jstr(&c, s, "encryption", enc, sizeof enc) ||
        !ju64(&c, s, "offset", false, UINT64_MAX, &off) ||
        !ju64(&c, s, "iv_tweak", false, UINT64_MAX, &tweak) ||
        !ju64(&c, s, "sector_size", true, 4096, &ss) || !jstr(&c, s, "size", size, sizeof size))
        return c.err;
    if (strcmp(type, "crypt"))
        return pb_error(PB_ENOTSUP, "luks2: %s: %s: segment type `%s' is not supported (crypt "
                        "is)", l->dev->name, c.path, type);
    if (ss != 512 && ss != 1024 && ss != 2048 && ss != 4096)
        return jbad(&c, "sector_size", "not 512, 1024, 2048 or 4096"), c.err;
    uint64_t bytes = 0;
    if (strcmp(size, "dynamic") && !ju64(&c, s, "size", false, UINT64_MAX, &bytes))
        return c.err;
    if (strcmp(size, "dynamic") && bytes == 0)
        return jbad(&c, "size", "zero"), c.err;
    char *dash = strchr(enc, '-');
    if (!dash)
        return pb_error(PB_ENOTSUP, "luks2: %s: %s.encryption: `%s' is not CIPHER-MODE",
                        l->dev->name, c.path, enc);
    *dash = 0;
    memset(vol, 0, sizeof *vol);
    int r = pb_crypto_cipher_new(enc, dash + 1, vk, vklen, &vol->cipher);
    if (r < 0)
        return r;
    snprintf(vol->uuid, sizeof vol->uuid, "%s", l->uuid);
    vol->offset = off;
    vol->size = bytes;
    vol->sector_size = (uint32_t)ss;
    vol->iv_512 = false;          /* dm-crypt's iv_large_sectors, as cryptsetup sets for LUKS2 */
    vol->iv_offset = tweak;
    return 0;
}

static int luks2_open(struct pb_device *dev, const uint8_t *pass, size_t passlen,
                      struct pb_cryptodisk_volume *vol)
{
    struct l2 l;
    int r = load(dev, &l);
    if (r < 0)
        return r;
    struct jctx c = { .l = &l };
    int kss = jget(&c, 0, "keyslots", PB_JSON_OBJ);
    if (kss < 0) {
        l2_free(&l);
        return c.err;
    }
    uint8_t vk[PB_CRYPTO_MAX_KEY];
    size_t vklen = 0;
    int dig = -1, opened = 0;
    for (uint32_t n = 0; !opened; n++) {
        int key, ks = pb_json_member(l.t, l.nt, kss, n, &key);
        if (ks < 0)
            break;
        char kid[16];
        if (pb_json_str(l.json, l.t, key, kid, sizeof kid) < 0 || l.t[ks].type != PB_JSON_OBJ) {
            r = pb_error(PB_EBADFS, "luks2: %s: keyslots: member %u is not a keyslot object",
                         dev->name, n);
            break;
        }
        r = try_slot(&l, ks, kid, pass, passlen, vk, &vklen, &dig);
        if (r < 0)
            break;
        opened = r;
    }
    if (r >= 0 && !opened)
        r = pb_error(PB_EACCES, "luks2: %s: no key slot opens with this passphrase", dev->name);
    else if (r >= 0)
        r = segment(&l, dig, vol, vk, vklen);
    pb_crypto_wipe(vk, sizeof vk);
    l2_free(&l);
    return r;
}

static struct pb_cryptodisk_format luks2_format = {
    .name = "luks2", .probe = luks2_probe, .open = luks2_open,
};

void pvboot_init_luks2(void);
/** pvboot_init_luks2() - register the LUKS2 format with cryptodisk. */
void pvboot_init_luks2(void)
{
    pb_cryptodisk_format_register(&luks2_format);
}
