#!/bin/bash
# pvboot-fstest robustness (a new user's mistakes and hostile disks): -s
# without or with a bad value, an unknown option, IMAGE a directory / empty /
# missing, corrupt with missing or non-numeric arguments (was: silent exit 2
# or "0 iterations ... no crash"), cat into a full device (was: exit 1 with
# no message), cmp against a directory, probe of a named device that does
# not exist (exit 1), file names and labels with escape sequences (shown as
# \xNN, never raw), a symlink loop and a truncated ext4 (an error, no hang).
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
FS=$BUILD/src/pvboot-fstest
[ -x "$FS" ] || { echo "FAIL: $FS not built"; exit 1; }
T=$(mktemp -d /tmp/fstest-robust.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
n=0
fail() { echo "FAIL [$n]: $*"; fails=$((fails + 1)); }
# expect RC EXPECTED_STDERR EXPECTED_STDOUT -- COMMAND...
expect() {
    local rc_want=$1 err_want=$2 out_want=$3 rc err out
    shift 4
    n=$((n + 1))
    timeout 60 "$@" >"$T/stdout" 2>"$T/stderr" && rc=0 || rc=$?
    err=$(cat "$T/stderr")
    out=$(cat "$T/stdout")
    [ "$rc" = "$rc_want" ] && [ "$err" = "$err_want" ] && [ "$out" = "$out_want" ] ||
        fail "$*: exit $rc (want $rc_want), stderr '$err' (want '$err_want'), stdout '$out' (want '$out_want')"
}

# --- an ext4 image with hostile names, a label with ESC, a symlink loop
mkdir -p "$T/tree/d"
echo hello >"$T/tree/d/f"
echo x >"$T/tree/a"$'\033'"[2Jb"
ln -s loopb "$T/tree/loopa"
ln -s loopa "$T/tree/loopb"
head -c 200000 /dev/urandom >"$T/tree/big"
mke2fs -q -F -t ext4 -L $'L\033]0;x' -U 11111111-2222-3333-4444-555555555555 -d "$T/tree" "$T/ext4.img" 4M \
    >/dev/null || { echo "FAIL: mke2fs"; exit 1; }
IMG=$T/ext4.img
: >"$T/empty.img"
head -c 100 /dev/zero >"$T/tiny.img"

# --- command line
expect 2 "pvboot-fstest: -s needs a sector size (512 or 4096)" "" -- "$FS" "$IMG" -s
expect 2 "pvboot-fstest: -s needs a sector size (512 or 4096)" "" -- "$FS" -s -- probe
expect 2 "pvboot-fstest: -s 1000: sector size must be 512 or 4096" "" -- "$FS" -s 1000 "$IMG" -- probe
expect 2 "pvboot-fstest: -s 4k: sector size must be 512 or 4096" "" -- "$FS" -s 4k "$IMG" -- probe
expect 2 "pvboot-fstest: unknown option -v (images come before --, the command after it; try --help)" "" -- \
    "$FS" -v "$IMG" -- probe
expect 2 "pvboot-fstest: $T: is a directory, not a disk image" "" -- "$FS" "$T" -- probe
expect 2 "pvboot-fstest: $T/empty.img: 0 bytes, smaller than one 512-byte sector: not a disk image" "" -- \
    "$FS" "$T/empty.img" -- probe
expect 2 "pvboot-fstest: $T/tiny.img: 100 bytes, smaller than one 512-byte sector: not a disk image" "" -- \
    "$FS" "$IMG" "$T/tiny.img" -- probe
expect 1 "pvboot-fstest: $T/none.img: $T/none.img: No such file or directory" "" -- \
    "$FS" "$T/none.img" -- probe
expect 2 "pvboot-fstest: corrupt IMAGE N [SEED [FLIPS]]: too few arguments" "" -- "$FS" -- corrupt "$IMG"
expect 2 "pvboot-fstest: corrupt IMAGE N [SEED [FLIPS]]: too many arguments" "" -- \
    "$FS" -- corrupt "$IMG" 1 2 3 4
expect 2 "pvboot-fstest: corrupt: N, SEED and FLIPS must be numbers" "" -- "$FS" -- corrupt "$IMG" ten
expect 2 "pvboot-fstest: corrupt: N, SEED and FLIPS must be numbers" "" -- "$FS" -- corrupt "$IMG" 5 -1
n=$((n + 1))   # the counts depend on the image; the run count and format do not
out=$(timeout 120 "$FS" -- corrupt "$IMG" 2 1 1 2>&1) && rc=0 || rc=$?
[ "$rc" = 0 ] && [[ $out =~ ^2\ iterations:\ [0-9]+\ entries,\ [0-9]+\ files,\ [0-9]+\ bytes\ read,\ [0-9]+\ errors\ reported,\ no\ crash\ or\ hang$ ]] ||
    fail "corrupt 2 1 1: exit $rc: $out"

# --- commands
expect 2 "pvboot-fstest: $T: is a directory, not a file to compare with" "" -- \
    "$FS" "$IMG" -- cmp '(hd0)/d/f' "$T"
n=$((n + 1))
"$FS" "$IMG" -- cat '(hd0)/big' >/dev/full 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 1 ] && [ "$(cat "$T/err")" = "pvboot-fstest: cannot write to standard output: No space left on device" ] ||
    fail "cat big > /dev/full: exit $rc, stderr '$(cat "$T/err")'"
