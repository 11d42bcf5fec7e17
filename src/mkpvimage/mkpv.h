/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage library: a static linker for pvboot's freestanding modules and
 * the writer of the bootable x86_64-xen image.
 *
 * Pipeline (mkpv_run):
 *   load modules (*.mod, ELF64 ET_REL x86-64, libelf)      module.c
 *   pull dependencies, resolve symbols, order inits,
 *   lay out text/rodata/data+bss, GOT, relocate           link.c
 *   image info + Xen PV ELF notes + ELF64 ET_EXEC          image.c
 *   optional whole-file gzip or xz bzImage container      compress.c
 *   write atomically, check with libxenguest              output.c, verify.c
 *
 * Error convention: functions return 0 (or a pointer) on success and -1 (or
 * NULL) on failure after recording exactly one one-line message, available
 * from mkpv_errmsg().  Messages name the file (and section/offset or symbol)
 * and what is wrong; they carry no "mkpvimage:" prefix.
 */
#ifndef MKPV_H
#define MKPV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Output formats (-O): one image format; "i386-xen_pvh" (grub-mkimage's
 * name for its PVH platform) is accepted as a synonym because every image
 * boots as PV and as PVH. */
#define MKPV_FORMAT "x86_64-xen"
#define MKPV_FORMAT_PVH "i386-xen_pvh"
/* File name suffix of a module in MODDIR. */
#define MKPV_MOD_SUFFIX ".mod"
/* Xen capability string used for the offline libxenguest check. */
#define MKPV_XEN_CAPS "xen-3.0-x86_64 xen-3.0-x86_32p"
/* ... and for the PVH (HVM container) check: what an x86_64 host with HVM
 * support reports (docs/xen-pvh-boot.md §5 of the shared docs). */
#define MKPV_XEN_CAPS_HVM "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"
/* Prefix used when -m is given without -p (as grub-mkimage documents). */
#define MKPV_MEMDISK_PREFIX "(memdisk)/boot/grub"
/* Upper bounds on inputs (sanity, not ABI). */
#define MKPV_MAX_MODULE_SIZE  (256u << 20)  /* one .mod file, bytes */
#define MKPV_MAX_CONFIG_SIZE  (16u << 20)   /* -c file, bytes */
#define MKPV_MAX_MEMDISK_SIZE (1u << 30)    /* -m file, bytes */
#define MKPV_MAX_IMAGE_SIZE   (1ull << 31)  /* linked image, bytes (PC32 reach) */

enum mkpv_compress {
    MKPV_COMPRESS_NONE,
    MKPV_COMPRESS_GZIP,
    MKPV_COMPRESS_XZ,     /* bzImage container, see mkpv_xz_bzimage() */
    MKPV_COMPRESS_AUTO,
};

/** Options of one mkpvimage run (the command line, parsed). */
struct mkpv_options {
    const char *format;           /* -O, must be MKPV_FORMAT */
    const char *config_path;      /* -c; NULL = config_text */
    const char *config_text;      /* used without -c (mkpvimage: the built-in default) */
    size_t config_text_len;       /* bytes at config_text, no NUL inside */
    const char *output_path;      /* -o; NULL = standard output */
    const char *moddir;           /* -d, NULL = PVBOOT_DEFAULT_MODDIR */
    const char *prefix;           /* -p, NULL = none (MKPV_MEMDISK_PREFIX with -m) */
    const char *memdisk_path;     /* -m, NULL = none */
    const uint8_t *pubkeys;       /* -k files' bytes, concatenated (checked by main.c) */
    size_t pubkeys_len;           /* 0 = none */
    enum mkpv_compress compress;  /* -C */
    int verbose;                  /* -v count; messages go to stderr */
    bool no_verify;               /* --no-verify */
    const char *const *modules;   /* names or paths to .mod; "kernel" is implied */
    size_t nr_modules;            /* 0 = every module in moddir */
};

/** mkpv_default_moddir() - the module directory used without -d
 *  (PVBOOT_DEFAULT_MODDIR from src/CMakeLists.txt: the installed one). */
const char *mkpv_default_moddir(void);

/* ---- errors (util.c) ---- */

