/* SPDX-License-Identifier: MIT */
/*
 * `test` and `[` (GRUB manual, "test"): string operators = == != < <= > >=
 * -z -n, integer operators -eq -ne -lt -le -gt -ge (GRUB number syntax:
 * 0x hexadecimal, 0N octal), GRUB's -pgt/-plt (the numbers from where the
 * strings first differ), file tests -d -e -f -s and -nt/-ot (modification
 * time, optional bias), ! -a -o and parentheses, evaluated left to right
 * as GRUB 2.06 does.  A false test fails silently ($? = 1, no message).
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/script.h"
#include "interp_int.h"

/*
 * GRUB's number syntax (grub_strtoul/grub_strtosl with base 0): an optional
 * sign, "0x"/"0X" for hexadecimal, a leading 0 followed by an octal digit for
 * octal, else decimal; the digits end at the first character that is not
 * one.  No digits at all reads as 0, and @bad is set (GRUB then shows
 * "unrecognized number" but still compares).
 */
static unsigned long long gnum(const char *s, bool *bad)
{
    while (*s == ' ' || *s == '\t')
        s++;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && s[1] >= '0' && s[1] <= '7') {
        base = 8;
    }
    unsigned long long v = 0;
    bool any = false;
    for (;; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (*s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (*s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            break;
        if (d >= base)
            break;
        v = v * base + d;
        any = true;
    }
    if (!any && bad)
        *bad = true;
    return v;
}

static long long num(const char *s, bool *bad)
{
    while (*s == ' ' || *s == '\t')
        s++;
    bool neg = *s == '-';   /* no '+': GRUB reads "+4" as no number */
    if (neg)
        s++;
    unsigned long long v = gnum(s, bad);
    return neg ? -(long long)v : (long long)v;
}

/*
 * GRUB -pgt/-plt: skip the common prefix of @a and @b, back up to the start
 * of the run of digits the first difference is in, and compare the
 * numbers from there (so vmlinuz-5.10.0 -pgt vmlinuz-5.9.0 compares 10
 * with 9).
 */
static int prefixed_cmp(const char *a, const char *b, bool *bad)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    /* as GRUB: the first character of the string is never backed over */
    if (i > 0) {
        i--;
        while (i > 0 && a[i] >= '0' && a[i] <= '9')
            i--;
        i++;
    }
    unsigned long long x = gnum(a + i, bad), y = gnum(b + i, bad);
    return x < y ? -1 : x > y;
}

static bool file_test(const char *op, const char *path)
{
    struct pb_stat st;
    int r = pb_stat_path(path, &st, 0);
    pb_error_clear();
    if (r)
        return false;
    switch (op[1]) {
    case 'd':
        return st.type == PB_FT_DIR;
    case 'f':
        return st.type == PB_FT_REG;
    case 's':
        return st.type != PB_FT_DIR && st.size > 0;
    default:
        return true;
    }
}

/* -nt / -ot, with GRUB's optional bias in seconds added to the first
 * file's time (-nt5): a missing file is older than any.  Any operator
 * that starts with -nt/-ot is one; a bias without digits (-ntrail) counts
 * as 0 and sets *bad, as a number operand does. */
static bool time_test(const char *a, const char *op, const char *b, bool *bad)
{
    struct pb_stat sa, sb;
    bool ha = pb_stat_path(a, &sa, 0) == 0;
    bool hb = pb_stat_path(b, &sb, 0) == 0;
    pb_error_clear();
    long long bias = op[3] ? num(op + 3, bad) : 0;
    if (op[1] == 'n')
        return (ha && !hb) || (ha && hb && (long long)sa.mtime + bias > (long long)sb.mtime);
    return (!ha && hb) || (ha && hb && (long long)sa.mtime + bias < (long long)sb.mtime);
}

/* One three-word test @a OP @b; false with *known = false when OP is none. */
static bool binary(const char *a, const char *op, const char *b, bool *bad, bool *known)
{
    *known = true;
    if (!strcmp(op, "=") || !strcmp(op, "=="))
        return strcmp(a, b) == 0;
    if (!strcmp(op, "!="))
        return strcmp(a, b) != 0;
    if (!strcmp(op, "<"))
        return strcmp(a, b) < 0;
    if (!strcmp(op, "<="))
        return strcmp(a, b) <= 0;
    if (!strcmp(op, ">"))
        return strcmp(a, b) > 0;
    if (!strcmp(op, ">="))
        return strcmp(a, b) >= 0;
    if (!strcmp(op, "-eq"))
        return num(a, bad) == num(b, bad);
    if (!strcmp(op, "-ne"))
        return num(a, bad) != num(b, bad);
    if (!strcmp(op, "-lt"))
        return num(a, bad) < num(b, bad);
    if (!strcmp(op, "-le"))
        return num(a, bad) <= num(b, bad);
    if (!strcmp(op, "-gt"))
        return num(a, bad) > num(b, bad);
    if (!strcmp(op, "-ge"))
        return num(a, bad) >= num(b, bad);
    if (!strcmp(op, "-pgt"))
        return prefixed_cmp(a, b, bad) > 0;
    if (!strcmp(op, "-plt"))
        return prefixed_cmp(a, b, bad) < 0;
    if (!strncmp(op, "-nt", 3) || !strncmp(op, "-ot", 3))
        return time_test(a, op, b, bad);
    *known = false;
    return false;
}

