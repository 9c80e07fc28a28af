/* POSIX threads: create/join with return values, a mutex-protected counter, a condition
 * variable producer/consumer queue, C11 atomics (fetch_add, CAS loops) from several threads,
 * __thread variables (initialized and zeroed) with a distinct value per thread, a barrier,
 * pthread_once, pthread_exit, detached threads signalling a semaphore, thread-specific data
 * destructors, a recursive mutex, a rwlock and a thread on a small explicit stack.
 * Only final totals are printed, so the output does not depend on the interleaving. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 8

static void check(int err, const char *what) {
    if (err) {
        printf("%s failed: %s\n", what, strerror(err));
        exit(1);
    }
}

/* Starts NTHREADS threads running fn(i) and joins them; returns the sum of their results. */
static intptr_t run_all(void *(*fn)(void *)) {
    pthread_t t[NTHREADS];
    for (intptr_t i = 0; i < NTHREADS; i++) check(pthread_create(&t[i], NULL, fn, (void *)i), "pthread_create");
    intptr_t sum = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        check(pthread_join(t[i], &ret), "pthread_join");
        sum += (intptr_t)ret;
    }
    return sum;
}

/* ---- return values ---- */
static void *square(void *arg) {
    intptr_t i = (intptr_t)arg;
    return (void *)(i * i + 1);
}

static void *exits_early(void *arg) {
    pthread_exit((void *)((intptr_t)arg * 3));
    return NULL;
}

/* ---- mutex ---- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_locked(void *arg) {
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

/* ---- condition variable queue ---- */
#define QSIZE 8
#define PER_PRODUCER 5000
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static long queue[QSIZE];
static int qhead, qcount;

static void put(long v) {
    pthread_mutex_lock(&qlock);
    while (qcount == QSIZE) pthread_cond_wait(&not_full, &qlock);
    queue[(qhead + qcount) % QSIZE] = v;
    qcount++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&qlock);
}

static long take(void) {
    pthread_mutex_lock(&qlock);
    while (qcount == 0) pthread_cond_wait(&not_empty, &qlock);
    long v = queue[qhead];
    qhead = (qhead + 1) % QSIZE;
    qcount--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&qlock);
    return v;
}

static void *producer(void *arg) {
    long base = (intptr_t)arg * PER_PRODUCER;
    for (long i = 1; i <= PER_PRODUCER; i++) put(base + i);
    return NULL;
}

/* Sums values until it takes the end marker (0); returns how many values it took. */
static atomic_long consumed_sum;
static void *consumer(void *arg) {
    (void)arg;
    intptr_t n = 0;
    for (;;) {
        long v = take();
        if (v == 0) return (void *)n;
        atomic_fetch_add(&consumed_sum, v);
        n++;
    }
}

/* ---- atomics ---- */
static atomic_long fetch_counter;
static atomic_long cas_counter;
static atomic_long cas_max;
static _Atomic unsigned long xor_acc;

static void *atomic_worker(void *arg) {
    long id = (intptr_t)arg;
    for (long i = 0; i < 20000; i++) {
        atomic_fetch_add(&fetch_counter, 1);
        long old = atomic_load(&cas_counter);
        while (!atomic_compare_exchange_weak(&cas_counter, &old, old + 2)) {
        }
        long cand = id * 100000 + i;
        long cur = atomic_load(&cas_max);
        while (cand > cur && !atomic_compare_exchange_weak(&cas_max, &cur, cand)) {
        }
        atomic_fetch_xor(&xor_acc, (unsigned long)(id + 1) << (i % 48));
    }
    return NULL;
}

/* ---- thread-local storage ---- */
static __thread long tls_init = 42;
static __thread long tls_zero;
static __thread char tls_buf[64] = "tls";

static void *tls_worker(void *arg) {
    long id = (intptr_t)arg;
    int ok = tls_init == 42 && tls_zero == 0 && strcmp(tls_buf, "tls") == 0;
    tls_init = id * 100;
    tls_zero = -id;
    snprintf(tls_buf, sizeof tls_buf, "thread %ld", id);
    for (int i = 0; i < 50; i++) {
        sched_yield();
        char want[64];
        snprintf(want, sizeof want, "thread %ld", id);
        if (tls_init != id * 100 || tls_zero != -id || strcmp(tls_buf, want) != 0) ok = 0;
    }
    /* The address of a TLS variable differs between threads: return it through the result. */
    return (void *)(intptr_t)ok;
}

