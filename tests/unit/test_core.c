/* SPDX-License-Identifier: MIT */
/* Unit tests for the runtime core: env contexts, key decoder, commands,
 * the disk cache, devices and GRUB path walking (with an in-memory fs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/hosted.h"
#include "pvboot/loader.h"
#include "pvboot/term.h"

/* ---------------- env ---------------- */

static void test_env_contexts(void **state)
{
    (void)state;
    assert_int_equal(pb_env_depth(), 1);
    assert_int_equal(pb_env_set("a", "1"), 0);
    assert_int_equal(pb_env_set("b", "2"), 0);
    assert_int_equal(pb_env_export("b"), 0);
    assert_string_equal(pb_env_get("a"), "1");
    assert_int_equal(pb_env_push(), 0);
    assert_int_equal(pb_env_depth(), 2);
    assert_null(pb_env_get("a"));            /* not exported */
    assert_string_equal(pb_env_get("b"), "2");
    assert_int_equal(pb_env_set("b", "changed"), 0);
    assert_int_equal(pb_env_set("c", "3"), 0);
    pb_env_pop();
    assert_int_equal(pb_env_depth(), 1);
    assert_string_equal(pb_env_get("b"), "2");   /* inner change discarded */
    assert_null(pb_env_get("c"));
    pb_env_unset("a");
    assert_null(pb_env_get("a"));
    assert_int_equal(pb_env_set("", "x"), PB_EINVAL);
    pb_env_pop();                               /* bottom context stays */
    assert_int_equal(pb_env_depth(), 1);
    pb_env_unset("b");
}

static int count_cb(const char *n, const char *v, bool e, void *ctx)
{
    (void)v; (void)e;
    char *acc = ctx;
    strcat(acc, n);
    strcat(acc, ",");
    return 0;
}

static void test_env_sorted(void **state)
{
    (void)state;
    pb_env_set("zeta", "");
    pb_env_set("alpha", "");
    pb_env_set("mid", "");
    char acc[64] = "";
    pb_env_foreach(count_cb, acc);
    /* check_signatures: set by module pgp's init, as GRUB's pgp does */
    assert_string_equal(acc, "alpha,check_signatures,mid,zeta,");
    pb_env_unset("zeta");
    pb_env_unset("alpha");
    pb_env_unset("mid");
}

/* a write hook that upper-cases "on"/"off" and refuses "never" */
static int hook_write(const char *value, char **out)
{
    if (strcmp(value, "never") == 0)
        return pb_error(PB_EACCES, "hooked: `%s' is refused", value);
    *out = strcmp(value, "on") == 0 ? strdup("ON") : strcmp(value, "") == 0 ? strdup("OFF") : NULL;
    return 0;
}

static void test_env_hook(void **state)
{
    (void)state;
    assert_int_equal(pb_env_set_hook("hooked", hook_write), 0);
    assert_int_equal(pb_env_set("hooked", "on"), 0);
    assert_string_equal(pb_env_get("hooked"), "ON");
    assert_int_equal(pb_env_set("hooked", "kept as given"), 0);
    assert_string_equal(pb_env_get("hooked"), "kept as given");
    assert_int_equal(pb_env_set("hooked", "never"), PB_EACCES);
    assert_string_equal(pb_errmsg(), "hooked: `never' is refused");
    pb_error_clear();
    assert_string_equal(pb_env_get("hooked"), "kept as given");
    pb_env_unset("hooked");                     /* GRUB: unset writes "" through the hook */
    assert_string_equal(pb_env_get("hooked"), "OFF");
    assert_int_equal(pb_env_set_hook("hooked", NULL), 0);
    pb_env_unset("hooked");
    assert_null(pb_env_get("hooked"));
}

/* ---------------- key decoder ---------------- */

static int feed_all(const char *s, int *keys, int max)
{
    struct pb_key_decoder d = {0};
    int n = 0;
    for (const char *p = s; *p && n < max; p++) {
        int k = pb_key_decoder_feed(&d, (unsigned char)*p);
        if (k != PB_KEY_NONE)
            keys[n++] = k;
        k = pb_key_decoder_pending(&d);
        if (k != PB_KEY_NONE)
            keys[n++] = k;
    }
    int k = pb_key_decoder_timeout(&d);
    if (k != PB_KEY_NONE && n < max)
        keys[n++] = k;
    return n;
}

