# Shared helpers for tests/e2e/disks*.sh (sourced, not run).
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest; defaults below).
set -euo pipefail
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
PVBOOT_BUILD=${PVBOOT_BUILD:-$PVBOOT_SRC/build}
MODDIR=${PVBOOT_MODDIR:-$PVBOOT_BUILD/modules/x86_64-xen}
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
XENLAB_CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }
FAILED=0

need_xenlab() {
    [ -s "$XENLAB_CACHE/stamp" ] || skip "xenlab not set up ($XENLAB_CACHE/stamp missing)"
    command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
    [ -x "$PVBOOT_BUILD/src/mkpvimage" ] || skip "mkpvimage not built in $PVBOOT_BUILD"
    for m in kernel blkfront testspeed; do
        [ -s "$MODDIR/$m.mod" ] || skip "$MODDIR/$m.mod not built"
    done
}

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
    local out=$1 cmd
    cmd=$(python3 - "$PVBOOT_BUILD/compile_commands.json" <<'PY'
import json, sys, shlex
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith("/modules/testspeed/testspeed.c"):
        args = shlex.split(e["command"])
        # drop -o X and -c SRC; the caller appends its own
        res, skip = [], False
        for a in args:
            if skip: skip = False; continue
            if a in ("-o", "-c"): skip = True; continue
            res.append(a)
        print(shlex.join(res))
        break
PY
)
    [ -n "$cmd" ] || { echo "cannot find the module compile flags in $PVBOOT_BUILD/compile_commands.json"; return 1; }
    eval "$cmd -c $PVBOOT_SRC/tests/e2e/modules/disktest.c -o $out/disktest.o"
    ld -r -m elf_x86_64 --build-id=none -o "$out/disktest.mod" "$out/disktest.o"
}

# build_image OUTDIR [MEMDISK]: OUTDIR/pvboot-disktest.bin with kernel,
# blkfront, testspeed and the disktest main program (+ memdisk MEMDISK).
build_image() {
    local out=$1 md=${2:-} extra=()
    build_disktest "$out"
    printf '# disktest image: the disktest module is the main program\n' >"$out/empty.cfg"
    [ -z "$md" ] || extra=(-m "$md" memdisk)
    "$PVBOOT_BUILD/src/mkpvimage" -O x86_64-xen -d "$MODDIR" -c "$out/empty.cfg" \
        -o "$out/pvboot-disktest.bin" kernel blkfront testspeed "${extra[@]}" "$out/disktest.mod"
}

# grep_log LOG REGEX: true if a console line matches
grep_log() { tr -d '\r' <"$1" | grep -Eq -- "$2"; }
