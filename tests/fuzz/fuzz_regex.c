/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the ERE matcher of the `regexp` command
 * (modules/script/regex.c).  Input: PATTERN NUL SUBJECT (no NUL: the first
 * half is the pattern).  Compiling must fail cleanly or succeed; matching
 * must end (bounded work) with a match whose offsets are consistent, no
 * match, or a clear limit error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - data) : size / 2;
    size_t soff = nul ? plen + 1 : plen;
    char *pat = malloc(plen + 1), *subj = malloc(size - soff + 1);
    if (!pat || !subj)
        goto out;
    memcpy(pat, data, plen);
    pat[plen] = 0;
    memcpy(subj, data + soff, size - soff);
    subj[size - soff] = 0;
    struct pb_regex *re;
    int e = pb_regex_compile(&re, pat);
    if (e) {
        if (e < 0 || !pb_regex_strerror(e)[0])
            abort();
        goto out;
    }
    struct pb_regmatch m[12];
    int r = pb_regex_exec(re, subj, m, 12);
    long len = (long)strlen(subj);
    if (r == 1) {
        for (int k = 0; k < 12; k++) {
            if (m[k].so == -1 && m[k].eo == -1 && k > 0)
                continue;
            if (m[k].so < 0 || m[k].so > m[k].eo || m[k].eo > len)
                abort();
            if ((size_t)k > pb_regex_nsub(re))
                abort();
        }
    } else if (r < 0) {
        if (!pb_errmsg()[0])
            abort();
        pb_error_clear();
    } else if (r != 0) {
        abort();
    }
    pb_regex_free(re);
out:
    free(pat);
    free(subj);
    return 0;
}
