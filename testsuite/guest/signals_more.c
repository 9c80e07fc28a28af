/* More guest signal behaviour (beyond linux-user/tests/guest/signals/): siginfo si_code for
 * raise/kill/sigqueue; SIGSEGV recovery with siglongjmp, twice, with SEGV_ACCERR/SEGV_MAPERR and
 * si_addr; delivery order of blocked standard and queued real-time signals; SIGKILL/SIGSTOP
 * cannot be blocked; the mask and the handler's view of SA_NODEFER, SA_RESETHAND and sa_mask;
 * sigaltstack (SS_ONSTACK inside the handler, EPERM while on it, nesting, SS_DISABLE, a stack
 * overflow caught on the alternate stack); alarm + pause; nanosleep/clock_nanosleep cut short by
 * a signal (the remaining time); SIGCHLD with CLD_EXITED, CLD_KILLED,
 * CLD_STOPPED, CLD_CONTINUED; SIGCHLD ignored (children reaped); fork keeps the mask but not
 * the pending set. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void set_action(int sig, void (*h)(int, siginfo_t *, void *), int flags, const sigset_t *mask) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = flags | SA_SIGINFO;
    if (mask) sa.sa_mask = *mask;
    else sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL)) perror("sigaction");
}

static void set_disposition(int sig, void (*h)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL)) perror("sigaction");
}

static int blocked_now(int sig) {
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    return sigismember(&cur, sig);
}

static const char *yes(int b) { return b ? "yes" : "no"; }

/* ---- siginfo ---- */
static volatile int last_signo, last_code, last_value, last_pid_self, last_uid_ok;
static void info_handler(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    last_signo = si->si_signo;
    last_code = si->si_code;
    last_value = si->si_value.sival_int;
    last_pid_self = si->si_pid == getpid();
    last_uid_ok = si->si_uid == getuid();
}

static void siginfo_codes(void) {
    set_action(SIGUSR1, info_handler, 0, NULL);
    raise(SIGUSR1);
    printf("raise: signo %d code %s pid self %s\n", last_signo, last_code == SI_TKILL ? "SI_TKILL" : "?",
           yes(last_pid_self));
    kill(getpid(), SIGUSR1);
    printf("kill: signo %d code %s pid self %s uid ok %s\n", last_signo, last_code == SI_USER ? "SI_USER" : "?",
           yes(last_pid_self), yes(last_uid_ok));
    union sigval v = {.sival_int = 4321};
    sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue: signo %d code %s value %d\n", last_signo, last_code == SI_QUEUE ? "SI_QUEUE" : "?",
           last_value);
    int zero = kill(getpid(), 0);
    int bad = kill(getpid(), 65);
    printf("kill signal 0: %d, bad signal: %d %s\n", zero, bad, errno == EINVAL ? "EINVAL" : "?");
}

/* ---- SIGSEGV recovery ---- */
static sigjmp_buf segv_env;
static void *volatile segv_addr;
static volatile int segv_code;
static void segv_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    segv_addr = si->si_addr;
    segv_code = si->si_code;
    siglongjmp(segv_env, sig);
}

static void __attribute__((noinline)) poke(volatile char *p, char v) { *p = v; }

static void segv_recovery(void) {
    long pagesz = sysconf(_SC_PAGESIZE);
    char *page = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return;
    page[100] = 'r';
    mprotect(page, pagesz, PROT_READ);
    munmap(page + pagesz, pagesz);
    set_action(SIGSEGV, segv_handler, 0, NULL);
    for (int round = 1; round <= 2; round++) {
        int sig = sigsetjmp(segv_env, 1);
        if (sig == 0) {
            poke(page + 100 + round, 'x');
            printf("segv %d: write to a read-only page did not fault\n", round);
        } else {
            printf("segv %d: signal %d, code %s, addr ok %s, still readable %c, SIGSEGV blocked %s\n", round,
                   sig, segv_code == SEGV_ACCERR ? "SEGV_ACCERR" : "?",
                   yes(segv_addr == page + 100 + round), page[100], yes(blocked_now(SIGSEGV)));
        }
    }
    if (sigsetjmp(segv_env, 1) == 0) {
        poke(page + pagesz + 8, 'x');
        printf("segv unmapped: no fault\n");
    } else {
        printf("segv unmapped: code %s, addr ok %s\n", segv_code == SEGV_MAPERR ? "SEGV_MAPERR" : "?",
               yes(segv_addr == page + pagesz + 8));
    }
    munmap(page, pagesz);
    set_disposition(SIGSEGV, SIG_DFL);
}

/* ---- delivery order ---- */
static int order[16];
static int order_values[16];
static volatile int norder;
static void order_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    if (norder < 16) {
        order_values[norder] = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
        order[norder] = sig;
    }
    norder++;
}

