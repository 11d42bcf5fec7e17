/* SPDX-License-Identifier: MIT */
/*
 * load_env, save_env, list_env (GRUB manual, "Environment block").
 * The default file is $prefix/grubenv; -f FILE names another.  Reading
 * always works.  Writing rewrites the block in place, never through the
 * filesystem, as GRUB does: the disk reads made while the file is read
 * (pb_disk_read_hook) give its location; the bytes there are read back and
 * must equal the file (else - inline data, compression, metadata reads in
 * between - save_env refuses with a message and changes nothing; the
 * config goes on, as real configs call it unconditionally).
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/env.h"
#include "pvboot/envblk.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/term.h"

/*
 * A load_env/save_env/list_env command line, parsed: the file (-f FILE,
 * --file=FILE, else $prefix/grubenv) and the variable names left after the
 * options.  The command's argv is only read: names[] points into it.
 */
struct env_args {
    char *path;       /* malloc'd */
    int n;            /* number of names */
    char **names;     /* malloc'd array of n pointers into argv */
};

static void env_args_free(struct env_args *a)
{
    free(a->path);
    free(a->names);
}

/* Parse @argc/@argv into @a.  Returns 0 or PB_ENOMEM (message set). */
static int env_args(int argc, char **argv, struct env_args *a, bool *skip_sig)
{
    const char *file = NULL;
    a->n = 0;
    a->path = NULL;
    a->names = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *a->names);
    if (!a->names)
        return pb_error(PB_ENOMEM, "out of memory");
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--file")) && i + 1 < argc) {
            file = argv[++i];
        } else if (!strncmp(argv[i], "--file=", 7)) {
            file = argv[i] + 7;
        } else if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--skip-sig")) {
            if (skip_sig)
                *skip_sig = true;
        } else {
            a->names[a->n++] = argv[i];
        }
    }
    if (file) {
        a->path = strdup(file);
    } else {
        const char *prefix = pb_env_get("prefix");
        size_t pl = prefix ? strlen(prefix) : 0;
        a->path = malloc(pl + sizeof "/grubenv");
        if (a->path) {
            memcpy(a->path, prefix ? prefix : "", pl);
            memcpy(a->path + pl, "/grubenv", sizeof "/grubenv");
        }
    }
    if (!a->path) {
        env_args_free(a);
        return pb_error(PB_ENOMEM, "out of memory");
    }
    return 0;
}

/* The block, whole.  @skip_sig: not checked by a file verifier (module
 * pgp), as GRUB opens it for save_env and for load_env/list_env -s. */
static int read_block(const char *path, bool skip_sig, char **buf, size_t *len)
{
    struct pb_file *f;
    int r = pb_file_open_flags(path, skip_sig ? PB_FILE_SKIP_SIGNATURE : 0, &f);
    if (r)
        return r;
    if (f->size > PB_ENVBLK_MAX) {
        r = pb_error(PB_ERANGE, "%s: file too large (%llu bytes, limit %u)", path,
                     (unsigned long long)f->size, (unsigned)PB_ENVBLK_MAX);
        pb_file_close(f);
        return r;
    }
    char *b = malloc((size_t)f->size + 1);
    if (!b) {
        pb_file_close(f);
        return pb_error(PB_ENOMEM, "%s: out of memory", path);
    }
    int64_t n = pb_file_pread(f, 0, b, (size_t)f->size);
    pb_file_close(f);
    if (n < 0) {
        free(b);
        return (int)n;
    }
    b[n] = '\0';
    *buf = b;
    *len = (size_t)n;
    return 0;
}

static int load_one(const char *name, const char *value, void *ctx)
{
    const struct env_args *a = ctx;
    if (a->n > 0) {
        bool want = false;
        for (int i = 0; i < a->n; i++)
            if (strcmp(a->names[i], name) == 0)
                want = true;
        if (!want)
            return 0;
    }
    return pb_env_set(name, value);
}

/*
 * Read the environment block of a load_env/list_env command line (-f FILE,
 * else $prefix/grubenv) and call @fn for each of its variables, with the
 * parsed struct env_args as context (its names[] are the variables asked
 * for).  Returns 0, @fn's error, or that of reading or parsing the block
 * (pb_envblk_iterate names the file).
 */
static int iterate_env_file(int argc, char **argv,
                            int (*fn)(const char *name, const char *value, void *ctx))
{
    struct env_args a;
    bool skip_sig = false;
    int r = env_args(argc, argv, &a, &skip_sig);
    if (r)
        return r;
    char *buf;
    size_t len;
    r = read_block(a.path, skip_sig, &buf, &len);
    if (r == 0) {
        r = pb_envblk_iterate(buf, len, a.path, fn, &a);
        free(buf);
    }
    env_args_free(&a);
    return r;
}

static int cmd_load_env(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    return iterate_env_file(argc, argv, load_one);
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
    return iterate_env_file(argc, argv, print_one);
}

#define MAX_RANGES 64

