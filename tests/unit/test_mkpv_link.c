/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage linker: every relocation type, GOT and relaxation, dependency
 * pulling and init order, duplicate/missing/weak/common symbols, COMDAT,
 * and the one-line errors for bad modules.  Modules are built at test time.
 */
#include "test_mkpv_util.h"

/* Targets in a separate module (pulled in as a dependency of "rel"). */
static const char tgt_src[] =
    "char target_data[64] = { 1, 2, 3 };\n"
    "void target_fn(void) { __asm__ volatile(\"\"); }\n";

/*
 * One site per relocation type.  .reloc pins the type, place and addend;
 * instructions show the compiler-style forms (GOT loads, calls).
 */
static const char rel_src[] =
    ".text\n"
    ".globl site_plt, site_pc32_insn, site_gotx, site_gotcall, site_gotplain\n"
    ".globl site_gotweak, site_gotlocal, site_gotx32, site_gotjmp, site_gotcmp\n"
    ".weak weak_missing\n"
    "site_plt:       call target_fn\n"                       /* PLT32 */
    "site_pc32_insn: lea target_data+5(%rip), %rax\n"        /* PC32 */
    "site_gotx:      movq target_data@GOTPCREL(%rip), %rax\n" /* REX_GOTPCRELX: relaxed */
    "site_gotx32:    movl target_data@GOTPCREL(%rip), %eax\n" /* GOTPCRELX on mov: relaxed */
    "site_gotcall:   call *target_fn@GOTPCREL(%rip)\n"        /* GOTPCRELX: addr32 call */
    "site_gotjmp:    jmp *target_fn@GOTPCREL(%rip)\n"         /* GOTPCRELX: jmp; nop */
    "site_gotcmp:    cmpq target_data@GOTPCREL(%rip), %rax\n" /* not relaxable: GOT */
    "site_gotplain:  movq 0(%rip), %rax\n"                   /* plain GOTPCREL: GOT */
    "                .reloc site_gotplain+3, R_X86_64_GOTPCREL, target_data-4\n"
    "site_gotweak:   movq weak_missing@GOTPCREL(%rip), %rax\n" /* undefined weak: GOT = 0 */
    "site_gotlocal:  pushq local_fn@GOTPCREL(%rip)\n"        /* local symbol via GOT */
    "                ret\n"
    "local_fn:       ret\n"
    ".globl pvboot_init_rel\n"
    "pvboot_init_rel: ret\n"
    ".data\n"
    ".globl r64, rpc64, rpc32, rplt32, r32, r32s, r32s_neg, rnone, rweak64\n"
    ".balign 8\n"
    "r64:      .quad 0\n .reloc r64, R_X86_64_64, target_data+16\n"
    "rpc64:    .quad 0\n .reloc rpc64, R_X86_64_PC64, target_data+3\n"
    "rweak64:  .quad 0x1111\n .reloc rweak64, R_X86_64_64, weak_missing+7\n"
    "rpc32:    .long 0\n .reloc rpc32, R_X86_64_PC32, target_data-4\n"
    "rplt32:   .long 0\n .reloc rplt32, R_X86_64_PLT32, target_fn-4\n"
    "r32:      .long 0\n .reloc r32, R_X86_64_32, target_data+8\n"
    "r32s:     .long 0\n .reloc r32s, R_X86_64_32S, target_data+12\n"
    "r32s_neg: .long 0\n .reloc r32s_neg, R_X86_64_32S, target_data-0x200000\n"
    "rnone:    .long 0x5a5a5a5a\n .reloc rnone, R_X86_64_NONE, target_data\n";

struct fx {
    struct tdir d;
    char cfg[512];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    tdir_make(&f->d);
    build_kernel(f->d.path);
    snprintf(f->cfg, sizeof(f->cfg), "%s/test.cfg", f->d.path);
    write_text(f->cfg, "set timeout=5\nmenuentry 'x' { linux /vmlinuz }\n");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tdir_remove(&f->d);
    free(f);
    mkpv_set_config_checker(NULL);
    return 0;
}

/* ------------------------------------------------------------ relocations */

