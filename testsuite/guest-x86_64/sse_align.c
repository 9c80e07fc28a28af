/* Alignment of legacy-SSE 16-byte memory operands: MOVDQA/MOVAPS/MOVAPD, the non-temporal
 * moves and the arithmetic/logic forms with a 128-bit memory source raise #GP on an address
 * that is not 16-byte aligned, which Linux delivers as SIGSEGV with si_code SI_KERNEL and
 * si_addr 0 (RIP at the instruction); the unaligned moves (MOVDQU/MOVUPS/LDDQU), scalar and
 * 64-bit memory forms, PCMPxSTRx and MMX operands do not fault. Each instruction runs on a
 * buffer at offsets 0, 1, 8 and 12 from a 16-byte boundary. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile uintptr_t expected_rip;
static unsigned char buf[64] __attribute__((aligned(16)));

static void handler(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    printf(" sig %d code %d addr %lx rip %s trapno %lld err %lld\n", sig, si->si_code,
           (unsigned long)(uintptr_t)si->si_addr,
           (uintptr_t)g[REG_RIP] == expected_rip ? "at insn" : "elsewhere",
           (long long)g[REG_TRAPNO], (long long)g[REG_ERR]);
    siglongjmp(env, 1);
}

/* The instruction's text without the asm template's doubled '%'. */
static void show(const char *insn, int offset) {
    int n = 0;
    for (const char *c = insn; *c; c++)
        if (*c != '%')
            n += printf("%c", *c);
    printf("%*s +%-2d", 28 - n, "", offset);
}

/* Run `insn` (AT&T syntax; its memory operand is (%rdx)) at each offset. */
#define TRY(insn)                                                                           \
    do {                                                                                    \
        static const int offsets[] = {0, 1, 8, 12};                                         \
        for (int k = 0; k < 4; k++) {                                                       \
            unsigned char *p = buf + 16 + offsets[k];                                       \
            for (int i = 0; i < 64; i++)                                                    \
                buf[i] = (unsigned char)(i * 7 + 3);                                        \
            show(insn, offsets[k]);                                                         \
            if (sigsetjmp(env, 1) == 0) {                                                   \
                uint64_t out[2];                                                            \
                __asm__ volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n\t"                \
                                 "movdqu (%2), %%xmm0\n\tmovdqu 16(%2), %%xmm1\n"           \
                                 "1:\t" insn "\n\tmovdqu %%xmm0, %1\n\temms"                \
                                 : "=m"(expected_rip), "=m"(out)                            \
                                 : "d"(p)                                                   \
                                 : "rax", "xmm0", "xmm1", "mm0", "memory");                 \
                unsigned sum = 0;                                                           \
                for (int i = 0; i < 64; i++)                                                \
                    sum = sum * 31 + buf[i];                                                \
                printf(" ok %016llx %016llx mem %08x\n", (unsigned long long)out[0],       \
                       (unsigned long long)out[1], sum);                                    \
            }                                                                               \
        }                                                                                   \
    } while (0)

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    setvbuf(stdout, NULL, _IONBF, 0);

    /* Alignment required. */
    TRY("movdqa (%%rdx), %%xmm0");
    TRY("movdqa %%xmm1, (%%rdx)");
    TRY("movaps (%%rdx), %%xmm0");
    TRY("movaps %%xmm1, (%%rdx)");
    TRY("movapd (%%rdx), %%xmm0");
    TRY("movapd %%xmm1, (%%rdx)");
    TRY("movntdq %%xmm1, (%%rdx)");
    TRY("movntps %%xmm1, (%%rdx)");
    TRY("movntpd %%xmm1, (%%rdx)");
    TRY("movntdqa (%%rdx), %%xmm0");
    TRY("paddd (%%rdx), %%xmm0");
    TRY("addps (%%rdx), %%xmm0");
    TRY("pxor (%%rdx), %%xmm0");
    TRY("andpd (%%rdx), %%xmm0");
    TRY("punpcklbw (%%rdx), %%xmm0");
    TRY("pshufd $0x1b, (%%rdx), %%xmm0");
    TRY("pshufb (%%rdx), %%xmm0");
    TRY("pmulld (%%rdx), %%xmm0");
    TRY("ptest (%%rdx), %%xmm0");
    TRY("cvtdq2ps (%%rdx), %%xmm0");
    TRY("cvtpd2pi (%%rdx), %%mm0");
    /* No alignment required. */
    TRY("movdqu (%%rdx), %%xmm0");
    TRY("movups %%xmm1, (%%rdx)");
    TRY("lddqu (%%rdx), %%xmm0");
    TRY("addss (%%rdx), %%xmm0");
    TRY("addsd (%%rdx), %%xmm0");
    TRY("movq (%%rdx), %%xmm0");
    TRY("movhps (%%rdx), %%xmm0");
    TRY("cvtps2pd (%%rdx), %%xmm0");
    TRY("pmovzxbw (%%rdx), %%xmm0");
    TRY("pcmpistrm $0x40, (%%rdx), %%xmm0");
    TRY("paddb (%%rdx), %%mm0");
    TRY("cvtpi2ps (%%rdx), %%xmm0");
    TRY("cvtps2pi (%%rdx), %%mm0");
    return 0;
}
