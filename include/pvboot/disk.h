/* SPDX-License-Identifier: MIT */
/*
 * Disks, partitions and devices.
 *
 * Units: every `*_sector` / `nr_sectors` / `start` / `len` below is in
 * 512-byte sectors (PB_SECTOR_SIZE), whatever the device's logical sector
 * size; every `offset` / `len_bytes` is in bytes.  A driver with 4096-byte
 * logical sectors still takes 512-byte sector numbers; the cache layer keeps
 * I/O aligned to the device's sector_size.
 *
 * Names follow GRUB: a disk is "xen/xvda" (alias "hd0"), "memdisk",
 * "host/NAME" in the hosted build, "lvm/VG-LV" (LVM2 logical volume, '-' in
 * VG/LV names doubled as device-mapper does; alias "lvmid/VGUUID/LVUUID" as
 * grub-mkconfig writes it), "md/NAME" (alias
 * "mduuid/UUID", Linux md RAID1); a device is "DISK" or "DISK,PART" where
 * PART is "msdos1", "gpt2", nested "msdos5", or a bare number "1" (= the
 * first partition of any map), e.g. "xen/xvda,msdos1", "hd0,gpt2", "hd0,1".
 */
#ifndef PVBOOT_DISK_H
#define PVBOOT_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_SECTOR_SIZE 512u
#define PB_SECTOR_SHIFT 9

struct pb_disk;

struct pb_disk_ops {
    /* Read @count 512-byte sectors from @sector into @buf (any alignment). */
    int (*read)(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf);
    /* Write likewise; NULL if the disk is read-only. */
    int (*write)(struct pb_disk *d, uint64_t sector, uint64_t count, const void *buf);
    /* Release the device (blkfront: disconnect cleanly).  May be NULL. */
    void (*close)(struct pb_disk *d);
};

#define PB_DISK_F_READONLY  0x1
#define PB_DISK_F_CDROM     0x2
#define PB_DISK_F_REMOVABLE 0x4

struct pb_disk {
    char name[96];            /* "xen/xvda", "lvm/vg0-boot" */
    char alias[96];           /* "hd0", "mduuid/<32 hex>", "lvmid/<VG uuid>/<LV uuid>" or "" */
    uint64_t nr_sectors;      /* size in 512-byte sectors */
    uint32_t sector_size;     /* logical sector size in bytes (512, 4096) */
    uint32_t flags;           /* PB_DISK_F_* */
    uint64_t order;           /* sort key (vbd id); hdN aliases follow it */
    const struct pb_disk_ops *ops;
    void *priv;               /* driver data */
    void *cache;              /* owned by the disk cache layer */
    struct pb_disk *next;     /* registry link */
};

/** pb_disk_register() - add a disk (static or heap storage owned by the
 *  driver). Returns 0, or PB_EINVAL for a duplicate name. */
int pb_disk_register(struct pb_disk *d);
/** pb_disk_unregister() - remove it (cache dropped, ops->close not called);
 *  the scanners' forget() drop the virtual disks built on it. */
void pb_disk_unregister(struct pb_disk *d);
/** pb_disk_find() - by name or alias ("xen/xvda", "hd0"); NULL if none. */
struct pb_disk *pb_disk_find(const char *name);
/** pb_disk_first()/pb_disk_next() - iterate in registration `order`. */
struct pb_disk *pb_disk_first(void);
struct pb_disk *pb_disk_next(struct pb_disk *d);
/** pb_disk_close_all() - ops->close every disk (before hand-over). */
void pb_disk_close_all(void);

/**
 * pb_disk_read() - cached read of @len bytes at byte @offset.
 * Returns 0, PB_ERANGE past the end, or the driver's error (message names
 * the disk and sector).
 */
int pb_disk_read(struct pb_disk *d, uint64_t offset, size_t len, void *buf);
/**
 * pb_disk_read_hook - if set, pb_disk_read() calls it first with the disk,
 * byte @offset and @len of every read (GRUB's read hook).  save_env uses it
 * to find the blocks holding grubenv so it can rewrite them in place.
 */
extern void (*pb_disk_read_hook)(struct pb_disk *d, uint64_t offset, size_t len, void *ctx);
extern void *pb_disk_read_hook_ctx;
/** pb_disk_write() - write-through (cache updated). */
int pb_disk_write(struct pb_disk *d, uint64_t offset, size_t len, const void *buf);

/**
 * pb_disk_read_raw() - uncached read of @len bytes at byte @offset straight
 * from the driver (bounce buffer when @offset/@len are not multiples of the
 * disk's sector_size).  For stacked disks (LVM, md) whose own read op is
 * called by the cache layer and must not re-enter it.  Returns 0,
 * PB_ERANGE past the end, PB_ENOMEM, or the driver's error.
 */
int pb_disk_read_raw(struct pb_disk *d, uint64_t offset, size_t len, void *buf);

/* ---- stacked (virtual) disks: LVM logical volumes, md arrays ---- */

