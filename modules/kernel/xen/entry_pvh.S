/* SPDX-License-Identifier: MIT */
/*
 * PVH entry (XEN_ELFNOTE_PHYS32_ENTRY, written by mkpvimage from the symbol
 * _start_pvh).  State at entry (modules/kernel/xen/README.md, "PVH"):
 * 32-bit protected mode, paging off, flat CS/DS/ES/SS, CR4 = 0, IF = 0,
 * %ebx = guest-physical address of hvm_start_info, every other register 0
 * (no stack).  The image is loaded at its link addresses (p_paddr == VA).
 *
 * Steps: own GDT; CR4.PAE|OSFXSR|OSXMMEXCPT; identity page tables for
 * [0, 4 GiB) (2 MiB pages, the first 2 MiB in 4 KiB pages with page 0 not
 * present so NULL faults); EFER.LME; CR3; CR0.PG; far jump to 64-bit code;
 * own stack; stack-protector canary via wrmsr FS_BASE (there is no
 * set_segment_base in PVH); pb_xen_start_pvh(start_info_pa).
 * RAM above 4 GiB is mapped later from C (pvh.c), with more 2 MiB pages.
 */

#define MSR_EFER    0xc0000080
#define MSR_FS_BASE 0xc0000100
#define EFER_LME    0x100
#define CR4_PAE     0x20
#define CR4_OSFXSR  0x200
#define CR4_OSXMMEXCPT 0x400
#define CR0_PG      0x80000000

#define SEL_CODE64  0x08
#define SEL_DATA    0x10

#include "entry_common.h"

/* Every data segment register = the flat data selector (clobbers %eax). */
.macro LOAD_DATA_SEGS
    mov     $SEL_DATA, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %eax, %fs
    mov     %eax, %gs
.endm

/*
 * Page-table entries [first, stop) of the table at %edi: entry j =
 * (j << shift) + base | flags, upper 32 bits 0.  Clobbers %eax, %ecx.
 */
.macro PT_FILL first, stop, shift, base, flags
    mov     $\first, %ecx
1:  mov     %ecx, %eax
    shl     $\shift, %eax
    add     $\base, %eax
    or      $\flags, %eax
    mov     %eax, (%edi,%ecx,8)
    movl    $0, 4(%edi,%ecx,8)
    inc     %ecx
    cmp     $\stop, %ecx
    jb      1b
.endm

    .section .text.entry, "ax", @progbits
    .code32
    .globl _start_pvh
    .type _start_pvh, @function
_start_pvh:
    cld
    cli
    mov     %ebx, %esi                  /* hvm_start_info PA, kept in %esi */
    lgdt    pb_pvh_gdt_desc
    LOAD_DATA_SEGS

    mov     %cr4, %eax
    or      $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
    mov     %eax, %cr4

    /* PML4[0] -> PDPT */
    mov     $pb_pvh_pml4, %edi
    mov     $pb_pvh_pdpt, %eax
    or      $3, %eax
    mov     %eax, (%edi)
    movl    $0, 4(%edi)
    /* PDPT[0..3] -> PD0..PD3 */
    mov     $pb_pvh_pdpt, %edi
    PT_FILL 0, 4, 12, pb_pvh_pd, 3
    /* PD entries 1..2047: 2 MiB pages (P|RW|PS), entry j maps j << 21 */
    mov     $pb_pvh_pd, %edi
    PT_FILL 1, 2048, 21, 0, 0x83
    /* PD entry 0 -> PT0 (4 KiB pages 1..511; page 0 not present) */
    mov     $pb_pvh_pt0, %eax
    or      $3, %eax
    mov     %eax, (%edi)
    movl    $0, 4(%edi)
    mov     $pb_pvh_pt0, %edi
    movl    $0, (%edi)
    movl    $0, 4(%edi)
    PT_FILL 1, 512, 12, 0, 3

    mov     $pb_pvh_pml4, %eax
    mov     %eax, %cr3
    mov     $MSR_EFER, %ecx
    rdmsr
    or      $EFER_LME, %eax
    wrmsr
    mov     %cr0, %eax
    or      $CR0_PG, %eax
    mov     %eax, %cr0
    ljmp    $SEL_CODE64, $pvh_long

    .code64
