/* SPDX-License-Identifier: MIT */
/*
 * Encrypted volumes as disks and the `cryptomount` command (GRUB manual,
 * "cryptomount"; the option spellings of GRUB 2.12):
 *
 *   cryptomount [-p PASSWORD | -k KEYFILE] DEVICE | -u UUID | -a
 *
 * Each volume a format (luks, ...) opens becomes the read-only disk
 * "cryptoN" (N counts up from 0 in opening order) with the alias
 * "cryptouuid/UUID" (the header's UUID without dashes, lower case), as GRUB
 * names them; partition maps and filesystems work on it like on any disk.
 * Without -p/-k the passphrase is read on the console without echo
 * ("Enter passphrase for DEVICE (UUID): "), up to 3 attempts, each wrong
 * one reported.  A volume already open is not opened again.  The hosted
 * tools take the passphrase from --passphrase-file instead
 * (pb_cryptodisk_preset_passphrase) and never wait for a console.
 * Before the kernel runs, every key schedule and passphrase is wiped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/cryptodisk.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/term.h"

#define PASS_MAX 1024             /* bytes of a typed passphrase */
#define KEYFILE_MAX (8u << 20)    /* LUKS's own key file limit is 8 MiB */
#define PROMPT_TRIES 3
#define CRYPTO_ORDER_BASE ((1ull << 62) + (1ull << 60))  /* after the vbds and LVs */

static struct pb_cryptodisk_format *formats;
static uint8_t *preset;
static size_t preset_len;
static bool have_preset;

struct cryptodev {
    struct pb_disk disk;
    struct pb_device *lower;      /* the device holding the header and payload */
    struct pb_disk *lower_disk;   /* lower->disk, kept for forget() */
    struct pb_cryptodisk_volume vol;
    struct cryptodev *next;
};

static struct cryptodev *cdevs;
static unsigned long crypto_seq;

void pb_cryptodisk_format_register(struct pb_cryptodisk_format *f)
{
    f->next = formats;
    formats = f;
}

int pb_cryptodisk_preset_passphrase(const void *pass, size_t len)
{
    if (preset) {
        pb_crypto_wipe(preset, preset_len);
        free(preset);
    }
    preset = NULL;
    preset_len = 0;
    have_preset = false;
    if (!pass)
        return 0;
    preset = malloc(len ? len : 1);
    if (!preset)
        return pb_error(PB_ENOMEM, "out of memory for the passphrase");
    memcpy(preset, pass, len);
    preset_len = len;
    have_preset = true;
    return 0;
}

static int crypt_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    struct cryptodev *c = d->priv;
    if (!c->vol.cipher)
        return pb_error(PB_EIO, "%s: the volume's key was wiped", d->name);
    if (sector > d->nr_sectors || count > d->nr_sectors - sector)
        return pb_error(PB_ERANGE, "%s: read of sectors %llu+%llu past the end (%llu sectors)",
                        d->name, (unsigned long long)sector, (unsigned long long)count,
                        (unsigned long long)d->nr_sectors);
    uint64_t off = sector * PB_SECTOR_SIZE, len = count * PB_SECTOR_SIZE;
    uint32_t ss = c->vol.sector_size;
    if (off % ss || len % ss)
        return pb_error(PB_EINVAL, "%s: read at byte %llu of %llu bytes is not aligned to the "
                        "%u-byte encryption sectors", d->name, (unsigned long long)off,
                        (unsigned long long)len, ss);
    int r = pb_disk_read_raw(c->lower->disk,
                             c->lower->start * PB_SECTOR_SIZE + c->vol.offset + off, len, buf);
    if (r < 0)
        return r;
    uint64_t iv = c->vol.iv_offset + (c->vol.iv_512 ? off / PB_SECTOR_SIZE : off / ss);
    pb_crypto_decrypt(c->vol.cipher, iv, ss, c->vol.iv_512, buf, len);
    return 0;
}

static const struct pb_disk_ops crypt_ops = { .read = crypt_read };

static void cdev_free(struct cryptodev *c)
{
    pb_crypto_cipher_free(c->vol.cipher);
    if (c->lower)
        pb_device_close(c->lower);
    free(c);
}

