//! End-to-end tests of the x86_64 guest: C programs built with the host's `gcc -O2 -static`
//! run natively (the host CPU is the oracle) and under emu-user in every tier setting, and
//! must give the same stdout and exit status (code or signal). Skipped with a printed reason
//! on hosts that are not x86_64 or have no gcc.
//!
//! Covered:
//! - from testsuite/guest/: recursion, sieve, sha256, strings, sort_search, malloc_churn,
//!   bitmanip, nbody, vectorize, exit_status, fileio, print_args (with its arguments),
//!   setjmp_longjmp, sockets, fp_fenv, fp_libm, fp_printf, threads_signals, wait_sigmask,
//!   epoll_events, smc (self-modifying code: rewritten after being compiled, patched in
//!   place, W^X), int_arith (with x86 division traps), atomics (LOCK XADD/BTS/NEG,
//!   CMPXCHG loops, CMPXCHG16B), fp_convert (CVT* under every MXCSR rounding mode), fs_calls,
//!   process, sched, signalfd, signals_more, threads;
//! - from testsuite/guest-x86_64/: x87, SIMD and integer-extension programs;
//! - hello (printf, TLS errno through %fs, arch_prctl, CPUID-selected string functions,
//!   stat, time); the x86_64-only legacy syscalls (open, creat, stat, lstat, access, pipe,
//!   dup2, poll, select, alarm, pause, eventfd, signalfd, inotify_init, fork, vfork, time, …); an integer divide by zero (SIGFPE);
//!   signal handlers reading and changing the interrupted context (SIGSEGV with the faulting
//!   pc, SIGFPE skipping the DIV); a floating-point mix (SSE2 scalar and packed arithmetic,
//!   conversions, comparisons, strtod and printf of doubles); `long double` arithmetic (x87);
//!   a mix of libc and libm functions, also dynamically linked (through the host's ld.so);
//!   threads with C11 atomics; a C++ program (containers, iostreams, a thrown exception) when
//!   g++ is installed; Debian's static busybox (applets and a shell pipeline) when installed.
//!
//! Not covered: sigreturn_altstack, whose expected behaviour is qemu's (a handler's
//! `uc_stack` edit takes effect), not the host kernel's (ignored while on the alternate
//! stack).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EMU: &str = env!("CARGO_BIN_EXE_emu-user");
/// The tier settings every program is compared in.
const TIERS: &[&[&str]] = &[
    &["-tier1-threshold", "0"],
    &[],
    &["-tier1-threshold", "never"],
];

/// A temp dir removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(tag: &str) -> TempDir {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("emu-x64-{}-{n}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testsuite/guest")
}

/// x86_64-only programs (x87, SSE intrinsics, instruction-set extensions).
fn x86_guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testsuite/guest-x86_64")
}

/// Whether the host can build and run x86_64 programs natively (prints why not).
fn available() -> bool {
    if !cfg!(target_arch = "x86_64") {
        eprintln!("skipped: the host is not x86_64");
        return false;
    }
    if Command::new("gcc").arg("--version").output().is_err() {
        eprintln!("skipped: gcc not installed");
        return false;
    }
    true
}

