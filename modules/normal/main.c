/* SPDX-License-Identifier: MIT */
/*
 * Module `normal`: init, the main hook and the config-file commands
 * (source/., configfile, normal).
 *
 * Main hook order: platform variables; the Xen command line
 * (include/pvboot/cmdline.h: xen_grub_env_NAME=VALUE exports, a config
 * path to run, or a command to run); then the embedded config with its
 * menu; if nothing booted, the minimal shell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/cmdline.h"
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/kernel.h"
#include "pvboot/loader.h"
#include "pvboot/menu.h"
#include "pvboot/menu_ui.h"
#include "pvboot/platform.h"
#include "pvboot/script.h"
#include "pvboot/term.h"
#include "normal_int.h"

void pb_normal_set_platform_env(void)
{
    static const char *const vars[][2] = {
        { "grub_platform", "xen" },
        { "grub_cpu", "x86_64" },
        { "feature_menuentry_id", "y" },
        { "feature_timeout_style", "y" },
        { "feature_all_video_module", "y" },
        { "feature_platform_search_hint", "y" },
        { "feature_default_font_path", "y" },
        { "feature_200_final", "y" },
        { "feature_nativedisk_cmd", "y" },
    };
    for (unsigned i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        pb_env_set(vars[i][0], vars[i][1]);
        pb_env_export(vars[i][0]);
    }
    pb_env_export("root");
    pb_env_export("prefix");
}

static int set_config_vars(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(path);
    if (!dir)
        return pb_error(PB_ENOMEM, "out of memory");
    pb_env_set("config_file", path);
    pb_env_export("config_file");
    pb_env_set("config_directory", dir);
    pb_env_export("config_directory");
    free(dir);
    return 0;
}

int pb_normal_execute(const char *path, const char *text, size_t len)
{
    void *buf = NULL;
    size_t blen = 0;
    if (!text) {
        int r = pb_file_load(path, PB_SCRIPT_MAX_SIZE, &buf, &blen);
        if (r)
            return r;
        text = buf;
        len = blen;
    }
    int r = pb_script_enter_call();
    if (r) {
        free(buf);
        return r;
    }
    r = pb_env_push();
    if (r == 0) {
        r = pb_menu_push();
        if (r)
            pb_env_pop();
    }
    if (r) {
        pb_script_leave_call();
        free(buf);
        return r;
    }
    set_config_vars(path);
    pb_script_run(text, len, path);
    free(buf);
    struct pb_menu *m = pb_menu_current();
    r = 0;
    if (!pb_script_stop_requested() && m && m->count > 0)
        r = pb_menu_run(m);
    pb_menu_pop();
    pb_env_pop();
    pb_script_leave_call();
    return r;
}

int pb_script_source(const char *path)
{
    void *buf;
    size_t len;
    int r = pb_file_load(path, PB_SCRIPT_MAX_SIZE, &buf, &len);
    if (r == PB_ENOENT) {   /* GRUB: a missing file is silently nothing to run */
        pb_error_clear();
        return 0;
    }
    if (r)
        return r;
    pb_script_run(buf, len, path);   /* shows its own errors as it runs */
    free(buf);
    return 0;
}

static int cmd_source(struct pb_command *cmd, int argc, char **argv)
{
    if (argc != 2)
        return pb_error(PB_EINVAL, "%s: expected one FILE", cmd->name);
    /* GRUB's source does not pass on the status of the file's last
     * command: $? is 0 after it */
    int r = pb_script_source(argv[1]);
    if (r < 0)
        return r;
    return 0;
}

static int cmd_configfile(struct pb_command *cmd, int argc, char **argv)
{
    if (argc != 2) {
        if (strcmp(cmd->name, "normal") == 0 && argc == 1)
            return 0;   /* already in normal mode */
        return pb_error(PB_EINVAL, "%s: expected one FILE", cmd->name);
    }
    struct pb_stat st;
    if (pb_stat_path(argv[1], &st, 0) == PB_ENOENT) {
        pb_error_clear();   /* GRUB: a missing file is silently nothing to run */
        return 0;
    }
    pb_error_clear();
    return pb_normal_execute(argv[1], NULL, 0);
}

/* boot: start the pending loader (linux/initrd or chainloader). */
static int cmd_boot(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    (void)argc;
    (void)argv;
    int r = pb_loader_boot();
    if (r == 0 && pb_platform()->decide_only)
        pb_script_request_stop(true);
    return r;
}

static struct pb_command main_cmds[] = {
    { .name = "boot", .fn = cmd_boot, .usage = "", .summary = "Boot the loaded kernel." },
    { .name = "source", .fn = cmd_source, .usage = "FILE", .summary = "Run FILE's commands in this context." },
    { .name = ".", .fn = cmd_source, .usage = "FILE", .summary = "Same as source." },
    { .name = "configfile", .fn = cmd_configfile, .usage = "FILE", .summary = "Run FILE in a new context and show its menu." },
    { .name = "normal", .fn = cmd_configfile, .usage = "[FILE]", .summary = "Same as configfile." },
};

