// pselect, ppoll and epoll_pwait apply their signal mask during the wait: a pending signal the
// mask unblocks interrupts the wait (EINTR) and its handler runs; the old mask comes back.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void on_usr1(int sig) { (void)sig; handled++; }

static void check(const char *name, int r) {
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("%s: r=%d errno=%s handled=%d still blocked=%d\n", name, r,
           r < 0 && errno == EINTR ? "EINTR" : "-", (int)handled, sigismember(&cur, SIGUSR1));
}

int main(void) {
    int fds[2];
    pipe(fds);
    signal(SIGUSR1, on_usr1);
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    struct timespec ts = {2, 0};

    raise(SIGUSR1);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    check("pselect", pselect(fds[0] + 1, &rd, NULL, NULL, &ts, &empty));

    raise(SIGUSR1);
    struct pollfd pfd = {fds[0], POLLIN, 0};
    check("ppoll", ppoll(&pfd, 1, &ts, &empty));

    raise(SIGUSR1);
    int ep = epoll_create1(0);
    struct epoll_event ev = {EPOLLIN, {0}}, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev);
    check("epoll_pwait", epoll_pwait(ep, &out, 1, 2000, &empty));

    write(fds[1], "x", 1);
    check("pselect ready, mask still blocking", pselect(fds[0] + 1, &rd, NULL, NULL, &ts, &block));
    return 0;
}
