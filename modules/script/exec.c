/* SPDX-License-Identifier: MIT */
/*
 * GRUB script interpreter: word expansion, control flow, functions,
 * positional parameters, and the builtins that need interpreter state
 * (break, continue, return, shift, setparams).
 *
 * Expansion (GRUB manual "Shell-like scripting", "Quoting"):
 *  - '...' is literal; "..." expands $var, and \ escapes $ " \ inside it;
 *  - an unquoted \c is c; an unquoted $var is split into words at blanks;
 *  - an unquoted variable that expands to nothing yields no word, "" does;
 *  - "$@" yields one word per positional parameter.
 * Command lookup: script function, then registered command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/script.h"
#include "pvboot/strbuf.h"
#include "pvboot/term.h"
#include "script_int.h"
#include "interp_int.h"

/* GRUB's error numbers, which its builtins leave in $? (include/grub/err.h
 * of GRUB: GRUB_ERR_INVALID_COMMAND, GRUB_ERR_BAD_ARGUMENT) */
#define GRUB_STATUS_INVALID_COMMAND 17
#define GRUB_STATUS_BAD_ARGUMENT 18

/* ---- interpreter state ---- */

struct frame {
    int argc;
    char **argv;      /* owned */
};

struct function {
    char *name;
    struct script *sc;
    struct node *body;
    struct function *next;
};

static struct frame frames[PB_SCRIPT_MAX_CALLS + 2];
static int nframes = 1;
static int call_depth;
static int loop_depth;
static int break_n, continue_n;
static bool returning;
static int last_status;
static bool stop_requested;
static struct function *functions;
static struct script *cur_script;
static int cur_line;
const char *script_late_error;

bool pb_script_stop_requested(void)
{
    return stop_requested;
}

void pb_script_request_stop(bool stop)
{
    stop_requested = stop;
}

int pb_script_status(void)
{
    return last_status;
}

