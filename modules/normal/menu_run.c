/* SPDX-License-Identifier: MIT */
/*
 * The menu runner (include/pvboot/menu.h): boots an entry (pb_menu_boot),
 * walks a default or fallback path through submenus, reports the decision
 * to the platform (report_menu) and runs the menu: the full-screen
 * interface when the platform is interactive (menu_ui.c), else the
 * countdown and line prompt.  Built on the menu model (menu.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/loader.h"
#include "pvboot/menu.h"
#include "pvboot/menu_ui.h"
#include "pvboot/platform.h"
#include "pvboot/script.h"
#include "pvboot/term.h"
#include "pvboot/time.h"
#include "normal_int.h"

static struct pb_menu_report last_report;   /* given to pb_platform()->report_menu() */

int pb_menu_boot(struct pb_menu_entry *e, const char *chosen)
{
    if (e->submenu)
        return pb_error(PB_EINVAL, "`%s' is a submenu", e->title);
    pb_env_set("chosen", chosen ? chosen : (e->id ? e->id : e->title));
    pb_loader_unset();
    pb_loader_clear_failure();
    int r = pb_script_push_params(e->argc, e->argv);
    if (r)
        return r;
    pb_script_run_at(e->body, strlen(e->body), e->file, e->line);
    pb_script_pop_params();
    if (pb_script_stop_requested())
        return 0;
    if (pb_loader_failed())
        return pb_error(PB_EINVAL, "entry `%s': a loader command failed; not booting it", e->title);
    if (!pb_loader_pending())
        return pb_error(PB_ENOENT, "entry `%s' loaded no kernel", e->title);
    pb_error_clear();
    r = pb_loader_boot();
    if (r == 0 && pb_platform()->decide_only) {
        pb_script_request_stop(true);
        return 0;
    }
    if (r == 0)
        r = pb_error(PB_EINVAL, "boot of `%s' returned", e->title);
    return r;
}

/* ---- the runner ---- */

/*
 * Resolve @spec (a default/fallback value) starting at the current menu,
 * entering submenus as needed (each entered level is left by the caller:
 * *@entered counts them).  On success *@leaf is the entry to boot and
 * path[] holds the indices.
 */
/* set while the runner walks to the default only to fill the report */
static bool quiet_walk;

static int walk_to(const char *spec, int *path, int *depth, int *entered,
                   struct pb_menu_entry **leaf, char *chosen, size_t chosen_sz, bool use_zero)
{
    struct pb_menu *m = pb_menu_current();
    *depth = 0;
    *entered = 0;
    chosen[0] = 0;
    const char *s = spec ? spec : "";
    for (;;) {
        const char *rest;
        size_t len = pb_menu_default_split(s, &rest);
        int idx = pb_menu_match(m, s, len);
        if (idx < 0) {
            if (!use_zero && *depth == 0)
                return PB_ENOENT;
            idx = 0;
            rest = NULL;
        }
        struct pb_menu_entry *e = pb_menu_entry_at(m, idx);
        if (!e)
            return PB_ENOENT;
        if (*depth >= PB_MENU_MAX_DEPTH)
            return PB_ELOOP;
        path[(*depth)++] = idx;
        size_t cl = strlen(chosen);
        snprintf(chosen + cl, chosen_sz - cl, "%s%s", cl ? ">" : "", e->id ? e->id : e->title);
        if (!e->submenu) {
            *leaf = e;
            return 0;
        }
        /* GRUB: entering a submenu while auto-booting sets timeout=0 and
         * the rest of the path as its default; it is booted as an entry */
        if (!quiet_walk)
            pb_printf("Booting `%s'\n", e->title);
        int r = normal_menu_push_scope();
        if (r)
            return r;
        (*entered)++;
        pb_env_set("timeout", "0");
        if (rest)
            pb_env_set("default", rest);
        else
            pb_env_unset("default");
        r = pb_script_push_params(e->argc, e->argv);
        if (r)
            return r;
        pb_script_run_at(e->body, strlen(e->body), e->file, e->line);
        pb_script_pop_params();
        m = pb_menu_current();
        if (!m || m->count == 0)
            return pb_error(PB_ENOENT, "submenu `%s' is empty", e->title);
        const char *d = pb_env_get("default");
        s = d ? d : "0";
        use_zero = true;
    }
}

static void leave_n(int n)
{
    while (n-- > 0)
        pb_menu_leave();
}

void pb_normal_shell(void)
{
    pb_ui_shell(false);   /* menu_ui.h: the interactive command line */
}

