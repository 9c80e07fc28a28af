/* File-system syscalls in a fresh directory under /tmp (named from the pid, never printed):
 * mkdir, open/creat and their flags (O_EXCL, O_TRUNC, O_APPEND, O_NOFOLLOW, O_DIRECTORY,
 * O_CLOEXEC), write/pread/pwrite/readv/writev, getdents64 (sorted), stat/fstat/lstat/fstatat
 * and statx fields that do not depend on the machine, rename/renameat2 (RENAME_NOREPLACE,
 * RENAME_EXCHANGE), link/unlink/rmdir, symlink/readlink, chmod/fchmod, utimensat/futimens with
 * fixed times, truncate/ftruncate, access/faccessat, fcntl record locks and flock seen from a
 * child, sendfile and copy_file_range, file-backed MAP_SHARED and MAP_PRIVATE mappings against
 * read/write, msync, mremap growing with MREMAP_MAYMOVE, madvise(MADV_DONTNEED),
 * /proc/self/exe (and /proc/<pid>/exe), /proc/self/auxv and /proc/self/stat,
 * getcwd/chdir/fchdir, and the cleanup. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *yes(int b) { return b ? "yes" : "no"; }

static const char *errname(int e) {
    switch (e) {
    case 0: return "0";
    case EACCES: return "EACCES";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ERANGE: return "ERANGE";
    case EPERM: return "EPERM";
    case EFAULT: return "EFAULT";
    default: return "other";
    }
}

/* Prints "what: ok" for r >= 0, else the errno's name. */
static void check(const char *what, long r) {
    if (r >= 0) printf("%s: ok\n", what);
    else printf("%s: -1 %s\n", what, errname(errno));
}

/* Prints what a failing call gave: "what: -1 ENAME" (or its unexpected success). */
static void expect_fail(const char *what, long r) {
    if (r >= 0) printf("%s: succeeded (%ld)\n", what, r);
    else printf("%s: -1 %s\n", what, errname(errno));
}

static const char *type_name(mode_t m) {
    if (S_ISREG(m)) return "file";
    if (S_ISDIR(m)) return "dir";
    if (S_ISLNK(m)) return "symlink";
    if (S_ISFIFO(m)) return "fifo";
    return "other";
}

/* Directory sizes and link counts depend on the file system: only their type and mode. */
static void show_stat(const char *what, const struct stat *st) {
    if (S_ISDIR(st->st_mode)) {
        printf("%s: dir, mode %04o\n", what, st->st_mode & 07777);
        return;
    }
    printf("%s: %s, mode %04o, nlink %lu, size %lld\n", what, type_name(st->st_mode), st->st_mode & 07777,
           (unsigned long)st->st_nlink, (long long)st->st_size);
}

static void stat_path(const char *what, const char *path) {
    struct stat st;
    if (stat(path, &st)) printf("%s: stat -1 %s\n", what, errname(errno));
    else show_stat(what, &st);
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) printf("write_file %s failed\n", path);
    close(fd);
}

static void read_file(const char *what, const char *path) {
    char buf[128];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%s: open -1 %s\n", what, errname(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = 0;
    printf("%s: \"%s\"\n", what, buf);
}

