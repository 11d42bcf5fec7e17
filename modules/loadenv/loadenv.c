/* SPDX-License-Identifier: MIT */
/*
 * load_env, save_env, list_env (GRUB manual, "Environment block").
 * The default file is $prefix/grubenv; -f FILE names another.  Reading
 * always works.  Writing needs the file's blocks on the disk (GRUB writes
 * the block in place, never through the filesystem); where the file
 * layer cannot tell them, save_env fails with a message and changes
 * nothing - the config goes on (real configs call it unconditionally).
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/envblk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/term.h"

static char *env_file(int *argc, char ***argv, bool *skip_sig)
{
    const char *file = NULL;
    char **v = *argv;
    int n = *argc;
    int k = 1;
    for (int i = 1; i < n; i++) {
        if ((!strcmp(v[i], "-f") || !strcmp(v[i], "--file")) && i + 1 < n) {
            file = v[++i];
        } else if (!strncmp(v[i], "--file=", 7)) {
            file = v[i] + 7;
        } else if (!strcmp(v[i], "-s") || !strcmp(v[i], "--skip-sig")) {
            if (skip_sig)
                *skip_sig = true;
        } else {
            v[k++] = v[i];
        }
    }
    *argc = k;
    if (file)
        return strdup(file);
    const char *prefix = pb_env_get("prefix");
    size_t pl = prefix ? strlen(prefix) : 0;
    char *p = malloc(pl + sizeof "/grubenv");
    if (p) {
        memcpy(p, prefix ? prefix : "", pl);
        memcpy(p + pl, "/grubenv", sizeof "/grubenv");
    }
    return p;
}

static int read_block(const char *path, char **buf, size_t *len)
{
    void *b;
    int r = pb_file_load(path, PB_ENVBLK_MAX, &b, len);
    if (r)
        return r;
    *buf = b;
    return 0;
}

struct load_ctx {
    int argc;
    char **argv;
};

static int load_one(const char *name, const char *value, void *ctx)
{
    struct load_ctx *c = ctx;
    if (c->argc > 1) {
        bool want = false;
        for (int i = 1; i < c->argc; i++)
            if (strcmp(c->argv[i], name) == 0)
                want = true;
        if (!want)
            return 0;
    }
    return pb_env_set(name, value);
}

static int cmd_load_env(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    char *path = env_file(&argc, &argv, NULL);
    if (!path)
        return pb_error(PB_ENOMEM, "out of memory");
    char *buf;
    size_t len;
    int r = read_block(path, &buf, &len);
    if (r == 0) {
        struct load_ctx c = { argc, argv };
        r = pb_envblk_iterate(buf, len, path, load_one, &c);
        free(buf);
    }
    free(path);
    return r;
}

static int print_one(const char *name, const char *value, void *ctx)
{
    (void)ctx;
    pb_printf("%s=%s\n", name, value);
    return 0;
}

static int cmd_list_env(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    char *path = env_file(&argc, &argv, NULL);
    if (!path)
        return pb_error(PB_ENOMEM, "out of memory");
    char *buf;
    size_t len;
    int r = read_block(path, &buf, &len);
    if (r == 0) {
        r = pb_envblk_iterate(buf, len, path, print_one, NULL);
        free(buf);
    }
    free(path);
    return r;
}

static int cmd_save_env(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    char *path = env_file(&argc, &argv, NULL);
    if (!path)
        return pb_error(PB_ENOMEM, "out of memory");
    if (argc < 2) {
        free(path);
        return pb_error(PB_EINVAL, "save_env: no variable names");
    }
    char *buf = NULL;
    size_t len = 0;
    int r = read_block(path, &buf, &len);
    for (int i = 1; i < argc && r == 0; i++)
        r = pb_envblk_set(buf, len, argv[i], pb_env_get(argv[i]));
    if (r == 0)
        r = pb_error(PB_ENOTSUP, "save_env: %s: writing the environment block in place is not "
                     "supported by this file layer; nothing written", path);
    free(buf);
    free(path);
    return r;
}

static struct pb_command cmds[] = {
    { .name = "load_env", .fn = cmd_load_env, .usage = "[-f FILE] [-s] [VARIABLE]...",
      .summary = "Load variables from the environment block ($prefix/grubenv)." },
    { .name = "save_env", .fn = cmd_save_env, .usage = "[-f FILE] VARIABLE...",
      .summary = "Save variables to the environment block, in place." },
    { .name = "list_env", .fn = cmd_list_env, .usage = "[-f FILE]",
      .summary = "List the environment block's variables." },
};

void pvboot_init_loadenv(void);
void pvboot_init_loadenv(void)
{
    for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        pb_command_register(&cmds[i]);
}
