#!/bin/bash
# The main job (README: first set-up command): install dependencies, build
# everything, build pvboot.bin from embed/default.cfg with every module, make
# a Debian guest disk (msdos + ext4, Debian's own kernel and a small marker
# initrd), and boot it under the real Xen 4.17 hypervisor in QEMU, showing the
# guest console.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/install-deps.sh
scripts/xenlab/xenlab setup
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
echo "demo: image build/pvboot.bin ($(stat -c %s build/pvboot.bin) bytes)"
disk=build/demo-disk.img
[ -s "$disk" ] || scripts/xenlab/xenlab mkdisk "$disk" --fs ext4 --label msdos
exec scripts/xenlab/xenlab run --loader build/pvboot.bin --disk "$disk" \
    --expect 'XENLAB-DOMU-DISK-OK' --timeout 120 --mark 'pvboot [0-9]'
