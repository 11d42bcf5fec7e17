/* SPDX-License-Identifier: MIT */
/*
 * pvboot-probe: what would the guest boot?  Runs the loader's config
 * pipeline (module `normal`: Xen command line, embedded config, discovery,
 * the guest's own config, menu defaults) on disk images with the hosted
 * platform deciding only (include/pvboot/platform.h: nothing is booted, no
 * key is pressed) and prints the menu tree, the default entry and the boot
 * decision the platform received.  With
 * --memory it also reads the chosen kernel and initrds from the images and
 * prints the new domain's layout as Xen's x86_64 PV domain builder
 * (libxenguest) would lay it out for a domain of that size.
 * See man/pvboot-probe.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xen/arch-x86/hvm/start_info.h>
#include "pvboot/disk.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/hosted.h"
#include "pvboot/linux.h"
#include "pvboot/loader.h"
#include "pvboot/menu.h"
#include "pvboot/pgp.h"
#include "pvboot/script.h"
#include "pvboot/version.h"
#include "confine.h"

/* embed/default.cfg, compiled in by src/CMakeLists.txt */
extern const char mkpv_default_cfg[];
extern const size_t mkpv_default_cfg_len;

static bool json;
static char *tree;          /* menu tree (text or JSON), built by the hook */
static size_t tree_len, tree_cap;

static void tput(const char *s)
{
    size_t n = strlen(s);
    if (tree_len + n + 1 > tree_cap) {
        size_t nc = tree_cap ? tree_cap * 2 : 4096;
        while (nc < tree_len + n + 1)
            nc *= 2;
        char *d = realloc(tree, nc);
        if (!d) {
            fprintf(stderr, "pvboot-probe: out of memory\n");
            exit(2);
        }
        tree = d;
        tree_cap = nc;
    }
    memcpy(tree + tree_len, s, n + 1);
    tree_len += n;
}

