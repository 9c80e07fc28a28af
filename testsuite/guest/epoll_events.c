/* epoll_events: eventfd counters (plain and EFD_SEMAPHORE), epoll over a pipe and an eventfd
 * (level- and edge-triggered, data.u64 round trip, EPOLL_CTL_MOD/DEL, errors), epoll_pwait's
 * signal mask, and timerfd (a short relative timeout seen through epoll, gettime while armed
 * and after disarming). Times and expiration counts that could vary are printed as facts
 * ("expired", "within the interval"), never as numbers. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run CALL with errno cleared; print its result and whether errno is ERR (sequenced: the
 * order printf's arguments are evaluated in is unspecified). */
#define EXPECT_ERRNO(label, call, err)                                                      \
    do {                                                                                    \
        errno = 0;                                                                          \
        long r_ = (long)(call);                                                             \
        int e_ = errno == (err);                                                            \
        printf("%s: %ld %s=%d\n", label, r_, #err, e_);                                     \
    } while (0)

static int fail(const char *what)
{
    printf("FAILED: %s (errno %d)\n", what, errno);
    return 1;
}

/* read(2) of an eventfd/timerfd: the value, or -errno. */
static long long read_u64(int fd)
{
    uint64_t v;
    ssize_t n = read(fd, &v, sizeof v);
    return n == (ssize_t)sizeof v ? (long long)v : -errno;
}

static int write_u64(int fd, uint64_t v)
{
    ssize_t n = write(fd, &v, sizeof v);
    return n == (ssize_t)sizeof v ? 0 : -errno;
}

static int test_eventfd(void)
{
    int fd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        return fail("eventfd");
    printf("eventfd initial read: %lld\n", read_u64(fd));
    printf("empty read: %lld (-EAGAIN %d)\n", read_u64(fd), -EAGAIN);
    write_u64(fd, 3);
    write_u64(fd, 4);
    printf("after writes 3+4: %lld\n", read_u64(fd));
    printf("write max: %d (-EINVAL %d)\n", write_u64(fd, UINT64_MAX), -EINVAL);
    write_u64(fd, UINT64_MAX - 1);
    printf("write to full counter: %d (-EAGAIN %d)\n", write_u64(fd, 1), -EAGAIN);
    printf("full counter read: %llu\n", (unsigned long long)read_u64(fd));
    uint32_t small;
    EXPECT_ERRNO("short read", read(fd, &small, sizeof small), EINVAL);
    close(fd);

    int sem = eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK);
    if (sem < 0)
        return fail("eventfd semaphore");
    write_u64(sem, 3);
    for (int i = 0; i < 4; i++)
        printf("semaphore read %d: %lld\n", i, read_u64(sem));
    close(sem);
    EXPECT_ERRNO("bad flags", eventfd(0, 0x40000000), EINVAL);
    return 0;
}

/* epoll_wait with timeout 0; prints what came back. */
static void show_wait(int ep, const char *what)
{
    struct epoll_event ev[8];
    memset(ev, 0, sizeof ev);
    int n = epoll_wait(ep, ev, 8, 0);
    printf("%s: %d event(s)", what, n);
    for (int i = 0; i < n; i++)
        printf(" [events=%#x data=%#llx]", ev[i].events, (unsigned long long)ev[i].data.u64);
    printf("\n");
}

