/* calls: call- and return-heavy code — naive Fibonacci, Ackermann, and indirect calls through a
 * function-pointer table (exercises return prediction / indirect-jump lookup in a translator). */
#include <stdio.h>

static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned long ack(unsigned long m, unsigned long n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

typedef unsigned long (*op_fn)(unsigned long, unsigned long);
static unsigned long op_add(unsigned long a, unsigned long b) { return a + b; }
static unsigned long op_xor(unsigned long a, unsigned long b) { return a ^ (b << 1); }
static unsigned long op_mul(unsigned long a, unsigned long b) { return a * (b | 1); }
static unsigned long op_rot(unsigned long a, unsigned long b) { return (a << 7 | a >> 57) + b; }
static op_fn volatile ops[4] = { op_add, op_xor, op_mul, op_rot };

int main(void)
{
    unsigned long r = fib(32);
    r += ack(2, 2000) + ack(3, 7);
    unsigned long acc = 1;
    for (unsigned long i = 0; i < 32000000; i++)
        acc = ops[(i ^ (i >> 3)) & 3](acc, i);
    printf("calls: %lu %lu\n", r, acc);
    return 0;
}
