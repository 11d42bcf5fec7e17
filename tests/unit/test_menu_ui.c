/* SPDX-License-Identifier: MIT */
/* Unit tests for the full-screen menu (modules/normal/menu_ui.c) with a
 * scripted terminal and the virtual clock: the exact 80x24 screen (and a
 * larger one set by pvboot_term_size), reverse-video selection, keys,
 * scrolling, submenus, hotkeys, the countdown and timeout_style, UTF-8
 * titles cut at a character boundary, boot failures returning to the menu,
 * the editor reached with `e', password protection, and a `configfile'
 * menu nested in an entry (Esc returns to the parent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "ui_test_util.h"
#include "pvboot/term.h"

/* module normal's init (its UI actions) */
void pvboot_init_normal(void);

/* run_menu() with the loader not in dry-run mode (pb_menu_run interactive) */
static bool menu_not_dry;

/* Build the menu of @cfg in a new context, type @keys into the menu and
 * put the final screen into vt.  Returns pb_ui_menu's result. */
static int run_menu(const char *cfg, const char *keys, int def, int timeout, const char *style,
                    bool nested, int cols, int rows)
{
    return ui_menu(cfg, keys, def, timeout, style, nested, cols, rows, !menu_not_dry);
}

/* "|" + @text padded to @inner columns + "|" */
static const char *boxed(const char *text, int inner)
{
    static char b[1024];
    int cols = 0;
    for (const char *p = text; *p; p++)
        if (((unsigned char)*p & 0xc0) != 0x80)
            cols++;
    snprintf(b, sizeof b, "|%s%*s|", text, inner - cols, "");
    return b;
}

static const char *menu4 =
    "menuentry 'First' { linux /k1 one; }\n"
    "menuentry 'Second' --hotkey=s {\n  linux /k2 two\n}\n"
    "submenu 'More options' {\n"
    "  menuentry 'Sub A' { linux /ka a; }\n"
    "  menuentry 'Sub B' { linux /kb b; }\n"
    "}\n"
    "menuentry 'Broken' { linux /missing; }\n";

static void test_screen_80x24_countdown(void **state)
{
    (void)state;
    int r = run_menu(menu4, "", 0, 3, NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_TIMEOUT);
    assert_string_equal(vt_row(1), "                                pvboot boot menu");
    assert_string_equal(vt_row(2), "");
    char border[80];
    memset(border, '-', 79);
    border[0] = border[78] = '+';
    border[79] = 0;
    assert_string_equal(vt_row(3), border);
    assert_string_equal(vt_row(4), boxed("*First", 77));
    assert_string_equal(vt_rev_row(4), "."
                        "#############################################################################"
                        "..");
    assert_string_equal(vt_row(5), boxed(" Second", 77));
    assert_string_equal(vt_rev_row(5), "................................................................................");
    char sub[128];
    snprintf(sub, sizeof sub, " More options%*s >", 62, "");
    assert_string_equal(vt_row(6), boxed(sub, 77));
    assert_string_equal(vt_row(7), boxed(" Broken", 77));
    for (int i = 8; i <= 17; i++)
        assert_string_equal(vt_row(i), boxed("", 77));
    assert_string_equal(vt_row(18), border);
    assert_string_equal(vt_row(20), "Use the Up and Down keys to select an entry. Enter boots it,");
    assert_string_equal(vt_row(21), "`e' edits its commands, `c' opens a command line.");
    /* counted down 3, 2, 1, 0 */
    assert_string_equal(vt_row(23), "The highlighted entry will be booted automatically in 0 s.");
    assert_non_null(strstr(pb_hosted_output(), "automatically in 3 s."));
    assert_non_null(strstr(pb_hosted_output(), "automatically in 1 s."));
    assert_string_equal(vt_row(24), "");
    assert_string_equal(rec_kernel, "");   /* the caller boots the default */
}

