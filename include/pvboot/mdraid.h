/* SPDX-License-Identifier: MIT */
/*
 * Linux md RAID superblocks (module "mdraid1x"): version 1.0 (at the end of
 * the member), 1.1 (at sector 0), 1.2 (at byte 4096) and 0.90 (last 64 KiB
 * aligned block).  Follows the kernel's struct mdp_superblock_1 and
 * mdp_superblock_s (include/uapi/linux/raid/md_p.h), little-endian.
 *
 * Units: every sector below is a 512-byte sector.
 */
#ifndef PVBOOT_MDRAID_H
#define PVBOOT_MDRAID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_MD_MAGIC 0xa92b4efcu
#define PB_MD_SB1_MAX 4096u         /* bytes read for a 1.x superblock */
#define PB_MD_SB090_BYTES 4096u

struct pb_md_super {
    unsigned major, minor;          /* 1.0/1.1/1.2 or 0.90 */
    uint8_t uuid[16];               /* array uuid, bytes as GRUB prints them */
    char name[33];                  /* 1.x set_name ("host:name"), "" for 0.90 */
    int md_minor;                   /* 0.90: md device number; -1 for 1.x */
    int32_t level;                  /* 1 = raid1 */
    uint32_t raid_disks;
    uint64_t array_sectors;         /* raid1: size of the array */
    uint64_t data_offset;           /* sectors from the member start */
    uint64_t events;
    bool in_sync;                   /* this member is an active, fully synced mirror */
    int role;                       /* slot, or -1 (spare/faulty) */
};

/**
 * pb_md_parse_sb1() - check a 1.x superblock read from sector @sb_sector of
 * a member of @dev_sectors sectors (@len bytes in @buf, up to 4096).
 * Checks magic, major version 1, that super_offset equals @sb_sector, the
 * checksum over 256 + 2*max_dev bytes, that dev_roles fit in @len, and that
 * data_offset+size lies within the member.  Returns 0, PB_ENOENT when there
 * is no md magic, PB_EBADFS (damaged) or PB_ENOTSUP (reshape in progress).
 */
int pb_md_parse_sb1(const void *buf, size_t len, uint64_t sb_sector, uint64_t dev_sectors,
                    struct pb_md_super *out);

/**
 * pb_md_parse_sb090() - check a 0.90 superblock (4096 bytes in @buf) of a
 * member of @dev_sectors sectors: magic, version 0.90, checksum, and the
 * size within the member.  Returns 0, PB_ENOENT, PB_EBADFS.
 */
int pb_md_parse_sb090(const void *buf, size_t len, uint64_t dev_sectors, struct pb_md_super *out);

/** pb_md_sb090_sector() - where a 0.90 superblock lives on a member of
 *  @dev_sectors sectors (the last 64 KiB-aligned 64 KiB). */
uint64_t pb_md_sb090_sector(uint64_t dev_sectors);
/** pb_md_sb10_sector() - where a 1.0 superblock lives: 8 KiB before the
 *  end, rounded down to 4 KiB. */
uint64_t pb_md_sb10_sector(uint64_t dev_sectors);

#endif
