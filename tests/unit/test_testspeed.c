/* SPDX-License-Identifier: MIT */
/* testspeed command (modules/testspeed) in the hosted build: exact byte
 * counts for DISK and raw-device FILE targets, -s/-l parsing, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/term.h"

static uint8_t img[3u << 20];      /* 3 MiB in-memory disk */

static int setup(void **state)
{
    (void)state;
    static bool done;
    if (!done) {
        pb_hosted_init();
        assert_non_null(pb_hostdisk_add_mem(img, sizeof(img), "xen/xvdz"));
        done = true;
    }
    pb_hosted_capture_output(true);
    pb_hosted_output_reset();
    pb_error_clear();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pb_hosted_capture_output(false);
    return 0;
}

static int run(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
    char *argv[6] = { "testspeed" };
    int argc = 1;
    const char *a[] = { a1, a2, a3, a4, a5 };
    for (int i = 0; i < 5 && a[i]; i++)
        argv[argc++] = (char *)a[i];
    return pb_command_run(argc, argv);
}

static void test_whole_disk(void **state)
{
    (void)state;
    assert_int_equal(run("xen/xvdz", NULL, NULL, NULL, NULL), 0);
    const char *out = pb_hosted_output();
    assert_non_null(strstr(out, "File size: 3.000 MiB"));
    assert_non_null(strstr(out, "Elapsed time: "));
    assert_non_null(strstr(out, " MiB/s"));
    assert_non_null(strstr(out, "testspeed: xen/xvdz bytes=3145728 ns="));
    assert_non_null(strstr(out, " block=1048576"));
}

static void test_limit_and_block(void **state)
{
    (void)state;
    assert_int_equal(run("-s", "4K", "-l", "10000", "xen/xvdz"), 0);
    const char *out = pb_hosted_output();
    assert_non_null(strstr(out, "File size: 0.009 MiB"));
    assert_non_null(strstr(out, "testspeed: xen/xvdz bytes=10000 ns="));
    assert_non_null(strstr(out, " block=4096"));
    pb_hosted_output_reset();
    assert_int_equal(run("--size=64KiB", "--length=1M", "xen/xvdz", NULL, NULL), 0);
    out = pb_hosted_output();
    assert_non_null(strstr(out, "testspeed: xen/xvdz bytes=1048576 ns="));
    assert_non_null(strstr(out, " block=65536"));
}

static void test_raw_device_file(void **state)
{
    (void)state;
    assert_int_equal(run("-l", "2M", "(xen/xvdz)", NULL, NULL), 0);
    assert_non_null(strstr(pb_hosted_output(), "testspeed: (xen/xvdz) bytes=2097152 ns="));
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(run(NULL, NULL, NULL, NULL, NULL), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "testspeed: filename expected");
    assert_int_equal(run("-s", "0", "xen/xvdz", NULL, NULL), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "testspeed: invalid size '0'");
    assert_int_equal(run("-s", "12Q", "xen/xvdz", NULL, NULL), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "testspeed: invalid size '12Q'");
    assert_int_equal(run("-s", "65M", "xen/xvdz", NULL, NULL), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "testspeed: block size 65M above 64M");
    assert_int_equal(run("-x", "xen/xvdz", NULL, NULL, NULL), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "testspeed: unknown option -x");
    assert_int_equal(run("-s", NULL, NULL, NULL, NULL), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "testspeed: -s needs a size");
    assert_int_equal(run("a", "b", NULL, NULL, NULL), PB_EINVAL);
    assert_string_equal(pb_errmsg(), "testspeed: more than one FILE");
    assert_true(run("(nosuchdisk)/f", NULL, NULL, NULL, NULL) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_whole_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_and_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_device_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
