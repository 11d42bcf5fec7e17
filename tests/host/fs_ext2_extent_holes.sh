#!/bin/bash
# ext4 extent trees with an index level where a hole ends one leaf and the
# next subtree starts after it: reads across the subtree boundary must return
# the next subtree's data, not zeros up to the end of the file.  Real input:
# Debian's uncompressed vmlinux (sparse, ~63 MiB) on a 1 KiB-block ext4, which
# read back zeros from byte 39,800,832 before the fix.  The vmlinux comes from
# the xenlab cache (scripts/test.sh runs `xenlab setup` first).
. "$(dirname "$0")/lib/fscommon.bash"
CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}
VMLINUX=$(ls "$CACHE"/vmlinux-* 2>/dev/null | head -1)
[ -s "$VMLINUX" ] || { echo "FAIL: no vmlinux in $CACHE (run scripts/xenlab/xenlab setup)"; exit 1; }

SRC=$WORK/src
mkdir -p "$SRC/boot"
cp --sparse=always "$VMLINUX" "$SRC/boot/vmlinux"
img=$WORK/holes.img
mke2fs -q -F -t ext4 -b 1024 -d "$SRC" "$img" 200M >/dev/null
# debugfs "ex": the second line is "0/ DEPTH ..." for the root node
depth=$(debugfs -R "ex /boot/vmlinux" "$img" 2>/dev/null | awk 'NR==2 {print $2}')
expect_eq "extent tree has an index level" "1" "$depth"
expect_eq "vmlinux read back" "$(sha256sum <"$VMLINUX")" \
    "$("$FSTEST" "$img" -- cat '(hd0)/boot/vmlinux' | sha256sum)"
finish
