/* MMX on x86_64, mixed with the x87. The <mmintrin.h>/<xmmintrin.h>/<tmmintrin.h>
 * intrinsics come first (GCC 12 compiles most of them to SSE2 on XMM registers for x86_64,
 * with EMMS for _mm_empty()); then the same operations on the MM registers themselves
 * through inline assembly, register and memory forms; x87 long double arithmetic runs after
 * each _mm_empty()/EMMS (the MM registers are the x87 registers' significands, and EMMS
 * empties the tags), and once without EMMS (the x87 stack is then full: FLD overflows), and
 * FNSAVE shows the x87 state MMX writes leave (TOP 0, exponents 0xffff, tags valid). */
#include <mmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tmmintrin.h>
#include <xmmintrin.h>

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void) {
    seed ^= seed >> 12;
    seed ^= seed << 25;
    seed ^= seed >> 27;
    return seed * 0x2545f4914f6cdd1dull;
}

static uint64_t bits(__m64 v) { return (uint64_t)_mm_cvtm64_si64(v); }
static __m64 m64(uint64_t v) { return _mm_cvtsi64_m64((long long)v); }

static void intrinsics(uint64_t x, uint64_t y) {
    __m64 a = m64(x), b = m64(y);
    __m64 r[] = {
        _mm_add_pi8(a, b),      _mm_adds_pi16(a, b),     _mm_adds_pu8(a, b),
        _mm_sub_pi32(a, b),     _mm_subs_pu16(a, b),     _mm_mullo_pi16(a, b),
        _mm_mulhi_pi16(a, b),   _mm_mulhi_pu16(a, b),    _mm_madd_pi16(a, b),
        _mm_cmpeq_pi8(a, b),    _mm_cmpgt_pi16(a, b),    _mm_and_si64(a, b),
        _mm_andnot_si64(a, b),  _mm_xor_si64(a, b),      _mm_unpackhi_pi8(a, b),
        _mm_unpacklo_pi16(a, b), _mm_packs_pi16(a, b),   _mm_packs_pu16(a, b),
        _mm_packs_pi32(a, b),   _mm_slli_pi16(a, 3),     _mm_srai_pi32(a, 7),
        _mm_srl_si64(a, m64(y & 63)), _mm_avg_pu8(a, b), _mm_max_pi16(a, b),
        _mm_min_pu8(a, b),      _mm_sad_pu8(a, b),       _mm_shuffle_pi16(a, 0x93),
        _mm_insert_pi16(a, (int)y, 1), _mm_shuffle_pi8(a, b), _mm_hadd_pi16(a, b),
        _mm_hsubs_pi16(a, b),   _mm_maddubs_pi16(a, b),  _mm_mulhrs_pi16(a, b),
        _mm_sign_pi8(a, b),     _mm_abs_pi32(a),         _mm_alignr_pi8(a, b, 5),
    };
    printf("intrinsics %016llx %016llx:", (unsigned long long)x, (unsigned long long)y);
    for (unsigned i = 0; i < sizeof r / sizeof r[0]; i++)
        printf("%s%016llx", i % 6 ? " " : "\n ", (unsigned long long)bits(r[i]));
    printf("\n extract %d movemask %d\n", _mm_extract_pi16(a, 2), _mm_movemask_pi8(b));
    __m128 f = _mm_cvtpi32_ps(_mm_set_ps(1.5f, -2.5f, 0, 0), a);
    float out[4];
    _mm_storeu_ps(out, f);
    printf(" cvtpi32_ps %a %a %a %a", out[0], out[1], out[2], out[3]);
    __m128 g = _mm_set_ps(0, 0, (float)(int32_t)y / 7.0f, (float)(int32_t)(y >> 32) * 3.25f);
    printf(" cvtps_pi32 %016llx cvttps_pi32 %016llx\n", (unsigned long long)bits(_mm_cvtps_pi32(g)),
           (unsigned long long)bits(_mm_cvttps_pi32(g)));
    _mm_empty();
}

/* The MMX instructions themselves: `insn %mm1, %mm0` and `insn mem, %mm0`. */
#define MMX_OPS(X)                                                                          \
    X(paddb) X(paddw) X(paddd) X(paddq) X(psubb) X(psubw) X(psubd) X(psubq) X(paddsb)       \
    X(paddsw) X(psubsb) X(psubsw) X(paddusb) X(paddusw) X(psubusb) X(psubusw) X(pcmpeqb)    \
    X(pcmpeqw) X(pcmpeqd) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd) X(pmullw) X(pmulhw) X(pmulhuw)   \
    X(pmuludq) X(pmaddwd) X(pand) X(pandn) X(por) X(pxor) X(punpcklbw) X(punpcklwd)         \
    X(punpckldq) X(punpckhbw) X(punpckhwd) X(punpckhdq) X(packsswb) X(packssdw)             \
    X(packuswb) X(pavgb) X(pavgw) X(pminub) X(pmaxub) X(pminsw) X(pmaxsw) X(psadbw)         \
    X(psllw) X(pslld) X(psllq) X(psrlw) X(psrld) X(psrlq) X(psraw) X(psrad) X(pshufb)       \
    X(phaddw) X(phaddd) X(phaddsw) X(phsubw) X(phsubd) X(phsubsw) X(pmaddubsw) X(pmulhrsw)  \
    X(psignb) X(psignw) X(psignd) X(pabsb) X(pabsw) X(pabsd)

