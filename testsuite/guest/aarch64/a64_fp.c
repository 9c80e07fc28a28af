/* a64_fp: the scalar floating-point instructions through inline asm, over edge operands (±0,
 * ±inf, quiet and signaling NaNs with payloads, denormals, max/min normals, 1.0, 0.1, -2.5,
 * 1e10 ...) in every FPCR rounding mode with FZ and DN toggled, printing the result bits and
 * FPSR (cleared before each operation). */
#include <stdint.h>
#include <stdio.h>

static const uint64_t svals[] = {
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
    0x36a0000000000000ULL, 0x3810000000000000ULL,
};
static const uint64_t hvals[] = {
    0x0000, 0x8000, 0x3c00, 0xbc00, 0x2e66, 0x7bff, 0x0400, 0x0001, 0x83ff, 0x7c00, 0xfc00,
    0x7e01, 0xfd02, 0x7c03,
};
static const uint64_t ivals[] = {
    0, 1, 0xffffffffffffffffULL, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
    0x8000000000000000ULL, 0x123456789abcdefULL, 0x1000001, 0xfffffffffefffffeULL, 3,
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

/* The FPCR configurations: every rounding mode with FZ and DN combinations. */
static const uint64_t cfgs[] = {
    0x0000000, 0x0400000, 0x0800000, 0x0c00000, 0x1000000, 0x2000000, 0x3000000,
    0x1400000, 0x2800000, 0x3c00000,
};

#define S2(insn)                                                                                   \
    static uint64_t insn##_s(uint64_t a, uint64_t b)                                               \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov s0, %w1\n\tfmov s1, %w2\n\t" #insn " s2, s0, s1\n\tfmov %w0, s2"    \
                         : "=r"(res)                                                               \
                         : "r"(a), "r"(b)                                                          \
                         : "v0", "v1", "v2");                                                      \
        return res;                                                                                \
    }                                                                                              \
    static uint64_t insn##_d(uint64_t a, uint64_t b)                                               \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov d0, %x1\n\tfmov d1, %x2\n\t" #insn " d2, d0, d1\n\tfmov %x0, d2"    \
                         : "=r"(res)                                                               \
                         : "r"(a), "r"(b)                                                          \
                         : "v0", "v1", "v2");                                                      \
        return res;                                                                                \
    }
S2(fadd) S2(fsub) S2(fmul) S2(fdiv) S2(fmax) S2(fmin) S2(fmaxnm) S2(fminnm) S2(fnmul)
S2(fabd) S2(fmulx) S2(frecps) S2(frsqrts)

#define S3(insn)                                                                                   \
    static uint64_t insn##_s(uint64_t a, uint64_t b, uint64_t c)                                   \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov s0, %w1\n\tfmov s1, %w2\n\tfmov s3, %w3\n\t" #insn                  \
                         " s2, s0, s1, s3\n\tfmov %w0, s2"                                         \
                         : "=r"(res)                                                               \
                         : "r"(a), "r"(b), "r"(c)                                                  \
                         : "v0", "v1", "v2", "v3");                                                \
        return res;                                                                                \
    }                                                                                              \
    static uint64_t insn##_d(uint64_t a, uint64_t b, uint64_t c)                                   \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov d0, %x1\n\tfmov d1, %x2\n\tfmov d3, %x3\n\t" #insn                  \
                         " d2, d0, d1, d3\n\tfmov %x0, d2"                                         \
                         : "=r"(res)                                                               \
                         : "r"(a), "r"(b), "r"(c)                                                  \
                         : "v0", "v1", "v2", "v3");                                                \
        return res;                                                                                \
    }
S3(fmadd) S3(fmsub) S3(fnmadd) S3(fnmsub)

#define S1(name, insn)                                                                             \
    static uint64_t name##_s(uint64_t a)                                                           \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov s0, %w1\n\t" insn " s2, s0\n\tfmov %w0, s2"                         \
                         : "=r"(res)                                                               \
                         : "r"(a)                                                                  \
                         : "v0", "v2");                                                            \
        return res;                                                                                \
    }                                                                                              \
    static uint64_t name##_d(uint64_t a)                                                           \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov d0, %x1\n\t" insn " d2, d0\n\tfmov %x0, d2"                         \
                         : "=r"(res)                                                               \
                         : "r"(a)                                                                  \
                         : "v0", "v2");                                                            \
        return res;                                                                                \
    }