/*
 * GRUB's evaluation (its test command, read for behaviour): the words are
 * taken left to right, each step a three-word test (A OP B), else a
 * two-word one (-d -e -f -s -n -z X), else `(' (a nested expression up
 * to `)'), `)' (end of the expression, the outermost one too), `!' (inverts the next value), `-a'
 * (nothing: and is the default), `-o' (or), else a word that is true when
 * not empty.  Nothing is ever malformed: `[ ]' is true, a missing `]' or
 * `)' is fine, unknown operators are words.
 */
struct tst {
    int argc;
    char **argv;
    int pos;
    bool badnum;   /* a number operand had no digits */
};

struct acc {
    bool and_v, or_v, invert;
};

static void update(struct acc *c, bool v)
{
    c->and_v = c->and_v && (c->invert ? !v : v);
    c->invert = false;
}

static bool parse_expr(struct tst *t, int depth)
{
    struct acc c = { .and_v = true };
    while (t->pos < t->argc) {
        char **a = t->argv + t->pos;
        if (t->pos + 2 < t->argc) {
            bool known;
            bool v = binary(a[0], a[1], a[2], &t->badnum, &known);
            if (known) {
                update(&c, v);
                t->pos += 3;
                continue;
            }
        }
        if (t->pos + 1 < t->argc && a[0][0] == '-' && a[0][1] && !a[0][2] && strchr("defsnz", a[0][1])) {
            const char *arg = a[1];
            bool v = a[0][1] == 'z' ? arg[0] == 0 : a[0][1] == 'n' ? arg[0] != 0 : file_test(a[0], arg);
            update(&c, v);
            t->pos += 2;
            continue;
        }
        /* GRUB: `)' ends the expression it is in, the outermost too
         * (the words after it are ignored: `[ ) -a "" ]' is true) */
        if (strcmp(a[0], ")") == 0) {
            t->pos++;
            return c.or_v || c.and_v;
        }
        if (strcmp(a[0], "(") == 0 && depth < 64) {
            t->pos++;
            update(&c, parse_expr(t, depth + 1));
            continue;
        }
        t->pos++;
        if (strcmp(a[0], "!") == 0)
            c.invert = !c.invert;
        else if (strcmp(a[0], "-a") == 0)
            ;
        else if (strcmp(a[0], "-o") == 0) {
            c.or_v = c.or_v || c.and_v;
            c.and_v = true;
        } else {
            update(&c, a[0][0] != 0);
        }
    }
    return c.or_v || c.and_v;
}

/**
 * script_test_eval() - evaluate test arguments @argv[0..@argc) as GRUB does.
 * Returns 1 true, 0 false.  A number operand without digits counts as 0;
 * when the answer is true GRUB shows "unrecognized number" after the
 * command (a false answer, or `!', replaces that error): script_late_error.
 */
int script_test_eval(int argc, char **argv);
int script_test_eval(int argc, char **argv)
{
    struct tst t = { .argc = argc, .argv = argv };
    bool v = parse_expr(&t, 0);
    if (v && t.badnum)
        script_late_error = "unrecognized number";
    return v ? 1 : 0;
}

static int cmd_test(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    /* GRUB drops a final `]' for both names and does not require it */
    if (argc >= 2 && strcmp(argv[argc - 1], "]") == 0)
        argc--;
    int r = script_test_eval(argc - 1, argv + 1);
    if (r < 0)
        return r;
    if (r == 1)
        return 0;
    pb_error_clear();
    return PB_EINVAL;   /* false: silent failure */
}

static int cmd_true(struct pb_command *cmd, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (strcmp(cmd->name, "false") == 0) {
        pb_error_clear();
        return PB_EINVAL;
    }
    return 0;
}

static struct pb_command test_cmds[] = {
    { .name = "test", .fn = cmd_test, .usage = "EXPRESSION", .summary = "Evaluate an expression." },
    { .name = "[", .fn = cmd_test, .usage = "EXPRESSION ]", .summary = "Evaluate an expression." },
    { .name = "true", .fn = cmd_true, .usage = "", .summary = "Do nothing, successfully." },
    { .name = "false", .fn = cmd_true, .usage = "", .summary = "Do nothing, unsuccessfully." },
};

void script_register_test(void)
{
    for (unsigned i = 0; i < sizeof test_cmds / sizeof test_cmds[0]; i++)
        pb_command_register(&test_cmds[i]);
}