static void test_key_decoder(void **state)
{
    (void)state;
    int k[16];
    assert_int_equal(feed_all("\x1b[A\x1b[B\x1b[C\x1b[D", k, 16), 4);
    assert_int_equal(k[0], PB_KEY_UP);
    assert_int_equal(k[1], PB_KEY_DOWN);
    assert_int_equal(k[2], PB_KEY_RIGHT);
    assert_int_equal(k[3], PB_KEY_LEFT);
    assert_int_equal(feed_all("\x1bOH\x1bOF\x1b[5~\x1b[6~\x1b[3~\x1b[1~\x1b[4~", k, 16), 7);
    assert_int_equal(k[0], PB_KEY_HOME);
    assert_int_equal(k[1], PB_KEY_END);
    assert_int_equal(k[2], PB_KEY_PGUP);
    assert_int_equal(k[3], PB_KEY_PGDN);
    assert_int_equal(k[4], PB_KEY_DELETE);
    assert_int_equal(k[5], PB_KEY_HOME);
    assert_int_equal(k[6], PB_KEY_END);
    assert_int_equal(feed_all("\x1b[21~\x1bOP\x1b[1;5A", k, 16), 3);
    assert_int_equal(k[0], PB_KEY_F10);
    assert_int_equal(k[1], PB_KEY_F1);
    assert_int_equal(k[2], PB_KEY_UP);
    assert_int_equal(feed_all("a\x7f\r\n\x18", k, 16), 5);
    assert_int_equal(k[0], 'a');
    assert_int_equal(k[1], PB_KEY_BACKSPACE);
    assert_int_equal(k[2], PB_KEY_ENTER);
    assert_int_equal(k[3], PB_KEY_ENTER);
    assert_int_equal(k[4], PB_KEY_CTRL('x'));
    /* lone ESC (timeout), ESC followed by a plain key */
    assert_int_equal(feed_all("\x1b", k, 16), 1);
    assert_int_equal(k[0], PB_KEY_ESC);
    assert_int_equal(feed_all("\x1bx", k, 16), 2);
    assert_int_equal(k[0], PB_KEY_ESC);
    assert_int_equal(k[1], 'x');
}

static void test_getkey_scripted(void **state)
{
    (void)state;
    pb_hosted_virtual_clock(true);
    static const char in[] = "\x1b[Bq";
    pb_hosted_set_input(in, 4);
    assert_int_equal(pb_getkey(100), PB_KEY_DOWN);
    assert_int_equal(pb_getkey(100), 'q');
    assert_int_equal(pb_getkey(100), PB_KEY_NONE);   /* times out, virtual clock */
    pb_hosted_set_input(NULL, 0);
}

/* ---------------- commands ---------------- */

static int last_argc;
static int cmd_fn(struct pb_command *c, int argc, char **argv)
{
    (void)c; (void)argv;
    last_argc = argc;
    return argc == 3 ? pb_error(PB_EINVAL, "three") : 0;
}

/* A command that rearranges its argv as option parsers do: its caller's
 * array must not see it (pb_command_run hands out a copy). */
static int scramble_fn(struct pb_command *c, int argc, char **argv)
{
    (void)c;
    last_argc = argc;
    if (argv[argc] != NULL)
        return pb_error(PB_EINVAL, "argv not NULL-terminated");
    argv[1] = argv[0];
    argv[0] = NULL;
    argv[argc - 1] = "replaced";
    return 0;
}

static struct pb_command cmd_scramble = { .name = "zz_scramble", .fn = scramble_fn };

static struct pb_command cmd_t = { .name = "zz_test", .fn = cmd_fn, .usage = "ARG", .summary = "A test." };