static void json_str(char *buf, size_t sz, const char *s)
{
    size_t o = 0;
    if (sz < 3)
        return;
    buf[o++] = '"';
    for (; *s && o + 8 < sz; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(buf + o, sz - o, "\\u%04x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = 0;
}

/*
 * safe() - @s for a terminal: every control character (below 0x20, and
 * 0x7f) becomes \xNN, so titles, ids and paths from an untrusted guest disk
 * cannot send escape sequences to the admin's terminal.  Returns @buf
 * (@sz bytes, truncated if needed).
 */
static const char *safe(const char *s, char *buf, size_t sz)
{
    size_t o = 0;
    if (!sz)
        return "";
    for (; *s && o + 5 < sz; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, sz - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = 0;
    return buf;
}

/*
 * put_log() - print the run's console output @log on stdout as a terminal
 * would show it, but harmless: "\r\n" line ends become "\n", tabs stay,
 * every other control character (ESC of an escape sequence, BEL, a lone CR)
 * is shown as \xNN.
 */
static void put_log(const char *log)
{
    for (const char *p = log; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\r' && p[1] == '\n')
            continue;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void walk(struct pb_menu *m, int depth)
{
    char line[2600], t[1100], id[1100];
    int i = 0;
    if (json)
        tput("[");
    for (struct pb_menu_entry *e = m->first; e; e = e->next, i++) {
        if (json) {
            json_str(t, sizeof t, e->title);
            json_str(id, sizeof id, e->id ? e->id : "");
            snprintf(line, sizeof line, "%s{\"index\": %d, \"title\": %s, \"id\": %s, \"submenu\": %s%s",
                     i ? ", " : "", i, t, id, e->submenu ? "true" : "false", e->hidden ? ", \"hidden\": true" : "");
            tput(line);
        } else {
            safe(e->title, t, sizeof t);
            safe(e->id ? e->id : "", id, sizeof id);
            snprintf(line, sizeof line, "%*s%d. %s%s%s%s%s\n", 2 + depth * 4, "", i, t,
                     e->submenu ? " >" : "", e->id ? "  [id " : "", id, e->id ? "]" : "");
            tput(line);
        }
        if (e->submenu && depth < PB_MENU_MAX_DEPTH) {
            if (pb_menu_enter(e) == 0) {
                if (json)
                    tput(", \"entries\": ");
                walk(pb_menu_current(), depth + 1);
                pb_menu_leave();
            } else {
                pb_error_clear();
            }
        }
        if (json)
            tput("}");
    }
    if (json)
        tput("]");
}

/* console output up to the walk that fills the report: what the walk and
 * the tree below print is dropped (submenu bodies run again to boot) */
static size_t log_mark;

static void hook_begin(void)
{
    log_mark = strlen(pb_hosted_output());
}

static void hook(struct pb_menu *m, const struct pb_menu_report *r)
{
    (void)r;
    tree_len = 0;
    if (tree)
        tree[0] = 0;
    walk(m, 0);
    pb_hosted_output_truncate(log_mark);
}

/* "xen/xvda,msdos2" -> 2, "xen/xvda" -> 0, -1 if unknown */
static int part_number(const char *dev)
{
    const char *c = strrchr(dev, ',');
    if (!c)
        return 0;
    const char *p = c + 1;
    while (*p && (*p < '0' || *p > '9'))
        p++;
    return *p ? atoi(p) : -1;
}

/* Split a decision path into device and path on it. */
static void split_dev(const char *path, const char *root, char *dev, size_t dsz, const char **fspath)
{
    if (path[0] == '(') {
        const char *e = strchr(path, ')');
        if (e) {
            snprintf(dev, dsz, "%.*s", (int)(e - path - 1), path + 1);
            *fspath = e + 1;
            return;
        }
    }
    snprintf(dev, dsz, "%s", root);
    *fspath = path;
}

/* GRUB-style normalisation of a path on a filesystem: "//a/./b" -> "/a/b" */
static void norm_path(const char *in, char *outp, size_t sz)
{
    size_t o = 0;
    const char *p = in;
    while (*p && o + 2 < sz) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - s);
        if (n == 1 && s[0] == '.')
            continue;
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            while (o > 0 && outp[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
            continue;
        }
        if (o + n + 2 >= sz)
            break;
        outp[o++] = '/';
        memcpy(outp + o, s, n);
        o += n;
    }
    if (o == 0)
        outp[o++] = '/';
    outp[o] = 0;
}

/*
 * read_text() - read the script file @path (a config) into a new buffer with
 * a NUL appended.  Regular files and pipes (-c <(...), a named pipe once
 * its writer is there) are read; anything else (a device, a socket) is
 * refused without blocking on the open.  More than PB_SCRIPT_MAX_SIZE
 * bytes (the interpreter's limit) is an error, never a silent truncation.  Returns 0, or -1 with a one-line
 * message naming @path and the reason in @err (@errsz bytes).
 */
static int read_text(const char *path, char **text, size_t *len, char *err, size_t errsz)
{
    *text = NULL;
    *len = 0;
    /* O_NONBLOCK until the type is known: a FIFO, tty or device named here
     * must not block the open */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(err, errsz, "%s: is a directory, not a config file", path);
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        close(fd);
        snprintf(err, errsz, "%s: not a regular file or a pipe", path);
        return -1;
    }
    if (S_ISFIFO(st.st_mode)) {
        /* a named pipe: wait for its writer now that the type is known,
         * through the same pipe (the one already open, or its path again) */
        struct stat st2;
        int fd2 = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (fd2 < 0 || fstat(fd2, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
            snprintf(err, errsz, "%s: cannot open: %s", path, fd2 < 0 ? strerror(errno) : "replaced while opened");
            if (fd2 >= 0)
                close(fd2);
            close(fd);
            return -1;
        }
        close(fd);
        fd = fd2;
    } else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    char *buf = malloc(PB_SCRIPT_MAX_SIZE + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errsz, "%s: out of memory", path);
        return -1;
    }
    size_t n = fread(buf, 1, PB_SCRIPT_MAX_SIZE, f);
    bool rd_err = ferror(f) != 0;
    int e = errno;
    bool more = !rd_err && n == PB_SCRIPT_MAX_SIZE && fgetc(f) != EOF;
    fclose(f);
    if (rd_err || more) {
        free(buf);
        if (rd_err)
            snprintf(err, errsz, "%s: read error: %s", path, strerror(e));
        else if (S_ISREG(st.st_mode))
            snprintf(err, errsz, "%s: too large (%lld bytes, at most %u)", path,
                     (long long)st.st_size, PB_SCRIPT_MAX_SIZE);
        else
            snprintf(err, errsz, "%s: too large (more than %u bytes)", path, PB_SCRIPT_MAX_SIZE);
        return -1;
    }
    buf[n] = 0;
    *text = buf;
    *len = n;
    return 0;
}

/* --check: the files, read by the parent, parsed by the confined child */
struct check_ctx {
    int n;
    char **names;
    char **bufs;        /* NULL: could not be read (already reported) */
    size_t *lens;
    int bad;            /* 2 if a file could not be read */
};

static int check_parse(void *ctx)
{
    struct check_ctx *c = ctx;
    int bad = c->bad;
    for (int i = 0; i < c->n; i++) {
        if (!c->bufs[i])
            continue;
        if (pb_script_check(c->bufs[i], c->lens[i], c->names[i])) {
            fprintf(stderr, "%s\n", pb_errmsg());
            pb_error_clear();
            if (!bad)
                bad = 1;
        } else {
            printf("%s: OK\n", c->names[i]);
        }
    }
    return bad;
}

/* --check FILE...: 0 all parse, 1 a syntax error, 2 a file cannot be read */
static int check_files(int argc, char **argv, struct pb_confine *conf)
{
    if (argc == 0) {
        fprintf(stderr, "pvboot-probe: --check needs at least one FILE\n");
        return 2;
    }
    struct check_ctx c = { argc, argv, calloc((size_t)argc, sizeof(char *)),
                           calloc((size_t)argc, sizeof(size_t)), 0 };
    if (!c.bufs || !c.lens) {
        fprintf(stderr, "pvboot-probe: out of memory\n");
        return 2;
    }
    for (int i = 0; i < argc; i++) {
        char err[4400];
        if (read_text(argv[i], &c.bufs[i], &c.lens[i], err, sizeof err) < 0) {
            fprintf(stderr, "pvboot-probe: %s\n", err);
            c.bad = 2;
        }
    }
    conf->what = argc == 1 ? argv[0] : "the files to check";
    int rc = pb_confine_run(conf, check_parse, &c);
    for (int i = 0; i < argc; i++)
        free(c.bufs[i]);
    free(c.bufs);
    free(c.lens);
    return rc;
}

/*
 * check_image() - refuse an IMAGE argument that cannot be a disk before it
 * is registered: a directory, or a regular file shorter than one 512-byte
 * sector (an empty file).  Block devices and other files pass.  Returns 0,
 * or 2 after printing one line naming @path.
 */
static int check_image(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;   /* pb_hostdisk_add() names the open error */
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "pvboot-probe: %s: is a directory, not a disk image\n", path);
        return 2;
    }
    if (S_ISREG(st.st_mode) && st.st_size < PB_SECTOR_SIZE) {
        fprintf(stderr, "pvboot-probe: %s: %lld bytes, smaller than one %u-byte sector: not a disk image\n",
                path, (long long)st.st_size, (unsigned)PB_SECTOR_SIZE);
        return 2;
    }
    return 0;
}

/* ---- --memory: the boot plan of the chosen entry ---- */

#define XEN_CMDLINE_MAX 1024u   /* MAX_GUEST_CMDLINE, <xen/xen.h> start_info */
#define PLAN_MAX_KERNEL_FILE (512ull << 20)    /* as modules/linux/linux.c */
#define PLAN_MAX_ELF (1024ull << 20)
#define PLAN_MAX_INITRD (4096ull << 20)
#define PLAN_MAX_MIB (1ull << 24)              /* 16 TiB */

#define PROBE_OUTPUT_MAX (1u << 20)     /* console output kept from a run: 1 MiB */
#define PROBE_TIMEOUT_S 60u             /* default --timeout */
#define PROBE_WRITE_ROOM (64ull << 20)  /* stdout/stderr to a file: at most 64 MiB more */

struct plan {
    int rc;                     /* 0, or a PB_E* code with err[] set */
    char err[512];
    struct pb_xen_kernel k;
    struct pb_layout L;
    bool pvh;                   /* --type pvh: P instead of L */
    struct pb_pvh_plan P;
    char *text;                 /* pb_layout_print() lines, '\n'-separated */
    size_t text_len, text_cap;
};

static void plan_line(void *ctx, const char *line)
{
    struct plan *p = ctx;
    size_t n = strlen(line) + 2;           /* indented by two spaces */
    if (p->text_len + n + 2 > p->text_cap) {
        size_t nc = p->text_cap ? p->text_cap * 2 : 4096;
        while (nc < p->text_len + n + 2)
            nc *= 2;
        char *d = realloc(p->text, nc);
        if (!d) {
            fprintf(stderr, "pvboot-probe: out of memory\n");
            exit(2);
        }
        p->text = d;
        p->text_cap = nc;
    }
    memcpy(p->text + p->text_len, "  ", 2);
    memcpy(p->text + p->text_len + 2, line, n - 2);
    p->text_len += n;
    p->text[p->text_len++] = '\n';
    p->text[p->text_len] = 0;
}

static int plan_fail(struct plan *p, int rc)
{
    p->rc = rc < 0 ? rc : PB_EINVAL;
    snprintf(p->err, sizeof p->err, "%s", pb_errmsg());
    pb_error_clear();
    return p->rc;
}

/*
 * pvh_plan() - the PVH plan for a domain of @mib MiB with the memory map
 * libxl builds for type = "pvh" (doc xen-pvh-boot.md §1.3): RAM from 0 up to
 * the MMIO hole at 0xFC000000, the special pages 0xfeff8000-0xff000000
 * RESERVED, the rest of RAM from 4 GiB.  Not known outside the guest and so
 * not in the map: the ACPI tables' entries (in the hole) and the frames
 * pvboot maps shared_info and grant frames at (holes too); nothing of
 * pvboot's staged copies is avoided.
 */
static int pvh_plan(struct plan *p, bool have_initrd, uint64_t initrd_len, const char *cmdline,
                    uint64_t mib)
{
    const uint64_t hole = 0xFC000000ull;
    uint64_t bytes = mib << 20, low = bytes < hole ? bytes : hole;
    struct pb_pvh_range map[3] = { { 0, low, XEN_HVM_MEMMAP_TYPE_RAM },
                                   { 0xfeff8000ull, 0x8000, XEN_HVM_MEMMAP_TYPE_RESERVED },
                                   { 1ull << 32, bytes - low, XEN_HVM_MEMMAP_TYPE_RAM } };
    struct pb_pvh_input in = {
        .kstart = p->k.pstart, .kend = p->k.pend, .entry = p->k.phys32_entry,
        .have_initrd = have_initrd, .initrd_len = initrd_len, .cmdline = cmdline,
        .memmap = map, .nr_memmap = bytes > low ? 3 : 2,
    };
    int rc = pb_pvh_plan(&in, &p->P);
    if (rc < 0)
        return plan_fail(p, rc);
    pb_pvh_plan_print(&p->P, plan_line, p);
    return 0;
}

/*
 * make_plan() - what the guest's `boot` would lay out: read the kernel file
 * @kpath ("(dev)/path") from the images, turn it into its ELF and parse its
 * Xen notes (pb_kimage_to_elf, pb_xen_elf_parse, the required-features check
 * of linux.c), add up the sizes of the @n initrd files @ipaths as `initrd`
 * concatenates them (each starting 4-byte aligned), then pb_layout_plan()
 * for a domain of @mib MiB (@mib << 8 pages, as xc_dom_mem_init()).
 * Returns 0 or the PB_E* code (message in p->err): file errors, a file that
 * is no PV kernel, PB_ERANGE "kernel does not fit ...".
 */
static int make_plan(struct plan *p, const char *kpath, char ipaths[][1300], int n, uint64_t mib,
                     const char *cmdline)
{
    void *file = NULL;
    size_t len = 0;
    int rc = pb_file_load(kpath, PLAN_MAX_KERNEL_FILE, &file, &len);
    if (rc < 0)
        return plan_fail(p, rc);
    const void *elf = NULL;
    size_t elf_len = 0;
    bool owned = false;
    struct pb_kimage_stats st;
    rc = pb_kimage_to_elf(kpath, file, len, PLAN_MAX_ELF, &elf, &elf_len, &owned, &st, NULL, NULL);
    if (rc == 0) {
        rc = p->pvh ? pb_pvh_elf_parse(elf, elf_len, &p->k) : pb_xen_elf_parse(elf, elf_len, &p->k);
        if (rc < 0) {
            char tmp[400];
            snprintf(tmp, sizeof tmp, "%s", pb_errmsg());
            rc = pb_error(rc, "%s: %s", kpath, tmp);
        }
        if (owned)
            free((void *)elf);
    }
    free(file);
    if (rc < 0)
        return plan_fail(p, rc);
    uint32_t missing = p->k.f_required & ~p->k.f_supported;
    if (missing)
        return plan_fail(p, pb_error(PB_ENOTSUP, "%s: kernel requires Xen features %#x it does not support",
                                     kpath, missing));
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        struct pb_stat sb;
        rc = pb_stat_path(ipaths[i], &sb, 0);
        if (rc < 0)
            return plan_fail(p, rc);
        total = ((total + 3) & ~3ull) + sb.size;
        if (sb.size > PLAN_MAX_INITRD || total > PLAN_MAX_INITRD)
            return plan_fail(p, pb_error(PB_ERANGE, "initrd: %" PRIu64 " MiB in total is too large",
                                         total >> 20));
    }
    if (p->pvh)
        return pvh_plan(p, n > 0, total, cmdline, mib);
    rc = pb_layout_plan(&p->k, mib << 8, n > 0, total, &p->L);
    if (rc < 0)
        return plan_fail(p, rc);
    pb_layout_print(&p->L, &p->k, plan_line, p);
    return 0;
}