struct ranges {
    struct pb_disk *disk;
    uint64_t off[MAX_RANGES];
    size_t len[MAX_RANGES];
    int n;
    bool bad;
};

static void hook(struct pb_disk *d, uint64_t offset, size_t len, void *ctx)
{
    struct ranges *r = ctx;
    if (!r->disk)
        r->disk = d;
    if (r->disk != d) {
        r->bad = true;
        return;
    }
    if (r->n && r->off[r->n - 1] + r->len[r->n - 1] == offset) {
        r->len[r->n - 1] += len;    /* contiguous: merge */
        return;
    }
    if (r->n >= MAX_RANGES) {
        r->bad = true;
        return;
    }
    r->off[r->n] = offset;
    r->len[r->n] = len;
    r->n++;
}

/* Write @buf (the new block, @len bytes = the file size) over the file at
 * @path, in place. */
static int write_in_place(const char *path, const char *buf, size_t len)
{
    struct pb_file *f;
    int r = pb_file_open_flags(path, PB_FILE_SKIP_SIGNATURE, &f);   /* as GRUB's save_env */
    if (r)
        return r;
    if (f->size != len) {
        pb_file_close(f);
        return pb_error(PB_EINVAL, "save_env: %s changed size", path);
    }
    /* btrfs checksums every data block and never overwrites in place (copy
     * on write): bytes written over the file's extent fail the checksum
     * and the file reads as an I/O error in Linux.  GRUB has no btrfs
     * writer either; Debian's grub-mkconfig (00_header) leaves save_env
     * out there with "GRUB lacks write support for btrfs". */
    if (f->fs && f->fs->ops && f->fs->ops->name && strcmp(f->fs->ops->name, "btrfs") == 0) {
        pb_file_close(f);
        return pb_error(PB_ENOTSUP, "save_env: %s: GRUB lacks write support for btrfs "
                        "(data checksums, copy-on-write); nothing written", path);
    }
    if (f->fs && f->fs->no_write) {
        r = pb_error(PB_ENOTSUP, "save_env: %s: the filesystem cannot be written: %s; nothing written",
                     path, f->fs->no_write);
        pb_file_close(f);
        return r;
    }
    char *cur = malloc(len ? len : 1);
    char *back = malloc(len ? len : 1);
    struct ranges *rg = calloc(1, sizeof *rg);
    if (!cur || !back || !rg) {
        free(cur);
        free(back);
        free(rg);
        pb_file_close(f);
        return pb_error(PB_ENOMEM, "out of memory");
    }
    pb_disk_read_hook_ctx = rg;
    pb_disk_read_hook = hook;
    int64_t n = pb_file_pread(f, 0, cur, len);
    pb_disk_read_hook = NULL;
    pb_disk_read_hook_ctx = NULL;
    pb_file_close(f);
    r = 0;
    /* the file's bytes must be the first `len` bytes of what was read */
    size_t total = 0;
    for (int i = 0; i < rg->n; i++)
        total += rg->len[i];
    if (n != (int64_t)len || rg->bad || !rg->disk || total < len)
        r = pb_error(PB_ENOTSUP, "save_env: %s: cannot locate the block on the disk "
                     "(inline, compressed or fragmented file); nothing written", path);
    size_t pos = 0;
    for (int i = 0; r == 0 && i < rg->n && pos < len; i++) {
        size_t k = rg->len[i] < len - pos ? rg->len[i] : len - pos;
        r = pb_disk_read(rg->disk, rg->off[i], k, back + pos);
        pos += k;
    }
    if (r == 0 && memcmp(back, cur, len) != 0)
        r = pb_error(PB_ENOTSUP, "save_env: %s: the blocks read do not hold the file as stored "
                     "(compressed or metadata in between); nothing written", path);
    if (r == 0 && (rg->disk->flags & PB_DISK_F_READONLY))
        r = pb_error(PB_EACCES, "save_env: %s: the disk %s is read-only", path, rg->disk->name);
    pos = 0;
    for (int i = 0; r == 0 && i < rg->n && pos < len; i++) {
        size_t k = rg->len[i] < len - pos ? rg->len[i] : len - pos;
        r = pb_disk_write(rg->disk, rg->off[i], k, buf + pos);
        pos += k;
    }
    free(cur);
    free(back);
    free(rg);
    return r;
}

static int cmd_save_env(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    struct env_args a;
    int r = env_args(argc, argv, &a, NULL);
    if (r)
        return r;
    if (a.n < 1) {
        env_args_free(&a);
        return pb_error(PB_EINVAL, "save_env: no variable names");
    }
    char *buf = NULL;
    size_t len = 0;
    r = read_block(a.path, true, &buf, &len);
    for (int i = 0; i < a.n && r == 0; i++)
        r = pb_envblk_set(buf, len, a.names[i], pb_env_get(a.names[i]));
    if (r == 0)
        r = write_in_place(a.path, buf, len);
    free(buf);
    env_args_free(&a);
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
