/* SPDX-License-Identifier: MIT */
/* Error recording: see include/pvboot/err.h. */
#include <stdio.h>
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/term.h"

static char errbuf[512];
static int errcode;

int pb_verror(int code, const char *fmt, va_list ap)
{
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    errcode = code;
    return code;
}

int pb_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pb_verror(code, fmt, ap);
    va_end(ap);
    return code;
}

const char *pb_errmsg(void)
{
    return errbuf;
}

int pb_errcode(void)
{
    return errcode;
}

void pb_error_clear(void)
{
    errbuf[0] = '\0';
    errcode = 0;
}

const char *pb_strerror(int code)
{
    switch (code) {
    case PB_OK: return "success";
    case PB_ENOMEM: return "out of memory";
    case PB_EIO: return "I/O error";
    case PB_ENOENT: return "not found";
    case PB_EINVAL: return "invalid argument";
    case PB_EBADFS: return "corrupt or unrecognised data";
    case PB_ENOTSUP: return "not supported";
    case PB_ETIMEDOUT: return "timed out";
    case PB_ERANGE: return "out of range";
    case PB_ENOTDIR: return "not a directory";
    case PB_EISDIR: return "is a directory";
    case PB_ELOOP: return "too many levels of symbolic links or nesting";
    case PB_EAGAIN: return "try again";
    case PB_EBUSY: return "busy";
    case PB_EACCES: return "access denied";
    case PB_EBADSIG: return "bad signature";
    case PB_EBADFMT: return "unknown format";
    case PB_EXEN: return "hypercall failed";
    case PB_ECANCELED: return "canceled";
    default: return "unknown error";
    }
}

void pb_print_error(void)
{
    if (errcode == 0 && errbuf[0] == '\0')
        return;
    pb_printf("error: %s.\n", errbuf[0] ? errbuf : pb_strerror(errcode));
    pb_error_clear();
}

void (*pb_warn_sink)(const char *msg);

void pb_warn(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (pb_warn_sink)
        pb_warn_sink(msg);
    else
        pb_printf("warning: %s\n", msg);
}
