#!/bin/bash
# e2e (issue 6): a kernel that does not fit in the domain is refused with a
# message saying so, before any hand-over: a 64 MiB guest cannot hold
# Debian's 59 MiB kernel image plus its decompression buffers and boot data.
# (The 256 MiB guest that boots is tests/e2e/boot.sh: xenlab's default.)
set -euo pipefail
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PVBOOT_BUILD=${PVBOOT_BUILD:-$PVBOOT_SRC/build}
MODDIR=${PVBOOT_MODDIR:-$PVBOOT_BUILD/modules/x86_64-xen}
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
XENLAB_CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}

skip() { echo "SKIP: $*"; exit 77; }
[ -s "$XENLAB_CACHE/stamp" ] || skip "xenlab not set up ($XENLAB_CACHE/stamp missing)"
[ -x "$PVBOOT_BUILD/src/mkpvimage" ] || skip "mkpvimage not built in $PVBOOT_BUILD"
[ -s "$MODDIR/linux.mod" ] || skip "$MODDIR/linux.mod not built"

W=$(mktemp -d /tmp/pvboot-e2e-toobig.XXXXXX)
trap 'rm -rf "$W"' EXIT
"$PVBOOT_BUILD/src/mkpvimage" -O x86_64-xen -d "$MODDIR" -c "$PVBOOT_SRC/embed/default.cfg" \
    -o "$W/pvboot.bin"
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos >/dev/null
rc=0
"$XENLAB" run --loader "$W/pvboot.bin" --disk "$W/disk.img" --memory 64 \
    --expect 'kernel does not fit' --linger 5 --timeout 180 \
    --cfg-line 'on_crash = "preserve"' --outdir "$W/run" >"$W/out.txt" 2>&1 || rc=$?
CON=$(tr -d '\r' <"$W/run/domu-console.log" 2>/dev/null || true)
echo "$CON" | grep -aE '^error|^linux:|Linux version' | sed 's/^/console| /' || true
FAILED=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; FAILED=1; fi; }
check "refused with 'kernel does not fit' (rc $rc)" '[ $rc = 0 ]'
check "the message names the domain size" 'echo "$CON" | grep -q "kernel does not fit in this 64 MiB domain"'
check "no hand-over attempted" '! echo "$CON" | grep -q "starting the kernel"'
check "no loader fault" '! echo "$CON" | grep -Eq "pvboot: fatal exception|panic"'
[ "$FAILED" = 0 ] || { echo "work dir kept: $W"; trap - EXIT; exit 1; }
echo "PASS boot_toobig"
