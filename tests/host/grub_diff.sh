#!/bin/bash
# pvboot's GRUB script interpreter against GRUB 2.06 itself: every script of
# tests/grubdiff/corpus runs in Debian's grub-emu and in pvboot-probe, and
# the console transcripts (output, errors, menu variables, entries run, the
# words given to linux/initrd) must agree.  See tests/host/grub_diff.py and
# tests/grubdiff/DIFFERENCES.md.
set -euo pipefail
: "${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}"
here=$(cd "$(dirname "$0")" && pwd)
emu=$(command -v grub-emu || true)
[ -n "$emu" ] || { echo "FAIL: grub-emu not installed (package grub-emu; scripts/install-deps.sh)"; exit 1; }
exec python3 "$here/grub_diff.py" --probe "$PVBOOT_BUILD/src/pvboot-probe" --grub-emu "$emu" \
    --expect "$here/../grubdiff/expected-differences.txt" -j 4 "$here/../grubdiff/corpus"
