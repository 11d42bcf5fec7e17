#!/bin/bash
# SPDX-License-Identifier: MIT
# Seeds for fuzz_squashfs: small trees made into SquashFS 4.0 images by
# mksquashfs in every compression pvboot reads (gzip xz lzo lz4 zstd), with
# fragments, a directory with an index (long listing), symlinks, a hole, a
# multi-block file (4 KiB blocks), and one image with nothing compressed.
#   seeds-squashfs.sh CORPUS_DIR
set -euo pipefail
corpus=$1
command -v mksquashfs >/dev/null || { echo "seeds-squashfs.sh: mksquashfs missing, no seeds"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pvboot-sqseed.XXXXXX")
trap 'rm -rf "$work"' EXIT
t=$work/t
mkdir -p "$t/boot/grub" "$t/dir/sub" "$t/long"
echo hello >"$t/hello.txt"
head -c 20000 /dev/urandom >"$t/boot/vmlinuz"
printf 'menuentry x {\n linux /boot/vmlinuz\n}\n' >"$t/boot/grub/grub.cfg"
for i in $(seq 1 700); do echo "$i" >"$t/long/entry-with-a-longer-name-$i"; done
ln -s hello.txt "$t/link"
ln -s ../../boot/grub/grub.cfg "$t/dir/sub/up"
truncate -s 50000 "$t/dir/hole"
n=0
for c in gzip xz lzo lz4 zstd; do
    mksquashfs "$t" "$corpus/$c.sqfs" -comp "$c" -b 4096 -quiet -noappend -no-progress >/dev/null
    n=$((n + 1))
done
mksquashfs "$t/boot" "$corpus/raw.sqfs" -noI -noD -noF -noX -quiet -noappend -no-progress >/dev/null
mksquashfs "$t/dir" "$corpus/nofrag.sqfs" -no-fragments -b 4096 -quiet -noappend -no-progress >/dev/null
n=$((n + 2))
echo "seeds-squashfs.sh: $n images"
