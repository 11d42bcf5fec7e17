/* SPDX-License-Identifier: MIT */
/* xzio, Xen build: run liblzma's one constructor (see CMakeLists.txt). */
void pb_xz_crc64_set_func(void);
void pvboot_init_xzio(void);

/** pvboot_init_xzio() - select liblzma's CRC64 implementation, as its
 *  constructor would have done at program start. */
void pvboot_init_xzio(void)
{
    pb_xz_crc64_set_func();
}
