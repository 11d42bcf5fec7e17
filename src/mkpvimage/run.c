/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: one whole run — link, compress, write atomically, verify.
 */
#include <stdlib.h>
#include <string.h>

#include "pvboot/image.h"
#include "mkpv.h"

struct check_ctx {
    const char *name;
    uint64_t entry;
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
    return 0;
}

int mkpv_run(const struct mkpv_options *o)
{
    if (!o->output_path)
        return mkpv_error("no output: -o FILE is required");
    if (mkpv_compress_check(o->compress) < 0)
        return -1;
    mkpv_set_verbose(o->verbose);
    struct mkpv_link *l = mkpv_link(o);
    if (!l)
        return -1;
    size_t raw_len;
    const uint8_t *raw = mkpv_link_image(l, &raw_len);
    uint8_t *gz = NULL;
    size_t gz_len = 0;
    int rc = -1;
    const uint8_t *out = raw;
    size_t out_len = raw_len;
    const char *form = "uncompressed";
    if (o->compress == MKPV_COMPRESS_GZIP || o->compress == MKPV_COMPRESS_AUTO) {
        if (mkpv_gzip(raw, raw_len, &gz, &gz_len) < 0)
            goto out;
        mkpv_verbose(1, "image: %zu bytes uncompressed, %zu bytes gzip", raw_len, gz_len);
    }
    if (o->compress == MKPV_COMPRESS_GZIP) {
        out = gz;
        out_len = gz_len;
        form = "gzip";
    } else if (o->compress == MKPV_COMPRESS_AUTO && gz_len < raw_len) {
        /* smallest form Xen loads: gzip if libxenguest accepts it */
        if (o->no_verify || mkpv_verify_mem(gz, gz_len, o->output_path, NULL) == 0) {
            out = gz;
            out_len = gz_len;
            form = "gzip";
        } else {
            mkpv_verbose(1, "auto: gzip form rejected (%s); writing uncompressed", mkpv_errmsg());
            mkpv_error_clear();
        }
    }
    struct check_ctx c = { .name = o->output_path, .entry = mkpv_link_entry(l) };
    if (mkpv_write_atomic(o->output_path, out, out_len, o->no_verify ? NULL : check_written,
                          &c) < 0)
        goto out;
    mkpv_verbose(1, "wrote %s: %zu bytes (%s)%s", o->output_path, out_len, form,
                 o->no_verify ? ", not verified" : ", verified with libxenguest");
    rc = 0;
out:
    free(gz);
    mkpv_link_free(l);
    return rc;
}
