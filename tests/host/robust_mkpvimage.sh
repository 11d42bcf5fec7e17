#!/bin/bash
# mkpvimage robustness (a new user's mistakes): -o naming something that is
# not a regular file must never be replaced by rename (a device node such as
# /dev/null, a FIFO, /dev/stdout = /proc/self/fd/1 in a pipe); -o through a symbolic link
# replaces the file the link names and keeps the link; a dangling link, an
# empty name, a directory and a full device fail with one clear line and
# leave the old output alone; -c from a pipe works, from an endless device
# fails at the size limit; one module given as ./x.mod and x.mod is not a
# "duplicate"; bash completion finds modules after --directory=DIR.  Test
# modules are assembled here at run time.
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
MK=$BUILD/src/mkpvimage
[ -x "$MK" ] || { echo "FAIL: $MK not built"; exit 1; }
T=$(mktemp -d /tmp/mkpv-robust.XXXXXX)
reader=
trap '[ -n "$reader" ] && kill "$reader" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
n=0
fail() { echo "FAIL [$n]: $*"; fails=$((fails + 1)); }
# expect RC EXPECTED_STDERR -- COMMAND...
expect() {
    local rc_want=$1 msg_want=$2 rc err
    shift 3
    n=$((n + 1))
    "$@" >"$T/stdout" 2>"$T/stderr" && rc=0 || rc=$?
    err=$(cat "$T/stderr")
    [ "$rc" = "$rc_want" ] && [ "$err" = "$msg_want" ] ||
        fail "$*: exit $rc (want $rc_want), stderr '$err' (want '$msg_want')"
}
check() {   # check DESCRIPTION COMMAND...
    n=$((n + 1))
    local what=$1
    shift
    "$@" || fail "$what"
}

M=$T/mods
mkdir "$M" "$T/out"
mod() {   # mod NAME < assembly
    cat >"$T/$1.S"
    as -o "$T/$1.o" "$T/$1.S" && ld -r -m elf_x86_64 --build-id=none -o "$M/$1.mod" "$T/$1.o" ||
        { echo "FAIL: cannot build test module $1"; exit 1; }
}
mod kernel <<'EOF'
.text
.globl _start
_start: lea pvboot_image_info(%rip), %rax
1: jmp 1b
.code32
.globl _start_pvh
_start_pvh: jmp _start_pvh
.code64
EOF
mod hello <<'EOF'
.text
.globl hello
hello: ret
EOF
CFG=$T/grub.cfg
echo 'menuentry "Debian" { linux /vmlinuz }' >"$CFG"
mk() { "$MK" -O x86_64-xen -c "$CFG" -d "$M" "$@"; }

# the reference image (regular file, atomic path)
expect 0 "" -- mk -o "$T/ref.bin" hello
size=$(stat -c %s "$T/ref.bin")
check "reference image written" test "$size" -gt 4096

# a character device node: written to, still a device afterwards
if mknod "$T/out/null" c 1 3 2>/dev/null; then
    expect 0 "" -- mk -o "$T/out/null" hello
    check "device node kept (not replaced by a regular file)" test -c "$T/out/null"
else
    echo "skip: mknod not permitted (not root): device node case"
fi
# a full device (a private node like /dev/full): the write fails, clearly,
# and the node is untouched
if mknod "$T/out/full" c 1 7 2>/dev/null; then
    expect 1 "mkpvimage: $T/out/full: cannot write output: No space left on device" -- \
        mk -o "$T/out/full" hello
    check "full device node kept" test -c "$T/out/full"
fi
# a FIFO with a reader: gets the exact image bytes, stays a FIFO
mkfifo "$T/out/fifo"
timeout 20 cat "$T/out/fifo" >"$T/fifo.got" &   # bounded: a regression must not hang
reader=$!
expect 0 "" -- mk -o "$T/out/fifo" hello
wait "$reader"
reader=
check "FIFO kept" test -p "$T/out/fifo"
check "FIFO reader got the image" cmp -s "$T/fifo.got" "$T/ref.bin"
# /proc/self/fd/1 (what /dev/stdout links to; a regression cannot replace
# anything there) into a pipe
n=$((n + 1))
got=$("$MK" -O x86_64-xen -c "$CFG" -d "$M" -o /proc/self/fd/1 hello | wc -c)
[ "$got" = "$size" ] || fail "-o /proc/self/fd/1 | wc -c: $got bytes, want $size"
# ... redirected to a file: the file gets the image
n=$((n + 1))
"$MK" -O x86_64-xen -c "$CFG" -d "$M" -o /proc/self/fd/1 hello >"$T/out/redirected.bin" ||
    fail "-o /proc/self/fd/1 > file: exit $?"