/* "(dev)path" from a decision path (relative ones are on @root). */
static void full_path(const char *path, const char *root, char *outp, size_t sz)
{
    char dev[256], norm[1024];
    const char *fp;
    split_dev(path, root, dev, sizeof dev, &fp);
    norm_path(fp, norm, sizeof norm);
    snprintf(outp, sz, "(%s)%s", dev, norm);
}

static void json_hex(const char *key, uint64_t v, bool last)
{
    printf("    \"%s\": \"%#" PRIx64 "\"%s\n", key, v, last ? "" : ",");
}

static void json_seg(const char *key, const struct pb_lseg *s)
{
    printf("    \"%s\": {\"pfn\": \"%#" PRIx64 "\", \"pages\": \"%#" PRIx64 "\", \"vstart\": \"%#" PRIx64
           "\", \"vend\": \"%#" PRIx64 "\"},\n",
           key, s->pfn, s->pages, s->vstart, s->vend);
}

/* The "layout" member of the JSON output (values as hex strings: VAs do
 * not fit a double). */
static void json_layout(const struct plan *p, uint64_t mib)
{
    const struct pb_layout *L = &p->L;
    printf("  \"layout\": {\n");
    printf("    \"memory_mib\": %" PRIu64 ",\n", mib);
    json_hex("nr_pages", L->nr_pages, false);
    json_hex("virt_base", L->virt_base, false);
    json_seg("kernel", &L->kernel);
    if (L->have_initrd)
        json_seg("initrd", &L->initrd);
    else
        printf("    \"initrd\": null,\n");
    printf("    \"initrd_mapped\": %s,\n", L->initrd_mapped ? "true" : "false");
    json_seg("p2m", &L->p2m);
    printf("    \"p2m_mapped\": %s,\n", L->p2m_mapped ? "true" : "false");
    json_hex("start_info_pfn", L->start_info_pfn, false);
    json_hex("xenstore_pfn", L->xenstore_pfn, false);
    json_hex("console_pfn", L->console_pfn, false);
    json_seg("pgtables", &L->pgtables);
    json_hex("bootstack_pfn", L->bootstack_pfn, false);
    json_hex("virt_pgtab_end", L->virt_pgtab_end, false);
    json_hex("pfn_alloc_end", L->pfn_alloc_end, false);
    printf("    \"start_info\": {\"nr_pages\": \"%#" PRIx64 "\", \"flags\": \"%#" PRIx32
           "\", \"pt_base\": \"%#" PRIx64 "\", \"nr_pt_frames\": \"%#" PRIx64 "\", \"mfn_list\": \"%#" PRIx64
           "\", \"mod_start\": \"%#" PRIx64 "\", \"mod_len\": \"%#" PRIx64 "\", \"first_p2m_pfn\": \"%#" PRIx64
           "\", \"nr_p2m_frames\": \"%#" PRIx64 "\"},\n",
           L->nr_pages, L->si_flags, L->si_pt_base, L->si_nr_pt_frames, L->si_mfn_list,
           L->si_mod_start, L->si_mod_len, L->si_first_p2m_pfn, L->si_nr_p2m_frames);
    json_hex("entry", L->entry, false);
    json_hex("stack_top", L->stack_top, false);
    json_hex("start_info_va", L->start_info_va, true);
    printf("  },\n");
}

