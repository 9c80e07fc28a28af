/* memory: memory-bound code — a byte sieve over 8 MB and pointer chasing through a randomly
 * permuted 4 MiB ring of indices (cache- and TLB-unfriendly loads). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SIEVE 8000000
#define RING (1 << 19)

int main(void)
{
    unsigned char *comp = calloc(SIEVE + 1, 1);
    uint64_t *next = malloc(RING * sizeof *next);
    if (!comp || !next)
        return 1;
    for (uint64_t i = 2; i * i <= SIEVE; i++)
        if (!comp[i])
            for (uint64_t j = i * i; j <= SIEVE; j += i)
                comp[j] = 1;
    unsigned long primes = 0;
    for (uint64_t i = 2; i <= SIEVE; i++)
        primes += !comp[i];
    /* Sattolo's algorithm: a single cycle through all slots. */
    for (uint64_t i = 0; i < RING; i++)
        next[i] = i;
    uint64_t s = 88172645463325252ULL;
    for (uint64_t i = RING - 1; i > 0; i--) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        uint64_t j = s % i;
        uint64_t t = next[i];
        next[i] = next[j];
        next[j] = t;
    }
    uint64_t p = 0, sum = 0;
    for (int k = 0; k < 40000000; k++) {
        p = next[p];
        sum += p;
    }
    printf("memory: primes=%lu chase=%llu\n", primes, (unsigned long long)sum);
    free(next);
    free(comp);
    return 0;
}