/// Build `src` with `gcc -O2 -static` (or, with a `.dynamic` file beside it, dynamically
/// linked) and the words of `NAME.cflags` beside it into `dir`.
fn build(src: &Path, dir: &Path, name: &str) -> PathBuf {
    let link = if src.with_extension("dynamic").exists() {
        "-O2"
    } else {
        "-static"
    };
    let exe = dir.join(name);
    let cflags = std::fs::read_to_string(src.with_extension("cflags")).unwrap_or_default();
    let cxx = src.extension().is_some_and(|e| e == "cc");
    let out = Command::new(if cxx { "g++" } else { "gcc" })
        .args(["-O2", link, "-o"])
        .arg(&exe)
        .arg(src)
        .args(cflags.split_whitespace())
        .arg("-lm")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gcc failed for {}:\n{}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

fn run(pre: Option<&[&str]>, exe: &Path, args: &[String], dir: &Path) -> Output {
    let mut cmd = match pre {
        Some(opts) => {
            let mut c = Command::new(EMU);
            c.args(opts).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.args(args).current_dir(dir).output().unwrap()
}

/// Native and emulated runs of `src` agree in every tier setting.
fn compare(name: &str, src: &Path, args: &[String]) {
    if !available() {
        return;
    }
    let dir = temp_dir(name);
    let exe = build(src, &dir.0, name);
    let native = run(None, &exe, args, &dir.0);
    for tier in TIERS {
        let emu = run(Some(tier), &exe, args, &dir.0);
        assert_eq!(
            String::from_utf8_lossy(&emu.stdout),
            String::from_utf8_lossy(&native.stdout),
            "stdout of {name} {tier:?}; emu stderr: {}",
            String::from_utf8_lossy(&emu.stderr)
        );
        assert_eq!(
            emu.status.code(),
            native.status.code(),
            "exit code of {name} {tier:?}; emu stderr: {}",
            String::from_utf8_lossy(&emu.stderr)
        );
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            emu.status.signal(),
            native.status.signal(),
            "signal of {name} {tier:?}"
        );
    }
}

/// A program of testsuite/guest/ with its `.args`.
fn guest_program(name: &str) {
    program_in(&guest_dir(), name);
}

/// Program `NAME.c` of `dir`, with the arguments of its `NAME.args` (one per line).
fn program_in(dir: &Path, name: &str) {
    let args: Vec<String> = std::fs::read_to_string(dir.join(format!("{name}.args")))
        .map(|s| s.lines().map(String::from).collect())
        .unwrap_or_default();
    compare(name, &dir.join(format!("{name}.c")), &args);
}

/// A program given as source text (`ext`: "c", or "cc" for C++).
fn inline_source(name: &str, ext: &str, source: &str) {
    let dir = temp_dir(&format!("{name}-src"));
    let src = dir.0.join(format!("{name}.{ext}"));
    std::fs::write(&src, source).unwrap();
    compare(name, &src, &[]);
}

/// A C program given as source text.
fn inline_program(name: &str, source: &str) {
    inline_source(name, "c", source);
}

macro_rules! guest_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                guest_program(stringify!($name));
            }
        )*
    };
}

/// Tests of the programs in testsuite/guest-x86_64/.
macro_rules! x86_guest_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                program_in(&x86_guest_dir(), stringify!($name));
            }
        )*
    };
}

guest_tests!(
    recursion,
    sieve,
    sha256,
    strings,
    sort_search,
    malloc_churn,
    bitmanip,
    nbody,
    vectorize,
    exit_status,
    fileio,
    print_args,
    setjmp_longjmp,
    sockets,
    fp_fenv,
    fp_libm,
    fp_printf,
    threads_signals,
    wait_sigmask,
    epoll_events,
    smc,
    int_arith,
    atomics,
    fp_convert,
    fs_calls,
    process,
    sched,
    signalfd,
    signals_more,
    threads,
);

x86_guest_tests!(
    x87_basics,
    x87_libm,
    int_ext,
    fault_context,
    vsyscall,
    simd_sse4,
    simd_strings,
    mmx_intrinsics,
    sse_align,
);

