/* SPDX-License-Identifier: MIT */
/*
 * POSIX extended regular expressions (module `script`, modules/script/
 * regex.c) for GRUB's `regexp` command, which compiles its pattern with
 * regcomp(REG_EXTENDED) and matches with regexec (no flags).
 *
 * Syntax (POSIX.1-2017 XBD 9.4 "Extended Regular Expressions", with the
 * GNU operators of glibc's regcomp): branches `|`, groups `( )`, `*` `+`
 * `?` `{n}` `{n,}` `{n,m}` `{,m}`, `.`, `^` and `$` anchors anywhere,
 * bracket expressions with ranges, [:class:], [=c=], [.c.]; backslash:
 * \1..\9 back-references, \w \W \s \S \b \B \< \> \` \', any other
 * character literal.  C locale: bytes, ASCII classes.
 *
 * The overall match is POSIX leftmost-longest: it starts as early as
 * possible and is the longest from there.  Subexpressions are glibc's
 * (the regex code GRUB carries): one walk from the start of the pattern
 * to that end takes at each alternation the first alternative, and at
 * each repetition one more iteration, that can still end there; a
 * repeated group reports its last iteration (without back-references;
 * with them, the left part of a concatenation takes the longest span),
 * and an empty iteration of glibc's optional copy of a group puts back
 * the registers of its last non-empty group end ((a*)+ on aa: \1 = aa).
 * A `*' iteration that takes an empty first alternative inside the span
 * can still differ: tests/grubdiff/DIFFERENCES.md K3.  The work is polynomial in
 * the string length (no exponential backtracking) except with
 * back-references, where a step budget bounds it (PB_ERANGE "too
 * complex"); memory is bounded by PB_REGEX_MAX_WORK.
 */
#ifndef PVBOOT_REGEX_H
#define PVBOOT_REGEX_H

#include <stddef.h>

#define PB_REGEX_MAX_PATTERN  4096          /* bytes of a pattern */
#define PB_REGEX_MAX_DUP      255           /* largest {n,m} count */
#define PB_REGEX_MAX_WORK     (16u << 20)   /* bytes of match tables per exec */

/* glibc's REG_* compile error codes (regerror texts in pb_regex_strerror) */
enum pb_regex_err {
    PB_REG_OK = 0, PB_REG_NOMATCH, PB_REG_BADPAT, PB_REG_ECOLLATE, PB_REG_ECTYPE,
    PB_REG_EESCAPE, PB_REG_ESUBREG, PB_REG_EBRACK, PB_REG_EPAREN, PB_REG_EBRACE,
    PB_REG_BADBR, PB_REG_ERANGE, PB_REG_ESPACE, PB_REG_BADRPT, PB_REG_EEND,
    PB_REG_ESIZE, PB_REG_ERPAREN,
};

struct pb_regex;

/** A submatch: byte offsets [so, eo) in the subject; -1/-1 if unset. */
struct pb_regmatch {
    long so, eo;
};

/**
 * pb_regex_compile() - compile the NUL-terminated ERE @pattern.
 * On success stores the compiled expression at *@out and returns 0.
 * On error returns a PB_REG_* code (> 0; *@out untouched): the syntax
 * errors glibc's regcomp(REG_EXTENDED) reports for the same pattern,
 * PB_REG_ESIZE for a pattern over PB_REGEX_MAX_PATTERN bytes or a count
 * over PB_REGEX_MAX_DUP, PB_REG_ESPACE when out of memory.
 */
int pb_regex_compile(struct pb_regex **out, const char *pattern);

/** pb_regex_nsub() - number of parenthesised subexpressions. */
size_t pb_regex_nsub(const struct pb_regex *re);

/**
 * pb_regex_exec() - match @re against the NUL-terminated @subject.
 * @m: receives @nm submatches: m[0] the whole match, m[k] group k
 *     (unset groups and k > nsub are -1/-1).
 * Returns 1 on a match, 0 on none, or a negative PB_E* code after
 * pb_error(): PB_ERANGE when the subject is too long for the pattern
 * (tables over PB_REGEX_MAX_WORK) or back-references exhaust the step
 * budget, PB_ENOMEM.
 */
int pb_regex_exec(const struct pb_regex *re, const char *subject, struct pb_regmatch *m, size_t nm);

/** pb_regex_free() - release @re (NULL is fine). */
void pb_regex_free(struct pb_regex *re);

/** pb_regex_strerror() - glibc's regerror text for a PB_REG_* code. */
const char *pb_regex_strerror(int code);

#endif
