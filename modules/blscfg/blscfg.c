/* SPDX-License-Identifier: MIT */
/* blscfg: Boot Loader Specification entries as menu entries (pvboot/bls.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/bls.h"
#include "pvboot/cfgline.h"
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/menu.h"
#include "pvboot/script.h"
#include "pvboot/strbuf.h"
#include "pvboot/term.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

int pb_rpmvercmp(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 0;
    const char *one = a, *two = b;
    while (*one || *two) {
        while (*one && !is_alnum(*one) && *one != '~' && *one != '^')
            one++;
        while (*two && !is_alnum(*two) && *two != '~' && *two != '^')
            two++;
        if (*one == '~' || *two == '~') {
            if (*one != '~')
                return 1;
            if (*two != '~')
                return -1;
            one++;
            two++;
            continue;
        }
        if (*one == '^' || *two == '^') {
            if (!*one)
                return -1;
            if (!*two)
                return 1;
            if (*one != '^')
                return 1;
            if (*two != '^')
                return -1;
            one++;
            two++;
            continue;
        }
        if (!(*one && *two))
            break;
        const char *s1 = one, *s2 = two;
        bool isnum = is_digit(*s1);
        if (isnum) {
            while (is_digit(*one))
                one++;
            while (is_digit(*two))
                two++;
        } else {
            while (is_alpha(*one))
                one++;
            while (is_alpha(*two))
                two++;
        }
        if (s2 == two)             /* different segment types */
            return isnum ? 1 : -1;
        size_t l1 = (size_t)(one - s1), l2 = (size_t)(two - s2);
        if (isnum) {
            while (l1 && *s1 == '0') { s1++; l1--; }
            while (l2 && *s2 == '0') { s2++; l2--; }
            if (l1 != l2)
                return l1 > l2 ? 1 : -1;
        }
        size_t l = l1 < l2 ? l1 : l2;
        int c = memcmp(s1, s2, l);
        if (c)
            return c > 0 ? 1 : -1;
        if (l1 != l2)
            return l1 > l2 ? 1 : -1;
    }
    if (!*one && !*two)
        return 0;
    return *one ? 1 : -1;
}

/* rhboot split_package_string: release after the last '-', version after
 * the one before, the rest is the name; missing parts bubble up. */
static void split_nvr(char *s, char **name, char **ver, char **rel)
{
    char *r = strrchr(s, '-');
    if (r)
        *r++ = 0;
    char *v = strrchr(s, '-');
    if (v)
        *v++ = 0;
    *name = s;
    *ver = v;
    *rel = r;
    if (!*ver) {
        *ver = *rel;
        *rel = NULL;
    }
}

int pb_bls_idcmp(const char *a, const char *b)
{
    char *ca = strdup(a), *cb = strdup(b);
    if (!ca || !cb) {
        free(ca);
        free(cb);
        return strcmp(a, b);
    }
    char *na, *va, *ra, *nb, *vb, *rb;
    split_nvr(ca, &na, &va, &ra);
    split_nvr(cb, &nb, &vb, &rb);
    int r = pb_rpmvercmp(na, nb);
    if (!r)
        r = pb_rpmvercmp(va ? va : "", vb ? vb : "");
    if (!r)
        r = pb_rpmvercmp(ra ? ra : "", rb ? rb : "");
    free(ca);
    free(cb);
    return r;
}

/* ---- entry files ---- */

#define MAX_ARGS 128

