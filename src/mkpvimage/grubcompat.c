/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: GRUB module names and GRUB .mod files on the command line.
 *
 * grub-mkimage command lines name GRUB's modules (search_fs_uuid, configfile,
 * echo, ...) or pass GRUB's module files (/usr/lib/grub/x86_64-xen/\*.mod).
 * The table below is the one place that says what each of GRUB 2.06's
 * x86_64-xen modules (Debian 12's grub-xen-bin) becomes in pvboot; the same
 * table is printed by `mkpvimage --grub-modules` and documented in
 * man/mkpvimage.1 (GRUB MODULE NAMES).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkpv_int.h"

enum grub_kind {
    GRUB_SAME,     /* a pvboot module of the same name */
    GRUB_MAPPED,   /* provided by the pvboot module(s) in .to */
    GRUB_NOMEANING,/* graphics, fonts, GRUB's own self tests: nothing to do in a PV guest */
    GRUB_MISSING,  /* a feature pvboot does not have */
};

struct grub_mod {
    const char *name;
    enum grub_kind kind;
    const char *to;     /* GRUB_MAPPED: space-separated pvboot modules */
};

/* Sorted by name (bsearch).  "kernel" is always linked: GRUB library modules
 * whose work pvboot's kernel does map to it. */
static const struct grub_mod grub_mods[] = {
    { "adler32", GRUB_MISSING, NULL },
    { "affs", GRUB_MISSING, NULL },
    { "afs", GRUB_MISSING, NULL },
    { "afsplitter", GRUB_MAPPED, "cryptodisk" },
    { "all_video", GRUB_NOMEANING, NULL },
    { "archelp", GRUB_MAPPED, "tar" },
    { "backtrace", GRUB_MISSING, NULL },
    { "bfs", GRUB_MISSING, NULL },
    { "bitmap", GRUB_NOMEANING, NULL },
    { "bitmap_scale", GRUB_NOMEANING, NULL },
    { "blocklist", GRUB_MISSING, NULL },
    { "boot", GRUB_MAPPED, "normal" },
    { "bswap_test", GRUB_NOMEANING, NULL },
    { "btrfs", GRUB_SAME, NULL },
    { "bufio", GRUB_MAPPED, "kernel" },
    { "cat", GRUB_SAME, NULL },
    { "cbfs", GRUB_MISSING, NULL },
    { "cmdline_cat_test", GRUB_NOMEANING, NULL },
    { "cmp", GRUB_MISSING, NULL },
    { "cmp_test", GRUB_NOMEANING, NULL },
    { "configfile", GRUB_MAPPED, "normal" },
    { "cpio", GRUB_MISSING, NULL },
    { "cpio_be", GRUB_MISSING, NULL },
    { "cpuid", GRUB_MISSING, NULL },
    { "crc64", GRUB_MISSING, NULL },
    { "crypto", GRUB_MAPPED, "password_pbkdf2" },
    { "cryptodisk", GRUB_SAME, NULL },
    { "ctz_test", GRUB_NOMEANING, NULL },
    { "date", GRUB_MISSING, NULL },
    { "datehook", GRUB_MISSING, NULL },
    { "datetime", GRUB_MISSING, NULL },
    { "disk", GRUB_MAPPED, "kernel" },
    { "diskfilter", GRUB_MAPPED, "kernel" },
    { "div", GRUB_MAPPED, "kernel" },
    { "div_test", GRUB_NOMEANING, NULL },
    { "dm_nv", GRUB_MISSING, NULL },
    { "echo", GRUB_MAPPED, "normal" },
    { "elf", GRUB_MAPPED, "linux" },
    { "eval", GRUB_MAPPED, "normal" },
    { "exfat", GRUB_MISSING, NULL },
    { "exfctest", GRUB_NOMEANING, NULL },
    { "ext2", GRUB_SAME, NULL },
    { "f2fs", GRUB_MISSING, NULL },
    { "fat", GRUB_SAME, NULL },
    { "file", GRUB_MISSING, NULL },
    { "font", GRUB_NOMEANING, NULL },
    { "fshelp", GRUB_MAPPED, "kernel" },
    { "functional_test", GRUB_NOMEANING, NULL },
    { "gcry_arcfour", GRUB_MISSING, NULL },
    { "gcry_blowfish", GRUB_MISSING, NULL },
    { "gcry_camellia", GRUB_MISSING, NULL },
    { "gcry_cast5", GRUB_MISSING, NULL },
    { "gcry_crc", GRUB_MISSING, NULL },
    { "gcry_des", GRUB_MISSING, NULL },
    { "gcry_dsa", GRUB_MISSING, NULL },
    { "gcry_idea", GRUB_MISSING, NULL },
    { "gcry_md4", GRUB_MISSING, NULL },
    { "gcry_md5", GRUB_MISSING, NULL },
    { "gcry_rfc2268", GRUB_MISSING, NULL },
    { "gcry_rijndael", GRUB_MAPPED, "cryptodisk" },
    { "gcry_rmd160", GRUB_MISSING, NULL },
    { "gcry_rsa", GRUB_MAPPED, "pgp" },
    { "gcry_seed", GRUB_MISSING, NULL },
    { "gcry_serpent", GRUB_MISSING, NULL },
    { "gcry_sha1", GRUB_MAPPED, "cryptodisk" },
    { "gcry_sha256", GRUB_MAPPED, "cryptodisk" },
    { "gcry_sha512", GRUB_MAPPED, "password_pbkdf2" },
    { "gcry_tiger", GRUB_MISSING, NULL },
    { "gcry_twofish", GRUB_MISSING, NULL },
    { "gcry_whirlpool", GRUB_MISSING, NULL },
    { "geli", GRUB_MISSING, NULL },
    { "gettext", GRUB_MISSING, NULL },
    { "gfxmenu", GRUB_NOMEANING, NULL },
    { "gfxterm", GRUB_NOMEANING, NULL },
    { "gfxterm_background", GRUB_NOMEANING, NULL },
    { "gfxterm_menu", GRUB_NOMEANING, NULL },
    { "gptsync", GRUB_MISSING, NULL },
    { "gzio", GRUB_SAME, NULL },
    { "halt", GRUB_MAPPED, "kernel" },
    { "hashsum", GRUB_MISSING, NULL },
    { "hello", GRUB_NOMEANING, NULL },
    { "help", GRUB_SAME, NULL },
    { "hexdump", GRUB_MISSING, NULL },
    { "hfs", GRUB_MISSING, NULL },
    { "hfsplus", GRUB_MISSING, NULL },
    { "hfspluscomp", GRUB_MISSING, NULL },
    { "http", GRUB_MISSING, NULL },
    { "iso9660", GRUB_SAME, NULL },
    { "jfs", GRUB_MISSING, NULL },
    { "jpeg", GRUB_NOMEANING, NULL },
    { "json", GRUB_MISSING, NULL },
    { "keystatus", GRUB_MAPPED, "normal" },
    { "ldm", GRUB_MISSING, NULL },
    { "legacy_password_test", GRUB_NOMEANING, NULL },
    { "legacycfg", GRUB_SAME, NULL },
    { "linux", GRUB_SAME, NULL },
    { "loadenv", GRUB_SAME, NULL },
    { "loopback", GRUB_SAME, NULL },
    { "ls", GRUB_SAME, NULL },
    { "lsmmap", GRUB_MAPPED, "kernel" },
    { "lsxen", GRUB_MAPPED, "kernel" },
    { "luks", GRUB_SAME, NULL },
    { "luks2", GRUB_SAME, NULL },
    { "lvm", GRUB_SAME, NULL },
    { "lzopio", GRUB_SAME, NULL },
    { "macbless", GRUB_MISSING, NULL },
    { "macho", GRUB_MISSING, NULL },
    { "mdraid09", GRUB_MISSING, NULL },
    { "mdraid09_be", GRUB_MISSING, NULL },
    { "mdraid1x", GRUB_SAME, NULL },
    { "memdisk", GRUB_SAME, NULL },
    { "memrw", GRUB_MISSING, NULL },
    { "minicmd", GRUB_MAPPED, "normal cat help" },
    { "minix", GRUB_MISSING, NULL },
    { "minix2", GRUB_MISSING, NULL },
    { "minix2_be", GRUB_MISSING, NULL },
    { "minix3", GRUB_MISSING, NULL },
    { "minix3_be", GRUB_MISSING, NULL },
    { "minix_be", GRUB_MISSING, NULL },
    { "mpi", GRUB_MISSING, NULL },
    { "msdospart", GRUB_MISSING, NULL },
    { "mul_test", GRUB_NOMEANING, NULL },
    { "net", GRUB_MISSING, NULL },
    { "newc", GRUB_MISSING, NULL },
    { "nilfs2", GRUB_MISSING, NULL },
    { "normal", GRUB_SAME, NULL },
    { "ntfs", GRUB_MISSING, NULL },
    { "ntfscomp", GRUB_MISSING, NULL },
    { "odc", GRUB_MISSING, NULL },
    { "offsetio", GRUB_MISSING, NULL },
    { "part_acorn", GRUB_MISSING, NULL },
    { "part_amiga", GRUB_MISSING, NULL },
    { "part_apple", GRUB_MISSING, NULL },
    { "part_bsd", GRUB_MISSING, NULL },
    { "part_dfly", GRUB_MISSING, NULL },
    { "part_dvh", GRUB_MISSING, NULL },
    { "part_gpt", GRUB_SAME, NULL },
    { "part_msdos", GRUB_SAME, NULL },
    { "part_plan", GRUB_MISSING, NULL },
    { "part_sun", GRUB_MISSING, NULL },
    { "part_sunpc", GRUB_MISSING, NULL },
    { "parttool", GRUB_MISSING, NULL },
    { "password", GRUB_SAME, NULL },
    { "password_pbkdf2", GRUB_SAME, NULL },
    { "pbkdf2", GRUB_MAPPED, "password_pbkdf2" },
    { "pbkdf2_test", GRUB_NOMEANING, NULL },
    { "pgp", GRUB_SAME, NULL },
    { "png", GRUB_NOMEANING, NULL },
    { "priority_queue", GRUB_MISSING, NULL },
    { "probe", GRUB_MAPPED, "search" },
    { "procfs", GRUB_MISSING, NULL },
    { "progress", GRUB_MISSING, NULL },
    { "raid5rec", GRUB_MISSING, NULL },
    { "raid6rec", GRUB_MISSING, NULL },
    { "read", GRUB_MISSING, NULL },
    { "reboot", GRUB_MAPPED, "kernel" },
    { "regexp", GRUB_MAPPED, "normal" },
    { "reiserfs", GRUB_MISSING, NULL },
    { "relocator", GRUB_MAPPED, "linux" },
    { "romfs", GRUB_MISSING, NULL },
    { "scsi", GRUB_MISSING, NULL },
    { "search", GRUB_SAME, NULL },
    { "search_fs_file", GRUB_MAPPED, "search" },
    { "search_fs_uuid", GRUB_MAPPED, "search" },
    { "search_label", GRUB_MAPPED, "search" },
    { "setjmp", GRUB_MAPPED, "kernel" },
    { "setjmp_test", GRUB_NOMEANING, NULL },
    { "sfs", GRUB_MISSING, NULL },
    { "shift_test", GRUB_NOMEANING, NULL },
    { "signature_test", GRUB_NOMEANING, NULL },
    { "sleep", GRUB_MAPPED, "normal" },
    { "sleep_test", GRUB_NOMEANING, NULL },
    { "squash4", GRUB_SAME, NULL },
    { "strtoull_test", GRUB_NOMEANING, NULL },
    { "syslinuxcfg", GRUB_SAME, NULL },
    { "tar", GRUB_SAME, NULL },
    { "terminal", GRUB_MAPPED, "normal" },
    { "test", GRUB_MAPPED, "normal" },
    { "test_blockarg", GRUB_NOMEANING, NULL },
    { "testload", GRUB_NOMEANING, NULL },
    { "testspeed", GRUB_SAME, NULL },
    { "tftp", GRUB_MISSING, NULL },
    { "tga", GRUB_NOMEANING, NULL },
    { "time", GRUB_MISSING, NULL },
    { "tr", GRUB_MAPPED, "normal" },
    { "trig", GRUB_NOMEANING, NULL },
    { "true", GRUB_MAPPED, "normal" },
    { "udf", GRUB_MISSING, NULL },
    { "ufs1", GRUB_MISSING, NULL },
    { "ufs1_be", GRUB_MISSING, NULL },
    { "ufs2", GRUB_MISSING, NULL },
    { "video", GRUB_NOMEANING, NULL },
    { "video_colors", GRUB_NOMEANING, NULL },
    { "video_fb", GRUB_NOMEANING, NULL },
    { "videoinfo", GRUB_NOMEANING, NULL },
    { "videotest", GRUB_NOMEANING, NULL },
    { "videotest_checksum", GRUB_NOMEANING, NULL },
    { "xfs", GRUB_SAME, NULL },
    { "xnu_uuid", GRUB_MISSING, NULL },
    { "xnu_uuid_test", GRUB_NOMEANING, NULL },
    { "xzio", GRUB_SAME, NULL },
    { "zfs", GRUB_MISSING, NULL },
    { "zfscrypt", GRUB_MISSING, NULL },
    { "zfsinfo", GRUB_MISSING, NULL },
    { "zstd", GRUB_SAME, NULL },
};
#define NR_GRUB_MODS (sizeof(grub_mods) / sizeof(grub_mods[0]))

static int cmp_key(const void *key, const void *ent)
{
    return strcmp(key, ((const struct grub_mod *)ent)->name);
}

static const struct grub_mod *grub_lookup(const char *name)
{
    return bsearch(name, grub_mods, NR_GRUB_MODS, sizeof(grub_mods[0]), cmp_key);
}

int mkpv_grub_print_table(FILE *out)
{
    static const char *const what[] = {
        [GRUB_NOMEANING] = "-  (skipped: no meaning in a Xen PV guest)",
        [GRUB_MISSING] = "!  (not in pvboot: an error when named, a note for a GRUB .mod file)",
    };
    for (size_t i = 0; i < NR_GRUB_MODS; i++) {
        const struct grub_mod *g = &grub_mods[i];
        if (g->kind == GRUB_SAME)
            fprintf(out, "%s\t%s\n", g->name, g->name);
        else if (g->kind == GRUB_MAPPED)
            fprintf(out, "%s\t%s\n", g->name, g->to);
        else
            fprintf(out, "%s\t%s\n", g->name, what[g->kind]);
    }
    return fflush(out) == 0 ? 0 : mkpv_error("cannot write the table: %s", strerror(errno));
}

/* The module name in a GRUB module file's ".modname" section, or NULL if
 * @path is not an ELF file with such a section (then it is taken as a
 * pvboot module and module.c reports what is wrong with it).  The name is
 * malloc'd; only [A-Za-z0-9_-] names up to 64 bytes are accepted. */
static char *grub_modname(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *name = NULL;
    (void)elf_version(EV_CURRENT);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    size_t shstrndx;
    if (e && elf_kind(e) == ELF_K_ELF && elf_getshdrstrndx(e, &shstrndx) == 0) {
        Elf_Scn *s = NULL;
        while ((s = elf_nextscn(e, s)) != NULL) {
            GElf_Shdr sh;
            if (!gelf_getshdr(s, &sh))
                break;
            const char *sn = elf_strptr(e, shstrndx, sh.sh_name);
            if (!sn || strcmp(sn, ".modname") != 0)
                continue;
            Elf_Data *d = elf_getdata(s, NULL);
            if (!d || !d->d_buf || d->d_size == 0 || d->d_size > 65)
                break;
            const char *p = d->d_buf;
            size_t n = strnlen(p, d->d_size);
            bool ok = n > 0;
            for (size_t i = 0; i < n && ok; i++)
                ok = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
                     (p[i] >= '0' && p[i] <= '9') || p[i] == '_' || p[i] == '-';
            if (ok)
                name = strndup(p, n);
            break;
        }
    }
    if (e)
        elf_end(e);
    close(fd);
    return name;
}

/* A growing list of names (not owned unless noted). */
struct names {
    const char **v;
    size_t n, cap;
};

static int names_add(struct names *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 0;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        const char **nv = reallocarray(l->v, nc, sizeof(*nv));
        if (!nv)
            return mkpv_error("out of memory");
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = s;
    return 0;
}

/* "a b c" of @l into a malloc'd string. */
static char *names_join(const struct names *l, const char *sep)
{
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + strlen(sep);
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            strcat(s, sep);
        strcat(s, l->v[i]);
    }
    return s;
}