static const char *signame(int sig) {
    static char buf[16];
    if (sig == SIGUSR1) return "USR1";
    if (sig == SIGUSR2) return "USR2";
    if (sig == SIGWINCH) return "WINCH";
    snprintf(buf, sizeof buf, "RTMIN+%d", sig - SIGRTMIN);
    return buf;
}

static void delivery_order(void) {
    sigset_t all, block, pending;
    sigfillset(&all);
    sigemptyset(&block);
    int sigs[] = {SIGUSR1, SIGUSR2, SIGWINCH, SIGRTMIN, SIGRTMIN + 1};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        set_action(sigs[i], order_handler, 0, &all); /* handlers never nest */
        sigaddset(&block, sigs[i]);
    }
    sigprocmask(SIG_BLOCK, &block, NULL);
    union sigval v;
    v.sival_int = 3;
    sigqueue(getpid(), SIGRTMIN + 1, v);
    for (int i = 1; i <= 3; i++) {
        v.sival_int = i;
        sigqueue(getpid(), SIGRTMIN, v);
    }
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGWINCH);
    kill(getpid(), SIGUSR1);
    sigpending(&pending);
    printf("pending while blocked: USR1 %d USR2 %d WINCH %d RTMIN %d RTMIN+1 %d, delivered %d\n",
           sigismember(&pending, SIGUSR1), sigismember(&pending, SIGUSR2), sigismember(&pending, SIGWINCH),
           sigismember(&pending, SIGRTMIN), sigismember(&pending, SIGRTMIN + 1), norder);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("delivered %d:", norder);
    for (int i = 0; i < norder && i < 16; i++) {
        if (order_values[i] >= 0) printf(" %s(%d)", signame(order[i]), order_values[i]);
        else printf(" %s", signame(order[i]));
    }
    printf("\n");
    sigpending(&pending);
    printf("pending after: %d\n", sigismember(&pending, SIGUSR1) + sigismember(&pending, SIGRTMIN));

    sigset_t unblockable;
    sigemptyset(&unblockable);
    sigaddset(&unblockable, SIGKILL);
    sigaddset(&unblockable, SIGSTOP);
    sigprocmask(SIG_BLOCK, &unblockable, NULL);
    printf("SIGKILL blocked %d, SIGSTOP blocked %d\n", blocked_now(SIGKILL), blocked_now(SIGSTOP));
    int bad = sigprocmask(42, &unblockable, NULL);
    printf("sigprocmask bad how: %d %s\n", bad, errno == EINVAL ? "EINVAL" : "?");
}

/* ---- flags seen from inside the handler ---- */
static volatile int self_blocked, other_blocked, handler_now_default, depth, max_depth, runs;
static void flag_handler(int sig, siginfo_t *si, void *uc) {
    (void)si;
    (void)uc;
    runs++;
    self_blocked = blocked_now(sig);
    other_blocked = blocked_now(SIGUSR2);
    struct sigaction cur;
    sigaction(sig, NULL, &cur);
    handler_now_default = cur.sa_handler == SIG_DFL;
    depth++;
    if (depth > max_depth) max_depth = depth;
    if (runs < 3) raise(sig);
    depth--;
}

static void handler_flags(void) {
    struct {
        const char *name;
        int flags;
        int mask_usr2;
    } cases[] = {
        {"default", 0, 0},
        {"sa_mask USR2", 0, 1},
        {"SA_NODEFER", SA_NODEFER, 0},
        {"SA_RESETHAND", SA_RESETHAND, 0},
        {"SA_RESETHAND|SA_NODEFER", SA_RESETHAND | SA_NODEFER, 0},
    };
    /* SIGWINCH's default action is to ignore it, so a reset handler's re-raise is harmless. */
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sigset_t m;
        sigemptyset(&m);
        if (cases[i].mask_usr2) sigaddset(&m, SIGUSR2);
        set_action(SIGWINCH, flag_handler, cases[i].flags, &m);
        runs = depth = max_depth = 0;
        raise(SIGWINCH);
        struct sigaction after;
        sigaction(SIGWINCH, NULL, &after);
        printf("%s: runs %d, max depth %d, self blocked %d, USR2 blocked %d, reset in handler %d, "
               "reset after %d, blocked after %d\n",
               cases[i].name, runs, max_depth, self_blocked, other_blocked, handler_now_default,
               after.sa_handler == SIG_DFL, blocked_now(SIGWINCH));
    }
}

/* ---- alternate stack ---- */
static char *alt_base;
static size_t alt_size;
static volatile int on_alt, flags_onstack, change_eperm, nested_below, nested_on_alt;
static char *volatile outer_local;

static int on_altstack(const void *p) { return (const char *)p >= alt_base && (const char *)p < alt_base + alt_size; }

