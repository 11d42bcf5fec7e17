#!/bin/bash
# e2e: an all-modules image written with `mkpvimage -C xz` -- a Linux boot
# protocol 2.08 container (bzImage) whose payload is the xz-compressed ELF --
# is unpacked by the Xen host's own domain builder (xl -> libxenguest's bzImage
# loader) and boots: pvboot's banner, the embedded default config finds
# grub.cfg on an ext4/msdos disk made by `xenlab mkdisk`, loads Debian 12's
# kernel and initrd, and the guest reaches userspace.  One boot.
# Checked before booting: the file is the container (HdrS, version 2.08) and
# its payload is exactly the -C none image xz-compressed.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
set -euo pipefail
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PVBOOT_BUILD=${PVBOOT_BUILD:-$PVBOOT_SRC/build}
MODDIR=${PVBOOT_MODDIR:-$PVBOOT_BUILD/modules/x86_64-xen}
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
XENLAB_CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}

skip() { echo "SKIP: $*"; exit 77; }
[ -s "$XENLAB_CACHE/stamp" ] || skip "xenlab not set up ($XENLAB_CACHE/stamp missing)"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
[ -x "$PVBOOT_BUILD/src/mkpvimage" ] || skip "mkpvimage not built in $PVBOOT_BUILD"
[ -s "$MODDIR/linux.mod" ] || skip "$MODDIR/linux.mod not built"

VERSION=$(sed -n 's/^#define PVBOOT_VERSION "\(.*\)"$/\1/p' "$PVBOOT_BUILD/include/pvboot/version.h")
[ -n "$VERSION" ] || { echo "FAIL: no PVBOOT_VERSION in $PVBOOT_BUILD/include/pvboot/version.h"; exit 1; }

W=$(mktemp -d /tmp/pvboot-e2e-xz.XXXXXX)
trap 'rm -rf "$W"' EXIT
MK="$PVBOOT_BUILD/src/mkpvimage -O x86_64-xen -d $MODDIR -c $PVBOOT_SRC/embed/default.cfg"
$MK -o "$W/plain.bin" -C none
$MK -o "$W/pvboot.xz" -C xz

FAILED=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; FAILED=1; fi; }
u32() { od -An -t u4 -j $(($2)) -N 4 "$1" | tr -d ' '; }
PLEN=$(u32 "$W/pvboot.xz" 0x24c)
echo "sizes: none $(stat -c %s "$W/plain.bin"), xz $(stat -c %s "$W/pvboot.xz") bytes"
check "container: HdrS, boot protocol 2.08" \
      '[ "$(od -An -t x1 -j $((0x202)) -N 6 "$W/pvboot.xz" | tr -d " ")" = 486472530802 ]'
check "payload unpacks to the -C none image" \
      'tail -c +$((0x410 + 1)) "$W/pvboot.xz" | head -c $((PLEN - 4)) | xz -dc | cmp -s - "$W/plain.bin"'

"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos >"$W/mkdisk.txt" 2>&1 \
    || { cat "$W/mkdisk.txt"; echo "FAIL: xenlab mkdisk"; exit 1; }
rc=0
"$XENLAB" run --loader "$W/pvboot.xz" --disk "$W/disk.img" --expect 'XENLAB-DOMU-USERSPACE-OK' \
    --mark "^pvboot $VERSION" --mark 'linux: starting the kernel' --timeout 180 \
    --cfg-line 'on_crash = "preserve"' --outdir "$W/run" >"$W/out.txt" 2>&1 || rc=$?
CON=$(tr -d '\r' <"$W/run/domu-console.log" 2>/dev/null || true)
echo "$CON" | grep -E "^pvboot|^linux:|XENLAB-DOMU|^error" | sed 's/^/console| /' || true
grep 'XENLAB-TIME' "$W/out.txt" || true
check "xenlab matched XENLAB-DOMU-USERSPACE-OK (rc $rc)" '[ $rc = 0 ]'
check "banner 'pvboot $VERSION' is the first console line" \
      '[ "$(echo "$CON" | sed -n 1p)" = "pvboot $VERSION" ]'
check "pvboot started the kernel" 'echo "$CON" | grep -q "^linux: starting the kernel"'
check "guest userspace reached" 'echo "$CON" | grep -q "^XENLAB-DOMU-USERSPACE-OK"'
check "no loader fault" '! echo "$CON" | grep -Eq "pvboot: fatal exception|panic:"'
if [ $FAILED != 0 ]; then
    tail -40 "$W/out.txt"
    trap - EXIT
    echo "work dir kept: $W"
    exit 1
fi
echo "PASS image_xz"
