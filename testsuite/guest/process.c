/* Processes and descriptors: fork + pipe + waitpid (exit codes, WIFSIGNALED for SIGKILL,
 * SIGTERM and SIGPIPE, WNOHANG, waitid WNOWAIT), dup/dup2/dup3 (lowest free number, shared
 * offset, FD_CLOEXEC), fcntl (F_GETFL/F_SETFL with O_NONBLOCK and O_APPEND, F_DUPFD,
 * F_DUPFD_CLOEXEC, F_GETFD/F_SETFD, pipe sizes, EBADF), poll/ppoll/select/pselect on pipes
 * (empty, readable, hung up, invalid), vfork + _exit, execve of /proc/self/exe with arguments
 * and an environment (the program re-runs itself in child mode and reports through a pipe
 * what it got, including which descriptors survived the exec), wait4 with a rusage. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int b) { return b ? "yes" : "no"; }

static const char *errname(int e) {
    switch (e) {
    case 0: return "0";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN";
    case EPIPE: return "EPIPE";
    case ECHILD: return "ECHILD";
    case ENOENT: return "ENOENT";
    case ENOEXEC: return "ENOEXEC";
    default: return "other";
    }
}

static void describe(const char *what, int st) {
    if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else printf("%s: status %#x\n", what, st);
}

static void reap(const char *what, pid_t pid) {
    int st;
    pid_t r = waitpid(pid, &st, 0);
    if (r != pid) printf("%s: waitpid %s\n", what, errname(errno));
    else describe(what, st);
}

/* ---- child mode: run through execve of /proc/self/exe ---- */
static int child_mode(int argc, char **argv) {
    /* argv: exe, "child-mode", report fd, cloexec fd, kept fd, words..., parent pid */
    int out = atoi(argv[2]);
    int cloexec_fd = atoi(argv[3]);
    int kept_fd = atoi(argv[4]);
    char msg[512];
    int n = snprintf(msg, sizeof msg, "argc %d, words", argc);
    for (int i = 5; i < argc - 1; i++) n += snprintf(msg + n, sizeof msg - n, " [%s]", argv[i]);
    const char *env = getenv("EMU_PROC_CHILD");
    errno = 0;
    int closed = fcntl(cloexec_fd, F_GETFD) == -1 && errno == EBADF;
    n += snprintf(msg + n, sizeof msg - n, ", env %s, cloexec fd closed %s, other fd open %s, ppid is parent %s",
                  env ? env : "-", yes(closed), yes(fcntl(kept_fd, F_GETFD) >= 0),
                  yes(getppid() == (pid_t)atol(argv[argc - 1])));
    if (write(out, msg, n) != n) return 2;
    return 42;
}

/* ---- fork, pipes, statuses ---- */
static void fork_and_wait(void) {
    int fds[2];
    if (pipe(fds)) return;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char line[64];
        int n = snprintf(line, sizeof line, "hello from the child, ppid ok %s", yes(getppid() == parent));
        if (write(fds[1], line, n) != n) _exit(1);
        _exit(3);
    }
    close(fds[1]);
    char buf[128];
    ssize_t total = 0, r;
    while ((r = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0) total += r;
    buf[total] = 0;
    close(fds[0]);
    printf("pipe from child: \"%s\"\n", buf);
    reap("child", pid);

    pid = fork();
    if (pid == 0) _exit(256 + 5);
    reap("exit(261)", pid);

    if (pipe(fds)) return;
    pid = fork();
    if (pid == 0) {
        char c;
        close(fds[1]);
        while (read(fds[0], &c, 1) != 0) {
        }
        _exit(0);
    }
    close(fds[0]);
    int st;
    printf("WNOHANG on a running child: %d\n", (int)waitpid(pid, &st, WNOHANG));
    printf("kill(child, 0): %d\n", kill(pid, 0));
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("SIGKILL: signaled %d, signal %d, exited %d\n", WIFSIGNALED(st), WTERMSIG(st), WIFEXITED(st));
    close(fds[1]);

    pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    reap("raise(SIGTERM)", pid);

    /* A write to a pipe nobody reads: SIGPIPE by default, EPIPE when it is ignored. */
    if (pipe(fds)) return;
    close(fds[0]);
    pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        ssize_t w = write(fds[1], "x", 1);
        _exit(w < 0 ? 100 + errno % 100 : 1);
    }
    reap("write to a closed pipe", pid);
    pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        ssize_t w = write(fds[1], "x", 1);
        _exit(w < 0 && errno == EPIPE ? 32 : 1);
    }
    reap("same with SIGPIPE ignored (32 = EPIPE)", pid);
    close(fds[1]);

    pid = fork();
    if (pid == 0) _exit(12);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int w = waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
    printf("waitid WNOWAIT: %d, code %s, status %d, pid ok %s\n", w, info.si_code == CLD_EXITED ? "CLD_EXITED" : "?",
           info.si_status, yes(info.si_pid == pid));
    reap("after WNOWAIT", pid);
    errno = 0;
    pid_t none = waitpid(-1, &st, WNOHANG);
    printf("no children left: %d %s\n", (int)none, errname(errno));
}

