#!/bin/bash
# xfs images made by mkfs.xfs (protofile) in several feature sets, plus files
# written by the kernel's xfs driver in User-Mode Linux (fragmented, sparse,
# preallocated, reflinked, remote symlinks), read through pvboot-fstest:
# listings, sha256 of every file, symlinks, probe (uuid/label), 4 KiB-sector
# disk.  Images: tests/unit/test_xfs_btrfs_mkimg.sh.
. "$(dirname "$0")/lib/fscommon.bash"
command -v mkfs.xfs >/dev/null || { echo "SKIP: mkfs.xfs missing"; exit 77; }
[ -x /usr/bin/linux.uml ] || { echo "FAIL: /usr/bin/linux.uml missing (user-mode-linux)"; exit 1; }
MKIMG=$PVBOOT_SRC/tests/unit/test_xfs_btrfs_mkimg.sh
# the small source tree (1200-entry node directories, 300-entry bigdir): the
# full one (tests/unit) takes too long to hash file by file in bash
export FSB_MKTREE_ARGS=--small
UUID=5f0c2a1e-8b7d-4c3a-9e21-0123456789ab

variant() {
    local v=$1 d=$WORK/$1
    if ! bash "$MKIMG" "$d" "$v" >"$WORK/mk.log" 2>&1; then
        fail "$v: image build failed: $(tail -5 "$WORK/mk.log")"; return
    fi
    check_tree "$v" "$d/img" hd0 "$d/tree"
    expect_eq "$v probe" "(xen/xvda) size=$(stat -c %s "$d/img") fs=xfs uuid=$UUID label=\"PVB-XFS\"" \
        "$("$FSTEST" "$d/img" -- probe)"
    expect_eq "$v remote symlink" "$(readlink "$d/tree/files/link_long")" \
        "$("$FSTEST" "$d/img" -- readlink '(hd0)/files/link_long')"
    expect_eq "$v through dir symlink" "$(sha256sum <"$d/tree/boot/grub/grub.cfg")" \
        "$("$FSTEST" "$d/img" -- cat '(hd0)/link_dir/grub/grub.cfg' | sha256sum)"
    expect_eq "$v 4K-sector disk" "$(sha256sum <"$d/tree/uml/frag2" | cut -d' ' -f1)" \
        "$("$FSTEST" -s 4096 "$d/img" -- hash '(hd0)/uml/frag2' | cut -d' ' -f1)"
    if "$FSTEST" "$d/img" -- cat '(hd0)/no/such/file' >/dev/null 2>&1; then
        fail "$v: missing file read"; else ok; fi
    rm -rf "$d"
}

# the other feature sets (1k blocks, v5 without bigtime/inobtcount/reflink,
# v4 with ftype) are covered by tests/unit/test_xfs.c; FSB_ALL=1 runs them here.
variant xfs-v5
variant xfs-v4-noftype
if [ -n "${FSB_ALL:-}" ]; then
    variant xfs-v5-1k
    variant xfs-v5-old
    variant xfs-v4
fi
finish
