/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the lvm and mdraid1x modules: LVM2's CRC, the label and
 * metadata-area parsers, the metadata text parser (exact values), the
 * device-mapper style names; then whole PVs and md members built in memory
 * as hosted disks: LV extents mapped across segments and PVs, a missing PV,
 * md 1.2 members with one missing, alias mduuid/, and the stacked disks
 * going away when their disks are unregistered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/disk.h"
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/lvm.h"
#include "pvboot/mdraid.h"
#include "pvboot/script.h"

static void w32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }

static void test_crc(void **state)
{
    (void)state;
    /* with the usual ~0 start and final inversion it is the standard CRC-32 */
    assert_int_equal(pb_lvm_crc(0xffffffffu, "123456789", 9) ^ 0xffffffffu, 0xcbf43926u);
    assert_int_equal(pb_lvm_crc(0xf597a6cfu, "", 0), 0xf597a6cfu);
}

static void test_names(void **state)
{
    (void)state;
    char b[96];
    assert_int_equal(pb_lvm_disk_name("vg0", "boot", b, sizeof b), 0);
    assert_string_equal(b, "lvm/vg0-boot");
    assert_int_equal(pb_lvm_disk_name("ubuntu-vg", "ubuntu-lv", b, sizeof b), 0);
    assert_string_equal(b, "lvm/ubuntu--vg-ubuntu--lv");
    assert_int_equal(pb_lvm_disk_name("a--b", "-", b, sizeof b), 0);
    assert_string_equal(b, "lvm/a----b---");
    assert_int_equal(pb_lvm_disk_name("vg0", "boot", b, 12), PB_ERANGE);
    assert_int_equal(pb_lvm_disk_name("vg0", "boot", b, 13), 0);
}

static const char META[] =
    "# comment\n"
    "vg0 {\n"
    "id = \"qmmvab-XUSV-2A9a-we06-yg3I-ciUI-3eZUi3\"\n"
    "seqno = 7\n"
    "format = \"lvm2\" # trailing comment\n"
    "status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
    "extent_size = 8192\n"
    "physical_volumes {\n"
    "pv0 {\n id = \"DCws04-GkhC-oyMe-PicZ-M0af-zzfw-J01Sw5\"\n device = \"/dev/ubda\"\n"
    " status = [\"ALLOCATABLE\"]\n dev_size = 131072\n pe_start = 2048\n pe_count = 15\n}\n"
    "pv1 {\n id = \"179nkE-2Mti-3oIS-kyWw-BlWG-57Ww-ZzNfJ5\"\n pe_start = 2048\n pe_count = 15\n}\n"
    "}\n"
    "logical_volumes {\n"
    "boot {\n id = \"Q9mgWN-iJJe-wqv3-7CKh-KLoq-dRI1-Im9ZKk\"\n"
    " status = [\"READ\", \"WRITE\", \"VISIBLE\"]\n segment_count = 2\n"
    " segment2 {\n start_extent = 2\n extent_count = 3\n type = \"striped\"\n stripe_count = 1\n"
    "  stripes = [\n\"pv1\", 4\n]\n }\n"
    " segment1 {\n start_extent = 0\n extent_count = 2\n type = \"striped\"\n stripe_count = 1\n"
    "  stripes = [\"pv0\", 0]\n }\n"
    "}\n"
    "thin-pool_tmeta {\n id = \"Q9mgWN-iJJe-wqv3-7CKh-KLoq-dRI1-Im9ZKa\"\n status = [\"READ\"]\n"
    " segment1 {\n start_extent = 0\n extent_count = 1\n type = \"thin-pool\"\n }\n}\n"
    "}\n"
    "}\n"
    "contents = \"Text Format Volume Group\"\nversion = 1\n"
    "description = \"with \\\"quotes\\\" and {braces}\"\n";

