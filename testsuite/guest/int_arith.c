/* int_arith: integer arithmetic, wrap-around, division edge cases and 128-bit integers
 * (multiplication, division, shifts, printing through our own routine). */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

/* Keep the compiler from folding constants: values pass through memory it cannot see into. */
static volatile int64_t sink_i64[16];
static int64_t opaque_i64(int64_t v) { sink_i64[0] = v; return sink_i64[0]; }
static uint64_t opaque_u64(uint64_t v) { sink_i64[1] = (int64_t)v; return (uint64_t)sink_i64[1]; }
static int32_t opaque_i32(int32_t v) { sink_i64[2] = v; return (int32_t)sink_i64[2]; }

static void print_u128(u128 v)
{
    char buf[48];
    int n = 0;
    do {
        buf[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0);
    while (n > 0)
        putchar(buf[--n]);
}

static void print_i128(i128 v)
{
    if (v < 0) {
        putchar('-');
        print_u128((u128)0 - (u128)v);
    } else {
        print_u128((u128)v);
    }
}

static void print_hex128(u128 v)
{
    printf("0x%016llx%016llx", (unsigned long long)(v >> 64), (unsigned long long)v);
}

static void test_div64(void)
{
    static const int64_t nums[] = { 0, 1, -1, 7, -7, 100, -100, INT64_MAX, INT64_MIN, 123456789012345LL };
    static const int64_t dens[] = { 1, -1, 2, -2, 3, -3, 7, 10, INT64_MAX, INT64_MIN };
    puts("div64 signed:");
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        for (size_t j = 0; j < sizeof dens / sizeof dens[0]; j++) {
            int64_t a = opaque_i64(nums[i]), b = opaque_i64(dens[j]);
            if (a == INT64_MIN && b == -1)
                continue; /* undefined in C; tested through asm below */
            printf(" %lld/%lld=%lld r%lld\n", (long long)a, (long long)b, (long long)(a / b),
                   (long long)(a % b));
        }
    puts("div64 unsigned:");
    static const uint64_t un[] = { 0, 1, 5, 0xffffffffffffffffULL, 0x8000000000000000ULL, 1000000007ULL };
    static const uint64_t ud[] = { 1, 2, 3, 0xffffffffffffffffULL, 0x8000000000000000ULL, 65536 };
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < 6; j++) {
            uint64_t a = opaque_u64(un[i]), b = opaque_u64(ud[j]);
            printf(" %llu/%llu=%llu r%llu\n", (unsigned long long)a, (unsigned long long)b,
                   (unsigned long long)(a / b), (unsigned long long)(a % b));
        }
}

