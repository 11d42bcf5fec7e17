/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of part_msdos and part_gpt on hand-built tables in memory:
 * GRUB numbering (primaries by slot, logicals from msdos5), EBR chains and
 * their loop protection, protective MBR hand-over, GPT CRC checks, backup
 * header fallback, UTF-16 names.
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

#define DISK_SECTORS 8192u
static uint8_t *img;

static void w32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }

static void mbr_entry(uint8_t *sec, int slot, uint8_t type, uint32_t lba, uint32_t count)
{
    uint8_t *e = sec + 446 + 16 * slot;
    e[0] = 0;
    e[4] = type;
    w32(e + 8, lba);
    w32(e + 12, count);
    sec[510] = 0x55;
    sec[511] = 0xaa;
}

struct seen {
    char names[16][32];
    uint64_t start[16], len[16];
    uint8_t type[16];
    char label[16][80];
    int n;
};

static int collect(const struct pb_partition *p, void *ctx)
{
    struct seen *s = ctx;
    if (s->n < 16) {
        snprintf(s->names[s->n], 32, "%s", p->name);
        s->start[s->n] = p->start;
        s->len[s->n] = p->len;
        s->type[s->n] = p->msdos_type;
        snprintf(s->label[s->n], 80, "%s", p->part_label);
        s->n++;
    }
    return 0;
}

static struct pb_disk *new_disk(void)
{
    pb_hostdisk_remove_all();
    struct pb_disk *d = pb_hostdisk_add_mem(img, (size_t)DISK_SECTORS * 512, "mem");
    assert_non_null(d);
    return d;
}

static int setup(void **state)
{
    (void)state;
    img = calloc(DISK_SECTORS, 512);
    return img ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pb_hostdisk_remove_all();
    free(img);
    return 0;
}

static void test_msdos_primary_and_logical(void **state)
{
    (void)state;
    memset(img, 0, (size_t)DISK_SECTORS * 512);
    w32(img + 440, 0xdeadbeef);
    mbr_entry(img, 0, 0x83, 64, 100);
    mbr_entry(img, 2, 0x05, 1000, 3000);      /* extended in slot 3 */
    mbr_entry(img, 3, 0x0c, 5000, 100);
    /* EBR 1 at 1000: logical at +10, next EBR at ext+500 */
    uint8_t *ebr = img + 1000 * 512;
    mbr_entry(ebr, 0, 0x83, 10, 200);
    mbr_entry(ebr, 1, 0x05, 500, 400);
    ebr = img + 1500 * 512;
    mbr_entry(ebr, 0, 0x82, 20, 300);
    struct seen s = { 0 };
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.names[0], "msdos1");
    assert_int_equal(s.start[0], 64);
    assert_int_equal(s.len[0], 100);
    assert_string_equal(s.names[1], "msdos4");
    assert_int_equal(s.start[1], 5000);
    assert_int_equal(s.type[1], 0x0c);
    assert_string_equal(s.names[2], "msdos5");
    assert_int_equal(s.start[2], 1010);
    assert_int_equal(s.len[2], 200);
    assert_string_equal(s.names[3], "msdos6");
    assert_int_equal(s.start[3], 1520);
    assert_int_equal(s.type[3], 0x82);
}

static void test_msdos_ebr_loop(void **state)
{
    (void)state;
    memset(img, 0, (size_t)DISK_SECTORS * 512);
    mbr_entry(img, 0, 0x05, 1000, 3000);
    uint8_t *ebr = img + 1000 * 512;
    mbr_entry(ebr, 0, 0x83, 10, 20);
    mbr_entry(ebr, 1, 0x05, 0, 400);          /* points at itself */
    struct seen s = { 0 };
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), PB_EBADFS);
    assert_non_null(strstr(pb_errmsg(), "loop"));
    assert_int_equal(s.n, 1);                   /* msdos5 was still seen */
    pb_error_clear();
}

static void test_msdos_rejects(void **state)
{
    (void)state;
    struct seen s = { 0 };
    /* a boot sector (bad status bytes) is not a table */
    memset(img, 0, (size_t)DISK_SECTORS * 512);
    mbr_entry(img, 0, 0x83, 64, 100);
    img[446] = 0x12;
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), PB_ENOENT);
    /* no signature */
    memset(img, 0, 512);
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), PB_ENOENT);
    /* a partition past the end of the disk is skipped */
    mbr_entry(img, 0, 0x83, 64, 100);
    mbr_entry(img, 1, 0x83, DISK_SECTORS - 10, 100);
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.names[0], "msdos1");
}

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

