#!/bin/bash
# pvboot-probe --memory MIB: the full boot plan of the chosen entry.  The disk is
# made by `xenlab mkdisk` with Debian 12's own kernel (xz bzImage) and a
# menu entry loading two initrds of odd sizes (concatenated 4-byte aligned,
# as GRUB does).  For 256 and 1024 MiB the planned layout must equal, key by
# key, what libxenguest's own domain builder lays out for the same kernel and
# the same concatenated initrd (tests/host/lib/xg-layout.c, run offline with
# a dummy xc handle), and the 256 MiB plan is asserted in exact addresses.
# GRUB's pvgrub2 image as the kernel (no MOD_START_PFN/INIT_P2M: initrd and
# p2m inside the initial mapping) is compared the same way at 128 MiB.
# 48 MiB: both refuse, the probe with "kernel does not fit".
# --type pvh: the PVH plan in exact addresses, 48 MiB refused (kernel range
# not RAM), --type hvm a usage error.
# The kernel comes from /boot and the xenlab cache set-up (scripts/test.sh
# runs `xenlab setup` first).
set -euo pipefail
export LC_ALL=C
: "${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}"
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PROBE=$PVBOOT_BUILD/src/pvboot-probe
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
KVER=6.1.0-57-amd64
KERNEL=/boot/vmlinuz-$KVER
[ -x "$PROBE" ] || { echo "FAIL: missing $PROBE (build target pvboot-probe)"; exit 1; }
[ -s "$KERNEL" ] || { echo "FAIL: $KERNEL missing (run scripts/xenlab/xenlab setup)"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/pvboot-probe-layout.XXXXXX")
trap 'rm -rf "$W"' EXIT
FAILS=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; FAILS=$((FAILS + 1)); fi; }

# libxenguest's side, built here against the installed libxenguest
cc -std=gnu17 -O2 -Wall -Wextra -Werror -o "$W/xg-layout" "$PVBOOT_SRC/tests/host/lib/xg-layout.c" \
    $(pkg-config --cflags --libs xenguest xencontrol)

# two initrds of odd sizes and their concatenation as `initrd A B` loads it
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
a = bytes((i * 7) % 251 for i in range(3 * 1048576 + 5))
b = bytes((i * 13) % 241 for i in range(1001))
open(w + "/a.img", "wb").write(a)
open(w + "/b.img", "wb").write(b)
open(w + "/ab.img", "wb").write(a + b"\0" * 3 + b)
PY
cat >"$W/grub.cfg" <<EOF
set timeout=0
menuentry 'Debian, two initrds' {
	linux /boot/vmlinuz-$KVER root=/dev/xvda1 ro console=hvc0
	initrd /boot/initrd.img-$KVER /boot/extra.img
}
EOF
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label gpt --kernel "$KERNEL" --initrd "$W/a.img" \
    --cfg "$W/grub.cfg" --add "$W/b.img:/boot/extra.img" >/dev/null 2>&1

for mib in 256 1024; do
    rc=0
    "$PROBE" -c "$PVBOOT_SRC/embed/default.cfg" -q --json --memory $mib "$W/disk.img" >"$W/probe-$mib.json" || rc=$?
    check "[$mib MiB] probe exit status 0 (got $rc)" '[ $rc = 0 ]'
    "$W/xg-layout" "$KERNEL" $mib "$W/ab.img" >"$W/xg-$mib.json"
    python3 - "$W/probe-$mib.json" "$W/xg-$mib.json" "$mib" <<'PY' || FAILS=$((FAILS + 1))
