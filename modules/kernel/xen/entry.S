/* SPDX-License-Identifier: MIT */
/*
 * Entry from Xen's domain builder (docs/xen-pv-boot.md §2), the hypercall
 * primitive (§5) and the exception stubs.
 *
 * At _start: %rsi = VA of start_info, %rsp = top of the builder's one-page
 * boot stack, upcalls masked, no trap table.  We switch to our own stack in
 * .bss, point the FS base at a canary block (the stack protector reads
 * %fs:0x28) with a TSC-derived canary, and call pb_xen_start(si, boot_rsp).
 */

#include "entry_common.h"

#define HYPERVISOR_set_segment_base 25
#define SEGBASE_FS 0
#define STACK_SIZE (1024 * 1024)
#define TRAP_STACK_SIZE (32 * 1024)

    .section .text.entry, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    cld
    mov     %rsi, %r12                  /* start_info VA */
    mov     %rsp, %r13                  /* builder's boot stack */
    lea     pb_stack_top(%rip), %rsp
    xor     %ebp, %ebp

    PB_SET_CANARY                       /* %rsi = &pb_canary_block */

    mov     $HYPERVISOR_set_segment_base, %eax
    mov     $SEGBASE_FS, %edi
    /* %rsi = base */
    syscall

    mov     %r12, %rdi
    mov     %r13, %rsi
    call    pb_xen_start
1:  ud2
    jmp     1b
    .size _start, . - _start

/*
 * long pb_hypercall5(unsigned nr, a1, a2, a3, a4, a5)
 * Xen x86_64 PV ABI: syscall with %rax = nr, args in %rdi %rsi %rdx %r10 %r8.
 * PVH (pb_hypercall_page != 0, set once at PVH entry): the same registers,
 * through the hypercall page's stub for @nr.
 * syscall clobbers %rcx/%r11; Xen may clobber the argument registers — all
 * caller-saved in the SysV ABI, so nothing to preserve here.
 */
    .text
    .globl pb_hypercall5
    .type pb_hypercall5, @function
pb_hypercall5:
    mov     %edi, %eax
    mov     %rsi, %rdi
    mov     %rdx, %rsi
    mov     %rcx, %rdx
    mov     %r8, %r10
    mov     %r9, %r8
    mov     pb_hypercall_page(%rip), %r11
    test    %r11, %r11
    jnz     1f
    syscall
    ret
    /* PVH: Xen's stub for hypercall nr at page + 32 * nr (mov $nr,%eax;
     * vmcall/vmmcall; ret), same argument registers */
1:  shl     $5, %eax
    add     %rax, %r11
    call    *%r11
    ret
    .size pb_hypercall5, . - pb_hypercall5

/*
 * Exception stubs.  Xen's bounce frame for a PV kernel-mode exception is
 * (from %rsp up) rcx, r11, [error code], rip, cs, rflags, rsp, ss.  We restore
 * rcx/r11, push a uniform (vector, error) pair, save the GPRs and call
 * pb_trap(struct pb_trap_frame *) on a separate stack (see traps.c).
 */
.macro TRAP_NOERR vec
    .globl pb_trap_\vec
pb_trap_\vec:
    pop     %rcx
    pop     %r11
    push    $0
    push    $\vec
    jmp     pb_trap_common
.endm
.macro TRAP_ERR vec
    .globl pb_trap_\vec
pb_trap_\vec:
    pop     %rcx
    pop     %r11
    push    $\vec
    jmp     pb_trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR   8
TRAP_NOERR 9
TRAP_ERR   10
TRAP_ERR   11
TRAP_ERR   12
TRAP_ERR   13
TRAP_ERR   14
TRAP_NOERR 16
TRAP_ERR   17
TRAP_NOERR 18
TRAP_NOERR 19

    .globl pb_trap_common
pb_trap_common:
    push    %rax
    push    %rbx
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %rbp
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    cld
    mov     %rsp, %rdi
    lea     pb_trap_stack_top(%rip), %rsp
    xor     %ebp, %ebp
    call    pb_trap
2:  ud2
    jmp     2b

    .section .data
    .balign 8
    .globl pb_hypercall_page
pb_hypercall_page:
    .quad 0
    .balign 64
    .globl pb_canary_block
pb_canary_block:
    .fill 64, 1, 0

    .section .bss
    .balign 4096
    .globl pb_stack_bottom
pb_stack_bottom:
    .skip STACK_SIZE
    .globl pb_stack_top
pb_stack_top:
    .balign 16
    .skip TRAP_STACK_SIZE
pb_trap_stack_top:

    .section .note.GNU-stack, "", @progbits
