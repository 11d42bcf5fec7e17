/* SPDX-License-Identifier: MIT */
/*
 * PVH start-up and platform (modules/kernel/xen/README.md, "PVH"): entered
 * from entry_pvh.S in 64-bit mode on our own stack, with [0, 4 GiB)
 * identity-mapped.  Order: hypercall page (CPUID leaf -> MSR, written from
 * 64-bit code so Xen latches the 64-bit shared_info layout), IDT, start info
 * and memory map, console ring (HVM params), page allocator over the RAM of
 * the map (never the image, start info, its cmdline/modules/memmap),
 * mappings for RAM above 4 GiB, shared_info and grant frames placed with
 * XENMEM_add_to_physmap into holes of the map, then the common start-up.
 * Guest-physical == virtual everywhere; frame numbers given to Xen are GFNs.
 */
#include <stdio.h>
#include <string.h>
#include "xen_internal.h"
#include "memmap.h"
#include "pvboot/cmdline.h"
#include "pvboot/err.h"
#include "pvboot/image.h"
#include "pvboot/kernel.h"
#include "pvboot/term.h"
#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/arch-x86/cpuid.h>

extern const struct pvboot_image_info pvboot_image_info;
extern char pb_hypercall_page_area[];
extern uint64_t pb_pvh_pml4[512];

#define PG PB_PAGE_SIZE
#define GIB4 (1ull << 32)
#define LAPIC_BASE 0xfee00000ull
#define PTE_PS 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull
/* shared_info + up to 32 grant frames (gnttab.c's WANT_FRAMES) */
#define PLATFORM_FRAMES 33u

static struct pb_pvh_info info;
static struct pb_memmap_entry map[PB_MEMMAP_OUT_MAX];
static unsigned nmap;
static struct pb_memmap_entry platform_resv[1];
static unsigned nplatform_resv;
static uint64_t platform_gfn;          /* first hole frame we use */
static long reservation;               /* XENMEM_current_reservation, pages */
static uint64_t touch_limit = UINT64_MAX; /* populate-on-demand: RAM from here is not touched */
static unsigned long image_start_pfn, image_end_pfn, meta_start_pfn, meta_end_pfn;
static size_t hi_pt_pages;             /* tables for RAM above 4 GiB and pb_map_mfn */