bool name_is_ident(const char *s, size_t len)
{
    if (len == 0 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

static void free_argv(int argc, char **argv)
{
    if (!argv)
        return;
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}

static char **dup_argv(int argc, char **argv)
{
    char **v = calloc((size_t)argc + 1, sizeof(char *));
    if (!v)
        return NULL;
    for (int i = 0; i < argc; i++) {
        v[i] = strdup(argv[i]);
        if (!v[i]) {
            free_argv(i, v);
            return NULL;
        }
    }
    return v;
}

int pb_script_push_params(int argc, char **argv)
{
    if (nframes >= (int)(sizeof frames / sizeof frames[0]))
        return pb_error(PB_ELOOP, "too many nested calls (at most %d)", PB_SCRIPT_MAX_CALLS);
    char **v = dup_argv(argc, argv);
    if (!v)
        return pb_error(PB_ENOMEM, "out of memory");
    frames[nframes].argc = argc;
    frames[nframes].argv = v;
    nframes++;
    return 0;
}

void pb_script_pop_params(void)
{
    if (nframes <= 1)
        return;
    nframes--;
    free_argv(frames[nframes].argc, frames[nframes].argv);
    frames[nframes].argv = NULL;
    frames[nframes].argc = 0;
}

int pb_script_enter_call(void)
{
    if (call_depth >= PB_SCRIPT_MAX_CALLS)
        return pb_error(PB_ELOOP, "too deeply nested function/source/configfile calls (at most %d)",
                        PB_SCRIPT_MAX_CALLS);
    call_depth++;
    return 0;
}

void pb_script_leave_call(void)
{
    if (call_depth > 0)
        call_depth--;
}

/* ---- expansion ---- */

/* Most bytes one word being expanded may take (its NUL included). */
#define WORD_BUF_MAX (PB_SCRIPT_MAX_WORD * 2)

static void sb_put(struct pb_strbuf *b, char c)
{
    pb_strbuf_add(b, &c, 1);
}

struct exp {
    char **v;
    int n, cap;
    struct pb_strbuf cur;   /* the word being built; .max = WORD_BUF_MAX */
    bool have;
    bool oom;
    bool wild;              /* an unquoted * or ? is in cur (wildcard.c) */
};

static void exp_push(struct exp *e, char *w)
{
    if (e->n + 1 >= e->cap) {
        int nc = e->cap ? e->cap * 2 : 16;
        char **v = nc > PB_SCRIPT_MAX_WORDS + 2 ? NULL : realloc(e->v, sizeof(char *) * (size_t)nc);
        if (!v) {
            free(w);
            e->oom = true;
            return;
        }
        e->v = v;
        e->cap = nc;
    }
    e->v[e->n++] = w;
    e->v[e->n] = NULL;
}

static void exp_finish(struct exp *e)
{
    if (e->oom)
        return;
    if (!e->have && e->cur.n == 0)
        return;
    if (e->cur.oom) {
        e->oom = true;
        return;
    }
    char *w = e->cur.d ? e->cur.d : strdup("");
    if (!w) {
        e->oom = true;
        return;
    }
    char **list;
    int nl = e->wild ? script_wildcard(w, &list) : 0;
    if (nl > 0) {
        free(w);
        for (int i = 0; i < nl; i++)
            if (!e->oom)
                exp_push(e, list[i]);
            else
                free(list[i]);
        free(list);
    } else {
        exp_push(e, w);
    }
    e->cur.d = NULL;
    e->cur.n = e->cur.cap = 0;
    e->have = false;
    e->wild = false;
}

static bool is_ifs(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Parse a variable reference at s[0] == '$'. Sets name/namelen; returns
 * the number of bytes consumed (0 = not a reference, literal '$'). */
static size_t var_ref(const char *s, const char **name, size_t *namelen)
{
    if (s[1] == '{') {
        const char *e = strchr(s + 2, '}');
        if (!e)
            return 0;
        *name = s + 2;
        *namelen = (size_t)(e - s - 2);
        return (size_t)(e - s) + 1;
    }
    size_t i = 1;
    if (s[1] >= '0' && s[1] <= '9') {
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    } else if (s[1] == '?' || s[1] == '#' || s[1] == '*' || s[1] == '@') {
        i = 2;
    } else {
        while (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
               (s[i] >= '0' && s[i] <= '9'))
            i++;
        if (i == 1)
            return 0;
    }
    *name = s + 1;
    *namelen = i - 1;
    return i;
}

/* Value of a variable: a string (maybe static buffer) or, for $@/$*, NULL
 * with *is_params set. */
static const char *var_value(const char *name, size_t len, char *tmp, size_t tmpsz, bool *is_params)
{
    *is_params = false;
    if (len == 0)
        return "";
    if (len == 1 && (name[0] == '@' || name[0] == '*')) {
        *is_params = true;
        return NULL;
    }
    if (len == 1 && name[0] == '?') {
        snprintf(tmp, tmpsz, "%d", last_status);
        return tmp;
    }
    if (len == 1 && name[0] == '#') {
        if (nframes <= 1)
            return "";   /* GRUB: no parameters outside a function or entry */
        snprintf(tmp, tmpsz, "%d", frames[nframes - 1].argc);
        return tmp;
    }
    if (name[0] >= '0' && name[0] <= '9') {
        long k = 0;
        for (size_t i = 0; i < len; i++) {
            if (name[i] < '0' || name[i] > '9')
                return "";
            k = k * 10 + (name[i] - '0');
            if (k > 100000)
                return "";
        }
        struct frame *f = &frames[nframes - 1];
        if (k >= 1 && k <= f->argc)
            return f->argv[k - 1];
        return "";
    }
    if (len >= tmpsz)
        return "";
    memcpy(tmp, name, len);
    tmp[len] = 0;
    const char *v = pb_env_get(tmp);
    return v ? v : "";
}

static void put_value(struct exp *e, const char *v, bool quoted)
{
    if (quoted) {
        pb_strbuf_str(&e->cur, v);
        e->have = true;
        return;
    }
    /* GRUB splits an unquoted value into fields at runs of blanks; the
     * first field continues the word being built and the last one is
     * continued by what follows, even when the value starts or ends with
     * blanks ("a${v}" with v=" b c" is "ab" "c"). */
    const char *p = v;
    while (is_ifs(*p))
        p++;
    while (*p) {
        while (*p && !is_ifs(*p)) {
            if (*p == '*' || *p == '?')
                e->wild = true;
            sb_put(&e->cur, *p++);
        }
        while (is_ifs(*p))
            p++;
        if (*p) {
            e->have = true;
            exp_finish(e);
        }
    }
}

static void put_params(struct exp *e, bool quoted, bool at)
{
    struct frame *f = &frames[nframes - 1];
    if (!quoted) {
        /* unquoted $@ and $*: GRUB splits every parameter and makes one list
         * of all the fields (an empty parameter adds nothing, not even a
         * word break): as one value of the parameters joined by blanks */
        struct pb_strbuf all = { .max = WORD_BUF_MAX };
        for (int i = 0; i < f->argc; i++) {
            if (i)
                sb_put(&all, ' ');
            pb_strbuf_str(&all, f->argv[i]);
        }
        if (all.oom)
            e->oom = true;
        else
            put_value(e, all.d ? all.d : "", false);
        free(all.d);
        return;
    }
    for (int i = 0; i < f->argc; i++) {
        if (i > 0) {
            if (!at)
                sb_put(&e->cur, ' ');
            else
                exp_finish(e);
        }
        put_value(e, f->argv[i], quoted);
    }
    /* "$*" is one word; "$@" without parameters is one empty word too (as
     * GRUB: `for a in "$@"` runs once) */
    e->have = true;
}

static void expand_dollar(struct exp *e, const char **pp, bool quoted)
{
    const char *name;
    size_t nl;
    size_t used = var_ref(*pp, &name, &nl);
    if (!used) {
        sb_put(&e->cur, '$');
        if (quoted)
            e->have = true;
        (*pp)++;
        return;
    }
    char tmp[256];
    bool params;
    const char *v = var_value(name, nl, tmp, sizeof tmp, &params);
    if (params)
        put_params(e, quoted, name[0] == '@');
    else
        put_value(e, v, quoted);
    *pp += used;
}

static void expand_word(struct exp *e, const char *raw)
{
    const char *p = raw;
    while (*p && !e->oom) {
        char c = *p;
        if (c == '\'') {
            const char *q = strchr(p + 1, '\'');
            if (!q)
                q = p + strlen(p);
            pb_strbuf_add(&e->cur, p + 1, (size_t)(q - p - 1));
            e->have = true;
            p = *q ? q + 1 : q;
        } else if (c == '"') {
            e->have = true;
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && (p[1] == '$' || p[1] == '"' || p[1] == '\\')) {
                    sb_put(&e->cur, p[1]);
                    p += 2;
                } else if (*p == '$') {
                    expand_dollar(e, &p, true);
                } else {
                    sb_put(&e->cur, *p++);
                }
            }
            if (*p == '"')
                p++;
        } else if (c == '\\') {
            if (p[1]) {
                sb_put(&e->cur, p[1]);
                p += 2;
            } else {
                sb_put(&e->cur, '\\');
                p++;
            }
            e->have = true;
        } else if (c == '$' && p[1] == '"') {
            /* $"...": GRUB's translated string; with no translations
             * loaded it is the "..." string itself */
            p++;
        } else if (c == '$') {
            expand_dollar(e, &p, false);
        } else {
            if (c == '*' || c == '?')
                e->wild = true;
            sb_put(&e->cur, c);
            p++;
        }
        if (e->cur.oom)
            e->oom = true;
    }
    exp_finish(e);
}

static void exp_free(struct exp *e)
{
    free_argv(e->n, e->v);
    free(e->cur.d);
    memset(e, 0, sizeof *e);
}

/* Expand words[0..n) into a NULL-terminated argv. */
static int expand_words(struct word *w, int n, int *argc, char ***argv)
{
    struct exp e = { .cur.max = WORD_BUF_MAX };
    for (int i = 0; i < n && !e.oom; i++) {
        if (w[i].block) {   /* a block argument is one word, as it is */
            char *d = strdup(w[i].raw);
            if (d)
                exp_push(&e, d);
            else
                e.oom = true;
            continue;
        }
        expand_word(&e, w[i].raw);
    }
    if (e.oom) {
        exp_free(&e);
        return pb_error(PB_ENOMEM, "expansion too large or out of memory");
    }
    if (!e.v) {
        e.v = calloc(1, sizeof(char *));
        if (!e.v)
            return pb_error(PB_ENOMEM, "out of memory");
    }
    *argc = e.n;
    *argv = e.v;
    free(e.cur.d);
    return 0;
}

char *pb_script_expand(const char *text)
{
    struct exp e = { .cur.max = WORD_BUF_MAX };
    const char *p = text;
    while (*p && !e.oom) {
        if (*p == '\\' && (p[1] == '$' || p[1] == '"' || p[1] == '\\')) {
            sb_put(&e.cur, p[1]);
            p += 2;
        } else if (*p == '$') {
            const char *name;
            size_t nl;
            size_t used = var_ref(p, &name, &nl);
            if (!used) {
                sb_put(&e.cur, *p++);
                continue;
            }
            char tmp[256];
            bool params;
            const char *v = var_value(name, nl, tmp, sizeof tmp, &params);
            if (params) {
                struct frame *f = &frames[nframes - 1];
                for (int i = 0; i < f->argc; i++) {
                    if (i)
                        sb_put(&e.cur, ' ');
                    pb_strbuf_str(&e.cur, f->argv[i]);
                }
            } else {
                pb_strbuf_str(&e.cur, v);
            }
            p += used;
        } else {
            sb_put(&e.cur, *p++);
        }
        if (e.cur.oom)
            e.oom = true;
    }
    if (e.oom) {
        free(e.cur.d);
        return NULL;
    }
    return e.cur.d ? e.cur.d : strdup("");
}

char *pb_script_quote(const char *word)
{
    size_t n = 3;
    for (const char *p = word; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *out = malloc(n);
    if (!out)
        return NULL;
    char *q = out;
    *q++ = '\'';
    for (const char *p = word; *p; p++) {
        if (*p == '\'') {
            memcpy(q, "'\\''", 4);
            q += 4;
        } else {
            *q++ = *p;
        }
    }
    *q++ = '\'';
    *q = 0;
    return out;
}

/* ---- functions ---- */

static struct function *func_find(const char *name)
{
    for (struct function *f = functions; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static int func_define(const char *name, struct script *sc, struct node *body)
{
    struct function *f = func_find(name);
    if (!f) {
        f = calloc(1, sizeof *f);
        if (!f || !(f->name = strdup(name))) {
            free(f);
            return pb_error(PB_ENOMEM, "out of memory");
        }
        f->next = functions;
        functions = f;
    } else {
        script_unref(f->sc);
    }
    script_ref(sc);
    f->sc = sc;
    f->body = body;
    return 0;
}

bool script_function_exists(const char *name)
{
    return func_find(name) != NULL;
}

void script_functions_clear(void)
{
    while (functions) {
        struct function *f = functions;
        functions = f->next;
        script_unref(f->sc);
        free(f->name);
        free(f);
    }
}

static int call_function(struct function *f, int argc, char **argv)
{
    int r = pb_script_enter_call();
    if (r)
        return r;
    r = pb_script_push_params(argc - 1, argv + 1);
    if (r) {
        pb_script_leave_call();
        return r;
    }
    struct script *sc = f->sc;
    script_ref(sc);   /* the function may be redefined while it runs */
    struct script *saved = cur_script;
    int saved_line = cur_line;
    int saved_loop = loop_depth;
    cur_script = sc;
    loop_depth = 0;
    /* the function's status is its last command's (`return N' is a
     * command with status N); GRUB's `return' flag ends with the call */
    int st = exec_node_list(f->body);
    returning = false;
    break_n = continue_n = 0;
    loop_depth = saved_loop;
    cur_script = saved;
    cur_line = saved_line;
    script_unref(sc);
    pb_script_pop_params();
    pb_script_leave_call();
    last_status = st;
    pb_error_clear();
    return st;   /* positive: the function's status, no message */
}

/* ---- running a command ---- */

/* Set by pb_script_run_argv() when the failure is one GRUB shows but
 * does not count: no such command, or a bad NAME=VALUE (GRUB's "last
 * resort" ends with status 0, and `!` does not invert it). */
static bool soft_failure;

int pb_script_run_argv(int argc, char **argv)
{
    soft_failure = false;
    if (argc < 1)
        return 0;
    struct function *f = func_find(argv[0]);
    int r;
    if (f) {
        r = call_function(f, argc, argv);
        soft_failure = false;   /* set, maybe, by a command inside */
        return r;
    }
    struct pb_command *c = pb_command_find(argv[0]);
    if (c) {
        r = pb_command_run(argc, argv);
        soft_failure = false;
        return r;
    }
    /* GRUB's last resort: a first word NAME=VALUE (after expansion) that
     * names no command sets NAME; the other words are ignored, so
     * `default=1 2` sets 1 and `x=$a` with a="p q" sets p. */
    const char *eq = strchr(argv[0], '=');
    soft_failure = true;
    if (!eq)
        return pb_command_not_found(argv[0]);
    char *name = strndup(argv[0], (size_t)(eq - argv[0]));
    if (!name)
        return pb_error(PB_ENOMEM, "out of memory");
    /* positional and special parameters cannot be set */
    if (name[0] == 0 || (name[0] >= '0' && name[0] <= '9') || strcmp(name, "#") == 0 ||
        strcmp(name, "*") == 0 || strcmp(name, "@") == 0 || strcmp(name, "?") == 0)
        r = pb_error(PB_EINVAL, "invalid variable name `%s'", name);
    else
        r = pb_env_set(name, eq + 1);
    free(name);
    return r;
}

/* GRUB's error number between commands (grub_errno): an error raised and
 * not yet shown.  Only `!' with no command leaves one (GRUB returns before
 * showing it).  The next command shows it after its own output, unless it
 * raises an error of its own (which replaces it) or is a function or no
 * command at all (GRUB clears the error number before looking those up);
 * an empty command returns it as its status; an `if' drops it after its
 * condition; the end of a line of a config file shows it. */
static const char *pending_error;
static int pending_line;

static void show_pending(void)
{
    if (!pending_error)
        return;
    if (cur_script)
        pb_printf("error: %s:%d: %s\n", cur_script->filename, pending_line, pending_error);
    else
        pb_printf("error: %s\n", pending_error);
    pending_error = NULL;
}

static void report_error(int line)
{
    const char *m = pb_errmsg();
    /* shown wherever it happens, in an if/while condition too (as GRUB);
     * a false test has no message */
    if (m && *m) {
        if (cur_script)
            pb_printf("error: %s:%d: %s\n", cur_script->filename, line, m);
        else
            pb_printf("error: %s\n", m);
    }
    pb_error_clear();
}

/* Status of a finished command: 0 success, >0 failure (as $? shows). */
static int status_of(int r)
{
    return r == 0 ? 0 : (r < 0 ? -r : r);
}

/* menuentry, submenu, hiddenentry: the block commands (registered by
 * module normal); their options are parsed here as GRUB's extcmd does */
static bool is_menu_cmd(const char *name)
{
    return pb_command_find_block(name) != NULL;
}

/* GRUB's status for "menuentry is missing title" (GRUB_ERR_MENU) */
#define GRUB_STATUS_MENU 27


/*
 * GRUB's menuentry and submenu commands (its commands/menuentry.c, with
 * the option parser of its extcmd): --class, --users, --hotkey, --source
 * and --id take a value (`--id=V' or the next word, a block too), and
 * --unrestricted none (--users may go without one, as in Red Hat's GRUB:
 * tests/grubdiff/DIFFERENCES.md D8); `--' ends the options; any other
 * word, with dashes or not, is an argument.  With a block argument (the command's block,
 * not a quoted "{...}") the last argument is the body, less its first
 * and last byte, and the arguments before it are the title and the
 * entry's $2...; with --source the value is the body.  Errors (status 18
 * unless said): no arguments, both or neither of a block and --source,
 * no title (27).  pvboot's hiddenentry (SUSE's GRUB) works the same.
 */
static int exec_menu(struct node *n, int argc, char **argv)
{
    static const char *const valued[] = { "class", "users", "hotkey", "source", "id" };
    bool block = n->nwords > 0 && n->words[n->nwords - 1].block;
    /* options as --NAME=VALUE, then `--', then the titles */
    char **v = calloc((size_t)argc + 2, sizeof *v);
    const char **args = calloc((size_t)argc + 1, sizeof *args);
    int nv = 0, na = 0, r = 0;
    const char *source = NULL;
    if (!v || !args) {
        r = pb_error(PB_ENOMEM, "out of memory");
        goto out;
    }
    bool opts = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0) {
            opts = false;
            continue;
        }
        if (opts && a[0] == '-' && a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t nl = eq ? (size_t)(eq - name) : strlen(name);
            unsigned k = 0;
            while (k < sizeof valued / sizeof valued[0] &&
                   !(strlen(valued[k]) == nl && strncmp(valued[k], name, nl) == 0))
                k++;
            if (k < sizeof valued / sizeof valued[0]) {
                const char *val = eq ? eq + 1 : i + 1 < argc ? argv[i + 1] : NULL;
                if (k == 1 && !eq && (!val || strncmp(val, "--", 2) == 0)) {
                    /* Red Hat's GRUB: --users without a value (D8) */
                    if (!(v[nv++] = strdup("--users"))) {
                        r = pb_error(PB_ENOMEM, "out of memory");
                        goto out;
                    }
                    continue;
                }
                if (!eq && val)
                    i++;
                if (!val) {
                    r = script_bad_argument("missing mandatory option for `%s'", valued[k]);
                    goto out;
                }
                if (k == 3) {
                    source = val;
                    continue;
                }
                size_t len = strlen(valued[k]) + strlen(val) + 4;
                if (!(v[nv] = malloc(len))) {
                    r = pb_error(PB_ENOMEM, "out of memory");
                    goto out;
                }
                snprintf(v[nv++], len, "--%s=%s", valued[k], val);
                continue;
            }
            if (nl == 12 && strncmp(name, "unrestricted", 12) == 0) {
                if (eq) {
                    r = script_bad_argument("a value was assigned to the argument `%s' while it doesn't "
                                     "require an argument", a);
                    goto out;
                }
                if (!(v[nv++] = strdup(a))) {
                    r = pb_error(PB_ENOMEM, "out of memory");
                    goto out;
                }
                continue;
            }
        }
        args[na++] = a;
    }
    if (na == 0) {
        r = script_bad_argument("missing arguments");
        goto out;
    }
    if (source && block) {
        r = script_bad_argument("multiple menuentry definitions");
        goto out;
    }
    if (!source && !block) {
        r = script_bad_argument("no menuentry definition");
        goto out;
    }
    const char *body = source;
    size_t bodylen = source ? strlen(source) : 0;
    if (block) {
        body = args[--na];
        bodylen = strlen(body);
        bodylen = bodylen >= 2 ? bodylen - 2 : 0;
        body++;
    }
    if (na == 0) {
        pb_error(PB_EINVAL, "menuentry is missing title");
        r = GRUB_STATUS_MENU;
        goto out;
    }
    if (!(v[nv] = strdup("--"))) {
        r = pb_error(PB_ENOMEM, "out of memory");
        goto out;
    }
    nv++;
    for (int i = 0; i < na; i++)
        v[nv + i] = (char *)args[i];
    /* the normalised words go to the block command (module normal adds
     * the entry): NAME, the options, "--", the titles */
    struct pb_command *c = pb_command_find_block(argv[0]);
    char **cv = calloc((size_t)(nv + na + 1), sizeof *cv);
    if (!c || !cv) {
        r = c ? pb_error(PB_ENOMEM, "out of memory") : pb_command_not_found(argv[0]);
        free(cv);
        goto out;
    }
    cv[0] = argv[0];
    for (int i = 0; i < nv + na; i++)
        cv[1 + i] = v[i];
    struct pb_command_block blk = {
        .text = body, .len = bodylen,
        .file = cur_script ? cur_script->filename : "", .line = n->line,
    };
    r = c->block_fn(c, nv + na + 1, cv, &blk);
    free(cv);
out:
    for (int i = 0; v && i < nv; i++)
        free(v[i]);
    free(v);
    free(args);
    return r;
}

static int exec_cmd(struct node *n)
{
    cur_line = n->line;
    soft_failure = false;
    int argc;
    char **argv;
    int r = expand_words(n->words, n->nwords, &argc, &argv);
    if (r) {
        report_error(n->line);
        return status_of(r);
    }
    /* GRUB negates when the first word, after expansion, is `!' (the
     * parser's n->negate is such a word it took) */
    int ac = argc;
    char **av = argv;
    bool invert = n->negate;
    if (!invert && ac > 0 && strcmp(av[0], "!") == 0) {
        invert = true;
        av++;
        ac--;
    }
    if (ac == 0) {
        int st = 0;
        if (!invert) {   /* an empty command: GRUB returns its error number */
            st = pending_error ? GRUB_STATUS_BAD_ARGUMENT : 0;
        } else {
            pending_error = "no command is specified";
            pending_line = n->line;
            st = GRUB_STATUS_BAD_ARGUMENT;
        }
        free_argv(argc, argv);
        return st;
    }
    /* GRUB clears its error number before it looks up a function or tries
     * NAME=VALUE (no command of that name) */
    if (func_find(av[0]) || (!pb_command_find(av[0]) && !is_menu_cmd(av[0])))
        pending_error = NULL;
    pb_error_clear();
    if (!func_find(av[0]) && is_menu_cmd(av[0])) {
        soft_failure = false;
        r = exec_menu(n, ac, av);
    } else {
        r = pb_script_run_argv(ac, av);
    }
    /* a failure without a message (false, a false test) is status 1 */
    int st = (r < 0 && !pb_errmsg()[0]) ? 1 : status_of(r);
    bool soft = soft_failure;
    if (soft)
        st = 0;   /* GRUB's last resort: status 0, `!' does not invert it */
    if (script_late_error) {
        if (r == 0 && !invert) {
            pb_error(PB_EINVAL, "%s", script_late_error);
            report_error(n->line);
        }
        script_late_error = NULL;
    }
    if (r < 0)   /* an error raised by the command replaces a pending one */
        pending_error = NULL;
    if (invert && !soft) {
        /* GRUB: success becomes the silent failure 1; the silent failure
         * becomes success (and a pending error is dropped); any other
         * status becomes 0 with its error shown */
        if (st == 0) {
            st = 1;
            pending_error = NULL;
        } else if (st == 1 && !pb_errmsg()[0]) {
            st = 0;
            pending_error = NULL;
        } else {
            st = 0;
        }
    }
    if (r != 0)
        report_error(n->line);
    show_pending();
    free_argv(argc, argv);
    return st;
}

static bool interrupted(void)
{
    return stop_requested || break_n > 0 || continue_n > 0 || returning;
}

/* After one run of a while/until/for body: consume a pending `break` or
 * `continue` aimed at this loop.  Returns true when the loop must end (stop
 * or return requested, a `break [N]`, or a `continue N` with N > 1 that
 * continues an outer loop); false to run the next iteration. */
static bool loop_body_ends_loop(void)
{
    if (stop_requested || returning)
        return true;
    if (break_n > 0) {
        break_n--;
        return true;
    }
    if (continue_n > 0) {
        if (--continue_n > 0)
            return true;
    }
    return false;
}

static int exec_loop(struct node *n)
{
    int st = 0;
    loop_depth++;
    for (long iter = 0;; iter++) {
        if (iter >= PB_SCRIPT_MAX_LOOP) {
            pb_error(PB_ELOOP, "loop ran %d times; stopped", PB_SCRIPT_MAX_LOOP);
            report_error(n->line);
            st = 1;
            break;
        }
        int c = exec_node_list(n->cond);
        if (stop_requested || returning) {
            st = c;
            break;
        }
        if (break_n > 0) {   /* break inside the condition */
            break_n--;
            break;
        }
        bool go = n->type == N_WHILE ? c == 0 : c != 0;
        if (!go) {
            st = c;   /* GRUB: the loop's status is the last condition's */
            break;
        }
        st = exec_node_list(n->body);
        if (loop_body_ends_loop())
            break;
    }
    loop_depth--;
    return st;
}

static int exec_for(struct node *n)
{
    int argc;
    char **argv;
    int r = expand_words(n->words + 1, n->nwords - 1, &argc, &argv);
    if (r) {
        report_error(n->line);
        return status_of(r);
    }
    int st = 0;
    loop_depth++;
    for (int i = 0; i < argc; i++) {
        pb_env_set(n->words[0].raw, argv[i]);
        st = exec_node_list(n->body);
        if (loop_body_ends_loop())
            break;
    }
    loop_depth--;
    free_argv(argc, argv);
    return st;
}

static int exec_node(struct node *n)
{
    int st = 0;
    switch (n->type) {
    case N_CMD:
        st = exec_cmd(n);
        break;
    case N_IF: {
        int c = exec_node_list(n->cond);
        pending_error = NULL;   /* GRUB clears its error number here */
        if (interrupted())
            return c;
        if (c == 0)
            st = exec_node_list(n->body);
        else if (n->els)
            st = exec_node_list(n->els);
        else
            st = 0;
        break;
    }
    case N_WHILE:
    case N_UNTIL:
        st = exec_loop(n);
        break;
    case N_FOR:
        st = exec_for(n);
        break;
    case N_FUNC: {
        /* a definition is no command: $? stays (as GRUB) */
        int r = func_define(n->words[0].raw, cur_script, n->body);
        if (r)
            report_error(n->line);
        st = r ? status_of(r) : last_status;
        break;
    }
    }
    return st;
}

int exec_node_list(struct node *n)
{
    int st = 0;
    for (; n; n = n->next) {
        if (stop_requested || break_n > 0 || continue_n > 0)
            break;
        st = exec_node(n);
        last_status = st;
        /* GRUB (grub_script_execute_cmdlist) looks at its `return' flag
         * after a command: a list begun while the flag is up (the lines of
         * a file sourced by the function after its `return', the bodies
         * run after a `return' in a menu entry) runs its first command */
        if (returning)
            break;
    }
    return st;
}

/*
 * Parse and run @text chunk by chunk (parser_next_chunk: what ends on one
 * line, as GRUB reads a config).  With @recover (a config file: GRUB's
 * read_config_file) a syntax error is shown and the rest of its line is
 * skipped; without (a menu entry body: GRUB's execute_sourcecode) it ends
 * the text.  Returns the last status, or the (negative) syntax error.
 */
static int run_text(const char *text, size_t len, const char *filename, int first_line, bool recover,
                    bool config)
{
    if (len > PB_SCRIPT_MAX_SIZE) {
        int r = pb_error(PB_ERANGE, "%s: script too large (%zu bytes)", filename, len);
        pb_print_error();
        return r;
    }
    int r = pb_script_enter_call();
    if (r) {
        pb_print_error();
        return r;
    }
    struct script *sc;
    struct parser *p = parser_new(text, len, filename, first_line, &sc);
    if (!p) {
        pb_script_leave_call();
        pb_print_error();
        return PB_ENOMEM;
    }
    if (config)
        parser_config_file(p);
    struct script *saved = cur_script;
    int saved_line = cur_line;
    cur_script = sc;
    int st = 0, syntax = 0;
    struct node *list;
    /* GRUB reads on after `return' (see exec_node_list) and after `break'
     * (its lists then run nothing, but later syntax errors are shown) */
    while (!stop_requested) {
        r = parser_next_chunk(p, &list);
        if (r == 0)
            break;
        if (r < 0) {
            pb_print_error();
            syntax = r;
            if (!recover || r == PB_ENOMEM)
                break;
            parser_recover(p);
            continue;
        }
        st = exec_node_list(list);
        show_pending();
    }
    if (syntax)
        st = syntax;
    parser_free(p);
    cur_script = saved;
    cur_line = saved_line;
    script_unref(sc);
    pb_script_leave_call();
    return st;
}

int pb_script_run(const char *text, size_t len, const char *filename)
{
    return run_text(text, len, filename, 1, true, true);
}

int script_run_eval(const char *text, size_t len)
{
    return run_text(text, len, "eval", 1, true, false);
}

int pb_script_run_at(const char *text, size_t len, const char *filename, int first_line)
{
    return run_text(text, len, filename, first_line, false, false);
}

/* ---- builtins that need the interpreter ---- */

static int parse_count(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end || v < 0 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

static int cmd_break(struct pb_command *cmd, int argc, char **argv)
{
    int k = 1;
    if (argc > 1 && (parse_count(argv[1], &k) || k < 1))
        return pb_error(PB_EINVAL, "%s: bad count `%s'", cmd->name, argv[1]);
    if (loop_depth == 0)
        return 0;
    if (k > loop_depth)
        k = loop_depth;
    if (strcmp(cmd->name, "break") == 0)
        break_n = k;
    else
        continue_n = k;
    return 0;
}

static int cmd_return(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    /* GRUB: only a function or a menu entry body has a scope to return
     * from; elsewhere (the top level of a config, sourced or not) and with
     * more than one argument it is an error and the script goes on */
    if (nframes <= 1 || argc > 2) {
        pb_error(PB_EINVAL, "not in function body");
        return GRUB_STATUS_BAD_ARGUMENT;
    }
    int k = last_status;
    if (argc > 1 && parse_count(argv[1], &k))
        return pb_error(PB_EINVAL, "return: bad status `%s'", argv[1]);
    returning = true;
    /* the command's own status is N, as GRUB (so `! return 1' is 0); GRUB
     * raises N > 1 as the error "false" (shown), 1 is its silent test
     * failure */
    if (argc > 1 && k > 1)
        pb_error(PB_EINVAL, "false");
    return k;
}

static int cmd_shift(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    /* GRUB: nothing to shift outside a function or entry (success); a bad
     * count or more than there are fails without a message */
    if (nframes <= 1)
        return 0;
    struct frame *f = &frames[nframes - 1];
    long k = 1;
    if (argc > 1) {
        const char *s = argv[1];
        if (!(*s >= '0' && *s <= '9')) {
            pb_error(PB_EINVAL, "unrecognized number");   /* shown, as GRUB */
            return GRUB_STATUS_BAD_ARGUMENT;
        }
        for (k = 0; *s >= '0' && *s <= '9' && k <= 1000000; s++)
            k = k * 10 + (*s - '0');
        if (*s)
            k = -1;
    }
    if (argc > 2 || k < 0 || k > f->argc) {
        pb_error_clear();
        return GRUB_STATUS_BAD_ARGUMENT;
    }
    for (int i = 0; i < k; i++)
        free(f->argv[i]);
    memmove(f->argv, f->argv + k, sizeof(char *) * (size_t)(f->argc - k + 1));
    f->argc -= k;
    return 0;
}

static int cmd_setparams(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    if (nframes <= 1) {   /* GRUB: no scope to set outside a function or entry */
        pb_error_clear();
        return GRUB_STATUS_INVALID_COMMAND;
    }
    char **v = dup_argv(argc - 1, argv + 1);
    if (!v)
        return pb_error(PB_ENOMEM, "out of memory");
    struct frame *f = &frames[nframes - 1];
    free_argv(f->argc, f->argv);
    f->argc = argc - 1;
    f->argv = v;
    return 0;
}

static struct pb_command builtin_cmds[] = {
    { .name = "break", .fn = cmd_break, .usage = "[N]", .summary = "Leave N enclosing loops." },
    { .name = "continue", .fn = cmd_break, .usage = "[N]", .summary = "Next iteration of the N-th enclosing loop." },
    { .name = "return", .fn = cmd_return, .usage = "[N]", .summary = "Return from a function with status N." },
    { .name = "shift", .fn = cmd_shift, .usage = "[N]", .summary = "Drop the first N positional parameters." },
    { .name = "setparams", .fn = cmd_setparams, .usage = "[ARG]...", .summary = "Replace the positional parameters." },
};

void script_register_builtins(void)
{
    for (unsigned i = 0; i < sizeof builtin_cmds / sizeof builtin_cmds[0]; i++)
        pb_command_register(&builtin_cmds[i]);
}

void script_reset_interpreter(void)
{
    while (nframes > 1)
        pb_script_pop_params();
    free_argv(frames[0].argc, frames[0].argv);
    frames[0].argc = 0;
    frames[0].argv = NULL;
    call_depth = loop_depth = 0;
    break_n = continue_n = 0;
    returning = false;
    pending_error = NULL;
    last_status = 0;
    stop_requested = false;
    script_functions_clear();
    cur_script = NULL;
}

const char *script_current_file(void)
{
    return cur_script ? cur_script->filename : NULL;
}
