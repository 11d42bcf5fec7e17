#!/bin/bash
# e2e (issue 4): /boot on an LVM2 logical volume.  The guest's only disk is
# a whole-disk PV (no partition table) of VG "vg0"; its LV "boot" (two
# segments, around an LV "pad") holds an ext4 /boot made by mke2fs -d with
# the kernel, the initrd and /grub/grub.cfg.  The image runs the default
# embedded config, which must find /grub/grub.cfg on (lvm/vg0-boot); that
# config uses `search --fs-uuid` for the LV's filesystem and boots the kernel
# to the guest's userspace marker with its exact command line.  One boot.
#
# lvm2 needs block devices: pvcreate/lvcreate run in User-Mode Linux on the
# image file (see tests/host/lvm_md.sh); no root, no loop devices.
set -euo pipefail
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PVBOOT_BUILD=${PVBOOT_BUILD:-$PVBOOT_SRC/build}
MODDIR=${PVBOOT_MODDIR:-$PVBOOT_BUILD/modules/x86_64-xen}
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
XENLAB_CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}
KVER=6.1.0-57-amd64

skip() { echo "SKIP: $*"; exit 77; }
[ -s "$XENLAB_CACHE/stamp" ] || skip "xenlab not set up ($XENLAB_CACHE/stamp missing)"
[ -x "$PVBOOT_BUILD/src/mkpvimage" ] || skip "mkpvimage not built in $PVBOOT_BUILD"
[ -s "$MODDIR/lvm.mod" ] || skip "$MODDIR/lvm.mod not built"
command -v linux.uml >/dev/null || skip "user-mode-linux missing"
[ -x /sbin/lvm ] || [ -x /usr/sbin/lvm ] || skip "lvm2 missing"
[ -s "/boot/vmlinuz-$KVER" ] || skip "/boot/vmlinuz-$KVER missing"

W=$(mktemp -d /tmp/pvboot-e2e-lvm.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$PVBOOT_BUILD/src/mkpvimage" -O x86_64-xen -d "$MODDIR" -c "$PVBOOT_SRC/embed/default.cfg" \
    -o "$W/pvboot.bin"

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
C='devices{obtain_device_list_from_udev=0 scan=["/dev"]} activation{udev_sync=0 udev_rules=0 monitoring=0} backup{backup=0 archive=0}'
lvm pvcreate --config "\$C" -y /dev/ubda
lvm vgcreate --config "\$C" -s 4M vg0 /dev/ubda
lvm lvcreate --config "\$C" -y -Zn -l 4 -n boot vg0
lvm lvcreate --config "\$C" -y -Zn -l 1 -n pad vg0
lvm lvextend --config "\$C" -l +6 vg0/boot
dd if=$W/boot.ext4 of=/dev/mapper/vg0-boot bs=1M conv=fsync
lvm vgchange --config "\$C" -an vg0
UMLEOF
cat >"$W/init.sh" <<INITEOF
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
if sh "$W/uml.sh" >"$W/uml.log" 2>&1; then echo ok >"$W/uml.status"; else echo "fail \$?" >"$W/uml.status"; fi
sync
halt -f
INITEOF
chmod +x "$W/init.sh"
timeout 300 linux.uml mem=256M "ubd0=$W/disk.img" root=/dev/root rootfstype=hostfs rootflags=/ rw \
    "init=$W/init.sh" con=null con0=fd:0,fd:1 >"$W/uml.console" 2>&1 </dev/null || true
if [ "$(cat "$W/uml.status" 2>/dev/null)" != ok ]; then
    echo "UML step failed: $(cat "$W/uml.status" 2>/dev/null || echo 'no status')"
    tail -n 30 "$W/uml.log" "$W/uml.console"
    exit 1
fi
# the host tool sees the same thing the guest will
"$PVBOOT_BUILD/src/pvboot-fstest" "$W/disk.img" -- probe | grep 'lvm/vg0-boot' || true

rc=0
"$XENLAB" run --loader "$W/pvboot.bin" --disk "$W/disk.img" --expect 'XENLAB-DOMU-DISK-OK' \
    --timeout 180 --cfg-line 'on_crash = "preserve"' --outdir "$W/run" >"$W/out.txt" 2>&1 || rc=$?
CON=$(tr -d '\r' <"$W/run/domu-console.log" 2>/dev/null || true)
echo "$CON" | grep -aE '^error|^linux:|^root is|XENLAB-DOMU' | sed 's/^/console| /' || true
FAILED=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; FAILED=1; fi; }
check "booted to XENLAB-DOMU-DISK-OK (rc $rc)" '[ $rc = 0 ]'
check "search --fs-uuid found the LV" 'echo "$CON" | grep -qxF "root is lvm/vg0-boot"'
check "the entry's exact command line arrived" \
      'echo "$CON" | grep -qxF "XENLAB-DOMU-CMDLINE: $CMDLINE"'
check "kernel read from the LV" 'echo "$CON" | grep -q "^linux: /vmlinuz-$KVER: read"'
[ "$FAILED" = 0 ] || { echo "work dir kept: $W"; tail -n 20 "$W/out.txt"; trap - EXIT; exit 1; }
echo "PASS boot_lvm"
