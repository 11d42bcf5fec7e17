#!/bin/bash
# SPDX-License-Identifier: MIT
# Seeds for fuzz_luks2: LUKS2 images made by cryptsetup luksFormat --type
# luks2 (passphrase "fuzz", small metadata and keyslot areas so an image is
# 2.5 MiB, data from 2 MiB) with argon2id (2 lanes), argon2i and pbkdf2 keyslots,
# 512- and 4096-byte sectors, a second keyslot in one; plus each image's
# 16 KiB header area alone.
#   seeds-luks2.sh CORPUS_DIR
set -euo pipefail
corpus=$1
command -v cryptsetup >/dev/null || { echo "seeds-luks2.sh: cryptsetup missing, no seeds"; exit 0; }
n=0
for v in "argon2id 4096 --pbkdf-memory 1024 --pbkdf-parallel 2 --pbkdf-force-iterations 4" \
         "argon2i 512 --pbkdf-memory 512 --pbkdf-parallel 1 --pbkdf-force-iterations 4" \
         "pbkdf2 4096 --hash sha256 --pbkdf-force-iterations 1000"; do
    read -r kdf ss args <<<"$v"
    img=$corpus/l2-$kdf.img
    truncate -s 2560K "$img"
    # shellcheck disable=SC2086
    printf fuzz | cryptsetup luksFormat --type luks2 --batch-mode --cipher aes-xts-plain64 \
        --key-size 256 --sector-size "$ss" --pbkdf "$kdf" $args \
        --luks2-metadata-size 16k --luks2-keyslots-size 1m --key-file=- "$img" >/dev/null 2>&1 ||
        { rm -f "$img"; continue; }
    head -c 16384 "$img" >"$corpus/hdr2-$kdf"
    n=$((n + 2))
done
[ -f "$corpus/l2-pbkdf2.img" ] && printf fuzz | cryptsetup luksAddKey --batch-mode \
    --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file=- "$corpus/l2-pbkdf2.img" \
    <(printf other) 2>/dev/null || true
echo "seeds-luks2.sh: $n images"