/* ---- open, read, write ---- */
static void files(void) {
    check("mkdir sub", mkdir("sub", 0755));
    expect_fail("mkdir existing", mkdir("sub", 0755));
    int fd = creat("a.txt", 0644);
    check("creat a.txt", fd);
    check("write", write(fd, "hello world", 11));
    close(fd);
    expect_fail("open O_EXCL existing", open("a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644));
    expect_fail("open missing", open("missing", O_RDONLY));
    expect_fail("open file O_DIRECTORY", open("a.txt", O_RDONLY | O_DIRECTORY));
    expect_fail("open dir for writing", open("sub", O_WRONLY));

    fd = open("a.txt", O_RDWR | O_CLOEXEC);
    printf("O_CLOEXEC: FD_CLOEXEC %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC);
    check("pwrite at 6", pwrite(fd, "WORLD", 5, 6));
    char buf[64] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    printf("pread: %zd \"%s\", offset still %ld\n", n, buf, (long)lseek(fd, 0, SEEK_CUR));
    memset(buf, 0, sizeof buf);
    n = pread(fd, buf, 4, 3);
    printf("pread 4 at 3: %zd \"%s\"\n", n, buf);
    printf("pread past the end: %zd\n", pread(fd, buf, 4, 100));
    check("pwrite at 20 (leaves a hole)", pwrite(fd, "!", 1, 20));
    struct stat st;
    fstat(fd, &st);
    printf("size after the hole: %lld\n", (long long)st.st_size);
    memset(buf, 'x', sizeof buf);
    n = pread(fd, buf, 10, 11);
    int zeros = 1;
    for (int i = 0; i < 9; i++) zeros &= buf[i] == 0;
    printf("hole reads as zeros: %zd %s, then '%c'\n", n, yes(zeros), buf[9]);
    printf("lseek SEEK_END: %ld\n", (long)lseek(fd, 0, SEEK_END));
    expect_fail("lseek negative", lseek(fd, -100, SEEK_SET));

    struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
    lseek(fd, 0, SEEK_SET);
    printf("writev: %zd\n", writev(fd, out, 3));
    char x[3] = {0}, y[5] = {0};
    struct iovec in[2] = {{x, 2}, {y, 4}};
    lseek(fd, 0, SEEK_SET);
    n = readv(fd, in, 2);
    printf("readv: %zd \"%s\" \"%s\"\n", n, x, y);
    close(fd);

    fd = open("a.txt", O_WRONLY | O_APPEND);
    check("O_APPEND write", write(fd, "+", 1));
    printf("O_APPEND offset: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    fd = open("a.txt", O_RDWR | O_TRUNC);
    fstat(fd, &st);
    printf("O_TRUNC size: %lld\n", (long long)st.st_size);
    check("write again", write(fd, "0123456789abcdef", 16));
    check("fsync", fsync(fd));
    check("fdatasync", fdatasync(fd));
    close(fd);
    expect_fail("read from a closed fd", read(fd, buf, 1));
}

/* ---- directory listing ---- */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static const char *dtype_name(unsigned char t) {
    switch (t) {
    case DT_REG: return "reg";
    case DT_DIR: return "dir";
    case DT_LNK: return "lnk";
    case DT_FIFO: return "fifo";
    case DT_UNKNOWN: return "unknown";
    default: return "other";
    }
}

static void listing(const char *what) {
    int fd = open(".", O_RDONLY | O_DIRECTORY);
    char buf[512]; /* small, so a big directory takes several calls */
    char *names[64];
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            if (count < 64) {
                char *e = malloc(strlen(d->d_name) + 16);
                sprintf(e, "%s(%s)", d->d_name, dtype_name(d->d_type));
                names[count++] = e;
            }
            off += d->d_reclen;
        }
    }
    close(fd);
    qsort(names, count, sizeof names[0], cmp_str);
    printf("%s:", what);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");

    DIR *dir = opendir(".");
    int entries = 0;
    while (readdir(dir)) entries++;
    closedir(dir);
    printf("%s: readdir sees %d entries\n", what, entries);
}

static void directories(void) {
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d-with-a-longer-name", i);
        write_file(name, "x");
    }
    mkfifo("fifo", 0600);
    symlink("a.txt", "link");
    listing("getdents64");
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%02d-with-a-longer-name", i);
        unlink(name);
    }
    unlink("fifo");
    int fd = open("a.txt", O_RDONLY);
    char buf[256];
    expect_fail("getdents64 on a file", syscall(SYS_getdents64, fd, buf, sizeof buf));
    close(fd);
}

