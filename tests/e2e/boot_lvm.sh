#!/bin/bash
# e2e: /boot on an LVM2 logical volume.  The guest's only disk is
# a whole-disk PV (no partition table) of VG "vg0"; its LV "boot" (two
# segments, around an LV "pad") holds an ext4 /boot made by mke2fs -d with
# the kernel, the initrd and /grub/grub.cfg.  The image runs the default
# embedded config, which must find /grub/grub.cfg on (lvm/vg0-boot); that
# config uses `search --fs-uuid` for the LV's filesystem and boots the kernel
# to the guest's userspace marker with its exact command line.  One boot.
#
# lvm2 needs block devices: pvcreate/lvcreate run in User-Mode Linux on the
# image file (see tests/host/lvm_md.sh); no root, no loop devices.
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
# shellcheck source-path=SCRIPTDIR source=../host/lib/uml.sh
. "$PVBOOT_SRC/tests/host/lib/uml.sh"
e2e_need --no-qemu lvm
command -v linux.uml >/dev/null || skip "user-mode-linux missing"
[ -x /sbin/lvm ] || [ -x /usr/sbin/lvm ] || skip "lvm2 missing"
[ -s "/boot/vmlinuz-$KVER" ] || skip "/boot/vmlinuz-$KVER missing"

e2e_workdir lvm
mk_default_image

UUID=7e1f0c2a-5b3d-4e6f-8a9b-0c1d2e3f4a5b
CMDLINE="root=/dev/mapper/vg0-root ro console=hvc0 PVBOOT-LVM-BOOT"
mkdir -p "$W/boot/grub"
cp "/boot/vmlinuz-$KVER" "$W/boot/"
cp "$XENLAB_CACHE/domu-initrd-$KVER.img" "$W/boot/initrd.img-$KVER"
cat >"$W/boot/grub/grub.cfg" <<CFG
set timeout=0
menuentry 'Debian GNU/Linux (/boot on LVM)' {
	insmod lvm
	insmod ext2
	search --no-floppy --fs-uuid --set=root $UUID
	echo "root is \$root"
	linux /vmlinuz-$KVER $CMDLINE
	initrd /initrd.img-$KVER
}
CFG
mke2fs -q -F -t ext4 -U "$UUID" -L boot -d "$W/boot" "$W/boot.ext4" 40M
truncate -s 64M "$W/disk.img"

cat >"$W/uml.sh" <<UMLEOF
set -ex
mount -t tmpfs tmp /run
mkdir -p /run/lock/lvm
insmod /usr/lib/uml/modules/\$(uname -r)/kernel/drivers/md/dm-mod.ko
C='$UML_LVM_CONF'
lvm pvcreate --config "\$C" -y /dev/ubda
lvm vgcreate --config "\$C" -s 4M vg0 /dev/ubda
lvm lvcreate --config "\$C" -y -Zn -l 4 -n boot vg0
lvm lvcreate --config "\$C" -y -Zn -l 1 -n pad vg0
lvm lvextend --config "\$C" -l +6 vg0/boot
dd if=$W/boot.ext4 of=/dev/mapper/vg0-boot bs=1M conv=fsync
lvm vgchange --config "\$C" -an vg0
UMLEOF
uml_run "$W" "$W/uml.sh" 256M "$W/disk.img" || exit 1
# the host tool sees the same thing the guest will
"$PVBOOT_BUILD/src/pvboot-fstest" "$W/disk.img" -- probe | grep 'lvm/vg0-boot' || true

xenlab_run "$W/run" "$W/out.txt" --loader "$W/pvboot.bin" --disk "$W/disk.img" --expect 'XENLAB-DOMU-DISK-OK' \
    --timeout 180
show_console '^error|^linux:|^root is|XENLAB-DOMU'
check "booted to XENLAB-DOMU-DISK-OK (rc $rc)" '[ $rc = 0 ]'
check "search --fs-uuid found the LV" 'echo "$CON" | grep -qxF "root is lvm/vg0-boot"'
check "the entry's exact command line arrived" \
      'echo "$CON" | grep -qxF "XENLAB-DOMU-CMDLINE: $CMDLINE"'
check "kernel read from the LV" 'echo "$CON" | grep -q "^linux: /vmlinuz-$KVER: read"'
e2e_finish boot_lvm "$W/out.txt"
