#!/bin/bash
# Corruption suite: for every kind of image (ext4, ext2, ext4 inline_data,
# FAT12/16/32, ISO 9660 with Rock Ridge, tar, SquashFS in every compression,
# msdos and gpt disks) run
# thousands of walks over copies with random byte flips, each bounded by a
# 10 s alarm.  Meaningful in the ASan build (-DPVBOOT_SANITIZE=ON): any
# out-of-bounds access, crash or hang fails the test.
# PVBOOT_CORRUPT_ITER sets the iterations per image (default 1000).
. "$(dirname "$0")/lib/fscommon.bash"
ITER=${PVBOOT_CORRUPT_ITER:-1000}
export MTOOLS_SKIP_CHECK=1 TZ=UTC
SRC=$WORK/src
MANY=40 make_tree "$SRC" small
FSRC=$WORK/fsrc
MANY=40 make_tree "$FSRC" nolinks
# keep images small: drop the big files
rm -f "$SRC"/boot/vmlinuz-* "$FSRC"/boot/vmlinuz-* "$SRC"/boot/initrd* "$FSRC"/boot/initrd* "$SRC/sparse"
imgs=()
mk() { imgs+=("$1"); }
mke2fs -q -F -t ext4 -d "$SRC" "$WORK/ext4.img" 8M && mk "$WORK/ext4.img"
mke2fs -q -F -t ext4 -O inline_data,^has_journal -d "$SRC" "$WORK/ext4-inline.img" 8M && mk "$WORK/ext4-inline.img"
mke2fs -q -F -t ext2 -b 1024 -d "$SRC" "$WORK/ext2.img" 8M && mk "$WORK/ext2.img"
for b in 12 16 32; do
    size=8192; [ $b = 16 ] && size=16384; [ $b = 32 ] && size=40000
    mkfs.vfat -C -F $b "$WORK/fat$b.img" $size >/dev/null && mcopy -s -i "$WORK/fat$b.img" "$FSRC"/* ::/ && mk "$WORK/fat$b.img"
done
xorriso -as mkisofs -quiet -R -J -o "$WORK/iso.img" "$SRC" 2>/dev/null && mk "$WORK/iso.img"
tar -C "$SRC" -cf "$WORK/tar.img" . && mk "$WORK/tar.img"
if command -v mksquashfs >/dev/null; then
    for c in gzip xz lzo lz4 zstd; do
        mksquashfs "$SRC" "$WORK/squashfs-$c.img" -comp $c -b 4096 -quiet -noappend -no-progress >/dev/null &&
            mk "$WORK/squashfs-$c.img"
    done
fi
# partitioned disks holding a small fs
mke2fs -q -F -t ext4 -d "$FSRC" "$WORK/p.img" 4M
truncate -s 16M "$WORK/msdos.img"
printf 'label: dos\nstart=2048, size=4096, type=83\nstart=6144, size=24576, type=5\nstart=8192, size=8192, type=83\n' | sfdisk -q "$WORK/msdos.img"
dd if="$WORK/p.img" of="$WORK/msdos.img" bs=512 seek=8192 conv=notrunc status=none
mk "$WORK/msdos.img"
truncate -s 8M "$WORK/gpt.img"
sgdisk -o -n 1:2048:+4M -c 1:root "$WORK/gpt.img" >/dev/null
dd if="$WORK/p.img" of="$WORK/gpt.img" bs=512 seek=2048 conv=notrunc status=none
mk "$WORK/gpt.img"

seed=1
for img in "${imgs[@]}"; do
    name=$(basename "$img" .img)
    # the intact image must be fully readable first
    out=$("$FSTEST" "$img" -- walk)
    case "$out" in *" 0 files"*) fail "$name: intact image: nothing read ($out)" ;; *) ok ;; esac
    if out=$("$FSTEST" -- corrupt "$img" "$ITER" "$seed" 2>&1); then
        ok; echo "ok: $name: $out"
    else
        fail "$name (seed $seed): $(echo "$out" | tail -30)"
    fi
    seed=$((seed + 1))
done
finish
