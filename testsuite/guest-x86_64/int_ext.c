/* Integer instruction-set extensions through compiler intrinsics and inline assembly:
 * BMI1, BMI2, ADX, MOVBE, LZCNT/TZCNT/POPCNT, CMPXCHG16B, RCL/RCR, LOOP, XLATB, CPUID. */
#include <immintrin.h>
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t state = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dULL;
}

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ULL; }

static uint64_t rcl(uint64_t v, uint8_t n, int carry) {
    __asm__("bt $0, %k2\n\trclq %%cl, %0" : "+r"(v) : "c"(n), "r"(carry) : "cc");
    return v;
}
static uint32_t rcr32(uint32_t v, uint8_t n, int carry) {
    __asm__("bt $0, %k2\n\trcrl %%cl, %0" : "+r"(v) : "c"(n), "r"(carry) : "cc");
    return v;
}

int main(void) {
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    printf("bmi1=%u bmi2=%u adx=%u\n", (b >> 3) & 1, (b >> 8) & 1, (b >> 19) & 1);
    uint64_t h = 0;
    for (int i = 0; i < 2000; i++) {
        uint64_t x = next(), y = next(), z = next();
        if (i % 7 == 0) x &= 0xff00ff;
        h = mix(h, _pdep_u64(x, y));
        h = mix(h, _pext_u64(x, y));
        h = mix(h, _bzhi_u64(x, z & 0xff));
        h = mix(h, _andn_u64(x, y));
        h = mix(h, _bextr_u64(x, z & 63, (z >> 8) & 63));
        h = mix(h, _blsi_u64(x) ^ _blsr_u64(y) ^ _blsmsk_u64(z));
        h = mix(h, _lzcnt_u64(x & y) + 64 * _tzcnt_u64(x & z) + 4096 * _mm_popcnt_u64(y));
        unsigned long long hi, lo = _mulx_u64(x, y, &hi);
        h = mix(h, lo ^ hi);
        unsigned long long sum;
        unsigned char carry = _addcarryx_u64(i & 1, x, y, &sum);
        h = mix(h, sum + carry);
        h = mix(h, rcl(x, (uint8_t)z, (int)(y & 1)));
        h = mix(h, rcr32((uint32_t)x, (uint8_t)(z >> 8), (int)(y >> 1 & 1)));
        uint64_t be;
        memcpy(&be, &x, 8);
        h = mix(h, __builtin_bswap64(be));
    }
    printf("hash %016llx\n", (unsigned long long)h);

    __int128 slot = ((__int128)7 << 64) | 9, expected = slot;
    int ok1 = __sync_bool_compare_and_swap(&slot, expected, (__int128)42);
    int ok2 = __sync_bool_compare_and_swap(&slot, expected, (__int128)43);
    printf("cx16 %d %d %lld\n", ok1, ok2, (long long)slot);

    static const unsigned char table[256] = {[0] = 1, [5] = 55, [200] = 99, [255] = 7};
    unsigned long sumx = 0;
    for (int i = 0; i < 256; i += 5) {
        unsigned long r = i;
        __asm__("xlatb" : "+a"(r) : "b"(table));
        sumx += r & 0xff;
    }
    unsigned long n = 10, acc = 0;
    __asm__("1: add %%rcx, %0\n\tloop 1b" : "+r"(acc), "+c"(n) :: "cc");
    printf("xlat %lu loop %lu\n", sumx, acc);
    return 0;
}
