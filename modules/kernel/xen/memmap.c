/* SPDX-License-Identifier: MIT */
/*
 * Guest memory maps for PVH start-up (see memmap.h).  Pure logic, hosted
 * and unit-tested.
 */
#include <stdbool.h>
#include <string.h>
#include "memmap.h"
#include <xen/arch-x86/hvm/start_info.h>
#include "pvboot/err.h"

#define PG 4096ull

static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

int pb_pvh_parse_start_info(const void *buf, size_t len, struct pb_pvh_info *out)
{
    const uint8_t *b = buf;
    memset(out, 0, sizeof *out);
    if (len < offsetof(struct hvm_start_info, memmap_paddr))
        return pb_error(PB_EINVAL, "hvm_start_info: only %zu bytes (at least %zu needed)", len,
                        offsetof(struct hvm_start_info, memmap_paddr));
    uint32_t magic = rd32(b + offsetof(struct hvm_start_info, magic));
    if (magic != XEN_HVM_START_MAGIC_VALUE)
        return pb_error(PB_EINVAL, "hvm_start_info: magic %#x, expected %#x", magic,
                        XEN_HVM_START_MAGIC_VALUE);
    out->version = rd32(b + offsetof(struct hvm_start_info, version));
    out->flags = rd32(b + offsetof(struct hvm_start_info, flags));
    out->nr_modules = rd32(b + offsetof(struct hvm_start_info, nr_modules));
    out->modlist_paddr = rd64(b + offsetof(struct hvm_start_info, modlist_paddr));
    out->cmdline_paddr = rd64(b + offsetof(struct hvm_start_info, cmdline_paddr));
    out->rsdp_paddr = rd64(b + offsetof(struct hvm_start_info, rsdp_paddr));
    if (out->nr_modules && !out->modlist_paddr)
        return pb_error(PB_EINVAL, "hvm_start_info: %u modules but modlist_paddr 0",
                        out->nr_modules);
    if (out->version >= 1) {
        if (len < sizeof(struct hvm_start_info))
            return pb_error(PB_EINVAL, "hvm_start_info version %u: only %zu bytes (%zu needed)",
                            out->version, len, sizeof(struct hvm_start_info));
        uint32_t n = rd32(b + offsetof(struct hvm_start_info, memmap_entries));
        uint64_t pa = rd64(b + offsetof(struct hvm_start_info, memmap_paddr));
        if (n) {
            if (!pa)
                return pb_error(PB_EINVAL, "hvm_start_info: %u memmap entries but memmap_paddr 0",
                                n);
            if (n > PB_MEMMAP_MAX)
                return pb_error(PB_EINVAL, "hvm_start_info: %u memmap entries (at most %u)", n,
                                PB_MEMMAP_MAX);
            out->memmap_paddr = pa;
            out->memmap_entries = n;
        }
    }
    return 0;
}

static int from_records(const void *buf, unsigned n, size_t stride, struct pb_memmap_entry *out,
                        const char *what)
{
    if (n > PB_MEMMAP_MAX)
        return pb_error(PB_EINVAL, "%s: %u entries (at most %u)", what, n, PB_MEMMAP_MAX);
    const uint8_t *b = buf;
    for (unsigned i = 0; i < n; i++, b += stride) {
        out[i].addr = rd64(b);
        out[i].size = rd64(b + 8);
        out[i].type = rd32(b + 16);
    }
    return (int)n;
}

int pb_memmap_from_table(const void *buf, unsigned n, struct pb_memmap_entry *out)
{
    _Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "start_info.h layout");
    return from_records(buf, n, sizeof(struct hvm_memmap_table_entry), out, "hvm_start_info memmap");
}

int pb_memmap_from_e820(const void *buf, unsigned n, struct pb_memmap_entry *out)
{
    return from_records(buf, n, 20, out, "XENMEM_memory_map");
}

/* priority of a type where entries overlap: RAM lowest */
static uint32_t prio(uint32_t type)
{
    return type == XEN_HVM_MEMMAP_TYPE_RAM ? 0 : type;
}

