#!/bin/sh
# xenlab: add a vbd with a missing or broken backend to a (paused) domU, to
# test how a frontend copes.  Runs in dom0 from --fake-vbd / --post-create:
#   fake-vbd DOMID VDEV MODE
# VDEV is the vbd id (51712 = xvda, 51728 = xvdb, 51744 = xvdc, 51760 = xvdd).
# MODE: missing  - device/vbd/VDEV names a backend path that does not exist
#       initwait - the backend sits in InitWait (2) forever, never connects
#       closed   - the backend is in Closed (6)
# The fake backend lives outside backend/vbd so blkback never sees it.
domid=$1 vdev=$2 mode=$3
fe=/local/domain/$domid/device/vbd/$vdev
be=/local/domain/0/backend/xenlab-fake-vbd/$domid/$vdev
xenstore-write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 1 \
               "$fe/virtual-device" "$vdev" "$fe/device-type" disk || exit 1
# the frontend directory belongs to the guest (as libxl makes it): it writes
# ring-ref, event-channel, state... there
xenstore-chmod -r "$fe" "n$domid" r0 || exit 1
case "$mode" in
    missing) ;;
    initwait|closed)
        st=2; [ "$mode" = closed ] && st=6
        xenstore-write "$be/state" $st "$be/frontend" "$fe" "$be/frontend-id" "$domid" \
                       "$be/online" 1 "$be/max-ring-page-order" 0 || exit 1
        xenstore-chmod -r "$be" n0 "r$domid" || exit 1 ;;
    *) echo "fake-vbd: unknown mode $mode" >&2; exit 2 ;;
esac
echo "XENLAB: fake vbd $vdev for domain $domid: $mode (frontend $fe, backend $be)"
