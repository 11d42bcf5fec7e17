/* SPDX-License-Identifier: MIT */
/*
 * Commands `linux FILE [ARGS...]`, `initrd FILE...` and
 * `chainloader FILE` (any PV ELF: another loader, our own image, GRUB's
 * pvgrub2), with GRUB's semantics; `boot` goes through the loader core
 * (include/pvboot/loader.h).  The kernel is read, decompressed, its Xen
 * notes checked and its segments placed in one page-aligned buffer here; the
 * hand-over is handover.c (PV) or handover_pvh.c (PVH), whichever protocol
 * the platform boots with (include/pvboot/platform.h).
 *
 * On a decide_only platform (hosted tools) `linux`/`initrd` only check that
 * the files exist (and, when signatures are enforced, that they verify) and
 * keep the decision, which the loader core reports at `boot`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/linux.h"
#include "pvboot/loader.h"
#include "pvboot/platform.h"
#include "pvboot/term.h"
#include "pvboot/time.h"

#define PG 4096ull
#define MAX_KERNEL_FILE (512ull << 20)   /* compressed kernel file */
#define MAX_ELF (1024ull << 20)          /* decompressed kernel ELF */
#define MAX_INITRD (4096ull << 20)
#define READ_CHUNK (4u << 20)
#define PROGRESS_NS 250000000ull         /* 4 refreshes per second */

static struct pb_linux_boot *cur;        /* the prepared boot, or NULL */
/* what `boot` would start: reset by `linux`/`chainloader`, extended by `initrd` */
static struct pb_boot_decision decision;

/* ---- progress display ---- */

struct progress {
    const char *what, *name;
    uint64_t total, t0, last;
    bool shown;
};

static void progress_show(struct progress *p, uint64_t done, bool final)
{
    uint64_t now = pb_time_ns();
    if (!final && now - p->last < PROGRESS_NS)
        return;
    p->last = now;
    uint64_t el = now - p->t0;
    uint64_t rate10 = el ? done * 10 * 1000000000ull / el / (1u << 20) : 0;   /* 0.1 MiB/s */
    if (p->total)
        pb_printf("\r%s %s: %" PRIu64 ".%" PRIu64 " of %" PRIu64 ".%" PRIu64 " MiB, %" PRIu64 ".%" PRIu64
                  " MiB/s   ",
                  p->what, p->name, done >> 20, ((done & 0xfffff) * 10) >> 20, p->total >> 20,
                  ((p->total & 0xfffff) * 10) >> 20, rate10 / 10, rate10 % 10);
    else
        pb_printf("\r%s %s: %" PRIu64 ".%" PRIu64 " MiB, %" PRIu64 ".%" PRIu64 " MiB/s   ", p->what,
                  p->name, done >> 20, ((done & 0xfffff) * 10) >> 20, rate10 / 10, rate10 % 10);
    p->shown = true;
    if (final)
        pb_printf("\n");
}

static void decomp_progress(void *ctx, size_t in_done, size_t out_done)
{
    (void)in_done;
    progress_show(ctx, out_done, false);
}

/* Read @f fully into @buf (@size bytes) with progress. */
static int read_with_progress(struct pb_file *f, const char *name, uint8_t *buf, uint64_t size)
{
    struct progress p = { .what = "loading", .name = name, .total = size, .t0 = pb_time_ns() };
    uint64_t done = 0;
    while (done < size) {
        size_t n = size - done > READ_CHUNK ? READ_CHUNK : (size_t)(size - done);
        int64_t r = pb_file_read(f, buf + done, n);
        if (r < 0)
            return (int)r;
        if (r == 0)
            return pb_error(PB_EIO, "%s: file ended at byte %" PRIu64 " of %" PRIu64, name, done,
                            size);
        done += (uint64_t)r;
        progress_show(&p, done, false);
    }
    progress_show(&p, done, true);
    return 0;
}

/* ---- the prepared boot ---- */

static void boot_free(struct pb_linux_boot *b)
{
    if (!b)
        return;
    free(b->kimage);
    free(b->initrd);
    free(b);
}

static void linux_unload(void *ctx)
{
    struct pb_linux_boot *b = ctx;
    if (b == cur)
        cur = NULL;
    boot_free(b);
}

/* ---- the two hand-over protocols: the one dispatch point ---- */

struct linux_backend {
    /* parse the kernel ELF and check it can boot this way */
    int (*parse)(const void *elf, size_t len, struct pb_xen_kernel *k);
    /* plan and hand over; returns only on failure */
    int (*boot)(struct pb_linux_boot *b);
};

