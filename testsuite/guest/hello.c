/* hello: the smallest demo guest — prints a greeting and a few computed lines. */
#include <stdio.h>

#if defined(__riscv)
#define ARCH "riscv64"
#elif defined(__aarch64__)
#define ARCH "aarch64"
#elif defined(__x86_64__)
#define ARCH "x86_64"
#else
#error "unknown guest arch"
#endif

int main(void)
{
    printf("Hello from " ARCH "!\n");
    unsigned long sum = 0;
    for (unsigned long i = 1; i <= 100; i++)
        sum += i;
    printf("sum(1..100) = %lu\n", sum);
    return 0;
}
