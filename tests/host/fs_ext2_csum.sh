#!/bin/bash
# ext4 metadata_csum: clean images read as before; a flipped byte in the
# superblock, a group descriptor, an inode, an extent tree block, a directory
# leaf block or an htree root is refused with an error naming it; the rescue
# switch fs_ignore_checksums=1 reads it anyway.  Offsets come from debugfs.
. "$(dirname "$0")/lib/fscommon.bash"
for t in mke2fs debugfs e2fsck tune2fs; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done

SRC=$WORK/src
mkdir -p "$SRC/d" "$SRC/big"
for n in a b c; do echo "file $n" >"$SRC/d/$n"; done
for i in $(seq 1 300); do echo "$i" >"$SRC/big/entry-with-a-longish-name-$i"; done
echo hello >"$SRC/f"
# eight 1 KiB data blocks with holes between them: more extents than the
# inode holds, so the tree gets an extent block
: >"$SRC/frag"
for i in 0 2 4 6 8 10 12 14; do
    printf 'blk%s' "$i" | dd of="$SRC/frag" bs=1024 seek="$i" conv=notrunc status=none
done
truncate -s 16K "$SRC/frag"
BS=1024
ERRTAIL='checksum mismatch (set fs_ignore_checksums=1 to read anyway)'

# mk IMG [mke2fs -O features]: 1 KiB blocks; e2fsck -D turns /big into an htree
mk() {
    mke2fs -q -F -t ext4 -b $BS -O "${2:-metadata_csum}" -d "$SRC" "$1" 32M 2>/dev/null
    e2fsck -fyD "$1" >/dev/null 2>&1 || true
}
# flip IMG BYTE: invert all bits of one byte
flip() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    # shellcheck disable=SC2059
    printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
le16() { od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '; }
ino_of() { debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p'; }
bmap0() { debugfs -R "bmap $2 0" "$1" 2>/dev/null; }
# inode_off IMG PATH: byte offset of the on-disk inode
inode_off() {
    debugfs -R "imap $2" "$1" 2>/dev/null |
        sed -n 's/.*located at block \([0-9]*\), offset \(0x[0-9a-f]*\).*/\1 \2/p' |
        { read -r blk off; echo $((blk * BS + off)); }
}

# expect_refused LABEL IMG EXPECTED-ERROR COMMAND...: fails with exactly that
# message, and succeeds with fs_ignore_checksums=1 giving the clean output
expect_refused() {
    local label=$1 img=$2 want=$3; shift 3
    if "$FSTEST" "$img" -- "$@" >"$WORK/out" 2>"$WORK/err"; then
        fail "$label: read despite the bad checksum"
    else
        expect_eq "$label error" "$want" "$(cat "$WORK/err")"
    fi
    if fs_ignore_checksums=1 "$FSTEST" "$img" -- "$@" >"$WORK/out" 2>"$WORK/err"; then ok; else
        fail "$label: fs_ignore_checksums=1 did not read it: $(cat "$WORK/err")"; fi
}

CLEAN=$WORK/clean.img
mk "$CLEAN"
case "$(dumpe2fs -h "$CLEAN" 2>/dev/null | grep features)" in
*metadata_csum*) ok ;; *) fail "metadata_csum not enabled" ;; esac
BIGINO=$(ino_of "$CLEAN" /big)
flags=$(debugfs -R "stat /big" "$CLEAN" 2>/dev/null | sed -n 's/.*Flags: \(0x[0-9a-f]*\).*/\1/p')
[ $((flags & 0x1000)) -ne 0 ] && ok || fail "/big is not an htree directory (flags $flags)"
ETB=$(debugfs -R "stat /frag" "$CLEAN" 2>/dev/null | sed -n 's/.*(ETB0):\([0-9]*\).*/\1/p')
[ -n "$ETB" ] && ok || fail "/frag has no extent block"
check_tree clean "$CLEAN" hd0 "$SRC" '^lost\+found'
expect_eq "switch changes nothing on a clean image" "$("$FSTEST" "$CLEAN" -- hashtree '(hd0)/')" \
    "$(fs_ignore_checksums=1 "$FSTEST" "$CLEAN" -- hashtree '(hd0)/')"

# directory leaf block: a name byte ('a' -> 'A' and so on)
img=$WORK/dirblock.img
cp "$CLEAN" "$img"
DINO=$(ino_of "$img" /d)
DBLK=$(bmap0 "$img" /d)
nl=$(od -An -tu1 -j $((DBLK * BS + 24 + 6)) -N1 "$img" | tr -d ' ')
c=$(od -An -c -j $((DBLK * BS + 24 + 8)) -N1 "$img" | tr -d ' ')
expect_eq "third entry of /d is a one-letter name" "1" "$nl"
printf '%s' "$c" | tr a-z A-Z | dd of="$img" bs=1 seek=$((DBLK * BS + 24 + 8)) conv=notrunc status=none
expect_refused "directory block" "$img" \
    "pvboot-fstest: (hd0)/d: ext2: xen/xvda: directory block $DBLK of inode $DINO: $ERRTAIL" ls '(hd0)/d'
