/* SPDX-License-Identifier: MIT */
/*
 * Hosted platform layer: terminal = stdio (or a capture buffer), time = host
 * clock (or a virtual one), disks = image files, power = exit; and the
 * hosted implementation of include/pvboot/platform.h, whose session the
 * tool or test chooses (pb_hosted_set_interactive & co.) and whose decision
 * sink keeps the reports pvboot-probe prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#include "pvboot/cryptodisk.h"
#include "pvboot/disk.h"
#include "pvboot/env.h"
#include "pvboot/err.h"
#include "pvboot/hosted.h"
#include "pvboot/kernel.h"
#include "pvboot/loader.h"
#include "pvboot/menu.h"
#include "pvboot/platform.h"
#include "pvboot/term.h"
#include "pvboot/time.h"

/* ---- terminal ---- */

static bool capture;
static char *cap_buf;
static size_t cap_len, cap_cap;
static const char *input;
static size_t input_len, input_pos;

static size_t cap_limit = SIZE_MAX;
static bool cap_overflow;
static void (*cap_on_overflow)(void);

static void host_write(const char *buf, size_t len)
{
    if (!capture) {
        fwrite(buf, 1, len, stdout);
        return;
    }
    if (cap_overflow)
        return;
    if (len > cap_limit - cap_len) {
        len = cap_limit - cap_len;   /* keep what fits, drop the rest */
        cap_overflow = true;
    }
    if (cap_len + len + 1 > cap_cap) {
        size_t n = (cap_cap ? cap_cap * 2 : 4096);
        while (n < cap_len + len + 1)
            n *= 2;
        char *p = realloc(cap_buf, n);
        if (!p)
            abort();
        cap_buf = p;
        cap_cap = n;
    }
    memcpy(cap_buf + cap_len, buf, len);
    cap_len += len;
    cap_buf[cap_len] = '\0';
    if (cap_overflow && cap_on_overflow)
        cap_on_overflow();
}

static int host_poll_byte(void)
{
    if (input && input_pos < input_len)
        return (unsigned char)input[input_pos++];
    return -1;
}

static bool virtual_clock;
static uint64_t vclock_ns = 1000000000ull;

static void host_wait(uint64_t deadline_ns)
{
    uint64_t now = pb_time_ns();
    if (virtual_clock) {
        if (deadline_ns > now)
            vclock_ns = deadline_ns;
        else
            vclock_ns += 1000000;   /* "forever" waits still make progress */
        return;
    }
    uint64_t d = (deadline_ns && deadline_ns > now) ? deadline_ns - now : 10000000ull;
    if (d > 10000000ull)
        d = 10000000ull;    /* re-check input every 10 ms */
    struct timespec ts = { (time_t)(d / 1000000000ull), (long)(d % 1000000000ull) };
    nanosleep(&ts, NULL);
}

static void host_flush(void)
{
    if (!capture)
        fflush(stdout);
}

static const struct pb_term_ops host_term = {
    .name = "stdio",
    .write = host_write,
    .poll_byte = host_poll_byte,
    .wait = host_wait,
    .flush = host_flush,
};

void pb_hosted_capture_output(bool on)
{
    capture = on;
}

void pb_hosted_capture_limit(size_t max, void (*on_overflow)(void))
{
    cap_limit = max;
    cap_on_overflow = on_overflow;
}

bool pb_hosted_output_truncated(void)
{
    return cap_overflow;
}

const char *pb_hosted_output(void)
{
    return cap_buf ? cap_buf : "";
}

void pb_hosted_output_reset(void)
{
    cap_len = 0;
    cap_overflow = false;
    if (cap_buf)
        cap_buf[0] = '\0';
}

void pb_hosted_output_truncate(size_t len)
{
    if (cap_buf && len < cap_len) {
        cap_len = len;
        cap_buf[len] = '\0';
    }
}

void pb_hosted_set_input(const char *bytes, size_t len)
{
    input = bytes;
    input_len = len;
    input_pos = 0;
}

