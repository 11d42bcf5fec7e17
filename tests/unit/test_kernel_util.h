/* SPDX-License-Identifier: MIT */
/*
 * A kernel file on the host through the loader's path (test_linux_layout.c,
 * test_linux_pvh.c): read it, unwrap it to the ELF (pb_kimage_to_elf, up to
 * 1 GiB) and parse that.  Include after <cmocka.h>: a file that cannot be
 * read or unwrapped fails the test.
 */
#ifndef TEST_KERNEL_UTIL_H
#define TEST_KERNEL_UTIL_H

#include <stdbool.h>
#include <stdlib.h>
#include "pvboot/linux.h"
#include "test_file_util.h"

/* Kernel file @path unwrapped to its ELF and parsed into @k by @parse
 * (pb_xen_elf_parse for PV, pb_pvh_elf_parse for PVH); returns @parse's
 * result. */
static __attribute__((unused)) int
tu_kernel_parse(const char *path, int (*parse)(const void *elf, size_t len, struct pb_xen_kernel *k),
                struct pb_xen_kernel *k)
{
    size_t len = 0;
    uint8_t *file = tu_load_file(path, 0, &len);
    const void *elf;
    size_t elf_len;
    bool owned;
    struct pb_kimage_stats st;
    int rc = pb_kimage_to_elf(path, file, len, 1u << 30, &elf, &elf_len, &owned, &st, NULL, NULL);
    assert_int_equal(rc, 0);
    rc = parse(elf, elf_len, k);
    if (owned)
        free((void *)elf);
    free(file);
    return rc;
}

#endif
