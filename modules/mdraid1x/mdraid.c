/* SPDX-License-Identifier: MIT */
/*
 * mdraid1x: Linux md RAID1 arrays as read-only disks, named as GRUB names
 * them: "md/NAME" for 1.x superblocks (NAME = set_name without its
 * "homehost:" prefix), "mdN" for 0.90 (N = the md minor), alias
 * "mduuid/<32 hex digits>".
 *
 * A disk scanner (include/pvboot/disk.h) looks for a superblock on every
 * disk and partition at the 1.1 (sector 0), 1.2 (byte 4096), 1.0 (end - 8
 * KiB, 4 KiB aligned) and 0.90 (last 64 KiB-aligned 64 KiB) places, groups
 * members by array uuid, and registers one disk per array.  Reads go to the
 * members that are active, in sync and carry the newest event count, in
 * order; on an I/O error the next such member is tried.  An array whose
 * level is not 1 is listed but its reads fail with a message naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvboot/disk.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "pvboot/mdraid.h"

uint64_t pb_md_sb090_sector(uint64_t dev_sectors)
{
    return (dev_sectors & ~(uint64_t)127) - 128;
}

uint64_t pb_md_sb10_sector(uint64_t dev_sectors)
{
    return (dev_sectors - 16) & ~(uint64_t)7;
}

int pb_md_parse_sb1(const void *buf, size_t len, uint64_t sb_sector, uint64_t dev_sectors,
                    struct pb_md_super *out)
{
    const uint8_t *b = buf;
    memset(out, 0, sizeof *out);
    if (len < 256 || pb_le32(b) != PB_MD_MAGIC)
        return PB_ENOENT;
    if (pb_le32(b + 4) != 1)
        return pb_error(PB_ENOTSUP, "md: superblock at sector %llu: major version %u",
                        (unsigned long long)sb_sector, pb_le32(b + 4));
    if (pb_le64(b + 144) != sb_sector)
        return PB_ENOENT;   /* a superblock of another layout seen through this one */
    uint32_t max_dev = pb_le32(b + 220);
    if (max_dev > (len - 256) / 2)
        return pb_error(PB_EBADFS, "md: superblock at sector %llu: max_dev %u too large",
                        (unsigned long long)sb_sector, max_dev);
    size_t n = 256 + (size_t)max_dev * 2;
    uint64_t sum = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        sum += i == 216 ? 0 : pb_le32(b + i);
    if (i < n)
        sum += (uint32_t)b[i] | (uint32_t)b[i + 1] << 8;
    uint32_t csum = (uint32_t)((sum & 0xffffffffu) + (sum >> 32));
    if (csum != pb_le32(b + 216))
        return pb_error(PB_EBADFS, "md: superblock at sector %llu: bad checksum %08x (computed %08x)",
                        (unsigned long long)sb_sector, pb_le32(b + 216), csum);
    uint32_t features = pb_le32(b + 8);
    if (features & 4u)
        return pb_error(PB_ENOTSUP, "md: superblock at sector %llu: reshape in progress",
                        (unsigned long long)sb_sector);
    out->major = 1;
    out->minor = sb_sector == 0 ? 1 : sb_sector == 8 ? 2 : 0;
    memcpy(out->uuid, b + 16, 16);
    memcpy(out->name, b + 32, 32);
    out->name[32] = '\0';
    for (int k = 0; out->name[k]; k++)
        if ((unsigned char)out->name[k] < ' ' || out->name[k] == '/' || out->name[k] == ',' ||
            out->name[k] == ')' || out->name[k] == '(' || (unsigned char)out->name[k] > '~')
            out->name[k] = '_';
    out->md_minor = -1;
    out->level = (int32_t)pb_le32(b + 72);
    out->array_sectors = pb_le64(b + 80);
    out->raid_disks = pb_le32(b + 92);
    out->data_offset = pb_le64(b + 128);
    out->events = pb_le64(b + 200);
    if (out->data_offset > dev_sectors || out->array_sectors > dev_sectors - out->data_offset)
        return pb_error(PB_EBADFS, "md: superblock at sector %llu: data %llu+%llu beyond the member (%llu sectors)",
                        (unsigned long long)sb_sector, (unsigned long long)out->data_offset,
                        (unsigned long long)out->array_sectors, (unsigned long long)dev_sectors);
    uint32_t dev_number = pb_le32(b + 160);
    out->role = -1;
    if (dev_number < max_dev) {
        uint16_t role = (uint16_t)(b[256 + dev_number * 2] | b[256 + dev_number * 2 + 1] << 8);
        if (role < 0xfffe && role < out->raid_disks)
            out->role = role;
    }
    /* recovery_offset feature: this member is still being rebuilt */
    out->in_sync = out->role >= 0 && !(features & 2u);
    return 0;
}

