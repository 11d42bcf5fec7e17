#!/bin/bash
# LVM2 logical volumes and md RAID1 arrays made by the real lvm2 and mdadm
# tools, read through pvboot-fstest: (lvm/VG-LV) with several segments on
# two PVs, '-' doubled in names, a striped LV refused by name, a PV missing;
# (md/NAME), (mdN), (mduuid/UUID) for superblocks 1.0, 1.1, 1.2 and 0.90,
# with one member missing.  Every file's sha256 and the listings are
# compared with the source tree.
#
# lvm2 and mdadm need block devices and device-mapper/md drivers: they run
# inside User-Mode Linux (package user-mode-linux; dm-mod, md-mod and raid1
# are modules of the Debian UML kernel, loaded with insmod) on ubd disks that
# are plain image files here.  No root, no loop devices, no host mounts.
. "$(dirname "$0")/lib/fscommon.bash"
# shellcheck source-path=SCRIPTDIR source=lib/uml.sh
. "$(dirname "$0")/lib/uml.sh"
for t in linux.uml mke2fs; do
    command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
[ -x /sbin/lvm ] || [ -x /usr/sbin/lvm ] || { echo "SKIP: lvm2 missing"; exit 77; }
[ -x /sbin/mdadm ] || [ -x /usr/sbin/mdadm ] || { echo "SKIP: mdadm missing"; exit 77; }

SRC=$WORK/src
make_tree "$SRC" small
SRC2=$WORK/src2
mkdir -p "$SRC2/boot"
rand_bytes small-kernel 300000 >"$SRC2/boot/vmlinuz"
echo "root-fs" >"$SRC2/id"

# filesystems made on the host by mke2fs -d, copied into the LVs/arrays in UML
mkfs() {  # mkfs IMG SIZE UUID LABEL TREE
    mke2fs -q -F -t ext4 -U "$3" -L "$4" -d "$5" "$1" "$2"
}
U_BOOT=1a2b3c4d-0000-4000-8000-00000000b007
mkfs "$WORK/boot.ext4" 32M $U_BOOT lvboot "$SRC"
mkfs "$WORK/rootfs.ext4" 8M 1a2b3c4d-0000-4000-8000-0000000000f5 lvroot "$SRC2"
for v in 12 10 11 09; do
    mkfs "$WORK/md${v#0}.ext4" 28M "2b3c4d5e-0000-4000-8000-0000000000$v" "md${v#0}" "$SRC"
done
D=(pv1 pv2 m12a m12b m10a m10b m9a m9b m11a lma lmb)
imgs=()
for d in "${D[@]}"; do
    truncate -s 40M "$WORK/$d.img"
    imgs+=("$WORK/$d.img")
done

