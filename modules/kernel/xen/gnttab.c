/* SPDX-License-Identifier: MIT */
/*
 * Grant table v1 (docs §7): the platform maps the table frames (PV:
 * GNTTABOP_setup_table gives their MFNs, mapped in the extra VA area; PVH:
 * XENMEM_add_to_physmap into memory-map holes, pvh.c).  References 0..7 are
 * reserved (GNTTAB_NR_RESERVED_ENTRIES); the rest are handed out from a
 * free stack.  Ending access is a cmpxchg on the flags that refuses while
 * the peer has the frame mapped (GTF_reading/GTF_writing).
 */
#include <stdlib.h>
#include <string.h>
#include "xen_internal.h"
#include "pvboot/err.h"

#define WANT_FRAMES 32u                  /* 16384 references */
#define PER_FRAME (PB_PAGE_SIZE / sizeof(grant_entry_v1_t))

static grant_entry_v1_t *table;
static uint32_t nr_refs;
static grant_ref_t *free_stack;
static uint32_t free_top;

static long gnttab_op(unsigned cmd, void *arg)
{
    return pb_hypercall(__HYPERVISOR_grant_table_op, cmd, arg, 1, 0, 0);
}

void pb_gnttab_init(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    uint32_t frames = WANT_FRAMES;
    if (gnttab_op(GNTTABOP_query_size, &q) == 0 && q.status == GNTST_okay &&
        q.max_nr_frames && q.max_nr_frames < frames)
        frames = q.max_nr_frames;
    struct gnttab_set_version sv = { .version = 1 };
    gnttab_op(GNTTABOP_set_version, &sv);   /* v1 is the default; ignore refusal */

    unsigned long va;
    uint32_t got = 0;
    if (pb_xen_ops->gnttab_map(frames, &va, &got) < 0 || got == 0) {
        pb_kprintf("pvboot: %s; no grants available\n", pb_errmsg());
        pb_error_clear();
        return;
    }
    frames = got;
    uint32_t n = frames * (uint32_t)PER_FRAME;
    free_stack = malloc(n * sizeof *free_stack);
    if (!free_stack) {
        pb_kprintf("pvboot: no memory for the grant free list\n");
        return;
    }
    for (uint32_t r = n; r-- > GNTTAB_NR_RESERVED_ENTRIES;)
        free_stack[free_top++] = r;
    table = (grant_entry_v1_t *)va;
    nr_refs = n;
}

/* PV: GNTTABOP_setup_table gives the MFNs; map them in the extra VA area. */
int pb_pv_gnttab_map(uint32_t frames, unsigned long *va_out, uint32_t *got);
int pb_pv_gnttab_map(uint32_t frames, unsigned long *va_out, uint32_t *got)
{
    xen_pfn_t mfns[WANT_FRAMES];
    if (frames > WANT_FRAMES)
        frames = WANT_FRAMES;
    struct gnttab_setup_table st;
    memset(&st, 0, sizeof st);
    st.dom = DOMID_SELF;
    st.nr_frames = frames;
    set_xen_guest_handle(st.frame_list, mfns);
    long rc = gnttab_op(GNTTABOP_setup_table, &st);
    if (rc || st.status != GNTST_okay)
        return pb_error(PB_EXEN, "grant table setup (%u frames) failed: rc %ld status %d",
                        frames, rc, st.status);
    unsigned long va = pb_extra_va_alloc(frames);
    for (uint32_t i = 0; i < frames; i++)
        if (pb_map_mfn(va + i * PB_PAGE_SIZE, mfns[i], PTE_DATA))
            return pb_error(PB_EXEN, "mapping grant frame %u failed", i);
    *va_out = va;
    *got = frames;
    return 0;
}

int pb_gnttab_grant(domid_t domid, xen_pfn_t mfn, bool readonly, grant_ref_t *ref)
{
    if (!table)
        return pb_error(PB_EXEN, "grant table not available");
    if (free_top == 0)
        return pb_error(PB_ENOMEM, "all %u grant references in use", nr_refs - GNTTAB_NR_RESERVED_ENTRIES);
    if (mfn > UINT32_MAX)
        return pb_error(PB_ERANGE, "mfn %#lx does not fit a v1 grant entry", (unsigned long)mfn);
    grant_ref_t r = free_stack[--free_top];
    volatile grant_entry_v1_t *e = &table[r];
    e->frame = (uint32_t)mfn;
    e->domid = domid;
    __atomic_thread_fence(__ATOMIC_RELEASE);   /* frame/domid visible before flags */
    e->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
    *ref = r;
    return 0;
}

int pb_gnttab_end(grant_ref_t ref)
{
    if (!table || ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= nr_refs)
        return pb_error(PB_EINVAL, "grant reference %u out of range", ref);
    uint16_t *flags = &table[ref].flags;
    uint16_t f = __atomic_load_n(flags, __ATOMIC_ACQUIRE);
    for (int tries = 0; tries < 1000; tries++) {
        if (!(f & GTF_permit_access))
            return pb_error(PB_EINVAL, "grant reference %u is not active", ref);
        if (f & (GTF_reading | GTF_writing))
            return pb_error(PB_EBUSY, "grant reference %u is still mapped by domain %u",
                            ref, table[ref].domid);
        if (__atomic_compare_exchange_n(flags, &f, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            break;
        if (tries == 999)
            return pb_error(PB_EBUSY, "grant reference %u: flags keep changing", ref);
    }
    table[ref].frame = 0;
    table[ref].domid = 0;
    free_stack[free_top++] = ref;
    return 0;
}

unsigned pb_gnttab_active(void)
{
    if (!table)
        return 0;
    return nr_refs - GNTTAB_NR_RESERVED_ENTRIES - free_top;
}
