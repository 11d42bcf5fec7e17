#!/bin/bash
# Seeds for fuzz_pvh_memmap: hvm_start_info v1 headers followed by the
# memory maps libxl builds for PVH guests (tools/libs/light/libxl_x86.c,
# domain_construct_memmap: RAM from 0, the 32 KiB special pages at
# 0xfeff8000, ACPI at 0xfc000000, RAM above 4 GiB; unsorted as libxl emits
# them), the low-RSDP variant (ACPI inside low RAM), a version-0 header and
# the same maps as 20-byte e820 records.
set -euo pipefail
python3 - "$1" <<'PY'
import struct, sys, os
out = sys.argv[1]
MAGIC = 0x336ec578
def si(version, entries):
    # magic, version, flags, nr_modules, modlist, cmdline, rsdp, memmap, entries, reserved
    return struct.pack("<IIIIQQQQII", MAGIC, version, 0, 0, 0, 0x2f6038, 0xfc009000,
                       0x2f6438 if entries else 0, entries, 0)
def tab(ents):
    return b"".join(struct.pack("<QQII", a, s, t, 0) for a, s, t in ents)
def e820(ents):
    return b"".join(struct.pack("<QQI", a, s, t) for a, s, t in ents)
maps = {
    "512m": [(0, 0x20000000, 1), (0xfeff8000, 0x8000, 2), (0xfc000000, 0x9000, 3)],
    "4g": [(0, 0xfc000000, 1), (0xfeff8000, 0x8000, 2), (0xfc000000, 0xa000, 3),
           (0x100000000, 0x4000000, 1)],
    "lowrsdp": [(0, 0x20000000, 1), (0xfeff8000, 0x8000, 2), (0xfffc0, 0x40, 4),
                (0xfc000000, 0x9000, 4)],
}
for name, ents in maps.items():
    open(os.path.join(out, "si-" + name), "wb").write(si(1, len(ents)) + tab(ents))
    open(os.path.join(out, "e820-" + name), "wb").write(si(0, 0) + e820(ents))
open(os.path.join(out, "si-v0"), "wb").write(si(0, 0)[:40])
PY
