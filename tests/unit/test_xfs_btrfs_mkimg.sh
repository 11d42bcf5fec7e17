#!/bin/bash
# SPDX-License-Identifier: MIT
# Build one xfs or btrfs test image with the real tools, plus the source tree
# it must match.  Used by tests/unit/test_xfs.c, test_btrfs.c and
# tests/host/fs_xfs.sh, fs_btrfs.sh.
#
#   test_xfs_btrfs_mkimg.sh OUTDIR VARIANT
#
# Writes OUTDIR/img (the filesystem image), OUTDIR/tree (what its root must
# list and contain) and OUTDIR/info (KEY=VALUE: uuid, label, default subvol).
# Variants: xfs-v5 xfs-v5-1k xfs-v5-old xfs-v4 xfs-v4-noftype
#           btrfs-plain btrfs-small btrfs-zlib btrfs-lzo btrfs-zstd
#           btrfs-tree (a given tree, see below)
# mkfs.xfs gets a protofile; mkfs.btrfs gets --rootdir.  What mkfs cannot
# make (fragmented/sparse/preallocated/reflinked files, btrfs compression
# and subvolumes: btrfs-progs 6.2 has no --compress/--subvol for --rootdir)
# is then written by the real kernel drivers in User-Mode Linux (package
# user-mode-linux: an unprivileged process, no loop mount on the host).
set -euo pipefail
out=$1 variant=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../host/lib/uml.sh
. "$here/../host/lib/uml.sh"
PY=/usr/bin/python3
mkdir -p "$out"
rm -rf "$out/tree" "$out/img" "$out/uml"
tree=$out/tree
# xfsprogs >= 5.19 refuses filesystems < 300 MB outside fstests
export TEST_DIR=$out TEST_DEV=$out/img QA_CHECK_FS=1

xfs_proto() {
    $PY - "$1" <<'PYEOF'
import os, stat, sys
root = sys.argv[1]
print("/dev/null"); print("0 0"); print("d--755 0 0")
def walk(d, ind):
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n); st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode): print("%s%s l--777 0 0 %s" % (ind, n, os.readlink(p)))
        elif stat.S_ISDIR(st.st_mode):
            print("%s%s d--755 0 0" % (ind, n)); walk(p, ind + " "); print(ind + "$")
        else: print("%s%s ---644 0 0 %s" % (ind, n, p))
walk(root, " ")
print("$")
PYEOF
}

# Files that the kernel writes in UML: host copies go to $tree/$1/uml.
uml_files() {
    local d=$1/uml
    mkdir -p "$d"
    $PY - "$d" <<'PYEOF'
import random, sys, os
d = sys.argv[1]
r = random.Random(7)
for n in ("frag1", "frag2"):
    open(os.path.join(d, n), "wb").write(r.randbytes(600 * 4096 + 1000))
# sparse: one 4 KiB block of data every 3 blocks, 1200 blocks, then a tail hole
with open(os.path.join(d, "sparse"), "wb") as f:
    for i in range(0, 3600, 3):
        f.seek(i * 4096); f.write(r.randbytes(4096))
    f.truncate(3700 * 4096 + 5)
# preallocated: written head, unwritten rest
with open(os.path.join(d, "prealloc"), "wb") as f:
    f.write(r.randbytes(10000)); f.truncate(1024 * 1024)
PYEOF
    cp "$1/boot/vmlinuz-6.1.0-test" "$d/vmlinuz.reflink"
    ln -s "$(printf 'dir%04d/' $(seq 1 126))end" "$d/link_long_kernel"
    cp "$d/frag1" "$d/frag1.hardlink"
}

# Run shell script $2 inside UML with image $1 as /dev/ubda (logs in $out).
run_uml() { uml_run "$out" "$2" 512M "$1"; }

