/* SPDX-License-Identifier: MIT */
/*
 * Environment variables with GRUB's context semantics (include/pvboot/env.h).
 * Each context is a sorted singly linked list; contexts are few and small.
 */
#include <stdlib.h>
#include <string.h>
#include "pvboot/env.h"
#include "pvboot/err.h"

#define PB_ENV_MAX_DEPTH 64

struct var {
    struct var *next;
    char *name;
    char *value;
    bool exported;
};

static struct var *ctx[PB_ENV_MAX_DEPTH];
static int depth = 1;   /* ctx[depth-1] is current */

static struct var **find_slot(const char *name)
{
    struct var **pp = &ctx[depth - 1];
    while (*pp && strcmp((*pp)->name, name) < 0)
        pp = &(*pp)->next;
    return pp;
}

static struct var *find(const char *name)
{
    struct var **pp = find_slot(name);
    return (*pp && strcmp((*pp)->name, name) == 0) ? *pp : NULL;
}

const char *pb_env_get(const char *name)
{
    struct var *v = find(name);
    return v ? v->value : NULL;
}

static int valid_name(const char *name)
{
    return name && name[0] != '\0';
}

static struct var *create(const char *name)
{
    struct var **pp = find_slot(name);
    if (*pp && strcmp((*pp)->name, name) == 0)
        return *pp;
    struct var *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->name = strdup(name);
    v->value = strdup("");
    if (!v->name || !v->value) {
        free(v->name);
        free(v->value);
        free(v);
        return NULL;
    }
    v->next = *pp;
    *pp = v;
    return v;
}

#define PB_ENV_MAX_HOOKS 8

static struct {
    char name[32];
    int (*write)(const char *value, char **out);
} hooks[PB_ENV_MAX_HOOKS];

int pb_env_set_hook(const char *name, int (*write)(const char *value, char **out))
{
    int freeslot = -1;
    for (int i = 0; i < PB_ENV_MAX_HOOKS; i++) {
        if (hooks[i].write && strcmp(hooks[i].name, name) == 0) {
            hooks[i].write = write;
            return 0;
        }
        if (!hooks[i].write && freeslot < 0)
            freeslot = i;
    }
    if (!write)
        return 0;
    if (freeslot < 0 || strlen(name) >= sizeof hooks[0].name)
        return pb_error(PB_ENOMEM, "no room for a write hook on %s", name);
    strcpy(hooks[freeslot].name, name);
    hooks[freeslot].write = write;
    return 0;
}

static int (*hook_of(const char *name))(const char *, char **)
{
    for (int i = 0; i < PB_ENV_MAX_HOOKS; i++)
        if (hooks[i].write && strcmp(hooks[i].name, name) == 0)
            return hooks[i].write;
    return NULL;
}

int pb_env_set(const char *name, const char *value)
{
    if (!valid_name(name))
        return pb_error(PB_EINVAL, "invalid variable name");
    int (*hook)(const char *, char **) = hook_of(name);
    char *copy = NULL;
    if (hook) {
        int r = hook(value ? value : "", &copy);
        if (r)
            return r;
    }
    if (!copy)
        copy = strdup(value ? value : "");
    if (!copy)
        return pb_error(PB_ENOMEM, "out of memory setting %s", name);
    struct var *v = create(name);
    if (!v) {
        free(copy);
        return pb_error(PB_ENOMEM, "out of memory setting %s", name);
    }
    free(v->value);
    v->value = copy;
    return 0;
}

void pb_env_unset(const char *name)
{
    if (hook_of(name)) {   /* GRUB: a hooked variable is set to "" instead */
        if (pb_env_set(name, "") < 0)
            pb_error_clear();
        return;
    }
    struct var **pp = find_slot(name);
    if (*pp && strcmp((*pp)->name, name) == 0) {
        struct var *v = *pp;
        *pp = v->next;
        free(v->name);
        free(v->value);
        free(v);
    }
}

int pb_env_export(const char *name)
{
    if (!valid_name(name))
        return pb_error(PB_EINVAL, "invalid variable name");
    struct var *v = create(name);
    if (!v)
        return pb_error(PB_ENOMEM, "out of memory exporting %s", name);
    v->exported = true;
    return 0;
}

int pb_env_foreach(int (*cb)(const char *, const char *, bool, void *), void *cbctx)
{
    for (struct var *v = ctx[depth - 1]; v; v = v->next) {
        int r = cb(v->name, v->value, v->exported, cbctx);
        if (r)
            return r;
    }
    return 0;
}

static void free_list(struct var *v)
{
    while (v) {
        struct var *n = v->next;
        free(v->name);
        free(v->value);
        free(v);
        v = n;
    }
}

int pb_env_push(void)
{
    if (depth >= PB_ENV_MAX_DEPTH)
        return pb_error(PB_ELOOP, "too many nested contexts (configfile/submenu depth %d)", depth);
    struct var *head = NULL, **tail = &head;
    for (struct var *v = ctx[depth - 1]; v; v = v->next) {
        if (!v->exported)
            continue;
        struct var *c = calloc(1, sizeof *c);
        if (!c || !(c->name = strdup(v->name)) || !(c->value = strdup(v->value))) {
            if (c) {
                free(c->name);
                free(c);
            }
            free_list(head);
            return pb_error(PB_ENOMEM, "out of memory opening a new context");
        }
        c->exported = true;
        *tail = c;
        tail = &c->next;
    }
    ctx[depth++] = head;
    return 0;
}

void pb_env_pop(void)
{
    if (depth <= 1)
        return;
    free_list(ctx[--depth]);
    ctx[depth] = NULL;
}

int pb_env_depth(void)
{
    return depth;
}
