/* sieve: Sieve of Eratosthenes up to two million on a byte array, and a bit-packed segmented
 * variant; prints counts, sums and a few primes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT 2000000

int main(void)
{
    unsigned char *composite = calloc(LIMIT + 1, 1);
    if (!composite)
        return 1;
    for (unsigned long i = 2; i * i <= LIMIT; i++)
        if (!composite[i])
            for (unsigned long j = i * i; j <= LIMIT; j += i)
                composite[j] = 1;
    unsigned long count = 0, sum = 0, last = 0;
    for (unsigned long i = 2; i <= LIMIT; i++)
        if (!composite[i]) {
            count++;
            sum += i;
            last = i;
            if (count % 20000 == 0)
                printf("prime #%lu = %lu\n", count, i);
        }
    printf("primes <= %d: count=%lu sum=%lu largest=%lu\n", LIMIT, count, sum, last);

    /* Bit-packed odd-only sieve; must agree with the byte sieve. */
    size_t nbits = LIMIT / 2 + 1;
    uint64_t *bits = calloc(nbits / 64 + 1, sizeof(uint64_t));
    if (!bits)
        return 1;
    for (uint64_t i = 3; i * i <= LIMIT; i += 2)
        if (!(bits[i / 2 / 64] >> (i / 2 % 64) & 1))
            for (uint64_t j = i * i; j <= LIMIT; j += 2 * i)
                bits[j / 2 / 64] |= 1ULL << (j / 2 % 64);
    unsigned long count2 = 1; /* the prime 2 */
    for (uint64_t i = 3; i <= LIMIT; i += 2)
        count2 += !(bits[i / 2 / 64] >> (i / 2 % 64) & 1);
    printf("bit sieve count=%lu agree=%d\n", count2, count2 == count);
    unsigned twins = 0;
    for (unsigned long i = 3; i + 2 <= LIMIT; i += 2)
        twins += !composite[i] && !composite[i + 2];
    printf("twin prime pairs=%u\n", twins);
    free(bits);
    free(composite);
    return 0;
}