import json, sys
probe = json.load(open(sys.argv[1]))
ours, xg, mib = probe["layout"], json.load(open(sys.argv[2])), sys.argv[3]
bad = 0
for key, want in xg.items():
    got = ours.get(key)
    if key == "p2m" and not ours["p2m_mapped"]:
        # At INIT_P2M libxenguest moves the segment's vstart to INIT_P2M and
        # leaves vend where its allocator was: compare the rest; our vend is
        # INIT_P2M + the list and its page tables.
        want = dict(want); got = dict(got)
        assert int(got["vend"], 16) == int(got["vstart"], 16) + int(got["pages"], 16) * 4096, got
        del want["vend"], got["vend"]
    if got != want:
        print("FAIL: [%s MiB] %s: pvboot-probe %s, libxenguest %s" % (mib, key, got, want))
        bad += 1
print("ok: [%s MiB] %d layout keys equal libxenguest's" % (mib, len(xg)) if not bad else
      "FAIL: [%s MiB] %d of %d keys differ" % (mib, bad, len(xg)))
sys.exit(1 if bad else 0)
PY
done

# a PV image without MOD_START_PFN and INIT_P2M (GRUB's pvgrub2, VIRT_BASE
# 0) as the `linux` kernel: initrd and p2m list inside the initial mapping
GRUBXEN=/usr/lib/grub-xen/grub-x86_64-xen.bin
if [ -s "$GRUBXEN" ]; then
    printf 'set timeout=0\nmenuentry pvgrub2 {\n\tlinux /boot/pvgrub2.bin\n\tinitrd /boot/extra.img\n}\n' \
        >"$W/grub2.cfg"
    "$XENLAB" mkdisk "$W/disk2.img" --fs ext4 --label msdos --initrd "$W/b.img" --cfg "$W/grub2.cfg" \
        --add "$GRUBXEN:/boot/pvgrub2.bin" --add "$W/b.img:/boot/extra.img" >/dev/null 2>&1
    rc=0
    "$PROBE" -c "$PVBOOT_SRC/embed/default.cfg" -q --json --memory 128 "$W/disk2.img" >"$W/probe-grub.json" || rc=$?
    check "[pvgrub2 128 MiB] probe exit status 0 (got $rc)" '[ $rc = 0 ]'
    "$W/xg-layout" "$GRUBXEN" 128 "$W/b.img" >"$W/xg-grub.json"
    python3 - "$W/probe-grub.json" "$W/xg-grub.json" <<'PY' || FAILS=$((FAILS + 1))
import json, sys
ours, xg = json.load(open(sys.argv[1]))["layout"], json.load(open(sys.argv[2]))
bad = [(k, ours.get(k), v) for k, v in xg.items() if ours.get(k) != v]
for k, got, v in bad:
    print("FAIL: [pvgrub2 128 MiB] %s: pvboot-probe %s, libxenguest %s" % (k, got, v))
ok = ours["initrd_mapped"] and ours["p2m_mapped"] and ours["virt_base"] == "0" \
     and ours["start_info"]["mod_len"] == "0x3e9" \
     and ours["start_info"]["mod_start"] == ours["initrd"]["vstart"]
if not ok:
    print("FAIL: [pvgrub2 128 MiB] want a mapped initrd (mod_start = its VA, mod_len 1001) and p2m: %s" % ours)
print("ok: [pvgrub2 128 MiB] %d layout keys equal libxenguest's; initrd and p2m mapped" % len(xg)
      if not bad and ok else "FAIL: pvgrub2 layout")
sys.exit(1 if bad or not ok else 0)
PY
else
    echo "FAIL: $GRUBXEN missing (grub-xen-host, installed by xenlab setup)"; FAILS=$((FAILS + 1))
fi