/* ---------------------------------------------------------------- low level */

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void e9_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        outb(0xe9, (uint8_t)s[i]);
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "0"(leaf), "2"(0));
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void invlpg(unsigned long va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static unsigned long pvh_fault_address(void)
{
    unsigned long cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}

__attribute__((noreturn)) static void early_die(const char *msg)
{
    e9_write(msg, strlen(msg));
    /* no hypercalls: a fault with no IDT triple-faults, which Xen logs */
    for (;;)
        __asm__ volatile("ud2");
}

/* Find Xen's CPUID leaves and install the hypercall page. */
static void hypercall_page_init(void)
{
    for (uint32_t base = XEN_CPUID_FIRST_LEAF; base < XEN_CPUID_FIRST_LEAF + 0x10000;
         base += 0x100) {
        uint32_t a, b, c, d;
        cpuid(base, &a, &b, &c, &d);
        if (b == XEN_CPUID_SIGNATURE_EBX && c == XEN_CPUID_SIGNATURE_ECX &&
            d == XEN_CPUID_SIGNATURE_EDX && a - base >= 2) {
            cpuid(base + 2, &a, &b, &c, &d);
            wrmsr(b, (uint64_t)(unsigned long)pb_hypercall_page_area);
            pb_hypercall_page = (unsigned long)pb_hypercall_page_area;
            return;
        }
    }
    early_die("pvboot: PVH entry but no Xen CPUID leaves\n");
}

/* ---------------------------------------------------------------- IDT */

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

#define DECL(v) extern char pb_ntrap_##v[]
DECL(0); DECL(1); DECL(2); DECL(3); DECL(4); DECL(5); DECL(6); DECL(7); DECL(8); DECL(9);
DECL(10); DECL(11); DECL(12); DECL(13); DECL(14); DECL(15); DECL(16); DECL(17); DECL(18);
DECL(19);
#undef DECL

static struct idt_gate idt[20] __attribute__((aligned(16)));

static void idt_init(void)
{
    void *h[20] = { pb_ntrap_0, pb_ntrap_1, pb_ntrap_2, pb_ntrap_3, pb_ntrap_4, pb_ntrap_5,
                    pb_ntrap_6, pb_ntrap_7, pb_ntrap_8, pb_ntrap_9, pb_ntrap_10, pb_ntrap_11,
                    pb_ntrap_12, pb_ntrap_13, pb_ntrap_14, pb_ntrap_15, pb_ntrap_16,
                    pb_ntrap_17, pb_ntrap_18, pb_ntrap_19 };
    for (unsigned v = 0; v < 20; v++) {
        unsigned long a = (unsigned long)h[v];
        idt[v].off_lo = (uint16_t)a;
        idt[v].sel = 0x08;                   /* entry_pvh.S's 64-bit code selector */
        idt[v].ist = 0;
        idt[v].type = 0x8e;                  /* present, DPL 0, interrupt gate */
        idt[v].off_mid = (uint16_t)(a >> 16);
        idt[v].off_hi = (uint32_t)(a >> 32);
        idt[v].zero = 0;
    }
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = {
        sizeof idt - 1, (uint64_t)(unsigned long)idt };
    __asm__ volatile("lidt %0" : : "m"(d));
}

/* ---------------------------------------------------------------- page tables */

/*
 * The entry for @va at @level (0 = PTE ... 3 = PML4E) in our tables,
 * creating missing tables (and splitting a 2 MiB page when @level is 0)
 * with zeroed pages from the allocator; NULL (message) when out of memory.
 * Table frames are RAM, identity-mapped below 4 GiB (the allocator hands
 * out low pages first; one above 4 GiB is refused).
 */
static uint64_t *pvh_entry(unsigned long va, int level)
{
    uint64_t *t = pb_pvh_pml4;
    for (int l = 3;; l--) {
        uint64_t *e = &t[(va >> (12 + 9 * l)) & 511];
        if (l == level)
            return e;
        if ((*e & PTE_P) && (*e & PTE_PS) && l == 1) {
            if (level != 0)
                return e;
            /* split the 2 MiB page into 512 PTEs with the same attributes */
            uint64_t *nt = pb_alloc_pages(1);
            if (!nt || (unsigned long)nt >= GIB4) {
                pb_error(PB_ENOMEM, "mm: no page below 4 GiB for a page table (%#lx)", va);
                return NULL;
            }
            uint64_t base = *e & PTE_ADDR & ~0x1fffffull, fl = (*e & 0xfff & ~PTE_PS);
            for (unsigned i = 0; i < 512; i++)
                nt[i] = (base + i * PG) | fl;
            *e = (uint64_t)(unsigned long)nt | PTE_P | PTE_RW;
            hi_pt_pages++;
            __asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
        } else if (!(*e & PTE_P)) {
            uint64_t *nt = pb_alloc_pages(1);
            if (!nt || (unsigned long)nt >= GIB4) {
                pb_error(PB_ENOMEM, "mm: no page below 4 GiB for a page table (%#lx)", va);
                return NULL;
            }
            *e = (uint64_t)(unsigned long)nt | PTE_P | PTE_RW;
            hi_pt_pages++;
        }
        t = (uint64_t *)(unsigned long)(*e & PTE_ADDR);
    }
}

static int pvh_map_frame(unsigned long va, xen_pfn_t gfn, uint64_t pte_flags)
{
    if (va & (PG - 1))
        return pb_error(PB_EINVAL, "pb_map_mfn: VA %#lx not page aligned", va);
    uint64_t *e = pvh_entry(va, 0);
    if (!e)
        return PB_ENOMEM;
    *e = ((uint64_t)gfn << 12) | pte_flags;
    invlpg(va);
    return 0;
}

static int pvh_unmap_va(unsigned long va)
{
    va &= ~(PG - 1);
    uint64_t *e = pvh_entry(va, 0);
    if (!e)
        return PB_ENOMEM;
    *e = 0;
    invlpg(va);
    return 0;
}

/* Identity-map [from, to) above 4 GiB with 2 MiB pages. */
static void map_high(uint64_t from, uint64_t to)
{
    for (uint64_t a = from & ~0x1fffffull; a < to; a += 0x200000) {
        uint64_t *e = pvh_entry(a, 1);
        if (!e)
            pb_panic("mm: cannot map RAM at %#llx: %s", (unsigned long long)a, pb_errmsg());
        *e = a | PTE_P | PTE_RW | PTE_PS;
    }
}

static xen_pfn_t pvh_pfn_to_frame(unsigned long pfn)
{
    return pfn;
}

/* ---------------------------------------------------------------- memory */

const struct pb_memmap_entry *pb_pvh_memmap(unsigned *n)
{
    *n = nmap;
    return map;
}
uint64_t pb_pvh_rsdp_paddr(void) { return info.rsdp_paddr; }
uint32_t pb_pvh_start_flags(void) { return info.flags; }
const struct pb_memmap_entry *pb_pvh_platform_reserved(unsigned *n)
{
    *n = nplatform_resv;
    return platform_resv;
}

static void load_memmap(void)
{
    static struct pb_memmap_entry raw[PB_MEMMAP_MAX];
    int n;
    if (info.memmap_entries) {
        n = pb_memmap_from_table((const void *)(unsigned long)info.memmap_paddr,
                                 info.memmap_entries, raw);
    } else {
        static uint8_t e820[PB_MEMMAP_MAX * 20];
        struct xen_memory_map mm = { .nr_entries = PB_MEMMAP_MAX };
        set_xen_guest_handle(mm.buffer, e820);
        long rc = pb_hypercall(__HYPERVISOR_memory_op, XENMEM_memory_map, &mm, 0, 0, 0);
        if (rc)
            pb_panic("mm: no memory map in the start info and XENMEM_memory_map failed: %ld", rc);
        n = pb_memmap_from_e820(e820, mm.nr_entries, raw);
    }
    if (n >= 0)
        n = pb_memmap_normalize(raw, (unsigned)n, map, PB_MEMMAP_OUT_MAX);
    if (n < 0)
        pb_panic("mm: %s", pb_errmsg());
    nmap = (unsigned)n;
    uint64_t end = 0;
    for (unsigned i = 0; i < nmap; i++)
        if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
            end = map[i].addr + map[i].size;
    if (end == 0)
        pb_panic("mm: the memory map has no RAM");
    pb_nr_pages = end >> PB_PAGE_SHIFT;
}

/* Boot data the allocator must not hand out: start info, cmdline, module
 * list, modules and their cmdlines, the memory map (byte ranges). */
#define MAX_BOOT_RANGES 16
static struct { uint64_t from, to; const char *what; } boot_ranges[MAX_BOOT_RANGES];
static unsigned nboot_ranges;

static void add_boot_range(uint64_t addr, uint64_t len, const char *what)
{
    if (!addr || !len || nboot_ranges == MAX_BOOT_RANGES)
        return;
    boot_ranges[nboot_ranges].from = addr & ~(PG - 1);
    boot_ranges[nboot_ranges].to = (addr + len + PG - 1) & ~(PG - 1);
    boot_ranges[nboot_ranges].what = what;
    nboot_ranges++;
}

static bool is_ram_range(uint64_t from, uint64_t to)
{
    for (unsigned i = 0; i < nmap; i++)
        if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM && from >= map[i].addr &&
            to <= map[i].addr + map[i].size)
            return true;
    return false;
}

