/* SPDX-License-Identifier: MIT */
/*
 * Confined child for the host tools' parsers (confine.h; threat model in
 * man/pvboot-probe.1, SECURITY).
 */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#ifdef PVBOOT_SANITIZER_BUILD
#include <sanitizer/common_interface_defs.h>
#endif

#define EXIT_TRAPPED 159     /* child: stopped by the seccomp filter (SIGSYS) */
#define EXIT_SANITIZER 158   /* child: ASan/UBSan found an error (report on stderr) */

static uid_t run_uid;
static gid_t run_gid;
static bool have_user;
static int report_fd = -1;     /* child: write end of the SIGSYS report pipe */

int pb_confine_prepare(const struct pb_confine *c)
{
    if (geteuid() != 0)
        return 0;
    const char *u = c->runas ? c->runas : "nobody";
    errno = 0;
    struct passwd *pw = getpwnam(u);
    if (!pw) {
        fprintf(stderr, "%s: --runas %s: no such user%s%s\n", c->tool, u, errno ? ": " : "",
                errno ? strerror(errno) : "");
        return 2;
    }
    if (pw->pw_uid == 0) {
        fprintf(stderr, "%s: --runas %s: is root; the disk parser must run unprivileged\n", c->tool, u);
        return 2;
    }
    run_uid = pw->pw_uid;
    run_gid = pw->pw_gid;
    have_user = true;
    return 0;
}

/* ---- child side ---- */

static void die(const char *tool, const char *step)
{
    int e = errno;
    fprintf(stderr, "%s: cannot confine the disk parser: %s: %s\n", tool, step, strerror(e));
    fflush(stderr);
    _exit(2);
}

/* SIGSYS from the seccomp filter (SECCOMP_RET_TRAP): tell the parent which
 * call it was, then exit without returning to the caller. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    int nr = si->si_syscall;
    if (report_fd >= 0 && write(report_fd, &nr, sizeof nr) < 0)
        nr = -1;
    syscall(SYS_exit_group, EXIT_TRAPPED);
}

/* Chroot into an empty directory that no longer exists: nothing can be
 * created in it, nothing is visible through it. */
static int empty_root_prepare(const char *tool)
{
    char dir[] = "/tmp/pvboot-confine.XXXXXX";
    if (!mkdtemp(dir))
        die(tool, "mkdtemp /tmp/pvboot-confine.XXXXXX");
    if (chdir(dir) < 0)
        die(tool, "chdir to the empty directory");
    if (rmdir(dir) < 0)
        die(tool, "rmdir the empty directory");
    return 0;
}

static void empty_root_enter(const char *tool)
{
    if (chroot(".") < 0)
        die(tool, "chroot into the empty directory");
    if (chdir("/") < 0)
        die(tool, "chdir /");
}

/* Empty the bounding set (needs CAP_SETPCAP: before giving up root). */
static void drop_bounding(const char *tool)
{
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            die(tool, "PR_CAPBSET_DROP");
}

/* No ambient, effective, permitted or inheritable capability left. */
static void drop_caps(const char *tool)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        die(tool, "PR_CAP_AMBIENT_CLEAR_ALL");
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d) < 0)
        die(tool, "capset (drop all capabilities)");
}

/* Landlock: a ruleset that handles every filesystem access right the
 * kernel knows and grants none.  Returns true if applied. */
static bool landlock(const char *tool)
{
#ifdef SYS_landlock_create_ruleset
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1)
        return false;   /* not built in or disabled: chroot and seccomp remain */
    /* access rights by ABI version (Linux Documentation/userspace-api/landlock.rst):
     * v1 bits 0..12, v2 adds REFER (13), v3 TRUNCATE (14), v5 IOCTL_DEV (15) */
    unsigned bits = abi >= 5 ? 16 : abi >= 3 ? 15 : abi == 2 ? 14 : 13;
    struct landlock_ruleset_attr attr = { .handled_access_fs = (1ull << bits) - 1 };
    int fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (fd < 0)
        die(tool, "landlock_create_ruleset");
    if (syscall(SYS_landlock_restrict_self, fd, 0) < 0)
        die(tool, "landlock_restrict_self");
    close(fd);
    return true;
