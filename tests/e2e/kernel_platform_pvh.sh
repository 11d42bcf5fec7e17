#!/bin/bash
# e2e: kernel_platform.sh with the same image started as a PVH guest (heap,
# events, grants, xenstore, time, command line, console input, lsmem/lsxen,
# quiesce, NULL fault through the PVH IDT, stack protector via FS_BASE).
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
PVBOOT_E2E_XEN_TYPE=pvh exec bash "$(dirname "$0")/kernel_platform.sh"
