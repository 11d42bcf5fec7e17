/* SPDX-License-Identifier: MIT */
/* `keyword value` lines of boot configs (include/pvboot/cfgline.h). */
#include "pvboot/cfgline.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

bool pb_cfgline_next(const char *text, size_t len, size_t *pos, unsigned flags,
                     struct pb_cfgline *out)
{
    size_t i = *pos;
    bool lead_cr = !(flags & PB_CFGLINE_KEEP_LEADING_CR);
    bool equals = flags & PB_CFGLINE_EQUALS;
    while (i < len) {
        size_t s = i;
        while (i < len && text[i] != '\n')
            i++;
        size_t e = i;
        if (i < len)
            i++;                      /* past the '\n' */
        while (s < e && (is_blank(text[s]) || (lead_cr && text[s] == '\r')))
            s++;
        while (e > s && (is_blank(text[e - 1]) || text[e - 1] == '\r'))
            e--;
        if (s == e || text[s] == '#')
            continue;
        size_t k = s;
        while (k < e && !is_blank(text[k]) && !(equals && text[k] == '='))
            k++;
        size_t v = k;
        while (v < e && is_blank(text[v]))
            v++;
        if (equals && v < e && text[v] == '=') {
            v++;
            while (v < e && is_blank(text[v]))
                v++;
        }
        *pos = i;
        out->key = text + s;
        out->keylen = k - s;
        out->val = text + v;
        out->vallen = e - v;
        return true;
    }
    *pos = i;
    return false;
}
