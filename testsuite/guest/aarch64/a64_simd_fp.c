/* a64_simd_fp: Advanced SIMD floating point through inline asm — three-same, two-register
 * misc, by-element, across-lanes, scalar pairwise/three-same/misc and fixed-point forms — on
 * vectors built from edge operands (±0, ±inf, NaNs with payloads, denormals, extremes), in every
 * FPCR rounding mode with FZ and DN toggled, printing the 128-bit result and FPSR. */
#include <stdint.h>
#include <stdio.h>

static const uint32_t svals[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3dcccccd, 0xc0200000, 0x501502f9,
    0x7f7fffff, 0x00800000, 0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00001,
    0xffa00002, 0x7f800003, 0x3f000001, 0x4f000000, 0xcf000001, 0x5f800000,
};
static const uint64_t dvals[] = {
    0x0000000000000000ULL, 0x8000000000000000ULL, 0x3ff0000000000000ULL, 0xbff0000000000000ULL,
    0x3fb999999999999aULL, 0xc004000000000000ULL, 0x4202a05f20000000ULL, 0x7fefffffffffffffULL,
    0x0010000000000000ULL, 0x0000000000000001ULL, 0x800fffffffffffffULL, 0x7ff0000000000000ULL,
    0xfff0000000000000ULL, 0x7ff8000000000001ULL, 0xfff4000000000002ULL, 0x7ff0000000000003ULL,
    0x3fe0000000000001ULL, 0x41e0000000000000ULL, 0xc1e0000000200000ULL, 0x43f0000000000000ULL,
};
#define N(a) (sizeof a / sizeof a[0])

static void set_fpcr(uint64_t v) { __asm__ volatile("msr fpcr, %0" ::"r"(v)); }
static void clr_fpsr(void) { __asm__ volatile("msr fpsr, xzr"); }
static unsigned fpsr(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpsr" : "=r"(v));
    return (unsigned)v;
}

static const uint64_t cfgs[] = {
    0x0000000, 0x0400000, 0x0800000, 0x0c00000, 0x1000000, 0x2000000, 0x3000000, 0x3c00000,
};

typedef struct { uint64_t lo, hi; } v128;

/* v0 = a, v1 = b, v2 = acc; runs insn; returns v2. */
#define V(name, insn)                                                                              \
    static v128 name(v128 a, v128 b, v128 acc)                                                     \
    {                                                                                              \
        v128 r;                                                                                    \
        __asm__ volatile("fmov d0, %x2\n\tfmov v0.d[1], %x3\n\tfmov d1, %x4\n\tfmov v1.d[1], %x5\n\t" \
                         "fmov d2, %x6\n\tfmov v2.d[1], %x7\n\t" insn "\n\tfmov %x0, d2\n\t"       \
                         "fmov %x1, v2.d[1]"                                                       \
                         : "=&r"(r.lo), "=&r"(r.hi)                                                \
                         : "r"(a.lo), "r"(a.hi), "r"(b.lo), "r"(b.hi), "r"(acc.lo), "r"(acc.hi)    \
                         : "v0", "v1", "v2");                                                      \
        return r;                                                                                  \
    }
