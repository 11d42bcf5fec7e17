/* SPDX-License-Identifier: MIT */
/*
 * `test` and `[` (GRUB manual, "test"): string operators = == != < <= > >=
 * -z -n, integer operators -eq -ne -lt -le -gt -ge (GRUB number syntax:
 * 0x hexadecimal, 0N octal), GRUB's -pgt/-plt
 * (compare the numbers after a common non-numeric prefix), file tests -d
 * -e -f -s and -nt/-ot (modification time), ! -a -o and parentheses.
 * A false test fails silently ($? = 1, no message).
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/script.h"
#include "normal_int.h"

struct tst {
    int argc;
    char **argv;
    int pos;
    int depth;
    bool error;
    bool badnum;   /* a number operand had no digits */
};

static const char *const binops[] = {
    "=", "==", "!=", "<", "<=", ">", ">=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge",
    "-pgt", "-plt", "-nt", "-ot",
};

static bool is_binop(const char *s)
{
    for (unsigned i = 0; i < sizeof binops / sizeof binops[0]; i++)
        if (strcmp(s, binops[i]) == 0)
            return true;
    return false;
}

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
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
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

static bool binary(const char *a, const char *op, const char *b, bool *bad)
{
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
    /* -nt / -ot: modification times; a missing file is older */
    struct pb_stat sa, sb;
    bool ha = pb_stat_path(a, &sa, 0) == 0;
    bool hb = pb_stat_path(b, &sb, 0) == 0;
    pb_error_clear();
    if (!strcmp(op, "-nt"))
        return ha && (!hb || sa.mtime > sb.mtime);
    return hb && (!ha || sa.mtime < sb.mtime);
}

static bool expr_or(struct tst *t);

static bool primary(struct tst *t)
{
    if (t->pos >= t->argc)
        return false;
    const char *a = t->argv[t->pos];
    if (strcmp(a, "(") == 0) {
        if (++t->depth > 32) {
            t->error = true;
            return false;
        }
        t->pos++;
        bool v = expr_or(t);
        if (t->pos < t->argc && strcmp(t->argv[t->pos], ")") == 0)
            t->pos++;
        else
            t->error = true;
        t->depth--;
        return v;
    }
    if (t->pos + 2 < t->argc && is_binop(t->argv[t->pos + 1])) {
        bool v = binary(a, t->argv[t->pos + 1], t->argv[t->pos + 2], &t->badnum);
        t->pos += 3;
        return v;
    }
    if (t->pos + 1 < t->argc && a[0] == '-' && a[1] && !a[2] && strchr("zndefs", a[1])) {
        const char *arg = t->argv[t->pos + 1];
        t->pos += 2;
        if (a[1] == 'z')
            return arg[0] == 0;
        if (a[1] == 'n')
            return arg[0] != 0;
        return file_test(a, arg);
    }
    t->pos++;
    return a[0] != 0;
}

static bool expr_not(struct tst *t)
{
    int n = 0;
    while (t->pos < t->argc && strcmp(t->argv[t->pos], "!") == 0 && t->pos + 1 < t->argc) {
        n++;
        t->pos++;
    }
    bool v = primary(t);
    return (n & 1) ? !v : v;
}

static bool expr_and(struct tst *t)
{
    bool v = expr_not(t);
    while (t->pos < t->argc && strcmp(t->argv[t->pos], "-a") == 0) {
        t->pos++;
        bool w = expr_not(t);
        v = v && w;
    }
    return v;
}

static bool expr_or(struct tst *t)
{
    bool v = expr_and(t);
    while (t->pos < t->argc && strcmp(t->argv[t->pos], "-o") == 0) {
        t->pos++;
        bool w = expr_and(t);
        v = v || w;
    }
    return v;
}

/**
 * normal_test_eval() - evaluate test arguments @argv[0..@argc).
 * Returns 1 true, 0 false, PB_EINVAL on a malformed expression.
 */
int normal_test_eval(int argc, char **argv);
int normal_test_eval(int argc, char **argv)
{
    struct tst t = { .argc = argc, .argv = argv };
    if (argc == 0)
        return 0;
    bool v = expr_or(&t);
    if (t.error || t.pos < argc)
        return pb_error(PB_EINVAL, "test: malformed expression near `%s'",
                        t.pos < argc ? argv[t.pos] : "(end)");
    if (t.badnum) {
        /* GRUB shows the error, reads the operand as 0 and still answers */
        pb_error(PB_EINVAL, "test: unrecognized number");
        pb_print_error();
    }
    return v ? 1 : 0;
}

static int cmd_test(struct pb_command *cmd, int argc, char **argv)
{
    if (strcmp(cmd->name, "[") == 0) {
        if (argc < 2 || strcmp(argv[argc - 1], "]") != 0)
            return pb_error(PB_EINVAL, "[: missing `]'");
        argc--;
    }
    int r = normal_test_eval(argc - 1, argv + 1);
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

void normal_register_test(void)
{
    for (unsigned i = 0; i < sizeof test_cmds / sizeof test_cmds[0]; i++)
        pb_command_register(&test_cmds[i]);
}
