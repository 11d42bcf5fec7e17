#!/bin/bash
# e2e: generic PV ELF kernels, not only Linux.  Our image
# chainloads (`chainloader FILE; boot`) from the guest disk
#   (1) GRUB's pvgrub2 image (Debian grub-xen-host, VIRT_BASE 0), which then
#       reads /boot/grub/grub.cfg and boots Debian's kernel, and
#   (2) another pvboot image (VIRT_BASE 0 too) whose embedded config runs
#       /boot/grub/grub.cfg,
# each to the Linux guest's XENLAB-DOMU-DISK-OK: both loaders in the chain
# released the disk cleanly.  Our own config is /boot/grub2/grub.cfg, which
# pvboot reads first and pvgrub2 never reads.
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
PVGRUB=/usr/lib/grub-xen/grub-x86_64-xen.bin

e2e_need --no-qemu linux
[ -s "$PVGRUB" ] || skip "no $PVGRUB (grub-xen-host)"

e2e_workdir chain
mk_default_image
printf 'echo CHAINED-PVBOOT-RUNNING\nset root=(xen/xvda,msdos1)\nconfigfile /boot/grub/grub.cfg\n' >"$W/second.cfg"
mkpv -c "$W/second.cfg" -o "$W/second.bin"

for CASE in ${PVBOOT_E2E_CHAIN_CASES:-pvgrub2 pvboot}; do
    TAG="[$CASE] "
    case $CASE in
    pvgrub2) IMG=$PVGRUB ;;
    pvboot) IMG=$W/second.bin ;;
    esac
    printf 'set timeout=0\necho CHAIN-START %s\nchainloader /boot/xen/chained.elf\nboot\n' "$CASE" >"$W/chain.cfg"
    "$XENLAB" mkdisk "$W/$CASE.img" --fs ext4 --label msdos \
        --add "$IMG:/boot/xen/chained.elf" --add "$W/chain.cfg:/boot/grub2/grub.cfg" >/dev/null
    xenlab_run "$W/run-$CASE" "$W/out-$CASE.txt" --loader "$W/pvboot.bin" --disk "$W/$CASE.img" \
        --expect 'XENLAB-DOMU-DISK-OK' --timeout 600
    show_console '^CHAIN|^CHAINED|^linux:|^error|XENLAB-DOMU|GRUB|Welcome' "$TAG"
    check "our loader ran the chain config" 'echo "$CON" | grep -qx "CHAIN-START $CASE"'
    check "hand-over to the chained image announced" 'echo "$CON" | grep -q "^linux: starting the kernel at "'
    [ "$CASE" = pvboot ] && check "second pvboot ran its config" 'echo "$CON" | grep -qx "CHAINED-PVBOOT-RUNNING"'
    check "Linux reached userspace and reconnected xvda (rc $rc)" '[ $rc = 0 ]'
    check "no loader fault" '! echo "$CON" | grep -Eq "pvboot: fatal exception|panic"'
done
e2e_finish boot_chain
