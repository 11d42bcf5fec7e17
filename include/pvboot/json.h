/* SPDX-License-Identifier: MIT */
/* A small bounded JSON tokenizer (modules/luks2/json.c, module luks2, for
 * the LUKS2 metadata area); pure logic. */
#ifndef PVBOOT_JSON_H
#define PVBOOT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_JSON_MAX_DEPTH 16

enum pb_json_type { PB_JSON_NULL, PB_JSON_BOOL, PB_JSON_NUM, PB_JSON_STR, PB_JSON_OBJ,
                    PB_JSON_ARR };

struct pb_json_tok {
    enum pb_json_type type;
    size_t start, end;        /* byte span in the text (a string: inside the quotes) */
    size_t span;              /* tokens in this subtree, itself included */
    uint32_t count;           /* object members / array elements */
};

/**
 * pb_json_parse() - tokenize @len bytes of JSON text at @s into @toks (at
 * most @max).  An object member is its key token (a string) followed by
 * its value's tokens.  Returns 0 and *@ntok, or PB_EBADFS with a message
 * "@what: JSON byte N: ..." (syntax error, nesting deeper than
 * PB_JSON_MAX_DEPTH, more than @max tokens, trailing data).
 */
int pb_json_parse(const char *s, size_t len, struct pb_json_tok *toks, size_t max,
                  const char *what, size_t *ntok);
/** pb_json_get() - the value token of member @key of object @obj, -1 if
 *  none (or @obj is not an object).  Keys compare as raw bytes. */
int pb_json_get(const char *s, const struct pb_json_tok *t, size_t nt, int obj, const char *key);
/** pb_json_member() - the value token of the @n-th member/element of
 *  object/array @obj (its key token into *@key for an object), -1 past the end. */
int pb_json_member(const struct pb_json_tok *t, size_t nt, int obj, uint32_t n, int *key);
/** pb_json_str() - string token @i with escapes decoded into @out (@size
 *  bytes, NUL-terminated).  Returns its length, -1 if @i is not a string,
 *  does not fit, or holds a \u escape outside ASCII / NUL. */
int pb_json_str(const char *s, const struct pb_json_tok *t, int i, char *out, size_t size);

#endif
