/* a64_ldst: every A64 general-purpose and SIMD&FP scalar load/store addressing mode, through
 * inline asm: unsigned scaled offsets, unscaled (LDUR/STUR), unprivileged (LDTR/STTR),
 * pre- and post-index writeback, register offsets (LSL, UXTW, SXTW, SXTX), literals, pairs
 * (LDP/STP/LDPSW/LDNP/STNP), B/H/S/D/Q registers, unaligned addresses, SP as the base and
 * every PRFM form. One line per instruction: the loaded value, the base register's change
 * (writeback), and every buffer byte a store changed; SIMD&FP lines also show the whole
 * register afterwards (scalar loads zero the upper bits). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint8_t buf[1024] __attribute__((aligned(16)));
static uint8_t out[32] __attribute__((aligned(16)));
static const uint8_t vsrc[32] __attribute__((aligned(16))) = {
    0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70,
    0xf1, 0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x97, 0x88, 0x79, 0x6a, 0x5b, 0x4c, 0x3d, 0x2e, 0x1f, 0x00,
};

/* The base register points at buf + MID; offsets in the output are relative to it. */
#define MID 512

/* A misalignment added to the base register (printed when non-zero). */
static int skew;
#define SKEWED(n, test) do { skew = (n); test; skew = 0; } while (0)

static uint8_t pattern(int i)
{
    return (uint8_t)(i * 0x3b + 0x81);
}

static void reset(void)
{
    for (int i = 0; i < (int)sizeof buf; i++)
        buf[i] = pattern(i);
    memset(out, 0xee, sizeof out);
}

static void report2(const char *name, uint64_t r, const uint64_t *r2, long wb)
{
    if (skew)
        printf("skew %d: ", skew);
    printf("%-40s r=%016llx", name, (unsigned long long)r);
    if (r2)
        printf(" r2=%016llx", (unsigned long long)*r2);
    printf(" wb=%ld", wb);
    for (int i = 0; i < (int)sizeof buf; i++)
        if (buf[i] != pattern(i))
            printf(" [%d]=%02x", i - MID, buf[i]);
    putchar('\n');
}

static void report(const char *name, uint64_t r, long wb)
{
    report2(name, r, 0, wb);
}

static void report_v(const char *name, long wb)
{
    if (skew)
        printf("skew %d: ", skew);
    printf("%-40s q16=", name);
    for (int i = 15; i >= 0; i--)
        printf("%02x", out[i]);
    printf(" q17=");
    for (int i = 31; i >= 16; i--)
        printf("%02x", out[i]);
    printf(" wb=%ld", wb);
    for (int i = 0; i < (int)sizeof buf; i++)
        if (buf[i] != pattern(i))
            printf(" [%d]=%02x", i - MID, buf[i]);
    putchar('\n');
}

/* For the raw forms: the base's change, Rt, and each changed 8-byte word of the buffer
 * (a stored base address printed relative to buf + MID). */
static void report_raw(const char *name, uint64_t base, uint64_t t)
{
    uint64_t mid = (uint64_t)(buf + MID);
    printf("%-40s x9=%+lld x10=%016llx", name, (long long)(base - mid), (unsigned long long)t);
    for (int i = 0; i < (int)sizeof buf; i += 8) {
        uint64_t w, orig = 0;
        memcpy(&w, buf + i, 8);
        for (int k = 7; k >= 0; k--)
            orig = orig << 8 | pattern(i + k);
        if (w == orig)
            continue;
        if (w - (uint64_t)buf < sizeof buf)
            printf(" [%d]=buf%+lld", i - MID, (long long)(w - mid));
        else
            printf(" [%d]=%016llx", i - MID, (unsigned long long)w);
    }
    putchar('\n');
}

/* General-purpose: %0 is Rt (in/out, preset), %1 the base (buf + MID, written back),
 * %2 an index register, %3 a value to store. */
#define GP(tmpl, idx, val)                                                                 \
    do {                                                                                   \
        reset();                                                                           \
        uint8_t *p = buf + MID + skew;                                                            \
        uint64_t r = 0x5a5a5a5a5a5a5a5aULL;                                                \
        __asm__ volatile(tmpl : "+r"(r), "+r"(p) : "r"((uint64_t)(idx)), "r"((uint64_t)(val)) \
                         : "memory");                                                      \
        report(tmpl, r, p - (buf + MID + skew));                                                  \
    } while (0)

