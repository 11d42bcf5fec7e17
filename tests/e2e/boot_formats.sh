#!/bin/bash
# e2e: every kernel compression and container format, in one guest
# run under real Xen.  Debian's vmlinux is recompressed at test time with the
# real tools and packed (a) as bzImage payloads (Debian's setup header, the
# payload replaced, payload_length updated, kbuild's LE32 size appended) for
# gzip, bzip2, lzma, xz (x86 BCJ, CRC32), lzo (lzop), lz4 (legacy frame) and
# zstd, and (b) as whole-file gzip/xz/zstd compressed ELF.  The disk's
# grub.cfg loads every one with `linux` (decompression + Xen-note checks in
# the guest) and prints a marker after each; then it boots the last one to
# the userspace marker with blkfront reconnecting xvda.
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
VMLINUX=$XENLAB_CACHE/vmlinux-$KVER

e2e_need --no-qemu linux
[ -s "$VMLINUX" ] || skip "no $VMLINUX"
for t in gzip bzip2 xz lzop lz4 zstd; do command -v $t >/dev/null || skip "no $t"; done

e2e_workdir formats
mk_default_image

# fast levels: the format matters here, not the ratio
declare -A TOOL=(
    [gzip]="gzip -1 -c" [bzip2]="bzip2 -1 -c" [lzma]="xz --format=lzma -1 -c"
    [xz]="xz --check=crc32 --x86 --lzma2=preset=1 -c" [lzo]="lzop -1 -c"
    [lz4]="lz4 -l -1 -c" [zstd]="zstd -3 -q -c")
BZ_FORMATS="gzip bzip2 lzma xz lzo lz4 zstd"
ELF_FORMATS="gzip xz zstd"
ADDS=()
CFG=$W/grub.cfg
echo 'set timeout=0' >"$CFG"
for f in $BZ_FORMATS; do
    ${TOOL[$f]} <"$VMLINUX" >"$W/payload.$f"
    python3 - "/boot/vmlinuz-$KVER" "$W/payload.$f" "$(stat -c %s "$VMLINUX")" "$W/bz.$f" <<'PY'
import struct, sys
orig = open(sys.argv[1], 'rb').read()
payload = open(sys.argv[2], 'rb').read() + struct.pack('<I', int(sys.argv[3]))
setup_sects = orig[0x1f1] or 4
poff, _ = struct.unpack_from('<II', orig, 0x248)
start = (setup_sects + 1) * 512 + poff
img = bytearray(orig[:start]) + payload
struct.pack_into('<I', img, 0x24c, len(payload))
open(sys.argv[4], 'wb').write(img)
PY
    ADDS+=(--add "$W/bz.$f:/boot/bz.$f")
    printf 'linux /boot/bz.%s root=/dev/xvda1 ro console=hvc0 fmt=bz-%s\necho FORMAT-LOADED bz-%s\n' \
        "$f" "$f" "$f" >>"$CFG"
done
for f in $ELF_FORMATS; do
    ${TOOL[$f]} <"$VMLINUX" >"$W/elf.$f"
    ADDS+=(--add "$W/elf.$f:/boot/elf.$f")
    printf 'linux /boot/elf.%s root=/dev/xvda1 ro console=hvc0 fmt=elf-%s\necho FORMAT-LOADED elf-%s\n' \
        "$f" "$f" "$f" >>"$CFG"
done
printf 'initrd /boot/initrd.img-%s\necho FORMAT-BOOTING\nboot\n' "$KVER" >>"$CFG"
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos --size 512 --cfg "$CFG" "${ADDS[@]}" \
    >"$W/mkdisk.txt" 2>&1 || { cat "$W/mkdisk.txt"; echo "FAIL: mkdisk"; exit 1; }

xenlab_run "$W/run" "$W/out.txt" --loader "$W/pvboot.bin" --disk "$W/disk.img" --expect 'XENLAB-DOMU-DISK-OK' \
    --memory 512 --timeout 600
show_console '^FORMAT-|^error|^linux:|XENLAB-DOMU'
for f in $BZ_FORMATS; do
    check "bzImage with $f payload loaded" 'echo "$CON" | grep -qx "FORMAT-LOADED bz-$f"'
done
for f in $ELF_FORMATS; do
    check "whole-file $f ELF loaded" 'echo "$CON" | grep -qx "FORMAT-LOADED elf-$f"'
done
LAST=$(echo $ELF_FORMATS | awk '{print $NF}')
check "no load errors" '! echo "$CON" | grep -q "^error"'
check "booted the last one (rc $rc)" '[ $rc = 0 ]'
check "its command line arrived" \
      'echo "$CON" | grep -qx "XENLAB-DOMU-CMDLINE: root=/dev/xvda1 ro console=hvc0 fmt=elf-$LAST"'
e2e_finish boot_formats
