/* fp_libm: libm functions over a grid of inputs, printed exactly with %a so any bit of
 * difference in FP arithmetic (including fused multiply-add) shows. */
#include <math.h>
#include <stdio.h>

static volatile double dsink;
static double opaque(double v) { dsink = v; return dsink; }
static volatile float fsink;
static float opaquef(float v) { fsink = v; return fsink; }

typedef double (*fn1)(double);
struct named1 { const char *name; fn1 f; };

static const struct named1 unary[] = {
    { "sin", sin }, { "cos", cos }, { "tan", tan }, { "exp", exp }, { "log", log }, { "log2", log2 },
    { "log10", log10 }, { "sqrt", sqrt }, { "cbrt", cbrt }, { "floor", floor }, { "ceil", ceil },
    { "round", round }, { "trunc", trunc }, { "rint", rint }, { "nearbyint", nearbyint },
    { "atan", atan }, { "sinh", sinh }, { "tanh", tanh }, { "expm1", expm1 }, { "log1p", log1p },
    { "fabs", fabs }, { "asin", asin }, { "acos", acos },
};

static const double inputs[] = {
    0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.5, -2.5, 3.0, 10.0, 0.1, 1e-10, 100.25, -7.75,
    1e10, 710.0, -745.5, INFINITY, -INFINITY, NAN,
};

int main(void)
{
    size_t ni = sizeof inputs / sizeof inputs[0];
    for (size_t k = 0; k < sizeof unary / sizeof unary[0]; k++) {
        printf("%s:", unary[k].name);
        for (size_t i = 0; i < ni; i++) {
            double r = unary[k].f(opaque(inputs[i]));
            printf(" %a", r);
        }
        putchar('\n');
    }
    puts("pow/atan2/fmod/hypot/fma/fmin/fmax/copysign/remainder:");
    for (size_t i = 0; i < ni; i += 2)
        for (size_t j = 1; j < ni; j += 3) {
            double x = opaque(inputs[i]), y = opaque(inputs[j]);
            printf(" %zu,%zu: %a %a %a %a %a %a %a %a %a\n", i, j, pow(x, y), atan2(x, y), fmod(x, y),
                   hypot(x, y), fma(x, y, opaque(0.3)), fmin(x, y), fmax(x, y), copysign(x, y),
                   remainder(x, y));
        }
    puts("lrint/llround/lround/ilogb/frexp/ldexp/modf:");
    for (size_t i = 0; i < ni - 4; i++) {
        double x = opaque(inputs[i]);
        int e;
        double ip;
        double m = frexp(x, &e);
        double fr = modf(x, &ip);
        printf(" %a: %ld %lld %ld %d %a*2^%d %a %a+%a\n", x, lrint(x), llround(x), lround(x), ilogb(x), m, e,
               ldexp(x, 7), ip, fr);
    }
    puts("float versions:");
    for (size_t i = 0; i < ni; i++) {
        float x = opaquef((float)inputs[i]);
        printf(" %a %a %a %a %a %a %a\n", (double)sinf(x), (double)expf(x), (double)sqrtf(x), (double)logf(x),
               (double)floorf(x), (double)fmaf(x, x, opaquef(-1.0f)), (double)powf(x, opaquef(0.75f)));
    }
    /* A tiny numerical kernel: Newton iteration for sqrt(2) and a Taylor series. */
    double r = opaque(1.0);
    for (int i = 0; i < 6; i++) {
        r = 0.5 * (r + 2.0 / r);
        printf("newton %d: %.17g\n", i, r);
    }
    double term = 1.0, e = 0.0;
    for (int i = 1; i < 20; i++) {
        e += term;
        term /= i;
    }
    printf("e ~ %.17g (exp(1) = %.17g)\n", e, exp(opaque(1.0)));
    return 0;
}