S1(fsqrt, "fsqrt") S1(fabs, "fabs") S1(fneg, "fneg") S1(fmov, "fmov") S1(frintn, "frintn")
S1(frintp, "frintp") S1(frintm, "frintm") S1(frintz, "frintz") S1(frinta, "frinta")
S1(frintx, "frintx") S1(frinti, "frinti") S1(frecpe, "frecpe") S1(frsqrte, "frsqrte")
S1(frecpx, "frecpx")

/* Precision conversions: FCVT dest letter, its move letter and register; same for the source
 * (half values move through S registers, whose upper bits an H write zeroes). */
#define CVT(name, dl, dm, dr, sl, sm, sr)                                                          \
    static uint64_t name(uint64_t a)                                                               \
    {                                                                                              \
        uint64_t res = 0;                                                                          \
        __asm__ volatile("fmov " sm "0, %" sr "1\n\tfcvt " dl "2, " sl "0\n\tfmov %" dr "0, " dm   \
                         "2"                                                                       \
                         : "+r"(res)                                                               \
                         : "r"(a)                                                                  \
                         : "v0", "v2");                                                            \
        return res;                                                                                \
    }
CVT(cvt_ds, "d", "d", "x", "s", "s", "w") CVT(cvt_sd, "s", "s", "w", "d", "d", "x")
CVT(cvt_hs, "h", "s", "w", "s", "s", "w") CVT(cvt_hd, "h", "s", "w", "d", "d", "x")
CVT(cvt_sh, "s", "s", "w", "h", "s", "w") CVT(cvt_dh, "d", "d", "x", "h", "s", "w")
static uint64_t fcvtxn_s(uint64_t a)
{
    uint64_t res;
    __asm__ volatile("fmov d0, %x1\n\tfcvtxn s2, d0\n\tfmov %w0, s2" : "=r"(res) : "r"(a) : "v0", "v2");
    return res;
}

/* Float to integer: dl (s/d) source, int register letter ir (w/x). */
#define TOI(name, insn, sl, sr, ir)                                                                \
    static uint64_t name(uint64_t a)                                                               \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov " sl "0, %" sr "1\n\t" insn " %" ir "0, " sl "0"                    \
                         : "=r"(res)                                                               \
                         : "r"(a)                                                                  \
                         : "v0");                                                                  \
        return res;                                                                                \
    }
#define TOI4(insn)                                                                                 \
    TOI(insn##_ws, #insn, "s", "w", "w") TOI(insn##_xs, #insn, "s", "w", "x")                      \
    TOI(insn##_wd, #insn, "d", "x", "w") TOI(insn##_xd, #insn, "d", "x", "x")
TOI4(fcvtns) TOI4(fcvtnu) TOI4(fcvtps) TOI4(fcvtpu) TOI4(fcvtms) TOI4(fcvtmu) TOI4(fcvtzs)
TOI4(fcvtzu) TOI4(fcvtas) TOI4(fcvtau)

#define TOFIX(name, insn, sl, sr, ir, fb)                                                          \
    static uint64_t name(uint64_t a)                                                               \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov " sl "0, %" sr "1\n\t" insn " %" ir "0, " sl "0, #" #fb             \
                         : "=r"(res)                                                               \
                         : "r"(a)                                                                  \
                         : "v0");                                                                  \
        return res;                                                                                \
    }
TOFIX(fcvtzs_ws1, "fcvtzs", "s", "w", "w", 1) TOFIX(fcvtzs_ws32, "fcvtzs", "s", "w", "w", 32)
TOFIX(fcvtzu_xs16, "fcvtzu", "s", "w", "x", 16) TOFIX(fcvtzs_xd64, "fcvtzs", "d", "x", "x", 64)
TOFIX(fcvtzu_wd3, "fcvtzu", "d", "x", "w", 3) TOFIX(fcvtzs_xd10, "fcvtzs", "d", "x", "x", 10)

