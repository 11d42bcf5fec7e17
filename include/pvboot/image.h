/* SPDX-License-Identifier: MIT */
/*
 * The image ABI shared by mkpvimage (host) and the runtime kernel module.
 *
 * A pvboot image is an ELF64 x86-64 executable, VIRT_BASE 0, linked at
 * PVBOOT_LINK_BASE.  mkpvimage links the freestanding modules (*.mod, ET_REL)
 * and adds one synthetic read-only section holding `struct pvboot_image_info`,
 * defined under the global symbol PVBOOT_IMAGE_INFO_SYMBOL, which the kernel
 * module references (it is the only symbol the linker itself provides).
 *
 * All "VA" fields are virtual addresses inside the loaded image (VIRT_BASE is
 * 0, so VA == pseudo-physical address at entry).  Sizes are in bytes.
 */
#ifndef PVBOOT_IMAGE_H
#define PVBOOT_IMAGE_H

#include <stdint.h>

#define PVBOOT_LINK_BASE          0x100000ULL   /* VA of the first PT_LOAD */
#define PVBOOT_IMAGE_INFO_SYMBOL  "pvboot_image_info"
#define PVBOOT_IMAGE_MAGIC        0x4f425650u   /* "PVBO" little-endian */
#define PVBOOT_IMAGE_ABI          1u

/*
 * Module init/fini convention: module NAME (file NAME.mod, NAME a C
 * identifier) may define global functions
 *     void pvboot_init_NAME(void);   void pvboot_fini_NAME(void);
 * mkpvimage records them in the module table in dependency order (a module
 * comes after every module defining a symbol it references; "kernel" first).
 * Init functions only register things (commands, filesystems, disks…).
 */
#define PVBOOT_INIT_PREFIX "pvboot_init_"
#define PVBOOT_FINI_PREFIX "pvboot_fini_"

struct pvboot_module_entry {
    uint64_t name;   /* VA of NUL-terminated module name */
    uint64_t init;   /* VA of pvboot_init_NAME, or 0 */
    uint64_t fini;   /* VA of pvboot_fini_NAME, or 0 */
};

/* flags */
#define PVBOOT_IMG_F_XZ_MODULES  0x1u  /* module area is xz-compressed (see mkpvimage.1) */

struct pvboot_image_info {
    uint32_t magic;          /* PVBOOT_IMAGE_MAGIC */
    uint32_t abi;            /* PVBOOT_IMAGE_ABI */
    uint32_t nr_modules;
    uint32_t flags;
    uint64_t modules;        /* VA of struct pvboot_module_entry[nr_modules] */
    uint64_t version;        /* VA of NUL-terminated mkpvimage version string */
    uint64_t config;         /* VA of embedded config (NUL-terminated), or 0 */
    uint64_t config_size;    /* bytes, excluding the NUL */
    uint64_t prefix;         /* VA of NUL-terminated prefix (-p), or 0 */
    uint64_t memdisk;        /* VA of memdisk image (-m), page aligned, or 0 */
    uint64_t memdisk_size;   /* bytes */
    uint64_t image_start;    /* VA of first byte of the image (PVBOOT_LINK_BASE) */
    uint64_t image_end;      /* VA one past the last byte incl. bss, page aligned */
    uint64_t pubkeys;        /* VA of embedded OpenPGP public keys (-k, concatenated), or 0 */
    uint64_t pubkeys_size;   /* bytes */
    uint64_t reserved[3];    /* zero; pads the struct to 128 bytes */
};

#ifndef __ASSEMBLER__
_Static_assert(sizeof(struct pvboot_module_entry) == 24, "module entry ABI");
_Static_assert(sizeof(struct pvboot_image_info) == 128, "image info ABI");
#endif

#endif
