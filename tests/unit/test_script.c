/* SPDX-License-Identifier: MIT */
/* Unit tests for the GRUB script lexer, parser, expansions, control flow,
 * builtins (module `script`) and core commands (module `normal`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "script_test_util.h"

static void test_quoting(void **state)
{
    (void)state;
    st_init();
    assert_string_equal(st_run("echo 'a  b' \"c  d\" e\\ f \\$x '$HOME' \"\\$y\" \"q\\\"\"\n"),
                        "a  b c  d e f $x $HOME $y q\"\n");
    /* GRUB's quote idiom for an apostrophe */
    assert_string_equal(st_run("echo 'Ada'\\''s'\n"), "Ada's\n");
    /* backslash inside double quotes only escapes $ \" \\ */
    assert_string_equal(st_run("echo \"a\\nb\"\n"), "a\\nb\n");
}

static void test_comments_continuation(void **state)
{
    (void)state;
    st_init();
    assert_string_equal(st_run("# comment\necho a#b # trailing\necho x \\\n  y\n"), "a#b\nx y\n");
    assert_string_equal(st_run("echo \"multi\\\nline\"\n"), "multiline\n");
    assert_string_equal(st_run("echo a; echo b;echo c\n"), "a\nb\nc\n");
}

static void test_variables(void **state)
{
    (void)state;
    st_init();
    assert_string_equal(st_run("set v='x  y'\necho [$v] [\"$v\"] [${v}]\n"), "[x y] [x  y] [x y]\n");
    /* unquoted empty variable yields no word; "" yields an empty word */
    assert_string_equal(st_run("set e=\nfunction n { echo $#; }\nn $e\nn \"$e\"\nn ''\n"), "0\n1\n1\n");
    assert_string_equal(st_run("a=1\nb=\"two words\"\necho $a $b\n"), "1 two words\n");
    assert_string_equal(st_run("unset a\necho [$a]\n"), "[]\n");
    /* GRUB: `set NAME` is no assignment (an error); set takes one argument */
    assert_string_equal(st_run("set q\necho [$q]\n"), "error: t.cfg:1: not an assignment\n[]\n");
    assert_string_equal(st_run("set sa=1 sb=2\necho [$sa] [$sb]\n"), "[1] []\n");
    /* $? */
    assert_string_equal(st_run("false\necho $?\ntrue\necho $?\n"), "1\n0\n");
    /* variable as command name */
    assert_string_equal(st_run("set c=echo\n$c hi\n"), "hi\n");
}

static void test_positional(void **state)
{
    (void)state;
    st_init();
    assert_string_equal(st_run("function f { echo $# $1 $2 [$3]; }\nf a 'b c'\n"), "2 a b c []\n");
    assert_string_equal(st_run("function g { for x in \"$@\"; do echo \"<$x>\"; done; }\ng 'p q' r\n"),
                        "<p q>\n<r>\n");
    assert_string_equal(st_run("function h { echo \"$*\"; }\nh a b c\n"), "a b c\n");
    assert_string_equal(st_run("function s { shift; echo $1 $#; shift 1; echo $1 $#; }\ns a b c\n"),
                        "b 2\nc 1\n");
    assert_string_equal(st_run("function p { setparams x y; echo $# $1 $2; }\np q\n"), "2 x y\n");
    /* GRUB raises `return N` (N > 0) as the error "false", shown */
    assert_string_equal(st_run("function r { return 3; echo no; }\nr\necho $?\n"), "error: t.cfg:1: false\n3\n");
}

static void test_if_loops(void **state)
{
    (void)state;
    st_init();
    assert_string_equal(st_run("if false; then echo 1; elif true; then echo 2; else echo 3; fi\n"), "2\n");
    assert_string_equal(st_run("if false\nthen\n echo 1\nelse\n echo 3\nfi\n"), "3\n");
    assert_string_equal(st_run("if ! false; then echo neg; fi\n"), "neg\n");
    assert_string_equal(st_run("for i in 1 2 3; do if [ $i = 2 ]; then continue; fi; echo $i; done\n"),
                        "1\n3\n");
    assert_string_equal(st_run("set n=x\nwhile [ $n != xxxxx ]; do echo $n; if [ $n = xxx ]; then break; fi;"
                               " n=${n}x; done\n"), "x\nxx\nxxx\n");
    assert_string_equal(st_run("set k=a\nuntil [ $k = aaa ]; do k=a$k; done\necho $k\n"), "aaa\n");
    assert_string_equal(st_run("for a in 1 2; do for b in x y; do if [ $b = y ]; then break 2; fi;"
                               " echo $a$b; done; done\n"), "1x\n");
    assert_string_equal(st_run("for a in 1 2; do for b in x y; do if [ $b = x ]; then continue 2; fi;"
                               " echo $a$b; done; done; echo end\n"), "end\n");
    /* a runaway loop is stopped with a message, not hung */
    const char *o = st_run("while true; do true; done\necho after\n");
    assert_non_null(strstr(o, "loop ran 100000 times; stopped"));
    assert_non_null(strstr(o, "after\n"));
}

