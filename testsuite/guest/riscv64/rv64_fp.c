/* rv64_fp: RISC-V F/D instructions through inline asm with the exception flags read back from
 * fflags after each: fused multiply-add forms, sign injection, min/max and compares with quiet
 * and signaling NaNs, fmv between register files (NaN boxing), and float<->double. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static double d_of(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint64_t u_of(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static float f_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint32_t uf_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static const uint64_t dvals[] = {
    0x0000000000000000ULL, 0x8000000000000000ULL, 0x3ff0000000000000ULL, 0xbff0000000000000ULL,
    0x3fd5555555555555ULL, 0x7fefffffffffffffULL, 0x0000000000000001ULL, 0x7ff0000000000000ULL,
    0xfff0000000000000ULL, 0x7ff8000000000000ULL, 0x7ff0000000000001ULL, 0x4008000000000000ULL,
};
#define ND (sizeof dvals / sizeof dvals[0])

static unsigned flags(void)
{
    unsigned long f;
    __asm__ volatile("frflags %0" : "=r"(f));
    return (unsigned)f;
}
static void clear_flags(void) { __asm__ volatile("fsflags zero"); }

#define D3(insn)                                                                                      \
    static uint64_t insn##_d(double a, double b, double c)                                           \
    {                                                                                                \
        double r;                                                                                    \
        __asm__ volatile(#insn ".d %0, %1, %2, %3" : "=f"(r) : "f"(a), "f"(b), "f"(c));              \
        return u_of(r);                                                                              \
    }
D3(fmadd) D3(fmsub) D3(fnmadd) D3(fnmsub)

#define D2(insn)                                                                                      \
    static uint64_t insn##_d(double a, double b)                                                     \
    {                                                                                                \
        double r;                                                                                    \
        __asm__ volatile(#insn ".d %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));                          \
        return u_of(r);                                                                              \
    }
D2(fadd) D2(fsub) D2(fmul) D2(fdiv) D2(fsgnj) D2(fsgnjn) D2(fsgnjx) D2(fmin) D2(fmax)

#define CMP(insn)                                                                                     \
    static uint64_t insn##_d(double a, double b)                                                     \
    {                                                                                                \
        uint64_t r;                                                                                  \
        __asm__ volatile(#insn ".d %0, %1, %2" : "=r"(r) : "f"(a), "f"(b));                          \
        return r;                                                                                    \
    }
CMP(feq) CMP(flt) CMP(fle)

struct op2 { const char *name; uint64_t (*fn)(double, double); };
static const struct op2 ops2[] = {
    { "fadd", fadd_d }, { "fsub", fsub_d }, { "fmul", fmul_d }, { "fdiv", fdiv_d }, { "fsgnj", fsgnj_d },
    { "fsgnjn", fsgnjn_d }, { "fsgnjx", fsgnjx_d }, { "fmin", fmin_d }, { "fmax", fmax_d }, { "feq", feq_d },
    { "flt", flt_d }, { "fle", fle_d },
};

int main(void)
{
    for (size_t k = 0; k < sizeof ops2 / sizeof ops2[0]; k++)
        for (size_t i = 0; i < ND; i++) {
            printf("%s.d %llx:", ops2[k].name, (unsigned long long)dvals[i]);
            for (size_t j = 0; j < ND; j++) {
                clear_flags();
                uint64_t r = ops2[k].fn(d_of(dvals[i]), d_of(dvals[j]));
                printf(" %llx/%x", (unsigned long long)r, flags());
            }
            putchar('\n');
        }
    uint64_t (*fma_ops[4])(double, double, double) = { fmadd_d, fmsub_d, fnmadd_d, fnmsub_d };
    const char *fma_names[4] = { "fmadd", "fmsub", "fnmadd", "fnmsub" };
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < ND; i += 2) {
            printf("%s.d %llx:", fma_names[k], (unsigned long long)dvals[i]);
            for (size_t j = 1; j < ND; j += 2) {
                clear_flags();
                uint64_t r = fma_ops[k](d_of(dvals[i]), d_of(dvals[j]), d_of(dvals[(i + j) % ND]));
                printf(" %llx/%x", (unsigned long long)r, flags());
            }
            putchar('\n');
        }
    /* Single precision: NaN boxing through fmv.x.w / fmv.w.x, and conversions. */
    static const uint32_t fvals[] = { 0, 0x80000000u, 0x3f800000u, 0x7f7fffffu, 0x00000001u, 0x7f800000u,
                                      0x7fc00000u, 0x7f800001u, 0xff800001u, 0x3eaaaaabu };
    for (size_t i = 0; i < sizeof fvals / sizeof fvals[0]; i++) {
        float f = f_of(fvals[i]);
        int64_t mv;
        __asm__ volatile("fmv.x.w %0, %1" : "=r"(mv) : "f"(f));
        double wide;
        clear_flags();
        __asm__ volatile("fcvt.d.s %0, %1" : "=f"(wide) : "f"(f));
        unsigned fl1 = flags();
        float back, sq, sum;
        clear_flags();
        __asm__ volatile("fcvt.s.d %0, %1" : "=f"(back) : "f"(wide));
        unsigned fl2 = flags();
        clear_flags();
        __asm__ volatile("fsqrt.s %0, %1" : "=f"(sq) : "f"(f));
        unsigned fl3 = flags();
        clear_flags();
        __asm__ volatile("fadd.s %0, %1, %2" : "=f"(sum) : "f"(f), "f"(f_of(0x3f800000u)));
        unsigned fl4 = flags();
        printf("s %08x: fmv.x.w=%llx fcvt.d.s=%llx/%x back=%08x/%x sqrt=%08x/%x +1=%08x/%x\n", fvals[i],
               (unsigned long long)mv, (unsigned long long)u_of(wide), fl1, uf_of(back), fl2, uf_of(sq), fl3,
               uf_of(sum), fl4);
    }
    /* A double register holding a non-NaN-boxed value must read as the canonical NaN in
     * single-precision operations. */
    double notboxed = d_of(0x000000003f800000ULL);
    float as_single;
    __asm__ volatile("fmv.s %0, %1" : "=f"(as_single) : "f"(notboxed));
    int64_t bits;
    __asm__ volatile("fmv.x.w %0, %1" : "=r"(bits) : "f"(as_single));
    float added;
    __asm__ volatile("fadd.s %0, %1, %1" : "=f"(added) : "f"(notboxed));
    printf("unboxed: fmv.s->fmv.x.w=%llx fadd.s=%08x\n", (unsigned long long)bits, uf_of(added));
    /* Dynamic rounding mode through frm. */
    static const char *rm_names[] = { "rne", "rtz", "rdn", "rup", "rmm" };
    for (unsigned rm = 0; rm < 5; rm++) {
        __asm__ volatile("fsrm %0" : : "r"((unsigned long)rm));
        double q;
        __asm__ volatile("fdiv.d %0, %1, %2" : "=f"(q) : "f"(d_of(0xbff0000000000000ULL)), "f"(3.0));
        int64_t w;
        __asm__ volatile("fcvt.l.d %0, %1" : "=r"(w) : "f"(-2.5));
        unsigned long frm;
        __asm__ volatile("frrm %0" : "=r"(frm));
        printf("frm=%s(%lu): -1/3=%llx fcvt.l(-2.5)=%lld\n", rm_names[rm], frm, (unsigned long long)u_of(q),
               (long long)w);
    }
    __asm__ volatile("fsrm zero");
    unsigned long fcsr;
    __asm__ volatile("csrr %0, fcsr" : "=r"(fcsr));
    printf("fcsr at end=%lx\n", fcsr);
    return 0;
}
