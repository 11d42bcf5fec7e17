/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: reading input files and writing the output atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/string.h>

#include "mkpv.h"

/* Read a pipe or character device @fd (closed here) to EOF, at most @max
 * bytes; more is an error, never a silent truncation. */
static int read_stream(int fd, const char *path, const char *what, size_t max, uint8_t **data,
                       size_t *len)
{
    size_t cap = 0, got = 0;
    uint8_t *buf = NULL;
    for (;;) {
        if (got == cap) {
            if (cap > max) {
                free(buf);
                close(fd);
                return mkpv_error("%s: %s is too large (more than %zu bytes)", path, what, max);
            }
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > max + 1)
                ncap = max + 1;
            uint8_t *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                return mkpv_error("out of memory reading %s", path);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return mkpv_error("%s: cannot read %s: %s", path, what, strerror(e));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got > max) {
        free(buf);
        return mkpv_error("%s: %s is too large (more than %zu bytes)", path, what, max);
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

int mkpv_read_file(const char *path, const char *what, size_t max, uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mkpv_error("%s: cannot open %s: %s", path, what, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return mkpv_error("%s: cannot stat %s: %s", path, what, strerror(e));
    }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
        return read_stream(fd, path, what, max, data, len);   /* -c <(...), /dev/stdin */
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return mkpv_error("%s: %s is not a regular file", path, what);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return mkpv_error("%s: %s is too large (%lld bytes, at most %zu)", path, what,
                          (long long)st.st_size, max);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return mkpv_error("out of memory reading %s", path);
    }
    size_t got = 0;
    /* read until EOF; the file may shrink while we read, never grow past max */
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return mkpv_error("%s: cannot read %s: %s", path, what, strerror(e));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

/* The temporary file being written, for mkpv_signal_cleanup(). */
static char active_tmp[8192];
static volatile sig_atomic_t have_active_tmp;

void mkpv_signal_cleanup(int sig)
{
    if (have_active_tmp)
        unlink(active_tmp);   /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void set_active_tmp(const char *tmp)
{
    if (tmp) {
        strlcpy(active_tmp, tmp, sizeof(active_tmp));
        have_active_tmp = 1;
    } else {
        have_active_tmp = 0;
    }
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len > (1u << 30) ? (1u << 30) : len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Write @data to a temporary file under $TMPDIR and run @check on it (no-op
 * without @check); the file is removed again.  @path names the output. */
static int check_in_tmpdir(const char *path, const void *data, size_t len,
                           int (*check)(const char *tmp_path, void *arg), void *arg)
{
    if (check) {
        const char *tdir = getenv("TMPDIR");
        char tmp[8192];
        if (!tdir || !*tdir)
            tdir = "/tmp";
        if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.mkpvimage.tmpXXXXXX", tdir) >= sizeof(tmp))
            return mkpv_error("%s: temporary directory path too long", path);
        int tfd = mkstemp(tmp);
        if (tfd < 0)
            return mkpv_error("%s: cannot create temporary file in %s: %s", path, tdir,
                              strerror(errno));
        set_active_tmp(tmp);
        int e = 0;
        if (write_all(tfd, data, len) < 0)
            e = errno;
        if (close(tfd) < 0 && !e)
            e = errno;
        int rc = 0;
        if (e)
            rc = mkpv_error("%s: cannot write temporary file %s: %s", path, tmp, strerror(e));
        else if (check(tmp, arg) != 0)
            rc = -1;   /* check recorded its message */
        unlink(tmp);
        set_active_tmp(NULL);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Write @data to an existing non-regular output (a character or block device,
 * a FIFO such as /dev/stdout in a pipe): replacing it by rename would swap the
 * device node or link for a regular file.  The bytes are first written to and
 * checked in a temporary file under $TMPDIR, then copied to @path. */
static int write_special(const char *path, const struct stat *st, const void *data, size_t len,
                         int (*check)(const char *tmp_path, void *arg), void *arg)
{
    if (S_ISSOCK(st->st_mode))
        return mkpv_error("%s: output is a socket, not a file or device", path);
    if (check_in_tmpdir(path, data, len, check, arg) < 0)
        return -1;
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return mkpv_error("%s: cannot open output for writing: %s", path, strerror(errno));
    int e = 0;
    if (write_all(fd, data, len) < 0)
        e = errno;
    if (close(fd) < 0 && !e)
        e = errno;
    if (e)
        return mkpv_error("%s: cannot write output: %s", path, strerror(e));
    return 0;
}

static int write_tmp(const char *path, const char *dir, const char *tmp, int fd,
                     const void *data, size_t len,
                     int (*check)(const char *tmp_path, void *arg), void *arg);

int mkpv_write_atomic(const char *path, const void *data, size_t len,
                      int (*check)(const char *tmp_path, void *arg), void *arg)
{
    char dirbuf[4096], basebuf[4096], tmp[8192];
    struct stat st, lst;
    if (!*path)
        return mkpv_error("output file name is empty");
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return mkpv_error("%s: output is a directory", path);
        if (!S_ISREG(st.st_mode))
            return write_special(path, &st, data, len, check, arg);
    }
    /* a symbolic link: replace the file it points to, the link stays */
    char *real = NULL;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        real = realpath(path, NULL);
        if (!real)
            return mkpv_error("%s: output is a symbolic link that cannot be followed: %s", path,
                              strerror(errno));
        path = real;
    }
    int rc = -1;
    if (strlcpy(dirbuf, path, sizeof(dirbuf)) >= sizeof(dirbuf) ||
        strlcpy(basebuf, path, sizeof(basebuf)) >= sizeof(basebuf)) {
        rc = mkpv_error("%s: output path too long", path);
        goto out;
    }
    const char *dir = dirname(dirbuf);
    const char *base = basename(basebuf);
    if (!*base || strcmp(base, "/") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        rc = mkpv_error("%s: output is not a file name", path);
        goto out;
    }
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmpXXXXXX", dir, base) >= sizeof(tmp)) {
        rc = mkpv_error("%s: output path too long", path);
        goto out;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rc = mkpv_error("%s: cannot create temporary file in %s: %s", path, dir, strerror(errno));
        goto out;
    }
    set_active_tmp(tmp);
    rc = write_tmp(path, dir, tmp, fd, data, len, check, arg);
    set_active_tmp(NULL);
out:
    free(real);
    return rc;
}

static int write_tmp(const char *path, const char *dir, const char *tmp, int fd,
                     const void *data, size_t len,
                     int (*check)(const char *tmp_path, void *arg), void *arg)
{
    mode_t um = umask(0);
    umask(um);
    const char *failed = NULL;
    int e = 0;
    if (write_all(fd, data, len) < 0)
        failed = "cannot write";
    else if (fchmod(fd, 0666 & ~um) < 0)
        failed = "cannot set mode of";
    else if (fsync(fd) < 0)
        failed = "cannot sync";
    if (failed)
        e = errno;
    if (close(fd) < 0 && !failed) {
        e = errno;
        failed = "cannot close";
    }
    if (failed) {
        unlink(tmp);
        return mkpv_error("%s: %s temporary file %s: %s", path, failed, tmp, strerror(e));
    }
    if (check && check(tmp, arg) != 0) {
        unlink(tmp);
        return -1;   /* check recorded its message */
    }
    if (rename(tmp, path) < 0) {
        e = errno;
        unlink(tmp);
        return mkpv_error("%s: cannot rename %s into place: %s", path, tmp, strerror(e));
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        /* make the rename durable; failure here cannot be undone, only reported */
        if (fsync(dfd) < 0 && errno != EINVAL) {
            e = errno;
            close(dfd);
            return mkpv_error("%s: written, but cannot sync directory %s: %s", path, dir,
                              strerror(e));
        }
        close(dfd);
    }
    return 0;
}

int mkpv_write_fd(int fd, const char *name, const void *data, size_t len,
                  int (*check)(const char *tmp_path, void *arg), void *arg)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return mkpv_error("%s: %s", name, strerror(errno));
    if (isatty(fd))
        return mkpv_error("%s is a terminal: give -o FILE or redirect it", name);
    if (check_in_tmpdir(name, data, len, check, arg) < 0)
        return -1;
    /* a regular file (a shell redirection): on failure cut it back to where
     * it was, so that no half-written image is left behind */
    off_t start = -1;
    if (S_ISREG(st.st_mode)) {
        int fl = fcntl(fd, F_GETFL);
        /* O_APPEND (>>): the offset moves to the end only at the write */
        start = fl >= 0 && (fl & O_APPEND) ? st.st_size : lseek(fd, 0, SEEK_CUR);
    }
    int e = 0;
    if (write_all(fd, data, len) < 0 || (start >= 0 && fsync(fd) < 0))
        e = errno;
    if (e) {
        if (start >= 0 && ftruncate(fd, start) == 0)
            return mkpv_error("%s: cannot write the image: %s (output cut back to %lld bytes)",
                              name, strerror(e), (long long)start);
        return mkpv_error("%s: cannot write the image: %s", name, strerror(e));
    }
    return 0;
}
