#!/bin/bash
# loopback: files on an ext4 image used as disks through `loopback`
# (pvboot-fstest -c): an ISO made by xorriso, a SquashFS image, a
# partitioned image (ext2 in msdos1) holding another SquashFS (loop devices
# nested), every file compared with its source tree; GRUB 2.06's messages
# for the error cases (measured with grub-emu); k3OS's grub.cfg pattern
# (loopback loop0 /$sqfile; linux (loop0)/vmlinuz) through pvboot-probe.
. "$(dirname "$0")/lib/fscommon.bash"
for t in mksquashfs xorriso sfdisk; do
    command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
PROBE=$PVBOOT_BUILD/src/pvboot-probe
tree_hashes() {
    (cd "$1" && find . -type f -printf '%P\0' | xargs -0 sha256sum) | grep -v -E "${2:-^$}" | sort -k2
}

SRC=$WORK/src
MANY=200 make_tree "$SRC"
rm "$SRC/sparse"          # keeps the ext4 image small
OUTER=$WORK/outer
mkdir -p "$OUTER/iso" "$OUTER/images"
printf 'hello\n' >"$OUTER/short.txt"
xorriso -as mkisofs -quiet -R -J -V LOOPISO -o "$OUTER/iso/x.iso" "$SRC" 2>/dev/null || fail xorriso
mksquashfs "$SRC" "$OUTER/images/root.sqfs" -comp xz -quiet -noappend -no-progress >/dev/null
# a partitioned disk image: ext2 in msdos1 holding another squashfs
PSRC=$WORK/psrc
mkdir -p "$PSRC"
mksquashfs "$SRC/boot" "$PSRC/boot.sqfs" -comp lz4 -quiet -noappend -no-progress >/dev/null
mke2fs -q -F -t ext2 -d "$PSRC" "$WORK/p1.img" 12M
truncate -s 16M "$OUTER/images/part.img"
printf 'label: dos\nstart=2048, size=24576, type=83\n' | sfdisk -q "$OUTER/images/part.img"
dd if="$WORK/p1.img" of="$OUTER/images/part.img" bs=512 seek=2048 conv=notrunc status=none
mke2fs -q -F -t ext4 -d "$OUTER" "$WORK/disk.img" 96M
D=$WORK/disk.img

# check_loop LABEL DEVICE SRC FSTEST-ARGS...: listing and hashes of DEVICE
check_loop() {
    local label=$1 dev=$2 src=$3
    shift 3
    if ! "$FSTEST" "$@" -- ls -R "($dev)/" 2>"$WORK/err" | sort >"$WORK/ours.ls"; then
        fail "$label: ls -R: $(cat "$WORK/err")"; return; fi
    tree_listing "$src" >"$WORK/ref.ls"
    if diff -u "$WORK/ref.ls" "$WORK/ours.ls" >"$WORK/diff"; then ok; else
        fail "$label: listing differs"; head -20 "$WORK/diff"; fi
    if ! "$FSTEST" "$@" -- hashtree "($dev)/" 2>"$WORK/err" | sort -k2 >"$WORK/ours.h"; then
        fail "$label: hashtree: $(cat "$WORK/err")"; return; fi
    tree_hashes "$src" >"$WORK/ref.h"
    if diff -u "$WORK/ref.h" "$WORK/ours.h" >"$WORK/diff"; then ok; else
        fail "$label: file contents differ"; head -20 "$WORK/diff"; fi
    echo "ok: $label ($(wc -l <"$WORK/ref.h") files)"
}

check_loop loop-iso loop0 "$SRC" -c 'loopback loop0 (hd0)/iso/x.iso' "$D"
check_loop loop-squashfs loop0 "$SRC" -c 'loopback loop0 (hd0)/images/root.sqfs' "$D"
# nested: a squashfs in an ext2 partition of a disk image in ext4
check_loop loop-nested lp "$SRC/boot" -c 'loopback loop0 (hd0)/images/part.img' \
    -c 'loopback lp (loop0,msdos1)/boot.sqfs' "$D"
expect_eq "probe of loop devices" \
"(xen/xvda) size=100663296 fs=ext2 uuid=$("$FSTEST" "$D" -- probe | sed -n 's/.*uuid=\([^ ]*\).*/\1/p') label=\"\"
(lp) size=$(( ($(stat -c %s "$PSRC/boot.sqfs") + 511) / 512 * 512 )) fs=squash4 uuid= label=\"\"
(loop0) size=16777216 fs=none
(loop0,msdos1) size=12582912 start=2048 map=msdos type=0x83 fs=ext2 uuid=$("$FSTEST" "$WORK/p1.img" -- probe | sed -n 's/.*uuid=\([^ ]*\).*/\1/p') label=\"\"
(iso) size=$(stat -c %s "$OUTER/iso/x.iso") fs=iso9660 uuid=$("$FSTEST" "$OUTER/iso/x.iso" -- probe | sed -n 's/.*uuid=\([^ ]*\).*/\1/p') label=\"LOOPISO\"" \
    "$("$FSTEST" -c 'loopback iso (hd0)/iso/x.iso' -c 'loopback loop0 (hd0)/images/part.img' \
        -c 'loopback lp (loop0,msdos1)/boot.sqfs' "$D" -- probe)"