cat >"$WORK/uml.sh" <<UMLEOF
set -ex
export MDADM_NO_UDEV=1
mount -t tmpfs tmp /run
mkdir -p /run/lock/lvm /run/mdadm
M=/usr/lib/uml/modules/\$(uname -r)/kernel/drivers/md
insmod \$M/dm-mod.ko
insmod \$M/md-mod.ko
insmod \$M/raid1.ko
C='$UML_LVM_CONF'
lvm pvcreate --config "\$C" -y /dev/ubda /dev/ubdb
lvm vgcreate --config "\$C" -s 4M vg0 /dev/ubda /dev/ubdb
# boot: extents 0-1 and 3-5 on pv1, then 2 on pv2 (three segments, two PVs)
lvm lvcreate --config "\$C" -y -Zn -l 2 -n boot vg0 /dev/ubda
lvm lvcreate --config "\$C" -y -Zn -l 1 -n pad vg0 /dev/ubda
lvm lvextend --config "\$C" -l +3 vg0/boot /dev/ubda
lvm lvextend --config "\$C" -l +3 vg0/boot /dev/ubdb
lvm lvcreate --config "\$C" -y -Zn -l 2 -n root-fs vg0 /dev/ubdb
lvm lvcreate --config "\$C" -y -Zn -i 2 -I 64k -l 2 -n striped vg0
dd if=$WORK/boot.ext4 of=/dev/mapper/vg0-boot bs=1M conv=fsync
dd if=$WORK/rootfs.ext4 of=/dev/mapper/vg0-root--fs bs=1M conv=fsync
lvm lvs --config "\$C" --noheadings -o lv_name,seg_start_pe,seg_size_pe,devices,segtype > $WORK/lvs.txt
lvm lvs --config "\$C" --noheadings -o vg_uuid,lv_uuid vg0/boot > $WORK/lvid.txt
lvm pvs --config "\$C" --noheadings -o pv_name,pv_uuid | sed 's/^ *[^ ]* */pv_uuid /' > $WORK/pvs.txt
lvm vgchange --config "\$C" -an vg0
mdadm --create /dev/md12 --run --assume-clean --homehost=pvb --name=boot12 --metadata=1.2 --level=1 --raid-devices=2 /dev/ubdc /dev/ubdd
mdadm --create /dev/md10 --run --assume-clean --homehost=pvb --name=boot10 --metadata=1.0 --level=1 --raid-devices=2 /dev/ubde /dev/ubdf
mdadm --create /dev/md9 --run --assume-clean --metadata=0.90 --level=1 --raid-devices=2 /dev/ubdg /dev/ubdh
mdadm --create /dev/md11 --run --assume-clean --homehost=pvb --name=boot11 --metadata=1.1 --level=1 --raid-devices=2 /dev/ubdi missing
for v in 12 10 9 11; do dd if=$WORK/md\$v.ext4 of=/dev/md\$v bs=1M conv=fsync; done
# LVM on md (1.0 superblock: each member also shows the PV label at its start)
mdadm --create /dev/md13 --run --assume-clean --homehost=pvb --name=pvmd --metadata=1.0 --level=1 --raid-devices=2 /dev/ubdj /dev/ubdk
lvm pvcreate --config "\$C" -y /dev/md13
lvm vgcreate --config "\$C" -s 4M vgmd /dev/md13
lvm lvcreate --config "\$C" -y -Zn -l 2 -n boot vgmd
dd if=$WORK/rootfs.ext4 of=/dev/mapper/vgmd-boot bs=1M conv=fsync
lvm vgchange --config "\$C" -an vgmd
mdadm --detail --export /dev/md12 > $WORK/md12.detail
mdadm --detail --export /dev/md9 > $WORK/md9.detail
mdadm --stop /dev/md12 /dev/md10 /dev/md9 /dev/md11 /dev/md13
UMLEOF
uml_run "$WORK" "$WORK/uml.sh" 256M "${imgs[@]}" || exit 1
if [ -n "${KEEP_LVM_IMAGES:-}" ]; then
    cp "$WORK"/*.img "$WORK"/*.txt "$WORK"/*.detail "$WORK"/*.ext4 "$KEEP_LVM_IMAGES/"
fi
cat "$WORK/lvs.txt"
W=$WORK
# the LV layout is what the test wants to read (three segments, two PVs)
expect_eq "boot segments" "3" "$(grep -c '^ *boot ' "$W/lvs.txt")"

# ---- LVM ----
PVS="$W/pv1.img $W/pv2.img"
# shellcheck disable=SC2086
probe=$("$FSTEST" $PVS -- probe)
STRIPED_MSG="lvm/vg0-striped: logical volume vg0/striped has 2 stripes (only linear LVs are supported)"
echo "$probe"
expect_eq "lvm probe" "(xen/xvda) size=41943040 fs=none
(xen/xvdb) size=41943040 fs=none
(lvm/vg0-boot) size=33554432 fs=ext2 uuid=$U_BOOT label=\"lvboot\"
(lvm/vg0-pad) size=4194304 fs=none
(lvm/vg0-root--fs) size=8388608 fs=ext2 uuid=1a2b3c4d-0000-4000-8000-0000000000f5 label=\"lvroot\"
(lvm/vg0-striped) size=8388608 table-error=\"$STRIPED_MSG\" fs=none ($STRIPED_MSG)" "$probe"
check_tree "lvm boot (3 segments, 2 PVs)" "$PVS" lvm/vg0-boot "$SRC" '^lost\+found'
check_tree "lvm root-fs (name with -)" "$PVS" lvm/vg0-root--fs "$SRC2" '^lost\+found'
# shellcheck disable=SC2086
expect_eq "lvm cat" "$(sha256sum <"$SRC/boot/vmlinuz-6.1.0-18-amd64")" \
    "$("$FSTEST" $PVS -- cat '(lvm/vg0-boot)/boot/vmlinuz-6.1.0-18-amd64' | sha256sum)"
# grub-mkconfig's name for it: lvmid/VGUUID/LVUUID
read -r VGU LVU <"$W/lvid.txt"
# shellcheck disable=SC2086
expect_eq "lvmid alias" "$(sha256sum <"$SRC/boot/vmlinuz-6.1.0-18-amd64")" \
    "$("$FSTEST" $PVS -- cat "(lvmid/$VGU/$LVU)/boot/vmlinuz-6.1.0-18-amd64" | sha256sum)"
# shellcheck disable=SC2086
if "$FSTEST" $PVS -- cat '(lvm/vg0-striped)/x' >/dev/null 2>"$W/err"; then fail "striped LV read"; else ok; fi
grep -q 'lvm/vg0-striped: logical volume vg0/striped has 2 stripes (only linear LVs are supported)' "$W/err" &&
    ok || fail "striped LV message: $(cat "$W/err")"
# pv2 missing: root-fs (all on pv2) is listed but unreadable; boot's first
# two segments (on pv1) still hold its superblock
PV2_UUID=$(sed -n 's/^ *pv_uuid *//p' "$W/pvs.txt" | sed -n 2p)
if "$FSTEST" "$W/pv1.img" -- ls '(lvm/vg0-root--fs)/' >/dev/null 2>"$W/err"; then
    fail "root-fs with pv2 missing readable"; else ok; fi