#define V3S(op) V(op##_4s, #op " v2.4s, v0.4s, v1.4s") V(op##_2s, #op " v2.2s, v0.2s, v1.2s")     \
    V(op##_2d, #op " v2.2d, v0.2d, v1.2d")
V3S(fadd) V3S(fsub) V3S(fmul) V3S(fdiv) V3S(fmax) V3S(fmin) V3S(fmaxnm) V3S(fminnm) V3S(fmla)
V3S(fmls) V3S(fabd) V3S(fmulx) V3S(frecps) V3S(frsqrts) V3S(fcmeq) V3S(fcmge) V3S(fcmgt)
V3S(facge) V3S(facgt) V3S(faddp) V3S(fmaxp) V3S(fminp) V3S(fmaxnmp) V3S(fminnmp)
#define V2S(op) V(op##_4s, #op " v2.4s, v0.4s") V(op##_2s, #op " v2.2s, v0.2s")                 \
    V(op##_2d, #op " v2.2d, v0.2d")
V2S(fabs) V2S(fneg) V2S(fsqrt) V2S(frintn) V2S(frinta) V2S(frintp) V2S(frintm) V2S(frintz)
V2S(frintx) V2S(frinti) V2S(fcvtns) V2S(fcvtnu) V2S(fcvtas) V2S(fcvtau) V2S(fcvtps) V2S(fcvtpu)
V2S(fcvtms) V2S(fcvtmu) V2S(fcvtzs) V2S(fcvtzu) V2S(scvtf) V2S(ucvtf) V2S(frecpe) V2S(frsqrte)
#define V0S(op) V(op##0_4s, #op " v2.4s, v0.4s, #0.0") V(op##0_2s, #op " v2.2s, v0.2s, #0.0")   \
    V(op##0_2d, #op " v2.2d, v0.2d, #0.0")
V0S(fcmeq) V0S(fcmge) V0S(fcmgt) V0S(fcmle) V0S(fcmlt)
V(fcvtl_4s, "fcvtl v2.4s, v0.4h") V(fcvtl2_4s, "fcvtl2 v2.4s, v0.8h")
V(fcvtl_2d, "fcvtl v2.2d, v0.2s") V(fcvtl2_2d, "fcvtl2 v2.2d, v0.4s")
V(fcvtn_4h, "fcvtn v2.4h, v0.4s") V(fcvtn2_8h, "fcvtn2 v2.8h, v0.4s")
V(fcvtn_2s, "fcvtn v2.2s, v0.2d") V(fcvtn2_4s, "fcvtn2 v2.4s, v0.2d")
V(fcvtxn_2s, "fcvtxn v2.2s, v0.2d") V(fcvtxn2_4s, "fcvtxn2 v2.4s, v0.2d")
V(fmul_e4s, "fmul v2.4s, v0.4s, v1.s[1]") V(fmla_e4s, "fmla v2.4s, v0.4s, v1.s[3]")
V(fmls_e2s, "fmls v2.2s, v0.2s, v1.s[2]") V(fmulx_e4s, "fmulx v2.4s, v0.4s, v1.s[0]")
V(fmul_e2d, "fmul v2.2d, v0.2d, v1.d[1]") V(fmla_e2d, "fmla v2.2d, v0.2d, v1.d[0]")
V(fmls_e2d, "fmls v2.2d, v0.2d, v1.d[1]") V(fmulx_e2d, "fmulx v2.2d, v0.2d, v1.d[1]")
V(fmul_es, "fmul s2, s0, v1.s[3]") V(fmla_ed, "fmla d2, d0, v1.d[1]")
V(fmls_es, "fmls s2, s0, v1.s[1]") V(fmulx_ed, "fmulx d2, d0, v1.d[0]")
V(fmaxv, "fmaxv s2, v0.4s") V(fminv, "fminv s2, v0.4s") V(fmaxnmv, "fmaxnmv s2, v0.4s")
V(fminnmv, "fminnmv s2, v0.4s")
V(faddp_s, "faddp s2, v0.2s") V(faddp_d, "faddp d2, v0.2d") V(fmaxp_s, "fmaxp s2, v0.2s")
V(fminp_d, "fminp d2, v0.2d") V(fmaxnmp_d, "fmaxnmp d2, v0.2d") V(fminnmp_s, "fminnmp s2, v0.2s")
V(fcmeq_s, "fcmeq s2, s0, s1") V(fcmge_d, "fcmge d2, d0, d1") V(fcmgt_s, "fcmgt s2, s0, s1")
V(facge_s, "facge s2, s0, s1") V(facgt_d, "facgt d2, d0, d1") V(fcmeq0_d, "fcmeq d2, d0, #0.0")
V(fcmlt0_s, "fcmlt s2, s0, #0.0") V(fcmle0_d, "fcmle d2, d0, #0.0")
V(fcvtzs_s, "fcvtzs s2, s0") V(fcvtau_d, "fcvtau d2, d0") V(scvtf_s, "scvtf s2, s0")
V(ucvtf_d, "ucvtf d2, d0") V(frsqrte_d, "frsqrte d2, d0") V(frecpe_s, "frecpe s2, s0")
V(fcvtns_d, "fcvtns d2, d0") V(fcvtmu_s, "fcvtmu s2, s0")
V(scvtf_fx4s, "scvtf v2.4s, v0.4s, #3") V(ucvtf_fx2d, "ucvtf v2.2d, v0.2d, #64")
V(fcvtzs_fx2d, "fcvtzs v2.2d, v0.2d, #10") V(fcvtzu_fx2s, "fcvtzu v2.2s, v0.2s, #32")
V(fcvtzu_fxs, "fcvtzu s2, s0, #5") V(scvtf_fxd, "scvtf d2, d0, #1")

struct op { const char *name; v128 (*fn)(v128, v128, v128); int dbl; };
#define O3(op) { #op "_4s", op##_4s, 0 }, { #op "_2s", op##_2s, 0 }, { #op "_2d", op##_2d, 1 }
#define O(op, d) { #op, op, d }
static const struct op ops[] = {
    O3(fadd), O3(fsub), O3(fmul), O3(fdiv), O3(fmax), O3(fmin), O3(fmaxnm), O3(fminnm), O3(fmla),
    O3(fmls), O3(fabd), O3(fmulx), O3(frecps), O3(frsqrts), O3(fcmeq), O3(fcmge), O3(fcmgt),
    O3(facge), O3(facgt), O3(faddp), O3(fmaxp), O3(fminp), O3(fmaxnmp), O3(fminnmp),
    O3(fabs), O3(fneg), O3(fsqrt), O3(frintn), O3(frinta), O3(frintp), O3(frintm), O3(frintz),
    O3(frintx), O3(frinti), O3(fcvtns), O3(fcvtnu), O3(fcvtas), O3(fcvtau), O3(fcvtps),
    O3(fcvtpu), O3(fcvtms), O3(fcvtmu), O3(fcvtzs), O3(fcvtzu), O3(scvtf), O3(ucvtf),
    O3(frecpe), O3(frsqrte), O3(fcmeq0), O3(fcmge0), O3(fcmgt0), O3(fcmle0), O3(fcmlt0),
    O(fcvtl_4s, 0), O(fcvtl2_4s, 0), O(fcvtl_2d, 0), O(fcvtl2_2d, 0), O(fcvtn_4h, 0),
    O(fcvtn2_8h, 0), O(fcvtn_2s, 1), O(fcvtn2_4s, 1), O(fcvtxn_2s, 1), O(fcvtxn2_4s, 1),
    O(fmul_e4s, 0), O(fmla_e4s, 0), O(fmls_e2s, 0), O(fmulx_e4s, 0), O(fmul_e2d, 1),
    O(fmla_e2d, 1), O(fmls_e2d, 1), O(fmulx_e2d, 1), O(fmul_es, 0), O(fmla_ed, 1),
    O(fmls_es, 0), O(fmulx_ed, 1), O(fmaxv, 0), O(fminv, 0), O(fmaxnmv, 0), O(fminnmv, 0),
    O(faddp_s, 0), O(faddp_d, 1), O(fmaxp_s, 0), O(fminp_d, 1), O(fmaxnmp_d, 1), O(fminnmp_s, 0),
    O(fcmeq_s, 0), O(fcmge_d, 1), O(fcmgt_s, 0), O(facge_s, 0), O(facgt_d, 1), O(fcmeq0_d, 1),
    O(fcmlt0_s, 0), O(fcmle0_d, 1), O(fcvtzs_s, 0), O(fcvtau_d, 1), O(scvtf_s, 0),
    O(ucvtf_d, 1), O(frsqrte_d, 1), O(frecpe_s, 0), O(fcvtns_d, 1), O(fcvtmu_s, 0),
    O(scvtf_fx4s, 0), O(ucvtf_fx2d, 1), O(fcvtzs_fx2d, 1), O(fcvtzu_fx2s, 0), O(fcvtzu_fxs, 0),
    O(scvtf_fxd, 1),
};

/* Vector number i of single (four lanes from svals) or double (two lanes) elements. */
static v128 vec(int dbl, size_t i)
{
    v128 v;
    if (dbl) {
        v.lo = dvals[i % N(dvals)];
        v.hi = dvals[(i * 3 + 1) % N(dvals)];
    } else {
        size_t n = N(svals);
        v.lo = svals[i % n] | (uint64_t)svals[(i + 5) % n] << 32;
        v.hi = svals[(i * 3 + 2) % n] | (uint64_t)svals[(i * 7 + 3) % n] << 32;
    }
    return v;
}

int main(void)
{
    const v128 acc_s = { 0x3f8000004049999aULL, 0xc0000000bf000000ULL };
    const v128 acc_d = { 0x3ff0000000000000ULL, 0xc009000000000000ULL };
    for (size_t c = 0; c < N(cfgs); c++)
        for (size_t k = 0; k < N(ops); k++) {
            for (size_t i = 0; i < 20; i++) {
                printf("%s %lx %d:", ops[k].name, (unsigned long)cfgs[c], (int)i);
                for (size_t j = 0; j < 4; j++) {
                    v128 a = vec(ops[k].dbl, i), b = vec(ops[k].dbl, i * 7 + j * 3 + 1);
                    set_fpcr(cfgs[c]);
                    clr_fpsr();
                    v128 r = ops[k].fn(a, b, ops[k].dbl ? acc_d : acc_s);
                    unsigned f = fpsr();
                    set_fpcr(0);
                    printf(" %llx.%llx/%x", (unsigned long long)r.hi,
                           (unsigned long long)r.lo, f);
                }
                putchar('\n');
            }
        }
    return 0;
}
