/* x87 `long double` arithmetic, conversions and comparisons (no transcendentals). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
static long double opaque(long double x) { __asm__ volatile("" : "+t"(x)); return x; }
int main(int argc, char **argv) {
    (void)argv;
    long double a = opaque(argc) / 3.0L, s = 0;
    for (int i = 1; i < 50; i++) s += opaque(i) * a - 1.0L / i;
    printf("%.25Lg %La\n", s, s);
    printf("%Lf %Lf %Lf\n", sqrtl(opaque(2.0L)), floorl(opaque(-2.5L)), rintl(opaque(2.5L)));
    printf("%ld %lld %d\n", (long)opaque(-7.9L), (long long)opaque(1e18L), (int)opaque(3.99L));
    printf("%.20Lg\n", strtold("1.00000000000000000000001", NULL));
    double d = (double)(opaque(1.0L) / 3); float f = (float)(opaque(2.0L) / 3);
    printf("%a %a %d %d\n", d, f, opaque(1.0L) < opaque(2.0L), isnan(opaque(NAN)));
    long double big = opaque(1e4000L), tiny = opaque(1e-4000L);
    printf("%Lg %Lg %Lg %Lg\n", big * big, tiny * tiny, big / opaque(0.0L), fmodl(big, opaque(7.0L)));
    return 0;
}