static int test_epoll(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2];
    int efd = eventfd(0, EFD_NONBLOCK);
    if (ep < 0 || efd < 0 || pipe(p) != 0)
        return fail("epoll_create1/eventfd/pipe");
    struct epoll_event ev = { 0 };
    ev.events = EPOLLIN;
    ev.data.u64 = 0x1122334455667788ULL;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0)
        return fail("epoll_ctl add pipe");
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 0xfedcba9876543210ULL;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) != 0)
        return fail("epoll_ctl add eventfd");
    EXPECT_ERRNO("add again", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EEXIST);
    show_wait(ep, "nothing ready");

    /* Level-triggered: the pipe stays ready until drained. */
    write(p[1], "abc", 3);
    show_wait(ep, "pipe written");
    show_wait(ep, "pipe still unread (level)");
    char buf[8];
    read(p[0], buf, sizeof buf);
    show_wait(ep, "pipe drained");

    /* Edge-triggered: the eventfd reports once per change. */
    write_u64(efd, 1);
    show_wait(ep, "eventfd written");
    show_wait(ep, "eventfd again (edge)");
    write_u64(efd, 1);
    show_wait(ep, "eventfd written again");
    printf("eventfd value: %lld\n", read_u64(efd));

    /* Both at once: order is the kernel's ready list; print as a set. */
    write(p[1], "x", 1);
    write_u64(efd, 2);
    struct epoll_event two[4];
    int n = epoll_wait(ep, two, 4, 1000);
    int seen_pipe = 0, seen_efd = 0;
    for (int i = 0; i < n; i++) {
        seen_pipe |= two[i].data.u64 == 0x1122334455667788ULL && two[i].events == EPOLLIN;
        seen_efd |= two[i].data.u64 == 0xfedcba9876543210ULL && two[i].events == EPOLLIN;
    }
    printf("both ready: %d events, pipe %d eventfd %d\n", n, seen_pipe, seen_efd);
    printf("maxevents 1: %d\n", epoll_wait(ep, two, 1, 0));
    read(p[0], buf, sizeof buf);
    read_u64(efd);

    /* MOD: watch the pipe's write end for EPOLLOUT with new data, then the read end again. */
    ev.events = EPOLLOUT;
    ev.data.u64 = 42;
    EXPECT_ERRNO("mod unregistered", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
    epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
    show_wait(ep, "pipe write end");
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = 0x8000000000000001ULL;
    printf("mod: %d\n", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    show_wait(ep, "after mod");
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.fd = 7;
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
    write(p[1], "y", 1);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
    show_wait(ep, "oneshot");
    show_wait(ep, "oneshot disarmed");
    int del_pipe = epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    int del_efd = epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL);
    printf("del: %d %d\n", del_pipe, del_efd);
    EXPECT_ERRNO("del again", epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), ENOENT);
    show_wait(ep, "all deleted");
    EXPECT_ERRNO("maxevents 0", epoll_wait(ep, two, 0, 0), EINVAL);
    EXPECT_ERRNO("epoll on itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    EXPECT_ERRNO("wait on a pipe", epoll_wait(p[0], two, 1, 0), EINVAL);
    close(p[0]);
    close(p[1]);
    close(efd);
    close(ep);
    return 0;
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
    (void)sig;
    got_usr1++;
}

/* epoll_pwait's mask replaces the blocked set for the wait: a pending SIGUSR1, blocked
 * outside, interrupts it (EINTR, handler run), and the old mask is back afterwards. */
static int test_pwait_mask(void)
{
    int ep = epoll_create1(0);
    int efd = eventfd(0, 0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 99 };
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    signal(SIGUSR1, on_usr1);
    sigset_t block, during, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    printf("blocked SIGUSR1 pending, handler runs: %d\n", got_usr1);
    struct epoll_event out;
    int n = epoll_pwait(ep, &out, 1, 0, &block);
    printf("pwait keeping it blocked: %d handler runs: %d\n", n, got_usr1);
    sigemptyset(&during);
    errno = 0;
    n = epoll_pwait(ep, &out, 1, 10000, &during);
    printf("pwait unblocking it: %d EINTR=%d handler runs: %d\n", n, errno == EINTR, got_usr1);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("SIGUSR1 blocked again after: %d\n", sigismember(&now, SIGUSR1));
    write_u64(efd, 1);
    n = epoll_pwait(ep, &out, 1, 10000, &during);
    printf("pwait with event ready: %d data=%llu handler runs: %d\n", n, (unsigned long long)out.data.u64, got_usr1);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("SIGUSR1 still blocked: %d\n", sigismember(&now, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    signal(SIGUSR1, SIG_DFL);
    close(efd);
    close(ep);
    return 0;
}

/* The same with a signal from another process (a forked child): blocked by the wait's mask
 * it does not end the wait (the child's eventfd write does) and stays pending; let through
 * by the mask it interrupts the wait, whether it arrives before or during it. */
static int test_pwait_other_process(void)
{
    int ep = epoll_create1(0);
    int efd = eventfd(0, 0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 };
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    got_usr1 = 0;
    signal(SIGUSR1, on_usr1);
    sigset_t block, none;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &block, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50 * 1000);
        kill(getppid(), SIGUSR1);
        usleep(50 * 1000);
        write_u64(efd, 1);
        _exit(0);
    }
    struct epoll_event out = { 0 };
    int n = epoll_pwait(ep, &out, 1, 10000, &block);
    printf("pwait blocking the child's signal: %d data=%llu handler runs: %d\n", n,
           (unsigned long long)out.data.u64, got_usr1);
    read_u64(efd);
    waitpid(pid, NULL, 0);
    errno = 0;
    n = epoll_pwait(ep, &out, 1, 10000, &none);
    printf("then unblocking it: %d EINTR=%d handler runs: %d\n", n, errno == EINTR, got_usr1);

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        usleep(50 * 1000);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    errno = 0;
    n = epoll_pwait(ep, &out, 1, 10000, &none);
    printf("signal during an unblocking wait: %d EINTR=%d handler runs: %d\n", n, errno == EINTR, got_usr1);
    waitpid(pid, NULL, 0);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    signal(SIGUSR1, SIG_DFL);
    close(efd);
    close(ep);
    return 0;
}

