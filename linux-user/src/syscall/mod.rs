//! The syscall layer: the guest process state syscalls act on ([`Process`]), the table of the
//! generic Linux syscall numbers (asm-generic/unistd.h, shared by riscv64 and aarch64) mapping
//! number → (name, handler), and dispatch with `-strace` and `-d unimp` logging. Unknown
//! syscalls return `-ENOSYS`; nothing a guest passes can panic the emulator.

mod events;
mod fs;
mod mem;
mod net;
mod process;
mod shell;
pub mod signal;
pub mod signalfd;
mod spawn;
pub mod stat;
pub mod strace;
mod time;
pub mod x86_64;
mod xattr;

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::arch::{ArchInfo, GuestArch};
use crate::errno::{host_result, to_guest, Errno, SysResult};
use crate::memory::AddressSpace;
pub use signal::{mirror_sigpipe, SignalState};
pub(crate) use spawn::clone_flags;

/// Syscall numbers the run loop handles itself.
mod signals_nr {
    pub const RT_SIGRETURN: u64 = crate::signals::SYS_RT_SIGRETURN;
}
pub use spawn::{apply_to_cpu, Emulator};

/// A syscall implementation: guest arguments in, result or errno out.
pub type Handler = fn(&mut Process, [u64; 6]) -> SysResult;

/// One row of the syscall table.
#[derive(Debug)]
pub struct Syscall {
    pub nr: u64,
    pub name: &'static str,
    pub handler: Handler,
}

pub use crate::debuglog::LogOptions;

/// The state of the guest process that syscalls read and change.
pub struct Process {
    pub space: AddressSpace,
    pub arch: &'static ArchInfo,
    /// Absolute path of the guest program (`/proc/self/exe`).
    pub exe_path: PathBuf,
    /// The guest's argv (`/proc/self/cmdline`).
    pub argv: Vec<Vec<u8>>,
    /// The guest's auxiliary vector (`/proc/self/auxv`).
    pub auxv: Vec<(u64, u64)>,
    pub signals: SignalState,
    /// `-L`: absolute guest paths are looked up under this prefix first (as qemu-user does).
    pub sysroot: Option<PathBuf>,
    pub log_options: LogOptions,
    /// Where `-strace` and `-d` output goes (stderr unless `-D`).
    pub log: Log,
    /// The emulator's own settings and engine (for fork and exec).
    pub emulator: Emulator,
    /// This guest thread's own state.
    pub thread: ThreadState,
    /// The gdb session debugging this thread (`-g`; the main thread only).
    pub debugger: Option<Box<crate::gdb::Debugger>>,
}

/// What belongs to one guest thread (the rest of [`Process`] is shared or copied).
#[derive(Debug, Default, Clone, Copy)]
pub struct ThreadState {
    /// `CLONE_CHILD_CLEARTID` / `set_tid_address` word: zeroed and futex-woken at thread exit.
    pub clear_child_tid: u64,
    /// Set by `exit` when the thread ends but the process goes on.
    pub exit_status: Option<i32>,
}

/// The `-strace`/`-d` log, one writer shared by all guest threads.
#[derive(Clone)]
pub struct Log(Arc<Mutex<Box<dyn Write + Send>>>);

impl Log {
    pub fn new(w: Box<dyn Write + Send>) -> Log {
        Log(Arc::new(Mutex::new(w)))
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, Box<dyn Write + Send>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer().flush()
    }
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process")
            .field("arch", &self.arch.name)
            .field("exe_path", &self.exe_path)
            .finish()
    }
}

/// Call host syscall `nr` with `a`.
pub(crate) fn host_syscall(nr: libc::c_long, a: [u64; 6]) -> SysResult {
    // SAFETY: every caller passes integers, or host pointers it obtained from the checked guest
    // window accessors (or to its own live locals), sized for what the syscall touches.
    let r = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
    host_result(r)
}