static void test_commands(void **state)
{
    (void)state;
    pb_command_register(&cmd_t);
    assert_ptr_equal(pb_command_find("zz_test"), &cmd_t);
    char *a1[] = { "zz_test", "x" };
    assert_int_equal(pb_command_run(2, a1), 0);
    assert_int_equal(last_argc, 2);
    char *a2[] = { "zz_test", "x", "y" };
    assert_int_equal(pb_command_run(3, a2), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "three");
    pb_hosted_capture_output(true);
    pb_hosted_output_reset();
    last_argc = 0;
    char *a3[] = { "zz_test", "--help" };
    assert_int_equal(pb_command_run(2, a3), 0);
    assert_int_equal(last_argc, 0);
    assert_string_equal(pb_hosted_output(), "Usage: zz_test ARG\r\nA test.\r\n");
    pb_hosted_capture_output(false);
    char *a4[] = { "no_such_cmd" };
    assert_int_equal(pb_command_run(1, a4), PB_ENOENT);
    assert_string_equal(pb_errmsg(), "can't find command `no_such_cmd'");
    pb_command_unregister(&cmd_t);
    assert_null(pb_command_find("zz_test"));
    /* a command cannot change its caller's argv (which the caller frees) */
    pb_command_register(&cmd_scramble);
    char n0[] = "zz_scramble", n1[] = "-f", n2[] = "file", n3[] = "VAR";
    char *a5[] = { n0, n1, n2, n3, NULL };
    assert_int_equal(pb_command_run(4, a5), 0);
    assert_int_equal(last_argc, 4);
    assert_ptr_equal(a5[0], n0);
    assert_ptr_equal(a5[1], n1);
    assert_ptr_equal(a5[2], n2);
    assert_ptr_equal(a5[3], n3);
    assert_null(a5[4]);
    pb_command_unregister(&cmd_scramble);
}

/* Block commands: only pb_command_find_block() sees them (the interpreter
 * calling them with their block: test_script.c). */
static int block_calls;
static int block_fn(struct pb_command *c, int argc, char **argv, const struct pb_command_block *b)
{
    (void)c;
    (void)argc;
    (void)argv;
    (void)b;
    block_calls++;
    return 0;
}

static struct pb_command cmd_block = { .name = "zz_block", .block_fn = block_fn,
                                       .flags = PB_CMD_F_BLOCK };

static int count_block(struct pb_command *c, void *ctx)
{
    if (strcmp(c->name, "zz_block") == 0)
        (*(int *)ctx)++;
    return 0;
}

static void test_block_commands(void **state)
{
    (void)state;
    pb_command_register(&cmd_block);
    assert_null(pb_command_find("zz_block"));
    assert_ptr_equal(pb_command_find_block("zz_block"), &cmd_block);
    assert_null(pb_command_find_block("zz_test"));
    int seen = 0;
    pb_command_foreach(count_block, &seen);
    assert_int_equal(seen, 0);
    char *a[] = { "zz_block", "x", NULL };
    block_calls = 0;
    assert_int_equal(pb_command_run(2, a), PB_ENOENT);
    assert_string_equal(pb_errmsg(), "can't find command `zz_block'");
    assert_int_equal(block_calls, 0);
    pb_command_unregister(&cmd_block);
    assert_null(pb_command_find_block("zz_block"));
}

/* Loader commands: pb_command_run() records their failure in the loader core. */
static struct pb_command cmd_loader = { .name = "zz_loader", .fn = cmd_fn,
                                        .flags = PB_CMD_F_LOADER };

static void test_loader_command_failure(void **state)
{
    (void)state;
    pb_command_register(&cmd_loader);
    pb_command_register(&cmd_t);
    pb_loader_clear_failure();
    char *ok[] = { "zz_loader", "x", NULL };
    assert_int_equal(pb_command_run(2, ok), 0);
    assert_false(pb_loader_failed());
    char *plain_bad[] = { "zz_test", "x", "y", NULL };   /* fails, not a loader command */
    assert_int_equal(pb_command_run(3, plain_bad), PB_EINVAL);
    assert_false(pb_loader_failed());
    char *bad[] = { "zz_loader", "x", "y", NULL };
    assert_int_equal(pb_command_run(3, bad), PB_EINVAL);
    assert_true(pb_loader_failed());
    pb_loader_clear_failure();
    assert_false(pb_loader_failed());
    /* a GRUB loader command this image lacks counts as failed; another
     * unknown command does not */
    assert_int_equal(pb_command_not_found("zz_nothing"), PB_ENOENT);
    assert_false(pb_loader_failed());
    assert_int_equal(pb_command_not_found("multiboot2"), PB_ENOENT);
    assert_string_equal(pb_errmsg(), "can't find command `multiboot2'");
    assert_true(pb_loader_failed());
    pb_loader_clear_failure();
    pb_command_unregister(&cmd_loader);
    pb_command_unregister(&cmd_t);
}

