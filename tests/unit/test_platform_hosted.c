/* SPDX-License-Identifier: MIT */
/*
 * The hosted implementation of the platform interface
 * (include/pvboot/platform.h, src/hosted/platform.c):
 *   - its default session and the pb_hosted_set_* calls, as pb_platform()
 *     answers them;
 *   - the decision sink: the loader core gives it what a pending loader
 *     would boot (with $root) only when the boot returned without handing
 *     over, a copy that later changes do not touch;
 *   - pvboot-probe's whole path on a memory disk: a grub.cfg whose default
 *     is an entry in a submenu, run by the real `normal` and `linux` modules
 *     in a decide-only session, leaves the exact menu and boot reports;
 *   - `interactive`: `sleep` waits (virtual clock) only in an interactive
 *     session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "ui_test_util.h"
#include "pvboot/platform.h"
#include "pvboot/time.h"

static void session(bool interactive, bool decide_only)
{
    pb_hosted_set_interactive(interactive);
    pb_hosted_set_decide_only(decide_only);
    pb_hosted_reports_reset();
}

static void test_default_and_setters(void **state)
{
    (void)state;
    const struct pb_platform_ops *p = pb_platform();
    assert_non_null(p);
    assert_string_equal(p->name, "hosted");
    assert_true(p->interactive);
    assert_false(p->decide_only);
    assert_int_equal(p->proto, PB_BOOT_PV);
    assert_int_equal(p->domain_pages(), 0);
    assert_false(pb_hosted_menu_report()->valid);
    assert_null(pb_hosted_boot_report());

    pb_hosted_set_interactive(false);
    pb_hosted_set_decide_only(true);
    pb_hosted_set_boot_proto(PB_BOOT_PVH);
    assert_ptr_equal(pb_platform(), p);          /* one table, changed in place */
    assert_false(p->interactive);
    assert_true(p->decide_only);
    assert_int_equal(p->proto, PB_BOOT_PVH);
    pb_hosted_set_boot_proto(PB_BOOT_PV);
    session(true, false);
    assert_true(p->interactive);
    assert_false(p->decide_only);
}

/* a loader whose boot returns what the test says */
static int boot_result;
static int fake_boot(void *ctx)
{
    (void)ctx;
    return boot_result;
}

static void test_loader_reports(void **state)
{
    (void)state;
    session(false, true);
    static struct pb_boot_decision d;
    memset(&d, 0, sizeof d);
    snprintf(d.kernel, sizeof d.kernel, "(xen/xvda,msdos1)/vmlinuz");
    snprintf(d.cmdline, sizeof d.cmdline, "console=hvc0 ro");
    d.nr_initrds = 2;
    snprintf(d.initrds[0], sizeof d.initrds[0], "/initrd.img");
    snprintf(d.initrds[1], sizeof d.initrds[1], "/ucode.img");
    snprintf(d.root, sizeof d.root, "stale");     /* the core sets root itself */
    struct pb_loader l = { .name = "test", .boot = fake_boot, .decision = &d };

    /* a boot that fails reports nothing */
    boot_result = PB_ENOTSUP;
    pb_loader_set(&l);
    assert_int_equal(pb_loader_boot(), PB_ENOTSUP);
    assert_null(pb_hosted_boot_report());

    /* a boot that returns 0 reports the decision with $root as it is now */
    boot_result = 0;
    assert_int_equal(pb_env_set("root", "xen/xvda,msdos2"), 0);
    assert_int_equal(pb_loader_boot(), 0);
    const struct pb_boot_decision *r = pb_hosted_boot_report();
    assert_non_null(r);
    assert_ptr_not_equal(r, &d);
    assert_string_equal(r->kernel, "(xen/xvda,msdos1)/vmlinuz");
    assert_string_equal(r->cmdline, "console=hvc0 ro");
    assert_int_equal(r->nr_initrds, 2);
    assert_string_equal(r->initrds[0], "/initrd.img");
    assert_string_equal(r->initrds[1], "/ucode.img");
    assert_string_equal(r->root, "xen/xvda,msdos2");
    /* a copy: the loader's later changes do not reach it */
    snprintf(d.kernel, sizeof d.kernel, "/other");
    assert_string_equal(pb_hosted_boot_report()->kernel, "(xen/xvda,msdos1)/vmlinuz");

    /* a loader that cannot say: an empty decision, $root still there */
    struct pb_loader anon = { .name = "anon", .boot = fake_boot };
    pb_loader_set(&anon);
    pb_env_unset("root");
    assert_int_equal(pb_loader_boot(), 0);
    r = pb_hosted_boot_report();
    assert_non_null(r);
    assert_string_equal(r->kernel, "");
    assert_string_equal(r->cmdline, "");
    assert_int_equal(r->nr_initrds, 0);
    assert_string_equal(r->root, "");

    pb_hosted_reports_reset();
    assert_null(pb_hosted_boot_report());
    pb_loader_unset();
    session(true, false);
}