#[test]
fn legacy_syscalls() {
    inline_program(
        "legacy",
        r#"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHOW(expr) printf("%s = %ld\n", #expr, (long)(expr))

static volatile int alarmed;
static void on_alarm(int sig) { alarmed = sig; }

int main(void) {
    struct stat st;
    char buf[64];
    int fds[2];
    SHOW(syscall(SYS_mkdir, "d", 0755));
    SHOW(syscall(SYS_creat, "d/f", 0644));
    SHOW(syscall(SYS_open, "d/f", O_WRONLY | O_APPEND) >= 0);
    SHOW(syscall(SYS_stat, "d/f", &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1);
    SHOW(syscall(SYS_access, "d/f", R_OK));
    SHOW(syscall(SYS_access, "d/missing", R_OK) == -1 ? 0 : 1);
    SHOW(syscall(SYS_symlink, "f", "d/l"));
    SHOW(syscall(SYS_lstat, "d/l", &st) == 0 && S_ISLNK(st.st_mode));
    long n = syscall(SYS_readlink, "d/l", buf, sizeof buf);
    SHOW(n == 1 && buf[0] == 'f');
    SHOW(syscall(SYS_chmod, "d/f", 0600));
    SHOW(syscall(SYS_stat, "d/f", &st) == 0 && (st.st_mode & 0777) == 0600);
    SHOW(syscall(SYS_link, "d/f", "d/g"));
    SHOW(syscall(SYS_rename, "d/g", "d/h"));
    SHOW(syscall(SYS_unlink, "d/h") + syscall(SYS_unlink, "d/l") + syscall(SYS_unlink, "d/f"));
    SHOW(syscall(SYS_rmdir, "d"));
    SHOW(syscall(SYS_pipe, fds));
    SHOW(syscall(SYS_dup2, fds[1], 20));
    SHOW(syscall(SYS_dup2, 20, 20));
    SHOW(write(20, "hi", 2));
    struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
    SHOW(syscall(SYS_poll, &pfd, 1, 1000));
    SHOW(pfd.revents);
    SHOW(read(fds[0], buf, 2));
    SHOW(syscall(SYS_poll, &pfd, 1, 0));
    SHOW(syscall(SYS_getpgrp) == getpgid(0));
    SHOW(write(fds[1], "x", 1));
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fds[0], &set);
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
    SHOW(syscall(SYS_select, fds[0] + 1, &set, NULL, NULL, &tv));
    SHOW(FD_ISSET(fds[0], &set) != 0 && tv.tv_sec >= 4);
    SHOW(read(fds[0], buf, 1));
    FD_SET(fds[0], &set);
    tv.tv_sec = 0;
    tv.tv_usec = 1000;
    SHOW(syscall(SYS_select, fds[0] + 1, &set, NULL, NULL, &tv));
    SHOW(syscall(SYS_alarm, 100));
    SHOW(syscall(SYS_alarm, 0));
    time_t t = 0;
    SHOW(syscall(SYS_time, &t) == t && t > 1600000000);
    long pid = syscall(SYS_fork);
    if (pid == 0)
        _exit(7);
    int status;
    SHOW(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 7);
    fflush(stdout);
    pid = vfork(); /* glibc's vfork is the raw syscall */
    if (pid == 0)
        _exit(9);
    SHOW(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 9);
    long efd = syscall(SYS_eventfd, 5);
    unsigned long long count = 0;
    SHOW(efd >= 0 && read(efd, &count, 8) == 8 && count == 5);
    SHOW(syscall(SYS_inotify_init) >= 0);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    long sfd = syscall(SYS_signalfd, -1, &mask, 8);
    raise(SIGUSR1);
    struct signalfd_siginfo si;
    SHOW(sfd >= 0 && read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1);
    signal(SIGALRM, on_alarm);
    alarm(1);
    SHOW(syscall(SYS_pause) == -1 && errno == EINTR && alarmed);
    return 0;
}
"#,
    );
}

#[test]
fn hello() {
    inline_program(
        "hello",
        r#"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static __thread int tls_counter = 41;

int main(void) {
    printf("Hello from x86_64!\n");
    tls_counter++;
    errno = 0;
    if (close(12345) < 0)
        printf("close: errno=%d (%s), tls=%d\n", errno, strerror(errno), tls_counter);
    struct stat st;
    printf("stat /: %d dir=%d\n", stat("/", &st), S_ISDIR(st.st_mode));
    printf("time sane: %d\n", time(NULL) > 1600000000);
    char buf[64];
    memset(buf, 'x', sizeof buf);
    buf[63] = 0;
    printf("strlen=%zu strchr=%td memcmp=%d\n", strlen(buf), strchr(buf, 0) - buf,
           memcmp(buf, buf + 1, 40));
    return 3;
}
"#,
    );
}

