/* SPDX-License-Identifier: MIT */
/* cat (GRUB manual, "cat"): print a file; --dos drops the CR of CRLF. */
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/err.h"
#include "pvboot/file.h"
#include "pvboot/term.h"

#define CAT_MAX (64ull << 20)   /* bytes printed at most */

static int cmd_cat(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    bool dos = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dos") == 0)
            dos = true;
        else if (!path)
            path = argv[i];
        else
            return pb_error(PB_EINVAL, "cat: more than one FILE");
    }
    if (!path)
        return pb_error(PB_EINVAL, "cat: no FILE");
    struct pb_file *f;
    int r = pb_file_open(path, &f);
    if (r)
        return r;
    char buf[4096];
    uint64_t total = 0;
    for (;;) {
        int64_t n = pb_file_read(f, buf, sizeof buf);
        if (n < 0) {
            r = (int)n;
            break;
        }
        if (n == 0)
            break;
        for (int64_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\r' && dos && i + 1 < n && buf[i + 1] == '\n')
                continue;
            if (c == '\n')
                pb_printf("\n");
            else
                pb_write(&c, 1);
        }
        total += (uint64_t)n;
        if (total >= CAT_MAX) {
            pb_printf("\n[cat: stopped after %llu bytes]\n", (unsigned long long)total);
            break;
        }
    }
    pb_file_close(f);
    return r;
}

static struct pb_command cmds[] = {
    { .name = "cat", .fn = cmd_cat, .usage = "[--dos] FILE", .summary = "Show a file." },
};

void pvboot_init_cat(void);
void pvboot_init_cat(void)
{
    pb_command_register(&cmds[0]);
}
