#!/bin/bash
# pvboot-probe robustness (a new user's mistakes and hostile guest disks):
# --check and -c on a directory, a missing file, nothing, a file over the
# interpreter's 4 MiB limit (an error with the real size, never a silent
# truncation); -c from a pipe; IMAGE a directory, empty or shorter than a
# sector; a guest menu entry title and kernel command line carrying terminal
# escape sequences (shown as \xNN in text, \u00NN in JSON, never raw);
# a Xen command line over 1023 bytes cut as Xen does (with a warning);
# --help on stdout; the installed default config path compiled in.
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PR=$BUILD/src/pvboot-probe
[ -x "$PR" ] || { echo "FAIL: $PR not built"; exit 1; }
T=$(mktemp -d /tmp/probe-robust.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
n=0
fail() { echo "FAIL [$n]: $*"; fails=$((fails + 1)); }
# expect RC EXPECTED_STDERR EXPECTED_STDOUT -- COMMAND...
expect() {
    local rc_want=$1 err_want=$2 out_want=$3 rc err out
    shift 4
    n=$((n + 1))
    timeout 60 "$@" >"$T/stdout" 2>"$T/stderr" && rc=0 || rc=$?
    err=$(cat "$T/stderr")
    out=$(cat "$T/stdout")
    [ "$rc" = "$rc_want" ] && [ "$err" = "$err_want" ] && [ "$out" = "$out_want" ] ||
        fail "$*: exit $rc (want $rc_want), stderr '$err' (want '$err_want'), stdout '$out' (want '$out_want')"
}

# --- inputs
printf 'menuentry "A" { linux /vmlinuz }\n' >"$T/ok.cfg"
printf 'menuentry "A" {\n  linux /vmlinuz\n' >"$T/open.cfg"          # missing }
python3 -c "
import sys
open(sys.argv[1], 'w').write('# pad\n' * 800000 + 'menuentry \"late\" { linux /vmlinuz }\n')
" "$T/big.cfg"
bigsize=$(stat -c %s "$T/big.cfg")
[ "$bigsize" -gt $((4 << 20)) ] || { echo "FAIL: big.cfg is only $bigsize bytes"; exit 1; }
: >"$T/empty.img"
head -c 100 /dev/zero >"$T/tiny.img"
# a guest disk whose grub.cfg carries escape sequences in a title and in the
# kernel command line
mkdir -p "$T/tree/boot/grub"
printf 'set timeout=0\nmenuentry "evil\033]0;pwned\007\033[2J title" {\n  linux /boot/vmlinuz root=\033[31mred\n}\n' \
    >"$T/tree/boot/grub/grub.cfg"
# a Xen PV-looking file is not needed: the dry run only checks it exists
echo kernel >"$T/tree/boot/vmlinuz"
mke2fs -q -F -t ext4 -d "$T/tree" "$T/esc.img" 4M >/dev/null || { echo "FAIL: mke2fs"; exit 1; }

# --- --check
expect 0 "" "$T/ok.cfg: OK" -- "$PR" --check "$T/ok.cfg"
n=$((n + 1))
"$PR" --check "$T/open.cfg" >/dev/null 2>"$T/err" && rc=0 || rc=$?
[ "$rc" = 1 ] && grep -q "^$T/open.cfg:[0-9]*:[0-9]*: " "$T/err" ||
    fail "--check syntax error: exit $rc, stderr $(cat "$T/err")"
expect 2 "pvboot-probe: --check needs at least one FILE" "" -- "$PR" --check
expect 2 "pvboot-probe: $T: is a directory, not a config file" "" -- "$PR" --check "$T"
expect 2 "pvboot-probe: $T/none.cfg: cannot open: No such file or directory" "$T/ok.cfg: OK" -- \
    "$PR" --check "$T/none.cfg" "$T/ok.cfg"
expect 2 "pvboot-probe: $T/big.cfg: too large ($bigsize bytes, at most 4194304)" "" -- \
    "$PR" --check "$T/big.cfg"

# --- -c
expect 2 "pvboot-probe: the embedded config: $T: is a directory, not a config file" "" -- \
    "$PR" -c "$T" "$T/esc.img"
expect 2 "pvboot-probe: the embedded config: $T/none.cfg: cannot open: No such file or directory" "" -- \
    "$PR" -c "$T/none.cfg" "$T/esc.img"
expect 2 "pvboot-probe: the embedded config: $T/big.cfg: too large ($bigsize bytes, at most 4194304)" "" -- \
    "$PR" -c "$T/big.cfg" "$T/esc.img"
n=$((n + 1))
out=$("$PR" -q -c <(cat "$SRC/embed/default.cfg") "$T/esc.img") && rc=0 || rc=$?
[ "$rc" = 0 ] && grep -qx 'config:        (xen/xvda)/boot/grub/grub.cfg' <<<"$out" ||
    fail "-c <(pipe): exit $rc, output: $out"
n=$((n + 1))
head -c $(((4 << 20) + 1)) /dev/zero | tr '\0' '#' >"$T/big2.cfg"
out=$(cat "$T/big2.cfg" | "$PR" -q -c /dev/stdin "$T/esc.img" 2>&1) && rc=0 || rc=$?
[ "$rc" = 2 ] && [ "$out" = "pvboot-probe: the embedded config: /dev/stdin: too large (more than 4194304 bytes)" ] ||
    fail "-c pipe over 4 MiB: exit $rc, output: $out"

# --- IMAGE arguments that are no disk
expect 2 "pvboot-probe: $T: is a directory, not a disk image" "" -- "$PR" "$T"
expect 2 "pvboot-probe: $T/empty.img: 0 bytes, smaller than one 512-byte sector: not a disk image" "" -- \
    "$PR" "$T/empty.img"
expect 2 "pvboot-probe: $T/tiny.img: 100 bytes, smaller than one 512-byte sector: not a disk image" "" -- \
    "$PR" -q "$T/esc.img" "$T/tiny.img"
expect 2 "pvboot-probe: $T/none.img: No such file or directory" "" -- "$PR" "$T/none.img"

# --- escape sequences from the guest never reach the terminal raw
n=$((n + 1))
"$PR" -q -c "$SRC/embed/default.cfg" "$T/esc.img" >"$T/text" 2>"$T/err" && rc=0 || rc=$?
want='menu:
  0. evil\x1b]0;pwned\x07\x1b[2J title
default:       0  evil\x1b]0;pwned\x07\x1b[2J title'
[ "$rc" = 0 ] && grep -qF "$want" "$T/text" &&
    grep -qxF 'cmdline:       root=\x1b[31mred' "$T/text" || fail "escaped text output: exit $rc: $(cat -v "$T/text")"
n=$((n + 1))
if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$T/text"; then fail "raw control bytes in the text output"; fi
n=$((n + 1))
"$PR" --json -c "$SRC/embed/default.cfg" "$T/esc.img" >"$T/json" 2>"$T/err" && rc=0 || rc=$?
title=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["default_title"].encode("unicode_escape").decode())' "$T/json")
[ "$rc" = 0 ] && [ "$title" = 'evil\x1b]0;pwned\x07\x1b[2J title' ] || fail "JSON title: exit $rc, '$title'"

