/* fp_convert: int <-> float conversions with edge values (the saturating conversion instructions
 * of each arch: RISC-V fcvt with its rounding modes, AArch64 fcvtz/n/m/p/a), float compares with
 * NaN and signed zero, min/max, classification, and float <-> double. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile double dsink;
static double opaque(double v) { dsink = v; return dsink; }

static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* Conversions through the instructions themselves, so out-of-range inputs are defined. */
#if defined(__riscv)
#define CVT(insn, rm, out_t, in_reg, x)                                                   \
    ({ out_t r_; __asm__ volatile(insn " %0, %1, " rm : "=r"(r_) : in_reg(x)); r_; })
#elif defined(__aarch64__)
/* REG is "w" or "x" for the integer result, FREG "d" or "s" for the source. */
#define CVT(insn, reg, freg, x)                                                           \
    ({ uint64_t r_; __asm__ volatile(insn " %" reg "0, %" freg "1" : "=r"(r_) : "w"(x)); r_; })
#elif defined(__x86_64__)
/* REG is "k" (32-bit) or "q" (64-bit) for the integer result; X is in an XMM register. */
#define CVT(insn, reg, x)                                                                  \
    ({ uint64_t r_ = 0; __asm__ volatile(insn " %1, %" reg "0" : "+r"(r_) : "x"(x)); r_; })
#endif

static const double dvals[] = {
    0.0, -0.0, 0.4, 0.5, 0.6, 1.5, 2.5, -0.5, -1.5, -2.5, 1e10, -1e10, 2147483647.0, 2147483648.0,
    -2147483648.0, -2147483649.0, 4294967295.0, 4294967296.0, 9.2233720368547758e18, -9.2233720368547758e18,
    1.8446744073709552e19, 1e30, -1e30, INFINITY, -INFINITY, NAN,
};

#if defined(__riscv)
static void test_fcvt_from_double(void)
{
    puts("fcvt from double: w wu l lu (rtz) | w l (rne rdn rup rmm)");
    for (size_t i = 0; i < sizeof dvals / sizeof dvals[0]; i++) {
        double d = opaque(dvals[i]);
        int64_t w = CVT("fcvt.w.d", "rtz", int64_t, "f", d);
        int64_t wu = CVT("fcvt.wu.d", "rtz", int64_t, "f", d);
        int64_t l = CVT("fcvt.l.d", "rtz", int64_t, "f", d);
        uint64_t lu = CVT("fcvt.lu.d", "rtz", uint64_t, "f", d);
        printf(" %-24.17g %lld %lld %lld %llu |", d, (long long)w, (long long)wu, (long long)l,
               (unsigned long long)lu);
        printf(" %lld %lld %lld %lld", (long long)CVT("fcvt.w.d", "rne", int64_t, "f", d),
               (long long)CVT("fcvt.w.d", "rdn", int64_t, "f", d),
               (long long)CVT("fcvt.w.d", "rup", int64_t, "f", d),
               (long long)CVT("fcvt.w.d", "rmm", int64_t, "f", d));
        printf(" %lld %lld\n", (long long)CVT("fcvt.l.d", "rne", int64_t, "f", d),
               (long long)CVT("fcvt.l.d", "rmm", int64_t, "f", d));
        float f = (float)d;
        printf("   float: %lld %lld %lld %llu\n", (long long)CVT("fcvt.w.s", "rtz", int64_t, "f", f),
               (long long)CVT("fcvt.wu.s", "rtz", int64_t, "f", f),
               (long long)CVT("fcvt.l.s", "rne", int64_t, "f", f),
               (unsigned long long)CVT("fcvt.lu.s", "rne", uint64_t, "f", f));
    }
}
#elif defined(__aarch64__)
static void test_fcvt_from_double(void)
{
    puts("fcvt from double: zs.w zu.w zs.x zu.x | w (ns ms ps as) | x (ns as)");
    for (size_t i = 0; i < sizeof dvals / sizeof dvals[0]; i++) {
        double d = opaque(dvals[i]);
        printf(" %-24.17g %d %u %lld %llu |", d, (int32_t)CVT("fcvtzs", "w", "d", d),
               (uint32_t)CVT("fcvtzu", "w", "d", d), (long long)CVT("fcvtzs", "x", "d", d),
               (unsigned long long)CVT("fcvtzu", "x", "d", d));
        printf(" %d %d %d %d", (int32_t)CVT("fcvtns", "w", "d", d), (int32_t)CVT("fcvtms", "w", "d", d),
               (int32_t)CVT("fcvtps", "w", "d", d), (int32_t)CVT("fcvtas", "w", "d", d));
        printf(" %lld %lld\n", (long long)CVT("fcvtns", "x", "d", d), (long long)CVT("fcvtas", "x", "d", d));
        float f = (float)d;
        printf("   float: %d %u %lld %llu\n", (int32_t)CVT("fcvtzs", "w", "s", f),
               (uint32_t)CVT("fcvtzu", "w", "s", f), (long long)CVT("fcvtns", "x", "s", f),
               (unsigned long long)CVT("fcvtnu", "x", "s", f));
    }
}
#elif defined(__x86_64__)
static void set_rounding(unsigned rc)
{
    unsigned csr;
    __asm__ volatile("stmxcsr %0" : "=m"(csr));
    csr = (csr & ~0x6000u) | rc << 13;
    __asm__ volatile("ldmxcsr %0" : : "m"(csr));
}

