/* Synchronous signals: SIGSEGV with siglongjmp, SIGSEGV fixed by mprotect and retried,
 * si_addr/si_code, SIGILL, SIGTRAP, a handler skipping the faulting instruction through the
 * saved pc, unhandled SIGSEGV at the end (default action). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static char *page;
static volatile int hits;
static void *volatile fault_addr;
static volatile int fault_code;

static void jump_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    hits++;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    siglongjmp(env, sig);
}

static void fix_handler(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    hits++;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    mprotect(page, 4096, PROT_READ | PROT_WRITE);
}

#if defined(__riscv)
#define PC(uc) ((uc)->uc_mcontext.__gregs[0])
#define ILLEGAL() __asm__ volatile(".word 0x00000000")
#define BREAK() __asm__ volatile("ebreak")
#define INSN_LEN(pc) ((*(uint16_t *)(pc) & 3) == 3 ? 4 : 2)
#else
#define PC(uc) ((uc)->uc_mcontext.pc)
#define ILLEGAL() __asm__ volatile(".word 0x00000000")
#define BREAK() __asm__ volatile("brk #0")
#define INSN_LEN(pc) 4
#endif

static void skip_handler(int sig, siginfo_t *si, void *p) {
    ucontext_t *uc = p;
    hits++;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    printf("  skip: sig=%d addr_is_pc=%d\n", sig, (uintptr_t)si->si_addr == PC(uc));
    PC(uc) += INSN_LEN(PC(uc));
}

static void set(int sig, void (*h)(int, siginfo_t *, void *)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static int __attribute__((noinline)) load_at(volatile int *p) { return *p; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    set(SIGSEGV, jump_handler);
    volatile int *wild = (int *)0x10;
    int r = sigsetjmp(env, 1);
    if (r == 0) {
        load_at(wild);
        printf("not reached\n");
    }
    printf("longjmp: r=%d hits=%d addr=%p code=%d\n", r, hits, fault_addr, fault_code);

    page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r = sigsetjmp(env, 1);
    if (r == 0) {
        page[100] = 1;
        printf("not reached\n");
    }
    printf("write to ro: r=%d addr_ok=%d code=%d\n", r, fault_addr == page + 100, fault_code);

    /* Several accesses in one block: the right one must fault, the earlier ones done. */
    volatile int *q = (int *)page;
    r = sigsetjmp(env, 1);
    if (r == 0) {
        int a = q[0];
        int b = q[1];
        q[2] = a + b + 5;
        printf("not reached\n");
    }
    printf("block: r=%d addr_ok=%d\n", r, fault_addr == page + 8);

    hits = 0;
    set(SIGSEGV, fix_handler);
    *(volatile char *)(page + 200) = 42;
    printf("mprotect retry: hits=%d value=%d addr_ok=%d code=%d\n", hits, page[200],
           fault_addr == page + 200, fault_code);

    munmap(page, 4096);
    set(SIGSEGV, jump_handler);
    r = sigsetjmp(env, 1);
    if (r == 0) {
        load_at((int *)page);
        printf("not reached\n");
    }
    printf("unmapped: r=%d code=%d\n", r, fault_code);

    hits = 0;
    set(SIGILL, skip_handler);
    ILLEGAL();
    printf("after SIGILL: hits=%d\n", hits);
    set(SIGTRAP, skip_handler);
    BREAK();
    printf("after SIGTRAP: hits=%d code=%d\n", hits, fault_code);

    set(SIGSEGV, skip_handler);
    int v = 7;
    v = load_at(wild) + v;
    printf("skipped load: hits=%d\n", hits);

    signal(SIGSEGV, SIG_DFL);
    printf("now dying\n");
    *(volatile int *)0x20 = 1;
    return 0;
}
