/* SPDX-License-Identifier: MIT */
/*
 * part_gpt: the GUID Partition Table (UEFI spec 2.x, chapter 5.3).
 *
 * LBA 0 holds a protective MBR (a 0xEE entry, 0x55AA signature).  The
 * primary header is at LBA 1, the backup header at the last LBA; an LBA is
 * the disk's logical sector (512 or 4096 bytes).  Header (little endian):
 *   0 "EFI PART", 8 revision, 12 header size, 16 header CRC32, 24 my LBA,
 *   32 alternate LBA, 40 first usable, 48 last usable, 56 disk GUID,
 *   72 entries LBA, 80 number of entries, 84 entry size, 88 entries CRC32.
 * Entry: 0 type GUID, 16 unique GUID, 32 first LBA, 40 last LBA (inclusive),
 *   48 attributes, 56 name (UTF-16LE, 36 units).
 * Both CRC32s are checked; when the primary header or its entry array is
 * damaged the backup (at the primary's alternate LBA, else the last LBA) is
 * used.  Partition N (gptN) is entry index N-1, as GRUB numbers them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/disk.h"
#include "pvboot/endian.h"
#include "pvboot/err.h"
#include "pvboot/fsconv.h"

#define GPT_MAX_ENTRIES_BYTES (4u << 20)  /* bound on the entry array */

/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as GPT uses. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    static int ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

struct gpt_hdr {
    uint64_t my_lba, alt_lba, first_usable, last_usable, entries_lba;
    uint32_t nentries, entry_size;
    uint32_t entries_crc;
};

/* Read and validate the header at @lba; 0, PB_ENOENT (no signature),
 * PB_EBADFS (damaged), or an I/O error. */
static int read_header(struct pb_disk *d, uint32_t ssz, uint64_t nlba, uint64_t lba,
                       struct gpt_hdr *h)
{
    uint8_t *buf;
    int r;
    if (lba >= nlba)
        return pb_error(PB_EBADFS, "gpt: %s: header LBA %llu is beyond the disk",
                        d->name, (unsigned long long)lba);
    buf = malloc(ssz);
    if (!buf)
        return pb_error(PB_ENOMEM, "gpt: out of memory");
    r = pb_disk_read(d, lba * ssz, ssz, buf);
    if (r < 0)
        goto out;
    if (memcmp(buf, "EFI PART", 8)) {
        r = PB_ENOENT;
        goto out;
    }
    uint32_t hsize = pb_le32(buf + 12);
    if (hsize < 92 || hsize > ssz) {
        r = pb_error(PB_EBADFS, "gpt: %s: header at LBA %llu: bad header size %u",
                     d->name, (unsigned long long)lba, hsize);
        goto out;
    }
    uint32_t crc = pb_le32(buf + 16);
    memset(buf + 16, 0, 4);
    if (crc32_update(0, buf, hsize) != crc) {
        r = pb_error(PB_EBADFS, "gpt: %s: header at LBA %llu: CRC32 mismatch",
                     d->name, (unsigned long long)lba);
        goto out;
    }
    h->my_lba = pb_le64(buf + 24);
    h->alt_lba = pb_le64(buf + 32);
    h->first_usable = pb_le64(buf + 40);
    h->last_usable = pb_le64(buf + 48);
    h->entries_lba = pb_le64(buf + 72);
    h->nentries = pb_le32(buf + 80);
    h->entry_size = pb_le32(buf + 84);
    h->entries_crc = pb_le32(buf + 88);
    if (h->my_lba != lba) {
        r = pb_error(PB_EBADFS, "gpt: %s: header at LBA %llu claims to be at LBA %llu",
                     d->name, (unsigned long long)lba, (unsigned long long)h->my_lba);
        goto out;
    }
    if (h->entry_size < 128 || h->entry_size % 8 || h->entry_size > 4096 ||
        h->nentries > GPT_MAX_ENTRIES_BYTES / h->entry_size) {
        r = pb_error(PB_EBADFS, "gpt: %s: header at LBA %llu: bad entry array (%u entries of %u bytes)",
                     d->name, (unsigned long long)lba, h->nentries, h->entry_size);
        goto out;
    }
    uint64_t abytes = (uint64_t)h->nentries * h->entry_size;
    uint64_t alba = (abytes + ssz - 1) / ssz;
    if (h->entries_lba >= nlba || alba > nlba - h->entries_lba) {
        r = pb_error(PB_EBADFS, "gpt: %s: header at LBA %llu: entry array at LBA %llu is beyond the disk",
                     d->name, (unsigned long long)lba, (unsigned long long)h->entries_lba);
        goto out;
    }
    r = 0;
out:
    free(buf);
    return r;
}

