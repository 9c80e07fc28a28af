/* For tests/gdb.rs: FP control and status set, then a call with a double argument, so that
 * gdb at `probe` sees rounding mode, accrued flags and an FP argument register. */
#include <fenv.h>
#include <stdio.h>

volatile double x = 1.0, y = 3.0;

__attribute__((noinline)) void probe(double d)
{
    __asm__ volatile("" : : "r"(&d) : "memory");
}

int main(void)
{
    fesetround(FE_UPWARD);
    double third = x / y;
    probe(third);
    fesetround(FE_TONEAREST);
    printf("%.17g\n", third);
    return 0;
}