int pb_md_parse_sb090(const void *buf, size_t len, uint64_t dev_sectors, struct pb_md_super *out)
{
    const uint8_t *b = buf;
    memset(out, 0, sizeof *out);
    if (len < PB_MD_SB090_BYTES || pb_le32(b) != PB_MD_MAGIC)
        return PB_ENOENT;
    if (pb_le32(b + 4) != 0 || pb_le32(b + 8) != 90)
        return pb_error(PB_ENOTSUP, "md: 0.90-place superblock has version %u.%u", pb_le32(b + 4),
                        pb_le32(b + 8));
    uint64_t sum = 0;
    for (size_t i = 0; i < PB_MD_SB090_BYTES; i += 4)
        sum += i == 38 * 4 ? 0 : pb_le32(b + i);
    uint32_t csum = (uint32_t)((sum & 0xffffffffu) + (sum >> 32));
    if (csum != pb_le32(b + 38 * 4))
        return pb_error(PB_EBADFS, "md: 0.90 superblock: bad checksum %08x (computed %08x)",
                        pb_le32(b + 38 * 4), csum);
    out->major = 0;
    out->minor = 90;
    static const int words[4] = { 5, 13, 14, 15 };
    for (int k = 0; k < 4; k++) {
        uint32_t w = pb_le32(b + words[k] * 4);
        out->uuid[k * 4] = (uint8_t)(w >> 24);
        out->uuid[k * 4 + 1] = (uint8_t)(w >> 16);
        out->uuid[k * 4 + 2] = (uint8_t)(w >> 8);
        out->uuid[k * 4 + 3] = (uint8_t)w;
    }
    out->md_minor = (int)(pb_le32(b + 11 * 4) & 0xffff);
    out->level = (int32_t)pb_le32(b + 7 * 4);
    out->array_sectors = (uint64_t)pb_le32(b + 8 * 4) * 2;
    out->raid_disks = pb_le32(b + 10 * 4);
    out->data_offset = 0;
    out->events = (uint64_t)pb_le32(b + 40 * 4) << 32 | pb_le32(b + 39 * 4);
    if (out->array_sectors > pb_md_sb090_sector(dev_sectors))
        return pb_error(PB_EBADFS, "md: 0.90 superblock: size %llu sectors beyond the member",
                        (unsigned long long)out->array_sectors);
    /* this_disk (word 992): number, major, minor, raid_disk, state */
    uint32_t raid_disk = pb_le32(b + 995 * 4), state = pb_le32(b + 996 * 4);
    out->role = raid_disk < out->raid_disks && (state & 6u) == 6u && !(state & 1u) ? (int)raid_disk : -1;
    out->in_sync = out->role >= 0;
    return 0;
}

/* ---- arrays as disks ---- */

#define MD_MAX_MEMBERS 32

struct member {
    struct pb_disk *disk;
    uint64_t start;                 /* absolute sector of the array's data on @disk */
    uint64_t events;
    int role;
};

struct md_disk {
    struct pb_disk disk;
    uint8_t uuid[16];
    char why[160];                  /* non-empty: unsupported, reads fail */
    unsigned nr;
    struct member m[MD_MAX_MEMBERS];
    struct md_disk *next;
};

static struct md_disk *md_disks;
static uint64_t md_order = (1ull << 62) - (1ull << 32);   /* before the LVs */

static int md_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    struct md_disk *md = d->priv;
    if (md->why[0])
        return pb_error(PB_ENOTSUP, "%s: %s", d->name, md->why);
    if (sector > d->nr_sectors || count > d->nr_sectors - sector)
        return pb_error(PB_ERANGE, "%s: read of sectors %llu+%llu past the end (%llu sectors)",
                        d->name, (unsigned long long)sector, (unsigned long long)count,
                        (unsigned long long)d->nr_sectors);
    uint64_t newest = 0;
    for (unsigned i = 0; i < md->nr; i++)
        if (md->m[i].role >= 0 && md->m[i].events > newest)
            newest = md->m[i].events;
    int r = pb_error(PB_EIO, "%s: no in-sync member present", d->name);
    for (unsigned i = 0; i < md->nr; i++) {
        if (md->m[i].role < 0 || md->m[i].events != newest)
            continue;
        r = pb_disk_read_raw(md->m[i].disk, (md->m[i].start + sector) * PB_SECTOR_SIZE,
                             (size_t)(count * PB_SECTOR_SIZE), buf);
        if (r == 0) {
            pb_error_clear();
            return 0;
        }
    }
    return r;
}

static const struct pb_disk_ops md_ops = { .read = md_read };

static void hex_uuid(const uint8_t *u, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[i * 2] = hx[u[i] >> 4];
        out[i * 2 + 1] = hx[u[i] & 15];
    }
    out[32] = '\0';
}

