/* SPDX-License-Identifier: MIT */
/*
 * lvm: LVM2 linear logical volumes as read-only disks "lvm/VG-LV" (GRUB's
 * names: '-' in VG and LV names doubled as device-mapper does), alias
 * "lvmid/VGUUID/LVUUID" (uuids as LVM prints them, with dashes), the name
 * grub-mkconfig writes in `set root=' and `search --hint'.
 *
 * A disk scanner (include/pvboot/disk.h) looks for an LVM2 label on every
 * disk and every partition, reads the newest metadata of each volume group
 * (highest seqno among its PVs), matches the VG's PVs by uuid against the
 * labels found, and registers one disk per visible LV.  Segments must be
 * "striped" with stripe_count 1 (= linear); an LV with any other segment
 * type is still listed, but reading it fails with a message naming the LV
 * and the type.  Extents on a PV that is not present fail likewise, so the
 * LVs of a partial VG that lie on present PVs still work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/lvm.h"

/* One LVM2 label found on a disk or a partition. */
struct pvloc {
    struct pb_disk *disk;
    uint64_t start, nr_sectors;          /* sectors: the PV within the disk */
    char uuid[PB_LVM_UUID_LEN + 1];
    struct pb_lvm_vg vg;                 /* its metadata, if it has an area with text */
    bool has_vg;
};

struct seg_map {
    uint64_t start, count;               /* LV sectors */
    struct pb_disk *disk;                /* NULL: PV missing */
    uint64_t disk_sector;                /* absolute sector on @disk */
    char pv_uuid[PB_LVM_UUID_LEN + 7];   /* as LVM prints it: 6-4-4-4-4-4-6 */
};

struct lv_disk {
    struct pb_disk disk;
    char why[400];                       /* non-empty: unsupported, reads fail */
    unsigned nr_segs;
    struct seg_map *segs;
    struct lv_disk *next;
};

static struct lv_disk *lv_disks;
static uint64_t lv_order = 1ull << 62;   /* after the vbds, before memdisk */

static int lv_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    struct lv_disk *lv = d->priv;
    if (lv->why[0])
        return pb_error(PB_ENOTSUP, "%s: %s", d->name, lv->why);
    if (sector > d->nr_sectors || count > d->nr_sectors - sector)
        return pb_error(PB_ERANGE, "%s: read of sectors %llu+%llu past the end (%llu sectors)",
                        d->name, (unsigned long long)sector, (unsigned long long)count,
                        (unsigned long long)d->nr_sectors);
    uint8_t *p = buf;
    unsigned k = 0;
    while (count > 0) {
        while (k < lv->nr_segs && sector >= lv->segs[k].start + lv->segs[k].count)
            k++;
        if (k >= lv->nr_segs || sector < lv->segs[k].start)
            return pb_error(PB_EBADFS, "%s: no segment maps sector %llu", d->name,
                            (unsigned long long)sector);
        const struct seg_map *s = &lv->segs[k];
        uint64_t in = sector - s->start;
        uint64_t n = s->count - in;
        if (n > count)
            n = count;
        if (!s->disk)
            return pb_error(PB_EIO, "%s: sector %llu is on physical volume %s, which was not found",
                            d->name, (unsigned long long)sector, s->pv_uuid);
        int r = pb_disk_read_raw(s->disk, (s->disk_sector + in) * PB_SECTOR_SIZE,
                                 (size_t)(n * PB_SECTOR_SIZE), p);
        if (r < 0)
            return r;
        p += n * PB_SECTOR_SIZE;
        sector += n;
        count -= n;
    }
    return 0;
}

static const struct pb_disk_ops lv_ops = { .read = lv_read };

/* ---- scanning ---- */

struct vols {
    struct pvloc *v;
    unsigned n, cap;
};

static int add_vol(struct vols *vs, struct pb_disk *d, uint64_t start, uint64_t len)
{
    if (vs->n == vs->cap) {
        unsigned cap = vs->cap ? vs->cap * 2 : 16;
        if (cap > 4096)
            return -1;
        struct pvloc *v = realloc(vs->v, cap * sizeof *v);
        if (!v)
            return -1;
        vs->v = v;
        vs->cap = cap;
    }
    memset(&vs->v[vs->n], 0, sizeof vs->v[0]);
    vs->v[vs->n].disk = d;
    vs->v[vs->n].start = start;
    vs->v[vs->n].nr_sectors = len;
    vs->n++;
    return 0;
}

struct part_ctx {
    struct vols *vs;
    struct pb_disk *d;
};

static int part_cb(const struct pb_partition *p, void *vctx)
{
    struct part_ctx *c = vctx;
    return add_vol(c->vs, c->d, p->start, p->len) < 0;
}

