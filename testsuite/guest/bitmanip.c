/* bitmanip: popcount, clz, ctz, bswap, rotates, bit set/clear/test, min/max, zero-extension
 * patterns. Built twice: for rv64gc (library/shift sequences) and, as bitmanip_zbb, with
 * -march=rv64gc_zba_zbb_zbs so the compiler emits Zba/Zbb/Zbs instructions. */
#include <stdint.h>
#include <stdio.h>

static volatile uint64_t sink;
static uint64_t opaque(uint64_t v) { sink = v; return sink; }

static uint64_t rotl64(uint64_t x, unsigned r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }
static uint64_t rotr64(uint64_t x, unsigned r) { return (x >> (r & 63)) | (x << ((64 - r) & 63)); }
static uint32_t rotl32(uint32_t x, unsigned r) { return (x << (r & 31)) | (x >> ((32 - r) & 31)); }
static uint32_t rotr32(uint32_t x, unsigned r) { return (x >> (r & 31)) | (x << ((32 - r) & 31)); }

static const uint64_t values[] = {
    0, 1, 2, 3, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
    0x123456789abcdef0ULL, 0x8000000000000000ULL, 0xffffffffffffffffULL, 0x5555555555555555ULL,
    0xaaaaaaaaaaaaaaaaULL, 0x0f0f0f0f0f0f0f0fULL, 0xdeadbeefcafebabeULL, 0x0000100000000000ULL,
};
#define NVALUES (sizeof values / sizeof values[0])

static void test_counts(void)
{
    puts("counts: popc clz ctz popc32 clz32 ctz32 clrsb parity");
    for (size_t i = 0; i < NVALUES; i++) {
        uint64_t v = opaque(values[i]);
        uint32_t w = (uint32_t)v;
        int clz = v ? __builtin_clzll(v) : 64, ctz = v ? __builtin_ctzll(v) : 64;
        int clz32 = w ? __builtin_clz(w) : 32, ctz32 = w ? __builtin_ctz(w) : 32;
        printf(" %016llx: %d %d %d %d %d %d %d %d\n", (unsigned long long)v, __builtin_popcountll(v), clz,
               ctz, __builtin_popcount(w), clz32, ctz32, __builtin_clrsbll((long long)v),
               __builtin_parityll(v));
    }
}

static void test_swaps_rotates(void)
{
    puts("bswap/rotate:");
    for (size_t i = 0; i < NVALUES; i++) {
        uint64_t v = opaque(values[i]);
        uint32_t w = (uint32_t)v;
        printf(" %016llx: bswap64=%016llx bswap32=%08x bswap16=%04x\n", (unsigned long long)v,
               (unsigned long long)__builtin_bswap64(v), __builtin_bswap32(w),
               __builtin_bswap16((uint16_t)w));
        for (unsigned r = 0; r < 64; r += 21) {
            unsigned rr = (unsigned)opaque(r);
            printf("  r%u: rol=%016llx ror=%016llx rol32=%08x ror32=%08x\n", r,
                   (unsigned long long)rotl64(v, rr), (unsigned long long)rotr64(v, rr), rotl32(w, rr),
                   rotr32(w, rr));
        }
    }
}

static void test_single_bits(void)
{
    puts("single bits:");
    uint64_t acc = 0;
    for (unsigned b = 0; b < 64; b += 3) {
        unsigned bb = (unsigned)opaque(b);
        uint64_t v = opaque(0x0123456789abcdefULL);
        uint64_t set = v | (1ULL << bb), clr = v & ~(1ULL << bb), inv = v ^ (1ULL << bb);
        unsigned ext = (unsigned)((v >> bb) & 1);
        acc = acc * 31 + set + clr * 3 + inv * 7 + ext;
        printf(" b%u: %016llx %016llx %016llx %u\n", b, (unsigned long long)set, (unsigned long long)clr,
               (unsigned long long)inv, ext);
    }
    printf(" acc=%016llx\n", (unsigned long long)acc);
}

static void test_logic_minmax(void)
{
    puts("andn/orn/xnor/min/max/sext/zext:");
    for (size_t i = 0; i + 1 < NVALUES; i++) {
        uint64_t a = opaque(values[i]), b = opaque(values[i + 1] * 0x9e3779b97f4a7c15ULL);
        int64_t sa = (int64_t)a, sb = (int64_t)b;
        printf(" %016llx %016llx %016llx | %lld %lld %016llx %016llx | %lld %lld %llu\n",
               (unsigned long long)(a & ~b), (unsigned long long)(a | ~b), (unsigned long long)~(a ^ b),
               (long long)(sa < sb ? sa : sb), (long long)(sa > sb ? sa : sb),
               (unsigned long long)(a < b ? a : b), (unsigned long long)(a > b ? a : b),
               (long long)(int8_t)a, (long long)(int16_t)a, (unsigned long long)(uint16_t)a);
    }
}

/* Address arithmetic in the shape Zba targets (sh1add/sh2add/sh3add, add.uw). */
static uint64_t table[64];
static uint64_t index_sum(const uint32_t *idx, int n)
{
    uint64_t s = 0;
    for (int i = 0; i < n; i++)
        s += table[idx[i] & 63] + ((uint64_t)idx[i] << 1) + ((uint64_t)idx[i] << 2);
    return s;
}

static void test_zba_shapes(void)
{
    uint32_t idx[32];
    for (int i = 0; i < 64; i++)
        table[i] = (uint64_t)i * i * 1234567u;
    for (int i = 0; i < 32; i++)
        idx[i] = (uint32_t)opaque((uint64_t)i * 2654435761u);
    printf("zba sum = %llu\n", (unsigned long long)index_sum(idx, 32));
    uint32_t u = (uint32_t)opaque(0xfffffff0u);
    uint64_t base = opaque(0x1000);
    printf("add.uw = %llx slli.uw = %llx\n", (unsigned long long)(base + (uint64_t)u),
           (unsigned long long)((uint64_t)u << 3));
}

int main(void)
{
    test_counts();
    test_swaps_rotates();
    test_single_bits();
    test_logic_minmax();
    test_zba_shapes();
    return 0;
}
