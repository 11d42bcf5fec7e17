#!/bin/bash
# Random GRUB scripts (scripts/grub-diff-fuzz) through GRUB 2.06 (grub-emu)
# and pvboot-probe: a bounded, reproducible run (fixed seed; override with
# PVBOOT_GRUBDIFF_SEED / PVBOOT_GRUBDIFF_COUNT).  Any difference fails with
# its smallest reproducer.
set -euo pipefail
: "${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}"
here=$(cd "$(dirname "$0")" && pwd)
emu=$(command -v grub-emu || true)
[ -n "$emu" ] || { echo "FAIL: grub-emu not installed (package grub-emu; scripts/install-deps.sh)"; exit 1; }
exec python3 "$here/../../scripts/grub-diff-fuzz" --probe "$PVBOOT_BUILD/src/pvboot-probe" --grub-emu "$emu" \
    --seed "${PVBOOT_GRUBDIFF_SEED:-20261207}" --count "${PVBOOT_GRUBDIFF_COUNT:-500}" -j 4