/* The "layout" member for --type pvh. */
static void json_pvh(const struct plan *p, uint64_t mib)
{
    const struct pb_pvh_plan *P = &p->P;
    printf("  \"layout\": {\n");
    printf("    \"type\": \"pvh\",\n");
    printf("    \"memory_mib\": %" PRIu64 ",\n", mib);
    json_hex("kstart", P->kstart, false);
    json_hex("kend", P->kend, false);
    json_hex("entry", P->entry, false);
    json_hex("initrd_addr", P->initrd_addr, false);
    json_hex("initrd_len", P->initrd_len, false);
    json_hex("start_info", P->info_addr, false);
    json_hex("modlist", P->modlist_addr, false);
    json_hex("memmap", P->memmap_addr, false);
    printf("    \"memmap_entries\": %u,\n", P->nr_memmap);
    json_hex("cmdline", P->cmdline_addr, true);
    printf("  },\n");
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: pvboot-probe [-c CONFIG] [-k PUBKEY]... [-x XEN_CMDLINE] [-w] [--json] [-q]\n"
            "                    [-m MIB [-t pv|pvh]] IMAGE...\n"
            "       pvboot-probe --check FILE...\n"
            "Show what a pvboot image would boot from guest disk images (dry run).\n"
            "\n"
            "  -c, --config=FILE        the embedded config [pvboot's default, built in]\n"
            "  -k, --pubkey=FILE        OpenPGP public keys the image embeds (mkpvimage -k):\n"
            "                           signatures are enforced (check_signatures)\n"
            "  -x, --xen-cmdline=LINE   the Xen command line (xl extra =)\n"
            "  -w, --writable           open the images read-write, exclusively (save_env)\n"
            "  -j, --json               one JSON object instead of text\n"
            "  -q, --quiet              do not show the run's console output\n"
            "  -m, --memory=MIB         also plan the domain's memory layout for MIB MiB\n"
            "  -t, --type=pv|pvh        the domain type the plan is for [pv]\n"
            "      --check              only check each FILE's GRUB script syntax\n"
            "      --runas=USER         as root: parse as USER [nobody]\n"
            "      --timeout=SECONDS    stop a run taking longer (wall clock, CPU) [%u]\n"
            "      --passphrase-file=FILE  cryptomount's passphrase (one trailing newline dropped)\n"
            "  -h, --help               show this help\n"
            "  -V, --version            show the version\n"
            "Exit status: 0 an entry would boot (--check: all files parse), 1 nothing\n"
            "would boot (a syntax error), 2 usage or I/O error, or the run was stopped.\n"
            "See pvboot-probe(1).\n", PROBE_TIMEOUT_S);
}