/* ---------------- disk cache ---------------- */

#define FAKE_SECTORS 2048   /* 1 MiB */
static unsigned char fake_data[FAKE_SECTORS * 512];
static int fake_reads;
static uint64_t fake_last_count;

static int fake_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    (void)d;
    assert_true(sector + count <= FAKE_SECTORS);
    fake_reads++;
    fake_last_count = count;
    memcpy(buf, fake_data + sector * 512, count * 512);
    return 0;
}

static int fake_write(struct pb_disk *d, uint64_t sector, uint64_t count, const void *buf)
{
    (void)d;
    memcpy(fake_data + sector * 512, buf, count * 512);
    return 0;
}

static const struct pb_disk_ops fake_ops = { .read = fake_read, .write = fake_write };
static struct pb_disk fake = { .name = "fake0", .nr_sectors = FAKE_SECTORS, .ops = &fake_ops,
                               .order = 1000 };

static void test_disk_cache(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fake_data; i++)
        fake_data[i] = (unsigned char)(i * 7 + i / 4096);
    assert_int_equal(pb_disk_register(&fake), 0);
    assert_int_equal(pb_disk_register(&fake), PB_EINVAL);   /* duplicate */
    unsigned char buf[200];
    fake_reads = 0;
    assert_int_equal(pb_disk_read(&fake, 1000, 100, buf), 0);
    assert_memory_equal(buf, fake_data + 1000, 100);
    assert_int_equal(fake_reads, 1);
    assert_int_equal(fake_last_count, 64);      /* one 32 KiB group */
    assert_int_equal(pb_disk_read(&fake, 20000, 200, buf), 0);   /* same group: cached */
    assert_memory_equal(buf, fake_data + 20000, 200);
    assert_int_equal(fake_reads, 1);
    /* crossing a group boundary */
    assert_int_equal(pb_disk_read(&fake, 32768 - 50, 100, buf), 0);
    assert_memory_equal(buf, fake_data + 32768 - 50, 100);
    assert_int_equal(fake_reads, 2);
    /* large read bypasses the cache */
    unsigned char *big = malloc(256 * 1024);
    fake_reads = 0;
    assert_int_equal(pb_disk_read(&fake, 512 * 100, 256 * 1024, big), 0);
    assert_memory_equal(big, fake_data + 512 * 100, 256 * 1024);
    assert_int_equal(fake_reads, 1);
    assert_int_equal(fake_last_count, 512);
    free(big);
    /* out of range */
    assert_int_equal(pb_disk_read(&fake, sizeof fake_data - 10, 20, buf), PB_ERANGE);
    /* unaligned write then read back through the cache */
    static const char msg[] = "hello, disk";
    assert_int_equal(pb_disk_write(&fake, 1003, sizeof msg, msg), 0);
    assert_memory_equal(fake_data + 1003, msg, sizeof msg);
    assert_int_equal(pb_disk_read(&fake, 1003, sizeof msg, buf), 0);
    assert_memory_equal(buf, msg, sizeof msg);
    pb_disk_unregister(&fake);
    assert_null(pb_disk_find("fake0"));
}

/* ---------------- path walking on an in-memory fs ---------------- */

struct mnode { const char *name; int parent; enum pb_ftype type; const char *data; };
static const struct mnode tree[] = {
    /* 0 */ { "/", 0, PB_FT_DIR, NULL },
    /* 1 */ { "boot", 0, PB_FT_DIR, NULL },
    /* 2 */ { "vmlinuz-6.1", 1, PB_FT_REG, "KERNEL" },
    /* 3 */ { "vmlinuz", 1, PB_FT_LNK, "vmlinuz-6.1" },
    /* 4 */ { "grub", 1, PB_FT_DIR, NULL },
    /* 5 */ { "grub.cfg", 4, PB_FT_REG, "set timeout=5\n" },
    /* 6 */ { "abs", 0, PB_FT_LNK, "/boot/grub/grub.cfg" },
    /* 7 */ { "loop1", 0, PB_FT_LNK, "loop2" },
    /* 8 */ { "loop2", 0, PB_FT_LNK, "loop1" },
    /* 9 */ { "bootlink", 0, PB_FT_LNK, "boot" },
    /*10 */ { "up", 4, PB_FT_LNK, "../vmlinuz" },
};
#define NNODES (int)(sizeof tree / sizeof tree[0])