/* a tar memory disk with a kernel and an initrd (only their names matter:
 * a decide-only `linux` checks that the files exist) */
static unsigned char disk[512 * 8];

static void disk_setup(void)
{
    static const char *const files[] = { "boot/vmlinuz-1", "boot/vmlinuz-2", "boot/initrd-2" };
    ui_tar_header(disk, "boot/", '5', 0);
    for (unsigned i = 0; i < 3; i++) {
        ui_tar_header(disk + 512 * (1 + 2 * i), files[i], '0', 4);
        memcpy(disk + 512 * (2 + 2 * i), "data", 4);
    }
    assert_non_null(pb_hostdisk_add_mem(disk, sizeof disk, "probe"));
}

static void test_probe_session(void **state)
{
    (void)state;
    disk_setup();
    pb_script_request_stop(false);
    session(false, true);
    pb_hosted_capture_output(true);
    pb_hosted_output_reset();
    const char *cfg =
        "set timeout=3\n"
        "set default='adv>two'\n"
        "menuentry 'One' --id one { set root=probe; linux /boot/vmlinuz-1 ro; }\n"
        "submenu 'Advanced' --id adv {\n"
        "  menuentry 'Zero' { set root=probe; linux /boot/vmlinuz-1; }\n"
        "  menuentry 'Two' --id two {\n"
        "    set root=probe\n"
        "    linux /boot/vmlinuz-2 root=/dev/xvda1 'quiet splash'\n"
        "    initrd /boot/initrd-2\n"
        "  }\n"
        "}\n";
    pb_normal_execute("(probe)/boot/grub/grub.cfg", cfg, strlen(cfg));
    const char *out = pb_hosted_output();

    const struct pb_menu_report *m = pb_hosted_menu_report();
    if (!m->valid)
        fail_msg("no menu report; output:\n%s", out);
    assert_string_equal(m->config, "(probe)/boot/grub/grub.cfg");
    assert_int_equal(m->timeout, 3);
    assert_string_equal(m->timeout_style, "");
    assert_int_equal(m->depth, 2);
    assert_int_equal(m->path[0], 1);
    assert_int_equal(m->path[1], 1);
    assert_string_equal(m->title, "Two");
    assert_string_equal(m->id, "two");

    const struct pb_boot_decision *d = pb_hosted_boot_report();
    if (!d)
        fail_msg("nothing booted; output:\n%s", out);
    assert_string_equal(d->kernel, "/boot/vmlinuz-2");
    assert_string_equal(d->cmdline, "root=/dev/xvda1 \"quiet splash\"");
    assert_int_equal(d->nr_initrds, 1);
    assert_string_equal(d->initrds[0], "/boot/initrd-2");
    assert_string_equal(d->root, "probe");
    assert_true(pb_script_stop_requested());     /* a decided boot ends the run */
    pb_script_request_stop(false);

    /* an entry whose kernel is missing: the menu report names it, nothing
     * is booted */
    pb_hosted_reports_reset();
    pb_hosted_output_reset();
    const char *bad = "set timeout=0\nmenuentry 'Gone' { set root=probe; linux /boot/nothere; }\n";
    pb_normal_execute("(probe)/bad.cfg", bad, strlen(bad));
    assert_true(pb_hosted_menu_report()->valid);
    assert_string_equal(pb_hosted_menu_report()->title, "Gone");
    assert_null(pb_hosted_boot_report());
    assert_non_null(strstr(pb_hosted_output(), "/boot/nothere"));
    pb_script_request_stop(false);
    pb_hosted_capture_output(false);
    pb_loader_unset();
    session(true, false);
}

static void test_interactive_sleep(void **state)
{
    (void)state;
    pb_script_request_stop(false);
    pb_hosted_virtual_clock(true);
    pb_hosted_capture_output(true);
    session(true, false);
    uint64_t t0 = pb_time_ns();
    pb_script_run("sleep 5", 7, "t.cfg");
    assert_int_equal(pb_time_ns() - t0, 5000000000ull);
    session(false, true);
    t0 = pb_time_ns();
    pb_script_run("sleep 5", 7, "t.cfg");
    assert_int_equal(pb_time_ns() - t0, 0);      /* no key is ever pressed, no wait */
    session(true, false);
    pb_hosted_capture_output(false);
    pb_hosted_virtual_clock(false);
}

static int group_setup(void **state)
{
    (void)state;
    pb_hosted_init();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_and_setters),
        cmocka_unit_test(test_loader_reports),
        cmocka_unit_test(test_probe_session),
        cmocka_unit_test(test_interactive_sleep),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
