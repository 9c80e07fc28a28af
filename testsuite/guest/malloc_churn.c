/* malloc_churn: many allocation sizes, realloc growth and shrink, frees in several orders,
 * calloc zeroing, large (mmap-backed) blocks; contents verified by checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Blocks are filled and checked at every STRIDE-th byte (every byte of small blocks), which
 * catches lost or misplaced data while keeping large blocks cheap. */
#define STRIDE(n) ((n) > 8192 ? 61 : 1)

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i += STRIDE(n))
        p[i] = (unsigned char)(seed + i * 31);
}

/* Checks the first n bytes of a block that was filled with length filled_len. */
static int check(const unsigned char *p, size_t n, size_t filled_len, unsigned seed)
{
    for (size_t i = 0; i < n; i += STRIDE(filled_len))
        if (p[i] != (unsigned char)(seed + i * 31))
            return 0;
    return 1;
}

int main(void)
{
    static unsigned char *ptr[SLOTS];
    static size_t len[SLOTS];
    static unsigned seed[SLOTS];
    unsigned long ops = 0, bad = 0, total = 0;

    for (int round = 0; round < 20000; round++) {
        int s = (int)(rnd() % SLOTS);
        unsigned kind = rnd() % 10;
        if (ptr[s] == NULL) {
            size_t n = kind < 6 ? rnd() % 64 + 1 : kind < 9 ? rnd() % 4096 + 1 : rnd() % 300000 + 1;
            ptr[s] = kind == 5 ? calloc(n, 1) : malloc(n);
            if (!ptr[s]) {
                puts("allocation failed");
                return 1;
            }
            if (kind == 5) {
                for (size_t i = 0; i < n; i++)
                    bad += ptr[s][i] != 0;
            }
            len[s] = n;
            seed[s] = rnd();
            fill(ptr[s], n, seed[s]);
            total += n;
        } else if (kind < 4) {
            size_t n = kind < 2 ? len[s] * 2 + 1 : len[s] / 2 + 1;
            unsigned char *q = realloc(ptr[s], n);
            if (!q) {
                puts("realloc failed");
                return 1;
            }
            size_t keep = n < len[s] ? n : len[s];
            bad += !check(q, keep, len[s], seed[s]);
            ptr[s] = q;
            len[s] = n;
            fill(q, n, seed[s]);
        } else {
            bad += !check(ptr[s], len[s], len[s], seed[s]);
            free(ptr[s]);
            ptr[s] = NULL;
        }
        ops++;
    }
    unsigned long live = 0;
    for (int s = 0; s < SLOTS; s++)
        if (ptr[s]) {
            bad += !check(ptr[s], len[s], len[s], seed[s]);
            live += len[s];
        }
    /* Free in reverse, then odd slots first, as different orders stress coalescing. */
    for (int s = SLOTS - 1; s >= 0; s -= 2) {
        free(ptr[s]);
        ptr[s] = NULL;
    }
    for (int s = 0; s < SLOTS; s++)
        free(ptr[s]);
    /* A linked list built and torn down. */
    struct node { struct node *next; uint64_t v; } *head = NULL;
    for (int i = 0; i < 10000; i++) {
        struct node *n = malloc(sizeof *n);
        n->v = (uint64_t)i * i;
        n->next = head;
        head = n;
    }
    uint64_t sum = 0;
    while (head) {
        struct node *n = head->next;
        sum += head->v;
        free(head);
        head = n;
    }
    /* Aligned allocations. */
    int aligned_ok = 1;
    for (size_t a = 16; a <= 4096; a *= 4) {
        void *p = aligned_alloc(a, a * 3);
        aligned_ok &= ((uintptr_t)p % a) == 0;
        free(p);
    }
    printf("ops=%lu allocated=%lu live=%lu bad=%lu list=%llu aligned=%d\n", ops, total, live, bad,
           (unsigned long long)sum, aligned_ok);
    return bad != 0;
}
