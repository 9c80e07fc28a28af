// Guest threads and signals: pthread_kill reaches the chosen thread, SIGSEGV recovery with
// siglongjmp inside a thread, fork from a thread, and the process living on after main calls
// pthread_exit until another thread calls exit.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <setjmp.h>
static pthread_t target;
static volatile int hit_in_target, hits;
static void on_usr1(int sig) { hits++; hit_in_target = pthread_equal(pthread_self(), target); }

static volatile int go;
static void *spin(void *a) { while (!go) { } return 0; }
static sigjmp_buf jb;
static void on_segv(int s) { siglongjmp(jb, 1); }
static void *faulter(void *a) {
    int n = 0;
    for (int i = 0; i < 3; i++) if (sigsetjmp(jb, 1) == 0) { *(volatile int *)16 = 1; } else n++;
    return (void *)(long)n;
}
static void *forker(void *a) {
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) { printf("child of thread\n"); fflush(stdout); _exit(7); }
    int st; waitpid(p, &st, 0);
    return (void *)(long)WEXITSTATUS(st);
}
static void *late(void *a) { usleep(100000); printf("late thread still runs after main's pthread_exit\n"); fflush(stdout); exit(0); }
int main(void) {
    signal(SIGUSR1, on_usr1);
    pthread_create(&target, 0, spin, 0);
    pthread_kill(target, SIGUSR1);
    usleep(50000);
    go = 1; pthread_join(target, 0);
    printf("pthread_kill: hits=%d in_target=%d\n", hits, hit_in_target);
    signal(SIGSEGV, on_segv);
    pthread_t f; void *r; pthread_create(&f, 0, faulter, 0); pthread_join(f, &r);
    printf("faults recovered in thread: %ld\n", (long)r);
    pthread_create(&f, 0, forker, 0); pthread_join(f, &r);
    printf("fork from thread: status %ld\n", (long)r);
    fflush(stdout);
    pthread_create(&f, 0, late, 0);
    pthread_exit(0);
}
