/* cflags: -march=armv8-a+crc */
/* a64_int: the A64 integer data-processing instructions through inline asm over tables of
 * edge-case operands. Every line names the instruction text, the operands, the result and the
 * NZCV flags read back with MRS after it (the flags are set to a varying value before each
 * instruction, so instructions that must not touch them are checked too, and ADC/SBC/CSEL/CCMP
 * see every carry and condition). Destinations start as a fixed garbage value, so 32-bit forms
 * are seen to zero-extend into X. Covered: add/sub (immediate, shifted, extended, SP forms),
 * logical (immediate and shifted), move wide, bitfield moves and their aliases, EXTR,
 * ADC/SBC, CCMP/CCMN over all 16 conditions, CSEL/CSINC/CSINV/CSNEG over all 16 conditions,
 * RBIT/REV/CLZ/CLS, UDIV/SDIV (division by zero, MIN / -1), variable shifts, CRC32/CRC32C,
 * MADD/MSUB and the long and high multiplies, ADR/ADRP. */
#include <stdint.h>
#include <stdio.h>

typedef uint64_t u64;

static const u64 vals[] = {
    0, 1, 0x20, 0x7f, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
    0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x8000000000000001ULL, 0xffffffffffffffffULL,
    0x123456789abcdef0ULL, 0xfedcba9876543211ULL,
};
#define NV (sizeof vals / sizeof vals[0])

/* Operands of the bitfield and immediate tests. */
static const u64 few[] = {0xfedcba9876543211ULL, 0x123456789abcdef0ULL, 0x8000000080000001ULL, 0};
#define NF (sizeof few / sizeof few[0])

/* Operand pairs for the condition tests. */
static const u64 pairs[][2] = {{5, 5}, {1, 0x8000000000000000ULL}, {0x7fffffff, 0xffffffff}};
#define NP (sizeof pairs / sizeof pairs[0])

#define GARBAGE 0x5a5a5a5a5a5a5a5aULL

#define STR_(x) #x
#define STR(x) STR_(x)

static void out(const char *text, u64 a, u64 b, u64 r, u64 f)
{
    printf("%-40s %016lx %016lx -> %016lx %lx\n", text, (unsigned long)a, (unsigned long)b,
           (unsigned long)r, (unsigned long)(f >> 28));
}

/* Run `body` (using %[r] as destination/accumulator, %[a], %[b] as sources) with NZCV preset to
 * `init`; print the result and NZCV afterwards. */
#define RUN(body, a_, b_, init_) do { \
        u64 a = (a_), b = (b_), init = (init_), r = GARBAGE, f; \
        __asm__ volatile("msr nzcv, %[init]\n\t" body "\n\tmrs %[f], nzcv" \
                         : [r] "+&r"(r), [f] "=&r"(f) \
                         : [a] "r"(a), [b] "r"(b), [init] "r"(init) : "cc"); \
        out(body, a, b, r, f); \
    } while (0)

/* Every pair of values, NZCV varying. */
#define T2(body) do { \
        for (unsigned i = 0; i < NV; i++) \
            for (unsigned j = 0; j < NV; j++) \
                RUN(body, vals[i], vals[j], (u64)((i * 3 + j) & 15) << 28); \
    } while (0)

/* Every value as %[a]. */
#define T1(body) do { \
        for (unsigned i = 0; i < NV; i++) \
            RUN(body, vals[i], 0, (u64)(i & 15) << 28); \
    } while (0)

/* A few values as %[a] (and %[b]). */
#define TF(body) do { \
        for (unsigned i = 0; i < NF; i++) \
            RUN(body, few[i], few[(i + 1) % NF], (u64)(i * 5 & 15) << 28); \
    } while (0)

/* Every NZCV value, a few operand pairs. */
#define TC(body) do { \
        for (unsigned n = 0; n < 16; n++) \
            for (unsigned p = 0; p < NP; p++) \
                RUN(body, pairs[p][0], pairs[p][1], (u64)n << 28); \
    } while (0)

#define CONDS(F, text) \
    F(text "eq") F(text "ne") F(text "cs") F(text "cc") F(text "mi") F(text "pl") \
    F(text "vs") F(text "vc") F(text "hi") F(text "ls") F(text "ge") F(text "lt") \
    F(text "gt") F(text "le") F(text "al") F(text "nv")
#define TC_(body) TC(body);

