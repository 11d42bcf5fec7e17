#!/bin/bash
# XFS v5 CRCs: a clean image reads as before; a flipped byte in the
# superblock, an inode or a directory block is refused with an error naming
# it; fs_ignore_checksums=1 reads it anyway.  Offsets come from xfs_db.
. "$(dirname "$0")/lib/fscommon.bash"
for t in mkfs.xfs xfs_db; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
SRC=$WORK/src
mkdir -p "$SRC/big"
echo hello >"$SRC/f"
for i in $(seq 1 60); do echo "$i" >"$SRC/big/entry-with-a-longish-name-$i"; done
{
    echo '""'; echo '0 0'; echo 'd--755 0 0'
    echo "f ---644 0 0 $SRC/f"
    echo 'big d--755 0 0'
    for i in $(seq 1 60); do echo "entry-with-a-longish-name-$i ---644 0 0 $SRC/big/entry-with-a-longish-name-$i"; done
    echo '$'; echo '$'
} >"$WORK/proto"
CLEAN=$WORK/clean.img
truncate -s 320M "$CLEAN"
mkfs.xfs -q -f -p "$WORK/proto" "$CLEAN"
ERRTAIL='checksum mismatch (set fs_ignore_checksums=1 to read anyway)'

flip() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    # shellcheck disable=SC2059
    printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# byte offset of what the xfs_db commands select
db_off() { local img=$1; shift; xfs_db -r "${@/#/-c}" -c stack "$img" | sed -n 's/.*byte offset \([0-9]*\),.*/\1/p'; }
ino_of() { xfs_db -r -c "path $2" -c stack "$1" | sed -n 's/.*inode \([0-9]*\),.*/\1/p'; }
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

check_tree clean "$CLEAN" hd0 "$SRC"
FINO=$(ino_of "$CLEAN" /f)
BINO=$(ino_of "$CLEAN" /big)
FOFF=$(db_off "$CLEAN" "path /f")
DOFF=$(db_off "$CLEAN" "path /big" "dblock 0")
expect_eq "/big is a block/data directory (not short-form)" "core.format = 2 (extents)" \
    "$(xfs_db -r -c 'path /big' -c 'print core.format' "$CLEAN")"

img=$WORK/sb.img
cp "$CLEAN" "$img"
flip "$img" 224
expect_refused superblock "$img" "pvboot-fstest: (hd0)/f: xfs: xen/xvda: superblock: $ERRTAIL" cat '(hd0)/f'

img=$WORK/inode.img
cp "$CLEAN" "$img"
flip "$img" $((FOFF + 100))
expect_refused inode "$img" "pvboot-fstest: (hd0)/f: xfs: xen/xvda: inode $FINO: $ERRTAIL" cat '(hd0)/f'
expect_eq "inode rescued" hello "$(fs_ignore_checksums=1 "$FSTEST" "$img" -- cat '(hd0)/f')"

img=$WORK/dir.img
cp "$CLEAN" "$img"
flip "$img" $((DOFF + 4))
expect_refused "directory block" "$img" \
    "pvboot-fstest: (hd0)/big: xfs: xen/xvda: directory block 0 of inode $BINO: $ERRTAIL" ls '(hd0)/big'
expect_eq "directory rescued" 60 "$(fs_ignore_checksums=1 "$FSTEST" "$img" -- ls '(hd0)/big' | wc -l)"

finish