# The UML-side copier: fragmenting, hole-preserving, fallocating, reflinking.
uml_copy_script() {  # $1 = source uml dir, $2 = target dir in the mount
    cat <<EOF2
mkdir -p "$2"
/usr/bin/python3 - "$1" "$2" <<'PYEOF'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
a = open(os.path.join(src, "frag1"), "rb").read(); b = open(os.path.join(src, "frag2"), "rb").read()
fa = os.open(os.path.join(dst, "frag1"), os.O_CREAT | os.O_WRONLY, 0o644)
fb = os.open(os.path.join(dst, "frag2"), os.O_CREAT | os.O_WRONLY, 0o644)
for off in range(0, max(len(a), len(b)), 4096):
    for fd, data in ((fa, a), (fb, b)):
        if off < len(data):
            os.pwrite(fd, data[off:off + 4096], off); os.fsync(fd)
os.close(fa); os.close(fb)
s = open(os.path.join(src, "sparse"), "rb").read()
fd = os.open(os.path.join(dst, "sparse"), os.O_CREAT | os.O_WRONLY, 0o644)
for off in range(0, len(s), 4096):
    blk = s[off:off + 4096]
    if blk.count(0) != len(blk):
        os.pwrite(fd, blk, off)
os.ftruncate(fd, len(s)); os.close(fd)
p = open(os.path.join(src, "prealloc"), "rb").read()
fd = os.open(os.path.join(dst, "prealloc"), os.O_CREAT | os.O_WRONLY, 0o644)
os.posix_fallocate(fd, 0, len(p)); os.pwrite(fd, p[:10000], 0); os.close(fd)
PYEOF
cp --reflink=always "$2/../boot/vmlinuz-6.1.0-test" "$2/vmlinuz.reflink"
ln "$2/frag1" "$2/frag1.hardlink"
ln -s "\$(readlink "$1/link_long_kernel")" "$2/link_long_kernel"
EOF2
}

case "$variant" in
xfs-small)  # small image for the corruption suite and fuzzer seeds
    $PY "$here/test_xfs_btrfs_mktree.py" "$tree" --small
    xfs_proto "$tree" >"$out/proto"
    truncate -s 32M "$out/img"
    mkfs.xfs -q -f -L PVB-XFS -m uuid=5f0c2a1e-8b7d-4c3a-9e21-0123456789ab -d agcount=2 \
        -p "$out/proto" "$out/img"
    printf 'uuid=5f0c2a1e-8b7d-4c3a-9e21-0123456789ab\nlabel=PVB-XFS\n' >"$out/info"
    ;;
btrfs-small-zstd)  # small kernel-written zstd image with a default subvolume
    mkdir -p "$tree/@"
    $PY "$here/test_xfs_btrfs_mktree.py" "$tree/@" --small
    truncate -s 120M "$out/img"
    mkfs.btrfs -q -f -L PVB-BTRFS -U 1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0 "$out/img" >/dev/null
    mp=$out/mnt
    mkdir -p "$mp"
    {
        echo "mount -o compress-force=zstd /dev/ubda '$mp'"
        echo "btrfs subvolume create '$mp/@' >/dev/null"
        echo "cp -a '$tree/@/.' '$mp/@/'"
        echo "btrfs subvolume set-default \$(btrfs inspect-internal rootid '$mp/@') '$mp'"
        echo "umount '$mp'"
    } >"$out/uml.sh"
    run_uml "$out/img" "$out/uml.sh"
    printf 'uuid=1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0\nlabel=PVB-BTRFS\ndefault=@\n' >"$out/info"
    ;;
