#!/bin/bash
# shellcheck disable=SC2016,SC2034  # check() evals its single-quoted conditions (they read SER)
# e2e: the all-modules default-config image (the same file the PV tests
# boot) started as a PVH guest (xl type = "pvh", XEN_ELFNOTE_PHYS32_ENTRY).
# Every run: banner and module list, the default config finds the disk's
# /boot/grub/grub.cfg through blkfront, which lists /boot and prints lsmem
# (PVH memory map: special pages, platform frames), then
#   run 1 (xz, 1 vCPU, memory 512 MiB < maxmem 1 GiB, ext4 on msdos): the
#          image as an xz bzImage (mkpvimage -C xz: xl's PVH build
#          decompresses it like the PV one); libxl turns populate-on-demand
#          on: the map shows 1 GiB of RAM, the allocator leaves what lies
#          beyond the domain's reservation alone; `halt` powers it off;
#   run 2 (2 vCPUs, 512 MiB, xfs on gpt): only vCPU 0 runs the loader; it
#          boots Debian's kernel as PVH, which brings up both vCPUs, reaches
#          userspace with /proc/cmdline as given and reconnects xvda;
#   run 3 (4 GiB, btrfs on the whole disk): RAM above the MMIO hole
#          (0xFC000000-4 GiB) is in the page allocator (lsmem: the RAM entry
#          from 4 GiB, the total, a free range up there), and Debian's kernel
#          boots as PVH to userspace and reconnects xvda: the kernel, initrd
#          and start info went below 4 GiB / 1 GiB while the heap is high.
# Linux on ext4/msdos in PVH: pvh_linux.sh.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need kernel blkfront ext2 xfs btrfs part_msdos part_gpt normal ls search linux
read_version

e2e_workdir pvh
mk_default_image
# panic=1: a panicking guest kernel reboots, xenlab destroys it (on_reboot),
# and a failed run ends at once instead of waiting out its timeout
KLINES="linux /boot/vmlinuz-$KVER ROOT ro console=hvc0 pvh_e2e=1 panic=1
initrd /boot/initrd.img-$KVER
boot"
# mkcfg OUT [LINUX-LINES]: the test config: ls, lsmem, then halt or Linux
mkcfg() {
    {
        echo 'echo "PVH-TEST-LS-BEGIN"'
        echo 'ls /boot'
        echo 'echo "PVH-TEST-LS-END"'
        echo 'lsmem'
        echo 'echo "PVH-TEST-END"'
        if [ -n "${2:-}" ]; then echo "$2"; else echo halt; fi
    } >"$1"
}
# mkdisk_for FS LABEL ROOTDEV|"": a disk whose grub.cfg halts or boots Linux
mkdisk_for() {
    local fs=$1 label=$2 rootdev=$3 d=$W/$1-$2
    mkdir -p "$d"
    mkcfg "$d/grub.cfg" "${rootdev:+${KLINES/ROOT/root=$rootdev}}"
    "$XENLAB" mkdisk "$d/disk.img" --fs "$fs" --label "$label" --cfg "$d/grub.cfg" >"$d/mkdisk.txt" 2>&1 \
        || { echo "FAIL: mkdisk $fs $label"; cat "$d/mkdisk.txt"; exit 1; }
}

