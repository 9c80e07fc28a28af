/* Calls into the legacy vsyscall page (gettimeofday, time, getcpu), as old static binaries do. */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
int main(void) {
    typedef long (*gtod_t)(struct timeval *, void *);
    typedef long (*time_t_fn)(long *);
    typedef long (*getcpu_t)(unsigned *, unsigned *, void *);
    struct timeval tv = {0};
    long r = ((gtod_t)0xffffffffff600000)(&tv, NULL);
    long t2 = 0, t = ((time_t_fn)0xffffffffff600400)(&t2);
    unsigned cpu = 99, node = 99;
    long r3 = ((getcpu_t)0xffffffffff600800)(&cpu, &node, NULL);
    printf("gettimeofday %ld sane %d time sane %d getcpu %ld %d\n", r, tv.tv_sec > 1600000000, t == t2 && t > 1600000000, r3, cpu < 1024);
    return 0;
}
