#!/bin/bash
# save_env on btrfs is refused, with GRUB's words ("GRUB lacks write support
# for btrfs"), and the image is left byte for byte as it was: an in-place
# write would fail btrfs's data checksums (copy-on-write, crc32c per block).
# load_env/list_env still read the block.  Runs pvboot-probe -w on an image
# made by mkfs.btrfs --rootdir; skips (77) without mkfs.btrfs.
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
PROBE=$BUILD/src/pvboot-probe
[ -x "$PROBE" ] || { echo "FAIL: $PROBE not built"; exit 1; }
command -v mkfs.btrfs >/dev/null || { echo "SKIP: no mkfs.btrfs"; exit 77; }
T=$(mktemp -d /tmp/pvboot-grubenv-btrfs.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/root/boot/grub"
{ printf '# GRUB Environment Block\nsaved_entry=old\n'; head -c $((1024 - 41)) /dev/zero | tr '\0' '#'; } \
    >"$T/root/boot/grub/grubenv"
[ "$(stat -c %s "$T/root/boot/grub/grubenv")" = 1024 ] || { echo "FAIL: grubenv is not 1024 bytes"; exit 1; }
truncate -s 128M "$T/disk.img"
mkfs.btrfs -q -f --rootdir "$T/root" "$T/disk.img" >/dev/null 2>&1 || { echo "SKIP: mkfs.btrfs --rootdir failed"; exit 77; }
cp "$T/disk.img" "$T/before.img"
cat >"$T/t.cfg" <<'CFG'
saved_entry=new
save_env -f (xen/xvda)/boot/grub/grubenv saved_entry
echo st=$?
list_env -f (xen/xvda)/boot/grub/grubenv
CFG
out=$("$PROBE" -w -c "$T/t.cfg" "$T/disk.img" 2>&1)
echo "$out" | sed 's/^/probe| /'
fails=0
want="error: (embedded)/pvboot.cfg:2: save_env: (xen/xvda)/boot/grub/grubenv: GRUB lacks write support for btrfs (data checksums, copy-on-write); nothing written"
echo "$out" | grep -qxF "$want" && echo "ok: refused with GRUB's message" || { echo "FAIL: no line '$want'"; fails=$((fails + 1)); }
echo "$out" | grep -qx 'st=[1-9][0-9]*' && echo "ok: save_env failed" || { echo "FAIL: save_env status"; fails=$((fails + 1)); }
echo "$out" | grep -qx 'saved_entry=old' && echo "ok: the block still reads saved_entry=old" ||
    { echo "FAIL: list_env after the refused save"; fails=$((fails + 1)); }
cmp -s "$T/disk.img" "$T/before.img" && echo "ok: image unchanged" || { echo "FAIL: the image changed"; fails=$((fails + 1)); }
[ $fails = 0 ] && echo "PASS grubenv_btrfs"
[ $fails = 0 ]
