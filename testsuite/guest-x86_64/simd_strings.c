/* glibc's string and memory functions on many lengths and alignments, with strings ending
 * right before an inaccessible page: once CPUID advertises SSE4.2 glibc's ifuncs pick the
 * SSE4 (PCMPISTRI) variants of strcspn, strspn, strpbrk, strcasecmp, strstr, ... Each
 * function prints a hash of its results and one sample. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t seed = 0x243f6a8885a308d3ull;
static uint64_t next(void) {
    seed ^= seed >> 12; seed ^= seed << 25; seed ^= seed >> 27;
    return seed * 0x2545f4914f6cdd1dull;
}

static uint64_t h;
static void mix(uint64_t v) { h = (h ^ v) * 0x100000001b3ull; }
static void done(const char *name, long sample) {
    printf("%-12s %016llx %ld\n", name, (unsigned long long)h, sample);
    h = 0xcbf29ce484222325ull;
}

/* A random NUL-terminated string of `len` characters from `alphabet` at `dst`. */
static void fill(char *dst, size_t len, const char *alphabet) {
    size_t n = strlen(alphabet);
    for (size_t i = 0; i < len; i++) dst[i] = alphabet[next() % n];
    dst[len] = 0;
}

/* Position of a pointer result (-1 for NULL). */
static long pos(const char *base, const char *p) { return p ? (long)(p - base) : -1; }

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect(map + page, page, PROT_NONE) != 0) return 1;
    char *end = map + page; /* strings end just before the guard page */
    static char a[1200], b[1200], set[80];
    const char *lower = "abcdefgh", *mixed = "aAbBcC-x";
    long sample = 0;

    /* strcspn / strspn / strpbrk / strchr / strrchr / strlen near the guard page. */
    for (int len = 0; len < 300; len++) {
        for (int k = 0; k < 3; k++) {
            char *s = end - len - 1;
            fill(s, len, lower);
            size_t sl = next() % 20;
            fill(set, sl, k == 0 ? "xyz" : lower);
            mix(strcspn(s, set)); mix(strspn(s, set)); mix(pos(s, strpbrk(s, set)));
            mix(strlen(s)); mix(pos(s, strchr(s, 'h'))); mix(pos(s, strrchr(s, 'a')));
            mix(pos(s, memchr(s, 'g', len)));
            sample += (long)strcspn(s, set);
        }
    }
    done("span", sample);

    /* strcasecmp / strncasecmp / strcmp / strncmp / memcmp, all relative alignments. */
    sample = 0;
    for (int len = 0; len < 200; len += 1 + len / 16) {
        for (int oa = 0; oa < 16; oa++) {
            for (int ob = 0; ob < 16; ob += 5) {
                char *s = a + oa, *t = b + ob;
                fill(s, len, mixed);
                memcpy(t, s, len + 1);
                for (int i = 0; i < len; i++)
                    if (next() % 2) t[i] ^= (t[i] >= 'A' && t[i] <= 'z' && t[i] != '-') ? 0x20 : 0;
                if (len && next() % 3 == 0) t[next() % len] = "aZ-"[next() % 3];
                int n = (int)(next() % (len + 5));
                mix((uint64_t)(strcasecmp(s, t) > 0) - (strcasecmp(s, t) < 0));
                mix((uint64_t)(strncasecmp(s, t, n) > 0) - (strncasecmp(s, t, n) < 0));
                mix((uint64_t)(strcmp(s, t) > 0) - (strcmp(s, t) < 0));
                mix((uint64_t)(strncmp(s, t, n) > 0) - (strncmp(s, t, n) < 0));
                mix((uint64_t)(memcmp(s, t, len) > 0) - (memcmp(s, t, len) < 0));
                sample += strcasecmp(s, t) == 0;
            }
        }
    }
    /* The same near the guard page. */
    for (int len = 0; len < 100; len++) {
        char *s = end - len - 1, *t = a + (len % 7);
        fill(s, len, mixed);
        memcpy(t, s, len + 1);
        mix((uint64_t)strcasecmp(s, t) == 0); mix(memcmp(s, t, len) == 0);
        mix((uint64_t)(strncasecmp(t, s, len + 10) == 0));
    }
    done("compare", sample);

    /* strstr / strcasestr / memmem. */
    sample = 0;
    for (int len = 0; len < 400; len += 1 + len / 8) {
        for (int k = 0; k < 12; k++) {
            char *hay = k % 2 ? end - len - 1 : a + k;
            fill(hay, len, k < 6 ? "ab" : "aAbB");
            size_t nl = 1 + next() % 24;
            if (len && k % 3 == 0) {
                size_t at = next() % len, n = len - at < nl ? len - at : nl;
                memcpy(set, hay + at, n);
                set[n] = 0;
                if (k % 4 == 0) for (size_t i = 0; i < n; i++) set[i] ^= 0x20;
            } else {
                fill(set, nl, "aAbB");
            }
            mix(pos(hay, strstr(hay, set))); mix(pos(hay, strcasestr(hay, set)));
            mix(pos(hay, memmem(hay, len, set, strlen(set))));
            sample += pos(hay, strcasestr(hay, set));
        }
    }
    done("search", sample);
    return 0;
}
