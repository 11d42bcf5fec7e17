#!/bin/bash
# e2e (issue 6): an all-modules image built by mkpvimage with the embedded
# default config boots Debian 12's own kernel (xz bzImage) + initrd from a
# disk made by `xenlab mkdisk`, under real Xen in QEMU, to the guest's
# userspace marker, and the kernel's own blkfront reconnects xvda
# (XENLAB-DOMU-DISK-OK: the loader released the disk cleanly).  Checked too:
# /proc/cmdline as printed by the guest equals the grub.cfg's kernel
# arguments, the initrd the loader read has the host file's CRC32, the loader
# printed its progress and one-line timing summary.
#
# Cases: PVBOOT_E2E_BOOT_CASES (default "ext4:msdos xfs:gpt btrfs:none"),
# each FS:LABEL as in `xenlab mkdisk --fs FS --label LABEL`.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
set -euo pipefail
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PVBOOT_BUILD=${PVBOOT_BUILD:-$PVBOOT_SRC/build}
MODDIR=${PVBOOT_MODDIR:-$PVBOOT_BUILD/modules/x86_64-xen}
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
XENLAB_CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}
CASES=${PVBOOT_E2E_BOOT_CASES:-"ext4:msdos xfs:gpt btrfs:none"}
KVER=6.1.0-57-amd64

skip() { echo "SKIP: $*"; exit 77; }
[ -s "$XENLAB_CACHE/stamp" ] || skip "xenlab not set up ($XENLAB_CACHE/stamp missing)"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
[ -x "$PVBOOT_BUILD/src/mkpvimage" ] || skip "mkpvimage not built in $PVBOOT_BUILD"
[ -s "$MODDIR/linux.mod" ] || skip "$MODDIR/linux.mod not built"

W=$(mktemp -d /tmp/pvboot-e2e-boot.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$PVBOOT_BUILD/src/mkpvimage" -O x86_64-xen -d "$MODDIR" -c "$PVBOOT_SRC/embed/default.cfg" \
    -o "$W/pvboot.bin"

FAILED=0
check() { if eval "$2"; then echo "ok: [$CASE] $1"; else echo "FAIL: [$CASE] $1"; FAILED=1; fi; }
crc32() { python3 -c 'import sys,zlib; print("%08x" % zlib.crc32(open(sys.argv[1],"rb").read()))' "$1"; }

for CASE in $CASES; do
    FS=${CASE%%:*} LABEL=${CASE##*:}
    D=$W/$FS-$LABEL
    mkdir -p "$D"
    "$XENLAB" mkdisk "$D/disk.img" --fs "$FS" --label "$LABEL" >"$D/mkdisk.txt" 2>&1 \
        || { echo "FAIL: [$CASE] mkdisk"; cat "$D/mkdisk.txt"; FAILED=1; continue; }
    # the files as mkdisk put them on the disk
    INITRD=$XENLAB_CACHE/domu-initrd-$KVER.img
    rc=0
    "$XENLAB" run --loader "$W/pvboot.bin" --disk "$D/disk.img" \
        --extra 'xen_grub_env_linux_crc=1' --expect 'XENLAB-DOMU-DISK-OK' \
        --mark 'linux: starting the kernel' --timeout 240 \
        --cfg-line 'on_crash = "preserve"' --outdir "$D/run" >"$D/out.txt" 2>&1 || rc=$?
    CON=$(tr -d '\r' <"$D/run/domu-console.log" 2>/dev/null || true)
    echo "$CON" | grep -E '^linux:|XENLAB-DOMU|^error' | sed "s/^/[$CASE] console| /" || true
    grep 'XENLAB-TIME' "$D/out.txt" | sed "s/^/[$CASE] /" || true
    check "xenlab matched XENLAB-DOMU-DISK-OK (rc $rc)" '[ $rc = 0 ]'
    check "userspace reached" 'echo "$CON" | grep -q "^XENLAB-DOMU-USERSPACE-OK"'
    ROOTDEV=/dev/xvda1
    [ "$LABEL" = none ] && ROOTDEV=/dev/xvda
    check "/proc/cmdline is the grub.cfg arguments" \
          'echo "$CON" | grep -qx "XENLAB-DOMU-CMDLINE: root=$ROOTDEV ro console=hvc0"'
    check "initrd read intact (crc32 $(crc32 "$INITRD"))" \
          'echo "$CON" | grep -q "^linux: initrd: $(stat -c %s "$INITRD") bytes, crc32 $(crc32 "$INITRD")"'
    check "progress line shown" 'echo "$CON" | grep -q "loading /boot/vmlinuz-$KVER: .* MiB/s"'
    check "timing summary shown" 'echo "$CON" | grep -Eq "^linux: .*read [0-9]+ ms, decompress [0-9]+ ms, layout [0-9]+ ms"'
    check "kernel's blkfront reconnected xvda" 'echo "$CON" | grep -q "^XENLAB-DOMU-DISK-OK xvda("'
    check "no loader fault" '! echo "$CON" | grep -Eq "pvboot: fatal exception|panic:"'
done
[ "$FAILED" = 0 ] || { echo "work dir kept: $W"; trap - EXIT; exit 1; }
echo "PASS boot"
