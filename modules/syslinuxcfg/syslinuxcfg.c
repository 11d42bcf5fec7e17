/* SPDX-License-Identifier: MIT */
/* syslinux/extlinux config -> GRUB script (pvboot/cfgconv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/cfgconv.h"
#include "pvboot/cfgline.h"
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/menu.h"
#include "pvboot/script.h"
#include "pvboot/strbuf.h"

#define MAX_LABELS 256

struct label {
    char *name, *mlabel, *kernel, *append, *initrd;
    bool has_append, com32, menu_default, hidden;
};

struct conv {
    struct label *l;
    int n;
    char *def, *gappend;
    long timeout;            /* 1/10 s, -1 unset */
    bool menu_hidden;
    const char *dir;
    int (*load)(const char *, char **, size_t *);
    bool oom;
};

static char *dupn(struct conv *c, const char *s, size_t n)
{
    char *d = strndup(s, n);
    if (!d)
        c->oom = true;
    return d;
}

static void setstr(struct conv *c, char **dst, const char *s, size_t n)
{
    free(*dst);
    *dst = dupn(c, s, n);
}

static bool kw(const char *s, size_t n, const char *k)
{
    return n == strlen(k) && strncasecmp(s, k, n) == 0;
}

static int parse(struct conv *c, const char *text, size_t len, int depth)
{
    struct label *cur = c->n ? &c->l[c->n - 1] : NULL;
    size_t pos = 0;
    struct pb_cfgline ln;
    while (pb_cfgline_next(text, len, &pos, 0, &ln)) {
        const char *key = ln.key, *val = ln.val;
        size_t kl = ln.keylen, vl = ln.vallen;
        if (kw(key, kl, "menu")) {   /* MENU <sub> [value] */
            size_t sl = 0;
            while (sl < vl && val[sl] != ' ' && val[sl] != '\t')
                sl++;
            size_t v2 = sl;
            while (v2 < vl && (val[v2] == ' ' || val[v2] == '\t'))
                v2++;
            const char *sub = val;
            if (kw(sub, sl, "label") && cur)
                setstr(c, &cur->mlabel, val + v2, vl - v2);
            else if (kw(sub, sl, "default") && cur)
                cur->menu_default = true;
            else if (kw(sub, sl, "hide") && cur)
                cur->hidden = true;
            else if (kw(sub, sl, "hidden"))
                c->menu_hidden = true;
            continue;
        }
        if (kw(key, kl, "label")) {
            if (c->n >= MAX_LABELS)
                return pb_error(PB_ERANGE, "syslinux: more than %d labels", MAX_LABELS);
            cur = &c->l[c->n++];
            memset(cur, 0, sizeof *cur);
            cur->name = dupn(c, val, vl);
        } else if (kw(key, kl, "kernel") || kw(key, kl, "linux") || kw(key, kl, "com32")) {
            if (!cur)
                continue;
            setstr(c, &cur->kernel, val, vl);
            cur->com32 = kw(key, kl, "com32") ||
                         (vl > 4 && strncasecmp(val + vl - 4, ".c32", 4) == 0);
        } else if (kw(key, kl, "append")) {
            if (cur) {
                setstr(c, &cur->append, val, vl);
                cur->has_append = true;
            } else {
                setstr(c, &c->gappend, val, vl);
            }
        } else if (kw(key, kl, "initrd")) {
            if (cur)
                setstr(c, &cur->initrd, val, vl);
        } else if (kw(key, kl, "default")) {
            setstr(c, &c->def, val, vl);
        } else if (kw(key, kl, "timeout")) {
            /* val is not NUL-terminated: parse a bounded copy */
            char num[24];
            size_t nl = vl < sizeof num - 1 ? vl : sizeof num - 1;
            memcpy(num, val, nl);
            num[nl] = '\0';
            c->timeout = strtol(num, NULL, 10);
            if (c->timeout > 36000000)   /* 1000 hours */
                c->timeout = 36000000;
        } else if (kw(key, kl, "include")) {
            if (depth >= PB_SYSLINUX_MAX_INCLUDE)
                return pb_error(PB_ELOOP, "syslinux: INCLUDE nested too deeply");
            if (!c->load || !vl)
                continue;
            char path[1024];
            if (val[0] == '/' || val[0] == '(')
                snprintf(path, sizeof path, "%.*s", (int)vl, val);
            else
                snprintf(path, sizeof path, "%s/%.*s", c->dir, (int)vl, val);
            char *buf;
            size_t bl;
            if (c->load(path, &buf, &bl) == 0) {
                int r = parse(c, buf, bl, depth + 1);
                free(buf);
                if (r)
                    return r;
                cur = c->n ? &c->l[c->n - 1] : NULL;
            } else {
                pb_error_clear();
            }
        }
        /* PROMPT, UI, SERIAL, SAY, TOTALTIMEOUT, ...: ignored */
    }
    return 0;
}

