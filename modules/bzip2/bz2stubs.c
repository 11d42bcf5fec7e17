/* SPDX-License-Identifier: MIT */
/*
 * Replacements for the stdio symbols referenced by libbz2's bzlib.o archive
 * member (renamed to pb_bz2_stub_* by objcopy, see CMakeLists.txt).  Only the
 * FILE-based API (BZ2_bzReadOpen, BZ2_bzopen, …), which pvboot never calls,
 * and libbz2's internal-error handler reach them.  There are no FILE streams
 * in the runtime: opens fail, reads/writes transfer nothing, the error
 * handler's message is printed on the console and the domain panics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "pvboot/kernel.h"
#include "pvboot/term.h"

void *pb_bz2_stub_stdin, *pb_bz2_stub_stdout, *pb_bz2_stub_stderr;

/* glibc's isdigit() etc. index this table; all classes empty. */
static const unsigned short no_ctype[384];
static const unsigned short *no_ctype_ptr = no_ctype + 128;

const unsigned short **pb_bz2_stub___ctype_b_loc(void);
const unsigned short **pb_bz2_stub___ctype_b_loc(void) { return &no_ctype_ptr; }

int pb_bz2_stub___fprintf_chk(void *f, int flag, const char *fmt, ...);
int pb_bz2_stub___fprintf_chk(void *f, int flag, const char *fmt, ...)
{
    va_list ap;
    (void)f;
    (void)flag;
    va_start(ap, fmt);
    int n = pb_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

__attribute__((noreturn)) void pb_bz2_stub_exit(int code);
void pb_bz2_stub_exit(int code) { pb_panic("libbz2: internal error, exit(%d)", code); }

void *pb_bz2_stub_fopen64(const char *p, const char *m);
void *pb_bz2_stub_fopen64(const char *p, const char *m) { (void)p; (void)m; return NULL; }
void *pb_bz2_stub_fdopen(int fd, const char *m);
void *pb_bz2_stub_fdopen(int fd, const char *m) { (void)fd; (void)m; return NULL; }
int pb_bz2_stub_fclose(void *f);
int pb_bz2_stub_fclose(void *f) { (void)f; return -1; }
int pb_bz2_stub_ferror(void *f);
int pb_bz2_stub_ferror(void *f) { (void)f; return 1; }
int pb_bz2_stub_fflush(void *f);
int pb_bz2_stub_fflush(void *f) { (void)f; return -1; }
int pb_bz2_stub_fgetc(void *f);
int pb_bz2_stub_fgetc(void *f) { (void)f; return -1; }
int pb_bz2_stub_fputc(int c, void *f);
int pb_bz2_stub_fputc(int c, void *f) { (void)c; (void)f; return -1; }
int pb_bz2_stub_ungetc(int c, void *f);
int pb_bz2_stub_ungetc(int c, void *f) { (void)c; (void)f; return -1; }
size_t pb_bz2_stub_fread(void *p, size_t s, size_t n, void *f);
size_t pb_bz2_stub_fread(void *p, size_t s, size_t n, void *f) { (void)p; (void)s; (void)n; (void)f; return 0; }
size_t pb_bz2_stub_fwrite(const void *p, size_t s, size_t n, void *f);
size_t pb_bz2_stub_fwrite(const void *p, size_t s, size_t n, void *f) { (void)p; (void)s; (void)n; (void)f; return 0; }
