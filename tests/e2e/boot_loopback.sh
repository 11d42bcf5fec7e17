#!/bin/bash
# e2e: kernels kept in image files on the guest's ext4 /boot, reached with
# `loopback` under real Xen (PV).  The guest's grub.cfg first loads the
# kernel from an installer-style ISO (loopback loop /iso/x.iso; linux
# (loop)/install/vmlinuz), deletes that device, then boots Debian's kernel
# and initrd from a SquashFS file (xz, as k3OS keeps its kernel: loopback
# loop0 /$sqfile; linux (loop0)/vmlinuz) to the userspace marker.
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"

e2e_need linux loopback squash4 iso9660
for t in mksquashfs xorriso; do command -v $t >/dev/null || skip "no $t"; done

e2e_workdir loopback
mk_default_image

SQ=$W/sq
mkdir -p "$SQ" "$W/iso/install"
cp "/boot/vmlinuz-$KVER" "$SQ/vmlinuz"
cp "$XENLAB_CACHE/domu-initrd-$KVER.img" "$SQ/initrd.img"
mksquashfs "$SQ" "$W/kernel.squashfs" -comp xz -quiet -noappend -no-progress >/dev/null
cp "/boot/vmlinuz-$KVER" "$W/iso/install/vmlinuz"
xorriso -as mkisofs -quiet -R -J -V PVBOOT_INST -o "$W/x.iso" "$W/iso" 2>/dev/null

CFG=$W/grub.cfg
cat >"$CFG" <<'CFG'
set timeout=0
loopback loop /iso/x.iso
ls (loop)
linux (loop)/install/vmlinuz root=/dev/xvda1 ro console=hvc0 src=iso
echo LOOP-LOADED iso
loopback -d loop
echo LOOP-DELETED $?
set sqfile=/k3os/system/kernel/current/kernel.squashfs
loopback loop0 /$sqfile
linux (loop0)/vmlinuz root=/dev/xvda1 ro console=hvc0 src=squashfs
initrd (loop0)/initrd.img
echo LOOP-BOOTING
boot
CFG
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos --size 160 --cfg "$CFG" \
    --add "$W/x.iso:/iso/x.iso" --add "$W/kernel.squashfs:/k3os/system/kernel/current/kernel.squashfs" \
    >"$W/mkdisk.txt" 2>&1 || { cat "$W/mkdisk.txt"; echo "FAIL: mkdisk"; exit 1; }

xenlab_run "$W/run" "$W/out.txt" --loader "$W/pvboot.bin" --disk "$W/disk.img" --expect 'XENLAB-DOMU-DISK-OK' \
    --memory 512 --timeout 600
show_console '^LOOP-|^error|^linux:|Device loop|XENLAB-DOMU'
check "ls shows the ISO on (loop)" 'echo "$CON" | grep -q "Device loop: Filesystem type iso9660 - Label .PVBOOT_INST."'
check "kernel loaded from the ISO" 'echo "$CON" | grep -qx "LOOP-LOADED iso"'
check "loop device deleted" 'echo "$CON" | grep -qx "LOOP-DELETED 0"'
check "no errors" '! echo "$CON" | grep -q "^error"'
check "booted from the squashfs (rc $rc)" '[ $rc = 0 ]'
check "its command line arrived" \
      'echo "$CON" | grep -qx "XENLAB-DOMU-CMDLINE: root=/dev/xvda1 ro console=hvc0 src=squashfs"'
e2e_finish boot_loopback