/* ---- stat family ---- */
static void stats(void) {
    stat_path("stat a.txt", "a.txt");
    stat_path("stat sub", "sub");
    stat_path("stat link (followed)", "link");
    struct stat st, st2;
    lstat("link", &st);
    show_stat("lstat link", &st);
    int dirfd = open(".", O_RDONLY | O_DIRECTORY);
    fstatat(dirfd, "link", &st, AT_SYMLINK_NOFOLLOW);
    printf("fstatat NOFOLLOW: %s\n", type_name(st.st_mode));
    fstatat(dirfd, "link", &st, 0);
    printf("fstatat follow: %s\n", type_name(st.st_mode));
    int fd = open("a.txt", O_RDONLY);
    fstat(fd, &st);
    fstatat(fd, "", &st2, AT_EMPTY_PATH);
    printf("fstat and AT_EMPTY_PATH agree: %s\n", yes(st.st_ino == st2.st_ino && st.st_size == st2.st_size));
    printf("blksize positive: %s\n", yes(st.st_blksize > 0));
    close(fd);
    expect_fail("stat missing", stat("missing", &st));
    expect_fail("stat through a file", stat("a.txt/x", &st));
    expect_fail("fstatat bad flags", fstatat(dirfd, "a.txt", &st, 0x40000000));
    close(dirfd);

    struct statx sx;
    memset(&sx, 0, sizeof sx);
    int r = statx(AT_FDCWD, "a.txt", 0, STATX_BASIC_STATS, &sx);
    if (r != 0) {
        printf("statx: -1 %s\n", errname(errno));
        return;
    }
    unsigned want = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_SIZE | STATX_INO;
    stat("a.txt", &st);
    printf("statx: mask has basics %s, %s, mode %04o, nlink %u, size %llu, same inode %s\n",
           yes((sx.stx_mask & want) == want), type_name(sx.stx_mode), sx.stx_mode & 07777, sx.stx_nlink,
           (unsigned long long)sx.stx_size, yes(sx.stx_ino == st.st_ino));
    statx(AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
    printf("statx link NOFOLLOW: %s, size %llu\n", type_name(sx.stx_mode), (unsigned long long)sx.stx_size);
    expect_fail("statx missing", statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx));
}

