#!/bin/bash
# e2e: the kernel's Xen platform under real Xen (xenlab), driven by the test
# module tests/e2e/modules/kerneltest.c in a 512 MiB guest:
#   run 1: heap (300 MiB + 100 MiB live at once), page allocator, canary,
#          sleep/time, event channels (loopback pair, poll timeout), grants
#          (exhaust + end all), xenstore (read/write/dir/rm/transactions/
#          watches/wait_state), Xen command line (all forms of syntax in one
#          line), lsmem, lsxen, hand-over quiesce, clean power-off;
#   run 2: a NULL dereference gives the fault diagnostic (vector 14, cr2 0,
#          backtrace) and crashes the domain (on_crash = "preserve" keeps it
#          for xenlab to destroy);
#   run 3: a stack buffer overflow is caught by the stack protector (canary
#          at %fs:0x28) and panics.
# PVBOOT_E2E_XEN_TYPE=pvh runs the same image as a PVH guest
# (kernel_platform_pvh.sh).
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need kernel
KTYPE=${PVBOOT_E2E_XEN_TYPE:-pv}
case $KTYPE in pv|pvh) ;; *) echo "FAIL: PVBOOT_E2E_XEN_TYPE must be pv or pvh"; exit 1 ;; esac
TAG="[$KTYPE] "

e2e_workdir kernel

# the test module, with the flags of the kernel's own sources
build_test_module /modules/kernel/xen/commands.c "$PVBOOT_SRC/tests/e2e/modules/kerneltest.c" "$W/kerneltest.mod"
printf '# kernel platform test image\n' >"$W/k.cfg"
mkpv -c "$W/k.cfg" -o "$W/k.bin" kernel "$W/kerneltest.mod"

# ---- run 1 ----
EXTRA="console=hvc0 xen_grub_env_foo='a b' xen_grub_env_bar=\"x\\\"y\" normal (xen/xvda,msdos1)/boot/grub2/grub.cfg xen_grub_env_ktest_keys=1"
# dom0 side of the console-input check: wait for the guest's READY line,
# then type a b Up Down Enter DEL Home PgDn q into its pty (xenconsoled's
# slave side, as `xl console` would)
KEYS='(for i in $(seq 1 600); do grep -q KTEST-KEYS-READY /var/log/xen/console/guest-guest.log 2>/dev/null && break; sleep 0.1; done; tty=$(xenstore-read /local/domain/$DOMID/console/tty); printf "ab\033[A\033[B\r\177\033[H\033[6~q" >"$tty") >/dev/null 2>&1 &'
xenlab_run "$W/run1" "$W/out1.txt" --loader "$W/k.bin" --type "$KTYPE" --memory 512 --extra "$EXTRA" --expect 'KTEST-END' \
    --post-create "$KEYS" --timeout 120 --linger 10
C1=$CON
echo "$C1" | grep -E '^KTEST' | sed 's/^/console| /'
check "run 1 reached KTEST-END (xenlab rc $rc)" '[ $rc = 0 ]'
npass=$(echo "$C1" | grep -c '^KTEST ok ' || true)
check "every check passed ($npass ok)" '! echo "$C1" | grep -q "^KTEST FAIL" && [ "$npass" -ge 44 ]'
check "typed keys decoded from the console ring" 'echo "$C1" | grep -qx "KTEST-KEYS 97 98 256 257 13 8 260 263 113"'
check "summary has fail=0" 'echo "$C1" | grep -Eq "^KTEST-END pass=[0-9]+ fail=0$"'
check "Xen command line seen verbatim" \
      'echo "$C1" | grep -qxF "KTEST-CMDLINE [$EXTRA]"'
check "command line parsed: exports + command" \
      'echo "$C1" | grep -qxF "KTEST-CMDLINE-PARSED rc=0 kind=2 nvars=3 var[foo]=[a b] var[bar]=[x\"y] var[ktest_keys]=[1] command=[normal (xen/xvda,msdos1)/boot/grub2/grub.cfg]"'
check "lsmem shows 512 MiB of RAM" 'echo "$C1" | grep -q "^guest RAM: 131072 pages (512 MiB)"'
PTLINE="^  page tables "
[ "$KTYPE" = pvh ] && PTLINE="^page tables: 7 in the image"
check "lsmem shows page tables and the largest free range" \
      'echo "$C1" | grep -q "$PTLINE" && echo "$C1" | grep -Eq "^  free pfn +0x[0-9a-f]+- *0x20000 \(1[0-9]{5} pages"'
check "lsxen lists the domain name" 'echo "$C1" | grep -qx "name = \"guest\""'
check "lsxen lists nested nodes" 'echo "$C1" | grep -Eq "^ [a-z-]+ = \""'
check "run 1 powered off cleanly" '! grep -q "XENLAB: .*destroying guest" "$W/run1/serial.log"'
check "run 1 no panic" '! echo "$C1" | grep -Eq "panic|fatal exception"'

# crash_run N WHAT MARK: run N, a 256 MiB boot with "ktest_WHAT" until the
# domain crashes (rc, CON as xenlab_run); shows the console from MARK on.
crash_run() {
    xenlab_run "$W/run$1" "$W/out$1.txt" --loader "$W/k.bin" --type "$KTYPE" --memory 256 --extra "ktest_$2" \
        --expect 'crashing the domain' --timeout 90 --linger 3
    echo "$CON" | sed -n "/$3/,\$p" | sed 's/^/console| /'
}

# ---- run 2: fault ----
crash_run 2 fault KTEST-FAULT
# shellcheck disable=SC2034  # C2 is read by the checks (eval)
C2=$CON
check "run 2 reached the fault (xenlab rc $rc)" '[ $rc = 0 ]'
check "page fault diagnosed" 'echo "$C2" | grep -q "^\*\*\* pvboot: fatal exception 14 (page fault) error 0x2$"'
check "cr2 is 0 (NULL write, not present)" 'echo "$C2" | grep -qx "cr2 0000000000000000 (not present write)"'
check "faulting rip inside the image" 'echo "$C2" | grep -Eq "^rip 00000000001[0-9a-f]{5} rsp "'
check "backtrace printed" 'echo "$C2" | grep -Eq "^backtrace \(return addresses\): 0x[0-9a-f]+"'
check "no survival after the fault" '! echo "$C2" | grep -q "survived"'
check "domain crashed (preserved, then destroyed by xenlab)" 'grep -q "XENLAB: .*destroying guest" "$W/run2/serial.log"'

# ---- run 3: stack smashing ----
crash_run 3 smash KTEST-SMASH
# shellcheck disable=SC2034  # C3 is read by the checks (eval)
C3=$CON
check "run 3 reached the panic (xenlab rc $rc)" '[ $rc = 0 ]'
check "stack protector fired" 'echo "$C3" | grep -Eq "^\*\*\* pvboot panic: stack smashing detected in function returning to 0x1[0-9a-f]{5}$"'
check "no survival after the overflow" '! echo "$C3" | grep -q "survived"'
check "domain crashed after the panic" 'grep -q "XENLAB: .*destroying guest" "$W/run3/serial.log"'

e2e_finish "kernel_platform ($KTYPE)"
