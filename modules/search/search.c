/* SPDX-License-Identifier: MIT */
/*
 * search (GRUB manual, "search"): find the first device holding a file
 * (--file/-f), a filesystem UUID (--fs-uuid/-u, compared ignoring case) or
 * a label (--label/-l); --set[=VAR] stores its name (default VAR: root),
 * otherwise the matches are printed.  --hint*=DEV devices are tried first;
 * --no-floppy, --root-dev-only, --efidisk-only are accepted.  Also
 * search.file, search.fs_uuid, search.fs_label.
 *
 * `--set` takes an optional value: `--set=VAR`, or `--set VAR` when the
 * next word is not an option (`search --fs-uuid "$U" --set boot`).  As
 * measured with GRUB 2.06 (grub-emu): the key is the first word and later
 * words are ignored; `search --fs-uuid --set=KEY` searches KEY and sets
 * root; `search` without --file/--fs-uuid/--label is an error
 * ("unspecified search type", $? 17); no key is "one argument expected"
 * (18) and no match "no such device: KEY" (5); "" matches an empty label
 * but never a format without labels (pb_fs_ops.no_label); a --file key must
 * be an absolute path; printed matches end without a newline; an unknown
 * option is an argument like any other word, and "--" ends the options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/fs.h"
#include "pvboot/term.h"

enum kind { BY_FILE, BY_UUID, BY_LABEL };

struct sctx {
    enum kind kind;
    const char *key;
    const char *var;      /* NULL = print */
    char found[128];   /* a device name (struct pb_device.name) */
    int nfound;
};

static bool match_dev(const char *devname, struct sctx *c)
{
    if (c->kind == BY_FILE) {
        /* GRUB opens "(DEV)KEY": a key that is not an absolute path names no file */
        if (c->key[0] != '/')
            return false;
        size_t n = strlen(devname) + strlen(c->key) + 3;
        char *p = malloc(n);
        if (!p)
            return false;
        snprintf(p, n, "(%s)%s", devname, c->key);
        struct pb_stat st;
        int r = pb_stat_path(p, &st, 0);
        free(p);
        pb_error_clear();
        return r == 0;
    }
    struct pb_device *dev;
    if (pb_device_open(devname, &dev)) {
        pb_error_clear();
        return false;
    }
    struct pb_fs *fs;
    bool ok = false;
    if (pb_fs_probe(dev, &fs) == 0) {
        if (c->kind == BY_UUID)
            ok = fs->uuid[0] && strcasecmp(fs->uuid, c->key) == 0;
        else
            ok = !fs->ops->no_label && strcmp(fs->label, c->key) == 0;
    }
    pb_error_clear();
    pb_device_close(dev);
    return ok;
}

static int found(const char *devname, struct sctx *c)
{
    if (c->nfound == 0)
        snprintf(c->found, sizeof c->found, "%s", devname);
    c->nfound++;
    if (!c->var) {
        pb_printf(" %s", devname);
        return 0;
    }
    return 1;   /* first match is enough */
}

static int iter_cb(const char *devname, void *ctx)
{
    struct sctx *c = ctx;
    if (match_dev(devname, c))
        return found(devname, c);
    return 0;
}

/* GRUB 2.06's error statuses ($?) for the failures below */
#define GRUB_STATUS_FILE_NOT_FOUND 5
#define GRUB_STATUS_INVALID_COMMAND 17
#define GRUB_STATUS_BAD_ARGUMENT 18

/* Record the message "MSG" or "MSG: ARG" (ARG may be NULL) and return
 * GRUB's @status. */
static int status_error(int status, const char *msg, const char *arg)
{
    if (arg)
        pb_error(PB_EINVAL, "%s%s", msg, arg);
    else
        pb_error(PB_EINVAL, "%s", msg);
    return status;
}

/* Try the --hint devices, then every device; set c->var to the first match
 * or print every match (" NAME" each, no newline, as GRUB). */
static int run_search(struct sctx *cp, const char **hints, int nhints)
{
    struct sctx c = *cp;   /* the result (found, nfound) stays local */
    for (int i = 0; i < nhints; i++) {
        char h[160];
        const char *s = hints[i];
        size_t n = strlen(s);
        if (s[0] == '(' && n > 2 && s[n - 1] == ')') {
            s++;
            n -= 2;
        }
        if (n >= sizeof h)
            continue;
        memcpy(h, s, n);
        h[n] = 0;
        struct pb_device *dev;
        if (pb_device_open(h, &dev)) {
            pb_error_clear();
            continue;
        }
        char canon[sizeof dev->name];
        snprintf(canon, sizeof canon, "%s", dev->name);
        pb_device_close(dev);
        if (match_dev(canon, &c) && found(canon, &c))
            break;
    }
    if (!(c.var && c.nfound))
        pb_device_iterate(iter_cb, &c);
    pb_error_clear();
    if (!c.nfound)
        return status_error(GRUB_STATUS_FILE_NOT_FOUND, "no such device: ", c.key);
    if (c.var)
        return pb_env_set(c.var, c.found);
    return 0;
}