static void test_operators(void **state)
{
    (void)state;
    st_init();
    static const struct { const char *expr; int truth; } t[] = {
        { "a = a", 1 }, { "a == b", 0 }, { "a != b", 1 }, { "a '<' b", 1 }, { "b '<=' a", 0 },
        { "b '>' a", 1 }, { "a '>=' a", 1 }, { "-z ''", 1 }, { "-n ''", 0 }, { "-n x", 1 },
        { "x", 1 }, { "''", 0 }, { "10 -eq 10", 1 }, { "10 -ne 9", 1 }, { "9 -lt 10", 1 },
        { "10 -le 9", 0 }, { "-1 -gt -2", 1 }, { "3 -ge 4", 0 }, { "vmlinuz-10 -pgt vmlinuz-9", 1 },
        { "a10 -plt a9", 0 }, { "! a = a", 0 }, { "a = a -a b = c", 0 }, { "a = a -o b = c", 1 },
        { "( a = b -o a = a ) -a x", 1 }, { "-e /nonexistent", 0 }, { "-f (nodev)/x", 0 },
        { "-d /no/dir", 0 }, { "-s /nothing", 0 },
        /* GRUB 2.06 as measured with grub-emu: -pgt/-plt compare from the
         * number the strings first differ in, numbers take 0x and 0N,
         * nothing is malformed (words are true when not empty) */
        { "vmlinuz-5.10.0 -pgt vmlinuz-5.9.0", 1 }, { "vmlinuz-5.10.0 -plt vmlinuz-5.9.0", 0 },
        { "19 -pgt 100", 1 }, { "x-08 -pgt x-07", 1 }, { "abc -pgt abd", 0 },
        { "010 -eq 8", 1 }, { "0x10 -eq 16", 1 }, { "08 -eq 8", 1 }, { "+4 -eq 4", 0 },
        { "", 1 }, { "a b c", 1 }, { "a -xx b", 1 }, { "( a = a", 1 }, { "a = b -a b = b -o c = c", 1 },
        { "a = a -o b = c -a c = d", 1 }, { "! ! a = b", 0 }, { "= = =", 1 },
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        char s[200];
        snprintf(s, sizeof s, "if [ %s ]; then echo T; else echo F; fi\n", t[i].expr);
        const char *o = st_run(s);
        if (strcmp(o, t[i].truth ? "T\n" : "F\n") != 0)
            fail_msg("[ %s ] gave %s", t[i].expr, o);
        snprintf(s, sizeof s, "test %s\necho $?\n", t[i].expr);
        o = st_run(s);
        assert_string_equal(o, t[i].truth ? "0\n" : "1\n");
    }
    /* GRUB does not require the `]' */
    assert_string_equal(st_run("[ a = a\necho $?\n"), "0\n");
    /* a number operand without digits: shown when the answer is true */
    assert_string_equal(st_run("[ a -eq 0 ]\necho $?\n"), "error: t.cfg:1: unrecognized number\n0\n");
    /* ... not when `!' inverts it (GRUB's "false" replaces the error) */
    assert_string_equal(st_run("! [ a -eq 0 ]\necho $?\n"), "1\n");
    assert_string_equal(st_run("[ a -eq 1 ]\necho $?\n"), "1\n");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    st_init();
    assert_int_equal(pb_script_check("echo ok\nif true; then\n", 22, "f.cfg"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "f.cfg:3:1: syntax error: expected 'fi' for 'if' at line 2 col 1, "
                                     "found end of file");
    pb_error_clear();
    assert_int_equal(pb_script_check("echo 'abc\n", 10, "q.cfg"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "q.cfg:1:6: unterminated single quote");
    assert_int_equal(pb_script_check("  }\n", 4, "b.cfg"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "b.cfg:1:3: syntax error: unexpected '}'");
    /* GRUB: `menuentry x' is a whole command (it fails when it runs); a
     * block cannot start a line */
    assert_int_equal(pb_script_check("menuentry x\n{ true; }\n", 21, "m.cfg"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "m.cfg:2:1: syntax error: unexpected '{'");
    assert_int_equal(pb_script_check("fi\n", 3, "x.cfg"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "x.cfg:1:1: syntax error: unexpected fi");
    assert_int_equal(pb_script_check("echo ${abc\n", 11, "v.cfg"), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "v.cfg:1:6: unterminated ${");
    pb_error_clear();
    /* commands before a syntax error have run; the loader goes on */
    const char *o = st_run("echo before\nif x; then\necho never\n");
    assert_non_null(strstr(o, "before\n"));
    assert_non_null(strstr(o, "t.cfg:4:1: syntax error"));
    assert_null(strstr(o, "never"));
    assert_int_equal(pb_script_check("menuentry 'a' --id b {\n linux /k\n}\nfunction f { true; }\n", 56, "ok"), 0);
}

static void test_limits(void **state)
{
    (void)state;
    st_init();
    /* nesting beyond PB_SCRIPT_MAX_NESTING fails cleanly */
    size_t n = 200;
    char *s = malloc(n * 40 + 10);
    s[0] = 0;
    for (size_t i = 0; i < n; i++)
        strcat(s, "if true; then\n");
    for (size_t i = 0; i < n; i++)
        strcat(s, "fi\n");
    assert_int_equal(pb_script_check(s, strlen(s), "deep"), PB_EINVAL);
    assert_non_null(strstr(pb_errmsg(), "nesting too deep"));
    free(s);
    pb_error_clear();
    /* unbounded recursion is stopped */
    const char *o = st_run("function f { f; }\nf\necho survived\n");
    assert_non_null(strstr(o, "too deeply nested"));
    assert_non_null(strstr(o, "survived\n"));
}

static void test_commands(void **state)
{
    (void)state;
    st_init();
    assert_string_equal(st_run("echo -n a; echo b\n"), "ab\n");
    assert_string_equal(st_run("echo -e 'x\\ty'\n"), "x\ty\n");
    /* unknown commands and modules: noted, never fatal */
    const char *o = st_run("nosuchcmd a\necho $?\ninsmod nosuchmodule\necho $?\n");
    assert_non_null(strstr(o, "t.cfg:1: can't find command `nosuchcmd'"));
    assert_non_null(strstr(o, "\n0\n"));
    /* no-op console commands */
    assert_string_equal(st_run("terminal_output console\nserial --unit=0\nterminfo xterm\n"
                               "background_color 0,0,0\necho ok\n"), "ok\n");
    assert_string_equal(st_run("if loadfont unicode; then echo gfx; else echo text; fi\n"), "text\n");
    assert_string_equal(st_run("if keystatus --shift; then echo k; else echo nok; fi\n"), "nok\n");
    assert_string_equal(st_run("sleep --interruptible 3\necho $?\n"), "0\n");
    /* export: visible in a new context */
    st_run("set ex=1\nexport ex\nset nex=2\n");
    pb_env_push();
    assert_string_equal(pb_env_get("ex"), "1");
    assert_null(pb_env_get("nex"));
    pb_env_pop();
    /* `export $prefix` (a real-world bug) is harmless */
    assert_string_equal(st_run("set prefix=(hd0)/grub\nexport $prefix\necho $?\n"), "0\n");
    /* aliases route to linux/initrd */
    st_run("linux16 /vmlinuz a b\ninitrdefi /i1 /i2\n");
    assert_string_equal(rec_kernel, "/vmlinuz");
    assert_string_equal(rec_args, "[a][b]");
    assert_string_equal(rec_initrd, "[/i1][/i2]");
    st_run("linuxefi /k2\ninitrd16 /i3\n");
    assert_string_equal(rec_kernel, "/k2");
    assert_string_equal(rec_initrd, "[/i3]");
}

/* The five differences from GRUB 2.06 first seen in the field, each as
 * grub-emu shows it (tests/grubdiff/DIFFERENCES.md, corpus/known-*.cfg). */
static void test_grub_fidelity(void **state)
{
    (void)state;
    st_init();
    /* 1: return outside a function: an error, and the file goes on */
    assert_string_equal(st_run("echo a\nreturn\necho b $?\n"),
                        "a\nerror: t.cfg:2: not in function body\nb 18\n");
    /* ... and inside an entry body it returns from the body */
    assert_string_equal(st_run("function f { echo in; return 0; echo no; }\nf\necho $?\n"), "in\n0\n");
    /* 2: a syntax error skips its line; the rest of the file runs */
    pb_menu_push();
    const char *o = st_run("menuentry one { linux /k1; }\nfi\nmenuentry two { linux /k2; }\necho after\n");
    assert_non_null(strstr(o, "t.cfg:2:1: syntax error: unexpected fi"));
    assert_non_null(strstr(o, "after\n"));
    assert_int_equal(pb_menu_current()->count, 2);
    pb_menu_pop();
    /* GRUB parses the whole line first: nothing of it runs */
    o = st_run("echo x; fi; echo y\necho z\n");
    assert_null(strstr(o, "x\n"));
    assert_null(strstr(o, "y\n"));
    assert_non_null(strstr(o, "z\n"));
    /* the rest of the line of the error, even within a block begun before */
    o = st_run("if true; then\n echo in\n fi fi\necho L4\n");
    assert_null(strstr(o, "in\n"));
    assert_non_null(strstr(o, "L4\n"));
    /* 3: NAME=VALUE is set from the first word after expansion */
    assert_string_equal(st_run("default=1 2\necho [$default]\n"), "[1]\n");
    assert_string_equal(st_run("a=\"x y\"\nx=$a\necho [$x]\nx=\"$a\"\necho [$x]\n"), "[x]\n[x y]\n");
    assert_string_equal(st_run("n=foo\n$n=bar\necho [$foo]\n"), "[bar]\n");
    /* 4: -pgt/-plt compare from the number the strings differ in */
    assert_string_equal(st_run("if [ vmlinuz-5.10.0 -pgt vmlinuz-5.9.0 ]; then echo T; else echo F; fi\n"), "T\n");
    assert_string_equal(st_run("if [ vmlinuz-5.10.0 -plt vmlinuz-5.9.0 ]; then echo T; else echo F; fi\n"), "F\n");
    /* 5: blanks at the ends of an unquoted value do not split the word */
    st_run("opts=\" quiet splash\"\nlinux /vmlinuz root=/dev/xvda1${opts}\n");
    assert_string_equal(rec_kernel, "/vmlinuz");
    assert_string_equal(rec_args, "[root=/dev/xvda1quiet][splash]");
    st_run("opts=\"quiet splash \"\nlinux /vmlinuz ${opts}ro\n");
    assert_string_equal(rec_args, "[quiet][splashro]");
    /* more of GRUB: unknown command status 0, $# outside functions empty,
     * "$@" without parameters one empty word */
    assert_string_equal(st_run("nosuchcmd\necho $?\n"), "error: t.cfg:1: can't find command `nosuchcmd'\n0\n");
    assert_string_equal(st_run("echo [$#]\n"), "[]\n");
    assert_string_equal(st_run("function f { for a in \"$@\"; do echo \"<$a>\"; done; }\nf\n"), "<>\n");
    assert_string_equal(st_run("while false; do true; done\necho $?\n"), "1\n");
    assert_string_equal(st_run("echo -e 'a\\cb'\necho c\n"), "abc\n");
}

/* `!' and `return' as grub-emu runs them (corpus/bang-*.cfg,
 * corpus/func-return-*.cfg) */
static void test_grub_bang_return(void **state)
{
    (void)state;
    st_init();
    /* `!' with no command runs and fails with 18; its error is shown after
     * the next command's output, or at the end of the line */
    assert_string_equal(st_run("!\necho $?\n"), "error: t.cfg:1: no command is specified\n18\n");
    assert_string_equal(st_run("echo A1; ! ; echo A2 $?\n"),
                        "A1\nA2 18\nerror: t.cfg:1: no command is specified\n");
    /* an `if' drops it after the condition; a function call before it runs */
    assert_string_equal(st_run("if !; then echo a; else echo b $?; fi\n"), "b 18\n");
    assert_string_equal(st_run("function g { echo g; }\n!; g; echo k\n"), "g\nk\n");
    /* an empty command returns it as its status */
    assert_string_equal(st_run("!; $nothing; echo $?\n"), "18\nerror: t.cfg:1: no command is specified\n");
    /* `!' is found after expansion */
    assert_string_equal(st_run("x=!\n$x false\necho $?\n\"!\" true\necho $?\n"), "0\n1\n");
    /* after `!' keywords are words: `! if' is a syntax error at `then' */
    const char *o = st_run("! if true; then echo x; fi\necho after\n");
    assert_non_null(strstr(o, "syntax error"));
    assert_null(strstr(o, "x\n"));
    assert_non_null(strstr(o, "after\n"));
    /* the function's status is its last command's; `! return 1' is 0 */
    assert_string_equal(st_run("function k { if true; then return 4; fi; echo no; }\nk\necho $?\n"),
                        "error: t.cfg:1: false\n4\n");   /* N > 1 shows `false' */
    assert_string_equal(st_run("function n { ! return 1; }\nn\necho $?\n"), "0\n");
}

static void test_platform_env(void **state)
{
    (void)state;
    st_init();
    assert_string_equal(st_run("echo $grub_platform $grub_cpu $feature_menuentry_id $feature_timeout_style "
                               "$feature_all_video_module $feature_platform_search_hint "
                               "$feature_default_font_path $feature_200_final\n"),
                        "xen x86_64 y y y y y y\n");
}

static void test_expand_quote_api(void **state)
{
    (void)state;
    st_init();
    pb_env_set("kernelopts", "root=/dev/x ro");
    char *e = pb_script_expand("$kernelopts ${tuned} \\$x q");
    assert_string_equal(e, "root=/dev/x ro  $x q");
    free(e);
    char *q = pb_script_quote("it's a \"test\" $x");
    assert_string_equal(q, "'it'\\''s a \"test\" $x'");
    char buf[200];
    snprintf(buf, sizeof buf, "echo %s\n", q);
    assert_string_equal(st_run(buf), "it's a \"test\" $x\n");
    free(q);
}

/* menuentry/submenu/hiddenentry reach the block command of that name with
 * the expanded words in GRUB's option order (NAME, the options as
 * --NAME=VALUE, "--", the title and arguments) and the block's text, file
 * and line; without one registered the keyword is an unknown command. */
static char blk_args[256], blk_text[256], blk_file[64];
static int blk_line;

static int rec_block(struct pb_command *cmd, int argc, char **argv, const struct pb_command_block *b)
{
    (void)cmd;
    blk_args[0] = 0;
    for (int i = 0; i < argc; i++) {
        strncat(blk_args, "[", sizeof blk_args - strlen(blk_args) - 1);
        strncat(blk_args, argv[i], sizeof blk_args - strlen(blk_args) - 1);
        strncat(blk_args, "]", sizeof blk_args - strlen(blk_args) - 1);
    }
    snprintf(blk_text, sizeof blk_text, "%.*s", (int)b->len, b->text);
    snprintf(blk_file, sizeof blk_file, "%s", b->file);
    blk_line = b->line;
    return 0;
}

static void test_block_command(void **state)
{
    (void)state;
    st_init();
    struct pb_command *normal_menuentry = pb_command_find_block("menuentry");
    assert_non_null(normal_menuentry);   /* module normal's */
    static struct pb_command rec = { .name = "menuentry", .block_fn = rec_block,
                                     .flags = PB_CMD_F_BLOCK };
    pb_command_register(&rec);
    assert_string_equal(st_run("x='a b'\n\nmenuentry \"T $x\" --id=i $x {\n  echo $x\n}\necho $?\n"),
                        "0\n");
    assert_string_equal(blk_args, "[menuentry][--id=i][--][T a b][a][b]");
    assert_string_equal(blk_text, "\n  echo $x\n");
    assert_string_equal(blk_file, "t.cfg");
    assert_int_equal(blk_line, 3);
    pb_command_unregister(&rec);
    assert_string_equal(st_run("menuentry T { true; }\necho $?\n"),
                        "error: t.cfg:1: can't find command `menuentry'\n0\n");
    pb_command_register(normal_menuentry);
    assert_ptr_equal(pb_command_find_block("menuentry"), normal_menuentry);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_comments_continuation),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_positional),
        cmocka_unit_test(test_if_loops),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_grub_fidelity),
        cmocka_unit_test(test_grub_bang_return),
        cmocka_unit_test(test_platform_env),
        cmocka_unit_test(test_expand_quote_api),
        cmocka_unit_test(test_block_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
