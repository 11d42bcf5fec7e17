#!/bin/bash
# ext2/ext3/ext4 images made by mke2fs -d in many layouts, read through
# pvboot-fstest: listings, sha256 of every file, symlinks, mtime, uuid/label.
. "$(dirname "$0")/lib/fscommon.bash"
command -v mke2fs >/dev/null || { echo "SKIP: mke2fs missing"; exit 77; }

SRC=$WORK/src
make_tree "$SRC"
MTIME=$(date -u -d '2021-03-04 05:06:08' +%s)
UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0

variant() {
    local name=$1 size=$2; shift 2
    local img=$WORK/$name.img label
    label=lbl-$name
    label=${label:0:16}
    rm -f "$img"
    if ! mke2fs -q -F -L "$label" -U "$UUID" -d "$SRC" "$@" "$img" "$size" 2>"$WORK/mkfs.err"; then
        fail "$name: mke2fs $* failed: $(cat "$WORK/mkfs.err")"; return
    fi
    check_tree "$name" "$img" hd0 "$SRC" "^lost\\+found${VEXCL:-}"
    # every file also equals what debugfs (e2fsprogs' own reader) dumps
    debugfs -R "dump /sparse $WORK/sparse.dbg" "$img" >/dev/null 2>&1
    expect_eq "$name sparse vs debugfs" "$(sha256sum <"$WORK/sparse.dbg")" \
        "$("$FSTEST" "$img" -- cat '(hd0)/sparse' | sha256sum)"
    expect_eq "$name probe" "(xen/xvda) size=$(stat -c %s "$img") fs=ext2 uuid=$UUID label=\"$label\"" \
        "$("$FSTEST" "$img" -- probe)"
    expect_eq "$name fast symlink" "hello.txt" "$("$FSTEST" "$img" -- readlink '(hd0)/link-fast')"
    expect_eq "$name slow symlink" "$(readlink "$SRC/link-slow")" "$("$FSTEST" "$img" -- readlink '(hd0)/link-slow')"
    expect_eq "$name through symlinks" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/dir/sub/link-up')"
    expect_eq "$name dir symlink" "grub.cfg" "$("$FSTEST" "$img" -- ls '(hd0)/link-dir')"
    expect_eq "$name dotdot" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/dir/../dir/sub/./deeper/../../../hello.txt')"
    expect_eq "$name mtime" "type=file size=6 mtime=$MTIME" \
        "$("$FSTEST" "$img" -- stat '(hd0)/hello.txt' | cut -d' ' -f1-3)"
    local hi hh
    hi=$("$FSTEST" "$img" -- stat '(hd0)/hello.txt' | sed 's/.*ino=\([0-9]*\).*/\1/')
    hh=$("$FSTEST" "$img" -- stat '(hd0)/hardlink' | sed 's/.*ino=\([0-9]*\).*/\1/')
    expect_eq "$name hard link inode" "$hi" "$hh"
    if "$FSTEST" "$img" -- cat '(hd0)/no/such/file' >/dev/null 2>"$WORK/err"; then
        fail "$name: missing file read"; else ok; fi
    grep -q 'not found' "$WORK/err" && ok || fail "$name: missing-file message: $(cat "$WORK/err")"
}

variant ext4-default 256M -t ext4
variant ext4-1k 64M -t ext4 -b 1024
variant ext4-2k 64M -t ext4 -b 2048
variant ext4-noextents 64M -t ext4 -O ^extents,^64bit
# mke2fs 1.47.0 -d with inline_data stores a sparse file with a trailing hole
# with i_size cut to its last data block (debugfs agrees with us): compare
# "sparse" with debugfs's dump only.
VEXCL='|^sparse$|  sparse$' variant ext4-inline 64M -t ext4 -O inline_data
VEXCL='|^sparse$|  sparse$' variant ext4-inline-1k 64M -t ext4 -b 1024 -O inline_data
variant ext4-nojournal-nocsum 64M -t ext4 -O ^has_journal,^metadata_csum
variant ext4-128inode 64M -t ext4 -I 128
variant ext4-metabg 128M -t ext4 -O meta_bg,^resize_inode
variant ext4-largedir 64M -t ext4 -O large_dir
variant ext4-casefold-encrypt 64M -t ext4 -O casefold,encrypt
variant ext4-flexbg-bigalloc 256M -t ext4 -O bigalloc -C 16384
variant ext4-64k-blocks 256M -t ext4 -b 65536
variant ext3 64M -t ext3
variant ext2 64M -t ext2
variant ext2-1k-rev0 64M -t ext2 -b 1024 -r 0 -O none 2>/dev/null || true
variant ext2-4k 64M -t ext2 -b 4096

# FC-041: e2fsprogs >= 1.47 defaults + metadata_csum_seed, orphan_file, large_dir, 64bit
CASE=${PVBOOT_CASES:-${PVBOOT_SRC:-$(dirname "$0")/../..}/tests/cases}/FC-041-ext4-metadata-csum-seed-large-dir-orphan-file
if [ -d "$CASE/boot" ]; then
    img=$WORK/fc041.img
    mke2fs -q -F -t ext4 -U a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d \
        -O metadata_csum,metadata_csum_seed,orphan_file,large_dir,64bit -d "$CASE" "$img" 128M
    feats=$(dumpe2fs -h "$img" 2>/dev/null | grep 'features')
    for f in metadata_csum_seed large_dir orphan_file; do
        case "$feats" in *"$f"*) ok ;; *) fail "FC-041: $f not enabled" ;; esac
    done
    check_tree fc041 "$img" hd0 "$CASE" '^lost\+found'
    expect_eq "FC-041 uuid" "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d" \
        "$("$FSTEST" "$img" -- probe | sed 's/.*uuid=\([^ ]*\).*/\1/')"