static void test_relocations(void **state)
{
    struct fx *f = *state;
    build_mod(f->d.path, "tgt", "c", "", tgt_src);
    build_mod(f->d.path, "rel", "S", "", rel_src);
    const char *mods[] = { "rel" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, mods, 1);
    struct mkpv_link *l = link_ok(&o);
    size_t len;
    const uint8_t *img = mkpv_link_image(l, &len);
    uint64_t data = sym_va(l, "target_data"), fn = sym_va(l, "target_fn");

    /* data-section sites: S + A, S + A - P */
    assert_int_equal(rd64(img, len, sym_va(l, "r64")), data + 16);
    assert_int_equal(rd64(img, len, sym_va(l, "rpc64")), data + 3 - sym_va(l, "rpc64"));
    assert_int_equal(rd64(img, len, sym_va(l, "rweak64")), 7);  /* weak undefined = 0 */
    assert_int_equal(rd32(img, len, sym_va(l, "rpc32")),
                     (uint32_t)(data - 4 - sym_va(l, "rpc32")));
    assert_int_equal(rd32(img, len, sym_va(l, "rplt32")),
                     (uint32_t)(fn - 4 - sym_va(l, "rplt32")));
    assert_int_equal(rd32(img, len, sym_va(l, "r32")), (uint32_t)(data + 8));
    assert_int_equal(rd32(img, len, sym_va(l, "r32s")), (uint32_t)(data + 12));
    assert_int_equal(rd32(img, len, sym_va(l, "r32s_neg")), (uint32_t)(data - 0x200000));
    assert_int_equal(rd32(img, len, sym_va(l, "rnone")), 0x5a5a5a5a);

    /* call target_fn: e8 rel32 (PLT32 resolved directly) */
    uint64_t s = sym_va(l, "site_plt");
    assert_int_equal(img_at(img, len, s, 1)[0], 0xe8);
    assert_int_equal(rd32(img, len, s + 1), (uint32_t)(fn - (s + 5)));
    /* lea target_data+5(%rip): 48 8d 05 rel32 */
    s = sym_va(l, "site_pc32_insn");
    assert_int_equal(rd32(img, len, s + 3), (uint32_t)(data + 5 - (s + 7)));
    /* movq target_data@GOTPCREL -> lea target_data(%rip) */
    s = sym_va(l, "site_gotx");
    assert_memory_equal(img_at(img, len, s, 3), "\x48\x8d\x05", 3);
    assert_int_equal(rd32(img, len, s + 3), (uint32_t)(data - (s + 7)));
    /* movl target_data@GOTPCREL, %eax (no REX) -> lea */
    s = sym_va(l, "site_gotx32");
    assert_memory_equal(img_at(img, len, s, 2), "\x8d\x05", 2);
    assert_int_equal(rd32(img, len, s + 2), (uint32_t)(data - (s + 6)));
    /* call *target_fn@GOTPCREL: ff 15 -> 67 e8 rel32 (addr32 call target_fn) */
    s = sym_va(l, "site_gotcall");
    assert_memory_equal(img_at(img, len, s, 2), "\x67\xe8", 2);
    assert_int_equal(rd32(img, len, s + 2), (uint32_t)(fn - (s + 6)));
    /* jmp *target_fn@GOTPCREL: ff 25 -> e9 rel32 90 */
    s = sym_va(l, "site_gotjmp");
    assert_int_equal(img_at(img, len, s, 1)[0], 0xe9);
    assert_int_equal(rd32(img, len, s + 1), (uint32_t)(fn - (s + 5)));
    assert_int_equal(img_at(img, len, s + 5, 1)[0], 0x90);
    /* cmp with a GOT operand is not relaxed: 48 3b 05 rel32 -> GOT slot = target_data */
    s = sym_va(l, "site_gotcmp");
    assert_memory_equal(img_at(img, len, s, 3), "\x48\x3b\x05", 3);
    uint64_t slot = s + 7 + (int32_t)rd32(img, len, s + 3);
    assert_int_equal(rd64(img, len, slot), data);
    /* plain GOTPCREL keeps the mov and reads a GOT slot */
    s = sym_va(l, "site_gotplain");
    assert_memory_equal(img_at(img, len, s, 3), "\x48\x8b\x05", 3);
    slot = s + 7 + (int32_t)rd32(img, len, s + 3);
    assert_int_equal(rd64(img, len, slot), data);
    /* undefined weak through the GOT: slot holds 0, mov kept */
    s = sym_va(l, "site_gotweak");
    assert_memory_equal(img_at(img, len, s, 3), "\x48\x8b\x05", 3);
    slot = s + 7 + (int32_t)rd32(img, len, s + 3);
    assert_int_equal(rd64(img, len, slot), 0);
    /* local symbol through the GOT (push: ff 35 rel32): local_fn is the ret
     * right after the push and its ret */
    s = sym_va(l, "site_gotlocal");
    assert_memory_equal(img_at(img, len, s, 2), "\xff\x35", 2);
    slot = s + 6 + (int32_t)rd32(img, len, s + 2);
    assert_int_equal(rd64(img, len, slot), s + 7);
    assert_int_equal(img_at(img, len, s + 7, 1)[0], 0xc3);
    /* GOT slots live in the read-only segment */
    const Elf64_Phdr *ro = img_phdr(img, len, 1);
    assert_int_equal(ro->p_flags, PF_R);
    assert_true(slot >= ro->p_vaddr && slot + 8 <= ro->p_vaddr + ro->p_filesz);
    /* the kernel's references to the linker-provided image info */
    uint64_t info = sym_va(l, PVBOOT_IMAGE_INFO_SYMBOL);
    assert_int_equal(rd64(img, len, sym_va(l, "kernel_info_ptr")), info);
    assert_int_equal(rd32(img, len, sym_va(l, "_start") + 3),
                     (uint32_t)(info - (sym_va(l, "_start") + 7)));
    mkpv_link_free(l);
}

