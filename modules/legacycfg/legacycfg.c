/* SPDX-License-Identifier: MIT */
/* GRUB legacy menu.lst/grub.conf -> GRUB script (pvboot/cfgconv.h). */
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

static void putq(struct pb_strbuf *o, const char *s, size_t n)
{
    char *t = strndup(s, n);
    char *q = t ? pb_script_quote(t) : NULL;
    if (!q)
        o->oom = true;
    else
        pb_strbuf_str(o, q);
    free(q);
    free(t);
}

/* "(hd0,0)rest" -> "(hd0,1)rest"; legacy partitions count from 0 */
static void put_dev_path(struct pb_strbuf *o, const char *s, size_t n, bool parens)
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

/* End the open menuentry whose body starts at @body: a title with no
 * command gets `true` (an empty body is a syntax error in GRUB 2's script,
 * while GRUB legacy lists such an entry, which boots nothing). */
static void close_entry(struct pb_strbuf *o, size_t body)
{
    if (o->n == body)
        pb_strbuf_str(o, "true\n");
    pb_strbuf_str(o, "}\n");
}

char *pb_legacy_to_script(const char *text, size_t len)
{
    struct pb_strbuf o = { .max = PB_CFGCONV_MAX_OUT };
    bool in_entry = false, hidden = false;
    size_t body = 0;    /* where the open entry's body starts in o */
    size_t pos = 0;
    struct pb_cfgline ln;
    pb_strbuf_str(&o, "set default=0\n");
    while (pb_cfgline_next(text, len, &pos, PB_CFGLINE_EQUALS, &ln)) {
        const char *val = ln.val;
        size_t vl = ln.vallen;
#define KEY(x) (ln.keylen == strlen(x) && strncmp(ln.key, x, ln.keylen) == 0)
        if (KEY("title")) {
            if (in_entry)
                close_entry(&o, body);
            pb_strbuf_str(&o, "menuentry ");
            putq(&o, vl ? val : "(untitled)", vl ? vl : 10);
            pb_strbuf_str(&o, " {\n");
            in_entry = true;
            body = o.n;
        } else if (!in_entry) {
            if (KEY("default")) {
                if (vl >= 5 && strncmp(val, "saved", 5) == 0) {
                    pb_strbuf_str(&o, "set default=0\n");   /* no saved data */
                } else {
                    pb_strbuf_str(&o, "set default=");
                    putq(&o, val, vl);
                    pb_strbuf_str(&o, "\n");
                }
            } else if (KEY("timeout")) {
                pb_strbuf_str(&o, "set timeout=");
                putq(&o, val, vl);
                pb_strbuf_str(&o, "\n");
            } else if (KEY("fallback")) {
                pb_strbuf_str(&o, "set fallback=");
                putq(&o, val, vl);
                pb_strbuf_str(&o, "\n");
            } else if (KEY("hiddenmenu")) {
                hidden = true;
            }
        } else if (KEY("root") || KEY("rootnoverify")) {
            pb_strbuf_str(&o, "set root=");
            put_dev_path(&o, val, vl, false);
            pb_strbuf_str(&o, "\n");
        } else if (KEY("kernel")) {
            size_t p = 0;
            while (p < vl && val[p] != ' ' && val[p] != '\t')
                p++;
            pb_strbuf_str(&o, "linux ");
            put_dev_path(&o, val, p, true);
            /* verbatim: one separator after the path, then split at each
             * single blank so runs of blanks survive the word join */
            while (p < vl && (val[p] == ' ' || val[p] == '\t'))
                p++;
            size_t ws = p;
            for (size_t q = p; q <= vl && p < vl; q++) {
                if (q == vl || val[q] == ' ' || val[q] == '\t') {
                    pb_strbuf_str(&o, " ");
                    putq(&o, val + ws, q - ws);
                    ws = q + 1;
                }
            }
            pb_strbuf_str(&o, "\n");
        } else if (KEY("initrd")) {
            pb_strbuf_str(&o, "initrd ");
            size_t p = 0;
            while (p < vl && val[p] != ' ' && val[p] != '\t')
                p++;
            put_dev_path(&o, val, p, true);
            pb_strbuf_str(&o, "\n");
        } else if (KEY("chainloader")) {
            pb_strbuf_str(&o, "chainloader ");
            put_dev_path(&o, val, vl, true);
            pb_strbuf_str(&o, "\n");
        }
        /* savedefault, lock, makeactive, password, module...: ignored */
#undef KEY
    }
    if (in_entry)
        close_entry(&o, body);
    /* legacy GRUB shows its menu unless `hiddenmenu` */
    pb_strbuf_str(&o, hidden ? "set timeout_style=hidden\n" : "set timeout_style=menu\n");
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
