/* SPDX-License-Identifier: MIT */
/*
 * POSIX extended regular expressions for the `regexp` command; the
 * syntax, semantics and limits are described in include/pvboot/regex.h.
 *
 * The parser builds a tree (branches are right-nested concatenations).
 * Matching works on "end sets": for a node and a start offset i, the set
 * of offsets j such that the node matches exactly s[i..j), as a bitset,
 * memoised per (node, i).  That gives the leftmost-longest overall match
 * in polynomial time.  Submatches are then assigned top-down as glibc's
 * walk gives them (see "glibc's walk" below): a concatenation's left
 * part and a repetition's iteration end where that walk of them ends; an
 * alternation takes its first alternative that matches the span.
 * Without back-references the end sets are exact, so this never
 * backtracks.  A back-reference's end set is over-approximated (any
 * length), and the assignment then backtracks (a concatenation's left
 * part longest first), bounded by a step budget.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/regex.h"

enum rtype {
    R_SET,      /* one byte from set */
    R_BOL, R_EOL, R_WB, R_NWB, R_WBEG, R_WEND,   /* zero-width assertions */
    R_EMPTY,
    R_GROUP,    /* grp, a */
    R_CAT,      /* a then b */
    R_ALT,      /* a or b */
    R_REP,      /* a, min..max (max < 0: unbounded) */
    R_BREF,     /* grp */
};

struct rnode {
    uint8_t type;
    bool null_branch;   /* R_EMPTY standing for an empty alternative */
    bool mb_any;        /* R_SET: also any multibyte UTF-8 character */
    int a, b;
    int min, max;
    int grp;
    uint8_t set[32];
};

struct pb_regex {
    struct rnode *n;
    int nn, cap;
    int root;
    int nsub;
    bool has_bref;
};

/* ---- parser (glibc regcomp, RE_SYNTAX_POSIX_EXTENDED) ---- */

#define MAX_NEST 100

struct parser {
    struct pb_regex *re;
    const char *p;       /* next byte */
    int err;
    int nest;
    unsigned done_groups_lo;   /* closed groups 1..31, for back-reference checks */
};

static int new_node(struct parser *ps, enum rtype t)
{
    struct pb_regex *re = ps->re;
    if (re->nn == re->cap) {
        int nc = re->cap ? re->cap * 2 : 32;
        struct rnode *v = realloc(re->n, sizeof *v * (size_t)nc);
        if (!v) {
            ps->err = PB_REG_ESPACE;
            return -1;
        }
        re->n = v;
        re->cap = nc;
    }
    struct rnode *n = &re->n[re->nn];
    memset(n, 0, sizeof *n);
    n->type = (uint8_t)t;
    n->a = n->b = -1;
    return re->nn++;
}

