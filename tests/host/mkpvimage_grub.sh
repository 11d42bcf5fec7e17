#!/bin/bash
# mkpvimage with grub-mkimage command lines: GRUB module names and GRUB .mod
# files (Debian's grub-xen-bin, GRUB 2.06) through the table of
# src/mkpvimage/grubcompat.c.  Checks: the table covers exactly GRUB's
# x86_64-xen modules (plus "boot"), every pvboot module it names exists,
# man/mkpvimage.1 lists the same table; then real command lines (the GRUB
# manual's and distributions' module lists, the pvgrub2 "*.mod" recipe, the
# seed's line) with the exact notes and errors and the modules linked
# (read from -v's module table).
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
SRC=${PVBOOT_SRC:?PVBOOT_SRC must point at the source tree}
MK=$BUILD/src/mkpvimage
M=${PVBOOT_MODDIR:-$BUILD/modules/x86_64-xen}
# a hosted-only build (the sanitizer build of scripts/test.sh has no
# freestanding modules): the full build's modules beside it, same sources
[ -f "$M/normal.mod" ] || M=$SRC/build/modules/x86_64-xen
G=/usr/lib/grub/x86_64-xen
[ -x "$MK" ] || { echo "FAIL: $MK not built"; exit 1; }
[ -f "$M/normal.mod" ] || { echo "FAIL: no modules in $M (PVBOOT_MODULES=ON build needed)"; exit 1; }
[ -f "$G/normal.mod" ] || { echo "FAIL: $G/normal.mod missing (apt-get install grub-xen-bin)"; exit 1; }