# exact values, 256 MiB (Debian 6.1.0-57: kernel pfns 0x1000-0x49ff; the
# initrd, 3146737 bytes = 0x301 pages, sits unmapped after the 4 MiB-aligned
# initial mapping because the kernel has MOD_START_PFN; p2m at INIT_P2M)
python3 - "$W/probe-256.json" <<'PY' || FAILS=$((FAILS + 1))
import json, sys
L = json.load(open(sys.argv[1]))["layout"]
want = {
    "nr_pages": "0x10000", "virt_base": "0xffffffff80000000",
    "kernel": {"pfn": "0x1000", "pages": "0x3a00", "vstart": "0xffffffff81000000", "vend": "0xffffffff84a00000"},
    "initrd": {"pfn": "0x4c00", "pages": "0x301", "vstart": "0xffffffff84c00000", "vend": "0xffffffff84f003f1"},
    "initrd_mapped": False, "p2m_mapped": False,
    "p2m": {"pfn": "0x4f01", "pages": "0x83", "vstart": "0x8000000000", "vend": "0x8000083000"},
    "start_info_pfn": "0x4a00", "xenstore_pfn": "0x4a01", "console_pfn": "0x4a02",
    "pgtables": {"pfn": "0x4a03", "pages": "0x29", "vstart": "0xffffffff84a03000", "vend": "0xffffffff84a2c000"},
    "bootstack_pfn": "0x4a2c", "virt_pgtab_end": "0xffffffff84c00000", "pfn_alloc_end": "0x4f84",
    "start_info": {"nr_pages": "0x10000", "flags": "0x18", "pt_base": "0xffffffff84a03000",
                   "nr_pt_frames": "0x29", "mfn_list": "0x8000000000", "mod_start": "0x4c00",
                   "mod_len": "0x301000", "first_p2m_pfn": "0x4f01", "nr_p2m_frames": "0x83"},
    "entry": "0xffffffff830791c0", "stack_top": "0xffffffff84a2d000", "start_info_va": "0xffffffff84a00000",
}
bad = [(k, L.get(k), v) for k, v in want.items() if L.get(k) != v]
for k, got, v in bad:
    print("FAIL: [256 MiB exact] %s: got %s, want %s" % (k, got, v))
print("ok: [256 MiB] exact layout (%d keys)" % len(want) if not bad else "FAIL: exact layout")
sys.exit(1 if bad else 0)
PY

# the text form carries the same plan
"$PROBE" -c "$PVBOOT_SRC/embed/default.cfg" -q --memory 256 "$W/disk.img" >"$W/probe-256.txt"
check "text: plan header" 'grep -qx "plan:          256 MiB domain, as libxenguest lays it out:" "$W/probe-256.txt"'
check "text: the kernel's Xen notes" \
      'grep -qx "    init_p2m 0x8000000000 mod_start_pfn 1 hypercall_page none features 0x8811/0x1" "$W/probe-256.txt"'
check "text: kernel segment" \
      'grep -qx "    kernel       va 0xffffffff81000000-0xffffffff84a00000 pfn 0x1000 + 0x3a00 pages" "$W/probe-256.txt"'
check "text: unmapped initrd" \
      'grep -qx "    initrd(pfn)  va 0xffffffff84c00000-0xffffffff84f003f1 pfn 0x4c00 + 0x301 pages" "$W/probe-256.txt"'
check "text: registers" \
      'grep -qx "  registers: rip 0xffffffff830791c0 rsp 0xffffffff84a2d000 rsi 0xffffffff84a00000" "$W/probe-256.txt"'

# 48 MiB: the kernel alone needs 0x3a00 pages from pfn 0x1000
rc=0
"$PROBE" -c "$PVBOOT_SRC/embed/default.cfg" -q --memory 48 "$W/disk.img" >"$W/probe-48.txt" || rc=$?
check "[48 MiB] probe exit status 1 (got $rc)" '[ $rc = 1 ]'
check "[48 MiB] says the kernel does not fit" \
      'grep -qx "plan:          48 MiB domain: kernel does not fit: the kernel needs 14848 pages at pfn 0x1000 but the domain has only 12288 pages (48 MiB)" "$W/probe-48.txt"'
