/* FP state across signal handlers: a handler that clobbers every caller-saved FP/vector
 * register and the rounding mode, run many times by a repeating timer during an FP loop with
 * values kept in registers; a fixed iteration count makes the result deterministic. */
#include <fenv.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static volatile int ticks;

static void clobber(int sig) {
    (void)sig;
    ticks++;
    fesetround(FE_TOWARDZERO);
#if defined(__riscv)
    __asm__ volatile("fcvt.d.w ft0, zero\n fcvt.d.w ft1, zero\n fcvt.d.w ft2, zero\n"
                     "fcvt.d.w ft3, zero\n fcvt.d.w ft4, zero\n fcvt.d.w ft5, zero\n"
                     "fcvt.d.w ft6, zero\n fcvt.d.w ft7, zero\n fcvt.d.w fa0, zero\n"
                     "fcvt.d.w fa1, zero\n fcvt.d.w fa2, zero\n fcvt.d.w fa3, zero\n"
                     "fcvt.d.w fa4, zero\n fcvt.d.w fa5, zero\n fcvt.d.w fa6, zero\n"
                     "fcvt.d.w fa7, zero\n fcvt.d.w ft8, zero\n fcvt.d.w ft9, zero\n"
                     "fcvt.d.w ft10, zero\n fcvt.d.w ft11, zero\n"
                     ::: "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fa0", "fa1",
                     "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "ft8", "ft9", "ft10", "ft11");
#else
    __asm__ volatile("movi v0.2d, #0\n movi v1.2d, #0\n movi v2.2d, #0\n movi v3.2d, #0\n"
                     "movi v4.2d, #0\n movi v5.2d, #0\n movi v6.2d, #0\n movi v7.2d, #0\n"
                     "movi v16.2d, #0\n movi v17.2d, #0\n movi v18.2d, #0\n movi v19.2d, #0\n"
                     "movi v20.2d, #0\n movi v21.2d, #0\n movi v22.2d, #0\n movi v23.2d, #0\n"
                     "movi v24.2d, #0\n movi v25.2d, #0\n movi v26.2d, #0\n movi v27.2d, #0\n"
                     "movi v28.2d, #0\n movi v29.2d, #0\n movi v30.2d, #0\n movi v31.2d, #0\n"
                     ::: "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18",
                     "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",
                     "v29", "v30", "v31");
#endif
}

static void __attribute__((noinline)) compute(long n, double out[4]) {
    double a = 0.1, b = 0.2, c = 0.3, d = 0.4;
    for (long i = 0; i < n; i++) {
        a = a * 1.0000001 + b;
        b = b * 0.9999999 + c;
        c = c * 1.0000003 - d;
        d = d * 0.9999997 + 1e-9;
        if (a > 1e6) a -= 1e6;
        if (b > 1e6) b -= 1e6;
    }
    out[0] = a, out[1] = b, out[2] = c, out[3] = d;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = clobber;
    sigaction(SIGALRM, &sa, NULL);
    fesetround(FE_UPWARD);
    double quiet[4], noisy[4];
    compute(400000, quiet);
    struct itimerval it = {{0, 300}, {0, 300}};
    setitimer(ITIMER_REAL, &it, NULL);
    compute(400000, noisy);
    while (ticks < 3) {
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("interrupted: %d same result: %d rounding still upward: %d\n", ticks >= 3,
           memcmp(quiet, noisy, sizeof quiet) == 0, fegetround() == FE_UPWARD);
    printf("%.17g %.17g %.17g %.17g\n", quiet[0], quiet[1], quiet[2], quiet[3]);
    return 0;
}
