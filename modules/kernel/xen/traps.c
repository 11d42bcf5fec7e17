/* SPDX-License-Identifier: MIT */
/*
 * Exception handling: a trap table (HYPERVISOR_set_trap_table) whose stubs
 * (entry.S) call pb_trap(), which prints the vector, registers, cr2 (from
 * vcpu_info.arch.cr2 for page faults) and a frame-pointer backtrace on the
 * console, then crashes the domain (SHUTDOWN_crash) instead of letting Xen
 * kill it silently.  Also pb_panic() and pb_backtrace().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "xen_internal.h"
#include "pvboot/kernel.h"

struct pb_trap_frame {
    unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
    unsigned long rbp, rdi, rsi, rdx, rcx, rbx, rax;
    unsigned long vector, error;
    unsigned long rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct pb_trap_frame) == 22 * 8, "trap frame layout matches entry.S");

#define DECL(v) extern char pb_trap_##v[]
DECL(0); DECL(1); DECL(2); DECL(3); DECL(4); DECL(5); DECL(6); DECL(7); DECL(8); DECL(9);
DECL(10); DECL(11); DECL(12); DECL(13); DECL(14); DECL(16); DECL(17); DECL(18); DECL(19);
#undef DECL

static const char *const vec_names[20] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 FPU error", "alignment check", "machine check",
    "SIMD exception",
};

static int in_fatal;   /* recursion guard for traps/panics */

/* Does [va, va+8) lie in mapped guest RAM (page 0 excluded)? */
static bool readable(unsigned long va)
{
    return va >= PB_PAGE_SIZE && (va & 7) == 0 && pb_nr_pages &&
           va + 8 <= (pb_nr_pages << PB_PAGE_SHIFT);
}

void pb_backtrace(unsigned long rbp)
{
    pb_kprintf("backtrace (return addresses):");
    for (int depth = 0; depth < 24 && readable(rbp) && readable(rbp + 8); depth++) {
        unsigned long *fp = (unsigned long *)rbp;
        if (!fp[1])
            break;
        pb_kprintf(" %#lx", fp[1]);
        if (fp[0] <= rbp)     /* frames grow upward on unwinding */
            break;
        rbp = fp[0];
    }
    pb_kprintf("\n");
}

__attribute__((noreturn)) void pb_trap(struct pb_trap_frame *f);
void pb_trap(struct pb_trap_frame *f)
{
    if (in_fatal++) {
        static const char msg[] = "\r\npvboot: recursive fault, crashing\r\n";
        pb_kwrite(msg, sizeof msg - 1);
        pb_shutdown(SHUTDOWN_crash);
    }
    const char *name = f->vector < 20 ? vec_names[f->vector] : "?";
    pb_kprintf("\n*** pvboot: fatal exception %lu (%s) error %#lx\n", f->vector, name, f->error);
    pb_kprintf("rip %016lx rsp %016lx rflags %08lx cs %04lx ss %04lx\n",
               f->rip, f->rsp, f->rflags, f->cs & 0xffff, f->ss & 0xffff);
    if (f->vector == 14) {
        if (pb_xen_ops->mode == PB_XEN_PVH || pb_shared_info)
            pb_kprintf("cr2 %016lx (%s %s%s)\n", pb_xen_ops->fault_address(),
                       (f->error & 1) ? "protection violation" : "not present",
                       (f->error & 2) ? "write" : "read",
                       (f->error & 16) ? " instruction fetch" : "");
        else
            pb_kprintf("cr2 unavailable (shared_info not mapped yet)\n");
    }
    pb_kprintf("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    pb_kprintf("rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    pb_kprintf("r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    pb_kprintf("r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
    pb_backtrace(f->rbp);
    pb_kprintf("crashing the domain\n");
    pb_shutdown(SHUTDOWN_crash);
}

/** pb_pv_fault_address() - cr2 as Xen stores it for a PV guest. */
unsigned long pb_pv_fault_address(void);
unsigned long pb_pv_fault_address(void)
{
    return pb_shared_info->vcpu_info[0].arch.cr2;
}

/** pb_pv_traps_init() - register the trap table (vectors 0-19 except 15). */
void pb_pv_traps_init(void);
void pb_pv_traps_init(void)
{
    static trap_info_t table[21];
    struct { unsigned v; void *a; } ents[] = {
        {0, pb_trap_0}, {1, pb_trap_1}, {2, pb_trap_2}, {3, pb_trap_3}, {4, pb_trap_4},
        {5, pb_trap_5}, {6, pb_trap_6}, {7, pb_trap_7}, {8, pb_trap_8}, {9, pb_trap_9},
        {10, pb_trap_10}, {11, pb_trap_11}, {12, pb_trap_12}, {13, pb_trap_13},
        {14, pb_trap_14}, {16, pb_trap_16}, {17, pb_trap_17}, {18, pb_trap_18},
        {19, pb_trap_19},
    };
    unsigned n = sizeof ents / sizeof ents[0];
    for (unsigned i = 0; i < n; i++) {
        table[i].vector = (uint8_t)ents[i].v;
        /* DPL 3 for int3/into so they can be used as explicit traps; 0 otherwise */
        table[i].flags = (ents[i].v == 3 || ents[i].v == 4) ? 3 : 0;
        table[i].cs = FLAT_KERNEL_CS;
        table[i].address = (unsigned long)ents[i].a;
    }
    memset(&table[n], 0, sizeof table[n]);   /* terminator: address 0 */
    long rc = pb_hypercall(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0);
    if (rc)
        pb_kprintf("pvboot: set_trap_table failed (%ld); faults will kill the domain silently\n", rc);
}

void pb_panic(const char *fmt, ...)
{
    unsigned long rbp;
    __asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
    if (in_fatal++) {
        static const char msg[] = "\r\npvboot: panic while handling a fault, crashing\r\n";
        pb_kwrite(msg, sizeof msg - 1);
        pb_shutdown(SHUTDOWN_crash);
    }
    va_list ap;
    va_start(ap, fmt);
    pb_kprintf("\n*** pvboot panic: ");
    pb_vkprintf(fmt, ap);
    va_end(ap);
    pb_kprintf("\ncalled from %p\n", __builtin_return_address(0));
    pb_backtrace(rbp);
    pb_kprintf("crashing the domain\n");
    pb_shutdown(SHUTDOWN_crash);
}
