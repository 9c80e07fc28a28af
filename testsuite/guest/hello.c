/* hello: the smallest demo guest — prints a greeting and a few computed lines. */
#include <stdio.h>

int main(void)
{
    printf("Hello from riscv64!\n");
    unsigned long sum = 0;
    for (unsigned long i = 1; i <= 100; i++)
        sum += i;
    printf("sum(1..100) = %lu\n", sum);
    return 0;
}
