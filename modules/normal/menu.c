/* SPDX-License-Identifier: MIT */
/*
 * Menu model (include/pvboot/menu.h): entries, default/fallback matching,
 * entering and leaving submenus, and the menuentry/submenu/hiddenentry
 * block commands that add entries.  The runner that picks and boots an
 * entry (menu_run.c) and the full-screen interface (menu_ui.c) are built
 * on it; it calls neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/menu.h"
#include "pvboot/script.h"
#include "pvboot/term.h"
#include "pvboot/time.h"
#include "normal_int.h"

#define MENU_STACK_MAX 80

static struct pb_menu *stack[MENU_STACK_MAX];
static int nstack;

struct pb_menu *pb_menu_current(void)
{
    return nstack ? stack[nstack - 1] : NULL;
}

int pb_menu_push(void)
{
    if (nstack >= MENU_STACK_MAX)
        return pb_error(PB_ELOOP, "menus nested too deeply");
    struct pb_menu *m = calloc(1, sizeof *m);
    if (!m)
        return pb_error(PB_ENOMEM, "out of memory");
    stack[nstack++] = m;
    return 0;
}

static void free_entry(struct pb_menu_entry *e)
{
    free(e->title);
    free(e->id);
    for (int i = 0; i < e->nr_classes; i++)
        free(e->classes[i]);
    free(e->classes);
    free(e->users);
    for (int i = 0; i < e->argc; i++)
        free(e->argv[i]);
    free(e->argv);
    free(e->body);
    free(e->file);
    free(e);
}

void pb_menu_pop(void)
{
    if (!nstack)
        return;
    struct pb_menu *m = stack[--nstack];
    struct pb_menu_entry *e = m->first;
    while (e) {
        struct pb_menu_entry *n = e->next;
        free_entry(e);
        e = n;
    }
    free(m);
}

static const struct { const char *name; int key; } hotkeys[] = {
    { "backspace", PB_KEY_BACKSPACE }, { "tab", PB_KEY_TAB }, { "delete", PB_KEY_DELETE },
    { "insert", PB_KEY_INSERT }, { "esc", PB_KEY_ESC },
    { "f1", PB_KEY_F1 }, { "f2", PB_KEY_F2 }, { "f3", PB_KEY_F3 }, { "f4", PB_KEY_F4 },
    { "f5", PB_KEY_F5 }, { "f6", PB_KEY_F6 }, { "f7", PB_KEY_F7 }, { "f8", PB_KEY_F8 },
    { "f9", PB_KEY_F9 }, { "f10", PB_KEY_F10 }, { "f11", PB_KEY_F11 }, { "f12", PB_KEY_F12 },
};

static int parse_hotkey(const char *s)
{
    if (s[0] && !s[1])
        return (unsigned char)s[0];
    for (unsigned i = 0; i < sizeof hotkeys / sizeof hotkeys[0]; i++)
        if (strcasecmp(s, hotkeys[i].name) == 0)
            return hotkeys[i].key;
    return 0;
}

int pb_menu_add_entry(int argc, char **argv, const char *body, size_t bodylen,
                      bool submenu, bool hidden, const char *file, int line)
{
    const char *kw = submenu ? "submenu" : "menuentry";
    if (!pb_menu_current() && pb_menu_push())
        return PB_ENOMEM;
    struct pb_menu *m = pb_menu_current();
    if (m->count >= PB_MENU_MAX_ENTRIES)
        return pb_error(PB_ERANGE, "%s: too many menu entries (at most %d)", kw, PB_MENU_MAX_ENTRIES);
    struct pb_menu_entry *e = calloc(1, sizeof *e);
    if (!e)
        return pb_error(PB_ENOMEM, "out of memory");
    e->submenu = submenu;
    e->hidden = hidden;
    e->line = line;
    e->argv = calloc((size_t)argc + 1, sizeof(char *));
    e->classes = calloc((size_t)argc + 1, sizeof(char *));
    e->body = malloc(bodylen + 1);
    e->file = strdup(file ? file : "");
    int r = 0;
    if (!e->argv || !e->classes || !e->body || !e->file) {
        r = pb_error(PB_ENOMEM, "out of memory");
        goto fail;
    }
    memcpy(e->body, body, bodylen);
    e->body[bodylen] = 0;
    bool opts_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) {
            opts_done = true;
            continue;
        }
        if (!opts_done && a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nl = eq ? (size_t)(eq - name) : strlen(name);
            const char *val = eq ? eq + 1 : NULL;
#define OPT(s) (nl == strlen(s) && strncmp(name, s, nl) == 0)
            if (OPT("unrestricted")) {
                e->unrestricted = true;
                continue;
            }
            if (OPT("users")) {
                /* rhboot: the value is optional */
                if (!val && i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                    val = argv[++i];
                free(e->users);
                e->users = strdup(val ? val : "");
                if (!e->users) {
                    r = pb_error(PB_ENOMEM, "out of memory");
                    goto fail;
                }
                continue;
            }
            if (OPT("class") || OPT("id") || OPT("hotkey") || OPT("source")) {
                if (!val) {
                    if (i + 1 >= argc) {
                        r = pb_error(PB_EINVAL, "%s: option --%.*s needs a value", kw, (int)nl, name);
                        goto fail;
                    }
                    val = argv[++i];
                }
                if (OPT("class")) {
                    if (!(e->classes[e->nr_classes++] = strdup(val))) {
                        r = pb_error(PB_ENOMEM, "out of memory");
                        goto fail;
                    }
                } else if (OPT("id")) {
                    free(e->id);
                    if (!(e->id = strdup(val))) {
                        r = pb_error(PB_ENOMEM, "out of memory");
                        goto fail;
                    }
                } else if (OPT("hotkey")) {
                    e->hotkey = parse_hotkey(val);
                }
                continue;
            }
