// rt_sigreturn restores the alternate stack from the frame's uc_stack, as the kernel does: a
// handler that edits uc_stack in its ucontext changes the thread's sigaltstack.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

static char stack_a[65536], stack_b[65536];
static int mode;

static void handler(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    (void)sig;
    (void)si;
    if (mode == 1) {
        uc->uc_stack.ss_sp = stack_b;
        uc->uc_stack.ss_size = sizeof stack_b;
        uc->uc_stack.ss_flags = 0;
    } else if (mode == 2) {
        uc->uc_stack.ss_flags = SS_DISABLE;
    } else if (mode == 3) {
        uc->uc_stack.ss_size = 100; /* too small: ignored */
    }
}

static void report(const char *what) {
    stack_t cur;
    sigaltstack(NULL, &cur);
    const char *where = cur.ss_flags & SS_DISABLE ? "disabled"
                        : (char *)cur.ss_sp == stack_a ? "stack_a"
                        : (char *)cur.ss_sp == stack_b ? "stack_b"
                                                       : "other";
    printf("%s: %s size %ld\n", what, where, (long)cur.ss_size);
}

int main(void) {
    stack_t ss = {.ss_sp = stack_a, .ss_size = sizeof stack_a, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    const char *names[] = {"unchanged", "moved", "disabled", "bad size"};
    for (mode = 0; mode < 4; mode++) {
        if (mode == 3) sigaltstack(&ss, NULL);
        raise(SIGUSR1);
        report(names[mode]);
    }
    return 0;
}
