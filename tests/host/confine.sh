#!/bin/bash
# The host tools' disk parser is confined (src/confine, man pvboot-probe(1)
# SECURITY): a "compromised parser" (pvboot-probe-hostile, a test-only
# build whose child tries one forbidden call once confined) is stopped with
# the exact message; a runaway guest script is cut at 1 MiB of output or at
# --timeout; a FIFO named as an image is refused without blocking; the
# default config never comes from the environment or the build tree; the
# confinement steps show in strace (no_new_privs, seccomp, chroot, setresuid
# to nobody, capabilities); as a non-root user the tools still work.
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PR=$BUILD/src/pvboot-probe
HOST=$BUILD/src/pvboot-probe-hostile
FS=$BUILD/src/pvboot-fstest
for x in "$PR" "$HOST" "$FS"; do [ -x "$x" ] || { echo "FAIL: $x not built"; exit 1; }; done
T=$(mktemp -d /tmp/pvboot-confine-test.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
fails=0
n=0
fail() { echo "FAIL [$n]: $*"; fails=$((fails + 1)); }
ok() { echo "ok [$n]: $*"; }
# expect RC EXPECTED_STDERR EXPECTED_STDOUT -- COMMAND...
expect() {
    local rc_want=$1 err_want=$2 out_want=$3 rc err out
    shift 4
    n=$((n + 1))
    timeout 120 "$@" >"$T/stdout" 2>"$T/stderr" && rc=0 || rc=$?
    err=$(cat "$T/stderr")
    out=$(cat "$T/stdout")
    if [ "$rc" = "$rc_want" ] && [ "$err" = "$err_want" ] && [ "$out" = "$out_want" ]; then
        ok "$*"
    else
        fail "$*: exit $rc (want $rc_want), stderr '$err' (want '$err_want'), stdout '$out' (want '$out_want')"
    fi
}
san=false
grep -q '^PVBOOT_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null && san=true

printf 'menuentry "A" { linux /vmlinuz }\n' >"$T/ok.cfg"
truncate -s 1M "$T/e.img"
chmod 644 "$T/e.img" "$T/ok.cfg"
IMG=$T/e.img

# --- a compromised parser: each forbidden call stops it, named, exit 2
stopped() { echo "pvboot-probe: $IMG: the disk parser made a forbidden system call, $1, and was stopped (seccomp); no result"; }
if $san; then
    # sanitizer build: opening a file is refused (EACCES) so that a sanitizer
    # report can still be printed; the chroot leaves nothing to open anyway
    expect 3 "" "hostile open: returned -1 (Permission denied)" -- \
        env PVBOOT_TEST_HOSTILE=open "$HOST" -c "$T/ok.cfg" "$IMG"
else
    expect 2 "$(stopped 'openat (257)')" "" -- env PVBOOT_TEST_HOSTILE=open "$HOST" -c "$T/ok.cfg" "$IMG"
fi
expect 2 "$(stopped 'socket (41)')" "" -- env PVBOOT_TEST_HOSTILE=socket "$HOST" -c "$T/ok.cfg" "$IMG"
expect 2 "$(stopped 'execve (59)')" "" -- env PVBOOT_TEST_HOSTILE=execve "$HOST" -c "$T/ok.cfg" "$IMG"
expect 2 "$(stopped 'ptrace (101)')" "" -- env PVBOOT_TEST_HOSTILE=ptrace "$HOST" -c "$T/ok.cfg" "$IMG"
expect 2 "$(stopped 'mmap (9)')" "" -- env PVBOOT_TEST_HOSTILE=mmap-exec "$HOST" -c "$T/ok.cfg" "$IMG"
# abort() (a failed assertion) still ends the parser as SIGABRT
expect 2 "pvboot-probe: $IMG: the disk parser was killed by signal 6 (Aborted); no result" "" -- \
    env PVBOOT_TEST_HOSTILE=abort "$HOST" -c "$T/ok.cfg" "$IMG"
if $san; then
    # a memory error in the confined parser is still reported by ASan
    n=$((n + 1))
    PVBOOT_TEST_HOSTILE=overflow timeout 120 "$HOST" -c "$T/ok.cfg" "$IMG" >"$T/stdout" 2>"$T/stderr" && rc=0 || rc=$?
    if [ $rc = 2 ] && grep -q 'AddressSanitizer: heap-buffer-overflow' "$T/stderr" &&
       [ "$(tail -n 1 "$T/stderr")" = "pvboot-probe: $IMG: the disk parser hit a memory or undefined-behaviour error (sanitizer report above); no result" ]; then
        ok "ASan report from the confined parser"
    else
        fail "ASan in the confined parser: exit $rc, stderr $(tail -n 3 "$T/stderr")"
    fi
fi
# without the test hook the same binary runs normally
expect 1 "" "$("$PR" -q -c "$T/ok.cfg" "$IMG" 2>/dev/null)" -- "$HOST" -q -c "$T/ok.cfg" "$IMG"

# --- runaway guest scripts
printf 'while true; do while true; do echo 0123456789abcdef0123456789abcdef; done; done\n' >"$T/flood.cfg"
for q in "" -q; do
    expect 2 "pvboot-probe: the guest's scripts printed more than 1048576 bytes; the run was stopped there and nothing is decided" \
        "" -- "$PR" -q $q -c "$T/flood.cfg" "$IMG"
done
n=$((n + 1))
timeout 120 "$PR" -c "$T/flood.cfg" "$IMG" >"$T/stdout" 2>/dev/null
size=$(stat -c %s "$T/stdout")
# the 1 MiB kept: 30840 lines of 34 bytes ("...\r\n") and 16 bytes of the
# next; shown with "\r\n" as "\n": 30840 * 33 + 16 bytes
[ "$size" = 1017736 ] && ok "flood output shown up to the limit ($size bytes)" ||
    fail "flood output is $size bytes (want 1017736: the first 1 MiB, CRs dropped)"
# nested: one loop alone stops after 100000 rounds (the interpreter's limit)
printf 'while true; do while true; do true; done; done\n' >"$T/spin.cfg"
start=$(date +%s)
expect 2 "pvboot-probe: $IMG: the disk parser did not finish within 3 s (killed; see --timeout); no result" "" -- \
    "$PR" --timeout 3 -c "$T/spin.cfg" "$IMG"
took=$(( $(date +%s) - start ))
[ $took -le 20 ] || fail "--timeout 3 took $took s"
expect 2 "pvboot-probe: --timeout 0: want seconds (1..86400)" "" -- "$PR" --timeout 0 -c "$T/ok.cfg" "$IMG"
expect 2 "pvboot-probe: --runas no-such-user-x: no such user" "" -- "$PR" --runas no-such-user-x -c "$T/ok.cfg" "$IMG"
[ "$(id -u)" = 0 ] &&
    expect 2 "pvboot-probe: --runas root: is root; the disk parser must run unprivileged" "" -- \
        "$PR" --runas root -c "$T/ok.cfg" "$IMG"

# --- a FIFO named as an image or a config: refused without blocking
mkfifo "$T/fifo"
expect 2 "pvboot-probe: $T/fifo: not a regular file or block device" "" -- "$PR" -c "$T/ok.cfg" "$T/fifo"
expect 1 "pvboot-fstest: $T/fifo: $T/fifo: not a regular file or block device" "" -- "$FS" "$T/fifo" -- probe
expect 2 "pvboot-probe: the embedded config: /dev/null: not a regular file or a pipe" "" -- \
    "$PR" -c /dev/null "$IMG"

# --- the default config: compiled in, never $PVBOOT_DEFAULT_CFG, a file of
# the build tree or the installed copy
n=$((n + 1))
"$PR" -q "$IMG" >"$T/def.out" 2>&1
env PVBOOT_DEFAULT_CFG="$T/ok.cfg" "$PR" -q "$IMG" >"$T/env.out" 2>&1
"$PR" -q -c "$T/ok.cfg" "$IMG" >"$T/ok.out" 2>&1
if cmp -s "$T/def.out" "$T/env.out" && grep -q '^config: *(none)' "$T/def.out" &&
   grep -q '^config: *(embedded)/pvboot.cfg' "$T/ok.out"; then
    ok "the compiled-in default config runs; \$PVBOOT_DEFAULT_CFG is ignored"
else
    fail "default config: $(cat "$T/def.out") / with PVBOOT_DEFAULT_CFG: $(cat "$T/env.out")"
fi
n=$((n + 1))
grep -aqF "$SRC/embed/default.cfg" "$PR" && fail "pvboot-probe still knows the source tree's default.cfg" ||
    ok "no source-tree path in pvboot-probe"

# --- strace: the confinement steps of a normal run
if command -v strace >/dev/null; then
    for tool in probe fstest; do
        n=$((n + 1))
        if [ $tool = probe ]; then
            cmd=("$PR" -q -c "$T/ok.cfg" "$IMG")
        else
            cmd=("$FS" "$IMG" -- probe)
        fi
        strace -f -o "$T/strace" -e trace=prctl,seccomp,chroot,setresuid,setresgid,setgroups,capset,unshare,landlock_restrict_self,prlimit64 \
            "${cmd[@]}" >/dev/null 2>&1
        miss=""
        for want in 'prctl(PR_SET_NO_NEW_PRIVS, 1' 'seccomp(SECCOMP_SET_MODE_FILTER' 'chroot(".")' \
                    'prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE)' 'RLIMIT_CORE, {rlim_cur=0, rlim_max=0}' \
                    'RLIMIT_FSIZE, {rlim_cur=' 'capset('; do
            grep -qF "$want" "$T/strace" || miss="$miss [$want]"
        done
        if [ "$(id -u)" = 0 ]; then
            for want in 'setgroups(0, NULL)' 'setresgid(65534, 65534, 65534)' 'setresuid(65534, 65534, 65534)' \
                        'prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN)'; do
                grep -qF "$want" "$T/strace" || miss="$miss [$want]"
            done
            $san || grep -qF 'RLIMIT_AS, {rlim_cur=4194304*1024, rlim_max=4194304*1024}' "$T/strace" || miss="$miss [RLIMIT_AS 4 GiB]"
        fi
        [ -z "$miss" ] && ok "strace pvboot-$tool: confinement steps" ||
            fail "strace pvboot-$tool: missing$miss"
    done
else
    echo "skip: strace not installed"
fi

# --- not root: a user namespace (or Landlock and seccomp alone) and still a result
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    n=$((n + 1))
    want=$("$PR" -q --json -c "$T/ok.cfg" "$IMG" 2>/dev/null)
    got=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PR" -q --json -c "$T/ok.cfg" "$IMG" 2>"$T/err")
    [ "$got" = "$want" ] && ok "pvboot-probe as an unprivileged user: same result ($(head -c 100 "$T/err"))" ||
        fail "pvboot-probe as nobody: $(cat "$T/err")"
    n=$((n + 1))
    got=$(setpriv --reuid=65534 --regid=65534 --clear-groups env PVBOOT_TEST_HOSTILE=socket "$HOST" -c "$T/ok.cfg" "$IMG" 2>&1)
    [ "$(echo "$got" | tail -n 1)" = "$(stopped 'socket (41)')" ] && ok "as nobody: socket stopped" ||
        fail "as nobody, hostile socket: $got"
fi

echo "confine: $n checks, $fails failed"
[ $fails = 0 ]