/* @kind: the type fixed by search.file/search.fs_uuid/search.fs_label, or
 * -1 for `search`, whose options choose it (--label before --fs-uuid before
 * --file, as GRUB checks them). */
static int do_search(int kind, int argc, char **argv)
{
    struct sctx c = { 0 };
    const char *hints[16];
    int nhints = 0;
    const char *key = NULL;
    const char *set_arg = NULL;   /* --set=VAR or --set VAR */
    bool set = false, by[3] = { false };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--file") || !strcmp(a, "-f"))
            by[BY_FILE] = true;
        else if (!strcmp(a, "--fs-uuid") || !strcmp(a, "-u"))
            by[BY_UUID] = true;
        else if (!strcmp(a, "--label") || !strcmp(a, "-l"))
            by[BY_LABEL] = true;
        else if (!strncmp(a, "--set=", 6)) {
            set = true;
            set_arg = a + 6;
        } else if (!strcmp(a, "--set") || !strcmp(a, "-s")) {
            /* the optional value: the next word unless it is an option */
            set = true;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                set_arg = argv[++i];
        } else if (!strncmp(a, "--hint", 6)) {
            const char *eq = strchr(a, '=');
            const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (v && nhints < 16)
                hints[nhints++] = v;
        } else if (!strcmp(a, "--no-floppy") || !strcmp(a, "-n") || !strcmp(a, "--root-dev-only") ||
                   !strcmp(a, "-r") || !strcmp(a, "--efidisk-only")) {
            /* accepted */
        } else if (!strcmp(a, "--")) {
            if (!key && i + 1 < argc)
                key = argv[i + 1];   /* the words after "--" are not options */
            break;
        } else if (!key) {
            /* other words, unknown options among them ("--bogus"), are
             * arguments: the first is the key, later ones are ignored */
            key = a;
        }
    }
    if (set)
        c.var = set_arg ? set_arg : "root";
    if (!key && set_arg) {
        /* `search --fs-uuid --set=KEY`: GRUB takes the value as the key
         * and sets root */
        key = set_arg;
        c.var = "root";
    }
    if (!key)
        return status_error(GRUB_STATUS_BAD_ARGUMENT, "one argument expected", NULL);
    if (kind < 0) {
        if (by[BY_LABEL])
            kind = BY_LABEL;
        else if (by[BY_UUID])
            kind = BY_UUID;
        else if (by[BY_FILE])
            kind = BY_FILE;
        else
            return status_error(GRUB_STATUS_INVALID_COMMAND, "unspecified search type", NULL);
    }
    c.kind = kind;
    c.key = key;
    return run_search(&c, hints, nhints);
}

static int cmd_search(struct pb_command *cmd, int argc, char **argv)
{
    if (!strcmp(cmd->name, "search"))
        return do_search(-1, argc, argv);
    enum kind k = BY_FILE;
    if (!strcmp(cmd->name, "search.fs_uuid"))
        k = BY_UUID;
    else if (!strcmp(cmd->name, "search.fs_label"))
        k = BY_LABEL;
    /* search.X NAME [VAR]: words after VAR are ignored, as by GRUB */
    if (argc < 2)
        return status_error(GRUB_STATUS_BAD_ARGUMENT, "one argument expected", NULL);
    struct sctx c = { .kind = k, .key = argv[1], .var = argc >= 3 ? argv[2] : NULL };
    return run_search(&c, NULL, 0);
}

static struct pb_command cmds[] = {
    { .name = "search", .fn = cmd_search,
      .usage = "[--file|--fs-uuid|--label] [--set[=VAR]] [--no-floppy] [--hint=DEV]... NAME",
      .summary = "Find a device by file, filesystem UUID or label." },
    { .name = "search.file", .fn = cmd_search, .usage = "FILE [VAR]", .summary = "Find a device by file." },
    { .name = "search.fs_uuid", .fn = cmd_search, .usage = "UUID [VAR]", .summary = "Find a device by UUID." },
    { .name = "search.fs_label", .fn = cmd_search, .usage = "LABEL [VAR]", .summary = "Find a device by label." },
};

void pb_probe_register(void);   /* probe.c */

void pvboot_init_search(void);
void pvboot_init_search(void)
{
    for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        pb_command_register(&cmds[i]);
    pb_probe_register();
}
