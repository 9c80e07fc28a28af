/* The guest's view of /proc/self/maps (its own code, stack and libc appear, in the kernel's
   format) and of /proc/self/cmdline (its argv). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) {
        printf("cannot open maps\n");
        return 2;
    }
    char line[512];
    int lines = 0, stack = 0, exec_self = 0, libc = 0, well_formed = 1;
    unsigned long addr = (unsigned long)(void *)&main, here = (unsigned long)&line;
    int main_inside = 0, stack_inside = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi, off;
        char perms[5];
        unsigned maj, min;
        unsigned long ino;
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu", &lo, &hi, perms, &off, &maj, &min, &ino) != 7)
            well_formed = 0;
        lines++;
        if (strstr(line, "[stack]")) stack = 1;
        if (strstr(line, "libc.so.6")) libc = 1;
        if (perms[2] == 'x' && strstr(line, "procfs")) exec_self = 1;
        if (lo <= addr && addr < hi) main_inside = perms[2] == 'x';
        if (lo <= here && here < hi) stack_inside = perms[0] == 'r' && perms[1] == 'w';
    }
    fclose(f);
    printf("lines>3 %d well_formed %d stack %d self %d libc %d main %d sp %d\n", lines > 3, well_formed,
           stack, exec_self, libc, main_inside, stack_inside);
    f = fopen("/proc/self/cmdline", "r");
    if (!f) {
        printf("cannot open cmdline\n");
        return 3;
    }
    char cmd[4096];
    size_t n = fread(cmd, 1, sizeof cmd, f);
    fclose(f);
    int args = 0;
    for (size_t i = 0; i < n; i += strlen(cmd + i) + 1) {
        if (args > 0) printf("cmdline arg %d: %s\n", args, cmd + i);
        args++;
    }
    printf("cmdline args %d (argc %d)\n", args, argc);
    return 0;
}
