#!/bin/bash
# SPDX-License-Identifier: MIT
# Seeds for fuzz_xfs and fuzz_btrfs: small images made by the real mkfs
# tools, packed with sparse_image.py (the fuzzers' input format).
#   seeds-xfs-btrfs.sh xfs|btrfs CORPUS_DIR
# The tree has directories of 3, 40, 400 and 1200 entries (xfs short-form,
# block, leaf and node directories; btrfs leaves and internal nodes), small
# and multi-block files, an inline and a long symlink.
set -euo pipefail
fs=$1 corpus=$2
here=$(cd "$(dirname "$0")" && pwd)
w=$(mktemp -d "${TMPDIR:-/tmp}/pvboot-seeds.XXXXXX")
trap 'rm -rf "$w"' EXIT
t=$w/tree
mkdir -p "$t/boot/grub"
echo hello >"$t/hello.txt"
printf 'menuentry x {\n linux /boot/vmlinuz\n}\n' >"$t/boot/grub/grub.cfg"
head -c 20000 /dev/urandom >"$t/boot/vmlinuz"
ln -s hello.txt "$t/link"
ln -s "$(printf 'dir%04d/' $(seq 1 20))end" "$t/longlink"
for n in 3 40 400 1200; do
    mkdir "$t/d$n"
    (cd "$t/d$n" && seq -f 'file-with-a-longer-name-%05g' 1 "$n" | xargs touch)
done
echo data >"$t/d40/file-with-a-longer-name-00007"

case "$fs" in
xfs)
    # xfsprogs >= 5.19 refuses filesystems < 300 MB outside fstests
    export TEST_DIR=$w TEST_DEV=$w/img QA_CHECK_FS=1
    python3 - "$t" >"$w/proto" <<'PY'
import os, stat, sys
def walk(d, ind):
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n); st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode): print("%s%s l--777 0 0 %s" % (ind, n, os.readlink(p)))
        elif stat.S_ISDIR(st.st_mode):
            print("%s%s d--755 0 0" % (ind, n)); walk(p, ind + " "); print(ind + "$")
        else: print("%s%s ---644 0 0 %s" % (ind, n, p))
print("/dev/null\n0 0\nd--755 0 0"); walk(sys.argv[1], " "); print("$")
PY
    for v in v5 v4; do
        crc=1
        [ $v = v4 ] && crc=0
        truncate -s 16M "$w/$v.img"
        # v4 (crc=0) is deprecated: mkfs.xfs says so on stderr
        mkfs.xfs -q -f -m crc=$crc -d size=16m -p "$w/proto" "$w/$v.img" 2>&1 | grep -v 'V4 filesystems' >&2 || true
        python3 "$here/sparse_image.py" pack "$w/$v.img" "$corpus/xfs-$v.sparse"
    done
    ;;
btrfs)
    truncate -s 16M "$w/mixed.img"
    mkfs.btrfs -q -f --mixed -m single -d single --rootdir "$t" "$w/mixed.img" >/dev/null
    python3 "$here/sparse_image.py" pack "$w/mixed.img" "$corpus/btrfs-mixed.sparse"
    truncate -s 120M "$w/plain.img"
    mkfs.btrfs -q -f --nodesize 4096 -m single -d single --rootdir "$t" "$w/plain.img" >/dev/null
    python3 "$here/sparse_image.py" pack "$w/plain.img" "$corpus/btrfs-plain.sparse"
    # DUP metadata and data: two copies of every block, a checksum tree
    truncate -s 120M "$w/dup.img"
    mkfs.btrfs -q -f --nodesize 4096 -m dup -d dup --rootdir "$t" "$w/dup.img" >/dev/null
    python3 "$here/sparse_image.py" pack "$w/dup.img" "$corpus/btrfs-dup.sparse"
    ;;
*) echo "seeds-xfs-btrfs.sh: unknown filesystem $fs" >&2; exit 2 ;;
esac
