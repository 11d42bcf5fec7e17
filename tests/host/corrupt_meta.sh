#!/bin/bash
# Metadata corruption through the confined host tools (scripts/corrupt-fs):
# ext4 (metadata_csum), XFS v5, btrfs (DUP metadata and data), FAT, ISO 9660
# and SquashFS images made by their own tools; bytes flipped in sectors that
# are not file data, each damaged image read by pvboot-fstest (hashtree) and
# pvboot-probe in separate processes.  No crash, hang, stopped run or
# sanitizer report; on the checksummed filesystems a read that succeeds is
# exactly the intact image's.  Bounded: PVBOOT_CORRUPT_META_TIME seconds per
# image (default 4); run scripts/corrupt-fs by hand for long runs.
. "$(dirname "$0")/lib/fscommon.bash"
SECS=${PVBOOT_CORRUPT_META_TIME:-4}
GEN=$PVBOOT_SRC/scripts/corrupt-fs
export MTOOLS_SKIP_CHECK=1 TZ=UTC
SRC=$WORK/src
MANY=30 make_tree "$SRC" nolinks
rm -f "$SRC"/boot/vmlinuz-* "$SRC"/boot/initrd*
seed=1
try() {   # try NAME IMAGE [--strict]
    local name=$1 img=$2; shift 2
    if out=$(python3 "$GEN" --build "$PVBOOT_BUILD" --src "$SRC" --time "$SECS" --iter 200 \
                 --seed "$seed" --timeout 20 --save "$WORK/findings" "$@" "$img" 2>&1); then
        ok; echo "ok: $name: $out"
    else
        fail "$name: $out"
    fi
    seed=$((seed + 1))
}
mke2fs -q -F -t ext4 -O metadata_csum -d "$SRC" "$WORK/ext4.img" 8M >/dev/null 2>&1
try ext4 "$WORK/ext4.img" --strict
if command -v mkfs.xfs >/dev/null; then
    truncate -s 320M "$WORK/xfs.img"
    {
        echo '""'; echo '0 0'; echo 'd--755 0 0'
        (cd "$SRC" && find . -mindepth 1 -maxdepth 1 -type f) | while read -r f; do
            echo "${f#./} ---644 0 0 $SRC/${f#./}"; done
        echo 'many d--755 0 0'
        for f in "$SRC"/many/*; do echo "$(basename "$f") ---644 0 0 $f"; done
        echo '$'; echo '$'
    } >"$WORK/proto"
    mkfs.xfs -q -f -p "$WORK/proto" "$WORK/xfs.img"
    try xfs "$WORK/xfs.img" --strict
fi
if command -v mkfs.btrfs >/dev/null; then
    truncate -s 128M "$WORK/btrfs.img"
    mkfs.btrfs -q -m dup -d dup --rootdir "$SRC" "$WORK/btrfs.img" >/dev/null 2>&1
    try btrfs "$WORK/btrfs.img" --strict
fi
mkfs.vfat -C -F 16 "$WORK/fat.img" 16384 >/dev/null
mcopy -s -i "$WORK/fat.img" "$SRC"/* ::/
try fat "$WORK/fat.img"
xorriso -as mkisofs -quiet -R -J -o "$WORK/iso.img" "$SRC" 2>/dev/null
try iso9660 "$WORK/iso.img"
if command -v mksquashfs >/dev/null; then
    mksquashfs "$SRC" "$WORK/squashfs.img" -comp gzip -b 4096 -quiet -noappend -no-progress >/dev/null
    try squashfs "$WORK/squashfs.img"
fi
finish
