/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a kernel file as read from a guest disk.  The input goes
 * through the whole pure-logic path of the `linux` loader: bzImage setup
 * header, decompression of the payload or whole file (every format, output
 * bounded to 64 MiB), Xen ELF notes with libxenguest's checks, and the
 * domain layout for a 256 MiB guest with and without an initrd.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "pvboot/err.h"
#include "pvboot/linux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pb_bzimage bz;
    (void)pb_bzimage_parse(data, size, &bz);
    (void)pb_kimage_describe(data, size);
    const void *elf = NULL;
    size_t elf_len = 0;
    bool owned = false;
    struct pb_kimage_stats st;
    if (pb_kimage_to_elf("fuzz", data, size, 64u << 20, &elf, &elf_len, &owned, &st, NULL, NULL) == 0) {
        struct pb_xen_kernel *k = malloc(sizeof(*k));
        struct pb_layout *L = malloc(sizeof(*L));
        if (k && L && pb_xen_elf_parse(elf, elf_len, k) == 0) {
            (void)pb_layout_plan(k, 65536, false, 0, L);
            (void)pb_layout_plan(k, 65536, true, 3u << 20, L);
        }
        free(k);
        free(L);
        if (owned)
            free((void *)elf);
    }
    pb_error_clear();
    return 0;
}
