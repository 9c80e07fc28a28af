/* fileio: files and directories through the syscalls behind stdio and POSIX I/O — mkdtemp,
 * open/write/read/lseek/pread/pwrite, fstat/stat sizes, rename, readdir (printed sorted),
 * unlink/rmdir. The temporary directory is argv[1] if given, else under /tmp; its name is
 * never printed, so the output is deterministic. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[512];

static const char *path_in(const char *name)
{
    static char buf[2][600];
    static int which;
    which ^= 1;
    snprintf(buf[which], sizeof buf[which], "%s/%s", dir, name);
    return buf[which];
}

static int fail(const char *what)
{
    printf("FAILED: %s (errno %d)\n", what, errno);
    return 1;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int test_posix_io(void)
{
    int fd = open(path_in("data.bin"), O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0)
        return fail("open");
    unsigned char block[4096];
    for (int i = 0; i < 4096; i++)
        block[i] = (unsigned char)(i * 13);
    for (int i = 0; i < 10; i++)
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
            return fail("write");
    struct stat st;
    if (fstat(fd, &st) != 0)
        return fail("fstat");
    printf("size after writes: %lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    off_t pos = lseek(fd, 1000, SEEK_SET);
    unsigned char b[16];
    ssize_t n = read(fd, b, sizeof b);
    printf("lseek=%lld read=%zd bytes: %02x %02x %02x\n", (long long)pos, n, b[0], b[1], b[15]);
    printf("SEEK_CUR=%lld SEEK_END=%lld\n", (long long)lseek(fd, 10, SEEK_CUR), (long long)lseek(fd, -5, SEEK_END));
    if (pwrite(fd, "HELLO", 5, 50000) != 5)
        return fail("pwrite");
    char h[6] = { 0 };
    n = pread(fd, h, 5, 50000);
    fstat(fd, &st);
    printf("pread=%zd '%s' size now %lld\n", n, h, (long long)st.st_size);
    if (ftruncate(fd, 1234) != 0)
        return fail("ftruncate");
    fstat(fd, &st);
    printf("after ftruncate: %lld\n", (long long)st.st_size);
    n = read(fd, b, sizeof b);
    printf("read at EOF-ish offset: %zd\n", n);
    close(fd);
    printf("read on closed fd: %zd errno=EBADF? %d\n", read(fd, b, 1), errno == EBADF);
    return 0;
}

static int test_stdio(void)
{
    FILE *f = fopen(path_in("text.txt"), "w");
    if (!f)
        return fail("fopen w");
    for (int i = 0; i < 100; i++)
        fprintf(f, "line %d: %d\n", i, i * i);
    fclose(f);
    f = fopen(path_in("text.txt"), "r");
    if (!f)
        return fail("fopen r");
    char line[64];
    long total = 0;
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        int a, b;
        if (sscanf(line, "line %d: %d", &a, &b) == 2)
            total += b - a;
        lines++;
    }
    printf("stdio: lines=%d total=%ld ftell=%ld\n", lines, total, ftell(f));
    fseek(f, 7, SEEK_SET);
    printf("after fseek: %s", fgets(line, sizeof line, f));
    fclose(f);
    f = fopen(path_in("text.txt"), "a");
    fputs("appended\n", f);
    fclose(f);
    struct stat st;
    stat(path_in("text.txt"), &st);
    printf("stat size after append: %lld\n", (long long)st.st_size);
    if (rename(path_in("text.txt"), path_in("renamed.txt")) != 0)
        return fail("rename");
    printf("old name exists: %d, new name exists: %d\n", access(path_in("text.txt"), F_OK) == 0,
           access(path_in("renamed.txt"), F_OK) == 0);
    return 0;
}

static int test_dirs(void)
{
    if (mkdir(path_in("sub"), 0755) != 0)
        return fail("mkdir");
    const char *names[] = { "zeta", "alpha", "mid", "Beta", "_under", "x1", "x10", "x2" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "sub/%s", names[i]);
        int fd = open(path_in(name), O_CREAT | O_WRONLY, 0600);
        if (fd < 0)
            return fail("create in sub");
        if (write(fd, names[i], strlen(names[i])) < 0)
            return fail("write in sub");
        close(fd);
    }
    DIR *d = opendir(path_in("sub"));
    if (!d)
        return fail("opendir");
    char *seen[32];
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 32)
        seen[count++] = strdup(e->d_name);
    closedir(d);
    qsort(seen, (size_t)count, sizeof seen[0], cmp_names);
    printf("readdir (%d entries):", count);
    for (int i = 0; i < count; i++) {
        struct stat st;
        char name[64];
        snprintf(name, sizeof name, "sub/%s", seen[i]);
        stat(path_in(name), &st);
        printf(" %s%s(%lld)", seen[i], S_ISDIR(st.st_mode) ? "/" : "",
               S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
    }
    putchar('\n');
    for (int i = 0; i < count; i++) {
        if (strcmp(seen[i], ".") && strcmp(seen[i], "..")) {
            char name[64];
            snprintf(name, sizeof name, "sub/%s", seen[i]);
            if (unlink(path_in(name)) != 0)
                return fail("unlink in sub");
        }
        free(seen[i]);
    }
    printf("rmdir non-empty parent fails: %d\n", rmdir(dir) != 0);
    if (rmdir(path_in("sub")) != 0)
        return fail("rmdir sub");
    printf("open missing: %d ENOENT=%d\n", open(path_in("missing"), O_RDONLY), errno == ENOENT);
    return 0;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(dir, sizeof dir, "%s/emu-fileio-XXXXXX", base);
    if (!mkdtemp(dir))
        return fail("mkdtemp");
    int rc = test_posix_io() || test_stdio() || test_dirs();
    unlink(path_in("data.bin"));
    unlink(path_in("renamed.txt"));
    printf("cleanup rmdir: %d\n", rmdir(dir));
    return rc;
}