int pb_memmap_normalize(const struct pb_memmap_entry *in, unsigned n, struct pb_memmap_entry *out,
                        unsigned cap)
{
    if (n > PB_MEMMAP_MAX)
        return pb_error(PB_EINVAL, "memory map: %u entries (at most %u)", n, PB_MEMMAP_MAX);
    /* aligned copies [s, e) */
    struct { uint64_t s, e; uint32_t type; } a[PB_MEMMAP_MAX];
    unsigned na = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t s = in[i].addr, size = in[i].size;
        if (size == 0)
            continue;
        uint64_t e = s + size < s ? ~0ull & ~(PG - 1) : s + size;   /* clip an overflow */
        if (in[i].type == XEN_HVM_MEMMAP_TYPE_RAM) {
            if (s > ~0ull - (PG - 1))
                continue;
            s = (s + PG - 1) & ~(PG - 1);
            e &= ~(PG - 1);
        } else {
            s &= ~(PG - 1);
            e = e > ~0ull - (PG - 1) ? ~0ull & ~(PG - 1) : (e + PG - 1) & ~(PG - 1);
        }
        if (e <= s)
            continue;
        a[na].s = s;
        a[na].e = e;
        a[na].type = in[i].type;
        na++;
    }
    /* all boundaries, sorted and unique */
    uint64_t bnd[2 * PB_MEMMAP_MAX];
    unsigned nb = 0;
    for (unsigned i = 0; i < na; i++) {
        bnd[nb++] = a[i].s;
        bnd[nb++] = a[i].e;
    }
    for (unsigned i = 1; i < nb; i++) {         /* insertion sort: nb <= 256 */
        uint64_t v = bnd[i];
        unsigned j = i;
        while (j > 0 && bnd[j - 1] > v) {
            bnd[j] = bnd[j - 1];
            j--;
        }
        bnd[j] = v;
    }
    unsigned nu = 0;
    for (unsigned i = 0; i < nb; i++)
        if (nu == 0 || bnd[nu - 1] != bnd[i])
            bnd[nu++] = bnd[i];
    /* each elementary interval gets the winning type of the entries covering it */
    unsigned no = 0;
    for (unsigned k = 0; k + 1 < nu; k++) {
        uint64_t s = bnd[k], e = bnd[k + 1];
        uint32_t type = 0;
        bool covered = false;
        for (unsigned i = 0; i < na; i++)
            if (a[i].s <= s && a[i].e >= e && (!covered || prio(a[i].type) > prio(type))) {
                type = a[i].type;
                covered = true;
            }
        if (!covered)
            continue;
        if (no && out[no - 1].type == type && out[no - 1].addr + out[no - 1].size == s) {
            out[no - 1].size += e - s;
            continue;
        }
        if (no == cap)
            return pb_error(PB_ERANGE, "memory map: more than %u entries after normalising", cap);
        out[no].addr = s;
        out[no].size = e - s;
        out[no].type = type;
        no++;
    }
    return (int)no;
}

int pb_memmap_find_hole(const struct pb_memmap_entry *map, unsigned n, uint64_t npages,
                        uint64_t limit, uint64_t avoid, uint64_t avoid_len, uint64_t *gfn)
{
    const uint64_t low = 1ull << 20;
    uint64_t want = npages * PG;
    limit &= ~(PG - 1);
    /* walk gaps from the top: gap k lies between entry k-1's end and entry k's start */
    for (unsigned k = n + 1; k-- > 0;) {
        uint64_t gs = k == 0 ? 0 : map[k - 1].addr + map[k - 1].size;
        uint64_t ge = k == n ? ~0ull & ~(PG - 1) : map[k].addr;
        if (gs < low)
            gs = low;
        if (ge > limit)
            ge = limit;
        /* inside the gap, the part above and the part below the avoided range */
        uint64_t as = avoid & ~(PG - 1), ae = avoid_len ? (avoid + avoid_len + PG - 1) & ~(PG - 1) : as;
        uint64_t parts[2][2] = { { ae > gs ? ae : gs, ge }, { gs, as < ge ? as : ge } };
        if (ae <= gs || as >= ge) {          /* no intersection: the whole gap */
            parts[0][0] = gs;
            parts[0][1] = ge;
            parts[1][0] = parts[1][1] = 0;
        }
        for (int p = 0; p < 2; p++)
            if (parts[p][1] > parts[p][0] && parts[p][1] - parts[p][0] >= want) {
                *gfn = (parts[p][1] - want) / PG;
                return 0;
            }
    }
    return pb_error(PB_ENOMEM, "memory map: no hole of %llu pages below %#llx",
                    (unsigned long long)npages, (unsigned long long)limit);
}

uint64_t pb_memmap_ram_pages(const struct pb_memmap_entry *map, unsigned n)
{
    uint64_t t = 0;
    for (unsigned i = 0; i < n; i++)
        if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
            t += map[i].size / PG;
    return t;
}

uint64_t pb_memmap_touch_limit(const struct pb_memmap_entry *map, unsigned n, uint64_t reservation)
{
    uint64_t other = 0;
    for (unsigned i = 0; i < n; i++)
        if (map[i].type != XEN_HVM_MEMMAP_TYPE_RAM)
            other += (map[i].size + PG - 1) / PG;
    if (reservation <= other)
        return 0;
    uint64_t left = reservation - other;
    if (left >= pb_memmap_ram_pages(map, n))
        return UINT64_MAX;
    for (unsigned i = 0; i < n; i++) {      /* normalised: sorted by address */
        if (map[i].type != XEN_HVM_MEMMAP_TYPE_RAM)
            continue;
        uint64_t pages = map[i].size / PG;
        if (left <= pages)
            return map[i].addr + left * PG;
        left -= pages;
    }
    return UINT64_MAX;                      /* not reached: left < RAM pages */
}

uint32_t pb_memmap_type_at(const struct pb_memmap_entry *map, unsigned n, uint64_t addr)
{
    for (unsigned i = 0; i < n; i++)
        if (addr >= map[i].addr && addr - map[i].addr < map[i].size)
            return map[i].type;
    return 0;
}
