/* strings: the string and memory functions of libc (whose optimized versions use unaligned and
 * word-at-a-time tricks), formatted printing into buffers, and number parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>

static unsigned checksum(const unsigned char *p, size_t n)
{
    unsigned h = 5381;
    for (size_t i = 0; i < n; i++)
        h = h * 33 + p[i];
    return h;
}

static void test_lengths_and_compare(void)
{
    static char buf[300];
    puts("strlen at alignments:");
    for (int off = 0; off < 9; off++) {
        for (int len = 0; len < 40; len += 7) {
            memset(buf, 'x', sizeof buf);
            buf[off + len] = '\0';
            printf(" %zu", strlen(buf + off));
        }
    }
    putchar('\n');
    const char *words[] = { "", "a", "ab", "abc", "abd", "abcd", "B", "b", "zzz", "abc\xff", "abc\x01" };
    int n = sizeof words / sizeof words[0];
    puts("strcmp/strncmp/memcmp signs:");
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            int c = strcmp(words[i], words[j]), d = strncmp(words[i], words[j], 2);
            int e = memcmp(words[i], words[j], 1);
            printf("%c%c%c ", c < 0 ? '<' : c > 0 ? '>' : '=', d < 0 ? '<' : d > 0 ? '>' : '=',
                   e < 0 ? '<' : e > 0 ? '>' : '=');
        }
        putchar('\n');
    }
    printf("strcasecmp(Hello, hELLO) = %d\n", strcasecmp("Hello", "hELLO"));
}

static void test_copy_move(void)
{
    static unsigned char src[512], dst[600];
    for (int i = 0; i < 512; i++)
        src[i] = (unsigned char)(i * 7 + 3);
    unsigned acc = 0;
    for (int so = 0; so < 8; so++)
        for (int d0 = 0; d0 < 8; d0++)
            for (int len = 0; len < 300; len += 37) {
                memset(dst, 0, sizeof dst);
                memcpy(dst + d0, src + so, (size_t)len);
                acc = acc * 3 + checksum(dst, sizeof dst);
            }
    printf("memcpy acc = %08x\n", acc);
    acc = 0;
    for (int shift = -20; shift <= 20; shift += 3) {
        for (int i = 0; i < 512; i++)
            src[i] = (unsigned char)(i ^ 0x5a);
        memmove(src + 100 + shift, src + 100, 200);
        acc = acc * 5 + checksum(src, sizeof src);
    }
    printf("memmove acc = %08x\n", acc);
    memset(dst, 0xab, 333);
    printf("memset = %08x\n", checksum(dst, sizeof dst));
    char s[64] = "hello";
    strcat(s, ", world");
    strncat(s, "!!!!!", 2);
    printf("strcat: %s (%zu)\n", s, strlen(s));
    char t[16];
    strncpy(t, "abc", sizeof t);
    printf("strncpy pad zero: %d\n", t[15] == 0);
    char *dup = strdup(s);
    printf("strdup: %s\n", dup);
    free(dup);
}

static void test_search(void)
{
    const char *hay = "the quick brown fox jumps over the lazy dog; the end";
    const char *needles[] = { "the", "fox", "dog;", "end", "cat", "", "lazy dog", "e e" };
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
        const char *p = strstr(hay, needles[i]);
        printf("strstr(%s) = %ld\n", needles[i], p ? (long)(p - hay) : -1L);
    }
    printf("strchr o=%ld strrchr o=%ld memchr z=%ld strspn=%zu strcspn=%zu\n", (long)(strchr(hay, 'o') - hay),
           (long)(strrchr(hay, 'o') - hay), (long)((const char *)memchr(hay, 'z', strlen(hay)) - hay),
           strspn(hay, "the "), strcspn(hay, "xyz"));
    char tok[] = "a,b,,c;d e";
    char *save;
    printf("tokens:");
    for (char *t = strtok_r(tok, ",; ", &save); t; t = strtok_r(NULL, ",; ", &save))
        printf(" [%s]", t);
    putchar('\n');
}

static void test_format_and_parse(void)
{
    char buf[128];
    int n = snprintf(buf, sizeof buf, "%d|%5d|%-5d|%05d|%x|%X|%o|%#x|%lld|%llu|%c|%s|%.3s|%%", -42, 42, 42, 42,
                     0xbeef, 0xbeef, 8, 255, -1234567890123LL, 18446744073709551615ULL, 'Z', "str", "truncate");
    printf("snprintf(%d): %s\n", n, buf);
    n = snprintf(buf, 10, "%s", "0123456789abcdef");
    printf("truncated(%d): %s\n", n, buf);
    sprintf(buf, "%*d|%-*s|%hhd|%hd|%ld", 6, 7, 4, "ab", (char)300, (short)70000, 1L << 40);
    printf("sprintf: %s\n", buf);
    const char *nums[] = { "0", "123", "-456", "+789", "0x1f", "0777", "  42abc", "9223372036854775807",
                           "9223372036854775808", "-9223372036854775809", "zz", "1e5" };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        char *end;
        errno = 0;
        long v = strtol(nums[i], &end, 0);
        int e1 = errno;
        errno = 0;
        unsigned long u = strtoul(nums[i], NULL, 16);
        printf("strtol(%s) = %ld end=%ld erange=%d strtoul16=%lu atoi=%d\n", nums[i], v, (long)(end - nums[i]),
               e1 == ERANGE, u, atoi(nums[i]));
    }
    const char *fl[] = { "3.14159", "-0.0", "1e308", "1e309", "2.2250738585072014e-308", "4.9e-324", "0x1.8p3",
                         "inf", "-nan", "  .5e-1x", "123456789012345678901234567890", "0.1" };
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++) {
        char *end;
        double d = strtod(fl[i], &end);
        float f = strtof(fl[i], NULL);
        printf("strtod(%s) = %a (%.17g) end=%ld strtof=%a\n", fl[i], d, d, (long)(end - fl[i]), (double)f);
    }
    int a, b;
    char w[16];
    double d;
    int got = sscanf("12 -7 word 2.5", "%d %d %15s %lf", &a, &b, w, &d);
    printf("sscanf %d: %d %d %s %g\n", got, a, b, w, d);
    int up = 0;
    for (const char *p = "Mixed Case 123!"; *p; p++)
        up += isupper((unsigned char)*p) * 100 + isdigit((unsigned char)*p) * 10 + ispunct((unsigned char)*p);
    printf("ctype sum = %d, toupper = %c%c\n", up, toupper('q'), tolower('Q'));
}

int main(void)
{
    test_lengths_and_compare();
    test_copy_move();
    test_search();
    test_format_and_parse();
    return 0;
}
