/* SSE3, SSSE3, SSE4.1 and SSE4.2 through the compiler intrinsics, on pseudo-random vectors
 * (with NaNs, infinities, denormals and signed zeros for floating point), under every
 * rounding mode; each group prints a hash of its results and a few sample values. */
#include <fenv.h>
#include <math.h>
#include <nmmintrin.h>
#include <pmmintrin.h>
#include <smmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tmmintrin.h>

static uint64_t seed = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    seed ^= seed >> 12; seed ^= seed << 25; seed ^= seed >> 27;
    return seed * 0x2545f4914f6cdd1dull;
}
static __m128i rand_i(void) {
    uint64_t v[2] = {next(), next()};
    if (next() % 4 == 0) v[0] &= 0x00ff00ff80807f7full;
    __m128i r; memcpy(&r, v, 16); return r;
}
static float rand_f(void) {
    static const uint32_t special[] = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                      0x7f800001, 1, 0x807fffff, 0x3f800000, 0x3fc00000,
                                      0x4b000001, 0xbf000000};
    uint32_t b = next() % 3 == 0 ? special[next() % 12] : (uint32_t)(next() % 0x4e000000u) ^ (uint32_t)(next() & 0x80000000u);
    float f; memcpy(&f, &b, 4); return f;
}
static double rand_d(void) {
    static const uint64_t special[] = {0, 0x8000000000000000ull, 0x7ff0000000000000ull,
                                      0x7ff8000000000000ull, 0x7ff0000000000001ull, 1,
                                      0x3ff0000000000000ull, 0x3ff8000000000000ull,
                                      0x4330000000000001ull, 0xbfe0000000000000ull};
    uint64_t b = next() % 3 == 0 ? special[next() % 10] : (next() % 0x4400000000000000ull) ^ (next() & 0x8000000000000000ull);
    double d; memcpy(&d, &b, 8); return d;
}
static __m128 rand_ps(void) { return _mm_setr_ps(rand_f(), rand_f(), rand_f(), rand_f()); }
static __m128d rand_pd(void) { return _mm_setr_pd(rand_d(), rand_d()); }

static uint64_t h;
static void mix(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
}
#define MIX(v) do { __typeof__(v) t_ = (v); mix(&t_, sizeof t_); } while (0)
static void show(const char *name, __m128i v) {
    uint64_t x[2]; memcpy(x, &v, 16);
    printf("%-10s %016llx%016llx\n", name, (unsigned long long)x[1], (unsigned long long)x[0]);
}
static void done(const char *group) { printf("%-10s hash %016llx\n", group, (unsigned long long)h); h = 0xcbf29ce484222325ull; }

static void ssse3(void) {
    for (int i = 0; i < 300; i++) {
        __m128i a = rand_i(), b = rand_i();
        MIX(_mm_shuffle_epi8(a, b)); MIX(_mm_hadd_epi16(a, b)); MIX(_mm_hadd_epi32(a, b));
        MIX(_mm_hadds_epi16(a, b)); MIX(_mm_hsub_epi16(a, b)); MIX(_mm_hsub_epi32(a, b));
        MIX(_mm_hsubs_epi16(a, b)); MIX(_mm_maddubs_epi16(a, b)); MIX(_mm_mulhrs_epi16(a, b));
        MIX(_mm_sign_epi8(a, b)); MIX(_mm_sign_epi16(a, b)); MIX(_mm_sign_epi32(a, b));
        MIX(_mm_abs_epi8(a)); MIX(_mm_abs_epi16(a)); MIX(_mm_abs_epi32(a));
        MIX(_mm_alignr_epi8(a, b, 0)); MIX(_mm_alignr_epi8(a, b, 5));
        MIX(_mm_alignr_epi8(a, b, 16)); MIX(_mm_alignr_epi8(a, b, 27));
        if (i == 0) { show("pshufb", _mm_shuffle_epi8(a, b)); show("pmaddubsw", _mm_maddubs_epi16(a, b)); }
    }
    done("ssse3");
}

