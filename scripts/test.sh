#!/bin/bash
# The whole test suite, as CI runs it (README: second set-up command).
#   build/       full build (modules, mkpvimage, host tools)  -> e2e + unit
#   build-san/   hosted code under ASan/UBSan                  -> unit + host
#   build-fuzz/  libFuzzer targets (clang), bounded runs       -> fuzz
# Set PVBOOT_TEST_LABELS (ctest -L regex) to run a subset, e.g. "unit".
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
JOBS=$(nproc)

bash scripts/install-deps.sh
scripts/xenlab/xenlab setup >/dev/null

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"
cmake -S . -B build-san -DPVBOOT_SANITIZE=ON -DPVBOOT_MODULES=OFF >/dev/null
cmake --build build-san -j"$JOBS"
cmake -S . -B build-fuzz -DPVBOOT_FUZZ=ON -DPVBOOT_MODULES=OFF -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build build-fuzz -j"$JOBS"

# seconds per libFuzzer target (11 targets; keep the whole run well inside CI's budget)
export PVBOOT_FUZZ_TIME=${PVBOOT_FUZZ_TIME:-20}
labels=${PVBOOT_TEST_LABELS:-}
rc=0
run() { # dir label-regex
    if [ -n "$labels" ] && ! [[ $2 =~ $labels ]]; then return 0; fi
    echo "=== ctest $1 -L '$2'"
    ctest --test-dir "$1" -L "$2" --output-on-failure --no-tests=ignore || rc=1
}
run build-san 'unit|host'
run build-fuzz fuzz
run build e2e
exit $rc