struct mfs_node { struct pb_node base; int idx; };
static int live_nodes;

static int mk(struct pb_fs *fs, int idx, struct pb_node **out)
{
    struct mfs_node *n = calloc(1, sizeof *n);
    n->base.fs = fs;
    n->idx = idx;
    live_nodes++;
    *out = &n->base;
    return 0;
}
static int m_mount(struct pb_device *dev, struct pb_fs **fsp)
{
    (void)dev;
    *fsp = calloc(1, sizeof **fsp);
    strcpy((*fsp)->uuid, "1234-5678");
    return 0;
}
static void m_unmount(struct pb_fs *fs) { free(fs); }
static int m_root(struct pb_fs *fs, struct pb_node **out) { return mk(fs, 0, out); }
static int m_lookup(struct pb_fs *fs, struct pb_node *dir, const char *name, size_t len, struct pb_node **out)
{
    int d = ((struct mfs_node *)dir)->idx;
    for (int i = 1; i < NNODES; i++)
        if (tree[i].parent == d && strlen(tree[i].name) == len && memcmp(tree[i].name, name, len) == 0)
            return mk(fs, i, out);
    return PB_ENOENT;
}
static int m_readdir(struct pb_fs *fs, struct pb_node *dir,
                     int (*cb)(const char *, size_t, enum pb_ftype, void *), void *ctx)
{
    (void)fs;
    int d = ((struct mfs_node *)dir)->idx;
    for (int i = 1; i < NNODES; i++)
        if (tree[i].parent == d && cb(tree[i].name, strlen(tree[i].name), tree[i].type, ctx))
            break;
    return 0;
}
static int m_stat(struct pb_fs *fs, struct pb_node *node, struct pb_stat *st)
{
    (void)fs;
    const struct mnode *m = &tree[((struct mfs_node *)node)->idx];
    memset(st, 0, sizeof *st);
    st->type = m->type;
    st->size = m->data ? strlen(m->data) : 0;
    return 0;
}
static int64_t m_read(struct pb_fs *fs, struct pb_node *node, uint64_t off, size_t len, void *buf)
{
    (void)fs;
    const char *d = tree[((struct mfs_node *)node)->idx].data;
    size_t n = strlen(d);
    if (off >= n)
        return 0;
    if (len > n - off)
        len = n - off;
    memcpy(buf, d + off, len);
    return (int64_t)len;
}
static int m_readlink(struct pb_fs *fs, struct pb_node *node, char *buf, size_t size)
{
    (void)fs;
    const char *t = tree[((struct mfs_node *)node)->idx].data;
    snprintf(buf, size, "%s", t);
    return (int)strlen(t);
}
static void m_release(struct pb_fs *fs, struct pb_node *node)
{
    (void)fs;
    live_nodes--;
    free(node);
}
static struct pb_fs_ops memfs = { .name = "zz_memfs", .mount = m_mount, .unmount = m_unmount,
    .root = m_root, .lookup = m_lookup, .readdir = m_readdir, .stat = m_stat, .read = m_read,
    .readlink = m_readlink, .release = m_release };

static int names_cb(const char *name, size_t len, enum pb_ftype t, void *ctx)
{
    char *acc = ctx;
    strncat(acc, name, len);
    strcat(acc, t == PB_FT_DIR ? "/ " : " ");
    return 0;
}