btrfs-tree)
    # The tree FSB_TREE copied (cp -a) onto a fresh btrfs by the kernel, after
    # creating the subvolumes FSB_SUBVOLS (space-separated paths from the top
    # level, in order; missing parent directories are made), then
    # FSB_DEFAULT (one of them, or empty) made the default subvolume.
    # FSB_COMPRESS: mount -o compress-force= value (empty: none).  FSB_UUID,
    # FSB_LABEL, FSB_SIZE_MB (default 256).  OUTDIR/tree is a symlink to
    # FSB_TREE; OUTDIR/info gets default=PATH and defaultid=ID.
    : "${FSB_TREE:?btrfs-tree needs FSB_TREE}"
    ln -s "$(cd "$FSB_TREE" && pwd)" "$tree"
    truncate -s "${FSB_SIZE_MB:-256}M" "$out/img"
    mk=(mkfs.btrfs -q -f)
    [ -z "${FSB_UUID:-}" ] || mk+=(-U "$FSB_UUID")
    [ -z "${FSB_LABEL:-}" ] || mk+=(-L "$FSB_LABEL")
    "${mk[@]}" "$out/img" >/dev/null
    mp=$out/mnt
    mkdir -p "$mp"
    {
        if [ -n "${FSB_COMPRESS:-}" ]; then
            echo "mount -o 'compress-force=$FSB_COMPRESS' /dev/ubda '$mp'"
        else
            echo "mount /dev/ubda '$mp'"
        fi
        for sv in ${FSB_SUBVOLS:-}; do
            echo "mkdir -p \"\$(dirname '$mp/$sv')\""
            echo "btrfs subvolume create '$mp/$sv' >/dev/null"
        done
        echo "cp -a '$tree/.' '$mp/'"
        if [ -n "${FSB_DEFAULT:-}" ]; then
            echo "id=\$(btrfs inspect-internal rootid '$mp/$FSB_DEFAULT')"
            echo "btrfs subvolume set-default \$id '$mp'"
            echo "echo \$id >'$out/defaultid'"
        fi
        echo "umount '$mp'"
    } >"$out/uml.sh"
    run_uml "$out/img" "$out/uml.sh"
    printf 'uuid=%s\nlabel=%s\ndefault=%s\ndefaultid=%s\n' "${FSB_UUID:-}" "${FSB_LABEL:-}" \
        "${FSB_DEFAULT:-}" "$(cat "$out/defaultid" 2>/dev/null || echo 5)" >"$out/info"
    ;;
btrfs-small-plain)
    $PY "$here/test_xfs_btrfs_mktree.py" "$tree" --small
    truncate -s 120M "$out/img"
    mkfs.btrfs -q -f -L PVB-BTRFS -U 1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0 --rootdir "$tree" "$out/img" >/dev/null
    printf 'uuid=1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0\nlabel=PVB-BTRFS\ndefault=\n' >"$out/info"
    ;;
xfs-*)
    $PY "$here/test_xfs_btrfs_mktree.py" "$tree" ${FSB_MKTREE_ARGS:-}
    opts=()
    case "$variant" in
        xfs-v5) opts=(-i nrext64=1) ;;
        xfs-v5-1k) opts=(-b size=1024 -n size=4096 -i size=512) ;;
        xfs-v5-old) opts=(-m bigtime=0,inobtcount=0,reflink=0,finobt=0 -i sparse=0) ;;
        xfs-v4) opts=(-m crc=0 -n ftype=1) ;;
        xfs-v4-noftype) opts=(-m crc=0 -n ftype=0) ;;
        *) echo "unknown variant $variant" >&2; exit 2 ;;
    esac
    xfs_proto "$tree" >"$out/proto"
    truncate -s 160M "$out/img"
    uuid=5f0c2a1e-8b7d-4c3a-9e21-0123456789ab
    mkfs.xfs -q -f -L PVB-XFS -m uuid=$uuid "${opts[@]}" -p "$out/proto" "$out/img"
    uml_files "$tree"
    mp=$out/mnt
    mkdir -p "$mp"
    {
        echo "mount -o allocsize=4096 /dev/ubda '$mp'"
        uml_copy_script "$tree/uml" "$mp/uml"
        case "$variant" in xfs-v4*|xfs-v5-old) echo ": no reflink";; esac
        echo "umount '$mp'"
    } >"$out/uml.sh"
    case "$variant" in
        xfs-v4*|xfs-v5-old)  # no reflink feature: make a plain copy instead
            sed -i 's/cp --reflink=always/cp/' "$out/uml.sh" ;;
    esac
    run_uml "$out/img" "$out/uml.sh"
    printf 'uuid=%s\nlabel=PVB-XFS\n' "$uuid" >"$out/info"
    ;;