/* Integer to float. */
#define FROMI(name, insn, dl, dr, ir, suffix)                                                      \
    static uint64_t name(uint64_t a)                                                               \
    {                                                                                              \
        uint64_t res = 0;                                                                          \
        __asm__ volatile(insn " " dl "0, %" ir "1" suffix "\n\tfmov %" dr "0, " dl "0"            \
                         : "+r"(res)                                                               \
                         : "r"(a)                                                                  \
                         : "v0");                                                                  \
        return res;                                                                                \
    }
FROMI(scvtf_sw, "scvtf", "s", "w", "w", "") FROMI(scvtf_sx, "scvtf", "s", "w", "x", "")
FROMI(scvtf_dw, "scvtf", "d", "x", "w", "") FROMI(scvtf_dx, "scvtf", "d", "x", "x", "")
FROMI(ucvtf_sw, "ucvtf", "s", "w", "w", "") FROMI(ucvtf_sx, "ucvtf", "s", "w", "x", "")
FROMI(ucvtf_dw, "ucvtf", "d", "x", "w", "") FROMI(ucvtf_dx, "ucvtf", "d", "x", "x", "")
FROMI(scvtf_sw7, "scvtf", "s", "w", "w", ", #7") FROMI(ucvtf_dx64, "ucvtf", "d", "x", "x", ", #64")
FROMI(scvtf_dx33, "scvtf", "d", "x", "x", ", #33") FROMI(ucvtf_sw32, "ucvtf", "s", "w", "w", ", #32")

/* Compares: the NZCV flags. */
#define CMPF(name, insn, r, rr)                                                                    \
    static uint64_t name(uint64_t a, uint64_t b)                                                   \
    {                                                                                              \
        uint64_t res;                                                                              \
        __asm__ volatile("fmov " r "0, %" rr "1\n\tfmov " r "1, %" rr "2\n\t" insn " " r "0, " r  \
                         "1\n\tmrs %0, nzcv"                                                       \
                         : "=r"(res)                                                               \
                         : "r"(a), "r"(b)                                                          \
                         : "v0", "v1", "cc");                                                      \
        return res >> 28;                                                                          \
    }
CMPF(fcmp_s, "fcmp", "s", "w") CMPF(fcmpe_s, "fcmpe", "s", "w")
CMPF(fcmp_d, "fcmp", "d", "x") CMPF(fcmpe_d, "fcmpe", "d", "x")
static uint64_t fcmp0_s(uint64_t a, uint64_t b)
{
    uint64_t res;
    (void)b;
    __asm__ volatile("fmov s0, %w1\n\tfcmpe s0, #0.0\n\tmrs %0, nzcv" : "=r"(res) : "r"(a) : "v0", "cc");
    return res >> 28;
}
static uint64_t fcmp0_d(uint64_t a, uint64_t b)
{
    uint64_t res;
    (void)b;
    __asm__ volatile("fmov d0, %x1\n\tfcmp d0, #0.0\n\tmrs %0, nzcv" : "=r"(res) : "r"(a) : "v0", "cc");
    return res >> 28;
}
/* FCCMP: Z set beforehand (cmp xzr, xzr), condition eq holds; ne does not. */
static uint64_t fccmp_eq_d(uint64_t a, uint64_t b)
{
    uint64_t res;
    __asm__ volatile("fmov d0, %x1\n\tfmov d1, %x2\n\tcmp xzr, xzr\n\tfccmpe d0, d1, #5, eq\n\t"
                     "mrs %0, nzcv"
                     : "=r"(res) : "r"(a), "r"(b) : "v0", "v1", "cc");
    return res >> 28;
}
static uint64_t fccmp_ne_s(uint64_t a, uint64_t b)
{
    uint64_t res;
    __asm__ volatile("fmov s0, %w1\n\tfmov s1, %w2\n\tcmp xzr, xzr\n\tfccmp s0, s1, #9, ne\n\t"
                     "mrs %0, nzcv"
                     : "=r"(res) : "r"(a), "r"(b) : "v0", "v1", "cc");
    return res >> 28;
}
static uint64_t fccmp_eq_s(uint64_t a, uint64_t b)
{
    uint64_t res;
    __asm__ volatile("fmov s0, %w1\n\tfmov s1, %w2\n\tcmp xzr, xzr\n\tfccmp s0, s1, #9, eq\n\t"
                     "mrs %0, nzcv"
                     : "=r"(res) : "r"(a), "r"(b) : "v0", "v1", "cc");
    return res >> 28;
}
/* FCSEL on the flags of an FCMP of the same operands. */
static uint64_t fcsel_gt_d(uint64_t a, uint64_t b)
{
    uint64_t res;
    __asm__ volatile("fmov d0, %x1\n\tfmov d1, %x2\n\tfcmp d0, d1\n\tfcsel d2, d0, d1, gt\n\t"
                     "fmov %x0, d2"
                     : "=r"(res) : "r"(a), "r"(b) : "v0", "v1", "v2", "cc");
    return res;
}
static uint64_t fcsel_vs_s(uint64_t a, uint64_t b)
{
    uint64_t res;
    __asm__ volatile("fmov s0, %w1\n\tfmov s1, %w2\n\tfcmp s0, s1\n\tfcsel s2, s0, s1, vs\n\t"
                     "fmov %w0, s2"
                     : "=r"(res) : "r"(a), "r"(b) : "v0", "v1", "v2", "cc");
    return res;
}

