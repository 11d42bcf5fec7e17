# shellcheck shell=bash disable=SC2034  # variables are set for the sourcing script
# Shared helpers for tests/e2e/disks*.sh (sourced, not run).
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest; defaults below).
# shellcheck source-path=SCRIPTDIR source=e2e-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/e2e-lib.sh"

fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }

need_xenlab() { e2e_need kernel blkfront testspeed; }

# mkpattern FILE MIB DISKNO: every 512-byte sector starts with
# "PVB:<DISKNO 2 digits>:<sector 16 digits>:" (24 bytes); the rest is zero.
mkpattern() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys
path, mib, no = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
n = mib * 2048
with open(path, "wb") as f:
    chunk = 2048
    for base in range(0, n, chunk):
        buf = bytearray(512 * chunk)
        for k in range(chunk):
            s = base + k
            buf[k * 512:k * 512 + 24] = b"PVB:%02d:%016d:" % (no, s)
        f.write(buf)
PY
}

# build_disktest OUTDIR: compile tests/e2e/modules/disktest.c into
# OUTDIR/disktest.mod with the flags of the freestanding modules.
build_disktest() {
    build_test_module /modules/testspeed/testspeed.c "$PVBOOT_SRC/tests/e2e/modules/disktest.c" "$1/disktest.mod"
}

# build_image OUTDIR [MEMDISK]: OUTDIR/pvboot-disktest.bin with kernel,
# blkfront, testspeed and the disktest main program (+ memdisk MEMDISK).
build_image() {
    local out=$1 md=${2:-} extra=()
    build_disktest "$out"
    printf '# disktest image: the disktest module is the main program\n' >"$out/empty.cfg"
    [ -z "$md" ] || extra=(-m "$md" memdisk)
    mkpv -c "$out/empty.cfg" -o "$out/pvboot-disktest.bin" kernel blkfront testspeed "${extra[@]}" \
        "$out/disktest.mod"
}

# grep_log LOG REGEX: true if a console line matches (grep's status: tr may
# die of SIGPIPE once grep -q has its match, which pipefail would count)
grep_log() { (set +o pipefail; tr -d '\r' <"$1" | grep -Eq -- "$2"); }

# check_xvda_closed LOG: the disktest guest closed its disks with no grant
# left active, and xvda (vbd 51712) ended with the frontend in Initialising
# (1) and the backend back in InitWait (2), ready for the next kernel.
check_xvda_closed() {
    grep_log "$1" '^DISKTEST-CLOSE ms=[0-9]+ active_grants=0$' \
        && pass "no grant left active after close" || fail "grants still active after close"
    grep_log "$1" '^DISKTEST-VBD closed 51712 frontend=1 backend=2' \
        && pass "xvda torn down cleanly: frontend Initialising, backend InitWait" || fail "xvda teardown states"
}
