/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the mkpvimage unit tests: build tiny modules at test time
 * (gcc/as + ld -r, never checked-in binaries), link them through the
 * mkpvimage library, check every image with libxenguest and read the
 * resulting ELF back.
 */
#ifndef TEST_MKPV_UTIL_H
#define TEST_MKPV_UTIL_H

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "mkpv.h"
#include "pvboot/image.h"
#include "pvboot/version.h"

/* The minimal kernel module every test image links: _start references the
 * linker-provided image info (R_X86_64_PC32 via lea) and has an init;
 * _start_pvh is the 32-bit PVH entry (XEN_ELFNOTE_PHYS32_ENTRY). */
static const char kernel_src[] =
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "    lea pvboot_image_info(%rip), %rax\n"
    "1:  jmp 1b\n"
    ".code32\n"
    ".globl _start_pvh\n"
    "_start_pvh:\n"
    "    mov $pvboot_image_info, %eax\n"
    "2:  jmp 2b\n"
    ".code64\n"
    ".globl pvboot_init_kernel\n"
    "pvboot_init_kernel:\n"
    "    ret\n"
    ".data\n"
    ".globl kernel_info_ptr\n"
    "kernel_info_ptr: .quad pvboot_image_info\n"
    ".bss\n"
    ".globl kernel_stack\n"
    ".balign 4096\n"
    "kernel_stack: .skip 8192\n";

struct tdir {
    char path[256];
};

static __attribute__((unused)) void tdir_make(struct tdir *d)
{
    snprintf(d->path, sizeof(d->path), "/tmp/mkpv-test-XXXXXX");
    assert_non_null(mkdtemp(d->path));
}

static __attribute__((unused)) void tdir_remove(struct tdir *d)
{
    char cmd[512];
    if (!d->path[0])
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
    assert_int_equal(system(cmd), 0);
    d->path[0] = '\0';
}

static __attribute__((unused)) void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Run a shell command; fail the test (printing it) if it fails. */
static void run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static __attribute__((unused)) void run_ok(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("command failed (%d): %s", rc, cmd);
}

/*
 * Build DIR/NAME.mod from @src.  @lang: "S" (assembled with as), "c"
 * (gcc -c -ffreestanding -fno-pic -mcmodel=small -O2), or "pic.c" (the same
 * with -fPIC, like Debian's static libraries).  @extra: more flags or "".
 */
static __attribute__((unused)) void build_mod(const char *dir, const char *name, const char *lang, const char *extra,
                      const char *src)
{
    char srcpath[512];
    const char *ext = strcmp(lang, "S") == 0 ? "S" : "c";
    snprintf(srcpath, sizeof(srcpath), "%s/%s.src.%s", dir, name, ext);
    write_text(srcpath, src);
    if (strcmp(lang, "S") == 0)
        run_ok("as %s -o '%s/%s.o' '%s'", extra, dir, name, srcpath);
    else
        run_ok("gcc -c -O2 -ffreestanding -fno-stack-protector -mno-red-zone %s %s "
               "-o '%s/%s.o' '%s'",
               strcmp(lang, "pic.c") == 0 ? "-fPIC" : "-fno-pic -mcmodel=small", extra, dir,
               name, srcpath);
    run_ok("ld -r -m elf_x86_64 --build-id=none -o '%s/%s.mod' '%s/%s.o'", dir, name, dir, name);
    char obj[512];
    snprintf(obj, sizeof(obj), "%s/%s.o", dir, name);
    unlink(obj);
    unlink(srcpath);
}

static __attribute__((unused)) void build_kernel(const char *dir)
{
    build_mod(dir, "kernel", "S", "", kernel_src);
}

/* Options for a link of modules in @moddir with config @cfg. */
static __attribute__((unused)) struct mkpv_options opts_for(const char *moddir, const char *cfg,
                                    const char *const *mods, size_t n)
{
    struct mkpv_options o = {
        .format = MKPV_FORMAT, .config_path = cfg, .moddir = moddir,
        .compress = MKPV_COMPRESS_NONE, .modules = mods, .nr_modules = n,
    };
    return o;
}

