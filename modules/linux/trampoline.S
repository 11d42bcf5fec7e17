/* SPDX-License-Identifier: MIT */
/*
 * The hand-over trampoline (doc xen-pv-boot.md §13 step 9).  This code is
 * copied into a page that is mapped at the same virtual address in our page
 * tables and in the new kernel's, so it keeps running across the switch.
 *
 *   long pb_linux_tramp_start(struct pb_tramp_data *d)   (d lies in the same page;
 *   called at the copy's address, see handover.c)
 *
 * Issues mmuext_op {PIN_L4 new, NEW_BASEPTR new, UNPIN old} on d->ops; if the
 * switch did not happen (Xen refused the new tables) it returns Xen's error
 * with our stack untouched.  Otherwise: trap table cleared, FS/GS bases 0,
 * rsp = d->rsp, rsi = d->rsi, all other registers 0, DF clear, and execution
 * continues at d->entry.
 * Position independent: only rbx-relative data accesses.
 */
#define TD_DONE   72
#define TD_RSP    80
#define TD_RSI    88
#define TD_ENTRY  96
#define HYPERVISOR_mmuext_op 26
#define HYPERVISOR_set_trap_table 0
#define HYPERVISOR_set_segment_base 25
#define DOMID_SELF 0x7ff0

    .text
    .globl pb_linux_tramp_start, pb_linux_tramp_end
    .type pb_linux_tramp_start, @function
pb_linux_tramp_start:
    push  %rbx
    mov   %rdi, %rbx
    /* mmuext_op(ops, 3, &done, DOMID_SELF): rdi rsi rdx r10 */
    mov   %rbx, %rdi
    mov   $3, %esi
    lea   TD_DONE(%rbx), %rdx
    mov   $DOMID_SELF, %r10d
    mov   $HYPERVISOR_mmuext_op, %eax
    syscall
    test  %rax, %rax
    jz    1f
    cmpq  $2, TD_DONE(%rbx)       /* PIN and NEW_BASEPTR done: only UNPIN failed */
    jae   1f
    pop   %rbx
    ret
1:
    /* on the new page tables now.  Leave the state the domain builder
     * leaves (doc §2): no trap table (ours points at code the new tables do
     * not map) and FS/GS bases 0 (ours held the stack-protector block). */
    xor   %edi, %edi
    mov   $HYPERVISOR_set_trap_table, %eax
    syscall
    xor   %r12d, %r12d                /* SEGBASE_FS, SEGBASE_GS_USER, SEGBASE_GS_KERNEL */
2:
    mov   %r12, %rdi
    xor   %esi, %esi
    mov   $HYPERVISOR_set_segment_base, %eax
    syscall
    inc   %r12
    cmp   $3, %r12
    jb    2b
    mov   TD_RSP(%rbx), %rsp
    mov   TD_RSI(%rbx), %rsi
    pushq TD_ENTRY(%rbx)
    xor   %eax, %eax
    xor   %ebx, %ebx
    xor   %ecx, %ecx
    xor   %edx, %edx
    xor   %edi, %edi
    xor   %ebp, %ebp
    xor   %r8d, %r8d
    xor   %r9d, %r9d
    xor   %r10d, %r10d
    xor   %r11d, %r11d
    xor   %r12d, %r12d
    xor   %r13d, %r13d
    xor   %r14d, %r14d
    xor   %r15d, %r15d
    cld
    ret                           /* pops entry: rsp = top of the boot stack */
pb_linux_tramp_end:
    .size pb_linux_tramp_start, pb_linux_tramp_end - pb_linux_tramp_start

    .section .note.GNU-stack,"",@progbits
