/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: one whole run — link, compress, write atomically, verify.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvboot/image.h"
#include "mkpv.h"

struct check_ctx {
    const char *name;
    uint64_t entry, pvh_entry;
};

/* Called on the written temporary file before it is renamed into place. */
static int check_written(const char *tmp, void *arg)
{
    const struct check_ctx *c = arg;
    struct mkpv_verify_result r;
    if (mkpv_verify_file_as(tmp, c->name, &r) < 0)
        return -1;
    if (r.virt_base != 0 || r.virt_entry != c->entry)
        return mkpv_error("%s: Xen reads virt_base 0x%llx and entry 0x%llx, expected 0 and "
                          "0x%llx", c->name, (unsigned long long)r.virt_base,
                          (unsigned long long)r.virt_entry, (unsigned long long)c->entry);
    if (r.pvh_entry != c->pvh_entry)
        return mkpv_error("%s: Xen reads PVH entry 0x%llx, expected 0x%llx", c->name,
                          (unsigned long long)r.pvh_entry, (unsigned long long)c->pvh_entry);
    return 0;
}

/* One candidate form of the output file. */
struct form {
    const char *name;
    uint8_t *data;   /* malloc'd; NULL for the uncompressed image */
    size_t len;
};

int mkpv_run(const struct mkpv_options *o)
{
    mkpv_set_verbose(o->verbose);
    struct mkpv_link *l = mkpv_link(o);
    if (!l)
        return -1;
    size_t raw_len;
    const uint8_t *raw = mkpv_link_image(l, &raw_len);
    int rc = -1;
    /* forms[0] none, [1] gzip, [2] xz; only the ones -C asks for are made */
    struct form forms[3] = { { "uncompressed", NULL, raw_len }, { "gzip", NULL, 0 },
                             { "xz bzImage", NULL, 0 } };
    bool want_gz = o->compress == MKPV_COMPRESS_GZIP || o->compress == MKPV_COMPRESS_AUTO;
    bool want_xz = o->compress == MKPV_COMPRESS_XZ || o->compress == MKPV_COMPRESS_AUTO;
    if (want_gz && mkpv_gzip(raw, raw_len, &forms[1].data, &forms[1].len) < 0)
        goto out;
    if (want_xz && mkpv_xz_bzimage(raw, raw_len, &forms[2].data, &forms[2].len) < 0)
        goto out;
    char sizes[128] = "";
    if (want_gz)
        snprintf(sizes, sizeof(sizes), ", %zu bytes gzip", forms[1].len);
    if (want_xz)
        snprintf(sizes + strlen(sizes), sizeof(sizes) - strlen(sizes), ", %zu bytes xz bzImage",
                 forms[2].len);
    mkpv_verbose(1, "image: %zu bytes uncompressed%s", raw_len, sizes);
    const struct form *pick = &forms[0];
    if (o->compress == MKPV_COMPRESS_GZIP) {
        pick = &forms[1];
    } else if (o->compress == MKPV_COMPRESS_XZ) {
        pick = &forms[2];
    } else if (o->compress == MKPV_COMPRESS_AUTO) {
        /* the smallest form Xen loads: try xz and gzip, smaller first, each only
         * if smaller than the plain image and accepted by libxenguest */
        const struct form *order[2] = { &forms[2], &forms[1] };
        if (forms[1].len < forms[2].len) {
            order[0] = &forms[1];
            order[1] = &forms[2];
        }
        for (size_t i = 0; i < 2 && pick == &forms[0]; i++) {
            if (order[i]->len >= raw_len)
                continue;
            if (o->no_verify || mkpv_verify_mem(order[i]->data, order[i]->len,
                                                o->output_path ? o->output_path : "stdout",
                                                NULL) == 0) {
                pick = order[i];
            } else {
                mkpv_verbose(1, "auto: %s form rejected (%s)", order[i]->name, mkpv_errmsg());
                mkpv_error_clear();
            }
        }
    }
    const uint8_t *out = pick->data ? pick->data : raw;
    const char *oname = o->output_path ? o->output_path : "standard output";
    struct check_ctx c = { .name = oname, .entry = mkpv_link_entry(l),
                           .pvh_entry = mkpv_link_pvh_entry(l) };
    int (*check)(const char *, void *) = o->no_verify ? NULL : check_written;
    if (o->output_path ? mkpv_write_atomic(o->output_path, out, pick->len, check, &c)
                       : mkpv_write_fd(STDOUT_FILENO, oname, out, pick->len, check, &c))
        goto out;
    mkpv_verbose(1, "wrote %s: %zu bytes (%s)%s", oname, pick->len, pick->name,
                 o->no_verify ? ", not verified" : ", verified with libxenguest");
    rc = 0;
out:
    free(forms[1].data);
    free(forms[2].data);
    mkpv_link_free(l);
    return rc;
}
