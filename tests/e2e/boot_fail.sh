#!/bin/bash
# e2e: boot failures return to the menu with the error on
# the screen, never a dead console.  One boot of the all-modules image in a
# 256 MiB guest; a grub.cfg whose entries fail in turn, each picked with
# keys typed into the domain's console (the key script of menu.sh):
#   1. the initrd file is missing          -> the kernel loaded, the entry
#      is still not booted (unlike GRUB, see pvboot-menu(7))
#   2. the initrd cannot be read: QEMU fails every read of one sector in
#      the middle of the file (xenlab --disk IMG,error-sector=N)
#   3. the kernel is not a kernel (a text file)
#   4. Debian's kernel with an initrd larger than the whole domain (a
#      300 MiB sparse file): refused before a byte of it is read, long
#      before any hand-over
# (1 and 2 load our own image as their PV kernel: a small plain ELF, so
# the test does not spend a kernel decompression on each failure)
# and after each error and a key the menu is back; finally the good entry
# boots Debian's kernel to the userspace marker.  Each error text is
# asserted exactly from the console log.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need normal linux ext2 part_msdos
command -v debugfs >/dev/null || skip "no debugfs (e2fsprogs)"

e2e_workdir bootfail
mk_default_image

K="linux /boot/vmlinuz-$KVER root=/dev/xvda1 ro console=hvc0"
cat >"$W/grub.cfg" <<CFG
menuentry 'Missing initrd' {
	linux /boot/pv-kernel.elf console=hvc0
	initrd /boot/no-such-initrd.img
}
menuentry 'Unreadable initrd' {
	linux /boot/pv-kernel.elf console=hvc0
	initrd /boot/unreadable-initrd.img
}
menuentry 'Not a kernel' {
	linux /boot/not-a-kernel root=/dev/xvda1
	initrd /boot/initrd.img-$KVER
}
menuentry 'Initrd larger than the domain' {
	$K
	initrd /boot/huge-initrd.img
}
menuentry 'Good' {
	$K boot_fail_good=1
	initrd /boot/initrd.img-$KVER
}
CFG
head -c $((3 << 20)) /dev/urandom >"$W/unreadable.img"
printf 'This is a text file, not a kernel.\n' >"$W/not-a-kernel"
truncate -s 300M "$W/huge.img"      # sparse: takes no room on the disk
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos --size 96 --cfg "$W/grub.cfg" \
    --add "$W/unreadable.img:/boot/unreadable-initrd.img" \
    --add "$W/not-a-kernel:/boot/not-a-kernel" \
    --add "$W/pvboot.bin:/boot/pv-kernel.elf" \
    --add "$W/huge.img:/boot/huge-initrd.img" >"$W/mkdisk.txt" 2>&1 \
    || { echo "FAIL: mkdisk"; cat "$W/mkdisk.txt"; exit 1; }

# the disk sector of the unreadable initrd's data at 1 MiB into the file:
# ext4 block (debugfs bmap) in the partition that starts at sector 2048
dd if="$W/disk.img" of="$W/part.img" bs=1M skip=1 count=96 status=none
BS=$(dumpe2fs -h "$W/part.img" 2>/dev/null | sed -n 's/^Block size: *//p')
BLK=$(debugfs -R "bmap /boot/unreadable-initrd.img $(( (1 << 20) / BS ))" "$W/part.img" 2>/dev/null)
[ -n "$BS" ] && [ -n "$BLK" ] && [ "$BLK" -gt 0 ] || { echo "FAIL: bmap ($BS/$BLK)"; exit 1; }
ERRSEC=$(( 2048 + BLK * BS / 512 ))
rm -f "$W/part.img"
echo "unreadable initrd: 1 MiB into it is block $BLK (block size $BS) = disk sector $ERRSEC"

# the key steps: Enter on each failing entry in turn (Down to the next one
# from the second on), a key at each error, then Enter on the good entry
keys() {
    echo "w 'pvboot boot menu'"
    echo "k '\\r'"
    for _ in 1 2 3 4; do
        echo "w 'Press any key to continue'"
        echo "k 'x'"
        echo "w 'pvboot boot menu'"
        echo "k '\\033[B'"
        echo "k '\\r'"
    done
}
xenlab_run "$W/run" "$W/run.txt" --loader "$W/pvboot.bin" --disk "$W/disk.img,error-sector=$ERRSEC" --memory 256 \
    --expect 'XENLAB-DOMU-CMDLINE|BOOT-FAIL-KEYS-TIMEOUT' --timeout 300 \
    --post-create "$(keys | keyscript BOOT-FAIL-KEYS-TIMEOUT)"