static void putq(struct pb_strbuf *o, const char *s)
{
    char *q = pb_script_quote(s);
    if (!q)
        o->oom = true;
    else
        pb_strbuf_str(o, q);
    free(q);
}

static void put_path(struct pb_strbuf *o, const char *dir, const char *p, size_t n)
{
    char buf[1200];
    if (n && (p[0] == '/' || p[0] == '('))
        snprintf(buf, sizeof buf, "%.*s", (int)n, p);
    else
        snprintf(buf, sizeof buf, "%s/%.*s", dir, (int)n, p);
    putq(o, buf);
}

/* Append each path of the comma-separated list @list (INITRD a,b or
 * APPEND's initrd=a,b) to @ini as " PATH", relative ones under @dir;
 * empty items are skipped. */
static void put_initrd_list(struct pb_strbuf *ini, const char *dir, const char *list)
{
    const char *p = list;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n) {
            pb_strbuf_str(ini, " ");
            put_path(ini, dir, p, n);
        }
        p += n + (q ? 1 : 0);
    }
}

static void free_conv(struct conv *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->l[i].name);
        free(c->l[i].mlabel);
        free(c->l[i].kernel);
        free(c->l[i].append);
        free(c->l[i].initrd);
    }
    free(c->l);
    free(c->def);
    free(c->gappend);
}

