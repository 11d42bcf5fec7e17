/* Minimal <errno.h>: libraries linked into the runtime may read errno. */
#ifndef PVBOOT_LIBC_ERRNO_H
#define PVBOOT_LIBC_ERRNO_H
extern int errno;
#define EPERM 1
#define ENOENT 2
#define EIO 5
#define ENOMEM 12
#define EINVAL 22
#define ERANGE 34
#define ENOSYS 38
#endif
