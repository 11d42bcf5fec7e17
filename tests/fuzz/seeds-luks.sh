#!/bin/bash
# SPDX-License-Identifier: MIT
# Seeds for fuzz_luks: LUKS1 images made by cryptsetup luksFormat (passphrase
# "fuzz", 1000 PBKDF2 iterations) with aes-xts-plain64 / aes-cbc-essiv:sha256
# and sha1 / sha256 / sha512, a second keyslot, and an ext2 filesystem in
# the 256 KiB payload of one (written through the volume key by
# tests/host/lib/luks_payload.py); plus each image's first 4 KiB alone.
#   seeds-luks.sh CORPUS_DIR
set -euo pipefail
corpus=$1
command -v cryptsetup >/dev/null || { echo "seeds-luks.sh: cryptsetup missing, no seeds"; exit 0; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pvboot-luksseed.XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0
for v in "aes-xts-plain64 256 sha256" "aes-cbc-essiv:sha256 128 sha1" "aes-xts-plain64 512 sha512"; do
    read -r cipher bits hash <<<"$v"
    img=$corpus/l1-$bits-$hash.img
    truncate -s 2304K "$img"
    printf fuzz | cryptsetup luksFormat --type luks1 --batch-mode --cipher "$cipher" \
        --key-size "$bits" --hash "$hash" --pbkdf-force-iterations 1000 --key-file=- "$img" \
        2>/dev/null || { rm -f "$img"; continue; }
    head -c 4096 "$img" >"$corpus/hdr-$bits-$hash"
    n=$((n + 2))
done
img=$corpus/l1-256-sha256.img
if [ -f "$img" ]; then
    printf fuzz | cryptsetup luksAddKey --batch-mode --pbkdf-force-iterations 1000 --key-file=- \
        "$img" <(printf other) 2>/dev/null || true
    if python3 -c 'import cryptography' 2>/dev/null; then
        mkdir -p "$work/t"
        echo hello >"$work/t/hello.txt"
        off=$(cryptsetup luksDump "$img" | awk '/^Payload offset:/ {print $3}')
        mke2fs -q -F -t ext2 -d "$work/t" "$work/fs.img" $(( (2304 * 2 - off) / 2 ))
        key=$(printf fuzz | cryptsetup luksDump --dump-volume-key --batch-mode --key-file=- "$img" |
              sed -n '/^MK dump:/,$p' | sed 's/^MK dump://' | tr -d ' \t\n')
        python3 "$here/../host/lib/luks_payload.py" "$img" "$work/fs.img" "$key" $((off * 512)) \
            aes-xts-plain64
    fi
fi
echo "seeds-luks.sh: $n images"