static void test_arrows_boot_second(void **state)
{
    (void)state;
    /* a key stops the countdown; Down Down Up Enter boots the second entry */
    int r = run_menu(menu4, DOWN DOWN UP "\r", 0, 10, NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_STOP);
    assert_string_equal(rec_kernel, "/k2");
    assert_string_equal(rec_args, "[two]");
    assert_non_null(strstr(st_out(), "Booting `Second'"));
    /* the countdown line was cleared after the first key */
    assert_null(strstr(st_out(), "automatically in 9 s."));
    /* Home/End/PgUp/PgDn */
    r = run_menu(menu4, END HOME PGDN PGUP DOWN DOWN DOWN "\r", 0, -1, NULL, false, 80, 24);
    assert_string_equal(rec_kernel, "/missing");
    /* hotkey (either case) boots at once */
    r = run_menu(menu4, "S", 0, -1, NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_STOP);
    assert_string_equal(rec_kernel, "/k2");
}

static void test_selection_redraw(void **state)
{
    (void)state;
    /* moving redraws only the two rows; the screen shows the new selection */
    int r = run_menu(menu4, DOWN, 0, -1, NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_LEFT);   /* end of input */
    assert_string_equal(vt_row(4), boxed(" First", 77));
    assert_string_equal(vt_row(5), boxed("*Second", 77));
    assert_int_equal(vt_rev_row(4)[1], '.');
    assert_int_equal(vt_rev_row(5)[1], '#');
    assert_int_equal(vt_rev_row(5)[77], '#');
    assert_int_equal(vt_rev_row(5)[78], '.');
}

static void test_submenu(void **state)
{
    (void)state;
    int r = run_menu(menu4, DOWN DOWN "\r" DOWN "\r", 0, -1, NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_STOP);
    assert_string_equal(rec_kernel, "/kb");
    /* Esc leaves the submenu; the top menu is drawn again */
    r = run_menu(menu4, DOWN DOWN "\r" ESC UP "\r", 0, -1, NULL, false, 80, 24);
    assert_string_equal(rec_kernel, "/k2");
    /* inside a submenu the help line mentions Esc */
    /* (at the end of input the submenu and then the top menu return, so
     * look at the submenu's drawing in the output) */
    r = run_menu(menu4, DOWN DOWN "\r", 0, -1, NULL, false, 80, 24);
    assert_non_null(strstr(pb_hosted_output(), "\033[4;1H|\033[7m*Sub A "));
    assert_non_null(strstr(pb_hosted_output(), "\033[5;1H| Sub B "));
    assert_non_null(strstr(pb_hosted_output(),
                           "`e' edits its commands, `c' opens a command line, Esc goes back."));
    assert_string_equal(vt_row(4), boxed(" First", 77));
    assert_string_equal(vt_row(6), boxed("*More options                                                               >", 77));
    /* Esc at the top level of a nested (configfile) menu leaves it */
    r = run_menu(menu4, ESC, 0, -1, NULL, true, 80, 24);
    assert_int_equal(r, PB_UI_LEFT);
}

static void test_scrolling_and_size(void **state)
{
    (void)state;
    char cfg[8192] = "set pvboot_term_size=100x30\n";
    for (int i = 0; i < 40; i++) {
        char l[96];
        snprintf(l, sizeof l, "menuentry 'Entry %02d' { linux /k%d; }\n", i, i);
        strcat(cfg, l);
    }
    /* 100x30: 20 list rows (4..23), the box is 99 columns wide */
    int r = run_menu(cfg, END, 0, -1, NULL, false, 100, 30);
    assert_int_equal(r, PB_UI_LEFT);
    assert_string_equal(vt_row(4), boxed(" Entry 20", 97));
    assert_string_equal(vt_row(23), boxed("*Entry 39", 97));
    /* more above: '^' in the top border, none below */
    assert_int_equal(vt_row(3)[96], '^');
    assert_null(strchr(vt_row(24), 'v'));
    assert_string_equal(vt_row(27), "`e' edits its commands, `c' opens a command line.");
    /* PgUp from the end moves 19 entries up (page of 20 rows) */
    r = run_menu(cfg, END PGUP "\r", 0, -1, NULL, false, 100, 30);
    assert_string_equal(rec_kernel, "/k20");
    /* 80x24: 14 rows, Down 14 times scrolls by one */
    r = run_menu(cfg + strlen("set pvboot_term_size=100x30\n"),
                 DOWN DOWN DOWN DOWN DOWN DOWN DOWN DOWN DOWN DOWN DOWN DOWN DOWN DOWN, 0, -1, NULL,
                 false, 80, 24);
    assert_string_equal(vt_row(4), boxed(" Entry 01", 77));
    assert_string_equal(vt_row(17), boxed("*Entry 14", 77));
    assert_int_equal(vt_row(3)[76], '^');
    assert_int_equal(vt_row(18)[76], 'v');
}