#else
    (void)tool;
    return false;
#endif
}

#define ALLOW(name) rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(name), 0)

static void load_filter(const struct pb_confine *c)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx)
        die(c->tool, "seccomp_init");
    int rc = 0;
    /* the open descriptors: disks, stdout, stderr, the report pipe */
    ALLOW(read);
    ALLOW(pread64);
    ALLOW(readv);
    ALLOW(write);
    ALLOW(writev);
    ALLOW(lseek);
    ALLOW(fstat);
    ALLOW(close);
    /* fstat() is newfstatat(fd, "", AT_EMPTY_PATH) in glibc: only that form */
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
                           SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
    /* isatty() (stdio chooses line buffering for a terminal): TCGETS only */
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS, 0));
    if (c->write_disks) {
        ALLOW(pwrite64);
        ALLOW(fsync);
        ALLOW(fdatasync);
    }
    /* memory (malloc): never executable */
    ALLOW(brk);
    ALLOW(munmap);
    ALLOW(mremap);
    ALLOW(madvise);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    /* clocks and timers (the vDSO usually answers without a call) */
    ALLOW(clock_gettime);
    ALLOW(gettimeofday);
    ALLOW(time);
    ALLOW(nanosleep);
    ALLOW(clock_nanosleep);
    ALLOW(alarm);            /* pvboot-fstest corrupt: per-iteration hang alarm */
    ALLOW(rt_sigreturn);
    ALLOW(getrandom);
    ALLOW(sysinfo);          /* glibc's qsort sizes its buffer by physical memory */
    /* abort() (a failed assert, pb_panic): raise SIGABRT on itself only */
    ALLOW(getpid);
    ALLOW(gettid);
    ALLOW(rt_sigprocmask);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                           SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 1,
                           SCMP_A0(SCMP_CMP_NE, SIGSYS, 0));
    ALLOW(exit);
    ALLOW(exit_group);
#ifdef PVBOOT_SANITIZER_BUILD
    /* ASan/UBSan's runtime (error reports, stack traces, its allocator):
     * these extra calls are harmless; files stay out of reach (chroot,
     * Landlock), and opening one is refused instead of trapped so that a
     * sanitizer report is still printed. */
    ALLOW(sched_yield);
    ALLOW(sigaltstack);
    ALLOW(prlimit64);
    ALLOW(getrlimit);
    ALLOW(futex);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(readlink), 0);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(readlinkat), 0);
#endif
    if (rc)
        die(c->tool, "seccomp_rule_add");
    errno = 0;
    rc = seccomp_load(ctx);
    if (rc) {
        errno = -rc;
        die(c->tool, "seccomp_load");
    }
    seccomp_release(ctx);
}

