/* SPDX-License-Identifier: MIT */
/*
 * Kernel main (Xen build): terminal, banner, module inits in table order,
 * then the registered main hook (normal's "run the config, menu, shell") or,
 * without one, the embedded config's first line and a clean power-off.
 * Also the image accessors of pvboot/kernel.h and the hand-over quiesce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xen_internal.h"
#include "pvboot/cmdline.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/image.h"
#include "pvboot/kernel.h"
#include "pvboot/term.h"

extern const struct pvboot_image_info pvboot_image_info;

static void (*main_hook)(void);

void pb_main_register(void (*fn)(void))
{
    main_hook = fn;
}

const char *pb_embedded_config(size_t *len)
{
    const struct pvboot_image_info *ii = &pvboot_image_info;
    if (!ii->config) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = ii->config_size;
    return (const char *)ii->config;
}

const char *pb_embedded_prefix(void)
{
    return pvboot_image_info.prefix ? (const char *)pvboot_image_info.prefix : NULL;
}

const void *pb_embedded_memdisk(size_t *len)
{
    const struct pvboot_image_info *ii = &pvboot_image_info;
    if (len)
        *len = ii->memdisk ? ii->memdisk_size : 0;
    return ii->memdisk ? (const void *)ii->memdisk : NULL;
}

const void *pb_embedded_pubkeys(size_t *len)
{
    const struct pvboot_image_info *ii = &pvboot_image_info;
    if (len)
        *len = ii->pubkeys ? ii->pubkeys_size : 0;
    return ii->pubkeys ? (const void *)ii->pubkeys : NULL;
}

const char *pb_xen_cmdline(void)
{
    static bool checked;
    static const char *result;
    static char line[PB_CMDLINE_MAX];
    if (checked)
        return result;
    checked = true;
    /* validate the raw buffer as received (possibly unterminated): PV
     * start_info.cmd_line, PVH the string at cmdline_paddr */
    if (!pb_boot.cmdline)
        return NULL;
    long n = pb_cmdline_validate(pb_boot.cmdline, pb_boot.cmdline_size);
    if (n < 0) {
        pb_printf("warning: %s; the Xen command line is ignored\n", pb_errmsg());
        pb_error_clear();
        return NULL;
    }
    if (n == 0)
        return NULL;
    memcpy(line, pb_boot.cmdline, (size_t)n + 1);
    result = line;
    return result;
}

static const struct pvboot_module_entry *modules(uint32_t *n)
{
    const struct pvboot_image_info *ii = &pvboot_image_info;
    *n = ii->nr_modules;
    if (*n > 4096)
        *n = 0;    /* nonsense: treat as none */
    return (const struct pvboot_module_entry *)ii->modules;
}

void pb_before_handover(void)
{
    uint32_t n;
    const struct pvboot_module_entry *m = modules(&n);
    for (uint32_t i = n; i-- > 0;)
        if (m[i].fini)
            ((void (*)(void))m[i].fini)();
    pb_disk_close_all();
    pb_evtchn_close_all_ours();
    unsigned active = pb_gnttab_active();
    if (active)
        pb_printf("warning: %u grant references still active at hand-over\n", active);
    if (pb_xs_unwatch_all())
        pb_printf("warning: removing xenstore watches failed: %s\n", pb_errmsg());
    if (!pb_xs_idle())
        pb_printf("warning: xenstore connection not idle at hand-over\n");
    pb_console_flush();
    pb_evtchn_clear_all_pending();
}

void pb_xen_main(void)
{
    pb_console_register();
    pb_printf("pvboot %s\n", PVBOOT_VERSION);

    uint32_t n;
    const struct pvboot_module_entry *m = modules(&n);
    pb_printf("modules:");
    for (uint32_t i = 0; i < n; i++)
        pb_printf(" %s", m[i].name ? (const char *)m[i].name : "?");
    pb_printf("\n");

    pb_kernel_commands_register();
    for (uint32_t i = 0; i < n; i++) {
        if (m[i].name && strcmp((const char *)m[i].name, "kernel") == 0)
            continue;
        if (m[i].init)
            ((void (*)(void))m[i].init)();
    }

    if (main_hook) {
        main_hook();
        pb_printf("pvboot: main program returned; powering off\n");
        pb_power(PB_POWEROFF);
    }
    size_t len;
    const char *cfg = pb_embedded_config(&len);
    if (cfg && len) {
        size_t l = 0;
        while (l < len && cfg[l] != '\n' && cfg[l] != '\0')
            l++;
        pb_printf("embedded config: %.*s\n", (int)l, cfg);
    } else {
        pb_printf("no embedded config\n");
    }
    pb_printf("no main program registered; powering off\n");
    pb_power(PB_POWEROFF);
}
