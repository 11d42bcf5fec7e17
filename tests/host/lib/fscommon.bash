# Shared helpers for the filesystem/partition host tests (sourced, not run).
# Images are made at test time by the real tools; every file read through
# pvboot-fstest is compared (sha256) with the source tree, and so are the
# listings.
set -euo pipefail
export LC_ALL=C
: "${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}"
FSTEST=${FSTEST:-$PVBOOT_BUILD/src/pvboot-fstest}
[ -x "$FSTEST" ] || { echo "missing $FSTEST (build target pvboot-fstest)"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pvboot-fs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }

# Deterministic pseudo-random bytes: rand_bytes SEED COUNT
rand_bytes() {
    (set +o pipefail
     openssl enc -aes-128-ctr -nosalt -pass "pass:$1" -pbkdf2 -iter 1 </dev/zero 2>/dev/null | head -c "$2")
}

# make_tree DIR [flavour]: the standard source tree.  flavour "nolinks"
# leaves out symlinks and hard links (FAT), "small" keeps it small.
make_tree() {
    local d=$1 flavour=${2:-full}
    mkdir -p "$d/boot/grub" "$d/dir/sub/deeper" "$d/many" "$d/Mixed Case Dir"
    echo hello >"$d/hello.txt"
    : >"$d/empty"
    rand_bytes vmlinuz 5000000 >"$d/boot/vmlinuz-6.1.0-18-amd64"
    rand_bytes initrd 1234567 >"$d/boot/initrd.img-6.1.0-18-amd64"
    printf 'set default=0\nmenuentry "Debian" {\n  linux /boot/vmlinuz\n}\n' >"$d/boot/grub/grub.cfg"
    rand_bytes odd 4097 >"$d/dir/odd-size"
    rand_bytes block 4096 >"$d/dir/one-block"
    echo deep >"$d/dir/sub/deeper/file.txt"
    echo "spaces" >"$d/Mixed Case Dir/A File With Spaces.TXT"
    echo "long" >"$d/dir/a-rather-long-file-name-that-does-not-fit-in-8.3-format.conf"
    local n=${MANY:-300}
    [ "$flavour" = small ] && n=20
    for i in $(seq 1 "$n"); do echo "entry $i" >"$d/many/f$i"; done
    if [ "$flavour" != nolinks ]; then
        ln -s hello.txt "$d/link-fast"
        ln -s "$(printf 'x%.0s' $(seq 1 90))/../hello.txt" "$d/link-slow"
        ln -s boot/grub "$d/link-dir"
        ln -s ../../hello.txt "$d/dir/sub/link-up"
        ln "$d/hello.txt" "$d/hardlink"
        # sparse: holes read as zeros
        truncate -s 20M "$d/sparse"
        printf 'data in the middle' | dd of="$d/sparse" bs=1 seek=10000000 conv=notrunc status=none
        truncate -s 3M "$d/sparse-end"
        printf 'tail' | dd of="$d/sparse-end" bs=1 seek=$((3 * 1024 * 1024 - 4)) conv=notrunc status=none
    fi
    touch -d '2021-03-04 05:06:08 UTC' "$d/hello.txt"
}

# listing of a source tree: "path" for files/links, "path/" for dirs
tree_listing() {
    (cd "$1" && find . -mindepth 1 \( -type d -printf '%P/\n' \) -o \( ! -type d -printf '%P\n' \)) |
        grep -v -E "${2:-^$}" | sort
}
# sha256 of every regular file (symlinks excluded)
tree_hashes() {
    (cd "$1" && find . -type f -printf '%P\n' | sort | while IFS= read -r f; do
        printf '%s  %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$f"; done) | grep -v -E "${2:-^$}" | sort -k2
}

# check_tree LABEL "IMAGE-ARGS" DEVICE SRC [EXCLUDE-REGEX]
# Compares the listing and every file's sha256 read through pvboot.
check_tree() {
    local label=$1 imgs=$2 dev=$3 src=$4 excl=${5:-^$}
    local ours="$WORK/ours.$$" ref="$WORK/ref.$$"
    # shellcheck disable=SC2086
    if ! "$FSTEST" $imgs -- ls -R "($dev)/" >"$ours.ls" 2>"$ours.err"; then
        fail "$label: ls -R failed: $(cat "$ours.err")"; return
    fi
    grep -v -E "$excl" "$ours.ls" | sort >"$ours.ls2" || true
    tree_listing "$src" "$excl" >"$ref.ls"
    if diff -u "$ref.ls" "$ours.ls2" >"$WORK/diff"; then ok; else
        fail "$label: listing differs"; head -20 "$WORK/diff"; fi
    # shellcheck disable=SC2086
    if ! "$FSTEST" $imgs -- hashtree "($dev)/" >"$ours.h" 2>"$ours.err"; then
        fail "$label: hashtree failed: $(cat "$ours.err")"; return
    fi
    grep -v -E "$excl" "$ours.h" | sort -k2 >"$ours.h2" || true
    tree_hashes "$src" "$excl" >"$ref.h"
    if diff -u "$ref.h" "$ours.h2" >"$WORK/diff"; then ok; else
        fail "$label: file contents differ"; head -20 "$WORK/diff"; fi
    echo "ok: $label ($(wc -l <"$ref.h") files, $(wc -l <"$ref.ls") entries)"
}

# expect_eq LABEL EXPECTED ACTUAL
expect_eq() {
    if [ "$2" = "$3" ]; then ok; else fail "$1: expected [$2], got [$3]"; fi
}

finish() {
    echo "$CHECKS checks passed, $FAILS failed"
    [ "$FAILS" -eq 0 ]
}
