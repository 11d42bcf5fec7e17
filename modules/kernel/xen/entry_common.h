/* SPDX-License-Identifier: MIT */
/*
 * Assembler macros shared by the PV entry (entry.S) and the PVH entry
 * (entry_pvh.S).  Included by the preprocessed .S files only.
 */
#ifndef PVBOOT_XEN_ENTRY_COMMON_H
#define PVBOOT_XEN_ENTRY_COMMON_H

/*
 * PB_SET_CANARY (64-bit code): store a fresh stack-protector canary at
 * pb_canary_block + 0x28, where the compiler's stack protector reads
 * %fs:0x28 once FS base points at the block.  The canary is the TSC mixed
 * with a constant (a multiply by the 64-bit golden ratio), low byte 0 so a
 * string overread stops at it.  Leaves %rsi = &pb_canary_block (the FS
 * base the caller installs); clobbers %rax, %rdx.
 */
.macro PB_SET_CANARY
    rdtsc
    shl     $32, %rdx
    or      %rax, %rdx
    movabs  $0x9e3779b97f4a7c15, %rax
    imul    %rax, %rdx
    xor     %dl, %dl
    lea     pb_canary_block(%rip), %rsi
    mov     %rdx, 0x28(%rsi)
.endm

#endif