static int boot_spec(const char *spec, bool use_zero, bool report, bool fallback, struct pb_menu *top)
{
    int path[PB_MENU_MAX_DEPTH], depth = 0, entered = 0;
    struct pb_menu_entry *leaf = NULL;
    char chosen[1024];
    const struct pb_platform_ops *plat = pb_platform();
    bool reporting = report && plat->menu_tree;
    if (reporting)
        plat->menu_tree_begin();
    quiet_walk = reporting;
    int r = walk_to(spec, path, &depth, &entered, &leaf, chosen, sizeof chosen, use_zero);
    quiet_walk = false;
    if (r == 0) {
        struct pb_menu_report *rep = &last_report;
        rep->depth = depth;
        memcpy(rep->path, path, sizeof(int) * (size_t)depth);
        snprintf(rep->title, sizeof rep->title, "%s", leaf->title);
        snprintf(rep->id, sizeof rep->id, "%s", leaf->id ? leaf->id : "");
        plat->report_menu(rep);
        if (reporting) {
            /* menu_tree walks the tree from the top; leave our levels first */
            leave_n(entered);
            plat->menu_tree(top, rep);
            return boot_spec(spec, use_zero, false, fallback, top);
        }
        /* GRUB: "Booting" for the default, "Falling back to" for the others */
        if (fallback)
            pb_printf("Falling back to `%s'\n", leaf->title);
        else
            pb_printf("Booting `%s'\n", leaf->title);
        r = pb_menu_boot(leaf, chosen);
        if (r)
            pb_print_error();
    }
    leave_n(entered);
    return r;
}

int pb_menu_run(struct pb_menu *m)
{
    if (!m || m->count == 0)
        return pb_error(PB_ENOENT, "empty menu");
    struct pb_menu_report *rep = &last_report;
    memset(rep, 0, sizeof *rep);
    rep->valid = true;
    const char *cf = pb_env_get("config_file");
    snprintf(rep->config, sizeof rep->config, "%s", cf ? cf : "");
    rep->timeout = pb_menu_get_timeout();
    const char *style = pb_env_get("timeout_style");
    snprintf(rep->timeout_style, sizeof rep->timeout_style, "%s", style ? style : "");
    pb_platform()->report_menu(rep);

    const char *d = pb_env_get("default");
    char *def = strdup(d && *d ? d : "0");
    if (!def)
        return pb_error(PB_ENOMEM, "out of memory");
    if (strcmp(def, "saved") == 0 && pb_menu_match(m, def, strlen(def)) < 0) {
        const char *se = pb_env_get("saved_entry");
        free(def);
        def = strdup(se && *se ? se : "0");
        if (!def)
            return pb_error(PB_ENOMEM, "out of memory");
    }
    const char *rest;
    int top_def = pb_menu_match(m, def, pb_menu_default_split(def, &rest));
    if (top_def < 0)
        top_def = 0;

    bool interactive = pb_platform()->interactive;
    /* a config run by `configfile' from a menu entry (or the menu's
     * command line) shows a nested menu: Esc at its top returns there */
    bool nested = pb_ui_menu_active();
    if (interactive) {
        /* the full-screen menu (menu_ui.c) counts down and boots what the
         * user picks; it returns PB_UI_TIMEOUT to boot the default here.
         * timeout=0 boots at once unless a key is already waiting. */
        int t = rep->timeout;
        int key = t == 0 ? pb_getkey(0) : PB_KEY_NONE;
        if (t != 0 || key != PB_KEY_NONE) {
            int u = pb_ui_menu(m, top_def, key != PB_KEY_NONE ? -1 : t, style, nested);
            if (u != PB_UI_TIMEOUT) {
                free(def);
                return 0;
            }
        }
    }
    int r = boot_spec(def, true, true, false, m);
    free(def);
    if (pb_script_stop_requested())
        return r;
    /* fallback entries, in order */
    const char *fb = pb_env_get("fallback");
    char *fbl = fb ? strdup(fb) : NULL;
    if (fbl) {
        char *save = NULL;
        for (char *tok = strtok_r(fbl, " \t", &save); tok && !pb_script_stop_requested();
             tok = strtok_r(NULL, " \t", &save)) {
            /* GRUB ends the fallback list at the first entry that is not there */
            const char *frest;
            if (pb_menu_match(m, tok, pb_menu_default_split(tok, &frest)) < 0)
                break;
            r = boot_spec(tok, false, false, true, m);
        }
        free(fbl);
    }
    if (pb_script_stop_requested())
        return r;
    pb_printf("Failed to boot both default and fallback entries.\n");   /* GRUB's words */
    if (!interactive)
        return r;
    /* nothing booted: keep the error visible, then the menu */
    pb_printf("\nPress any key for the menu...");
    pb_ui_getkey();
    pb_ui_menu(m, top_def, -1, NULL, nested);
    return r;
}

/* ---- menuentry, submenu, hiddenentry: block commands of the interpreter ---- */
