#!/bin/bash
# pvboot-xen-firmware robustness: a --root that is not a directory is an
# error (was: exit 0 and an empty answer, as if no xl were installed); bad
# --name, a relative --image and an unknown command are usage errors.
set -u
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
F=$SRC/scripts/packaging/pvboot-xen-firmware
T=$(mktemp -d /tmp/xenfw-robust.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
n=0
expect() {   # expect RC STDERR -- COMMAND...
    local rc_want=$1 err_want=$2 rc err
    shift 3
    n=$((n + 1))
    "$@" >/dev/null 2>"$T/err" && rc=0 || rc=$?
    err=$(cat "$T/err")
    [ "$rc" = "$rc_want" ] && [ "$err" = "$err_want" ] ||
        { echo "FAIL [$n]: $*: exit $rc (want $rc_want), stderr '$err' (want '$err_want')"; fails=$((fails + 1)); }
}
expect 2 "pvboot-xen-firmware: error: --root $T/nonexistent is not a directory" -- \
    sh "$F" --root "$T/nonexistent" paths
: >"$T/file"
expect 2 "pvboot-xen-firmware: error: --root $T/file is not a directory" -- sh "$F" --root "$T/file" install
mkdir "$T/root"
expect 0 "" -- sh "$F" --root "$T/root" paths
expect 2 "pvboot-xen-firmware: error: xl only knows firmware pvgrub32 and pvgrub64, not 'pvgrub99'" -- \
    sh "$F" --name pvgrub99 paths
expect 2 "pvboot-xen-firmware: error: --image must be an absolute path inside the root" -- \
    sh "$F" --root "$T/root" --image rel.bin paths
expect 2 "pvboot-xen-firmware: error: image /usr/lib/pvboot/pvboot-x86_64-xen.bin is missing" -- \
    sh "$F" --root "$T/root" install
n=$((n + 1))
sh "$F" frob >/dev/null 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 2 ] && grep -q "^usage: pvboot-xen-firmware" "$T/err" ||
    { echo "FAIL [$n]: unknown command: exit $rc"; fails=$((fails + 1)); }
echo "robust_xen_firmware: $n checks, $fails failed"
[ "$fails" = 0 ]
