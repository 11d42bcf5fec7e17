#!/bin/bash
# The `probe` command (modules/search/probe.c) through pvboot-probe on
# images made by sfdisk and mkfs: driver, partition map, filesystem type,
# UUID and label as GRUB 2.06 prints them (measured with grub-emu: no
# newline; msdos part-uuid DISKID-NN; gpt part-uuid the partition GUID in
# lower case), --set, and the errors with their $? values.  Also `search`
# (modules/search/search.c) where its argument rules, empty keys and
# statuses are GRUB 2.06's (measured with grub-emu on the same images).
. "$(dirname "$0")/lib/fscommon.bash"
for t in sfdisk mkfs.ext4 mkfs.vfat mksquashfs; do command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }; done
PROBE=$PVBOOT_BUILD/src/pvboot-probe

run_cfg() {  # IMAGE CONFIG-TEXT -> console output of the run
    printf '%s\n' "$2" >"$WORK/probe.cfg"
    "$PROBE" -c "$WORK/probe.cfg" "$1" 2>&1 | grep '^R:' || true
}

# msdos: ext4 with a label and UUID on partition 1, nothing on partition 2
img=$WORK/msdos.img
truncate -s 64M "$img"
printf 'label: dos\nlabel-id: 0x12345678\n,16M,83\n,,83\n' | sfdisk -q "$img"
mkfs.ext4 -q -F -E offset=$((2048 * 512)) -L mylabel -U 01234567-89ab-cdef-0123-456789abcdef "$img" 14M
out=$(run_cfg "$img" '
probe -s v -p (hd0); echo "R:p0=[$v] $?"
probe -s v -p (hd0,msdos1); echo "R:p1=[$v]"
probe -s v -f (hd0,msdos1); echo "R:f=[$v]"
probe -s v -u (hd0,msdos1); echo "R:u=[$v]"
probe -s v -l hd0,msdos1; echo "R:l=[$v]"
probe -s v --part-uuid (hd0,msdos1); echo "R:pu1=[$v]"
probe -s v --part-uuid (hd0,msdos2); echo "R:pu2=[$v]"
probe -s v --part-uuid (hd0); echo "R:pu0=[$v]"
probe -s v -f -u (hd0,msdos1); echo "R:two=[$v]"
probe -f (hd0,msdos2); echo "R:nofs=$?"
probe (hd0,msdos1); echo "R:none=$?"
probe -f (hd9); echo "R:nodev=$?"
probe -s v -d (hd0); echo "R:d=[$v]"')
expect_eq "msdos probe" "R:p0=[none] 0
R:p1=[msdos]
R:f=[ext2]
R:u=[01234567-89ab-cdef-0123-456789abcdef]
R:l=[mylabel]
R:pu1=[12345678-01]
R:pu2=[12345678-02]
R:pu0=[none]
R:two=[ext2]
R:nofs=8
R:none=18
R:nodev=12
R:d=[xen]" "$out"
# printed without a newline: the echo that follows continues the line
out=$(run_cfg "$img" 'echo -n "R:"; probe -f (hd0,msdos1); echo "|"')
expect_eq "no newline" "R:ext2|" "$out"

# gpt: vfat on partition 1 with a known partition GUID
img=$WORK/gpt.img
truncate -s 64M "$img"
printf 'label: gpt\nsize=16M, type=L, uuid=AAAAAAAA-BBBB-CCCC-DDDD-0123456789EF\n' | sfdisk -q "$img"
mkfs.vfat -n MYFAT -i 1234ABCD --offset 2048 "$img" 16000 >/dev/null 2>&1
out=$(run_cfg "$img" '
probe -s v -p (hd0,gpt1); echo "R:p=[$v]"
probe -s v -f (hd0,gpt1); echo "R:f=[$v]"
probe -s v -u (hd0,gpt1); echo "R:u=[$v]"
probe -s v -l (hd0,gpt1); echo "R:l=[$v]"
probe -s v --part-uuid (hd0,gpt1); echo "R:pu=[$v]"')
expect_eq "gpt probe" "R:p=[gpt]
R:f=[fat]
R:u=[1234-ABCD]
R:l=[MYFAT]
R:pu=[aaaaaaaa-bbbb-cccc-dddd-0123456789ef]" "$out"

# a whole-disk ext4 without a label, with /boot/f
mkdir -p "$WORK/et/boot"
echo hi >"$WORK/et/boot/f"
img=$WORK/nolabel.img
mkfs.ext4 -q -F -d "$WORK/et" -U 0badc0de-1111-2222-3333-444455556666 "$img" 8M >/dev/null 2>&1
out=$(run_cfg "$img" '
set root=zz
echo -n "R:"; search --label "" xyz; echo "|a root=[$root] $?"
search --label "" --set=v1 nolabel-here; echo "R:b v1=[$v1] $?"
search --label nolabel-here ""; echo "R:c $?"
search --fs-uuid "" --set=u; echo "R:d u=[$u] $?"
search --file "" --set=f; echo "R:e f=[$f] $?"
search --file boot/f --set=f; echo "R:rel f=[$f] $?"
search --file /boot/f --set=f; echo "R:abs f=[$f] $?"
search --label; echo "R:nokey $?"
search --set=x; echo "R:notype root=[$root] $?"
search --fs-uuid --set=0BADC0DE-1111-2222-3333-444455556666; echo "R:setkey root=[$root] $?"
set root=zz
search --set b2 --fs-uuid 0badc0de-1111-2222-3333-444455556666 extra; echo "R:setword b2=[$b2] root=[$root] $?"
search.fs_label "" v2 extra; echo "R:dot v2=[$v2] $?"
search.file; echo "R:dotnokey $?"
search --label x --bogus; echo "R:badopt $?"
search --label --bogus x; echo "R:dashkey $?"
search --set=dd --label -- ""; echo "R:dashdash dd=[$dd] $?"
search --set -q --label ""; echo "R:setdash root=[$root] $?"')
expect_eq "search on an unlabelled ext4" "R: xen/xvda|a root=[zz] 0
R:b v1=[xen/xvda] 0
R:c 5
R:d u=[] 5
R:e f=[] 5
R:rel f=[] 5
R:abs f=[xen/xvda] 0
R:nokey 18
R:notype root=[zz] 17
R:setkey root=[xen/xvda] 0
R:setword b2=[xen/xvda] root=[zz] 0
R:dot v2=[xen/xvda] 0
R:dotnokey 18
R:badopt 5
R:dashkey 5
R:dashdash dd=[xen/xvda] 0
R:setdash root=[zz] 5" "$out"

# squashfs has no labels: search --label "" never matches it, probe --label fails
mksquashfs "$WORK/et" "$WORK/sq.img" -quiet -noappend -no-progress >/dev/null
out=$(run_cfg "$WORK/sq.img" '
search --label "" --set=r; echo "R:sq r=[$r] $?"
probe --label --set=l (hd0); echo "R:sql l=[$l] $?"
probe --fs-uuid --set=l (hd0); echo "R:squ $?"')
expect_eq "search/probe on squashfs" "R:sq r=[] 5
R:sql l=[] 24
R:squ 24" "$out"
msg=$(printf 'probe --label (hd0)\n' >"$WORK/m.cfg"; "$PROBE" -c "$WORK/m.cfg" "$WORK/sq.img" 2>&1 | grep -o "filesystem .squash4' does not support labels" || true)
expect_eq "squashfs label message" "filesystem \`squash4' does not support labels" "$msg"
finish