/* Scanner hook: the disk under a volume went away; the volume goes too. */
static void crypt_forget(struct pb_disk *gone)
{
    for (struct cryptodev **pp = &cdevs; *pp;) {
        struct cryptodev *c = *pp;
        if (c->lower_disk == gone) {
            *pp = c->next;
            pb_disk_unregister(&c->disk);
            c->lower = NULL;      /* the device is dropped with its disk */
            cdev_free(c);
        } else {
            pp = &c->next;
        }
    }
}

static void crypt_scan(void)
{
}

static struct pb_disk_scanner crypt_scanner = {
    .name = "cryptodisk", .scan = crypt_scan, .forget = crypt_forget,
};

/* UUIDs compare as GRUB's cryptomount -u does: dashes ignored, any case. */
static bool uuid_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a == '-')
            a++;
        while (*b == '-')
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
            return false;
    }
}

static struct cryptodev *open_on(const struct pb_device *dev)
{
    for (struct cryptodev *c = cdevs; c; c = c->next)
        if (c->lower_disk == dev->disk && c->lower->start == dev->start)
            return c;
    return NULL;
}

static bool is_crypto_disk(const struct pb_disk *d)
{
    return d->ops == &crypt_ops;
}

/* Read the passphrase on the console without echo.  Returns its length,
 * or -1 when input ended / Esc was pressed. */
static int read_passphrase(const char *prompt, char *buf, size_t size)
{
    pb_printf("%s", prompt);
    size_t n = 0;
#ifdef PVBOOT_XEN
    const int wait_ms = -1;       /* a console waits for its user */
#else
    const int wait_ms = 0;        /* hosted: scripted input only, never block */
#endif
    for (;;) {
        int k = pb_getkey(wait_ms);
        if (k == PB_KEY_NONE || k == PB_KEY_ESC) {
            pb_printf("\n");
            pb_crypto_wipe(buf, size);
            return -1;
        }
        if (k == PB_KEY_ENTER || k == '\n' || k == '\r')
            break;
        if (k == PB_KEY_BACKSPACE || k == 0x7f || k == 0x08) {
            if (n)
                n--;
            continue;
        }
        if (k >= 0x20 && k < 0x100 && n + 1 < size)
            buf[n++] = (char)k;
    }
    buf[n] = 0;
    pb_printf("\n");
    return (int)n;
}

struct key_source {
    const uint8_t *key;           /* -p / -k / preset; NULL: prompt */
    size_t len;
};

static int register_volume(struct pb_device *dev, struct pb_cryptodisk_volume *vol)
{
    uint64_t devbytes = dev->nr_sectors * PB_SECTOR_SIZE;
    if (vol->offset >= devbytes || (vol->size && vol->size > devbytes - vol->offset)) {
        pb_crypto_cipher_free(vol->cipher);
        return pb_error(PB_EBADFS, "%s: encrypted data (byte %llu, %llu bytes) is past the "
                        "device's end (%llu bytes)", dev->name, (unsigned long long)vol->offset,
                        (unsigned long long)vol->size, (unsigned long long)devbytes);
    }
    uint64_t size = vol->size ? vol->size : devbytes - vol->offset;
    size -= size % vol->sector_size;
    struct cryptodev *c = calloc(1, sizeof *c);
    if (!c) {
        pb_crypto_cipher_free(vol->cipher);
        return pb_error(PB_ENOMEM, "out of memory for a crypto disk");
    }
    c->vol = *vol;
    c->lower = dev;
    c->lower_disk = dev->disk;
    snprintf(c->disk.name, sizeof c->disk.name, "crypto%lu", crypto_seq);
    char *a = c->disk.alias;
    size_t ai = (size_t)snprintf(a, sizeof c->disk.alias, "cryptouuid/");
    for (const char *u = vol->uuid; *u && ai + 1 < sizeof c->disk.alias; u++)
        if (*u != '-')
            a[ai++] = (char)tolower((unsigned char)*u);
    a[ai] = 0;
    c->disk.nr_sectors = size / PB_SECTOR_SIZE;
    c->disk.sector_size = vol->sector_size;
    c->disk.flags = PB_DISK_F_READONLY;
    c->disk.order = CRYPTO_ORDER_BASE + crypto_seq;
    c->disk.ops = &crypt_ops;
    c->disk.priv = c;
    int r = pb_disk_register(&c->disk);
    if (r < 0) {
        c->lower = NULL;          /* the caller still owns dev on failure */
        cdev_free(c);
        return r;
    }
    crypto_seq++;
    c->next = cdevs;
    cdevs = c;
    return 0;
}

