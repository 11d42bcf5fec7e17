#!/bin/bash
# e2e: broken disks.  xvda is good; xvdb's device fails every read touching
# sector 5000 (QEMU blkdebug -> dom0 EIO -> BLKIF_RSP_ERROR); vbd 2048
# (sda, first in vbd order) names a backend that does not exist, 51776
# (xvde) has a backend stuck in InitWait, 51792 (xvdf) one in Closed.  The
# guest must name each broken disk with the reason (and the sector for the
# I/O error), report the Closed one at once (about 1 s, before the 10 s
# connect timeout that catches the InitWait one), keep using the good disks,
# and still tear down cleanly.  hdN numbers follow vbd order over all vbds,
# broken ones included: sda = hd0 (does not resolve), xvda = hd1, xvdb = hd2.
# shellcheck source-path=SCRIPTDIR source=lib/disks-lib.sh
. "$(dirname "$0")/lib/disks-lib.sh"
need_xenlab
e2e_workdir disksf
build_image "$W"
mkpattern "$W/d1.img" 16 1
mkpattern "$W/d2.img" 16 2
"$XENLAB" run --loader "$W/pvboot-disktest.bin" --disk "$W/d1.img" --disk "$W/d2.img,error-sector=5000" \
    --fake-vbd 2048:missing --fake-vbd 51776:initwait --fake-vbd 51792:closed \
    --extra "errsector=xen/xvdb:5000" --expect 'DISKTEST-END' --timeout 150 \
    --outdir "$W/run" >"$W/out.txt" 2>&1 || true
L=$W/run/domu-console.log
tr -d '\r' <"$L" | grep -E 'DISKTEST|blkfront' || true
grep_log "$L" '^blkfront: xen/sda \(vbd 2048\): backend /local/domain/0/backend/xenlab-fake-vbd/[0-9]+/2048 has no state \(backend missing\); skipping this disk' \
    && pass "missing backend reported" || fail "missing backend message"
grep_log "$L" '^blkfront: xen/xvde \(vbd 51776\): backend /local/domain/0/backend/xenlab-fake-vbd/[0-9]+/51776 did not connect within 10 s \(backend state 2 InitWait\); skipping this disk' \
    && pass "backend stuck in InitWait reported" || fail "InitWait backend message"
grep_log "$L" '^blkfront: xen/xvdf \(vbd 51792\): backend /local/domain/0/backend/xenlab-fake-vbd/[0-9]+/51792 is Closed \(state 6\) and did not answer a reset within 1 s; skipping this disk' \
    && pass "closed backend reported" || fail "Closed backend message"
# the Closed one is reported before the 10 s deadline that ends the InitWait one
lc=$(tr -d '\r' <"$L" | grep -n 'xen/xvdf (vbd 51792).*is Closed' | head -1 | cut -d: -f1)
li=$(tr -d '\r' <"$L" | grep -n 'xen/xvde (vbd 51776).*did not connect' | head -1 | cut -d: -f1)
[ -n "$lc" ] && [ -n "$li" ] && [ "$lc" -lt "$li" ] \
    && pass "Closed backend reported before the connect deadline" || fail "Closed backend not reported early"
# hdN: vbd order over all vbds found; the broken sda keeps hd0
grep_log "$L" '^DISKTEST-ALIASES hd0=- hd1=xen/xvda hd2=xen/xvdb hd3=- hd4=- hd5=-$' \
    && pass "hd0 (broken sda) does not resolve, xvda = hd1, xvdb = hd2" || fail "hdN aliases"
grep_log "$L" '^DISKTEST-DISK xen/xvda alias=hd1 ' && grep_log "$L" '^DISKTEST-DISK xen/xvdb alias=hd2 ' \
    && pass "disks listed with their hdN" || fail "DISKTEST-DISK aliases"
grep_log "$L" '^xen/sda +hd0 +vbd 2048 +failed$' && grep_log "$L" '^xen/xvdf +hd4 +vbd 51792 +failed$' \
    && pass "lsvbd shows the failed vbds with their numbers" || fail "lsvbd of failed vbds"
grep_log "$L" '^DISKTEST-ERRSECTOR xen/xvdb 5000 rc=-2 msg=xen/xvdb: read error at sector [0-9]+ \([0-9]+ sectors\): backend answered BLKIF_RSP_ERROR \(-1\)' \
    && pass "I/O error names disk and sector" || fail "BLKIF_RSP_ERROR message"
grep_log "$L" '^DISKTEST-AFTER-ERROR xen/xvdb rc=0 sig=PVB:02:' \
    && pass "xvdb still usable after the error" || fail "xvdb after error"
grep_log "$L" '^DISKTEST-PATTERN xen/xvda disk=01 checked=[0-9]+ bad=0' \
    && pass "good disk xvda works" || fail "xvda pattern"
[ "$(tr -d '\r' <"$L" | grep -c '^DISKTEST-DISK ')" = 2 ] \
    && pass "only the 2 working disks registered" || fail "registered disk count"
check_xvda_closed "$L"
grep_log "$L" '^DISKTEST-END' && pass "loader went on" || fail "guest did not finish"
e2e_finish disks-faults
