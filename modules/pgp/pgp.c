/* SPDX-License-Identifier: MIT */
/*
 * Module pgp (GRUB's `pgp`): OpenPGP signature checking of the files the
 * loader opens.  The variable check_signatures (`enforce` or `no`; values
 * starting with `1` or `e` enforce, anything else is `no`, as GRUB 2.06),
 * the commands trust, distrust, list_trusted and verify_detached, and a
 * file verifier: while enforcing, every file opened (kernels, initrds,
 * configs, environment blocks, key files…) must have a detached signature
 * FILE.sig by a trusted key, or the open fails.  Keys embedded in the image
 * (mkpvimage --pubkey) are trusted from the start and switch enforcement
 * on for good: unlike GRUB, where any config can `set check_signatures=no`,
 * pvboot refuses that (and `trust --skip-sig`) in an image with embedded
 * keys, so a guest's own config cannot undo the host's choice.
 * See docs/signatures.md and pvboot(8).
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/kernel.h"
#include "pvboot/pgp.h"
#include "pvboot/term.h"

#define VAR "check_signatures"
#define GRUB_STATUS_BAD_ARGUMENT 18   /* what GRUB leaves in $? for a usage error */
#define GRUB_STATUS_BAD_NUMBER 10     /* ... for a key ID that is not a number */

static int usage_error(const char *msg)
{
    pb_error(PB_EINVAL, "%s", msg);
    return GRUB_STATUS_BAD_ARGUMENT;
}

static struct pb_pgp_key *trusted;   /* newest first, as GRUB lists them */
static bool enforcing;
static bool locked;                  /* the image embeds keys: enforcing stays on */

const struct pb_pgp_key *pb_pgp_trusted(void)
{
    return trusted;
}

static int write_check_signatures(const char *value, char **out)
{
    bool on = value[0] == '1' || value[0] == 'e';
    if (!on && locked)
        return pb_error(PB_EACCES, "check_signatures: this image embeds public keys and "
                        "enforces signatures; `%s' is refused", value);
    enforcing = on;
    *out = strdup(on ? "enforce" : "no");
    if (!*out)
        return pb_error(PB_ENOMEM, "out of memory setting " VAR);
    return 0;
}

/* Whole (small) file: key and signature files, bounded by PB_PGP_MAX_FILE. */
static int load_small(const char *path, unsigned flags, uint8_t **buf, size_t *len)
{
    struct pb_file *f;
    int r = pb_file_open_flags(path, flags, &f);
    if (r)
        return r;
    if (f->size > PB_PGP_MAX_FILE) {
        r = pb_error(PB_ERANGE, "%s: %llu bytes is too large for a key or signature file "
                     "(at most %u)", path, (unsigned long long)f->size, PB_PGP_MAX_FILE);
        pb_file_close(f);
        return r;
    }
    uint8_t *b = malloc(f->size ? (size_t)f->size : 1);
    if (!b) {
        pb_file_close(f);
        return pb_error(PB_ENOMEM, "out of memory reading %s", path);
    }
    int64_t n = pb_file_pread(f, 0, b, (size_t)f->size);
    pb_file_close(f);
    if (n < 0) {
        free(b);
        return (int)n;
    }
    *buf = b;
    *len = (size_t)n;
    return 0;
}

static int load_keys(const char *path, unsigned flags, struct pb_pgp_key **out)
{
    uint8_t *b;
    size_t n;
    int r = load_small(path, flags, &b, &n);
    if (r)
        return r;
    r = pb_pgp_parse_keys(b, n, path, out);
    free(b);
    return r;
}

/* Check @data against the detached signature in @sigpath. */
static int check_detached(const char *file, const void *data, size_t len, const char *sigpath,
                          const struct pb_pgp_key *keys)
{
    uint8_t *b;
    size_t n;
    int r = load_small(sigpath, PB_FILE_SKIP_SIGNATURE, &b, &n);
    if (r)
        return r;
    struct pb_pgp_sig sig;
    r = pb_pgp_parse_sig(b, n, sigpath, &sig);
    if (r == 0)
        r = pb_pgp_verify(&sig, data, len, keys, file, sigpath);
    free(b);
    return r;
}

/* Read all of @f (positions untouched: the file is fresh). */
static int read_all(struct pb_file *f, uint8_t **mem)
{
    if (f->size > (uint64_t)SIZE_MAX - 1)
        return pb_error(PB_ERANGE, "%s: too large to check its signature", f->path);
    uint8_t *b = malloc(f->size ? (size_t)f->size : 1);
    if (!b)
        return pb_error(PB_ENOMEM, "%s: out of memory reading %llu MiB to check its signature",
                        f->path, (unsigned long long)(f->size >> 20));
    int64_t n = pb_file_pread(f, 0, b, (size_t)f->size);
    if (n < 0) {
        free(b);
        return (int)n;
    }
    *mem = b;
    return 0;
}

static bool verifier_active(void)
{
    return enforcing;
}

static int verifier_verify(struct pb_file *f, uint8_t **mem)
{
    size_t pl = strlen(f->path);
    char *sigpath = malloc(pl + sizeof ".sig");
    if (!sigpath)
        return pb_error(PB_ENOMEM, "out of memory opening %s", f->path);
    memcpy(sigpath, f->path, pl);
    memcpy(sigpath + pl, ".sig", sizeof ".sig");
    uint8_t *b = NULL;
    int r = read_all(f, &b);
    if (r == 0)
        r = check_detached(f->path, b, (size_t)f->size, sigpath, trusted);
    free(sigpath);
    if (r) {
        free(b);
        return r;
    }
    *mem = b;
    return 0;
}

