#!/bin/bash
# SPDX-License-Identifier: MIT
# The host tools on a block device, as an admin runs them on a guest's LV
# (`pvboot-probe /dev/vg0/guest`): the disk's size comes from BLKGETSIZE64
# (st_size is 0 for a block device; it was read as an empty disk) and its
# logical sector size from BLKSSZGET.  Uses a loop device over an image made
# by mke2fs and sfdisk; skips (77) where no loop device can be set up.
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
FS=$BUILD/src/pvboot-fstest
PROBE=$BUILD/src/pvboot-probe
[ -x "$FS" ] && [ -x "$PROBE" ] || { echo "FAIL: tools not built in $BUILD"; exit 1; }
command -v losetup >/dev/null || { echo "SKIP: no losetup"; exit 77; }
T=$(mktemp -d /tmp/pvboot-blockdev.XXXXXX)
LOOPS=()
cleanup() { for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
fails=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails + 1)); fi; }

# a 12 MiB msdos disk: partition 1 from sector 2048, ext4 with a grub.cfg
mkdir -p "$T/tree/boot/grub"
printf 'set timeout=3\nmenuentry "Blockdev Linux" {\n linux /boot/vmlinuz root=/dev/xvda1\n}\n' \
    >"$T/tree/boot/grub/grub.cfg"
head -c 5000 /dev/urandom >"$T/tree/boot/vmlinuz"
truncate -s 10M "$T/part.img"
mke2fs -q -F -t ext4 -U 0b1d2f3a-4c5e-4f60-8172-93a4b5c6d7e8 -d "$T/tree" "$T/part.img"
truncate -s 12M "$T/disk.img"
printf 'label: dos\nstart=2048, size=20480, type=83\n' | sfdisk -q "$T/disk.img"
dd if="$T/part.img" of="$T/disk.img" bs=512 seek=2048 conv=notrunc status=none
L=$(losetup -f --show -r "$T/disk.img" 2>/dev/null) || { echo "SKIP: no loop device (losetup failed)"; exit 77; }
LOOPS+=("$L")
echo "loop device: $L"

P=$("$FS" "$L" -- probe 2>&1)
echo "$P" | sed 's/^/probe| /'
check "whole disk: 12 MiB from BLKGETSIZE64" \
    'echo "$P" | grep -qxF "(xen/xvda) size=12582912 fs=none"'
check "partition 1 found with its ext4 uuid" \
    'echo "$P" | grep -qxF "(xen/xvda,msdos1) size=10485760 start=2048 map=msdos type=0x83 fs=ext2 uuid=0b1d2f3a-4c5e-4f60-8172-93a4b5c6d7e8 label=\"\""'
check "a file read through the loop device is the same" \
    '"$FS" "$L" -- cmp "(hd0,msdos1)/boot/vmlinuz" "$T/tree/boot/vmlinuz" >/dev/null 2>&1'
B=$("$PROBE" -c "$SRC/embed/default.cfg" "$L" 2>&1)
echo "$B" | sed 's/^/boot| /'
check "pvboot-probe picks the guest's entry from the block device" \
    'echo "$B" | grep -q "Blockdev Linux"'

# a 4096-byte logical sector loop device: BLKSSZGET gives the sector size
if L4=$(losetup -f --show -r -b 4096 "$T/part.img" 2>/dev/null); then
    LOOPS+=("$L4")
    P4=$("$FS" "$L4" -- probe 2>&1)
    echo "$P4" | sed 's/^/probe4k| /'
    check "4096-byte sector device: size and fs" \
        'echo "$P4" | grep -qxF "(xen/xvda) size=10485760 fs=ext2 uuid=0b1d2f3a-4c5e-4f60-8172-93a4b5c6d7e8 label=\"\""'
    check "4096-byte sector device: file read" \
        '"$FS" "$L4" -- cmp "(hd0)/boot/vmlinuz" "$T/tree/boot/vmlinuz" >/dev/null 2>&1'
else
    echo "note: losetup -b 4096 not available; 4096-byte case not run"
fi
# -w opens a volume exclusively: one held open O_EXCL (as a running guest's
# backend or a mount holds it) is refused, not written under it
if LW=$(losetup -f --show "$T/disk.img" 2>/dev/null); then
    LOOPS+=("$LW")
    python3 -c 'import os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL); print("held", flush=True); time.sleep(60)' \
        "$LW" >"$T/held" &
    holder=$!
    for _ in $(seq 50); do [ -s "$T/held" ] && break; sleep 0.1; done
    W=$("$PROBE" -w -c "$SRC/embed/default.cfg" "$LW" 2>&1) && wrc=0 || wrc=$?
    kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
    check "-w on a block device in use: refused (exit $wrc: $W)" \
        '[ $wrc = 2 ] && [ "$W" = "pvboot-probe: $LW: in use (mounted or opened by another program, e.g. a running guest); not opened for writing" ]'
    W=$("$PROBE" -q -w -c "$SRC/embed/default.cfg" "$LW" 2>&1) && wrc=0 || wrc=$?
    check "-w on the same device once free: probes (exit $wrc)" '[ $wrc = 0 ] && echo "$W" | grep -q "Blockdev Linux"'
fi
[ "$fails" = 0 ] || { echo "blockdev: $fails failed"; exit 1; }
echo "PASS blockdev"
