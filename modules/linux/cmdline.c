/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line from the words after the kernel path, with GRUB 2's
 * quoting rules (facts from GRUB's lib/cmdline.c, our own code):
 *   - words are joined by one space; no BOOT_IMAGE= is added;
 *   - a word containing a space is wrapped in double quotes;
 *   - `\`, `'` and `"` are preceded by a backslash, except that a `\xHH`
 *     escape (two hex digits) is copied unchanged.
 */
#include <ctype.h>
#include <string.h>
#include "pvboot/linux.h"

static void put(char *out, size_t cap, size_t *n, char c)
{
    if (*n + 1 < cap)
        out[*n] = c;
    (*n)++;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

size_t pb_linux_cmdline(int argc, char *const argv[], char *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        bool space = strchr(w, ' ') != NULL;
        if (i)
            put(out, cap, &n, ' ');
        if (space)
            put(out, cap, &n, '"');
        for (size_t j = 0; w[j]; j++) {
            char c = w[j];
            if (c == '\\' && w[j + 1] == 'x' && is_hex(w[j + 2]) && is_hex(w[j + 3])) {
                for (int k = 0; k < 4; k++)
                    put(out, cap, &n, w[j + k]);
                j += 3;
                continue;
            }
            if (c == '\\' || c == '\'' || c == '"')
                put(out, cap, &n, '\\');
            put(out, cap, &n, c);
        }
        if (space)
            put(out, cap, &n, '"');
    }
    if (cap)
        out[n < cap ? n : cap - 1] = 0;
    return n;
}
