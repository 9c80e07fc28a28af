/* Processes: fork, vfork, wait4/waitpid/waitid statuses, pipes between parent and child,
 * exec failures and exec of host programs, descriptor calls (dup, fcntl), sessions.
 * `process exec` execs guest programs (itself, a #! script whose interpreter it is), which
 * qemu-user cannot do without binfmt_misc; `process child ...` is the exec'd side. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void report(const char *what, int st) {
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by %d\n", what, WTERMSIG(st));
    else
        printf("%s: status %#x\n", what, st);
}

static void wait_for(const char *what, pid_t pid) {
    int st = 0;
    pid_t r = waitpid(pid, &st, 0);
    if (r != pid)
        printf("%s: waitpid returned %d errno %d\n", what, (int)r, errno);
    report(what, st);
}

static int child_main(int argc, char **argv) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    printf("child: exe %s, argc=%d", strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe, argc);
    for (int i = 0; i < argc; i++)
        printf(" [%s]", strchr(argv[i], '/') ? "<path>" : argv[i]);
    const char *t = getenv("EMU_T");
    printf(" EMU_T=%s\n", t ? t : "-");
    return 5;
}

static void exec_guests(const char *self) {
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[] = {"renamed", "child", "a b", NULL};
        char *envp[] = {"EMU_T=yes", NULL};
        execve("/proc/self/exe", argv, envp);
        printf("exec self failed: errno %d\n", errno);
        _exit(99);
    }
    wait_for("exec /proc/self/exe", pid);
    char script[64];
    snprintf(script, sizeof script, "/tmp/emu-proc-script-%d", (int)getpid());
    FILE *f = fopen(script, "w");
    fprintf(f, "#!%s child\n", self);
    fclose(f);
    chmod(script, 0755);
    pid = fork();
    if (pid == 0) {
        char *argv[] = {"script", "x", NULL};
        char *envp[] = {NULL};
        execve(script, argv, envp);
        printf("exec script failed: errno %d\n", errno);
        _exit(99);
    }
    wait_for("exec script", pid);
    unlink(script);
    pid = vfork();
    if (pid == 0) {
        execl(self, "self", "child", (char *)NULL);
        _exit(98);
    }
    wait_for("vfork+exec", pid);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child_main(argc, argv);
    if (argc > 1 && strcmp(argv[1], "exec") == 0) {
        exec_guests(argv[0]);
        return 0;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        printf("child: ppid is parent %d\n", getppid() == parent);
        _exit(7);
    }
    wait_for("fork", pid);

    pid = fork();
    if (pid == 0) {
        kill(getpid(), SIGTERM);
        _exit(0);
    }
    wait_for("kill", pid);

    int fds[2];
    if (pipe(fds) != 0)
        printf("pipe: errno %d\n", errno);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < 3; i++)
            dprintf(fds[1], "line %d from the child\n", i);
        _exit(0);
    }
    close(fds[1]);
    char buf[256];
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    buf[n] = 0;
    printf("pipe read %zu bytes:\n%s", n, buf);
    close(fds[0]);
    wait_for("pipe child", pid);

    int shared = 1;
    pid = vfork();
    if (pid == 0)
        _exit(3);
    wait_for("vfork", pid);
    printf("vfork: parent continues %d\n", shared);

    pid = fork();
    if (pid == 0) {
        execl("/nonexistent/prog", "prog", (char *)NULL);
        printf("exec missing: errno %d\n", errno);
        execl("/etc/passwd", "passwd", (char *)NULL);
        printf("exec non-executable: errno %d\n", errno);
        execl("/tmp", "tmp", (char *)NULL);
        printf("exec directory: errno %d\n", errno);
        execl("/bin/sh", "sh", "-c", "echo host shell $0; exit 4", "arg0", (char *)NULL);
        _exit(97);
    }
    wait_for("exec host sh", pid);

    pid = fork();
    if (pid == 0)
        _exit(9);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int w = waitid(P_PID, pid, &info, WEXITED);
    printf("waitid: %d signo %d code %d status %d pid ok %d\n", w, info.si_signo, info.si_code,
           info.si_status, info.si_pid == pid);

    struct rusage ru;
    int st;
    errno = 0;
    printf("wait4 no children: %d errno %d\n", (int)wait4(-1, &st, WNOHANG, &ru), errno);

    int d = fcntl(1, F_DUPFD_CLOEXEC, 20);
    printf("F_DUPFD_CLOEXEC >= 20: %d, cloexec %d\n", d >= 20, fcntl(d, F_GETFD) & FD_CLOEXEC);
    int d2 = dup(d);
    printf("dup: cloexec %d\n", fcntl(d2, F_GETFD) & FD_CLOEXEC);
    close(d);
    close(d2);
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
        printf("pipe2 flags: nonblock %d cloexec %d\n", !!(fcntl(fds[0], F_GETFL) & O_NONBLOCK),
               fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
        errno = 0;
        printf("empty nonblocking read: %d errno %d\n", (int)read(fds[0], buf, 1), errno);
        close(fds[0]);
        close(fds[1]);
    }

    pid = fork();
    if (pid == 0) {
        pid_t s = setsid();
        printf("setsid: own session %d, pgid %d\n", s == getpid() && getsid(0) == getpid(),
               getpgid(0) == getpid());
        _exit(0);
    }
    wait_for("setsid", pid);

    /* glibc's system, posix_spawn and popen: clone(CLONE_VM|CLONE_VFORK) on a new stack. */
    report("system", system("echo from system; exit 3"));
    char *sh_argv[] = {"sh", "-c", "echo spawned; exit 6", NULL};
    int e = posix_spawn(&pid, "/bin/sh", NULL, NULL, sh_argv, environ);
    printf("posix_spawn: %d\n", e);
    wait_for("posix_spawn", pid);
    FILE *f = popen("echo through popen", "r");
    if (f && fgets(buf, sizeof buf, f))
        printf("popen read: %s", buf);
    if (f)
        report("pclose", pclose(f));
    return 0;
}