/// Host pointer to the guest buffer `[addr, addr+len)`, checked readable, or writable when the
/// host fills it.
pub(crate) fn buf_ptr(p: &mut Process, addr: u64, len: u64, writable: bool) -> Result<u64, Errno> {
    Ok(if writable {
        p.space.write_ptr(addr, len)? as u64
    } else {
        p.space.read_ptr(addr, len)? as u64
    })
}

/// [`buf_ptr`] for an optional buffer: NULL stays NULL (the host kernel then skips it or
/// faults on it, as the guest's would).
pub(crate) fn opt_ptr(p: &mut Process, addr: u64, len: u64, writable: bool) -> Result<u64, Errno> {
    if addr == 0 {
        Ok(0)
    } else {
        buf_ptr(p, addr, len, writable)
    }
}

fn enosys(_p: &mut Process, _a: [u64; 6]) -> SysResult {
    Err(Errno::ENOSYS)
}

macro_rules! table {
    ($($nr:literal $name:ident => $handler:path,)*) => {
        /// The generic Linux syscall table (numbers from asm-generic/unistd.h).
        pub static GENERIC_SYSCALLS: &[Syscall] = &[
            $(Syscall { nr: $nr, name: stringify!($name), handler: $handler },)*
        ];
    };
}

table! {
    17 getcwd => fs::getcwd,
    23 dup => fs::dup,
    24 dup3 => fs::dup3,
    25 fcntl => fs::fcntl,
    29 ioctl => fs::ioctl,
    32 flock => fs::flock,
    33 mknodat => shell::mknodat,
    34 mkdirat => fs::mkdirat,
    35 unlinkat => fs::unlinkat,
    36 symlinkat => fs::symlinkat,
    37 linkat => fs::linkat,
    38 renameat => fs::renameat,
    43 statfs => fs::statfs,
    44 fstatfs => fs::fstatfs,
    45 truncate => fs::truncate,
    46 ftruncate => fs::ftruncate,
    47 fallocate => fs::fallocate,
    48 faccessat => fs::faccessat,
    49 chdir => fs::chdir,
    50 fchdir => fs::fchdir,
    52 fchmod => fs::fchmod,
    53 fchmodat => fs::fchmodat,
    54 fchownat => fs::fchownat,
    55 fchown => fs::fchown,
    56 openat => fs::openat,
    57 close => fs::close,
    59 pipe2 => fs::pipe2,
    61 getdents64 => fs::getdents64,
    62 lseek => fs::lseek,
    63 read => fs::read,
    64 write => fs::write,
    65 readv => fs::readv,
    66 writev => fs::writev,
    67 pread64 => fs::pread64,
    68 pwrite64 => fs::pwrite64,
    71 sendfile => fs::sendfile,
    72 pselect6 => shell::pselect6,
    73 ppoll => fs::ppoll,
    74 signalfd4 => signalfd::signalfd4,
    78 readlinkat => fs::readlinkat,
    79 newfstatat => fs::newfstatat,
    80 fstat => fs::fstat,
    81 sync => fs::sync,
    82 fsync => fs::fsync,
    83 fdatasync => fs::fdatasync,
    88 utimensat => fs::utimensat,
    93 exit => process::exit_thread,
    94 exit_group => process::exit,
    95 waitid => process::waitid,
    96 set_tid_address => process::set_tid_address,
    98 futex => process::futex,
    99 set_robust_list => process::set_robust_list,
    101 nanosleep => time::nanosleep,
    102 getitimer => signal::getitimer,
    103 setitimer => signal::setitimer,
    113 clock_gettime => time::clock_gettime,
    114 clock_getres => time::clock_getres,
    115 clock_nanosleep => time::clock_nanosleep,
    118 sched_setparam => process::sched_setparam,
    119 sched_setscheduler => process::sched_setscheduler,
    120 sched_getscheduler => process::sched_getscheduler,
    121 sched_getparam => process::sched_getparam,
    122 sched_setaffinity => process::sched_setaffinity,
    123 sched_getaffinity => process::sched_getaffinity,
    124 sched_yield => process::sched_yield,
    125 sched_get_priority_max => process::sched_get_priority_max,
    126 sched_get_priority_min => process::sched_get_priority_min,
    127 sched_rr_get_interval => process::sched_rr_get_interval,
    129 kill => signal::kill,
    130 tkill => signal::tkill,
    131 tgkill => signal::tgkill,
    132 sigaltstack => signal::sigaltstack,
    133 rt_sigsuspend => signal::rt_sigsuspend,
    134 rt_sigaction => signal::rt_sigaction,
    135 rt_sigprocmask => signal::rt_sigprocmask,
    136 rt_sigpending => signal::rt_sigpending,
    137 rt_sigtimedwait => signal::rt_sigtimedwait,
    138 rt_sigqueueinfo => signal::rt_sigqueueinfo,
    148 getresuid => process::getresuid,
    150 getresgid => process::getresgid,
    153 times => time::times,
    154 setpgid => process::setpgid,
    155 getpgid => process::getpgid,
    156 getsid => process::getsid,
    157 setsid => process::setsid,
    158 getgroups => process::getgroups,
    160 uname => process::uname,
    163 getrlimit => process::getrlimit,
    164 setrlimit => process::setrlimit,
    165 getrusage => process::getrusage,
    166 umask => fs::umask,
    167 prctl => process::prctl,
    168 getcpu => process::getcpu,
    169 gettimeofday => time::gettimeofday,
    172 getpid => process::getpid,
    173 getppid => process::getppid,
    174 getuid => process::getuid,
    175 geteuid => process::geteuid,
    176 getgid => process::getgid,
    177 getegid => process::getegid,
    178 gettid => process::gettid,
    179 sysinfo => process::sysinfo,
    214 brk => mem::brk,
    215 munmap => mem::munmap,
    216 mremap => mem::mremap,
    220 clone => spawn::clone,
    221 execve => spawn::execve,
    222 mmap => mem::mmap,
    223 fadvise64 => fs::fadvise64,
    226 mprotect => mem::mprotect,
    227 msync => mem::msync,
    228 mlock => mem::accept_range,
    229 munlock => mem::accept_range,
    233 madvise => mem::madvise,
    260 wait4 => process::wait4,
    261 prlimit64 => process::prlimit64,
    276 renameat2 => fs::renameat2,
    278 getrandom => process::getrandom,
    281 execveat => spawn::execveat,
    283 membarrier => process::membarrier,
    285 copy_file_range => fs::copy_file_range,
    291 statx => fs::statx,
    293 rseq => enosys,
    436 close_range => fs::close_range,
    439 faccessat2 => fs::faccessat2,
}