static void test_utf8_and_long_titles(void **state)
{
    (void)state;
    /* 80 columns of 'é' (2 bytes each): cut to 76 whole characters */
    char cfg[1024] = "menuentry '";
    for (int i = 0; i < 80; i++)
        strcat(cfg, "\xc3\xa9");
    strcat(cfg, "' { true; }\nmenuentry 'Ünïcödé ✓ title' { true; }\n"
                "menuentry 'ctl\x01" "x' { true; }\n");
    run_menu(cfg, "", 0, -1, NULL, false, 80, 24);
    char want[512] = "|*";
    for (int i = 0; i < 76; i++)
        strcat(want, "\xc3\xa9");
    strcat(want, "|");
    assert_string_equal(vt_row(4), want);
    assert_string_equal(vt_row(5), boxed(" Ünïcödé ✓ title", 77));
    /* control bytes in titles are not sent to the terminal */
    assert_string_equal(vt_row(6), boxed(" ctl?x", 77));
    int used;
    assert_int_equal(pb_ui_utf8_cut("a\xc3\xa9\xe2\x9c\x93z", 7, 3, &used), 6);
    assert_int_equal(used, 3);
    /* an invalid byte counts as one column */
    assert_int_equal(pb_ui_utf8_cut("\xff\xc3", 2, 1, &used), 1);
}

static void test_timeout_styles(void **state)
{
    (void)state;
    /* hidden: nothing drawn, the caller boots the default */
    int r = run_menu(menu4, "", 0, 2, "hidden", false, 80, 24);
    assert_int_equal(r, PB_UI_TIMEOUT);
    assert_string_equal(pb_hosted_output(), "");
    /* countdown: one line counting */
    r = run_menu(menu4, "", 0, 2, "countdown", false, 80, 24);
    assert_int_equal(r, PB_UI_TIMEOUT);
    assert_string_equal(pb_hosted_output(),
                        "\rPress Esc or any key for the menu. Booting in 2 s. \033[K"
                        "\rPress Esc or any key for the menu. Booting in 1 s. \033[K\r\033[K");
    /* Esc interrupts: the menu is shown and waits (no countdown any more) */
    r = run_menu(menu4, ESC, 1, 5, "hidden", false, 80, 24);
    assert_int_equal(r, PB_UI_LEFT);
    assert_string_equal(vt_row(5), boxed("*Second", 77));
    assert_string_equal(vt_row(23), "");
    /* a hotkey during a hidden countdown boots its entry */
    r = run_menu(menu4, "s", 0, 5, "hidden", false, 80, 24);
    assert_int_equal(r, PB_UI_STOP);
    assert_string_equal(rec_kernel, "/k2");
}

static void test_boot_failure_returns(void **state)
{
    (void)state;
    /* Broken fails: error shown, a key, then the menu; Home Enter boots First */
    int r = run_menu(menu4, END "\r" "x" HOME "\r", 0, -1, NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_STOP);
    assert_string_equal(rec_kernel, "/k1");
    const char *o = st_out();
    if (!strstr(o, "error: t.cfg:9: file `/missing' not found\n"
                   "error: entry `Broken': a loader command failed; not booting it."))
        { fputs(o, stderr); fail(); }
    assert_non_null(strstr(o, "Booting `Broken'"));
    assert_non_null(strstr(o, "Press any key to continue..."));
    /* an entry that loads nothing */
    r = run_menu("menuentry 'Empty' { true; }\nmenuentry 'Ok' { linux /ok; }\n",
                 "\r" "x" DOWN "\r", 0, -1, NULL, false, 80, 24);
    assert_non_null(strstr(st_out(), "error: entry `Empty' loaded no kernel."));
    assert_string_equal(rec_kernel, "/ok");
}

