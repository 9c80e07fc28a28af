/* sort_search: qsort (with function-pointer callbacks) on ints, doubles, strings and structs,
 * bsearch hits and misses, and a hand-written merge sort cross-checked against qsort. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 5000

static uint64_t state = 0x853c49e6748fea9bULL;
static uint32_t rnd(void)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(state >> 33);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_double_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct rec { int key; int order; char name[12]; };
static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->key != y->key)
        return x->key - y->key;
    return x->order - y->order; /* make the result independent of qsort's stability */
}

static void merge_sort(int *a, int *tmp, int n)
{
    if (n < 2)
        return;
    int h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    int i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, (size_t)n * sizeof *a);
}

int main(void)
{
    static int ints[N], copy[N], tmp[N];
    for (int i = 0; i < N; i++)
        ints[i] = copy[i] = (int)(rnd() % 100000) - 50000;
    qsort(ints, N, sizeof ints[0], cmp_int);
    merge_sort(copy, tmp, N);
    printf("ints sorted equal to merge sort: %d\n", memcmp(ints, copy, sizeof ints) == 0);
    printf("min=%d max=%d median=%d\n", ints[0], ints[N - 1], ints[N / 2]);
    int hits = 0;
    long hitsum = 0;
    for (int k = -50000; k < 50000; k += 97) {
        int *p = bsearch(&k, ints, N, sizeof ints[0], cmp_int);
        if (p) {
            hits++;
            hitsum += *p;
        }
    }
    printf("bsearch hits=%d sum=%ld\n", hits, hitsum);

    static double d[N];
    for (int i = 0; i < N; i++)
        d[i] = (double)rnd() / 65536.0 - 16384.0;
    qsort(d, N, sizeof d[0], cmp_double_desc);
    double dsum = 0;
    for (int i = 0; i < N; i++)
        dsum += d[i] * (i % 7);
    printf("doubles: first=%.6f last=%.6f weighted=%.6f\n", d[0], d[N - 1], dsum);

    static char words[1000][8];
    static char *wp[1000];
    for (int i = 0; i < 1000; i++) {
        for (int j = 0; j < 7; j++)
            words[i][j] = (char)('a' + rnd() % 26);
        words[i][7] = 0;
        wp[i] = words[i];
    }
    qsort(wp, 1000, sizeof wp[0], cmp_str);
    printf("strings: %s %s %s ... %s\n", wp[0], wp[1], wp[2], wp[999]);
    const char *probe = wp[500];
    char **found = bsearch(&probe, wp, 1000, sizeof wp[0], cmp_str);
    printf("string bsearch index=%ld\n", found ? (long)(found - wp) : -1L);

    static struct rec recs[2000];
    for (int i = 0; i < 2000; i++) {
        recs[i].key = (int)(rnd() % 50);
        recs[i].order = i;
        snprintf(recs[i].name, sizeof recs[i].name, "r%d", i);
    }
    qsort(recs, 2000, sizeof recs[0], cmp_rec);
    unsigned h = 0;
    for (int i = 0; i < 2000; i++)
        h = h * 131 + (unsigned)recs[i].order;
    printf("records: first=%s last=%s hash=%08x\n", recs[0].name, recs[1999].name, h);
    return 0;
}
