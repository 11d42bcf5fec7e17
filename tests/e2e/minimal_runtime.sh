#!/bin/bash
# e2e (issue 2's minimal runtime): an image of the kernel module alone plus an
# embedded config, built by mkpvimage, boots under real Xen (xenlab) and
#   - prints "pvboot <version>" and the list of linked modules ("kernel"),
#   - prints the embedded config's first line,
#   - powers the domain off cleanly: the domain goes away by itself (with
#     on_crash = "preserve" a crash would leave it for xenlab to destroy) and
#     Xen/dom0 report no crash.
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
[ -s "$MODDIR/kernel.mod" ] || skip "$MODDIR/kernel.mod not built"

VERSION=$(sed -n 's/^#define PVBOOT_VERSION "\(.*\)"$/\1/p' "$PVBOOT_BUILD/include/pvboot/version.h")
[ -n "$VERSION" ] || { echo "FAIL: no PVBOOT_VERSION in $PVBOOT_BUILD/include/pvboot/version.h"; exit 1; }

W=$(mktemp -d /tmp/pvboot-e2e-minimal.XXXXXX)
trap 'rm -rf "$W"' EXIT
FIRST="# minimal-runtime e2e config $$-$RANDOM"
printf '%s\necho this second line must not be printed\n' "$FIRST" >"$W/min.cfg"
"$PVBOOT_BUILD/src/mkpvimage" -O x86_64-xen -d "$MODDIR" -c "$W/min.cfg" -o "$W/min.bin" kernel

rc=0
"$XENLAB" run --loader "$W/min.bin" --expect 'powering off' --timeout 90 --linger 10 \
    --cfg-line 'on_crash = "preserve"' --outdir "$W/run" >"$W/out.txt" 2>&1 || rc=$?
CON=$(tr -d '\r' <"$W/run/domu-console.log" 2>/dev/null || true)
SER=$W/run/serial.log
echo "$CON" | sed 's/^/console| /'

FAILED=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; FAILED=1; fi; }
check "xenlab matched (rc $rc)" '[ $rc = 0 ]'
check "banner 'pvboot $VERSION' is the first line" \
      '[ "$(echo "$CON" | sed -n 1p)" = "pvboot $VERSION" ]'
check "module list is exactly 'kernel'" 'echo "$CON" | grep -qx "modules: kernel"'
check "embedded config first line printed" \
      'echo "$CON" | grep -qxF "embedded config: $FIRST"'
check "second config line not printed" '! echo "$CON" | grep -q "must not be printed"'
check "power-off announced" 'echo "$CON" | grep -qx "no main program registered; powering off"'
check "no panic or fault output" '! echo "$CON" | grep -Eq "panic|fatal exception|crashing"'
check "xenlab did not have to destroy the domain" '! grep -q "XENLAB: .*destroying guest" "$SER"'
check "no crash reported by Xen or dom0" '! grep -v "^xlcfg|" "$SER" | grep -iq "crash"'
if [ $FAILED != 0 ]; then
    tail -40 "$W/out.txt"
    trap - EXIT
    echo "run dir kept: $W"
    exit 1
fi
echo "PASS minimal_runtime"
