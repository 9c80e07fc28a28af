/* Loads libm at run time: dlopen, dlsym, a missing symbol, a missing library, dlclose. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    void *h = dlopen("libm.so.6", RTLD_NOW);
    if (!h) {
        printf("dlopen failed: %s\n", dlerror());
        return 2;
    }
    double (*c)(double) = (double (*)(double))dlsym(h, "cos");
    double (*pw)(double, double) = (double (*)(double, double))dlsym(h, "pow");
    if (!c || !pw) {
        printf("dlsym failed\n");
        return 3;
    }
    printf("cos(0.5)=%.17g pow(2,0.5)=%.17g\n", c(0.5), pw(2.0, 0.5));
    printf("missing symbol found: %d\n", dlsym(h, "no_such_symbol_xyz") != NULL);
    void *bad = dlopen("libnot_there.so.9", RTLD_NOW);
    printf("missing library: %s\n", bad ? "loaded?" : (strstr(dlerror(), "cannot open") ? "cannot open" : "other error"));
    printf("dlclose=%d\n", dlclose(h));
    return 0;
}
