#!/bin/bash
# e2e: Debian's kernel and initrd kept inside a LUKS1 volume (cryptsetup
# luksFormat --type luks1, aes-xts-plain64, PBKDF2-SHA256; the ext2 payload
# encrypted with the volume key by tests/host/lib/luks_payload.py), an image
# file on the guest's ext4 /boot reached with `loopback`, opened with
# `cryptomount -u UUID` under real Xen (PV).  The passphrase is typed into
# the domain's console: first a wrong one (the exact message and a new
# prompt), then the right one; the kernel boots from (cryptouuid/UUID) to
# the userspace marker.  Checks nettle's code (linked into cryptodisk.mod)
# in the guest.
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"

e2e_need linux loopback cryptodisk luks ext2
command -v cryptsetup >/dev/null || skip "no cryptsetup"
python3 -c 'import cryptography' 2>/dev/null || skip "no python3-cryptography"

e2e_workdir luks
mk_default_image

PASS='pvboot e2e'
P=$W/payload
mkdir -p "$P"
cp "/boot/vmlinuz-$KVER" "$P/vmlinuz"
cp "$XENLAB_CACHE/domu-initrd-$KVER.img" "$P/initrd.img"
mke2fs -q -F -t ext2 -d "$P" "$W/fs.img" 80M
truncate -s 84M "$W/luks.img"
printf '%s' "$PASS" | cryptsetup luksFormat --type luks1 --batch-mode --cipher aes-xts-plain64 \
    --key-size 512 --hash sha256 --pbkdf-force-iterations 1000 --key-file=- "$W/luks.img"
OFF=$(cryptsetup luksDump "$W/luks.img" | awk '/^Payload offset:/ {print $3}')
KEY=$(printf '%s' "$PASS" | cryptsetup luksDump --dump-volume-key --batch-mode --key-file=- "$W/luks.img" |
      sed -n '/^MK dump:/,$p' | sed 's/^MK dump://' | tr -d ' \t\n')
python3 "$PVBOOT_SRC/tests/host/lib/luks_payload.py" "$W/luks.img" "$W/fs.img" "$KEY" $((OFF * 512)) \
    aes-xts-plain64
rm -f "$W/fs.img"
UUID=$(cryptsetup luksUUID "$W/luks.img")
U=${UUID//-/}

CFG=$W/grub.cfg
cat >"$CFG" <<CFG
set timeout=0
loopback lk /boot/luks.img
cryptomount -u $U
echo LUKS-OPENED \$?
linux (cryptouuid/$U)/vmlinuz root=/dev/xvda1 ro console=hvc0 src=luks
initrd (cryptouuid/$U)/initrd.img
echo LUKS-BOOTING
boot
CFG
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos --size 200 --cfg "$CFG" \
    --add "$W/luks.img:/boot/luks.img" >"$W/mkdisk.txt" 2>&1 || { cat "$W/mkdisk.txt"; echo "FAIL: mkdisk"; exit 1; }
rm -f "$W/luks.img"

keys() {
    echo "w 'Enter passphrase for lk'"
    echo "k 'not it\\r'"
    echo "w 'Enter passphrase for lk'"
    echo "k '$PASS\\r'"
}
xenlab_run "$W/run" "$W/out.txt" --loader "$W/pvboot.bin" --disk "$W/disk.img" \
    --expect 'XENLAB-DOMU-DISK-OK|LUKS-KEYS-TIMEOUT' --memory 512 --timeout 600 \
    --post-create "$(keys | keyscript LUKS-KEYS-TIMEOUT)"
show_console '^LUKS-|^error|^Enter pass|^linux:|XENLAB-DOMU|KEYS-TIMEOUT'
grep 'XENLAB-TIME' "$W/out.txt" || true
check "prompt names the device and UUID" 'echo "$CON" | grep -qF "Enter passphrase for lk ($UUID): "'
check "wrong passphrase reported exactly" \
      'echo "$CON" | grep -qx "error: luks: lk: no key slot opens with this passphrase."'
check "prompted again" '[ "$(echo "$CON" | grep -c "Enter passphrase for lk")" = 2 ]'
check "passphrase not echoed" '! echo "$CON" | grep -qF "$PASS"'
check "cryptomount succeeded" 'echo "$CON" | grep -qx "LUKS-OPENED 0"'
check "booted (rc $rc)" '[ $rc = 0 ]'
check "userspace reached" 'echo "$CON" | grep -q "^XENLAB-DOMU-USERSPACE-OK"'
check "its command line arrived" \
      'echo "$CON" | grep -qx "XENLAB-DOMU-CMDLINE: root=/dev/xvda1 ro console=hvc0 src=luks"'
check_no_fault
e2e_finish boot_luks