char *pb_syslinux_to_script(const char *text, size_t len, const char *dir,
                            int (*load)(const char *path, char **buf, size_t *len))
{
    struct conv c = { .timeout = -1, .dir = dir ? dir : "", .load = load };
    c.l = calloc(MAX_LABELS, sizeof(struct label));
    if (!c.l) {
        pb_error(PB_ENOMEM, "out of memory");
        return NULL;
    }
    int r = parse(&c, text, len, 0);
    struct pb_strbuf o = { .max = PB_CFGCONV_MAX_OUT };
    if (r == 0 && !c.oom) {
        int def = 0;
        bool found = false;
        if (c.def && !(strlen(c.def) > 4 && strcasecmp(c.def + strlen(c.def) - 4, ".c32") == 0)) {
            for (int i = 0; i < c.n; i++)
                if (c.l[i].name && strcmp(c.l[i].name, c.def) == 0) {
                    def = i;
                    found = true;
                    break;
                }
        }
        if (!found)
            for (int i = 0; i < c.n; i++)
                if (c.l[i].menu_default) {
                    def = i;
                    break;
                }
        char tmp[64];
        snprintf(tmp, sizeof tmp, "set default=%d\n", def);
        pb_strbuf_str(&o, tmp);
        if (c.timeout > 0) {
            snprintf(tmp, sizeof tmp, "set timeout=%ld\n", (c.timeout + 9) / 10);
            pb_strbuf_str(&o, tmp);
        }
        pb_strbuf_str(&o, c.menu_hidden ? "set timeout_style=hidden\n"
                                        : "set timeout_style=menu\n");
        for (int i = 0; i < c.n; i++) {
            struct label *l = &c.l[i];
            pb_strbuf_str(&o, "menuentry ");
            putq(&o, l->mlabel ? l->mlabel : (l->name ? l->name : ""));
            pb_strbuf_str(&o, " --id ");
            putq(&o, l->name ? l->name : "");
            pb_strbuf_str(&o, " {\n");
            if (!l->kernel || l->com32) {
                pb_strbuf_str(&o, "echo ");
                putq(&o, "syslinux: this label runs a COM32 module or has no kernel; not bootable on Xen PV");
                pb_strbuf_str(&o, "\nfalse\n}\n");
                continue;
            }
            const char *app = l->has_append ? l->append : c.gappend;
            if (app && strcmp(app, "-") == 0)
                app = NULL;
            struct pb_strbuf ini = { .max = PB_CFGCONV_MAX_OUT };
            pb_strbuf_str(&o, "linux ");
            put_path(&o, c.dir, l->kernel, strlen(l->kernel));
            if (l->initrd)
                put_initrd_list(&ini, c.dir, l->initrd);
            if (app) {
                char *a = strdup(app);
                if (!a) {
                    o.oom = true;
                    break;
                }
                char *save = NULL;
                for (char *w = strtok_r(a, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                    if (strncmp(w, "initrd=", 7) == 0) {
                        put_initrd_list(&ini, c.dir, w + 7);
                        continue;
                    }
                    pb_strbuf_str(&o, " ");
                    putq(&o, w);
                }
                free(a);
            }
            pb_strbuf_str(&o, "\n");
            if (ini.n) {
                pb_strbuf_str(&o, "initrd");
                pb_strbuf_str(&o, ini.d);
                pb_strbuf_str(&o, "\n");
            }
            if (ini.oom)
                o.oom = true;
            free(ini.d);
            pb_strbuf_str(&o, "}\n");
        }
    }
    if (c.oom || o.oom) {
        r = pb_error(PB_ENOMEM, "syslinux config: out of memory or too large");
    }
    free_conv(&c);
    if (r) {
        free(o.d);
        return NULL;
    }
    return o.d ? o.d : strdup("");
}

static int load_file(const char *path, char **buf, size_t *len)
{
    void *b;
    int r = pb_file_load(path, PB_SCRIPT_MAX_SIZE, &b, len);
    if (r == 0)
        *buf = b;
    return r;
}

static int cmd_syslinux(struct pb_command *cmd, int argc, char **argv)
{
    if (argc != 2)
        return pb_error(PB_EINVAL, "%s: expected one FILE", cmd->name);
    void *buf;
    size_t len;
    int r = pb_file_load(argv[1], PB_SCRIPT_MAX_SIZE, &buf, &len);
    if (r)
        return r;
    const char *slash = strrchr(argv[1], '/');
    char *dir = slash ? strndup(argv[1], (size_t)(slash - argv[1])) : strdup("");
    char *script = dir ? pb_syslinux_to_script(buf, len, dir, load_file) : NULL;
    free(buf);
    free(dir);
    if (!script)
        return pb_errcode() ? pb_errcode() : PB_ENOMEM;
    if (strcmp(cmd->name, "syslinux_source") == 0)
        r = pb_script_run(script, strlen(script), argv[1]);
    else
        r = pb_normal_execute(argv[1], script, strlen(script));
    free(script);
    return r < 0 ? r : 0;
}

static struct pb_command cmds[] = {
    { .name = "syslinux_configfile", .fn = cmd_syslinux, .usage = "FILE",
      .summary = "Run a syslinux/extlinux config as a new menu." },
    { .name = "syslinux_source", .fn = cmd_syslinux, .usage = "FILE",
      .summary = "Add a syslinux/extlinux config's labels to the current menu." },
};

void pvboot_init_syslinuxcfg(void);
void pvboot_init_syslinuxcfg(void)
{
    for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        pb_command_register(&cmds[i]);
}