T=$(mktemp -d /tmp/mkpv-grub.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
n=0
fail() { echo "FAIL [$n]: $*"; fails=$((fails + 1)); }

# run EXPECTED_RC EXPECTED_STDERR -- ARGS...: mkpvimage -v with the test's -d;
# the -v lines other than "note:" and the final error are dropped from the
# comparison, the module table is kept in $T/linked
run() {
    local rc_want=$1 err_want=$2
    shift 3
    n=$((n + 1))
    local rc
    "$MK" -v -d "$M" "$@" >"$T/stdout" 2>"$T/stderr" && rc=0 || rc=$?
    sed -n 's/^mkpvimage: module table [0-9]*: \([a-z0-9_]*\).*/\1/p' "$T/stderr" | sort >"$T/linked"
    local err
    err=$(grep -v -e '^mkpvimage: module ' -e '^mkpvimage: layout' -e '^mkpvimage: image:' \
              -e '^mkpvimage: GRUB module ' -e ': accepted by libxenguest' -e '^mkpvimage: wrote ' \
              "$T/stderr")
    if [ "$rc" != "$rc_want" ] || [ "$err" != "$err_want" ]; then
        fail "mkpvimage $*"
        echo "  exit $rc (want $rc_want)"
        echo "  stderr: $err"
        echo "  want:   $err_want"
    fi
}
linked() {   # linked MODULE... : these modules are in the image (and what they need)
    n=$((n + 1))
    local m
    for m in "$@"; do
        grep -qx "$m" "$T/linked" || fail "linked: $(echo $(cat "$T/linked")), $m missing"
    done
}
not_linked() {   # not_linked MODULE...
    n=$((n + 1))
    local m
    for m in "$@"; do
        ! grep -qx "$m" "$T/linked" || fail "linked: $(echo $(cat "$T/linked")), has $m"
    done
}

# ---- the table
"$MK" --grub-modules >"$T/table" || { echo "FAIL: --grub-modules"; exit 1; }
n=$((n + 1))
diff <(cut -f1 "$T/table") <( (ls "$G"/*.mod | xargs -n1 basename | sed 's/\.mod$//'; echo boot) |
    LC_ALL=C sort) >"$T/diff" || fail "table is not GRUB's module list + boot: $(cat "$T/diff")"
n=$((n + 1))
for p in $(cut -f2 "$T/table" | grep -v '^[-!]'); do
    [ -f "$M/$p.mod" ] || fail "table names pvboot module $p, not in $M"
done
# man/mkpvimage.1: every mapped row as "GRUB@pvboot" in the tbl table, and
# the same-name, skipped and missing lists as words of the section
man=$(sed -n '/^\.SH GRUB MODULE NAMES/,/^\.SH USING/p' "$SRC/man/mkpvimage.1")
n=$((n + 1))
diff <(awk -F'\t' '$2 !~ /^[-!]/ && $1 != $2 {print $1 "@" $2}' "$T/table") \
     <(grep -E '^[a-z0-9_]+@' <<<"$man" | grep -v '^GRUB') >"$T/diff" ||
    fail "man table differs from --grub-modules: $(cat "$T/diff")"
para() {   # the words of the man paragraph after the line matching $1
    awk -v pat="$1" 'f && /^\./ {exit} f {print} index($0, pat) {f = 1}' <<<"$man" |
        tr ' ' '\n' | grep . | LC_ALL=C sort
}
n=$((n + 1))
[ "$(para 'same name:')" = "$(awk -F'\t' '$1 == $2 {print $1}' "$T/table" | LC_ALL=C sort)" ] ||
    fail "man same-name list differs"
n=$((n + 1))
[ "$(para 'self tests):')" = "$(awk -F'\t' '$2 ~ /^-/ {print $1}' "$T/table" | LC_ALL=C sort)" ] ||
    fail "man skipped list differs"
n=$((n + 1))
[ "$(para 'without them:')" = "$(awk -F'\t' '$2 ~ /^!/ {print $1}' "$T/table" | LC_ALL=C sort)" ] ||
    fail "man missing list differs"

# ---- command lines
cat >"$T/grub.cfg" <<'EOF'
set timeout=5
insmod part_msdos
insmod ext2
search --no-floppy --fs-uuid --set=root 0c3a0d92-5e5b-4a4e-9c55-1c1b7a3f3e10
menuentry 'Debian GNU/Linux' {
	linux /vmlinuz root=UUID=0c3a0d92-5e5b-4a4e-9c55-1c1b7a3f3e10 ro console=hvc0
	initrd /initrd.img
}
EOF
C=$T/grub.cfg
nall=$(ls "$G"/*.mod | wc -l)
skipped=$(awk -F'\t' '$2 ~ /^-/ {print $1}' "$T/table" | tr '\n' ' ' | sed 's/ $//')
missing=$(awk -F'\t' '$2 ~ /^!/ {print $1}' "$T/table" | tr '\n' ' ' | sed 's/ $//')
nskip=$(wc -w <<<"$skipped")
nmiss=$(wc -w <<<"$missing")
FILES_NOTE="mkpvimage: note: $nall GRUB module files (in $G) taken as requests for pvboot's modules of their names"
SKIP_NOTE="mkpvimage: note: $nskip GRUB modules skipped, no meaning in a Xen PV guest: $skipped"
MISS_NOTE="mkpvimage: note: $nmiss GRUB modules pvboot does not have, not in the image: $missing"
EVERY=(blkfront btrfs cat ext2 fat gzio help iso9660 kernel legacycfg linux loadenv ls lvm lzopio
       mdraid1x memdisk normal part_gpt part_msdos password password_pbkdf2 script search syslinuxcfg
       tar testspeed xfs xzio zstd)

# the seed's line, unchanged (the grub-xen-bin glob, -p after the modules)
run 0 "$FILES_NOTE
$SKIP_NOTE
$MISS_NOTE" -- -O x86_64-xen -c "$C" -o "$T/seed.bin" "$G"/*.mod -p /usr
linked "${EVERY[@]}"
n=$((n + 1))
grep -qa 'menuentry .Debian GNU/Linux' "$T/seed.bin" || fail "seed image lacks the config"

# the Xen wiki's / distributions' pvgrub2 recipe: a memdisk with a
# bootstrap config, every module (long options, as Debian's grub-xen build)
printf 'normal (memdisk)/grub.cfg\n' >"$T/grub-bootstrap.cfg"
(cd "$T" && tar cf memdisk.tar grub.cfg)
run 0 "$FILES_NOTE
$SKIP_NOTE
$MISS_NOTE" -- --format=x86_64-xen --config="$T/grub-bootstrap.cfg" --memdisk="$T/memdisk.tar" \
    --output="$T/grub-x86_64-xen.bin" "$G"/*.mod
linked "${EVERY[@]}"

# GRUB manual style: named modules, a prefix; all of them carry over
run 0 "" -- -O x86_64-xen -c "$C" -o "$T/named.bin" -p '(xen/xvda,msdos1)/boot/grub' \
    part_msdos ext2 linux normal configfile search search_fs_uuid search_label search_fs_file \
    echo test true sleep gzio xzio
linked kernel blkfront part_msdos ext2 linux normal search gzio xzio
not_linked part_gpt xfs btrfs
# a distribution's signed-image module list (graphics and all): one note
run 0 "mkpvimage: note: 6 GRUB modules skipped, no meaning in a Xen PV guest: all_video font gfxterm gfxterm_background png video" -- \
    -O x86_64-xen -c "$C" -o "$T/distro.bin" all_video boot btrfs cat configfile echo ext2 fat font \
    gfxterm gfxterm_background gzio halt ls loadenv linux minicmd normal part_gpt part_msdos png \
    reboot search search_fs_file search_fs_uuid search_label sleep test true video xfs
linked kernel blkfront btrfs cat ext2 fat gzio help ls loadenv linux normal part_gpt part_msdos search xfs
not_linked iso9660 lvm
# password hashing: GRUB's crypto pieces are password_pbkdf2
run 0 "" -- -O x86_64-xen -c "$C" -o "$T/pw.bin" crypto gcry_sha512 pbkdf2 password_pbkdf2 normal
linked kernel blkfront normal password_pbkdf2
not_linked ext2 search
# only skipped names: the kernel alone (not "every module")
run 0 "mkpvimage: note: 2 GRUB modules skipped, no meaning in a Xen PV guest: gfxterm video" -- \
    -O x86_64-xen -c "$C" -o "$T/k.bin" gfxterm video
n=$((n + 1))
[ "$(cat "$T/linked")" = kernel ] || fail "only skipped names: linked $(echo $(cat "$T/linked"))"

# errors: all bad names at once, exit 1, nothing written
run 1 "mkpvimage: GRUB modules that pvboot does not have: zfs, zfscrypt, ntfs (see mkpvimage --grub-modules)" -- \
    -O x86_64-xen -c "$C" -o "$T/err.bin" part_gpt zfs zfscrypt ntfs ext2
run 1 "mkpvimage: unknown modules: efinet, ext5 (neither a pvboot module in $M nor a GRUB module; see mkpvimage --list-modules and --grub-modules)" -- \
    -O x86_64-xen -c "$C" -o "$T/err.bin" efinet ext2 ext5
run 1 "mkpvimage: unknown module: nosuch (neither a pvboot module in $M nor a GRUB module); GRUB module that pvboot does not have: zfs" -- \
    -O x86_64-xen -c "$C" -o "$T/err.bin" zfs nosuch
n=$((n + 1))
[ ! -e "$T/err.bin" ] || fail "an output was written on error"

# one GRUB module file, renamed: its .modname decides, not the file name
cp "$G/search_fs_uuid.mod" "$T/renamed.mod"
run 0 "mkpvimage: note: 1 GRUB module file (in $T) taken as request for pvboot's module of its name" -- \
    -O x86_64-xen -c "$C" -o "$T/one.bin" "$T/renamed.mod" ext2
linked kernel search ext2
# two directories: the note does not name one
run 0 "mkpvimage: note: 2 GRUB module files taken as requests for pvboot's modules of their names" -- \
    -O x86_64-xen -c "$C" -o "$T/one.bin" "$T/renamed.mod" "$G/part_gpt.mod" ext2
linked kernel search part_gpt ext2
# a pvboot module given by path is still a pvboot module
run 0 "" -- -O x86_64-xen -c "$C" -o "$T/path.bin" "$M/ext2.mod" normal
linked kernel ext2 normal blkfront
# pvboot's own names only (not GRUB's): exactly what was asked, no blkfront
run 0 "" -- -O x86_64-xen -c "$C" -o "$T/own.bin" kernel
n=$((n + 1))
[ "$(cat "$T/linked")" = kernel ] || fail "kernel only: linked $(echo $(cat "$T/linked"))"
# a GRUB module of a feature pvboot lacks, given as a file: a note only
run 0 "mkpvimage: note: 2 GRUB module files (in $G) taken as requests for pvboot's modules of their names
mkpvimage: note: 1 GRUB module pvboot does not have, not in the image: zfs" -- \
    -O x86_64-xen -c "$C" -o "$T/z.bin" "$G/zfs.mod" "$G/ext2.mod"
linked kernel ext2

echo "mkpvimage_grub: $n checks, $fails failed"
[ $fails = 0 ]