struct op1 { const char *name; uint64_t (*fn)(uint64_t); };
struct op2 { const char *name; uint64_t (*fn)(uint64_t, uint64_t); };
struct op3 { const char *name; uint64_t (*fn)(uint64_t, uint64_t, uint64_t); };

#define P2(n) { #n "_s", n##_s }
#define P2D(n) { #n "_d", n##_d }
static const struct op2 ops2s[] = {
    P2(fadd), P2(fsub), P2(fmul), P2(fdiv), P2(fmax), P2(fmin), P2(fmaxnm), P2(fminnm), P2(fnmul),
    P2(fabd), P2(fmulx), P2(frecps), P2(frsqrts), P2(fcmp), P2(fcmpe), P2(fcmp0), P2(fccmp_ne),
    P2(fccmp_eq), P2(fcsel_vs),
};
static const struct op2 ops2d[] = {
    P2D(fadd), P2D(fsub), P2D(fmul), P2D(fdiv), P2D(fmax), P2D(fmin), P2D(fmaxnm), P2D(fminnm),
    P2D(fnmul), P2D(fabd), P2D(fmulx), P2D(frecps), P2D(frsqrts), P2D(fcmp), P2D(fcmpe),
    P2D(fcmp0), P2D(fccmp_eq), P2D(fcsel_gt),
};
static const struct op3 ops3s[] = { P2(fmadd), P2(fmsub), P2(fnmadd), P2(fnmsub) };
static const struct op3 ops3d[] = { P2D(fmadd), P2D(fmsub), P2D(fnmadd), P2D(fnmsub) };
#define P1(n) { #n, n }
static const struct op1 ops1s[] = {
    P2(fsqrt), P2(fabs), P2(fneg), P2(fmov), P2(frintn), P2(frintp), P2(frintm), P2(frintz),
    P2(frinta), P2(frintx), P2(frinti), P2(frecpe), P2(frsqrte), P2(frecpx), P1(cvt_ds),
    P1(cvt_hs), P1(fcvtns_ws), P1(fcvtns_xs), P1(fcvtnu_ws), P1(fcvtnu_xs), P1(fcvtps_ws),
    P1(fcvtps_xs), P1(fcvtpu_ws), P1(fcvtpu_xs), P1(fcvtms_ws), P1(fcvtms_xs), P1(fcvtmu_ws),
    P1(fcvtmu_xs), P1(fcvtzs_ws), P1(fcvtzs_xs), P1(fcvtzu_ws), P1(fcvtzu_xs), P1(fcvtas_ws),
    P1(fcvtas_xs), P1(fcvtau_ws), P1(fcvtau_xs), P1(fcvtzs_ws1), P1(fcvtzs_ws32),
    P1(fcvtzu_xs16),
};
static const struct op1 ops1d[] = {
    P2D(fsqrt), P2D(fabs), P2D(fneg), P2D(fmov), P2D(frintn), P2D(frintp), P2D(frintm),
    P2D(frintz), P2D(frinta), P2D(frintx), P2D(frinti), P2D(frecpe), P2D(frsqrte), P2D(frecpx),
    P1(cvt_sd), P1(cvt_hd), P1(fcvtxn_s), P1(fcvtns_wd), P1(fcvtns_xd), P1(fcvtnu_wd),
    P1(fcvtnu_xd), P1(fcvtps_wd), P1(fcvtps_xd), P1(fcvtpu_wd), P1(fcvtpu_xd), P1(fcvtms_wd),
    P1(fcvtms_xd), P1(fcvtmu_wd), P1(fcvtmu_xd), P1(fcvtzs_wd), P1(fcvtzs_xd), P1(fcvtzu_wd),
    P1(fcvtzu_xd), P1(fcvtas_wd), P1(fcvtas_xd), P1(fcvtau_wd), P1(fcvtau_xd), P1(fcvtzs_xd64),
    P1(fcvtzu_wd3), P1(fcvtzs_xd10),
};
static const struct op1 ops1h[] = { P1(cvt_sh), P1(cvt_dh) };
/* FJCVTZS (FEAT_JSCVT) as a raw word: fjcvtzs w9, d0; the result and Z in bit 32. */
static uint64_t fjcvtzs(uint64_t a)
{
    uint64_t res, nzcv;
    __asm__ volatile("fmov d0, %x2\n\tmsr nzcv, xzr\n\t.inst 0x1e7e0009\n\tmov %w0, w9\n\t"
                     "mrs %1, nzcv"
                     : "=r"(res), "=r"(nzcv) : "r"(a) : "v0", "x9", "cc");
    return res | (nzcv >> 28) << 32;
}
static const struct op1 ops1j[] = { P1(fjcvtzs) };
/* Alternative half precision (FPCR.AHP), with rounding modes, FZ and DN. */
static const uint64_t ahp_cfgs[] = { 0x4000000, 0x4c00000, 0x7000000, 0x4400000 };
static const struct op1 ops1a[] = { P1(cvt_hs), P1(cvt_hd) };
static const uint64_t ahp_svals[] = {
    0x477fe000, 0x477ff000, 0x47800000, 0x47ffe000, 0x47fff000, 0x48000000, 0x7f800000,
    0xff800000, 0x7fc00001, 0xff800001, 0x38800000, 0x33800000, 0xc7fff001, 0x3f800000,
};
static const uint64_t ahp_dvals[] = {
    0x40effc0000000000ULL, 0x40effe0000000000ULL, 0x40fffe0000000000ULL,
    0x40fffe0000000001ULL, 0x4100000000000000ULL, 0x7ff0000000000000ULL,
    0xfff8000000000000ULL, 0x7ff0000000000001ULL, 0xbff0000000000000ULL,
};
static const uint64_t ahp_hvals[] = { 0x7c00, 0xfc00, 0x7e00, 0x7fff, 0xffff, 0x7c01, 0x3c00, 0x0001 };
static const struct op1 ops1i[] = {
    P1(scvtf_sw), P1(scvtf_sx), P1(scvtf_dw), P1(scvtf_dx), P1(ucvtf_sw), P1(ucvtf_sx),
    P1(ucvtf_dw), P1(ucvtf_dx), P1(scvtf_sw7), P1(ucvtf_dx64), P1(scvtf_dx33), P1(ucvtf_sw32),
};

