/* What a fault handler sees on x86_64: si_code, si_addr and the sigcontext's trapno, err
 * and cr2 (the page-fault error code: present/write/user/fetch bits, and the address), and
 * where RIP points (at the faulting instruction, or after INT3), for page faults (read,
 * write, fetch; unmapped and protected), #GP (HLT), #UD (UD2), #BP (INT3) and #DE, and for
 * an asynchronous signal afterwards (the values of the last fault stay). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile uintptr_t expected_rip;
static unsigned char *page;

/* An address as "0", "page+N" (in the test mapping) or "rip+N" (relative to the faulting
 * instruction). */
static void show_addr(const char *what, uintptr_t a) {
    if (a == 0)
        printf(" %s 0", what);
    else if (a - (uintptr_t)page < 3 * 4096)
        printf(" %s page+%ld", what, (long)(a - (uintptr_t)page));
    else
        printf(" %s rip%+ld", what, (long)(a - expected_rip));
}

static void handler(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  sig %d code %d", sig, si->si_code);
    if (si->si_code > 0) {
        show_addr("addr", (uintptr_t)si->si_addr);
        show_addr("rip", (uintptr_t)g[REG_RIP]);
    }
    printf(" trapno %lld err %#llx", (long long)g[REG_TRAPNO], (long long)g[REG_ERR]);
    show_addr("cr2", (uintptr_t)g[REG_CR2]);
    printf("\n");
    siglongjmp(env, 1);
}

#define FAULT(name, asm_text, ...)                                                         \
    do {                                                                                   \
        printf("%s\n", name);                                                              \
        if (sigsetjmp(env, 1) == 0) {                                                      \
            __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n" asm_text "\n"       \
                             : "=m"(expected_rip) : __VA_ARGS__ : "rax", "rdx", "memory"); \
            printf("  no fault\n");                                                        \
        }                                                                                  \
    } while (0)

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP) sigaction(s, &sa, NULL);
    page = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    mprotect(page + 8192, 4096, PROT_READ);
    page[0] = 0xc3; /* ret, in a page without exec permission */

    FAULT("read unmapped", "1: mov (%1), %%rdx", "r"(page + 4096 + 16), "r"(0));
    FAULT("write unmapped", "1: movb $1, (%1)", "r"(page + 4096 + 5), "r"(0));
    FAULT("write read-only, never touched", "1: movl $1, (%1)", "r"(page + 8192 + 40), "r"(0));
    /* Reading the page maps it (the present bit of the error code is then set). An
     * emulator reads before it writes, so a read-modify-write is only compared here. */
    printf("read the read-only page: %d\n", *(volatile unsigned char *)(page + 8192));
    FAULT("write read-only", "1: movl $1, (%1)", "r"(page + 8192 + 40), "r"(0));
    FAULT("read-modify-write read-only", "1: addq $1, (%1)", "r"(page + 8192 + 48), "r"(0));
    FAULT("hlt", "1: hlt", "r"(0), "r"(0));
    FAULT("ud2", "1: ud2", "r"(0), "r"(0));
    FAULT("int3", "1: int3", "r"(0), "r"(0));
    FAULT("divide by zero", "xor %%edx, %%edx\n\tmov $7, %%eax\n1: divl %1", "r"(0), "r"(0));
    printf("execute non-executable\n");
    if (sigsetjmp(env, 1) == 0) {
        expected_rip = (uintptr_t)page;
        ((void (*)(void))page)();
        printf("  no fault\n");
    }
    printf("kill after the faults\n");
    if (sigsetjmp(env, 1) == 0) {
        expected_rip = 0;
        kill(getpid(), SIGUSR1);
    }
    return 0;
}
