/* Self-modifying code: rewrites code in an RWX page, then the W^X style (RW, write, RX, run). */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
typedef int (*fn)(void);
int main(void){
  /* li a0, N ; ret */
  uint32_t *p = mmap(0, 4096, PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  int total = 0;
  for (int i = 1; i <= 5; i++) {
    p[0] = 0x00000513u | ((uint32_t)i << 20); /* addi a0, zero, i */
    p[1] = 0x00008067u;                       /* ret */
    __builtin___clear_cache((char*)p, (char*)(p+2));
    int r = ((fn)p)();
    printf("call %d -> %d\n", i, r);
    total += r;
  }
  printf("total %d\n", total);
  /* W^X: write while RW, run while RX; each version must replace the last translation. */
  uint32_t *wx = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  for (int v = 1; v <= 3; v++) {
    mprotect(wx, 4096, PROT_READ|PROT_WRITE);
    wx[0] = 0x00000513u | ((uint32_t)(v * 11) << 20);
    wx[1] = 0x00008067u;
    mprotect(wx, 4096, PROT_READ|PROT_EXEC);
    __builtin___clear_cache((char*)wx, (char*)(wx+2));
    int r = 0;
    for (int i = 0; i < 100; i++) r += ((fn)wx)();
    printf("W^X version %d -> %d\n", v, r);
  }
  return 0;
}