static bool hits_boot_data(uint64_t from, uint64_t to)
{
    for (unsigned i = 0; i < nboot_ranges; i++)
        if (from < boot_ranges[i].to && boot_ranges[i].from < to)
            return true;
    return from < (uint64_t)image_end_pfn * PG && (uint64_t)image_start_pfn * PG < to;
}

static void pvh_mm_init(uint64_t si_pa, size_t cmdline_len)
{
    const struct pvboot_image_info *ii = &pvboot_image_info;
    if (ii->magic != PVBOOT_IMAGE_MAGIC)
        pb_panic("mm: pvboot_image_info magic %#x is wrong (image corrupt?)", ii->magic);
    image_start_pfn = ii->image_start >> PB_PAGE_SHIFT;
    image_end_pfn = (ii->image_end + PG - 1) >> PB_PAGE_SHIFT;

    add_boot_range(si_pa, sizeof(struct hvm_start_info), "start info");
    add_boot_range(info.cmdline_paddr, cmdline_len + 1, "Xen command line");
    if (info.memmap_entries)
        add_boot_range(info.memmap_paddr,
                       (uint64_t)info.memmap_entries * sizeof(struct hvm_memmap_table_entry),
                       "start info memmap");
    if (info.nr_modules) {
        unsigned nm = info.nr_modules < 4 ? info.nr_modules : 4;
        add_boot_range(info.modlist_paddr, (uint64_t)nm * sizeof(struct hvm_modlist_entry),
                       "module list");
        const struct hvm_modlist_entry *m = (const void *)(unsigned long)info.modlist_paddr;
        for (unsigned i = 0; i < nm; i++) {
            add_boot_range(m[i].paddr, m[i].size, "module");
            if (m[i].cmdline_paddr)
                add_boot_range(m[i].cmdline_paddr, 1024, "module cmdline");
        }
    }

    /* allocator metadata: the first RAM run below 4 GiB above the image
     * that holds no boot data */
    unsigned long need = pb_alloc_meta_pages();
    uint64_t cand = (uint64_t)image_end_pfn * PG;
    bool found = false;
    for (unsigned tries = 0; tries < 4 * (MAX_BOOT_RANGES + PB_MEMMAP_OUT_MAX) && !found; tries++) {
        uint64_t end = cand + (uint64_t)need * PG;
        if (end > GIB4)
            break;
        if (is_ram_range(cand, end) && !hits_boot_data(cand, end)) {
            found = true;
            break;
        }
        /* next candidate: the end of whatever is in the way */
        uint64_t next = cand + PG;
        for (unsigned i = 0; i < nboot_ranges; i++)
            if (cand < boot_ranges[i].to && boot_ranges[i].from < end && boot_ranges[i].to > next)
                next = boot_ranges[i].to;
        for (unsigned i = 0; i < nmap; i++)
            if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM && map[i].addr > cand &&
                map[i].addr < end && map[i].addr > next)
                next = map[i].addr;
        if (!is_ram_range(cand, cand + PG))
            for (unsigned i = 0; i < nmap; i++)
                if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM && map[i].addr > cand) {
                    next = map[i].addr;
                    break;
                }
        cand = next;
    }
    if (!found)
        pb_panic("mm: no RAM below 4 GiB for the allocator metadata (%lu pages)", need);
    meta_start_pfn = (unsigned long)(cand >> PB_PAGE_SHIFT);
    pb_alloc_setup(meta_start_pfn, &meta_end_pfn);

    /* not RAM: the gaps and non-RAM entries of the map */
    uint64_t prev = 0;
    for (unsigned i = 0; i < nmap; i++) {
        if (map[i].type != XEN_HVM_MEMMAP_TYPE_RAM)
            continue;
        if (map[i].addr > prev)
            pb_alloc_hole(prev >> PB_PAGE_SHIFT, map[i].addr >> PB_PAGE_SHIFT);
        prev = map[i].addr + map[i].size;
    }
    pb_alloc_reserve(0, 1, NULL);           /* NULL stays unmapped */
    pb_alloc_reserve(image_start_pfn, image_end_pfn, "image (+page tables, stack)");
    pb_alloc_reserve(meta_start_pfn, meta_end_pfn, "allocator metadata");
    for (unsigned i = 0; i < nboot_ranges; i++)
        if (is_ram_range(boot_ranges[i].from, boot_ranges[i].to))
            pb_alloc_reserve(boot_ranges[i].from >> PB_PAGE_SHIFT,
                             boot_ranges[i].to >> PB_PAGE_SHIFT, boot_ranges[i].what);

    /* populate-on-demand (memory < maxmem, doc xen-pvh-boot.md §3.8): the
     * map shows maxmem of RAM but only the reservation may be touched */
    domid_t self = DOMID_SELF;
    reservation = pb_hypercall(__HYPERVISOR_memory_op, XENMEM_current_reservation, &self, 0, 0, 0);
    if (reservation > 0) {
        touch_limit = pb_memmap_touch_limit(map, nmap, (uint64_t)reservation);
        if (touch_limit <= (uint64_t)meta_end_pfn * PG || touch_limit <= (uint64_t)image_end_pfn * PG)
            pb_panic("mm: the domain owns %ld pages (populate-on-demand), too few for the loader "
                     "(RAM up to %#llx is in use)", reservation,
                     (unsigned long long)((meta_end_pfn > image_end_pfn ? meta_end_pfn : image_end_pfn)
                                          * PG));
        for (unsigned i = 0; i < nmap && touch_limit != UINT64_MAX; i++) {
            uint64_t a = map[i].addr, e = map[i].addr + map[i].size;
            if (map[i].type != XEN_HVM_MEMMAP_TYPE_RAM || e <= touch_limit)
                continue;
            pb_alloc_reserve((a > touch_limit ? a : touch_limit) >> PB_PAGE_SHIFT, e >> PB_PAGE_SHIFT,
                             "not populated (PoD)");
        }
    }

    /* RAM above 4 GiB: identity-map it (2 MiB pages) */
    for (unsigned i = 0; i < nmap; i++)
        if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM && map[i].addr + map[i].size > GIB4)
            map_high(map[i].addr > GIB4 ? map[i].addr : GIB4, map[i].addr + map[i].size);

    /* shared_info and the grant frames: a hole below the LAPIC page */
    if (pb_memmap_find_hole(map, nmap, PLATFORM_FRAMES, LAPIC_BASE, 0, 0, &platform_gfn) < 0)
        pb_panic("mm: %s (needed for shared_info and the grant table)", pb_errmsg());
    struct xen_add_to_physmap xatp = { .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
                                       .idx = 0, .gpfn = platform_gfn };
    long rc = pb_hypercall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, 0, 0, 0);
    if (rc)
        pb_panic("mm: XENMEM_add_to_physmap(shared_info -> gfn %#llx) failed: %ld",
                 (unsigned long long)platform_gfn, rc);
    pb_shared_info = (shared_info_t *)(unsigned long)(platform_gfn << PB_PAGE_SHIFT);
    platform_resv[0].addr = platform_gfn << PB_PAGE_SHIFT;
    platform_resv[0].size = PG;
    platform_resv[0].type = XEN_HVM_MEMMAP_TYPE_RESERVED;
    nplatform_resv = 1;
}

