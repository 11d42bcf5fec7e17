#!/bin/bash
# LUKS1 and LUKS2 through cryptomount (modules cryptodisk, luks, luks2): headers and keyslots
# made by cryptsetup luksFormat --type luks1|luks2, the payload (an ext4 image of
# the standard tree) encrypted with the volume key cryptsetup dumps by
# lib/luks_payload.py (pyca/cryptography, independent of nettle); every file
# read through pvboot-fstest --passphrase-file is compared with its source.
# Ciphers: aes-xts-plain64 (512- and 256-bit keys), aes-cbc-essiv:sha256;
# hashes sha256, sha1, sha512; a LUKS2 volume with cryptsetup's default
# costs (argon2id, hundreds of MiB); a second keyslot; -u UUID (dashes or not),
# -p, -k KEYFILE on another disk, the cryptouuid/ alias; the wrong
# passphrase and damaged headers give their exact messages.
. "$(dirname "$0")/lib/fscommon.bash"
command -v cryptsetup >/dev/null || { echo "SKIP: cryptsetup missing"; exit 77; }
python3 -c 'import cryptography' 2>/dev/null || { echo "SKIP: python3-cryptography missing"; exit 77; }
PAYLOAD=$(dirname "$0")/lib/luks_payload.py
PROBE=$PVBOOT_BUILD/src/pvboot-probe

SRC=$WORK/src
MANY=50 make_tree "$SRC"
rm "$SRC/sparse"
mkdir "$SRC/lost+found"      # mke2fs -d keeps it
mke2fs -q -F -t ext4 -d "$SRC" "$WORK/fs.img" 16M
PASS='correct horse battery'
printf '%s\n' "$PASS" >"$WORK/pass"

# volume_key IMAGE: the hex volume key (cryptsetup luksDump --dump-volume-key)
volume_key() {
    printf '%s' "$PASS" | cryptsetup luksDump --dump-volume-key --batch-mode --key-file=- "$1" |
        sed -n '/^MK dump:/,$p' | sed 's/^MK dump://' | tr -d ' \t\n'
}
# make_luks1 IMAGE CIPHER KEYBITS HASH: 20 MiB LUKS1 volume holding fs.img
make_luks1() {
    truncate -s 20M "$1"
    printf '%s' "$PASS" | cryptsetup luksFormat --type luks1 --batch-mode --cipher "$2" \
        --key-size "$3" --hash "$4" --pbkdf-force-iterations 1000 --key-file=- "$1"
    local off
    off=$(cryptsetup luksDump "$1" | awk '/^Payload offset:/ {print $3}')
    python3 "$PAYLOAD" "$1" "$WORK/fs.img" "$(volume_key "$1")" $((off * 512)) "$2"
}

# check_crypt LABEL DEVICE FSTEST-ARGS...: listing and hashes of DEVICE
check_crypt() {
    local label=$1 dev=$2
    shift 2
    if ! "$FSTEST" "$@" -- ls -R "($dev)/" 2>"$WORK/err" | sort >"$WORK/ours.ls"; then
        fail "$label: ls -R: $(cat "$WORK/err")"; return; fi
    tree_listing "$SRC" >"$WORK/ref.ls"
    if diff -u "$WORK/ref.ls" "$WORK/ours.ls" >"$WORK/diff"; then ok; else
        fail "$label: listing differs"; head -20 "$WORK/diff"; fi
    if ! "$FSTEST" "$@" -- hashtree "($dev)/" 2>"$WORK/err" | sort -k2 >"$WORK/ours.h"; then
        fail "$label: hashtree: $(cat "$WORK/err")"; return; fi
    tree_hashes "$SRC" >"$WORK/ref.h"
    if diff -u "$WORK/ref.h" "$WORK/ours.h" >"$WORK/diff"; then ok; else
        fail "$label: file contents differ"; head -20 "$WORK/diff"; fi
    echo "ok: $label ($(wc -l <"$WORK/ref.h") files)"
}

for v in "aes-xts-plain64 512 sha256" "aes-xts-plain64 256 sha512" "aes-cbc-essiv:sha256 256 sha1"; do
    read -r cipher bits hash <<<"$v"
    img=$WORK/l1-$bits-$hash.img
    make_luks1 "$img" "$cipher" "$bits" "$hash"
    check_crypt "luks1 $cipher $bits-bit $hash" crypto0 --passphrase-file "$WORK/pass" \
        -c 'cryptomount -a' "$img"