static void add_sub(void)
{
    T2("add %[r], %[a], %[b]");
    T2("adds %[r], %[a], %[b]");
    T2("sub %[r], %[a], %[b]");
    T2("subs %[r], %[a], %[b]");
    T2("add %w[r], %w[a], %w[b]");
    T2("adds %w[r], %w[a], %w[b]");
    T2("sub %w[r], %w[a], %w[b]");
    T2("subs %w[r], %w[a], %w[b]");
    T2("adds %[r], %[a], %[b], lsl #13");
    T2("subs %[r], %[a], %[b], lsr #63");
    T2("add %[r], %[a], %[b], asr #7");
    T2("subs %w[r], %w[a], %w[b], asr #31");
    T2("adds %w[r], %w[a], %w[b], lsl #1");
    T2("cmp %[a], %[b]");
    T2("cmn %w[a], %w[b]");
    T2("neg %[r], %[b]");
    T2("negs %w[r], %w[b]");
    /* Extended register. */
    T2("add %[r], %[a], %w[b], uxtb");
    T2("adds %[r], %[a], %w[b], sxtb #1");
    T2("sub %[r], %[a], %w[b], uxth #2");
    T2("subs %[r], %[a], %w[b], sxth #3");
    T2("adds %[r], %[a], %w[b], uxtw #4");
    T2("subs %[r], %[a], %w[b], sxtw");
    T2("add %[r], %[a], %[b], uxtx #2");
    T2("subs %[r], %[a], %[b], sxtx #1");
    T2("adds %w[r], %w[a], %w[b], sxtb #2");
    T2("sub %w[r], %w[a], %w[b], uxth");
    T2("subs %w[r], %w[a], %w[b], sxth #4");
    T2("cmp %w[a], %w[b], uxtb");
    /* Immediate. */
    T1("add %[r], %[a], #0");
    T1("adds %[r], %[a], #1");
    T1("subs %[r], %[a], #0xfff");
    T1("adds %[r], %[a], #1, lsl #12");
    T1("sub %[r], %[a], #0xfff, lsl #12");
    T1("adds %w[r], %w[a], #0x800");
    T1("subs %w[r], %w[a], #1");
    T1("add %w[r], %w[a], #0x7ff, lsl #12");
    T1("cmp %[a], #0");
    T1("cmn %w[a], #1");
    /* The SP forms: register 31 is SP in add/sub immediate and extended (non-flag Rd). */
    T2("mov x9, sp\n\tmov sp, %[a]\n\tadd sp, sp, %w[b], uxtw #2\n\tadd %[r], sp, #0x123\n\t"
       "mov sp, x9");
    T2("mov x9, sp\n\tsub sp, %[a], #16\n\tadds %[r], sp, %[b], sxtx\n\tmov sp, x9");
    T2("mov x9, sp\n\tmov sp, %[a]\n\tsub sp, sp, %[b]\n\tmov %[r], sp\n\tmov sp, x9");
    T2("mov x9, sp\n\tmov sp, %[a]\n\tsubs %[r], sp, %w[b], uxtw\n\tmov sp, x9");
    T2("mov x9, sp\n\tmov sp, %[a]\n\tadd %w[r], wsp, %w[b]\n\tmov sp, x9");
}

static void carry(void)
{
    T2("adc %[r], %[a], %[b]");
    T2("adcs %[r], %[a], %[b]");
    T2("sbc %[r], %[a], %[b]");
    T2("sbcs %[r], %[a], %[b]");
    T2("adcs %w[r], %w[a], %w[b]");
    T2("sbcs %w[r], %w[a], %w[b]");
    T2("adc %w[r], %w[a], %w[b]");
    T2("ngcs %[r], %[b]");
}

