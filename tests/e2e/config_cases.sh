#!/bin/bash
# SPDX-License-Identifier: MIT
# e2e: field cases booted for real.  Each case of
# tests/cases is built into a disk image (tests/host/cases_build.py)
# with a real PV kernel and initrd (xenlab's Debian 12 kernel, taken from a
# `xenlab mkdisk` image) put over the expected kernel/initrd placeholders;
# the all-modules image with embed/default.cfg boots it under Xen in QEMU.
# Checked: the guest's blkfront re-attached xvda (XENLAB-DOMU-DISK-OK) and
# its /proc/cmdline (printed by the xenlab initrd as XENLAB-DOMU-CMDLINE:)
# equals expected.json's cmdline exactly.
# Cases: PVBOOT_E2E_CONFIG_CASES (default: BLS version sort, quoting, k3OS
# (its kernel inside a SquashFS file read through loopback), legacy
# grub.conf; FC-039 adds syslinux INCLUDE + an initrd list; cases whose cmdline
# sends the console to ttyS0, e.g. FC-003, boot but cannot show the marker).
# A case written CASE:pvh boots the same image in a PVH domain (xl type =
# "pvh", the kernel through its PHYS32_ENTRY) against the same expected
# cmdline: the configuration must decide the same in both.  The default adds
# one PVH boot per config syntax: BLS from grub.cfg (FC-004), legacy
# grub.conf (FC-032), extlinux/syslinux (FC-039), and the quoting case
# (FC-019), whose command line has no console=hvc0: a PVH kernel then has no
# Xen console (a PV kernel picks hvc0 itself), so it boots silently and
# xenlab's initrd writes its markers to hvc0 directly.
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
CASES_DIR=${PVBOOT_CASES:-$PVBOOT_SRC/tests/cases}
CASES=${PVBOOT_E2E_CONFIG_CASES:-"FC-004 FC-019 FC-029 FC-032 FC-004:pvh FC-019:pvh FC-032:pvh FC-039:pvh"}
e2e_need linux
command -v debugfs >/dev/null || skip "no debugfs"

e2e_workdir cfg
mk_default_image
# a real PV kernel + initrd: from a whole-disk ext4 made by xenlab
"$XENLAB" mkdisk "$W/k.img" --fs ext4 --label none >/dev/null
debugfs -R "dump /boot/vmlinuz-$KVER $W/vmlinuz" "$W/k.img" 2>/dev/null
debugfs -R "dump /boot/initrd.img-$KVER $W/initrd" "$W/k.img" 2>/dev/null
rm -f "$W/k.img"
[ -s "$W/vmlinuz" ] && [ -s "$W/initrd" ] || { echo "FAIL: could not extract the kernel"; exit 1; }

for CT in $CASES; do
    C=${CT%%:*} TYPE=pv
    [ "$C" = "$CT" ] || TYPE=${CT#*:}
    dir=$(ls -d "$CASES_DIR"/$C-*/ | head -1)
    name=$(basename "$dir")
    [ "$TYPE" = pv ] || name=$name.$TYPE
    img=$(PVBOOT_REAL_KERNEL=$W/vmlinuz PVBOOT_REAL_INITRD=$W/initrd PVBOOT_CASES_BUILD_ONLY=1 \
          python3 "$PVBOOT_SRC/tests/host/cases_build.py" none "$dir" "$W/$name" "$PVBOOT_SRC") || {
        rc=$?; [ $rc = 77 ] && { echo "SKIP: [$name] $img"; continue; }
        echo "FAIL: [$name] image build"; FAILED=1; continue; }
    want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cmdline"])' "$dir/expected.json")
    out=$W/$name.run
    "$XENLAB" run --loader "$W/pvboot.bin" --type "$TYPE" --disk "$img" --expect 'XENLAB-DOMU-DISK-OK' \
        --mark "pvboot: using" --timeout 300 --outdir "$out" >"$W/$name.log" 2>&1 || true
    con=$W/$name.console
    tr -d '\r' <"$out/domu-console.log" >"$con" 2>/dev/null || true
    # the xenlab initrd prints /proc/cmdline as XENLAB-DOMU-CMDLINE:
    if grep -q 'XENLAB-RESULT: MATCH' "$W/$name.log" && grep -qxF "XENLAB-DOMU-CMDLINE: $want" "$con"; then
        echo "ok: [$name] booted; $(grep -m1 'pvboot: using' "$con"); /proc/cmdline matches"
        if [ "$TYPE" = pvh ] && ! grep -aq "^linux: starting the kernel at 0x1000850$" "$con"; then
            echo "FAIL: [$name] the loader did not enter the kernel at its PVH entry"; FAILED=1
        fi
        # PVH: the loader notes a command line without console= (no hvc0 then)
        note=no; grep -aq "^linux: note: no console= on the command line" "$con" && note=yes
        wantnote=no; [ "$TYPE" = pvh ] && ! echo " $want" | grep -q ' "\{0,1\}console=' && wantnote=yes
        if [ "$note" = "$wantnote" ]; then
            echo "ok: [$name] console= note: $note"
        else
            echo "FAIL: [$name] console= note: $note, want $wantnote"; FAILED=1
        fi
    else
        echo "FAIL: [$name] $(grep -m1 XENLAB-SUMMARY: "$W/$name.log")"
        grep -m1 'XENLAB-DOMU-CMDLINE:' "$con" || true
        echo "  want: XENLAB-DOMU-CMDLINE: $want"
        head -c 3000 "$con" | sed 's/^/  console: /'
        echo "  ..."
        tail -c 3000 "$con" | sed 's/^/  console: /'
        grep -aiE "crash|triple|fault|panic" "$out/serial.log" | head -5 | sed 's/^/  serial: /' || true
        FAILED=1
    fi
    rm -f "$img"
done
exit $FAILED
