/* SPDX-License-Identifier: MIT */
/* Unit tests for the menu model: menuentry/submenu options, default
 * matching (index, title, id, submenu paths, '>>'), saved_entry/next_entry
 * as configs write them, fallback, timeout, and booting in dry-run mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "script_test_util.h"
#include "pvboot/term.h"

/* Run @cfg like `configfile` (new context + menu, then the runner). */
static void run_cfg(const char *cfg)
{
    st_init();
    pb_normal_execute("(t)/grub/grub.cfg", cfg, strlen(cfg));
}

static const char *path_str(void)
{
    static char b[64];
    b[0] = 0;
    for (int i = 0; i < pb_hosted_menu_report()->depth; i++) {
        char t[8];
        snprintf(t, sizeof t, "%s%d", i ? ">" : "", pb_hosted_menu_report()->path[i]);
        strcat(b, t);
    }
    return b;
}

static const char *menu3 =
    "menuentry 'First' --id first { linux /k0 zero; }\n"
    "submenu 'Advanced a>b' --id adv {\n"
    "  menuentry 'Sub A' --id suba { linux /k1 one; }\n"
    "  menuentry 'Sub B' --id=subb { linux /k2 two; initrd /i2 /i2b; }\n"
    "}\n"
    "menuentry 'Third' $idopt third { linux /k3 three; }\n";

static void expect_default(const char *def, const char *path, const char *kernel)
{
    char cfg[2048];
    snprintf(cfg, sizeof cfg, "set idopt=--id\nset default=%s\nset timeout=0\n%s", def, menu3);
    run_cfg(cfg);
    if (strcmp(path_str(), path) != 0 || strcmp(rec_kernel, kernel) != 0)
        fail_msg("default=%s: path %s kernel %s (expected %s %s)\n%s", def, path_str(), rec_kernel,
                 path, kernel, st_out());
    assert_non_null(pb_hosted_boot_report());
}

static void test_default_matching(void **state)
{
    (void)state;
    expect_default("0", "0", "/k0");
    expect_default("2", "2", "/k3");
    expect_default("third", "2", "/k3");
    expect_default("Third", "2", "/k3");
    expect_default("'1>1'", "1>1", "/k2");
    expect_default("'adv>suba'", "1>0", "/k1");
    expect_default("'Advanced a>>b>Sub B'", "1>1", "/k2");
    expect_default("adv", "1>0", "/k1");               /* submenu: its first entry */
    expect_default("nosuch", "0", "/k0");             /* no match: entry 0 */
    expect_default("''", "0", "/k0");                 /* empty (no grubenv): entry 0 */
    expect_default("7", "0", "/k0");                  /* out of range */
    expect_default("'1>nosuch'", "1>0", "/k1");
}