#undef OPT
            r = pb_error(PB_EINVAL, "%s: unknown option `%s'", kw, a);
            goto fail;
        }
        if (!(e->argv[e->argc++] = strdup(a))) {
            r = pb_error(PB_ENOMEM, "out of memory");
            goto fail;
        }
    }
    if (e->argc < 1) {
        r = pb_error(PB_EINVAL, "%s: missing title", kw);
        goto fail;
    }
    if (!(e->title = strdup(e->argv[0]))) {
        r = pb_error(PB_ENOMEM, "out of memory");
        goto fail;
    }
    if (m->last)
        m->last->next = e;
    else
        m->first = e;
    m->last = e;
    m->count++;
    return 0;
fail:
    free_entry(e);
    return r;
}

struct pb_menu_entry *pb_menu_entry_at(struct pb_menu *m, int index)
{
    if (!m || index < 0)
        return NULL;
    int i = 0;
    for (struct pb_menu_entry *e = m->first; e; e = e->next) {
        if (i == index)
            return e;
        i++;
    }
    return NULL;
}

size_t pb_menu_default_split(const char *spec, const char **rest)
{
    size_t i = 0;
    *rest = NULL;
    while (spec[i]) {
        if (spec[i] == '>') {
            if (spec[i + 1] == '>') {
                i += 2;
                continue;
            }
            *rest = spec + i + 1;
            return i;
        }
        i++;
    }
    return i;
}

/* Does @name equal the path element @spec (@len bytes, '>>' = '>')? */
static bool element_eq(const char *name, const char *spec, size_t len)
{
    if (!name)
        return false;
    size_t i = 0;
    for (; *name; name++) {
        if (i >= len)
            return false;
        if (*name == '>') {
            if (i + 1 >= len || spec[i] != '>' || spec[i + 1] != '>')
                return false;
            i += 2;
        } else {
            if (spec[i] != *name)
                return false;
            i++;
        }
    }
    return i == len;
}

