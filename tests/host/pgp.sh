#!/bin/bash
# Module pgp (GRUB's check_signatures, trust, distrust, list_trusted,
# verify_detached) through pvboot-probe on an ext2 image, with keys and
# detached signatures made here by gpg: RSA 2048/3072/4096 and Ed25519 keys,
# a signing subkey, SHA-1/224/256/384/512.  Good signatures verify; a
# tampered file, a wrong key, an unsigned file, a truncated, an armored and a
# text-mode signature each give their exact message; enforcement covers
# cat, source, configfile and linux/initrd; keys given as embedded
# (pvboot-probe -k, as mkpvimage -k) lock enforcement on; mkpvimage -k
# embeds the key bytes and refuses a file that is not a key.
. "$(dirname "$0")/lib/fscommon.bash"
. "$(dirname "$0")/lib/gpg.bash"
command -v gpg >/dev/null || { echo "SKIP: gpg missing (apt-get install gnupg)"; exit 77; }
for t in mke2fs grub-editenv; do command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }; done
PROBE=$PVBOOT_BUILD/src/pvboot-probe
MKPV=$PVBOOT_BUILD/src/mkpvimage
gpg_init "$WORK"
trap 'gpg_stop; rm -rf "$WORK"' EXIT

gpg_key r2048 rsa2048
gpg_key r3072 rsa3072
gpg_key r4096 rsa4096
gpg_key ed ed25519
gpg_key other rsa2048
gpg_key sub ed25519
gpg_subkey sub rsa2048

T=$WORK/tree
mkdir -p "$T/f" "$T/keys" "$T/boot/grub"
for k in r2048 r3072 r4096 ed other sub; do gpg_export $k "$T/keys/$k.pub"; done
mk() { rand_bytes "$1" "$2" >"$T/f/$1"; }
mk rsa2048 100000;  gpg_sign r2048 "$T/f/rsa2048" SHA256
mk rsa3072 70001;   gpg_sign r3072 "$T/f/rsa3072" SHA1
mk rsa4096 5;       gpg_sign r4096 "$T/f/rsa4096" SHA512
mk ed256 4096;      gpg_sign ed "$T/f/ed256" SHA256
mk ed512 12345;     gpg_sign ed "$T/f/ed512" SHA512
mk sha224 1000;     gpg_sign r2048 "$T/f/sha224" SHA224
mk sha384 1000;     gpg_sign ed "$T/f/sha384" SHA384
mk subkey 2000;     gpg_sign sub "$T/f/subkey" SHA256 "$(gpg_keyid sub 2)!"
: >"$T/f/empty";    gpg_sign ed "$T/f/empty" SHA256
mk tampered 50000;  gpg_sign r2048 "$T/f/tampered" SHA256
printf 'X' | dd of="$T/f/tampered" bs=1 seek=25000 conv=notrunc status=none
mk unsigned 1000
mk trunc 1000;      gpg_sign r2048 "$T/f/trunc" SHA256
head -c 100 "$T/f/trunc.sig" >"$T/f/trunc.sig.tmp" && mv "$T/f/trunc.sig.tmp" "$T/f/trunc.sig"
mk armor 1000
gpg -q --batch --yes --pinentry-mode loopback --passphrase '' -u '<ed@pvboot.invalid>' \
    --armor --detach-sign -o "$T/f/armor.sig" "$T/f/armor"
printf 'some text\n' >"$T/f/text"
gpg -q --batch --yes --pinentry-mode loopback --passphrase '' -u '<ed@pvboot.invalid>' \
    --textmode --detach-sign -o "$T/f/text.sig" "$T/f/text"
# the key files themselves signed by ed (trust without --skip-sig while enforcing)
gpg_sign ed "$T/keys/r2048.pub" SHA256
printf 'echo "R:signed cfg ran"\n' >"$T/boot/grub/signed.cfg"
gpg_sign ed "$T/boot/grub/signed.cfg" SHA256
printf 'echo "R:unsigned cfg ran"\n' >"$T/boot/grub/unsigned.cfg"
mk vmlinuz 300000;  gpg_sign ed "$T/f/vmlinuz" SHA256
mk initrd 200000;   gpg_sign ed "$T/f/initrd" SHA512
grub-editenv "$T/boot/grub/grubenv" set saved_entry=pgp-test
mkdir "$T/lost+found"
IMG=$WORK/disk.img
mke2fs -q -F -t ext2 -d "$T" "$IMG" 8M

