/* SPDX-License-Identifier: MIT */
/*
 * LVM2 on-disk format (module "lvm"): the physical-volume label, the
 * metadata-area header and the volume-group metadata text, as LVM2 writes
 * them (format "lvm2", label type "LVM2 001", metadata text format version 1).
 *
 * Units: byte offsets are bytes; `pe_start`, `extent_size` are 512-byte
 * sectors (as in the metadata text); extent numbers are extents.
 *
 * The parsers take untrusted bytes and never read outside the given buffer;
 * errors are PB_EBADFS with a message naming the structure and offset.
 */
#ifndef PVBOOT_LVM_H
#define PVBOOT_LVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_LVM_UUID_LEN 32          /* without the dashes */
#define PB_LVM_NAME_MAX 128         /* LVM2's own limit for VG/LV names */
#define PB_LVM_MDA_HEADER_SIZE 512u
#define PB_LVM_MAX_PVS 1024u
#define PB_LVM_MAX_LVS 4096u
#define PB_LVM_MAX_SEGS 4096u       /* per LV */

/* What the label sector (one of sectors 0-3) and its pv_header give. */
struct pb_lvm_label {
    unsigned sector;                        /* 0..3: where LABELONE was */
    char pv_uuid[PB_LVM_UUID_LEN + 1];      /* 32 chars, no dashes */
    uint64_t device_size;                   /* bytes, as recorded */
    uint64_t mda_offset[2];                 /* bytes from the PV start */
    uint64_t mda_size[2];                   /* bytes */
    unsigned nr_mdas;                       /* 0..2 used */
};

/**
 * pb_lvm_parse_label() - find and check the LVM2 label in the first
 * @len bytes of a PV (@len >= 2048 to see sectors 0-3).
 * Checks "LABELONE", the sector number field, the CRC (LVM2's CRC-32 with
 * initial value 0xf597a6cf over bytes 20..511 of the label sector), type
 * "LVM2 001" and the pv_header's disk-area lists (bounded by the sector).
 * Returns 0, PB_ENOENT if there is no label, PB_EBADFS if it is damaged.
 */
int pb_lvm_parse_label(const void *buf, size_t len, struct pb_lvm_label *out);

/**
 * pb_lvm_parse_mda_header() - check a 512-byte metadata-area header
 * (checksum, magic " LVM2 x[5A%r0N*>", version 1, its own @mda_offset and
 * @mda_size in bytes) and return where the current metadata text is: its
 * byte offset from the area start (*@text_off, >= 512), *@text_size bytes,
 * and *@text_crc.  Text that runs past the area's end continues at area
 * offset 512 (circular buffer); the caller reads it so.
 * Returns 0, PB_ENOENT if the area holds no metadata (or it is marked
 * ignored), PB_EBADFS if damaged.
 */
int pb_lvm_parse_mda_header(const void *buf, uint64_t mda_offset, uint64_t mda_size,
                            uint64_t *text_off, uint64_t *text_size, uint32_t *text_crc);

/** pb_lvm_crc() - LVM2's CRC-32 (reflected 0xedb88320, no final xor) of
 *  @len bytes, starting from @crc (0xf597a6cf for a new checksum). */
uint32_t pb_lvm_crc(uint32_t crc, const void *buf, size_t len);

struct pb_lvm_pv {
    char name[PB_LVM_NAME_MAX];             /* "pv0" */
    char uuid[PB_LVM_UUID_LEN + 1];         /* no dashes */
    uint64_t pe_start;                      /* sectors */
    uint64_t pe_count;                      /* extents */
};

struct pb_lvm_seg {
    uint64_t start_extent, extent_count;    /* LV extents */
    char type[32];                          /* "striped", "thin", ... */
    uint32_t stripe_count;
    int pv;                                 /* index in vg->pvs (stripe 0), -1 if none */
    uint64_t pv_start_extent;               /* extent on that PV */
};

struct pb_lvm_lv {
    char name[PB_LVM_NAME_MAX];
    char uuid[PB_LVM_UUID_LEN + 1];
    bool visible;                           /* status has "VISIBLE" */
    uint64_t extent_count;                  /* sum of its segments */
    unsigned nr_segs;
    struct pb_lvm_seg *segs;                /* sorted by start_extent, contiguous from 0 */
};

struct pb_lvm_vg {
    char name[PB_LVM_NAME_MAX];
    char uuid[PB_LVM_UUID_LEN + 1];
    uint64_t seqno;
    uint64_t extent_size;                   /* sectors */
    unsigned nr_pvs, nr_lvs;
    struct pb_lvm_pv *pvs;
    struct pb_lvm_lv *lvs;
};

/**
 * pb_lvm_parse_metadata() - parse VG metadata text (@len bytes, NUL not
 * needed) into @vg (heap arrays; free with pb_lvm_vg_free).  Takes the first
 * top-level section that has "physical_volumes".  Every number, count and
 * name is bounded; a segment list must cover the LV from extent 0 without
 * gaps or overlaps.  Returns 0, PB_EBADFS naming the section/key, PB_ENOMEM.
 */
int pb_lvm_parse_metadata(const char *text, size_t len, struct pb_lvm_vg *vg);
/** pb_lvm_vg_free() - free what pb_lvm_parse_metadata allocated. */
void pb_lvm_vg_free(struct pb_lvm_vg *vg);

/**
 * pb_lvm_disk_name() - GRUB's disk name of an LV: "lvm/VG-LV" with every
 * '-' in VG and LV doubled (device-mapper naming).  Returns 0, or PB_ERANGE
 * if it does not fit in @size bytes.
 */
int pb_lvm_disk_name(const char *vg, const char *lv, char *out, size_t size);

#endif
