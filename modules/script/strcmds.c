/* SPDX-License-Identifier: MIT */
/*
 * String commands of GRUB 2.06 that configs use (man/pvboot.7, "regexp",
 * "tr", "eval"): options, messages and exit statuses as GRUB's, measured
 * with Debian's grub-emu.  A failure GRUB reports as a test failure
 * (regexp: no match, bad pattern) is status 1 without a message.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/regex.h"
#include "pvboot/script.h"
#include "pvboot/strbuf.h"
#include "pvboot/term.h"
#include "interp_int.h"

/* GRUB_ERR_BAD_ARGUMENT: the status GRUB leaves in $? for a usage error */
#define GRUB_STATUS_BAD_ARGUMENT 18

int script_bad_argument(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pb_verror(PB_EINVAL, fmt, ap);
    va_end(ap);
    return GRUB_STATUS_BAD_ARGUMENT;
}

/* status 1 without a message (GRUB_ERR_TEST_FAILURE) */
static int test_failure(void)
{
    pb_error_clear();
    return PB_EINVAL;
}

/*
 * GRUB's option parser for a command whose options are @names (short
 * letter + long name; @takes_arg for those with a value).  Options may
 * stand anywhere; "--" ends them; --name=value and "-s value" forms.
 * Stores the positional arguments in @pos and returns their number, or
 * -1 after recording the error (a usage error: GRUB's status 18).
 * @on(idx, value) is called per option.
 */
struct opt {
    char short_name;
    const char *long_name;
    bool takes_arg;
};

static int parse_opts(int argc, char **argv, const struct opt *opts, int nopts,
                      int (*on)(int idx, const char *value, void *ctx), void *ctx,
                      char **pos)
{
    int np = 0;
    bool ended = false;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (ended || a[0] != '-' || a[1] == 0) {
            pos[np++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            ended = true;
            continue;
        }
        int found = -1;
        const char *value = NULL;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t nl = eq ? (size_t)(eq - name) : strlen(name);
            for (int k = 0; k < nopts; k++)
                if (strlen(opts[k].long_name) == nl && memcmp(opts[k].long_name, name, nl) == 0)
                    found = k;
            if (found >= 0 && eq)
                value = eq + 1;
        } else if (a[2] == 0) {
            for (int k = 0; k < nopts; k++)
                if (opts[k].short_name == a[1])
                    found = k;
        }
        if (found < 0)
            return script_bad_argument("unknown argument `%s'", a), -1;
        if (opts[found].takes_arg && !value) {
            if (i + 1 >= argc || argv[i + 1][0] == '-')
                return script_bad_argument("missing mandatory option for `%s'", opts[found].long_name), -1;
            value = argv[++i];
        }
        if (on(found, value, ctx))
            return -1;
    }
    return np;
}

/* ---- regexp ---- */

#define REGEXP_MAX_SETS 64

struct regexp_opts {
    const char *sets[REGEXP_MAX_SETS];
    int nsets;
};

static int regexp_on(int idx, const char *value, void *ctx)
{
    (void)idx;
    struct regexp_opts *o = ctx;
    if (o->nsets >= REGEXP_MAX_SETS)
        return script_bad_argument("more than %d --set options", REGEXP_MAX_SETS);
    o->sets[o->nsets++] = value;
    return 0;
}

static int cmd_regexp(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    static const struct opt opts[] = { { 's', "set", true } };
    struct regexp_opts o = { .nsets = 0 };
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    if (!pos)
        return pb_error(PB_ENOMEM, "out of memory");
    int np = parse_opts(argc, argv, opts, 1, regexp_on, &o, pos);
    int r = 0;
    struct pb_regex *re = NULL;
    struct pb_regmatch *m = NULL;
    if (np < 0) {
        r = GRUB_STATUS_BAD_ARGUMENT;
        goto out;
    }
    if (np != 2) {
        r = script_bad_argument("two arguments expected");
        goto out;
    }
    if (pb_regex_compile(&re, pos[0]) != 0) {
        r = test_failure();   /* GRUB: regerror text, as a test failure (not shown) */
        goto out;
    }
    size_t nm = pb_regex_nsub(re) + 1;
    m = calloc(nm, sizeof *m);
    if (!m) {
        r = pb_error(PB_ENOMEM, "out of memory");
        goto out;
    }
    int x = pb_regex_exec(re, pos[1], m, nm);
    if (x < 0) {
        r = x;
        goto out;
    }
    if (x == 0) {
        r = test_failure();
        goto out;
    }
    for (int k = 0; k < o.nsets; k++) {
        /* [NUMBER:]VAR; VAR alone is group 1 */
        const char *spec = o.sets[k], *colon = strchr(spec, ':'), *name = spec;
        unsigned long g = 1;
        if (colon) {
            const char *p = spec;
            g = 0;
            bool digits = false, overflow = false;
            while (*p >= '0' && *p <= '9') {
                digits = true;
                if (g > 100000000ul)
                    overflow = true;
                else
                    g = g * 10 + (unsigned long)(*p - '0');
                p++;
            }
            if (!digits && p == colon) {
                /* GRUB: prints "unrecognized number" and uses group 0 */
                pb_printf("error: unrecognized number.\n");
            } else if (p != colon || overflow) {
                r = script_bad_argument("invalid variable name format %s", spec);
                goto out;
            }
            name = colon + 1;
        }
        if (!name[0])
            continue;
        if (g < nm && m[g].so >= 0) {
            char *v = strndup(pos[1] + m[g].so, (size_t)(m[g].eo - m[g].so));
            if (!v) {
                r = pb_error(PB_ENOMEM, "out of memory");
                goto out;
            }
            r = pb_env_set(name, v);
            free(v);
            if (r)
                goto out;
        } else {
            pb_env_unset(name);   /* GRUB unsets VAR for a group that did not match */
        }
    }
out:
    free(m);
    pb_regex_free(re);
    free(pos);
    return r;
}