static const struct pb_file_verifier verifier = {
    .active = verifier_active,
    .verify = verifier_verify,
};

static bool skip_sig_opt(const char *a)
{
    return !strcmp(a, "-s") || !strcmp(a, "--skip-sig");
}

static int cmd_trust(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    bool skip = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (skip_sig_opt(argv[i]))
            skip = true;
        else if (!path)
            path = argv[i];
    }
    if (!path)
        return usage_error("one argument expected");
    if (skip && locked)
        return pb_error(PB_EACCES, "trust: --skip-sig is refused: this image embeds public "
                        "keys and enforces signatures");
    struct pb_pgp_key *k;
    int r = load_keys(path, skip ? PB_FILE_SKIP_SIGNATURE : 0, &k);
    if (r)
        return r;
    struct pb_pgp_key *last = k;
    while (last->next)
        last = last->next;
    last->next = trusted;
    trusted = k;
    return 0;
}

static int cmd_distrust(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    if (argc < 2)
        return usage_error("one argument expected");
    const char *s = argv[1];
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    uint64_t id = 0;
    size_t nd = 0;
    for (; *s; s++, nd++) {
        int d = (*s >= '0' && *s <= '9') ? *s - '0'
              : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10
              : (*s >= 'A' && *s <= 'F') ? *s - 'A' + 10 : -1;
        if (d < 0 || nd >= 16)
            break;
        id = id << 4 | (uint64_t)d;
    }
    if (nd == 0 || *s) {
        pb_error(PB_EINVAL, "distrust: `%s' is not a key ID (up to 16 hex digits)", argv[1]);
        return GRUB_STATUS_BAD_NUMBER;
    }
    /* GRUB compares the low 32 bits (the short key ID) */
    uint32_t low = (uint32_t)id;
    for (struct pb_pgp_key **pp = &trusted; *pp; pp = &(*pp)->next) {
        for (size_t i = 0; i < (*pp)->nsub; i++) {
            if ((uint32_t)(*pp)->sub[i].keyid == low) {
                struct pb_pgp_key *k = *pp;
                *pp = k->next;
                k->next = NULL;
                pb_pgp_free_keys(k);
                return 0;
            }
        }
    }
    return pb_error(PB_EBADSIG, "public key %08lx not found", (unsigned long)low);
}

static int cmd_list_trusted(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argc;
    (void)argv;
    for (const struct pb_pgp_key *k = trusted; k; k = k->next) {
        for (size_t i = 0; i < k->nsub; i++) {
            const uint8_t *f = k->sub[i].fpr;
            for (int j = 0; j < 20; j += 2)
                pb_printf("%02x%02x ", f[j], f[j + 1]);
            pb_printf("\n");
        }
    }
    return 0;
}

static int cmd_verify_detached(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    bool skip = false;
    const char *arg[3] = { 0 };
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (skip_sig_opt(argv[i]))
            skip = true;
        else if (n < 3)
            arg[n++] = argv[i];
    }
    if (n < 2)
        return usage_error("two arguments expected");
    struct pb_pgp_key *own = NULL;
    int r;
    if (arg[2]) {
        r = load_keys(arg[2], skip ? PB_FILE_SKIP_SIGNATURE : 0, &own);
        if (r)
            return r;
    }
    struct pb_file *f;
    r = pb_file_open(arg[0], &f);
    if (r == 0) {
        uint8_t *b = NULL;
        r = f->mem ? 0 : read_all(f, &b);
        if (r == 0)
            r = check_detached(arg[0], f->mem ? f->mem : b, (size_t)f->size, arg[1],
                               own ? own : trusted);
        free(b);
        pb_file_close(f);
    }
    pb_pgp_free_keys(own);
    return r;
}

static struct pb_command cmds[] = {
    { .name = "trust", .fn = cmd_trust, .usage = "[-s|--skip-sig] PUBKEY_FILE",
      .summary = "Add PUBKEY_FILE to trusted keys." },
    { .name = "distrust", .fn = cmd_distrust, .usage = "PUBKEY_ID",
      .summary = "Remove PUBKEY_ID from trusted keys." },
    { .name = "list_trusted", .fn = cmd_list_trusted, .usage = "",
      .summary = "Show the list of trusted keys." },
    { .name = "verify_detached", .fn = cmd_verify_detached,
      .usage = "[-s|--skip-sig] FILE SIGNATURE_FILE [PUBKEY_FILE]",
      .summary = "Verify detached signature." },
};

void pvboot_init_pgp(void);
void pvboot_init_pgp(void)
{
    size_t len;
    const void *keys = pb_embedded_pubkeys(&len);
    if (keys && len) {
        int r = pb_pgp_parse_keys(keys, len, "(embedded public keys)", &trusted);
        if (r) {
            /* fail closed: enforcing with no key accepts nothing */
            pb_printf("pgp: %s\n", pb_errmsg());
            pb_error_clear();
            trusted = NULL;
        }
        for (struct pb_pgp_key *k = trusted; k; k = k->next)
            k->embedded = true;
        locked = true;
    }
    pb_env_set_hook(VAR, write_check_signatures);
    pb_env_set(VAR, locked ? "enforce" : "no");
    pb_env_export(VAR);
    pb_file_set_verifier(&verifier);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        pb_command_register(&cmds[i]);
}
