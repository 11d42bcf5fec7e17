/* SPDX-License-Identifier: MIT */
/* libFuzzer target: GRUB script parser and expansion on arbitrary text.
 * Parsing must fail cleanly (bounded nesting, sizes); expansion of every
 * word must not crash.  The script is also RUN when it is short, with only
 * side-effect-free commands reachable (no disks are registered). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        pb_hosted_init();
        pb_hosted_virtual_clock(true);
        pb_hosted_capture_output(true);
        pb_hosted_set_interactive(false);
        pb_hosted_set_decide_only(true);
        init = 1;
    }
    pb_script_check((const char *)data, size, "fuzz.cfg");
    pb_error_clear();
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    free(pb_script_expand(s));
    /* run short scripts without loops (loops are bounded, but nested ones
     * multiply; keep the fuzzer fast) */
    if (size < 512 && !memmem(data, size, "while", 5) && !memmem(data, size, "until", 5) &&
        !memmem(data, size, "for", 3)) {
        pb_script_run(s, strlen(s), "fuzz.cfg");
        pb_script_request_stop(false);
    }
    pb_hosted_output_reset();
    pb_error_clear();
    free(s);
    return 0;
}