/* PIC code like Debian's liblzma.a: compiler-generated GOT loads. */
static void test_pic_module(void **state)
{
    struct fx *f = *state;
    build_mod(f->d.path, "tgt", "c", "", tgt_src);
    build_mod(f->d.path, "picm", "pic.c", "",
              "extern char target_data[64];\n"
              "extern void target_fn(void);\n"
              "char *pic_get(void) { return target_data; }\n"
              "void (*pic_fnptr(void))(void) { return target_fn; }\n"
              "void pvboot_init_picm(void) { target_fn(); }\n");
    const char *mods[] = { "picm" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, mods, 1);
    struct mkpv_link *l = link_ok(&o);
    size_t len;
    const uint8_t *img = mkpv_link_image(l, &len);
    /* gcc -fPIC -O2: pic_get is `mov target_data@GOTPCREL(%rip),%rax; ret`,
     * relaxed to `lea target_data(%rip),%rax` */
    uint64_t s = sym_va(l, "pic_get");
    const uint8_t *p = img_at(img, len, s, 8);
    assert_memory_equal(p, "\x48\x8d\x05", 3);
    assert_int_equal(rd32(img, len, s + 3), (uint32_t)(sym_va(l, "target_data") - (s + 7)));
    assert_int_equal(p[7], 0xc3);
    s = sym_va(l, "pic_fnptr");
    assert_memory_equal(img_at(img, len, s, 3), "\x48\x8d\x05", 3);
    assert_int_equal(rd32(img, len, s + 3), (uint32_t)(sym_va(l, "target_fn") - (s + 7)));
    mkpv_link_free(l);
}

static void test_reloc_errors(void **state)
{
    struct fx *f = *state;
    char msg[1024];
    build_mod(f->d.path, "tgt", "c", "", tgt_src);
    /* unknown type: R_X86_64_GOTOFF64 (25) at .data offset 8 */
    build_mod(f->d.path, "badrel", "S", "",
              ".data\n.quad 0\nx: .quad 0\n.reloc x, R_X86_64_GOTOFF64, target_data\n");
    const char *m1[] = { "badrel" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m1, 1);
    snprintf(msg, sizeof(msg), "%s/badrel.mod: section .data offset 0x8: unsupported "
             "relocation type 25 (R_X86_64_GOTOFF64)", f->d.path);
    assert_string_equal(link_fails(&o), msg);

    /* TLS relocation in text */
    build_mod(f->d.path, "tlsrel", "S", "",
              ".text\nnop\nx: .long 0\n.reloc x, R_X86_64_TPOFF32, target_data\n");
    const char *m2[] = { "tlsrel" };
    o = opts_for(f->d.path, f->cfg, m2, 1);
    snprintf(msg, sizeof(msg), "%s/tlsrel.mod: section .text offset 0x1: unsupported "
             "relocation type 23 (R_X86_64_TPOFF32)", f->d.path);
    assert_string_equal(link_fails(&o), msg);

    /* R_X86_64_32 of a value below 0 does not fit */
    build_mod(f->d.path, "ovf32", "S", "",
              ".data\nx: .long 0\n.reloc x, R_X86_64_32, target_data-0x200000\n");
    const char *m3[] = { "ovf32" };
    o = opts_for(f->d.path, f->cfg, m3, 1);
    const char *e = link_fails(&o);
    snprintf(msg, sizeof(msg), "%s/ovf32.mod: section .data offset 0x0: R_X86_64_32 against "
             "'target_data' out of range (value 0xfffffffffff", f->d.path);
    assert_memory_equal(e, msg, strlen(msg));

    /* PC32 to an absolute address 4 GiB away */
    build_mod(f->d.path, "farsym", "S", "", ".globl far_abs\n.set far_abs, 0x100000000\n");
    build_mod(f->d.path, "ovfpc", "S", "",
              ".data\nx: .long 0\n.reloc x, R_X86_64_PC32, far_abs\n");
    const char *m4[] = { "ovfpc" };
    o = opts_for(f->d.path, f->cfg, m4, 1);
    e = link_fails(&o);
    snprintf(msg, sizeof(msg), "%s/ovfpc.mod: section .data offset 0x0: R_X86_64_PC32 against "
             "'far_abs' out of range", f->d.path);
    assert_memory_equal(e, msg, strlen(msg));

    /* relocation offset past the end of its section */
    build_mod(f->d.path, "outside", "S", "",
              ".data\nx: .long 0\n.reloc x+2, R_X86_64_32, target_data\n");
    const char *m5[] = { "outside" };
    o = opts_for(f->d.path, f->cfg, m5, 1);
    snprintf(msg, sizeof(msg), "%s/outside.mod: section .data offset 0x2: R_X86_64_32 outside "
             "the section (size 0x4)", f->d.path);
    assert_string_equal(link_fails(&o), msg);
}

/* ------------------------------------------------------------ dependencies and order */

static void build_chain(const char *dir)
{
    /* a -> b, a -> c, b -> c; d alone; each with init, c with fini */
    build_mod(dir, "a", "c", "",
              "extern int b_val(void); extern int c_val(void);\n"
              "int a_val(void) { return b_val() + c_val(); }\n"
              "void pvboot_init_a(void) { }\n");
    build_mod(dir, "b", "c", "",
              "extern int c_val(void);\n"
              "int b_val(void) { return c_val() * 2; }\n"
              "void pvboot_init_b(void) { }\n");
    build_mod(dir, "c", "c", "",
              "int c_counter;\n"
              "int c_val(void) { return ++c_counter; }\n"
              "void pvboot_init_c(void) { }\n"
              "void pvboot_fini_c(void) { c_counter = 0; }\n");
    build_mod(dir, "d", "c", "", "int d_val(void) { return 4; }\n");
}

