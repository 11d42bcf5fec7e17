/* SPDX-License-Identifier: MIT */
/*
 * part_msdos: the PC (MBR) partition table with extended/logical partitions.
 *
 * Layout facts (public MBR/EBR format): sector 0 ends in 0x55 0xAA at byte
 * 510; four 16-byte entries start at byte 446 (status, CHS start, type, CHS
 * end, LBA start u32le, sector count u32le); the disk signature is the u32le
 * at byte 440.  Extended partitions (type 0x05, 0x0f, 0x85) hold a chain of
 * EBRs: in each EBR, entry 0 is a logical partition whose start is relative
 * to that EBR, entry 1 points at the next EBR relative to the start of the
 * outermost extended partition.  LBAs count the disk's logical sectors.
 *
 * Naming follows GRUB: primaries are msdos1..msdos4 by slot (empty and
 * extended slots are skipped but keep their numbers), logical partitions are
 * msdos5, msdos6... in chain order.  A table holding a 0xEE (GPT protective)
 * entry is not ours: PB_ENOENT lets part_gpt have it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"

#define MSDOS_MAX_LOGICAL 256   /* bound on the EBR chain (loop protection) */

static int is_extended(uint8_t type)
{
    return type == 0x05 || type == 0x0f || type == 0x85;
}

struct mbr_entry {
    uint8_t status;
    uint8_t type;
    uint32_t lba;
    uint32_t count;
};

static void parse_entry(const uint8_t *sec, int i, struct mbr_entry *e)
{
    const uint8_t *p = sec + 446 + 16 * i;
    e->status = p[0];
    e->type = p[4];
    e->lba = pb_le32(p + 8);
    e->count = pb_le32(p + 12);
}

/* Read one 512-byte record at logical sector @lba of @d (in the disk's own
 * logical sector units) and check the 0x55AA signature. */
static int read_record(struct pb_disk *d, uint64_t lba, uint32_t ssz, uint8_t *buf)
{
    uint64_t off = lba * ssz;
    if (lba > (uint64_t)-1 / ssz || off + 512 > d->nr_sectors * PB_SECTOR_SIZE)
        return pb_error(PB_EBADFS, "msdos: %s: partition record at sector %llu is beyond the end of the disk",
                        d->name, (unsigned long long)lba);
    int r = pb_disk_read(d, off, 512, buf);
    if (r < 0)
        return r;
    if (buf[510] != 0x55 || buf[511] != 0xaa)
        return PB_ENOENT;
    return 0;
}

/* Fill the common fields of @p from an entry at absolute logical sector
 * @abs_lba; returns 0 if it fits on the disk, PB_ERANGE otherwise. */
static int make_part(struct pb_disk *d, uint32_t ssz, uint64_t abs_lba, uint32_t count,
                     int number, uint8_t type, uint32_t disk_id, struct pb_partition *p)
{
    uint64_t mul = ssz / PB_SECTOR_SIZE;
    memset(p, 0, sizeof *p);
    p->disk = d;
    p->start = abs_lba * mul;
    p->len = (uint64_t)count * mul;
    if (p->start >= d->nr_sectors || p->len > d->nr_sectors - p->start)
        return PB_ERANGE;
    p->number = number;
    snprintf(p->name, sizeof p->name, "msdos%d", number + 1);
    p->map = "msdos";
    p->msdos_type = type;
    p->mbr_disk_id = disk_id;
    return 0;
}

/**
 * msdos_iterate() - call @cb for each partition of @d's MBR table.
 * Returns 0 when an MBR table was found (also when @cb stopped), PB_ENOENT
 * when sector 0 has no valid MBR (no 0x55AA, a bad status byte, or a GPT
 * protective entry), or the disk's read error.  Entries that extend past the
 * end of the disk are skipped; the EBR chain is bounded to
 * MSDOS_MAX_LOGICAL links and must stay inside the extended partition.
 */
static int msdos_iterate(struct pb_disk *d, int (*cb)(const struct pb_partition *p, void *ctx),
                         void *ctx)
{
    uint8_t sec[512];
    uint32_t ssz = d->sector_size ? d->sector_size : PB_SECTOR_SIZE;
    if (ssz < PB_SECTOR_SIZE || ssz % PB_SECTOR_SIZE)
        return pb_error(PB_EINVAL, "msdos: %s: unsupported sector size %u", d->name, ssz);
    int r = read_record(d, 0, ssz, sec);
    if (r < 0)
        return r == PB_ENOENT ? PB_ENOENT : r;

    struct mbr_entry e[4];
    int any = 0;
    for (int i = 0; i < 4; i++) {
        parse_entry(sec, i, &e[i]);
        if (e[i].status != 0 && e[i].status != 0x80)
            return PB_ENOENT;           /* a boot sector, not a partition table */
        if (e[i].type == 0xee)
            return PB_ENOENT;           /* GPT protective MBR: part_gpt's */
        if (e[i].type)
            any = 1;
    }
    if (!any)
        return PB_ENOENT;
    uint32_t disk_id = pb_le32(sec + 440);

    struct pb_partition p;
    int ext = -1;
    for (int i = 0; i < 4; i++) {
        if (!e[i].type || !e[i].count)
            continue;
        if (is_extended(e[i].type)) {
            if (ext < 0)
                ext = i;
            continue;
        }
        if (make_part(d, ssz, e[i].lba, e[i].count, i, e[i].type, disk_id, &p) < 0)
            continue;
        if (cb(&p, ctx))
            return 0;
    }
    if (ext < 0)
        return 0;

    uint64_t ext_start = e[ext].lba, ext_end = ext_start + e[ext].count;
    uint64_t ebr = ext_start;
    int number = 4;
    for (int link = 0; link < MSDOS_MAX_LOGICAL; link++) {
        if (ebr < ext_start || ebr >= ext_end)
            return pb_error(PB_EBADFS, "msdos: %s: EBR at sector %llu lies outside the extended partition",
                            d->name, (unsigned long long)ebr);
        r = read_record(d, ebr, ssz, sec);
        if (r == PB_ENOENT)
            return pb_error(PB_EBADFS, "msdos: %s: EBR at sector %llu has no 0x55AA signature",
                            d->name, (unsigned long long)ebr);
        if (r < 0)
            return r;
        struct mbr_entry le, next;
        parse_entry(sec, 0, &le);
        parse_entry(sec, 1, &next);
        if (le.type && le.count && !is_extended(le.type)) {
            if (make_part(d, ssz, ebr + le.lba, le.count, number, le.type, disk_id, &p) == 0) {
                if (cb(&p, ctx))
                    return 0;
            }
            number++;
        }
        if (!is_extended(next.type) || !next.count)
            return 0;
        uint64_t nebr = ext_start + next.lba;
        if (nebr <= ebr)
            return pb_error(PB_EBADFS, "msdos: %s: EBR chain at sector %llu points backwards (loop)",
                            d->name, (unsigned long long)ebr);
        ebr = nebr;
    }
    return pb_error(PB_EBADFS, "msdos: %s: more than %d logical partitions (EBR loop?)",
                    d->name, MSDOS_MAX_LOGICAL);
}

static struct pb_partmap msdos_map = { .name = "msdos", .iterate = msdos_iterate };

/** pvboot_init_part_msdos() - register the msdos partition map. */
void pvboot_init_part_msdos(void)
{
    pb_partmap_register(&msdos_map);
}
