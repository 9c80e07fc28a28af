/* A shared library of our own: thread-local data, a constructor, plain functions. */
#include <stdio.h>
__thread int tls_counter = 5;
static int ctor_ran;
__attribute__((constructor)) static void init(void) { ctor_ran = 42; }
int foo_bump(void) { return ++tls_counter; }
int foo_ctor(void) { return ctor_ran; }
const char *foo_name(void) { return "libfoo"; }