/* Read the module table from the image itself. */
static void check_table(const struct mkpv_link *l, const char *const *names, size_t n)
{
    size_t len;
    const uint8_t *img = mkpv_link_image(l, &len);
    struct pvboot_image_info info;
    memcpy(&info, img_at(img, len, sym_va(l, PVBOOT_IMAGE_INFO_SYMBOL), sizeof(info)),
           sizeof(info));
    assert_int_equal(info.nr_modules, n);
    assert_int_equal(mkpv_link_nr_modules(l), n);
    for (size_t i = 0; i < n; i++) {
        struct pvboot_module_entry e;
        memcpy(&e, img_at(img, len, info.modules + i * sizeof(e), sizeof(e)), sizeof(e));
        const char *name = (const char *)img_at(img, len, e.name, strlen(names[i]) + 1);
        assert_string_equal(name, names[i]);
        assert_string_equal(mkpv_link_module_name(l, i), names[i]);
        char sym[128];
        uint64_t va;
        snprintf(sym, sizeof(sym), "pvboot_init_%s", names[i]);
        assert_int_equal(e.init, mkpv_link_symbol(l, sym, &va) == 0 ? va : 0);
        snprintf(sym, sizeof(sym), "pvboot_fini_%s", names[i]);
        assert_int_equal(e.fini, mkpv_link_symbol(l, sym, &va) == 0 ? va : 0);
    }
}

static void test_dependencies_and_order(void **state)
{
    struct fx *f = *state;
    build_chain(f->d.path);
    /* only "a" requested: b and c are pulled in, d is not; c before b before a */
    const char *m1[] = { "a" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m1, 1);
    struct mkpv_link *l = link_ok(&o);
    const char *want1[] = { "kernel", "c", "b", "a" };
    check_table(l, want1, 4);
    uint64_t va;
    assert_int_equal(mkpv_link_symbol(l, "d_val", &va), -1);
    assert_int_not_equal(sym_va(l, "pvboot_init_c"), 0);
    assert_int_not_equal(sym_va(l, "pvboot_fini_c"), 0);
    mkpv_link_free(l);

    /* order of the command line does not matter; d has no init */
    const char *m2[] = { "d", "a" };
    o = opts_for(f->d.path, f->cfg, m2, 2);
    l = link_ok(&o);
    const char *want2[] = { "kernel", "c", "b", "a", "d" };
    check_table(l, want2, 5);
    mkpv_link_free(l);

    /* no MODULE: every module of the directory */
    o = opts_for(f->d.path, f->cfg, NULL, 0);
    l = link_ok(&o);
    check_table(l, want2, 5);
    mkpv_link_free(l);

    /* a module given by path, depending on moddir modules */
    char path[512];
    snprintf(path, sizeof(path), "%s/b.mod", f->d.path);
    const char *m3[] = { path };
    o = opts_for(f->d.path, f->cfg, m3, 1);
    l = link_ok(&o);
    const char *want3[] = { "kernel", "c", "b" };
    check_table(l, want3, 3);
    mkpv_link_free(l);
}

static void test_cycle_order(void **state)
{
    struct fx *f = *state;
    build_mod(f->d.path, "y", "c", "",
              "extern int x_v(void); int y_v(void) { return x_v(); }\n"
              "void pvboot_init_y(void) { }\n");
    build_mod(f->d.path, "x", "c", "",
              "extern int y_v(void); int x_v(void) { return y_v(); }\n"
              "void pvboot_init_x(void) { }\n");
    build_mod(f->d.path, "w", "c", "",
              "extern int y_v(void); int w_v(void) { return y_v(); }\n");
    const char *m[] = { "w" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 1);
    struct mkpv_link *l = link_ok(&o);
    /* x <-> y cycle is broken by name; w after both */
    const char *want[] = { "kernel", "x", "y", "w" };
    check_table(l, want, 4);
    mkpv_link_free(l);
}

static void test_missing_symbol(void **state)
{
    struct fx *f = *state;
    char msg[1024];
    build_mod(f->d.path, "needy", "c", "",
              "extern int nowhere_sym(void); extern int nowhere_too(void);\n"
              "int needy(void) { return nowhere_sym() + nowhere_too(); }\n");
    const char *m[] = { "needy" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 1);
    snprintf(msg, sizeof(msg), "undefined symbol 'nowhere_sym' referenced by module 'needy' "
             "(%s/needy.mod) (and 1 more undefined symbols)", f->d.path);
    assert_string_equal(link_fails(&o), msg);

    /* no _start: a kernel without the entry point */
    build_mod(f->d.path, "kernel", "S", "", ".text\nfoo: ret\n");
    build_mod(f->d.path, "plain", "c", "", "int plain(void) { return 1; }\n");
    const char *m2[] = { "plain" };
    o = opts_for(f->d.path, f->cfg, m2, 1);
    assert_string_equal(link_fails(&o), "undefined symbol '_start' (the image entry point, "
                        "defined by module 'kernel')");

    /* _start but no _start_pvh: no PVH entry, no image */
    build_mod(f->d.path, "kernel", "S", "", ".text\n.globl _start\n_start: ret\n");
    assert_string_equal(link_fails(&o), "undefined symbol '_start_pvh' (the 32-bit PVH entry "
                        "point, defined by module 'kernel')");
    /* _start_pvh that is data */
    build_mod(f->d.path, "kernel", "S", "",
              ".text\n.globl _start\n_start: ret\n.data\n.globl _start_pvh\n_start_pvh: .long 0\n");
    assert_string_equal(link_fails(&o), "symbol '_start_pvh' in module 'kernel' is not code");
}