rc=0
"$W/xg-layout" "$KERNEL" 48 "$W/ab.img" >/dev/null 2>&1 || rc=$?
check "[48 MiB] libxenguest refuses it too (rc $rc)" '[ $rc = 1 ]'
rc=0
"$PROBE" -c "$PVBOOT_SRC/embed/default.cfg" -q --json --memory 48 "$W/disk.img" >"$W/probe-48.json" || rc=$?
check "[48 MiB] JSON: layout null, layout_error set" \
      'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d[\"layout\"] is None and d[\"layout_error\"].startswith(\"kernel does not fit\")))" "$W/probe-48.json"'
# --type pvh: the PVH plan of the same entry from the same planner as the
# guest's hand-over (modules/linux/pvh.c), libxl's PVH memory map
"$PROBE" -q --memory 256 --type pvh "$W/disk.img" >"$W/pvh-256.txt"
check "[pvh] plan header" 'grep -qx "plan:          256 MiB PVH domain, as pvboot.s PVH hand-over places it:" "$W/pvh-256.txt"'
check "[pvh] kernel at p_paddr, PHYS32_ENTRY" \
      'grep -qx "  pvh: kernel 0x1000000-0x4a00000 (p_paddr), entry 0x1000850 (PHYS32_ENTRY)" "$W/pvh-256.txt"'
check "[pvh] start info right after the kernel" \
      'grep -qx "    start info   0x4a00000 (4096 bytes): modlist 0x4a00038 memmap 0x4a00058 cmdline 0x4a00088" "$W/pvh-256.txt"'
check "[pvh] both initrds as module 0 after it" \
      'grep -qx "    initrd       0x4a01000-0x4d013f1 (3146737 bytes, module 0)" "$W/pvh-256.txt"'
check "[pvh] hvm_start_info fields" \
      'grep -qx "  hvm_start_info: magic 0x336ec578 version 1 flags 0 nr_modules 1 rsdp_paddr 0 memmap_entries 2" "$W/pvh-256.txt"'
check "[pvh] memmap" 'grep -qx "    memmap 0-0x10000000 RAM" "$W/pvh-256.txt" && grep -qx "    memmap 0xfeff8000-0xff000000 RESERVED" "$W/pvh-256.txt"'
rc=0
"$PROBE" -q --memory 48 --type pvh "$W/disk.img" >"$W/pvh-48.txt" || rc=$?
check "[pvh 48 MiB] exit 1, kernel range not RAM (rc $rc)" '[ $rc = 1 ] && grep -qx "plan:          48 MiB domain: pvh: the kernel.s load range 0x1000000-0x4a00000 is not all RAM: 0x3000000 is a hole in this domain.s memory map" "$W/pvh-48.txt"'
rc=0
"$PROBE" -q --json --memory 256 --type pvh "$W/disk.img" >"$W/pvh-256.json" || rc=$?
check "[pvh] JSON layout (rc $rc)" \
      'python3 -c "import json,sys; L=json.load(open(sys.argv[1]))[\"layout\"]; sys.exit(not (L[\"type\"]==\"pvh\" and L[\"start_info\"]==\"0x4a00000\" and L[\"initrd_addr\"]==\"0x4a01000\" and L[\"memmap_entries\"]==2))" "$W/pvh-256.json"'
rc=0; "$PROBE" --memory 256 --type hvm "$W/disk.img" >/dev/null 2>&1 || rc=$?
check "--type hvm is a usage error (rc $rc)" '[ $rc = 2 ]'
# bad --memory values are usage errors
rc=0; "$PROBE" -c "$PVBOOT_SRC/embed/default.cfg" --memory 0 "$W/disk.img" >/dev/null 2>&1 || rc=$?
check "--memory 0 is a usage error (rc $rc)" '[ $rc = 2 ]'
rc=0; "$PROBE" -c "$PVBOOT_SRC/embed/default.cfg" --memory 12x "$W/disk.img" >/dev/null 2>&1 || rc=$?
check "--memory 12x is a usage error (rc $rc)" '[ $rc = 2 ]'

[ "$FAILS" = 0 ] || { echo "FAILED: $FAILS"; exit 1; }
echo "PASS probe_layout"
