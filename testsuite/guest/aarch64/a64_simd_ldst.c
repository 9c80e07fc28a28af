/* Advanced SIMD structure loads and stores: LD1-LD4/ST1-ST4 (multiple structures, every
 * register count), single-structure lanes, LD1R-LD4R, post-index writeback (immediate and
 * register) and SP as the base. Prints the loaded registers, the stored bytes and the
 * written-back base offset. Compare with qemu-aarch64. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static unsigned char src[256] __attribute__((aligned(16)));
static unsigned char dst[256] __attribute__((aligned(16)));
static uint64_t regs[8][2];

static void init(void)
{
    for (int i = 0; i < 256; i++) {
        src[i] = (unsigned char)(i * 7 + 3);
        dst[i] = 0xee;
    }
}

static void show_regs(const char *name, long adv, int nregs)
{
    printf("%-36s adv=%ld", name, adv);
    for (int r = 0; r < nregs; r++)
        printf(" %016llx%016llx", (unsigned long long)regs[r][1], (unsigned long long)regs[r][0]);
    printf("\n");
}

static void show_dst(const char *name, long adv)
{
    printf("%-36s adv=%ld ", name, adv);
    for (int i = 0; i < 80; i++)
        printf("%02x", dst[i]);
    printf("\n");
}

/* Fill v0-v7 with a known pattern (from `regs`-shaped source data). */
#define PRELOAD "ldp q0, q1, [%[pre]]\n\tldp q2, q3, [%[pre], #32]\n\t" \
                "ldp q4, q5, [%[pre], #64]\n\tldp q6, q7, [%[pre], #96]\n\t"
#define DUMP "stp q0, q1, [%[out]]\n\tstp q2, q3, [%[out], #32]\n\t" \
             "stp q4, q5, [%[out], #64]\n\tstp q6, q7, [%[out], #96]\n\t"
#define CLOB "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "x9", "x10", "memory"

static const unsigned char pre[128] = {
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
    0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
    0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
};

/* A load: base x9 = src + 16, x10 = 48 (register post-index), prints v0-v7 and the advance. */
#define LD(s)                                                                              \
    do {                                                                                   \
        long adv;                                                                          \
        init();                                                                            \
        asm volatile(PRELOAD "add x9, %[src], #16\n\tmov x10, #48\n\t" s "\n\t" DUMP       \
                     "sub %[adv], x9, %[src]"                                              \
                     : [adv] "=&r"(adv)                                                    \
                     : [src] "r"(src), [pre] "r"(pre), [out] "r"(regs)                     \
                     : CLOB);                                                              \
        show_regs(s, adv - 16, 8);                                                         \
    } while (0)

/* A store: v0-v7 preloaded, base x9 = dst + 8; prints the first 80 bytes of dst. */
#define ST(s)                                                                              \
    do {                                                                                   \
        long adv;                                                                          \
        init();                                                                            \
        asm volatile(PRELOAD "add x9, %[dst], #8\n\tmov x10, #-8\n\t" s "\n\t"             \
                     "sub %[adv], x9, %[dst]"                                              \
                     : [adv] "=&r"(adv)                                                    \
                     : [dst] "r"(dst), [pre] "r"(pre)                                      \
                     : CLOB);                                                              \
        show_dst(s, adv - 8);                                                              \
    } while (0)

