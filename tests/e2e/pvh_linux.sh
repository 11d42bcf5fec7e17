#!/bin/bash
# e2e: the all-modules default-config image (the file the PV tests boot)
# started as a PVH guest (xl type = "pvh"; cpuid = "host,rdtscp=0,xsave=0", without
# which Linux dies at RDTSCP under this QEMU TCG harness, doc
# xen-pvh-boot.md §5; xenlab run --type pvh adds it) hands over to PVH kernels:
#   run "linux": a grub.cfg whose first entry loads a PV-only image (GRUB's
#       pvgrub2: no XEN_ELFNOTE_PHYS32_ENTRY) -> the `linux` command fails
#       with the reason and the fix (type = "pv"), the entry is not booted,
#       the menu comes back after a key; the second entry then boots
#       Debian's kernel through its PVH entry (fresh hvm_start_info) to
#       userspace, /proc/cmdline and the initrd's CRC32 as given, the kernel
#       says it boots on Xen PVH and its blkfront reconnects xvda
#       (XENLAB-DOMU-DISK-OK);
#   run "chain": `chainloader` of GRUB's PVH image (grub-i386-xen_pvh.bin,
#       an ELF32 loaded at 1 MiB, over the running pvboot) reaches GRUB,
#       which boots the disk's /boot/grub/grub.cfg kernel to the guest's
#       XENLAB-DOMU-DISK-OK;
#   run "self" (not in the default set: one more kernel boot): `chainloader`
#       of a second pvboot image, loaded at 1 MiB exactly over the running
#       one, whose config boots the disk's grub.cfg kernel.
# PVBOOT_E2E_PVH_CASES selects runs (default "linux chain").
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
PVONLY=/usr/lib/grub-xen/grub-x86_64-xen.bin
GRUBPVH=/usr/lib/grub-xen/grub-i386-xen_pvh.bin
e2e_need normal linux ext2 part_msdos
[ -s "$PVONLY" ] && [ -s "$GRUBPVH" ] || skip "no $PVONLY or $GRUBPVH (grub-xen-host)"

e2e_workdir pvhlinux
mk_default_image
PVH=(--type pvh --cfg-line 'on_reboot = "destroy"')

for CASE in ${PVBOOT_E2E_PVH_CASES:-linux chain}; do
    TAG="[$CASE] "
    case $CASE in
    linux)
        cat >"$W/grub.cfg" <<CFG