/* ---- dup family ---- */
static void dups(void) {
    int fds[2];
    if (pipe(fds)) return;
    int a = dup(fds[1]);
    printf("dup: lowest free %s\n", yes(a == fds[1] + 1));
    int target = 40;
    int b = dup2(fds[1], target);
    printf("dup2 to %d: %d, cloexec %d\n", target, b, fcntl(b, F_GETFD));
    int c = dup2(a, target); /* closes the old 40 first */
    printf("dup2 onto an open fd: %d\n", c);
    printf("dup2 same fd: %d\n", dup2(a, a) == a);
    errno = 0;
    int same = dup3(a, a, 0);
    printf("dup3 same fd: %d %s\n", same, errname(errno));
    int d = dup3(a, 41, O_CLOEXEC);
    printf("dup3 O_CLOEXEC: %d, cloexec %d\n", d, fcntl(d, F_GETFD));
    errno = 0;
    int bad = dup3(a, 42, 0x7fff0000);
    printf("dup3 bad flags: %d %s\n", bad, errname(errno));
    errno = 0;
    bad = dup(999);
    printf("dup bad fd: %d %s\n", bad, errname(errno));
    if (write(target, "via dup2\n", 9) != 9) printf("write through the dup failed\n");
    char buf[16] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    printf("read what the dup wrote: %zd %s", n, buf);
    close(a);
    close(target);
    close(d);
    close(fds[0]);
    close(fds[1]);

    /* Duplicates share the file offset. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/emu-process-%ld", (long)getpid());
    int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    unlink(path);
    if (f < 0) return;
    if (write(f, "0123456789", 10) != 10) return;
    int g = dup(f);
    lseek(f, 3, SEEK_SET);
    char ch;
    printf("shared offset: lseek(dup) %ld, read(dup) ", (long)lseek(g, 0, SEEK_CUR));
    if (read(g, &ch, 1) == 1) printf("'%c'", ch);
    printf(", offset now %ld\n", (long)lseek(f, 0, SEEK_CUR));
    close(g);
    close(f);
}

/* ---- fcntl ---- */
static void fcntls(void) {
    int fds[2];
    if (pipe(fds)) return;
    int fl = fcntl(fds[0], F_GETFL);
    printf("F_GETFL pipe read end: accmode %s, nonblock %d\n", (fl & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "?",
           !!(fl & O_NONBLOCK));
    printf("F_GETFL pipe write end: accmode %s\n", (fcntl(fds[1], F_GETFL) & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "?");
    fcntl(fds[0], F_SETFL, fl | O_NONBLOCK);
    printf("F_SETFL O_NONBLOCK: now %d\n", !!(fcntl(fds[0], F_GETFL) & O_NONBLOCK));
    char c;
    errno = 0;
    ssize_t r = read(fds[0], &c, 1);
    printf("read empty nonblocking pipe: %zd %s\n", r, errname(errno));
    fcntl(fds[0], F_SETFL, fl);
    printf("F_SETFL back: nonblock %d\n", !!(fcntl(fds[0], F_GETFL) & O_NONBLOCK));

    int d = fcntl(fds[0], F_DUPFD, 30);
    printf("F_DUPFD 30: %d, cloexec %d\n", d, fcntl(d, F_GETFD));
    int e = fcntl(fds[0], F_DUPFD_CLOEXEC, 30);
    printf("F_DUPFD_CLOEXEC 30: %d, cloexec %d\n", e, fcntl(e, F_GETFD));
    fcntl(d, F_SETFD, FD_CLOEXEC);
    printf("F_SETFD FD_CLOEXEC: %d\n", fcntl(d, F_GETFD));
    fcntl(d, F_SETFD, 0);
    printf("F_SETFD 0: %d\n", fcntl(d, F_GETFD));
    close(d);
    close(e);

    int size = fcntl(fds[1], F_GETPIPE_SZ);
    printf("F_GETPIPE_SZ: at least a page %s\n", yes(size >= 4096));
    int set = fcntl(fds[1], F_SETPIPE_SZ, 8192);
    int now = fcntl(fds[1], F_GETPIPE_SZ);
    printf("F_SETPIPE_SZ 8192: returns the new size %s, at least 8192 %s\n", yes(set == now), yes(now >= 8192));
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    long filled = 0;
    char block[1024];
    memset(block, 'p', sizeof block);
    for (;;) {
        ssize_t w = write(fds[1], block, sizeof block);
        if (w <= 0) break;
        filled += w;
    }
    printf("nonblocking writes fill the pipe: all of it %s, then %s\n", yes(filled == now), errname(errno));
    close(fds[0]);
    close(fds[1]);

    char path[64];
    snprintf(path, sizeof path, "/tmp/emu-process-fl-%ld", (long)getpid());
    int f = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
    unlink(path);
    int ff = fcntl(f, F_GETFL);
    printf("F_GETFL file: accmode %s, append %d, nonblock %d\n", (ff & O_ACCMODE) == O_RDWR ? "O_RDWR" : "?",
           !!(ff & O_APPEND), !!(ff & O_NONBLOCK));
    fcntl(f, F_SETFL, ff & ~O_APPEND);
    printf("F_SETFL clears O_APPEND: %d\n", !!(fcntl(f, F_GETFL) & O_APPEND));
    close(f);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    printf("F_GETFL directory: O_DIRECTORY kept %d\n", !!(fcntl(dir, F_GETFL) & O_DIRECTORY));
    close(dir);
    errno = 0;
    int bad = fcntl(999, F_GETFD);
    printf("fcntl bad fd: %d %s\n", bad, errname(errno));
}

/* ---- poll family ---- */
static void polls(void) {
    int fds[2];
    if (pipe(fds)) return;
    struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLOUT}};
    int r = poll(p, 2, 0);
    printf("poll empty pipe: %d, read end %#x, write end %#x\n", r, p[0].revents, p[1].revents);
    if (write(fds[1], "ab", 2) != 2) return;
    r = poll(p, 2, 1000);
    printf("poll after a write: %d, read end %#x\n", r, p[0].revents);

    struct timespec ts = {0, 1000000};
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    r = ppoll(p, 1, &ts, &mask);
    printf("ppoll readable: %d, %#x\n", r, p[0].revents);
    char buf[4];
    if (read(fds[0], buf, 2) != 2) return;
    r = ppoll(p, 1, &ts, NULL);
    printf("ppoll drained, 1ms timeout: %d\n", r);

    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(fds[0], &rd);
    FD_SET(fds[1], &wr);
    struct timeval tv = {0, 0};
    int maxfd = fds[0] > fds[1] ? fds[0] : fds[1];
    r = select(maxfd + 1, &rd, &wr, NULL, &tv);
    printf("select empty: %d, read set %d, write set %d\n", r, FD_ISSET(fds[0], &rd), FD_ISSET(fds[1], &wr));
    if (write(fds[1], "c", 1) != 1) return;
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    tv.tv_sec = 1;
    r = select(maxfd + 1, &rd, NULL, NULL, &tv);
    printf("select readable: %d, read set %d\n", r, FD_ISSET(fds[0], &rd));
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    struct timespec pts = {1, 0};
    r = pselect(maxfd + 1, &rd, NULL, NULL, &pts, &mask);
    printf("pselect readable: %d, read set %d\n", r, FD_ISSET(fds[0], &rd));
    if (read(fds[0], buf, 1) != 1) return;
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    pts.tv_sec = 0;
    pts.tv_nsec = 2000000;
    r = pselect(maxfd + 1, &rd, NULL, NULL, &pts, NULL);
    printf("pselect timeout: %d, read set %d\n", r, FD_ISSET(fds[0], &rd));

    close(fds[1]);
    p[0].revents = 0;
    r = poll(p, 1, 1000);
    printf("poll after the writer closed: %d, hup %d\n", r, !!(p[0].revents & POLLHUP));
    close(fds[0]);
    struct pollfd closed = {.fd = fds[0], .events = POLLIN};
    r = poll(&closed, 1, 0);
    printf("poll closed fd: %d, nval %d\n", r, !!(closed.revents & POLLNVAL));
    struct pollfd ignored = {.fd = -1, .events = POLLIN};
    r = poll(&ignored, 1, 0);
    printf("poll fd -1: %d, revents %d\n", r, ignored.revents);
    errno = 0;
    r = select(-1, NULL, NULL, NULL, &tv);
    printf("select nfds -1: %d %s\n", r, errname(errno));
}

/* ---- vfork ---- */
static void vforks(void) {
    pid_t pid = vfork();
    if (pid == 0) _exit(9);
    reap("vfork child", pid);
    pid = vfork();
    if (pid == 0) {
        char *argv[] = {"/nonexistent/program", NULL};
        execv(argv[0], argv);
        _exit(errno == ENOENT ? 127 : 1);
    }
    reap("vfork + exec of a missing program", pid);
}

/* ---- execve of ourselves ---- */
static void exec_self(void) {
    int report[2], extra[2];
    if (pipe2(report, O_CLOEXEC) || pipe(extra)) return;
    int cloexec_fd = fcntl(extra[0], F_DUPFD_CLOEXEC, 50);
    char out_s[16], cl_s[16], kept_s[16], ppid_s[24];
    int out = dup(report[1]); /* not close-on-exec: the child reports through it */
    snprintf(out_s, sizeof out_s, "%d", out);
    snprintf(cl_s, sizeof cl_s, "%d", cloexec_fd);
    snprintf(kept_s, sizeof kept_s, "%d", extra[1]);
    snprintf(ppid_s, sizeof ppid_s, "%ld", (long)getpid());
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {"renamed", "child-mode", out_s, cl_s, kept_s, "two words", "", ppid_s, NULL};
        char *envp[] = {"EMU_PROC_CHILD=yes", NULL};
        execve("/proc/self/exe", argv, envp);
        dprintf(out, "execve failed: %s", errname(errno));
        _exit(127);
    }
    close(out);
    close(report[1]);
    char buf[512];
    ssize_t total = 0, r;
    while ((r = read(report[0], buf + total, sizeof buf - 1 - total)) > 0) total += r;
    buf[total] = 0;
    int st;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    pid_t w = wait4(pid, &st, 0, &ru);
    printf("exec /proc/self/exe: \"%s\", exit %d\n", buf, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    printf("wait4 rusage: pid ok %s, maxrss set %s, times sane %s\n", yes(w == pid), yes(ru.ru_maxrss > 0),
           yes(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 &&
               ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000));
    struct rusage children;
    printf("getrusage children: %d, maxrss set %s\n", getrusage(RUSAGE_CHILDREN, &children),
           yes(children.ru_maxrss > 0));
    close(report[0]);
    close(extra[0]);
    close(extra[1]);
    close(cloexec_fd);
}

int main(int argc, char **argv) {
    if (argc >= 6 && strcmp(argv[1], "child-mode") == 0) return child_mode(argc, argv);
    setvbuf(stdout, NULL, _IONBF, 0);
    fork_and_wait();
    dups();
    fcntls();
    polls();
    vforks();
    exec_self();
    printf("done\n");
    return 0;
}