/* Pairs: %0 Rt, %1 Rt2 (both preset), %2 the base, %3/%4 values to store. Prints Rt and
 * Rt2. */
#define PAIR(tmpl, a, b)                                                                   \
    do {                                                                                   \
        reset();                                                                           \
        uint8_t *p = buf + MID + skew;                                                            \
        uint64_t r = 0x5a5a5a5a5a5a5a5aULL, r2 = 0xa5a5a5a5a5a5a5a5ULL;                    \
        __asm__ volatile(tmpl : "+r"(r), "+r"(r2), "+r"(p) : "r"((uint64_t)(a)), "r"((uint64_t)(b)) \
                         : "memory");                                                      \
        report2(tmpl, r, &r2, p - (buf + MID + skew));                                     \
    } while (0)

/* SIMD&FP: q16 and q17 are preset from vsrc, then the instruction runs (%0 the base, %1 an
 * index register), then both are stored to `out` and printed. */
#define V(tmpl, idx)                                                                       \
    do {                                                                                   \
        reset();                                                                           \
        uint8_t *p = buf + MID + skew;                                                            \
        __asm__ volatile("ldr q16, [%2]\n\tldr q17, [%2, #16]\n\t" tmpl                    \
                         "\n\tstr q16, [%3]\n\tstr q17, [%3, #16]"                         \
                         : "+r"(p) : "r"((uint64_t)(idx)), "r"(vsrc), "r"(out)             \
                         : "v16", "v17", "memory");                                        \
        report_v(tmpl, p - (buf + MID + skew));                                                   \
    } while (0)

/* Raw encodings (x9 = base buf + MID, x10 = Rt preset) for the CONSTRAINED UNPREDICTABLE
 * writeback-to-Rt forms the assembler refuses; prints x9 and x10. */
#define RAW(name, word)                                                                    \
    do {                                                                                   \
        reset();                                                                           \
        uint64_t b = (uint64_t)(buf + MID), t = 0x5a5a5a5a5a5a5a5aULL;                     \
        __asm__ volatile("mov x9, %0\n\tmov x10, %1\n\t.inst " #word "\n\tmov %0, x9\n\tmov %1, x10" \
                         : "+r"(b), "+r"(t) : : "x9", "x10", "memory");                    \
        report_raw(name, b, t);                                                            \
    } while (0)

static void literals(void)
{
    uint64_t x, w, sw, sx;
    reset();
    __asm__ volatile("b 2f\n\t.balign 8\n"
                     "1:\t.quad 0x8899aabbccddeeff\n"
                     "2:\tldr %0, 1b\n\t"
                     "ldr %w1, 1b\n\t"
                     "ldrsw %2, 3f\n\t"
                     "ldrsw %3, 1b\n\t"
                     "prfm pldl1keep, 1b\n\t"
                     "prfm pstl3strm, 3f\n\t"
                     "b 4f\n"
                     "3:\t.word 0x7edcba98\n"
                     "4:"
                     : "=r"(x), "=r"(w), "=r"(sw), "=r"(sx));
    printf("literal x=%016llx w=%016llx sw=%016llx sx=%016llx\n", (unsigned long long)x,
           (unsigned long long)w, (unsigned long long)sw, (unsigned long long)sx);

    __asm__ volatile("ldr q16, [%0]\n\tldr q17, [%0, #16]\n\t"
                     "ldr s16, 5f\n\t"
                     "ldr d17, 6f\n\t"
                     "b 7f\n\t.balign 16\n"
                     "5:\t.word 0xc0ffee11\n\t.word 0\n"
                     "6:\t.quad 0xfedcba9876543210\n"
                     "7:\tstr q16, [%1]\n\tstr q17, [%1, #16]"
                     : : "r"(vsrc), "r"(out) : "v16", "v17", "memory");
    report_v("literal s/d", 0);
    __asm__ volatile("b 9f\n\t.balign 16\n"
                     "8:\t.quad 0x0123456789abcdef\n\t.quad 0x1032547698badcfe\n"
                     "9:\tldr q16, 8b\n\tldr q17, 8b\n\t"
                     "str q16, [%0]\n\tstr q17, [%0, #16]"
                     : : "r"(out) : "v16", "v17", "memory");
    report_v("literal q", 0);
}