menuentry 'PV only' {
	linux /boot/pv-only.elf console=hvc0
}
menuentry 'Debian PVH' {
	linux /boot/vmlinuz-$KVER root=/dev/xvda1 ro console=hvc0 pvh_e2e=1
	initrd /boot/initrd.img-$KVER
}
CFG
        "$XENLAB" mkdisk "$W/linux.img" --fs ext4 --label msdos --cfg "$W/grub.cfg" \
            --add "$PVONLY:/boot/pv-only.elf" >"$W/mkdisk-linux.txt" 2>&1 \
            || { echo "FAIL: mkdisk"; cat "$W/mkdisk-linux.txt"; exit 1; }
        keys() {
            echo "w 'pvboot boot menu'"
            echo "k '\\r'"
            echo "w 'Press any key to continue'"
            echo "k 'x'"
            echo "w 'pvboot boot menu'"
            echo "k '\\033[B'"
            echo "k '\\r'"
        }
        xenlab_run "$W/run-linux" "$W/out-linux.txt" --loader "$W/pvboot.bin" --disk "$W/linux.img" \
            "${PVH[@]}" --extra 'xen_grub_env_linux_crc=1' --memory 256 \
            --expect 'XENLAB-DOMU-DISK-OK|PVH-KEYS-TIMEOUT' --mark 'linux: starting the kernel' \
            --timeout 400 --post-create "$(keys | keyscript PVH-KEYS-TIMEOUT)"
        grep 'XENLAB-TIME' "$W/out-linux.txt" | sed "s/^/$TAG/" || true
        S=$(tr '\r' '\n' <"$W/run-linux/domu-console.log" 2>/dev/null | sed 's/\x1b\[[0-9;]*[A-Za-z]/\n/g' \
            | grep -av '^ *$' || true)
        echo "$S" | grep -aE '^error|^Booting|^linux:|XENLAB-DOMU|KEYS-TIMEOUT|Xen PVH|fatal' | cut -c1-200 \
            | sed "s/^/${TAG}console| /" || true
        has() { echo "$S" | grep -qxF -- "$1"; }
        CF='(xen/xvda,msdos1)/boot/grub2/grub.cfg'
        INITRD=$XENLAB_CACHE/domu-initrd-$KVER.img
        check "xl built a PVH domain" 'grep -q "^xlcfg| type = \"pvh\"" "$W/run-linux/serial.log"'
        check "PV-only image refused with the reason and the fix" \
              'has "error: $CF:2: /boot/pv-only.elf: the kernel has no PVH entry point (no XEN_ELFNOTE_PHYS32_ENTRY note, e.g. built without CONFIG_PVH), and this domain is PVH: boot it in a PV domain (type = \"pv\" in the xl config) or use a PVH-capable kernel" &&
               has "error: entry \`PV only'"'"': a loader command failed; not booting it."'
        check "the menu came back (2 menus drawn, 1 key prompt)" \
              '[ "$(echo "$S" | grep -acx " *pvboot boot menu")" -ge 2 ] &&
               [ "$(echo "$S" | grep -ac "^Press any key to continue...")" = 1 ]'
        check "PVH plan announced" 'echo "$S" | grep -qE "^linux: PVH start info at 0x[0-9a-f]+, initrd at 0x[0-9a-f]+, kernel 0x1000000-0x4a00000$"'
        check "entered at PHYS32_ENTRY" 'has "linux: starting the kernel at 0x1000850"'
        check "initrd read intact (crc32 $(crc32 "$INITRD"))" \
              'echo "$S" | grep -q "^linux: initrd: $(stat -c %s "$INITRD") bytes, crc32 $(crc32 "$INITRD")"'
        check "the kernel booted through its PVH entry" 'echo "$S" | grep -q "Booting kernel on Xen PVH"'
        check "userspace reached" 'echo "$S" | grep -q "^XENLAB-DOMU-USERSPACE-OK"'
        check "/proc/cmdline is the grub.cfg arguments" \
              'has "XENLAB-DOMU-CMDLINE: root=/dev/xvda1 ro console=hvc0 pvh_e2e=1"'
        check "kernel's blkfront reconnected xvda (rc $rc)" 'echo "$S" | grep -q "^XENLAB-DOMU-DISK-OK xvda(" && [ $rc = 0 ]'
        check "no key script timeout" '! echo "$S" | grep -q PVH-KEYS-TIMEOUT'
        check "no triple fault" '! grep -q "Triple fault" "$W/run-linux/serial.log"'
        check_no_fault "$S"
        ;;
    chain)
        printf 'set timeout=0\necho CHAIN-START grub-pvh\nchainloader /boot/xen/chained.elf\nboot\n' >"$W/chain.cfg"
        "$XENLAB" mkdisk "$W/chain.img" --fs ext4 --label msdos \
            --add "$GRUBPVH:/boot/xen/chained.elf" --add "$W/chain.cfg:/boot/grub2/grub.cfg" >/dev/null
        xenlab_run "$W/run-chain" "$W/out-chain.txt" --loader "$W/pvboot.bin" --disk "$W/chain.img" \
            "${PVH[@]}" --memory 256 --expect 'XENLAB-DOMU-DISK-OK' --timeout 400
        grep 'XENLAB-TIME' "$W/out-chain.txt" | sed "s/^/$TAG/" || true
        show_console '^CHAIN|^linux:|^error|XENLAB-DOMU|Welcome|Xen PVH' "$TAG"
        check "our loader ran the chain config" 'echo "$CON" | grep -qx "CHAIN-START grub-pvh"'
        check "hand-over to GRUB's PVH entry (0x100000)" 'echo "$CON" | grep -qx "linux: starting the kernel at 0x100000"'
        check "PVH plan announced (no initrd, GRUB's range from 1 MiB)" \
              'echo "$CON" | grep -qE "^linux: PVH start info at 0x[0-9a-f]+, no initrd, kernel 0x100000-0x[0-9a-f]+$"'
        check "GRUB started" 'echo "$CON" | grep -q "Welcome to GRUB!"'
        check "GRUB ran: its kernel booted on Xen PVH" 'echo "$CON" | grep -q "kernel on Xen PVH"'
        check "Linux reached userspace and reconnected xvda (rc $rc)" '[ $rc = 0 ]'
        check "no triple fault" '! grep -q "Triple fault" "$W/run-chain/serial.log"'
        check_no_fault
        ;;
    self)
        printf 'echo CHAINED-PVBOOT-RUNNING\nset root=(xen/xvda,msdos1)\nconfigfile /boot/grub/grub.cfg\n' >"$W/second.cfg"
        mkpv -c "$W/second.cfg" -o "$W/second.bin"
        printf 'set timeout=0\necho CHAIN-START self\nchainloader /boot/xen/chained.elf\nboot\n' >"$W/self.cfg"
        "$XENLAB" mkdisk "$W/self.img" --fs ext4 --label msdos \
            --add "$W/second.bin:/boot/xen/chained.elf" --add "$W/self.cfg:/boot/grub2/grub.cfg" >/dev/null
        xenlab_run "$W/run-self" "$W/out-self.txt" --loader "$W/pvboot.bin" --disk "$W/self.img" \
            "${PVH[@]}" --memory 256 --expect 'XENLAB-DOMU-DISK-OK' --timeout 400
        grep 'XENLAB-TIME' "$W/out-self.txt" | sed "s/^/$TAG/" || true
        show_console '^CHAIN|^linux:|^error|XENLAB-DOMU|Xen PVH' "$TAG"
        check "our loader ran the chain config" 'echo "$CON" | grep -qx "CHAIN-START self"'
        check "hand-over to the second image at 1 MiB, over ourselves" \
              'echo "$CON" | grep -qE "^linux: PVH start info at 0x[0-9a-f]+, no initrd, kernel 0x100000-0x[0-9a-f]+$"'
        check "second pvboot ran its config" 'echo "$CON" | grep -qx "CHAINED-PVBOOT-RUNNING"'
        check "its kernel booted on Xen PVH" 'echo "$CON" | grep -q "Booting kernel on Xen PVH"'
        check "Linux reached userspace and reconnected xvda (rc $rc)" '[ $rc = 0 ]'
        check "no triple fault" '! grep -q "Triple fault" "$W/run-self/serial.log"'
        check_no_fault
        ;;
    *) echo "FAIL: unknown case $CASE"; FAILED=1 ;;
    esac
done
e2e_finish pvh_linux
