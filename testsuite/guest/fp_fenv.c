/* fp_fenv: the four rounding modes through fesetround, and exception flags through
 * feclearexcept/fetestexcept, for add/sub/mul/div/sqrt/fma/conversions in double and float. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static volatile double dsink;
static double opaque(double v) { dsink = v; return dsink; }
static volatile float fsink;
static float opaquef(float v) { fsink = v; return fsink; }

static const struct { int mode; const char *name; } modes[] = {
    { FE_TONEAREST, "nearest" }, { FE_TOWARDZERO, "zero" }, { FE_DOWNWARD, "down" }, { FE_UPWARD, "up" },
};

static void print_flags(void)
{
    int f = fetestexcept(FE_ALL_EXCEPT);
    printf(" [%s%s%s%s%s]", f & FE_INEXACT ? "X" : "-", f & FE_UNDERFLOW ? "U" : "-", f & FE_OVERFLOW ? "O" : "-",
           f & FE_DIVBYZERO ? "Z" : "-", f & FE_INVALID ? "I" : "-");
}

#define OP(label, expr)                                                 \
    do {                                                                \
        feclearexcept(FE_ALL_EXCEPT);                                   \
        double r_ = (expr);                                             \
        printf(" %s=%a", label, r_);                                    \
        print_flags();                                                  \
    } while (0)

#define OPF(label, expr)                                                \
    do {                                                                \
        feclearexcept(FE_ALL_EXCEPT);                                   \
        float r_ = (expr);                                              \
        printf(" %s=%a", label, (double)r_);                            \
        print_flags();                                                  \
    } while (0)

static void run_mode(int m)
{
    double one = opaque(1.0), three = opaque(3.0), tiny = opaque(1e-308), big = opaque(1e308), zero = opaque(0.0);
    double neg = opaque(-1.0);
    float fone = opaquef(1.0f), fthree = opaquef(3.0f);
    printf("mode %s (get=%d):\n", modes[m].name, fegetround() == modes[m].mode);
    OP("1/3", one / three);
    OP("-1/3", neg / three);
    OP("1+2^-60", one + opaque(0x1p-60));
    OP("-1-2^-60", neg - opaque(0x1p-60));
    OP("big*10", big * opaque(10.0));
    OP("-big*10", -big * opaque(10.0));
    OP("tiny*tiny", tiny * tiny);
    OP("tiny/3", tiny / opaque(3e10));
    OP("1/0", one / zero);
    OP("0/0", zero / zero);
    OP("sqrt2", sqrt(opaque(2.0)));
    OP("sqrt-1", sqrt(neg));
    OP("fma", fma(one / three, three, -one));
    OP("exact", opaque(1.5) * opaque(2.0));
    OP("1-1", one - one);
    OP("rint2.5", rint(opaque(2.5)));
    OP("rint-2.5", rint(opaque(-2.5)));
    OP("nearbyint-0.5", nearbyint(opaque(-0.5)));
    putchar('\n');
    OPF("f1/3", fone / fthree);
    OPF("f-1/3", -fone / fthree);
    OPF("fbig", opaquef(3e38f) * opaquef(2.0f));
    OPF("fnarrow", (float)opaque(0.1));
    OPF("fnarrow_big", (float)opaque(1e300));
    OPF("fsqrt3", sqrtf(fthree));
    OPF("ffma", fmaf(fone / fthree, fthree, -fone));
    putchar('\n');
    feclearexcept(FE_ALL_EXCEPT);
    long l = lrint(opaque(-2.5));
    long long ll = llrint(opaque(1e30));
    printf(" lrint(-2.5)=%ld llrint(1e30)=%lld", l, ll);
    print_flags();
    feclearexcept(FE_ALL_EXCEPT);
    printf(" (int)2.7=%d (long)-2.7=%ld", (int)opaque(2.7), (long)opaque(-2.7));
    print_flags();
    feclearexcept(FE_ALL_EXCEPT);
    printf(" (double)2^53+1=%a (float)16777217=%a", (double)(long long)(opaque(0x1p53) + 1.0),
           (double)(float)(volatile long){16777217});
    print_flags();
    char buf[64];
    snprintf(buf, sizeof buf, "%.3f %.0f", opaque(2.0005), opaque(0.5));
    printf(" printf: %s\n", buf);
}

int main(void)
{
    for (int m = 0; m < 4; m++) {
        if (fesetround(modes[m].mode) != 0) {
            printf("fesetround %s failed\n", modes[m].name);
            return 1;
        }
        run_mode(m);
    }
    fesetround(FE_TONEAREST);
    /* Flags accumulate until cleared, and raise/test work on subsets. */
    feclearexcept(FE_ALL_EXCEPT);
    volatile double x = opaque(1.0) / opaque(3.0);
    (void)x;
    volatile double y = opaque(1.0) / opaque(0.0);
    (void)y;
    printf("accumulated:");
    print_flags();
    feclearexcept(FE_INEXACT);
    printf(" after clearing inexact:");
    print_flags();
    feraiseexcept(FE_OVERFLOW | FE_INVALID);
    printf(" after raise O|I:");
    print_flags();
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    fesetexceptflag(&saved, FE_OVERFLOW);
    printf(" restored O only:");
    print_flags();
    fenv_t env;
    fegetenv(&env);
    fesetround(FE_UPWARD);
    fesetenv(&env);
    printf(" round after fesetenv: %d\n", fegetround() == FE_TONEAREST);
    return 0;
}