/* everything the confined child needs, prepared by the parent */
struct probe_run {
    bool quiet;
    uint64_t mib;
    bool pvh;                   /* --type pvh */
};

static void on_output_overflow(void)
{
    pb_script_request_stop(true);
}

/*
 * The part that reads the guest's disks: runs in the confined child
 * (pb_confine_run).  Returns the exit status: 0 an entry would boot, 1
 * nothing would, 2 the run was stopped (output limit).
 */
static int run_probe(void *ctx)
{
    const struct probe_run *pr = ctx;
    bool quiet = pr->quiet;
    uint64_t mib = pr->mib;
    bool pvh = pr->pvh;
    pb_hosted_virtual_clock(true);
    /* always captured: shown afterwards with control characters escaped
     * (unless -q), so a guest's `echo` cannot drive the admin's terminal;
     * bounded, and a run that prints more is stopped there */
    pb_hosted_capture_output(true);
    pb_hosted_capture_limit(PROBE_OUTPUT_MAX, on_output_overflow);
    pb_hosted_set_interactive(false);
    pb_hosted_set_decide_only(true);
    pb_hosted_set_boot_proto(pvh ? PB_BOOT_PVH : PB_BOOT_PV);
    pb_hosted_reports_reset();
    pb_hosted_set_menu_tree(hook_begin, hook);
    void (*mainfn)(void) = pb_hosted_main();
    if (!mainfn) {
        fprintf(stderr, "pvboot-probe: module `normal' registered no main function\n");
        return 2;
    }
    mainfn();
    const char *log = pb_hosted_output();
    if (!quiet && !json)
        put_log(log);
    if (pb_hosted_output_truncated()) {
        fflush(stdout);
        fprintf(stderr, "pvboot-probe: the guest's scripts printed more than %u bytes; the run "
                "was stopped there and nothing is decided\n", PROBE_OUTPUT_MAX);
        return 2;
    }

    const struct pb_menu_report *r = pb_hosted_menu_report();
    static const struct pb_boot_decision nothing;
    const struct pb_boot_decision *d = pb_hosted_boot_report();
    bool booted = d != NULL;
    if (!booted)
        d = &nothing;
    char kdev[256] = "";
    const char *kpath = "";
    char knorm[1024] = "";
    if (booted) {
        split_dev(d->kernel, d->root, kdev, sizeof kdev, &kpath);
        norm_path(kpath, knorm, sizeof knorm);
    }
    /* --memory: the layout `boot` would build for the chosen entry */
    static struct plan plan;
    plan.pvh = pvh;
    bool planned = false;
    if (booted && mib) {
        static char ipaths[PB_DECISION_MAX_INITRDS][1300];
        char kfull[1400];
        snprintf(kfull, sizeof kfull, "(%s)%s", kdev, knorm);
        int n = d->nr_initrds < PB_DECISION_MAX_INITRDS ? d->nr_initrds : PB_DECISION_MAX_INITRDS;
        for (int i = 0; i < n; i++)
            full_path(d->initrds[i], d->root, ipaths[i], sizeof ipaths[i]);
        planned = make_plan(&plan, kfull, ipaths, n, mib, d->cmdline) == 0;
    }
    if (json) {
        char b[9000], b2[1200];
        printf("{\n");
        json_str(b, sizeof b, r->config);
        printf("  \"config\": %s,\n", b);
        json_str(b, sizeof b, r->title);
        printf("  \"default_title\": %s,\n", r->valid ? b : "null");
        json_str(b, sizeof b, r->id);
        printf("  \"default_id\": %s,\n", r->valid ? b : "null");
        printf("  \"default_index_path\": [");
        for (int i = 0; i < r->depth; i++)
            printf("%s%d", i ? ", " : "", r->path[i]);
        printf("],\n");
        if (r->valid && r->timeout >= 0)
            printf("  \"timeout_s\": %d,\n", r->timeout);
        else
            printf("  \"timeout_s\": null,\n");
        json_str(b, sizeof b, r->timeout_style);
        printf("  \"timeout_style\": %s,\n", r->timeout_style[0] ? b : "null");
        json_str(b, sizeof b, kdev);
        printf("  \"kernel_device\": %s,\n", booted ? b : "null");
        printf("  \"kernel_fs\": ");
        if (booted)
            printf("\"p%d\",\n", part_number(kdev));
        else
            printf("null,\n");
        json_str(b, sizeof b, knorm);
        printf("  \"kernel\": %s,\n", booted ? b : "null");
        printf("  \"initrd\": [");
        for (int i = 0; booted && i < d->nr_initrds; i++) {
            char idev[256], in[1024];
            const char *ip;
            split_dev(d->initrds[i], d->root, idev, sizeof idev, &ip);
            norm_path(ip, in, sizeof in);
            json_str(b2, sizeof b2, in);
            printf("%s%s", i ? ", " : "", b2);
        }
        printf("],\n");
        json_str(b, sizeof b, d->cmdline);
        printf("  \"cmdline\": %s,\n", booted ? b : "null");
        if (booted && mib) {
            if (planned && pvh) {
                json_pvh(&plan, mib);
            } else if (planned) {
                json_layout(&plan, mib);
            } else {
                json_str(b, sizeof b, plan.err);
                printf("  \"layout\": null,\n  \"layout_error\": %s,\n", b);
            }
        }
        printf("  \"menu\": %s,\n", tree ? tree : "[]");
        char *lb = malloc(strlen(log) * 6 + 3);
        if (lb) {
            json_str(lb, strlen(log) * 6 + 3, log);
            printf("  \"log\": %s\n", lb);
            free(lb);
        } else {
            printf("  \"log\": \"\"\n");
        }
        printf("}\n");
    } else {
        /* everything below comes from the guest's disks: escaped for the terminal */
        static char sb[2][16400];   /* 4096-byte cmdline, each byte at most 4 */
        printf("config:        %s\n", r->config[0] ? safe(r->config, sb[0], sizeof sb[0]) : "(none)");
        printf("menu:\n%s", tree ? tree : "  (empty)\n");
        if (r->valid) {
            printf("default:       ");
            for (int i = 0; i < r->depth; i++)
                printf("%s%d", i ? ">" : "", r->path[i]);
            printf("  %s%s%s%s\n", safe(r->title, sb[0], sizeof sb[0]), r->id[0] ? "  [id " : "",
                   safe(r->id, sb[1], sizeof sb[1]), r->id[0] ? "]" : "");
            if (r->timeout >= 0)
                printf("timeout:       %d s\n", r->timeout);
            else
                printf("timeout:       (unset: waits for a key)\n");
            printf("timeout_style: %s\n",
                   r->timeout_style[0] ? safe(r->timeout_style, sb[0], sizeof sb[0]) : "(unset)");
        }
        if (booted) {
            printf("kernel:        (%s)%s\n", safe(kdev, sb[0], sizeof sb[0]),
                   safe(knorm, sb[1], sizeof sb[1]));
            for (int i = 0; i < d->nr_initrds; i++)
                printf("initrd:        %s\n", safe(d->initrds[i], sb[0], sizeof sb[0]));
            printf("cmdline:       %s\n", safe(d->cmdline, sb[0], sizeof sb[0]));
            if (mib && planned)
                printf("plan:          %" PRIu64 " MiB %sdomain, as %s:\n%s", mib, pvh ? "PVH " : "",
                       pvh ? "pvboot's PVH hand-over places it" : "libxenguest lays it out",
                       plan.text ? plan.text : "");
            else if (mib)
                printf("plan:          %" PRIu64 " MiB domain: %s\n", mib,
                       safe(plan.err, sb[0], sizeof sb[0]));
        } else {
            printf("boot:          nothing would boot\n");
        }
    }
    free(tree);
    free(plan.text);
    return booted && (!mib || planned) ? 0 : 1;
}

