/* print_args: argc, argv[1..] (given in print_args.args), and the environment variables the
 * runner sets (EMU_TEST_*), sorted; the auxiliary vector's page size. argv[0] is not printed:
 * it is the path the runner used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=\"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
    char *mine[64];
    int n = 0;
    for (char **e = envp; *e && n < 64; e++)
        if (strncmp(*e, "EMU_TEST_", 9) == 0)
            mine[n++] = *e;
    qsort(mine, (size_t)n, sizeof mine[0], cmp);
    for (int i = 0; i < n; i++)
        printf("env %s\n", mine[i]);
    const char *v = getenv("EMU_TEST_GREETING");
    printf("getenv(EMU_TEST_GREETING)=%s\n", v ? v : "(unset)");
    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    return argc;
}
