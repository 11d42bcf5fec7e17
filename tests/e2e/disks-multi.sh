#!/bin/bash
# e2e: 2 and 4 vbds (one of them with 4096-byte logical sectors).  Every disk
# is listed as xen/xvdX with alias hdN in vbd order and its exact size, and
# the per-disk pattern (disk number + sector in each sector) reads back
# right at scattered sectors: disks are not mixed up.
# shellcheck source-path=SCRIPTDIR source=lib/disks-lib.sh
. "$(dirname "$0")/lib/disks-lib.sh"
need_xenlab
e2e_workdir disksm
build_image "$W"
sizes=(0 24 16 40 32)       # MiB of disk 1..4
for i in 1 2 3 4; do mkpattern "$W/d$i.img" "${sizes[$i]}" "$i"; done
letters=(x a b c d)
run_case() {   # NDISKS LBS4K_INDEX
    local n=$1 k=$2 args=() i
    for i in $(seq 1 "$n"); do
        if [ "$i" = "$k" ]; then args+=(--disk "$W/d$i.img,lbs=4096"); else args+=(--disk "$W/d$i.img"); fi
    done
    "$XENLAB" run --loader "$W/pvboot-disktest.bin" "${args[@]}" --expect 'DISKTEST-END' \
        --timeout 150 --outdir "$W/run$n" >"$W/out$n.txt" 2>&1 || true
    local L=$W/run$n/domu-console.log
    tr -d '\r' <"$L" | grep -E 'DISKTEST|blkfront' || true
    for i in $(seq 1 "$n"); do
        local name=xen/xvd${letters[$i]} ss=512
        [ "$i" = "$k" ] && ss=4096
        local sect=$(( sizes[$i] * 2048 ))
        grep_log "$L" "^DISKTEST-DISK $name alias=hd$((i - 1)) sectors=$sect sector_size=$ss mib=${sizes[$i]}\$" \
            && pass "$n disks: $name = hd$((i - 1)), $sect sectors of $ss" \
            || fail "$n disks: $name not listed as hd$((i - 1)) with $sect sectors of $ss bytes"
        grep_log "$L" "^DISKTEST-PATTERN $name disk=0$i checked=[0-9]+ bad=0" \
            && pass "$n disks: $name pattern" || fail "$n disks: $name pattern"
        grep_log "$L" "^DISKTEST-VBD closed $(( 51712 + 16 * (i - 1) )) frontend=1 backend=2" \
            && pass "$n disks: $name closed cleanly" || fail "$n disks: $name teardown"
    done
    [ "$(tr -d '\r' <"$L" | grep -c '^DISKTEST-DISK ')" = "$n" ] \
        && pass "$n disks: exactly $n listed" || fail "$n disks: wrong number of disks listed"
    grep_log "$L" '^DISKTEST-CLOSE ms=[0-9]+ active_grants=0$' \
        && pass "$n disks: no grant left after close" || fail "$n disks: grants left after close"
    grep_log "$L" '^DISKTEST-END' || fail "$n disks: guest did not finish"
}
run_case 2 2
run_case 4 3
e2e_finish disks-multi
