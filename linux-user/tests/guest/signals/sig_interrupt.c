/* Ctrl-C from outside: with `handler` as argument a SIGINT handler is installed and the program
 * reports that it ran; without, SIGINT's default action ends it (status 130 in a shell). It
 * prints "ready", then spins in guest code until the signal comes. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t interrupted;
static void on_int(int sig) { (void)sig; interrupted = 1; }

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "handler") == 0) signal(SIGINT, on_int);
    printf("ready\n");
    fflush(stdout);
    while (!interrupted) {
    }
    printf("handler ran\n");
    return 0;
}