/* Open the volume on @dev (consumed: kept by the crypto disk or closed).
 * @fmt and @uuid come from a successful probe. */
static int open_volume(struct pb_device *dev, struct pb_cryptodisk_format *fmt,
                       const char *uuid, const struct key_source *ks)
{
    struct pb_cryptodisk_volume vol;
    int r;
    if (ks->key) {
        r = fmt->open(dev, ks->key, ks->len, &vol);
    } else {
        char prompt[256], *pass = malloc(PASS_MAX);
        if (!pass) {
            pb_device_close(dev);
            return pb_error(PB_ENOMEM, "out of memory for the passphrase");
        }
        snprintf(prompt, sizeof prompt, "Enter passphrase for %s (%s): ", dev->name, uuid);
        r = PB_EACCES;
        for (int t = 0; t < PROMPT_TRIES && r == PB_EACCES; t++) {
            int n = read_passphrase(prompt, pass, PASS_MAX);
            if (n < 0) {
                r = pb_error(PB_EACCES, "%s: no passphrase given", dev->name);
                break;
            }
            r = fmt->open(dev, (const uint8_t *)pass, (size_t)n, &vol);
            if (r == PB_EACCES && t + 1 < PROMPT_TRIES)
                pb_print_error();
        }
        pb_crypto_wipe(pass, PASS_MAX);
        free(pass);
    }
    if (r < 0) {
        pb_device_close(dev);
        return r;
    }
    r = register_volume(dev, &vol);
    if (r < 0)
        pb_device_close(dev);
    return r;
}

/* Probe @dev with every format.  0 with *@fmt and @uuid, PB_ENOENT when
 * none recognises it, another error for a damaged header. */
static int probe_formats(struct pb_device *dev, struct pb_cryptodisk_format **fmt, char uuid[48])
{
    for (struct pb_cryptodisk_format *f = formats; f; f = f->next) {
        int r = f->probe(dev, uuid);
        if (r == PB_ENOENT)
            continue;
        if (r == 0)
            *fmt = f;
        return r;
    }
    return PB_ENOENT;
}

struct scan_ctx {
    const char *uuid;             /* -u; NULL for -a */
    const struct key_source *ks;
    int found, err;
};

static int scan_cb(const char *devname, void *arg)
{
    struct scan_ctx *sc = arg;
    struct pb_device *dev;
    if (pb_device_open(devname, &dev) < 0) {
        pb_error_clear();
        return 0;
    }
    struct pb_cryptodisk_format *fmt = NULL;
    char uuid[48];
    int r = is_crypto_disk(dev->disk) && !dev->is_partition ? PB_ENOENT
                                                             : probe_formats(dev, &fmt, uuid);
    if (r < 0 || (sc->uuid && !uuid_eq(uuid, sc->uuid)) || open_on(dev)) {
        if (r < 0 && r != PB_ENOENT && sc->uuid == NULL)
            pb_print_error();     /* -a: a damaged header is reported, the rest go on */
        else
            pb_error_clear();
        if (r == 0 && sc->uuid && uuid_eq(uuid, sc->uuid))
            sc->found++;          /* already open */
        pb_device_close(dev);
        return 0;
    }
    sc->found++;
    r = open_volume(dev, fmt, uuid, sc->ks);
    if (r < 0) {
        if (sc->uuid) {
            sc->err = r;
            return 1;             /* -u: the error is the command's */
        }
        pb_print_error();
        sc->err = r;
    }
    return sc->uuid != NULL;      /* -u: one volume */
}

static int load_keyfile(const char *path, uint8_t **key, size_t *len)
{
    void *buf;
    size_t n;
    int r = pb_file_load(path, KEYFILE_MAX, &buf, &n);
    if (r < 0)
        return r;
    *key = buf;
    *len = n;
    return 0;
}

