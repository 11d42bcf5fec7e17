#!/bin/bash
# e2e: a kernel that does not fit in the domain is refused with a
# message saying so, before any hand-over: a 64 MiB guest cannot hold
# Debian's 59 MiB kernel image plus its decompression buffers and boot data.
# (The 256 MiB guest that boots is tests/e2e/boot.sh: xenlab's default.)
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need --no-qemu linux

e2e_workdir toobig
mk_default_image
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos >/dev/null
xenlab_run "$W/run" "$W/out.txt" --loader "$W/pvboot.bin" --disk "$W/disk.img" --memory 64 \
    --expect 'kernel does not fit' --linger 5 --timeout 180
show_console '^error|^linux:|Linux version'
check "refused with 'kernel does not fit' (rc $rc)" '[ $rc = 0 ]'
check "the message names the domain size" 'echo "$CON" | grep -q "kernel does not fit in this 64 MiB domain"'
check "no hand-over attempted" '! echo "$CON" | grep -q "starting the kernel"'
check "no loader fault" '! echo "$CON" | grep -Eq "pvboot: fatal exception|panic"'
e2e_finish boot_toobig
