#!/bin/bash
# SPDX-License-Identifier: MIT
# The Xen command line through pvboot-probe on field-case images:
#  - a legacy pv-grub config path "(hd0,0)/boot/grub/menu.lst" (0-based
#    partition, file name picks the GRUB legacy reader);
#  - a command ("configfile (hd0,1)/boot/grub/grub.cfg");
#  - xen_grub_env_NAME=VALUE exports visible to the config.
set -u
# shellcheck source-path=SCRIPTDIR source=lib/cases-env.sh
. "$(dirname "$0")/lib/cases-env.sh" xcl
fail=0
build() { PVBOOT_CASES_BUILD_ONLY=1 python3 "$SRC/tests/host/cases_build.py" none "$(ls -d "$CASES"/$1-*/ | head -1)" "$WORK/$1" "$SRC"; }
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(v if isinstance(v,str) else json.dumps(v))' "$1"; }
expect() {   # name, got, want
    if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: got [$2] want [$3]"; fail=1; fi
}
img30=$(build FC-030) || exit 1
out=$("$PROBE" --json -c "$SRC/embed/default.cfg" -x '(hd0,0)/boot/grub/menu.lst' "$img30")
expect "legacy path: config" "$(echo "$out" | field config)" "(hd0,1)/boot/grub/menu.lst"
expect "legacy path: kernel" "$(echo "$out" | field kernel)" "/boot/vmlinuz-4.14.355-196.617.amzn1.x86_64"
expect "legacy path: kernel_fs" "$(echo "$out" | field kernel_fs)" "p1"
expect "legacy path: cmdline" "$(echo "$out" | field cmdline)" \
       "root=LABEL=/ console=tty1 console=ttyS0 selinux=0 nvme_core.io_timeout=4294967295"
img19=$(build FC-019) || exit 1
out=$("$PROBE" --json -c "$SRC/embed/default.cfg" -x 'configfile (hd0,1)/boot/grub/grub.cfg' "$img19")
expect "command: config" "$(echo "$out" | field config)" "(hd0,1)/boot/grub/grub.cfg"
expect "command: default path" "$(echo "$out" | field default_index_path)" "[1, 1]"
# an exported variable reaches the config: the embedded config uses it
printf 'set timeout=0\nmenuentry A { linux /boot/vmlinuz-6.6.9 $extra_arg; }\nset root=hd0,1\n' >"$WORK/e.cfg"
out=$("$PROBE" --json -c "$WORK/e.cfg" -x 'xen_grub_env_extra_arg=from_xen' "$img19")
expect "export: cmdline" "$(echo "$out" | field cmdline)" "from_xen"
exit $fail
