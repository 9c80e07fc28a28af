/* For tests/gdb.rs: a handled SIGUSR1, then a fatal SIGSEGV, both seen by gdb first. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static void on_usr1(int s) { write(1, "usr1\n", 5); }
int main(void) {
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("after\n");
    fflush(stdout);
    *(volatile int *)8 = 1;
    return 0;
}
