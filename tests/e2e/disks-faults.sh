#!/bin/bash
# e2e: broken disks.  xvda is good; xvdb's device fails every read touching
# sector 5000 (QEMU blkdebug -> dom0 EIO -> BLKIF_RSP_ERROR); vbd 51760
# (xvdd) names a backend that does not exist, 51776 (xvde) has a backend
# stuck in InitWait, 51792 (xvdf) one in Closed.  The guest must name each
# broken disk with the reason (and the sector for the I/O error), give up on
# the stuck ones within the 10 s connect timeout, keep using the good disks,
# and still tear down cleanly.
. "$(dirname "$0")/lib/disks-lib.sh"
need_xenlab
W=$(mktemp -d /tmp/pvboot-e2e-disksf.XXXXXX)
trap 'rm -rf "$W"' EXIT
build_image "$W"
mkpattern "$W/d1.img" 16 1
mkpattern "$W/d2.img" 16 2
"$XENLAB" run --loader "$W/pvboot-disktest.bin" --disk "$W/d1.img" --disk "$W/d2.img,error-sector=5000" \
    --fake-vbd 51760:missing --fake-vbd 51776:initwait --fake-vbd 51792:closed \
    --extra "errsector=xen/xvdb:5000" --expect 'DISKTEST-END' --timeout 150 \
    --outdir "$W/run" >"$W/out.txt" 2>&1 || true
L=$W/run/domu-console.log
tr -d '\r' <"$L" | grep -E 'DISKTEST|blkfront' || true
grep_log "$L" '^blkfront: xen/xvdd \(vbd 51760\): backend /local/domain/0/backend/xenlab-fake-vbd/[0-9]+/51760 has no state \(backend missing\); skipping this disk' \
    && pass "missing backend reported" || fail "missing backend message"
grep_log "$L" '^blkfront: xen/xvde \(vbd 51776\): backend /local/domain/0/backend/xenlab-fake-vbd/[0-9]+/51776 did not connect within 10 s \(backend state 2 InitWait\); skipping this disk' \
    && pass "backend stuck in InitWait reported" || fail "InitWait backend message"
grep_log "$L" '^blkfront: xen/xvdf \(vbd 51792\): backend /local/domain/0/backend/xenlab-fake-vbd/[0-9]+/51792 did not connect within 10 s \(backend state 6 Closed\); skipping this disk' \
    && pass "closed backend reported" || fail "Closed backend message"
grep_log "$L" '^DISKTEST-ERRSECTOR xen/xvdb 5000 rc=-2 msg=xen/xvdb: read error at sector [0-9]+ \([0-9]+ sectors\): backend answered BLKIF_RSP_ERROR \(-1\)' \
    && pass "I/O error names disk and sector" || fail "BLKIF_RSP_ERROR message"
grep_log "$L" '^DISKTEST-AFTER-ERROR xen/xvdb rc=0 sig=PVB:02:' \
    && pass "xvdb still usable after the error" || fail "xvdb after error"
grep_log "$L" '^DISKTEST-PATTERN xen/xvda disk=01 checked=[0-9]+ bad=0' \
    && pass "good disk xvda works" || fail "xvda pattern"
[ "$(tr -d '\r' <"$L" | grep -c '^DISKTEST-DISK ')" = 2 ] \
    && pass "only the 2 working disks registered" || fail "registered disk count"
grep_log "$L" '^DISKTEST-CLOSE ms=[0-9]+ active_grants=0$' \
    && pass "no grant left active after close" || fail "grants still active after close"
grep_log "$L" '^DISKTEST-VBD closed 51712 frontend=1 backend=2' \
    && pass "xvda torn down cleanly" || fail "xvda teardown"
grep_log "$L" '^DISKTEST-END' && pass "loader went on" || fail "guest did not finish"
[ "$FAILED" = 0 ] || { echo "run dir kept: $W/run"; trap - EXIT; exit 1; }
echo "PASS disks-faults"