static void run1c(const struct op1 *ops, size_t nops, const uint64_t *vals, size_t nvals,
                  const uint64_t *cfgs, size_t ncfgs)
{
    for (size_t c = 0; c < ncfgs; c++)
        for (size_t k = 0; k < nops; k++) {
            printf("%s %lx:", ops[k].name, (unsigned long)cfgs[c]);
            for (size_t i = 0; i < nvals; i++) {
                set_fpcr(cfgs[c]);
                clr_fpsr();
                uint64_t r = ops[k].fn(vals[i]);
                unsigned f = fpsr();
                set_fpcr(0);
                printf(" %llx/%x", (unsigned long long)r, f);
            }
            putchar('\n');
        }
}

static void run1(const struct op1 *ops, size_t nops, const uint64_t *vals, size_t nvals)
{
    run1c(ops, nops, vals, nvals, cfgs, N(cfgs));
}

static void run2(const struct op2 *ops, size_t nops, const uint64_t *vals, size_t nvals)
{
    for (size_t c = 0; c < N(cfgs); c++)
        for (size_t k = 0; k < nops; k++)
            for (size_t i = 0; i < nvals; i++) {
                printf("%s %lx %llx:", ops[k].name, (unsigned long)cfgs[c],
                       (unsigned long long)vals[i]);
                for (size_t j = 0; j < nvals; j++) {
                    set_fpcr(cfgs[c]);
                    clr_fpsr();
                    uint64_t r = ops[k].fn(vals[i], vals[j]);
                    unsigned f = fpsr();
                    set_fpcr(0);
                    printf(" %llx/%x", (unsigned long long)r, f);
                }
                putchar('\n');
            }
}

