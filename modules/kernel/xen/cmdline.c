/* SPDX-License-Identifier: MIT */
/* Xen command-line validation and parsing: see include/pvboot/cmdline.h.
 * Pure logic (both builds). */
#include <stdbool.h>
#include <string.h>
#include "pvboot/cmdline.h"
#include "pvboot/err.h"

long pb_cmdline_validate(const char *buf, size_t cap)
{
    for (size_t i = 0; i < cap; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0)
            return (long)i;
        if ((c < 0x20 && c != '\t') || c > 0x7e)
            return pb_error(PB_EINVAL, "Xen command line: non-printable byte 0x%02x at offset %zu",
                            c, i);
    }
    return pb_error(PB_EINVAL, "Xen command line: no terminating NUL within %zu bytes", cap);
}

static bool is_ident(const char *s, size_t n)
{
    if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Characters that need no quoting for the GRUB script parser. */
static bool safe_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           strchr("_-./,:=()@%+", c) != NULL;
}

int pb_cmdline_word(const char *line, size_t len, size_t *pos, char *w)
{
    size_t i = *pos;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i >= len) {
        *pos = i;
        return 0;
    }
    while (i < len && line[i] != ' ' && line[i] != '\t') {
        char c = line[i];
        if (c == '\'') {
            size_t q = i++;
            while (i < len && line[i] != '\'')
                *w++ = line[i++];
            if (i >= len)
                return pb_error(PB_EINVAL, "Xen command line: unterminated ' at offset %zu", q);
            i++;
        } else if (c == '"') {
            size_t q = i++;
            while (i < len && line[i] != '"') {
                if (line[i] == '\\' && i + 1 < len && strchr("\"\\$`", line[i + 1]))
                    i++;
                *w++ = line[i++];
            }
            if (i >= len)
                return pb_error(PB_EINVAL, "Xen command line: unterminated \" at offset %zu", q);
            i++;
        } else if (c == '\\' && i + 1 < len) {
            *w++ = line[i + 1];
            i += 2;
        } else {
            *w++ = c;
            i++;
        }
    }
    *w = '\0';
    *pos = i;
    return 1;
}

int pb_cmdline_value(const char *line, const char *key, char *store, const char **value)
{
    size_t len = strnlen(line, PB_CMDLINE_MAX), kl = strlen(key), i = 0;
    if (len >= PB_CMDLINE_MAX)
        return pb_error(PB_EINVAL, "Xen command line longer than %d bytes", PB_CMDLINE_MAX - 1);
    int r;
    while ((r = pb_cmdline_word(line, len, &i, store)) == 1) {
        if (strlen(store) > kl && !strncmp(store, key, kl)) {
            *value = store + kl;
            return 1;
        }
    }
    return r;
}

int pb_cmdline_parse(const char *line, struct pb_cmdline *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strnlen(line, PB_CMDLINE_MAX);
    if (len >= PB_CMDLINE_MAX)
        return pb_error(PB_EINVAL, "Xen command line longer than %d bytes", PB_CMDLINE_MAX - 1);

    /* 1. split into words (dequoted, each NUL-terminated in out->store) */
    const char *words[PB_CMDLINE_MAX / 2 + 1];
    unsigned nwords = 0;
    char *w = out->store;
    size_t i = 0;
    int r;
    while ((r = pb_cmdline_word(line, len, &i, w)) == 1) {
        words[nwords++] = w;         /* at most len/2 + 1 words fit in len bytes */
        w += strlen(w) + 1;
    }
    if (r < 0)
        return r;

    /* 2. exports (anywhere), then leading KEY=VALUE words */
    const size_t plen = strlen(PB_CMDLINE_ENV_PREFIX);
    unsigned rest = 0;
    const char *remaining[PB_CMDLINE_MAX / 2 + 1];
    for (unsigned k = 0; k < nwords; k++) {
        char *word = (char *)words[k];
        if (strncmp(word, PB_CMDLINE_ENV_PREFIX, plen) == 0) {
            char *name = word + plen;
            char *eq = strchr(name, '=');
            size_t nl = eq ? (size_t)(eq - name) : strlen(name);
            if (!is_ident(name, nl))
                return pb_error(PB_EINVAL, "Xen command line: bad variable name in \"%.64s\" "
                                "(expected %sNAME=VALUE, NAME made of letters, digits and _)",
                                word, PB_CMDLINE_ENV_PREFIX);
            if (eq)
                *eq = '\0';
            out->var_name[out->nvars] = name;
            out->var_value[out->nvars] = eq ? eq + 1 : "";
            out->nvars++;
            continue;
        }
        remaining[rest++] = word;
    }
    unsigned first = 0;
    while (first < rest) {
        const char *eq = strchr(remaining[first], '=');
        if (!eq || !is_ident(remaining[first], (size_t)(eq - remaining[first])))
            break;
        out->ignored[out->nignored++] = remaining[first++];
    }

    /* 3. the action */
    if (first == rest) {
        out->kind = PB_CMDLINE_NONE;
        return 0;
    }
    if (rest - first == 1 && (remaining[first][0] == '(' || remaining[first][0] == '/')) {
        out->kind = PB_CMDLINE_CONFIG;
        out->config = remaining[first];
        return 0;
    }
    out->kind = PB_CMDLINE_COMMAND;
    char *c = out->command;
    char *cend = out->command + sizeof out->command - 1;
    for (unsigned k = first; k < rest; k++) {
        const char *word = remaining[k];
        out->argv[out->argc++] = word;
        if (k > first)
            *c++ = ' ';
        bool safe = *word != '\0';
        for (const char *p = word; *p; p++)
            if (!safe_char(*p))
                safe = false;
        if (safe) {
            size_t l = strlen(word);
            memcpy(c, word, l);
            c += l;
            continue;
        }
        *c++ = '\'';
        for (const char *p = word; *p && c + 5 < cend; p++) {
            if (*p == '\'') {
                memcpy(c, "'\\''", 4);     /* close, escaped quote, reopen */
                c += 4;
            } else {
                *c++ = *p;
            }
        }
        *c++ = '\'';
    }
    *c = '\0';
    out->argv[out->argc] = NULL;
    return 0;
}
