/* SPDX-License-Identifier: MIT */
/* Helpers for the script/menu/config unit tests: hosted runtime, captured
 * terminal output, and recording `linux`/`initrd` commands (so the tests
 * check the config layer alone; the real loader has its own tests). */
#ifndef SCRIPT_TEST_UTIL_H
#define SCRIPT_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/loader.h"
#include "pvboot/menu.h"
#include "pvboot/platform.h"
#include "pvboot/script.h"

static char rec_kernel[512], rec_args[2048], rec_initrd[1024];
static int rec_linux_calls;

static int rec_booted;

/* The hosted session: true = pvboot-probe's (not interactive, decides
 * only), false = a guest's (interactive, boots). */
static __attribute__((unused)) void st_decide_only(bool on)
{
    pb_hosted_set_interactive(!on);
    pb_hosted_set_decide_only(on);
}

static __attribute__((unused)) int rec_boot(void *ctx)
{
    (void)ctx;
    rec_booted++;
    if (!pb_platform()->decide_only)
        pb_script_request_stop(true);   /* a real boot does not return */
    return 0;
}

static __attribute__((unused)) int rec_linux(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    rec_linux_calls++;
    if (argc < 2)
        return pb_error(PB_EINVAL, "linux: no kernel");
    snprintf(rec_kernel, sizeof rec_kernel, "%s", argv[1]);
    rec_args[0] = 0;
    for (int i = 2; i < argc; i++) {
        strncat(rec_args, "[", sizeof rec_args - strlen(rec_args) - 1);
        strncat(rec_args, argv[i], sizeof rec_args - strlen(rec_args) - 1);
        strncat(rec_args, "]", sizeof rec_args - strlen(rec_args) - 1);
    }
    rec_initrd[0] = 0;
    if (strcmp(argv[1], "/missing") == 0)
        return pb_error(PB_ENOENT, "file `/missing' not found");
    struct pb_loader l = { .name = "linux", .boot = rec_boot };
    pb_loader_set(&l);
    return 0;
}

static __attribute__((unused)) int rec_initrd_fn(struct pb_command *cmd, int argc, char **argv)
{
    (void)cmd;
    rec_initrd[0] = 0;
    for (int i = 1; i < argc; i++) {
        strncat(rec_initrd, "[", sizeof rec_initrd - strlen(rec_initrd) - 1);
        strncat(rec_initrd, argv[i], sizeof rec_initrd - strlen(rec_initrd) - 1);
        strncat(rec_initrd, "]", sizeof rec_initrd - strlen(rec_initrd) - 1);
    }
    return 0;
}

static struct pb_command rec_cmds[] = {
    { .name = "linux", .fn = rec_linux, .flags = PB_CMD_F_LOADER, .usage = "", .summary = "test recorder" },
    { .name = "initrd", .fn = rec_initrd_fn, .flags = PB_CMD_F_LOADER, .usage = "", .summary = "test recorder" },
};

static __attribute__((unused)) void st_init(void)
{
    static int done;
    if (!done) {
        pb_hosted_init();
        pb_hosted_virtual_clock(true);
        pb_command_register(&rec_cmds[0]);
        pb_command_register(&rec_cmds[1]);
        pb_normal_set_platform_env();
        st_decide_only(true);
        done = 1;
    }
    pb_script_request_stop(false);
    rec_kernel[0] = rec_args[0] = rec_initrd[0] = 0;
    rec_linux_calls = 0;
    rec_booted = 0;
    st_decide_only(true);
    pb_loader_unset();
    pb_hosted_reports_reset();
    pb_hosted_capture_output(true);
    pb_hosted_output_reset();
}

/* Output so far without the terminal's \r. Static buffer. */
static __attribute__((unused)) const char *st_out(void)
{
    static char buf[65536];
    const char *o = pb_hosted_output();
    size_t n = 0;
    for (; *o && n + 1 < sizeof buf; o++)
        if (*o != '\r')
            buf[n++] = *o;
    buf[n] = 0;
    return buf;
}

/* Run @s as a script; returns the output. */
static __attribute__((unused)) const char *st_run(const char *s)
{
    pb_hosted_output_reset();
    pb_script_run(s, strlen(s), "t.cfg");
    return st_out();
}

#endif
