/* Exercises the libc runtime: qsort, malloc/realloc, libm, setjmp, stdio files, stat, mmap, getenv, /proc/self/exe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <setjmp.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/mman.h>
static int cmp(const void*a,const void*b){return *(int*)a-*(int*)b;}
static jmp_buf jb;
int main(int argc,char**argv){
  int n=1000; int *a=malloc(n*sizeof(int)); for(int i=0;i<n;i++)a[i]=(i*7919)%1009; qsort(a,n,sizeof(int),cmp);
  printf("sorted %d %d %d\n",a[0],a[500],a[999]);
  char *big=malloc(10<<20); memset(big,1,10<<20); big=realloc(big,20<<20); printf("big %d\n",big[(10<<20)-1]); free(big);
  printf("libm %.6f %.6f %g\n", sin(1.0), sqrt(2.0), pow(2.5,3.3));
  if(!setjmp(jb)){ longjmp(jb,5);} else printf("longjmp ok\n");
  FILE*f=fopen("emu_runtime_test.txt","w"); fprintf(f,"line %d\n",42); fclose(f);
  f=fopen("emu_runtime_test.txt","r"); char buf[64]; fgets(buf,64,f); fclose(f); printf("read: %s",buf);
  struct stat st; stat("emu_runtime_test.txt",&st); printf("size %ld mode %o\n",(long)st.st_size, st.st_mode&0777);
  unlink("emu_runtime_test.txt");
  char cwd[256]; printf("cwd ok %d\n", getcwd(cwd,256)!=0);
  struct timespec ts; clock_gettime(CLOCK_MONOTONIC,&ts); printf("clock ok %d\n", ts.tv_sec>=0);
  void*m=mmap(0,1<<16,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0); printf("mmap ok %d\n", m!=MAP_FAILED); munmap(m,1<<16);
  printf("env HOME set %d\n", getenv("HOME")!=0);
  char exe[256]; ssize_t l=readlink("/proc/self/exe",exe,255); exe[l>0?l:0]=0; printf("exe %s\n", strrchr(exe,'/'));
  fprintf(stderr,"to stderr\n");
  return 0;
}