static void logical(void)
{
    T2("and %[r], %[a], %[b]");
    T2("ands %[r], %[a], %[b]");
    T2("bic %[r], %[a], %[b], lsl #4");
    T2("bics %[r], %[a], %[b], ror #17");
    T2("orr %[r], %[a], %[b], lsr #63");
    T2("orn %[r], %[a], %[b], asr #5");
    T2("eor %[r], %[a], %[b], ror #63");
    T2("eon %[r], %[a], %[b]");
    T2("ands %w[r], %w[a], %w[b], lsl #31");
    T2("bics %w[r], %w[a], %w[b], ror #7");
    T2("orn %w[r], %w[a], %w[b], asr #3");
    T2("eor %w[r], %w[a], %w[b], lsr #16");
    T2("tst %[a], %[b]");
    T2("mvn %w[r], %w[b]");
    /* Immediate bitmasks of every element size. */
    T1("and %[r], %[a], #0x5555555555555555");
    T1("ands %[r], %[a], #0xff");
    T1("orr %[r], %[a], #0xfffffffffffffffe");
    T1("eor %[r], %[a], #0x8000000000000000");
    T1("ands %[r], %[a], #0x00ff00ff00ff00ff");
    T1("orr %[r], %[a], #0x0f0f0f0f0f0f0f0f");
    T1("eor %[r], %[a], #0x7ffffffffffffffe");
    T1("and %[r], %[a], #0xc000000000000003");
    T1("ands %[r], %[a], #0x3333333333333333");
    T1("orr %[r], %[a], #0x0000ffff00000000");
    T1("eor %[r], %[a], #0x6666666666666666");
    T1("and %w[r], %w[a], #0x55555555");
    T1("ands %w[r], %w[a], #0xff00ff00");
    T1("orr %w[r], %w[a], #0xfffffffe");
    T1("eor %w[r], %w[a], #0x80000001");
    T1("ands %w[r], %w[a], #0x80000000");
    T1("tst %w[a], #0x1");
    T1("mov %[r], #0xaaaaaaaaaaaaaaaa");
    T1("mov x9, sp\n\torr sp, %[a], #0xff0\n\tmov %[r], sp\n\tmov sp, x9");
}

static void move_wide(void)
{
    TF("movz %[r], #0x1234");
    TF("movz %[r], #0x1234, lsl #48");
    TF("movn %[r], #0x1234, lsl #16");
    TF("movn %w[r], #0x1234, lsl #16");
    TF("movz %w[r], #0xffff, lsl #16");
    TF("movk %[r], #0xbeef");
    TF("movk %[r], #0xbeef, lsl #16");
    TF("movk %[r], #0xbeef, lsl #32");
    TF("movk %[r], #0xbeef, lsl #48");
    TF("movk %w[r], #0xbeef");
    TF("movk %w[r], #0xbeef, lsl #16");
    TF("mov %w[r], #-1");
    TF("mov %[r], #-0x10000");
}

#define FOR_S64(F, op, r) F(op, r, 0) F(op, r, 1) F(op, r, 15) F(op, r, 31) F(op, r, 32) F(op, r, 62) F(op, r, 63)
#define FOR_R64(F, op) FOR_S64(F, op, 0) FOR_S64(F, op, 1) FOR_S64(F, op, 15) FOR_S64(F, op, 31) \
    FOR_S64(F, op, 32) FOR_S64(F, op, 62) FOR_S64(F, op, 63)
#define FOR_S32(F, op, r) F(op, r, 0) F(op, r, 1) F(op, r, 7) F(op, r, 16) F(op, r, 30) F(op, r, 31)
#define FOR_R32(F, op) FOR_S32(F, op, 0) FOR_S32(F, op, 1) FOR_S32(F, op, 7) FOR_S32(F, op, 16) \
    FOR_S32(F, op, 30) FOR_S32(F, op, 31)
#define BFX(op, r, s) TF(op " %[r], %[a], #" STR(r) ", #" STR(s));
#define BFW(op, r, s) TF(op " %w[r], %w[a], #" STR(r) ", #" STR(s));

static void bitfield(void)
{
    FOR_R64(BFX, "sbfm")
    FOR_R64(BFX, "ubfm")
    FOR_R64(BFX, "bfm")
    FOR_R32(BFW, "sbfm")
    FOR_R32(BFW, "ubfm")
    FOR_R32(BFW, "bfm")
    /* The aliases. */
    T1("lsl %[r], %[a], #63");
    T1("lsr %w[r], %w[a], #31");
    T1("asr %[r], %[a], #33");
    T1("asr %w[r], %w[a], #1");
    T1("sxtb %[r], %w[a]");
    T1("sxth %w[r], %w[a]");
    T1("sxtw %[r], %w[a]");
    T1("uxtb %w[r], %w[a]");
    T1("uxth %w[r], %w[a]");
    T1("sbfiz %[r], %[a], #60, #4");
    T1("ubfiz %w[r], %w[a], #3, #29");
    T1("sbfx %[r], %[a], #63, #1");
    T1("ubfx %[r], %[a], #8, #56");
    T1("bfi %[r], %[a], #32, #32");
    T1("bfxil %w[r], %w[a], #16, #16");
    T1("bfi %[r], xzr, #4, #8");
    /* EXTR and ROR. */
    TF("extr %[r], %[a], %[b], #0");
    TF("extr %[r], %[a], %[b], #1");
    TF("extr %[r], %[a], %[b], #32");
    TF("extr %[r], %[a], %[b], #63");
    TF("extr %w[r], %w[a], %w[b], #0");
    TF("extr %w[r], %w[a], %w[b], #1");
    TF("extr %w[r], %w[a], %w[b], #31");
    TF("ror %[r], %[a], #13");
    TF("ror %w[r], %w[a], #31");
}

