#!/bin/bash
# msdos (primary, extended, logical, damaged chains) and gpt (512 and 4096
# byte sectors, names, backup header fallback) tables made by sfdisk/sgdisk,
# read through pvboot-fstest.
. "$(dirname "$0")/lib/fscommon.bash"
for t in sfdisk sgdisk mke2fs; do command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }; done

SRC=$WORK/src
make_tree "$SRC" small
mkfs_part() {   # mkfs_part IMG NAME: an 8 MiB ext4 with label NAME
    mke2fs -q -F -t ext4 -L "$2" -U "$3" -d "$SRC" "$1" 8M
}
mkfs_part "$WORK/p1.img" one 11111111-1111-1111-1111-111111111111
mkfs_part "$WORK/p5.img" five 55555555-5555-5555-5555-555555555555
mkfs_part "$WORK/p6.img" six 66666666-6666-6666-6666-666666666666
put() { dd if="$2" of="$1" bs=512 seek="$3" conv=notrunc status=none; }
probe_line() { "$FSTEST" "${@:1:$#-1}" -- probe | grep -F "(${!#})" ; }

# ---- msdos: 2 primaries, an extended with 3 logicals ----
img=$WORK/msdos.img
truncate -s 64M "$img"
sfdisk -q "$img" <<'T'
label: dos
label-id: 0x12345678
start=2048, size=16384, type=83, bootable
start=18432, size=40960, type=5
start=20480, size=16384, type=83
start=38912, size=16384, type=83
start=57344, size=2048, type=82
start=59392, size=4096, type=c
T
put "$img" "$WORK/p1.img" 2048
put "$img" "$WORK/p5.img" 20480
put "$img" "$WORK/p6.img" 38912
"$FSTEST" "$img" -- probe >"$WORK/probe.out"
cat >"$WORK/probe.exp" <<'E'
(xen/xvda) size=67108864 fs=none
(xen/xvda,msdos1) size=8388608 start=2048 map=msdos type=0x83 fs=ext2 uuid=11111111-1111-1111-1111-111111111111 label="one"
(xen/xvda,msdos3) size=2097152 start=59392 map=msdos type=0x0c fs=none
(xen/xvda,msdos5) size=8388608 start=20480 map=msdos type=0x83 fs=ext2 uuid=55555555-5555-5555-5555-555555555555 label="five"
(xen/xvda,msdos6) size=8388608 start=38912 map=msdos type=0x83 fs=ext2 uuid=66666666-6666-6666-6666-666666666666 label="six"
(xen/xvda,msdos7) size=1048576 start=57344 map=msdos type=0x82 fs=none
E
sfdisk -d "$img" >"$WORK/sfdisk.out"
if diff -u "$WORK/probe.exp" <(sort "$WORK/probe.out") >"$WORK/diff"; then ok; else
    fail "msdos probe"; cat "$WORK/diff"; cat "$WORK/sfdisk.out"; fi
check_tree msdos5 "$img" hd0,msdos5 "$SRC" '^lost\+found'
check_tree msdos6-by-number "$img" hd0,6 "$SRC" '^lost\+found'
expect_eq "msdos1 alias path" "hello" "$("$FSTEST" "$img" -- cat '(hd0,msdos1)/hello.txt')"

# EBR chain loop: point the 2nd EBR's next link back at the first -> error, no hang
cp "$img" "$WORK/loop.img"
# the first EBR is at the extended start (18432); its link entry (slot 1) gives the next EBR
read -r nlo < <(od -A n -t u4 -j $((18432 * 512 + 446 + 16 + 8)) -N 4 "$WORK/loop.img")
ebr2=$((18432 + nlo))
# second EBR: link (slot 1) -> offset 0 (the first EBR again), type 5
printf '\x05' | dd of="$WORK/loop.img" bs=1 seek=$((ebr2 * 512 + 446 + 16 + 4)) conv=notrunc status=none
printf '\x00\x00\x00\x00\x00\x08\x00\x00' | dd of="$WORK/loop.img" bs=1 seek=$((ebr2 * 512 + 446 + 16 + 8)) conv=notrunc status=none
if timeout 20 "$FSTEST" "$WORK/loop.img" -- probe >"$WORK/loop.out" 2>&1; then ok; else fail "EBR loop: probe exit $?"; fi
grep -q 'loop' "$WORK/loop.out" && ok || { fail "EBR loop not reported"; cat "$WORK/loop.out"; }

# ---- whole-disk filesystem, no table ----
check_tree whole-disk "$WORK/p1.img" hd0 "$SRC" '^lost\+found'
expect_eq "whole-disk probe" '(xen/xvda) size=8388608 fs=ext2 uuid=11111111-1111-1111-1111-111111111111 label="one"' \
    "$("$FSTEST" "$WORK/p1.img" -- probe)"
# two images: hd0 and hd1
expect_eq "second disk" "hello" "$("$FSTEST" "$img" "$WORK/p5.img" -- cat '(hd1)/hello.txt')"