expect_eq "directory block rescued listing" \
    "$(printf '%s\n' a b c | sed "s/$c/$(printf '%s' "$c" | tr a-z A-Z)/" | sort | tr '\n' ' ')" \
    "$(fs_ignore_checksums=1 "$FSTEST" "$img" -- ls '(hd0)/d' | sort | tr '\n' ' ')"
# the rest of the filesystem is unaffected
expect_eq "other files still read" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/f')"

# inode: i_checksum_lo of /f
img=$WORK/inode.img
cp "$CLEAN" "$img"
FINO=$(ino_of "$img" /f)
flip "$img" $(($(inode_off "$img" /f) + 0x7c))
expect_refused "inode" "$img" "pvboot-fstest: (hd0)/f: ext2: xen/xvda: inode $FINO: $ERRTAIL" cat '(hd0)/f'
expect_eq "inode rescued contents" "hello" "$(fs_ignore_checksums=1 "$FSTEST" "$img" -- cat '(hd0)/f')"
# the high half (i_checksum_hi, large inodes) is checked too
cp "$CLEAN" "$img"
flip "$img" $(($(inode_off "$img" /f) + 0x83))
expect_refused "inode checksum_hi" "$img" "pvboot-fstest: (hd0)/f: ext2: xen/xvda: inode $FINO: $ERRTAIL" cat '(hd0)/f'

# extent tree block of /frag: its checksum tail (after eh_max entries)
img=$WORK/extent.img
cp "$CLEAN" "$img"
FRINO=$(ino_of "$img" /frag)
max=$(le16 "$img" $((ETB * BS + 4)))
flip "$img" $((ETB * BS + 12 + 12 * max))
expect_refused "extent block" "$img" \
    "pvboot-fstest: (hd0)/frag: ext2: xen/xvda: extent block $ETB of inode $FRINO: $ERRTAIL" cat '(hd0)/frag'
expect_eq "extent block rescued contents" "$(sha256sum <"$SRC/frag")" \
    "$(fs_ignore_checksums=1 "$FSTEST" "$img" -- cat '(hd0)/frag' | sha256sum)"

# htree root of /big: dt_checksum after `limit` dx entries (count_offset 32)
img=$WORK/dxroot.img
cp "$CLEAN" "$img"
RBLK=$(bmap0 "$img" /big)
limit=$(le16 "$img" $((RBLK * BS + 32)))
flip "$img" $((RBLK * BS + 32 + 8 * limit + 4))
expect_refused "htree root" "$img" \
    "pvboot-fstest: (hd0)/big: ext2: xen/xvda: directory block $RBLK of inode $BIGINO: $ERRTAIL" ls '(hd0)/big'
expect_eq "htree root rescued listing" 300 \
    "$(fs_ignore_checksums=1 "$FSTEST" "$img" -- ls '(hd0)/big' | wc -l)"
# a byte of an unused dx slot (after `count`) is outside the checksum
cp "$CLEAN" "$img"
count=$(le16 "$img" $((RBLK * BS + 34)))
flip "$img" $((RBLK * BS + 32 + 8 * count + 2))
expect_eq "unused htree slot is not checksummed" 300 "$("$FSTEST" "$img" -- ls '(hd0)/big' | wc -l)"

# group descriptor 0 (block 2 with 1 KiB blocks): bg_checksum
img=$WORK/gd.img
cp "$CLEAN" "$img"
flip "$img" $((2 * BS + 0x1e))
expect_refused "group descriptor" "$img" \
    "pvboot-fstest: (hd0)/f: ext2: xen/xvda: group descriptor 0: $ERRTAIL" cat '(hd0)/f'

# superblock: s_checksum
img=$WORK/sb.img
cp "$CLEAN" "$img"
flip "$img" $((1024 + 0x3fc))
if "$FSTEST" "$img" -- ls '(hd0)/' >/dev/null 2>"$WORK/err"; then
    fail "superblock: mounted despite the bad checksum"
else
    grep -qF "ext2: xen/xvda: superblock: $ERRTAIL" "$WORK/err" && ok ||
        fail "superblock error: $(cat "$WORK/err")"
fi
expect_eq "superblock rescued" "hello" "$(fs_ignore_checksums=1 "$FSTEST" "$img" -- cat '(hd0)/f')"

# metadata_csum_seed: a new UUID (tune2fs -U) keeps the old seed; the
# checksums only match when s_checksum_seed is used
img=$WORK/seed.img
mk "$img" metadata_csum,metadata_csum_seed
tune2fs -U 11111111-2222-4333-8444-555555555555 "$img" >/dev/null 2>&1
check_tree csum_seed "$img" hd0 "$SRC" '^lost\+found'
FINO=$(ino_of "$img" /f)
flip "$img" $(($(inode_off "$img" /f) + 0x7c))
expect_refused "csum_seed inode" "$img" \
    "pvboot-fstest: (hd0)/f: ext2: xen/xvda: inode $FINO: $ERRTAIL" cat '(hd0)/f'

finish
