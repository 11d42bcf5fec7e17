/* <assert.h>: a failed assertion panics with file and line. */
#ifndef PVBOOT_LIBC_ASSERT_H
#define PVBOOT_LIBC_ASSERT_H
__attribute__((noreturn)) void __pb_assert_fail(const char *expr, const char *file, int line);
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __pb_assert_fail(#e, __FILE__, __LINE__))
#endif
#define static_assert _Static_assert
#endif