static int test_timerfd(void)
{
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0)
        return fail("timerfd_create");
    printf("unarmed read: %lld (-EAGAIN %d)\n", read_u64(tfd), -EAGAIN);
    struct itimerspec cur;
    memset(&cur, 0xff, sizeof cur);
    timerfd_gettime(tfd, &cur);
    printf("unarmed gettime: %ld.%09ld / %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec,
           (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);

    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x71 };
    epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
    struct itimerspec its = { .it_value = { 0, 20 * 1000 * 1000 } }, old;
    memset(&old, 0xff, sizeof old);
    printf("settime: %d\n", timerfd_settime(tfd, 0, &its, &old));
    printf("old value was zero: %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0 &&
                                           old.it_interval.tv_sec == 0 && old.it_interval.tv_nsec == 0);
    struct epoll_event out = { 0 };
    int n = epoll_wait(ep, &out, 1, 5000);
    printf("epoll on timerfd: %d events=%#x data=%#llx\n", n, out.events, (unsigned long long)out.data.u64);
    long long count = read_u64(tfd);
    printf("read: %s\n", count >= 1 ? "expired" : "not expired");
    printf("read again: %lld (-EAGAIN %d)\n", read_u64(tfd), -EAGAIN);

    /* Periodic: gettime reports the interval exactly and a remaining time within it. */
    struct itimerspec per = { .it_value = { 100, 0 }, .it_interval = { 50, 0 } };
    timerfd_settime(tfd, 0, &per, NULL);
    timerfd_gettime(tfd, &cur);
    printf("armed: interval %ld.%09ld, value within (0, 100s]: %d\n", (long)cur.it_interval.tv_sec,
           cur.it_interval.tv_nsec, cur.it_value.tv_sec < 100 || (cur.it_value.tv_sec == 100 && cur.it_value.tv_nsec == 0));
    struct itimerspec zero = { 0 };
    timerfd_settime(tfd, 0, &zero, &old);
    printf("disarm: old interval %ld, old value nonzero %d\n", (long)old.it_interval.tv_sec,
           old.it_value.tv_sec != 0 || old.it_value.tv_nsec != 0);
    memset(&cur, 0xff, sizeof cur);
    printf("gettime after disarm: %d ", timerfd_gettime(tfd, &cur));
    printf("%ld.%09ld / %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec, (long)cur.it_interval.tv_sec,
           cur.it_interval.tv_nsec);

    /* Absolute time in the past: expires at once. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct itimerspec abs = { .it_value = now };
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &abs, NULL);
    n = epoll_wait(ep, &out, 1, 5000);
    printf("absolute past: %d event(s), read %s\n", n, read_u64(tfd) >= 1 ? "expired" : "not expired");

    errno = 0;
    struct itimerspec bad = { .it_value = { 0, 2000000000 } };
    EXPECT_ERRNO("bad nsec", timerfd_settime(tfd, 0, &bad, NULL), EINVAL);
    EXPECT_ERRNO("bad clock", timerfd_create(12345, 0), EINVAL);
    close(ep);
    close(tfd);
    return 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    int bad = 0;
    bad |= test_eventfd();
    bad |= test_epoll();
    bad |= test_pwait_mask();
    bad |= test_pwait_other_process();
    bad |= test_timerfd();
    printf("done\n");
    return bad;
}
