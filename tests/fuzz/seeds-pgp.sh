#!/bin/bash
# SPDX-License-Identifier: MIT
# Seeds for fuzz_pgp: OpenPGP keys and detached signatures made by gpg
# (RSA 2048/3072/4096 and Ed25519 keys with their subkeys, signatures with
# SHA-1, SHA-256, SHA-512, a secret key export), each as the target's
# input format (2-byte big-endian key length, key file, signature over
# "fuzz\n") and as a bare key file and a bare signature.
#   seeds-pgp.sh CORPUS_DIR
set -euo pipefail
corpus=$1
command -v gpg >/dev/null || { echo "seeds-pgp.sh: gpg missing, no seeds"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pvboot-pgpseed.XXXXXX")
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
trap 'gpgconf --kill all 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'fuzz\n' >"$work/doc"
for algo in rsa2048 rsa3072 rsa4096 ed25519; do
    gpg -q --batch --pinentry-mode loopback --passphrase '' \
        --quick-gen-key "seed-$algo <$algo@pvboot.invalid>" "$algo" sign,cert never
    gpg -q --batch --export "seed-$algo" >"$work/$algo.pub"
    cp "$work/$algo.pub" "$corpus/$algo.pub"
    for h in SHA1 SHA256 SHA512; do
        gpg -q --batch --yes --pinentry-mode loopback --passphrase '' -u "seed-$algo" \
            --digest-algo "$h" --detach-sign -o "$work/$algo-$h.sig" "$work/doc"
        cp "$work/$algo-$h.sig" "$corpus/$algo-$h.sig"
        python3 - "$work/$algo.pub" "$work/$algo-$h.sig" "$corpus/$algo-$h.pair" <<'PY'
import sys
k = open(sys.argv[1], 'rb').read()
s = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(len(k).to_bytes(2, 'big') + k + s)
PY
    done
done
gpg -q --batch --pinentry-mode loopback --passphrase '' --export-secret-keys seed-ed25519 \
    >"$corpus/ed25519.sec"
echo "seeds-pgp.sh: $(ls "$corpus" | wc -l) seeds"
