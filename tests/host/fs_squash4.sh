#!/bin/bash
# SquashFS 4.0 images made by mksquashfs in every compression it writes
# (gzip, xz, lzo, lz4, zstd), with fragments, a 3000-entry directory (its
# listing spans several metadata blocks and has a directory index), holes,
# symlinks and big files, read through pvboot-fstest: listings and the
# sha256 of every file compared with the source tree; probe line; a damaged
# image gives an error naming the structure.
. "$(dirname "$0")/lib/fscommon.bash"
command -v mksquashfs >/dev/null || { echo "SKIP: mksquashfs (squashfs-tools) missing"; exit 77; }

# the reference hashes of the 3000-file tree, one sha256sum for all files
tree_hashes() {
    (cd "$1" && find . -type f -printf '%P\0' | xargs -0 sha256sum) | grep -v -E "${2:-^$}" | sort -k2
}
mksq() { mksquashfs "$@" -quiet -noappend -no-progress -mkfs-time 1600000000 >"$WORK/mksq.log" 2>&1 ||
    { cat "$WORK/mksq.log"; fail "mksquashfs $*"; }; }

SRC=$WORK/src
MANY=3000 make_tree "$SRC"
rand_bytes big 24000000 >"$SRC/boot/big"          # 183 blocks of 128 KiB and a tail
rand_bytes blk 131072 >"$SRC/dir/exactly-one-block"
rand_bytes blk1 131073 >"$SRC/dir/one-block-and-a-byte"
truncate -s 300000 "$SRC/dir/all-hole"

for c in gzip xz lzo lz4 zstd; do
    mksq "$SRC" "$WORK/$c.sqfs" -comp "$c"
    check_tree "squash4-$c" "$WORK/$c.sqfs" hd0 "$SRC"
done
# small blocks and no fragments; 1 MiB blocks with every tail in a fragment
mksq "$SRC" "$WORK/b4k.sqfs" -comp gzip -b 4096 -no-fragments
check_tree squash4-4k-nofrag "$WORK/b4k.sqfs" hd0 "$SRC"
mksq "$SRC" "$WORK/b1m.sqfs" -comp zstd -b 1M -always-use-fragments
check_tree squash4-1m-frag "$WORK/b1m.sqfs" hd0 "$SRC"
# uncompressed metadata and data (stored blocks)
mksq "$SRC" "$WORK/raw.sqfs" -noI -noD -noF -noX
check_tree squash4-uncompressed "$WORK/raw.sqfs" hd0 "$SRC"

img=$WORK/gzip.sqfs
# GRUB's squash4 has neither UUID nor label
expect_eq "probe" "(xen/xvda) size=$(stat -c %s "$img") fs=squash4 uuid= label=\"\"" \
    "$("$FSTEST" "$img" -- probe)"
expect_eq "slow symlink" "$(readlink "$SRC/link-slow")" "$("$FSTEST" "$img" -- readlink '(hd0)/link-slow')"
expect_eq "symlink chain" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/dir/sub/link-up')"
expect_eq "directory symlink" "$(cat "$SRC/boot/grub/grub.cfg")" "$("$FSTEST" "$img" -- cat '(hd0)/link-dir/grub.cfg')"
expect_eq "mtime" "type=file size=6 mtime=$(stat -c %Y "$SRC/hello.txt")" \
    "$("$FSTEST" "$img" -- stat '(hd0)/hello.txt' | cut -d' ' -f1-3)"
expect_eq "lookup last of 3000" "entry 3000" "$("$FSTEST" "$img" -- cat '(hd0)/many/f3000')"
expect_eq "lookup first of 3000" "entry 1" "$("$FSTEST" "$img" -- cat '(hd0)/many/f1')"
expect_eq "missing in a long directory" "pvboot-fstest: (hd0)/many/f3001: file \`/many/f3001' not found" \
    "$("$FSTEST" "$img" -- cat '(hd0)/many/f3001' 2>&1)"
if "$FSTEST" "$img" -- cmp '(hd0)/boot/big' "$SRC/boot/big" >/dev/null; then ok; else fail "cmp big"; fi

# a damaged superblock: a clear error, no crash
cp "$img" "$WORK/bad.sqfs"
printf '\x03\x00' | dd of="$WORK/bad.sqfs" bs=1 seek=28 conv=notrunc status=none
expect_eq "version 3" "pvboot-fstest: (hd0)/: squash4: xen/xvda: SquashFS version 3.0 (only 4.x)" \
    "$("$FSTEST" "$WORK/bad.sqfs" -- ls '(hd0)/' 2>&1)"
cp "$img" "$WORK/bad.sqfs"
printf '\xff\xff\xff\x7f' | dd of="$WORK/bad.sqfs" bs=1 seek=40 conv=notrunc status=none
expect_eq "bytes_used" "pvboot-fstest: (hd0)/: squash4: xen/xvda: superblock says 2147483647 bytes used, the device has $(stat -c %s "$img")" \
    "$("$FSTEST" "$WORK/bad.sqfs" -- ls '(hd0)/' 2>&1)"
# the root directory's listing points outside the directory table
# (uncompressed inodes, so the root's basic directory inode can be patched:
# its listing block is the word after the 16-byte inode header)
mksq "$SRC/dir" "$WORK/noi.sqfs" -noI -noX
itab=$(od -An -tu8 -j64 -N8 "$WORK/noi.sqfs" | tr -d ' ')
root=$(od -An -tu8 -j32 -N8 "$WORK/noi.sqfs" | tr -d ' ')
[ $((root >> 16)) -eq 0 ] || fail "root inode not in the first metadata block"
pos=$((itab + 2 + (root & 0xffff)))
expect_eq "root is a basic directory" "1" "$(od -An -tu2 -j"$pos" -N2 "$WORK/noi.sqfs" | tr -d ' ')"
printf '\xff\xff\xff\x7f' | dd of="$WORK/noi.sqfs" bs=1 seek=$((pos + 16)) conv=notrunc status=none
out=$("$FSTEST" "$WORK/noi.sqfs" -- ls '(hd0)/' 2>&1) && fail "damaged root listing accepted"
case $out in
*"squash4: xen/xvda: directory inode"*"outside the directory table"*) ok ;;
*) fail "damaged root listing: $out" ;;
esac

finish