# ---- gpt, 512-byte sectors ----
img=$WORK/gpt.img
truncate -s 64M "$img"
sgdisk -o -U 01234567-89ab-cdef-0123-456789abcdef \
    -n 1:2048:+1M -t 1:ef02 -c 1:"BIOS boot" \
    -n 2:4096:+8M -t 2:8300 -c 2:"Linux root" -u 2:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee \
    -n 4:24576:+8M -t 4:8300 -c 4:"données ☃" "$img" >/dev/null
put "$img" "$WORK/p1.img" 4096
put "$img" "$WORK/p6.img" 24576
cat >"$WORK/gpt.exp" <<'E'
(xen/xvda) size=67108864 fs=none
(xen/xvda,gpt1) size=1048576 start=2048 map=gpt partlabel="BIOS boot" fs=none
(xen/xvda,gpt2) size=8388608 start=4096 map=gpt partlabel="Linux root" fs=ext2 uuid=11111111-1111-1111-1111-111111111111 label="one"
(xen/xvda,gpt4) size=8388608 start=24576 map=gpt partlabel="données ☃" fs=ext2 uuid=66666666-6666-6666-6666-666666666666 label="six"
E
"$FSTEST" "$img" -- probe >"$WORK/gpt.out"
if diff -u "$WORK/gpt.exp" "$WORK/gpt.out"; then ok; else fail "gpt probe"; fi
check_tree gpt2 "$img" hd0,gpt2 "$SRC" '^lost\+found'

# primary header damaged -> backup header at the end of the disk
cp "$img" "$WORK/gptb.img"
printf 'XXXX' | dd of="$WORK/gptb.img" bs=1 seek=$((512 + 24)) conv=notrunc status=none
"$FSTEST" "$WORK/gptb.img" -- probe >"$WORK/gptb.out"
if diff -u "$WORK/gpt.exp" "$WORK/gptb.out"; then ok; else fail "gpt backup header fallback"; fi
# primary entry array damaged -> backup
cp "$img" "$WORK/gpte.img"
printf 'Z' | dd of="$WORK/gpte.img" bs=1 seek=$((1024 + 128 + 60)) conv=notrunc status=none
"$FSTEST" "$WORK/gpte.img" -- probe >"$WORK/gpte.out"
if diff -u "$WORK/gpt.exp" "$WORK/gpte.out"; then ok; else fail "gpt backup entries fallback"; fi
# both damaged -> an error naming the gpt, no partitions
printf 'XXXX' | dd of="$WORK/gpte.img" bs=1 seek=$((512 + 24)) conv=notrunc status=none
size=$(stat -c %s "$WORK/gpte.img")
printf 'XXXX' | dd of="$WORK/gpte.img" bs=1 seek=$((size - 512 + 24)) conv=notrunc status=none
"$FSTEST" "$WORK/gpte.img" -- probe >"$WORK/gpte2.out" 2>&1 || true
grep -q 'gpt.*both damaged' "$WORK/gpte2.out" && ok || { fail "damaged gpt message"; cat "$WORK/gpte2.out"; }
grep -q 'gpt2' "$WORK/gpte2.out" && fail "partitions listed from a damaged gpt" || ok

# ---- gpt with 4096-byte sectors (lib/mktable4k.py: sfdisk 2.38 cannot) ----
img=$WORK/gpt4k.img
truncate -s 64M "$img"
python3 "$(dirname "$0")/lib/mktable4k.py" "$img" gpt 256:2048:four-k 4096:2048:second
put "$img" "$WORK/p5.img" $((256 * 8))
put "$img" "$WORK/p6.img" $((4096 * 8))
cat >"$WORK/gpt4k.exp" <<'E'
(xen/xvda) size=67108864 fs=none
(xen/xvda,gpt1) size=8388608 start=2048 map=gpt partlabel="four-k" fs=ext2 uuid=55555555-5555-5555-5555-555555555555 label="five"
(xen/xvda,gpt2) size=8388608 start=32768 map=gpt partlabel="second" fs=ext2 uuid=66666666-6666-6666-6666-666666666666 label="six"
E
"$FSTEST" -s 4096 "$img" -- probe >"$WORK/gpt4k.out"
if diff -u "$WORK/gpt4k.exp" "$WORK/gpt4k.out"; then ok; else fail "gpt 4k probe"; fi
check_tree gpt4k "-s 4096 $img" hd0,gpt2 "$SRC" '^lost\+found'
# the same disk read as 512-byte sectors has no valid GPT at LBA 1
"$FSTEST" "$img" -- probe | grep -q gpt && fail "4k gpt seen with 512-byte sectors" || ok

# ---- msdos with 4096-byte sectors ----
img=$WORK/dos4k.img
truncate -s 64M "$img"
python3 "$(dirname "$0")/lib/mktable4k.py" "$img" dos 256:2048
put "$img" "$WORK/p5.img" $((256 * 8))
expect_eq "msdos 4k" '(xen/xvda,msdos1) size=8388608 start=2048 map=msdos type=0x83 fs=ext2 uuid=55555555-5555-5555-5555-555555555555 label="five"' \
    "$("$FSTEST" -s 4096 "$img" -- probe | grep msdos1)"

finish
