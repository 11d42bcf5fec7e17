/* SPDX-License-Identifier: MIT */
/*
 * password (GRUB manual, "password"): `password USER CLEAR-PASSWORD` sets
 * USER's password for the superusers/--users checks of module normal
 * (include/pvboot/menu_ui.h).  The comparison takes the same time for any
 * password of the same length.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/menu_ui.h"

static bool check_plain(const char *pass, void *ctx)
{
    const char *want = ctx;
    size_t a = strlen(pass), b = strlen(want);
    unsigned diff = (unsigned)(a != b);
    for (size_t i = 0; i < b; i++)
        diff |= (unsigned char)want[i] ^ (unsigned char)(i < a ? pass[i] : 0);
    return diff == 0;
}

static void free_plain(void *ctx)
{
    char *p = ctx;
    memset(p, 0, strlen(p));
    free(p);
}

static int cmd_password(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    if (argc != 3)
        return pb_error(PB_EINVAL, "password: expected USER PASSWORD");
    if (!argv[1][0])
        return pb_error(PB_EINVAL, "password: empty user name");
    char *p = strdup(argv[2]);
    if (!p)
        return pb_error(PB_ENOMEM, "out of memory");
    int r = pb_auth_register_user(argv[1], check_plain, p, free_plain);
    if (r)
        free_plain(p);
    return r;
}

static struct pb_command password_cmd = {
    .name = "password", .fn = cmd_password, .usage = "USER PASSWORD",
    .summary = "Set USER's password (clear text).",
};

void pvboot_init_password(void);
void pvboot_init_password(void)
{
    pb_command_register(&password_cmd);
}
