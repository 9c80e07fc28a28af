/* exit_status: output flushed by exit(), atexit handlers run in reverse order, exit status 3. */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { puts("atexit: registered first, runs last"); }
static void second(void) { puts("atexit: registered second, runs first"); }

int main(void)
{
    atexit(first);
    atexit(second);
    printf("exiting with status 3 (buffered, no newline)");
    exit(3);
}
