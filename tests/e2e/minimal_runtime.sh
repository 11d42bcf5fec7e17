#!/bin/bash
# e2e: an image of the kernel module alone plus an
# embedded config, built by mkpvimage, boots under real Xen (xenlab) and
#   - prints "pvboot <version>" and the list of linked modules ("kernel"),
#   - prints the embedded config's first line,
#   - powers the domain off cleanly: the domain goes away by itself (with
#     on_crash = "preserve" a crash would leave it for xenlab to destroy) and
#     Xen/dom0 report no crash.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need kernel
read_version

e2e_workdir minimal
FIRST="# minimal-runtime e2e config $$-$RANDOM"
printf '%s\necho this second line must not be printed\n' "$FIRST" >"$W/min.cfg"
mkpv -c "$W/min.cfg" -o "$W/min.bin" kernel

xenlab_run "$W/run" "$W/out.txt" --loader "$W/min.bin" --expect 'powering off' --timeout 90 --linger 10
SER=$W/run/serial.log
echo "$CON" | sed 's/^/console| /'
check "xenlab matched (rc $rc)" '[ $rc = 0 ]'
check "banner 'pvboot $VERSION' is the first line" \
      '[ "$(echo "$CON" | sed -n 1p)" = "pvboot $VERSION" ]'
check "module list is exactly 'kernel'" 'echo "$CON" | grep -qx "modules: kernel"'
check "embedded config first line printed" \
      'echo "$CON" | grep -qxF "embedded config: $FIRST"'
check "second config line not printed" '! echo "$CON" | grep -q "must not be printed"'
check "power-off announced" 'echo "$CON" | grep -qx "no main program registered; powering off"'
check "no panic or fault output" '! echo "$CON" | grep -Eq "panic|fatal exception|crashing"'
check "xenlab did not have to destroy the domain" '! grep -q "XENLAB: .*destroying guest" "$SER"'
check "no crash reported by Xen or dom0" '! grep -v "^xlcfg|" "$SER" | grep -iq "crash"'
e2e_finish minimal_runtime "$W/out.txt"
