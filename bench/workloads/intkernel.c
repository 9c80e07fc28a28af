/* intkernel: integer throughput — table-driven CRC-32 and a 64-bit multiply-xorshift hash over
 * a 64 KiB buffer, many passes. */
#include <stdint.h>
#include <stdio.h>

static uint32_t crc_table[256];
static uint8_t buf[65536];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
        crc_table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint64_t hash64(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t w = (uint64_t)p[i] | (uint64_t)p[i + 1] << 8 | (uint64_t)p[i + 2] << 16 | (uint64_t)p[i + 3] << 24 |
                     (uint64_t)p[i + 4] << 32 | (uint64_t)p[i + 5] << 40 | (uint64_t)p[i + 6] << 48 |
                     (uint64_t)p[i + 7] << 56;
        h ^= w * 0x9e3779b97f4a7c15ULL;
        h = (h << 31 | h >> 33) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
    }
    return h;
}

int main(void)
{
    make_table();
    uint32_t x = 1;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1664525u + 1013904223u;
        buf[i] = (uint8_t)(x >> 24);
    }
    uint32_t crc = 0;
    uint64_t h = 0;
    for (int pass = 0; pass < 2600; pass++) {
        crc = crc32(crc, buf, sizeof buf);
        h = hash64(h + (uint64_t)pass, buf, sizeof buf);
        buf[pass] ^= (uint8_t)crc;
    }
    printf("intkernel: crc=%08x hash=%016llx\n", crc, (unsigned long long)h);
    return 0;
}