/* -k FILE: as mkpvimage -k, the OpenPGP public keys the image would embed. */
static int add_pubkey(const char *path, uint8_t **keys, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "pvboot-probe: --pubkey %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *b = malloc(PB_PGP_MAX_FILE + 1);
    size_t n = b ? fread(b, 1, PB_PGP_MAX_FILE + 1, f) : 0;
    bool bad = !b || ferror(f) || n > PB_PGP_MAX_FILE;
    fclose(f);
    if (bad) {
        fprintf(stderr, "pvboot-probe: --pubkey %s: %s\n", path,
                !b ? "out of memory" : n > PB_PGP_MAX_FILE ? "too large" : "read error");
        free(b);
        return -1;
    }
    struct pb_pgp_key *k;
    if (pb_pgp_parse_keys(b, n, path, &k) < 0) {
        fprintf(stderr, "pvboot-probe: %s\n", pb_errmsg());
        free(b);
        return -1;
    }
    pb_pgp_free_keys(k);
    uint8_t *all = realloc(*keys, *len + n);
    if (!all) {
        free(b);
        fprintf(stderr, "pvboot-probe: out of memory\n");
        return -1;
    }
    memcpy(all + *len, b, n);
    *keys = all;
    *len += n;
    free(b);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cfg = NULL, *xcl = NULL;
    bool writable = false, check = false;
    struct probe_run pr = { 0 };
    struct pb_confine conf = { .tool = "pvboot-probe", .timeout_s = PROBE_TIMEOUT_S };
    static const struct option lo[] = {
        { "config", required_argument, 0, 'c' }, { "xen-cmdline", required_argument, 0, 'x' },
        { "json", no_argument, 0, 'j' }, { "check", no_argument, 0, 'C' },
        { "writable", no_argument, 0, 'w' }, { "quiet", no_argument, 0, 'q' },
        { "memory", required_argument, 0, 'm' }, { "type", required_argument, 0, 't' },
        { "runas", required_argument, 0, 'U' }, { "timeout", required_argument, 0, 'T' },
        { "passphrase-file", required_argument, 0, 'P' }, { "pubkey", required_argument, 0, 'k' },
        { "help", no_argument, 0, 'h' }, { "version", no_argument, 0, 'V' }, { 0, 0, 0, 0 },
    };
    int o;
    uint8_t *keys = NULL;
    size_t keys_len = 0;
    while ((o = getopt_long(argc, argv, "c:x:jwqm:t:k:hV", lo, NULL)) != -1) {
        switch (o) {
        case 'k':   /* read now (the confined child cannot open it), before pb_hosted_init */
            if (add_pubkey(optarg, &keys, &keys_len) < 0)
                return 2;
            pb_hosted_set_embedded_pubkeys(keys, keys_len);
            break;
        case 'c': cfg = optarg; break;
        case 'x': xcl = optarg; break;
        case 'j': json = true; break;
        case 'C': check = true; break;
        case 'w': writable = true; break;
        case 'q': pr.quiet = true; break;
        case 'U': conf.runas = optarg; break;
        case 'P':   /* read now: the confined child cannot open it */
            if (pb_hosted_passphrase_file(optarg) < 0)
                return 2;
            break;
        case 't':
            if (!strcmp(optarg, "pv") || !strcmp(optarg, "pvh")) {
                pr.pvh = !strcmp(optarg, "pvh");
                break;
            }
            fprintf(stderr, "pvboot-probe: --type %s: want pv or pvh\n", optarg);
            return 2;
        case 'm':
        case 'T': {
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (o == 'T') {
                if (errno || end == optarg || *end || v == 0 || v > 86400) {
                    fprintf(stderr, "pvboot-probe: --timeout %s: want seconds (1..86400)\n", optarg);
                    return 2;
                }
                conf.timeout_s = (unsigned)v;
                break;
            }
            if (errno || end == optarg || *end || v == 0 || v > PLAN_MAX_MIB) {
                fprintf(stderr, "pvboot-probe: --memory %s: want the domain size in MiB (1..%llu)\n",
                        optarg, (unsigned long long)PLAN_MAX_MIB);
                return 2;
            }
            pr.mib = v;
            break;
        }
        case 'V': printf("pvboot-probe %s\n", PVBOOT_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (pb_confine_prepare(&conf))
        return 2;
    conf.write_bytes = pb_confine_output_room(PROBE_WRITE_ROOM);
    pb_hosted_init();
    if (check)
        return check_files(argc - optind, argv + optind, &conf);
    if (optind >= argc && !cfg) {
        usage(stderr);
        return 2;
    }
    for (int i = optind; i < argc; i++)
        if (check_image(argv[i]))
            return 2;
    /* the parent only opens the images (type and size); every read of
     * their contents happens in the confined child */
    char what[1024] = "";
    for (int i = optind; i < argc; i++) {
        struct pb_disk *d = pb_hostdisk_add(argv[i], NULL, 0, writable);
        if (!d) {
            fprintf(stderr, "pvboot-probe: %s\n", pb_errmsg());
            return 2;
        }
        uint64_t bytes = d->nr_sectors * PB_SECTOR_SIZE;
        if (writable && bytes > conf.write_bytes)
            conf.write_bytes = bytes;   /* save_env rewrites in place, never beyond */
        size_t wl = strlen(what);
        snprintf(what + wl, sizeof what - wl, "%s%s", wl ? ", " : "", argv[i]);
    }
    conf.what = what[0] ? what : "(no disk)";
    conf.write_disks = writable;
    /* the embedded config: -c, else the default compiled in
     * (embed/default.cfg, the config of the packaged image) -- never a file
     * found through the build tree or the environment */
    char *text = NULL;
    size_t len = 0;
    char err[4400];
    if (!cfg) {
        text = malloc(mkpv_default_cfg_len + 1);
        if (!text) {
            fprintf(stderr, "pvboot-probe: out of memory\n");
            return 2;
        }
        memcpy(text, mkpv_default_cfg, mkpv_default_cfg_len + 1);
        len = mkpv_default_cfg_len;
    } else if (read_text(cfg, &text, &len, err, sizeof err) < 0) {
        fprintf(stderr, "pvboot-probe: the embedded config: %s\n", err);
        return 2;
    }
    pb_hosted_set_embedded_config(text, len);
    /* the guest sees at most MAX_GUEST_CMDLINE - 1 bytes of it (Xen's public
     * xen.h: start_info.cmd_line[1024]; libxenguest cuts the rest) */
    char xcl_cut[XEN_CMDLINE_MAX];
    if (xcl && strlen(xcl) >= XEN_CMDLINE_MAX) {
        fprintf(stderr, "pvboot-probe: warning: the Xen command line is %zu bytes; a PV guest gets "
                "only the first %u (start_info.cmd_line), so only those are used\n",
                strlen(xcl), XEN_CMDLINE_MAX - 1);
        memcpy(xcl_cut, xcl, XEN_CMDLINE_MAX - 1);
        xcl_cut[XEN_CMDLINE_MAX - 1] = 0;
        xcl = xcl_cut;
    }
    if (xcl)
        pb_hosted_set_xen_cmdline(xcl);
    int rc = pb_confine_run(&conf, run_probe, &pr);
    free(text);
    return rc;
}
