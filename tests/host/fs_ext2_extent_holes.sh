#!/bin/bash
# ext4 extent trees with index levels where a hole ends one leaf and the next
# subtree starts after it: reads across the subtree boundary must return the
# next subtree's data, not zeros up to the end of the file (regression: a
# Debian vmlinux on a 1 KiB-block ext4 read back zeros from byte 39,800,832).
. "$(dirname "$0")/lib/fscommon.bash"
command -v mke2fs >/dev/null || { echo "SKIP: mke2fs missing"; exit 77; }

SRC=$WORK/src
mkdir -p "$SRC"
# 6000 runs of 1 KiB data followed by a 2 KiB hole: thousands of extents,
# so the tree has an index level and many leaves each ending before a hole
python3 - "$SRC/holey" <<'PY'
import sys, random
r = random.Random(7)
with open(sys.argv[1], "wb") as f:
    for i in range(6000):
        f.seek(i * 3072)
        f.write(bytes(r.getrandbits(8) for _ in range(1024)))
    f.truncate(6000 * 3072)
PY
for bs in 1024 4096; do
    img=$WORK/holes-$bs.img
    rm -f "$img"
    mke2fs -q -F -t ext4 -b "$bs" -d "$SRC" "$img" 64M >/dev/null
    # debugfs "ex": the second line is "0/ DEPTH ..." for the root node
    depth=$(debugfs -R "ex /holey" "$img" 2>/dev/null | awk 'NR==2 {print $2}')
    expect_eq "bs $bs: extent tree has an index level" "1" "$depth"
    expect_eq "bs $bs: holey file" "$(sha256sum <"$SRC/holey")" \
        "$("$FSTEST" "$img" -- cat '(hd0)/holey' | sha256sum)"
done
finish