# a file of 6 bytes: one sector, the rest reads as zeros (as GRUB)
{ printf 'hello\n'; head -c 506 /dev/zero; } >"$WORK/short.expected"
"$FSTEST" -c 'loopback s (hd0)/short.txt' "$D" -- cat '(s)' >"$WORK/short.out" 2>&1
if cmp -s "$WORK/short.expected" "$WORK/short.out"; then ok; else fail "short file: $(head -c 200 "$WORK/short.out")"; fi
# deleting and re-creating
expect_eq "delete" "(xen/xvda)" \
    "$("$FSTEST" -c 'loopback loop0 (hd0)/iso/x.iso' -c 'loopback -d loop0' "$D" -- probe | cut -d' ' -f1)"
expect_eq "delete and re-use the name" "LOOPISO" \
    "$("$FSTEST" -c 'loopback loop0 (hd0)/images/root.sqfs' -c 'loopback --delete loop0' \
        -c 'loopback loop0 (hd0)/iso/x.iso' "$D" -- probe loop0 | sed 's/.*label="\([^"]*\)".*/\1/')"

# GRUB 2.06's messages (grub-emu)
err() { "$FSTEST" "$@" -- probe 2>&1 >/dev/null; }
expect_eq "name in use" "pvboot-fstest: -c loopback loop0 (hd0)/iso/x.iso: device name already exists" \
    "$(err -c 'loopback loop0 (hd0)/iso/x.iso' -c 'loopback loop0 (hd0)/iso/x.iso' "$D")"
expect_eq "name of a real disk" "pvboot-fstest: -c loopback hd0 (hd0)/iso/x.iso: device name already exists" \
    "$(err -c 'loopback hd0 (hd0)/iso/x.iso' "$D")"
expect_eq "missing file" "pvboot-fstest: -c loopback loop0 (hd0)/nonexistent: file \`/nonexistent' not found" \
    "$(err -c 'loopback loop0 (hd0)/nonexistent' "$D")"
expect_eq "no name" "pvboot-fstest: -c loopback: device name required" "$(err -c 'loopback' "$D")"
expect_eq "no file" "pvboot-fstest: -c loopback loop0: filename expected" "$(err -c 'loopback loop0' "$D")"
expect_eq "delete unknown" "pvboot-fstest: -c loopback -d loop7: device not found" \
    "$(err -c 'loopback -d loop7' "$D")"
expect_eq "delete in use" "pvboot-fstest: -c loopback -d loop0: device still referenced" \
    "$(err -c 'loopback loop0 (hd0)/images/part.img' -c 'loopback lp (loop0,msdos1)/boot.sqfs' \
        -c 'loopback -d loop0' "$D")"
# nesting is bounded: squashfs images each holding the next one (l.sqfs)
for i in 10 9 8 7 6 5 4 3 2 1; do
    mkdir -p "$WORK/lv$i"
    echo "level $i" >"$WORK/lv$i/leaf"
    [ "$i" = 10 ] || cp "$WORK/s$((i + 1)).sqfs" "$WORK/lv$i/l.sqfs"
    mksquashfs "$WORK/lv$i" "$WORK/s$i.sqfs" -comp lzo -quiet -noappend -no-progress >/dev/null
done
args=(-c "loopback l1 (hd0)/l.sqfs")
for i in 2 3 4 5 6 7 8; do args+=(-c "loopback l$i (l$((i - 1)))/l.sqfs"); done
expect_eq "eight deep" "level 9" "$("$FSTEST" "${args[@]}" "$WORK/s1.sqfs" -- cat '(l8)/leaf' 2>&1)"
args+=(-c "loopback l9 (l8)/l.sqfs")
expect_eq "nine deep refused" "pvboot-fstest: -c loopback l9 (l8)/l.sqfs: loopback: (l8)/l.sqfs: loop devices nested more than 8 deep" \
    "$(err "${args[@]}" "$WORK/s1.sqfs")"

# k3OS: the kernel in a squashfs file on the ext4 state partition
K=$WORK/k3
mkdir -p "$K/k3os/system/kernel/current" "$K/boot/grub" "$WORK/ksq"
rand_bytes kernel 300000 >"$WORK/ksq/vmlinuz"
mksquashfs "$WORK/ksq" "$K/k3os/system/kernel/current/kernel.squashfs" -comp gzip -quiet -noappend -no-progress >/dev/null
rand_bytes initrd 5000 >"$K/k3os/system/kernel/current/initrd"
cat >"$K/boot/grub/grub.cfg" <<'CFG'
set default=0
set timeout=3
menuentry "k3OS Current" {
  search.fs_label K3OS_STATE root
  set sqfile=/k3os/system/kernel/current/kernel.squashfs
  loopback loop0 /$sqfile
  set root=($root)
  linux (loop0)/vmlinuz printk.devkmsg=on k3os.mode=live console=hvc0
  initrd /k3os/system/kernel/current/initrd
}
CFG
mke2fs -q -F -t ext4 -L K3OS_STATE -d "$K" "$WORK/k3.img" 16M
out=$("$PROBE" -q "$WORK/k3.img" 2>&1) || fail "pvboot-probe k3os: $out"
expect_eq "k3os kernel" "kernel:        (loop0)/vmlinuz" "$(grep '^kernel:' <<<"$out")"
expect_eq "k3os initrd" "initrd:        /k3os/system/kernel/current/initrd" "$(grep '^initrd:' <<<"$out")"
expect_eq "k3os cmdline" "cmdline:       printk.devkmsg=on k3os.mode=live console=hvc0" "$(grep '^cmdline:' <<<"$out")"
expect_eq "k3os kernel bytes" "$(sha256sum <"$WORK/ksq/vmlinuz" | cut -d' ' -f1)" \
    "$("$FSTEST" -c 'loopback loop0 (hd0)//k3os/system/kernel/current/kernel.squashfs' "$WORK/k3.img" -- hash '(loop0)/vmlinuz' | cut -d' ' -f1)"

finish