static bool in_moddir(const char *moddir, const char *name)
{
    char path[4096];
    struct stat st;
    if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", moddir, name, MKPV_MOD_SUFFIX) >=
        sizeof(path))
        return false;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool looks_like_path(const char *arg)
{
    size_t n = strlen(arg), sl = strlen(MKPV_MOD_SUFFIX);
    return strchr(arg, '/') || (n > sl && strcmp(arg + n - sl, MKPV_MOD_SUFFIX) == 0);
}

void mkpv_grub_result_free(struct mkpv_grub_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nalloc; i++)
        free(r->alloc[i]);
    free(r->alloc);
    free(r->modules);
    free(r->notes);
    memset(r, 0, sizeof(*r));
}

static int keep(struct mkpv_grub_result *r, char *s)
{
    char **na = reallocarray(r->alloc, r->nalloc + 1, sizeof(*na));
    if (!na) {
        free(s);
        return mkpv_error("out of memory");
    }
    r->alloc = na;
    r->alloc[r->nalloc++] = s;
    return 0;
}

/* Add the note @s (malloc'd, NULL = out of memory) to @r. */
static int note(struct mkpv_grub_result *r, char *s)
{
    if (!s)
        return mkpv_error("out of memory");
    const char **nn = reallocarray(r->notes, r->nnotes + 1, sizeof(*nn));
    if (!nn) {
        free(s);
        return mkpv_error("out of memory");
    }
    r->notes = nn;
    r->notes[r->nnotes++] = s;
    return keep(r, s);
}

