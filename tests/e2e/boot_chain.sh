#!/bin/bash
# e2e (issue 6): generic PV ELF kernels, not only Linux.  Our image
# chainloads (`chainloader FILE; boot`) from the guest disk
#   (1) GRUB's pvgrub2 image (Debian grub-xen-host, VIRT_BASE 0), which then
#       reads /boot/grub/grub.cfg and boots Debian's kernel, and
#   (2) another pvboot image (VIRT_BASE 0 too) whose embedded config runs
#       /boot/grub/grub.cfg,
# each to the Linux guest's XENLAB-DOMU-DISK-OK: both loaders in the chain
# released the disk cleanly.  Our own config is /boot/grub2/grub.cfg, which
# pvboot reads first and pvgrub2 never reads.
set -euo pipefail
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PVBOOT_BUILD=${PVBOOT_BUILD:-$PVBOOT_SRC/build}
MODDIR=${PVBOOT_MODDIR:-$PVBOOT_BUILD/modules/x86_64-xen}
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
XENLAB_CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}
PVGRUB=/usr/lib/grub-xen/grub-x86_64-xen.bin

skip() { echo "SKIP: $*"; exit 77; }
[ -s "$XENLAB_CACHE/stamp" ] || skip "xenlab not set up ($XENLAB_CACHE/stamp missing)"
[ -x "$PVBOOT_BUILD/src/mkpvimage" ] || skip "mkpvimage not built in $PVBOOT_BUILD"
[ -s "$MODDIR/linux.mod" ] || skip "$MODDIR/linux.mod not built"
[ -s "$PVGRUB" ] || skip "no $PVGRUB (grub-xen-host)"

W=$(mktemp -d /tmp/pvboot-e2e-chain.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$PVBOOT_BUILD/src/mkpvimage" -O x86_64-xen -d "$MODDIR" -c "$PVBOOT_SRC/embed/default.cfg" \
    -o "$W/pvboot.bin"
printf 'echo CHAINED-PVBOOT-RUNNING\nset root=(xen/xvda,msdos1)\nconfigfile /boot/grub/grub.cfg\n' >"$W/second.cfg"
"$PVBOOT_BUILD/src/mkpvimage" -O x86_64-xen -d "$MODDIR" -c "$W/second.cfg" -o "$W/second.bin"

FAILED=0
check() { if eval "$2"; then echo "ok: [$CASE] $1"; else echo "FAIL: [$CASE] $1"; FAILED=1; fi; }
for CASE in ${PVBOOT_E2E_CHAIN_CASES:-pvgrub2 pvboot}; do
    case $CASE in
    pvgrub2) IMG=$PVGRUB ;;
    pvboot) IMG=$W/second.bin ;;
    esac
    printf 'set timeout=0\necho CHAIN-START %s\nchainloader /boot/xen/chained.elf\nboot\n' "$CASE" >"$W/chain.cfg"
    "$XENLAB" mkdisk "$W/$CASE.img" --fs ext4 --label msdos \
        --add "$IMG:/boot/xen/chained.elf" --add "$W/chain.cfg:/boot/grub2/grub.cfg" >/dev/null
    rc=0
    "$XENLAB" run --loader "$W/pvboot.bin" --disk "$W/$CASE.img" --expect 'XENLAB-DOMU-DISK-OK' \
        --timeout 600 --cfg-line 'on_crash = "preserve"' --outdir "$W/run-$CASE" >"$W/out-$CASE.txt" 2>&1 || rc=$?
    CON=$(tr -d '\r' <"$W/run-$CASE/domu-console.log" 2>/dev/null || true)
    echo "$CON" | grep -aE '^CHAIN|^CHAINED|^linux:|^error|XENLAB-DOMU|GRUB|Welcome' | sed "s/^/[$CASE] console| /" || true
    check "our loader ran the chain config" 'echo "$CON" | grep -qx "CHAIN-START $CASE"'
    check "hand-over to the chained image announced" 'echo "$CON" | grep -q "^linux: starting the kernel at "'
    [ "$CASE" = pvboot ] && check "second pvboot ran its config" 'echo "$CON" | grep -qx "CHAINED-PVBOOT-RUNNING"'
    check "Linux reached userspace and reconnected xvda (rc $rc)" '[ $rc = 0 ]'
    check "no loader fault" '! echo "$CON" | grep -Eq "pvboot: fatal exception|panic"'
done
[ "$FAILED" = 0 ] || { echo "work dir kept: $W"; trap - EXIT; exit 1; }
echo "PASS boot_chain"