int pb_bls_add_entry(const char *id, const char *text, size_t len, const char *file)
{
    struct pb_strbuf opts = { 0 }, initrds = { 0 }, body = { 0 };
    char *title = NULL, *linux_path = NULL, *users = NULL, *classes = NULL, *gargs = NULL;
    int r = 0;
    size_t pos = 0;
    struct pb_cfgline ln;
    while (pb_cfgline_next(text, len, &pos, PB_CFGLINE_KEEP_LEADING_CR, &ln)) {
        char *val = strndup(ln.val, ln.vallen);
        if (!val) {
            r = pb_error(PB_ENOMEM, "out of memory");
            break;
        }
#define KEY(x) (ln.keylen == strlen(x) && strncmp(ln.key, x, ln.keylen) == 0)
        if (KEY("title")) {
            free(title);
            title = val;
        } else if (KEY("linux")) {
            free(linux_path);
            linux_path = val;
        } else if (KEY("initrd")) {
            pb_strbuf_str(&initrds, " ");
            pb_strbuf_str(&initrds, val);
            free(val);
        } else if (KEY("options")) {
            char *x = pb_script_expand(val);
            free(val);
            if (!x) {
                r = pb_error(PB_ENOMEM, "out of memory");
                break;
            }
            if (opts.n)
                pb_strbuf_str(&opts, " ");
            pb_strbuf_str(&opts, x);
            free(x);
        } else if (KEY("grub_users")) {
            free(users);
            users = pb_script_expand(val);
            free(val);
        } else if (KEY("grub_class")) {
            free(classes);
            classes = val;
        } else if (KEY("grub_arg")) {
            free(gargs);
            gargs = val;
        } else {
            free(val);      /* id, version, machine-id, aboot, ... */
        }
#undef KEY
    }
    if (r == 0 && !linux_path)
        r = pb_error(PB_EINVAL, "%s: no `linux' key; entry skipped", file);
    if (r == 0) {
        /* body: the kernel line with the options already expanded (they are
         * re-read as words, as rhboot does), initrds expanded at run time */
        pb_strbuf_str(&body, "linux ");
        pb_strbuf_str(&body, linux_path);
        if (opts.n) {
            pb_strbuf_str(&body, " ");
            pb_strbuf_str(&body, opts.d);
        }
        pb_strbuf_str(&body, "\n");
        if (initrds.n) {
            pb_strbuf_str(&body, "initrd");
            pb_strbuf_str(&body, initrds.d);
            pb_strbuf_str(&body, "\n");
        }
        char *argv[MAX_ARGS];
        int argc = 0;
        char *store = NULL;
        argv[argc++] = title ? title : (char *)id;
        argv[argc++] = "--id";
        argv[argc++] = (char *)id;
        /* grub_class / grub_arg: words */
        struct pb_strbuf words = { 0 };
        if (classes)
            pb_strbuf_str(&words, classes);
        pb_strbuf_str(&words, "\n");
        if (gargs)
            pb_strbuf_str(&words, gargs);
        if (words.oom || body.oom || opts.oom || initrds.oom) {
            r = pb_error(PB_ENOMEM, "out of memory");
        } else {
            store = words.d;
            bool in_args = false;
            char *save = NULL;
            /* split the class line and the arg line */
            char *nl = strchr(store, '\n');
            *nl = 0;
            for (char *t = strtok_r(store, " \t", &save); t && argc + 2 < MAX_ARGS; t = strtok_r(NULL, " \t", &save)) {
                argv[argc++] = "--class";
                argv[argc++] = t;
            }
            (void)in_args;
            for (char *t = strtok_r(nl + 1, " \t", &save); t && argc + 1 < MAX_ARGS; t = strtok_r(NULL, " \t", &save))
                argv[argc++] = t;
            if (users && *users && argc + 2 < MAX_ARGS) {
                argv[argc++] = "--users";
                argv[argc++] = users;
            }
            r = pb_menu_add_entry(argc, argv, body.d, body.n, false, false, file, 1);
        }
        free(store);
    }
    free(title);
    free(linux_path);
    free(users);
    free(classes);
    free(gargs);
    free(opts.d);
    free(initrds.d);
    free(body.d);
    return r;
}

struct names {
    char **v;
    int n;
    bool overflow;
};

static int collect(const char *name, size_t namelen, enum pb_ftype type, void *ctx)
{
    struct names *l = ctx;
    if (type == PB_FT_DIR || namelen <= 5 || strncmp(name + namelen - 5, ".conf", 5) != 0)
        return 0;
    if (l->n >= PB_BLS_MAX_ENTRIES) {
        l->overflow = true;
        return 1;
    }
    l->v[l->n] = strndup(name, namelen - 5);
    if (!l->v[l->n])
        return PB_ENOMEM;
    l->n++;
    return 0;
}

static int cmp_ids(const void *a, const void *b)
{
    return -pb_bls_idcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(const char *dir)
{
    struct names l = { 0 };
    l.v = calloc(PB_BLS_MAX_ENTRIES, sizeof(char *));
    if (!l.v)
        return pb_error(PB_ENOMEM, "out of memory");
    int r = pb_dir_iterate(dir, collect, &l);
    if (r < 0) {
        for (int i = 0; i < l.n; i++)
            free(l.v[i]);
        free(l.v);
        return r;
    }
    if (l.overflow)
        pb_printf("blscfg: %s: more than %d entries; the rest are ignored\n", dir, PB_BLS_MAX_ENTRIES);
    if (l.n > 0)
        qsort(l.v, (size_t)l.n, sizeof(char *), cmp_ids);
    for (int i = 0; i < l.n; i++) {
        size_t pl = strlen(dir) + strlen(l.v[i]) + 8;
        char *path = malloc(pl);
        if (path) {
            snprintf(path, pl, "%s/%s.conf", dir, l.v[i]);
            void *buf;
            size_t len;
            int e = pb_file_load(path, PB_BLS_MAX_FILE, &buf, &len);
            if (e == 0) {
                e = pb_bls_add_entry(l.v[i], buf, len, path);
                free(buf);
            }
            if (e)
                pb_print_error();
            free(path);
        }
        free(l.v[i]);
    }
    free(l.v);
    return 0;
}

static int cmd_blscfg(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    const char *dir = argc > 1 ? argv[1] : pb_env_get("blsdir");
    if (dir && *dir)
        return load_dir(dir);
    int r = load_dir("/loader/entries");
    if (r) {
        pb_error_clear();
        r = load_dir("/boot/loader/entries");
    }
    if (r)
        return pb_error(PB_ENOENT, "blscfg: no /loader/entries or /boot/loader/entries on (%s)",
                        pb_env_get("root") ? pb_env_get("root") : "");
    return 0;
}

static struct pb_command cmds[] = {
    { .name = "blscfg", .fn = cmd_blscfg, .usage = "[DIRECTORY]",
      .summary = "Add Boot Loader Specification entries ($blsdir or /loader/entries) to the menu." },
};

void pvboot_init_blscfg(void);
void pvboot_init_blscfg(void)
{
    pb_command_register(&cmds[0]);
}