static void set_limit(const char *tool, int res, rlim_t v, const char *name)
{
    struct rlimit rl = { v, v };
    struct rlimit cur;
    if (getrlimit(res, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && cur.rlim_max < v)
        rl.rlim_cur = rl.rlim_max = cur.rlim_max;   /* never raise a limit */
    if (setrlimit(res, &rl) < 0)
        die(tool, name);
}

#ifdef PVBOOT_CONFINE_TEST_HOOK
/*
 * Test builds only (pvboot-probe-hostile, never installed): play a
 * compromised parser.  $PVBOOT_TEST_HOSTILE names one call to try once
 * confined; if it comes back, its result is printed and the child exits 3.
 */
static void hostile(void)
{
    const char *h = getenv("PVBOOT_TEST_HOSTILE");
    if (!h)
        return;
    long r = -1;
    if (!strcmp(h, "open"))
        r = open("/etc/passwd", O_RDONLY);
    else if (!strcmp(h, "socket"))
        r = syscall(SYS_socket, 2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
    else if (!strcmp(h, "execve"))
        r = execl("/bin/sh", "sh", "-c", "echo escaped", (char *)NULL);
    else if (!strcmp(h, "ptrace"))
        r = syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 1L, 0, 0);
    else if (!strcmp(h, "abort"))     /* a failed assertion: ends as SIGABRT, not as a forbidden call */
        abort();
    else if (!strcmp(h, "overflow")) {    /* a memory error: the sanitizer must still report it */
        char *volatile p = malloc(8);
        p[8] = 1;
        r = p[8];
        free(p);
    }
    else if (!strcmp(h, "mmap-exec"))
        r = (long)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("hostile %s: returned %ld (%s)\n", h, r, r < 0 ? strerror(errno) : "success");
    fflush(stdout);
    _exit(3);
}
#endif

#ifdef PVBOOT_SANITIZER_BUILD
/* Its own exit status for a sanitizer error (ASan's is 1, which the tools
 * also use for a plain "no"): the parent names it. */
static void on_sanitizer_death(void)
{
    fflush(stderr);
    _exit(EXIT_SANITIZER);
}
#endif

static void child(const struct pb_confine *c, int (*fn)(void *), void *ctx)
{
    const char *tool = c->tool;
#ifdef PVBOOT_SANITIZER_BUILD
    __sanitizer_set_death_callback(on_sanitizer_death);
#endif
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        die(tool, "PR_SET_PDEATHSIG");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSYS, &sa, NULL) < 0)
        die(tool, "sigaction SIGSYS");
#ifndef PVBOOT_SANITIZER_BUILD
    /* ASan reserves terabytes of shadow address space: no RLIMIT_AS there */
    set_limit(tool, RLIMIT_AS, c->mem_bytes ? c->mem_bytes : PB_CONFINE_MEM, "RLIMIT_AS");
#endif
    /* CPU time: a backstop one second beyond the parent's wall clock
     * (which always runs at least as fast), so the parent's limit is the
     * one reported */
    if (c->timeout_s)
        set_limit(tool, RLIMIT_CPU, (rlim_t)c->timeout_s + 1, "RLIMIT_CPU");
    set_limit(tool, RLIMIT_FSIZE, c->write_bytes, "RLIMIT_FSIZE");
    set_limit(tool, RLIMIT_CORE, 0, "RLIMIT_CORE");
    if (prctl(PR_SET_DUMPABLE, 0) < 0)
        die(tool, "PR_SET_DUMPABLE");

    bool chrooted = false;
    if (geteuid() == 0) {
        if (!have_user) {
            errno = EINVAL;
            die(tool, "run-as user not resolved");
        }
        empty_root_prepare(tool);
        empty_root_enter(tool);
        chrooted = true;
        drop_bounding(tool);
        if (setgroups(0, NULL) < 0)
            die(tool, "setgroups");
        if (setresgid(run_gid, run_gid, run_gid) < 0)
            die(tool, "setresgid");
        if (setresuid(run_uid, run_uid, run_uid) < 0)
            die(tool, "setresuid");
        drop_caps(tool);
    } else {
        empty_root_prepare(tool);
        if (unshare(CLONE_NEWUSER) == 0) {
            empty_root_enter(tool);
            chrooted = true;
            drop_bounding(tool);
        } else if (!c->quiet_fallback) {
            fprintf(stderr, "%s: warning: no user namespace (%s): the disk parser runs without "
                    "chroot, under Landlock (if available) and seccomp only\n", tool, strerror(errno));
        }
        drop_caps(tool);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die(tool, "PR_SET_NO_NEW_PRIVS");
    if (!landlock(tool) && !chrooted && !c->quiet_fallback)
        fprintf(stderr, "%s: warning: no Landlock either: only seccomp keeps the disk parser "
                "from files\n", tool);
    load_filter(c);
#ifdef PVBOOT_CONFINE_TEST_HOOK
    hostile();
#endif
    int rc = fn(ctx);
    fflush(stdout);
    fflush(stderr);
    _exit(rc & 0xff);
}