btrfs-*)
    uuid=1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0
    case "$variant" in
    btrfs-plain|btrfs-small)
        $PY "$here/test_xfs_btrfs_mktree.py" "$tree" ${FSB_MKTREE_ARGS:-}
        opts=()
        [ "$variant" = btrfs-small ] && opts=(--nodesize 4096 -m single -d single)
        truncate -s 200M "$out/img"
        mkfs.btrfs -q -f -L PVB-BTRFS -U $uuid "${opts[@]}" --rootdir "$tree" "$out/img" >/dev/null
        printf 'uuid=%s\nlabel=PVB-BTRFS\ndefault=\n' "$uuid" >"$out/info"
        ;;
    btrfs-zlib|btrfs-lzo|btrfs-zstd)
        alg=${variant#btrfs-}
        mkdir -p "$tree/@" "$tree/@home/user"
        $PY "$here/test_xfs_btrfs_mktree.py" "$tree/@" ${FSB_MKTREE_ARGS:-}
        echo home >"$tree/@home/user/file"
        echo top >"$tree/topfile"
        uml_files "$tree/@"
        mkdir -p "$tree/@/.snapshots/1/snapshot"
        cp -a "$tree/@/boot" "$tree/@/.snapshots/1/snapshot/boot"
        ln -s /boot/grub/grub.cfg "$tree/@/.snapshots/1/snapshot/grub.cfg.abs"
        truncate -s 300M "$out/img"
        mkfs.btrfs -q -f -L PVB-BTRFS -U $uuid "$out/img" >/dev/null
        mp=$out/mnt
        mkdir -p "$mp"
        {
            echo "mount -o compress-force=$alg,max_inline=2048 /dev/ubda '$mp'"
            echo "btrfs subvolume create '$mp/@' >/dev/null"
            echo "cp -a '$tree/@/boot' '$mp/@/'"
            echo "btrfs subvolume snapshot '$mp/@' '$mp/snaptmp' >/dev/null"
            echo "for f in '$tree/@'/*; do case \"\$f\" in */uml|*/boot) ;; *) cp -a \"\$f\" '$mp/@/';; esac; done"
            uml_copy_script "$tree/@/uml" "$mp/@/uml"
            echo "btrfs subvolume create '$mp/@/.snapshots' >/dev/null"
            echo "mkdir '$mp/@/.snapshots/1'"
            echo "mv '$mp/snaptmp' '$mp/@/.snapshots/1/snapshot'"
            # absolute target: resolves in the default subvolume only with
            # btrfs_relative_path=y (from the top level there is no /boot)
            echo "ln -s /boot/grub/grub.cfg '$mp/@/.snapshots/1/snapshot/grub.cfg.abs'"
            echo "btrfs subvolume create '$mp/@home' >/dev/null"
            echo "cp -a '$tree/@home/user' '$mp/@home/'"
            echo "cp -a '$tree/topfile' '$mp/'"
            echo "id=\$(btrfs inspect-internal rootid '$mp/@/.snapshots/1/snapshot')"
            echo "btrfs subvolume set-default \$id '$mp'"
            echo "umount '$mp'"
        } >"$out/uml.sh"
        run_uml "$out/img" "$out/uml.sh"
        n=$(btrfs inspect-internal dump-tree "$out/img" | grep -c "compression $(case $alg in zlib) echo 1;; lzo) echo 2;; zstd) echo 3;; esac)" || true)
        printf 'uuid=%s\nlabel=PVB-BTRFS\ndefault=@/.snapshots/1/snapshot\ncompressed=%s\n' "$uuid" "$n" >"$out/info"
        ;;
    *) echo "unknown variant $variant" >&2; exit 2 ;;
    esac
    ;;
*) echo "unknown variant $variant" >&2; exit 2 ;;
esac
