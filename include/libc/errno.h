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
/* Linux values; xen/io/xs_wire.h's xsd_errors table needs these names. */
#define EAGAIN 11
#define EACCES 13
#define EBUSY 16
#define EEXIST 17
#define EISDIR 21
#define ENOSPC 28
#define EROFS 30
#define E2BIG 7
#define ENOTEMPTY 39
#define EISCONN 106
#endif