/// riscv64's own syscalls (arch/riscv/include/uapi/asm/unistd.h), in the generic table's
/// arch-specific range.
pub static RISCV64_SYSCALLS: &[Syscall] = &[Syscall {
    nr: 259,
    name: "riscv_flush_icache",
    handler: mem::flush_icache,
}];

/// Generic syscalls riscv64's kernel does not have (it lacks `__ARCH_WANT_RENAMEAT`).
const RISCV64_ABSENT: &[u64] = &[38];

/// The table row for `nr` on `arch`.
pub fn lookup(arch: GuestArch, nr: u64) -> Option<&'static Syscall> {
    let (own, absent): (&[Syscall], &[u64]) = match arch {
        GuestArch::Riscv64 => (RISCV64_SYSCALLS, RISCV64_ABSENT),
        GuestArch::X86_64 => (x86_64::X86_64_SYSCALLS, &[]),
        GuestArch::Aarch64 => (&[], &[]),
    };
    if absent.contains(&nr) {
        return None;
    }
    own.iter()
        .chain(GENERIC_SYSCALLS)
        .chain(net::SYSCALLS)
        .chain(events::SYSCALLS)
        .chain(xattr::SYSCALLS)
        .find(|s| s.nr == nr)
}

impl Process {
    pub fn new(space: AddressSpace, arch: &'static ArchInfo, exe_path: PathBuf) -> Process {
        Process {
            space,
            arch,
            exe_path,
            argv: Vec::new(),
            auxv: Vec::new(),
            signals: SignalState::new(arch.sigaction_size),
            sysroot: None,
            log_options: LogOptions::default(),
            log: Log::new(Box::new(std::io::stderr())),
            emulator: Emulator::default(),
            thread: ThreadState::default(),
            debugger: None,
        }
    }

