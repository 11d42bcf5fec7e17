#!/bin/bash
# tar archives (the memdisk format) made by GNU tar in gnu, ustar, pax and
# oldgnu formats, with long names and hard/symbolic links, read through
# pvboot-fstest: listings and sha256 of every file.
. "$(dirname "$0")/lib/fscommon.bash"
command -v tar >/dev/null || { echo "SKIP: tar missing"; exit 77; }

SRC=$WORK/src
make_tree "$SRC"
long=$SRC/dir/$(printf 'd%.0s' $(seq 1 60))/$(printf 'e%.0s' $(seq 1 70))
mkdir -p "$long"
echo "long path" >"$long/$(printf 'f%.0s' $(seq 1 90)).txt"
# a 150-character file name (GNU/pax only: ustar cannot store it)
LONGNAME=$(printf 'n%.0s' $(seq 1 150))

for fmt in gnu oldgnu pax ustar; do
    rm -rf "$WORK/src2"; cp -a "$SRC" "$WORK/src2"; src=$WORK/src2
    if [ $fmt != ustar ]; then
        echo "very long name" >"$src/dir/$LONGNAME"
    else
        # ustar stores link targets of at most 100 bytes
        rm "$src/link-slow"; ln -s "$(printf 'y%.0s' $(seq 1 80))/../hello.txt" "$src/link-slow"
    fi
    img=$WORK/$fmt.tar
    tar -C "$src" --format=$fmt -cf "$img" .
    check_tree "tar-$fmt" "$img" hd0 "$src"
    expect_eq "tar-$fmt probe" "(xen/xvda) size=$(stat -c %s "$img") fs=tarfs uuid= label=\"\"" \
        "$("$FSTEST" "$img" -- probe)"
    expect_eq "tar-$fmt symlink" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/link-fast')"
    expect_eq "tar-$fmt readlink" "$(readlink "$src/link-slow")" "$("$FSTEST" "$img" -- readlink '(hd0)/link-slow')"
    expect_eq "tar-$fmt hard link" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/hardlink')"
    expect_eq "tar-$fmt mtime" "type=file size=6 mtime=$(stat -c %Y "$src/hello.txt")" \
        "$("$FSTEST" "$img" -- stat '(hd0)/hello.txt' | cut -d' ' -f1-3)"
done

# members without directory entries (implied parents), absolute-style names
tar -C "$SRC" -cf "$WORK/noparents.tar" --no-recursion hello.txt dir/sub/deeper/file.txt boot/grub/grub.cfg
expect_eq "implied parents" "$(printf 'boot/\nboot/grub/\nboot/grub/grub.cfg\ndir/\ndir/sub/\ndir/sub/deeper/\ndir/sub/deeper/file.txt\nhello.txt')" \
    "$("$FSTEST" "$WORK/noparents.tar" -- ls -R '(hd0)/')"

# a truncated archive gives an error naming the member, not a crash
head -c 100000 "$WORK/gnu.tar" >"$WORK/trunc.tar"
truncate -s 102400 "$WORK/trunc.tar"
"$FSTEST" "$WORK/trunc.tar" -- probe >"$WORK/trunc.out" 2>&1 || true
grep -q -E 'fs=tarfs|tar: .*(checksum|past the end)' "$WORK/trunc.out" && ok || { fail "truncated tar"; cat "$WORK/trunc.out"; }

finish