static void test_edit_and_boot(void **state)
{
    (void)state;
    /* e, End, type " extra", Ctrl-X: the edited copy boots */
    int r = run_menu(menu4, DOWN "e" DOWN END " extra\x18", 0, -1, NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_STOP);
    assert_string_equal(rec_kernel, "/k2");
    assert_string_equal(rec_args, "[two][extra]");
    /* Esc discards: the entry is unchanged */
    r = run_menu(menu4, DOWN "e" END " extra" ESC "\r", 0, -1, NULL, false, 80, 24);
    assert_string_equal(rec_args, "[two]");
}

static const char *locked =
    "set superusers=root\n"
    "password root pw\n"
    "password alice al\n"
    "menuentry 'Locked' { linux /locked; }\n"
    "menuentry 'Alice' --users alice { linux /alice; }\n"
    "menuentry 'Free' --unrestricted { linux /free; }\n";

static void test_passwords(void **state)
{
    (void)state;
    /* wrong password: refused, back to the menu, nothing booted */
    int r = run_menu(locked, "\rroot\rwrong\r" "x", 0, -1, NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_LEFT);
    assert_string_equal(rec_kernel, "");
    assert_non_null(strstr(st_out(), "Enter username: \033[Kroot\n"));
    assert_non_null(strstr(st_out(), "error: access denied."));
    assert_null(strstr(st_out(), "wrong"));
    /* right password boots */
    r = run_menu(locked, "\rroot\rpw\r", 0, -1, NULL, false, 80, 24);
    assert_string_equal(rec_kernel, "/locked");
    /* alice may boot her entry but not the superuser's */
    r = run_menu(locked, "\ralice\ral\r" "x" DOWN "\ralice\ral\r", 0, -1, NULL, false, 80, 24);
    assert_string_equal(rec_kernel, "/alice");
    assert_non_null(strstr(st_out(), "error: access denied."));
    /* unrestricted: no prompt */
    r = run_menu(locked, END "\r", 0, -1, NULL, false, 80, 24);
    assert_string_equal(rec_kernel, "/free");
    assert_null(strstr(st_out(), "Enter username"));
    /* editing needs a superuser: alice is refused, the entry is not booted */
    r = run_menu(locked, END "e" "alice\ral\r" "x", 0, -1, NULL, false, 80, 24);
    assert_string_equal(rec_kernel, "");
    assert_non_null(strstr(st_out(), "error: access denied."));
    assert_null(strstr(st_out(), "Editing:"));
    /* so does the command line */
    r = run_menu(locked, "c" "bob\rx\r" "x", 0, -1, NULL, false, 80, 24);
    assert_null(strstr(st_out(), "pvboot> "));
    assert_non_null(strstr(st_out(), "error: access denied."));
}

static void test_command_line_from_menu(void **state)
{
    (void)state;
    /* c, a command, an unknown command (error, shell goes on), Esc back,
     * then Enter boots the first entry */
    int r = run_menu(menu4, "c" "echo hi there\r" "nosuchcmd\r" "echo after\r" ESC "\r", 0, -1,
                     NULL, false, 80, 24);
    assert_int_equal(r, PB_UI_STOP);
    const char *o = st_out();
    if (!strstr(o, "pvboot> \033[Kecho hi there\nhi there\n"))
        { fputs(o, stderr); fail(); }
    assert_non_null(strstr(o, "error: (command line):1: can't find command `nosuchcmd'\n"));
    assert_non_null(strstr(o, "\nafter\n"));
    assert_string_equal(rec_kernel, "/k1");
}

/* The runner (pb_menu_run, not dry-run): the countdown runs out, the
 * default boots and fails (a test loader whose boot fails), fallback is
 * tried and fails too, the error stays on the screen until a key, then the
 * menu comes back (no input: the scripted terminal ends there). */