static int pv_parse(const void *elf, size_t len, struct pb_xen_kernel *k)
{
    int rc = pb_xen_elf_parse(elf, len, k);
    if (rc < 0)
        return rc;
    /* libxenguest's check (xc_dom_parse_image): every feature the
     * kernel requires must be one it supports.  Xen's own feature list is
     * not consulted: writable_page_tables, for instance, only appears
     * there once the guest has enabled the vm_assist itself. */
    uint32_t missing = k->f_required & ~k->f_supported;
    if (missing)
        return pb_error(PB_ENOTSUP, "kernel requires Xen features %#x it does not support", missing);
    return 0;
}

static int pv_boot(struct pb_linux_boot *b)
{
    uint64_t nr = pb_platform()->domain_pages();
    if (nr == 0)    /* no domain to plan for (hosted) */
        return pb_linux_handover(b, NULL);
    struct pb_layout *L = calloc(1, sizeof(*L));
    if (!L)
        return pb_error(PB_ENOMEM, "linux: out of memory");
    uint64_t t0 = pb_time_ns();
    int rc = pb_layout_plan(&b->k, nr, b->initrd != NULL, b->initrd_len, L);
    b->t_layout_ns = pb_time_ns() - t0;
    if (rc == 0)
        rc = pb_linux_handover(b, L);   /* returns only on failure */
    free(L);
    return rc;
}

static const struct linux_backend backends[] = {
    [PB_BOOT_PV] = { .parse = pv_parse, .boot = pv_boot },
    [PB_BOOT_PVH] = { .parse = pb_pvh_elf_parse, .boot = pb_linux_handover_pvh },
};

/* The backend of the protocol this platform boots with. */
static const struct linux_backend *backend(void)
{
    return &backends[pb_platform()->proto == PB_BOOT_PVH ? PB_BOOT_PVH : PB_BOOT_PV];
}

static int linux_boot(void *ctx)
{
    struct pb_linux_boot *b = ctx;
    if (pb_platform()->decide_only)
        return 0;    /* the loader core reports the decision */
    return backend()->boot(b);
}

/* decide_only: the file must exist and be a regular file; nothing is read. */
static int check_file(const char *path)
{
    struct pb_stat st;
    int rc = pb_stat_path(path, &st, 0);
    if (rc < 0)
        return rc;
    if (st.type != PB_FT_REG)
        return pb_error(PB_EINVAL, "%s: not a regular file", path);
    if (pb_file_verifier_active()) {   /* signatures enforced: check it as a boot would */
        struct pb_file *f;
        rc = pb_file_open(path, &f);
        if (rc < 0)
            return rc;
        pb_file_close(f);
    }
    return 0;
}

/* Copy the PT_LOAD segments into a zeroed page-aligned image of the
 * kernel's pfn range [virt_kstart, virt_kend). */
static int place_segments(struct pb_linux_boot *b, const uint8_t *elf)
{
    const struct pb_xen_kernel *k = &b->k;
    if (k->virt_kstart & (PG - 1))
        return pb_error(PB_EBADFMT, "kernel start %#" PRIx64 " is not page aligned", k->virt_kstart);
    uint64_t size = k->virt_kend - k->virt_kstart;
    if (size > MAX_ELF * 2)
        return pb_error(PB_EBADFMT, "kernel spans %" PRIu64 " MiB of memory", size >> 20);
    b->kimage_pages = (size + PG - 1) / PG;
    b->kimage = aligned_alloc(PG, b->kimage_pages * PG);
    if (!b->kimage)
        return pb_error(PB_ENOMEM, "cannot allocate %" PRIu64 " MiB for the kernel", size >> 20);
    memset(b->kimage, 0, b->kimage_pages * PG);
    for (unsigned i = 0; i < k->nr_loads; i++) {
        const struct pb_kload *l = &k->loads[i];
        uint64_t off = l->paddr - k->pstart;     /* within [0, size) by construction */
        memcpy(b->kimage + off, elf + l->offset, l->filesz);
    }
    return 0;
}

/* Out of memory while preparing the kernel: say plainly that it does not fit. */
static int not_fit(const char *path)
{
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "%s", pb_errmsg());
    uint64_t pages = pb_platform()->domain_pages();
    if (pages)
        return pb_error(PB_ENOMEM, "%s: kernel does not fit in this %llu MiB domain (%s)", path,
                        (unsigned long long)(pages >> 8), tmp);
    return pb_error(PB_ENOMEM, "%s: kernel does not fit in memory (%s)", path, tmp);
}

