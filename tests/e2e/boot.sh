#!/bin/bash
# e2e: an all-modules image built by mkpvimage with the embedded
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
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
CASES=${PVBOOT_E2E_BOOT_CASES:-"ext4:msdos xfs:gpt btrfs:none"}
e2e_need linux

e2e_workdir boot
mk_default_image

for CASE in $CASES; do
    FS=${CASE%%:*} LABEL=${CASE##*:}
    D=$W/$FS-$LABEL
    mkdir -p "$D"
    "$XENLAB" mkdisk "$D/disk.img" --fs "$FS" --label "$LABEL" >"$D/mkdisk.txt" 2>&1 \
        || { echo "FAIL: [$CASE] mkdisk"; cat "$D/mkdisk.txt"; FAILED=1; continue; }
    # the files as mkdisk put them on the disk
    INITRD=$XENLAB_CACHE/domu-initrd-$KVER.img
    TAG="[$CASE] "
    boot_linux_crc "$D/run" "$D/out.txt" '^linux:|XENLAB-DOMU|^error' --disk "$D/disk.img" --timeout 240
    ROOTDEV=/dev/xvda1
    [ "$LABEL" = none ] && ROOTDEV=/dev/xvda
    check_linux_userspace "root=$ROOTDEV ro console=hvc0"
    check "initrd read intact (crc32 $(crc32 "$INITRD"))" \
          'echo "$CON" | grep -q "^linux: initrd: $(stat -c %s "$INITRD") bytes, crc32 $(crc32 "$INITRD")"'
    check "progress line shown" 'echo "$CON" | grep -q "loading /boot/vmlinuz-$KVER: .* MiB/s"'
    check "timing summary shown" 'echo "$CON" | grep -Eq "^linux: .*read [0-9]+ ms, decompress [0-9]+ ms, layout [0-9]+ ms"'
    check "kernel's blkfront reconnected xvda" 'echo "$CON" | grep -q "^XENLAB-DOMU-DISK-OK xvda("'
    check_no_fault
done
e2e_finish boot
