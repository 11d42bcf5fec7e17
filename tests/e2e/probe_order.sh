#!/bin/bash
# e2e: one disk, two filesystems, one probe order.  The disk is a valid tar
# archive AND a valid ext2 filesystem: the tar's first member holds the
# ext2 image from its byte 512 on, so the ext2 superblock (byte 1024) and
# everything after it sit where ext2 wants them; /which.txt says
# "ext2-side" in the ext2 and "tar-side" in the tar.  The image built by
# mkpvimage (all modules) boots under real Xen with a config that prints
# the filesystem `probe` picks and that file, and pvboot-probe runs the
# same config on the same disk: both must print the same, the type the
# probe-order table (modules/kernel/core/probe_order.c) ranks first, ext2
# before tarfs.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need normal ext2 tar search cat
command -v mke2fs >/dev/null || skip "no mke2fs (e2fsprogs)"

e2e_workdir probeorder
mkdir -p "$W/t"
echo ext2-side >"$W/t/which.txt"
mke2fs -q -F -t ext2 -b 1024 -d "$W/t" "$W/e.img" 2M >/dev/null 2>&1
python3 - "$W/e.img" "$W/disk.img" <<'PY'
import io, sys, tarfile
e = open(sys.argv[1], "rb").read()
with tarfile.open(sys.argv[2], "w", format=tarfile.USTAR_FORMAT) as tf:
    ti = tarfile.TarInfo("ext2-body")      # header 0..511, data from 512
    ti.size, ti.mtime = len(e) - 512, 0
    tf.addfile(ti, io.BytesIO(e[512:]))
    ti = tarfile.TarInfo("which.txt")
    ti.size, ti.mtime = 9, 0
    tf.addfile(ti, io.BytesIO(b"tar-side\n"))
PY
check "the disk is a tar with both members" \
      '[ "$(tar tf "$W/disk.img" | tr "\n" " ")" = "ext2-body which.txt " ]'
check "the tar's which.txt says tar-side" '[ "$(tar xOf "$W/disk.img" which.txt)" = tar-side ]'
check "the disk is an ext2 whose which.txt says ext2-side" \
      '[ "$(debugfs -R "cat /which.txt" "$W/disk.img" 2>/dev/null)" = ext2-side ]'

cat >"$W/order.cfg" <<'CFG'
probe --fs --set=t (hd0)
echo "PROBE-ORDER fs=$t"
echo -n "PROBE-ORDER which="
cat (hd0)/which.txt
echo PROBE-ORDER-END
halt
CFG
mkpv -c "$W/order.cfg" -o "$W/order.bin"
host=$("$PVBOOT_BUILD/src/pvboot-probe" -c "$W/order.cfg" "$W/disk.img" | tr -d '\r' | grep '^PROBE-ORDER' || true)
echo "$host" | sed 's/^/pvboot-probe| /'
xenlab_run "$W/run" "$W/out.txt" --loader "$W/order.bin" --disk "$W/disk.img" \
    --expect 'PROBE-ORDER-END' --timeout 120
guest=$(echo "$CON" | grep -a '^PROBE-ORDER' || true)
show_console '^PROBE-ORDER|^error'
want="PROBE-ORDER fs=ext2
PROBE-ORDER which=ext2-side
PROBE-ORDER-END"
check "xenlab matched (rc $rc)" '[ $rc = 0 ]'
check "the guest picked ext2, the table's first type" '[ "$guest" = "$want" ]'
check "pvboot-probe picked the same" '[ "$host" = "$want" ]'
e2e_finish probe_order "$W/out.txt"
