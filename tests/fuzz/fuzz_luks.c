/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the luks module (LUKS1 headers) and cryptodisk.  The
 * input is a disk.  Its first PB_LUKS1_HDR_SIZE bytes go to
 * pb_luks1_parse(); when they parse and every PBKDF2 iteration count is
 * small (the input chooses them: a real header's counts would make one run
 * take seconds, which is the work asked for, not a bug), the disk is
 * registered and `cryptomount -p fuzz (hd0)` opens it: keyslot material
 * read, decrypted and merged, the master key digest checked.  A volume that
 * opens is read (bounded) and probed for a filesystem.
 * Seeds: seeds-luks.sh (cryptsetup-made LUKS1 images, passphrase "fuzz").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/cryptodisk.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/hosted.h"
#include "fuzz_util.h"

#define FZ_MAX_ITER 4000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_hosted_init_once();
    if (size > (4u << 20))
        return 0;
    struct pb_luks1_hdr h;
    int r = pb_luks1_parse(data, size, "fuzz", &h);
    pb_error_clear();
    if (r < 0 || h.mk_iterations > FZ_MAX_ITER)
        return 0;
    for (int i = 0; i < PB_LUKS1_SLOTS; i++)
        if (h.slot[i].active && h.slot[i].iterations > FZ_MAX_ITER)
            return 0;
    uint8_t *copy = fz_add_mem_copy(data, size, "fuzz");
    if (!copy)
        return 0;
    char *argv[] = { "cryptomount", "-p", "fuzz", "(fuzz)", NULL };
    pb_command_run(4, argv);
    pb_error_clear();
    fz_read_and_probe_disks("crypto", 1u << 20);
    pb_hostdisk_remove_all();
    free(copy);
    return 0;
}