/* ---- tr ---- */

struct tr_opts {
    const char *set;
    bool up, down;
};

static int tr_on(int idx, const char *value, void *ctx)
{
    struct tr_opts *o = ctx;
    if (idx == 0)
        o->set = value;
    else if (idx == 1)
        o->up = true;
    else
        o->down = true;
    return 0;
}

static int cmd_tr(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    static const struct opt opts[] = {
        { 's', "set", true }, { 'U', "upcase", false }, { 'D', "downcase", false },
    };
    struct tr_opts o = { 0 };
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    if (!pos)
        return pb_error(PB_ENOMEM, "out of memory");
    int np = parse_opts(argc, argv, opts, 3, tr_on, &o, pos);
    int r = 0;
    char *out = NULL;
    if (np < 0) {
        r = GRUB_STATUS_BAD_ARGUMENT;
        goto done;
    }
    const char *s1, *s2, *in;
    if (np == 1 && (o.up || o.down)) {
        /* -D wins over -U, as GRUB's */
        s1 = o.down ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "abcdefghijklmnopqrstuvwxyz";
        s2 = o.down ? "abcdefghijklmnopqrstuvwxyz" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        in = pos[0];
    } else if (np == 3) {
        /* no ranges: every byte of SET1 maps to the byte at its index in SET2 */
        s1 = pos[0];
        s2 = pos[1];
        in = pos[2];
    } else {
        r = script_bad_argument(np > 3 ? "too many parameters" : "missing parameters");
        goto done;
    }
    if (strlen(s1) != strlen(s2)) {
        r = script_bad_argument("set sizes did not match");
        goto done;
    }
    out = strdup(in);
    if (!out) {
        r = pb_error(PB_ENOMEM, "out of memory");
        goto done;
    }
    for (char *p = out; *p; p++) {
        const char *f = strchr(s1, *p);   /* the first occurrence wins */
        if (f)
            *p = s2[f - s1];
    }
    if (o.set)
        r = pb_env_set(o.set, out);
    else
        pb_printf("%s\n", out);
done:
    free(out);
    free(pos);
    return r;
}

/* ---- eval ---- */

/* The arguments joined with spaces run as script text in the caller's
 * context: its positional parameters, loops (break/continue) and
 * function (return) apply.  Status: that of the text's last command; 0
 * after a syntax error (printed), as GRUB 2.06. */
static int cmd_eval(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    struct pb_strbuf b = { .max = PB_SCRIPT_MAX_SIZE };
    for (int i = 1; i < argc; i++) {
        if (i > 1)
            pb_strbuf_add(&b, " ", 1);
        pb_strbuf_str(&b, argv[i]);
    }
    if (b.oom) {
        free(b.d);
        return pb_error(PB_ENOMEM, "eval: text too long or out of memory");
    }
    int st = script_run_eval(b.d ? b.d : "", b.n);
    free(b.d);
    if (st < 0)
        st = 0;   /* the syntax error has been printed */
    pb_error_clear();
    return st;   /* positive: the status, no message */
}

static struct pb_command strcmds[] = {
    { .name = "regexp", .fn = cmd_regexp, .usage = "[--set [NUMBER:]VARNAME]... REGEXP STRING",
      .summary = "Test if REGEXP matches STRING; --set stores submatch NUMBER (default 1)." },
    { .name = "tr", .fn = cmd_tr, .usage = "[--set VARNAME] [-U|-D] [SET1] [SET2] [STRING]",
      .summary = "Translate SET1 characters to SET2 in STRING." },
    { .name = "eval", .fn = cmd_eval, .usage = "STRING...",
      .summary = "Evaluate the arguments as GRUB commands." },
};

void script_register_strcmds(void)
{
    for (unsigned i = 0; i < sizeof strcmds / sizeof strcmds[0]; i++)
        pb_command_register(&strcmds[i]);
}
