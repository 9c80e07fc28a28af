// signalfd: blocked signals read as signalfd_siginfo records, in signal-number order; the fd
// polls readable while one is pending; a non-blocking read of an empty one is EAGAIN; the mask
// can be changed; SIGCHLD from a child carries its pid and exit status.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, struct signalfd_siginfo *si, pid_t expect_pid) {
    printf("%s: signo=%u code=%d pid_ok=%d", what, si->ssi_signo, si->ssi_code,
           (pid_t)si->ssi_pid == expect_pid);
    if (si->ssi_signo == SIGCHLD) printf(" status=%d", si->ssi_status);
    if (si->ssi_signo == SIGRTMIN) printf(" int=%d", si->ssi_int);
    printf("\n");
}

int main(void) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("signalfd: %s\n", fd >= 0 ? "ok" : "failed");

    struct signalfd_siginfo si[4];
    ssize_t n = read(fd, si, sizeof si);
    printf("empty read: %zd %s\n", n, n < 0 && errno == EAGAIN ? "EAGAIN" : "?");
    n = read(fd, si, 10);
    printf("short buffer: %zd %s\n", n, n < 0 && errno == EINVAL ? "EINVAL" : "?");

    struct pollfd p = {fd, POLLIN, 0};
    printf("poll before: %d\n", poll(&p, 1, 0));
    raise(SIGUSR2);
    kill(getpid(), SIGUSR1);
    int ready = poll(&p, 1, 0);
    printf("poll after: %d revents=%#x\n", ready, p.revents);
    n = read(fd, si, sizeof si);
    printf("read %zd bytes\n", n);
    for (int i = 0; i < n / (ssize_t)sizeof si[0]; i++) show("got", &si[i], getpid());

    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGRTMIN, v);
    int ep = epoll_create1(0);
    struct epoll_event ev = {EPOLLIN, {.u64 = 7}}, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    ready = epoll_wait(ep, &out, 1, 1000);
    printf("epoll: %d data=%llu\n", ready, (unsigned long long)out.data.u64);
    n = read(fd, si, sizeof si);
    show("queued", &si[0], getpid());

    pid_t child = fork();
    if (child == 0) _exit(42);
    p.revents = 0;
    poll(&p, 1, 5000);
    n = read(fd, si, sizeof si[0]);
    show("child", &si[0], child);
    waitpid(child, NULL, 0);

    sigdelset(&mask, SIGUSR1);
    signalfd(fd, &mask, 0);
    raise(SIGUSR1);
    n = read(fd, si, sizeof si);
    printf("after removing SIGUSR1 from the fd: %zd\n", n);
    sigset_t pend;
    sigpending(&pend);
    printf("SIGUSR1 still pending: %d\n", sigismember(&pend, SIGUSR1));
    close(fd);
    return 0;
}