echo "xenlab rc $rc"
grep 'XENLAB-TIME' "$W/run.txt" || true
# the console as lines: CR, LF and escape sequences all end a line
S=$(tr '\r' '\n' <"$W/run/domu-console.log" 2>/dev/null | sed 's/\x1b\[[0-9;]*[A-Za-z]/\n/g' \
    | grep -av '^ *$' || true)
echo "$S" | grep -aE '^error|^Booting|XENLAB-DOMU|KEYS-TIMEOUT|fatal' | cut -c1-200 | sed 's/^/console| /' || true

has() { echo "$S" | grep -qxF -- "$1"; }
CF='(xen/xvda,msdos1)/boot/grub2/grub.cfg'   # the default config tries grub2/ first
# the errors in the order the entries were picked, each line exact
order=$(echo "$S" | grep -aE '^(error: |Booting )' | tr '\n' '|')
check "missing initrd: file error, entry not booted" \
      'has "error: $CF:3: file \`/boot/no-such-initrd.img'"'"' not found" &&
       has "error: entry \`Missing initrd'"'"': a loader command failed; not booting it."'
# the failing request covers the error sector: S <= ERRSEC < S + N
IOLINE=$(echo "$S" | grep -aE '^error: '"$(printf '%s' "$CF" | sed 's/[().]/\\&/g')"':7: xen/xvda: read error at sector [0-9]+ \([0-9]+ sectors\): backend answered BLKIF_RSP_ERROR \(-1\)$' || true)
IOS=$(echo "$IOLINE" | sed -nE 's/.*at sector ([0-9]+) \(([0-9]+) sectors\).*/\1/p')
ION=$(echo "$IOLINE" | sed -nE 's/.*at sector ([0-9]+) \(([0-9]+) sectors\).*/\2/p')
check "unreadable initrd: the I/O error names the disk and a request covering sector $ERRSEC ($IOS+$ION)" \
      '[ -n "$IOS" ] && [ "$IOS" -le "$ERRSEC" ] && [ "$ERRSEC" -lt $((IOS + ION)) ]'
check "unreadable initrd: entry not booted" \
      'has "error: entry \`Unreadable initrd'"'"': a loader command failed; not booting it."'
check "not a kernel: refused naming what the file is" \
      'has "error: $CF:10: /boot/not-a-kernel: not a PV kernel: it is a text file" &&
       has "error: $CF:11: you need to load the kernel first" &&
       has "error: entry \`Not a kernel'"'"': a loader command failed; not booting it."'
check "initrd larger than the domain: refused before reading it" \
      'has "error: $CF:15: initrd: /boot/huge-initrd.img: 300 MiB does not fit in this 256 MiB domain" &&
       has "error: entry \`Initrd larger than the domain'"'"': a loader command failed; not booting it."'
check "the menu came back after each failure (5 menus drawn, 4 key prompts)" \
      '[ "$(echo "$S" | grep -acx " *pvboot boot menu")" -ge 5 ] &&
       [ "$(echo "$S" | grep -ac "^Press any key to continue...")" = 4 ]'
check "entries picked in order" \
      '[[ "$order" == *"Booting \`Missing initrd'"'"'"*"Booting \`Unreadable initrd'"'"'"*"Booting \`Not a kernel'"'"'"*"Booting \`Initrd larger than the domain'"'"'"*"Booting \`Good'"'"'|"* ]]'
check "the hand-over summary only once (the good entry's)" \
      '[ "$(echo "$S" | grep -acE "^linux: /boot/[^:]+: read [0-9]+ ms, decompress [0-9]+ ms, layout")" = 1 ]'
check "good entry booted to userspace after four failures" \
      'has "XENLAB-DOMU-CMDLINE: root=/dev/xvda1 ro console=hvc0 boot_fail_good=1"'
check "no key script timeout" '! echo "$S" | grep -q BOOT-FAIL-KEYS-TIMEOUT'
check_no_fault "$S"
e2e_finish boot_fail