#if defined(__riscv)
/* RISC-V defines division by zero and overflow; exercise the instructions directly. */
static void test_div_arch_edges(void)
{
    int64_t zero = opaque_i64(0), minus1 = opaque_i64(-1), mn = opaque_i64(INT64_MIN), x = opaque_i64(42);
    int64_t q, r;
    uint64_t uq, ur;
    __asm__ volatile("div %0, %1, %2" : "=r"(q) : "r"(x), "r"(zero));
    __asm__ volatile("rem %0, %1, %2" : "=r"(r) : "r"(x), "r"(zero));
    printf("42 div 0 = %lld, rem = %lld\n", (long long)q, (long long)r);
    __asm__ volatile("divu %0, %1, %2" : "=r"(uq) : "r"(x), "r"(zero));
    __asm__ volatile("remu %0, %1, %2" : "=r"(ur) : "r"(x), "r"(zero));
    printf("42 divu 0 = %llu, remu = %llu\n", (unsigned long long)uq, (unsigned long long)ur);
    __asm__ volatile("div %0, %1, %2" : "=r"(q) : "r"(mn), "r"(minus1));
    __asm__ volatile("rem %0, %1, %2" : "=r"(r) : "r"(mn), "r"(minus1));
    printf("MIN div -1 = %lld, rem = %lld\n", (long long)q, (long long)r);
    int64_t w;
    int32_t mn32 = opaque_i32(INT32_MIN), m1_32 = opaque_i32(-1), z32 = opaque_i32(0);
    __asm__ volatile("divw %0, %1, %2" : "=r"(w) : "r"(mn32), "r"(m1_32));
    printf("divw MIN32/-1 = %lld\n", (long long)w);
    __asm__ volatile("remw %0, %1, %2" : "=r"(w) : "r"(mn32), "r"(m1_32));
    printf("remw MIN32%%-1 = %lld\n", (long long)w);
    __asm__ volatile("divw %0, %1, %2" : "=r"(w) : "r"(mn32), "r"(z32));
    printf("divw MIN32/0 = %lld\n", (long long)w);
    __asm__ volatile("divuw %0, %1, %2" : "=r"(w) : "r"(mn32), "r"(z32));
    printf("divuw MIN32/0 = %lld\n", (long long)w);
    __asm__ volatile("remuw %0, %1, %2" : "=r"(w) : "r"(mn32), "r"(z32));
    printf("remuw MIN32/0 = %lld\n", (long long)w);
}
#elif defined(__aarch64__)
/* AArch64 defines division by zero (0) and overflow; exercise the instructions directly. */
static void test_div_arch_edges(void)
{
    int64_t zero = opaque_i64(0), minus1 = opaque_i64(-1), mn = opaque_i64(INT64_MIN), x = opaque_i64(42);
    int64_t q;
    uint64_t uq;
    __asm__ volatile("sdiv %0, %1, %2" : "=r"(q) : "r"(x), "r"(zero));
    printf("42 sdiv 0 = %lld\n", (long long)q);
    __asm__ volatile("udiv %0, %1, %2" : "=r"(uq) : "r"(x), "r"(zero));
    printf("42 udiv 0 = %llu\n", (unsigned long long)uq);
    __asm__ volatile("sdiv %0, %1, %2" : "=r"(q) : "r"(mn), "r"(minus1));
    printf("MIN sdiv -1 = %lld\n", (long long)q);
    uint64_t w;
    int32_t mn32 = opaque_i32(INT32_MIN), m1_32 = opaque_i32(-1), z32 = opaque_i32(0);
    /* W-register results zero the upper half: start from all ones to see it. */
    w = opaque_u64(~0ULL);
    __asm__ volatile("sdiv %w0, %w1, %w2" : "+r"(w) : "r"(mn32), "r"(m1_32));
    printf("sdiv w MIN32/-1 = %016llx\n", (unsigned long long)w);
    w = opaque_u64(~0ULL);
    __asm__ volatile("sdiv %w0, %w1, %w2" : "+r"(w) : "r"(mn32), "r"(z32));
    printf("sdiv w MIN32/0 = %016llx\n", (unsigned long long)w);
    w = opaque_u64(~0ULL);
    __asm__ volatile("udiv %w0, %w1, %w2" : "+r"(w) : "r"(mn32), "r"(z32));
    printf("udiv w MIN32/0 = %016llx\n", (unsigned long long)w);
    w = opaque_u64(~0ULL);
    __asm__ volatile("udiv %w0, %w1, %w2" : "+r"(w) : "r"(mn32), "r"(m1_32));
    printf("udiv w MIN32/-1u = %016llx\n", (unsigned long long)w);
}
#elif defined(__x86_64__)
/* x86 divides RDX:RAX (a 128-bit dividend; SIZE is the operand modifier: q, k or w) and traps (#DE, SIGFPE with FPE_INTDIV) on division
 * by zero and on a quotient that does not fit; the handler jumps back with si_code. */
