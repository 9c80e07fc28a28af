/* recursion: Ackermann, naive Fibonacci, mutual recursion, Towers of Hanoi and a recursive
 * permutation generator: deep call chains, many returns (indirect jumps through ra). */
#include <stdio.h>

static unsigned long ack(unsigned long m, unsigned long n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static unsigned long moves;
static unsigned long hanoi_sig;
static void hanoi(int n, int from, int to, int via)
{
    if (n == 0)
        return;
    hanoi(n - 1, from, via, to);
    moves++;
    hanoi_sig = hanoi_sig * 7 + (unsigned long)(from * 3 + to);
    hanoi(n - 1, via, to, from);
}

static int perm[8];
static int used[8];
static unsigned long perm_count, perm_sig;
static void permute(int k, int n)
{
    if (k == n) {
        perm_count++;
        unsigned long v = 0;
        for (int i = 0; i < n; i++)
            v = v * 10 + (unsigned long)perm[i];
        perm_sig ^= v * (perm_count | 1);
        return;
    }
    for (int i = 0; i < n; i++)
        if (!used[i]) {
            used[i] = 1;
            perm[k] = i;
            permute(k + 1, n);
            used[i] = 0;
        }
}

typedef unsigned long (*op_fn)(unsigned long);
static unsigned long twice(unsigned long x) { return 2 * x; }
static unsigned long inc(unsigned long x) { return x + 1; }
static unsigned long square(unsigned long x) { return x * x % 1000003; }
static unsigned long apply_chain(const op_fn *ops, int n, unsigned long x)
{
    return n == 0 ? x : apply_chain(ops + 1, n - 1, ops[0](x));
}

int main(void)
{
    for (unsigned long m = 0; m <= 3; m++)
        for (unsigned long n = 0; n <= 5; n++)
            printf("ack(%lu,%lu)=%lu\n", m, n, ack(m, n));
    printf("ack(2,300)=%lu\n", ack(2, 300));
    for (unsigned n = 0; n <= 27; n += 3)
        printf("fib(%u)=%lu\n", n, fib(n));
    printf("even(10001)=%d odd(7777)=%d\n", is_even(10001), is_odd(7777));
    hanoi(16, 0, 2, 1);
    printf("hanoi(16): moves=%lu sig=%lu\n", moves, hanoi_sig);
    permute(0, 8);
    printf("permutations of 8: %lu sig=%lu\n", perm_count, perm_sig);
    op_fn ops[64];
    for (int i = 0; i < 64; i++)
        ops[i] = i % 3 == 0 ? twice : i % 3 == 1 ? inc : square;
    printf("chain=%lu\n", apply_chain(ops, 64, 3));
    return 0;
}