int pb_menu_match(struct pb_menu *m, const char *spec, size_t len)
{
    if (!m || len == 0)
        return -1;
    int i = 0;
    for (struct pb_menu_entry *e = m->first; e; e = e->next, i++)
        if (element_eq(e->id, spec, len))
            return i;
    i = 0;
    for (struct pb_menu_entry *e = m->first; e; e = e->next, i++)
        if (element_eq(e->title, spec, len))
            return i;
    /* then a number as GRUB reads it (grub_strtoul base 0): blanks, 0x
     * hexadecimal or 0N octal, digits up to the first other character
     * ("1 " and "2nd" are 1 and 2) */
    size_t k = 0;
    while (k < len && (spec[k] == ' ' || spec[k] == '\t'))
        k++;
    unsigned base = 10;
    if (k + 1 < len && spec[k] == '0' && (spec[k + 1] == 'x' || spec[k + 1] == 'X')) {
        base = 16;
        k += 2;
    } else if (k + 1 < len && spec[k] == '0' && spec[k + 1] >= '0' && spec[k + 1] <= '7') {
        base = 8;
    }
    long v = 0;
    size_t first = k;
    for (; k < len; k++) {
        char ch = spec[k];
        unsigned d = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0')
                   : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
                   : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10) : 99;
        if (d >= base)
            break;
        v = v * (long)base + (long)d;
        if (v > PB_MENU_MAX_ENTRIES)
            return -1;
    }
    if (k == first)
        return -1;
    return v < m->count ? (int)v : -1;
}

int pb_menu_get_timeout(void)
{
    const char *t = pb_env_get("timeout");
    if (!t || !*t)
        return -1;
    char *end;
    long v = strtol(t, &end, 10);
    if (end == t || *end || v < 0)
        return -1;
    return v > 100000000 ? 100000000 : (int)v;
}

/* Open the scope of a submenu (normal_int.h). */
int normal_menu_push_scope(void)
{
    int r = pb_env_push();
    if (r)
        return r;
    r = pb_menu_push();
    if (r)
        pb_env_pop();
    return r;
}

int pb_menu_enter(struct pb_menu_entry *e)
{
    int r = normal_menu_push_scope();
    if (r)
        return r;
    r = pb_script_push_params(e->argc, e->argv);
    if (r) {
        pb_menu_pop();
        pb_env_pop();
        return r;
    }
    pb_script_run_at(e->body, strlen(e->body), e->file, e->line);
    pb_script_pop_params();
    return 0;
}

void pb_menu_leave(void)
{
    pb_menu_pop();
    pb_env_pop();
}


static int cmd_menuentry(struct pb_command *cmd, int argc, char **argv,
                         const struct pb_command_block *b)
{
    return pb_menu_add_entry(argc - 1, argv + 1, b->text, b->len,
                             strcmp(cmd->name, "submenu") == 0,
                             strcmp(cmd->name, "hiddenentry") == 0, b->file, b->line);
}

static struct pb_command menu_cmds[] = {
    { .name = "menuentry", .block_fn = cmd_menuentry, .flags = PB_CMD_F_BLOCK,
      .usage = "TITLE [OPTIONS] [ARG]... { COMMANDS }", .summary = "Add a menu entry." },
    { .name = "submenu", .block_fn = cmd_menuentry, .flags = PB_CMD_F_BLOCK,
      .usage = "TITLE [OPTIONS] [ARG]... { COMMANDS }", .summary = "Add a submenu." },
    { .name = "hiddenentry", .block_fn = cmd_menuentry, .flags = PB_CMD_F_BLOCK,
      .usage = "TITLE [OPTIONS] [ARG]... { COMMANDS }",
      .summary = "Add an entry that is bootable but not listed." },
};

void normal_register_menu_commands(void)
{
    for (unsigned i = 0; i < sizeof menu_cmds / sizeof menu_cmds[0]; i++)
        pb_command_register(&menu_cmds[i]);
}