/* Read the entry array of @h and check its CRC; *out is malloc'd. */
static int read_entries(struct pb_disk *d, uint32_t ssz, const struct gpt_hdr *h, uint8_t **out)
{
    size_t n = (size_t)h->nentries * h->entry_size;
    uint8_t *a = malloc(n ? n : 1);
    if (!a)
        return pb_error(PB_ENOMEM, "gpt: out of memory");
    int r = pb_disk_read(d, h->entries_lba * ssz, n, a);
    if (r < 0) {
        free(a);
        return r;
    }
    if (crc32_update(0, a, n) != h->entries_crc) {
        free(a);
        return pb_error(PB_EBADFS, "gpt: %s: entry array at LBA %llu: CRC32 mismatch",
                        d->name, (unsigned long long)h->entries_lba);
    }
    *out = a;
    return 0;
}

/* UTF-16LE (36 units) -> UTF-8 (include/pvboot/fsconv.h); stops at NUL or
 * when the next character does not fit in @out (@outsz bytes with the NUL).
 * Surrogate pairs become one code point; a lone surrogate (high without a
 * low after it, or a low on its own) becomes U+FFFD, so the label is
 * always valid UTF-8. */
static void name_to_utf8(const uint8_t *u16, char *out, size_t outsz)
{
    size_t o = 0;
    for (int i = 0; i < 36; i++) {
        uint32_t c = u16[2 * i] | (uint32_t)u16[2 * i + 1] << 8;
        if (!c)
            break;
        uint32_t pair =
            i + 1 < 36 ? pb_utf16_pair(c, u16[2 * i + 2] | (uint32_t)u16[2 * i + 3] << 8) : 0;
        if (pair) {
            c = pair;
            i++;
        } else if (c >= 0xd800 && c < 0xe000) {
            c = 0xfffd;
        }
        size_t next = pb_utf8_put(out, o, outsz, c);
        if (next == o)
            break;                            /* full */
        o = next;
    }
    out[o] = 0;
}

/**
 * gpt_iterate() - call @cb for every used entry of @d's GPT.
 * Returns 0 if a GPT was found, PB_ENOENT if the disk has no protective MBR
 * or no "EFI PART" header at either end, PB_EBADFS when both copies are
 * damaged (message names the header/array and LBA), or an I/O error.
 * Entries whose LBA range is empty, reversed or beyond the disk are skipped.
 */
static int gpt_iterate(struct pb_disk *d, int (*cb)(const struct pb_partition *p, void *ctx),
                       void *ctx)
{
    uint32_t ssz = d->sector_size ? d->sector_size : PB_SECTOR_SIZE;
    if (ssz < PB_SECTOR_SIZE || ssz % PB_SECTOR_SIZE || ssz > 65536)
        return pb_error(PB_EINVAL, "gpt: %s: unsupported sector size %u", d->name, ssz);
    uint64_t nlba = d->nr_sectors * PB_SECTOR_SIZE / ssz;
    if (nlba < 3)
        return PB_ENOENT;

    uint8_t mbr[512];
    int r = pb_disk_read(d, 0, 512, mbr);
    if (r < 0)
        return r;
    if (mbr[510] != 0x55 || mbr[511] != 0xaa)
        return PB_ENOENT;
    int prot = 0;
    for (int i = 0; i < 4; i++)
        if (mbr[446 + 16 * i + 4] == 0xee)
            prot = 1;
    if (!prot)
        return PB_ENOENT;

    struct gpt_hdr h;
    uint8_t *ents = NULL;
    int rp = read_header(d, ssz, nlba, 1, &h);
    if (rp == 0)
        rp = read_entries(d, ssz, &h, &ents);
    if (rp < 0) {
        /* Primary damaged: the backup, at the primary's alternate LBA when
         * that header was readable, else at the last LBA. */
        uint64_t alt = nlba - 1;
        int rb = read_header(d, ssz, nlba, alt, &h);
        if (rb == 0)
            rb = read_entries(d, ssz, &h, &ents);
        if (rb < 0) {
            if (rp == PB_ENOENT && rb == PB_ENOENT)
                return PB_ENOENT;
            return pb_error(PB_EBADFS, "gpt: %s: primary and backup GPT are both damaged", d->name);
        }
    }

    for (uint32_t i = 0; i < h.nentries; i++) {
        const uint8_t *e = ents + (size_t)i * h.entry_size;
        static const uint8_t zero[16];
        if (!memcmp(e, zero, 16))
            continue;
        uint64_t first = pb_le64(e + 32), last = pb_le64(e + 40);
        if (last < first || last >= nlba)
            continue;
        struct pb_partition p;
        memset(&p, 0, sizeof p);
        p.disk = d;
        p.start = first * (ssz / PB_SECTOR_SIZE);
        p.len = (last - first + 1) * (ssz / PB_SECTOR_SIZE);
        p.number = (int)i;
        snprintf(p.name, sizeof p.name, "gpt%u", i + 1);
        p.map = "gpt";
        memcpy(p.type_guid, e, 16);
        memcpy(p.part_guid, e + 16, 16);
        name_to_utf8(e + 56, p.part_label, sizeof p.part_label);
        if (cb(&p, ctx))
            break;
    }
    free(ents);
    return 0;
}

static struct pb_partmap gpt_map = { .name = "gpt", .iterate = gpt_iterate };

/** pvboot_init_part_gpt() - register the gpt partition map. */
void pvboot_init_part_gpt(void)
{
    pb_partmap_register(&gpt_map);
}
