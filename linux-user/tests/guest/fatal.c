/* Fatal guest signals: argv[1] picks segv (default), abort, ill or ebreak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int c,char**v){ printf("before\n"); fflush(stdout); if(c>1 && !strcmp(v[1],"abort")) abort(); if(c>1&&!strcmp(v[1],"ill")) __asm__ volatile(".word 0"); if(c>1&&!strcmp(v[1],"ebreak")) __asm__ volatile("ebreak"); *(volatile int*)0x10 = 1; return 0; }