void pb_hosted_virtual_clock(bool on)
{
    virtual_clock = on;
}

/* ---- time ---- */

uint64_t pb_time_ns(void)
{
    if (virtual_clock)
        return vclock_ns;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void pb_sleep_ms(uint32_t ms)
{
    if (virtual_clock) {
        vclock_ns += (uint64_t)ms * 1000000ull;
        return;
    }
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int64_t pb_wallclock(void)
{
    return (int64_t)time(NULL);
}

/* ---- the platform interface (include/pvboot/platform.h) ---- */

static struct pb_menu_report menu_report;
static struct pb_boot_decision boot_report;
static bool have_boot_report;

static uint64_t hosted_domain_pages(void)
{
    return 0;    /* no domain: nothing to plan for or to fit into */
}

static void hosted_report_menu(const struct pb_menu_report *r)
{
    menu_report = *r;
}

static void hosted_report_boot(const struct pb_boot_decision *d)
{
    boot_report = *d;
    have_boot_report = true;
}

static struct pb_platform_ops hosted_platform = {
    .name = "hosted",
    .interactive = true,
    .decide_only = false,
    .proto = PB_BOOT_PV,
    .domain_pages = hosted_domain_pages,
    .report_menu = hosted_report_menu,
    .report_boot = hosted_report_boot,
};

const struct pb_platform_ops *pb_platform(void)
{
    return &hosted_platform;
}

void pb_hosted_set_interactive(bool on)
{
    hosted_platform.interactive = on;
}

void pb_hosted_set_decide_only(bool on)
{
    hosted_platform.decide_only = on;
}

void pb_hosted_set_boot_proto(enum pb_boot_proto proto)
{
    hosted_platform.proto = proto;
}

const struct pb_menu_report *pb_hosted_menu_report(void)
{
    return &menu_report;
}

const struct pb_boot_decision *pb_hosted_boot_report(void)
{
    return have_boot_report ? &boot_report : NULL;
}

void pb_hosted_set_menu_tree(void (*begin)(void), void (*tree)(struct pb_menu *top,
                                                             const struct pb_menu_report *r))
{
    hosted_platform.menu_tree_begin = tree ? begin : NULL;
    hosted_platform.menu_tree = begin ? tree : NULL;
}

void pb_hosted_reports_reset(void)
{
    memset(&menu_report, 0, sizeof menu_report);
    memset(&boot_report, 0, sizeof boot_report);
    have_boot_report = false;
}

/* ---- embedded data, main hook, power ---- */

static const char *emb_config;
static size_t emb_config_len;
static const char *emb_prefix;
static const void *emb_pubkeys;
static size_t emb_pubkeys_len;
static const char *xen_cmdline;
static void (*main_fn)(void);
static jmp_buf *exit_trap;
static int power_status;

void pb_hosted_set_embedded_config(const char *text, size_t len)
{
    emb_config = text;
    emb_config_len = len;
}

void pb_hosted_set_embedded_pubkeys(const void *keys, size_t len)
{
    emb_pubkeys = keys;
    emb_pubkeys_len = len;
}

void pb_hosted_set_prefix(const char *prefix)
{
    emb_prefix = prefix;
}

void pb_hosted_set_xen_cmdline(const char *cmdline)
{
    xen_cmdline = cmdline;
}

int pb_hosted_passphrase_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 8u << 20;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
    int err = ferror(f);
    fclose(f);
    if (!buf || err || n > cap) {
        fprintf(stderr, "%s: %s\n", path, !buf ? "out of memory" : err ? "read error"
                : "passphrase file larger than 8 MiB");
        free(buf);
        return -1;
    }
    if (n && buf[n - 1] == '\n')
        n--;
    int r = pb_cryptodisk_preset_passphrase(buf, n);
    pb_crypto_wipe(buf, n);
    free(buf);
    if (r < 0) {
        fprintf(stderr, "%s: %s\n", path, pb_errmsg());
        return -1;
    }
    return 0;
}

const char *pb_embedded_config(size_t *len)
{
    if (len)
        *len = emb_config ? emb_config_len : 0;
    return emb_config;
}

const char *pb_embedded_prefix(void)
{
    return emb_prefix;
}

const void *pb_embedded_memdisk(size_t *len)
{
    if (len)
        *len = 0;
    return NULL;
}

const void *pb_embedded_pubkeys(size_t *len)
{
    if (len)
        *len = emb_pubkeys ? emb_pubkeys_len : 0;
    return emb_pubkeys;
}

const char *pb_xen_cmdline(void)
{
    return xen_cmdline;
}

void pb_main_register(void (*fn)(void))
{
    main_fn = fn;
}

void (*pb_hosted_main(void))(void)
{
    return main_fn;
}

void pb_hosted_trap_exit(void *jmp_buf_ptr)
{
    exit_trap = jmp_buf_ptr;
}

int pb_hosted_power_status(void)
{
    return power_status;
}

void pb_power(enum pb_power how)
{
    pb_term_flush();
    power_status = how == PB_POWEROFF ? 1 : how == PB_REBOOT ? 2 : 3;
    if (exit_trap)
        longjmp(*exit_trap, power_status);
    fflush(stdout);
    exit(how == PB_CRASH ? 3 : 0);
}

void pb_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pvboot panic: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    power_status = 3;
    if (exit_trap)
        longjmp(*exit_trap, 3);
    abort();
}