/* GPT with 128 entries of 128 bytes; primary at LBA 1, backup at the end. */
static void make_gpt(void)
{
    memset(img, 0, (size_t)DISK_SECTORS * 512);
    mbr_entry(img, 0, 0xee, 1, DISK_SECTORS - 1);
    uint8_t *ents = img + 2 * 512;
    static const uint8_t type[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
                                      0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 };
    memcpy(ents, type, 16);
    ents[16] = 1;
    w64(ents + 32, 2048);
    w64(ents + 40, 4095);
    const char *nm = "root";
    for (int i = 0; nm[i]; i++)
        ents[56 + 2 * i] = (uint8_t)nm[i];
    uint8_t *e3 = ents + 2 * 128;               /* entry 3 -> gpt3, name with U+1F600 */
    memcpy(e3, type, 16);
    w64(e3 + 32, 4096);
    w64(e3 + 40, 4199);
    e3[56] = 'x'; e3[58] = 0x3d; e3[59] = 0xd8; e3[60] = 0x00; e3[61] = 0xde;
    uint32_t ecrc = crc32_ieee(ents, 128 * 128);
    memcpy(img + (DISK_SECTORS - 33) * 512, ents, 128 * 128);
    for (int copy = 0; copy < 2; copy++) {
        uint64_t my = copy ? DISK_SECTORS - 1 : 1, alt = copy ? 1 : DISK_SECTORS - 1;
        uint8_t *h = img + my * 512;
        memcpy(h, "EFI PART", 8);
        w32(h + 8, 0x10000);
        w32(h + 12, 92);
        w64(h + 24, my);
        w64(h + 32, alt);
        w64(h + 40, 34);
        w64(h + 48, DISK_SECTORS - 34);
        w64(h + 72, copy ? DISK_SECTORS - 33 : 2);
        w32(h + 80, 128);
        w32(h + 84, 128);
        w32(h + 88, ecrc);
        w32(h + 16, crc32_ieee(h, 92));
    }
}

static void check_gpt(struct seen *s)
{
    assert_int_equal(s->n, 2);
    assert_string_equal(s->names[0], "gpt1");
    assert_int_equal(s->start[0], 2048);
    assert_int_equal(s->len[0], 2048);
    assert_string_equal(s->label[0], "root");
    assert_string_equal(s->names[1], "gpt3");
    assert_int_equal(s->start[1], 4096);
    assert_int_equal(s->len[1], 104);
    assert_string_equal(s->label[1], "x\xf0\x9f\x98\x80");
}

static void test_gpt(void **state)
{
    (void)state;
    make_gpt();
    struct seen s = { 0 };
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), 0);
    check_gpt(&s);
}

static void test_gpt_backup(void **state)
{
    (void)state;
    struct seen s = { 0 };
    make_gpt();
    img[512 + 40] ^= 1;                          /* primary header CRC now wrong */
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), 0);
    check_gpt(&s);
    memset(&s, 0, sizeof s);
    make_gpt();
    img[2 * 512 + 100] ^= 1;                     /* primary entry array CRC wrong */
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), 0);
    check_gpt(&s);
    memset(&s, 0, sizeof s);
    img[512 + 40] ^= 1;
    img[(DISK_SECTORS - 1) * 512 + 40] ^= 1;     /* both headers damaged */
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), PB_EBADFS);
    assert_non_null(strstr(pb_errmsg(), "gpt"));
    assert_int_equal(s.n, 0);
    pb_error_clear();
}

static void test_gpt_bad_entry_size(void **state)
{
    (void)state;
    struct seen s = { 0 };
    make_gpt();
    uint8_t *h = img + 512;
    w32(h + 84, 64);                             /* entries smaller than 128 bytes */
    w32(h + 16, 0);
    w32(h + 16, crc32_ieee(h, 92));
    uint8_t *b = img + (DISK_SECTORS - 1) * 512;
    w32(b + 80, 0x7fffffff);                     /* absurd count in the backup */
    w32(b + 16, 0);
    w32(b + 16, crc32_ieee(b, 92));
    assert_int_equal(pb_partition_iterate(new_disk(), collect, &s), PB_EBADFS);
    assert_int_equal(s.n, 0);
    pb_error_clear();
}

int main(void)
{
    pb_hosted_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msdos_primary_and_logical),
        cmocka_unit_test(test_msdos_ebr_loop),
        cmocka_unit_test(test_msdos_rejects),
        cmocka_unit_test(test_gpt),
        cmocka_unit_test(test_gpt_backup),
        cmocka_unit_test(test_gpt_bad_entry_size),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