else
    fail "FC-041 case tree not found at $CASE"
fi

# A big directory (htree, 3000 entries) and a file with thousands of extents
# (extent tree depth 2 on 1 KiB blocks): fill the fs with 1-block files,
# delete every other one, then write the big file into the holes.
img=$WORK/frag.img
mkdir -p "$WORK/fill/big"
for i in $(seq 1 3000); do printf '%s\n' "$i" >"$WORK/fill/big/n$i"; done
mke2fs -q -F -t ext4 -b 1024 -N 8192 -d "$WORK/fill" "$img" 16M
{ for i in $(seq 2 2 3000); do echo "rm /big/n$i"; done; } >"$WORK/rm.cmds"
debugfs -w -f "$WORK/rm.cmds" "$img" >/dev/null 2>&1
rm -f "$WORK"/fill/big/n{2..3000..2}
rand_bytes frag 1400000 >"$WORK/fill/fragmented"
debugfs -w -R "write $WORK/fill/fragmented fragmented" "$img" >/dev/null 2>&1
depth=$(debugfs -R "stat /fragmented" "$img" 2>/dev/null | grep -c 'ETB[0-9]*' || true)
nextents=$(debugfs -R "dump_extents /fragmented" "$img" 2>/dev/null | grep -c '^ *[0-9]/ *[0-9]' || true)
echo "fragmented file: $nextents extent records, $depth tree blocks"
[ "$nextents" -gt 500 ] && ok || fail "fragmented file has only $nextents extents"
check_tree ext4-fragmented "$img" hd0 "$WORK/fill" '^lost\+found'

# ext2 (block map) fragmented, plus a sparse file reaching the triple-indirect range
img=$WORK/frag2.img
mke2fs -q -F -t ext2 -b 1024 -N 8192 -d "$WORK/fill" "$img" 16M 2>/dev/null || true
rm -rf "$WORK/fill2"; mkdir -p "$WORK/fill2"; cp -a "$WORK/fill/big" "$WORK/fill2/"
mke2fs -q -F -t ext2 -b 1024 -N 8192 -d "$WORK/fill2" "$img" 16M
debugfs -w -f "$WORK/rm.cmds" "$img" >/dev/null 2>&1
rm -f "$WORK"/fill2/big/n{2..3000..2}
cp "$WORK/fill/fragmented" "$WORK/fill2/"
debugfs -w -R "write $WORK/fill2/fragmented fragmented" "$img" >/dev/null 2>&1
check_tree ext2-fragmented "$img" hd0 "$WORK/fill2" '^lost\+found'
mkdir -p "$WORK/tri"
truncate -s 80M "$WORK/tri/triple"
printf 'triple indirect' | dd of="$WORK/tri/triple" bs=1 seek=$((70 * 1024 * 1024)) conv=notrunc status=none
img=$WORK/tri.img
mke2fs -q -F -t ext2 -b 1024 -d "$WORK/tri" "$img" 8M
check_tree ext2-triple-indirect "$img" hd0 "$WORK/tri" '^lost\+found'

# casefold and encrypt: only the affected directories/files are refused or
# folded (flags set with debugfs, as chattr +F / fscrypt would on a mount)
CF=$WORK/cf
mkdir -p "$CF/Mixed Case Dir" "$CF/secret"
echo spaces >"$CF/Mixed Case Dir/A File With Spaces.TXT"
echo s >"$CF/secret/x"
echo open >"$CF/open.txt"
img=$WORK/cf.img
mke2fs -q -F -t ext4 -O casefold,encrypt -d "$CF" "$img" 16M
fl=$(debugfs -R 'stat "/Mixed Case Dir"' "$img" 2>/dev/null | sed -n 's/.*Flags: \(0x[0-9a-f]*\).*/\1/p')
debugfs -w -R "set_inode_field \"/Mixed Case Dir\" flags $(printf '0x%x' $((fl | 0x40000000)))" "$img" 2>/dev/null
debugfs -w -R "set_inode_field /secret flags $(printf '0x%x' $((fl | 0x800)))" "$img" 2>/dev/null
expect_eq "casefold dir lookup" "spaces" "$("$FSTEST" "$img" -- cat '(hd0)/Mixed Case Dir/a FILE with SPACES.txt')"
"$FSTEST" "$img" -- cat '(hd0)/mixed case dir/A File With Spaces.TXT' >/dev/null 2>&1 && fail "root is not casefolded" || ok
"$FSTEST" "$img" -- ls '(hd0)/secret' >/dev/null 2>"$WORK/err" && fail "encrypted dir listed" || ok
grep -q 'inode [0-9]* is encrypted' "$WORK/err" && ok || fail "encrypt message: $(cat "$WORK/err")"
expect_eq "unaffected file next to encrypted dir" "open" "$("$FSTEST" "$img" -- cat '(hd0)/open.txt')"

finish
