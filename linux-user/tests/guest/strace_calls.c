/* strace_calls: a fixed sequence of system calls with decodable arguments (paths, flags,
 * modes, signals, structs), for comparing `emu-user -strace` with `qemu-aarch64 -strace`.
 * Everything is passed explicitly through syscall(2), as full 64-bit values, so no stray
 * register contents reach the log. argv[1] is an empty scratch directory (the same path in
 * both runs); it is left empty again. The calls start after the marker close(-42). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CALL(nr, ...) syscall((long)(nr), __VA_ARGS__)
#define AT_CWD ((long)AT_FDCWD)

static char path_buf[2][600];

static const char *in_dir(int which, const char *dir, const char *name)
{
    strcpy(path_buf[which], dir);
    strcat(path_buf[which], name);
    return path_buf[which];
}

/* The kernel's struct sigaction for rt_sigaction. */
struct ksigaction {
    void (*handler)(int);
    unsigned long flags;
    unsigned long restorer;
    unsigned long mask;
};

static void on_signal(int sig) { (void)sig; }

static void files(const char *dir)
{
    const char *file = in_dir(0, dir, "/file.txt");
    CALL(SYS_openat, AT_CWD, "/nonexistent/strace-test", (long)O_RDONLY, 0L);
    long fd = CALL(SYS_openat, AT_CWD, file, (long)(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC), 0640L);
    CALL(SYS_write, fd, "hello\n", 6L);
    CALL(SYS_lseek, fd, -2L, (long)SEEK_END);
    CALL(SYS_fcntl, fd, (long)F_GETFD, 0L);
    CALL(SYS_fcntl, fd, (long)F_SETFL, (long)(O_APPEND | O_NONBLOCK));
    CALL(SYS_fcntl, fd, (long)F_DUPFD_CLOEXEC, 10L);
    CALL(SYS_dup3, fd, 20L, (long)O_CLOEXEC);
    CALL(SYS_close, 20L);
    CALL(SYS_close, 10L);
    CALL(SYS_close, fd);
    CALL(SYS_close, 99L);
    CALL(SYS_faccessat, AT_CWD, file, (long)(R_OK | W_OK), 0L);
    CALL(SYS_faccessat, AT_CWD, "/", (long)X_OK, (long)AT_EACCESS);
    struct stat st;
    CALL(SYS_newfstatat, AT_CWD, file, &st, (long)AT_SYMLINK_NOFOLLOW);
    const char *sub = in_dir(1, dir, "/sub");
    CALL(SYS_mkdirat, AT_CWD, sub, 0750L);
    CALL(SYS_mkdirat, AT_CWD, sub, 0L);
    CALL(SYS_unlinkat, AT_CWD, sub, (long)AT_REMOVEDIR);
    CALL(SYS_unlinkat, AT_CWD, file, 0L);
    CALL(SYS_unlinkat, AT_CWD, file, 0L);
}

static void memory(void)
{
    long p = CALL(SYS_mmap, 0L, 8192L, (long)(PROT_READ | PROT_WRITE), (long)(MAP_PRIVATE | MAP_ANONYMOUS),
                  -1L, 0L);
    CALL(SYS_mprotect, p, 4096L, (long)PROT_READ);
    CALL(SYS_madvise, p, 4096L, (long)MADV_DONTNEED);
    CALL(SYS_munmap, p, 8192L);
    CALL(SYS_mmap, 0L, 4096L, (long)PROT_READ, (long)MAP_PRIVATE, 99L, 0L);
}

static void signals_and_time(void)
{
    struct ksigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.handler = on_signal;
    CALL(SYS_rt_sigaction, (long)SIGUSR1, &sa, 0L, 8L);
    CALL(SYS_rt_sigaction, 70L, 0L, 0L, 8L);
    unsigned long set = 1UL << (SIGUSR2 - 1), old;
    CALL(SYS_rt_sigprocmask, (long)SIG_BLOCK, &set, &old, 8L);
    CALL(SYS_rt_sigprocmask, (long)SIG_SETMASK, &old, 0L, 8L);
    CALL(SYS_kill, 2147483632L, (long)SIGTERM);
    /* Not compared (pids differ); its signal's line and the handler's return are. */
    syscall(SYS_tgkill, (long)getpid(), (long)syscall(SYS_gettid), (long)SIGUSR1);
    struct timespec ts;
    CALL(SYS_clock_getres, (long)CLOCK_MONOTONIC, &ts);
    CALL(SYS_clock_gettime, 99L, 0L);
    static int word;
    CALL(SYS_futex, &word, (long)(FUTEX_WAKE | FUTEX_PRIVATE_FLAG), 1L, 0L, 0L, 0L);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    CALL(SYS_close, -42L);
    files(argv[1]);
    memory();
    signals_and_time();
    char *args[] = { "prog", "two words", 0 };
    CALL(SYS_execve, "/nonexistent/strace-test", args, 0L);
    CALL(SYS_exit_group, 3L);
    return 0;
}
