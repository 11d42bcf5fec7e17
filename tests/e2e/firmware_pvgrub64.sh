#!/bin/bash
# e2e: a guest with `type = "pv"` + `firmware = "pvgrub64"` and NO
# kernel line boots through the image the Debian package installs.
#
# In xenlab's dom0 (real Xen 4.17, Debian's xl), the --pre-create hook does
# what the package does on a host: it puts the packaged image at
# /usr/lib/pvboot/pvboot-x86_64-xen.bin and runs the packaged
# pvboot-xen-firmware (the postinst's helper) against dom0's own xl, which
# links xl's firmware path to it.  It then removes xenlab's kernel = line
# and asks xl itself where firmware = "pvgrub64" points (`xl -N create`, a
# dry run: it needs a running toolstack, hence dom0 rather than the host).
# Checks:
#   - the helper's path = the kernel path of xl's dry run
#     = /usr/lib/xen-4.17/boot/pvgrub64.bin (Debian 12's XENFIRMWAREDIR);
#   - the same config with type = "pvh": xl's dry run maps firmware to the
#     same file (a PVH guest boots the same image, doc xen-pvh-boot.md §1.4);
#   - the domain boots pvboot: the console's first line is "pvboot VERSION";
#   - pvboot finds the guest disk's grub.cfg and boots the Debian kernel,
#     whose blkfront reconnects xvda (XENLAB-DOMU-DISK-OK).
# (Checks read files or here-strings, never `cmd | grep -q`: under pipefail
# grep -q's early exit can fail the writer with SIGPIPE.)
# The .deb is $PVBOOT_DEB, else built with scripts/package (build-pkg/).
set -euo pipefail
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)}
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
XENLAB_CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}

skip() { echo "SKIP: $*"; exit 77; }
[ -s "$XENLAB_CACHE/stamp" ] || skip "xenlab not set up ($XENLAB_CACHE/stamp missing)"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"

deb=${PVBOOT_DEB:-}
if [ -z "$deb" ]; then
    deb=$(bash "$PVBOOT_SRC/scripts/package" --no-lintian | tail -n 1)
fi
[ -s "$deb" ] || { echo "FAIL: no package at '$deb'"; exit 1; }
VERSION=$(dpkg-deb -f "$deb" Version); VERSION=${VERSION%%+*}

W=$(mktemp -d /tmp/pvboot-e2e-fw.XXXXXX)
trap 'rm -rf "$W"' EXIT
dpkg-deb -x "$deb" "$W/pkg"
IMG=$W/pkg/usr/lib/pvboot/pvboot-x86_64-xen.bin
HELPER=$W/pkg/usr/sbin/pvboot-xen-firmware
[ -s "$IMG" ] && [ -x "$HELPER" ] || { echo "FAIL: package lacks the image or the helper"; exit 1; }

"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos >"$W/mkdisk.log" 2>&1 ||
    { cat "$W/mkdisk.log"; echo "FAIL: xenlab mkdisk"; exit 1; }