#define DEFINE(op)                                                                          \
    static uint64_t reg_##op(uint64_t a, uint64_t b) {                                      \
        uint64_t r;                                                                         \
        __asm__("movq %1, %%mm0\n\tmovq %2, %%mm1\n\t" #op " %%mm1, %%mm0\n\t"              \
                "movq %%mm0, %0\n\temms"                                                    \
                : "=r"(r) : "r"(a), "r"(b) : "mm0", "mm1");                                 \
        return r;                                                                           \
    }                                                                                       \
    static uint64_t mem_##op(uint64_t a, uint64_t b) {                                      \
        uint64_t r;                                                                         \
        __asm__("movq %1, %%mm0\n\t" #op " %2, %%mm0\n\tmovq %%mm0, %0\n\temms"             \
                : "=r"(r) : "r"(a), "m"(b) : "mm0");                                        \
        return r;                                                                           \
    }
MMX_OPS(DEFINE)

struct op {
    const char *name;
    uint64_t (*reg)(uint64_t, uint64_t);
    uint64_t (*mem)(uint64_t, uint64_t);
};

#define ENTRY(op) {#op, reg_##op, mem_##op},
static const struct op ops[] = {MMX_OPS(ENTRY)};

/* The forms with an immediate, general registers, XMM registers and memory stores. */
static void mmx_others(uint64_t a, uint64_t b) {
    uint64_t r[8];
    uint32_t e[3];
    unsigned char bytes[16];
    memset(bytes, 0x55, sizeof bytes);
    __asm__("movq %[a], %%mm0\n\tmovq %[b], %%mm1\n\t"
            "movq %%mm0, %%mm2\n\tpsllw $5, %%mm2\n\tmovq %%mm2, %[r0]\n\t"
            "movq %%mm0, %%mm2\n\tpsrad $13, %%mm2\n\tmovq %%mm2, %[r1]\n\t"
            "pshufw $0x6c, %%mm1, %%mm2\n\tmovq %%mm2, %[r2]\n\t"
            "movq %%mm0, %%mm2\n\tpalignr $3, %%mm1, %%mm2\n\tmovq %%mm2, %[r3]\n\t"
            "movq %%mm0, %%mm2\n\tpinsrw $2, %k[b], %%mm2\n\tmovq %%mm2, %[r4]\n\t"
            "pextrw $3, %%mm0, %[e0]\n\tpmovmskb %%mm1, %[e1]\n\tmovd %%mm1, %[e2]\n\t"
            "movq2dq %%mm0, %%xmm3\n\tmovq %%xmm3, %[r5]\n\t"
            "movdq2q %%xmm3, %%mm4\n\tpsubb %%mm1, %%mm4\n\tmovq %%mm4, %[r6]\n\t"
            "movd %k[b], %%mm5\n\tmovq %%mm5, %[r7]\n\t"
            "movntq %%mm0, (%[p])\n\tmaskmovq %%mm1, %%mm0\n\t"
            "emms"
            : [r0] "=m"(r[0]), [r1] "=m"(r[1]), [r2] "=m"(r[2]), [r3] "=m"(r[3]),
              [r4] "=m"(r[4]), [r5] "=m"(r[5]), [r6] "=m"(r[6]), [r7] "=m"(r[7]),
              [e0] "=r"(e[0]), [e1] "=r"(e[1]), [e2] "=r"(e[2])
            : [a] "r"(a), [b] "r"(b), [p] "r"(bytes + 8), "D"(bytes)
            : "mm0", "mm1", "mm2", "mm4", "mm5", "xmm3", "memory");
    printf(" others");
    for (int i = 0; i < 8; i++)
        printf(" %016llx", (unsigned long long)r[i]);
    printf(" %x %x %x bytes", e[0], e[1], e[2]);
    for (int i = 0; i < 16; i++)
        printf("%02x", bytes[i]);
    printf("\n");
}