#[test]
fn signal_handlers_see_and_change_the_context() {
    inline_program(
        "sigctx",
        r#"
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>

extern char fault_insn[], div_insn[];
static sigjmp_buf jb;

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    printf("sig %d addr %p rip_ok %d rcx %lld\n", sig, si->si_addr,
           uc->uc_mcontext.gregs[REG_RIP] == (long)fault_insn,
           (long long)uc->uc_mcontext.gregs[REG_RCX]);
    siglongjmp(jb, 1);
}

static void on_fpe(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    printf("sig %d code %d rip_ok %d\n", sig, si->si_code,
           uc->uc_mcontext.gregs[REG_RIP] == (long)div_insn);
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* skip div %ecx */
    uc->uc_mcontext.gregs[REG_RAX] = 42;
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    sa.sa_sigaction = on_fpe;
    sigaction(SIGFPE, &sa, 0);
    if (!sigsetjmp(jb, 1)) {
        __asm__ volatile("mov $1, %%ecx\n add $2, %%ecx\n .globl fault_insn\n"
                         "fault_insn: mov (%0), %%rax\n" ::"r"(0x10UL) : "rax", "rcx", "memory");
    }
    long r;
    __asm__ volatile("xor %%ecx, %%ecx\n .globl div_insn\ndiv_insn: div %%ecx"
                     : "=a"(r) : "a"(7), "d"(0) : "rcx");
    printf("after div: %ld\n", r);
    return 0;
}
"#,
    );
}

/// C++: the standard containers, iostreams, and an exception through libgcc's unwinder.
#[test]
fn cxx_exceptions_and_streams() {
    if Command::new("g++").arg("--version").output().is_err() {
        eprintln!("skipped: g++ not installed");
        return;
    }
    inline_source(
        "cxx",
        "cc",
        r#"
#include <iostream>
#include <map>
#include <string>
#include <vector>
#include <algorithm>
#include <stdexcept>
#include <sstream>
#include <iomanip>
int main() {
    std::map<std::string, int> m;
    std::vector<std::string> words = {"pear", "apple", "fig", "apple", "kiwi"};
    for (auto &w : words) m[w]++;
    for (auto &[k, v] : m) std::cout << k << '=' << v << '\n';
    try { throw std::runtime_error("boom"); } catch (const std::exception &e) { std::cout << "caught " << e.what() << '\n'; }
    std::ostringstream os; os << std::setprecision(10) << 3.14159265358979 << ' ' << 1e-5 << ' ' << 42L;
    std::cout << os.str() << '\n';
    std::vector<double> d = {3.5, -1.25, 2.0}; std::sort(d.begin(), d.end());
    for (double x : d) std::cout << x << ' ';
    std::cout << std::endl;
    return 0;
}
"#,
    );
}

/// A mix of libc: printf/scanf formats, strtok, qsort, memmove, strtol, libm (exp, log,
/// pow, trigonometry, erf, tgamma, complex), time formatting, rand, wide characters, atexit.
#[test]
fn libc_mix() {
    inline_program("libcmix", LIBC_MIX_SOURCE);
}