static void test_entry_options(void **state)
{
    (void)state;
    st_init();
    pb_menu_push();
    st_run("menuentry 'T' --class a --class=b --users bob --hotkey=x --id i1 arg1 arg2 { echo $1 $2 $3; }\n"
           "menuentry 'U' --unrestricted --users --id i2 { true; }\n"
           "menuentry 'V' --hotkey f5 --users= { true; }\n"
           "menuentry --id i4 'W' { true; }\n");
    struct pb_menu *m = pb_menu_current();
    assert_int_equal(m->count, 4);
    struct pb_menu_entry *e = pb_menu_entry_at(m, 0);
    assert_string_equal(e->title, "T");
    assert_string_equal(e->id, "i1");
    assert_int_equal(e->nr_classes, 2);
    assert_string_equal(e->classes[0], "a");
    assert_string_equal(e->classes[1], "b");
    assert_string_equal(e->users, "bob");
    assert_int_equal(e->hotkey, 'x');
    assert_int_equal(e->argc, 3);
    assert_string_equal(e->argv[1], "arg1");
    assert_string_equal(e->body, " echo $1 $2 $3; ");
    e = pb_menu_entry_at(m, 1);
    assert_true(e->unrestricted);
    assert_string_equal(e->users, "");             /* rhboot: optional value */
    assert_string_equal(e->id, "i2");
    e = pb_menu_entry_at(m, 2);
    assert_int_equal(e->hotkey, PB_KEY_F5);
    assert_string_equal(e->users, "");
    e = pb_menu_entry_at(m, 3);
    assert_string_equal(e->title, "W");
    assert_string_equal(e->id, "i4");
    /* errors (GRUB's): no title, an option without its value, no body */
    const char *o = st_run("menuentry --class c { true; }\necho $?\nmenuentry 'X' --id\necho $?\n"
                           "menuentry 'Y'\necho $?\nmenuentry\necho $?\n");
    assert_string_equal(o, "error: t.cfg:1: menuentry is missing title\n27\n"
                           "error: t.cfg:3: missing mandatory option for `id'\n18\n"
                           "error: t.cfg:5: no menuentry definition\n18\n"
                           "error: t.cfg:7: missing arguments\n18\n");
    assert_int_equal(m->count, 4);
    assert_int_equal(pb_menu_match(m, "i2", 2), 1);
    assert_int_equal(pb_menu_match(m, "V", 1), 2);
    assert_int_equal(pb_menu_match(m, "3", 1), 3);
    assert_int_equal(pb_menu_match(m, "4", 1), -1);
    /* any other word with dashes is an argument (GRUB); a quoted "{...}" is
     * no body; the body is the text between the braces, as written */
    o = st_run("menuentry 'X' --bogus -z {echo  x;}\nmenuentry Q '{ true; }'\n");
    assert_string_equal(o, "error: t.cfg:2: no menuentry definition\n");
    assert_int_equal(m->count, 5);
    e = pb_menu_entry_at(m, 4);
    assert_string_equal(e->title, "X");
    assert_int_equal(e->argc, 3);
    assert_string_equal(e->argv[1], "--bogus");
    assert_string_equal(e->argv[2], "-z");
    assert_string_equal(e->body, "echo  x;");
    const char *rest;
    assert_int_equal(pb_menu_default_split("a>>b>c", &rest), 4);
    assert_string_equal(rest, "c");
    assert_int_equal(pb_menu_default_split("abc", &rest), 3);
    assert_null(rest);
    pb_menu_pop();
}

static void test_entry_runs_with_args_and_context(void **state)
{
    (void)state;
    run_cfg("set timeout=0\nset outer=o\n"
            "menuentry 'E' --id e x 'y z' { linux /k $1 $2 \"$3\" $outer $chosen; }\n");
    assert_string_equal(rec_kernel, "/k");
    /* $1 is the title (GRUB passes the title and extra args as $1...) */
    assert_string_equal(rec_args, "[E][x][y z][o][e]");
}

static void test_saved_and_next_entry(void **state)
{
    (void)state;
    /* the grub-mkconfig header logic, with grubenv values preset */
    const char *hdr =
        "if [ \"${next_entry}\" ] ; then\n"
        "   set default=\"${next_entry}\"\n"
        "   set next_entry=\n"
        "   set boot_once=true\n"
        "else\n"
        "   set default=\"${saved_entry}\"\n"
        "fi\n"
        "set timeout=5\nset timeout_style=menu\n";
    char cfg[4096];
    snprintf(cfg, sizeof cfg, "%s%s", hdr, menu3);
    pb_env_set("saved_entry", "Third");
    pb_env_set("next_entry", "");
    pb_env_export("saved_entry");
    pb_env_export("next_entry");
    pb_env_set("idopt", "--id");
    pb_env_export("idopt");
    run_cfg(cfg);
    assert_string_equal(path_str(), "2");
    assert_int_equal(pb_hosted_menu_report()->timeout, 5);
    assert_string_equal(pb_hosted_menu_report()->timeout_style, "menu");
    pb_env_set("next_entry", "Advanced a>>b>Sub A");
    run_cfg(cfg);
    assert_string_equal(path_str(), "1>0");
    assert_string_equal(rec_kernel, "/k1");
    pb_env_unset("next_entry");
    pb_env_unset("saved_entry");
    pb_env_unset("idopt");
}