/* ---- names ---- */
static void names(void) {
    check("rename a.txt b.txt", rename("a.txt", "b.txt"));
    expect_fail("stat old name", access("a.txt", F_OK));
    write_file("c.txt", "ccc");
    expect_fail("renameat2 NOREPLACE onto c.txt",
                renameat2(AT_FDCWD, "b.txt", AT_FDCWD, "c.txt", RENAME_NOREPLACE));
    check("renameat2 NOREPLACE to d.txt", renameat2(AT_FDCWD, "b.txt", AT_FDCWD, "d.txt", RENAME_NOREPLACE));
    int r = renameat2(AT_FDCWD, "c.txt", AT_FDCWD, "d.txt", RENAME_EXCHANGE);
    if (r == 0) {
        read_file("after RENAME_EXCHANGE, c.txt", "c.txt");
        read_file("after RENAME_EXCHANGE, d.txt", "d.txt");
        renameat2(AT_FDCWD, "c.txt", AT_FDCWD, "d.txt", RENAME_EXCHANGE);
    } else {
        printf("RENAME_EXCHANGE unsupported here\n");
    }
    expect_fail("rename missing", rename("missing", "x"));
    check("rename over an existing file", rename("c.txt", "d.txt"));
    read_file("d.txt now", "d.txt");
    check("rename d.txt back to a.txt", rename("d.txt", "a.txt"));

    check("link a.txt hard", link("a.txt", "hard"));
    struct stat st, st2;
    stat("a.txt", &st);
    stat("hard", &st2);
    printf("hard link: nlink %lu, same inode %s\n", (unsigned long)st.st_nlink, yes(st.st_ino == st2.st_ino));
    expect_fail("link onto an existing name", link("a.txt", "hard"));
    check("unlink hard", unlink("hard"));
    stat("a.txt", &st);
    printf("after unlink: nlink %lu\n", (unsigned long)st.st_nlink);
    expect_fail("unlink missing", unlink("hard"));
    expect_fail("unlink a directory", unlink("sub"));
    write_file("sub/inner", "in");
    expect_fail("rmdir non-empty", rmdir("sub"));
    expect_fail("rmdir a file", rmdir("a.txt"));

    char buf[64];
    ssize_t n = readlink("link", buf, sizeof buf);
    printf("readlink: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    n = readlink("link", buf, 3);
    printf("readlink short buffer: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    expect_fail("readlink a file", readlink("a.txt", buf, sizeof buf));
    int dirfd = open(".", O_RDONLY | O_DIRECTORY);
    n = readlinkat(dirfd, "link", buf, sizeof buf);
    printf("readlinkat: %zd\n", n);
    check("symlinkat dangling", symlinkat("nowhere", dirfd, "dangling"));
    expect_fail("open dangling", open("dangling", O_RDONLY));
    expect_fail("open link O_NOFOLLOW", open("link", O_RDONLY | O_NOFOLLOW));
    int fd = open("link", O_RDONLY | O_NOFOLLOW | O_PATH);
    struct stat pst;
    fstat(fd, &pst);
    printf("O_PATH|O_NOFOLLOW on the link: %s\n", type_name(pst.st_mode));
    close(fd);
    read_file("read through the link", "link");
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    expect_fail("open symlink loop", open("loop1", O_RDONLY));
    unlink("loop1");
    unlink("loop2");
    unlink("dangling");
    check("linkat AT_SYMLINK_FOLLOW", linkat(dirfd, "link", dirfd, "hard2", AT_SYMLINK_FOLLOW));
    lstat("hard2", &st);
    printf("linkat followed the link: %s\n", type_name(st.st_mode));
    unlink("hard2");
    check("mkdirat", mkdirat(dirfd, "sub2", 0700));
    stat_path("sub2", "sub2");
    check("unlinkat AT_REMOVEDIR", unlinkat(dirfd, "sub2", AT_REMOVEDIR));
    close(dirfd);
}

/* ---- permissions, times, sizes ---- */
static void attributes(void) {
    check("chmod 0640", chmod("a.txt", 0640));
    stat_path("after chmod", "a.txt");
    int fd = open("a.txt", O_RDWR);
    check("fchmod 0600", fchmod(fd, 0600));
    stat_path("after fchmod", "a.txt");
    check("fchmodat 0751", fchmodat(AT_FDCWD, "a.txt", 0751, 0));
    stat_path("after fchmodat", "a.txt");
    check("chmod 01755 on a dir", chmod("sub", 01755));
    stat_path("sub after chmod", "sub");
    chmod("sub", 0755);
    chmod("a.txt", 0644);

    struct timespec times[2] = {{1000000000, 123456789}, {1234567890, 987654321}};
    check("utimensat", utimensat(AT_FDCWD, "a.txt", times, 0));
    struct stat st;
    stat("a.txt", &st);
    printf("times: atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {2000000000, 5}};
    check("futimens UTIME_OMIT atime", futimens(fd, omit));
    fstat(fd, &st);
    printf("times: atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec lt[2] = {{1500000000, 0}, {1500000001, 0}};
    check("utimensat NOFOLLOW on the link", utimensat(AT_FDCWD, "link", lt, AT_SYMLINK_NOFOLLOW));
    lstat("link", &st);
    printf("link mtime %lld, ", (long long)st.st_mtim.tv_sec);
    stat("a.txt", &st);
    printf("target mtime %lld\n", (long long)st.st_mtim.tv_sec);
    check("utimensat now", utimensat(AT_FDCWD, "a.txt", NULL, 0));
    stat("a.txt", &st);
    printf("now is after 2020: %s\n", yes(st.st_mtim.tv_sec > 1577836800));
    struct timespec bad[2] = {{0, 2000000000}, {0, 0}};
    expect_fail("utimensat bad nsec", utimensat(AT_FDCWD, "a.txt", bad, 0));

    check("truncate to 3", truncate("a.txt", 3));
    stat_path("after truncate", "a.txt");
    check("ftruncate to 100", ftruncate(fd, 100));
    char buf[8];
    memset(buf, 'x', sizeof buf);
    ssize_t n = pread(fd, buf, 4, 2);
    printf("after ftruncate: size %lld, pread %zd, '%c' then zeros %s\n", (long long)lseek(fd, 0, SEEK_END), n,
           buf[0], yes(buf[1] == 0 && buf[2] == 0 && buf[3] == 0));
    expect_fail("ftruncate negative", ftruncate(fd, -1));
    expect_fail("truncate a directory", truncate("sub", 0));
    close(fd);

    check("access F_OK", access("a.txt", F_OK));
    expect_fail("access X_OK on 0644", access("a.txt", X_OK));
    expect_fail("access missing", access("missing", F_OK));
    check("access dir X_OK", access("sub", X_OK));
    check("faccessat", faccessat(AT_FDCWD, "a.txt", F_OK, 0));
    check("faccessat AT_EACCESS", faccessat(AT_FDCWD, "a.txt", F_OK, AT_EACCESS));
    check("faccessat NOFOLLOW on the link", faccessat(AT_FDCWD, "link", F_OK, AT_SYMLINK_NOFOLLOW));
    expect_fail("faccessat bad mode", faccessat(AT_FDCWD, "a.txt", 0x100, 0));
}

/* ---- extended attributes (user.* where the file system has them; the same either way) ---- */
static void xattrs(void) {
    int r = setxattr("a.txt", "user.emu", "value-1", 7, XATTR_CREATE);
    if (r != 0) {
        expect_fail("setxattr (file system without user xattrs?)", r);
        return;
    }
    expect_fail("setxattr XATTR_CREATE again", setxattr("a.txt", "user.emu", "v", 1, XATTR_CREATE));
    char buf[64] = { 0 };
    printf("getxattr size: %zd\n", getxattr("a.txt", "user.emu", NULL, 0));
    ssize_t n = getxattr("a.txt", "user.emu", buf, sizeof buf);
    printf("getxattr: %zd %.*s\n", n, n > 0 ? (int)n : 0, buf);
    expect_fail("getxattr small buffer", getxattr("a.txt", "user.emu", buf, 2));
    expect_fail("getxattr missing", getxattr("a.txt", "user.none", buf, sizeof buf));
    int fd = open("a.txt", O_RDWR);
    check("fsetxattr", fsetxattr(fd, "user.two", "2", 1, 0));
    n = flistxattr(fd, buf, sizeof buf);
    int found = 0;
    for (char *p = buf; n > 0 && p < buf + n; p += strlen(p) + 1)
        found += strcmp(p, "user.emu") == 0 || strcmp(p, "user.two") == 0;
    printf("flistxattr: both names %s\n", yes(found == 2));
    n = fgetxattr(fd, "user.two", buf, sizeof buf);
    printf("fgetxattr: %zd %c\n", n, buf[0]);
    close(fd);
    printf("listxattr through the link: %s\n", yes(listxattr("link", buf, sizeof buf) == llistxattr("a.txt", buf, sizeof buf)));
    check("removexattr", removexattr("a.txt", "user.emu"));
    check("lremovexattr", lremovexattr("a.txt", "user.two"));
    expect_fail("removexattr again", removexattr("a.txt", "user.emu"));
    printf("listxattr empty: %zd\n", listxattr("a.txt", buf, sizeof buf));
    expect_fail("getxattr bad name pointer", getxattr("a.txt", (const char *)8, buf, sizeof buf));
}

/* ---- locks ---- */
static void locks(void) {
    int fd = open("a.txt", O_RDWR);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    check("F_SETLK write lock", fcntl(fd, F_SETLK, &fl));
    check("flock LOCK_EX", flock(fd, LOCK_EX));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        int cfd = open("a.txt", O_RDWR);
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
        fcntl(cfd, F_GETLK, &q);
        printf("child F_GETLK: type %s, start %ld, len %ld, pid is parent %s\n",
               q.l_type == F_WRLCK ? "F_WRLCK" : "?", (long)q.l_start, (long)q.l_len, yes(q.l_pid == parent));
        struct flock w = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
        errno = 0;
        int r = fcntl(cfd, F_SETLK, &w);
        printf("child F_SETLK: %d %s\n", r, errname(errno));
        w.l_start = 10;
        printf("child F_SETLK beyond the lock: %d\n", fcntl(cfd, F_SETLK, &w));
        errno = 0;
        r = flock(cfd, LOCK_EX | LOCK_NB);
        printf("child flock LOCK_NB: %d %s\n", r, errno == EWOULDBLOCK ? "EWOULDBLOCK" : errname(errno));
        struct flock ofd = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
        errno = 0;
        r = fcntl(cfd, F_OFD_SETLK, &ofd);
        printf("child F_OFD_SETLK read lock: %d %s\n", r, errname(errno));
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    fl.l_type = F_UNLCK;
    check("F_SETLK unlock", fcntl(fd, F_SETLK, &fl));
    check("flock LOCK_UN", flock(fd, LOCK_UN));
    close(fd);
}

/* ---- copies ---- */
static void copies(void) {
    write_file("src", "0123456789");
    int in = open("src", O_RDONLY);
    int out = open("dst", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    off_t off = 2;
    ssize_t n = sendfile(out, in, &off, 5);
    printf("sendfile: %zd, offset now %ld, input offset %ld\n", n, (long)off, (long)lseek(in, 0, SEEK_CUR));
    loff_t in_off = 7;
    errno = 0;
    n = copy_file_range(in, &in_off, out, NULL, 3, 0);
    printf("copy_file_range: %zd %s, input offset now %ld\n", n, n < 0 ? errname(errno) : "ok", (long)in_off);
    close(in);
    close(out);
    read_file("dst", "dst");
    unlink("src");
    unlink("dst");
}

/* ---- memory mappings of files ---- */
static void mappings(void) {
    long pagesz = sysconf(_SC_PAGESIZE);
    int fd = open("map", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, 2 * pagesz);
    char *m = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        printf("mmap shared: failed %s\n", errname(errno));
        return;
    }
    strcpy(m + pagesz + 10, "through the mapping");
    check("msync MS_SYNC", msync(m, 2 * pagesz, MS_SYNC));
    char buf[32] = {0};
    pread(fd, buf, 19, pagesz + 10);
    printf("read() sees the shared mapping's write: \"%s\"\n", buf);
    pwrite(fd, "via write", 9, 100);
    printf("the shared mapping sees write(): \"%.9s\"\n", m + 100);
    check("msync MS_ASYNC", msync(m, pagesz, MS_ASYNC));
    expect_fail("msync unaligned", msync(m + 1, pagesz, MS_SYNC));

    char *p = mmap(NULL, pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, pagesz);
    printf("private mapping at offset: \"%.19s\"\n", p + 10);
    memcpy(p + 10, "PRIVATE", 7);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 19, pagesz + 10);
    printf("file after a private write: \"%s\", shared view \"%.19s\"\n", buf, m + pagesz + 10);
    munmap(p, pagesz);
    munmap(m, 2 * pagesz);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 19, pagesz + 10);
    printf("file after munmap: \"%s\"\n", buf);

    char *ro = mmap(NULL, pagesz, PROT_READ, MAP_SHARED, fd, 0);
    printf("read-only shared mapping: \"%.9s\"\n", ro + 100);
    munmap(ro, pagesz);
    int rofd = open("map", O_RDONLY);
    expect_fail("MAP_SHARED writable on an O_RDONLY fd",
                (long)(intptr_t)mmap(NULL, pagesz, PROT_READ | PROT_WRITE, MAP_SHARED, rofd, 0));
    close(rofd);
    close(fd);
    unlink("map");

    /* Anonymous memory: mremap keeps the contents, madvise(DONTNEED) zeroes. */
    size_t small = 2 * pagesz, big = 16 * pagesz;
    unsigned char *a = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; i < small; i++) a[i] = (unsigned char)(i * 7 + 3);
    unsigned char *b = mremap(a, small, big, MREMAP_MAYMOVE);
    if (b == MAP_FAILED) {
        printf("mremap: failed %s\n", errname(errno));
        return;
    }
    int same = 1, zero = 1;
    for (size_t i = 0; i < small; i++) same &= b[i] == (unsigned char)(i * 7 + 3);
    for (size_t i = small; i < big; i++) zero &= b[i] == 0;
    b[big - 1] = 1;
    printf("mremap grow: contents kept %s, new part zero %s, last byte writable %s\n", yes(same), yes(zero),
           yes(b[big - 1] == 1));
    unsigned char *c = mremap(b, big, pagesz, 0);
    printf("mremap shrink in place: %s, contents kept %s\n", yes(c == b), yes(c[pagesz - 1] == (unsigned char)((pagesz - 1) * 7 + 3)));
    expect_fail("mremap bad flags",
                (long)(intptr_t)mremap(c, pagesz, pagesz, 0x7fff));
    check("madvise DONTNEED", madvise(c, pagesz, MADV_DONTNEED));
    zero = 1;
    for (long i = 0; i < pagesz; i++) zero &= c[i] == 0;
    printf("after MADV_DONTNEED: zeros %s\n", yes(zero));
    c[5] = 9;
    printf("still writable: %d\n", c[5]);
    munmap(c, pagesz);
}

/* ---- the process's own /proc entries ---- */
/* inotify: a watch on the directory reports a file created, written and removed. */
static void watches(void) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    check("inotify_init1", fd < 0 ? -1 : 0);
    int wd = inotify_add_watch(fd, ".", IN_CREATE | IN_CLOSE_WRITE | IN_DELETE);
    check("inotify_add_watch", wd < 0 ? -1 : 0);
    expect_fail("inotify_add_watch of a missing path", inotify_add_watch(fd, "missing/x", IN_CREATE));
    write_file("watched.txt", "w");
    unlink("watched.txt");
    char buf[1024] __attribute__((aligned(8)));
    ssize_t n = read(fd, buf, sizeof buf);
    for (char *p = buf; n > 0 && p < buf + n;) {
        struct inotify_event *ev = (struct inotify_event *)p;
        printf("inotify event: same wd %s mask %#x name %s\n", yes(ev->wd == wd), ev->mask, ev->len ? ev->name : "");
        p += sizeof *ev + ev->len;
    }
    check("inotify_rm_watch", inotify_rm_watch(fd, wd));
    expect_fail("read with nothing pending", read(fd, buf, sizeof buf));
    close(fd);
}