const LIBC_MIX_SOURCE: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <wchar.h>
#include <ctype.h>
#include <inttypes.h>
#include <complex.h>
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void bye(void) { puts("atexit ran"); }
int main(void) {
    atexit(bye);
    char buf[256];
    snprintf(buf, sizeof buf, "%08.3f|%-6d|%+e|%g|%#x|%o|%c|%10.4s|%lld|%zu|%%", 3.14159, -42, 12345.678, 1e-7, 255, 8, 'Z', "abcdefgh", -9223372036854775807LL - 1, sizeof(long double));
    puts(buf);
    int a, b; char w[16]; double d;
    sscanf("17 0x1f word 2.5e3", "%d %i %15s %lf", &a, &b, w, &d);
    printf("%d %d %s %f\n", a, b, w, d);
    char s[] = "one,two;three four";
    for (char *t = strtok(s, ",; "); t; t = strtok(NULL, ",; ")) printf("[%s]", t);
    puts("");
    const char *names[] = {"delta", "alpha", "charlie", "bravo"};
    qsort(names, 4, sizeof *names, cmp);
    for (int i = 0; i < 4; i++) printf("%s ", names[i]);
    puts("");
    char mv[] = "0123456789"; memmove(mv + 2, mv, 6); puts(mv);
    printf("%ld %lu %lld\n", strtol("-0x7fff", NULL, 16), strtoul("777", NULL, 8), strtoll("123456789012", NULL, 10));
    double xs[] = {0.5, 1.0, 2.0, 10.0, -3.3};
    for (int i = 0; i < 5; i++) {
        double x = xs[i];
        printf("%.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", exp(x), log(fabs(x)), pow(x, 1.5), sin(x), cos(x), atan2(x, 3.0), fmod(x, 0.3), cbrt(x));
        printf("%.17g %ld %.17g %.17g %.17g\n", hypot(x, 4), lround(x * 3.7), tanh(x), erf(x), tgamma(fabs(x) + 0.5));
    }
    double complex z = cexp(I * 1.0) * 2.0;
    printf("%.15f %.15f\n", creal(z), cimag(z));
    struct tm tm = {0}; tm.tm_year = 124; tm.tm_mon = 1; tm.tm_mday = 29; tm.tm_hour = 12;
    time_t t = timegm(&tm); struct tm *g = gmtime(&t);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %A %j", g);
    printf("%lld %s\n", (long long)t, buf);
    srand(42); int r1 = rand(), r2 = rand(); printf("%d %d\n", r1, r2);
    wchar_t wb[64]; swprintf(wb, 64, L"%ls-%d", L"wide", 7); printf("%ls %zu\n", wb, wcslen(wb));
    for (const char *p = "MiXeD 123!"; *p; p++) putchar(isupper((unsigned char)*p) ? tolower(*p) : toupper(*p));
    puts("");
    uint64_t big = UINT64_MAX / 7; printf("%" PRIu64 " %" PRIx64 "\n", big, big * 3);
    setenv("EMU_TEST_VAR", "v1", 1); printf("%s\n", getenv("EMU_TEST_VAR"));
    return 0;
}
"#;

/// A dynamically linked program, run through the host's own `ld.so` (lazy binding saves the
/// vector registers with FXSAVE/FXRSTOR around the resolver).
#[test]
fn dynamically_linked() {
    let dir = temp_dir("dyn-src");
    let src = dir.0.join("dynmix.c");
    std::fs::write(&src, LIBC_MIX_SOURCE).unwrap();
    std::fs::write(src.with_extension("dynamic"), "").unwrap();
    compare("dynmix", &src, &[]);
}

/// Threads updating shared state with C11 atomics (LOCK XADD/CMPXCHG/OR/XCHG) and a mutex.
#[test]
fn threads_and_atomics() {
    let dir = temp_dir("atomics-src");
    let src = dir.0.join("atomics.c");
    std::fs::write(&src, ATOMICS_SOURCE).unwrap();
    std::fs::write(src.with_extension("cflags"), "-pthread").unwrap();
    compare("atomics", &src, &[]);
}

