/* SPDX-License-Identifier: MIT */
/* Freestanding subset of <stdio.h>: formatting only.  Terminal output goes
 * through pb_printf() (pvboot/term.h); there are no FILE streams. */
#ifndef PVBOOT_LIBC_STDIO_H
#define PVBOOT_LIBC_STDIO_H
#include <stdarg.h>
#include <stddef.h>
#define EOF (-1)
int snprintf(char *restrict buf, size_t n, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int sprintf(char *restrict buf, const char *restrict fmt, ...) __attribute__((format(printf, 2, 3)));
int asprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vasprintf(char **out, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
#endif
