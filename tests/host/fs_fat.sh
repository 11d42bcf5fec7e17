#!/bin/bash
# FAT12/16/32 images made by mkfs.vfat + mtools (long names, 512 and 4096
# byte sectors, a fragmented file, an ESP inside a GPT), read through
# pvboot-fstest: listings, sha256 of every file, case-insensitive lookup,
# mtime, uuid/label.
. "$(dirname "$0")/lib/fscommon.bash"
for t in mkfs.vfat mcopy mdel sgdisk; do command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }; done
export TZ=UTC MTOOLS_SKIP_CHECK=1

SRC=$WORK/src
make_tree "$SRC" nolinks
MTIME=$(date -u -d '2021-03-04 05:06:08' +%s)

variant() {   # variant NAME SIZE_KiB EXPECTED_BITS MKFS-ARGS...
    local name=$1 size=$2 bits=$3; shift 3
    local img=$WORK/$name.img
    rm -f "$img"
    mkfs.vfat -C -n "V$bits" -i 1a2b3c4d "$@" "$img" "$size" >/dev/null
    mcopy -s -m -i "$img" "$SRC"/* ::/
    check_tree "$name" "$img" hd0 "$SRC"
    expect_eq "$name probe" "(xen/xvda) size=$((size * 1024)) fs=fat uuid=1A2B-3C4D label=\"V$bits\"" \
        "$("$FSTEST" "$img" -- probe)"
    expect_eq "$name case-insensitive" "$(cat "$SRC/boot/grub/grub.cfg")" \
        "$("$FSTEST" "$img" -- cat '(hd0)/BOOT/Grub/GRUB.CFG')"
    expect_eq "$name long name" "long" \
        "$("$FSTEST" "$img" -- cat '(hd0)/dir/A-Rather-Long-File-Name-That-Does-Not-Fit-In-8.3-Format.conf')"
    expect_eq "$name mtime" "type=file size=6 mtime=$MTIME" \
        "$("$FSTEST" "$img" -- stat '(hd0)/hello.txt' | cut -d' ' -f1-3)"
    expect_eq "$name dotdot" "hello" "$("$FSTEST" "$img" -- cat '(hd0)/dir/sub/../../hello.txt')"
}

variant fat12 16384 12 -F 12 -s 16
variant fat16 32768 16 -F 16
variant fat32 65536 32 -F 32
variant fat32-4k-sectors 524288 32 -F 32 -S 4096
variant fat16-4k-sectors 65536 16 -F 16 -S 4096

# fragmented: fill with small files, delete every other one, then copy a big file
img=$WORK/frag.img
mkfs.vfat -C -F 16 -s 1 "$img" 16384 >/dev/null
mkdir -p "$WORK/frag/fill"
for i in $(seq 1 1500); do rand_bytes "s$i" 3000 >"$WORK/frag/fill/s$i"; done
mcopy -s -i "$img" "$WORK/frag/fill" ::/
for i in $(seq 2 2 1500); do echo "::/fill/s$i"; done | xargs mdel -i "$img"
rm -f "$WORK"/frag/fill/s{2..1500..2}
rand_bytes big 2000000 >"$WORK/frag/big.bin"
mcopy -i "$img" "$WORK/frag/big.bin" ::/big.bin
check_tree fat16-fragmented "$img" hd0 "$WORK/frag"

# an EFI system partition in a GPT disk
img=$WORK/esp-disk.img
truncate -s 80M "$img"
sgdisk -o -n 1:2048:+64M -t 1:ef00 -c 1:"EFI System" "$img" >/dev/null
dd if="$WORK/fat32.img" of="$img" bs=512 seek=2048 conv=notrunc status=none
check_tree esp-in-gpt "$img" hd0,gpt1 "$SRC"


# cluster chains: one that loops back (2nd cluster -> 1st) is an error once
# the read reaches the file's end (the data came from clusters read twice);
# one that is only longer than the file (a free cluster appended) still reads
img=$WORK/chain.img
mkfs.vfat -C -F 16 -s 8 "$img" 16384 >/dev/null
rand_bytes chain 20000 >"$WORK/chain.bin"
mcopy -i "$img" "$WORK/chain.bin" ::/LOOP.BIN
mcopy -i "$img" "$WORK/chain.bin" ::/LONG.BIN
first=$(python3 - "$img" <<'PY'
import struct, sys
f = open(sys.argv[1], 'r+b'); b = bytearray(f.read())
bps, spc, res, nfats, rootent = struct.unpack_from('<HBHBH', b, 11)
fatsz = struct.unpack_from('<H', b, 22)[0]
fat = res * bps; root = fat + nfats * fatsz * bps
first = {}
for i in range(rootent):
    e = b[root + 32 * i:root + 32 * i + 32]
    if e[0] not in (0, 0xe5) and e[11] != 0x0f:
        first[bytes(e[:11])] = struct.unpack_from('<H', e, 26)[0]
def setfat(c, v):
    for k in range(nfats):
        struct.pack_into('<H', b, fat + k * fatsz * bps + 2 * c, v)
def getfat(c): return struct.unpack_from('<H', b, fat + 2 * c)[0]
lo = first[b'LOOP    BIN']
setfat(getfat(lo), lo)                  # LOOP.BIN: 2nd cluster -> 1st
c = first[b'LONG    BIN']
while getfat(c) < 0xfff8: c = getfat(c)
free = next(x for x in range(2, 4000) if getfat(x) == 0)
setfat(c, free); setfat(free, 0xffff)   # LONG.BIN: one cluster too many
f.seek(0); f.write(b); print(lo)
PY
)
rc=0
out=$("$FSTEST" "$img" -- cat '(hd0)/LOOP.BIN' 2>&1 >/dev/null) || rc=$?
expect_eq "chain loop: exact error" "pvboot-fstest: (hd0)/LOOP.BIN: fat: xen/xvda: the cluster chain of a 20000-byte file (starting at cluster $first) loops: its data is not what was written" "$out"
expect_eq "chain loop: exit status" 1 "$rc"
expect_eq "chain longer than the file: still read" "$(sha256sum <"$WORK/chain.bin" | cut -d' ' -f1)" \
    "$("$FSTEST" "$img" -- cat '(hd0)/LONG.BIN' | sha256sum | cut -d' ' -f1)"

finish