static void sse41_int(void) {
    for (int i = 0; i < 300; i++) {
        __m128i a = rand_i(), b = rand_i(), m = rand_i();
        MIX(_mm_blendv_epi8(a, b, m)); MIX(_mm_blend_epi16(a, b, 0x5a));
        MIX(_mm_cvtepi8_epi16(a)); MIX(_mm_cvtepi8_epi32(a)); MIX(_mm_cvtepi8_epi64(a));
        MIX(_mm_cvtepi16_epi32(a)); MIX(_mm_cvtepi16_epi64(a)); MIX(_mm_cvtepi32_epi64(a));
        MIX(_mm_cvtepu8_epi16(a)); MIX(_mm_cvtepu8_epi32(a)); MIX(_mm_cvtepu8_epi64(a));
        MIX(_mm_cvtepu16_epi32(a)); MIX(_mm_cvtepu16_epi64(a)); MIX(_mm_cvtepu32_epi64(a));
        MIX(_mm_min_epi8(a, b)); MIX(_mm_min_epi32(a, b)); MIX(_mm_min_epu16(a, b)); MIX(_mm_min_epu32(a, b));
        MIX(_mm_max_epi8(a, b)); MIX(_mm_max_epi32(a, b)); MIX(_mm_max_epu16(a, b)); MIX(_mm_max_epu32(a, b));
        MIX(_mm_mullo_epi32(a, b)); MIX(_mm_mul_epi32(a, b)); MIX(_mm_cmpeq_epi64(a, b));
        MIX(_mm_cmpeq_epi64(a, a)); MIX(_mm_packus_epi32(a, b)); MIX(_mm_cmpgt_epi64(a, b));
        MIX(_mm_mpsadbw_epu8(a, b, 0)); MIX(_mm_mpsadbw_epu8(a, b, 5)); MIX(_mm_minpos_epu16(a));
        MIX(_mm_testz_si128(a, b)); MIX(_mm_testc_si128(a, b)); MIX(_mm_testnzc_si128(a, b));
        MIX(_mm_testz_si128(a, _mm_andnot_si128(a, b)));
        MIX(_mm_extract_epi8(a, 13)); MIX(_mm_extract_epi32(a, 2)); MIX(_mm_extract_epi64(a, 1));
        MIX(_mm_insert_epi8(a, (int)next(), 9)); MIX(_mm_insert_epi32(a, (int)next(), 3));
        MIX(_mm_insert_epi64(a, (long long)next(), 0));
        if (i == 0) { show("mpsadbw", _mm_mpsadbw_epu8(a, b, 6)); show("minpos", _mm_minpos_epu16(a)); }
    }
    /* Extracts to memory and narrow loads. */
    unsigned char buf[32];
    for (int i = 0; i < 32; i++) buf[i] = (unsigned char)(i * 37 + 11);
    __m128i v = rand_i();
    *(int8_t *)&buf[1] = (int8_t)_mm_extract_epi8(v, 7);
    *(int16_t *)&buf[3] = (int16_t)_mm_extract_epi16(v, 5);
    mix(buf, sizeof buf);
    short w; memcpy(&w, &buf[5], 2);
    MIX(_mm_cvtepi8_epi64(_mm_cvtsi32_si128(w)));
    done("sse41int");
}