    /// The process as a new thread sees it: the same address space, signal actions, log and
    /// engine; its own signal mask copy and thread state.
    pub fn for_new_thread(&self) -> Process {
        Process {
            space: self.space.share(),
            arch: self.arch,
            exe_path: self.exe_path.clone(),
            argv: self.argv.clone(),
            auxv: self.auxv.clone(),
            signals: self.signals.for_new_thread(),
            sysroot: self.sysroot.clone(),
            log_options: self.log_options,
            log: self.log.clone(),
            emulator: self.emulator.clone(),
            thread: ThreadState::default(),
            debugger: None,
        }
    }

    /// Run syscall `nr`; returns the value for the guest's result register.
    pub fn dispatch(&mut self, nr: u64, args: [u64; 6]) -> u64 {
        let row = lookup(self.arch.arch, nr);
        if row.is_none() && self.log_options.unimp {
            let _ = writeln!(self.log, "emu-user: unsupported syscall {nr}");
        }
        let handler = row.map(|s| s.handler);
        self.run_logged(nr, row, args, |p| {
            handler.map_or(Err(Errno::ENOSYS), |h| h(p, args))
        })
    }

    /// Run syscall `nr` with an implementation of the caller's (one that needs more than the
    /// process), logged like any other.
    pub fn dispatch_with(
        &mut self,
        nr: u64,
        args: [u64; 6],
        run: impl FnOnce(&mut Process) -> SysResult,
    ) -> u64 {
        let row = lookup(self.arch.arch, nr);
        self.run_logged(nr, row, args, run)
    }

    fn run_logged(
        &mut self,
        nr: u64,
        row: Option<&Syscall>,
        args: [u64; 6],
        run: impl FnOnce(&mut Process) -> SysResult,
    ) -> u64 {
        if self.log_options.strace {
            self.strace_call(nr, row, &args);
        }
        let result = run(self);
        if result == Err(Errno::EFAULT) && self.log_options.guest_errors {
            let name = row.map_or("unknown syscall", |r| r.name);
            let _ = writeln!(
                self.log,
                "emu-user: {name}({nr}): bad guest pointer (EFAULT)"
            );
        }
        if self.log_options.strace {
            self.strace_result(nr, &args, result);
        }
        to_guest(result)
    }

    /// The first half of a `-strace` line ([`strace::call_line`]), flushed at once.
    fn strace_call(&mut self, nr: u64, row: Option<&Syscall>, args: &[u64; 6]) {
        // SAFETY: getpid cannot fail.
        let pid = unsafe { libc::getpid() };
        let line = strace::call_line(pid, nr, row, args, &self.space, self.arch);
        let _ = write!(self.log, "{line}");
        let _ = self.log.flush();
    }

    /// The second half ([`strace::result_line`], which ends the line).
    fn strace_result(&mut self, nr: u64, args: &[u64; 6], result: SysResult) {
        let line = strace::result_line(nr, result, args, &self.space, self.arch);
        let _ = write!(self.log, "{line}");
    }

    /// `-strace`: the line of a signal delivered to a guest handler.
    pub fn strace_signal(&mut self, signo: u64, info: &[u8; 128]) {
        if self.log_options.strace {
            let _ = writeln!(self.log, "{}", strace::signal_line(signo, info));
        }
    }

    /// `-strace`: an `rt_sigreturn`, which returns no value.
    pub fn strace_sigreturn(&mut self, args: [u64; 6]) {
        if self.log_options.strace {
            let row = lookup(self.arch.arch, signals_nr::RT_SIGRETURN);
            self.strace_call(signals_nr::RT_SIGRETURN, row, &args);
            let _ = writeln!(self.log, "{}", strace::SIGRETURN_RESULT);
        }
    }