n=$((n + 1))
"$FS" "$IMG" -- cat '(hd0)/d/f' >/dev/full 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 1 ] && [ "$(cat "$T/err")" = "pvboot-fstest: cannot write to standard output: No space left on device" ] ||
    fail "cat small > /dev/full: exit $rc, stderr '$(cat "$T/err")'"
probe_line='(hd0) size=4194304 fs=ext2 uuid=11111111-2222-3333-4444-555555555555 label="L\x1b]0;x"'
expect 1 "" "(hd7) error: disk \`hd7' not found
$probe_line" -- "$FS" "$IMG" -- probe hd7 '(hd0)'
expect 0 "" "$probe_line" -- "$FS" "$IMG" -- probe '(hd0)'
expect 0 "" 'a\x1b[2Jb
big
d/
loopa
loopb
lost+found/' -- "$FS" "$IMG" -- ls '(hd0)/'
expect 1 "pvboot-fstest: (hd0)/loopa: /loopa: too many levels of symbolic links" "" -- \
    "$FS" "$IMG" -- cat '(hd0)/loopa'
n=$((n + 1))
"$FS" "$IMG" -- hashtree '(hd0)/' >"$T/h" 2>&1 && rc=0 || rc=$?
[ "$rc" = 0 ] && grep -qxF "$(sha256sum <"$T/tree/a"$'\033'"[2Jb" | cut -d' ' -f1)  a\\x1b[2Jb" "$T/h" ||
    fail "hashtree with an escaped name: exit $rc: $(cat -v "$T/h")"
n=$((n + 1))
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$T/h" "$T/stdout"; then fail "raw control bytes in the output"; fi

# --- FAT16 with a directory A holding an entry LOOP that is A itself: ls -R
# and hashtree stop at 64 levels with a message (hashtree was silent)
export MTOOLS_SKIP_CHECK=1
mkfs.vfat -C -F 16 "$T/fat.img" 16384 >/dev/null && mmd -i "$T/fat.img" ::/A ||
    { echo "FAIL: mkfs.vfat/mmd"; exit 1; }
python3 - "$T/fat.img" <<'PY' || { echo "FAIL: FAT loop"; exit 1; }
import struct, sys
f = open(sys.argv[1], 'r+b'); b = bytearray(f.read())
bps, spc, res, nfats, rootent = struct.unpack_from('<HBHBH', b, 11)
fatsz = struct.unpack_from('<H', b, 22)[0]
root = (res + nfats * fatsz) * bps
data = root + rootent * 32
a = next(struct.unpack_from('<H', b, root + 32 * i + 26)[0] for i in range(rootent)
         if b[root + 32 * i:root + 32 * i + 11] == b'A          ')
d = data + (a - 2) * spc * bps
i = next(i for i in range(2, spc * bps // 32) if b[d + 32 * i] == 0)
e = bytearray(32); e[:11] = b'LOOP       '; e[11] = 0x10
struct.pack_into('<H', e, 26, a)
b[d + 32 * i:d + 32 * i + 32] = e
f.seek(0); f.write(b)
PY
deep="(hd0)/A$(printf '/LOOP%.0s' $(seq 1 64))"
for c in "ls -R" hashtree; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    timeout 60 "$FS" "$T/fat.img" -- $c '(hd0)/' >/dev/null 2>"$T/err" && rc=0 || rc=$?
    [ "$rc" = 1 ] && [ "$(cat "$T/err")" = "pvboot-fstest: $deep: directory nesting too deep" ] ||
        fail "FAT directory loop, $c: exit $rc, stderr '$(cut -c1-200 "$T/err")'"
done

# --- a truncated ext4: errors naming the inode, never a hang
head -c 1M "$IMG" >"$T/trunc.img"
n=$((n + 1))
timeout 60 "$FS" "$T/trunc.img" -- cat '(hd0)/big' >/dev/null 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 1 ] && grep -q "^pvboot-fstest: (hd0)/big: ext2: xen/xvda: inode [0-9]*: " "$T/err" ||
    fail "truncated ext4: exit $rc, stderr '$(cat "$T/err")'"

echo "robust_fstest: $n checks, $fails failed"
[ "$fails" = 0 ]