/* Read metadata text of one area into a new buffer (circular wrap handled). */
static int read_text(const struct pvloc *pv, uint64_t mda_off, uint64_t mda_size, char **out,
                     size_t *outlen)
{
    uint8_t hdr[PB_LVM_MDA_HEADER_SIZE];
    uint64_t base = pv->start * PB_SECTOR_SIZE;
    uint64_t pvbytes = pv->nr_sectors * PB_SECTOR_SIZE;
    if (mda_off > pvbytes || mda_size > pvbytes - mda_off || mda_size > (64u << 20))
        return pb_error(PB_EBADFS, "lvm: %s: metadata area %llu+%llu outside the PV", pv->disk->name,
                        (unsigned long long)mda_off, (unsigned long long)mda_size);
    int r = pb_disk_read(pv->disk, base + mda_off, sizeof hdr, hdr);
    if (r < 0)
        return r;
    uint64_t toff, tsize;
    uint32_t tcrc;
    r = pb_lvm_parse_mda_header(hdr, mda_off, mda_size, &toff, &tsize, &tcrc);
    if (r < 0)
        return r;
    char *t = malloc((size_t)tsize + 1);
    if (!t)
        return pb_error(PB_ENOMEM, "lvm: out of memory for %llu bytes of metadata",
                        (unsigned long long)tsize);
    uint64_t first = tsize;
    if (toff + tsize > mda_size)
        first = mda_size - toff;
    r = pb_disk_read(pv->disk, base + mda_off + toff, (size_t)first, t);
    if (r == 0 && first < tsize)
        r = pb_disk_read(pv->disk, base + mda_off + PB_LVM_MDA_HEADER_SIZE, (size_t)(tsize - first),
                         t + first);
    if (r == 0 && pb_lvm_crc(0xf597a6cfu, t, (size_t)tsize) != tcrc)
        r = pb_error(PB_EBADFS, "lvm: %s: metadata text at byte %llu: bad checksum", pv->disk->name,
                     (unsigned long long)(mda_off + toff));
    if (r < 0) {
        free(t);
        return r;
    }
    t[tsize] = '\0';
    *out = t;
    *outlen = (size_t)tsize;
    return 0;
}

static void probe_pv(struct pvloc *pv)
{
    uint8_t head[2048];
    if (pv->nr_sectors < 8 || pb_disk_read(pv->disk, pv->start * PB_SECTOR_SIZE, sizeof head, head) < 0)
        return;
    struct pb_lvm_label lab;
    if (pb_lvm_parse_label(head, sizeof head, &lab) < 0)
        return;
    memcpy(pv->uuid, lab.pv_uuid, sizeof pv->uuid);
    for (unsigned m = 0; m < lab.nr_mdas && !pv->has_vg; m++) {
        char *t = NULL;
        size_t tl = 0;
        if (read_text(pv, lab.mda_offset[m], lab.mda_size[m], &t, &tl) < 0)
            continue;
        if (pb_lvm_parse_metadata(t, tl, &pv->vg) == 0)
            pv->has_vg = true;
        free(t);
    }
}

static bool is_stacked(const struct pb_disk *d)
{
    return strncmp(d->name, "md", 2) == 0;
}

/* The present PV with this uuid (an md array is preferred to its members). */
static const struct pvloc *find_pv(const struct vols *vs, const char *uuid)
{
    const struct pvloc *best = NULL;
    for (unsigned i = 0; i < vs->n; i++)
        if (vs->v[i].uuid[0] && strcmp(vs->v[i].uuid, uuid) == 0 &&
            (!best || (is_stacked(vs->v[i].disk) && !is_stacked(best->disk))))
            best = &vs->v[i];
    return best;
}

/* LVM's printed form of a 32-character uuid: 6-4-4-4-4-4-6 */
static void dashed(const char *u, char *out, size_t size)
{
    snprintf(out, size, "%.6s-%.4s-%.4s-%.4s-%.4s-%.4s-%.6s", u, u + 6, u + 10, u + 14, u + 18,
             u + 22, u + 26);
}

