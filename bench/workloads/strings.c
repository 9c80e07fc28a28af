/* strings: libc string routines over many short strings — snprintf builds them, then strlen,
 * strchr, strrchr, memcpy, strcmp, strncmp, strstr and qsort (with a strcmp comparator) run
 * over the set, several rounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSTR 20000
#define ROUNDS 20

static char *strs[NSTR];
static char pool[NSTR * 48];

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static const char *const words[] = { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
                                     "hotel", "india", "juliet", "kilo", "lima", "mike", "november" };
#define NWORDS (sizeof words / sizeof words[0])

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    uint64_t sum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        char *p = pool;
        for (int i = 0; i < NSTR; i++) {
            uint32_t r = next_rand();
            int n = snprintf(p, 48, "%s-%u:%s/%x", words[r % NWORDS], (r >> 8) % 100000,
                             words[(r >> 4) % NWORDS], round * NSTR + i);
            strs[i] = p;
            p += n + 1;
        }
        for (int i = 0; i < NSTR; i++) {
            const char *s = strs[i];
            size_t len = strlen(s);
            const char *colon = strchr(s, ':');
            const char *slash = strrchr(s, '/');
            sum += len * 3 + (size_t)(colon - s) + (size_t)(slash - s);
            if (strstr(s, "echo"))
                sum += 7;
            char tmp[48];
            memcpy(tmp, s, len + 1);
            tmp[0] ^= 1;
            sum += (uint64_t)(strcmp(tmp, s) > 0) + (uint64_t)(strncmp(s, strs[(i + 1) % NSTR], 4) == 0);
        }
        qsort(strs, NSTR, sizeof strs[0], cmp);
        for (int i = 0; i + 1 < NSTR; i += 97)
            sum = sum * 131 + (unsigned char)strs[i][strlen(strs[i]) / 2] + (uint64_t)(strcmp(strs[i], strs[i + 1]) <= 0);
    }
    printf("strings: %016llx %s %s\n", (unsigned long long)sum, strs[0], strs[NSTR - 1]);
    return 0;
}