done
L1=$WORK/l1-512-sha256.img
UUID=$(cryptsetup luksUUID "$L1")
U=${UUID//-/}

# a second keyslot; -u with and without dashes; the alias; -p
printf 'other\n' >"$WORK/pass2"
printf '%s' "$PASS" | cryptsetup luksAddKey --batch-mode --pbkdf-force-iterations 1000 \
    --key-file=- "$L1" <(printf 'other')
check_crypt "second keyslot, -u UUID" "cryptouuid/$U" --passphrase-file "$WORK/pass2" \
    -c "cryptomount -u $UUID" "$L1"
expect_eq "-u without dashes, -p" "$(sha256sum <"$SRC/hello.txt" | cut -d' ' -f1)  (crypto0)/hello.txt" \
    "$("$FSTEST" -c "cryptomount -p other -u $U" "$L1" -- hash '(crypto0)/hello.txt')"
expect_eq "probe lists the volume" "(crypto0) size=$((20 * 1048576 - 4096 * 512)) fs=ext2 uuid=$("$FSTEST" "$WORK/fs.img" -- probe | sed -n 's/.*uuid=\([^ ]*\).*/\1/p') label=\"\"" \
    "$("$FSTEST" --passphrase-file "$WORK/pass" -c 'cryptomount (hd0)' "$L1" -- probe crypto0)"
# -k KEYFILE from another disk (the whole file is the key, as GRUB reads it)
mkdir "$WORK/keys"
printf 'key-file-bytes\n\x00\x01' >"$WORK/keys/vol.key"
printf 'other' | cryptsetup luksAddKey --batch-mode --pbkdf-force-iterations 1000 \
    --key-file=- "$L1" "$WORK/keys/vol.key"
mke2fs -q -F -t ext2 -d "$WORK/keys" "$WORK/keys.img" 1M
expect_eq "-k KEYFILE" "hello" \
    "$("$FSTEST" -c 'cryptomount -k (hd1)/vol.key (hd0)' "$L1" "$WORK/keys.img" -- cat '(crypto0)/hello.txt')"

# errors: wrong passphrase, unknown UUID, no passphrase, not LUKS, damaged headers
err() { "$FSTEST" "$@" -- probe 2>&1 >/dev/null; }
printf 'wrong\n' >"$WORK/wrong"
expect_eq "wrong passphrase" \
    "pvboot-fstest: -c cryptomount -u $U: luks: xen/xvda: no key slot opens with this passphrase" \
    "$(err --passphrase-file "$WORK/wrong" -c "cryptomount -u $U" "$L1")"
expect_eq "unknown UUID" "pvboot-fstest: -c cryptomount -u 0123: no such cryptodisk found" \
    "$(err --passphrase-file "$WORK/pass" -c 'cryptomount -u 0123' "$L1")"
expect_eq "no passphrase (no console input)" \
    "pvboot-fstest: -c cryptomount (hd0): xen/xvda: no passphrase given" \
    "$(err -c 'cryptomount (hd0)' "$L1")"
expect_eq "not LUKS" \
    "pvboot-fstest: -c cryptomount -p x (hd0): cryptomount: xen/xvda: no encrypted volume found (formats read: luks2 luks)" \
    "$(err -c 'cryptomount -p x (hd0)' "$WORK/fs.img")"
# damage (a copy of) the header: byte offsets of the LUKS1 on-disk format
damage() {   # damage OUT OFFSET HEXBYTES
    cp "$L1" "$1"
    printf "$(sed 's/../\\x&/g' <<<"$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
damage "$WORK/d1.img" 208 12345678
expect_eq "bad keyslot state" \
    "pvboot-fstest: -c cryptomount -p other (hd0): luks: xen/xvda: keyslot 0 state 0x12345678 at byte 208 is neither active nor inactive" \
    "$(err -c 'cryptomount -p other (hd0)' "$WORK/d1.img")"
damage "$WORK/d2.img" 108 00000100
expect_eq "bad key size" \
    "pvboot-fstest: -c cryptomount -p other (hd0): luks: xen/xvda: key size 256 bytes at byte 108 is not in 1..64" \
    "$(err -c 'cryptomount -p other (hd0)' "$WORK/d2.img")"
damage "$WORK/d3.img" 252 00010000
expect_eq "stripes past the payload" \
    "pvboot-fstest: -c cryptomount -p other (hd0): luks: xen/xvda: keyslot 0 key material (sectors 8+8192, byte 248) runs into the payload at sector 4096" \
    "$(err -c 'cryptomount -p other (hd0)' "$WORK/d3.img")"
damage "$WORK/d4.img" 72 7368613939390000
expect_eq "unknown hash" \
    "pvboot-fstest: -c cryptomount -p other (hd0): luks: xen/xvda: hash \`sha999' (byte 72) is not supported (sha1, sha256, sha512 are)" \
    "$(err -c 'cryptomount -p other (hd0)' "$WORK/d4.img")"
# -a reports a damaged header and goes on with the other disks
expect_eq "-a past a damaged header" "error: luks: xen/xvda: keyslot 0 state 0x12345678 at byte 208 is neither active nor inactive.
hello" \
    "$("$FSTEST" --passphrase-file "$WORK/pass" -c 'cryptomount -a' "$WORK/d1.img" \
        "$WORK/l1-256-sha512.img" -- cat '(crypto0)/hello.txt' 2>/dev/null | tr -d '\r')"


# ---- LUKS2: argon2id (2 lanes), argon2i, pbkdf2 keyslots; 4096- and 512-byte sectors
# json_field IMAGE EXPR: a value of the LUKS2 JSON metadata (python expression on j)
json_field() {
    cryptsetup luksDump --dump-json-metadata "$1" |
        python3 -c 'import json,sys; j=json.load(sys.stdin); print('"$2"')'
}
# make_luks2 IMAGE SECTOR-SIZE KDF-ARGS...: 24 MiB LUKS2 volume holding fs.img
make_luks2() {
    local img=$1 ss=$2
    shift 2
    truncate -s 24M "$img"
    printf '%s' "$PASS" | cryptsetup luksFormat --type luks2 --batch-mode --cipher aes-xts-plain64 \
        --key-size 512 --sector-size "$ss" "$@" --key-file=- "$img"
    local off
    off=$(json_field "$img" 'j["segments"]["0"]["offset"]')
    python3 "$PAYLOAD" "$img" "$WORK/fs.img" "$(volume_key "$img")" "$off" aes-xts-plain64 "$ss"
}
make_luks2 "$WORK/l2-argon2id.img" 4096 --pbkdf argon2id --pbkdf-memory 2048 --pbkdf-parallel 2 \
    --pbkdf-force-iterations 4
make_luks2 "$WORK/l2-argon2i.img" 512 --pbkdf argon2i --pbkdf-memory 1024 --pbkdf-parallel 1 \
    --pbkdf-force-iterations 4
make_luks2 "$WORK/l2-pbkdf2.img" 4096 --pbkdf pbkdf2 --hash sha512 --pbkdf-force-iterations 1000
for k in argon2id argon2i pbkdf2; do
    check_crypt "luks2 $k" crypto0 --passphrase-file "$WORK/pass" -c 'cryptomount -a' "$WORK/l2-$k.img"
done
# cryptsetup's own defaults (no cipher or cost options): argon2id with the
# memory, time and thread costs cryptsetup benchmarks on this machine
LD=$WORK/l2-default.img
truncate -s 24M "$LD"
printf '%s' "$PASS" | cryptsetup luksFormat --type luks2 --batch-mode --key-file=- "$LD"
python3 "$PAYLOAD" "$LD" "$WORK/fs.img" "$(volume_key "$LD")" \
    "$(json_field "$LD" 'j["segments"]["0"]["offset"]')" "$(json_field "$LD" 'j["segments"]["0"]["encryption"]')" \
    "$(json_field "$LD" 'j["segments"]["0"]["sector_size"]')"
check_crypt "luks2 with cryptsetup's defaults: $(json_field "$LD" \
    'j["segments"]["0"]["encryption"], j["keyslots"]["0"]["kdf"]["type"], j["keyslots"]["0"]["kdf"]["memory"], "KiB", j["keyslots"]["0"]["kdf"]["cpus"], "lanes"')" \
    crypto0 --passphrase-file "$WORK/pass" -c 'cryptomount -a' "$LD"
L2=$WORK/l2-argon2id.img
U2=$(cryptsetup luksUUID "$L2")
check_crypt "luks2 -u UUID, alias" "cryptouuid/${U2//-/}" --passphrase-file "$WORK/pass" \
    -c "cryptomount -u ${U2//-/}" "$L2"
expect_eq "luks2 wrong passphrase" \
    "pvboot-fstest: -c cryptomount (hd0): luks2: xen/xvda: no key slot opens with this passphrase" \
    "$(err --passphrase-file "$WORK/wrong" -c 'cryptomount (hd0)' "$L2")"
H=$(sha256sum <"$SRC/hello.txt" | cut -d' ' -f1)
expect_eq "luks1 and luks2 with -a" "$H  (crypto0)/hello.txt
$H  (crypto1)/hello.txt" "$("$FSTEST" --passphrase-file "$WORK/pass" -c 'cryptomount -a' \
    "$WORK/l1-256-sha512.img" "$L2" -- hash '(crypto0)/hello.txt' '(crypto1)/hello.txt' 2>&1)"
# a damaged primary header: the secondary one is used; both damaged: the error
cp "$L2" "$WORK/p1.img"
printf 'X' | dd of="$WORK/p1.img" bs=1 seek=5000 conv=notrunc status=none
expect_eq "primary header damaged, secondary used" "hello" \
    "$("$FSTEST" --passphrase-file "$WORK/pass" -c 'cryptomount (hd0)' "$WORK/p1.img" -- cat '(crypto0)/hello.txt' 2>&1)"
printf 'X' | dd of="$WORK/p1.img" bs=1 seek=$((16384 + 5000)) conv=notrunc status=none
expect_eq "both headers damaged" \
    "pvboot-fstest: -c cryptomount (hd0): luks2: xen/xvda: header checksum mismatch (header at byte 0); no usable secondary header" \
    "$(err --passphrase-file "$WORK/pass" -c 'cryptomount (hd0)' "$WORK/p1.img")"
# edit_json IMAGE OLD NEW: replace text in the primary JSON area, checksum recomputed
edit_json() {
    python3 - "$@" <<'PY'
import hashlib, sys
img, old, new = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
with open(img, "r+b") as f:
    a = bytearray(f.read(4096))
    size = int.from_bytes(a[8:16], "big")
    a += f.read(size - 4096)
    js = bytes(a[4096:]).rstrip(b"\0")
    assert old in js, old
    js = js.replace(old, new, 1)
    a[4096:] = js + bytes(size - 4096 - len(js))
    a[448:512] = bytes(64)
    a[448:480] = hashlib.sha256(a).digest()
    f.seek(0)
    f.write(a)
PY
}
cp "$L2" "$WORK/j1.img"
edit_json "$WORK/j1.img" '"type":"argon2id"' '"type":"scrypt"'
expect_eq "unknown KDF" \
    "pvboot-fstest: -c cryptomount (hd0): luks2: xen/xvda: keyslots.0.kdf.type: KDF \`scrypt' is not supported (pbkdf2, argon2i, argon2id are)" \
    "$(err --passphrase-file "$WORK/pass" -c 'cryptomount (hd0)' "$WORK/j1.img")"
cp "$L2" "$WORK/j2.img"
edit_json "$WORK/j2.img" '"keyslots":{' '"keyslots":{{'
expect_eq "JSON syntax error" \
    "pvboot-fstest: -c cryptomount (hd0): luks2: xen/xvda: JSON byte 13: object key expected" \
    "$(err --passphrase-file "$WORK/pass" -c 'cryptomount (hd0)' "$WORK/j2.img")"
cp "$L2" "$WORK/j3.img"
edit_json "$WORK/j3.img" '"sector_size":4096' '"sector_size":4000'
expect_eq "bad sector size" \
    "pvboot-fstest: -c cryptomount (hd0): luks2: xen/xvda: segments.0.sector_size: not 512, 1024, 2048 or 4096" \
    "$(err --passphrase-file "$WORK/pass" -c 'cryptomount (hd0)' "$WORK/j3.img")"

finish
