#!/bin/bash
# ISO 9660 images made by xorriso (Rock Ridge + Joliet, Joliet only, plain,
# deep directories relocated by Rock Ridge), read through pvboot-fstest:
# listings, sha256 of every file, symlinks, uuid/label.
. "$(dirname "$0")/lib/fscommon.bash"
command -v xorriso >/dev/null || { echo "SKIP: xorriso missing"; exit 77; }

SRC=$WORK/src
make_tree "$SRC"
mkdir -p "$SRC/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10"
echo "nine levels down" >"$SRC/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/deep.txt"
mkiso() { xorriso -as mkisofs -quiet --modification-date=2020010203040506 "$@" 2>"$WORK/xorriso.err" ||
    { cat "$WORK/xorriso.err"; fail "xorriso $*"; }; }

img=$WORK/rr.iso
mkiso -R -J -V PVBOOT_RR -o "$img" "$SRC"
check_tree iso-rockridge "$img" hd0 "$SRC"
expect_eq "rr probe" "(xen/xvda) size=$(stat -c %s "$img") fs=iso9660 uuid=2020-01-02-03-04-05-06 label=\"PVBOOT_RR\"" \
    "$("$FSTEST" "$img" -- probe)"
expect_eq "rr slow symlink" "$(readlink "$SRC/link-slow")" "$("$FSTEST" "$img" -- readlink '(hd0)/link-slow')"
expect_eq "rr symlink chain" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/dir/sub/link-up')"
expect_eq "rr mtime" "type=file size=6 mtime=$(stat -c %Y "$SRC/hello.txt")" \
    "$("$FSTEST" "$img" -- stat '(hd0)/hello.txt' | cut -d' ' -f1-3)"
expect_eq "rr relocated deep dir" "nine levels down" \
    "$("$FSTEST" "$img" -- cat '(hd0)/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/deep.txt')"

# Joliet only (no symlinks, no sparse files in Joliet)
JSRC=$WORK/jsrc
make_tree "$JSRC" nolinks
img=$WORK/joliet.iso
mkiso -J -joliet-long -V JOLIET_VOL -o "$img" "$JSRC"
check_tree iso-joliet "$img" hd0 "$JSRC"
expect_eq "joliet label" "JOLIET_VOL" "$("$FSTEST" "$img" -- probe | sed 's/.*label="\([^"]*\)".*/\1/')"

# plain ISO 9660 (level 1 names): shown in lower case, found case-insensitively
PSRC=$WORK/psrc
mkdir -p "$PSRC/boot"
echo hello >"$PSRC/hello.txt"
rand_bytes plain 300000 >"$PSRC/boot/kernel"
img=$WORK/plain.iso
# (xorriso's mkisofs emulation always adds Rock Ridge; the native command can omit it)
xorriso -rockridge off -outdev "$img" -volid PLAIN -map "$PSRC" / >/dev/null 2>&1
expect_eq "plain label" "PLAIN" "$("$FSTEST" "$img" -- probe | sed 's/.*label="\([^"]*\)".*/\1/')"
expect_eq "plain listing" "$(printf 'boot/\nboot/kernel\nhello.txt')" "$("$FSTEST" "$img" -- ls -R '(hd0)/')"
expect_eq "plain upper-case lookup" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/HELLO.TXT')"
expect_eq "plain file" "$(sha256sum <"$PSRC/boot/kernel" | cut -d' ' -f1)" \
    "$("$FSTEST" "$img" -- cat '(hd0)/boot/kernel' | sha256sum | cut -d' ' -f1)"

finish