static void test_fcvt_from_double(void)
{
    puts("cvt from double: tsd2si l q | sd2si l (rn rd ru rz) q (rn) | float: tss2si l q, ss2si q");
    for (size_t i = 0; i < sizeof dvals / sizeof dvals[0]; i++) {
        double d = opaque(dvals[i]);
        printf(" %-24.17g %d %lld |", d, (int32_t)CVT("cvttsd2si", "k", d), (long long)CVT("cvttsd2si", "q", d));
        for (unsigned rc = 0; rc < 4; rc++) {
            set_rounding(rc);
            printf(" %d", (int32_t)CVT("cvtsd2si", "k", d));
        }
        set_rounding(0);
        printf(" %lld\n", (long long)CVT("cvtsd2si", "q", d));
        float f = (float)d;
        printf("   float: %d %lld %lld\n", (int32_t)CVT("cvttss2si", "k", f), (long long)CVT("cvttss2si", "q", f),
               (long long)CVT("cvtss2si", "q", f));
    }
}
#endif

static void test_to_float(void)
{
    static const int64_t ivals[] = { 0, 1, -1, 3, 16777217, -16777217, 9007199254740993LL, INT64_MAX, INT64_MIN,
                                     2147483647, -2147483648LL, 123456789123456789LL };
    puts("int to float/double:");
    for (size_t i = 0; i < sizeof ivals / sizeof ivals[0]; i++) {
        int64_t v = ivals[i];
        volatile int64_t vv = v;
        int64_t x = vv;
        uint64_t u = (uint64_t)x;
        int32_t w = (int32_t)x;
        uint32_t uw = (uint32_t)x;
        printf(" %lld: d=%a f=%a ud=%a uf=%a wd=%a wf=%a uwd=%a uwf=%a\n", (long long)v, (double)x,
               (double)(float)x, (double)u, (double)(float)u, (double)w, (double)(float)w, (double)uw,
               (double)(float)uw);
    }
}

static void test_compare(void)
{
    static const double c[] = { 0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN };
    puts("compare (lt le eq gt ne unord) fmin fmax:");
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++) {
            double a = opaque(c[i]), b = opaque(c[j]);
            float fa = (float)a, fb = (float)b;
            printf(" %g,%g: %d%d%d%d%d%d %d%d%d %016llx %016llx %08x %08x\n", a, b, a < b, a <= b, a == b,
                   a > b, a != b, isunordered(a, b), fa < fb, fa <= fb, fa == fb,
                   (unsigned long long)dbits(fmin(a, b)), (unsigned long long)dbits(fmax(a, b)),
                   fbits(fminf(fa, fb)), fbits(fmaxf(fa, fb)));
        }
}

static void test_classify_and_narrow(void)
{
    static const double c[] = { 0.0, -0.0, 1.0, -1.0, 5e-324, -5e-324, INFINITY, -INFINITY, NAN, 1e300, 3.4e38,
                                3.5e38, 1e-40, 1.00000005960464477539 };
    puts("classify, narrow, widen:");
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double d = opaque(c[i]);
        float f = (float)d;
#if defined(__riscv)
        uint64_t cls;
        __asm__ volatile("fclass.d %0, %1" : "=r"(cls) : "f"(d));
        uint64_t clsf;
        __asm__ volatile("fclass.s %0, %1" : "=r"(clsf) : "f"(f));
        printf(" %016llx: class=%03llx f=%08x fclass=%03llx back=%016llx fpclassify=%d\n",
               (unsigned long long)dbits(d), (unsigned long long)cls, fbits(f), (unsigned long long)clsf,
               (unsigned long long)dbits((double)f), fpclassify(d));
#else
        printf(" %016llx: f=%08x back=%016llx fpclassify=%d fpclassifyf=%d\n", (unsigned long long)dbits(d),
               fbits(f), (unsigned long long)dbits((double)f), fpclassify(d), fpclassify(f));
#endif
    }
    /* NaN boxing: arithmetic on NaNs gives the canonical NaN. */
    double qn = opaque(NAN);
    double sn;
    uint64_t snb = 0x7ff0000000000001ULL;
    memcpy(&sn, &snb, 8);
    volatile double vsn = sn;
    printf("nan+1=%016llx snan*2=%016llx nanf=%08x -nan=%016llx\n", (unsigned long long)dbits(qn + 1.0),
           (unsigned long long)dbits(vsn * 2.0), fbits((float)qn + 1.0f), (unsigned long long)dbits(-qn));
}

int main(void)
{
    test_fcvt_from_double();
    test_to_float();
    test_compare();
    test_classify_and_narrow();
    return 0;
}