static void set_add(uint8_t *set, unsigned c)
{
    set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool set_has(const uint8_t *set, unsigned c)
{
    return set[c >> 3] >> (c & 7) & 1;
}

static bool is_word(unsigned c)
{
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool in_class(int cls, unsigned c)
{
    bool up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z', dg = c >= '0' && c <= '9';
    bool graph = c > 0x20 && c < 0x7f;
    switch (cls) {
    case 0: return up || lo;                                   /* alpha */
    case 1: return up;                                         /* upper */
    case 2: return lo;                                         /* lower */
    case 3: return dg;                                         /* digit */
    case 4: return dg || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');  /* xdigit */
    case 5: return c == ' ' || (c >= '\t' && c <= '\r');       /* space */
    case 6: return graph || c == ' ';                          /* print */
    case 7: return graph && !(up || lo || dg);                 /* punct */
    case 8: return graph;                                      /* graph */
    case 9: return c < 0x20 || c == 0x7f;                      /* cntrl */
    case 10: return c == ' ' || c == '\t';                     /* blank */
    case 11: return up || lo || dg;                            /* alnum */
    }
    return false;
}

static const char *const class_names[] = {
    "alpha", "upper", "lower", "digit", "xdigit", "space", "print", "punct", "graph", "cntrl",
    "blank", "alnum",
};

static void add_class(uint8_t *set, int cls)
{
    for (unsigned c = 1; c < 256; c++)
        if (in_class(cls, c))
            set_add(set, c);
}

/* One bracket element at ps->p ('[' already consumed, not the first
 * `]`).  Sets *lo (a single byte) or *is_class (added to set).  Returns
 * false with ps->err on error. */
static bool bracket_elem(struct parser *ps, uint8_t *set, int *lo, bool *is_class, bool accept_hyphen)
{
    const char *p = ps->p;
    *is_class = false;
    if (!*p) {
        ps->err = PB_REG_EBRACK;
        return false;
    }
    if (p[0] == '[' && p[1] && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
        /* as glibc: the name runs to the first "kind]" after at least one
         * byte has been read; the pattern must go on after it */
        char kind = p[1], name[32];
        const char *q = p + 2;
        size_t len = 0;
        if (!*q) {
            ps->err = PB_REG_EBRACK;
            return false;
        }
        for (;; len++) {
            if (len >= sizeof name) {
                ps->err = PB_REG_EBRACK;
                return false;
            }
            char ch = *q++;
            if (!*q) {
                ps->err = PB_REG_EBRACK;
                return false;
            }
            if (ch == kind && *q == ']')
                break;
            name[len] = ch;
        }
        const char *s = name;
        ps->p = q + 1;
        if (kind == ':') {
            for (unsigned k = 0; k < sizeof class_names / sizeof class_names[0]; k++) {
                if (strlen(class_names[k]) == len && memcmp(class_names[k], s, len) == 0) {
                    add_class(set, (int)k);
                    *is_class = true;
                    return true;
                }
            }
            ps->err = PB_REG_ECTYPE;
            return false;
        }
        if (len != 1) {
            ps->err = PB_REG_ECOLLATE;
            return false;
        }
        *lo = (unsigned char)s[0];
        if (kind == '=')
            *is_class = true, set_add(set, (unsigned char)s[0]);
        return true;
    }
    if (p[0] == '-' && !accept_hyphen && p[1] != ']') {
        /* a '-' after a range, not last: glibc refuses it */
        ps->err = p[1] ? PB_REG_ERANGE : PB_REG_EBRACK;
        return false;
    }
    *lo = (unsigned char)p[0];
    ps->p = p + 1;
    return true;
}

static int parse_bracket(struct parser *ps)
{
    uint8_t set[32] = { 0 };
    bool neg = false;
    if (*ps->p == '^') {
        neg = true;
        ps->p++;
    }
    if (!*ps->p) {
        ps->err = PB_REG_BADPAT;   /* glibc: "[" or "[^" ends the pattern */
        return -1;
    }
    bool first = true;
    for (;;) {
        if (!*ps->p) {
            ps->err = PB_REG_EBRACK;
            return -1;
        }
        if (*ps->p == ']' && !first) {
            ps->p++;
            break;
        }
        int lo = 0, hi;
        bool cls;
        if (first && *ps->p == ']') {
            lo = ']';
            cls = false;
            ps->p++;
        } else if (!bracket_elem(ps, set, &lo, &cls, first)) {
            return -1;
        }
        first = false;
        if (ps->p[0] == '-' && ps->p[1] && ps->p[1] != ']') {
            ps->p++;
            bool cls2;
            if (!bracket_elem(ps, set, &hi, &cls2, true))
                return -1;
            if (cls || cls2 || hi < lo) {
                ps->err = PB_REG_ERANGE;
                return -1;
            }
            for (int c = lo; c <= hi; c++)
                set_add(set, (unsigned)c);
        } else if (!cls) {
            set_add(set, (unsigned)lo);
        }
    }
    if (neg)
        for (int k = 0; k < 32; k++)
            set[k] = (uint8_t)~set[k];
    set[0] &= (uint8_t)~1u;   /* never NUL */
    int n = new_node(ps, R_SET);
    if (n >= 0) {
        memcpy(ps->re->n[n].set, set, 32);
        ps->re->n[n].mb_any = neg;
    }
    return n;
}

static int parse_alt(struct parser *ps);

static int literal(struct parser *ps, unsigned c)
{
    int n = new_node(ps, R_SET);
    if (n >= 0)
        set_add(ps->re->n[n].set, c);
    return n;
}

/* A number in an interval: -1 none, -2 bad or end, else the value
 * (capped above PB_REGEX_MAX_DUP). */
static int fetch_number(struct parser *ps)
{
    int num = -1;
    for (;;) {
        char c = *ps->p;
        if (!c)
            return -2;
        if (c == '}' || c == ',')
            return num;
        ps->p++;
        if (c < '0' || c > '9' || num == -2)
            num = -2;
        else
            num = num == -1 ? c - '0' : (num * 10 + c - '0' > PB_REGEX_MAX_DUP + 1 ? PB_REGEX_MAX_DUP + 1 : num * 10 + c - '0');
    }
}

/* An atom, or -1 (ps->err set, or 0 with *none for "no atom here"). */
static int parse_atom(struct parser *ps, bool *anchor)
{
    *anchor = false;
    char c = *ps->p++;
    int n;
    switch (c) {
    case '(': {
        int grp = ++ps->re->nsub;
        if (++ps->nest > MAX_NEST) {
            ps->err = PB_REG_ESIZE;
            return -1;
        }
        int inner;
        if (*ps->p == ')') {
            inner = new_node(ps, R_EMPTY);
        } else {
            inner = parse_alt(ps);
            if (inner < 0)
                return -1;
        }
        if (*ps->p != ')') {
            ps->err = PB_REG_EPAREN;
            return -1;
        }
        ps->p++;
        ps->nest--;
        n = new_node(ps, R_GROUP);
        if (n < 0 || inner < 0)
            return -1;
        ps->re->n[n].grp = grp;
        ps->re->n[n].a = inner;
        if (grp < 32)
            ps->done_groups_lo |= 1u << grp;
        return n;
    }
    case '.':
        n = new_node(ps, R_SET);
        if (n >= 0) {
            memset(ps->re->n[n].set, 0xff, 32);
            ps->re->n[n].set[0] &= (uint8_t)~1u;
            ps->re->n[n].mb_any = true;
        }
        return n;
    case '[':
        return parse_bracket(ps);
    case '^':
        *anchor = true;
        return new_node(ps, R_BOL);
    case '$':
        *anchor = true;
        return new_node(ps, R_EOL);
    case '*': case '+': case '?': case '{':
        ps->err = PB_REG_BADRPT;
        return -1;
    case '\\': {
        char d = *ps->p++;
        if (!d) {
            ps->err = PB_REG_EESCAPE;
            return -1;
        }
        if (d >= '1' && d <= '9') {
            int g = d - '0';
            if (!(ps->done_groups_lo & (1u << g))) {
                ps->err = PB_REG_ESUBREG;
                return -1;
            }
            n = new_node(ps, R_BREF);
            if (n >= 0)
                ps->re->n[n].grp = g;
            ps->re->has_bref = true;
            return n;
        }
        enum rtype at;
        switch (d) {
        case 'b': at = R_WB; break;
        case 'B': at = R_NWB; break;
        case '<': at = R_WBEG; break;
        case '>': at = R_WEND; break;
        case '`': at = R_BOL; break;
        case '\'': at = R_EOL; break;
        case 'w': case 'W': case 's': case 'S':
            n = new_node(ps, R_SET);
            if (n >= 0) {
                uint8_t *set = ps->re->n[n].set;
                ps->re->n[n].mb_any = d == 'W' || d == 'S';
                for (unsigned k = 1; k < 256; k++) {
                    bool in = (d == 'w' || d == 'W') ? is_word(k) : in_class(5, k);
                    if (in == (d == 'w' || d == 's'))
                        set_add(set, k);
                }
            }
            return n;
        default:
            return literal(ps, (unsigned char)d);
        }
        *anchor = true;
        return new_node(ps, at);
    }
    default:
        return literal(ps, (unsigned char)c);
    }
}

static int parse_piece(struct parser *ps)
{
    bool anchor;
    int n = parse_atom(ps, &anchor);
    if (n < 0 || anchor)
        return n;   /* an anchor takes no repetition: "^*" is an error */
    for (;;) {
        char c = *ps->p;
        int min, max;
        if (c == '*')
            min = 0, max = -1;
        else if (c == '+')
            min = 1, max = -1;
        else if (c == '?')
            min = 0, max = 1;
        else if (c == '{') {
            ps->p++;
            int start = fetch_number(ps), end = start;
            if (start == -1) {
                if (*ps->p == ',') {
                    start = 0;
                } else {
                    ps->err = PB_REG_BADBR;   /* "{}" */
                    return -1;
                }
            }
            if (start != -2) {
                if (*ps->p == '}') {
                    end = start;
                } else if (*ps->p == ',') {
                    ps->p++;
                    end = fetch_number(ps);
                } else {
                    end = -2;
                }
            }
            if (start == -2 || end == -2) {
                ps->err = *ps->p ? PB_REG_BADBR : PB_REG_EBRACE;
                return -1;
            }
            if ((end != -1 && start > end) || *ps->p != '}') {
                ps->err = PB_REG_BADBR;
                return -1;
            }
            if ((end == -1 ? start : end) > PB_REGEX_MAX_DUP) {
                ps->err = PB_REG_ESIZE;
                return -1;
            }
            min = start;
            max = end;
        } else {
            return n;
        }
        ps->p++;
        if (min == 1 && max == 1)
            continue;   /* glibc: x{1} is x itself (a group stays a group) */
        int r = new_node(ps, R_REP);
        if (r < 0)
            return -1;
        ps->re->n[r].a = n;
        ps->re->n[r].min = min;
        ps->re->n[r].max = max;
        n = r;
    }
}

static int parse_branch(struct parser *ps)
{
    int pieces[1];
    int first = -1, last = -1;
    (void)pieces;
    while (*ps->p && *ps->p != '|' && !(*ps->p == ')' && ps->nest > 0)) {
        int n = parse_piece(ps);
        if (n < 0)
            return -1;
        if (first < 0) {
            first = n;
            continue;
        }
        /* right-nested concatenation: append n at the tail */
        int c = new_node(ps, R_CAT);
        if (c < 0)
            return -1;
        if (last < 0) {
            ps->re->n[c].a = first;
            ps->re->n[c].b = n;
            first = c;
        } else {
            ps->re->n[c].a = ps->re->n[last].b;
            ps->re->n[c].b = n;
            ps->re->n[last].b = c;
        }
        last = c;
    }
    if (first >= 0)
        return first;
    int e = new_node(ps, R_EMPTY);
    if (e >= 0)
        ps->re->n[e].null_branch = true;
    return e;
}

/* Alternatives nest to the left, ALT(ALT(a, b), c), as in glibc, whose
 * preference between alternatives follows that shape (see alt_pick). */
static int parse_alt(struct parser *ps)
{
    unsigned initial = ps->done_groups_lo;
    int n = parse_branch(ps);
    if (n < 0)
        return -1;
    while (*ps->p == '|') {
        ps->p++;
        /* a group closed in one alternative cannot be referenced from
         * a later one (glibc) */
        unsigned acc = ps->done_groups_lo;
        ps->done_groups_lo = initial;
        int m = parse_branch(ps);
        if (m < 0)
            return -1;
        ps->done_groups_lo |= acc;
        int a = new_node(ps, R_ALT);
        if (a < 0)
            return -1;
        ps->re->n[a].a = n;
        ps->re->n[a].b = m;
        n = a;
    }
    return n;
}

int pb_regex_compile(struct pb_regex **out, const char *pattern)
{
    if (strlen(pattern) > PB_REGEX_MAX_PATTERN)
        return PB_REG_ESIZE;
    struct pb_regex *re = calloc(1, sizeof *re);
    if (!re)
        return PB_REG_ESPACE;
    struct parser ps = { .re = re, .p = pattern };
    int root = parse_alt(&ps);
    if (root >= 0 && *ps.p) {
        ps.err = PB_REG_BADPAT;   /* not reached: ')' at top level is literal */
        root = -1;
    }
    if (root < 0) {
        int e = ps.err ? ps.err : PB_REG_ESPACE;
        pb_regex_free(re);
        return e;
    }
    re->root = root;
    *out = re;
    return 0;
}

size_t pb_regex_nsub(const struct pb_regex *re)
{
    return (size_t)re->nsub;
}

void pb_regex_free(struct pb_regex *re)
{
    if (!re)
        return;
    free(re->n);
    free(re);
}

const char *pb_regex_strerror(int code)
{
    static const char *const msgs[] = {
        "Success", "No match", "Invalid regular expression", "Invalid collation character",
        "Invalid character class name", "Trailing backslash", "Invalid back reference",
        "Unmatched [, [^, [:, [., or [=", "Unmatched ( or \\(", "Unmatched \\{",
        "Invalid content of \\{\\}", "Invalid range end", "Memory exhausted",
        "Invalid preceding regular expression", "Premature end of regular expression",
        "Regular expression too big", "Unmatched ) or \\)",
    };
    if (code < 0 || code >= (int)(sizeof msgs / sizeof msgs[0]))
        return "Unknown error";
    return msgs[code];
}

/* ---- matching ---- */

#define WORK_STEPS_MAX   (1ul << 28)   /* 64-bit word operations per exec */
#define BT_STEPS_MAX     200000ul      /* assignment steps with back-references, per exec */
#define BT_DEPTH_MAX     600           /* their recursion depth */

struct mctx {
    const struct pb_regex *re;
    const unsigned char *s;
    long len;
    size_t words;            /* 64-bit words per end set (len + 1 bits) */
    uint64_t ***memo;        /* [node][i] -> end set, lazily */
    size_t bytes;            /* allocated for tables */
    unsigned long steps;     /* word operations */
    unsigned long bt_steps;
    int err;                 /* PB_E* once a limit is hit */
    struct pb_regmatch *caps;   /* [nsub + 1] */
    struct pb_regmatch *prev;   /* [nsub + 1]: saved registers (group_close) */
    /* per repetition node: the "can finish at j" sets of its last j */
    struct repcache { long j; int nstates; uint64_t *b; } *rc;
};

static void *work_alloc(struct mctx *c, size_t n)
{
    if (c->err)
        return NULL;
    if (c->bytes + n > PB_REGEX_MAX_WORK) {
        c->err = pb_error(PB_ERANGE, "regexp: string too long for this pattern (over %u KiB of match tables)",
                          PB_REGEX_MAX_WORK >> 10);
        return NULL;
    }
    void *p = calloc(1, n);
    if (!p) {
        c->err = pb_error(PB_ENOMEM, "regexp: out of memory");
        return NULL;
    }
    c->bytes += n;
    return p;
}

static bool charge(struct mctx *c, unsigned long n)
{
    c->steps += n;
    if (c->steps > WORK_STEPS_MAX && !c->err)
        c->err = pb_error(PB_ERANGE, "regexp: pattern too complex for this string");
    return !c->err;
}

static bool bit(const uint64_t *v, long k)
{
    return v[k >> 6] >> (k & 63) & 1;
}

static void bit_set(uint64_t *v, long k)
{
    v[k >> 6] |= 1ull << (k & 63);
}

/* Bytes taken by a SET node at s[i]: 1 for a byte in the set, the
 * length of a whole UTF-8 sequence for an mb_any node (GRUB's regex works
 * on UTF-8 characters), 0 for no match. */
static long set_width(const struct mctx *c, const struct rnode *r, long i)
{
    if (i >= c->len)
        return 0;
    unsigned b = c->s[i];
    if (r->mb_any && b >= 0xc2 && b <= 0xf4) {
        long n = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
        if (i + n <= c->len) {
            long k = 1;
            while (k < n && (c->s[i + k] & 0xc0) == 0x80)
                k++;
            if (k == n)
                return n;
        }
    }
    return set_has(r->set, b) ? 1 : 0;
}

static bool assert_ok(const struct mctx *c, int type, long i)
{
    bool prev = i > 0 && is_word(c->s[i - 1]);
    bool cur = i < c->len && is_word(c->s[i]);
    switch (type) {
    case R_BOL: return i == 0;
    case R_EOL: return i == c->len;
    case R_WB: return prev != cur;
    case R_NWB: return prev == cur;
    case R_WBEG: return !prev && cur;
    case R_WEND: return prev && !cur;
    }
    return false;
}

static const uint64_t *ends(struct mctx *c, int n, long i);

/* OR the end set of node n from i into dst; false on a limit */
static bool or_ends(struct mctx *c, int n, long i, uint64_t *dst)
{
    const struct rnode *r = &c->re->n[n];
    switch (r->type) {
    case R_SET: {
        long w = set_width(c, r, i);
        if (w)
            bit_set(dst, i + w);
        return true;
    }
    case R_EMPTY:
        bit_set(dst, i);
        return true;
    case R_BREF:
        /* over-approximation: any length; the assignment checks it */
        for (long k = i; k <= c->len; k++)
            bit_set(dst, k);
        return charge(c, c->words);
    case R_GROUP:
        return or_ends(c, r->a, i, dst);
    case R_CAT: case R_ALT: case R_REP: {
        const uint64_t *e = ends(c, n, i);
        if (!e)
            return false;
        for (size_t k = (size_t)i >> 6; k < c->words; k++)
            dst[k] |= e[k];
        return charge(c, c->words - ((size_t)i >> 6));
    }
    default:
        if (assert_ok(c, r->type, i))
            bit_set(dst, i);
        return true;
    }
}

static bool has_end(struct mctx *c, int n, long i, long j)
{
    const struct rnode *r = &c->re->n[n];
    switch (r->type) {
    case R_SET: {
        long w = set_width(c, r, i);
        return w && j == i + w;
    }
    case R_EMPTY:
        return j == i;
    case R_BREF:
        return j >= i;
    case R_GROUP:
        return has_end(c, r->a, i, j);
    case R_CAT: case R_ALT: case R_REP: {
        const uint64_t *e = ends(c, n, i);
        return e && bit(e, j);
    }
    default:
        return j == i && assert_ok(c, r->type, i);
    }
}

static const uint64_t *ends(struct mctx *c, int n, long i)
{
    if (c->err)
        return NULL;
    if (!c->memo[n]) {
        c->memo[n] = work_alloc(c, sizeof(uint64_t *) * (size_t)(c->len + 1));
        if (!c->memo[n])
            return NULL;
    }
    if (c->memo[n][i])
        return c->memo[n][i];
    uint64_t *e = work_alloc(c, sizeof(uint64_t) * c->words);
    if (!e)
        return NULL;
    const struct rnode *r = &c->re->n[n];
    bool ok = true;
    if (r->type == R_ALT) {
        ok = or_ends(c, r->a, i, e) && or_ends(c, r->b, i, e);
    } else if (r->type == R_CAT) {
        uint64_t *mid = work_alloc(c, sizeof(uint64_t) * c->words);
        ok = mid && or_ends(c, r->a, i, mid);
        for (long t = i; ok && t <= c->len; t++)
            if (bit(mid, t))
                ok = or_ends(c, r->b, t, e);
        if (mid) {
            free(mid);
            c->bytes -= sizeof(uint64_t) * c->words;
        }
    } else {   /* R_REP: breadth-first over the iteration count */
        size_t wb = sizeof(uint64_t) * c->words;
        uint64_t *cur = work_alloc(c, wb), *nxt = work_alloc(c, wb), *seen = work_alloc(c, wb);
        ok = cur && nxt && seen;
        if (ok) {
            bit_set(cur, i);
            if (r->min == 0)
                bit_set(e, i);
        }
        for (int k = 1; ok && (r->max < 0 || k <= r->max); k++) {
            memset(nxt, 0, wb);
            for (long t = i; ok && t <= c->len; t++)
                if (bit(cur, t))
                    ok = or_ends(c, r->a, t, nxt);
            if (!ok)
                break;
            bool grew = false;
            if (k >= r->min) {
                /* past the minimum only new offsets matter */
                for (size_t w = 0; w < c->words; w++) {
                    uint64_t fresh = nxt[w] & ~seen[w];
                    grew |= fresh != 0;
                    seen[w] |= fresh;
                    e[w] |= nxt[w];
                    nxt[w] = fresh;
                }
                if (!grew)
                    break;
            }
            uint64_t *tmp = cur;
            cur = nxt;
            nxt = tmp;
            ok = charge(c, c->words);
        }
        free(cur);
        free(nxt);
        free(seen);
        c->bytes -= 3 * wb;
    }
    if (!ok) {
        free(e);
        return NULL;
    }
    c->memo[n][i] = e;
    return e;
}

/* States of a repetition's iteration count k: 0..max, or 0..min with
 * state min meaning "min or more" when unbounded. */
static int rep_states(const struct rnode *r)
{
    return (r->max < 0 ? r->min : r->max) + 1;
}

static int rep_next(const struct rnode *r, int k)
{
    return (r->max < 0 && k == r->min) ? k : k + 1;
}

/* B[k] for repetition node n ending at j: offsets t from which the
 * remaining iterations (k done) can match s[t..j).  Cached per node for
 * its last j.  Returns the row for state k, NULL on a limit. */
static const uint64_t *rep_finish(struct mctx *c, int n, long j, int k)
{
    const struct rnode *r = &c->re->n[n];
    struct repcache *rc = &c->rc[n];
    int ns = rep_states(r);
    if (rc->b && rc->j == j)
        return rc->b + (size_t)k * c->words;
    if (!rc->b) {
        rc->b = work_alloc(c, sizeof(uint64_t) * c->words * (size_t)ns);
        if (!rc->b)
            return NULL;
    } else {
        memset(rc->b, 0, sizeof(uint64_t) * c->words * (size_t)ns);
    }
    rc->j = -1;
    uint64_t *tmp = work_alloc(c, sizeof(uint64_t) * c->words);
    if (!tmp)
        return NULL;
    for (int st = ns - 1; st >= 0; st--) {
        uint64_t *row = rc->b + (size_t)st * c->words;
        int nx = rep_next(r, st);
        bool more = r->max < 0 || st < r->max;
        const uint64_t *nrow = more && nx < ns ? rc->b + (size_t)nx * c->words : NULL;
        for (long t = j; t >= 0; t--) {
            if (t == j && st >= r->min) {
                bit_set(row, t);
                continue;
            }
            if (!nrow)
                continue;
            memset(tmp, 0, sizeof(uint64_t) * c->words);
            if (!or_ends(c, r->a, t, tmp))
                break;
            /* u in ends(a, t) and in B[next]; an empty iteration only
             * when it counts towards the minimum */
            for (size_t w = (size_t)t >> 6; w <= (size_t)j >> 6; w++) {
                uint64_t m = tmp[w] & nrow[w];
                if (w == (size_t)t >> 6 && nx == st)
                    m &= ~(1ull << (t & 63));   /* u == t */
                if (m) {
                    bit_set(row, t);
                    break;
                }
            }
        }
        if (c->err || !charge(c, (unsigned long)(j + 1) * c->words))
            break;
    }
    free(tmp);
    c->bytes -= sizeof(uint64_t) * c->words;
    if (c->err)
        return NULL;
    rc->j = j;
    return rc->b + (size_t)k * c->words;
}

/* ---- submatch assignment ---- */

struct ob {
    int n;
    long i, j;
    int k;                 /* R_REP: iteration-count state (rep_next) */
    bool iterated;         /* R_REP: no empty iteration is due here (see rep_empty_due) */
    const struct ob *next;
    bool close;            /* the end of group node n at j (see group_close) */
    bool opt;              /* R_GROUP: an optional copy of a repetition's body */
};

/* Pieces of the assignment: node n over s[i..j); see struct ob. */
static struct ob ob_at(int n, long i, long j, const struct ob *next)
{
    return (struct ob){ n, i, j, 0, false, next, false, false };
}

/* Whether iteration k (0-based) of repetition @rn runs glibc's "optional"
 * copy of its body.  glibc (parse_dup) expands x{n,m} into n copies of x
 * and m-n nested optional ones, x{n,} into n copies and x*, and marks a
 * group that is the whole body optional only in the first optional copy
 * (its copies of the copy lose the mark): every iteration of the `*' of
 * x* and x{n,} (x+ = x x*), but only iteration n of x{n,m} (x? is
 * x{0,1}).  See group_close. */
static bool rep_opt_copy(const struct mctx *c, const struct rnode *rn, int k)
{
    if (c->re->n[rn->a].type != R_GROUP)
        return false;
    return rn->max < 0 ? k >= rn->min : k == rn->min;
}

/* The body of repetition node @rn, s[i..u), taken with k iterations done */
static struct ob ob_iter(const struct mctx *c, const struct rnode *rn, int k, long i, long u,
                         const struct ob *next)
{
    struct ob o = ob_at(rn->a, i, u, next);
    o.opt = rep_opt_copy(c, rn, k);
    return o;
}

/* The registers glibc keeps while it walks the match (regexec.c's
 * update_regs): a group's start is set where the walk enters it, its end
 * where it leaves.  At the end of a non-empty group every register is
 * saved (c->prev); at the end of an empty one that is an optional copy
 * (ob_iter) and was set before (in the saved registers) all registers go
 * back to the saved ones, undoing the empty iteration and whatever groups
 * inside it set: (a*)+ on aa gives \1 = aa, not the empty last
 * iteration; otherwise the empty group is recorded. */
static void group_close(struct mctx *c, int g, long j, bool opt)
{
    size_t n = (size_t)c->re->nsub + 1;
    if (c->caps[g].so < j) {
        c->caps[g].eo = j;
        memcpy(c->prev, c->caps, n * sizeof *c->caps);
    } else if (opt && c->prev[g].so != -1) {
        memcpy(c->caps, c->prev, n * sizeof *c->caps);
    } else {
        c->caps[g].eo = j;
    }
    charge(c, (unsigned long)(n / 4 + 1));
}

/* The alternative an alternation tries first (@second false) or second:
 * left before right, except that an empty alternative ("a|", "|a") comes
 * last, as glibc orders them. */
static int alt_pick(const struct mctx *c, const struct rnode *r, int second)
{
    bool swap = c->re->n[r->a].null_branch;
    return (second ^ swap) ? r->b : r->a;
}

/* glibc expands x{n,m} into n copies and m-n nested optional copies,
 * x+ into x x*, and a `*` or `?` copy that has not run yet runs its body
 * once, empty, at the end of the span when it can.  So at an empty rest
 * of the span (k >= min iterations done) one empty iteration is due
 * unless the last iteration was already empty here or was one of an
 * unbounded `*` (@iterated). */
static bool rep_empty_due(struct mctx *c, const struct rnode *r, int k, bool iterated, long i)
{
    return !iterated && (r->max < 0 || k < r->max) && has_end(c, r->a, i, i);
}

/* @iterated for the state after an iteration s[i..u) taken at state k:
 * glibc's `*' enters its body again after an iteration that consumed
 * something (an empty last one too), not after an empty one; the copies
 * of x{n,m} all run */
static bool rep_iterated_after(const struct rnode *r, int k, long i, long u)
{
    return u == i && r->max < 0 && k >= r->min;
}

/* 1 assigned, 0 impossible, -1 limit (c->err) */
static int solve(struct mctx *c, const struct ob *o, int depth);

static int solve_leaf_then(struct mctx *c, const struct ob *o, int depth)
{
    return solve(c, o->next, depth);
}

static int try_ob(struct mctx *c, struct ob o, int depth)
{
    return solve(c, &o, depth + 1);
}

/* A group's end (group_close) on the backtracking path: undone when what
 * follows fails. */
static int solve_close(struct mctx *c, const struct ob *o, int depth)
{
    size_t n = (size_t)c->re->nsub + 1;
    struct pb_regmatch *saved = malloc(2 * n * sizeof *saved);
    if (!saved) {
        c->err = pb_error(PB_ENOMEM, "regexp: out of memory");
        return -1;
    }
    memcpy(saved, c->caps, n * sizeof *saved);
    memcpy(saved + n, c->prev, n * sizeof *saved);
    group_close(c, c->re->n[o->n].grp, o->j, o->opt);
    int res = solve(c, o->next, depth + 1);
    if (res != 1) {
        memcpy(c->caps, saved, n * sizeof *saved);
        memcpy(c->prev, saved + n, n * sizeof *saved);
    }
    free(saved);
    return res;
}

static int solve(struct mctx *c, const struct ob *o, int depth)
{
    if (!o)
        return 1;
    if (c->err)
        return -1;
    if (++c->bt_steps > BT_STEPS_MAX || depth > BT_DEPTH_MAX) {
        c->err = pb_error(PB_ERANGE, "regexp: back-references too complex for this string");
        return -1;
    }
    if (o->close)
        return solve_close(c, o, depth);
    const struct rnode *r = &c->re->n[o->n];
    long i = o->i, j = o->j;
    switch (r->type) {
    case R_GROUP: {
        /* entered: the start is set, the end when the walk leaves it
         * (group_close); a back-reference inside the group itself is a
         * compile error */
        struct pb_regmatch saved = c->caps[r->grp];
        c->caps[r->grp].so = i;
        c->caps[r->grp].eo = -1;
        struct ob cl = ob_at(o->n, i, j, o->next);
        cl.close = true;
        cl.opt = o->opt;
        int res = try_ob(c, ob_at(r->a, i, j, &cl), depth);
        if (res != 1)
            c->caps[r->grp] = saved;
        return res;
    }
    case R_BREF: {
        struct pb_regmatch g = c->caps[r->grp];
        if (g.so < 0 || g.eo < 0)
            return 0;   /* glibc: a reference to an unset group fails */
        if (j - i != g.eo - g.so || memcmp(c->s + i, c->s + g.so, (size_t)(j - i)) != 0)
            return 0;
        return solve_leaf_then(c, o, depth);
    }
    case R_CAT:
        for (long t = j; t >= i; t--) {
            if (!has_end(c, r->a, i, t) || !has_end(c, r->b, t, j)) {
                if (c->err)
                    return -1;
                continue;
            }
            struct ob rest = ob_at(r->b, t, j, o->next);
            int res = try_ob(c, ob_at(r->a, i, t, &rest), depth);
            if (res)
                return res;
        }
        return 0;
    case R_ALT:
        for (int side = 0; side < 2; side++) {
            int a = alt_pick(c, r, side);
            if (!has_end(c, a, i, j)) {
                if (c->err)
                    return -1;
                continue;
            }
            int res = try_ob(c, ob_at(a, i, j, o->next), depth);
            if (res)
                return res;
        }
        return 0;
    case R_REP: {
        int k = o->k;
        if (i == j && k >= r->min) {
            if (rep_empty_due(c, r, k, o->iterated, i)) {
                struct ob rest = { o->n, i, j, rep_next(r, k), true, o->next, false, false };
                int res = try_ob(c, ob_iter(c, r, k, i, i, &rest), depth);
                if (res)
                    return res;
            }
            return solve(c, o->next, depth);
        }
        if (r->max >= 0 && k >= r->max)
            return 0;
        int nx = rep_next(r, k);
        /* longest first iteration; an empty one only towards the minimum */
        for (long u = j; u >= i; u--) {
            if (u == i && nx == k)
                break;
            const uint64_t *fin = rep_finish(c, o->n, j, nx);
            if (!fin)
                return -1;
            if (!bit(fin, u) || !has_end(c, r->a, i, u)) {
                if (c->err)
                    return -1;
                continue;
            }
            struct ob rest = { o->n, u, j, nx, rep_iterated_after(r, k, i, u), o->next, false, false };
            int res = try_ob(c, ob_iter(c, r, k, i, u, &rest), depth);
            if (res)
                return res;
        }
        return 0;
    }
    default:
        return solve_leaf_then(c, o, depth);
    }
}

/* ---- glibc's walk ----
 * glibc (and the gnulib copy GRUB carries) finds the overall match first,
 * then walks the pattern once from its start to that end: at an
 * alternation it takes the first alternative (alt_pick), at a repetition
 * one more iteration before leaving, whenever that choice can still end
 * the match there.  So the left part of a concatenation gets the span that
 * walk gives it, not the longest possible one: (a|ab)(c|bcd)(d*) on abcd
 * gives a, bcd, "".  Sets below are offsets 0..len (c->words words). */

static uint64_t *set_new(struct mctx *c)
{
    return work_alloc(c, sizeof(uint64_t) * c->words);
}

static void set_free(struct mctx *c, uint64_t *v)
{
    if (v) {
        free(v);
        c->bytes -= sizeof(uint64_t) * c->words;
    }
}

/* Whether node n, from i, can end at an offset in @want (0 no, 1 yes,
 * -1 limit).  @tmp is scratch. */
static int meets(struct mctx *c, int n, long i, const uint64_t *want, uint64_t *tmp)
{
    memset(tmp, 0, sizeof(uint64_t) * c->words);
    if (!or_ends(c, n, i, tmp))
        return -1;
    for (size_t w = (size_t)i >> 6; w < c->words; w++)
        if (tmp[w] & want[w])
            return 1;
    return 0;
}

/* dst = offsets t from which node n can end at an offset in @want */
static bool pre_set(struct mctx *c, int n, const uint64_t *want, uint64_t *dst)
{
    uint64_t *tmp = set_new(c);
    if (!tmp)
        return false;
    memset(dst, 0, sizeof(uint64_t) * c->words);
    bool ok = true;
    for (long t = 0; ok && t <= c->len; t++) {
        int m = meets(c, n, t, want, tmp);
        if (m < 0)
            ok = false;
        else if (m)
            bit_set(dst, t);
    }
    ok = ok && charge(c, (unsigned long)(c->len + 1) * c->words);
    set_free(c, tmp);
    return ok;
}

/* Rows 0..rep_states-1 (c->words words each): row k = offsets from which
 * repetition n, with k iterations done (its state, rep_next), can finish
 * at an offset in @want; as rep_finish for a set of ends.  Free with
 * rows_free; NULL on a limit. */
static uint64_t *rep_rows(struct mctx *c, int n, const uint64_t *want)
{
    const struct rnode *r = &c->re->n[n];
    int ns = rep_states(r);
    uint64_t *rows = work_alloc(c, sizeof(uint64_t) * c->words * (size_t)ns);
    uint64_t *tmp = set_new(c);
    bool ok = rows && tmp;
    for (int st = ns - 1; ok && st >= 0; st--) {
        uint64_t *row = rows + (size_t)st * c->words;
        int nx = rep_next(r, st);
        bool more = r->max < 0 || st < r->max;
        const uint64_t *nrow = more && nx < ns ? rows + (size_t)nx * c->words : NULL;
        for (long t = c->len; ok && t >= 0; t--) {
            if (st >= r->min && bit(want, t)) {
                bit_set(row, t);
                continue;
            }
            if (!nrow)
                continue;
            memset(tmp, 0, sizeof(uint64_t) * c->words);
            if (!or_ends(c, r->a, t, tmp)) {
                ok = false;
                break;
            }
            for (size_t w = (size_t)t >> 6; w < c->words; w++) {
                uint64_t m = tmp[w] & nrow[w];
                if (w == (size_t)t >> 6 && nx == st)
                    m &= ~(1ull << (t & 63));   /* no empty iteration in a loop state */
                if (m) {
                    bit_set(row, t);
                    break;
                }
            }
        }
        ok = ok && charge(c, (unsigned long)(c->len + 1) * c->words);
    }
    set_free(c, tmp);
    if (!ok && rows) {
        free(rows);
        c->bytes -= sizeof(uint64_t) * c->words * (size_t)ns;
        rows = NULL;
    }
    return rows;
}

static void rows_free(struct mctx *c, int n, uint64_t *rows)
{
    if (rows) {
        free(rows);
        c->bytes -= sizeof(uint64_t) * c->words * (size_t)rep_states(&c->re->n[n]);
    }
}

static long walk_end(struct mctx *c, int n, long i, const uint64_t *want, int depth);

/* The optional copies of x{n,m} (m finite), with k >= n iterations done at
 * @pos: glibc nests them, ((x? x)? x)?, and its walk first decides to use
 * as many of them as can still end in @want, then walks those in order.
 * Returns the end of the next iteration (the count is then one less), or
 * -2 when no more iterations are taken, -1 on a limit. */
static long rep_opt_next(struct mctx *c, int n, int k, long pos, const uint64_t *want, int depth)
{
    const struct rnode *r = &c->re->n[n];
    int left = r->max - k;
    if (left <= 0)
        return -2;
    size_t w = c->words;
    uint64_t *e = work_alloc(c, sizeof(uint64_t) * w * (size_t)(left + 1));
    if (!e)
        return -1;
    memcpy(e, want, sizeof(uint64_t) * w);
    int q = 0;
    /* e[q]: offsets from which exactly q iterations end in @want */
    for (int t = 1; t <= left; t++) {
        if (!pre_set(c, r->a, e + (size_t)(t - 1) * w, e + (size_t)t * w)) {
            q = -1;
            break;
        }
        if (bit(e + (size_t)t * w, pos))
            q = t;
    }
    long u = q < 0 ? -1 : q == 0 ? -2 : walk_end(c, r->a, pos, e + (size_t)(q - 1) * w, depth + 1);
    free(e);
    c->bytes -= sizeof(uint64_t) * w * (size_t)(left + 1);
    return u;
}

/* Where glibc's walk of node n from i ends, when what follows it can go
 * on from the offsets in @want (one of them is reachable); -1 on a limit. */
static long walk_end(struct mctx *c, int n, long i, const uint64_t *want, int depth)
{
    const struct rnode *r = &c->re->n[n];
    if (c->err || depth > BT_DEPTH_MAX) {
        if (!c->err)
            c->err = pb_error(PB_ERANGE, "regexp: pattern too deeply nested");
        return -1;
    }
    switch (r->type) {
    case R_SET:
        return i + set_width(c, r, i);
    case R_GROUP:
        return walk_end(c, r->a, i, want, depth + 1);
    case R_CAT: {
        uint64_t *wb = set_new(c);
        long t = wb && pre_set(c, r->b, want, wb) ? walk_end(c, r->a, i, wb, depth + 1) : -1;
        set_free(c, wb);
        return t < 0 ? -1 : walk_end(c, r->b, t, want, depth + 1);
    }
    case R_ALT: {
        uint64_t *tmp = set_new(c);
        if (!tmp)
            return -1;
        int pick = -1;
        for (int side = 0; side < 2 && pick < 0; side++) {
            int a = alt_pick(c, r, side);
            int m = meets(c, a, i, want, tmp);
            if (m < 0)
                break;
            if (m)
                pick = a;
        }
        set_free(c, tmp);
        return pick < 0 ? -1 : walk_end(c, pick, i, want, depth + 1);
    }
    case R_REP: {
        uint64_t *cand = set_new(c), *tmp = set_new(c);
        uint64_t *rows = cand && tmp ? rep_rows(c, n, want) : NULL;
        long pos = i;
        int k = 0;
        while (rows && (r->max < 0 || k < r->max)) {
            if (r->max >= 0 && k >= r->min) {   /* the optional copies */
                long u = rep_opt_next(c, n, k, pos, want, depth);
                if (u < 0)
                    break;
                pos = u;
                k++;
                continue;
            }
            int nx = rep_next(r, k);
            memcpy(cand, rows + (size_t)nx * c->words, sizeof(uint64_t) * c->words);
            if (nx == k)
                cand[pos >> 6] &= ~(1ull << (pos & 63));
            int m = meets(c, r->a, pos, cand, tmp);
            if (m <= 0)
                break;
            long u = walk_end(c, r->a, pos, cand, depth + 1);
            if (u < 0)
                break;
            pos = u;
            k = nx;
        }
        rows_free(c, n, rows);
        set_free(c, cand);
        set_free(c, tmp);
        return c->err ? -1 : pos;
    }
    default:   /* assertions, empty */
        return i;
    }
}

/* The offsets {j} */
static uint64_t *set_one(struct mctx *c, long j)
{
    uint64_t *v = set_new(c);
    if (v)
        bit_set(v, j);
    return v;
}

/* Without back-references every choice made from the end sets succeeds:
 * assign iteratively with an explicit stack (no recursion per step). */
static int assign(struct mctx *c, long s, long e)
{
    size_t cap = 64, top = 0;
    struct ob *st = malloc(sizeof *st * cap);
    if (!st)
        return c->err = pb_error(PB_ENOMEM, "regexp: out of memory");
    st[top++] = ob_at(c->re->root, s, e, NULL);
    while (top && !c->err) {
        struct ob o = st[--top];
        const struct rnode *r = &c->re->n[o.n];
        if (o.close) {
            group_close(c, r->grp, o.j, o.opt);
            continue;
        }
        if (top + 2 > cap) {
            struct ob *v = realloc(st, sizeof *st * cap * 2);
            if (!v) {
                c->err = pb_error(PB_ENOMEM, "regexp: out of memory");
                break;
            }
            st = v;
            cap *= 2;
        }
        switch (r->type) {
        case R_GROUP:
            /* entered here, left after its body (group_close) */
            c->caps[r->grp].so = o.i;
            c->caps[r->grp].eo = -1;
            st[top] = ob_at(o.n, o.i, o.j, NULL);
            st[top].close = true;
            st[top++].opt = o.opt;
            st[top++] = ob_at(r->a, o.i, o.j, NULL);
            break;
        case R_CAT: {
            /* the left part ends where glibc's walk leaves it */
            uint64_t *one = set_one(c, o.j), *wb = set_new(c);
            long t = one && wb && pre_set(c, r->b, one, wb) ? walk_end(c, r->a, o.i, wb, 0) : -1;
            set_free(c, one);
            set_free(c, wb);
            if (t < o.i)
                break;   /* a limit (the end sets are exact) */
            st[top++] = ob_at(r->b, t, o.j, NULL);
            st[top++] = ob_at(r->a, o.i, t, NULL);
            break;
        }
        case R_ALT: {
            int a = alt_pick(c, r, 0);
            st[top++] = ob_at(has_end(c, a, o.i, o.j) ? a : alt_pick(c, r, 1), o.i, o.j, NULL);
            break;
        }
        case R_REP: {
            if (r->max >= 0 && o.k >= r->min) {   /* the optional copies */
                uint64_t *one = set_one(c, o.j);
                long u = one ? rep_opt_next(c, o.n, o.k, o.i, one, 0) : -1;
                set_free(c, one);
                if (u >= o.i) {
                    st[top++] = (struct ob){ o.n, u, o.j, o.k + 1, false, NULL, false, false };
                    st[top++] = ob_iter(c, r, o.k, o.i, u, NULL);
                }
                break;
            }
            if (o.i == o.j && o.k >= r->min) {
                if (rep_empty_due(c, r, o.k, o.iterated, o.i)) {
                    st[top++] = (struct ob){ o.n, o.i, o.j, rep_next(r, o.k), true, NULL, false, false };
                    st[top++] = ob_iter(c, r, o.k, o.i, o.i, NULL);
                }
                break;
            }
            int nx = rep_next(r, o.k);
            const uint64_t *fin = rep_finish(c, o.n, o.j, nx);
            if (!fin)
                break;
            /* the iteration ends where glibc's walk of the body leaves it */
            uint64_t *cand = set_new(c);
            long u = -1;
            if (cand) {
                memcpy(cand, fin, sizeof(uint64_t) * c->words);
                if (nx == o.k)
                    cand[o.i >> 6] &= ~(1ull << (o.i & 63));
                u = walk_end(c, r->a, o.i, cand, 0);
                set_free(c, cand);
            }
            if (u < o.i)
                break;   /* a limit (the end sets are exact) */
            st[top++] = (struct ob){ o.n, u, o.j, nx, rep_iterated_after(r, o.k, o.i, u), NULL, false, false };
            st[top++] = ob_iter(c, r, o.k, o.i, u, NULL);
            break;
        }
        default:
            break;
        }
    }
    free(st);
    return c->err ? c->err : 1;
}

int pb_regex_exec(const struct pb_regex *re, const char *subject, struct pb_regmatch *m, size_t nm)
{
    struct mctx c = { .re = re, .s = (const unsigned char *)subject };
    c.len = (long)strlen(subject);
    c.words = ((size_t)c.len + 1 + 63) / 64;
    int result = 0;
    c.memo = calloc((size_t)re->nn, sizeof *c.memo);
    c.rc = calloc((size_t)re->nn, sizeof *c.rc);
    c.caps = calloc((size_t)re->nsub + 1, sizeof *c.caps);
    c.prev = calloc((size_t)re->nsub + 1, sizeof *c.prev);
    uint64_t *e0 = calloc(c.words, sizeof *e0);
    if (!c.memo || !c.rc || !c.caps || !c.prev || !e0) {
        result = pb_error(PB_ENOMEM, "regexp: out of memory");
        goto out;
    }
    for (long s = 0; s <= c.len && !result; s++) {
        memset(e0, 0, c.words * sizeof *e0);
        if (!or_ends(&c, re->root, s, e0)) {
            result = c.err;
            break;
        }
        for (long e = c.len; e >= s; e--) {
            if (!bit(e0, e))
                continue;
            for (int g = 0; g <= re->nsub; g++)
                c.caps[g].so = c.caps[g].eo = c.prev[g].so = c.prev[g].eo = -1;
            int r;
            if (re->has_bref) {
                struct ob o = ob_at(re->root, s, e, NULL);
                r = solve(&c, &o, 0);
                if (r < 0)
                    r = c.err;
            } else {
                r = assign(&c, s, e);
            }
            if (r < 0) {
                result = r;
                break;
            }
            if (r == 1) {
                c.caps[0].so = s;
                c.caps[0].eo = e;
                result = 1;
                break;
            }
        }
    }
    if (result == 1) {
        for (size_t k = 0; k < nm; k++)
            m[k] = k <= (size_t)re->nsub ? c.caps[k] : (struct pb_regmatch){ -1, -1 };
    }
out:
    if (c.memo) {
        for (int n = 0; n < re->nn; n++) {
            if (!c.memo[n])
                continue;
            for (long i = 0; i <= c.len; i++)
                free(c.memo[n][i]);
            free(c.memo[n]);
        }
    }
    if (c.rc)
        for (int n = 0; n < re->nn; n++)
            free(c.rc[n].b);
    free(c.memo);
    free(c.rc);
    free(c.caps);
    free(c.prev);
    free(e0);
    return result;
}