static void test_metadata(void **state)
{
    (void)state;
    struct pb_lvm_vg vg;
    assert_int_equal(pb_lvm_parse_metadata(META, strlen(META), &vg), 0);
    assert_string_equal(vg.name, "vg0");
    assert_string_equal(vg.uuid, "qmmvabXUSV2A9awe06yg3IciUI3eZUi3");
    assert_int_equal(vg.seqno, 7);
    assert_int_equal(vg.extent_size, 8192);
    assert_int_equal(vg.nr_pvs, 2);
    assert_string_equal(vg.pvs[0].name, "pv0");
    assert_string_equal(vg.pvs[0].uuid, "DCws04GkhCoyMePicZM0afzzfwJ01Sw5");
    assert_int_equal(vg.pvs[0].pe_start, 2048);
    assert_int_equal(vg.pvs[0].pe_count, 15);
    assert_string_equal(vg.pvs[1].uuid, "179nkE2Mti3oISkyWwBlWG57WwZzNfJ5");
    assert_int_equal(vg.nr_lvs, 2);
    const struct pb_lvm_lv *lv = &vg.lvs[0];
    assert_string_equal(lv->name, "boot");
    assert_true(lv->visible);
    assert_int_equal(lv->extent_count, 5);
    assert_int_equal(lv->nr_segs, 2);
    /* sorted by start_extent */
    assert_int_equal(lv->segs[0].start_extent, 0);
    assert_int_equal(lv->segs[0].extent_count, 2);
    assert_int_equal(lv->segs[0].pv, 0);
    assert_int_equal(lv->segs[0].pv_start_extent, 0);
    assert_int_equal(lv->segs[1].start_extent, 2);
    assert_int_equal(lv->segs[1].extent_count, 3);
    assert_int_equal(lv->segs[1].pv, 1);
    assert_int_equal(lv->segs[1].pv_start_extent, 4);
    assert_string_equal(lv->segs[1].type, "striped");
    assert_int_equal(lv->segs[1].stripe_count, 1);
    assert_string_equal(vg.lvs[1].name, "thin-pool_tmeta");
    assert_false(vg.lvs[1].visible);
    assert_string_equal(vg.lvs[1].segs[0].type, "thin-pool");
    pb_lvm_vg_free(&vg);
}

static void expect_bad(const char *text, const char *msg_part)
{
    struct pb_lvm_vg vg;
    int r = pb_lvm_parse_metadata(text, strlen(text), &vg);
    assert_int_equal(r, PB_EBADFS);
    if (!strstr(pb_errmsg(), msg_part))
        fail_msg("message `%s' lacks `%s'", pb_errmsg(), msg_part);
    pb_error_clear();
}

static void test_metadata_bad(void **state)
{
    (void)state;
    char *t = strdup(META);
    /* a gap: segment2 starts at 3 */
    char *p = strstr(t, "start_extent = 2");
    p[15] = '3';   /* segment2 starts at 3: extent 2 unmapped */
    expect_bad(t, "segments leave a gap at extent 2");
    free(t);
    t = strdup(META);
    p = strstr(t, "\"pv1\", 4");
    memcpy(p, "\"pv1\",13", 8);   /* extents 13..15 of a 15-extent PV */
    expect_bad(t, "extents 13+3 beyond pv1's 15");
    free(t);
    t = strdup(META);
    p = strstr(t, "\"pv1\", 4");
    memcpy(p, "\"pv7\", 4", 8);
    expect_bad(t, "unknown physical volume `pv7'");
    free(t);
    expect_bad("vg0 {\nid = \"x\"\n", "missing `}'");
    expect_bad("vg0 { physical_volumes { } }", "missing `id'");
    expect_bad("vg0 { a = \"unterminated }", "unterminated string");
    expect_bad("contents = 1\n", "no volume group section");
    /* nesting is bounded */
    char deep[200];
    size_t o = 0;
    for (int i = 0; i < 40; i++) {
        deep[o++] = 'a';
        deep[o++] = '{';
    }
    deep[o] = '\0';
    expect_bad(deep, "nested too deeply");
}

/* ---- a PV in memory: label at sector 1, one metadata area at 4 KiB ---- */

#define PV_SECTORS 4096u            /* 2 MiB */
#define MDA_OFF 4096u
#define MDA_SIZE (64u * 1024u)

static void make_label(uint8_t *img, const char *uuid32, uint64_t devsize)
{
    uint8_t *l = img + 512;
    memcpy(l, "LABELONE", 8);
    w64(l + 8, 1);
    w32(l + 20, 32);
    memcpy(l + 24, "LVM2 001", 8);
    memcpy(l + 32, uuid32, 32);
    w64(l + 64, devsize);
    w64(l + 72, 64 * 1024);          /* data area at 64 KiB */
    w64(l + 80, 0);
    w64(l + 88, 0);                  /* end of data areas */
    w64(l + 96, 0);
    w64(l + 104, MDA_OFF);
    w64(l + 112, MDA_SIZE);
    /* zero terminator follows */
    w32(l + 16, pb_lvm_crc(0xf597a6cfu, l + 20, 512 - 20));
}

