/* SPDX-License-Identifier: MIT */
/*
 * pvboot-probe: what would the guest boot?  Runs the loader's config
 * pipeline (module `normal`: Xen command line, embedded config, discovery,
 * the guest's own config, menu defaults) on disk images in dry-run mode and
 * prints the menu tree, the default entry and the boot decision.
 * See man/pvboot-probe.1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/loader.h"
#include "pvboot/menu.h"
#include "pvboot/script.h"
#include "pvboot/version.h"

static FILE *out;
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
            snprintf(line, sizeof line, "%*s%d. %s%s%s%s%s\n", 2 + depth * 4, "", i, e->title,
                     e->submenu ? " >" : "", e->id ? "  [id " : "", e->id ? e->id : "", e->id ? "]" : "");
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

static void hook(struct pb_menu *m, const struct pb_menu_report *r)
{
    (void)r;
    tree_len = 0;
    if (tree)
        tree[0] = 0;
    walk(m, 0);
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

static int check_files(int argc, char **argv)
{
    int bad = 0;
    for (int i = 0; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "pvboot-probe: %s: cannot open\n", argv[i]);
            bad = 1;
            continue;
        }
        char *buf = malloc(PB_SCRIPT_MAX_SIZE + 1);
        size_t n = buf ? fread(buf, 1, PB_SCRIPT_MAX_SIZE + 1, f) : 0;
        fclose(f);
        if (!buf) {
            fprintf(stderr, "pvboot-probe: out of memory\n");
            return 2;
        }
        if (pb_script_check(buf, n, argv[i])) {
            fprintf(stderr, "%s\n", pb_errmsg());
            pb_error_clear();
            bad = 1;
        } else {
            printf("%s: OK\n", argv[i]);
        }
        free(buf);
    }
    return bad;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(PB_SCRIPT_MAX_SIZE + 1);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    *len = fread(buf, 1, PB_SCRIPT_MAX_SIZE, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static void usage(void)
{
    fprintf(stderr,
            "Usage: pvboot-probe [-c CONFIG] [-x XEN_CMDLINE] [-w] [--json] [-q] IMAGE...\n"
            "       pvboot-probe --check FILE...\n");
}

int main(int argc, char **argv)
{
    const char *cfg = NULL, *xcl = NULL;
    bool writable = false, check = false, quiet = false;
    static const struct option lo[] = {
        { "config", required_argument, 0, 'c' }, { "xen-cmdline", required_argument, 0, 'x' },
        { "json", no_argument, 0, 'j' }, { "check", no_argument, 0, 'C' },
        { "writable", no_argument, 0, 'w' }, { "quiet", no_argument, 0, 'q' },
        { "help", no_argument, 0, 'h' }, { "version", no_argument, 0, 'V' }, { 0, 0, 0, 0 },
    };
    int o;
    while ((o = getopt_long(argc, argv, "c:x:jwqhV", lo, NULL)) != -1) {
        switch (o) {
        case 'c': cfg = optarg; break;
        case 'x': xcl = optarg; break;
        case 'j': json = true; break;
        case 'C': check = true; break;
        case 'w': writable = true; break;
        case 'q': quiet = true; break;
        case 'V': printf("pvboot-probe %s\n", PVBOOT_VERSION); return 0;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    if (check)
        return check_files(argc - optind, argv + optind);
    if (optind >= argc && !cfg) {
        usage();
        return 2;
    }
    out = stdout;
    pb_hosted_init();
    pb_hosted_virtual_clock(true);
    if (quiet || json)
        pb_hosted_capture_output(true);
    pb_loader_dry_run = true;
    for (int i = optind; i < argc; i++) {
        if (!pb_hostdisk_add(argv[i], NULL, 0, writable)) {
            fprintf(stderr, "pvboot-probe: %s\n", pb_errmsg());
            return 2;
        }
    }
    /* the embedded config: -c, else the project's embed/default.cfg */
    char *text = NULL;
    size_t len = 0;
    char defpath[4096];
    if (!cfg) {
        const char *env = getenv("PVBOOT_DEFAULT_CFG");
        if (env) {
            snprintf(defpath, sizeof defpath, "%s", env);
        } else {
            snprintf(defpath, sizeof defpath, "%s", __FILE__);
            char *s = strstr(defpath, "/src/tools/");
            if (s)
                strcpy(s, "/embed/default.cfg");
        }
        cfg = defpath;
    }
    text = read_all(cfg, &len);
    if (!text) {
        fprintf(stderr, "pvboot-probe: %s: cannot read the embedded config\n", cfg);
        return 2;
    }
    pb_hosted_set_embedded_config(text, len);
    if (xcl)
        pb_hosted_set_xen_cmdline(xcl);
    pb_menu_report_hook = hook;
    void (*mainfn)(void) = pb_hosted_main();
    if (!mainfn) {
        fprintf(stderr, "pvboot-probe: module `normal' registered no main function\n");
        return 2;
    }
    mainfn();
    const char *log = (quiet || json) ? pb_hosted_output() : "";

    const struct pb_menu_report *r = &pb_menu_last_report;
    const struct pb_boot_decision *d = &pb_boot_decision;
    bool booted = r->booted && d->valid;
    char kdev[256] = "";
    const char *kpath = "";
    char knorm[1024] = "";
    if (booted) {
        split_dev(d->kernel, r->root, kdev, sizeof kdev, &kpath);
        norm_path(kpath, knorm, sizeof knorm);
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
            split_dev(d->initrds[i], r->root, idev, sizeof idev, &ip);
            norm_path(ip, in, sizeof in);
            json_str(b2, sizeof b2, in);
            printf("%s%s", i ? ", " : "", b2);
        }
        printf("],\n");
        json_str(b, sizeof b, d->cmdline);
        printf("  \"cmdline\": %s,\n", booted ? b : "null");
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
        printf("config:        %s\n", r->config[0] ? r->config : "(none)");
        printf("menu:\n%s", tree ? tree : "  (empty)\n");
        if (r->valid) {
            printf("default:       ");
            for (int i = 0; i < r->depth; i++)
                printf("%s%d", i ? ">" : "", r->path[i]);
            printf("  %s%s%s%s\n", r->title, r->id[0] ? "  [id " : "", r->id, r->id[0] ? "]" : "");
            if (r->timeout >= 0)
                printf("timeout:       %d s\n", r->timeout);
            else
                printf("timeout:       (unset: waits for a key)\n");
            printf("timeout_style: %s\n", r->timeout_style[0] ? r->timeout_style : "(unset)");
        }
        if (booted) {
            printf("kernel:        (%s)%s\n", kdev, knorm);
            for (int i = 0; i < d->nr_initrds; i++)
                printf("initrd:        %s\n", d->initrds[i]);
            printf("cmdline:       %s\n", d->cmdline);
        } else {
            printf("boot:          nothing would boot\n");
        }
    }
    free(text);
    free(tree);
    return booted ? 0 : 1;
}