void normal_register_main_commands(void)
{
    for (unsigned i = 0; i < sizeof main_cmds / sizeof main_cmds[0]; i++)
        pb_command_register(&main_cmds[i]);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/*
 * A config path from the Xen command line (legacy pv-grub style): the file
 * name picks the format (menu.lst/grub.conf: GRUB legacy, whose "(hdN,M)"
 * counts partitions from 0; extlinux.conf/syslinux.cfg: syslinux; anything
 * else: GRUB 2); root and prefix are set from the path, as discovery does.
 */
static void run_cmdline_config(const char *path)
{
    bool legacy = ends_with(path, "/menu.lst") || ends_with(path, "/grub.conf");
    bool syslinux = ends_with(path, "/extlinux.conf") || ends_with(path, "/syslinux.cfg");
    char p[1024];
    snprintf(p, sizeof p, "%s", path);
    if (legacy && p[0] == '(') {
        /* (hdN,M)... -> (hdN,M+1)... */
        char *comma = strchr(p, ','), *close = strchr(p, ')');
        if (comma && close && comma < close) {
            char *end;
            long part = strtol(comma + 1, &end, 10);
            if (end == close && end > comma + 1 && part >= 0 && part < 1000) {
                char rest[1024];
                snprintf(rest, sizeof rest, "%s", close);
                snprintf(comma + 1, sizeof p - (size_t)(comma + 1 - p), "%ld%s", part + 1, rest);
            }
        }
    }
    if (p[0] == '(') {
        char *close = strchr(p, ')');
        if (close) {
            char dev[256];
            snprintf(dev, sizeof dev, "%.*s", (int)(close - p - 1), p + 1);
            pb_env_set("root", dev);
        }
    }
    char *slash = strrchr(p, '/');
    if (slash) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - p), p);
        pb_env_set("prefix", dir);
    }
    char *argv[3] = { legacy ? "legacy_configfile" : syslinux ? "syslinux_configfile" : "configfile", p, NULL };
    pb_printf("Xen command line: %s %s\n", argv[0], p);
    struct pb_stat st;
    if (pb_stat_path(p, &st, 0) < 0) {   /* configfile itself is silent about it (as GRUB) */
        pb_print_error();
        return;
    }
    int r = pb_script_run_argv(2, argv);
    if (r < 0 && !pb_script_stop_requested())
        pb_print_error();
}

/* The Xen command line: exports, then a config or a command to run. */
static void apply_xen_cmdline(void)
{
    const char *line = pb_xen_cmdline();
    if (!line || !*line)
        return;
    struct pb_cmdline *c = calloc(1, sizeof *c);
    if (!c) {
        pb_printf("error: out of memory for the Xen command line\n");
        return;
    }
    if (pb_cmdline_parse(line, c)) {
        pb_printf("error: Xen command line ignored: %s\n", pb_errmsg());
        pb_error_clear();
        free(c);
        return;
    }
    for (unsigned i = 0; i < c->nvars; i++) {
        pb_env_set(c->var_name[i], c->var_value[i]);
        pb_env_export(c->var_name[i]);
    }
    if (c->kind == PB_CMDLINE_CONFIG) {
        run_cmdline_config(c->config);
    } else if (c->kind == PB_CMDLINE_COMMAND) {
        pb_printf("Xen command line: %s\n", c->command);
        pb_script_run(c->command, strlen(c->command), "(xen command line)");
    }
    free(c);
}

static void normal_main(void)
{
    pb_normal_set_platform_env();
    const char *prefix = pb_embedded_prefix();
    if (prefix && *prefix)
        pb_env_set("prefix", prefix);
    apply_xen_cmdline();
    if (!pb_script_stop_requested()) {
        size_t len = 0;
        const char *cfg = pb_embedded_config(&len);
        if (cfg && len) {
            int r = pb_normal_execute("(embedded)/pvboot.cfg", cfg, len);
            if (r && !pb_script_stop_requested())
                pb_print_error();
        }
    }
    if (pb_script_stop_requested() || !pb_platform()->interactive)
        return;
    pb_printf("\nNo entry was booted.\n");
    pb_normal_shell();
}

/* The menu's and the editor's actions: the pieces of this module that
 * the user interface calls back (include/pvboot/menu_ui.h). */
static int ui_authorize(const struct pb_menu_entry *e)
{
    return e ? pb_auth_entry_allowed(e) : pb_auth_allowed(NULL);
}

static const struct pb_ui_actions normal_ui_actions = {
    .authorize = ui_authorize,
    .boot = pb_menu_boot,
    .edit = pb_ui_edit_entry,
    .shell = pb_ui_shell,
};

void pvboot_init_normal(void);
void pvboot_init_normal(void)
{
    pb_ui_set_actions(&normal_ui_actions);
    normal_register_menu_commands();
    normal_register_commands();
    normal_register_main_commands();
    pb_main_register(normal_main);
}