static void make_mda(uint8_t *img, const char *text, uint64_t text_off)
{
    uint8_t *h = img + MDA_OFF;
    memcpy(h + 4, " LVM2 x[5A%r0N*>", 16);
    w32(h + 20, 1);
    w64(h + 24, MDA_OFF);
    w64(h + 32, MDA_SIZE);
    size_t n = strlen(text);
    w64(h + 40, text_off);
    w64(h + 48, n);
    /* the text may wrap around the end of the area to offset 512 */
    size_t first = n;
    if (text_off + n > MDA_SIZE)
        first = MDA_SIZE - text_off;
    memcpy(img + MDA_OFF + text_off, text, first);
    memcpy(img + MDA_OFF + 512, text + first, n - first);
    w32(h + 56, pb_lvm_crc(0xf597a6cfu, text, n));
    w32(h, pb_lvm_crc(0xf597a6cfu, h + 4, 512 - 4));
}

static void test_label_mda(void **state)
{
    (void)state;
    uint8_t *img = calloc(1, 2 * MDA_SIZE);
    make_label(img, "DCws04GkhCoyMePicZM0afzzfwJ01Sw5", 2u << 20);
    struct pb_lvm_label lab;
    assert_int_equal(pb_lvm_parse_label(img, 2048, &lab), 0);
    assert_int_equal(lab.sector, 1);
    assert_string_equal(lab.pv_uuid, "DCws04GkhCoyMePicZM0afzzfwJ01Sw5");
    assert_int_equal(lab.device_size, 2u << 20);
    assert_int_equal(lab.nr_mdas, 1);
    assert_int_equal(lab.mda_offset[0], MDA_OFF);
    assert_int_equal(lab.mda_size[0], MDA_SIZE);
    img[600] ^= 1;
    assert_int_equal(pb_lvm_parse_label(img, 2048, &lab), PB_EBADFS);
    pb_error_clear();
    img[600] ^= 1;
    assert_int_equal(pb_lvm_parse_label(img, 1024, &lab), 0);
    assert_int_equal(pb_lvm_parse_label(img, 512, &lab), PB_ENOENT);   /* sector 1 not given */

    make_mda(img, "vg { }", 1024);
    uint64_t off, size;
    uint32_t crc;
    assert_int_equal(pb_lvm_parse_mda_header(img + MDA_OFF, MDA_OFF, MDA_SIZE, &off, &size, &crc), 0);
    assert_int_equal(off, 1024);
    assert_int_equal(size, 6);
    assert_int_equal(crc, pb_lvm_crc(0xf597a6cfu, "vg { }", 6));
    /* wrong start recorded */
    assert_int_equal(pb_lvm_parse_mda_header(img + MDA_OFF, 8192, MDA_SIZE, &off, &size, &crc), PB_EBADFS);
    pb_error_clear();
    free(img);
}

static char *pv_text(unsigned pv1_pe_count)
{
    static char t[4096];
    /* extent_size 64 sectors = 32 KiB; pe_start 128 sectors (64 KiB) */
    snprintf(t, sizeof t,
             "vgt {\nid = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\nseqno = 3\nextent_size = 64\n"
             "physical_volumes {\n"
             "pv0 { id = \"PV0000-0000-0000-0000-0000-0000-000000\" pe_start = 128 pe_count = 60 }\n"
             "pv1 { id = \"PV1111-1111-1111-1111-1111-1111-111111\" pe_start = 128 pe_count = %u }\n"
             "}\nlogical_volumes {\n"
             "my-lv { id = \"LV0000-0000-0000-0000-0000-0000-000000\" status = [\"VISIBLE\"]\n"
             " segment1 { start_extent = 0 extent_count = 2 type = \"striped\" stripe_count = 1 stripes = [\"pv0\", 5] }\n"
             " segment2 { start_extent = 2 extent_count = 1 type = \"striped\" stripe_count = 1 stripes = [\"pv1\", 0] }\n"
             "}\n"
             "hidden { id = \"LV1111-1111-1111-1111-1111-1111-111111\" status = [\"READ\"]\n"
             " segment1 { start_extent = 0 extent_count = 1 type = \"striped\" stripe_count = 1 stripes = [\"pv0\", 9] }\n"
             "}\n}\n}\n",
             pv1_pe_count);
    return t;
}

