/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: check an image with Xen's own domain-builder parser.
 *
 * libxenguest opened with XC_OPENFLAG_DUMMY needs no hypervisor.  We fill
 * dom->xen_caps by hand (a real host gets it from Xen), load the image
 * (xc_dom_kernel_file/_mem gunzip a whole-file gzip like xl does) and run
 * xc_dom_parse_image(), which probes the format, parses the ELF and the Xen
 * notes and checks the guest type against xen_caps — once as a PV guest and
 * once in an HVM container (PVH), as xl does for type "pv" and "pvh".  See
 * /work/shared/docs/architecture.md "Checking an image with Xen's own parser".
 */
#include <string.h>

#include <bsd/string.h>
#include <xenctrl.h>
#include <xenguest.h>

#include "mkpv.h"

/* A logger remembering the last error and echoing the log at -v -v. */
struct capture_logger {
    xentoollog_logger vtable;
    char last[1024];   /* line (< 512) + ": " + strerror() */
    char first[512];   /* the first error: the loader's reason behind "no loader found" */
};

__attribute__((format(printf, 5, 0)))
static void capture_vmessage(struct xentoollog_logger *lg, xentoollog_level level, int errnoval,
                             const char *context, const char *format, va_list al)
{
    struct capture_logger *c = (struct capture_logger *)lg;
    char line[512];
    (void)context;
    vsnprintf(line, sizeof(line), format, al);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
        line[--n] = '\0';
    if (level >= XTL_ERROR && !c->first[0])
        strlcpy(c->first, line, sizeof(c->first));
    if (level >= XTL_WARN) {
        if (errnoval > 0)
            snprintf(c->last, sizeof(c->last), "%s: %s", line, strerror(errnoval));
        else
            strlcpy(c->last, line, sizeof(c->last));
    }
    mkpv_verbose(2, "libxenguest: %s", line);
}

static void capture_progress(struct xentoollog_logger *lg, const char *context,
                             const char *doing_what, int percent, unsigned long done,
                             unsigned long total)
{
    (void)lg; (void)context; (void)doing_what; (void)percent; (void)done; (void)total;
}

static void capture_destroy(struct xentoollog_logger *lg)
{
    (void)lg;
}

/* The last error, and the first one too if it differs (libxenguest's loader
 * loop ends with a generic "no loader found" after the real reason). */
static const char *reason(struct capture_logger *c, char *buf, size_t size)
{
    if (!c->last[0])
        return "unknown error";
    if (!c->first[0] || strstr(c->last, c->first))
        return c->last;
    snprintf(buf, size, "%s (%s)", c->last, c->first);
    return buf;
}

/* One parse: @pvh selects the HVM container (type = "pvh" in xl). */
static int parse_as(const char *path, const void *data, size_t len, const char *name, bool pvh,
                    struct mkpv_verify_result *res)
{
    struct capture_logger lg = {
        .vtable = { capture_vmessage, capture_progress, capture_destroy },
    };
    int rc = -1;
    char why[1600];
    const char *as = pvh ? "as a PVH guest" : "as a PV guest";
    const char *want = pvh ? "hvm-3.0-x86_32" : "xen-3.0-x86_64";
    xc_interface *xch = xc_interface_open(&lg.vtable, &lg.vtable, XC_OPENFLAG_DUMMY);
    if (!xch)
        return mkpv_error("%s: cannot open libxenguest (dummy): %s", name,
                          lg.last[0] ? lg.last : "unknown error");
    struct xc_dom_image *dom = xc_dom_allocate(xch, "", NULL);
    if (!dom) {
        mkpv_error("%s: libxenguest: xc_dom_allocate failed: %s", name, lg.last);
        goto out;
    }
    if (pvh)
        dom->container_type = XC_DOM_HVM_CONTAINER;
    strlcpy(dom->xen_caps, pvh ? MKPV_XEN_CAPS_HVM : MKPV_XEN_CAPS, sizeof(dom->xen_caps));
    int r = path ? xc_dom_kernel_file(dom, path) : xc_dom_kernel_mem(dom, data, len);
    if (r != 0) {
        mkpv_error("%s: Xen's domain builder cannot load the image %s: %s", name, as,
                   reason(&lg, why, sizeof(why)));
        goto out;
    }
    if (xc_dom_parse_image(dom) != 0) {
        mkpv_error("%s: Xen's domain builder rejects the image %s: %s", name, as,
                   reason(&lg, why, sizeof(why)));
        goto out;
    }
    if (strcmp(dom->guest_type ? dom->guest_type : "", want) != 0) {
        mkpv_error("%s: Xen sees guest type '%s' %s, expected %s", name,
                   dom->guest_type ? dom->guest_type : "(none)", as, want);
        goto out;
    }
    if (res && pvh) {
        res->pvh_entry = xc_dom_virt_entry(dom);
        res->pvh_kstart = dom->kernel_seg.vstart;
        res->pvh_kend = dom->kernel_seg.vend;
    } else if (res) {
        res->virt_base = xc_dom_virt_base(dom);
        res->virt_entry = xc_dom_virt_entry(dom);
        res->virt_hypercall = xc_dom_virt_hypercall(dom);
    }
    mkpv_verbose(1, "%s: accepted by libxenguest %s: guest type %s, virt_base 0x%llx, "
                 "entry 0x%llx", name, as, dom->guest_type,
                 (unsigned long long)xc_dom_virt_base(dom),
                 (unsigned long long)xc_dom_virt_entry(dom));
    rc = 0;
out:
    if (dom)
        xc_dom_release(dom);
    xc_interface_close(xch);
    return rc;
}

static int verify(const char *path, const void *data, size_t len, const char *name,
                  struct mkpv_verify_result *res)
{
    if (parse_as(path, data, len, name, false, res) < 0)
        return -1;
    return parse_as(path, data, len, name, true, res);
}

int mkpv_verify_file(const char *path, struct mkpv_verify_result *res)
{
    return verify(path, NULL, 0, path, res);
}

int mkpv_verify_file_as(const char *path, const char *name, struct mkpv_verify_result *res)
{
    return verify(path, NULL, 0, name, res);
}

int mkpv_verify_mem(const void *data, size_t len, const char *name, struct mkpv_verify_result *res)
{
    return verify(NULL, data, len, name, res);
}
