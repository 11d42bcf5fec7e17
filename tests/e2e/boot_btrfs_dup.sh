#!/bin/bash
# e2e: a damaged copy of the kernel on btrfs with DUP data boots the good
# copy, under real Xen in QEMU.
#
# The files `xenlab mkdisk --fs btrfs --label none` puts on its disk (Debian
# 12's kernel and xenlab's domU initrd in /boot, grub.cfg) go onto a fresh
# whole-disk btrfs made by mkfs.btrfs -m dup -d dup --rootdir.  Then bytes
# are flipped in the first copy of the kernel's first data extent, of the
# initrd's first data extent, and of the FS tree leaf (offsets from btrfs
# inspect-internal dump-tree and btrfs-map-logical).  The hosted reader must
# return the host files' bytes (the second copies, while the first copies'
# bytes differ from the files'); the loader must boot Linux with the kernel's and initrd's CRC32 equal to the
# host files'.  One boot.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
FSTEST=$PVBOOT_BUILD/src/pvboot-fstest
KERNEL=/boot/vmlinuz-$KVER
INITRD=$XENLAB_CACHE/domu-initrd-$KVER.img

e2e_need linux btrfs
[ -x "$FSTEST" ] || skip "pvboot-fstest not built in $PVBOOT_BUILD"
[ -s "$KERNEL" ] && [ -s "$INITRD" ] || skip "no $KERNEL or $INITRD"
for t in mkfs.btrfs btrfs btrfs-map-logical; do
    command -v $t >/dev/null || skip "no $t (btrfs-progs)"
done

e2e_workdir btrfs-dup
mk_default_image

ST=$W/root
mkdisk_tree "$ST"
DISK=$W/disk.img
truncate -s 400M "$DISK"
mkfs.btrfs -q -m dup -d dup --rootdir "$ST" "$DISK" >"$W/mkfs.log" 2>&1 \
    || { echo "FAIL: mkfs.btrfs"; cat "$W/mkfs.log"; exit 1; }

flip() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    # shellcheck disable=SC2059
    printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# physical offset of copy $2 (1, 2) of logical address $1
mirror() { btrfs-map-logical -l "$1" "$DISK" 2>/dev/null | sed -n "s/^mirror $2 logical $1 physical \([0-9]*\) .*/\1/p" | head -1; }
btrfs inspect-internal dump-tree -t 5 "$DISK" >"$W/fstree.txt"
# first regular extent's logical address of the file named $1 (two passes:
# its DIR_INDEX may sort after its EXTENT_DATA)
first_extent() {
    awk -v n="$1" '
        NR == FNR && /DIR_INDEX/ { want = 1; next }
        NR == FNR && want && /location key/ { gsub(/\(/, ""); loc = $3; next }
        NR == FNR && want && $1 == "name:" { if ($2 == n) ino = loc; want = 0; next }
        NR == FNR { next }
        /key \([0-9]+ EXTENT_DATA / { k = $4; sub(/\(/, "", k); cur = k; next }
        /extent data disk byte/ && cur == ino && ino != "" { print $5; exit }' "$W/fstree.txt" "$W/fstree.txt"
}
KEXT=$(first_extent "vmlinuz-$KVER")
IEXT=$(first_extent "initrd.img-$KVER")
LEAF=$(sed -n 's/^leaf \([0-9]*\) items.*owner FS_TREE$/\1/p' "$W/fstree.txt" | head -1)
check "kernel and initrd extents and the FS tree leaf found ($KEXT $IEXT $LEAF)" \
      '[ -n "$KEXT" ] && [ -n "$IEXT" ] && [ -n "$LEAF" ]'
KP=$(mirror "$KEXT" 1) IP=$(mirror "$IEXT" 1) LP=$(mirror "$LEAF" 1)
KP2=$(mirror "$KEXT" 2) IP2=$(mirror "$IEXT" 2)
flip "$DISK" $((KP + 40000))
flip "$DISK" $((IP + 100))
flip "$DISK" $((LP + 300))
check "pvboot-fstest reads kernel and initrd from the good copies" \
      '"$FSTEST" "$DISK" -- cmp "(hd0)/boot/vmlinuz-$KVER" "$KERNEL" &&
       "$FSTEST" "$DISK" -- cmp "(hd0)/boot/initrd.img-$KVER" "$INITRD"'
byte() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
check "the first copies differ from the files (kernel byte 40000, initrd byte 100)" \
      '[ "$(byte "$DISK" $((KP + 40000)))" != "$(byte "$KERNEL" 40000)" ] &&
       [ "$(byte "$DISK" $((IP + 100)))" != "$(byte "$INITRD" 100)" ]'
check "the second copies are the files' bytes" \
      '[ "$(byte "$DISK" $((KP2 + 40000)))" = "$(byte "$KERNEL" 40000)" ] &&
       [ "$(byte "$DISK" $((IP2 + 100)))" = "$(byte "$INITRD" 100)" ]'

boot_linux_crc "$W/run" "$W/out.txt" '^pvboot:|^linux:|XENLAB-DOMU|^error' --disk "$DISK" --timeout 240
check "kernel read intact from the good copy (crc32 $(crc32 "$KERNEL"))" \
      'echo "$CON" | grep -qx "linux: /boot/vmlinuz-$KVER: $(stat -c %s "$KERNEL") bytes, crc32 $(crc32 "$KERNEL")"'
check "initrd read intact from the good copy (crc32 $(crc32 "$INITRD"))" \
      'echo "$CON" | grep -qx "linux: initrd: $(stat -c %s "$INITRD") bytes, crc32 $(crc32 "$INITRD")"'
check_linux_userspace "root=/dev/xvda ro console=hvc0"
check_no_fault
e2e_finish boot_btrfs_dup