static int pvh_gnttab_map(uint32_t frames, unsigned long *va, uint32_t *got)
{
    if (frames > PLATFORM_FRAMES - 1)
        frames = PLATFORM_FRAMES - 1;
    uint64_t gfn0 = platform_gfn + 1;
    uint32_t i;
    for (i = 0; i < frames; i++) {
        struct xen_add_to_physmap xatp = { .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
                                           .idx = i, .gpfn = gfn0 + i };
        long rc = pb_hypercall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, 0, 0, 0);
        if (rc) {
            if (i == 0)
                return pb_error(PB_EXEN, "XENMEM_add_to_physmap(grant frame 0 -> gfn %#llx) "
                                "failed: %ld", (unsigned long long)gfn0, rc);
            break;                           /* fewer frames than asked for */
        }
    }
    platform_resv[0].size = (uint64_t)(1 + i) * PG;
    *va = (unsigned long)(gfn0 << PB_PAGE_SHIFT);
    *got = i;
    return 0;
}

static void pvh_print_layout(void)
{
    size_t free_pages, total;
    pb_mem_stats(&free_pages, &total);
    pb_printf("guest RAM: %zu pages (%zu MiB), PVH memory map:\n", total, total >> 8);
    static const char *const names[] = { "?", "RAM", "reserved", "ACPI", "NVS", "unusable",
                                         "disabled", "pmem" };
    for (unsigned i = 0; i < nmap; i++)
        pb_printf("  %-9s 0x%010llx-0x%010llx (%llu KiB)\n",
                  map[i].type < 8 ? names[map[i].type] : "?",
                  (unsigned long long)map[i].addr,
                  (unsigned long long)(map[i].addr + map[i].size),
                  (unsigned long long)(map[i].size >> 10));
    if (touch_limit != UINT64_MAX)
        pb_printf("populate-on-demand: the domain owns %ld pages, RAM from %#llx is not touched\n",
                  reservation, (unsigned long long)touch_limit);
    pb_printf("  %-22s pfn %#8lx-%#8lx\n", "null page (unmapped)", 0ul, 1ul);
    pb_alloc_print();
    pb_printf("page tables: 7 in the image, %zu added (RAM above 4 GiB, pb_map_mfn)\n",
              hi_pt_pages);
    for (unsigned i = 0; i < nplatform_resv; i++)
        pb_printf("platform frames (shared_info, grant table): gfn %#llx-%#llx\n",
                  (unsigned long long)(platform_resv[i].addr >> PB_PAGE_SHIFT),
                  (unsigned long long)((platform_resv[i].addr + platform_resv[i].size) >>
                                       PB_PAGE_SHIFT));
}

