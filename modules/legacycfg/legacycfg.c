/* SPDX-License-Identifier: MIT */
/* GRUB legacy menu.lst/grub.conf -> GRUB script (pvboot/cfgconv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/cfgconv.h"
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/menu.h"
#include "pvboot/script.h"

struct out {
    char *d;
    size_t n, cap;
    bool oom;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->n + n + 1 > o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 1024;
        while (nc < o->n + n + 1)
            nc *= 2;
        char *d = nc <= PB_CFGCONV_MAX_OUT ? realloc(o->d, nc) : NULL;
        if (!d) {
            o->oom = true;
            return;
        }
        o->d = d;
        o->cap = nc;
    }
    memcpy(o->d + o->n, s, n);
    o->n += n;
    o->d[o->n] = 0;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void putq(struct out *o, const char *s, size_t n)
{
    char *t = strndup(s, n);
    char *q = t ? pb_script_quote(t) : NULL;
    if (!q)
        o->oom = true;
    else
        puts_(o, q);
    free(q);
    free(t);
}

/* "(hd0,0)rest" -> "(hd0,1)rest"; legacy partitions count from 0 */
static void put_dev_path(struct out *o, const char *s, size_t n, bool parens)
{
    if (n && s[0] == '(') {
        const char *e = memchr(s, ')', n);
        if (e) {
            const char *c = memchr(s, ',', (size_t)(e - s));
            char dev[64];
            if (c) {
                long part = strtol(c + 1, NULL, 10);
                snprintf(dev, sizeof dev, "%.*s,%ld", (int)(c - s - 1), s + 1, part + 1);
            } else {
                snprintf(dev, sizeof dev, "%.*s", (int)(e - s - 1), s + 1);
            }
            char buf[1200];
            snprintf(buf, sizeof buf, parens ? "(%s)%.*s" : "%s%.*s", dev,
                     (int)(n - (size_t)(e + 1 - s)), e + 1);
            putq(o, buf, strlen(buf));
            return;
        }
    }
    putq(o, s, n);
}

char *pb_legacy_to_script(const char *text, size_t len)
{
    struct out o = { 0 };
    bool in_entry = false, hidden = false;
    size_t i = 0;
    puts_(&o, "set default=0\n");
    while (i < len) {
        size_t s = i;
        while (i < len && text[i] != '\n')
            i++;
        size_t e = i++;
        while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
            s++;
        while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
            e--;
        if (s == e || text[s] == '#')
            continue;
        size_t k = s;
        while (k < e && text[k] != ' ' && text[k] != '\t' && text[k] != '=')
            k++;
        size_t kl = k - s;
        size_t v = k;
        while (v < e && (text[v] == ' ' || text[v] == '\t'))
            v++;
        if (v < e && text[v] == '=') {
            v++;
            while (v < e && (text[v] == ' ' || text[v] == '\t'))
                v++;
        }
        const char *val = text + v;
        size_t vl = e - v;
#define KEY(x) (kl == strlen(x) && strncmp(text + s, x, kl) == 0)
        if (KEY("title")) {
            if (in_entry)
                puts_(&o, "}\n");
            puts_(&o, "menuentry ");
            putq(&o, vl ? val : "(untitled)", vl ? vl : 10);
            puts_(&o, " {\n");
            in_entry = true;
        } else if (!in_entry) {
            if (KEY("default")) {
                if (vl >= 5 && strncmp(val, "saved", 5) == 0) {
                    puts_(&o, "set default=0\n");   /* no saved data */
                } else {
                    puts_(&o, "set default=");
                    putq(&o, val, vl);
                    puts_(&o, "\n");
                }
            } else if (KEY("timeout")) {
                puts_(&o, "set timeout=");
                putq(&o, val, vl);
                puts_(&o, "\n");
            } else if (KEY("fallback")) {
                puts_(&o, "set fallback=");
                putq(&o, val, vl);
                puts_(&o, "\n");
            } else if (KEY("hiddenmenu")) {
                hidden = true;
            }
        } else if (KEY("root") || KEY("rootnoverify")) {
            puts_(&o, "set root=");
            put_dev_path(&o, val, vl, false);
            puts_(&o, "\n");
        } else if (KEY("kernel")) {
            size_t p = 0;
            while (p < vl && val[p] != ' ' && val[p] != '\t')
                p++;
            puts_(&o, "linux ");
            put_dev_path(&o, val, p, true);
            /* verbatim: one separator after the path, then split at each
             * single blank so runs of blanks survive the word join */
            while (p < vl && (val[p] == ' ' || val[p] == '\t'))
                p++;
            size_t ws = p;
            for (size_t q = p; q <= vl && p < vl; q++) {
                if (q == vl || val[q] == ' ' || val[q] == '\t') {
                    puts_(&o, " ");
                    putq(&o, val + ws, q - ws);
                    ws = q + 1;
                }
            }
            puts_(&o, "\n");
        } else if (KEY("initrd")) {
            puts_(&o, "initrd ");
            size_t p = 0;
            while (p < vl && val[p] != ' ' && val[p] != '\t')
                p++;
            put_dev_path(&o, val, p, true);
            puts_(&o, "\n");
        } else if (KEY("chainloader")) {
            puts_(&o, "chainloader ");
            put_dev_path(&o, val, vl, true);
            puts_(&o, "\n");
        }
        /* savedefault, lock, makeactive, password, module...: ignored */
#undef KEY
    }
    if (in_entry)
        puts_(&o, "}\n");
    /* legacy GRUB shows its menu unless `hiddenmenu` */
    puts_(&o, hidden ? "set timeout_style=hidden\n" : "set timeout_style=menu\n");
    if (o.oom) {
        free(o.d);
        pb_error(PB_ENOMEM, "legacy config: out of memory or too large");
        return NULL;
    }
    return o.d;
}

static int cmd_legacy(struct pb_command *cmd, int argc, char **argv)
{
    if (argc != 2)
        return pb_error(PB_EINVAL, "%s: expected one FILE", cmd->name);
    void *buf;
    size_t len;
    int r = pb_file_load(argv[1], PB_SCRIPT_MAX_SIZE, &buf, &len);
    if (r)
        return r;
    char *script = pb_legacy_to_script(buf, len);
    free(buf);
    if (!script)
        return PB_ENOMEM;
    if (strcmp(cmd->name, "legacy_source") == 0)
        r = pb_script_run(script, strlen(script), argv[1]);
    else
        r = pb_normal_execute(argv[1], script, strlen(script));
    free(script);
    return r < 0 ? r : 0;
}

static struct pb_command cmds[] = {
    { .name = "legacy_configfile", .fn = cmd_legacy, .usage = "FILE",
      .summary = "Run a GRUB legacy menu.lst as a new menu." },
    { .name = "legacy_source", .fn = cmd_legacy, .usage = "FILE",
      .summary = "Add a GRUB legacy menu.lst's entries to the current menu." },
};

void pvboot_init_legacycfg(void);
void pvboot_init_legacycfg(void)
{
    for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        pb_command_register(&cmds[i]);
}
