/* Prints a million lines: run with stdout closed early, it must die of SIGPIPE. */
#include <stdio.h>
int main(){ for(long i=0;i<1000000;i++) printf("line %ld\n", i); return 0; }