static int cmd_cryptomount(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    const char *uuid = NULL, *pass = NULL, *keyfile = NULL, *devname = NULL;
    bool all = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-a") || !strcmp(a, "--all")) {
            all = true;
        } else if (!strcmp(a, "-b") || !strcmp(a, "--boot")) {
            /* GRUB: only volumes marked for boot; LUKS has no such mark */
        } else if (!strcmp(a, "-u") || !strcmp(a, "--uuid") || !strcmp(a, "-p") ||
                   !strcmp(a, "--password") || !strcmp(a, "-k") || !strcmp(a, "--key-file")) {
            if (i + 1 >= argc)
                return pb_error(PB_EINVAL, "cryptomount: option %s needs an argument", a);
            const char **dst = a[1] == 'u' || a[2] == 'u' ? &uuid
                             : a[1] == 'p' || a[2] == 'p' ? &pass : &keyfile;
            *dst = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return pb_error(PB_EINVAL, "cryptomount: unknown option `%s'", a);
        } else if (!devname) {
            devname = a;
        } else {
            return pb_error(PB_EINVAL, "cryptomount: more than one device given");
        }
    }
    if ((uuid != NULL) + all + (devname != NULL) != 1)
        return pb_error(PB_EINVAL, "cryptomount: give one of DEVICE, -u UUID, -a");
    if (pass && keyfile)
        return pb_error(PB_EINVAL, "cryptomount: -p and -k exclude each other");

    struct key_source ks = { NULL, 0 };
    uint8_t *kbuf = NULL;
    if (pass) {
        ks.key = (const uint8_t *)pass;
        ks.len = strlen(pass);
    } else if (keyfile) {
        int r = load_keyfile(keyfile, &kbuf, &ks.len);
        if (r < 0)
            return r;
        ks.key = kbuf;
    } else if (have_preset) {
        ks.key = preset;
        ks.len = preset_len;
    }

    int r = 0;
    if (devname) {
        char name[160];
        size_t n = strlen(devname);
        if (n >= 2 && devname[0] == '(' && devname[n - 1] == ')')
            snprintf(name, sizeof name, "%.*s", (int)(n - 2), devname + 1);
        else
            snprintf(name, sizeof name, "%s", devname);
        struct pb_device *dev;
        r = pb_device_open(name, &dev);
        if (r == 0) {
            struct pb_cryptodisk_format *fmt = NULL;
            char id[48];
            r = probe_formats(dev, &fmt, id);
            if (r == PB_ENOENT) {
                char known[64] = "";
                for (struct pb_cryptodisk_format *f = formats; f; f = f->next)
                    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                             known[0] ? " " : "", f->name);
                r = pb_error(PB_EBADFS, "cryptomount: %s: no encrypted volume found "
                             "(formats read: %s)", dev->name, known);
            }
            if (r < 0 || open_on(dev))
                pb_device_close(dev);
            else
                r = open_volume(dev, fmt, id, &ks);
        }
    } else {
        struct scan_ctx sc = { .uuid = uuid, .ks = &ks };
        pb_device_iterate(scan_cb, &sc);
        if (uuid && !sc.found)
            r = pb_error(PB_ENOENT, "no such cryptodisk found");
        else if (uuid)
            r = sc.err;
    }
    if (kbuf) {
        pb_crypto_wipe(kbuf, ks.len);
        free(kbuf);
    }
    return r;
}

static struct pb_command cryptomount_cmd = {
    .name = "cryptomount", .fn = cmd_cryptomount,
    .usage = "[-p PASSWORD | -k KEYFILE] DEVICE | -u UUID | -a",
    .summary = "Open an encrypted (LUKS) device as cryptoN.",
};

void pb_cryptodisk_wipe_all(void)
{
    for (struct cryptodev *c = cdevs; c; c = c->next) {
        pb_crypto_cipher_free(c->vol.cipher);
        c->vol.cipher = NULL;
    }
    pb_cryptodisk_preset_passphrase(NULL, 0);
}

void pvboot_init_cryptodisk(void);
/** pvboot_init_cryptodisk() - the crypto disk scanner and `cryptomount`. */
void pvboot_init_cryptodisk(void)
{
    pb_disk_scanner_register(&crypt_scanner);
    pb_command_register(&cryptomount_cmd);
}

void pvboot_fini_cryptodisk(void);
/** pvboot_fini_cryptodisk() - wipe keys before the hand-over. */
void pvboot_fini_cryptodisk(void)
{
    pb_cryptodisk_wipe_all();
}