static long *tls_addr[NTHREADS];
static void *tls_addr_worker(void *arg) {
    tls_addr[(intptr_t)arg] = &tls_init;
    return NULL;
}

/* ---- barrier ---- */
static pthread_barrier_t barrier;
static atomic_int arrived;
static atomic_int serial_count;
static atomic_int saw_all;

static void *barrier_worker(void *arg) {
    (void)arg;
    for (int round = 1; round <= 3; round++) {
        atomic_fetch_add(&arrived, 1);
        int r = pthread_barrier_wait(&barrier);
        if (r == PTHREAD_BARRIER_SERIAL_THREAD) atomic_fetch_add(&serial_count, 1);
        else if (r != 0) return (void *)100;
        if (atomic_load(&arrived) >= round * NTHREADS) atomic_fetch_add(&saw_all, 1);
        /* Nobody may start the next round's increment before everyone checked this one. */
        pthread_barrier_wait(&barrier);
    }
    return NULL;
}

/* ---- pthread_once ---- */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int once_runs;
static void once_init(void) { atomic_fetch_add(&once_runs, 1); }
static void *once_worker(void *arg) {
    (void)arg;
    pthread_once(&once, once_init);
    return (void *)(intptr_t)atomic_load(&once_runs);
}

/* ---- detached threads and a semaphore ---- */
static sem_t done_sem;
static atomic_long detached_sum;
static void *detached_worker(void *arg) {
    atomic_fetch_add(&detached_sum, (intptr_t)arg + 10);
    sem_post(&done_sem);
    return NULL;
}

/* ---- thread-specific data ---- */
static pthread_key_t key;
static atomic_int destructor_runs;
static atomic_long destructor_sum;
static void destructor(void *v) {
    atomic_fetch_add(&destructor_runs, 1);
    atomic_fetch_add(&destructor_sum, *(long *)v);
    free(v);
}
static void *key_worker(void *arg) {
    long *v = malloc(sizeof *v);
    *v = (intptr_t)arg + 1;
    pthread_setspecific(key, v);
    long *back = pthread_getspecific(key);
    return (void *)(intptr_t)(back == v);
}

/* ---- recursive mutex, rwlock ---- */
static pthread_mutex_t rec;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_value;
static atomic_long rw_reads_ok;

static void *rec_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&rec);
        pthread_mutex_lock(&rec);
        counter++;
        pthread_mutex_unlock(&rec);
        pthread_mutex_unlock(&rec);
    }
    return NULL;
}

static void *rw_worker(void *arg) {
    long id = (intptr_t)arg;
    for (int i = 0; i < 2000; i++) {
        if ((i + id) % 4 == 0) {
            pthread_rwlock_wrlock(&rw);
            rw_value += 2;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            if (rw_value % 2 == 0) atomic_fetch_add(&rw_reads_ok, 1);
            pthread_rwlock_unlock(&rw);
        }
    }
    return NULL;
}