static void show_exe_link(const char *link) {
    char exe[PATH_MAX];
    ssize_t n = readlink(link, exe, sizeof exe - 1);
    exe[n < 0 ? 0 : n] = 0;
    printf("readlink %s: %s\n", strncmp(link, "/proc/self", 10) ? "/proc/<pid>/exe" : link,
           strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe);
}

static void proc_self(void) {
    char path[64];
    show_exe_link("/proc/self/exe");
    snprintf(path, sizeof path, "/proc/%ld/exe", (long)getpid());
    show_exe_link(path);
    char target[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", target, sizeof target - 1);
    target[len < 0 ? 0 : len] = 0;
    struct stat a, b;
    printf("stat /proc/self/exe is the program file: %s\n",
           yes(stat("/proc/self/exe", &a) == 0 && stat(target, &b) == 0 && a.st_ino == b.st_ino));

    /* /proc/self/auxv holds the auxiliary vector the program started with. */
    unsigned long aux[128];
    int fd = open("/proc/self/auxv", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, aux, sizeof aux);
    close(fd);
    int found = 0, agree = 1;
    unsigned long keys[] = {AT_PHDR, AT_ENTRY, AT_PAGESZ, AT_RANDOM, AT_EXECFN};
    for (long i = 0; i + 1 < n / 8 && aux[i] != AT_NULL; i += 2)
        for (unsigned k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (aux[i] == keys[k]) {
                found++;
                agree &= aux[i + 1] == getauxval(keys[k]);
            }
    printf("/proc/self/auxv: %d keys found, agree with getauxval %s\n", found, yes(agree));

    /* /proc/self/stat: "pid (comm) state ppid ...". */
    char text[1024];
    fd = open("/proc/self/stat", O_RDONLY);
    n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    close(fd);
    text[n < 0 ? 0 : n] = 0;
    long pid = -1, ppid = -1;
    char comm[32] = "";
    char *close_paren = strrchr(text, ')');
    if (close_paren && sscanf(text, "%ld (", &pid) == 1 && sscanf(close_paren + 1, " %*c %ld", &ppid) == 1) {
        char *open_paren = strchr(text, '(');
        snprintf(comm, sizeof comm, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
    }
    printf("/proc/self/stat: pid ok %s, comm %s, ppid ok %s\n", yes(pid == getpid()), comm, yes(ppid == getppid()));
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    umask(022);
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/emu-fs-calls-%ld", (long)getpid());
    if (mkdir(dir, 0755)) {
        printf("cannot make the test directory: %s\n", errname(errno));
        return 1;
    }
    char real[PATH_MAX];
    if (!realpath(dir, real)) return 1;
    int top = open(".", O_RDONLY | O_DIRECTORY);
    check("chdir", chdir(dir));
    char cwd[PATH_MAX];
    printf("getcwd is the new directory: %s\n", yes(getcwd(cwd, sizeof cwd) && strcmp(cwd, real) == 0));
    expect_fail("getcwd tiny buffer", getcwd(cwd, 2) ? 0 : -1);

    files();
    directories();
    stats();
    names();
    attributes();
    xattrs();
    locks();
    copies();
    mappings();
    watches();

    proc_self();

    listing("before cleanup");
    unlink("link");
    unlink("a.txt");
    unlink("sub/inner");
    check("rmdir sub", rmdir("sub"));
    check("fchdir back", fchdir(top));
    printf("getcwd changed back: %s\n", yes(getcwd(cwd, sizeof cwd) && strcmp(cwd, real) != 0));
    check("rmdir the test directory", rmdir(dir));
    struct stat st;
    expect_fail("stat it afterwards", stat(dir, &st));
    return 0;
}