/* fill LV extent @e (32 KiB) on a PV image at PV extent @pe with a pattern */
static void fill_extent(uint8_t *img, unsigned pe, unsigned e)
{
    uint8_t *p = img + 128 * 512 + (size_t)pe * 32768;
    for (unsigned i = 0; i < 32768; i++)
        p[i] = (uint8_t)(e * 37 + i * 7);
}

static void test_lv_disk(void **state)
{
    (void)state;
    uint8_t *a = calloc(PV_SECTORS, 512), *b = calloc(PV_SECTORS, 512);
    make_label(a, "PV" "000000000000000000000000000000", PV_SECTORS * 512);
    make_label(b, "PV" "111111111111111111111111111111", PV_SECTORS * 512);
    /* pv0 holds the metadata, wrapped around the end of its area */
    make_mda(a, pv_text(60), MDA_SIZE - 100);
    fill_extent(a, 5, 0);
    fill_extent(a, 6, 1);
    fill_extent(b, 0, 2);

    assert_non_null(pb_hostdisk_add_mem(a, PV_SECTORS * 512, "pva"));
    assert_null(pb_disk_find("lvm/vgt-hidden"));       /* not VISIBLE */
    struct pb_disk *lv = pb_disk_find("lvm/vgt-my--lv");
    assert_non_null(lv);
    assert_int_equal(lv->nr_sectors, 3 * 64);
    assert_string_equal(lv->alias, "lvmid/AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA/"
                                   "LV0000-0000-0000-0000-0000-0000-000000");
    assert_ptr_equal(pb_disk_find("lvmid/AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA/"
                                  "LV0000-0000-0000-0000-0000-0000-000000"), lv);
    uint8_t buf[3 * 32768];
    /* extents 0-1 are on pv0; extent 2 on the absent pv1 */
    assert_int_equal(pb_disk_read(lv, 0, 65536, buf), 0);
    for (unsigned i = 0; i < 65536; i++)
        if (buf[i] != (uint8_t)((i / 32768) * 37 + (i % 32768) * 7))
            fail_msg("byte %u", i);
    assert_int_equal(pb_disk_read(lv, 65536, 512, buf), PB_EIO);
    assert_non_null(strstr(pb_errmsg(), "sector 128 is on physical volume "
                                        "PV1111-1111-1111-1111-1111-1111-111111, which was not found"));
    pb_error_clear();

    /* pv1 appears: the same LV now reads across both PVs, unaligned too */
    assert_non_null(pb_hostdisk_add_mem(b, PV_SECTORS * 512, "pvb"));
    assert_ptr_equal(pb_disk_find("lvm/vgt-my--lv"), lv);
    assert_int_equal(pb_disk_read(lv, 1000, sizeof buf - 1000, buf), 0);
    for (unsigned i = 1000; i < sizeof buf; i++)
        if (buf[i - 1000] != (uint8_t)((i / 32768) * 37 + (i % 32768) * 7))
            fail_msg("byte %u", i);

    /* `ls' lists the LV as a device, after the disks it is made of */
    pb_hosted_capture_output(true);
    pb_hosted_output_reset();
    assert_int_equal(pb_script_run("ls", 2, "t.cfg"), 0);
    assert_string_equal(pb_hosted_output(), "(pva) (pvb) (lvm/vgt-my--lv) \r\n");
    pb_hosted_capture_output(false);

    /* the PVs go: so does the LV */
    pb_hostdisk_remove_all();
    assert_null(pb_disk_find("lvm/vgt-my--lv"));
    free(a);
    free(b);
}

/* ---- md 1.2 in memory ---- */

#define MD_SECTORS 4096u
#define MD_DATA 2048u                /* data offset, sectors */