/* ---- parent side ---- */

static void report(const struct pb_confine *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report(const struct pb_confine *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s: the disk parser %s; no result\n", c->tool, c->what, msg);
}

/* Wait for @pid up to @timeout_s seconds (0: forever).  Returns 0 with
 * *status set, or 1 on timeout (the child is still running). */
static int wait_child(pid_t pid, unsigned timeout_s, int *status)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return -1;
        int ms = 50;
        if (timeout_s) {
            struct timespec t;
            clock_gettime(CLOCK_MONOTONIC, &t);
            long long left = (long long)timeout_s * 1000 -
                             ((t.tv_sec - t0.tv_sec) * 1000LL + (t.tv_nsec - t0.tv_nsec) / 1000000);
            if (left <= 0) {
                if (pfd >= 0)
                    close(pfd);
                return 1;
            }
            if (pfd >= 0)
                ms = left > 1000 ? 1000 : (int)left;
            else if (left < ms)
                ms = (int)left;
        } else if (pfd >= 0) {
            ms = 1000;
        }
        if (pfd >= 0) {
            struct pollfd p = { pfd, POLLIN, 0 };
            poll(&p, 1, ms);
        } else {
            struct timespec ts = { 0, ms * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    if (pfd >= 0)
        close(pfd);
    return 0;
}

uint64_t pb_confine_output_room(uint64_t room)
{
    uint64_t m = 0;
    for (int fd = 1; fd <= 2; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > m)
            m = (uint64_t)st.st_size;
    }
    return m + room;
}

int pb_confine_run(const struct pb_confine *c, int (*fn)(void *ctx), void *ctx)
{
    if (geteuid() == 0 && !have_user && pb_confine_prepare(c))
        return 2;
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        fprintf(stderr, "%s: pipe: %s\n", c->tool, strerror(errno));
        return 2;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: fork: %s\n", c->tool, strerror(errno));
        return 2;
    }
    if (pid == 0) {
        close(pfd[0]);
        report_fd = pfd[1];
        child(c, fn, ctx);
    }
    close(pfd[1]);
    int st = 0;
    int w = wait_child(pid, c->timeout_s, &st);
    if (w == 1) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        close(pfd[0]);
        report(c, "did not finish within %u s (killed; see --timeout)", c->timeout_s);
        return 2;
    }
    if (w < 0) {
        close(pfd[0]);
        fprintf(stderr, "%s: waitpid: %s\n", c->tool, strerror(errno));
        return 2;
    }
    int nr = -1;
    bool trapped = WIFEXITED(st) && WEXITSTATUS(st) == EXIT_TRAPPED &&
                   read(pfd[0], &nr, sizeof nr) == (ssize_t)sizeof nr;
    close(pfd[0]);
    if (trapped) {
        char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);
        report(c, "made a forbidden system call, %s (%d), and was stopped (seccomp)",
               name ? name : "unknown", nr);
        free(name);
        return 2;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_SANITIZER) {
        report(c, "hit a memory or undefined-behaviour error (sanitizer report above)");
        return 2;
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    int sig = WTERMSIG(st);
    if (sig == SIGPIPE) {
        /* the reader of our output went away (`| head`): end as the child did */
        signal(SIGPIPE, SIG_DFL);
        raise(SIGPIPE);
        return 2;
    }
    if (sig == SIGXCPU)
        report(c, "used up its CPU time, %u s (killed by SIGXCPU; see --timeout)", c->timeout_s + 1);
    else if (sig == SIGSYS)
        report(c, "was killed by seccomp (SIGSYS)");
    else if (sig == SIGXFSZ)
        report(c, "wrote past its file size limit (killed by SIGXFSZ)");
    else
        report(c, "was killed by signal %d (%s)", sig, strsignal(sig));
    return 2;
}
