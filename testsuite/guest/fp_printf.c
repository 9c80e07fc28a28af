/* fp_printf: printf of doubles and floats with %a %e %f %g and precisions over many values
 * (exercises glibc's FP-heavy formatting: mul, div, conversions, rounding). */
#include <float.h>
#include <math.h>
#include <stdio.h>

static volatile double dsink;
static double opaque(double v) { dsink = v; return dsink; }

static const double values[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 0.2, 0.3, 1.0 / 3.0, 2.0 / 3.0, 3.141592653589793, 2.718281828459045,
    1e-300, 1e300, 123456789.0, 9007199254740993.0, 1e21, 1e22, 1e23, 5e-324, 2.2250738585072014e-308,
    DBL_MAX, DBL_MIN, DBL_EPSILON, 0.000123456, 999.9999, 0.05, 0.15, 0.25, 0.35, 2.5, 3.5, -2.5,
    1234.5678, 6.02214076e23, 1.602176634e-19,
};

int main(void)
{
    size_t n = sizeof values / sizeof values[0];
    for (size_t i = 0; i < n; i++) {
        double v = opaque(values[i]);
        printf("%zu: %a | %.3a | %e | %.0e | %.17e\n", i, v, v, v, v, v);
        printf("   %f | %.0f | %.2f | %.10f | %g | %.3g | %.17g | %#g\n", v, v, v, v, v, v, v, v);
        float f = (float)v;
        printf("   float %a %e %g %.9g %f\n", (double)f, (double)f, (double)f, (double)f, (double)f);
        printf("   [%12.4f] [%-12.4e] [%+g] [% g] [%012.3f]\n", v, v, v, v, v);
    }
    double specials[] = { INFINITY, -INFINITY, NAN, -NAN };
    for (int i = 0; i < 4; i++) {
        double v = opaque(specials[i]);
        printf("special: %f %e %g %a %F %E %G %A signbit=%d\n", v, v, v, v, v, v, v, v, signbit(v) != 0);
    }
    /* A series of powers of ten and powers of two in several formats. */
    double p = 1.0;
    for (int e = 0; e < 40; e++) {
        printf("10^%d = %.17g %a\n", e, p, p);
        p *= opaque(10.0);
    }
    double q = 1.0;
    for (int e = 0; e < 70; e += 3) {
        printf("2^-%d = %.20e\n", e, q);
        q /= opaque(8.0);
    }
    long double ld = 1.0L / 3.0L;
    printf("long double 1/3 = %.30Lf %La\n", ld, ld);
    return 0;
}