static void register_lv(const struct vols *vs, const struct pb_lvm_vg *vg, const struct pb_lvm_lv *l)
{
    char name[sizeof ((struct pb_disk *)0)->name];
    if (pb_lvm_disk_name(vg->name, l->name, name, sizeof name) < 0)
        return;
    struct lv_disk *lv = NULL;
    for (struct lv_disk *x = lv_disks; x; x = x->next)
        if (strcmp(x->disk.name, name) == 0)
            lv = x;
    struct seg_map *segs = calloc(l->nr_segs, sizeof *segs);
    if (!segs)
        return;
    char why[sizeof ((struct lv_disk *)0)->why] = "";
    uint32_t ss = PB_SECTOR_SIZE;
    for (unsigned k = 0; k < l->nr_segs; k++) {
        const struct pb_lvm_seg *s = &l->segs[k];
        segs[k].start = s->start_extent * vg->extent_size;
        segs[k].count = s->extent_count * vg->extent_size;
        if (strcmp(s->type, "striped") != 0 || s->stripe_count != 1 || s->pv < 0) {
            if (!why[0]) {
                if (strcmp(s->type, "striped") == 0)
                    snprintf(why, sizeof why, "logical volume %s/%s has %u stripes "
                             "(only linear LVs are supported)", vg->name, l->name, s->stripe_count);
                else
                    snprintf(why, sizeof why, "logical volume %s/%s has a `%s' segment "
                             "(only linear LVs are supported)", vg->name, l->name, s->type);
            }
            continue;
        }
        const struct pb_lvm_pv *mpv = &vg->pvs[s->pv];
        dashed(mpv->uuid, segs[k].pv_uuid, sizeof segs[k].pv_uuid);
        const struct pvloc *pv = find_pv(vs, mpv->uuid);
        if (!pv)
            continue;
        uint64_t first = mpv->pe_start + s->pv_start_extent * vg->extent_size;
        if (first > pv->nr_sectors || segs[k].count > pv->nr_sectors - first) {
            if (!why[0])
                snprintf(why, sizeof why, "logical volume %s/%s: extents beyond the end of %s",
                         vg->name, l->name, pv->disk->name);
            continue;
        }
        segs[k].disk = pv->disk;
        segs[k].disk_sector = pv->start + first;
        if (pv->disk->sector_size > ss)
            ss = pv->disk->sector_size;
    }
    if (lv) {   /* rescan: PVs may have appeared or gone */
        free(lv->segs);
        lv->segs = segs;
        lv->nr_segs = l->nr_segs;
        memcpy(lv->why, why, sizeof why);
        return;
    }
    lv = calloc(1, sizeof *lv);
    if (!lv) {
        free(segs);
        return;
    }
    snprintf(lv->disk.name, sizeof lv->disk.name, "%s", name);
    /* GRUB's second name, which grub-mkconfig uses: lvmid/VGUUID/LVUUID */
    char vu[PB_LVM_UUID_LEN + 7], lu[PB_LVM_UUID_LEN + 7];
    dashed(vg->uuid, vu, sizeof vu);
    dashed(l->uuid, lu, sizeof lu);
    snprintf(lv->disk.alias, sizeof lv->disk.alias, "lvmid/%s/%s", vu, lu);
    lv->disk.nr_sectors = l->extent_count * vg->extent_size;
    lv->disk.sector_size = ss;
    lv->disk.flags = PB_DISK_F_READONLY;
    lv->disk.order = lv_order++;
    lv->disk.ops = &lv_ops;
    lv->disk.priv = lv;
    lv->segs = segs;
    lv->nr_segs = l->nr_segs;
    memcpy(lv->why, why, sizeof why);
    if (pb_disk_register(&lv->disk) < 0) {
        pb_error_clear();
        free(segs);
        free(lv);
        return;
    }
    lv->next = lv_disks;
    lv_disks = lv;
}

static void lvm_scan(void)
{
    struct vols vs = { 0 };
    for (struct pb_disk *d = pb_disk_first(); d; d = pb_disk_next(d)) {
        if (d->ops == &lv_ops)
            continue;
        if (add_vol(&vs, d, 0, d->nr_sectors) < 0)
            break;
        struct part_ctx pc = { &vs, d };
        pb_partition_iterate(d, part_cb, &pc);
        pb_error_clear();
    }
    for (unsigned i = 0; i < vs.n; i++)
        probe_pv(&vs.v[i]);
    pb_error_clear();
    /* each VG once, from its newest metadata */
    for (unsigned i = 0; i < vs.n; i++) {
        if (!vs.v[i].has_vg)
            continue;
        const struct pb_lvm_vg *best = &vs.v[i].vg;
        bool first = true;
        for (unsigned j = 0; j < vs.n && first; j++) {
            if (j == i || !vs.v[j].has_vg || strcmp(vs.v[j].vg.uuid, best->uuid) != 0)
                continue;
            if (vs.v[j].vg.seqno > best->seqno || (vs.v[j].vg.seqno == best->seqno && j < i))
                first = false;
        }
        if (!first)
            continue;
        for (unsigned k = 0; k < best->nr_lvs; k++)
            if (best->lvs[k].visible)
                register_lv(&vs, best, &best->lvs[k]);
    }
    pb_error_clear();
    for (unsigned i = 0; i < vs.n; i++)
        if (vs.v[i].has_vg)
            pb_lvm_vg_free(&vs.v[i].vg);
    free(vs.v);
}

static void lvm_forget(struct pb_disk *gone)
{
    struct lv_disk **pp = &lv_disks;
    while (*pp) {
        struct lv_disk *lv = *pp;
        bool uses = false;
        for (unsigned k = 0; k < lv->nr_segs; k++)
            if (lv->segs[k].disk == gone)
                uses = true;
        if (!uses) {
            pp = &lv->next;
            continue;
        }
        *pp = lv->next;
        pb_disk_unregister(&lv->disk);
        free(lv->segs);
        free(lv);
    }
}

static struct pb_disk_scanner lvm_scanner = { .name = "lvm", .scan = lvm_scan, .forget = lvm_forget };

/** pvboot_init_lvm() - register the LVM scanner (LVs appear on next disk lookup). */
void pvboot_init_lvm(void)
{
    pb_disk_scanner_register(&lvm_scanner);
}
