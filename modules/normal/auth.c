/* SPDX-License-Identifier: MIT */
/*
 * Password protection as GRUB has it (GRUB manual, "Security" /
 * "Authentication and authorisation"): when $superusers is set, booting an
 * entry needs a superuser unless the entry is --unrestricted or names the
 * user in --users; editing entries and the command line need a superuser.
 * Users and their passwords come from `password` / `password_pbkdf2`
 * (modules of the same names) through pb_auth_register_user().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/menu.h"
#include "pvboot/menu_ui.h"
#include "pvboot/term.h"
#include "ui_int.h"

#define AUTH_MAX_USERS 64
#define AUTH_NAME_MAX  128

struct auth_user {
    char *name;
    bool (*check)(const char *pass, void *ctx);
    void *ctx;
    void (*free_ctx)(void *ctx);
    bool logged_in;
};

static struct auth_user users[AUTH_MAX_USERS];
static int nusers;

int pb_auth_register_user(const char *user, bool (*check)(const char *pass, void *ctx), void *ctx,
                          void (*free_ctx)(void *ctx))
{
    struct auth_user *u = NULL;
    for (int i = 0; i < nusers; i++)
        if (strcmp(users[i].name, user) == 0)
            u = &users[i];
    if (!u) {
        if (nusers >= AUTH_MAX_USERS)
            return pb_error(PB_ERANGE, "too many users (at most %d)", AUTH_MAX_USERS);
        char *n = strdup(user);
        if (!n)
            return pb_error(PB_ENOMEM, "out of memory");
        u = &users[nusers++];
        u->name = n;
    } else if (u->free_ctx) {
        u->free_ctx(u->ctx);
    }
    u->check = check;
    u->ctx = ctx;
    u->free_ctx = free_ctx;
    u->logged_in = false;
    return 0;
}

bool pb_auth_enabled(void)
{
    const char *s = pb_env_get("superusers");
    if (!s)
        return false;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != ',' && *s != ';' && *s != '|')
            return true;
    return false;
}

/* Is @name in the list @list (separators as GRUB: space, comma, semicolon,
 * pipe, ampersand)? */
static bool in_list(const char *list, const char *name)
{
    if (!list)
        return false;
    size_t nl = strlen(name);
    const char *p = list;
    while (*p) {
        while (*p && strchr(" \t,;|&", *p))
            p++;
        const char *s = p;
        while (*p && !strchr(" \t,;|&", *p))
            p++;
        if ((size_t)(p - s) == nl && nl && memcmp(s, name, nl) == 0)
            return true;
    }
    return false;
}

static bool user_allowed(const char *name, const char *list)
{
    return in_list(pb_env_get("superusers"), name) || in_list(list, name);
}

void pb_auth_logout(void)
{
    for (int i = 0; i < nusers; i++)
        users[i].logged_in = false;
}

static bool input_ended;

bool ui_auth_input_ended(void)
{
    return input_ended;
}

/* Read a line; echo only when @echo. Returns length or -1. */
static int read_secret(const char *prompt, char *buf, size_t size, bool echo)
{
    if (echo)
        return pb_ui_readline(prompt, buf, size, NULL);
    pb_printf("%s", prompt);
    size_t n = 0;
    for (;;) {
        int k = pb_ui_getkey();
        if (k == PB_KEY_NONE)
            input_ended = true;
        if (k == PB_KEY_NONE || k == PB_KEY_ESC) {
            pb_printf("\n");
            return -1;
        }
        if (k == PB_KEY_ENTER || k == '\n')
            break;
        if (k == PB_KEY_BACKSPACE || k == 0x7f) {
            if (n)
                n--;
            continue;
        }
        if (k >= 0x20 && k < 0x100 && n + 1 < size)
            buf[n++] = (char)k;
    }
    buf[n] = 0;
    pb_printf("\n");
    return (int)n;
}

int pb_auth_allowed(const char *list)
{
    if (!pb_auth_enabled())
        return 0;
    for (int i = 0; i < nusers; i++)
        if (users[i].logged_in && user_allowed(users[i].name, list))
            return 0;
    char name[AUTH_NAME_MAX], pass[1024];
    input_ended = false;
    pb_printf("\n");
    int n = read_secret("Enter username: ", name, sizeof name, true);
    if (n >= 0 && read_secret("Enter password: ", pass, sizeof pass, false) >= 0) {
        for (int i = 0; i < nusers; i++) {
            struct auth_user *u = &users[i];
            if (strcmp(u->name, name) != 0)
                continue;
            /* check the password even for a user not allowed here, so the
             * time taken does not tell which names exist */
            bool ok = u->check && u->check(pass, u->ctx);
            memset(pass, 0, sizeof pass);
            if (ok && user_allowed(name, list)) {
                u->logged_in = true;
                return 0;
            }
            break;
        }
    }
    memset(pass, 0, sizeof pass);
    return pb_error(PB_EACCES, "access denied");
}

int pb_auth_entry_allowed(const struct pb_menu_entry *e)
{
    if (!pb_auth_enabled() || e->unrestricted)
        return 0;
    return pb_auth_allowed(e->users);
}