static void sp_base(void)
{
    uint64_t a = 0x1111222233334444ULL, b = 0x5555666677778888ULL, r1, r2, r3, moved;
    __asm__ volatile("mov x9, sp\n\t"
                     "sub sp, sp, #64\n\t"
                     "stp %4, %5, [sp, #16]\n\t"
                     "ldr %0, [sp, #24]\n\t"
                     "str %4, [sp, #-16]!\n\t"
                     "ldr %1, [sp], #16\n\t"
                     "ldrh %w2, [sp, #18]\n\t"
                     "add sp, sp, #64\n\t"
                     "mov x10, sp\n\t"
                     "sub %3, x10, x9"
                     : "=&r"(r1), "=&r"(r2), "=&r"(r3), "=&r"(moved)
                     : "r"(a), "r"(b)
                     : "x9", "x10", "memory");
    printf("sp base: %016llx %016llx %016llx sp moved %lld\n", (unsigned long long)r1,
           (unsigned long long)r2, (unsigned long long)r3, (long long)moved);
}

int main(void)
{
    /* Unsigned scaled offset. */
    GP("ldr %0, [%1]", 0, 0);
    GP("ldr %0, [%1, #8]", 0, 0);
    SKEWED(1, GP("ldr %0, [%1, #8]", 0, 0));
    SKEWED(3, GP("str %3, [%1, #16]!", 0, 0x0102030405060708ULL));
    SKEWED(-1, GP("ldr %w0, [%1], #4", 0, 0));
    SKEWED(-32760, GP("ldr %0, [%1, #32760]", 0, 0));
    SKEWED(-16380, GP("str %w3, [%1, #16380]", 0, 0xabcdef12));
    GP("ldr %w0, [%1, #4]", 0, 0);
    GP("ldrh %w0, [%1, #6]", 0, 0);
    GP("ldrb %w0, [%1, #7]", 0, 0);
    GP("ldrsb %0, [%1, #1]", 0, 0);
    GP("ldrsb %w0, [%1, #1]", 0, 0);
    GP("ldrsb %0, [%1, #2]", 0, 0);
    GP("ldrsh %0, [%1, #2]", 0, 0);
    GP("ldrsh %w0, [%1, #2]", 0, 0);
    GP("ldrsh %w0, [%1, #8]", 0, 0);
    GP("ldrsw %0, [%1, #4]", 0, 0);
    GP("ldrsw %0, [%1, #12]", 0, 0);
    GP("str %3, [%1, #8]", 0, 0x0102030405060708ULL);
    GP("str %w3, [%1, #4]", 0, 0x0102030405060708ULL);
    GP("strh %w3, [%1, #2]", 0, 0x0102030405060708ULL);
    GP("strb %w3, [%1, #1]", 0, 0x0102030405060708ULL);
    GP("str xzr, [%1, #16]", 0, 0);
    GP("strb wzr, [%1, #3]", 0, 0);
    GP("ldr xzr, [%1, #8]", 0, 0);

    /* Unscaled signed 9-bit offset, also unaligned. */
    GP("ldur %0, [%1, #-256]", 0, 0);
    GP("ldur %0, [%1, #255]", 0, 0);
    GP("ldur %0, [%1, #3]", 0, 0);
    GP("ldur %w0, [%1, #-3]", 0, 0);
    GP("ldurh %w0, [%1, #-1]", 0, 0);
    GP("ldurb %w0, [%1, #-1]", 0, 0);
    GP("ldursb %0, [%1, #-5]", 0, 0);
    GP("ldursb %w0, [%1, #-5]", 0, 0);
    GP("ldursh %0, [%1, #-7]", 0, 0);
    GP("ldursh %w0, [%1, #-7]", 0, 0);
    GP("ldursw %0, [%1, #-9]", 0, 0);
    GP("stur %3, [%1, #-3]", 0, 0x1122334455667788ULL);
    GP("stur %w3, [%1, #5]", 0, 0x1122334455667788ULL);
    GP("sturh %w3, [%1, #-1]", 0, 0x1122334455667788ULL);
    GP("sturb %w3, [%1, #-128]", 0, 0x1122334455667788ULL);
    GP("prfum pldl1keep, [%1, #-1]", 0, 0);
    GP("prfum pstl2strm, [%1, #3]", 0, 0);

    /* Unprivileged (normal accesses at EL0). */
    GP("ldtr %0, [%1, #-8]", 0, 0);
    GP("ldtr %w0, [%1, #1]", 0, 0);
    GP("ldtrh %w0, [%1, #3]", 0, 0);
    GP("ldtrb %w0, [%1, #5]", 0, 0);
    GP("ldtrsb %0, [%1, #6]", 0, 0);
    GP("ldtrsb %w0, [%1, #6]", 0, 0);
    GP("ldtrsh %0, [%1, #-2]", 0, 0);
    GP("ldtrsh %w0, [%1, #-2]", 0, 0);
    GP("ldtrsw %0, [%1, #-4]", 0, 0);
    GP("sttr %3, [%1, #7]", 0, 0x99aabbccddeeff00ULL);
    GP("sttr %w3, [%1, #-7]", 0, 0x99aabbccddeeff00ULL);
    GP("sttrh %w3, [%1, #9]", 0, 0x99aabbccddeeff00ULL);
    GP("sttrb %w3, [%1, #-9]", 0, 0x99aabbccddeeff00ULL);

    /* Pre- and post-index writeback. */
    GP("ldr %0, [%1, #16]!", 0, 0);
    GP("ldr %0, [%1, #-16]!", 0, 0);
    GP("ldr %0, [%1], #24", 0, 0);
    GP("ldr %0, [%1], #-255", 0, 0);
    GP("ldr %w0, [%1, #-3]!", 0, 0);
    GP("ldr %w0, [%1], #5", 0, 0);
    GP("ldrh %w0, [%1, #1]!", 0, 0);
    GP("ldrh %w0, [%1], #-2", 0, 0);
    GP("ldrb %w0, [%1, #255]!", 0, 0);
    GP("ldrb %w0, [%1], #-256", 0, 0);
    GP("ldrsb %0, [%1, #1]!", 0, 0);
    GP("ldrsb %w0, [%1], #1", 0, 0);
    GP("ldrsh %0, [%1, #-8]!", 0, 0);
    GP("ldrsh %w0, [%1], #8", 0, 0);
    GP("ldrsw %0, [%1, #12]!", 0, 0);
    GP("ldrsw %0, [%1], #-12", 0, 0);
    GP("str %3, [%1, #-8]!", 0, 0xfedcba9876543210ULL);
    GP("str %3, [%1], #8", 0, 0xfedcba9876543210ULL);
    GP("str %w3, [%1, #3]!", 0, 0xfedcba9876543210ULL);
    GP("str %w3, [%1], #-3", 0, 0xfedcba9876543210ULL);
    GP("strh %w3, [%1, #2]!", 0, 0xfedcba9876543210ULL);
    GP("strh %w3, [%1], #-1", 0, 0xfedcba9876543210ULL);
    GP("strb %w3, [%1, #-1]!", 0, 0xfedcba9876543210ULL);
    GP("strb %w3, [%1], #100", 0, 0xfedcba9876543210ULL);
    GP("ldr xzr, [%1, #8]!", 0, 0);

    /* Register offset. */
    GP("ldr %0, [%1, %2]", 3, 0);
    GP("ldr %0, [%1, %2, lsl #3]", 2, 0);
    GP("ldr %0, [%1, %2, lsl #3]", -3, 0);
    GP("ldr %0, [%1, %w2, uxtw]", 0xffffffff00000005ULL, 0);
    GP("ldr %0, [%1, %w2, uxtw #3]", 0xffffffff00000004ULL, 0);
    GP("ldr %0, [%1, %w2, sxtw]", 0x00000000fffffff1ULL, 0);
    GP("ldr %0, [%1, %w2, sxtw #3]", 0x12345678fffffffeULL, 0);
    GP("ldr %0, [%1, %2, sxtx]", -17, 0);
    GP("ldr %0, [%1, %2, sxtx #3]", -4, 0);
    GP("ldr %w0, [%1, %2, lsl #2]", 5, 0);
    GP("ldr %w0, [%1, %w2, sxtw #2]", 0xfffffffd, 0);
    GP("ldrh %w0, [%1, %2, lsl #1]", 3, 0);
    GP("ldrh %w0, [%1, %w2, uxtw]", 7, 0);
    GP("ldrb %w0, [%1, %2]", 9, 0);
    GP("ldrb %w0, [%1, %2, lsl #0]", 11, 0);
    GP("ldrb %w0, [%1, %w2, sxtw]", 0xfffffff0, 0);
    GP("ldrsb %0, [%1, %2]", 1, 0);
    GP("ldrsb %w0, [%1, %w2, uxtw #0]", 1, 0);
    GP("ldrsh %0, [%1, %2, lsl #1]", -1, 0);
    GP("ldrsh %w0, [%1, %2, sxtx #1]", -1, 0);
    GP("ldrsw %0, [%1, %2, lsl #2]", -3, 0);
    GP("ldrsw %0, [%1, %w2, sxtw]", 0xffffffff, 0);
    GP("str %3, [%1, %2, lsl #3]", -2, 0x0807060504030201ULL);
    GP("str %w3, [%1, %w2, uxtw #2]", 3, 0x0807060504030201ULL);
    GP("strh %w3, [%1, %w2, sxtw #1]", 0xfffffffb, 0x0807060504030201ULL);
    GP("strb %w3, [%1, %2]", 21, 0x0807060504030201ULL);
    GP("prfm pldl1keep, [%1, %2]", 8, 0);
    GP("prfm pstl1strm, [%1, %w2, sxtw #3]", 8, 0);
    GP("prfm pldl2keep, [%1, #64]", 0, 0);
    GP("prfm #31, [%1, #8]", 0, 0);

    /* Pairs. */
    PAIR("ldp %0, %1, [%2]", 0, 0);
    PAIR("ldp %0, %1, [%2, #-512]", 0, 0);
    SKEWED(-8, PAIR("ldp %0, %1, [%2, #504]", 0, 0));
    PAIR("ldp %0, %1, [%2, #16]!", 0, 0);
    PAIR("ldp %0, %1, [%2], #-32", 0, 0);
    PAIR("ldp %w0, %w1, [%2, #-4]", 0, 0);
    PAIR("ldp %w0, %w1, [%2, #252]!", 0, 0);
    PAIR("ldp %w0, %w1, [%2], #-256", 0, 0);
    PAIR("ldpsw %0, %1, [%2, #4]", 0, 0);
    PAIR("ldpsw %0, %1, [%2, #-8]!", 0, 0);
    PAIR("ldpsw %0, %1, [%2], #12", 0, 0);
    PAIR("ldnp %0, %1, [%2, #8]", 0, 0);
    PAIR("ldnp %w0, %w1, [%2, #-4]", 0, 0);
    SKEWED(3, PAIR("ldp %0, %1, [%2, #8]", 0, 0));
    SKEWED(-1, PAIR("ldp %w0, %w1, [%2], #4", 0, 0));
    PAIR("ldp xzr, %1, [%2]", 0, 0);
    PAIR("stp %3, %4, [%2, #8]", 0x1111111111111111ULL, 0x2222222222222222ULL);
    PAIR("stp %3, %4, [%2, #-16]!", 0x1111111111111111ULL, 0x2222222222222222ULL);
    PAIR("stp %3, %4, [%2], #16", 0x1111111111111111ULL, 0x2222222222222222ULL);
    PAIR("stp %w3, %w4, [%2, #-4]", 0x1111111133333333ULL, 0x2222222244444444ULL);
    PAIR("stp %w3, %w4, [%2, #8]!", 0x1111111133333333ULL, 0x2222222244444444ULL);
    PAIR("stp %w3, %w4, [%2], #-8", 0x1111111133333333ULL, 0x2222222244444444ULL);
    PAIR("stnp %3, %4, [%2, #-8]", 0x1111111111111111ULL, 0x2222222222222222ULL);
    PAIR("stnp %w3, %w4, [%2, #4]", 0x1111111133333333ULL, 0x2222222244444444ULL);
    SKEWED(1, PAIR("stp xzr, %4, [%2]", 0, 0x2222222222222222ULL));
    SKEWED(-5, PAIR("stp %w3, %w4, [%2, #-8]!", 0x1111111133333333ULL, 0x2222222244444444ULL));

    /* SIMD&FP single registers. */
    V("ldr b16, [%0, #1]", 0);
    V("ldr h16, [%0, #2]", 0);
    V("ldr s16, [%0, #4]", 0);
    V("ldr d16, [%0, #8]", 0);
    V("ldr q16, [%0, #16]", 0);
    SKEWED(-65520, V("ldr q16, [%0, #65520]", 0));
    SKEWED(-4094, V("str h17, [%0, #8190]", 0));
    V("ldur b16, [%0, #-1]", 0);
    V("ldur h16, [%0, #-3]", 0);
    V("ldur s16, [%0, #5]", 0);
    V("ldur d16, [%0, #-7]", 0);
    V("ldur q16, [%0, #-9]", 0);
    V("ldr b16, [%0, #1]!", 0);
    V("ldr h17, [%0], #-2", 0);
    V("ldr s16, [%0, #-4]!", 0);
    V("ldr d17, [%0], #8", 0);
    V("ldr q16, [%0, #-16]!", 0);
    V("ldr q17, [%0], #17", 0);
    V("ldr b16, [%0, %1]", 3);
    V("ldr h16, [%0, %1, lsl #1]", 3);
    V("ldr s16, [%0, %w1, sxtw #2]", 0xfffffffe);
    V("ldr d16, [%0, %w1, uxtw #3]", 2);
    V("ldr q16, [%0, %1, lsl #4]", -1);
    V("ldr q17, [%0, %1, sxtx]", -3);
    V("str b16, [%0, #5]", 0);
    V("str h16, [%0, #6]", 0);
    V("str s17, [%0, #-4]", 0);
    V("str d17, [%0, #8]", 0);
    V("str q16, [%0, #16]", 0);
    V("stur q17, [%0, #-5]", 0);
    V("stur h16, [%0, #3]", 0);
    V("str d16, [%0, #-8]!", 0);
    V("str q17, [%0], #32", 0);
    V("str s16, [%0, %1, lsl #2]", 7);
    V("str q16, [%0, %w1, sxtw #4]", 0xffffffff);
    V("str b17, [%0, %1]", 13);

    /* SIMD&FP pairs. */
    V("ldp s16, s17, [%0, #4]", 0);
    V("ldp d16, d17, [%0, #-16]", 0);
    V("ldp q16, q17, [%0, #32]", 0);
    V("ldp q16, q17, [%0, #-64]!", 0);
    V("ldp d16, d17, [%0], #24", 0);
    V("ldp s16, s17, [%0, #-8]!", 0);
    SKEWED(3, V("ldp q16, q17, [%0, #-32]", 0));
    SKEWED(7, V("ldr q16, [%0, #16]!", 0));
    SKEWED(-3, V("ldr d16, [%0, #8]", 0));
    V("ldnp q16, q17, [%0, #-32]", 0);
    V("ldnp d16, d17, [%0, #8]", 0);
    V("ldnp s16, s17, [%0, #-4]", 0);
    V("stp s16, s17, [%0, #4]", 0);
    V("stp d16, d17, [%0, #-16]!", 0);
    V("stp q16, q17, [%0], #-32", 0);
    SKEWED(-1, V("stp q17, q16, [%0]", 0));
    SKEWED(5, V("str q16, [%0, #16]", 0));
    SKEWED(2, V("str s17, [%0], #-4", 0));
    V("stnp q16, q17, [%0, #32]", 0);
    V("stnp d17, d16, [%0, #-8]", 0);
    V("stnp s16, s17, [%0, #12]", 0);

    literals();
    sp_base();

    /* Writeback into the transfer register (CONSTRAINED UNPREDICTABLE; QEMU's choice: a load
     * leaves the written-back address, a store stores the old base). */
    RAW("ldr x9, [x9, #8]!", 0xf8408d29);
    RAW("ldr x9, [x9], #8", 0xf8408529);
    RAW("str x9, [x9, #-8]!", 0xf81f8d29);
    RAW("str x9, [x9], #16", 0xf8010529);
    RAW("ldp x9, x10, [x9, #16]!", 0xa9c12929);
    RAW("ldp x10, x9, [x9], #16", 0xa8c1252a);
    RAW("ldp x10, x10, [x9]", 0xa940292a);
    RAW("stp x9, x10, [x9, #-16]!", 0xa9bf2929);
    return 0;
}