static void test_duplicate_symbol(void **state)
{
    struct fx *f = *state;
    char msg[1024];
    build_mod(f->d.path, "dup1", "c", "", "int shared_sym = 1;\n");
    build_mod(f->d.path, "dup2", "c", "", "int shared_sym = 2;\n");
    const char *m[] = { "dup2", "dup1" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 2);
    snprintf(msg, sizeof(msg), "duplicate symbol 'shared_sym': defined in module 'dup1' "
             "(%s/dup1.mod) and module 'dup2' (%s/dup2.mod)", f->d.path, f->d.path);
    assert_string_equal(link_fails(&o), msg);

    /* the linker's own symbol may not be defined by a module */
    build_mod(f->d.path, "thief", "c", "", "int pvboot_image_info = 3;\n");
    const char *m2[] = { "thief" };
    o = opts_for(f->d.path, f->cfg, m2, 1);
    assert_string_equal(link_fails(&o), "symbol 'pvboot_image_info' is defined in module "
                        "'thief', but the linker provides it");
}

static void test_weak_and_common(void **state)
{
    struct fx *f = *state;
    /* weak default in "aweak", strong override in "zstrong"; users see the strong one */
    build_mod(f->d.path, "aweak", "c", "",
              "__attribute__((weak)) int wsym(void) { return 1; }\n"
              "int aweak_call(void) { return wsym(); }\n");
    build_mod(f->d.path, "zstrong", "c", "", "int wsym(void) { return 2; }\n");
    build_mod(f->d.path, "wuser", "S", "",
              ".text\n.globl wuser_site\nwuser_site: call wsym\nret\n"
              ".data\n.globl wuser_ptr\nwuser_ptr: .quad wsym\n");
    /* common symbols of different sizes merge to the largest */
    build_mod(f->d.path, "com1", "c", "-fcommon", "int common_sym;\nint *c1(void) { return &common_sym; }\n");
    build_mod(f->d.path, "com2", "c", "-fcommon", "long common_sym[4];\nlong *c2(void) { return common_sym; }\n");
    const char *m[] = { "wuser", "aweak", "zstrong", "com1", "com2" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 5);
    struct mkpv_link *l = link_ok(&o);
    size_t len;
    const uint8_t *img = mkpv_link_image(l, &len);
    uint64_t w = sym_va(l, "wsym");
    /* zstrong's wsym: mov $2,%eax; ret */
    assert_memory_equal(img_at(img, len, w, 6), "\xb8\x02\x00\x00\x00\xc3", 6);
    assert_int_equal(rd64(img, len, sym_va(l, "wuser_ptr")), w);
    uint64_t site = sym_va(l, "wuser_site");
    assert_int_equal(rd32(img, len, site + 1), (uint32_t)(w - (site + 5)));
    /* aweak's own call goes to the strong definition too */
    uint64_t ac = sym_va(l, "aweak_call");
    const uint8_t *p = img_at(img, len, ac, 5);
    assert_int_equal(p[0], 0xe9);   /* gcc -O2 tail call: jmp wsym */
    assert_int_equal(rd32(img, len, ac + 1), (uint32_t)(w - (ac + 5)));
    /* common: in bss (beyond file data, before image_end), aligned, 32 bytes */
    uint64_t cs = sym_va(l, "common_sym");
    struct pvboot_image_info info;
    memcpy(&info, img_at(img, len, sym_va(l, PVBOOT_IMAGE_INFO_SYMBOL), sizeof(info)),
           sizeof(info));
    const Elf64_Phdr *dp = img_phdr(img, len, 2);
    assert_int_equal(dp->p_type, PT_LOAD);
    assert_true(cs >= dp->p_vaddr + dp->p_filesz);
    assert_true(cs + 32 <= dp->p_vaddr + dp->p_memsz);
    assert_true(cs + 32 <= info.image_end);
    assert_int_equal(cs % 8, 0);
    mkpv_link_free(l);

    /* only the weak definition: it is used */
    const char *m2[] = { "wuser", "aweak" };
    o = opts_for(f->d.path, f->cfg, m2, 2);
    l = link_ok(&o);
    img = mkpv_link_image(l, &len);
    assert_memory_equal(img_at(img, len, sym_va(l, "wsym"), 6), "\xb8\x01\x00\x00\x00\xc3", 6);
    mkpv_link_free(l);
}

static void test_comdat(void **state)
{
    struct fx *f = *state;
    static const char fmt[] =
        ".section .text.comdat_fn,\"axG\",@progbits,comdat_fn,comdat\n"
        ".globl comdat_fn\n"
        "comdat_fn: mov $%d, %%eax\n ret\n"
        ".text\n.globl %s_user\n%s_user: call comdat_fn\n ret\n";
    char src[1024];
    snprintf(src, sizeof(src), fmt, 1, "cd1", "cd1");
    build_mod(f->d.path, "cd1", "S", "", src);
    snprintf(src, sizeof(src), fmt, 2, "cd2", "cd2");
    build_mod(f->d.path, "cd2", "S", "", src);
    const char *m[] = { "cd2", "cd1" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 2);
    struct mkpv_link *l = link_ok(&o);
    size_t len;
    const uint8_t *img = mkpv_link_image(l, &len);
    uint64_t c = sym_va(l, "comdat_fn");
    /* cd1 comes first by name: its copy is kept, cd2's discarded */
    assert_memory_equal(img_at(img, len, c, 6), "\xb8\x01\x00\x00\x00\xc3", 6);
    uint64_t u1 = sym_va(l, "cd1_user"), u2 = sym_va(l, "cd2_user");
    assert_int_equal(rd32(img, len, u1 + 1), (uint32_t)(c - (u1 + 5)));
    assert_int_equal(rd32(img, len, u2 + 1), (uint32_t)(c - (u2 + 5)));
    /* cd2's text is only its user (6 bytes) plus alignment: the copy is gone */
    assert_true(u2 > c);
    mkpv_link_free(l);
}

