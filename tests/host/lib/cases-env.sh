# shellcheck shell=bash disable=SC2034  # variables are set for the sourcing script
# Shared set-up of the field-case host tests (sourced, not run):
#   . lib/cases-env.sh NAME
# sets SRC (checkout), BUILD, PROBE (pvboot-probe; PVBOOT_PROBE overrides),
# CASES (the field cases, tests/cases unless PVBOOT_CASES) and WORK
# (a new /tmp/pvboot-NAME.XXXXXX, removed on exit); exits 1 if pvboot-probe
# is not built.
SRC=${PVBOOT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
BUILD=${PVBOOT_BUILD:-$SRC/build}
PROBE=${PVBOOT_PROBE:-$BUILD/src/pvboot-probe}
CASES=${PVBOOT_CASES:-$SRC/tests/cases}
WORK=$(mktemp -d "/tmp/pvboot-$1.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
[ -x "$PROBE" ] || { echo "no pvboot-probe at $PROBE"; exit 1; }