static void inner_alt_handler(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)si;
    (void)uc;
    char local;
    nested_on_alt = on_altstack(&local);
    nested_below = &local < outer_local;
}

static void alt_handler(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)si;
    (void)uc;
    char local;
    outer_local = &local;
    on_alt = on_altstack(&local);
    stack_t cur;
    sigaltstack(NULL, &cur);
    flags_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
    if (on_alt) {
        static char other_stack[65536];
        stack_t other = {.ss_sp = other_stack, .ss_size = sizeof other_stack, .ss_flags = 0};
        change_eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
        raise(SIGUSR2);
    }
}

static sigjmp_buf overflow_env;
static volatile int overflow_on_alt;
static void overflow_handler(int sig, siginfo_t *si, void *uc) {
    (void)si;
    (void)uc;
    char local;
    overflow_on_alt = on_altstack(&local);
    siglongjmp(overflow_env, sig);
}

static volatile long depth_limit = 1L << 40; /* never reached: the stack runs out first */
static long __attribute__((noinline)) recurse(volatile char *prev, long n) {
    volatile char frame[1024];
    frame[0] = (char)n;
    frame[1023] = prev ? prev[0] : 0;
    if (n >= depth_limit) return 0;
    return recurse(frame, n + 1) + frame[1023];
}

static void alternate_stack(void) {
    alt_size = 64 * 1024;
    alt_base = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt_base == MAP_FAILED) return;
    stack_t st = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0}, old;
    if (sigaltstack(&st, &old)) perror("sigaltstack");
    printf("altstack: old disabled %s\n", yes(old.ss_flags & SS_DISABLE));
    set_action(SIGUSR1, alt_handler, SA_ONSTACK, NULL);
    set_action(SIGUSR2, inner_alt_handler, SA_ONSTACK, NULL);
    raise(SIGUSR1);
    printf("altstack: handler on it %s, SS_ONSTACK inside %s, change while on it EPERM %s\n", yes(on_alt),
           yes(flags_onstack), yes(change_eperm));
    printf("altstack: nested handler on it %s, below the outer frame %s\n", yes(nested_on_alt), yes(nested_below));
    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("altstack: after the handler flags %d, size ok %s\n", cur.ss_flags, yes(cur.ss_size == alt_size));

    set_action(SIGSEGV, overflow_handler, SA_ONSTACK, NULL);
    if (sigsetjmp(overflow_env, 1) == 0) {
        recurse(NULL, 0);
        printf("stack overflow: not caught\n");
    } else {
        printf("stack overflow: caught, handler on the altstack %s\n", yes(overflow_on_alt));
    }
    set_disposition(SIGSEGV, SIG_DFL);

    stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    on_alt = -1;
    set_action(SIGUSR1, alt_handler, SA_ONSTACK, NULL);
    raise(SIGUSR1);
    sigaltstack(NULL, &cur);
    printf("altstack disabled: handler on it %s, flags disabled %s\n", yes(on_alt), yes(cur.ss_flags & SS_DISABLE));
    stack_t tiny = {.ss_sp = alt_base, .ss_size = 512, .ss_flags = 0};
    int small = sigaltstack(&tiny, NULL);
    printf("altstack too small: %d %s\n", small, errno == ENOMEM ? "ENOMEM" : "?");
    set_disposition(SIGUSR1, SIG_DFL);
    set_disposition(SIGUSR2, SIG_DFL);
    munmap(alt_base, alt_size);
}

/* ---- alarm + pause ---- */
static volatile int alarms;
static void on_alarm(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    alarms++;
    last_code = si->si_code;
}

static void alarm_pause(void) {
    set_action(SIGALRM, on_alarm, 0, NULL);
    printf("alarm: first call returns %u\n", alarm(1));
    int r = pause();
    printf("pause: %d %s, alarms %d, code %s\n", r, errno == EINTR ? "EINTR" : "?", alarms,
           last_code == SI_KERNEL ? "SI_KERNEL" : "?");
    alarm(30);
    printf("alarm: cancel returns %u\n", alarm(0));

    /* A sleep cut short by a signal tells how much was left. */
    struct itimerval soon = {{0, 0}, {0, 100000}};
    struct timespec req = {3, 0}, rem = {-1, -1};
    setitimer(ITIMER_REAL, &soon, NULL);
    r = nanosleep(&req, &rem);
    printf("nanosleep interrupted: %d %s, remaining between 1 s and 3 s %s\n", r, errno == EINTR ? "EINTR" : "?",
           yes(rem.tv_sec >= 1 && rem.tv_sec < 3 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000));
    setitimer(ITIMER_REAL, &soon, NULL);
    rem.tv_sec = rem.tv_nsec = -1;
    int e = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
    printf("clock_nanosleep interrupted: %s, remaining between 1 s and 3 s %s\n", e == EINTR ? "EINTR" : "?",
           yes(rem.tv_sec >= 1 && rem.tv_sec < 3 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000));
    req.tv_sec = 0;
    req.tv_nsec = 1000;
    rem.tv_sec = 77;
    nanosleep(&req, &rem);
    printf("nanosleep finished: remaining left alone %s\n", yes(rem.tv_sec == 77));
}