const ATOMICS_SOURCE: &str = r#"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#define N 4
#define ITERS 20000
static atomic_long counter; static long plain; static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic __int128 *unused;
static atomic_int flag;
static void *work(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < ITERS; i++) {
        atomic_fetch_add(&counter, 1);
        long expected = atomic_load(&counter);
        while (!atomic_compare_exchange_weak(&counter, &expected, expected + 1)) {}
        atomic_fetch_sub(&counter, 1);
        pthread_mutex_lock(&mu); plain += id; pthread_mutex_unlock(&mu);
        atomic_fetch_or(&flag, 1 << id);
        atomic_exchange(&flag, atomic_load(&flag));
    }
    return NULL;
}
int main(void) {
    (void)unused;
    pthread_t t[N];
    for (long i = 0; i < N; i++) pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    printf("counter=%ld plain=%ld flag=%d\n", atomic_load(&counter), plain, flag);
    return 0;
}
"#;

#[test]
fn divide_by_zero_is_sigfpe() {
    inline_program(
        "divzero",
        r#"
#include <stdio.h>
int main(int argc, char **argv) {
    (void)argv;
    volatile int zero = argc - 1;
    printf("before\n");
    fflush(stdout);
    return 10 / zero;
}
"#,
    );
}

#[test]
fn floating_point_mix() {
    inline_program(
        "fpmix",
        r#"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double opaque(double x) { __asm__ volatile("" : "+x"(x)); return x; }

int main(void) {
    double acc = 0;
    float facc = 0;
    for (int i = 1; i <= 200; i++) {
        double x = opaque(i * 0.37);
        acc += sqrt(x) / (x + 1.5) - (double)(long)(x * 3.1);
        facc += (float)x * 0.5f - 1.0f / (float)i;
    }
    printf("%.17g %.9g\n", acc, facc);
    printf("%a %a %a\n", opaque(1.0) / 3.0, -opaque(0.0), opaque(1e308) * 10);
    printf("%d %d %d\n", opaque(NAN) < 1.0, opaque(2.0) >= 2.0, opaque(-1.0) > -2.0);
    printf("%ld %d %u\n", (long)opaque(-2.75e15), (int)opaque(-7.9), (unsigned)opaque(3e9));
    printf("%.6f %g %e\n", strtod("3.14159265358979", NULL), strtod("1e-310", NULL), 1.0 / 7);
    double v[8];
    for (int i = 0; i < 8; i++) v[i] = opaque(i) * 1.25;
    double s = 0;
    for (int i = 0; i < 8; i++) s += v[i] * v[7 - i];
    printf("%.17g\n", s);
    return 0;
}
"#,
    );
}

/// A real x86_64 program: Debian's static busybox (package busybox-static; skipped when it is
/// not installed), running applets and a shell pipeline, natively and under emu-user.
#[test]
fn busybox_applets() {
    let busybox = Path::new("/bin/busybox");
    if !available() || !busybox.exists() {
        eprintln!("skipped: no /bin/busybox");
        return;
    }
    let manifest = env!("CARGO_MANIFEST_DIR");
    let script = "ls . | sort | head -5; for i in 1 2 3; do echo $i; done | sort -r; \
                  x=$(echo abc | tr a-z A-Z); echo $x; awk 'BEGIN{printf \"%.3f\\n\", 2/3}'; \
                  printf '%5.2f|%x\\n' 3.14159 255; echo $((1<<40)); \
                  sha256sum Cargo.toml; gzip -c Cargo.toml | md5sum; sed -n 2p Cargo.toml";
    let commands: [&[&str]; 3] = [
        &["sh", "-c", script],
        &["expr", "7", "*", "6"],
        &["od", "-x", "Cargo.toml"],
    ];
    for args in commands {
        let native = Command::new(busybox)
            .args(args)
            .current_dir(manifest)
            .output()
            .unwrap();
        for tier in TIERS {
            let emu = Command::new(EMU)
                .args(*tier)
                .arg(busybox)
                .args(args)
                .current_dir(manifest)
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&emu.stdout),
                String::from_utf8_lossy(&native.stdout),
                "busybox {args:?} {tier:?}; emu stderr: {}",
                String::from_utf8_lossy(&emu.stderr)
            );
            assert_eq!(emu.status.code(), native.status.code(), "busybox {args:?}");
        }
    }
}
