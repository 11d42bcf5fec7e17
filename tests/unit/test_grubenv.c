/* SPDX-License-Identifier: MIT */
/* Unit tests for GRUB environment blocks: reading, escapes, in-place
 * rewrite keeping the size, and the load_env command on a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>
#include "script_test_util.h"
#include "ui_test_util.h"
#include "pvboot/disk.h"
#include "pvboot/envblk.h"

static void make_block(char *b, size_t len, const char *vars)
{
    memset(b, '#', len);
    memcpy(b, PB_ENVBLK_SIGNATURE, strlen(PB_ENVBLK_SIGNATURE));
    memcpy(b + strlen(PB_ENVBLK_SIGNATURE), vars, strlen(vars));
}

static int collect(const char *n, const char *v, void *ctx)
{
    char *acc = ctx;
    strcat(acc, n);
    strcat(acc, "=<");
    strcat(acc, v);
    strcat(acc, ">;");
    return 0;
}

static void test_iterate(void **state)
{
    (void)state;
    char b[1024], acc[2048] = "";
    make_block(b, sizeof b, "saved_entry=Linux (5)\nkernelopts=root=/x ro \nesc=a\\\\b\\\nc\n#x=comment\n");
    assert_int_equal(pb_envblk_iterate(b, sizeof b, "grubenv", collect, acc), 0);
    assert_string_equal(acc, "saved_entry=<Linux (5)>;kernelopts=<root=/x ro >;esc=<a\\b\nc>;");
    memcpy(b, "# Not GRUB", 10);
    assert_int_equal(pb_envblk_iterate(b, sizeof b, "(hd0)/grubenv", collect, acc), PB_EBADFS);
    assert_string_equal(pb_errmsg(), "(hd0)/grubenv: not a GRUB environment block (bad signature)");
    pb_error_clear();
}

static void test_set_in_place(void **state)
{
    (void)state;
    char b[1024], acc[2048] = "";
    make_block(b, sizeof b, "saved_entry=0\nnext_entry=Debian>Recovery\n");
    assert_int_equal(pb_envblk_set(b, sizeof b, "next_entry", ""), 0);
    assert_int_equal(pb_envblk_set(b, sizeof b, "boot_success", "1"), 0);
    assert_int_equal(pb_envblk_set(b, sizeof b, "multi", "x\\y\nz"), 0);
    assert_int_equal(pb_envblk_set(b, sizeof b, "saved_entry", NULL), 0);
    assert_int_equal(pb_envblk_iterate(b, sizeof b, "g", collect, acc), 0);
    assert_string_equal(acc, "next_entry=<>;boot_success=<1>;multi=<x\\y\nz>;");
    const char *body = PB_ENVBLK_SIGNATURE "next_entry=\nboot_success=1\nmulti=x\\\\y\\\nz\n";
    assert_memory_equal(b, body, strlen(body));
    for (size_t i = strlen(body); i < sizeof b; i++)
        assert_int_equal(b[i], '#');
    /* a value that does not fit leaves the block unchanged */
    char big[1100];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = 0;
    char copy[1024];
    memcpy(copy, b, sizeof b);
    assert_int_equal(pb_envblk_set(b, sizeof b, "big", big), PB_ERANGE);
    assert_memory_equal(b, copy, sizeof b);
    assert_int_equal(pb_envblk_set(b, sizeof b, "a=b", "x"), PB_EINVAL);
    pb_error_clear();
}

static void test_load_env_command(void **state)
{
    (void)state;
    st_init();
    /* load_env of a missing file fails without stopping the script */
    pb_env_set("prefix", "(nodev)/grub");
    const char *o = st_run("load_env\necho st=$?\nif [ -s $prefix/grubenv ]; then echo yes; else echo no; fi\n");
    assert_non_null(strstr(o, "st="));
    assert_null(strstr(o, "st=0"));
    assert_non_null(strstr(o, "no\n"));
    o = st_run("save_env x\necho after\n");
    assert_non_null(strstr(o, "after\n"));
}

/*
 * load_env -f FILE VAR... and save_env -f FILE VAR...: the options come
 * out of the argument list while the names stay.  The parse once compacted
 * the interpreter's argv in place, which the interpreter then freed with the
 * original count: names freed twice, "-f" and the path leaked (ASan aborts).
 * A writable ustar image in a temporary file holds boot/grub/grubenv.
 */
static void test_env_file_with_names(void **state)
{
    (void)state;
    st_init();
    static unsigned char img[512 * 8];
    memset(img, 0, sizeof img);
    ui_tar_header(img, "boot/grub/grubenv", '0', 1024);
    make_block((char *)img + 512, 1024, "a=1\nb=2\nc=3\n");
    char path[] = "/tmp/pvboot-test-grubenv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, img, sizeof img), (ssize_t)sizeof img);
    close(fd);
    assert_non_null(pb_hostdisk_add(path, "envdisk", 0, true));

    const char *o = st_run("load_env -f (envdisk)/boot/grub/grubenv a c\necho st=$? a=$a b=$b c=$c\n"
                           "load_env --file=(envdisk)/boot/grub/grubenv -s b\necho b=$b\n");
    assert_string_equal(o, "st=0 a=1 b= c=3\nb=2\n");
    o = st_run("a=9\nc=seven\nsave_env -f (envdisk)/boot/grub/grubenv a c\necho st=$?\n"
               "unset a\nunset c\nlist_env -f (envdisk)/boot/grub/grubenv\n");
    assert_string_equal(o, "st=0\na=9\nb=2\nc=seven\n");
    o = st_run("save_env -f (envdisk)/boot/grub/grubenv\necho st=$?\n");
    assert_non_null(strstr(o, "error: t.cfg:1: save_env: no variable names\nst="));
    assert_null(strstr(o, "st=0"));

    /* the block on the disk, in place: same size, rest still '#' padding */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char back[sizeof img];
    assert_int_equal(fread(back, 1, sizeof back, f), sizeof back);
    fclose(f);
    const char *body = PB_ENVBLK_SIGNATURE "a=9\nb=2\nc=seven\n";
    assert_memory_equal(back + 512, body, strlen(body));
    for (size_t i = 512 + strlen(body); i < 512 + 1024; i++)
        assert_int_equal(back[i], '#');
    assert_memory_equal(back, img, 512);   /* the tar header untouched */
    pb_hostdisk_remove_all();
    unlink(path);
}

/* The reduced fuzzer input that found it (tests/regress/script-double-free.cfg,
 * the field config's load_env -f line mangled): runs without a memory error. */
static void test_double_free_repro(void **state)
{
    (void)state;
    st_init();
    char path[4096];
    const char *src = getenv("PVBOOT_SRC");
    assert_non_null(src);
    snprintf(path, sizeof path, "%s/tests/regress/script-double-free.cfg", src);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 0 && n < sizeof buf);
    pb_env_set("config_directory", "(nodev)/grub");
    pb_hosted_output_reset();
    pb_script_run(buf, n, "script-double-free.cfg");
    /* line 2 (load_env -f ... then) is a syntax error as a whole line, so
     * GRUB 2.06 drops it and goes on; the -f forms themselves are run by
     * test_env_file_with_names */
    assert_non_null(strstr(st_out(), "error: script-double-free.cfg:2:72: syntax error: unexpected then.\n"));
    assert_non_null(strstr(st_out(), "error: script-double-free.cfg:3: can't find command `load_en"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iterate),
        cmocka_unit_test(test_set_in_place),
        cmocka_unit_test(test_load_env_command),
        cmocka_unit_test(test_env_file_with_names),
        cmocka_unit_test(test_double_free_repro),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