# the first read is the first filesystem probe's (ext2 heads the probe
# order, include/pvboot/probe_order.h): sector 0 of the LV
expect_eq "missing-PV message" \
    "pvboot-fstest: (lvm/vg0-root--fs)/: lvm/vg0-root--fs: sector 0 is on physical volume $PV2_UUID, which was not found" \
    "$(cat "$W/err")"
expect_eq "boot without pv2" "(lvm/vg0-boot) size=33554432 fs=ext2 uuid=$U_BOOT label=\"lvboot\"" \
    "$("$FSTEST" "$W/pv1.img" -- probe | grep vg0-boot)"
# pad (extent 2 of pv1) is complete without pv2
expect_eq "pad without pv2" "(lvm/vg0-pad) size=4194304 fs=none" \
    "$("$FSTEST" "$W/pv1.img" -- probe | grep vg0-pad)"

# ---- md ----
md_uuid=$(sed -n 's/^MD_UUID=//p' "$W/md12.detail" | tr -d ':')
md9_uuid=$(sed -n 's/^MD_UUID=//p' "$W/md9.detail" | tr -d ':')
check_tree "md 1.2 both members" "$W/m12a.img $W/m12b.img" md/boot12 "$SRC" '^lost\+found'
check_tree "md 1.2 member a missing" "$W/m12b.img" md/boot12 "$SRC" '^lost\+found'
check_tree "md 1.2 by mduuid" "$W/m12a.img" "mduuid/$md_uuid" "$SRC" '^lost\+found'
check_tree "md 1.0" "$W/m10a.img $W/m10b.img" md/boot10 "$SRC" '^lost\+found'
check_tree "md 0.90" "$W/m9a.img $W/m9b.img" md9 "$SRC" '^lost\+found'
check_tree "md 0.90 by mduuid" "$W/m9b.img" "mduuid/$md9_uuid" "$SRC" '^lost\+found'
check_tree "md 1.1 degraded" "$W/m11a.img" md/boot11 "$SRC" '^lost\+found'
expect_eq "md probe" "(md/boot12) fs=ext2 uuid=2b3c4d5e-0000-4000-8000-000000000012 label=\"md12\"" \
    "$("$FSTEST" "$W/m12a.img" "$W/m12b.img" -- probe | grep '^(md' | sed 's/ size=[0-9]*//')"
# LVM on md 1.0: the PV is read through the array, also with a member missing
check_tree "lvm on md" "$W/lma.img $W/lmb.img" lvm/vgmd-boot "$SRC2" '^lost\+found'
check_tree "lvm on md, member a missing" "$W/lmb.img" lvm/vgmd-boot "$SRC2" '^lost\+found'
expect_eq "lvm on md devices" "(xen/xvda) size=41943040 fs=none
(xen/xvdb) size=41943040 fs=none
(md/pvmd) size=41877504 fs=none
(lvm/vgmd-boot) size=8388608 fs=ext2 uuid=1a2b3c4d-0000-4000-8000-0000000000f5 label=\"lvroot\"" \
    "$("$FSTEST" "$W/lma.img" "$W/lmb.img" -- probe)"
# corruption: random byte flips (3 in 4 aimed at non-zero sectors: labels,
# metadata areas, superblocks, filesystem) then a bounded walk of every
# device, LVs and arrays included; no crash, no hang
for img in pv1 m12a m10a m9a; do
    out=$("$FSTEST" -- corrupt "$W/$img.img" 300 7 2>&1 | tail -n 1)
    case "$out" in
    *"no crash or hang"*) ok ;;
    *) fail "corrupt $img: $out" ;;
    esac
done
finish