static int failing_boot(void *ctx)
{
    (void)ctx;
    return pb_error(PB_EIO, "hand-over failed (test loader)");
}

static int failing_linux(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    snprintf(rec_kernel, sizeof rec_kernel, "%s", argc > 1 ? argv[1] : "");
    struct pb_loader l = { .name = "linux", .boot = failing_boot };
    pb_loader_set(&l);
    return 0;
}

static void test_runner_integration(void **state)
{
    (void)state;
    st_init();
    static struct pb_command fl = { .name = "linux", .fn = failing_linux, .usage = "",
                                    .summary = "test loader whose boot fails" };
    pb_command_register(&fl);
    pb_ui_eof_ms = 600000;
    st_decide_only(false);
    pb_hosted_set_input("", 0);
    const char *cfg = "set timeout=2\nset fallback=1\n"
                      "menuentry 'First' { linux /k1; }\nmenuentry 'Second' { linux /k2; }\n";
    pb_normal_execute("(t)/grub/grub.cfg", cfg, strlen(cfg));
    st_decide_only(true);
    pb_command_register(&rec_cmds[0]);
    const char *o = st_out();
    const char *a = strstr(o, "automatically in 1 s.");
    const char *b = a ? strstr(a, "Booting `First'\nerror: hand-over failed (test loader).\n") : NULL;
    /* GRUB's words: the fallback named by its title, then the give-up line */
    const char *c = b ? strstr(b, "Falling back to `Second'\n"
                                  "error: hand-over failed (test loader).\n") : NULL;
    const char *d = c ? strstr(c, "Failed to boot both default and fallback entries.\n"
                                  "\nPress any key for the menu...") : NULL;
    const char *e = d ? strstr(d, "pvboot boot menu") : NULL;
    if (!e || strstr(e, "automatically in")) {
        fputs(o, stderr);
        fail();
    }
    assert_string_equal(rec_kernel, "/k2");
}

/* `configfile' from a menu entry shows the new config's menu nested: Esc
 * at its top level returns to the parent menu (quietly, as GRUB does), the
 * parent's own top level ignores Esc; the nested menu's entries boot. */
static unsigned char cfgtar[512 * 8];

static void cfgtar_setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    const char *sub = "menuentry 'Sub one' { linux /sub-one; }\n"
                      "menuentry 'Sub two' { linux /sub-two; }\n";
    ui_tar_header(cfgtar, "sub.cfg", '0', strlen(sub));
    memcpy(cfgtar + 512, sub, strlen(sub));
    assert_non_null(pb_hostdisk_add_mem(cfgtar, sizeof cfgtar, "cfgtar"));
}

static const char *parent_cfg = "menuentry 'Top A' { linux /top-a; }\n"
                                "menuentry 'Other menu' { configfile (cfgtar)/sub.cfg; }\n";

static int run_parent(const char *keys)
{
    st_init();
    cfgtar_setup();
    menu_not_dry = true;             /* pb_menu_run shows the nested menu */
    int r = run_menu(parent_cfg, keys, 0, -1, NULL, false, 80, 24);
    menu_not_dry = false;
    st_decide_only(true);
    return r;
}