pvh_long:
    LOAD_DATA_SEGS
    mov     %esi, %r12d                 /* zero-extends */
    lea     pb_stack_top(%rip), %rsp
    xor     %ebp, %ebp

    PB_SET_CANARY                       /* %rsi = &pb_canary_block */
    mov     %rsi, %rax
    mov     %rsi, %rdx
    shr     $32, %rdx
    mov     $MSR_FS_BASE, %ecx
    wrmsr

    mov     %r12, %rdi
    call    pb_xen_start_pvh
4:  ud2
    jmp     4b
    .size _start_pvh, . - _start_pvh

/*
 * Exception stubs for the PVH IDT (pvh.c).  The CPU pushes (from %rsp up)
 * [error code], rip, cs, rflags, rsp, ss; we push a uniform (vector, error)
 * pair and join entry.S's pb_trap_common, which saves the GPRs and calls
 * pb_trap().
 */
.macro NTRAP_NOERR vec
    .globl pb_ntrap_\vec
pb_ntrap_\vec:
    push    $0
    push    $\vec
    jmp     pb_trap_common
.endm
.macro NTRAP_ERR vec
    .globl pb_ntrap_\vec
pb_ntrap_\vec:
    push    $\vec
    jmp     pb_trap_common
.endm

    .text
NTRAP_NOERR 0
NTRAP_NOERR 1
NTRAP_NOERR 2
NTRAP_NOERR 3
NTRAP_NOERR 4
NTRAP_NOERR 5
NTRAP_NOERR 6
NTRAP_NOERR 7
NTRAP_ERR   8
NTRAP_NOERR 9
NTRAP_ERR   10
NTRAP_ERR   11
NTRAP_ERR   12
NTRAP_ERR   13
NTRAP_ERR   14
NTRAP_NOERR 15
NTRAP_NOERR 16
NTRAP_ERR   17
NTRAP_NOERR 18
NTRAP_NOERR 19

/*
 * GDT: 0x08 64-bit code, 0x10 flat data, 0x18 flat 32-bit code (for a
 * hand-over that leaves long mode).  Accessed bits preset so loading a
 * selector never writes the table.  The descriptor's base is 8 bytes: lgdt
 * in 32-bit mode reads the low 4, in 64-bit mode all 8.
 */
    .section .data
    .balign 16
    .globl pb_pvh_gdt
pb_pvh_gdt:
    .quad 0
    .quad 0x00af9b000000ffff            /* 0x08: code, L=1, DPL 0 */
    .quad 0x00cf93000000ffff            /* 0x10: data, 4 GiB, RW */
    .quad 0x00cf9b000000ffff            /* 0x18: code, D=1, 4 GiB */
pb_pvh_gdt_end:
    .balign 8
    .globl pb_pvh_gdt_desc
pb_pvh_gdt_desc:
    .word pb_pvh_gdt_end - pb_pvh_gdt - 1
    .quad pb_pvh_gdt

/* Boot page tables (in the image: never given to the allocator). */
    .section .bss
    .balign 4096
    .globl pb_pvh_pml4, pb_pvh_pdpt, pb_pvh_pd, pb_pvh_pt0, pb_hypercall_page_area
pb_pvh_pml4:
    .skip 4096
pb_pvh_pdpt:
    .skip 4096
pb_pvh_pd:
    .skip 4 * 4096
pb_pvh_pt0:
    .skip 4096
/* Xen fills it with hypercall stubs when its address is written to the MSR
 * CPUID leaf base+2 names (pvh.c). */
pb_hypercall_page_area:
    .skip 4096

    .section .note.GNU-stack, "", @progbits