static void test_dropped_sections(void **state)
{
    struct fx *f = *state;
    /* -g, unwind tables, .comment, .note.GNU-stack: none of it is loaded */
    build_mod(f->d.path, "dbg", "c", "-g -fasynchronous-unwind-tables",
              "int dbg_fn(int x) { return x * 3; }\n");
    const char *m[] = { "dbg" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 1);
    struct mkpv_link *l = link_ok(&o);
    size_t len;
    const uint8_t *img = mkpv_link_image(l, &len);
    const Elf64_Ehdr *eh = img_ehdr(img, len);
    /* text holds kernel (12 bytes) + dbg_fn (aligned 16): under 64 bytes */
    const Elf64_Phdr *tp = img_phdr(img, len, 0);
    assert_true(tp->p_filesz < 64);
    /* the image's section names are only ours */
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
    const char *strtab = (const char *)img + sh[eh->e_shstrndx].sh_offset;
    for (size_t i = 1; i < eh->e_shnum; i++) {
        const char *n = strtab + sh[i].sh_name;
        assert_true(strcmp(n, ".text") == 0 || strcmp(n, ".rodata") == 0 ||
                    strcmp(n, ".data") == 0 || strcmp(n, ".bss") == 0 ||
                    strcmp(n, ".note.Xen") == 0 || strcmp(n, ".shstrtab") == 0);
    }
    mkpv_link_free(l);
}

/* ------------------------------------------------------------ bad modules */

static void test_bad_modules(void **state)
{
    struct fx *f = *state;
    char msg[1024], path[512];
    const char *m[1] = { path };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 1);

    snprintf(path, sizeof(path), "%s/nope.mod", f->d.path);
    snprintf(msg, sizeof(msg), "%s: cannot open module: No such file or directory", path);
    assert_string_equal(link_fails(&o), msg);

    snprintf(path, sizeof(path), "%s/junk.mod", f->d.path);
    write_text(path, "this is not an object file\n");
    snprintf(msg, sizeof(msg), "%s: not an ELF file", path);
    assert_string_equal(link_fails(&o), msg);

    /* truncated: cut a good module before its section headers */
    build_mod(f->d.path, "good", "c", "", "int good_fn(void) { return 7; }\n");
    size_t glen;
    char gpath[512];
    snprintf(gpath, sizeof(gpath), "%s/good.mod", f->d.path);
    uint8_t *g = slurp(gpath, &glen);
    Elf64_Ehdr geh;
    memcpy(&geh, g, sizeof(geh));
    snprintf(path, sizeof(path), "%s/trunc.mod", f->d.path);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    size_t cut = (size_t)geh.e_shoff + 100;
    assert_int_equal(fwrite(g, 1, cut, fp), cut);
    fclose(fp);
    snprintf(msg, sizeof(msg), "%s: truncated: %u section headers at offset 0x%llx need %llu "
             "bytes, file is %zu bytes", path, geh.e_shnum, (unsigned long long)geh.e_shoff,
             (unsigned long long)(geh.e_shoff + geh.e_shnum * 64ull), cut);
    assert_string_equal(link_fails(&o), msg);
    /* truncated inside the ELF header */
    fp = fopen(path, "wb");
    assert_int_equal(fwrite(g, 1, 40, fp), 40);
    fclose(fp);
    snprintf(msg, sizeof(msg), "%s: truncated: 40 bytes, an ELF64 header needs 64", path);
    assert_string_equal(link_fails(&o), msg);
    /* a section's data past the end: move .text's offset beyond the file */
    /* wrong machine: patch e_machine to AArch64 */
    snprintf(path, sizeof(path), "%s/arm.mod", f->d.path);
    uint16_t mach = EM_AARCH64;
    memcpy(g + offsetof(Elf64_Ehdr, e_machine), &mach, 2);
    fp = fopen(path, "wb");
    assert_int_equal(fwrite(g, 1, glen, fp), glen);
    fclose(fp);
    snprintf(msg, sizeof(msg), "%s: wrong machine: AArch64 (e_machine 183), expected x86-64 (62)",
             path);
    assert_string_equal(link_fails(&o), msg);
    free(g);

    /* 32-bit object */
    snprintf(path, sizeof(path), "%s/m32.o", f->d.path);
    char src[512];
    snprintf(src, sizeof(src), "%s/m32.S", f->d.path);
    write_text(src, ".text\nret\n");
    run_ok("as --32 -o '%s' '%s'", path, src);
    snprintf(path, sizeof(path), "%s/m32.mod", f->d.path);
    run_ok("mv '%s/m32.o' '%s'", f->d.path, path);
    snprintf(msg, sizeof(msg), "%s: wrong class: 32-bit ELF, expected ELF64 x86-64", path);
    assert_string_equal(link_fails(&o), msg);

    /* an executable instead of a relocatable module */
    snprintf(src, sizeof(src), "%s/exe.S", f->d.path);
    write_text(src, ".text\n.globl _start\n_start: ret\n");
    run_ok("as -o '%s/exe.o' '%s' && ld -o '%s/exe.mod' '%s/exe.o'", f->d.path, src, f->d.path,
           f->d.path);
    snprintf(path, sizeof(path), "%s/exe.mod", f->d.path);
    snprintf(msg, sizeof(msg), "%s: wrong type: ET_EXEC (executable), expected ET_REL (a "
             "relocatable module made by ld -r)", path);
    assert_string_equal(link_fails(&o), msg);

    /* thread-local storage is refused */
    build_mod(f->d.path, "tls", "c", "", "__thread int tls_var = 1;\n");
    snprintf(path, sizeof(path), "%s/tls.mod", f->d.path);
    snprintf(msg, sizeof(msg), "%s: section .tdata: thread-local storage is not supported", path);
    assert_string_equal(link_fails(&o), msg);

    /* a missing moddir module named on the command line */
    const char *m2[] = { "absent" };
    o = opts_for(f->d.path, f->cfg, m2, 1);
    snprintf(msg, sizeof(msg), "%s/absent.mod: cannot open module: No such file or directory",
             f->d.path);
    assert_string_equal(link_fails(&o), msg);
}