static void test_configfile_nested_esc(void **state)
{
    (void)state;
    /* Enter "Other menu": the nested menu; Down, Esc: back in the parent;
     * Esc there is ignored; Up Enter boots Top A */
    int r = run_parent(DOWN "\r" DOWN ESC ESC UP "\r");
    assert_int_equal(r, PB_UI_STOP);
    assert_string_equal(rec_kernel, "/top-a");
    const char *o = st_out();
    const char *nest = strstr(o, "\033[4;1H|\033[7m*Sub one ");
    assert_non_null(nest);
    /* the nested menu says Esc goes back; its selection moved to Sub two */
    assert_non_null(strstr(nest, "`e' edits its commands, `c' opens a command line, Esc goes back."));
    const char *moved = strstr(nest, "\033[5;1H|\033[7m*Sub two ");
    assert_non_null(moved);
    /* then the parent menu again with "Other menu" selected, no error */
    assert_non_null(strstr(moved, "\033[5;1H|\033[7m*Other menu "));
    assert_null(strstr(o, "error:"));
    assert_null(strstr(o, "Press any key"));
    /* the parent's help line has no "Esc goes back"; Top A booted last */
    assert_non_null(strstr(moved, "`e' edits its commands, `c' opens a command line.\033[K"));
    assert_non_null(strstr(moved, "Booting `Top A'"));
    assert_null(strstr(o, "Booting `Sub"));

    /* an entry of the nested menu boots */
    r = run_parent(DOWN "\r" DOWN "\r");
    assert_int_equal(r, PB_UI_STOP);
    assert_string_equal(rec_kernel, "/sub-two");

    /* the first config's menu (pb_menu_run outside any menu) is not
     * nested: Esc there does nothing, Enter boots its first entry */
    st_init();
    pb_ui_eof_ms = 600000;
    st_decide_only(false);
    pb_hosted_set_input(ESC "\r", 2);
    const char *cfg = "menuentry 'Only' { linux /only; }\nmenuentry 'Two' { linux /two; }\n";
    pb_normal_execute("(t)/grub.cfg", cfg, strlen(cfg));
    st_decide_only(true);
    assert_string_equal(rec_kernel, "/only");
    assert_null(strstr(st_out(), "Esc goes back."));
}

/* The menu calls the actions it was given (pb_ui_set_actions): authorize
 * before edit and before a boot, edit with the entry and its $chosen path,
 * shell from the menu, boot with the entry and its path. */
static char act_log[512];

static void act_note(const char *what, const struct pb_menu_entry *e, const char *chosen)
{
    char one[128];
    snprintf(one, sizeof one, "%s(%s,%s) ", what, e ? e->title : "-", chosen ? chosen : "-");
    strncat(act_log, one, sizeof act_log - strlen(act_log) - 1);
}

static int act_authorize(const struct pb_menu_entry *e)
{
    act_note("auth", e, NULL);
    return 0;
}

static int act_boot(struct pb_menu_entry *e, const char *chosen)
{
    act_note("boot", e, chosen);
    return pb_error(PB_EINVAL, "test boot fails");
}

static int act_edit(struct pb_menu_entry *e, const char *chosen)
{
    act_note("edit", e, chosen);
    return PB_ECANCELED;
}

static void act_shell(bool from_menu)
{
    act_note(from_menu ? "shell-from-menu" : "shell", NULL, NULL);
}

static void test_ui_actions(void **state)
{
    (void)state;
    static const struct pb_ui_actions rec = {
        .authorize = act_authorize, .boot = act_boot, .edit = act_edit, .shell = act_shell,
    };
    st_init();
    act_log[0] = 0;
    pb_ui_set_actions(&rec);
    const char *cfg = "menuentry 'A' --id a { true; }\nmenuentry 'B' --id b { true; }\n";
    /* on B: edit, command line, Enter (the boot fails: a key), end of input */
    ui_menu(cfg, DOWN "e" "c" "\r" " ", 0, -1, NULL, false, 80, 24, true);
    pb_ui_set_actions(NULL);   /* back to "no actions" */
    assert_string_equal(act_log, "auth(-,-) edit(B,b) shell-from-menu(-,-) auth(B,-) boot(B,b) ");
    /* the module's own actions again for the other tests */
    pvboot_init_normal();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_80x24_countdown),
        cmocka_unit_test(test_arrows_boot_second),
        cmocka_unit_test(test_selection_redraw),
        cmocka_unit_test(test_submenu),
        cmocka_unit_test(test_scrolling_and_size),
        cmocka_unit_test(test_utf8_and_long_titles),
        cmocka_unit_test(test_timeout_styles),
        cmocka_unit_test(test_boot_failure_returns),
        cmocka_unit_test(test_edit_and_boot),
        cmocka_unit_test(test_passwords),
        cmocka_unit_test(test_command_line_from_menu),
        cmocka_unit_test(test_runner_integration),
        cmocka_unit_test(test_configfile_nested_esc),
        cmocka_unit_test(test_ui_actions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
