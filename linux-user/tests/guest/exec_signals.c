// Signal state across execve, as the kernel keeps it: ignored signals stay ignored, handled
// ones go back to the default action, the blocked mask is kept; pending signals are not lost.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; }

static const char *disposition(int sig) {
    struct sigaction old;
    sigaction(sig, NULL, &old);
    if (old.sa_handler == SIG_IGN) return "ignored";
    if (old.sa_handler == SIG_DFL) return "default";
    return "handled";
}

static volatile sig_atomic_t got_usr2;
static void on_usr2(int sig) { (void)sig; got_usr2 = 1; }

static int after_exec(void) {
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("after exec: SIGUSR1 %s, SIGTERM %s, SIGHUP %s\n", disposition(SIGUSR1),
           disposition(SIGTERM), disposition(SIGHUP));
    printf("after exec: SIGUSR2 blocked %d, SIGINT blocked %d\n", sigismember(&cur, SIGUSR2),
           sigismember(&cur, SIGINT));
    sigset_t pend;
    sigpending(&pend);
    printf("after exec: SIGUSR2 pending %d\n", sigismember(&pend, SIGUSR2));
    signal(SIGUSR2, on_usr2);
    sigprocmask(SIG_UNBLOCK, &cur, NULL);
    printf("after exec: SIGUSR2 delivered on unblock %d\n", (int)got_usr2);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) return after_exec();
    signal(SIGUSR1, SIG_IGN);
    signal(SIGTERM, on_term);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    printf("before exec: SIGUSR1 %s, SIGTERM %s\n", disposition(SIGUSR1), disposition(SIGTERM));
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "child", (char *)NULL);
    perror("execl");
    return 1;
}