# pvh_run TAG RUNDIR DEVICE LINUX-ROOT|"" XENLAB-ARGS...: boot the image as
# PVH; DEVICE is where grub.cfg is (e.g. xvda,msdos1); with LINUX-ROOT the
# run goes on to Debian's kernel (root=LINUX-ROOT), else it ends in `halt`
pvh_run() {
    local tag=$1 dir=$2 dev=$3 lroot=$4
    shift 4
    TAG="[$tag] "
    local expect='PVH-TEST-END' timeout=180
    [ -z "$lroot" ] || { expect='XENLAB-DOMU-DISK-OK'; timeout=400; }
    xenlab_run "$dir" "$dir.txt" --loader "$W/pvboot.bin" --type pvh \
        --expect "$expect" --mark 'linux: starting the kernel' --timeout "$timeout" --linger 10 "$@"
    SER=$dir/serial.log
    # A PVH guest kernel under Xen under QEMU TCG (nested SVM emulated) has
    # died, rarely, well after the hand-over with an XRSTOR #GP ("Bad FPU
    # state detected") or a triple fault of a vCPU it brought up itself
    # (docs/xen-pvh-boot.md §5).  Only that signature -- the kernel ran from
    # its PVH entry and printed its own banner first -- gets one more run;
    # everything below is checked on the run that counts, and the first
    # run's evidence is shown.
    if [ -n "$lroot" ] && [ "$rc" != 0 ] && echo "$CON" | grep -q "Booting kernel on Xen PVH" &&
       { echo "$CON" | grep -q "Bad FPU state detected" || grep -q "Triple fault" "$SER"; }; then
        echo "${TAG}retry: the guest kernel died after the hand-over (emulator signature):"
        { echo "$CON" | grep -E "Bad FPU state|Kernel panic|RIP:" | head -4 || true
          grep -E "Triple fault" "$SER" | head -2 || true; } | sed "s/^/${TAG}  first run| /"
        mv "$dir" "$dir.first" && mv "$dir.txt" "$dir.first.txt"
        xenlab_run "$dir" "$dir.txt" --loader "$W/pvboot.bin" --type pvh \
            --expect "$expect" --mark 'linux: starting the kernel' --timeout "$timeout" --linger 10 "$@"
    fi
    echo "$CON" | grep -avE '^ +free pfn|^\[' | sed "s/^/${TAG}console| /" | head -60 || true
    grep 'XENLAB-TIME' "$dir.txt" | sed "s/^/$TAG/" || true
    check "xenlab matched $expect (rc $rc)" '[ $rc = 0 ]'
    check "xl built a PVH domain" 'grep -q "^xlcfg| type = \"pvh\"" "$SER"'
    check "banner 'pvboot $VERSION' is the first line" '[ "$(echo "$CON" | sed -n 1p)" = "pvboot $VERSION" ]'
    check "module list shown (kernel first, blkfront linked)" \
          'echo "$CON" | grep -E "^modules: kernel " | grep -qw blkfront'
    check "default config found grub.cfg on ($dev)" \
          'echo "$CON" | grep -Eq "^pvboot: using \(xen/$dev\)/boot/grub2?/grub.cfg$"'
    # mkdisk puts the kernel, initrd and grub directories in /boot
    check "ls /boot read the directory through blkfront" \
          'echo "$CON" | sed -n "/^PVH-TEST-LS-BEGIN/,/^PVH-TEST-LS-END/p" | grep -q "vmlinuz-$KVER" &&
           echo "$CON" | sed -n "/^PVH-TEST-LS-BEGIN/,/^PVH-TEST-LS-END/p" | grep -qw "grub/"'
    check "lsmem shows the PVH memory map" 'echo "$CON" | grep -q "PVH memory map:"'
    check "lsmem: special pages reserved" \
          'echo "$CON" | grep -Eq "^  reserved +0x00feff8000-0x00ff000000 \(32 KiB\)"'
    check "lsmem: platform frames in a hole below the LAPIC" \
          'echo "$CON" | grep -Eq "^platform frames \(shared_info, grant table\): gfn 0xfedd[0-9a-f]-0xfee00$"'
    if [ -z "$lroot" ]; then
        check "powered off cleanly (domain went away by itself)" '! grep -q "XENLAB: .*destroying guest" "$SER"'
    else
        check "entered Linux at PHYS32_ENTRY" 'echo "$CON" | grep -qx "linux: starting the kernel at 0x1000850"'
        check "the kernel booted through its PVH entry" 'echo "$CON" | grep -q "Booting kernel on Xen PVH"'
        check_linux_userspace "root=$lroot ro console=hvc0 pvh_e2e=1 panic=1"
        check "kernel's blkfront reconnected xvda" 'echo "$CON" | grep -q "^XENLAB-DOMU-DISK-OK xvda("'
    fi
    check "no crash reported by Xen or dom0" '! grep -v "^xlcfg|" "$SER" | grep -iq "crash"'
    check "no triple fault" '! grep -q "Triple fault" "$SER"'
    check_no_fault "$CON"
}

mkdisk_for ext4 msdos ""
mkdisk_for xfs gpt /dev/xvda1
mkdisk_for btrfs none /dev/xvda

mkpv -c "$PVBOOT_SRC/embed/default.cfg" -o "$W/pvboot.xz.bin" -C xz
cp "$W/pvboot.bin" "$W/pvboot.elf.bin"
cp "$W/pvboot.xz.bin" "$W/pvboot.bin"
pvh_run pvh-xz-1cpu-pod "$W/r1" xvda,msdos1 "" --disk "$W/ext4-msdos/disk.img" --memory 512 \
    --cfg-line 'maxmem = 1024'