# the run's console output (a guest config's echo) is escaped too
printf 'echo "\033[2J\033]0;pwned\007 done"\n' >"$T/echo.cfg"
n=$((n + 1))
"$PR" -c "$T/echo.cfg" "$T/esc.img" >"$T/text" 2>&1 && rc=0 || rc=$?
[ "$rc" = 1 ] && [ "$(head -n 1 "$T/text")" = '\x1b[2J\x1b]0;pwned\x07 done' ] &&
    ! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$T/text" || fail "escaped console output: exit $rc: $(cat -v "$T/text")"
n=$((n + 1))
out=$("$PR" -q -c "$T/echo.cfg" "$T/esc.img" 2>&1) && rc=0 || rc=$?
[ "$rc" = 1 ] && [ "$(head -n 1 <<<"$out")" = "config:        (none)" ] || fail "-q shows no console output: $out"

# --- a Xen command line over 1023 bytes: the guest only gets the first 1023
# (start_info.cmd_line[1024]); the probe warns and uses exactly those
pad=$(head -c 1023 /dev/zero | tr '\0' ' ')
n=$((n + 1))
"$PR" --json -c "$SRC/embed/default.cfg" -x "$pad(xen/xvda)/nonexistent.cfg" "$T/esc.img" >"$T/json" 2>"$T/err" && rc=0 || rc=$?
log=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["log"])' "$T/json")
[ "$rc" = 0 ] && [ "$(cat "$T/err")" = "pvboot-probe: warning: the Xen command line is 1049 bytes; a PV guest gets only the first 1023 (start_info.cmd_line), so only those are used" ] &&
    ! grep -q nonexistent <<<"$log" || fail "-x over 1023 bytes: exit $rc, stderr '$(cat "$T/err")', log '$log'"
n=$((n + 1))
"$PR" --json -c "$SRC/embed/default.cfg" -x "(xen/xvda)/nonexistent.cfg" "$T/esc.img" >"$T/json" 2>"$T/err" && rc=0 || rc=$?
log=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["log"])' "$T/json")
[ "$rc" = 0 ] && [ ! -s "$T/err" ] && grep -q "configfile (xen/xvda)/nonexistent.cfg" <<<"$log" ||
    fail "-x short: exit $rc, stderr '$(cat "$T/err")', log '$log'"

# --- --help on stdout, exit 0; unknown option exit 2
n=$((n + 1))
out=$("$PR" --help 2>/dev/null) && rc=0 || rc=$?
[ "$rc" = 0 ] && grep -q -- "--memory=MIB" <<<"$out" && grep -q -- "--check" <<<"$out" ||
    fail "--help: exit $rc, stdout: $out"
n=$((n + 1))
"$PR" --bogus >/dev/null 2>&1 && rc=0 || rc=$?
[ "$rc" = 2 ] || fail "--bogus: exit $rc (want 2)"

# --- the default config is compiled in (a packaged pvboot-probe has no
# source tree to look in), and no build path is
SRCDIR=${PVBOOT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
n=$((n + 1))
grep -aqF "$(grep -m1 '^function pvboot_try' "$SRCDIR/embed/default.cfg")" "$PR" ||
    fail "pvboot-probe does not contain embed/default.cfg"
# (a sanitizer build records source locations for its reports by design:
# the check is for the builds that are packaged)
if ! grep -q '^PVBOOT_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    n=$((n + 1))
    ! grep -aqF "$SRCDIR/" "$PR" || fail "pvboot-probe contains the source path $SRCDIR/"
fi
n=$((n + 1))
grep -q 'embed/default.cfg DESTINATION ${CMAKE_INSTALL_DATADIR}/pvboot' "$SRC/src/CMakeLists.txt" ||
    fail "embed/default.cfg is not installed to share/pvboot"

echo "robust_probe: $n checks, $fails failed"
[ "$fails" = 0 ]