check "-o /proc/self/fd/1 > file: image in the file" cmp -s "$T/out/redirected.bin" "$T/ref.bin"
# a symbolic link to a regular file: the target is replaced, the link stays
echo old >"$T/out/target.bin"
ln -s target.bin "$T/out/link.bin"
expect 0 "" -- mk -o "$T/out/link.bin" hello
check "link kept" test -L "$T/out/link.bin"
check "link target replaced" cmp -s "$T/out/target.bin" "$T/ref.bin"
# a dangling link: an error, nothing created
ln -s nowhere.bin "$T/out/dangling.bin"
expect 1 "mkpvimage: $T/out/dangling.bin: output is a symbolic link that cannot be followed: No such file or directory" -- \
    mk -o "$T/out/dangling.bin" hello
check "dangling link kept, target not created" \
    bash -c "test -L '$T/out/dangling.bin' && test ! -e '$T/out/nowhere.bin'"
# empty name, directory
expect 1 "mkpvimage: output file name is empty" -- mk -o "" hello
expect 1 "mkpvimage: $T/out: output is a directory" -- mk -o "$T/out" hello
# a failed run (unknown module) leaves the old output byte for byte
cp "$T/ref.bin" "$T/out/keep.bin"
expect 1 "mkpvimage: unknown module: nosuch (neither a pvboot module in $M nor a GRUB module; see mkpvimage --list-modules and --grub-modules)" -- \
    mk -o "$T/out/keep.bin" nosuch
check "old output intact after a failed run" cmp -s "$T/out/keep.bin" "$T/ref.bin"
check "no temporary files left" \
    test "$(ls -A "$T/out" | sort | tr '\n' ' ')" = "dangling.bin fifo $( [ -c "$T/out/full" ] && echo 'full ')keep.bin link.bin $( [ -c "$T/out/null" ] && echo 'null ')redirected.bin target.bin "

# -c from a pipe gives the same image as from the file; an endless character
# device is cut off at the size limit with an error, not read forever
expect 0 "" -- mk -o "$T/pipe.bin" -c <(cat "$CFG") hello
check "-c <(pipe): same image as -c FILE" cmp -s "$T/pipe.bin" "$T/ref.bin"
expect 1 "mkpvimage: /dev/zero: config is too large (more than 16777216 bytes)" -- \
    timeout 60 "$MK" -O x86_64-xen -d "$M" -o "$T/zero.bin" -c /dev/zero hello
check "no output after the /dev/zero config" test ! -e "$T/zero.bin"

# one module file spelled two ways is one module; two different files clash
cp "$M/hello.mod" "$T/hello.mod"
expect 0 "" -- bash -c "cd '$M' && '$MK' -O x86_64-xen -c '$CFG' -d '$M' -o '$T/two.bin' ./hello.mod hello.mod"
check "./x.mod + x.mod: same image as x.mod alone" cmp -s "$T/two.bin" "$T/ref.bin"
expect 1 "mkpvimage: $T/hello.mod: module name 'hello' already used by $M/hello.mod" -- \
    mk -o "$T/two.bin" "$M/hello.mod" "$T/hello.mod"

# bash completion of module names after "--directory=DIR": bash hands the
# words over split at '=' ("--directory" "=" "DIR"), as it does in a shell
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bc=/usr/share/bash-completion/bash_completion
if [ -r "$bc" ]; then
    n=$((n + 1))
    got=$(bash -c '
        . "$1"; . "$2"
        c() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
              COMPREPLY=(); _mkpvimage mkpvimage; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "; echo; }
        c mkpvimage --directory = "$3" h
        c mkpvimage -c x.cfg --directory = "$3" -o y.bin ke
        c mkpvimage -d "$3" h
    ' _ "$bc" "$SRC/scripts/completion/mkpvimage" "$M")
    [ "$got" = "$(printf 'hello \nkernel \nhello ')" ] || fail "completion after --directory=DIR: '$got'"
else
    echo "skip: no bash-completion ($bc): completion case"
fi

echo "robust_mkpvimage: $n checks, $fails failed"
[ "$fails" = 0 ]
