#!/bin/bash
# e2e: signed kernels under real Xen (PV).  An image built with
# `mkpvimage -k KEY` (an Ed25519 and an RSA-3072 key made here by gpg) whose
# embedded config sets check_signatures=enforce and runs the guest's
# grub.cfg (itself signed).  That config tries `set check_signatures=no`
# (refused: the image embeds keys), then its menu is worked through with
# keys typed into the console:
#   1. an unsigned kernel          -> file `...sig' not found, menu again
#   2. a kernel with one byte changed, carrying the good kernel's
#      signature                   -> bad signature ... does not match, menu again
#   3. Debian's kernel signed with the Ed25519 key (SHA-256) and its initrd
#      signed with the RSA key (SHA-512) -> boots to userspace.
# Checks the pgp module (our OpenPGP parser, nettle/hogweed and GMP linked
# freestanding into pgp.mod) in the guest.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
# shellcheck source=../host/lib/gpg.bash
. "$PVBOOT_SRC/tests/host/lib/gpg.bash"
e2e_need normal linux ext2 part_msdos search pgp
command -v gpg >/dev/null || skip "no gpg (gnupg)"

e2e_workdir signed
gpg_init "$W"
trap 'gpg_stop; rm -rf "$W"' EXIT
gpg_key kern ed25519
gpg_key initrd rsa3072
gpg_export kern "$W/kern.pub"
gpg_export initrd "$W/initrd.pub"
KID=$(gpg_keyid kern)

F=$W/files
mkdir -p "$F"
cp "/boot/vmlinuz-$KVER" "$F/vmlinuz-signed"
cp "$XENLAB_CACHE/domu-initrd-$KVER.img" "$F/initrd-signed"
gpg_sign kern "$F/vmlinuz-signed" SHA256
gpg_sign initrd "$F/initrd-signed" SHA512
cp "/boot/vmlinuz-$KVER" "$F/vmlinuz-unsigned"
cp "/boot/vmlinuz-$KVER" "$F/vmlinuz-tampered"
SZ=$(stat -c %s "$F/vmlinuz-tampered")
printf '\x5a' | dd of="$F/vmlinuz-tampered" bs=1 seek=$((SZ / 2)) conv=notrunc status=none
cmp -s "$F/vmlinuz-tampered" "$F/vmlinuz-signed" && { echo "FAIL: tampering changed nothing"; exit 1; }
cp "$F/vmlinuz-signed.sig" "$F/vmlinuz-tampered.sig"

K="root=/dev/xvda1 ro console=hvc0"
cat >"$W/grub.cfg" <<CFG
set check_signatures=no
echo "SIGNED-CHECK \$check_signatures"
menuentry 'Unsigned' {
	linux /boot/vmlinuz-unsigned $K
}
menuentry 'Tampered' {
	linux /boot/vmlinuz-tampered $K
}
menuentry 'Signed' {
	linux /boot/vmlinuz-signed $K boot_signed=1
	initrd /boot/initrd-signed
}
CFG
gpg_sign kern "$W/grub.cfg" SHA256
cat >"$W/embedded.cfg" <<'CFG'
set check_signatures=enforce
search --no-floppy --file --set=root /boot/grub/signed.cfg
configfile /boot/grub/signed.cfg
CFG
mkpv -c "$W/embedded.cfg" -k "$W/kern.pub" -k "$W/initrd.pub" -o "$W/pvboot.bin"

adds=()
for f in vmlinuz-signed vmlinuz-signed.sig initrd-signed initrd-signed.sig vmlinuz-unsigned \
         vmlinuz-tampered vmlinuz-tampered.sig; do
    adds+=(--add "$F/$f:/boot/$f")
done
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos --size 200 \
    --add "$W/grub.cfg:/boot/grub/signed.cfg" --add "$W/grub.cfg.sig:/boot/grub/signed.cfg.sig" \
    "${adds[@]}" >"$W/mkdisk.txt" 2>&1 || { echo "FAIL: mkdisk"; cat "$W/mkdisk.txt"; exit 1; }
rm -rf "$F"

keys() {
    echo "w 'pvboot boot menu'"
    echo "k '\\r'"
    for _ in 1 2; do
        echo "w 'Press any key to continue'"
        echo "k 'x'"
        echo "w 'pvboot boot menu'"
        echo "k '\\033[B'"
        echo "k '\\r'"
    done
}
xenlab_run "$W/run" "$W/run.txt" --loader "$W/pvboot.bin" --disk "$W/disk.img" --memory 512 \
    --expect 'XENLAB-DOMU-CMDLINE|SIGNED-KEYS-TIMEOUT' --timeout 600 \
    --post-create "$(keys | keyscript SIGNED-KEYS-TIMEOUT)"
echo "xenlab rc $rc"
grep 'XENLAB-TIME' "$W/run.txt" || true
S=$(tr '\r' '\n' <"$W/run/domu-console.log" 2>/dev/null | sed 's/\x1b\[[0-9;]*[A-Za-z]/\n/g' \
    | grep -av '^ *$' || true)
echo "$S" | grep -aE '^error|^Booting|^SIGNED|XENLAB-DOMU|KEYS-TIMEOUT|fatal|^pgp' | cut -c1-200 |
    sed 's/^/console| /' || true

has() { echo "$S" | grep -qxF -- "$1"; }
CF=/boot/grub/signed.cfg
check "the guest's config cannot switch enforcement off" \
      'has "error: $CF:1: check_signatures: this image embeds public keys and enforces signatures; \`no'"'"' is refused" &&
       has "SIGNED-CHECK enforce"'
check "unsigned kernel refused with the message" \
      'has "error: $CF:4: file \`/boot/vmlinuz-unsigned.sig'"'"' not found" &&
       has "error: entry \`Unsigned'"'"': a loader command failed; not booting it."'
check "tampered kernel refused with the message" \
      'has "error: $CF:7: bad signature: /boot/vmlinuz-tampered does not match /boot/vmlinuz-tampered.sig (key $KID)" &&
       has "error: entry \`Tampered'"'"': a loader command failed; not booting it."'
check "the menu came back after each refusal" \
      '[ "$(echo "$S" | grep -acx " *pvboot boot menu")" -ge 3 ] &&
       [ "$(echo "$S" | grep -ac "^Press any key to continue...")" = 2 ]'
check "signed kernel and initrd booted to userspace (rc $rc)" \
      '[ $rc = 0 ] && has "XENLAB-DOMU-CMDLINE: $K boot_signed=1"'
check "no key script timeout" '! echo "$S" | grep -q SIGNED-KEYS-TIMEOUT'
check_no_fault "$S"
e2e_finish boot_signed "$W/run.txt"
