# shellcheck shell=bash disable=SC2034  # variables are set for the sourcing script
# User-Mode Linux helper (sourced, not run) for tests that need the real
# kernel drivers (lvm2/device-mapper, md RAID, xfs, btrfs) on plain image
# files: no root, no loop devices, no host mounts.  Used by
# tests/host/lvm_md.sh, tests/e2e/boot_lvm.sh and
# tests/unit/test_xfs_btrfs_mkimg.sh.  Needs linux.uml (package
# user-mode-linux; its kernel modules are in /usr/lib/uml/modules).

# lvm2's --config for a UML without udev, lvmetad or metadata backups:
# scan /dev directly, no udev sync, no /etc/lvm/{backup,archive} writes.
UML_LVM_CONF='devices{obtain_device_list_from_udev=0 scan=["/dev"]} activation{udev_sync=0 udev_rules=0 monitoring=0} backup{backup=0 archive=0}'

# uml_run DIR SCRIPT MEM IMAGE...: boot linux.uml (mem=MEM, e.g. 256M) with
# the host's / as its root (hostfs) and IMAGE... as /dev/ubda, /dev/ubdb, ...;
# its init mounts /proc and /sys, runs `sh -e SCRIPT` and powers off.
# Writes DIR/uml-init.sh, DIR/uml.log (SCRIPT's output), DIR/uml.status
# ("ok" or "fail RC") and DIR/uml.console.  Bounded: UML is killed after
# 300 s.  Returns 0 if SCRIPT exited 0; otherwise prints the status and the
# last 30 lines of both logs on stderr and returns 1.
uml_run() {
    local dir=$1 script=$2 mem=$3 init=$1/uml-init.sh img n=0 ubd=()
    shift 3
    for img in "$@"; do
        ubd+=("ubd$n=$img")
        n=$((n + 1))
    done
    cat >"$init" <<INIT
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
if sh -e "$script" >"$dir/uml.log" 2>&1; then echo ok >"$dir/uml.status"; else echo "fail \$?" >"$dir/uml.status"; fi
sync
halt -f
INIT
    chmod +x "$init"
    rm -f "$dir/uml.status"
    timeout 300 linux.uml "mem=$mem" "${ubd[@]}" root=/dev/root rootfstype=hostfs rootflags=/ rw \
        "init=$init" con=null con0=fd:0,fd:1 >"$dir/uml.console" 2>&1 </dev/null || true
    if [ "$(cat "$dir/uml.status" 2>/dev/null)" != ok ]; then
        echo "UML step failed: $(cat "$dir/uml.status" 2>/dev/null || echo 'no status')" >&2
        tail -n 30 "$dir/uml.log" "$dir/uml.console" >&2 || true
        return 1
    fi
}
