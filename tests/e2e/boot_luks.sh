#!/bin/bash
# e2e: Debian's kernel and initrd kept inside a LUKS volume, an image file
# on the guest's ext4 /boot reached with `loopback`, opened with
# `cryptomount -u UUID` under real Xen (PV).  Cases (PVBOOT_E2E_LUKS_CASES,
# default "luks1 luks2"): luks1 = cryptsetup luksFormat --type luks1,
# aes-xts-plain64, PBKDF2-SHA256; luks2 = --type luks2 with an argon2id
# keyslot (32 MiB, 4 passes, 2 lanes) and 4096-byte sectors.  The payload
# (ext2) is encrypted with the volume key by tests/host/lib/luks_payload.py.
# The passphrase is typed into the domain's console: first a wrong one (the
# exact message and a new prompt), then the right one; the kernel boots
# from (cryptouuid/UUID) to the userspace marker.  Checks nettle's and
# libargon2's code (linked into cryptodisk.mod, luks2.mod) in the guest.
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"

e2e_need linux loopback cryptodisk luks luks2 ext2
CASES=${PVBOOT_E2E_LUKS_CASES:-"luks1 luks2"}
command -v cryptsetup >/dev/null || skip "no cryptsetup"
python3 -c 'import cryptography' 2>/dev/null || skip "no python3-cryptography"

e2e_workdir luks
mk_default_image

for CASE in $CASES; do
    D=$W/$CASE
    mkdir -p "$D"
    TAG="[$CASE] "
    PASS='pvboot e2e'
    P=$D/payload
    mkdir -p "$P"
    cp "/boot/vmlinuz-$KVER" "$P/vmlinuz"
    cp "$XENLAB_CACHE/domu-initrd-$KVER.img" "$P/initrd.img"
    mke2fs -q -F -t ext2 -d "$P" "$D/fs.img" 80M
    truncate -s 100M "$D/luks.img"
    if [ "$CASE" = luks1 ]; then
        printf '%s' "$PASS" | cryptsetup luksFormat --type luks1 --batch-mode --cipher aes-xts-plain64 \
            --key-size 512 --hash sha256 --pbkdf-force-iterations 1000 --key-file=- "$D/luks.img"
        OFF=$(( $(cryptsetup luksDump "$D/luks.img" | awk '/^Payload offset:/ {print $3}') * 512 ))
        SS=512 FMT=luks
    else
        printf '%s' "$PASS" | cryptsetup luksFormat --type luks2 --batch-mode --cipher aes-xts-plain64 \
            --key-size 512 --sector-size 4096 --pbkdf argon2id --pbkdf-memory 32768 \
            --pbkdf-parallel 2 --pbkdf-force-iterations 4 --key-file=- "$D/luks.img"
        OFF=$(cryptsetup luksDump --dump-json-metadata "$D/luks.img" |
              python3 -c 'import json,sys; print(json.load(sys.stdin)["segments"]["0"]["offset"])')
        SS=4096 FMT=luks2
    fi
    KEY=$(printf '%s' "$PASS" | cryptsetup luksDump --dump-volume-key --batch-mode --key-file=- "$D/luks.img" |
          sed -n '/^MK dump:/,$p' | sed 's/^MK dump://' | tr -d ' \t\n')
    python3 "$PVBOOT_SRC/tests/host/lib/luks_payload.py" "$D/luks.img" "$D/fs.img" "$KEY" "$OFF" \
        aes-xts-plain64 "$SS"
    rm -f "$D/fs.img"
    UUID=$(cryptsetup luksUUID "$D/luks.img")
    U=${UUID//-/}

    CFG=$D/grub.cfg
    cat >"$CFG" <<CFG
set timeout=0
loopback lk /boot/luks.img
cryptomount -u $U
echo LUKS-OPENED \$?
linux (cryptouuid/$U)/vmlinuz root=/dev/xvda1 ro console=hvc0 src=$CASE
initrd (cryptouuid/$U)/initrd.img
echo LUKS-BOOTING
boot
CFG
    "$XENLAB" mkdisk "$D/disk.img" --fs ext4 --label msdos --size 200 --cfg "$CFG" \
        --add "$D/luks.img:/boot/luks.img" >"$D/mkdisk.txt" 2>&1 || { cat "$D/mkdisk.txt"; echo "FAIL: mkdisk"; exit 1; }
    rm -f "$D/luks.img"

    keys() {
        echo "w 'Enter passphrase for lk'"
        echo "k 'not it\\r'"
        echo "w 'Enter passphrase for lk'"
        echo "k '$PASS\\r'"
    }
    xenlab_run "$D/run" "$D/out.txt" --loader "$W/pvboot.bin" --disk "$D/disk.img" \
        --expect 'XENLAB-DOMU-DISK-OK|LUKS-KEYS-TIMEOUT' --memory 512 --timeout 600 \
        --post-create "$(keys | keyscript LUKS-KEYS-TIMEOUT)"
    show_console '^LUKS-|^error|^Enter pass|^linux:|XENLAB-DOMU|KEYS-TIMEOUT'
    grep 'XENLAB-TIME' "$D/out.txt" || true
    check "prompt names the device and UUID" 'echo "$CON" | grep -qF "Enter passphrase for lk ($UUID): "'
    check "wrong passphrase reported exactly" \
          'echo "$CON" | grep -qx "error: $FMT: lk: no key slot opens with this passphrase."'
    check "prompted again" '[ "$(echo "$CON" | grep -c "Enter passphrase for lk")" = 2 ]'
    check "passphrase not echoed" '! echo "$CON" | grep -qF "$PASS"'
    check "cryptomount succeeded" 'echo "$CON" | grep -qx "LUKS-OPENED 0"'
    check "booted (rc $rc)" '[ $rc = 0 ]'
    check "userspace reached" 'echo "$CON" | grep -q "^XENLAB-DOMU-USERSPACE-OK"'
    check "its command line arrived" \
          'echo "$CON" | grep -qx "XENLAB-DOMU-CMDLINE: root=/dev/xvda1 ro console=hvc0 src=$CASE"'
    check_no_fault
done
e2e_finish boot_luks
