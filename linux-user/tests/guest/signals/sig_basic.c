/* Guest signal delivery: handlers via raise/kill, SA_SIGINFO, masks, SA_RESETHAND,
 * SA_NODEFER, nesting, a handler changing uc_sigmask, abort() with a SIGABRT handler. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ucontext.h>

static volatile int count[65];
static volatile int depth, maxdepth;

static void plain(int sig) { count[sig]++; }

static void info_handler(int sig, siginfo_t *si, void *uc) {
    count[sig]++;
    printf("  info: signo=%d code=%d pid_is_self=%d uc=%d\n", si->si_signo, si->si_code,
           si->si_pid == getpid(), uc != NULL);
}

static void nest_handler(int sig) {
    depth++;
    if (depth > maxdepth) maxdepth = depth;
    count[sig]++;
    if (sig == SIGUSR1) raise(SIGUSR2);
    depth--;
}

static void nodefer_handler(int sig) {
    count[sig]++;
    if (count[sig] < 3) raise(sig);
}

static void mask_changer(int sig, siginfo_t *si, void *p) {
    ucontext_t *uc = p;
    (void)si;
    count[sig]++;
    sigaddset(&uc->uc_sigmask, SIGUSR2);
}

static void abrt(int sig) {
    printf("SIGABRT handler %d\n", sig);
    fflush(stdout);
}

static void set(int sig, void (*h)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL)) perror("sigaction");
}

static void set_info(int sig, void (*h)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = flags | SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL)) perror("sigaction");
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    set(SIGUSR1, plain, 0);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    printf("raise+kill: %d\n", count[SIGUSR1]);

    set_info(SIGUSR2, info_handler, 0);
    raise(SIGUSR2);
    kill(getpid(), SIGUSR2);
    union sigval v = {.sival_int = 7};
    sigqueue(getpid(), SIGUSR2, v);

    sigset_t s, old, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, &old);
    count[SIGUSR1] = 0;
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&pend);
    printf("blocked: count=%d pending=%d\n", count[SIGUSR1], sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: count=%d\n", count[SIGUSR1]);
    sigpending(&pend);
    printf("pending after=%d\n", sigismember(&pend, SIGUSR1));

    set(SIGUSR1, plain, SA_RESETHAND);
    raise(SIGUSR1);
    struct sigaction cur;
    sigaction(SIGUSR1, NULL, &cur);
    printf("resethand: count=%d now_default=%d\n", count[SIGUSR1], cur.sa_handler == SIG_DFL);

    count[SIGUSR1] = count[SIGUSR2] = 0;
    set(SIGUSR1, nest_handler, 0);
    set(SIGUSR2, nest_handler, 0);
    raise(SIGUSR1);
    printf("nested: usr1=%d usr2=%d maxdepth=%d\n", count[SIGUSR1], count[SIGUSR2], maxdepth);

    count[SIGUSR1] = 0;
    set(SIGUSR1, nodefer_handler, SA_NODEFER);
    raise(SIGUSR1);
    printf("nodefer: %d\n", count[SIGUSR1]);
    count[SIGUSR1] = 0;
    set(SIGUSR1, nodefer_handler, 0);
    raise(SIGUSR1);
    printf("defer: %d\n", count[SIGUSR1]);

    set_info(SIGUSR1, mask_changer, 0);
    raise(SIGUSR1);
    sigprocmask(SIG_SETMASK, NULL, &cur.sa_mask);
    printf("mask from uc: usr2 blocked=%d usr1 blocked=%d\n", sigismember(&cur.sa_mask, SIGUSR2),
           sigismember(&cur.sa_mask, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);

    set(SIGPIPE, SIG_IGN, 0);
    raise(SIGPIPE);
    set(SIGCHLD, SIG_DFL, 0);
    raise(SIGCHLD);
    printf("ignored ok\n");
    printf("bad sigaction: %d %d\n", sigaction(0, &cur, NULL), sigaction(SIGKILL, &cur, NULL));

    set(SIGABRT, abrt, 0);
    abort();
}