static void fp(void) {
    static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    for (int r = 0; r < 4; r++) {
        fesetround(modes[r]);
        feclearexcept(FE_ALL_EXCEPT);
        for (int i = 0; i < 300; i++) {
            __m128 a = rand_ps(), b = rand_ps();
            __m128d c = rand_pd(), d = rand_pd();
            MIX(_mm_addsub_ps(a, b)); MIX(_mm_addsub_pd(c, d));
            MIX(_mm_hadd_ps(a, b)); MIX(_mm_hadd_pd(c, d)); MIX(_mm_hsub_ps(a, b)); MIX(_mm_hsub_pd(c, d));
            MIX(_mm_movedup_pd(c)); MIX(_mm_movehdup_ps(a)); MIX(_mm_moveldup_ps(a));
            MIX(_mm_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
            MIX(_mm_round_ps(a, _MM_FROUND_TO_NEG_INF)); MIX(_mm_round_pd(c, _MM_FROUND_TO_POS_INF));
            MIX(_mm_round_pd(c, _MM_FROUND_TO_ZERO)); MIX(_mm_round_ps(a, _MM_FROUND_CUR_DIRECTION));
            MIX(_mm_round_ss(a, b, _MM_FROUND_CUR_DIRECTION)); MIX(_mm_round_sd(c, d, _MM_FROUND_TO_NEAREST_INT));
            MIX(_mm_floor_ps(a)); MIX(_mm_ceil_pd(c));
            MIX(_mm_dp_ps(a, b, 0xff)); MIX(_mm_dp_ps(a, b, 0x71)); MIX(_mm_dp_ps(a, b, 0xa6));
            MIX(_mm_dp_pd(c, d, 0x33)); MIX(_mm_dp_pd(c, d, 0x12));
            MIX(_mm_blend_ps(a, b, 6)); MIX(_mm_blend_pd(c, d, 1));
            MIX(_mm_blendv_ps(a, b, _mm_castsi128_ps(rand_i()))); MIX(_mm_blendv_pd(c, d, _mm_castsi128_pd(rand_i())));
            MIX(_mm_insert_ps(a, b, 0x9d)); MIX(_mm_insert_ps(a, b, 0x30)); MIX(_mm_extract_ps(a, 3));
        }
        MIX(fetestexcept(FE_INVALID | FE_INEXACT | FE_OVERFLOW | FE_UNDERFLOW | FE_DIVBYZERO));
        __m128 x = _mm_setr_ps(1.5f, -2.5f, 0.1f, 3.0f);
        __asm__ volatile("" : "+x"(x));
        __m128 y = _mm_dp_ps(x, x, 0xf1);
        printf("rc%d round %g %g dp %.9g\n", r, _mm_cvtss_f32(_mm_round_ps(x, _MM_FROUND_CUR_DIRECTION)),
               _mm_cvtss_f32(_mm_round_ss(x, _mm_shuffle_ps(x, x, 1), _MM_FROUND_CUR_DIRECTION)),
               _mm_cvtss_f32(y));
    }
    fesetround(FE_TONEAREST);
    done("fp");
}

/* Every PCMPxSTRx mode the compiler can see, on strings with NULs and explicit lengths. */
#define MODES(X) X(0x00) X(0x01) X(0x02) X(0x03) X(0x04) X(0x05) X(0x06) X(0x07) \
    X(0x08) X(0x09) X(0x0a) X(0x0b) X(0x0c) X(0x0d) X(0x0e) X(0x0f) X(0x10) X(0x14) \
    X(0x18) X(0x1c) X(0x30) X(0x34) X(0x38) X(0x3c) X(0x40) X(0x44) X(0x48) X(0x4c) \
    X(0x70) X(0x74) X(0x78) X(0x7d) X(0x3a) X(0x1b)
static void sse42(void) {
    static const char alphabet[] = "abcAZ09\x80\xff\0";
    for (int i = 0; i < 400; i++) {
        char s1[16], s2[16];
        for (int k = 0; k < 16; k++) {
            s1[k] = alphabet[next() % 10];
            s2[k] = alphabet[next() % 10];
        }
        if (i % 5 == 0) memcpy(s1, "AZaz09\x01\x7f", 8);
        __m128i a = _mm_loadu_si128((const __m128i *)s1), b = _mm_loadu_si128((const __m128i *)s2);
        int la = (int)(next() % 41) - 20, lb = (int)(next() % 41) - 20;
#define X(m) MIX(_mm_cmpistri(a, b, m)); MIX(_mm_cmpistrm(a, b, m)); \
        MIX(_mm_cmpestri(a, la, b, lb, m)); MIX(_mm_cmpestrm(a, la, b, lb, m)); \
        MIX(_mm_cmpistrc(a, b, m)); MIX(_mm_cmpistrz(a, b, m)); MIX(_mm_cmpistrs(a, b, m)); \
        MIX(_mm_cmpistro(a, b, m)); MIX(_mm_cmpestra(a, la, b, lb, m)); MIX(_mm_cmpestrc(a, la, b, lb, m));
        MODES(X)
#undef X
        uint32_t crc = (uint32_t)next();
        crc = _mm_crc32_u8(crc, (unsigned char)i); crc = _mm_crc32_u16(crc, (unsigned short)next());
        crc = _mm_crc32_u32(crc, (unsigned)next());
        uint64_t crc64 = _mm_crc32_u64(crc, next());
        MIX(crc); MIX(crc64);
        MIX(_mm_popcnt_u64(next())); MIX(_mm_popcnt_u32((unsigned)next()));
    }
    const char *text = "The quick brown fox jumps over the lazy dog";
    uint32_t crc = 0xffffffff;
    for (const char *p = text; *p; p++) crc = _mm_crc32_u8(crc, (unsigned char)*p);
    printf("crc32c %08x\n", ~crc);
    __m128i hay = _mm_loadu_si128((const __m128i *)"hello, world!!!"), set = _mm_setr_epi8(',', ' ', '!', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    printf("first-of %d last-of %d\n", _mm_cmpistri(set, hay, _SIDD_CMP_EQUAL_ANY),
           _mm_cmpistri(set, hay, _SIDD_CMP_EQUAL_ANY | _SIDD_MOST_SIGNIFICANT));
    done("sse42");
}

int main(void) {
    h = 0xcbf29ce484222325ull;
    ssse3();
    sse41_int();
    fp();
    sse42();
    return 0;
}