/* Link and check the result with libxenguest (every test image is checked). */
static __attribute__((unused)) struct mkpv_link *link_ok(const struct mkpv_options *o)
{
    struct mkpv_link *l = mkpv_link(o);
    if (!l)
        fail_msg("link failed: %s", mkpv_errmsg());
    size_t len;
    const uint8_t *img = mkpv_link_image(l, &len);
    struct mkpv_verify_result r;
    if (mkpv_verify_mem(img, len, "test image", &r) != 0)
        fail_msg("libxenguest rejects the image: %s", mkpv_errmsg());
    assert_int_equal(r.virt_base, 0);
    assert_int_equal(r.virt_entry, mkpv_link_entry(l));
    assert_int_equal(r.pvh_entry, mkpv_link_pvh_entry(l));
    return l;
}

/* Link expecting failure; return the message (static buffer). */
static __attribute__((unused)) const char *link_fails(const struct mkpv_options *o)
{
    mkpv_error_clear();
    struct mkpv_link *l = mkpv_link(o);
    if (l) {
        mkpv_link_free(l);
        fail_msg("link unexpectedly succeeded");
    }
    return mkpv_errmsg();
}

static __attribute__((unused)) uint64_t sym_va(const struct mkpv_link *l, const char *name)
{
    uint64_t va = 0;
    if (mkpv_link_symbol(l, name, &va) != 0)
        fail_msg("symbol %s not found", name);
    return va;
}

/* ---- reading the ELF image back (independently of the linker) ---- */

static __attribute__((unused)) const Elf64_Ehdr *img_ehdr(const uint8_t *img, size_t len)
{
    assert_true(len >= sizeof(Elf64_Ehdr));
    return (const Elf64_Ehdr *)img;
}

static __attribute__((unused)) const Elf64_Phdr *img_phdr(const uint8_t *img, size_t len, size_t i)
{
    const Elf64_Ehdr *eh = img_ehdr(img, len);
    assert_true(i < eh->e_phnum);
    assert_true(eh->e_phoff + (i + 1) * sizeof(Elf64_Phdr) <= len);
    return (const Elf64_Phdr *)(img + eh->e_phoff + i * sizeof(Elf64_Phdr));
}

/* Pointer to @n file-backed bytes at VA @va (through the PT_LOAD headers). */
static __attribute__((unused)) const uint8_t *img_at(const uint8_t *img, size_t len, uint64_t va, size_t n)
{
    const Elf64_Ehdr *eh = img_ehdr(img, len);
    for (size_t i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = img_phdr(img, len, i);
        if (ph->p_type != PT_LOAD || va < ph->p_vaddr || va + n > ph->p_vaddr + ph->p_filesz)
            continue;
        assert_true(ph->p_offset + ph->p_filesz <= len);
        return img + ph->p_offset + (va - ph->p_vaddr);
    }
    fail_msg("VA 0x%llx (+%zu) not in a file-backed PT_LOAD", (unsigned long long)va, n);
    return NULL;
}

static __attribute__((unused)) uint64_t rd64(const uint8_t *img, size_t len, uint64_t va)
{
    uint64_t v;
    memcpy(&v, img_at(img, len, va, 8), 8);
    return v;
}

static __attribute__((unused)) uint32_t rd32(const uint8_t *img, size_t len, uint64_t va)
{
    uint32_t v;
    memcpy(&v, img_at(img, len, va, 4), 4);
    return v;
}

static __attribute__((unused)) uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *data;
    if (mkpv_read_file(path, "test file", 1u << 30, &data, len) != 0)
        fail_msg("%s", mkpv_errmsg());
    return data;
}

/* Number of directory entries other than . and .. (finds leftover temp files). */
static __attribute__((unused)) int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

#endif