static void add_member(struct pb_disk *d, uint64_t start, const struct pb_md_super *sb)
{
    struct md_disk *md = NULL;
    for (struct md_disk *x = md_disks; x; x = x->next)
        if (memcmp(x->uuid, sb->uuid, 16) == 0)
            md = x;
    if (md) {
        for (unsigned i = 0; i < md->nr; i++)
            if (md->m[i].disk == d && md->m[i].start == start + sb->data_offset)
                return;     /* known from an earlier scan */
        if (md->nr >= MD_MAX_MEMBERS)
            return;
        md->m[md->nr++] = (struct member){ d, start + sb->data_offset, sb->events,
                                           sb->in_sync ? sb->role : -1 };
        if (d->sector_size > md->disk.sector_size)
            md->disk.sector_size = d->sector_size;
        return;
    }
    md = calloc(1, sizeof *md);
    if (!md)
        return;
    char hex[33];
    hex_uuid(sb->uuid, hex);
    if (sb->major == 0) {
        snprintf(md->disk.name, sizeof md->disk.name, "md%d", sb->md_minor);
    } else {
        const char *colon = strchr(sb->name, ':');
        const char *nm = colon ? colon + 1 : sb->name;
        if (*nm)
            snprintf(md->disk.name, sizeof md->disk.name, "md/%s", nm);
        else
            snprintf(md->disk.name, sizeof md->disk.name, "mduuid/%s", hex);
    }
    if (strncmp(md->disk.name, "mduuid/", 7) != 0)
        snprintf(md->disk.alias, sizeof md->disk.alias, "mduuid/%s", hex);
    memcpy(md->uuid, sb->uuid, 16);
    md->disk.nr_sectors = sb->array_sectors;
    md->disk.sector_size = d->sector_size;
    md->disk.flags = PB_DISK_F_READONLY;
    md->disk.order = md_order++;
    md->disk.ops = &md_ops;
    md->disk.priv = md;
    if (sb->level != 1)
        snprintf(md->why, sizeof md->why, "RAID level %d is not supported (RAID1 only)", (int)sb->level);
    md->m[md->nr++] = (struct member){ d, start + sb->data_offset, sb->events,
                                       sb->in_sync ? sb->role : -1 };
    md->next = md_disks;
    md_disks = md;
}

static void probe(struct pb_disk *d, uint64_t start, uint64_t len)
{
    static uint8_t buf[PB_MD_SB090_BYTES];
    struct pb_md_super sb;
    if (len < 128 + 8)
        return;
    const uint64_t places[3] = { 0, 8, pb_md_sb10_sector(len) };
    for (int k = 0; k < 3; k++) {
        if (pb_disk_read(d, (start + places[k]) * PB_SECTOR_SIZE, PB_MD_SB1_MAX, buf) < 0)
            continue;
        if (pb_md_parse_sb1(buf, PB_MD_SB1_MAX, places[k], len, &sb) == 0) {
            add_member(d, start, &sb);
            return;
        }
    }
    if (pb_disk_read(d, (start + pb_md_sb090_sector(len)) * PB_SECTOR_SIZE, PB_MD_SB090_BYTES, buf) == 0 &&
        pb_md_parse_sb090(buf, PB_MD_SB090_BYTES, len, &sb) == 0)
        add_member(d, start, &sb);
}

struct part_ctx {
    struct pb_disk *d;
};

static int part_cb(const struct pb_partition *p, void *vctx)
{
    struct part_ctx *c = vctx;
    probe(c->d, p->start, p->len);
    return 0;
}

static void md_scan(void)
{
    for (struct pb_disk *d = pb_disk_first(); d; d = pb_disk_next(d)) {
        if (d->ops == &md_ops)
            continue;
        probe(d, 0, d->nr_sectors);
        struct part_ctx pc = { d };
        pb_partition_iterate(d, part_cb, &pc);
    }
    pb_error_clear();
    for (struct md_disk *md = md_disks; md; md = md->next) {
        if (md->disk.nr_sectors == 0 || pb_disk_find(md->disk.name) == &md->disk)
            continue;
        if (pb_disk_register(&md->disk) < 0)
            pb_error_clear();
    }
}

static void md_forget(struct pb_disk *gone)
{
    struct md_disk **pp = &md_disks;
    while (*pp) {
        struct md_disk *md = *pp;
        bool uses = false;
        for (unsigned i = 0; i < md->nr; i++)
            if (md->m[i].disk == gone)
                uses = true;
        if (!uses) {
            pp = &md->next;
            continue;
        }
        *pp = md->next;
        pb_disk_unregister(&md->disk);   /* no-op if it was never registered */
        free(md);
    }
}

static struct pb_disk_scanner md_scanner = { .name = "mdraid1x", .scan = md_scan, .forget = md_forget };

/** pvboot_init_mdraid1x() - register the md scanner (arrays appear on next disk lookup). */
void pvboot_init_mdraid1x(void)
{
    pb_disk_scanner_register(&md_scanner);
}
