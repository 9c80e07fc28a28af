/* Uses libfoo.so found through an $ORIGIN rpath (ld.so reads /proc/self/exe): TLS in a shared
   library, its constructor, dladdr and dl_iterate_phdr. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
int foo_bump(void); int foo_ctor(void); const char *foo_name(void);
static int cb(struct dl_phdr_info *i, size_t s, void *d) { (void)s; int *n = d; if (strstr(i->dlpi_name, "libfoo")) printf("phdr: libfoo has %d headers\n", i->dlpi_phnum); (*n)++; return 0; }
int main(void) {
    printf("%s ctor=%d bump=%d bump=%d\n", foo_name(), foo_ctor(), foo_bump(), foo_bump());
    Dl_info info; if (dladdr((void *)foo_bump, &info)) printf("dladdr: %s in %s\n", info.dli_sname, strrchr(info.dli_fname, '/') ? strrchr(info.dli_fname, '/') + 1 : info.dli_fname);
    int n = 0; dl_iterate_phdr(cb, &n); printf("objects>=4 %d\n", n >= 4);
    return foo_bump();
}