void pb_before_handover(void)
{
    pb_disk_close_all();
    pb_term_flush();
}

/* pb_warn() in the host tools: stderr, so that stdout stays what was read */
static void host_warn(const char *msg)
{
    fprintf(stderr, "warning: %s\n", msg);
}

void pb_hosted_register_term(void)
{
    pb_term_register(&host_term);
    pb_warn_sink = host_warn;
}

/* ---- disks from image files ---- */

struct hostdisk {
    struct pb_disk disk;
    int fd;
    const unsigned char *mem;
    struct hostdisk *next;
};
static struct hostdisk *hostdisks;
static int next_index;

static int hd_read(struct pb_disk *d, uint64_t sector, uint64_t count, void *buf)
{
    struct hostdisk *h = d->priv;
    if (sector > d->nr_sectors || count > d->nr_sectors - sector)
        return pb_error(PB_ERANGE, "%s: read of sectors %llu+%llu beyond the end", d->name,
                        (unsigned long long)sector, (unsigned long long)count);
    size_t len = (size_t)count * PB_SECTOR_SIZE;
    off_t off = (off_t)(sector * PB_SECTOR_SIZE);
    if (h->mem) {
        memcpy(buf, h->mem + off, len);
        return 0;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(h->fd, (char *)buf + done, len - done, off + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return pb_error(PB_EIO, "%s: read error at sector %llu: %s", d->name,
                            (unsigned long long)(sector + done / PB_SECTOR_SIZE),
                            n < 0 ? strerror(errno) : "end of file");
        done += (size_t)n;
    }
    return 0;
}

static int hd_write(struct pb_disk *d, uint64_t sector, uint64_t count, const void *buf)
{
    struct hostdisk *h = d->priv;
    if (sector > d->nr_sectors || count > d->nr_sectors - sector)
        return pb_error(PB_ERANGE, "%s: write beyond the end", d->name);
    size_t len = (size_t)count * PB_SECTOR_SIZE;
    off_t off = (off_t)(sector * PB_SECTOR_SIZE);
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(h->fd, (const char *)buf + done, len - done, off + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return pb_error(PB_EIO, "%s: write error at sector %llu: %s", d->name,
                            (unsigned long long)(sector + done / PB_SECTOR_SIZE), strerror(errno));
        done += (size_t)n;
    }
    return 0;
}

static const struct pb_disk_ops hd_ops_ro = { .read = hd_read };
static const struct pb_disk_ops hd_ops_rw = { .read = hd_read, .write = hd_write };

static struct hostdisk *hd_new(const char *name)
{
    struct hostdisk *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->fd = -1;
    int idx = next_index++;
    if (name) {
        snprintf(h->disk.name, sizeof h->disk.name, "%s", name);
    } else if (idx < 26) {
        snprintf(h->disk.name, sizeof h->disk.name, "xen/xvd%c", 'a' + idx);
    } else {
        snprintf(h->disk.name, sizeof h->disk.name, "xen/xvd%c%c", 'a' + idx / 26 - 1, 'a' + idx % 26);
    }
    snprintf(h->disk.alias, sizeof h->disk.alias, "hd%d", idx);
    h->disk.order = (uint64_t)idx;
    h->disk.priv = h;
    return h;
}

static struct pb_disk *hd_register(struct hostdisk *h)
{
    if (pb_disk_register(&h->disk) < 0) {
        if (h->fd >= 0)
            close(h->fd);
        free(h);
        return NULL;
    }
    h->next = hostdisks;
    hostdisks = h;
    return &h->disk;
}

struct pb_disk *pb_hostdisk_add(const char *path, const char *name, uint32_t sector_size, bool writable)
{
    /* O_NONBLOCK: a FIFO (or a tty) named as an image must not block the
     * open before its type is checked; cleared again for a disk.
     * O_EXCL (read-write only): a block device that is mounted or held open
     * exclusively (e.g. by the running guest's backend) is refused with
     * EBUSY instead of being written under it. */
    int fd = open(path, (writable ? O_RDWR | O_EXCL : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (writable && errno == EBUSY)
            pb_error(PB_EBUSY, "%s: in use (mounted or opened by another program, e.g. a running "
                     "guest); not opened for writing", path);
        else
            pb_error(PB_ENOENT, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        pb_error(PB_EIO, "%s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
            pb_error(PB_EIO, "%s: %s", path, strerror(errno));
            close(fd);
            return NULL;
        }
    }
    uint64_t bytes = (uint64_t)st.st_size;
    if (S_ISBLK(st.st_mode)) {
        /* a block device (an LV, /dev/sdX, a loop device): st_size is 0;
         * the kernel knows its size and logical sector size */
        int lss = 0;
        if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
            pb_error(PB_EIO, "%s: block device size (BLKGETSIZE64): %s", path, strerror(errno));
            close(fd);
            return NULL;
        }
        if (!sector_size && ioctl(fd, BLKSSZGET, &lss) == 0 && (lss == 512 || lss == 4096))
            sector_size = (uint32_t)lss;
    } else if (!S_ISREG(st.st_mode)) {
        pb_error(PB_EINVAL, "%s: not a regular file or block device", path);
        close(fd);
        return NULL;
    }
    struct hostdisk *h = hd_new(name);
    if (!h) {
        close(fd);
        pb_error(PB_ENOMEM, "out of memory");
        return NULL;
    }
    h->fd = fd;
    h->disk.sector_size = sector_size ? sector_size : PB_SECTOR_SIZE;
    h->disk.nr_sectors = bytes / PB_SECTOR_SIZE;
    h->disk.ops = writable ? &hd_ops_rw : &hd_ops_ro;
    if (!writable)
        h->disk.flags |= PB_DISK_F_READONLY;
    return hd_register(h);
}

struct pb_disk *pb_hostdisk_add_mem(const void *data, size_t len, const char *name)
{
    struct hostdisk *h = hd_new(name);
    if (!h) {
        pb_error(PB_ENOMEM, "out of memory");
        return NULL;
    }
    h->mem = data;
    h->disk.sector_size = PB_SECTOR_SIZE;
    h->disk.nr_sectors = len / PB_SECTOR_SIZE;
    h->disk.ops = &hd_ops_ro;
    h->disk.flags |= PB_DISK_F_READONLY;
    return hd_register(h);
}

void pb_hostdisk_remove_all(void)
{
    while (hostdisks) {
        struct hostdisk *h = hostdisks;
        hostdisks = h->next;
        pb_disk_unregister(&h->disk);
        if (h->fd >= 0)
            close(h->fd);
        free(h);
    }
    next_index = 0;
}