static void conditional(void)
{
    CONDS(TC_, "csel %[r], %[a], %[b], ")
    CONDS(TC_, "csinc %w[r], %w[a], %w[b], ")
    CONDS(TC_, "csinv %[r], %[a], %[b], ")
    CONDS(TC_, "csneg %w[r], %w[a], %w[b], ")
    CONDS(TC_, "ccmp %[a], %[b], #0xa, ")
    CONDS(TC_, "ccmn %w[a], %w[b], #0x5, ")
    CONDS(TC_, "ccmp %w[a], #31, #0x0, ")
    CONDS(TC_, "ccmn %[a], #1, #0xf, ")
    TC("cset %[r], hi");
    TC("csetm %w[r], lt");
    TC("cinc %[r], %[a], ge");
    TC("cinv %w[r], %w[a], vs");
    TC("cneg %[r], %[a], mi");
}

static void one_source(void)
{
    T1("rbit %[r], %[a]");
    T1("rbit %w[r], %w[a]");
    T1("rev16 %[r], %[a]");
    T1("rev16 %w[r], %w[a]");
    T1("rev32 %[r], %[a]");
    T1("rev %[r], %[a]");
    T1("rev %w[r], %w[a]");
    T1("clz %[r], %[a]");
    T1("clz %w[r], %w[a]");
    T1("cls %[r], %[a]");
    T1("cls %w[r], %w[a]");
}

static void two_source(void)
{
    T2("udiv %[r], %[a], %[b]");
    T2("sdiv %[r], %[a], %[b]");
    T2("udiv %w[r], %w[a], %w[b]");
    T2("sdiv %w[r], %w[a], %w[b]");
    T2("lslv %[r], %[a], %[b]");
    T2("lsrv %[r], %[a], %[b]");
    T2("asrv %[r], %[a], %[b]");
    T2("rorv %[r], %[a], %[b]");
    T2("lslv %w[r], %w[a], %w[b]");
    T2("lsrv %w[r], %w[a], %w[b]");
    T2("asrv %w[r], %w[a], %w[b]");
    T2("rorv %w[r], %w[a], %w[b]");
    T2("crc32b %w[r], %w[a], %w[b]");
    T2("crc32h %w[r], %w[a], %w[b]");
    T2("crc32w %w[r], %w[a], %w[b]");
    T2("crc32x %w[r], %w[a], %[b]");
    T2("crc32cb %w[r], %w[a], %w[b]");
    T2("crc32ch %w[r], %w[a], %w[b]");
    T2("crc32cw %w[r], %w[a], %w[b]");
    T2("crc32cx %w[r], %w[a], %[b]");
}

static void three_source(void)
{
    T2("madd %[r], %[a], %[b], %[r]");
    T2("msub %[r], %[a], %[b], %[r]");
    T2("madd %w[r], %w[a], %w[b], %w[r]");
    T2("msub %w[r], %w[a], %w[b], %w[r]");
    T2("mul %[r], %[a], %[b]");
    T2("mneg %w[r], %w[a], %w[b]");
    T2("smaddl %[r], %w[a], %w[b], %[r]");
    T2("smsubl %[r], %w[a], %w[b], %[r]");
    T2("umaddl %[r], %w[a], %w[b], %[r]");
    T2("umsubl %[r], %w[a], %w[b], %[r]");
    T2("smull %[r], %w[a], %w[b]");
    T2("umull %[r], %w[a], %w[b]");
    T2("smulh %[r], %[a], %[b]");
    T2("umulh %[r], %[a], %[b]");
}

static void pc_relative(void)
{
    u64 a, b, page, c;
    __asm__ volatile("adr %0, 1f\n\tadr %1, .\n\tnop\n1:\n\tadrp %2, vals\n\t"
                     "add %3, %2, :lo12:vals"
                     : "=r"(a), "=r"(b), "=r"(page), "=r"(c));
    printf("adr distance %ld\n", (long)(a - b));
    printf("adrp page-aligned %d, adrp+lo12 == &vals %d\n", (int)(page & 0xfff) == 0,
           c == (u64)(uintptr_t)vals);
}

int main(void)
{
    add_sub();
    carry();
    logical();
    move_wide();
    bitfield();
    conditional();
    one_source();
    two_source();
    three_source();
    pc_relative();
    return 0;
}
