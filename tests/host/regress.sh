#!/bin/bash
# Reproducers of bugs found by fuzzing (tests/regress/*.cfg) run through
# pvboot-probe as the embedded config, on an empty disk: each must end as an
# ordinary run - exit 0 or 1, no "the disk parser ..." stop (crash, forbidden
# call, sanitizer error: the sanitizer build is where this test matters).
#   script-double-free.cfg  load_env -f FILE NAME...: argv freed twice
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PR=$BUILD/src/pvboot-probe
[ -x "$PR" ] || { echo "FAIL: $PR not built"; exit 1; }
T=$(mktemp -d /tmp/pvboot-regress.XXXXXX)
trap 'rm -rf "$T"' EXIT
truncate -s 1M "$T/e.img"
fails=0 n=0
for f in "$SRC"/tests/regress/*.cfg; do
    n=$((n + 1))
    timeout 120 "$PR" -q -c "$f" "$T/e.img" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
    if { [ $rc = 0 ] || [ $rc = 1 ]; } && ! grep -q 'Sanitizer\|the disk parser' "$T/err"; then
        echo "ok: $(basename "$f") (exit $rc)"
    else
        echo "FAIL: $(basename "$f"): exit $rc"; sed 's/^/  | /' "$T/err" | head -30
        fails=$((fails + 1))
    fi
done
[ $n -gt 0 ] || { echo "FAIL: no reproducers in $SRC/tests/regress"; exit 1; }
echo "regress: $n reproducers, $fails failed"
[ $fails = 0 ]
