#!/bin/bash
# btrfs checksums on a real mkfs.btrfs image with DUP metadata and DUP data:
# a byte flipped in one copy of the superblock, of a tree block or of a file
# data sector reads the good copy and the file exactly; both copies flipped
# give an error naming the device, the block or logical address and the
# physical offsets; fs_ignore_checksums=1 reads the first copy anyway.  A
# checksum type other than crc32c is refused naming it.  Offsets come from
# the image itself (btrfs inspect-internal dump-tree, btrfs-map-logical).
. "$(dirname "$0")/lib/fscommon.bash"
for t in mkfs.btrfs btrfs btrfs-map-logical; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
SRC=$WORK/src
mkdir -p "$SRC/boot"
rand_bytes kernel 300000 >"$SRC/boot/vmlinuz"
echo hello >"$SRC/hello"
CLEAN=$WORK/clean.img
truncate -s 128M "$CLEAN"
mkfs.btrfs -q -m dup -d dup --rootdir "$SRC" "$CLEAN" >/dev/null 2>&1
ERRTAIL='checksum mismatch (set fs_ignore_checksums=1 to read anyway)'
KPATH='(hd0)/boot/vmlinuz'
KSUM=$(sha256sum <"$SRC/boot/vmlinuz" | cut -d' ' -f1)

flip() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    # shellcheck disable=SC2059
    printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# physical offsets of every copy of logical address $2
mirrors() { btrfs-map-logical -l "$2" "$1" 2>/dev/null | sed -n "s/^mirror [0-9]* logical $2 physical \([0-9]*\) .*/\1/p"; }
khash() { "$FSTEST" "$1" -- hash "$KPATH" | cut -d' ' -f1; }
# expect_refused LABEL IMG WANT_ERR WANT_IGNORED_SHA256
expect_refused() {
    local label=$1 img=$2 want=$3 rescued=$4
    if "$FSTEST" "$img" -- hash "$KPATH" >"$WORK/out" 2>"$WORK/err"; then
        fail "$label: read despite the bad checksum"
    else
        expect_eq "$label error" "$want" "$(cat "$WORK/err")"
    fi
    expect_eq "$label: fs_ignore_checksums=1 reads the first copy" "$rescued" \
        "$(fs_ignore_checksums=1 "$FSTEST" "$img" -- hash "$KPATH" | cut -d' ' -f1)"
}

expect_eq "clean image" "$KSUM" "$(khash "$CLEAN")"
expect_eq "hello" hello "$("$FSTEST" "$CLEAN" -- cat '(hd0)/hello')"

# --- superblock: the primary's root tree pointer damaged, the mirror at
# 64 MiB is used; both damaged (in the padding): an error
img=$WORK/sb.img
cp "$CLEAN" "$img"
flip "$img" $((65536 + 0x52))
expect_eq "superblock: mirror used" "$KSUM" "$(khash "$img")"
cp "$CLEAN" "$img"
flip "$img" $((65536 + 4000))
flip "$img" $((64 * 1024 * 1024 + 4000))
expect_refused "superblock and its mirror" "$img" \
    "pvboot-fstest: $KPATH: btrfs: xen/xvda: superblock at 65536 (and no valid mirror): $ERRTAIL" "$KSUM"

# --- FS tree leaf (DUP metadata)
LEAF=$(btrfs inspect-internal dump-tree -t fs "$CLEAN" | sed -n 's/^leaf \([0-9]*\) items.*owner FS_TREE$/\1/p' | head -1)
mapfile -t LM < <(mirrors "$CLEAN" "$LEAF")
expect_eq "FS tree leaf has two copies" 2 "${#LM[@]}"
img=$WORK/leaf.img
cp "$CLEAN" "$img"
flip "$img" $((LM[0] + 200))   # inside the item headers
expect_eq "tree block: second copy used" "$KSUM" "$(khash "$img")"
cp "$CLEAN" "$img"
flip "$img" $((LM[1] + 200))
expect_eq "tree block: first copy good, second bad" "$KSUM" "$(khash "$img")"
cp "$CLEAN" "$img"
flip "$img" $((LM[0] + 8000))  # free space between items and their data
flip "$img" $((LM[1] + 8000))
expect_refused "tree block, both copies" "$img" \
    "pvboot-fstest: $KPATH: btrfs: xen/xvda: tree block $LEAF (tree 5) at physical ${LM[0]}, ${LM[1]}: $ERRTAIL" "$KSUM"

# --- file data (DUP data): the kernel's one regular extent
read -r INO DATA < <(btrfs inspect-internal dump-tree -t fs "$CLEAN" |
    awk '/key \([0-9]+ EXTENT_DATA 0\)/ { gsub(/\(/, ""); ino = $4 }
         /extent data disk byte/ { print ino, $5; exit }')
mapfile -t DM < <(mirrors "$CLEAN" "$DATA")
expect_eq "data extent has two copies" 2 "${#DM[@]}"
img=$WORK/data.img
cp "$CLEAN" "$img"
flip "$img" $((DM[0] + 5000))
expect_eq "data: second copy used" "$KSUM" "$(khash "$img")"
flip "$img" $((DM[1] + 5000))
cp "$SRC/boot/vmlinuz" "$WORK/bad-kernel"
flip "$WORK/bad-kernel" 5000
expect_refused "data, both copies" "$img" \
    "pvboot-fstest: $KPATH: btrfs: xen/xvda: inode $INO: data at logical $((DATA + 4096)), physical $((DM[0] + 4096)), $((DM[1] + 4096)): $ERRTAIL" \
    "$(sha256sum <"$WORK/bad-kernel" | cut -d' ' -f1)"
expect_eq "data: other files still read" hello "$("$FSTEST" "$img" -- cat '(hd0)/hello')"

# --- a checksum type pvboot does not verify
img=$WORK/sha256.img
truncate -s 128M "$img"
mkfs.btrfs -q --csum sha256 --rootdir "$SRC" "$img" >/dev/null 2>&1
expect_refused "sha256 checksums" "$img" \
    "pvboot-fstest: $KPATH: btrfs: xen/xvda: checksum type sha256 (2) is not supported, only crc32c (set fs_ignore_checksums=1 to read without checking)" "$KSUM"
finish
