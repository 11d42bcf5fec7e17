#!/bin/bash
# SPDX-License-Identifier: MIT
# Build every field case (tests/cases/FC-*) into a disk image and
# assert pvboot-probe's exact boot decision against its expected.json
# (tests/host/cases_build.py does one case).  Cases whose filesystem has no
# runtime module yet are reported SKIP and do not count as passed.  A btrfs
# with a default subvolume (FC-025, snapper layout with btrfs_relative_path)
# is written by Linux in User-Mode Linux (btrfs subvolume set-default); the
# case passes only if the config was found through that default subvolume.
#
# Deliberate deviations from expected.json: none at present.
set -u
# shellcheck source-path=SCRIPTDIR source=lib/cases-env.sh
. "$(dirname "$0")/lib/cases-env.sh" cases
pass=0 fail=0 skip=0
for c in "$CASES"/FC-*/; do
    n=$(basename "$c")
    [ -n "${CASE_FILTER:-}" ] && [[ "$n" != *$CASE_FILTER* ]] && continue
    python3 "$SRC/tests/host/cases_build.py" "$PROBE" "$c" "$WORK/$n" "$SRC"
    rc=$?
    case $rc in
        0) pass=$((pass+1)) ;;
        77) skip=$((skip+1)) ;;
        *) fail=$((fail+1)) ;;
    esac
    rm -rf "$WORK/$n"
done
echo "cases: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
