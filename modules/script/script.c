/* SPDX-License-Identifier: MIT */
/*
 * GRUB script lexer and parser (GRUB manual, "Shell-like scripting").
 *
 * Tokens: words, newline, `;`, and `{` / `}` wherever they are not quoted,
 * escaped or part of `${...}` (GRUB's lexer: `a{b}` is `a`, `{`, `b`, `}`).
 * A word keeps its source text (quotes included) and is expanded when the
 * command runs; only backslash-newline continuations are removed here.
 * `#` at the start of a word starts a comment.  Reserved words (if then
 * elif else fi for in do done while until function) count only unquoted
 * and in command position.  Any simple command may end with a block
 * `{ COMMANDS }` (GRUB's grammar): it is checked as commands and passed as
 * one word, `{', its source text, `}' (menuentry and submenu take their
 * body from it).  Every error names FILE:LINE:COL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/script.h"
#include "script_int.h"

/* ---- arena ---- */

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    max_align_t data[];
};

static void *arena_alloc(struct script *s, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct arena_chunk *c = s->chunks;
    if (!c || c->size - c->used < n) {
        size_t sz = n > 65536 ? n : 65536;
        c = malloc(sizeof(*c) + sz);
        if (!c)
            return NULL;
        c->size = sz;
        c->used = 0;
        c->next = s->chunks;
        s->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void script_ref(struct script *s)
{
    if (s)
        s->refs++;
}

void script_unref(struct script *s)
{
    if (!s || --s->refs > 0)
        return;
    struct arena_chunk *c = s->chunks;
    while (c) {
        struct arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    free(s->filename);
    free(s);
}

/* ---- lexer ---- */

enum tok { T_EOF, T_NL, T_SEMI, T_LBRACE, T_RBRACE, T_WORD };

struct parser {
    struct script *sc;
    const char *text;
    size_t len, pos;
    int line, col;
    /* one token of lookahead */
    bool have_tok;
    enum tok tok;
    struct word w;
    int tline, tcol;
    size_t tstart, tend;   /* token's byte range in text */
    int depth;
    bool failed;
    enum tok last;         /* the token consumed last */
    bool config;           /* a config file: see parser_config_file() */
};

static int perr(struct parser *p, int line, int col, const char *fmt, const char *arg)
{
    p->failed = true;
    return pb_error(PB_EINVAL, "%s:%d:%d: %s%s", p->sc->filename, line, col, fmt, arg ? arg : "");
}

static void adv(struct parser *p)
{
    if (p->text[p->pos] == '\n') {
        p->line++;
        p->col = 1;
    } else {
        p->col++;
    }
    p->pos++;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Append to a growing buffer; the result is copied into the arena. */
struct buf {
    char *d;
    size_t n, cap;
};

static int buf_put(struct buf *b, char c)
{
    if (b->n + 1 >= b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        char *d = realloc(b->d, nc);
        if (!d)
            return PB_ENOMEM;
        b->d = d;
        b->cap = nc;
    }
    b->d[b->n++] = c;
    return 0;
}

/* GRUB's variable syntax after a `$' at text[i]: NAME, DIGITS, one of ? # *
 * @, or any of them in braces.  Returns the length of the reference
 * (the `$' included), 0 when what follows is none of them (GRUB's lexer
 * rejects it). */
static size_t var_syntax_len(const char *t, size_t i, size_t len)
{
    size_t j = i + 1;
    bool brace = j < len && t[j] == '{';
    if (brace)
        j++;
    size_t s = j;
    if (j < len && (t[j] == '?' || t[j] == '#' || t[j] == '*' || t[j] == '@')) {
        j++;
    } else if (j < len && t[j] >= '0' && t[j] <= '9') {
        while (j < len && t[j] >= '0' && t[j] <= '9')
            j++;
    } else {
        while (j < len && (t[j] == '_' || (t[j] >= 'a' && t[j] <= 'z') || (t[j] >= 'A' && t[j] <= 'Z') ||
                           (j > s && t[j] >= '0' && t[j] <= '9')))
            j++;
    }
    if (j == s)
        return 0;
    if (brace) {
        if (j >= len || t[j] != '}')
            return 0;
        j++;
    }
    return j - i;
}

static int lex_word(struct parser *p)
{
    struct buf b = { 0 };
    int r = 0;
    while (p->pos < p->len && r == 0) {
        char c = p->text[p->pos];
        if (is_blank(c) || c == '\n' || c == ';' || c == '{' || c == '}')
            break;
        if (c == '\\') {
            if (p->pos + 1 < p->len && p->text[p->pos + 1] == '\n') {
                if (p->pos + 2 >= p->len) {
                    free(b.d);
                    return perr(p, p->line, p->col, "syntax error: line continued past the end of the file",
                                NULL);
                }
                adv(p);
                adv(p);
                continue;
            }
            r = buf_put(&b, c);
            adv(p);
            if (p->pos < p->len && r == 0) {
                r = buf_put(&b, p->text[p->pos]);
                adv(p);
            }
        } else if (c == '\'') {
            int ql = p->line, qc = p->col;
            r = buf_put(&b, c);
            adv(p);
            while (r == 0 && p->pos < p->len && p->text[p->pos] != '\'') {
                r = buf_put(&b, p->text[p->pos]);
                adv(p);
            }
            if (p->pos >= p->len) {
                free(b.d);
                return perr(p, ql, qc, "unterminated single quote", NULL);
            }
            if (r == 0)
                r = buf_put(&b, '\'');
            adv(p);
        } else if (c == '"') {
            int ql = p->line, qc = p->col;
            r = buf_put(&b, c);
            adv(p);
            while (r == 0 && p->pos < p->len && p->text[p->pos] != '"') {
                char d = p->text[p->pos];
                if (d == '$' && !var_syntax_len(p->text, p->pos, p->len)) {
                    free(b.d);
                    return perr(p, p->line, p->col, "syntax error: `$' without a variable name", NULL);
                }
                if (d == '\\' && p->pos + 1 < p->len) {
                    if (p->text[p->pos + 1] == '\n') {
                        adv(p);
                        adv(p);
                        continue;
                    }
                    r = buf_put(&b, d);
                    adv(p);
                    d = p->text[p->pos];
                }
                if (r == 0)
                    r = buf_put(&b, d);
                adv(p);
            }
            if (p->pos >= p->len) {
                free(b.d);
                return perr(p, ql, qc, "unterminated double quote", NULL);
            }
            if (r == 0)
                r = buf_put(&b, '"');
            adv(p);
        } else if (c == '<' || c == '>' || c == '|' || c == '&') {
            /* GRUB's lexer has tokens for these (redirections, pipes) and
             * its grammar no use for them: quote them to pass them on */
            char msg[64];
            snprintf(msg, sizeof msg, "syntax error: unquoted `%c'", c);
            free(b.d);
            return perr(p, p->line, p->col, msg, NULL);
        } else if (c == '$' && p->pos + 1 < p->len && p->text[p->pos + 1] == '"') {
            /* $"...": a translated string (the expander reads it as "...") */
            r = buf_put(&b, c);
            adv(p);
        } else if (c == '$' && !var_syntax_len(p->text, p->pos, p->len) &&
                   !(p->pos + 1 < p->len && p->text[p->pos + 1] == '{')) {
            free(b.d);
            return perr(p, p->line, p->col, "syntax error: `$' without a variable name", NULL);
        } else if (c == '$' && p->pos + 1 < p->len && p->text[p->pos + 1] == '{') {
            if (!var_syntax_len(p->text, p->pos, p->len)) {
                int el = p->line, ec = p->col;
                bool closed = false;
                for (size_t j = p->pos; j < p->len && p->text[j] != '\n'; j++)
                    if (p->text[j] == '}') {
                        closed = true;
                        break;
                    }
                free(b.d);
                return perr(p, el, ec, closed ? "syntax error: bad variable name in ${...}"
                                              : "unterminated ${", NULL);
            }
            int ql = p->line, qc = p->col;
            while (r == 0 && p->pos < p->len && p->text[p->pos] != '}') {
                if (p->text[p->pos] == '\n')
                    break;
                r = buf_put(&b, p->text[p->pos]);
                adv(p);
            }
            if (p->pos >= p->len || p->text[p->pos] != '}') {
                free(b.d);
                return perr(p, ql, qc, "unterminated ${", NULL);
            }
            if (r == 0)
                r = buf_put(&b, '}');
            adv(p);
        } else {
            r = buf_put(&b, c);
            adv(p);
        }
        if (b.n > PB_SCRIPT_MAX_WORD) {
            free(b.d);
            return perr(p, p->tline, p->tcol, "word too long", NULL);
        }
    }
    if (r) {
        free(b.d);
        return pb_error(PB_ENOMEM, "%s: out of memory while parsing", p->sc->filename);
    }
    char *s = arena_alloc(p->sc, b.n + 1);
    if (!s) {
        free(b.d);
        return pb_error(PB_ENOMEM, "%s: out of memory while parsing", p->sc->filename);
    }
    if (b.n)
        memcpy(s, b.d, b.n);
    s[b.n] = 0;
    free(b.d);
    p->w.raw = s;
    p->w.line = p->tline;
    p->w.col = p->tcol;
    return 0;
}

static int lex(struct parser *p)
{
    for (;;) {
        while (p->pos < p->len && is_blank(p->text[p->pos]))
            adv(p);
        if (p->pos + 1 < p->len && p->text[p->pos] == '\\' && p->text[p->pos + 1] == '\n') {
            if (p->pos + 2 >= p->len)
                return perr(p, p->line, p->col, "syntax error: line continued past the end of the file", NULL);
            adv(p);
            adv(p);
            continue;
        }
        if (p->pos < p->len && p->text[p->pos] == '#') {
            while (p->pos < p->len && p->text[p->pos] != '\n')
                adv(p);
            continue;
        }
        break;
    }
    p->tline = p->line;
    p->tcol = p->col;
    p->tstart = p->pos;
    if (p->pos >= p->len) {
        p->tok = T_EOF;
    } else {
        char c = p->text[p->pos];
        if (c == '\n') {
            p->tok = T_NL;
            adv(p);
        } else if (c == ';') {
            p->tok = T_SEMI;
            adv(p);
        } else if (c == '{' || c == '}') {
            p->tok = c == '{' ? T_LBRACE : T_RBRACE;
            adv(p);
        } else {
            int r = lex_word(p);
            if (r)
                return r;
            p->tok = T_WORD;
        }
    }
    p->tend = p->pos;
    p->have_tok = true;
    return 0;
}

static int peek(struct parser *p)
{
    if (!p->have_tok) {
        int r = lex(p);
        if (r)
            return r;
    }
    return 0;
}

static void consume(struct parser *p)
{
    p->last = p->tok;
    p->have_tok = false;
}

static bool tok_is_kw(struct parser *p, const char *kw)
{
    return p->have_tok && p->tok == T_WORD && strcmp(p->w.raw, kw) == 0;
}

/* ---- parser ---- */

enum { K_THEN = 1, K_ELIF = 2, K_ELSE = 4, K_FI = 8, K_DO = 16, K_DONE = 32 };
static const char *const kw_names[] = { "then", "elif", "else", "fi", "do", "done" };

static bool at_terminator(struct parser *p, unsigned mask)
{
    if (!p->have_tok || p->tok != T_WORD)
        return false;
    for (unsigned i = 0; i < 6; i++)
        if ((mask & (1u << i)) && strcmp(p->w.raw, kw_names[i]) == 0)
            return true;
    return false;
}

static bool is_any_terminator(struct parser *p)
{
    return at_terminator(p, 63) || tok_is_kw(p, "in");
}

static int parse_command(struct parser *p, struct node **out);

static int skip_seps(struct parser *p)
{
    for (;;) {
        int r = peek(p);
        if (r)
            return r;
        if (p->tok != T_NL && p->tok != T_SEMI)
            return 0;
        consume(p);
    }
}

/* Commands until a terminator in @mask, `}` or end of text (not consumed). */
static int parse_list(struct parser *p, unsigned mask, struct node **out)
{
    struct node *head = NULL, **tail = &head;
    for (;;) {
        int r;
        while ((r = peek(p)) == 0 && p->tok == T_NL)
            consume(p);
        if (r)
            return r;
        if (p->tok == T_SEMI)   /* GRUB: a `;' ends a command; alone it is an error */
            return perr(p, p->tline, p->tcol, "syntax error: unexpected ;", NULL);
        if (p->tok == T_EOF || p->tok == T_RBRACE || at_terminator(p, mask))
            break;
        struct node *n = NULL;
        r = parse_command(p, &n);
        if (r)
            return r;
        if (n) {
            *tail = n;
            tail = &n->next;
        }
        if ((r = peek(p)))
            return r;
        if (p->tok == T_SEMI)
            consume(p);
    }
    *out = head;
    return 0;
}

static int expect_kw(struct parser *p, const char *kw, int oline, int ocol, const char *opener)
{
    int r = skip_seps(p);
    if (r)
        return r;
    if (!tok_is_kw(p, kw)) {
        char msg[96];
        snprintf(msg, sizeof msg, "syntax error: expected '%s' for '%s' at line %d col %d, found ",
                 kw, opener, oline, ocol);
        return perr(p, p->tline, p->tcol, msg,
                    p->tok == T_EOF ? "end of file" : p->tok == T_RBRACE ? "'}'"
                    : p->tok == T_LBRACE ? "'{'" : p->w.raw);
    }
    consume(p);
    return 0;
}

static struct node *new_node(struct parser *p, enum node_type t, int line, int col)
{
    struct node *n = arena_alloc(p->sc, sizeof *n);
    if (n) {
        n->type = t;
        n->line = line;
        n->col = col;
    }
    return n;
}

/* Words of a simple command up to a separator or a `{` (not consumed). */
static int collect_words(struct parser *p, struct node *n)
{
    struct word tmp[64];
    struct word *ws = tmp;
    int nw = 0, cap = 64;
    int r = 0;
    for (;;) {
        r = peek(p);
        if (r)
            break;
        if (p->tok != T_WORD)
            break;
        if (nw == cap) {
            if (cap >= PB_SCRIPT_MAX_WORDS) {
                r = perr(p, p->tline, p->tcol, "too many words in one command", NULL);
                break;
            }
            struct word *nws = malloc(sizeof(*nws) * (size_t)cap * 2);
            if (!nws) {
                r = PB_ENOMEM;
                break;
            }
            memcpy(nws, ws, sizeof(*ws) * (size_t)nw);
            if (ws != tmp)
                free(ws);
            ws = nws;
            cap *= 2;
        }
        ws[nw++] = p->w;
        consume(p);
    }
    if (r == 0) {
        n->words = arena_alloc(p->sc, sizeof(struct word) * (size_t)(nw ? nw : 1));
        if (!n->words)
            r = pb_error(PB_ENOMEM, "%s: out of memory while parsing", p->sc->filename);
        else if (nw)
            memcpy(n->words, ws, sizeof(*ws) * (size_t)nw);
        n->nwords = nw;
    }
    if (ws != tmp)
        free(ws);
    return r;
}

/* GRUB's grammar wants at least one command in every list (a condition,
 * a then/else/do part, a function or menu entry body). */
static int need_commands(struct parser *p, const struct node *list, const char *what)
{
    if (list || (p->have_tok && p->tok == T_EOF))   /* EOF: the missing keyword is the error */
        return 0;
    return perr(p, p->tline, p->tcol, "syntax error: no command in ", what);
}

static bool is_reserved(const char *w)
{
    static const char *const kws[] = {
        "if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until",
        "function",
    };
    for (unsigned i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (strcmp(w, kws[i]) == 0)
            return true;
    return false;
}

/* A function's body: `{ COMMANDS }'. */
static int parse_block(struct parser *p, struct node *n, const char *what)
{
    int r = peek(p);
    if (r)
        return r;
    if (p->tok != T_LBRACE)
        return perr(p, p->tline, p->tcol, "syntax error: expected '{' after ", what);
    int bl = p->tline, bc = p->tcol;
    consume(p);
    r = parse_list(p, 0, &n->body);
    if (r)
        return r;
    r = peek(p);
    if (r)
        return r;
    if (p->tok == T_RBRACE && (r = need_commands(p, n->body, what)))
        return r;
    /* GRUB: `function F { COMMANDS; }': a `;' or newline before the `}' */
    if (p->tok == T_RBRACE && p->last != T_SEMI && p->last != T_NL)
        return perr(p, p->tline, p->tcol, "syntax error: `;' or newline expected before '}' in ", what);
    if (p->tok != T_RBRACE) {
        char msg[80];
        snprintf(msg, sizeof msg, "syntax error: missing '}' for '{' at line %d col %d in ", bl, bc);
        return perr(p, p->tline, p->tcol, msg, what);
    }
    consume(p);
    return 0;
}

static int parse_compound(struct parser *p, struct node *n, const char *kw)
{
    int r;
    int l = n->line, c = n->col;
    if (strcmp(kw, "if") == 0 || strcmp(kw, "elif") == 0) {
        n->type = N_IF;
        if ((r = parse_list(p, K_THEN, &n->cond)) || (r = need_commands(p, n->cond, "condition")) ||
            (r = expect_kw(p, "then", l, c, kw)))
            return r;
        if ((r = parse_list(p, K_ELIF | K_ELSE | K_FI, &n->body)) || (r = need_commands(p, n->body, "then")))
            return r;
        if ((r = peek(p)))
            return r;
        if (tok_is_kw(p, "elif")) {
            struct node *e = new_node(p, N_IF, p->tline, p->tcol);
            if (!e)
                return PB_ENOMEM;
            consume(p);
            n->els = e;
            return parse_compound(p, e, "elif");   /* consumes the shared `fi` */
        }
        if (tok_is_kw(p, "else")) {
            consume(p);
            if ((r = parse_list(p, K_FI, &n->els)) || (r = need_commands(p, n->els, "else")))
                return r;
        }
        return expect_kw(p, "fi", l, c, kw);
    }
    if (strcmp(kw, "while") == 0 || strcmp(kw, "until") == 0) {
        n->type = kw[0] == 'w' ? N_WHILE : N_UNTIL;
        if ((r = parse_list(p, K_DO, &n->cond)) || (r = need_commands(p, n->cond, "condition")) ||
            (r = expect_kw(p, "do", l, c, kw)))
            return r;
        if ((r = parse_list(p, K_DONE, &n->body)) || (r = need_commands(p, n->body, "do")))
            return r;
        return expect_kw(p, "done", l, c, kw);
    }
    if (strcmp(kw, "for") == 0) {
        n->type = N_FOR;
        if ((r = collect_words(p, n)))
            return r;
        if (n->nwords < 2 || strcmp(n->words[1].raw, "in") != 0 ||
            !name_is_ident(n->words[0].raw, strlen(n->words[0].raw)) || is_reserved(n->words[0].raw))
            return perr(p, l, c, "syntax error: expected 'for NAME in WORDS...; do'", NULL);
        /* drop "in" */
        for (int i = 1; i + 1 < n->nwords; i++)
            n->words[i] = n->words[i + 1];
        n->nwords--;
        if ((r = expect_kw(p, "do", l, c, kw)))
            return r;
        if ((r = parse_list(p, K_DONE, &n->body)) || (r = need_commands(p, n->body, "do")))
            return r;
        return expect_kw(p, "done", l, c, kw);
    }
    if (strcmp(kw, "function") == 0) {
        n->type = N_FUNC;
        /* GRUB defines functions only at the top level of a script */
        if (p->depth > 1)
            return perr(p, l, c, "syntax error: function definition inside a block", NULL);
        if ((r = peek(p)))
            return r;
        if (p->tok != T_WORD || !name_is_ident(p->w.raw, strlen(p->w.raw)))
            return perr(p, p->tline, p->tcol, "syntax error: expected a function name", NULL);
        if ((r = collect_words(p, n)))
            return r;
        if (n->nwords != 1)
            return perr(p, l, c, "syntax error: function NAME { ... }", NULL);
        while ((r = peek(p)) == 0 && p->tok == T_NL)
            consume(p);
        if (r)
            return r;
        return parse_block(p, n, "function");
    }
    return perr(p, l, c, "syntax error: unexpected ", kw);
}

/* GRUB's grammar: a simple command is its words and, last, maybe a block
 * `{ COMMANDS }', which must hold at least one command (checked as
 * commands: no function definition) and ends the command.  The block is
 * one more word: `{', the text between the braces as it is in the source,
 * `}' (GRUB records the text its lexer reads).  Called at the `{'. */
static int parse_block_arg(struct parser *p, struct node *n)
{
    int bl = p->tline, bc = p->tcol;
    size_t start = p->tend;
    consume(p);
    if (++p->depth > PB_SCRIPT_MAX_NESTING)
        return perr(p, bl, bc, "nesting too deep", NULL);
    struct node *body = NULL;
    int r = parse_list(p, 0, &body);
    p->depth--;
    if (r || (r = peek(p)))
        return r;
    if (p->tok == T_RBRACE && (r = need_commands(p, body, "block")))
        return r;
    if (p->tok != T_RBRACE) {
        char msg[64];
        snprintf(msg, sizeof msg, "syntax error: missing '}' for '{' at line %d col %d", bl, bc);
        return perr(p, p->tline, p->tcol, msg, NULL);
    }
    size_t len = p->tstart - start;
    if (len + 2 > PB_SCRIPT_MAX_WORD)
        return perr(p, bl, bc, "word too long", NULL);
    char *raw = arena_alloc(p->sc, len + 3);
    struct word *ws = arena_alloc(p->sc, sizeof *ws * (size_t)(n->nwords + 1));
    if (!raw || !ws)
        return pb_error(PB_ENOMEM, "%s: out of memory while parsing", p->sc->filename);
    /* GRUB reads a config file by lines and never sees one that starts
     * with `#' (its read_config_file): such lines are not in the text */
    size_t k = 0;
    raw[k++] = '{';
    for (size_t i = start; i < start + len; i++) {
        if (p->config && p->text[i] == '#' && p->text[i - 1] == '\n') {
            while (i < start + len && p->text[i] != '\n')
                i++;
            continue;   /* its newline too */
        }
        raw[k++] = p->text[i];
    }
    raw[k++] = '}';
    raw[k] = 0;
    if (n->nwords)
        memcpy(ws, n->words, sizeof *ws * (size_t)n->nwords);
    ws[n->nwords] = (struct word){ .raw = raw, .line = bl, .col = bc, .block = true };
    n->words = ws;
    n->nwords++;
    consume(p);
    /* the block ends the command */
    if ((r = peek(p)))
        return r;
    if (p->tok == T_WORD || p->tok == T_LBRACE)
        return perr(p, p->tline, p->tcol, "syntax error: unexpected ",
                    p->tok == T_LBRACE ? "'{' after a block" : p->w.raw);
    return 0;
}

/* The words of a simple command and its block, if any. */
static int parse_simple(struct parser *p, struct node *n)
{
    int r = collect_words(p, n);
    if (r || (r = peek(p)))
        return r;
    if (p->tok == T_LBRACE)
        return parse_block_arg(p, n);
    return 0;
}

static int parse_command(struct parser *p, struct node **out)
{
    int r = peek(p);
    if (r)
        return r;
    *out = NULL;
    if (p->tok == T_LBRACE)
        return perr(p, p->tline, p->tcol, "syntax error: unexpected '{'", NULL);
    if (p->tok != T_WORD)
        return 0;
    if (is_any_terminator(p))
        return perr(p, p->tline, p->tcol, "syntax error: unexpected ", p->w.raw);
    struct node *n = new_node(p, N_CMD, p->tline, p->tcol);
    if (!n)
        return pb_error(PB_ENOMEM, "%s: out of memory while parsing", p->sc->filename);
    /* GRUB: `!' is an ordinary first word, looked at when the command runs
     * (after expansion, so `$x cmd' with x=! negates too; exec.c).  What
     * follows it is arguments: `! if ...' is no `if' (a syntax error at its
     * `then'), `! fi' names the command `fi', `! function F { }' the command
     * `function' (which does not exist) with a block argument.  n->negate
     * stands for the `!' word; `!' alone runs, and fails (exec.c). */
    if (tok_is_kw(p, "!")) {
        consume(p);
        n->negate = true;
        if ((r = parse_simple(p, n)))
            return r;
        *out = n;
        return 0;
    }
    static const char *const compounds[] = { "if", "while", "until", "for", "function" };
    for (unsigned i = 0; i < sizeof compounds / sizeof compounds[0]; i++) {
        if (tok_is_kw(p, compounds[i])) {
            if (++p->depth > PB_SCRIPT_MAX_NESTING)
                return perr(p, p->tline, p->tcol, "nesting too deep", NULL);
            consume(p);
            r = parse_compound(p, n, compounds[i]);
            p->depth--;
            if (r)
                return r;
            /* a compound command must be followed by a separator */
            if ((r = peek(p)))
                return r;
            if (p->tok == T_WORD && !is_any_terminator(p))
                return perr(p, p->tline, p->tcol, "syntax error: unexpected word after block: ", p->w.raw);
            *out = n;
            return 0;
        }
    }
    if ((r = parse_simple(p, n)))
        return r;
    *out = n;
    return 0;
}

struct parser *parser_new(const char *text, size_t len, const char *filename,
                          int first_line, struct script **scp)
{
    struct parser *p = calloc(1, sizeof *p);
    struct script *sc = calloc(1, sizeof *sc);
    char *fn = strdup(filename ? filename : "(script)");
    if (!p || !sc || !fn) {
        free(p);
        free(sc);
        free(fn);
        pb_error(PB_ENOMEM, "out of memory");
        return NULL;
    }
    sc->refs = 1;
    sc->filename = fn;
    p->sc = sc;
    p->text = text;
    p->len = len;
    p->line = first_line > 0 ? first_line : 1;
    p->col = 1;
    *scp = sc;
    return p;
}

int parser_next(struct parser *p, struct node **out)
{
    if (p->failed)
        return PB_EINVAL;
    *out = NULL;
    for (;;) {
        int r = skip_seps(p);
        if (r)
            return r;
        if (p->tok == T_EOF)
            return 0;
        if (p->tok == T_RBRACE)
            return perr(p, p->tline, p->tcol, "syntax error: unexpected '}'", NULL);
        r = parse_command(p, out);
        if (r)
            return r;
        if (*out)
            return 1;
    }
}

int parser_next_chunk(struct parser *p, struct node **out)
{
    if (p->failed)
        return PB_EINVAL;
    *out = NULL;
    struct node *head = NULL, **tail = &head;
    int r;
    bool after_cmd = false;
    for (;;) {
        if ((r = peek(p)))
            return r;
        if (p->tok == T_EOF)
            break;
        if (p->tok == T_NL) {
            consume(p);
            if (head)
                break;
            continue;
        }
        if (p->tok == T_SEMI) {
            if (!after_cmd)   /* GRUB: `;' only ends a command */
                return perr(p, p->tline, p->tcol, "syntax error: unexpected ;", NULL);
            consume(p);
            after_cmd = false;
            continue;
        }
        after_cmd = true;
        if (p->tok == T_RBRACE)
            return perr(p, p->tline, p->tcol, "syntax error: unexpected '}'", NULL);
        struct node *n = NULL;
        if ((r = parse_command(p, &n)))
            return r;
        if (n) {
            *tail = n;
            tail = &n->next;
        }
    }
    *out = head;
    return head ? 1 : 0;
}

void parser_recover(struct parser *p)
{
    /* the offending token was a newline: the next line is already next */
    if (!(p->have_tok && p->tok == T_NL)) {
        while (p->pos < p->len && p->text[p->pos] != '\n')
            adv(p);
        if (p->pos < p->len)
            adv(p);
    }
    p->have_tok = false;
    p->failed = false;
    p->depth = 0;
}

void parser_config_file(struct parser *p)
{
    p->config = true;
}

void parser_free(struct parser *p)
{
    free(p);
}

int pb_script_check(const char *text, size_t len, const char *filename)
{
    if (len > PB_SCRIPT_MAX_SIZE)
        return pb_error(PB_ERANGE, "%s: script too large (%zu bytes, at most %u)",
                        filename ? filename : "(script)", len, PB_SCRIPT_MAX_SIZE);
    struct script *sc;
    struct parser *p = parser_new(text, len, filename, 1, &sc);
    if (!p)
        return PB_ENOMEM;
    int r;
    struct node *n;
    while ((r = parser_next(p, &n)) == 1)
        ;
    parser_free(p);
    script_unref(sc);
    return r < 0 ? r : 0;
}