/* CVTPI2PS/CVTPI2PD from an MM register, CVT(T)PS2PI/CVT(T)PD2PI to one. */
static void mmx_conversions(uint64_t a) {
    float f[4] = {1.25f, -3.5f, 7.0f, 9.0f};
    double d[2] = {(double)(int32_t)a / 3.0, -2.5e9};
    double pd[2];
    uint64_t r[4];
    __asm__("movq %[a], %%mm0\n\tmovups %[f], %%xmm1\n\tcvtpi2ps %%mm0, %%xmm1\n\t"
            "movups %%xmm1, %[f]\n\tcvtpi2pd %%mm0, %%xmm2\n\tmovupd %%xmm2, %[pd]\n\t"
            "cvtps2pi %%xmm1, %%mm1\n\tmovq %%mm1, %[r0]\n\t"
            "cvttps2pi %%xmm1, %%mm1\n\tmovq %%mm1, %[r1]\n\t"
            "movupd %[d], %%xmm3\n\tcvtpd2pi %%xmm3, %%mm2\n\tmovq %%mm2, %[r2]\n\t"
            "cvttpd2pi %%xmm3, %%mm2\n\tmovq %%mm2, %[r3]\n\temms"
            : [f] "+m"(f), [pd] "=m"(pd), [r0] "=m"(r[0]), [r1] "=m"(r[1]), [r2] "=m"(r[2]),
              [r3] "=m"(r[3])
            : [a] "r"(a), [d] "m"(d)
            : "mm0", "mm1", "mm2", "xmm1", "xmm2", "xmm3");
    printf(" cvt %a %a %a %a %a %a %016llx %016llx %016llx %016llx\n", f[0], f[1], f[2], f[3],
           pd[0], pd[1], (unsigned long long)r[0], (unsigned long long)r[1],
           (unsigned long long)r[2], (unsigned long long)r[3]);
}

/* x87 arithmetic on `v`, after EMMS. */
static void x87(uint64_t v) {
    volatile long double x = (long double)(int64_t)v / 3.0L;
    long double y = x * x + 1.5L;
    printf(" x87 %.21Lg %.21Lg\n", y, x / (y - 1.0L));
}

/* FLD with all tags valid (an MMX instruction and no EMMS): stack overflow, the QNaN
 * indefinite; then FNSAVE after writes to all eight MM registers. */
static void x87_state(uint64_t v) {
    unsigned short sw;
    unsigned char st[10], image[108];
    __asm__ volatile("movq %[v], %%mm3\n\tfld1\n\tfnstsw %[sw]\n\tfstpt %[st]\n\temms"
                     : [sw] "=m"(sw), [st] "=m"(st)
                     : [v] "r"(v)
                     : "mm3");
    printf(" overflow sw %04x st", sw);
    for (int i = 9; i >= 0; i--)
        printf("%02x", st[i]);
    __asm__ volatile("fninit\n\tmovq %[v], %%mm0\n\tmovq %%mm0, %%mm1\n\tpaddb %%mm1, %%mm1\n\t"
                     "movq %%mm1, %%mm2\n\tmovq %%mm1, %%mm3\n\tpsrlq $1, %%mm3\n\t"
                     "movq %%mm3, %%mm4\n\tmovq %%mm3, %%mm5\n\tmovq %%mm3, %%mm6\n\t"
                     "pxor %%mm7, %%mm7\n\tfnsave %[image]\n\tfninit"
                     : [image] "=m"(image)
                     : [v] "r"(v)
                     : "mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7");
    /* Control, status and tag words, then the eight 10-byte registers (not the pointers). */
    printf("\n fnsave cw %02x%02x sw %02x%02x tw %02x%02x\n ", image[1], image[0], image[5],
           image[4], image[9], image[8]);
    for (int i = 28; i < 108; i++)
        printf("%02x%s", image[i], (i - 27) % 10 ? "" : " ");
    printf("\n");
}

int main(void) {
    for (int round = 0; round < 6; round++) {
        uint64_t a = rnd(), b = rnd();
        if (round == 1)
            b &= 0x1f; /* in-range shift counts */
        if (round == 2)
            a = 0x8000800080008000ull, b = 0x7fff7fff80018001ull;
        intrinsics(a, b);
        x87(a);
        printf("mmx %016llx %016llx:", (unsigned long long)a, (unsigned long long)b);
        for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            uint64_t r = ops[i].reg(a, b), m = ops[i].mem(a, b);
            printf("%s%s %016llx", i % 4 ? " " : "\n ", ops[i].name, (unsigned long long)r);
            if (m != r)
                printf(" memory form %016llx", (unsigned long long)m);
        }
        printf("\n");
        mmx_others(a, b);
        mmx_conversions(a);
        x87(b);
        x87_state(a);
        x87(a ^ b);
    }
    return 0;
}