# The hook runs in dom0 (busybox sh) just before `xl create /job/guest.cfg`.
{
    echo 'set -e'
    echo 'mkdir -p /usr/lib/pvboot /usr/sbin'
    echo 'cp /job/loader /usr/lib/pvboot/pvboot-x86_64-xen.bin'
    echo "cat >/usr/sbin/pvboot-xen-firmware <<'PVBOOT_HELPER_EOF'"
    cat "$HELPER"
    echo 'PVBOOT_HELPER_EOF'
    echo 'chmod 755 /usr/sbin/pvboot-xen-firmware'
    echo '/usr/sbin/pvboot-xen-firmware install'
    echo '/usr/sbin/pvboot-xen-firmware paths | sed "s/^/PVBOOT-FW-PATHS: /"'
    echo 'sed -i "/^kernel *=/d" /job/guest.cfg'
    echo 'xl -N create /job/guest.cfg >/tmp/dry.txt 2>&1 || echo "PVBOOT-DRYRUN-FAILED rc=$?"'
    echo 'sed -n "s/^ *\"kernel\": *\"\\(.*\\)\",*$/PVBOOT-DRYRUN-KERNEL: \\1/p" /tmp/dry.txt'
    echo 'grep -q "\"kernel\"" /tmp/dry.txt || sed "s/^/PVBOOT-DRYRUN| /" /tmp/dry.txt'
    # the same config as a PVH guest: xl maps firmware = the same way
    echo 'sed "s/^type *=.*/type = \"pvh\"/" /job/guest.cfg >/tmp/pvh.cfg'
    echo 'xl -N create /tmp/pvh.cfg >/tmp/drypvh.txt 2>&1 || echo "PVBOOT-DRYRUN-PVH-FAILED rc=$?"'
    echo 'grep -q "\"type\": *\"pvh\"" /tmp/drypvh.txt && echo PVBOOT-DRYRUN-PVH-TYPE-OK'
    echo 'sed -n "s/^ *\"kernel\": *\"\(.*\)\",*$/PVBOOT-DRYRUN-PVH-KERNEL: \1/p" /tmp/drypvh.txt'
} >"$W/pre-create.sh"

rc=0
"$XENLAB" run --loader "$IMG" --disk "$W/disk.img" --cfg-line 'firmware = "pvgrub64"' \
    --pre-create "$(cat "$W/pre-create.sh")" --expect 'XENLAB-DOMU-DISK-OK' \
    --mark 'pvboot: using' --timeout 120 --outdir "$W/run" >"$W/out.txt" 2>&1 || rc=$?
SER=$W/run/serial.log
CON=$(tr -d '\r' <"$W/run/domu-console.log" 2>/dev/null || true)
grep -E 'PVBOOT-|xlcfg\||XENLAB-(TIME|SUMMARY)' "$SER" | tr -d '\r' | sed 's/^/dom0| /'
sed -n '1,40s/^/console| /p' <<<"$CON"

WANT=/usr/lib/xen-4.17/boot/pvgrub64.bin
fw=$(tr -d '\r' <"$SER" | sed -n 's/.*PVBOOT-FW-PATHS: //p' | sed -n 1p)
dry=$(tr -d '\r' <"$SER" | sed -n 's/.*PVBOOT-DRYRUN-KERNEL: //p' | sed -n 1p)
FAILED=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; FAILED=1; fi; }
check "packaged helper linked xl's path: '$fw'" \
      '[ "$fw" = "/usr/lib/xen-4.17/bin/xl $WANT pvboot" ]'
check "xl -N create resolves firmware=pvgrub64 to '$dry'" '[ "$dry" = "$WANT" ]'
drypvh=$(tr -d '\r' <"$SER" | sed -n 's/.*PVBOOT-DRYRUN-PVH-KERNEL: //p' | sed -n 1p)
check "as type = \"pvh\", xl -N create resolves firmware=pvgrub64 to '$drypvh'" \
      '[ "$drypvh" = "$WANT" ] && grep -aq "PVBOOT-DRYRUN-PVH-TYPE-OK" "$SER"'
check "guest.cfg given to xl has firmware and no kernel line" \
      'grep -aq "xlcfg| firmware = \"pvgrub64\"" "$SER" && ! grep -aq "xlcfg| kernel" "$SER"'
check "console starts with the banner 'pvboot $VERSION'" \
      '[ "$(sed -n 1p <<<"$CON")" = "pvboot $VERSION" ]'
check "pvboot found the guest's config" \
      'grep -Eq "^pvboot: using \(xen/xvda,msdos1\)/boot/grub2?/grub.cfg$" <<<"$CON"'
check "the guest kernel booted and reconnected xvda (xenlab rc $rc)" '[ $rc = 0 ]'
if [ $FAILED != 0 ]; then
    tail -n 30 "$W/out.txt"
    trap - EXIT
    echo "run dir kept: $W"
    exit 1
fi
echo "PASS firmware_pvgrub64"
