/* Asynchronous signals: alarm + pause, setitimer, EINTR vs SA_RESTART on a blocking read,
 * sigsuspend, sigaltstack + SA_ONSTACK, FP/vector registers preserved across a handler,
 * a tight loop interrupted by a timer, sigtimedwait. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms;
static volatile int stop;
static int pipefd[2];
static char altstack[65536];
static volatile int on_alt;

static void on_alarm(int sig) { (void)sig; alarms++; }
static void on_stop(int sig) { (void)sig; stop = 1; }
static void feed_pipe(int sig) {
    (void)sig;
    alarms++;
    if (write(pipefd[1], "x", 1) != 1) _exit(9);
}
static void alt_handler(int sig) {
    int local;
    (void)sig;
    on_alt = (char *)&local >= altstack && (char *)&local < altstack + sizeof altstack;
}

static volatile double fsink;
static void fp_clobber(int sig) {
    (void)sig;
    volatile double a = 1.5, b = 3.25;
    for (int i = 0; i < 32; i++) fsink = fsink * a + b;
}

static void set(int sig, void (*h)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void timer_ms(int ms, int repeat) {
    struct itimerval it = {{0, repeat ? ms * 1000 : 0}, {0, ms * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    set(SIGALRM, on_alarm, 0);
    alarm(1);
    pause();
    printf("alarm+pause: %d\n", alarms);

    alarms = 0;
    timer_ms(50, 0);
    while (!alarms) {
    }
    printf("setitimer spin: %d\n", alarms);

    set(SIGALRM, on_stop, 0);
    stop = 0;
    timer_ms(30, 0);
    unsigned long n = 0;
    while (!stop) n++;
    printf("tight loop interrupted: %d\n", n > 0);

    if (pipe(pipefd)) return 1;
    char c;
    set(SIGALRM, on_alarm, 0);
    timer_ms(30, 0);
    ssize_t r = read(pipefd[0], &c, 1);
    printf("read without SA_RESTART: %zd errno=%s\n", r, r < 0 && errno == EINTR ? "EINTR" : "?");

    alarms = 0;
    set(SIGALRM, feed_pipe, SA_RESTART);
    timer_ms(30, 0);
    r = read(pipefd[0], &c, 1);
    printf("read with SA_RESTART: %zd '%c' alarms=%d\n", r, r == 1 ? c : '?', alarms);

    struct timespec ts = {5, 0}, rem;
    set(SIGALRM, on_alarm, SA_RESTART);
    timer_ms(30, 0);
    int ns = nanosleep(&ts, &rem);
    printf("nanosleep: %d %s\n", ns, ns < 0 && errno == EINTR ? "EINTR" : "?");

    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    alarms = 0;
    timer_ms(30, 0);
    sigemptyset(&empty);
    int ss = sigsuspend(&empty);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("sigsuspend: %d alarms=%d still blocked=%d\n", ss, alarms, sigismember(&now, SIGALRM));

    timer_ms(30, 0);
    siginfo_t si;
    int got = sigwaitinfo(&block, &si);
    printf("sigwaitinfo: %d signo=%d alarms=%d\n", got, si.si_signo, alarms);
    struct timespec zero = {0, 1000000};
    got = sigtimedwait(&block, &si, &zero);
    printf("sigtimedwait timeout: %d %s\n", got, got < 0 && errno == EAGAIN ? "EAGAIN" : "?");
    sigprocmask(SIG_UNBLOCK, &block, NULL);

    stack_t st = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    if (sigaltstack(&st, NULL)) perror("sigaltstack");
    set(SIGUSR1, alt_handler, SA_ONSTACK);
    raise(SIGUSR1);
    printf("onstack: %d\n", on_alt);
    set(SIGUSR1, alt_handler, 0);
    raise(SIGUSR1);
    printf("not onstack: %d\n", on_alt);
    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("altstack flags=%d size_ok=%d\n", cur.ss_flags, cur.ss_size == sizeof altstack);

    set(SIGUSR2, fp_clobber, 0);
    double x = 0.1;
    double acc = 0;
    for (int i = 0; i < 10; i++) {
        acc += x * i;
        if (i == 5) raise(SIGUSR2);
        acc *= 1.0001;
    }
    printf("fp preserved: %.17g\n", acc);

    set(SIGTERM, SIG_DFL, 0);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
