// Scheduler and membarrier syscalls a threaded runtime touches: policy and priority ranges,
// parameters, affinity get/set round trip, getcpu, the round-robin interval, membarrier's query.
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    printf("policy other: %d\n", sched_getscheduler(0) == SCHED_OTHER);
    printf("fifo priorities: %d..%d\n", sched_get_priority_min(SCHED_FIFO),
           sched_get_priority_max(SCHED_FIFO));
    struct sched_param sp = {.sched_priority = 5};
    printf("getparam: %d prio %d\n", sched_getparam(0, &sp), sp.sched_priority);
    printf("setparam other prio 0: %d\n", sched_setparam(0, &sp));
    printf("setscheduler other: %d\n", sched_setscheduler(0, SCHED_OTHER, &sp));
    cpu_set_t set;
    CPU_ZERO(&set);
    printf("getaffinity: %d, some cpu: %d\n", sched_getaffinity(0, sizeof set, &set),
           CPU_COUNT(&set) >= 1);
    printf("setaffinity same: %d\n", sched_setaffinity(0, sizeof set, &set));
    printf("getaffinity of this thread by tid: %d\n",
           sched_getaffinity(syscall(SYS_gettid), sizeof set, &set));
    unsigned cpu = ~0u, node = ~0u;
    printf("getcpu: %ld, in the affinity set: %d, node set: %d\n", syscall(SYS_getcpu, &cpu, &node, NULL),
           cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set), node != ~0u);
    printf("getcpu without pointers: %ld\n", syscall(SYS_getcpu, NULL, NULL, NULL));
    struct timespec ts;
    printf("rr interval: %d\n", sched_rr_get_interval(0, &ts));
    long q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    printf("membarrier query has private expedited: %d\n",
           q > 0 && (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0);
    printf("register private expedited: %ld\n",
           syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    printf("private expedited: %ld\n", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
    return 0;
}