static void test_bad_options(void **state)
{
    struct fx *f = *state;
    char msg[1024];
    struct mkpv_options o = opts_for(f->d.path, f->cfg, NULL, 0);
    o.format = "i386-pc";
    assert_string_equal(link_fails(&o), "unknown format 'i386-pc' after -O (supported: x86_64-xen, i386-xen_pvh)");

    char cfg[512];
    snprintf(cfg, sizeof(cfg), "%s/missing.cfg", f->d.path);
    o = opts_for(f->d.path, cfg, NULL, 0);
    snprintf(msg, sizeof(msg), "%s: cannot open config: No such file or directory", cfg);
    assert_string_equal(link_fails(&o), msg);

    o = opts_for(f->d.path, f->d.path, NULL, 0);
    snprintf(msg, sizeof(msg), "%s: config is not a regular file", f->d.path);
    assert_string_equal(link_fails(&o), msg);

    snprintf(cfg, sizeof(cfg), "%s/nul.cfg", f->d.path);
    FILE *fp = fopen(cfg, "wb");
    assert_int_equal(fwrite("abc\0def", 1, 7, fp), 7);
    fclose(fp);
    o = opts_for(f->d.path, cfg, NULL, 0);
    snprintf(msg, sizeof(msg), "%s: config contains a NUL byte at offset 3 (not a text file?)", cfg);
    assert_string_equal(link_fails(&o), msg);

    o = opts_for("/nonexistent-moddir", f->cfg, NULL, 0);
    assert_string_equal(link_fails(&o), "/nonexistent-moddir: cannot read module directory: "
                        "No such file or directory");
}

/* The config-check hook: a checker's message becomes the error. */
static int reject_line2(const char *path, const char *text, size_t len, char *msg, size_t n)
{
    const char *nl = memchr(text, '\n', len);
    if (nl && (size_t)(nl - text) + 1 < len) {
        snprintf(msg, n, "%s:2:1: unexpected '%c'", path, nl[1]);
        return 1;
    }
    return 0;
}

static void test_config_hook(void **state)
{
    struct fx *f = *state;
    char msg[1024];
    struct mkpv_options o = opts_for(f->d.path, f->cfg, NULL, 0);
    mkpv_set_config_checker(reject_line2);
    snprintf(msg, sizeof(msg), "%s:2:1: unexpected 'm'", f->cfg);
    assert_string_equal(link_fails(&o), msg);
    char one[512];
    snprintf(one, sizeof(one), "%s/one.cfg", f->d.path);
    write_text(one, "echo ok\n");
    o = opts_for(f->d.path, one, NULL, 0);
    mkpv_link_free(link_ok(&o));
    mkpv_set_config_checker(NULL);
    o = opts_for(f->d.path, f->cfg, NULL, 0);
    mkpv_link_free(link_ok(&o));
}

/*
 * Corrupted modules: overwrite each byte of the ELF header, the section
 * headers and the symbol table of a real module in turn (0xff, then 0x00)
 * and link.  Every attempt must end in an image Xen accepts or in a
 * one-line error naming the module file; never a crash (run under ASan in
 * the sanitizer build) or a silent bad image.
 */
