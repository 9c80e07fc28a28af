/* compress: an LZ77 compressor with hash-chain match search and Elias-gamma bit packing of the
 * tokens, then the decompressor, over a generated text-like buffer (repeated words with noise);
 * the round trip is checked and the compressed size and a checksum printed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SIZE (1 << 20)
#define WINDOW (1 << 15)
#define HBITS 15
#define MAX_CHAIN 24
#define MIN_MATCH 3
#define ROUNDS 8
#define MAX_MATCH 258

static uint8_t input[SIZE], output[SIZE * 2], restored[SIZE];
static int32_t head[1 << HBITS], prev[WINDOW];

struct bits { uint8_t *p; uint64_t acc; int n; };

static void put(struct bits *w, uint32_t v, int n)
{
    w->acc |= (uint64_t)v << w->n;
    w->n += n;
    while (w->n >= 8) {
        *w->p++ = (uint8_t)w->acc;
        w->acc >>= 8;
        w->n -= 8;
    }
}

/* Elias gamma of v >= 1: (bits-1) zeros, then v's bits from the top. */
static void put_gamma(struct bits *w, uint32_t v)
{
    int len = 32 - __builtin_clz(v);
    put(w, 0, len - 1);
    for (int i = len - 1; i >= 0; i--)
        put(w, (v >> i) & 1, 1);
}

static uint32_t get(struct bits *r, int n)
{
    while (r->n < n) {
        r->acc |= (uint64_t)*r->p++ << r->n;
        r->n += 8;
    }
    uint32_t v = (uint32_t)(r->acc & ((1ull << n) - 1));
    r->acc >>= n;
    r->n -= n;
    return v;
}

static uint32_t get_gamma(struct bits *r)
{
    int zeros = 0;
    while (get(r, 1) == 0)
        zeros++;
    uint32_t v = 1;
    while (zeros--)
        v = v << 1 | get(r, 1);
    return v;
}

static uint32_t hash3(const uint8_t *p) { return ((uint32_t)p[0] << 16 | p[1] << 8 | p[2]) * 2654435761u >> (32 - HBITS); }

static size_t compress(const uint8_t *in, size_t n, uint8_t *out)
{
    struct bits w = { out, 0, 0 };
    memset(head, -1, sizeof head);
    size_t i = 0;
    while (i < n) {
        int best_len = 0, best_dist = 0;
        if (i + MIN_MATCH <= n) {
            uint32_t h = hash3(in + i);
            int32_t cand = head[h];
            for (int chain = 0; cand >= 0 && i - (size_t)cand < WINDOW && chain < MAX_CHAIN; chain++) {
                size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH;
                size_t len = 0;
                while (len < max && in[cand + len] == in[i + len])
                    len++;
                if ((int)len > best_len) {
                    best_len = (int)len;
                    best_dist = (int)(i - (size_t)cand);
                }
                cand = prev[cand % WINDOW];
            }
            prev[i % WINDOW] = head[h];
            head[h] = (int32_t)i;
        }
        if (best_len >= MIN_MATCH) {
            put(&w, 1, 1);
            put_gamma(&w, (uint32_t)(best_len - MIN_MATCH + 1));
            put_gamma(&w, (uint32_t)best_dist);
            for (size_t k = i + 1; k < i + (size_t)best_len && k + MIN_MATCH <= n; k++) {
                uint32_t h = hash3(in + k);
                prev[k % WINDOW] = head[h];
                head[h] = (int32_t)k;
            }
            i += (size_t)best_len;
        } else {
            put(&w, 0, 1);
            put(&w, in[i], 8);
            i++;
        }
    }
    put(&w, 0, 7);
    return (size_t)(w.p - out);
}

static void decompress(const uint8_t *in, uint8_t *out, size_t n)
{
    struct bits r = { (uint8_t *)in, 0, 0 };
    size_t o = 0;
    while (o < n) {
        if (get(&r, 1)) {
            uint32_t len = get_gamma(&r) + MIN_MATCH - 1;
            uint32_t dist = get_gamma(&r);
            for (uint32_t k = 0; k < len; k++, o++)
                out[o] = out[o - dist];
        } else {
            out[o++] = (uint8_t)get(&r, 8);
        }
    }
}

static const char *const words[] = { "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ",
                                     "pack ", "my ", "box ", "with ", "five ", "dozen ", "liquor ", "jugs ",
                                     "\n", ", ", ". ", "emulator ", "translation ", "block " };

int main(void)
{
    uint32_t s = 2463534242u;
    size_t i = 0;
    while (i < SIZE) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        const char *w = words[s % (sizeof words / sizeof words[0])];
        if ((s >> 10) % 16 == 0)
            input[i++] = (uint8_t)(s >> 20);
        for (; *w && i < SIZE; w++)
            input[i++] = (uint8_t)*w;
    }
    size_t total = 0;
    uint32_t check = 0;
    for (int round = 0; round < ROUNDS; round++) {
        input[round * 1000] ^= 0x55;
        size_t clen = compress(input, SIZE, output);
        decompress(output, restored, SIZE);
        if (memcmp(input, restored, SIZE) != 0) {
            puts("compress: round trip failed");
            return 1;
        }
        total += clen;
        for (size_t k = 0; k < clen; k++)
            check = check * 31 + output[k];
    }
    printf("compress: %zu bytes -> %zu, check %08x\n", (size_t)SIZE, total / ROUNDS, check);
    return 0;
}