static void test_fallback_and_failures(void **state)
{
    (void)state;
    /* fallbacks in order (an id works too, a pvboot extension) */
    run_cfg("set default=0\nset fallback='1 c'\nset timeout=0\n"
            "menuentry A { linux /missing; }\n"
            "menuentry B { echo no kernel; }\n"
            "menuentry C --id c { linux /kc; }\n");
    assert_string_equal(rec_kernel, "/kc");
    assert_string_equal(pb_hosted_menu_report()->title, "C");
    assert_non_null(pb_hosted_boot_report());
    const char *o = st_out();
    assert_non_null(strstr(o, "a loader command failed; not booting it"));
    assert_non_null(strstr(o, "Falling back to `B'\n"));
    assert_non_null(strstr(o, "Falling back to `C'\n"));
    /* GRUB ends the list at the first entry that is not there */
    run_cfg("set default=0\nset fallback='nope 2'\nset timeout=0\n"
            "menuentry A { linux /missing; }\n"
            "menuentry B { echo no kernel; }\n"
            "menuentry C --id c { linux /kc; }\n");
    assert_null(pb_hosted_boot_report());
    assert_non_null(strstr(st_out(), "Failed to boot both default and fallback entries.\n"));
    /* nothing bootable: the runner returns (caller falls back to the shell) */
    run_cfg("set timeout=0\nmenuentry A { echo x; }\n");
    assert_null(pb_hosted_boot_report());
    assert_non_null(strstr(st_out(), "entry `A' loaded no kernel"));
}

static void test_timeout_values(void **state)
{
    (void)state;
    st_init();
    pb_env_set("timeout", "10");
    assert_int_equal(pb_menu_get_timeout(), 10);
    pb_env_set("timeout", "-1");
    assert_int_equal(pb_menu_get_timeout(), -1);
    pb_env_set("timeout", "x");
    assert_int_equal(pb_menu_get_timeout(), -1);
    pb_env_unset("timeout");
    assert_int_equal(pb_menu_get_timeout(), -1);
}

static void test_configfile_context(void **state)
{
    (void)state;
    st_init();
    /* configfile runs in a new context: its variables and entries vanish */
    pb_menu_push();
    st_run("set inner=before\nmenuentry Outer { true; }\n");
    pb_env_set("prefix", "");
    const char *o = st_run("configfile (nodev)/x.cfg\necho [$inner] $?\n");
    assert_non_null(strstr(o, "[before]"));
    assert_int_equal(pb_menu_current()->count, 1);
    pb_menu_pop();
}

static void test_main_hook_xen_cmdline(void **state)
{
    (void)state;
    st_init();
    const char *emb = "set timeout=0\nmenuentry A { linux /ka $v; }\nmenuentry B --id b { linux /kb $v; }\n";
    pb_hosted_set_embedded_config(emb, strlen(emb));
    pb_hosted_set_xen_cmdline("xen_grub_env_v=fromxen xen_grub_env_default=b");
    void (*fn)(void) = pb_hosted_main();
    assert_non_null(fn);
    fn();
    assert_string_equal(rec_kernel, "/kb");
    assert_string_equal(rec_args, "[fromxen]");
    /* a command on the Xen command line runs before the embedded config */
    pb_env_unset("default");
    st_init();
    pb_hosted_set_xen_cmdline("echo hello from xen");
    fn();
    assert_non_null(strstr(st_out(), "hello from xen\n"));
    assert_string_equal(rec_kernel, "/ka");
    pb_hosted_set_xen_cmdline("");
    pb_hosted_set_embedded_config("", 0);
    pb_env_unset("v");
    pb_env_unset("default");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_matching),
        cmocka_unit_test(test_entry_options),
        cmocka_unit_test(test_entry_runs_with_args_and_context),
        cmocka_unit_test(test_saved_and_next_entry),
        cmocka_unit_test(test_fallback_and_failures),
        cmocka_unit_test(test_timeout_values),
        cmocka_unit_test(test_configfile_context),
        cmocka_unit_test(test_main_hook_xen_cmdline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