R2048=$(gpg_keyid r2048); ED=$(gpg_keyid ed); R4096=$(gpg_keyid r4096)
OTHER=$(gpg_keyid other)

# run_cfg CONFIG-TEXT [PROBE-OPTIONS...]: the R: lines and error lines of a run
run_cfg() {
    local cfg=$1
    shift
    printf 'set root=(hd0)%s\n' "$cfg" >"$WORK/probe.cfg"   # line 1: the texts start with a newline
    "$PROBE" "$@" -c "$WORK/probe.cfg" "$IMG" 2>&1 | grep -E '^(R:|error:)' || true
}
E=(embedded)/pvboot.cfg   # how the run names its -c config

# ---- verify_detached with a key file: every algorithm and hash
out=$(run_cfg '
verify_detached /f/rsa2048 /f/rsa2048.sig /keys/r2048.pub; echo "R:rsa2048 $?"
verify_detached /f/rsa3072 /f/rsa3072.sig /keys/r3072.pub; echo "R:rsa3072-sha1 $?"
verify_detached /f/rsa4096 /f/rsa4096.sig /keys/r4096.pub; echo "R:rsa4096-sha512 $?"
verify_detached /f/ed256 /f/ed256.sig /keys/ed.pub; echo "R:ed-sha256 $?"
verify_detached /f/ed512 /f/ed512.sig /keys/ed.pub; echo "R:ed-sha512 $?"
verify_detached /f/sha224 /f/sha224.sig /keys/r2048.pub; echo "R:sha224 $?"
verify_detached /f/sha384 /f/sha384.sig /keys/ed.pub; echo "R:sha384 $?"
verify_detached /f/subkey /f/subkey.sig /keys/sub.pub; echo "R:subkey $?"
verify_detached /f/empty /f/empty.sig /keys/ed.pub; echo "R:empty $?"')
expect_eq "good signatures" "R:rsa2048 0
R:rsa3072-sha1 0
R:rsa4096-sha512 0
R:ed-sha256 0
R:ed-sha512 0
R:sha224 0
R:sha384 0
R:subkey 0
R:empty 0" "$out"

# ---- the failures, each with its message
out=$(run_cfg '
verify_detached /f/tampered /f/tampered.sig /keys/r2048.pub
verify_detached /f/rsa2048 /f/rsa2048.sig /keys/other.pub
verify_detached /f/ed256 /f/ed256.sig
verify_detached /f/unsigned /f/unsigned.sig /keys/ed.pub
verify_detached /f/trunc /f/trunc.sig /keys/r2048.pub
verify_detached /f/armor /f/armor.sig /keys/ed.pub
verify_detached /f/text /f/text.sig /keys/ed.pub
verify_detached /f/rsa2048 /f/rsa2048.sig /f/rsa2048
verify_detached /f/rsa2048 /f/rsa2048.sig /f/rsa2048.sig
verify_detached /f/rsa2048
trust')
tl=$(stat -c %s "$T/f/trunc.sig")
# gpg writes the signature packet with an old-format header, 2-byte length
[ "$(od -An -tx1 -N1 "$T/f/trunc.sig" | tr -d ' ')" = 89 ] || fail "trunc.sig: not a 0x89 header"
expect_eq "failures" "error: $E:2: bad signature: /f/tampered does not match /f/tampered.sig (key $R2048)
error: $E:3: public key $R2048 not found (signature /f/rsa2048.sig)
error: $E:4: public key $ED not found (signature /f/ed256.sig)
error: $E:5: file \`/f/unsigned.sig' not found
error: $E:6: bad signature: /f/trunc.sig: byte 0: packet of $(( $(od -An -tu1 -j1 -N1 "$T/f/trunc.sig") * 256 + $(od -An -tu1 -j2 -N1 "$T/f/trunc.sig") )) bytes runs past the end of the file ($tl bytes)
error: $E:7: bad signature: /f/armor.sig: ASCII-armored; a binary signature is needed (gpg --detach-sign without --armor, or gpg --dearmor)
error: $E:8: bad signature: /f/text.sig: byte 3: signature type 0x01 (only 0x00, a binary document, is accepted)
error: $E:9: bad public key: /f/rsa2048: byte 0: not an OpenPGP packet (tag byte 0x$(od -An -tx1 -N1 "$T/f/rsa2048" | tr -d ' '))
error: $E:10: bad public key: /f/rsa2048.sig: no RSA or EdDSA (Ed25519) key in it
error: $E:11: two arguments expected
error: $E:12: one argument expected" "$out"

# ---- check_signatures values (GRUB 2.06: 1... or e... is enforce, else no)
out=$(run_cfg '
echo "R:start=$check_signatures"
set check_signatures=1; echo "R:1=$check_signatures"
set check_signatures=nope; echo "R:nope=$check_signatures"
set check_signatures=e; echo "R:e=$check_signatures"
unset check_signatures; echo "R:unset=$check_signatures"')
expect_eq "check_signatures values" "R:start=no
R:1=enforce
R:nope=no
R:e=enforce
R:unset=no" "$out"

# ---- trust, list_trusted, distrust; enforcement on cat, source, configfile
# (list_trusted: GRUB's ten groups of four hex digits, each followed by a
# space, newest key first; `cat` prints its file without a marker; `source`
# of a file without .sig runs nothing and says nothing, as for a missing
# file: GRUB 2.06 does the same, tests/grubdiff/corpus/pgp-commands.cfg)
fpr_line() { gpg_fpr "$1" | sed -n "${2:-1}p" | tr 'A-F' 'a-f' | sed -E 's/(....)/\1 /g; s/ $//'; }
run_all() {
    printf 'set root=(hd0)%s\n' "$1" >"$WORK/probe.cfg"
    shift
    "$PROBE" "$@" -c "$WORK/probe.cfg" "$IMG" 2>&1 | grep -E '^(R:|error:|[0-9a-f]{4} |some text)' || true
}
out=$(run_all "
trust /keys/ed.pub; echo \"R:trust \$?\"
trust --skip-sig /keys/sub.pub
list_trusted
set check_signatures=enforce
cat /f/unsigned
source /boot/grub/unsigned.cfg
source /boot/grub/signed.cfg
trust /keys/other.pub
trust /keys/r2048.pub; echo \"R:trust signed key \$?\"
verify_detached /f/rsa2048 /f/rsa2048.sig; echo \"R:trusted rsa \$?\"
cat /f/tampered
distrust ${R2048:8}; echo \"R:distrust \$?\"
distrust 12345678
distrust xyz
verify_detached /f/rsa2048 /f/rsa2048.sig
set check_signatures=no
cat /f/text
configfile /boot/grub/unsigned.cfg")
expect_eq "trust and enforce" "R:trust 0
$(fpr_line sub 1)
$(fpr_line sub 2)
$(fpr_line ed 1)
error: $E:6: file \`/f/unsigned.sig' not found
R:signed cfg ran
error: $E:9: file \`/keys/other.pub.sig' not found
R:trust signed key 0
R:trusted rsa 0
error: $E:12: bad signature: /f/tampered does not match /f/tampered.sig (key $R2048)
R:distrust 0
error: $E:14: public key 12345678 not found
error: $E:15: distrust: \`xyz' is not a key ID (up to 16 hex digits)
error: $E:16: public key $R2048 not found (signature /f/rsa2048.sig)
some text
R:unsigned cfg ran" "$(sed 's/ $//' <<<"$out")"

# ---- load_env: checked unless -s/--skip-sig (GRUB 2.06's loadenv); save_env never
out=$(run_all '
set check_signatures=enforce
load_env -f /boot/grub/grubenv
echo "R:plain=[$saved_entry]"
load_env -s -f /boot/grub/grubenv
echo "R:skip-sig=[$saved_entry]"')
expect_eq "load_env" "error: $E:3: file \`/boot/grub/grubenv.sig' not found
R:plain=[]
R:skip-sig=[pgp-test]" "$out"

# ---- keys as the image embeds them (pvboot-probe -k = mkpvimage -k)
out=$(run_all '
echo "R:start=$check_signatures"
set check_signatures=no; echo "R:after set no=$check_signatures"
unset check_signatures; echo "R:after unset=$check_signatures"
trust --skip-sig /keys/other.pub
list_trusted
cat /f/unsigned
verify_detached /f/ed512 /f/ed512.sig; echo "R:embedded key $?"' -k "$T/keys/ed.pub" -k "$T/keys/r4096.pub")
expect_eq "embedded keys" "R:start=enforce
error: $E:3: check_signatures: this image embeds public keys and enforces signatures; \`no' is refused
R:after set no=enforce
R:after unset=enforce
error: $E:5: trust: --skip-sig is refused: this image embeds public keys and enforces signatures
$(fpr_line ed 1)
$(fpr_line r4096 1)
error: $E:7: file \`/f/unsigned.sig' not found
R:embedded key 0" "$(sed 's/ $//' <<<"$out")"

# ---- the probe's boot decision under embedded keys: signed boots, unsigned not
printf 'set root=(hd0)\nmenuentry signed {\n linux /f/vmlinuz\n initrd /f/initrd\n}\n' >"$WORK/boot.cfg"
if "$PROBE" -q -k "$T/keys/ed.pub" -c "$WORK/boot.cfg" "$IMG" >"$WORK/out" 2>&1; then ok; else
    fail "signed kernel: probe exit $?: $(cat "$WORK/out")"; fi
grep -q '^kernel: */f/vmlinuz\|/f/vmlinuz' "$WORK/out" && ok || fail "signed kernel not chosen: $(cat "$WORK/out")"
printf 'set root=(hd0)\nmenuentry unsigned {\n linux /f/unsigned\n}\n' >"$WORK/boot.cfg"
rc=0
"$PROBE" -k "$T/keys/ed.pub" -c "$WORK/boot.cfg" "$IMG" >"$WORK/out" 2>&1 || rc=$?
expect_eq "unsigned kernel: exit status" 1 "$rc"
grep -qF "file \`/f/unsigned.sig' not found" "$WORK/out" && ok ||
    fail "unsigned kernel: no message: $(cat "$WORK/out")"
printf 'set root=(hd0)\nmenuentry tampered {\n linux /f/vmlinuz\n initrd /f/tampered\n}\n' >"$WORK/boot.cfg"
rc=0
"$PROBE" -k "$T/keys/ed.pub" -c "$WORK/boot.cfg" "$IMG" >"$WORK/out" 2>&1 || rc=$?
expect_eq "tampered initrd: exit status" 1 "$rc"
grep -qF "public key $R2048 not found (signature /f/tampered.sig)" "$WORK/out" && ok ||
    fail "tampered initrd: no message: $(cat "$WORK/out")"

# ---- mkpvimage -k: the key's bytes in the image, pgp added; bad keys refused
if [ -x "$MKPV" ] && [ -f "$PVBOOT_MODDIR/pgp.mod" ]; then
    printf 'echo hi\n' >"$WORK/emb.cfg"
    "$MKPV" -O x86_64-xen -d "$PVBOOT_MODDIR" -c "$WORK/emb.cfg" -k "$T/keys/ed.pub" \
        -k "$T/keys/r2048.pub" -o "$WORK/img.bin" --no-verify normal -v 2>"$WORK/mk.err" ||
        fail "mkpvimage -k: $(cat "$WORK/mk.err")"
    python3 - "$WORK/img.bin" "$T/keys/ed.pub" "$T/keys/r2048.pub" <<'PY' && ok || fail "keys not embedded"
import sys
img = open(sys.argv[1], 'rb').read()
keys = open(sys.argv[2], 'rb').read() + open(sys.argv[3], 'rb').read()
sys.exit(0 if img.count(keys) == 1 else 1)
PY
    grep -q 'pgp' "$WORK/mk.err" && ok || fail "mkpvimage -k did not link pgp: $(cat "$WORK/mk.err")"
    rc=0
    "$MKPV" -O x86_64-xen -d "$PVBOOT_MODDIR" -c "$WORK/emb.cfg" -k "$T/f/rsa2048.sig" \
        -o "$WORK/bad.bin" --no-verify 2>"$WORK/mk.err" || rc=$?
    expect_eq "mkpvimage -k SIGFILE" "1: mkpvimage: bad public key: $T/f/rsa2048.sig: no RSA or EdDSA (Ed25519) key in it" \
        "$rc: $(cat "$WORK/mk.err")"
    [ ! -e "$WORK/bad.bin" ] && ok || fail "mkpvimage -k SIGFILE wrote an image"
else
    echo "note: mkpvimage or pgp.mod not built, mkpvimage -k not checked"
fi
finish