static int load_kernel(const char *path, struct pb_linux_boot *b)
{
    struct pb_file *f = NULL;
    int rc = pb_file_open(path, &f);
    if (rc < 0)
        return rc;
    uint64_t t0 = pb_time_ns();
    if (f->size > MAX_KERNEL_FILE) {
        pb_file_close(f);
        return pb_error(PB_ERANGE, "%s: %" PRIu64 " MiB is too large for a kernel", path, f->size >> 20);
    }
    size_t len = (size_t)f->size;
    uint8_t *file = malloc(len ? len : 1);
    if (!file) {
        pb_file_close(f);
        return pb_error(PB_ENOMEM, "%s: cannot allocate %zu MiB", path, len >> 20);
    }
    rc = read_with_progress(f, path, file, len);
    pb_file_close(f);
    b->t_read_ns = pb_time_ns() - t0;
    if (rc == 0 && pb_env_get("linux_crc"))
        pb_printf("linux: %s: %zu bytes, crc32 %08lx\n", path, len,
                  crc32(0, file, (uInt)len));
    if (rc < 0) {
        free(file);
        return rc;
    }
    const void *elf = NULL;
    size_t elf_len = 0;
    bool owned = false;
    struct pb_kimage_stats st;
    struct progress p = { .what = "decompressing", .name = path, .t0 = pb_time_ns() };
    rc = pb_kimage_to_elf(path, file, len, MAX_ELF, &elf, &elf_len, &owned, &st, decomp_progress, &p);
    if (p.shown)
        progress_show(&p, st.elf_len, true);
    b->t_decomp_ns = st.decompress_ns;
    if (rc < 0) {
        free(file);
        return rc == PB_ENOMEM ? not_fit(path) : rc;
    }
    if (owned) {
        free(file);
        file = NULL;
    }
    rc = backend()->parse(elf, elf_len, &b->k);
    if (rc < 0) {
        char tmp[256];
        snprintf(tmp, sizeof(tmp), "%s", pb_errmsg());
        rc = pb_error(rc, "%s: %s", path, tmp);
    }
    if (rc == 0) {
        rc = place_segments(b, elf);
        if (rc == PB_ENOMEM)
            rc = not_fit(path);
    }
    if (owned)
        free((void *)elf);
    free(file);
    return rc;
}

static int cmd_linux_common(int argc, char **argv, bool chain)
{
    if (argc < 2)
        return pb_error(PB_EINVAL, "%s: filename expected", argv[0]);
    pb_loader_unset();
    memset(&decision, 0, sizeof(decision));
    const char *path = argv[1];

    struct pb_linux_boot *b = calloc(1, sizeof(*b));
    if (!b)
        return pb_error(PB_ENOMEM, "linux: out of memory");
    size_t need = chain ? 0 : pb_linux_cmdline(argc - 2, argv + 2, b->cmdline, sizeof(b->cmdline));
    if (need > PB_XEN_CMDLINE_MAX) {
        boot_free(b);
        return pb_error(PB_ERANGE,
                        "%s: the kernel command line is %zu bytes; Xen passes at most %d "
                        "(start_info cmd_line) — shorten it, nothing was cut",
                        argv[0], need, PB_XEN_CMDLINE_MAX);
    }
    snprintf(b->kernel_path, sizeof(b->kernel_path), "%s", path);

    int rc;
    if (pb_platform()->decide_only)
        rc = check_file(path);
    else
        rc = load_kernel(path, b);
    if (rc < 0) {
        boot_free(b);
        return rc;
    }
    snprintf(decision.kernel, sizeof(decision.kernel), "%s", path);
    snprintf(decision.cmdline, sizeof(decision.cmdline), "%s", b->cmdline);
    struct pb_loader l = { .name = chain ? "chainloader" : "linux", .boot = linux_boot,
                           .unload = linux_unload, .ctx = b, .decision = &decision };
    pb_loader_set(&l);
    cur = b;
    return 0;
}

static int cmd_linux(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    return cmd_linux_common(argc, argv, false);
}

static int cmd_chainloader(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    /* GRUB's --force is accepted and meaningless here */
    if (argc >= 2 && !strcmp(argv[1], "--force")) {
        argv[1] = argv[0];
        return cmd_linux_common(argc - 1, argv + 1, true);
    }
    return cmd_linux_common(argc, argv, true);
}

