# shellcheck shell=bash disable=SC2034  # variables are set for the sourcing script
# Shared set-up and checks for tests/e2e/*.sh (sourced, not run).
# Environment: PVBOOT_SRC, PVBOOT_BUILD, PVBOOT_MODDIR (set by ctest;
# defaults below), XENLAB_CACHE.
set -euo pipefail
PVBOOT_SRC=${PVBOOT_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
PVBOOT_BUILD=${PVBOOT_BUILD:-$PVBOOT_SRC/build}
MODDIR=${PVBOOT_MODDIR:-$PVBOOT_BUILD/modules/x86_64-xen}
XENLAB=$PVBOOT_SRC/scripts/xenlab/xenlab
XENLAB_CACHE=${XENLAB_CACHE:-/var/cache/pvboot-xenlab}
# the Debian 12 kernel xenlab's cache and `xenlab mkdisk` provide
KVER=6.1.0-57-amd64
FAILED=0

skip() { echo "SKIP: $*"; exit 77; }

# e2e_need [--no-qemu] MODULE...: skip (77) unless xenlab is set up, QEMU is
# installed (not checked with --no-qemu), mkpvimage is built and every
# MODULE.mod is in MODDIR.
e2e_need() {
    local qemu=1 m
    if [ "${1:-}" = --no-qemu ]; then qemu=0; shift; fi
    [ -s "$XENLAB_CACHE/stamp" ] || skip "xenlab not set up ($XENLAB_CACHE/stamp missing)"
    [ $qemu = 0 ] || command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
    [ -x "$PVBOOT_BUILD/src/mkpvimage" ] || skip "mkpvimage not built in $PVBOOT_BUILD"
    for m in "$@"; do
        [ -s "$MODDIR/$m.mod" ] || skip "$MODDIR/$m.mod not built"
    done
}

# e2e_workdir NAME: W = a new /tmp/pvboot-e2e-NAME.XXXXXX, removed on exit
# (e2e_finish keeps it when a check failed).
e2e_workdir() {
    W=$(mktemp -d "/tmp/pvboot-e2e-$1.XXXXXX")
    trap 'rm -rf "$W"' EXIT
}

# mkpv ARGS...: mkpvimage for x86_64-xen with the built modules (ARGS: -c CFG
# -o OUT [-C FMT] [MODULE...]).
mkpv() { "$PVBOOT_BUILD/src/mkpvimage" -O x86_64-xen -d "$MODDIR" "$@"; }

# mk_default_image: $W/pvboot.bin, every module, embed/default.cfg.
mk_default_image() { mkpv -c "$PVBOOT_SRC/embed/default.cfg" -o "$W/pvboot.bin"; }

# read_version: VERSION = PVBOOT_VERSION of the build (the banner's version).
read_version() {
    local h=$PVBOOT_BUILD/include/pvboot/version.h
    VERSION=$(sed -n 's/^#define PVBOOT_VERSION "\(.*\)"$/\1/p' "$h")
    [ -n "$VERSION" ] || { echo "FAIL: no PVBOOT_VERSION in $h"; exit 1; }
}

# build_test_module REF_SOURCE C_FILE OUT_MOD: compile C_FILE with the flags
# compile_commands.json records for the module source ending in REF_SOURCE
# (e.g. /modules/testspeed/testspeed.c), then `ld -r` it into OUT_MOD.
build_test_module() {
    local ref=$1 src=$2 mod=$3 cmd
    cmd=$(python3 - "$PVBOOT_BUILD/compile_commands.json" "$ref" <<'PY'
import json, sys, shlex
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith(sys.argv[2]):
        # drop -o X and -c SRC; the caller appends its own
        res, skip = [], False
        for a in shlex.split(e["command"]):
            if skip: skip = False; continue
            if a in ("-o", "-c"): skip = True; continue
            res.append(a)
        print(shlex.join(res))
        break
PY
)
    [ -n "$cmd" ] || { echo "FAIL: no compile flags for $ref in $PVBOOT_BUILD/compile_commands.json"; return 1; }
    eval "$cmd -c $src -o ${mod%.mod}.o"
    ld -r -m elf_x86_64 --build-id=none -o "$mod" "${mod%.mod}.o"
}

# xenlab_run RUNDIR LOG XENLAB-RUN-ARGS...: one `xenlab run` with
# on_crash = "preserve" (a crash leaves the domain for xenlab to destroy and
# report), its output in LOG.  Sets rc (xenlab's exit status) and CON (the
# domain's console, CRs removed; empty if there is none).
xenlab_run() {
    local dir=$1 log=$2
    shift 2
    rc=0
    "$XENLAB" run "$@" --cfg-line 'on_crash = "preserve"' --outdir "$dir" >"$log" 2>&1 || rc=$?
    CON=$(tr -d '\r' <"$dir/domu-console.log" 2>/dev/null || true)
}

# show_console REGEX [TAG]: print CON's lines matching REGEX as "TAGconsole| ".
show_console() { echo "$CON" | grep -aE -- "$1" | sed "s/^/${2:-}console| /" || true; }

# boot_linux_crc RUNDIR LOG SHOW-REGEX XENLAB-RUN-ARGS...: xenlab_run of
# $W/pvboot.bin with the loader's CRC32 report on (xen_grub_env_linux_crc=1)
# until the booted Linux guest's blkfront reconnected (XENLAB-DOMU-DISK-OK),
# the hand-over marked; ARGS add --disk, --timeout, etc.  Shows the console
# lines matching SHOW-REGEX and xenlab's timing (prefixed with TAG), and
# checks that xenlab matched.
boot_linux_crc() {
    local dir=$1 log=$2 show=$3
    shift 3
    xenlab_run "$dir" "$log" --loader "$W/pvboot.bin" --extra 'xen_grub_env_linux_crc=1' \
        --expect 'XENLAB-DOMU-DISK-OK' --mark 'linux: starting the kernel' "$@"
    show_console "$show" "${TAG:-}"
    grep 'XENLAB-TIME' "$log" | sed "s/^/${TAG:-}/" || true
    check "xenlab matched XENLAB-DOMU-DISK-OK (rc $rc)" '[ $rc = 0 ]'
}

# check LABEL SHELL-CONDITION: "ok: TAGLABEL" or "FAIL: TAGLABEL" (FAILED=1);
# TAG is empty or set by the caller (e.g. "[case] ").  The condition runs in
# a subshell without pipefail: in `echo "$CON" | grep -q RE` grep exits at its
# first match and echo may then die of SIGPIPE (status 141), which pipefail
# turned into a random FAIL (and, under `!`, a wrong ok); the status of such a
# pipeline is grep's.
check() { if (set +o pipefail; eval "$2"); then echo "ok: ${TAG:-}$1"; else echo "FAIL: ${TAG:-}$1"; FAILED=1; fi; }

# crc32 FILE: zlib CRC32 as 8 hex digits (the loader's xen_grub_env_linux_crc).
crc32() { python3 -c 'import sys,zlib; print("%08x" % zlib.crc32(open(sys.argv[1],"rb").read()))' "$1"; }

# check_linux_userspace CMDLINE: the guest's initrd reached userspace and
# printed /proc/cmdline = CMDLINE exactly (CON).
check_linux_userspace() {
    local want=$1
    check "userspace reached" 'echo "$CON" | grep -q "^XENLAB-DOMU-USERSPACE-OK"'
    check "/proc/cmdline is the grub.cfg arguments" \
          'echo "$CON" | grep -qx "XENLAB-DOMU-CMDLINE: $want"'
}

# check_no_fault [TEXT]: neither a loader exception nor a panic in TEXT
# (default CON).
check_no_fault() {
    local text=${1-$CON}
    check "no loader fault" '! echo "$text" | grep -Eq "pvboot: fatal exception|panic:"'
}

# e2e_finish NAME [LOG]: exit 1 keeping $W (and showing LOG's last 40 lines)
# if a check failed, else print "PASS NAME".
e2e_finish() {
    if [ "$FAILED" != 0 ]; then
        [ -z "${2:-}" ] || tail -n 40 "$2"
        echo "work dir kept: $W"
        trap - EXIT
        exit 1
    fi
    echo "PASS $1"
}

# keyscript TIMEOUT-MARK <STEPS: the dom0 side (busybox sh) of a test that
# types into the domain's console, for `xenlab run --post-create`: runs in the
# background once the domain exists.  STEPS are lines of
#   w REGEX   wait (<= 120 s) until the console log shows REGEX in output
#             that came after the last match; on timeout TIMEOUT-MARK is
#             written to the console and the script ends
#   k STRING  type STRING (printf escapes) into the console pty, pause 0.4 s
keyscript() {
    cat <<'SH'
(
LOG=/var/log/xen/console/guest-guest.log
tty=$(xenstore-read /local/domain/$DOMID/console/tty)
OFF=0
w() {
  i=0
  while [ $i -lt 1200 ]; do
    if tail -c +$((OFF + 1)) "$LOG" 2>/dev/null | grep -q "$1"; then
      OFF=$(wc -c <"$LOG"); return 0
    fi
    sleep 0.1; i=$((i + 1))
  done
SH
    printf '  echo "%s waiting for $1" >"$tty"\n' "$1"
    cat <<'SH'
  exit 1
}
k() { printf "$1" >"$tty"; sleep 0.4; }
SH
    cat
    echo ') >/dev/null 2>&1 &'
}

# mkdisk_tree DIR: the files xenlab mkdisk puts on a guest disk (kernel,
# initrd, grub configs), copied into DIR through pvboot-fstest, for tests
# that make their own filesystem from them (the caller sets FSTEST)
mkdisk_tree() {
    local st=$1 p
    "$XENLAB" mkdisk "$W/mkdisk.img" --fs btrfs --label none >"$W/mkdisk.txt" 2>&1 \
        || { echo "FAIL: xenlab mkdisk"; cat "$W/mkdisk.txt"; exit 1; }
    mkdir -p "$st"
    "$FSTEST" "$W/mkdisk.img" -- ls -R '(hd0)/' >"$W/mkdisk.ls"
    while IFS= read -r p; do
        case "$p" in
            */) mkdir -p "$st/$p" ;;
            *) "$FSTEST" "$W/mkdisk.img" -- cat "(hd0)/$p" >"$st/$p" ;;
        esac
    done <"$W/mkdisk.ls"
    rm -f "$W/mkdisk.img"
}
