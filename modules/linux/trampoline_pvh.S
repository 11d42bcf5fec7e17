/* SPDX-License-Identifier: MIT */
/*
 * The PVH hand-over trampoline (doc xen-pvh-boot.md §2.1, §4.1), written
 * from the PVH boot ABI.  handover_pvh.c copies pb_pvh_tramp_start ..
 * pb_pvh_tramp_end to offset 0 of a page T below 4 GiB (the "area"), fills
 * the data at TP_* offsets and the page tables after it, then calls
 * pb_pvh_tramp_enter(cr3, T), which runs from our own image:
 *
 *   pb_pvh_tramp_enter: IF = 0, CR3 = the area's identity map (2 MiB pages,
 *                       no NX: our tables may map T non-executable and may
 *                       be overwritten by the copies), jump to T.
 *   T (64-bit):         stack at the top of T's page, our GDT (flat 64-bit
 *                       code, 32-bit code, 32-bit data), a null IDT (a fault
 *                       from here on is a triple fault, not a jump into
 *                       memory being overwritten), then the copy list in
 *                       order, each entry a memmove of whole 8-byte words
 *                       (backwards when the destination overlaps the source
 *                       from above).
 *   leaving long mode:  far return to the 32-bit code selector (compatibility
 *                       mode), flat DS/ES/SS/FS/GS, CR0.PG = 0 (long mode
 *                       inactive), EFER.LME/NXE/SCE = 0, CR4 = 0, CR0 =
 *                       PE|ET, EBX = start info, all other GPRs 0, far jump
 *                       to PHYS32_ENTRY through the 32-bit code selector.
 * The area and the copy sources are outside every destination (pb_pvh_plan).
 */
#define TP_GDTR    0xc00   /* u16 limit, u64 base (the GDT at TP_GDT) */
#define TP_IDTR    0xc10   /* zero: limit 0, base 0 */
#define TP_NOPS    0xc20   /* u64 number of copies */
#define TP_SINFO   0xc28   /* u64 start info guest-physical address */
#define TP_GDT     0xc40   /* 4 descriptors */
#define TP_OPS     0xc80   /* {u64 dst, src, len (multiple of 8)} x n */
#define SEL_CODE32 0x10
#define SEL_DATA32 0x18
#define MSR_EFER   0xc0000080

    .text
    .code64
    .globl pb_pvh_tramp_enter
    .type pb_pvh_tramp_enter, @function
/* void pb_pvh_tramp_enter(uint64_t cr3, uint64_t area)  -- never returns */
pb_pvh_tramp_enter:
    cli
    mov   %rdi, %cr3
    mov   %rsi, %rdi
    jmp   *%rsi
    .size pb_pvh_tramp_enter, . - pb_pvh_tramp_enter

    .globl pb_pvh_tramp_start, pb_pvh_tramp_end, pb_pvh_tramp_ljmp
    .type pb_pvh_tramp_start, @function
pb_pvh_tramp_start:
    /* %rdi = area base (identity mapped, below 4 GiB) */
    cld
    mov   %rdi, %rbx
    lea   0x1000(%rbx), %rsp
    lgdt  TP_GDTR(%rbx)
    lidt  TP_IDTR(%rbx)
    mov   TP_NOPS(%rbx), %r8
    lea   TP_OPS(%rbx), %r9
1:  test  %r8, %r8
    jz    5f
    mov   0(%r9), %rdi               /* dst */
    mov   8(%r9), %rsi               /* src */
    mov   16(%r9), %rcx              /* bytes, a multiple of 8 */
    shr   $3, %rcx
    cmp   %rsi, %rdi
    je    4f
    jb    2f                         /* dst below src: forwards is safe */
    lea   (%rsi,%rcx,8), %rax
    cmp   %rax, %rdi
    jae   2f                         /* no overlap */
    /* backwards: dst overlaps the source from above */
3:  test  %rcx, %rcx
    jz    4f
    dec   %rcx
    mov   (%rsi,%rcx,8), %rax
    mov   %rax, (%rdi,%rcx,8)
    jmp   3b
    /* forwards, four words per round, then the rest */
2:  cmp   $4, %rcx
    jb    6f
    mov   0(%rsi), %rax
    mov   8(%rsi), %rdx
    mov   16(%rsi), %r10
    mov   24(%rsi), %r11
    mov   %rax, 0(%rdi)
    mov   %rdx, 8(%rdi)
    mov   %r10, 16(%rdi)
    mov   %r11, 24(%rdi)
    add   $32, %rsi
    add   $32, %rdi
    sub   $4, %rcx
    jmp   2b
6:  test  %rcx, %rcx
    jz    4f
    mov   (%rsi), %rax
    mov   %rax, (%rdi)
    add   $8, %rsi
    add   $8, %rdi
    dec   %rcx
    jmp   6b
4:  add   $24, %r9
    dec   %r8
    jmp   1b

5:  /* to 32-bit compatibility mode through our GDT */
    pushq $SEL_CODE32
    lea   7f(%rip), %rax
    pushq %rax
    lretq

    .code32
7:  mov   $SEL_DATA32, %eax
    mov   %eax, %ds
    mov   %eax, %es
    mov   %eax, %ss
    mov   %eax, %fs
    mov   %eax, %gs
    mov   %cr0, %eax
    and   $0x7fffffff, %eax          /* PG off: long mode becomes inactive */
    mov   %eax, %cr0
    mov   $MSR_EFER, %ecx
    rdmsr
    and   $~0x901, %eax              /* LME, NXE, SCE */
    wrmsr
    xor   %eax, %eax
    mov   %eax, %cr4
    mov   $0x11, %eax                /* PE | ET */
    mov   %eax, %cr0
    mov   TP_SINFO(%ebx), %ebx
    xor   %eax, %eax
    xor   %ecx, %ecx
    xor   %edx, %edx
    xor   %esi, %esi
    xor   %edi, %edi
    xor   %ebp, %ebp
    xor   %esp, %esp
pb_pvh_tramp_ljmp:                   /* the offset is patched: PHYS32_ENTRY */
    ljmp  $SEL_CODE32, $0
pb_pvh_tramp_end:
    .code64
    .size pb_pvh_tramp_start, pb_pvh_tramp_end - pb_pvh_tramp_start

    .section .note.GNU-stack,"",@progbits