static void make_sb12(uint8_t *img, unsigned dev_number, uint64_t events)
{
    uint8_t *s = img + 4096;
    memset(s, 0, 4096);
    w32(s, PB_MD_MAGIC);
    w32(s + 4, 1);
    for (int i = 0; i < 16; i++)
        s[16 + i] = (uint8_t)(0xa0 + i);
    memcpy(s + 32, "pvb:boot", 8);
    w32(s + 72, 1);                  /* level */
    w64(s + 80, 1024);               /* size: 512 KiB */
    w32(s + 92, 2);                  /* raid_disks */
    w64(s + 128, MD_DATA);
    w64(s + 136, MD_SECTORS - MD_DATA);
    w64(s + 144, 8);                 /* super_offset */
    w32(s + 160, dev_number);
    w64(s + 200, events);
    w32(s + 220, 2);                 /* max_dev */
    s[256] = 0;                      /* dev 0: role 0 */
    s[258] = 1;                      /* dev 1: role 1 */
    uint64_t sum = 0;
    for (int i = 0; i < 256 + 4; i += 4)
        sum += i == 216 ? 0 : (uint32_t)(s[i] | s[i + 1] << 8 | s[i + 2] << 16 | (uint32_t)s[i + 3] << 24);
    w32(s + 216, (uint32_t)((sum & 0xffffffffu) + (sum >> 32)));
}

static void test_md(void **state)
{
    (void)state;
    uint8_t *a = calloc(MD_SECTORS, 512), *b = calloc(MD_SECTORS, 512);
    make_sb12(a, 0, 10);
    make_sb12(b, 1, 10);
    struct pb_md_super sb;
    assert_int_equal(pb_md_parse_sb1(a + 4096, 4096, 8, MD_SECTORS, &sb), 0);
    assert_int_equal(sb.minor, 2);
    assert_string_equal(sb.name, "pvb:boot");
    assert_int_equal(sb.level, 1);
    assert_int_equal(sb.array_sectors, 1024);
    assert_int_equal(sb.data_offset, MD_DATA);
    assert_int_equal(sb.events, 10);
    assert_int_equal(sb.role, 0);
    assert_true(sb.in_sync);
    /* seen through the 1.1 place it is not a 1.1 superblock */
    assert_int_equal(pb_md_parse_sb1(a + 4096, 4096, 0, MD_SECTORS, &sb), PB_ENOENT);
    a[4096 + 40] ^= 1;
    assert_int_equal(pb_md_parse_sb1(a + 4096, 4096, 8, MD_SECTORS, &sb), PB_EBADFS);
    pb_error_clear();
    a[4096 + 40] ^= 1;
    assert_int_equal(pb_md_sb10_sector(4096), 4080);
    assert_int_equal(pb_md_sb10_sector(4100), 4080);
    assert_int_equal(pb_md_sb090_sector(4096), 3968);

    for (unsigned i = 0; i < 1024 * 512; i++)
        a[MD_DATA * 512 + i] = b[MD_DATA * 512 + i] = (uint8_t)(i * 13 + 5);
    /* only member b present */
    assert_non_null(pb_hostdisk_add_mem(b, MD_SECTORS * 512, "mb"));
    struct pb_disk *md = pb_disk_find("md/boot");
    assert_non_null(md);
    assert_ptr_equal(pb_disk_find("mduuid/a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"), md);
    assert_int_equal(md->nr_sectors, 1024);
    uint8_t buf[4096];
    assert_int_equal(pb_disk_read(md, 1000, sizeof buf, buf), 0);
    for (unsigned i = 0; i < sizeof buf; i++)
        if (buf[i] != (uint8_t)((i + 1000) * 13 + 5))
            fail_msg("byte %u", i);
    pb_hostdisk_remove_all();
    assert_null(pb_disk_find("md/boot"));

    /* a stale member (fewer events) is not read from */
    make_sb12(a, 0, 9);
    memset(a + MD_DATA * 512, 0xee, 1024 * 512);
    assert_non_null(pb_hostdisk_add_mem(a, MD_SECTORS * 512, "ma"));
    assert_non_null(pb_hostdisk_add_mem(b, MD_SECTORS * 512, "mb"));
    md = pb_disk_find("md/boot");
    assert_non_null(md);
    assert_int_equal(pb_disk_read(md, 0, sizeof buf, buf), 0);
    assert_int_equal(buf[0], 5);
    assert_int_equal(buf[1], 18);
    pb_hostdisk_remove_all();
    free(a);
    free(b);
}

int main(void)
{
    pb_hosted_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_metadata_bad),
        cmocka_unit_test(test_label_mda),
        cmocka_unit_test(test_lv_disk),
        cmocka_unit_test(test_md),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
