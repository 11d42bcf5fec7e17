#!/bin/bash
# e2e: the all-modules default-config image (the same file the PV tests
# boot) started as a PVH guest (xl type = "pvh", XEN_ELFNOTE_PHYS32_ENTRY):
#   run 1 (1 vCPU, 512 MiB): banner and module list, the default config finds
#          the disk's /boot/grub/grub.cfg on xvda (ext4, msdos) through
#          blkfront, which lists /boot and prints lsmem (PVH memory map),
#          then `halt` powers the domain off cleanly;
#   run 2 (2 vCPUs): the same, only vCPU 0 runs;
#   run 3 (4 GiB): RAM above the MMIO hole (0xFC000000-4 GiB) is in the page
#          allocator: lsmem shows the RAM entry from 4 GiB and the total;
#   run 4: the same image as an xz bzImage (mkpvimage -C xz): xl's PVH build
#          decompresses it like the PV one.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need kernel blkfront ext2 part_msdos normal ls search
read_version

e2e_workdir pvh
mk_default_image
cat >"$W/grub.cfg" <<'CFG'
echo "PVH-TEST-LS-BEGIN"
ls /boot
echo "PVH-TEST-LS-END"
lsmem
echo "PVH-TEST-END"
halt
CFG
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos --cfg "$W/grub.cfg" >"$W/mkdisk.txt" 2>&1 \
    || { echo "FAIL: mkdisk"; cat "$W/mkdisk.txt"; exit 1; }

# pvh_run TAG RUNDIR XENLAB-ARGS...: boot the image as PVH with the disk
pvh_run() {
    local tag=$1 dir=$2
    shift 2
    TAG="[$tag] "
    xenlab_run "$dir" "$dir.txt" --loader "$W/pvboot.bin" --type pvh --disk "$W/disk.img" \
        --expect 'PVH-TEST-END' --timeout 180 --linger 10 "$@"
    SER=$dir/serial.log
    echo "$CON" | grep -vE '^ +free pfn' | sed "s/^/${TAG}console| /" | head -60
    check "xenlab matched PVH-TEST-END (rc $rc)" '[ $rc = 0 ]'
    check "xl built a PVH domain" 'grep -q "^xlcfg| type = \"pvh\"" "$SER"'
    check "banner 'pvboot $VERSION' is the first line" '[ "$(echo "$CON" | sed -n 1p)" = "pvboot $VERSION" ]'
    check "module list shown (kernel first, blkfront linked)" \
          'echo "$CON" | grep -E "^modules: kernel " | grep -qw blkfront'
    check "default config found grub.cfg on xvda's first partition" \
          'echo "$CON" | grep -Eq "^pvboot: using \(xen/xvda,msdos1\)/boot/grub2?/grub.cfg$"'
    # mkdisk puts the kernel, initrd and grub directories in /boot
    check "ls /boot read the ext4 directory through blkfront" \
          'echo "$CON" | sed -n "/^PVH-TEST-LS-BEGIN/,/^PVH-TEST-LS-END/p" | grep -q "vmlinuz-$KVER" &&
           echo "$CON" | sed -n "/^PVH-TEST-LS-BEGIN/,/^PVH-TEST-LS-END/p" | grep -qw "grub/"'
    check "lsmem shows the PVH memory map" 'echo "$CON" | grep -q "PVH memory map:"'
    check "lsmem: special pages reserved" \
          'echo "$CON" | grep -Eq "^  reserved +0x00feff8000-0x00ff000000 \(32 KiB\)"'
    check "lsmem: platform frames in a hole below the LAPIC" \
          'echo "$CON" | grep -Eq "^platform frames \(shared_info, grant table\): gfn 0xfedd[0-9a-f]-0xfee00$"'
    check "powered off cleanly (domain went away by itself)" '! grep -q "XENLAB: .*destroying guest" "$SER"'
    check "no crash reported by Xen or dom0" '! grep -v "^xlcfg|" "$SER" | grep -iq "crash"'
    check "no triple fault" '! grep -q "Triple fault" "$SER"'
    check_no_fault
}

pvh_run pvh-1cpu "$W/r1" --memory 512
check "512 MiB: RAM [0, 512 MiB) in the map" \
      'echo "$CON" | grep -Eq "^  RAM +0x0000000000-0x0020000000 \(524288 KiB\)"'
check "512 MiB: allocator manages all 131072 RAM pages" \
      'echo "$CON" | grep -q "^guest RAM: 131072 pages (512 MiB), PVH memory map:"'

pvh_run pvh-2cpu "$W/r2" --memory 512 --vcpus 2
check "xl config has 2 vCPUs" 'grep -q "^xlcfg| vcpus = 2" "$SER"'

# 4 GiB for the guest + dom0: the QEMU machine needs more than its default
XENLAB_QEMU_MEM=${XENLAB_QEMU_MEM:-6144} pvh_run pvh-4g "$W/r3" --memory 4096
check "4 GiB: low RAM ends at the MMIO hole" \
      'echo "$CON" | grep -Eq "^  RAM +0x0000000000-0x00fc000000 "'
check "4 GiB: RAM from 4 GiB up (64 MiB) in the map" \
      'echo "$CON" | grep -Eq "^  RAM +0x0100000000-0x0104000000 \(65536 KiB\)"'
check "4 GiB: allocator manages 1048576 RAM pages (low + high)" \
      'echo "$CON" | grep -q "^guest RAM: 1048576 pages (4096 MiB), PVH memory map:"'
check "4 GiB: a free range above 4 GiB (pfn >= 0x100000)" \
      'echo "$CON" | grep -Eq "^  free pfn +0x10[0-3][0-9a-f]{3}- *0x104000 "'

mkpv -c "$PVBOOT_SRC/embed/default.cfg" -o "$W/pvboot.xz.bin" -C xz
cp "$W/pvboot.xz.bin" "$W/pvboot.bin"
pvh_run pvh-xz "$W/r4" --memory 256
check "xz image: the file xl loaded is a bzImage" 'file "$W/pvboot.bin" | grep -q "Linux kernel x86 boot executable"'
e2e_finish pvh_boot "$W/r4.txt"
