/* SPDX-License-Identifier: MIT */
/*
 * The boot menu model (module `normal`), separate from any user interface.
 *
 * A running config file owns one menu (GRUB attaches the menu to the
 * environment context): `menuentry`/`submenu` (and blscfg, legacy and
 * syslinux configs) append entries to the current menu.  An entry keeps its
 * body as script text, run in a new environment context when it is booted;
 * a submenu's body builds a new menu when it is entered.
 *
 * Semantics follow GRUB's normal/menu.c as documented in the GRUB manual
 * ("default", "fallback", "timeout", "timeout_style" variables), plus
 * rhboot's optional `--users` value.
 */
#ifndef PVBOOT_MENU_H
#define PVBOOT_MENU_H

#include <stdbool.h>
#include <stddef.h>

#define PB_MENU_MAX_ENTRIES 1024
#define PB_MENU_MAX_DEPTH   16     /* nested submenus / default path length */

struct pb_menu_entry {
    char *title;
    char *id;                 /* --id, or NULL */
    char **classes;           /* --class values */
    int nr_classes;
    char *users;              /* --users value ("" = rhboot's empty value), NULL if absent */
    bool unrestricted;
    int hotkey;               /* key code (pb_key or byte), 0 = none */
    bool submenu;
    bool hidden;              /* hiddenentry: bootable by id/default, not listed */
    int argc;                 /* extra arguments: $1... when the entry runs */
    char **argv;
    char *body;               /* script text run when booted/entered */
    char *file;               /* where it was defined */
    int line;
    struct pb_menu_entry *next;
};

struct pb_menu {
    struct pb_menu_entry *first, *last;
    int count;
};

/** pb_menu_current() - the menu being built in the current context, or NULL. */
struct pb_menu *pb_menu_current(void);
/** pb_menu_push() - start a new (empty) menu for a new context. Returns 0/PB_ENOMEM. */
int pb_menu_push(void);
/** pb_menu_pop() - free the current menu and return to the one below. */
void pb_menu_pop(void);

/**
 * pb_menu_add_entry() - append an entry from a `menuentry`/`submenu`
 * command line.
 * @argv: expanded words after the keyword: title, options (--class X,
 *        --id X, --users [X], --unrestricted, --hotkey X, also `--opt=X`),
 *        extra arguments.
 * @body: script text (copied).  @file/@line: where it was defined.
 * Returns 0, PB_EINVAL (no title, unknown option) or PB_ERANGE (too many).
 */
int pb_menu_add_entry(int argc, char **argv, const char *body, size_t bodylen,
                      bool submenu, bool hidden, const char *file, int line);

/** pb_menu_entry_at() - the @index-th visible entry (0-based), or NULL. */
struct pb_menu_entry *pb_menu_entry_at(struct pb_menu *m, int index);

/**
 * pb_menu_match() - find the entry named by one path element @spec
 * (@len bytes): a number (index), an id or a title ('>' written '>>').
 * rhboot order: id/title first, then number.  Returns the index or -1.
 */
int pb_menu_match(struct pb_menu *m, const char *spec, size_t len);

/**
 * pb_menu_default_split() - split a `default` value at the first single
 * '>' (">>" is an escaped '>').  Returns the length of the first element;
 * *@rest points after the separator or is NULL.
 */
size_t pb_menu_default_split(const char *spec, const char **rest);

/** pb_menu_get_timeout() - $timeout in seconds; -1 when unset/invalid
 *  (= wait for a key). */
int pb_menu_get_timeout(void);

/**
 * pb_menu_enter() - enter submenu @e: open a new environment context and
 * menu, run its body.  Returns 0 (the new menu is pb_menu_current()) or an
 * error; leave with pb_menu_leave().
 */
int pb_menu_enter(struct pb_menu_entry *e);
/** pb_menu_leave() - leave the submenu entered last: drop its menu and
 *  its environment context (variables set inside it are gone). */
void pb_menu_leave(void);

/**
 * pb_menu_boot() - run entry @e as GRUB does: new context, $chosen set,
 * $1... = its extra arguments, body run, then `boot` if a loader is pending
 * and no loader command failed.  Returns only on failure (or, on a
 * decide_only platform, with 0 after the decision was reported).
 */
int pb_menu_boot(struct pb_menu_entry *e, const char *chosen);

/* ---- the non-interactive runner (main hook) ---- */

/**
 * What the runner decided, given to pb_platform()->report_menu() each time
 * it changes (hosted tools print it; what was booted, if anything, is the
 * loader core's report, include/pvboot/loader.h).
 */
struct pb_menu_report {
    bool valid;
    char config[512];         /* $config_file when the menu ran */
    int timeout;              /* -1 = unset */
    char timeout_style[16];   /* "" = unset */
    int path[PB_MENU_MAX_DEPTH];
    int depth;                /* entries of path[] */
    char title[512];
    char id[512];
};

/**
 * pb_menu_run() - show/count down and boot the current menu's default
 * entry; on failure try the fallback entries, then (interactive) let the
 * user choose.  Returns when nothing booted (caller falls back to shell).
 */
int pb_menu_run(struct pb_menu *m);

/** pb_normal_shell() - the minimal line-based command line (never returns
 *  unless input ends). */
void pb_normal_shell(void);

/**
 * pb_normal_execute() - GRUB's `configfile`/`normal`: new context and menu,
 * $config_file/$config_directory set, run @path (or @text if non-NULL),
 * then run the menu it built.  Returns when nothing booted.
 */
int pb_normal_execute(const char *path, const char *text, size_t len);

/** pb_normal_set_platform_env() - grub_platform, grub_cpu, feature_*. */
void pb_normal_set_platform_env(void);

#endif