#define PL(n) ((n) == 1 ? "" : "s")

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, f);
    int n = vasprintf(&s, f, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

int mkpv_grub_translate(const char *const *args, size_t n, const char *moddir,
                        struct mkpv_grub_result *r)
{
    memset(r, 0, sizeof(*r));
    if (!moddir)
        moddir = mkpv_default_moddir();
    struct names out = { 0 }, files = { 0 }, skipped = { 0 }, missing_file = { 0 },
                 missing = { 0 }, unknown = { 0 };
    const char *filedir = NULL;
    bool one_dir = true, grubby = false;
    int rc = -1;
    for (size_t i = 0; i < n; i++) {
        const char *arg = args[i];
        const char *name = arg;
        bool from_file = false;
        if (looks_like_path(arg)) {
            char *gn = grub_modname(arg);
            if (!gn) {
                if (names_add(&out, arg) < 0)
                    goto out;
                continue;   /* a pvboot module file (or an error module.c reports) */
            }
            if (keep(r, gn) < 0)
                goto out;
            name = gn;
            from_file = true;
            if (names_add(&files, arg) < 0)
                goto out;
            const char *slash = strrchr(arg, '/');
            size_t dl = slash ? (size_t)(slash - arg) : 0;
            if (!filedir) {
                char *d = strndup(slash ? arg : ".", slash ? dl : 1);
                if (!d || keep(r, d) < 0) {
                    if (!d)
                        mkpv_error("out of memory");
                    goto out;
                }
                filedir = d;
            } else if (strlen(filedir) != (slash ? dl : 1) ||
                       strncmp(filedir, slash ? arg : ".", slash ? dl : 1) != 0) {
                one_dir = false;
            }
        }
        const struct grub_mod *g = grub_lookup(name);
        grubby |= g != NULL;
        if (in_moddir(moddir, name)) {
            if (names_add(&out, name) < 0)
                goto out;
            if (from_file)
                mkpv_verbose(1, "GRUB module file %s: pvboot module %s", arg, name);
            continue;
        }
        int e = 0;
        if (!g)
            e = names_add(&unknown, name);
        else if (g->kind == GRUB_SAME)
            e = names_add(&out, name);   /* the link reports it missing from moddir */
        else if (g->kind == GRUB_NOMEANING)
            e = names_add(&skipped, name);
        else if (g->kind == GRUB_MISSING)
            e = names_add(from_file ? &missing_file : &missing, name);
        else {
            mkpv_verbose(1, "GRUB module %s: provided by pvboot's %s", name, g->to);
            char *to = strdup(g->to);
            if (!to || keep(r, to) < 0) {
                if (!to)
                    mkpv_error("out of memory");
                goto out;
            }
            for (char *save = NULL, *t = strtok_r(to, " ", &save); t && !e;
                 t = strtok_r(NULL, " ", &save))
                e = names_add(&out, t);
        }
        if (e < 0)
            goto out;
    }
    if (unknown.n || missing.n) {
        char *u = names_join(&unknown, ", "), *m = names_join(&missing, ", ");
        if (!u || !m)
            mkpv_error("out of memory");
        else if (unknown.n && missing.n)
            mkpv_error("unknown module%s: %s (neither a pvboot module in %s nor a GRUB module); "
                       "GRUB module%s that pvboot does not have: %s",
                       unknown.n > 1 ? "s" : "", u, moddir, missing.n > 1 ? "s" : "", m);
        else if (unknown.n)
            mkpv_error("unknown module%s: %s (neither a pvboot module in %s nor a GRUB module; "
                       "see mkpvimage --list-modules and --grub-modules)",
                       unknown.n > 1 ? "s" : "", u, moddir);
        else
            mkpv_error("GRUB module%s that pvboot does not have: %s (see mkpvimage "
                       "--grub-modules)", missing.n > 1 ? "s" : "", m);
        free(u);
        free(m);
        goto out;
    }
    if (files.n &&
        note(r, one_dir ? fmt("%zu GRUB module file%s (in %s) taken as request%s for pvboot's "
                              "module%s of %s name%s", files.n, PL(files.n), filedir,
                              PL(files.n), PL(files.n), files.n > 1 ? "their" : "its",
                              PL(files.n))
                        : fmt("%zu GRUB module files taken as requests for pvboot's modules "
                              "of their names", files.n)) < 0)
        goto out;
    if (skipped.n) {
        char *s = names_join(&skipped, " ");
        int e = note(r, s ? fmt("%zu GRUB module%s skipped, no meaning in a Xen PV guest: %s",
                                skipped.n, PL(skipped.n), s) : NULL);
        free(s);
        if (e < 0)
            goto out;
    }
    if (missing_file.n) {
        char *s = names_join(&missing_file, " ");
        int e = note(r, s ? fmt("%zu GRUB module%s pvboot does not have, not in the image: %s",
                                missing_file.n, PL(missing_file.n), s) : NULL);
        free(s);
        if (e < 0)
            goto out;
    }
    /* GRUB's x86_64-xen kernel has its Xen disk driver built in: a GRUB module
     * list expects disks, so pvboot's disk driver comes along */
    if (grubby && out.n && in_moddir(moddir, "blkfront")) {
        mkpv_verbose(1, "GRUB module names: adding blkfront (GRUB's x86_64-xen kernel reads "
                        "Xen disks itself)");
        if (names_add(&out, "blkfront") < 0)
            goto out;
    }
    /* everything skipped: only the kernel, not "no MODULE" (= every module) */
    if (n && !out.n && names_add(&out, "kernel") < 0)
        goto out;
    r->modules = out.v;
    r->nr_modules = out.n;
    out.v = NULL;
    rc = 0;
out:
    free(out.v);
    free(files.v);
    free(skipped.v);
    free(missing_file.v);
    free(missing.v);
    free(unknown.v);
    if (rc < 0)
        mkpv_grub_result_free(r);
    return rc;
}