check "xz image: the file xl loaded is a bzImage" 'file "$W/pvboot.bin" | grep -q "Linux kernel x86 boot executable"'
check "maxmem 1024: RAM [0, 1 GiB) in the map" \
      'echo "$CON" | grep -Eq "^  RAM +0x0000000000-0x0040000000 \(1048576 KiB\)"'
check "maxmem 1024: the allocator manages the map's 262144 RAM pages" \
      'echo "$CON" | grep -q "^guest RAM: 262144 pages (1024 MiB), PVH memory map:"'
# populate-on-demand (memory 512 < maxmem 1024): only the reservation may be
# touched; the non-RAM entries of the map count as populated
OWN=$(echo "$CON" | sed -nE 's/^populate-on-demand: the domain owns ([0-9]+) pages, RAM from (0x[0-9a-f]+) is not touched$/\1/p')
LIM=$(echo "$CON" | sed -nE 's/^populate-on-demand: the domain owns ([0-9]+) pages, RAM from (0x[0-9a-f]+) is not touched$/\2/p')
NONRAM=$(echo "$CON" | sed -nE 's/^  (reserved|ACPI|NVS|unusable) +0x[0-9a-f]+-0x[0-9a-f]+ \(([0-9]+) KiB\)$/\2/p' |
         awk '{ s += $1 / 4 } END { print s + 0 }')
check "PoD: the domain owns about 512 MiB ($OWN pages)" '[ -n "$OWN" ] && [ "$OWN" -ge 131072 ] && [ "$OWN" -le 135168 ]'
check "PoD: RAM from $LIM = (owned - $NONRAM non-RAM frames) pages is left alone" \
      '[ -n "$LIM" ] && [ $((LIM)) = $(( (OWN - NONRAM) * 4096 )) ]'
check "PoD: lsmem lists the untouched RAM as reserved" \
      'echo "$CON" | grep -q "not populated (PoD)"'
cp "$W/pvboot.elf.bin" "$W/pvboot.bin"

pvh_run pvh-2cpu-xfs "$W/r2" xvda,gpt1 /dev/xvda1 --disk "$W/xfs-gpt/disk.img" --memory 512 --vcpus 2
check "xl config has 2 vCPUs" 'grep -q "^xlcfg| vcpus = 2" "$SER"'
check "Linux brought up 2 vCPUs" 'echo "$CON" | grep -Eq "smp: Brought up 1 node, 2 CPUs"'

# 4 GiB for the guest + dom0: the QEMU machine needs more than its default
XENLAB_QEMU_MEM=${XENLAB_QEMU_MEM:-6144} pvh_run pvh-4g-btrfs "$W/r3" xvda /dev/xvda --disk "$W/btrfs-none/disk.img" --memory 4096
check "4 GiB: low RAM ends at the MMIO hole" \
      'echo "$CON" | grep -Eq "^  RAM +0x0000000000-0x00fc000000 "'
check "4 GiB: RAM from 4 GiB up (64 MiB) in the map" \
      'echo "$CON" | grep -Eq "^  RAM +0x0100000000-0x0104000000 \(65536 KiB\)"'
check "4 GiB: allocator manages 1048576 RAM pages (low + high)" \
      'echo "$CON" | grep -q "^guest RAM: 1048576 pages (4096 MiB), PVH memory map:"'
check "4 GiB: a free range above 4 GiB (pfn >= 0x100000)" \
      'echo "$CON" | grep -Eq "^  free pfn +0x10[0-3][0-9a-f]{3}- *0x104000 "'
check "4 GiB: start info below 1 GiB, initrd below 4 GiB" \
      'L=$(echo "$CON" | grep -E "^linux: PVH start info at 0x[0-9a-f]+, initrd at 0x[0-9a-f]+, kernel 0x1000000-" | head -1);
       si=$(echo "$L" | sed -E "s/.*start info at (0x[0-9a-f]+),.*/\1/");
       ir=$(echo "$L" | sed -E "s/.*initrd at (0x[0-9a-f]+),.*/\1/");
       [ -n "$L" ] && [ $((si)) -lt $((0x40000000)) ] && [ $((ir)) -lt $((0x100000000)) ]'
check "4 GiB: Linux sees the RAM above 4 GiB" \
      'echo "$CON" | grep -Eq "\[mem 0x0000000100000000-0x0000000103ffffff\] usable"'
e2e_finish pvh_boot "$W/r3.txt"