#include <setjmp.h>
#include <signal.h>
static sigjmp_buf de_env;
static void on_fpe(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    siglongjmp(de_env, si->si_code);
}
#define TRY_DIV(label, insn, size, hi, lo, d)                                                       \
    do {                                                                                       \
        uint64_t q_ = (lo), r_ = (hi), d_ = (d);                                               \
        int code_ = sigsetjmp(de_env, 1);                                                     \
        if (code_ == 0) {                                                                      \
            __asm__ volatile(insn " %" size "2" : "+a"(q_), "+d"(r_) : "r"(d_) : "cc");                \
            printf(label " = %llx r %llx\n", (unsigned long long)q_, (unsigned long long)r_); \
        } else {                                                                               \
            printf(label ": SIGFPE code %d\n", code_);                                        \
        }                                                                                      \
    } while (0)
static void test_div_arch_edges(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    uint64_t zero = opaque_u64(0), big = opaque_u64(0x10000000000ULL);
    TRY_DIV("128/64 divq", "divq", "q", opaque_u64(5), opaque_u64(0x123456789abcdef0ULL), big);
    TRY_DIV("128/64 idivq", "idivq", "q", opaque_u64(~0ULL), opaque_u64(-123456789012345LL), opaque_u64(-7));
    TRY_DIV("42 divq 0", "divq", "q", zero, opaque_u64(42), zero);
    TRY_DIV("divq overflow", "divq", "q", big, opaque_u64(0), big);
    TRY_DIV("MIN idivq -1", "idivq", "q", opaque_u64(~0ULL), opaque_u64(INT64_MIN), opaque_u64(-1));
    TRY_DIV("divl", "divl", "k", opaque_u64(3), opaque_u64(0xffffffffULL), opaque_u64(7));
    TRY_DIV("MIN32 idivl -1", "idivl", "k", opaque_u64(0xffffffffULL), opaque_u64(0x80000000ULL), opaque_u64(~0ULL));
    TRY_DIV("divw", "divw", "w", opaque_u64(0x12), opaque_u64(0x3456), opaque_u64(0x100));
    uint64_t ax = opaque_u64(0xfff0000000001234ULL);
    __asm__ volatile("divb %b1" : "+a"(ax) : "q"(opaque_u64(0x35)) : "cc");
    printf("divb: ax=%llx\n", (unsigned long long)ax);
    signal(SIGFPE, SIG_DFL);
}
#endif

static void test_wrap(void)
{
    uint64_t u = opaque_u64(0xffffffffffffffffULL);
    printf("u64 max+1 = %llu\n", (unsigned long long)(u + 1));
    uint32_t u32 = (uint32_t)opaque_u64(0xffffffffu);
    printf("u32 max+1 = %u, *3 = %u\n", u32 + 1, u32 * 3u);
    int32_t s32 = opaque_i32(INT32_MAX);
    printf("i32 max wrap (via unsigned) = %d\n", (int32_t)((uint32_t)s32 + 1u));
    int64_t a = opaque_i64(INT64_MAX), res;
    printf("add overflow: %d", __builtin_add_overflow(a, 1, &res));
    printf(" -> %lld\n", (long long)res);
    printf("mul overflow: %d", __builtin_mul_overflow(a, 2, &res));
    printf(" -> %lld\n", (long long)res);
    printf("sub overflow: %d", __builtin_sub_overflow(opaque_i64(INT64_MIN), 1, &res));
    printf(" -> %lld\n", (long long)res);
    int32_t r32;
    printf("add32 overflow: %d", __builtin_add_overflow(s32, 1, &r32));
    printf(" -> %d\n", r32);
    /* sign and zero extension */
    int8_t b = (int8_t)opaque_i64(0x80);
    int16_t h = (int16_t)opaque_i64(0x8001);
    uint8_t ub = (uint8_t)opaque_i64(0x1ff);
    printf("sext8=%d sext16=%d zext8=%u\n", b, h, ub);
    printf("neg min = %lld\n", (long long)(int64_t)(0 - (uint64_t)opaque_i64(INT64_MIN)));
    int64_t sh = opaque_i64(-12345);
    printf("asr: %lld %lld %lld\n", (long long)(sh >> 1), (long long)(sh >> 13), (long long)(sh >> 63));
    printf("lsr: %llu\n", (unsigned long long)((uint64_t)sh >> 7));
    int32_t sw = opaque_i32(-98765);
    printf("asr32: %d lsr32: %u sll32: %d\n", sw >> 5, (uint32_t)sw >> 5, (int32_t)((uint32_t)sw << 9));
}

