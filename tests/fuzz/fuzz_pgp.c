/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the OpenPGP parser and verifier of module pgp
 * (modules/pgp/packet.c, verify.c).  The input is a key file and a detached
 * signature: its first two bytes (big-endian) say how many of the bytes
 * that follow are the key file, the rest is the signature.  Both are
 * parsed; when both parse, the signature is verified over the fixed
 * document "fuzz\n" (the seeds' signatures are over it, so a seed reaches
 * the RSA / Ed25519 arithmetic with a matching key).  The whole input is
 * also parsed as a key file and as a signature on its own.
 * Seeds: seeds-pgp.sh (keys and signatures made by gpg).
 */
#include <stdint.h>
#include <stdlib.h>
#include "pvboot/err.h"
#include "pvboot/pgp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc[] = "fuzz\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > PB_PGP_MAX_FILE)
        return 0;
    struct pb_pgp_key *k = NULL;
    struct pb_pgp_sig sig;
    if (pb_pgp_parse_keys(data, size, "fuzz", &k) == 0)
        pb_pgp_free_keys(k);
    pb_pgp_parse_sig(data, size, "fuzz", &sig);
    pb_error_clear();
    if (size < 2)
        return 0;
    size_t kl = (size_t)data[0] << 8 | data[1];
    if (kl > size - 2)
        return 0;
    const uint8_t *kb = data + 2, *sb = data + 2 + kl;
    size_t sl = size - 2 - kl;
    k = NULL;
    if (pb_pgp_parse_keys(kb, kl, "fuzz.pub", &k) == 0 &&
        pb_pgp_parse_sig(sb, sl, "fuzz.sig", &sig) == 0)
        pb_pgp_verify(&sig, doc, sizeof doc - 1, k, "fuzz", "fuzz.sig");
    pb_pgp_free_keys(k);
    pb_error_clear();
    return 0;
}