static int cmd_initrd(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    if (argc < 2)
        return pb_error(PB_EINVAL, "initrd: filename expected");
    if (!cur)
        return pb_error(PB_EINVAL, "you need to load the kernel first");
    if (argc - 1 > PB_DECISION_MAX_INITRDS)
        return pb_error(PB_ERANGE, "initrd: more than %d files", PB_DECISION_MAX_INITRDS);
    free(cur->initrd);
    cur->initrd = NULL;
    cur->initrd_len = 0;
    decision.nr_initrds = 0;

    if (pb_platform()->decide_only) {
        for (int i = 1; i < argc; i++) {
            int rc = check_file(argv[i]);
            if (rc < 0)
                return rc;
            snprintf(decision.initrds[i - 1], sizeof(decision.initrds[0]), "%s", argv[i]);
            decision.nr_initrds = i;
        }
        return 0;
    }
    /* GRUB concatenates the files, each starting 4-byte aligned */
    struct pb_file *files[PB_DECISION_MAX_INITRDS] = { 0 };
    uint64_t total = 0;
    int rc = 0, n = argc - 1;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = pb_file_open(argv[i + 1], &files[i]);
        if (rc == 0) {
            total = (total + 3) & ~3ull;
            total += files[i]->size;
            if (total > MAX_INITRD)
                rc = pb_error(PB_ERANGE, "initrd: %" PRIu64 " MiB in total is too large", total >> 20);
        }
    }
    /* say it before reading a byte: the initrds alone exceed the domain
     * (the full check with the kernel is the layout plan at boot) */
    uint64_t dom_pages = pb_platform()->domain_pages();
    if (rc == 0 && dom_pages && total > dom_pages * PG)
        rc = pb_error(PB_ENOMEM, "initrd: %s%s: %" PRIu64 " MiB does not fit in this %" PRIu64
                      " MiB domain", argv[1], n > 1 ? " ..." : "", total >> 20, dom_pages >> 8);
    uint8_t *buf = NULL;
    uint64_t t0 = pb_time_ns();
    if (rc == 0) {
        buf = aligned_alloc(PG, (total + PG - 1) / PG * PG + (total ? 0 : PG));
        if (!buf)
            rc = pb_error(PB_ENOMEM, "initrd: cannot allocate %" PRIu64 " MiB", total >> 20);
    }
    uint64_t pos = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        uint64_t a = (pos + 3) & ~3ull;
        memset(buf + pos, 0, a - pos);
        pos = a;
        rc = read_with_progress(files[i], argv[i + 1], buf + pos, files[i]->size);
        pos += files[i]->size;
    }
    for (int i = 0; i < n; i++)
        if (files[i])
            pb_file_close(files[i]);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    memset(buf + total, 0, (total + PG - 1) / PG * PG - total);
    if (pb_env_get("linux_crc"))
        pb_printf("linux: initrd: %llu bytes, crc32 %08lx\n", (unsigned long long)total,
                  crc32(0, buf, (uInt)total));
    cur->initrd = buf;
    cur->initrd_len = total;
    cur->t_read_ns += pb_time_ns() - t0;
    for (int i = 0; i < n; i++)
        snprintf(decision.initrds[i], sizeof(decision.initrds[0]), "%s", argv[i + 1]);
    decision.nr_initrds = n;
    return 0;
}

static struct pb_command linux_cmds[] = {
    { .name = "linux", .fn = cmd_linux, .flags = PB_CMD_F_LOADER, .usage = "FILE [ARGS...]",
      .summary = "Load a Xen PV kernel (bzImage, ELF, compressed ELF) with its command line." },
    { .name = "initrd", .fn = cmd_initrd, .flags = PB_CMD_F_LOADER, .usage = "FILE...",
      .summary = "Load initrds (concatenated) for the kernel loaded by `linux`." },
    { .name = "chainloader", .fn = cmd_chainloader, .flags = PB_CMD_F_LOADER, .usage = "[--force] FILE",
      .summary = "Load another PV loader or kernel image (any Xen PV ELF)." },
};

void pvboot_init_linux(void);
void pvboot_init_linux(void)
{
    for (unsigned i = 0; i < sizeof(linux_cmds) / sizeof(linux_cmds[0]); i++)
        pb_command_register(&linux_cmds[i]);
}

void pvboot_fini_linux(void);
void pvboot_fini_linux(void)
{
    for (unsigned i = 0; i < sizeof(linux_cmds) / sizeof(linux_cmds[0]); i++)
        pb_command_unregister(&linux_cmds[i]);
}
