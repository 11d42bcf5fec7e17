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
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need linux
read_version

e2e_workdir xz
mkpv -c "$PVBOOT_SRC/embed/default.cfg" -o "$W/plain.bin" -C none
mkpv -c "$PVBOOT_SRC/embed/default.cfg" -o "$W/pvboot.xz" -C xz

u32() { od -An -t u4 -j $(($2)) -N 4 "$1" | tr -d ' '; }
PLEN=$(u32 "$W/pvboot.xz" 0x24c)
echo "sizes: none $(stat -c %s "$W/plain.bin"), xz $(stat -c %s "$W/pvboot.xz") bytes"
check "container: HdrS, boot protocol 2.08" \
      '[ "$(od -An -t x1 -j $((0x202)) -N 6 "$W/pvboot.xz" | tr -d " ")" = 486472530802 ]'
check "payload unpacks to the -C none image" \
      'tail -c +$((0x410 + 1)) "$W/pvboot.xz" | head -c $((PLEN - 4)) | xz -dc | cmp -s - "$W/plain.bin"'

"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos >"$W/mkdisk.txt" 2>&1 \
    || { cat "$W/mkdisk.txt"; echo "FAIL: xenlab mkdisk"; exit 1; }
xenlab_run "$W/run" "$W/out.txt" --loader "$W/pvboot.xz" --disk "$W/disk.img" --expect 'XENLAB-DOMU-USERSPACE-OK' \
    --mark "^pvboot $VERSION" --mark 'linux: starting the kernel' --timeout 180
show_console '^pvboot|^linux:|XENLAB-DOMU|^error'
grep 'XENLAB-TIME' "$W/out.txt" || true
check "xenlab matched XENLAB-DOMU-USERSPACE-OK (rc $rc)" '[ $rc = 0 ]'
check "banner 'pvboot $VERSION' is the first console line" \
      '[ "$(echo "$CON" | sed -n 1p)" = "pvboot $VERSION" ]'
check "pvboot started the kernel" 'echo "$CON" | grep -q "^linux: starting the kernel"'
check "guest userspace reached" 'echo "$CON" | grep -q "^XENLAB-DOMU-USERSPACE-OK"'
check_no_fault
e2e_finish image_xz "$W/out.txt"
