/* SPDX-License-Identifier: MIT */
/*
 * search (GRUB manual, "search"): find the first device holding a file
 * (--file/-f), a filesystem UUID (--fs-uuid/-u, compared ignoring case) or
 * a label (--label/-l); --set[=VAR] stores its name (default VAR: root),
 * otherwise the matches are printed.  --hint*=DEV devices are tried first;
 * --no-floppy, --root-dev-only, --efidisk-only are accepted.  Also
 * search.file, search.fs_uuid, search.fs_label.
 *
 * `--set` takes an optional value: `--set=VAR`, or `--set VAR` followed
 * elsewhere by the search key (`search --fs-uuid "$U" --set boot`).
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
        size_t n = strlen(devname) + strlen(c->key) + 4;
        char *p = malloc(n);
        if (!p)
            return false;
        snprintf(p, n, "(%s)%s%s", devname, c->key[0] == '/' ? "" : "/", c->key);
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
            ok = strcmp(fs->label, c->key) == 0;
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

static int do_search(enum kind kind, int argc, char **argv, const char *cmdname)
{
    struct sctx c = { .kind = kind };
    const char *hints[16];
    int nhints = 0;
    const char *words[8];
    int nwords = 0;
    int set_word = -1;     /* index into words[] taken by a bare --set */
    bool set = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--file") || !strcmp(a, "-f"))
            c.kind = BY_FILE;
        else if (!strcmp(a, "--fs-uuid") || !strcmp(a, "-u"))
            c.kind = BY_UUID;
        else if (!strcmp(a, "--label") || !strcmp(a, "-l"))
            c.kind = BY_LABEL;
        else if (!strncmp(a, "--set=", 6)) {
            set = true;
            c.var = a + 6;
        } else if (!strcmp(a, "--set") || !strcmp(a, "-s")) {
            set = true;
            if (i + 1 < argc && argv[i + 1][0] != '-' && nwords < 8) {
                set_word = nwords;
                words[nwords++] = argv[++i];
            }
        } else if (!strncmp(a, "--hint", 6)) {
            const char *eq = strchr(a, '=');
            const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (v && nhints < 16)
                hints[nhints++] = v;
        } else if (!strcmp(a, "--no-floppy") || !strcmp(a, "-n") || !strcmp(a, "--root-dev-only") ||
                   !strcmp(a, "-r") || !strcmp(a, "--efidisk-only")) {
            /* accepted */
        } else if (a[0] == '-' && a[1] == '-') {
            return pb_error(PB_EINVAL, "%s: unknown option `%s'", cmdname, a);
        } else if (nwords < 8) {
            words[nwords++] = a;
        }
    }
    if (set_word >= 0 && nwords >= 2) {
        c.var = words[set_word];
        for (int i = set_word; i + 1 < nwords; i++)
            words[i] = words[i + 1];
        nwords--;
    }
    if (set && !c.var)
        c.var = "root";
    if (nwords != 1)
        return pb_error(PB_EINVAL, "%s: expected one NAME to search for", cmdname);
    c.key = words[0];
    if (!c.key[0])
        return pb_error(PB_ENOENT, "%s: empty search key", cmdname);
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
    if (!c.var && c.nfound)
        pb_printf("\n");
    if (!c.nfound)
        return pb_error(PB_ENOENT, "no such device: %s", c.key);
    if (c.var)
        return pb_env_set(c.var, c.found);
    return 0;
}

static int cmd_search(struct pb_command *cmd, int argc, char **argv)
{
    enum kind k = BY_FILE;
    if (!strcmp(cmd->name, "search.fs_uuid"))
        k = BY_UUID;
    else if (!strcmp(cmd->name, "search.fs_label"))
        k = BY_LABEL;
    if (!strcmp(cmd->name, "search")) {
        return do_search(k, argc, argv, cmd->name);
    }
    /* search.X NAME [VAR] */
    if (argc < 2 || argc > 3)
        return pb_error(PB_EINVAL, "%s: expected NAME [VARIABLE]", cmd->name);
    char setopt[80];
    char *av[4] = { argv[0], argv[1], NULL, NULL };
    int ac = 2;
    if (argc == 3) {
        snprintf(setopt, sizeof setopt, "--set=%s", argv[2]);
        av[ac++] = setopt;
    }
    return do_search(k, ac, av, cmd->name);
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