/* ---- small explicit stack ---- */
static long deep(long n) { return n == 0 ? 0 : n + deep(n - 1); }
static void *stack_worker(void *arg) {
    volatile long n = (intptr_t)arg;
    return (void *)(intptr_t)deep(n);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);

    printf("return values: sum %ld\n", (long)run_all(square));
    printf("pthread_exit values: sum %ld\n", (long)run_all(exits_early));

    counter = 0;
    run_all(add_locked);
    printf("mutex counter: %ld\n", counter);

    {
        pthread_t prod[4], cons[4];
        for (intptr_t i = 0; i < 4; i++) check(pthread_create(&prod[i], NULL, producer, (void *)i), "create");
        for (int i = 0; i < 4; i++) check(pthread_create(&cons[i], NULL, consumer, NULL), "create");
        for (int i = 0; i < 4; i++) pthread_join(prod[i], NULL);
        for (int i = 0; i < 4; i++) put(0);
        long taken = 0;
        for (int i = 0; i < 4; i++) {
            void *n;
            pthread_join(cons[i], &n);
            taken += (intptr_t)n;
        }
        printf("queue: %ld items, sum %ld, left %d\n", taken, (long)atomic_load(&consumed_sum), qcount);
    }

    run_all(atomic_worker);
    printf("atomics: fetch_add %ld, cas %ld, max %ld, xor %#lx\n", (long)atomic_load(&fetch_counter),
           (long)atomic_load(&cas_counter), (long)atomic_load(&cas_max),
           (unsigned long)atomic_load(&xor_acc));

    tls_init = 7;
    printf("tls: threads ok %ld of %d\n", (long)run_all(tls_worker), NTHREADS);
    printf("tls: main keeps its value %d, buf \"%s\"\n", tls_init == 7, tls_buf);
    run_all(tls_addr_worker);
    int distinct = 1;
    for (int i = 0; i < NTHREADS; i++)
        for (int j = 0; j < i; j++)
            if (tls_addr[i] == tls_addr[j]) distinct = 0;
    printf("tls: distinct addresses %d\n", distinct);

    check(pthread_barrier_init(&barrier, NULL, NTHREADS), "pthread_barrier_init");
    intptr_t bad = run_all(barrier_worker);
    printf("barrier: serial threads %d, saw everyone %d of %d, errors %ld\n", atomic_load(&serial_count),
           atomic_load(&saw_all), 3 * NTHREADS, (long)bad);
    pthread_barrier_destroy(&barrier);

    long saw_once = run_all(once_worker);
    printf("once: runs %d, every thread saw %ld\n", atomic_load(&once_runs), saw_once);

    sem_init(&done_sem, 0, 0);
    for (intptr_t i = 0; i < NTHREADS; i++) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (i % 2) pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        check(pthread_create(&t, &attr, detached_worker, (void *)i), "create detached");
        pthread_attr_destroy(&attr);
        if (i % 2 == 0) check(pthread_detach(t), "pthread_detach");
    }
    for (int i = 0; i < NTHREADS; i++)
        while (sem_wait(&done_sem) != 0 && errno == EINTR) {
        }
    int sval = -1;
    sem_getvalue(&done_sem, &sval);
    printf("detached: sum %ld, semaphore now %d, trywait %d\n", (long)atomic_load(&detached_sum), sval,
           sem_trywait(&done_sem) == -1 && errno == EAGAIN);

    check(pthread_key_create(&key, destructor), "pthread_key_create");
    long same = run_all(key_worker);
    printf("keys: getspecific ok %ld, destructors %d, sum %ld, main value %s\n", same,
           atomic_load(&destructor_runs), (long)atomic_load(&destructor_sum),
           pthread_getspecific(key) == NULL ? "NULL" : "set");
    pthread_key_delete(key);

    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&rec, &ma);
    counter = 0;
    run_all(rec_worker);
    printf("recursive mutex: %ld\n", counter);
    pthread_mutex_lock(&lock);
    printf("trylock while held: %s\n", pthread_mutex_trylock(&lock) == EBUSY ? "EBUSY" : "?");
    pthread_mutex_unlock(&lock);

    run_all(rw_worker);
    printf("rwlock: value %ld, even reads %ld\n", rw_value, (long)atomic_load(&rw_reads_ok));

    {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        check(pthread_attr_setstacksize(&attr, 256 * 1024), "setstacksize");
        pthread_t t;
        void *ret;
        check(pthread_create(&t, &attr, stack_worker, (void *)1000), "create small stack");
        pthread_join(t, &ret);
        size_t sz = 0;
        pthread_attr_getstacksize(&attr, &sz);
        printf("small stack: deep(1000) %ld, stacksize %zu\n", (long)(intptr_t)ret, sz);
        pthread_attr_destroy(&attr);
    }

    pthread_t self = pthread_self();
    printf("self equal: %d, join self: %s\n", pthread_equal(self, pthread_self()),
           pthread_join(self, NULL) == EDEADLK ? "EDEADLK" : "?");
    return 0;
}