/* ---- SIGCHLD ---- */
static volatile int chld_count, chld_code, chld_status;
static volatile pid_t chld_pid;
static void on_chld(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    chld_count++;
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_pid = si->si_pid;
}

static const char *cld_name(int code) {
    switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "?";
    }
}

/* Waits (SIGCHLD blocked outside sigsuspend) until the handler has run `want` times. */
static void wait_chld(int want) {
    sigset_t empty;
    sigemptyset(&empty);
    while (chld_count < want) sigsuspend(&empty);
}

static void report_chld(const char *what, pid_t pid) {
    printf("%s: SIGCHLD %s status %d pid ok %s\n", what, cld_name(chld_code), chld_status, yes(chld_pid == pid));
}

static void sigchld(void) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    set_action(SIGCHLD, on_chld, 0, NULL);

    pid_t pid = fork();
    if (pid == 0) _exit(7);
    wait_chld(1);
    report_chld("child exit", pid);
    int st;
    waitpid(pid, &st, 0);
    printf("child exit: waitpid exited %d status %d\n", WIFEXITED(st), WEXITSTATUS(st));

    int pipefd[2];
    if (pipe(pipefd)) return;
    pid = fork();
    if (pid == 0) {
        char c;
        close(pipefd[1]);
        while (read(pipefd[0], &c, 1) != 0) {
        }
        _exit(3);
    }
    close(pipefd[0]);
    kill(pid, SIGSTOP);
    wait_chld(2);
    report_chld("child stopped", pid);
    waitpid(pid, &st, WUNTRACED);
    printf("child stopped: waitpid stopped %d by %d\n", WIFSTOPPED(st), WSTOPSIG(st));
    kill(pid, SIGCONT);
    wait_chld(3);
    report_chld("child continued", pid);
    waitpid(pid, &st, WCONTINUED);
    printf("child continued: waitpid continued %d\n", WIFCONTINUED(st));
    kill(pid, SIGKILL);
    wait_chld(4);
    report_chld("child killed", pid);
    waitpid(pid, &st, 0);
    printf("child killed: waitpid signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
    close(pipefd[1]);

    set_action(SIGCHLD, on_chld, SA_NOCLDSTOP, NULL);
    if (pipe(pipefd)) return;
    pid = fork();
    if (pid == 0) {
        char c;
        close(pipefd[1]);
        while (read(pipefd[0], &c, 1) != 0) {
        }
        _exit(4);
    }
    close(pipefd[0]);
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    sigset_t pending;
    sigpending(&pending);
    printf("SA_NOCLDSTOP: stopped %d, SIGCHLD pending %d\n", WIFSTOPPED(st), sigismember(&pending, SIGCHLD));
    kill(pid, SIGCONT);
    close(pipefd[1]);
    wait_chld(5);
    report_chld("SA_NOCLDSTOP exit", pid);
    waitpid(pid, &st, 0);
    printf("SA_NOCLDSTOP exit: exited %d\n", WEXITSTATUS(st));
    sigprocmask(SIG_UNBLOCK, &chld, NULL);

    set_disposition(SIGCHLD, SIG_IGN);
    pid = fork();
    if (pid == 0) _exit(0);
    int r = waitpid(pid, &st, 0);
    printf("SIGCHLD ignored: waitpid %d %s\n", r, r < 0 && errno == ECHILD ? "ECHILD" : "?");
    set_disposition(SIGCHLD, SIG_DFL);
}

/* ---- fork: mask kept, pending set cleared ---- */
static void fork_mask(void) {
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    set_disposition(SIGUSR1, SIG_DFL);
    raise(SIGUSR1);
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t pending;
        sigpending(&pending);
        printf("fork child: USR1 blocked %d, pending %d\n", blocked_now(SIGUSR1), sigismember(&pending, SIGUSR1));
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    sigset_t pending;
    sigpending(&pending);
    printf("fork parent: USR1 pending %d\n", sigismember(&pending, SIGUSR1));
    set_disposition(SIGUSR1, SIG_IGN); /* discards the pending one */
    sigpending(&pending);
    printf("ignoring discards pending: %d\n", !sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    set_disposition(SIGUSR1, SIG_DFL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    siginfo_codes();
    segv_recovery();
    delivery_order();
    handler_flags();
    alternate_stack();
    alarm_pause();
    sigchld();
    fork_mask();
    printf("done\n");
    return 0;
}