static void test_paths(void **state)
{
    (void)state;
    /* a disk read through the memory fs (forced below: the real types
     * come first in the probe order and reject an all-zero image) */
    static unsigned char img[4096];
    struct pb_disk *d = pb_hostdisk_add_mem(img, sizeof img, "mem0");
    assert_non_null(d);
    pb_fs_register(&memfs);
    struct pb_device *dev;
    assert_int_equal(pb_device_open("(mem0)", &dev), 0);
    struct pb_fs *fs = NULL;
    /* force our fs: other registered types reject an all-zero image */
    dev->fs = NULL;
    assert_int_equal(memfs.mount(dev, &fs), 0);
    fs->ops = &memfs;
    fs->dev = dev;
    dev->fs = fs;
    pb_device_close(dev);

    void *buf;
    size_t len;
    assert_int_equal(pb_file_load("(mem0)/boot/vmlinuz", 1 << 20, &buf, &len), 0);
    assert_int_equal(len, 6);
    assert_string_equal(buf, "KERNEL");
    free(buf);
    assert_int_equal(pb_file_load("(mem0)//boot/./grub/../grub//grub.cfg", 1 << 20, &buf, &len), 0);
    assert_string_equal(buf, "set timeout=5\n");
    free(buf);
    assert_int_equal(pb_file_load("(mem0)/abs", 1 << 20, &buf, &len), 0);
    assert_string_equal(buf, "set timeout=5\n");
    free(buf);
    assert_int_equal(pb_file_load("(mem0)/bootlink/grub/up", 1 << 20, &buf, &len), 0);
    assert_string_equal(buf, "KERNEL");
    free(buf);
    assert_int_equal(pb_file_load("(mem0)/../../boot/vmlinuz-6.1", 1 << 20, &buf, &len), 0);
    free(buf);
    assert_int_equal(pb_file_load("(mem0)/loop1", 1 << 20, &buf, &len), PB_ELOOP);
    assert_int_equal(pb_file_load("(mem0)/boot/nothere", 1 << 20, &buf, &len), PB_ENOENT);
    assert_string_equal(pb_errmsg(), "file `/boot/nothere' not found");
    assert_int_equal(pb_file_load("(mem0)/boot", 1 << 20, &buf, &len), PB_EISDIR);
    assert_int_equal(pb_file_load("(mem0)/boot/vmlinuz-6.1/x", 1 << 20, &buf, &len), PB_ENOTDIR);
    assert_int_equal(pb_file_load("(mem0)/boot/grub/grub.cfg", 4, &buf, &len), PB_ERANGE);
    /* $root */
    pb_env_unset("root");
    assert_int_equal(pb_file_load("/boot/vmlinuz", 1 << 20, &buf, &len), PB_ENOENT);
    pb_env_set("root", "mem0");
    assert_int_equal(pb_file_load("/boot/vmlinuz", 1 << 20, &buf, &len), 0);
    free(buf);
    pb_env_set("root", "(mem0)");
    assert_int_equal(pb_file_load("/boot/vmlinuz", 1 << 20, &buf, &len), 0);
    free(buf);
    pb_env_unset("root");
    /* stat without following */
    struct pb_stat st;
    assert_int_equal(pb_stat_path("(mem0)/boot/vmlinuz", &st, 1), 0);
    assert_int_equal(st.type, PB_FT_LNK);
    assert_int_equal(pb_stat_path("(mem0)/boot/vmlinuz", &st, 0), 0);
    assert_int_equal(st.type, PB_FT_REG);
    char acc[128] = "";
    assert_int_equal(pb_dir_iterate("(mem0)/boot", names_cb, acc), 0);
    assert_string_equal(acc, "vmlinuz-6.1 vmlinuz grub/ ");
    /* raw device file */
    struct pb_file *f;
    assert_int_equal(pb_file_open("(mem0)", &f), 0);
    assert_int_equal(f->size, 4096);
    pb_file_close(f);
    assert_int_equal(live_nodes, 0);   /* every node released */
    pb_hostdisk_remove_all();
}

static void test_path_split(void **state)
{
    (void)state;
    char *dev, *path;
    assert_int_equal(pb_path_split("(hd0,msdos1)/boot/x", &dev, &path), 0);
    assert_string_equal(dev, "hd0,msdos1");
    assert_string_equal(path, "/boot/x");
    free(dev); free(path);
    assert_int_equal(pb_path_split("(xen/xvda)", &dev, &path), 0);
    assert_string_equal(dev, "xen/xvda");
    assert_null(path);
    free(dev);
    assert_int_equal(pb_path_split("(hd0/boot", &dev, &path), PB_EINVAL);
    assert_int_equal(pb_path_split("", &dev, &path), PB_EINVAL);
}

int main(void)
{
    pb_hosted_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_contexts),
        cmocka_unit_test(test_env_sorted),
        cmocka_unit_test(test_env_hook),
        cmocka_unit_test(test_key_decoder),
        cmocka_unit_test(test_getkey_scripted),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_block_commands),
        cmocka_unit_test(test_loader_command_failure),
        cmocka_unit_test(test_disk_cache),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_path_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