/** mkpv_error() - record a one-line error message (printf format); returns -1. */
int mkpv_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** mkpv_verror() - va_list form of mkpv_error(); returns -1. */
int mkpv_verror(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/** mkpv_errmsg() - the last recorded message ("" if none). */
const char *mkpv_errmsg(void);
/** mkpv_error_clear() - forget the recorded message. */
void mkpv_error_clear(void);
/** mkpv_verbose() - print a progress line to stderr if @level <= the current
 *  verbosity (set by mkpv_set_verbose()). */
void mkpv_verbose(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** mkpv_set_verbose() - set the verbosity used by mkpv_verbose() (0 = quiet). */
void mkpv_set_verbose(int level);
/** mkpv_get_verbose() - the current verbosity. */
int mkpv_get_verbose(void);

/* ---- files (output.c) ---- */

/**
 * mkpv_read_file() - read a whole regular file, pipe or character device
 * (-c <(...), /dev/stdin) into a new malloc'd buffer.
 * @path: file name; @what: noun used in messages ("config", "memdisk"…);
 * @max: largest accepted size in bytes; @data/@len: result (a NUL byte is
 * appended after @len bytes, not counted).  Errors (recorded): cannot open,
 * a directory or other non-file, larger than @max, read error.
 */
int mkpv_read_file(const char *path, const char *what, size_t max,
                   uint8_t **data, size_t *len);

/**
 * mkpv_write_atomic() - write @len bytes to @path atomically: a temporary file
 * in the same directory is written, fsync'ed, optionally checked by @check
 * (called with the temporary path; returns 0 to accept), given mode
 * 0666 & ~umask, then renamed over @path and the directory is fsync'ed.
 * On any failure the temporary file is removed and @path is untouched.
 * A symbolic link @path is followed: the file it names is replaced, the link
 * stays (a link that cannot be followed is an error).  An existing @path that
 * is not a regular file (character or block device, FIFO, e.g. /dev/null or
 * /dev/stdout in a pipe) is never replaced: the bytes are written to and
 * checked in a temporary file under $TMPDIR (default /tmp) first, then
 * written to @path directly (not atomic).  Errors (recorded, naming @path):
 * empty name, directory, socket, unfollowable link, create/write/sync/rename
 * failures, or @check's own message.
 */
int mkpv_write_atomic(const char *path, const void *data, size_t len,
                      int (*check)(const char *tmp_path, void *arg), void *arg);

/**
 * mkpv_write_fd() - write @len bytes to the open descriptor @fd (standard
 * output when -o is absent), named @name in messages.  @check (if not NULL)
 * is run first on a copy in a temporary file under $TMPDIR (default /tmp),
 * so nothing is written unless it passes.  A terminal is refused.  If @fd is
 * a regular file and the write or fsync fails, the file is truncated back to
 * its offset before the write.  Errors (recorded): terminal, write errors,
 * @check's message.
 */
int mkpv_write_fd(int fd, const char *name, const void *data, size_t len,
                  int (*check)(const char *tmp_path, void *arg), void *arg);

/**
 * mkpv_signal_cleanup() - signal handler for SIGINT/SIGTERM/SIGHUP: removes
 * the temporary file of a mkpv_write_atomic() in progress, then re-raises
 * the signal with its default action.
 */
void mkpv_signal_cleanup(int sig);

/* ---- compression (compress.c) ---- */

/**
 * mkpv_compress_parse() - parse a -C argument ("none", "gzip", "xz", "auto").
 * Returns 0 and sets @out; -1 with a message for unknown words.
 */
int mkpv_compress_parse(const char *word, enum mkpv_compress *out);
/**
 * mkpv_gzip() - deflate @len bytes at @in into a gzip member (RFC 1952) with
 * a fixed header (mtime 0, no name, OS 3 "Unix") so equal input gives equal
 * output.  @out is malloc'd; its size in bytes goes to @out_len.
 */
int mkpv_gzip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len);
/** mkpv_gunzip() - inverse of mkpv_gzip() (used by tests and -v checks);
 *  @max bounds the output size in bytes. */
int mkpv_gunzip(const uint8_t *in, size_t len, size_t max, uint8_t **out, size_t *out_len);

/*
 * The -C xz container: an x86 Linux boot-protocol image (bzImage) as
 * libxenguest's bzImage loader reads it (Linux Documentation/arch/x86/
 * boot.rst; Xen tools/libs/guest/xg_dom_bzimageloader.c).  Offsets in bytes
 * from the start of the file.
 */
#define MKPV_BZ_SETUP_SECTS    1        /* setup_sects: real-mode part = 1 + 1 sectors */
#define MKPV_BZ_PM_START       ((MKPV_BZ_SETUP_SECTS + 1) * 512)  /* protected-mode part */
#define MKPV_BZ_VERSION        0x0208   /* boot protocol 2.08: first with payload_* */
#define MKPV_BZ_SETUP_STUB     0x270    /* the "jump" at 0x200 lands here */
#define MKPV_BZ_VERSION_STR    0x280    /* kernel_version string (field = this - 0x200) */
#define MKPV_BZ_CMDLINE_SIZE   1023     /* Xen's MAX_GUEST_CMDLINE (1024) less the NUL */
#define MKPV_BZ_SUBARCH_XEN    2        /* hardware_subarch X86_SUBARCH_XEN */
#define MKPV_BZ_PAYLOAD_OFFSET 16       /* payload_offset: after a 16-byte stop stub */
#define MKPV_XZ_MEMLIMIT       (256u << 20)  /* libxenguest's xz decoder memory limit */

/**
 * mkpv_xz() - compress @len bytes at @in into one .xz stream: x86 BCJ filter
 * then LZMA2 preset 9e with the dictionary cut to the input size (at least
 * 4 KiB), CRC32 check (as Linux's own xz kernels), single-threaded so equal
 * input gives equal output.  @out is malloc'd, its size in bytes in @out_len.
 * -1 with a message on liblzma errors or out of memory.
 */
int mkpv_xz(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len);
/**
 * mkpv_unxz() - decode exactly one .xz stream filling all @len bytes at @in
 * (libxenguest's memory limit, any check) into at most @max bytes.  @out is
 * malloc'd (@max bytes).  -1 with a message if the data is corrupt, truncated,
 * followed by other bytes or decodes to more than @max bytes.
 */
int mkpv_unxz(const uint8_t *in, size_t len, size_t max, uint8_t **out, size_t *out_len);
/**
 * mkpv_xz_bzimage() - wrap the ELF image (@elf, @elf_len bytes, < 4 GiB) in
 * the -C xz container.  Layout:
 *   0x000  "cli; hlt; jmp" stop (a BIOS booting the file stops here)
 *   0x1f1  setup header, boot protocol 2.08: setup_sects 1, syssize, vid_mode
 *          0xffff, boot_flag 0xaa55, jump to 0x270, "HdrS", version 0x0208,
 *          kernel_version -> "pvboot VERSION (...)" at 0x280, loadflags
 *          LOADED_HIGH, code32_start 0x100000, initrd_addr_max 0x7fffffff,
 *          cmdline_size 1023, hardware_subarch 2 (Xen), payload_offset 16,
 *          payload_length = xz size + 4
 *   0x270  the stop again (real-mode entry)
 *   0x400  protected-mode part: the stop (code32_start), then at 0x410 the
 *          payload: mkpv_xz() of the ELF and its size as 4 bytes LE.
 * @out is malloc'd, @out_len its size in bytes.  -1 with a message on errors.
 */
int mkpv_xz_bzimage(const uint8_t *elf, size_t elf_len, uint8_t **out, size_t *out_len);

/* ---- Xen check (verify.c) ---- */

/** Result of the libxenguest check: the PV parse (guest VAs) and the PVH
 *  parse (guest-physical addresses). */
struct mkpv_verify_result {
    uint64_t virt_base;
    uint64_t virt_entry;
    uint64_t virt_hypercall;   /* UNSET_ADDR (-1) when there is no hypercall page */
    uint64_t pvh_entry;        /* HVM container: XEN_ELFNOTE_PHYS32_ENTRY */
    uint64_t pvh_kstart, pvh_kend;   /* HVM container: physical kernel range */
};
/**
 * mkpv_verify_file()/mkpv_verify_mem() - parse a kernel image with Xen's own
 * domain-builder parser (libxenguest, XC_OPENFLAG_DUMMY: no hypervisor
 * needed), exactly the probe, decompression and ELF note parsing `xl create`
 * runs, twice: as a PV guest (dom->xen_caps = MKPV_XEN_CAPS; guest type must
 * be xen-3.0-x86_64) and as a PVH guest (container_type
 * XC_DOM_HVM_CONTAINER, MKPV_XEN_CAPS_HVM; guest type must be
 * hvm-3.0-x86_32, i.e. XEN_ELFNOTE_PHYS32_ENTRY present).  Either failing
 * fails the check; the message says which ("as a PV guest"/"as a PVH
 * guest") and quotes Xen's last error.  @res may be NULL.  @name is used in
 * messages.
 */
int mkpv_verify_file(const char *path, struct mkpv_verify_result *res);
int mkpv_verify_mem(const void *data, size_t len, const char *name,
                    struct mkpv_verify_result *res);
/** mkpv_verify_file_as() - mkpv_verify_file() of @path, naming it @name in
 *  messages (used for the temporary file of an atomic write). */
int mkpv_verify_file_as(const char *path, const char *name, struct mkpv_verify_result *res);

/* ---- config check hook (config.c) ---- */

/**
 * Config syntax checker: called with the config file name, its text (@len
 * bytes, NUL-terminated) and a message buffer.  Returns 0 if the config is
 * acceptable; otherwise writes "FILE:LINE:COLUMN: message" into @msg and
 * returns non-zero.
 */
typedef int (*mkpv_config_checker)(const char *path, const char *text, size_t len,
                                   char *msg, size_t msglen);
/**
 * mkpv_set_config_checker() - install the checker used by
 * mkpv_check_config().  Until the runtime's script interpreter exists nothing
 * is installed and configs are only checked for being text without NUL bytes.
 */
void mkpv_set_config_checker(mkpv_config_checker fn);
/** mkpv_check_config() - run the installed checker (no-op when none);
 *  returns 0 or -1 with the checker's message recorded. */
int mkpv_check_config(const char *path, const char *text, size_t len);

/* ---- modules and linking (module.c, link.c, image.c) ---- */

/**
 * mkpv_list_modules() - print the names of the modules in @moddir (files
 * NAME.mod), sorted, one per line, to @out.  With @verbose > 0 also each
 * module's size and the modules it needs (from undefined symbols).
 */
int mkpv_list_modules(const char *moddir, int verbose, FILE *out);

struct mkpv_link;   /* a linked image, opaque */

/**
 * mkpv_link() - load the modules named by @o (plus "kernel" and dependency
 * modules found in o->moddir), resolve, lay out and relocate them, embed the
 * config, prefix and memdisk and build the uncompressed ELF image in memory.
 * Does not write or verify anything.  NULL (message recorded) on error.
 */
struct mkpv_link *mkpv_link(const struct mkpv_options *o);
/** mkpv_link_image() - the ELF bytes (uncompressed) and their size. */
const uint8_t *mkpv_link_image(const struct mkpv_link *l, size_t *len);
/** mkpv_link_entry() - entry VA (symbol _start). */
uint64_t mkpv_link_entry(const struct mkpv_link *l);
/** mkpv_link_pvh_entry() - the PVH entry (symbol _start_pvh, 32-bit code in
 *  the text segment; VA == physical address), the XEN_ELFNOTE_PHYS32_ENTRY
 *  value. */
uint64_t mkpv_link_pvh_entry(const struct mkpv_link *l);
/** mkpv_link_symbol() - VA of global symbol @name (or the linker's own
 *  PVBOOT_IMAGE_INFO_SYMBOL); 0 if found, -1 (no message) if not. */
int mkpv_link_symbol(const struct mkpv_link *l, const char *name, uint64_t *va);
/** mkpv_link_nr_modules() / mkpv_link_module_name() - the module table in
 *  init order (index 0 is "kernel"). */
size_t mkpv_link_nr_modules(const struct mkpv_link *l);
const char *mkpv_link_module_name(const struct mkpv_link *l, size_t i);
/** mkpv_link_free() - release everything (NULL is fine). */
void mkpv_link_free(struct mkpv_link *l);

/* ---- GRUB module names (grubcompat.c) ---- */

/** Result of mkpv_grub_translate(). */
struct mkpv_grub_result {
    const char **modules;   /* pvboot module names or paths, for mkpv_options.modules */
    size_t nr_modules;
    const char **notes;     /* one-line notes for the user (no "mkpvimage:" prefix) */
    size_t nnotes;
    char **alloc;           /* storage owned by the result */
    size_t nalloc;
};

/**
 * mkpv_grub_translate() - turn the MODULE arguments of a grub-mkimage style
 * command line into pvboot module names.  Each argument is a pvboot module
 * name (a NAME.mod in @moddir, NULL = the default), a path to a pvboot .mod,
 * a GRUB module name, or a GRUB module file (an ELF file with GRUB's
 * ".modname" section, taken as the name stored there).  GRUB names map
 * through the table in grubcompat.c (man mkpvimage, GRUB MODULE NAMES):
 * to pvboot modules; skipped with one note listing them (graphics, fonts,
 * GRUB's self tests); or, for features pvboot lacks, an error when named,
 * one note when given as GRUB module files.  Names that are neither pvboot
 * nor GRUB modules are an error listing them all.  If any argument is a
 * GRUB module (name or file) and something is linked, "blkfront" (if in
 * @moddir) is added: GRUB's x86_64-xen kernel reads Xen disks by itself.  If @n > 0 but every
 * argument was skipped, the result is {"kernel"} (not "every module").
 * Returns 0 and fills @r (free with mkpv_grub_result_free()) or -1 with a
 * message.
 */
int mkpv_grub_translate(const char *const *args, size_t n, const char *moddir,
                        struct mkpv_grub_result *r);
/** mkpv_grub_result_free() - release what mkpv_grub_translate() filled in. */
void mkpv_grub_result_free(struct mkpv_grub_result *r);
/** mkpv_grub_print_table() - print the GRUB module table to @out, one
 *  "GRUBNAME<TAB>pvboot modules (or what happens)" line each, sorted. */
int mkpv_grub_print_table(FILE *out);

/**
 * mkpv_run() - the whole of mkpvimage after option parsing: check options,
 * mkpv_link(), compress per o->compress, write o->output_path atomically and
 * (unless o->no_verify) check the written bytes with libxenguest before the
 * rename; without o->output_path write to standard output (mkpv_write_fd()).  Returns 0 or -1 with a message.
 */
int mkpv_run(const struct mkpv_options *o);

#endif