static void test_corrupt_modules(void **state)
{
    struct fx *f = *state;
    build_mod(f->d.path, "tgt", "c", "", tgt_src);
    build_mod(f->d.path, "victim", "c", "-fno-asynchronous-unwind-tables",
              "extern char target_data[64];\n"
              "static int counter;\n"
              "char *victim(int i) { counter += i; return target_data + counter; }\n"
              "void pvboot_init_victim(void) { counter = 1; }\n");
    char path[512], cpath[512];
    snprintf(path, sizeof(path), "%s/victim.mod", f->d.path);
    snprintf(cpath, sizeof(cpath), "%s/corrupt.mod", f->d.path);
    size_t len;
    uint8_t *orig = slurp(path, &len);
    Elf64_Ehdr eh;
    memcpy(&eh, orig, sizeof(eh));
    assert_true(eh.e_shoff + eh.e_shnum * sizeof(Elf64_Shdr) <= len);
    /* regions: header, section header table, symbol table */
    size_t starts[3] = { 0, (size_t)eh.e_shoff, 0 }, ends[3] = { sizeof(eh),
        (size_t)eh.e_shoff + eh.e_shnum * sizeof(Elf64_Shdr), 0 };
    for (size_t i = 0; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, orig + eh.e_shoff + i * sizeof(sh), sizeof(sh));
        if (sh.sh_type == SHT_SYMTAB) {
            starts[2] = (size_t)sh.sh_offset;
            ends[2] = (size_t)(sh.sh_offset + sh.sh_size);
        }
    }
    assert_true(ends[2] > starts[2]);
    uint8_t *buf = malloc(len);
    const char *mods[] = { cpath };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, mods, 1);
    size_t ok = 0, failed = 0;
    for (int r = 0; r < 3; r++) {
        for (size_t off = starts[r]; off < ends[r]; off++) {
            for (int v = 0; v < 2; v++) {
                memcpy(buf, orig, len);
                if (buf[off] == (v ? 0x00 : 0xff))
                    continue;
                buf[off] = v ? 0x00 : 0xff;
                FILE *fp = fopen(cpath, "wb");
                assert_non_null(fp);
                assert_int_equal(fwrite(buf, 1, len, fp), len);
                assert_int_equal(fclose(fp), 0);
                mkpv_error_clear();
                struct mkpv_link *l = mkpv_link(&o);
                if (l) {
                    size_t il;
                    const uint8_t *img = mkpv_link_image(l, &il);
                    if (mkpv_verify_mem(img, il, "corrupt", NULL) != 0)
                        fail_msg("offset 0x%zx: linked an image Xen rejects: %s", off,
                                 mkpv_errmsg());
                    mkpv_link_free(l);
                    ok++;
                } else {
                    const char *e = mkpv_errmsg();
                    if (!*e || strchr(e, '\n'))
                        fail_msg("offset 0x%zx: bad error message '%s'", off, e);
                    /* the message names the corrupt file, or (when the damage
                     * only changes which symbols it needs) a symbol problem */
                    if (!strstr(e, cpath) && !strstr(e, "symbol"))
                        fail_msg("offset 0x%zx: message does not name the file: %s", off, e);
                    failed++;
                }
            }
        }
    }
    /* both outcomes occur: the test really exercises the checks */
    assert_true(failed > 100);
    assert_true(ok > 10);
    free(buf);
    free(orig);
}

/*
 * More than 0xff00 sections: extended numbering (e_shnum 0, SHN_XINDEX,
 * SHT_SYMTAB_SHNDX).  Real section indices then cover 0xfff1/0xfff2, the
 * values of SHN_ABS/SHN_COMMON; symbols in those sections must still land
 * in their own section.  Each section holds one byte = its number & 0xff.
 */
static void test_many_sections(void **state)
{
    struct fx *f = *state;
    enum { NSEC = 65600, LAB_FROM = 65480, LAB_TO = 65560 };
    size_t cap = (size_t)NSEC * 64 + 4096, n = 0;
    char *src = malloc(cap);
    assert_non_null(src);
    for (int i = 0; i < NSEC; i++) {
        n += (size_t)snprintf(src + n, cap - n, ".section .rodata.s%d,\"a\"\n", i);
        if (i >= LAB_FROM && i < LAB_TO)
            n += (size_t)snprintf(src + n, cap - n, ".globl lab_%d\nlab_%d: ", i, i);
        n += (size_t)snprintf(src + n, cap - n, ".byte %d\n", i & 0xff);
    }
    n += (size_t)snprintf(src + n, cap - n, ".data\n.globl many_ptr\nmany_ptr: .quad lab_%d\n",
                          LAB_TO - 1);
    assert_true(n < cap);
    build_mod(f->d.path, "many", "S", "", src);
    free(src);
    char path[512];
    snprintf(path, sizeof(path), "%s/many.mod", f->d.path);
    size_t len;
    uint8_t *raw = slurp(path, &len);
    Elf64_Ehdr eh;
    memcpy(&eh, raw, sizeof(eh));
    assert_int_equal(eh.e_shnum, 0);   /* really extended numbering */
    free(raw);
    const char *m[] = { "many" };
    struct mkpv_options o = opts_for(f->d.path, f->cfg, m, 1);
    struct mkpv_link *l = link_ok(&o);
    const uint8_t *img = mkpv_link_image(l, &len);
    for (int i = LAB_FROM; i < LAB_TO; i++) {
        char name[32];
        snprintf(name, sizeof(name), "lab_%d", i);
        uint64_t va = sym_va(l, name);
        assert_int_equal(img_at(img, len, va, 1)[0], i & 0xff);
        if (i > LAB_FROM) {
            snprintf(name, sizeof(name), "lab_%d", i - 1);
            assert_int_equal(va, sym_va(l, name) + 1);
        }
    }
    assert_int_equal(rd64(img, len, sym_va(l, "many_ptr")), sym_va(l, "lab_65559"));
    mkpv_link_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_relocations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pic_module, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reloc_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dependencies_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycle_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_symbol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_symbol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weak_and_common, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comdat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_sections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_modules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_hook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_modules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_sections, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
