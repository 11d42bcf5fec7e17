#!/bin/bash
# e2e: the smallest boot storm, `xenlab run --guests 2`: two PV domains
# created at once from one dom0, both booting Debian 12's kernel + initrd
# with the all-modules image from their own copy of one `xenlab mkdisk` disk
# (dom0's vda and vdb, QEMU snapshot overlays), both reach userspace and
# their kernels' blkfront get their xvda; xenlab reports each guest's
# milestones and dom0's CPU for the storm.  The storm measurement itself is
# scripts/bench-storm's (N = 1, 4, 8), not CI's.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need linux

e2e_workdir storm
mk_default_image
"$XENLAB" mkdisk "$W/disk.img" >"$W/mkdisk.txt" 2>&1 || { cat "$W/mkdisk.txt"; exit 1; }
rc=0
"$XENLAB" run --loader "$W/pvboot.bin" --guests 2 --disk "$W/disk.img" \
    --expect 'XENLAB-DOMU-USERSPACE-OK' --timeout 400 --outdir "$W/run" >"$W/out.txt" 2>&1 || rc=$?
OUT=$(grep -E '^XENLAB-SUMMARY: XENLAB-(STORM|TIME)' "$W/out.txt" | sed 's/^XENLAB-SUMMARY: //' || true)
echo "$OUT"

# storm_ok G: guest G's XENLAB-STORM line says MATCH, xl create returned 0,
# and created <= "Linux version" (mark1) <= userspace, all > 0
storm_ok() {
    echo "$OUT" | awk -v g="$1" '$1 == "XENLAB-STORM:" && $2 == "guest=" g {
        for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        ok = v["result"] == "MATCH" && v["create_rc"] == "0" && v["created"] + 0 > 0 &&
             v["created"] + 0 <= v["mark1"] + 0 && v["mark1"] + 0 <= v["userspace"] + 0
    } END { exit !ok }'
}
# last_ok: storm_last_userspace is the larger of the guests' userspace times
last_ok() {
    echo "$OUT" | awk '$1 == "XENLAB-STORM:" {
            for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "userspace" && kv[2] + 0 > m) m = kv[2] + 0 } }
        $1 == "XENLAB-TIME:" { split($2, kv, "="); if (kv[1] == "storm_last_userspace") l = kv[2] + 0 }
        END { exit !(m > 0 && l == m) }'
}
# cpu_ok: 2 guests, busy_s > 0 is user_s + system_s + irq_s, busy_per_guest_s
# is busy_s / 2 (each rounded to 0.01 s), monitor_s is there
cpu_ok() {
    echo "$OUT" | awk '$1 == "XENLAB-STORM-CPU:" {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        d = v["busy_s"] - v["user_s"] - v["system_s"] - v["irq_s"]; h = v["busy_s"] / 2 - v["busy_per_guest_s"]
        ok = v["guests"] == 2 && v["busy_s"] > 0 && d < 0.025 && d > -0.025 && h < 0.011 && h > -0.011 &&
             v["monitor_s"] != ""
    } END { exit !ok }'
}

check "xenlab matched in both guests (rc $rc)" '[ $rc = 0 ]'
for g in 1 2; do
    TAG="[guest$g] "
    dev=vd$(echo ab | cut -c"$g")
    CON=$(tr -d '\r' <"$W/run/domu-console-$g.log" 2>/dev/null || true)
    check "own disk: dom0's $dev as xvda" \
          'grep -qxF "disk = [ '"'"'phy:/dev/$dev,xvda,w'"'"' ]" "$W/run/guest-$g.cfg"'
    check_linux_userspace "root=/dev/xvda1 ro console=hvc0"
    check "kernel's blkfront attached xvda" 'echo "$CON" | grep -q "^XENLAB-DOMU-DISK-OK xvda("'
    check "storm line: matched, milestones in order" "storm_ok $g"
    check_no_fault
done
TAG=
check "last-guest time is the later guest's userspace time" last_ok
check "dom0 CPU reported: busy = user + system + irq, per guest = busy / 2" cpu_ok
e2e_finish storm "$W/out.txt"
