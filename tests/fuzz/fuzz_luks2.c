/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the luks2 module.  The input is a disk.
 *  - The bytes from 4096 on (the JSON area of a LUKS2 header, up to the
 *    first NUL) go to pb_json_parse(); every token is then visited with
 *    pb_json_member(), pb_json_get() and pb_json_str().
 *  - When those tokens parse and no KDF cost in them is large (members
 *    "iterations", "time", "memory", "cpus": the input chooses them, and a
 *    real header's costs make one run take seconds or a GiB, which is the
 *    work asked for, not a bug), the disk is registered and
 *    `cryptomount -p fuzz (fuzz)` opens it: header checksum, keyslots,
 *    Argon2/PBKDF2, AF merge, digest, segment.  A volume that opens is read
 *    (bounded) and probed for a filesystem.
 * Seeds: seeds-luks2.sh (cryptsetup-made LUKS2 images, passphrase "fuzz").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/command.h"
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/fs.h"
#include "pvboot/hosted.h"
#include "pvboot/json.h"
#include "fuzz_util.h"

#define FZ_TOKS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Is number token @v of member @key small enough to run? */
static int cost_ok(const char *js, const struct pb_json_tok *k, const struct pb_json_tok *v)
{
    static const struct { const char *key; unsigned long max; } lim[] = {
        { "iterations", 4000 }, { "time", 4 }, { "memory", 4096 }, { "cpus", 4 },
    };
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        size_t n = strlen(lim[i].key);
        if (k->end - k->start != n || memcmp(js + k->start, lim[i].key, n))
            continue;
        if (v->type != PB_JSON_NUM || v->end - v->start > 9)
            return 0;
        unsigned long x = 0;
        for (size_t p = v->start; p < v->end; p++)
            x = x * 10 + (unsigned long)(js[p] >= '0' && js[p] <= '9' ? js[p] - '0' : 9);
        return x <= lim[i].max;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_hosted_init_once();
    if (size < 4096 || size > (4u << 20))
        return 0;
    static struct pb_json_tok t[FZ_TOKS];
    const char *js = (const char *)data + 4096;
    size_t jlen = strnlen(js, size - 4096), nt;
    int r = pb_json_parse(js, jlen, t, FZ_TOKS, "fuzz", &nt);
    pb_error_clear();
    if (r < 0)
        return 0;
    int ok = 1;
    char buf[256];
    for (size_t i = 0; i < nt; i++) {
        if (t[i].type == PB_JSON_OBJ || t[i].type == PB_JSON_ARR) {
            for (uint32_t n = 0;; n++) {
                int key, v = pb_json_member(t, nt, (int)i, n, &key);
                if (v < 0)
                    break;
                if (key >= 0 && !cost_ok(js, &t[key], &t[v]))
                    ok = 0;
            }
            pb_json_get(js, t, nt, (int)i, "keyslots");
        }
        pb_json_str(js, t, (int)i, buf, sizeof buf);
    }
    if (!ok)
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