    pub fn flush_log(&mut self) {
        let _ = self.log.flush();
    }

    /// End the process with `status` (`exit_group`, or `exit` of the last thread).
    pub fn exit(&mut self, status: i32) -> ! {
        if self.log_options.strace {
            let _ = writeln!(self.log);
        }
        self.flush_log();
        crate::gdb::process_ending(crate::gdb::Stop::Exited(status));
        // SAFETY: terminating the process; guest output went to host fds unbuffered.
        unsafe { libc::_exit(status & 0xff) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch;
    use crate::memory::{map_flags, Layout};

    fn process() -> Process {
        let space = AddressSpace::new(Layout::default()).unwrap();
        Process::new(
            space,
            arch::info(arch::GuestArch::Riscv64),
            PathBuf::from("/bin/true"),
        )
    }

    fn scratch(p: &mut Process) -> u64 {
        let flags = (map_flags::PRIVATE | map_flags::ANONYMOUS) as u64;
        p.dispatch(222, [0, 0x10000, 3, flags, u64::MAX, 0])
    }

    #[test]
    fn table_is_sorted_and_unique() {
        for w in GENERIC_SYSCALLS.windows(2) {
            assert!(w[0].nr < w[1].nr, "{} / {}", w[0].name, w[1].name);
        }
    }

    #[test]
    fn arch_specific_syscalls() {
        let mut p = process();
        assert_eq!(
            p.dispatch(259, [0, u64::MAX, 0, 0, 0, 0]),
            0,
            "flush_icache"
        );
        assert_eq!(lookup(GuestArch::Aarch64, 259).map(|s| s.name), None);
        assert_eq!(lookup(GuestArch::Riscv64, 38).map(|s| s.name), None);
        assert_eq!(
            lookup(GuestArch::Aarch64, 38).map(|s| s.name),
            Some("renameat")
        );
        assert_eq!(
            lookup(GuestArch::Aarch64, 56).map(|s| s.name),
            Some("openat")
        );
    }

    #[test]
    fn unknown_and_bad_pointers_are_errnos() {
        let mut p = process();
        assert_eq!(p.dispatch(9999, [0; 6]) as i64, -(libc::ENOSYS as i64));
        assert_eq!(
            p.dispatch(293, [0; 6]) as i64,
            -(libc::ENOSYS as i64),
            "rseq"
        );
        // write(1, wild pointer, 5) must be EFAULT without touching anything.
        assert_eq!(
            p.dispatch(64, [1, 0xdead_0000, 5, 0, 0, 0]) as i64,
            -(libc::EFAULT as i64)
        );
        assert_eq!(
            p.dispatch(56, [(-100i64) as u64, 0x1234, 0, 0, 0, 0]) as i64,
            -(libc::EFAULT as i64)
        );
    }

    /// Every pointer-taking syscall answers a wild pointer with EFAULT (never a crash, never a
    /// host access outside the window).
    #[test]
    fn wild_pointers_are_efault() {
        const P: u64 = u64::MAX; // replaced by each wild pointer (NULL is valid for some)
        const AT_FDCWD: u64 = -100i64 as u64;
        let calls: &[(u64, [u64; 6])] = &[
            (17, [P, 100, 0, 0, 0, 0]),
            (56, [AT_FDCWD, P, 0, 0, 0, 0]),
            (59, [P, 0, 0, 0, 0, 0]),
            (63, [0, P, 5, 0, 0, 0]),
            (64, [1, P, 5, 0, 0, 0]),
            (66, [1, P, 2, 0, 0, 0]),
            (78, [AT_FDCWD, P, P, 10, 0, 0]),
            (79, [AT_FDCWD, P, P, 0, 0, 0]),
            (80, [1, P, 0, 0, 0, 0]),
            (98, [P, 0, 0, 0, 0, 0]),
            (113, [0, P, 0, 0, 0, 0]),
            (134, [2, P, 0, 8, 0, 0]),
            (135, [0, P, 0, 8, 0, 0]),
            (160, [P, 0, 0, 0, 0, 0]),
            (179, [P, 0, 0, 0, 0, 0]),
            (261, [0, 3, 0, P, 0, 0]),
            (278, [P, 16, 0, 0, 0, 0]),
        ];
        let mut p = process();
        let window = p.space.mem.window.size();
        let wild = [8, 0xdead_0000, window - 1, window, 1 << 45, u64::MAX - 3];
        for &(nr, args) in calls {
            for w in wild {
                let a = args.map(|v| if v == P { w } else { v });
                let r = p.dispatch(nr, a) as i64;
                assert_eq!(
                    r,
                    -(libc::EFAULT as i64),
                    "syscall {nr} with pointer {w:#x}"
                );
            }
        }
    }

    #[test]
    fn file_round_trip_through_guest_memory() {
        let mut p = process();
        let buf = scratch(&mut p);
        let dir = std::env::temp_dir().join(format!("emu-lu-sys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.txt");
        p.space
            .write_bytes(buf, path.as_os_str().as_encoded_bytes())
            .unwrap();
        p.space
            .write_bytes(buf + path.as_os_str().len() as u64, &[0])
            .unwrap();
        let flags = (libc::O_CREAT | libc::O_RDWR | libc::O_TRUNC) as u64;
        let fd = p.dispatch(56, [(-100i64) as u64, buf, flags, 0o644, 0, 0]);
        std::fs::remove_dir_all(&dir).ok(); // the open file stays usable
        assert!((fd as i64) >= 0);
        p.space.write_bytes(buf + 0x1000, b"hello").unwrap();
        assert_eq!(p.dispatch(64, [fd, buf + 0x1000, 5, 0, 0, 0]), 5);
        assert_eq!(p.dispatch(62, [fd, 0, 0, 0, 0, 0]), 0, "lseek");
        assert_eq!(p.dispatch(63, [fd, buf + 0x2000, 100, 0, 0, 0]), 5);
        assert_eq!(p.space.read_bytes(buf + 0x2000, 5).unwrap(), b"hello");
        assert_eq!(p.dispatch(80, [fd, buf + 0x3000, 0, 0, 0, 0]), 0, "fstat");
        let size = p
            .space
            .read_u64(buf + 0x3000 + stat::off::SIZE as u64)
            .unwrap();
        assert_eq!(size, 5);
        assert_eq!(p.dispatch(57, [fd, 0, 0, 0, 0, 0]), 0);
    }

    #[test]
    fn sysroot_prefix_is_tried_first() {
        let mut p = process();
        let buf = scratch(&mut p);
        let root = std::env::temp_dir().join(format!("emu-lu-root-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("emu_probe"), "x").unwrap();
        p.space.write_bytes(buf, b"/emu_probe\0").unwrap();
        let open = |p: &mut Process| p.dispatch(56, [(-100i64) as u64, buf, 0, 0, 0, 0]) as i64;
        assert_eq!(open(&mut p), -(libc::ENOENT as i64), "not on the host");
        p.sysroot = Some(root.clone());
        let fd = open(&mut p);
        assert!(fd >= 0);
        p.dispatch(57, [fd as u64, 0, 0, 0, 0, 0]);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Names are created, changed and removed on the host path, never under the sysroot (as
    /// qemu-user); lookups (stat, access, readlink) try the sysroot first.
    #[test]
    fn only_lookups_go_to_the_sysroot() {
        let mut p = process();
        let buf = scratch(&mut p);
        let root = std::env::temp_dir().join(format!("emu-lu-root2-{}", std::process::id()));
        let host = std::env::temp_dir().join(format!("emu-lu-host2-{}", std::process::id()));
        let inner = root.join(host.strip_prefix("/").unwrap());
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::create_dir_all(&host).unwrap();
        std::fs::write(inner.join("f"), "in the sysroot").unwrap();
        std::fs::write(host.join("f"), "on the host").unwrap();
        p.sysroot = Some(root.clone());
        let guest_path = host.join("f");
        p.space
            .write_bytes(buf, guest_path.as_os_str().as_encoded_bytes())
            .unwrap();
        p.space
            .write_bytes(buf + guest_path.as_os_str().len() as u64, &[0])
            .unwrap();
        const AT_FDCWD: u64 = -100i64 as u64;
        assert_eq!(p.dispatch(79, [AT_FDCWD, buf, buf + 0x1000, 0, 0, 0]), 0);
        let size = p
            .space
            .read_u64(buf + 0x1000 + stat::off::SIZE as u64)
            .unwrap();
        assert_eq!(size, 14, "newfstatat sees the sysroot's file");
        assert_eq!(p.dispatch(48, [AT_FDCWD, buf, 4, 0, 0, 0]), 0, "faccessat");
        assert_eq!(p.dispatch(35, [AT_FDCWD, buf, 0, 0, 0, 0]), 0, "unlinkat");
        assert!(inner.join("f").exists(), "the sysroot is left alone");
        assert!(!host.join("f").exists(), "the host file went");
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::remove_dir_all(&host).unwrap();
    }

    #[test]
    fn proc_self_maps_and_cpuinfo_are_the_guests() {
        let mut p = process();
        let buf = scratch(&mut p);
        let read_file = |p: &mut Process, path: &[u8]| {
            p.space.write_bytes(buf, path).unwrap();
            p.space.write_bytes(buf + path.len() as u64, &[0]).unwrap();
            let fd = p.dispatch(56, [(-100i64) as u64, buf, 0, 0, 0, 0]);
            assert!((fd as i64) >= 0, "open {path:?}");
            let n = p.dispatch(63, [fd, buf + 0x1000, 0x8000, 0, 0, 0]);
            p.dispatch(57, [fd, 0, 0, 0, 0, 0]);
            String::from_utf8(p.space.read_bytes(buf + 0x1000, n as usize).unwrap()).unwrap()
        };
        let maps = read_file(&mut p, b"/proc/self/maps");
        assert_eq!(
            maps,
            format!("{buf:08x}-{:08x} rw-p 00000000 00:00 0 \n", buf + 0x10000),
            "just the scratch mapping"
        );
        let cpuinfo = read_file(&mut p, b"/proc/cpuinfo");
        assert!(cpuinfo.contains("isa\t\t: rv64imafdc\n"), "{cpuinfo}");
    }

    #[test]
    fn uname_reports_the_guest_machine() {
        let mut p = process();
        let buf = scratch(&mut p);
        assert_eq!(p.dispatch(160, [buf, 0, 0, 0, 0, 0]), 0);
        assert_eq!(p.space.read_cstring(buf + 4 * 65, 65).unwrap(), b"riscv64");
        assert_eq!(p.space.read_cstring(buf, 65).unwrap(), b"Linux");
    }

    #[test]
    fn signal_bookkeeping_and_futex() {
        let mut p = process();
        let buf = scratch(&mut p);
        p.space.write_u64(buf, 1).unwrap(); // SIG_IGN
        assert_eq!(p.dispatch(134, [libc::SIGTERM as u64, buf, 0, 8, 0, 0]), 0);
        assert_eq!(
            p.dispatch(134, [libc::SIGTERM as u64, 0, buf + 64, 8, 0, 0]),
            0
        );
        assert_eq!(p.space.read_u64(buf + 64).unwrap(), 1);
        // SAFETY: getpid cannot fail.
        let pid = unsafe { libc::getpid() } as u64;
        assert_eq!(
            p.dispatch(129, [pid, libc::SIGTERM as u64, 0, 0, 0, 0]),
            0,
            "ignored signal"
        );
        p.space.write_u32(buf + 128, 7).unwrap();
        assert_eq!(
            p.dispatch(98, [buf + 128, 128, 8, 0, 0, 0]) as i64,
            -(libc::EAGAIN as i64)
        );
        assert_eq!(p.dispatch(98, [buf + 128, 129, 1, 0, 0, 0]), 0);
    }
}