static void run3(const struct op3 *ops, size_t nops, const uint64_t *vals, size_t nvals)
{
    for (size_t c = 0; c < N(cfgs); c++)
        for (size_t k = 0; k < nops; k++)
            for (size_t i = 0; i < nvals; i += 2)
                for (size_t j = 0; j < nvals; j += 3) {
                    printf("%s %lx %llx %llx:", ops[k].name, (unsigned long)cfgs[c],
                           (unsigned long long)vals[i], (unsigned long long)vals[j]);
                    for (size_t l = 0; l < nvals; l++) {
                        set_fpcr(cfgs[c]);
                        clr_fpsr();
                        uint64_t r = ops[k].fn(vals[i], vals[j], vals[l]);
                        unsigned f = fpsr();
                        set_fpcr(0);
                        printf(" %llx/%x", (unsigned long long)r, f);
                    }
                    putchar('\n');
                }
}

/* FMOV immediates, general<->FP moves and the top half. */
static void moves(void)
{
    uint64_t a, b, c, d;
    __asm__ volatile("fmov d0, #-2.5\n\tfmov %x0, d0\n\tfmov s1, #0.125\n\tfmov %w1, s1\n\t"
                     "fmov d2, #31.0\n\tfmov %x2, d2\n\tfmov s3, #-1.0\n\tfmov %w3, s3"
                     : "=r"(a), "=r"(b), "=r"(c), "=r"(d) : : "v0", "v1", "v2", "v3");
    printf("fmov imm %llx %llx %llx %llx\n", (unsigned long long)a, (unsigned long long)b,
           (unsigned long long)c, (unsigned long long)d);
    __asm__ volatile("mov x9, #0x1234\n\tfmov d0, x9\n\tmov x9, #-2\n\tfmov v0.d[1], x9\n\t"
                     "fmov %x0, v0.d[1]\n\tfmov %x1, d0\n\tfmov s0, %w4\n\tfmov %x2, v0.d[1]\n\t"
                     "fmov %w3, s0"
                     : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(0x87654321ULL) : "x9", "v0");
    printf("fmov gen %llx %llx %llx %llx\n", (unsigned long long)a, (unsigned long long)b,
           (unsigned long long)c, (unsigned long long)d);
    __asm__ volatile("movi v0.2d, #-1\n\tfmov s1, #1.0\n\tfmov s0, s1\n\tfmov %x0, v0.d[1]\n\t"
                     "fmov %x1, d0\n\tmovi v2.2d, #-1\n\tfmov s2, %w4\n\tfmov %x2, d2\n\t"
                     "fmov %x3, v2.d[1]"
                     : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(0x12345678ULL) : "v0", "v1", "v2");
    printf("fmov zeroing %llx %llx %llx %llx\n", (unsigned long long)a, (unsigned long long)b,
           (unsigned long long)c, (unsigned long long)d);
}

int main(void)
{
    moves();
    run2(ops2s, N(ops2s), svals, N(svals));
    run2(ops2d, N(ops2d), dvals, N(dvals));
    run3(ops3s, N(ops3s), svals, N(svals));
    run3(ops3d, N(ops3d), dvals, N(dvals));
    run1(ops1s, N(ops1s), svals, N(svals));
    run1(ops1d, N(ops1d), dvals, N(dvals));
    run1(ops1h, N(ops1h), hvals, N(hvals));
    run1(ops1i, N(ops1i), ivals, N(ivals));
    run1(ops1j, N(ops1j), dvals, N(dvals));
    run1c(ops1a, 1, ahp_svals, N(ahp_svals), ahp_cfgs, N(ahp_cfgs));
    run1c(ops1a + 1, 1, ahp_dvals, N(ahp_dvals), ahp_cfgs, N(ahp_cfgs));
    run1c(ops1h, N(ops1h), ahp_hvals, N(ahp_hvals), ahp_cfgs, N(ahp_cfgs));
    return 0;
}