const struct pb_xen_platform_ops pb_xen_pvh_ops = {
    .mode = PB_XEN_PVH,
    .platform = &pb_platform_xen_pvh,
    .pfn_to_frame = pvh_pfn_to_frame,
    .map_frame = pvh_map_frame,
    .unmap_va = pvh_unmap_va,
    .gnttab_map = pvh_gnttab_map,
    .fault_address = pvh_fault_address,
    .early_write = e9_write,
    .print_layout = pvh_print_layout,
};

static uint64_t hvm_param(uint32_t index)
{
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
    long rc = pb_hypercall(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, 0, 0, 0);
    if (rc) {
        pb_kprintf("pvboot: HVMOP_get_param(%u) failed: %ld\n", index, rc);
        return 0;
    }
    return p.value;
}

/**
 * pb_xen_start_pvh() - C entry from entry_pvh.S (64-bit, own stack, FS base
 * set, [0, 4 GiB) identity-mapped).  @si_pa: guest-physical address of
 * hvm_start_info.
 */
__attribute__((noreturn)) void pb_xen_start_pvh(uint64_t si_pa);
void pb_xen_start_pvh(uint64_t si_pa)
{
    pb_xen_ops = &pb_xen_pvh_ops;
    hypercall_page_init();
    idt_init();
    if (si_pa == 0 || si_pa >= GIB4)
        pb_panic("PVH: start info address %#llx is not usable", (unsigned long long)si_pa);
    if (pb_pvh_parse_start_info((const void *)(unsigned long)si_pa,
                                sizeof(struct hvm_start_info), &info) < 0)
        pb_panic("PVH: %s", pb_errmsg());
    load_memmap();

    size_t cmdline_len = 0;
    if (info.cmdline_paddr && info.cmdline_paddr < GIB4) {
        pb_boot.cmdline = (const char *)(unsigned long)info.cmdline_paddr;
        pb_boot.cmdline_size = PB_CMDLINE_MAX;
        while (cmdline_len < PB_CMDLINE_MAX && pb_boot.cmdline[cmdline_len])
            cmdline_len++;
    }
    uint64_t con_pfn = hvm_param(HVM_PARAM_CONSOLE_PFN);
    uint64_t st_pfn = hvm_param(HVM_PARAM_STORE_PFN);
    if (con_pfn && con_pfn < (GIB4 >> PB_PAGE_SHIFT)) {
        pb_boot.console_ring = (void *)(unsigned long)(con_pfn << PB_PAGE_SHIFT);
        pb_boot.console_port = (evtchn_port_t)hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
    }
    if (st_pfn && st_pfn < (GIB4 >> PB_PAGE_SHIFT)) {
        pb_boot.store_ring = (void *)(unsigned long)(st_pfn << PB_PAGE_SHIFT);
        pb_boot.store_port = (evtchn_port_t)hvm_param(HVM_PARAM_STORE_EVTCHN);
    }
    pb_console_init();
    pvh_mm_init(si_pa, cmdline_len);
    pb_time_init();
    pb_events_init();
    pb_gnttab_init();
    pb_xs_init();
    pb_xen_main();
    pb_shutdown(SHUTDOWN_poweroff);
}