static void test_mulh(void)
{
    static const int64_t vals[] = { 0, 1, -1, 3, INT64_MAX, INT64_MIN, 0x123456789abcdefLL, -0x7edcba9876543210LL };
    puts("mulh:");
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            int64_t a = opaque_i64(vals[i]), b = opaque_i64(vals[j]);
            i128 p = (i128)a * b;
            u128 up = (u128)(uint64_t)a * (uint64_t)b;
            i128 su = (i128)a * (i128)(u128)(uint64_t)b;
            printf(" %d,%d: %016llx %016llx %016llx %016llx\n", i, j,
                   (unsigned long long)(p >> 64), (unsigned long long)p,
                   (unsigned long long)(up >> 64), (unsigned long long)(su >> 64));
        }
}

static void test_u128(void)
{
    u128 f = 1;
    puts("factorials:");
    for (unsigned i = 1; i <= 34; i++) {
        f *= i;
        printf(" %u! = ", i);
        print_u128(f);
        putchar('\n');
    }
    u128 big = ((u128)opaque_u64(0xfedcba9876543210ULL) << 64) | opaque_u64(0x0123456789abcdefULL);
    u128 d = (u128)opaque_u64(1000000007ULL);
    printf("big = ");
    print_u128(big);
    printf("\nbig / 1000000007 = ");
    print_u128(big / d);
    printf("\nbig %% 1000000007 = ");
    print_u128(big % d);
    u128 d2 = ((u128)opaque_u64(3) << 64) | opaque_u64(7);
    printf("\nbig / (3<<64|7) = ");
    print_u128(big / d2);
    printf("\nbig %% (3<<64|7) = ");
    print_u128(big % d2);
    putchar('\n');
    for (int s = 0; s < 128; s += 13) {
        printf(" big<<%d = ", s);
        print_hex128(big << s);
        printf(" big>>%d = ", s);
        print_hex128(big >> s);
        printf(" sar = ");
        print_hex128((u128)((i128)big >> s));
        putchar('\n');
    }
    i128 neg = -(i128)big / 3;
    printf("signed: ");
    print_i128(neg);
    printf(" / -77 = ");
    print_i128(neg / -77);
    printf(" r ");
    print_i128(neg % -77);
    putchar('\n');
}

static void test_misc(void)
{
    /* A simple LCG checksum mixes adds, muls, shifts and xors. */
    uint64_t x = opaque_u64(88172645463325252ULL), acc = 0;
    for (int i = 0; i < 1000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x * 0x9e3779b97f4a7c15ULL;
        acc ^= acc >> 29;
    }
    printf("xorshift acc = %016llx\n", (unsigned long long)acc);
    uint32_t h = 2166136261u;
    const char *s = "The quick brown fox jumps over the lazy dog";
    for (size_t i = 0; i < strlen(s); i++) {
        h ^= (uint8_t)s[i];
        h *= 16777619u;
    }
    printf("fnv1a32 = %08x\n", h);
    int64_t m = 0;
    for (int64_t i = -50; i <= 50; i++)
        m += (i * i * i) % 17 - (i / 7) * (i % 5);
    printf("mixed = %lld\n", (long long)m);
    printf("abs: %d %ld %lld\n", __builtin_abs(opaque_i32(-5)), __builtin_labs(opaque_i64(-6)),
           __builtin_llabs(opaque_i64(-7)));
}

int main(void)
{
    test_div64();
    test_div_arch_edges();
    test_wrap();
    test_mulh();
    test_u128();
    test_misc();
    return 0;
}