struct pb_disk_scanner {
    const char *name;         /* "lvm", "mdraid1x" */
    /*
     * Look at the registered disks (and their partitions) and register the
     * virtual disks found on them that are not registered yet.  Called with
     * scanning disabled (pb_disk_find/pb_disk_first do not recurse); must
     * leave no error set for disks that are simply not its kind.
     */
    void (*scan)(void);
    /*
     * @d was unregistered: unregister and free every virtual disk built on
     * it (a later scan finds what is still complete).  Called while @d's
     * devices and mounted filesystems still exist (they are dropped right
     * after), so a disk reading a file on @d (loopback) can close it.
     * May be NULL.
     */
    void (*forget)(struct pb_disk *d);
    struct pb_disk_scanner *next;
};

/**
 * pb_disk_scanner_register() - add a scanner.  The scanners run lazily, from
 * pb_disk_first() and pb_disk_find(), whenever a disk was
 * registered or unregistered since the last scan; rounds repeat (at most 4)
 * while they keep adding disks, so LVM on md and md on LVM are found.
 */
void pb_disk_scanner_register(struct pb_disk_scanner *s);
/** pb_disk_scan() - run the scanners now if disks changed since last time. */
void pb_disk_scan(void);

/* ---- partitions ---- */

struct pb_partition {
    struct pb_disk *disk;
    uint64_t start;           /* absolute, 512-byte sectors */
    uint64_t len;             /* 512-byte sectors */
    int number;               /* GRUB's 0-based index: msdos1 -> 0, msdos5 -> 4 */
    char name[32];            /* "msdos1", "gpt2" */
    const char *map;          /* "msdos", "gpt" */
    uint8_t msdos_type;       /* MBR type byte (0 for gpt) */
    uint8_t type_guid[16];    /* gpt, as stored on disk (mixed-endian) */
    uint8_t part_guid[16];    /* gpt unique partition GUID */
    char part_label[80];      /* gpt name, UTF-8 */
    uint32_t mbr_disk_id;     /* msdos disk signature (for PARTUUID) */
};

struct pb_partmap {
    const char *name;         /* "msdos", "gpt" */
    /*
     * Call @cb for each partition of @d in on-disk order.  Returns 0 when
     * the map was found (even if @cb stopped early), PB_ENOENT if the disk
     * does not hold this kind of map, another error on a damaged map.
     * @cb returns non-zero to stop.
     */
    int (*iterate)(struct pb_disk *d,
                   int (*cb)(const struct pb_partition *p, void *ctx), void *ctx);
    struct pb_partmap *next;
};

/** pb_partmap_register() - add a partition map type; maps are tried in the
 *  order of pb_partmap_probe_order (include/pvboot/probe_order.h). */
void pb_partmap_register(struct pb_partmap *m);
/** pb_partition_iterate() - every partition of @d from the first map that
 *  recognises it, in pb_partmap_probe_order (gpt before msdos, whose
 *  reading of GPT's protective 0xEE partition would otherwise win). */
int pb_partition_iterate(struct pb_disk *d,
                         int (*cb)(const struct pb_partition *p, void *ctx), void *ctx);

/* ---- devices: a disk, or a partition of it ---- */

struct pb_fs;

struct pb_device {
    char name[128];           /* "xen/xvda,msdos1" (canonical, disk name not alias) */
    struct pb_disk *disk;
    bool is_partition;
    struct pb_partition part; /* valid when is_partition */
    uint64_t start;           /* 512-byte sectors from disk start */
    uint64_t nr_sectors;      /* 512-byte sectors */
    struct pb_fs *fs;         /* mounted filesystem (cached), or NULL */
    int refs;
};

/** pb_device_open() - open "DISK[,PART]" (parentheses optional).
 *  Returns 0 and a referenced device, PB_ENOENT if no such disk/partition. */
int pb_device_open(const char *name, struct pb_device **out);
/** pb_device_close() - drop a reference. */
void pb_device_close(struct pb_device *dev);
/** pb_device_read() - @len bytes at byte @offset within the device. */
int pb_device_read(struct pb_device *dev, uint64_t offset, size_t len, void *buf);
/** pb_device_write() - write @len bytes at byte @offset within the device
 *  (through the disk's write op and cache).  PB_ERANGE, naming the device, if
 *  the range passes the device's end; the disk's error otherwise (read-only
 *  disks refuse).  Only `save_env`/grubenv writes use it. */
int pb_device_write(struct pb_device *dev, uint64_t offset, size_t len, const void *buf);
/** pb_device_forget_disk() - drop cached devices of @d and unmount their
 *  filesystems (called by pb_disk_unregister). */
void pb_device_forget_disk(struct pb_disk *d);
/** pb_device_iterate() - every disk and every partition, as device names,
 *  in GRUB's order (disk, then its partitions). @cb non-zero stops. */
int pb_device_iterate(int (*cb)(const char *devname, void *ctx), void *ctx);

#endif
