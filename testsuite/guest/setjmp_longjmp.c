/* setjmp_longjmp: non-local exits from deep recursion, nested jump buffers, values surviving
 * in volatile locals, and sigsetjmp/siglongjmp. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

static jmp_buf outer, inner;
static int depth_reached;

static void dive(int depth, int target)
{
    volatile char pad[64];
    pad[depth % 64] = (char)depth;
    depth_reached = depth + pad[depth % 64] - (char)depth;
    if (depth == target)
        longjmp(outer, depth);
    dive(depth + 1, target);
}

static void inner_user(int n)
{
    if (setjmp(inner) == 0) {
        if (n % 2)
            longjmp(inner, 5);
        printf("  inner: no jump for %d\n", n);
        if (n == 4)
            longjmp(outer, 99);
    } else {
        printf("  inner: caught jump for %d\n", n);
    }
}

int main(void)
{
    for (int target = 0; target < 500; target += 123) {
        int r = setjmp(outer);
        if (r == 0) {
            dive(0, target);
            puts("not reached");
        } else {
            printf("dive target %d returned %d (depth %d)\n", target, r, depth_reached);
        }
    }
    volatile int counter = 0;
    int r = setjmp(outer);
    counter++;
    if (r == 0)
        longjmp(outer, 0); /* longjmp with 0 delivers 1 */
    printf("longjmp(0) gives %d, counter=%d\n", r, counter);

    for (int n = 1; n <= 5; n++) {
        if (setjmp(outer) == 0)
            inner_user(n);
        else
            printf("  outer caught from inner for %d\n", n);
    }

    sigjmp_buf sj;
    volatile int rounds = 0;
    if (sigsetjmp(sj, 1) < 3) {
        rounds++;
        siglongjmp(sj, rounds);
    }
    printf("siglongjmp rounds=%d\n", rounds);
    return 0;
}
