#!/bin/bash
# e2e (real Xen in QEMU): one vbd (+ a 1 MiB memdisk, mkpvimage -m).  The guest lists xen/xvda (alias hd0) with
# its size, checks a known pattern at scattered sectors (through the cache
# and straight from the driver, unaligned buffers too), writes and reads back
# a sector, measures a 256 MiB sequential read with testspeed and verifies
# those 256 MiB, then closes the disk: the frontend must end in Initialising
# (1) with the backend back in InitWait (2), ready for the next kernel.
# shellcheck source-path=SCRIPTDIR source=lib/disks-lib.sh
. "$(dirname "$0")/lib/disks-lib.sh"
need_xenlab
e2e_workdir disks
mkpattern "$W/md.img" 1 9
build_image "$W" "$W/md.img"
mkpattern "$W/d1.img" 272 1
"$XENLAB" run --loader "$W/pvboot-disktest.bin" --disk "$W/d1.img" \
    --extra "speed=256 write=xen/xvda" --expect 'DISKTEST-END' --timeout 240 \
    --outdir "$W/run" >"$W/out.txt" 2>&1 || true
L=$W/run/domu-console.log
cat "$L" | tr -d '\r' | grep -E 'DISKTEST|testspeed|File size|Elapsed|Speed|blkfront' || true
grep_log "$L" '^DISKTEST-DISK xen/xvda alias=hd0 sectors=557056 sector_size=512 mib=272' \
    && pass "xen/xvda listed with its size" || fail "xen/xvda not listed with 557056 sectors"
grep_log "$L" '^DISKTEST-DISK memdisk alias=- sectors=2048 sector_size=512 mib=1$' \
    && pass "memdisk listed" || fail "memdisk not listed"
grep_log "$L" '^DISKTEST-PATTERN memdisk disk=09 checked=[0-9]+ bad=0' \
    && pass "memdisk pattern" || fail "memdisk pattern"
grep_log "$L" '^DISKTEST-PATTERN xen/xvda disk=01 checked=[0-9]+ bad=0' \
    && pass "pattern at scattered sectors" || fail "pattern check"
grep_log "$L" '^DISKTEST-WRITE xen/xvda rc=0 readback_rc=0 same=1' \
    && pass "write + read-back from the backend" || fail "write test"
grep_log "$L" '^testspeed: xen/xvda bytes=268435456 ns=[0-9]+' \
    && pass "testspeed read 256 MiB: $(tr -d '\r' <"$L" | grep -m1 '^Speed:')" || fail "testspeed 256 MiB"
grep_log "$L" '^DISKTEST-VERIFY xen/xvda bytes=268435456 bad_sectors=0' \
    && pass "256 MiB content verified" || fail "256 MiB verify"
check_xvda_closed "$L"
grep_log "$L" '^DISKTEST-END' && pass "guest finished" || fail "guest did not finish"
e2e_finish disks