int main(void)
{
    LD("ld1 {v0.16b}, [x9]");
    LD("ld1 {v0.8b}, [x9], #8");
    LD("ld1 {v1.4h, v2.4h}, [x9], #16");
    LD("ld1 {v1.2d, v2.2d}, [x9], x10");
    LD("ld1 {v3.4s, v4.4s, v5.4s}, [x9], #48");
    LD("ld1 {v0.8b, v1.8b, v2.8b}, [x9]");
    LD("ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x9], #64");
    LD("ld1 {v0.1d, v1.1d, v2.1d, v3.1d}, [x9], x10");
    LD("ld2 {v0.16b, v1.16b}, [x9], #32");
    LD("ld2 {v2.8b, v3.8b}, [x9]");
    LD("ld2 {v6.8h, v7.8h}, [x9], x10");
    LD("ld2 {v0.2s, v1.2s}, [x9], #16");
    LD("ld2 {v0.2d, v1.2d}, [x9]");
    LD("ld3 {v0.16b, v1.16b, v2.16b}, [x9], #48");
    LD("ld3 {v3.4h, v4.4h, v5.4h}, [x9], #24");
    LD("ld3 {v5.4s, v6.4s, v7.4s}, [x9], x10");
    LD("ld3 {v1.2d, v2.2d, v3.2d}, [x9]");
    LD("ld4 {v0.16b, v1.16b, v2.16b, v3.16b}, [x9], #64");
    LD("ld4 {v4.8b, v5.8b, v6.8b, v7.8b}, [x9], #32");
    LD("ld4 {v0.8h, v1.8h, v2.8h, v3.8h}, [x9]");
    LD("ld4 {v2.2s, v3.2s, v4.2s, v5.2s}, [x9], x10");
    LD("ld4 {v0.2d, v1.2d, v2.2d, v3.2d}, [x9], #64");
    LD("ld4 {v3.16b, v4.16b, v5.16b, v6.16b}, [x9]");
    LD("ld1 {v0.b}[0], [x9]");
    LD("ld1 {v1.b}[15], [x9], #1");
    LD("ld1 {v2.h}[5], [x9], x10");
    LD("ld1 {v3.s}[3], [x9], #4");
    LD("ld1 {v4.d}[1], [x9], #8");
    LD("ld2 {v0.b, v1.b}[9], [x9], #2");
    LD("ld2 {v2.h, v3.h}[2], [x9]");
    LD("ld2 {v4.s, v5.s}[1], [x9], #8");
    LD("ld2 {v6.d, v7.d}[0], [x9], #16");
    LD("ld3 {v0.b, v1.b, v2.b}[7], [x9], #3");
    LD("ld3 {v1.h, v2.h, v3.h}[7], [x9], #6");
    LD("ld3 {v4.s, v5.s, v6.s}[2], [x9], x10");
    LD("ld3 {v5.d, v6.d, v7.d}[1], [x9], #24");
    LD("ld4 {v0.b, v1.b, v2.b, v3.b}[13], [x9], #4");
    LD("ld4 {v4.h, v5.h, v6.h, v7.h}[3], [x9], #8");
    LD("ld4 {v0.s, v1.s, v2.s, v3.s}[0], [x9], #16");
    LD("ld4 {v3.d, v4.d, v5.d, v6.d}[1], [x9], #32");
    LD("ld1r {v0.16b}, [x9]");
    LD("ld1r {v1.8b}, [x9], #1");
    LD("ld1r {v2.4h}, [x9], x10");
    LD("ld1r {v3.8h}, [x9], #2");
    LD("ld1r {v4.2s}, [x9], #4");
    LD("ld1r {v5.4s}, [x9]");
    LD("ld1r {v6.1d}, [x9], #8");
    LD("ld1r {v7.2d}, [x9], #8");
    LD("ld2r {v0.16b, v1.16b}, [x9], #2");
    LD("ld2r {v2.4h, v3.4h}, [x9], #4");
    LD("ld3r {v0.4s, v1.4s, v2.4s}, [x9], #12");
    LD("ld3r {v4.2d, v5.2d, v6.2d}, [x9], x10");
    LD("ld4r {v0.8b, v1.8b, v2.8b, v3.8b}, [x9], #4");
    LD("ld4r {v4.8h, v5.8h, v6.8h, v7.8h}, [x9], #8");
    LD("ld4r {v0.1d, v1.1d, v2.1d, v3.1d}, [x9]");

    ST("st1 {v0.16b}, [x9]");
    ST("st1 {v1.8b}, [x9], #8");
    ST("st1 {v2.4h, v3.4h}, [x9], x10");
    ST("st1 {v0.4s, v1.4s, v2.4s}, [x9], #48");
    ST("st1 {v4.2d, v5.2d, v6.2d, v7.2d}, [x9], #64");
    ST("st1 {v0.1d, v1.1d, v2.1d, v3.1d}, [x9]");
    ST("st2 {v0.16b, v1.16b}, [x9], #32");
    ST("st2 {v2.4h, v3.4h}, [x9]");
    ST("st2 {v0.4s, v1.4s}, [x9], x10");
    ST("st2 {v6.2d, v7.2d}, [x9], #32");
    ST("st3 {v0.8b, v1.8b, v2.8b}, [x9], #24");
    ST("st3 {v1.8h, v2.8h, v3.8h}, [x9]");
    ST("st3 {v4.2s, v5.2s, v6.2s}, [x9], #24");
    ST("st3 {v0.2d, v1.2d, v2.2d}, [x9], x10");
    ST("st4 {v0.16b, v1.16b, v2.16b, v3.16b}, [x9], #64");
    ST("st4 {v4.4h, v5.4h, v6.4h, v7.4h}, [x9]");
    ST("st4 {v1.4s, v2.4s, v3.4s, v4.4s}, [x9], #64");
    ST("st4 {v3.2d, v4.2d, v5.2d, v6.2d}, [x9]");
    ST("st1 {v0.b}[3], [x9], #1");
    ST("st1 {v1.h}[7], [x9]");
    ST("st1 {v2.s}[2], [x9], x10");
    ST("st1 {v3.d}[1], [x9], #8");
    ST("st2 {v0.b, v1.b}[15], [x9], #2");
    ST("st2 {v2.h, v3.h}[1], [x9]");
    ST("st2 {v4.s, v5.s}[3], [x9], #8");
    ST("st2 {v6.d, v7.d}[0], [x9], #16");
    ST("st3 {v0.b, v1.b, v2.b}[4], [x9], #3");
    ST("st3 {v5.h, v6.h, v7.h}[6], [x9], x10");
    ST("st3 {v1.s, v2.s, v3.s}[1], [x9], #12");
    ST("st3 {v2.d, v3.d, v4.d}[1], [x9]");
    ST("st4 {v0.b, v1.b, v2.b, v3.b}[11], [x9], #4");
    ST("st4 {v4.h, v5.h, v6.h, v7.h}[0], [x9], #8");
    ST("st4 {v0.s, v1.s, v2.s, v3.s}[2], [x9], #16");
    ST("st4 {v0.d, v1.d, v2.d, v3.d}[0], [x9], #32");

    /* SP as the base register. */
    {
        uint64_t out[4] = {0, 0, 0, 0};
        asm volatile("mov x10, sp\n\t"
                     "sub sp, sp, #64\n\t"
                     "movi v0.16b, #0x3c\n\tmovi v1.16b, #0xc3\n\t"
                     "st1 {v0.16b, v1.16b}, [sp], #32\n\t"
                     "sub sp, sp, #32\n\t"
                     "ld2 {v2.8h, v3.8h}, [sp], #32\n\t"
                     "sub sp, sp, #16\n\t"
                     "ld1 {v4.2d}, [sp]\n\t"
                     "mov sp, x10\n\t"
                     "stp q2, q4, [%[o]]"
                     : : [o] "r"(out) : "v0", "v1", "v2", "v3", "v4", "x10", "memory");
        printf("sp-based %016llx %016llx %016llx %016llx\n", (unsigned long long)out[0],
               (unsigned long long)out[1], (unsigned long long)out[2],
               (unsigned long long)out[3]);
    }
    return 0;
}
