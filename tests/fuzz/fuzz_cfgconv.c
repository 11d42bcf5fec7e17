/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the other config formats -> GRUB script: GRUB legacy
 * menu.lst, syslinux/extlinux (with INCLUDE of the same text, bounded
 * nesting), BLS entries, grubenv blocks.  Every produced script must parse. */
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/bls.h"
#include "pvboot/cfgconv.h"
#include "pvboot/envblk.h"
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/menu.h"
#include "pvboot/script.h"

static const uint8_t *cur;
static size_t cur_len;

static int self_load(const char *path, char **buf, size_t *len)
{
    (void)path;
    *buf = malloc(cur_len + 1);
    if (!*buf)
        return PB_ENOMEM;
    memcpy(*buf, cur, cur_len);
    (*buf)[cur_len] = 0;
    *len = cur_len;
    return 0;
}

static int cb(const char *n, const char *v, void *ctx)
{
    (void)n;
    (void)v;
    (void)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        pb_hosted_init();
        pb_hosted_capture_output(true);
        init = 1;
    }
    cur = data;
    cur_len = size;
    char *s = pb_legacy_to_script((const char *)data, size);
    if (s) {
        if (pb_script_check(s, strlen(s), "legacy"))
            abort();    /* the converter must always produce valid script */
        free(s);
    }
    s = pb_syslinux_to_script((const char *)data, size, "(hd0,1)/boot", self_load);
    if (s) {
        if (pb_script_check(s, strlen(s), "syslinux"))
            abort();
        free(s);
    }
    pb_error_clear();
    pb_menu_push();
    char *t = malloc(size + 1);
    if (t) {
        memcpy(t, data, size);
        t[size] = 0;
        pb_bls_add_entry("fuzz-1.0-1", t, size, "fuzz.conf");
        struct pb_menu_entry *e = pb_menu_entry_at(pb_menu_current(), 0);
        if (e && pb_script_check(e->body, strlen(e->body), "bls") == PB_ENOMEM)
            abort();
        free(t);
    }
    pb_menu_pop();
    pb_error_clear();
    if (size <= PB_ENVBLK_MAX) {
        char *b = malloc(size ? size : 1);
        if (b) {
            memcpy(b, data, size);
            pb_envblk_iterate(b, size, "fuzz", cb, NULL);
            pb_envblk_set(b, size, "saved_entry", "x");
            free(b);
        }
    }
    pb_error_clear();
    pb_hosted_output_reset();
    return 0;
}
