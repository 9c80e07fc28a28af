//! The `-strace` table: for every syscall qemu 7.2's linux-user strace knows (asm-generic
//! numbering, as on riscv64 and aarch64), its name, how each argument is shown and how the
//! result is shown. Syscalls not listed print as qemu prints syscalls missing from its list
//! (`Unknown syscall N`). The argument kinds reproduce qemu's per-syscall printers and format
//! strings, checked against `qemu-aarch64 -strace` / `qemu-riscv64 -strace` 7.2 output.

use super::names::{self, FcntlArg, IoctlArg, Named};
use crate::arch::GuestArch;

/// How one argument is shown. Most kinds show one argument; [`Arg::width`] says how many a
/// kind takes.
#[derive(Debug, Clone, Copy)]
pub enum Arg {
    /// printf `%d`: the low 32 bits, signed.
    Int,
    /// printf `%u`: the low 32 bits, unsigned.
    UInt,
    /// `%ld`: the whole value, signed.
    Long,
    /// `%lu`: the whole value, unsigned.
    ULong,
    /// `%#x`: the low 32 bits in hex.
    Hex,
    /// `%#o`: the low 32 bits in octal.
    Oct,
    /// printf `%p`: `(nil)` or the whole value in hex.
    HostPtr,
    /// qemu's `print_pointer`: `NULL` or `0x%016x`.
    Ptr,
    /// A NUL-terminated guest string, quoted; a pointer when unreadable.
    Str,
    /// A directory fd: `AT_FDCWD` or `%d`.
    AtFd,
    /// A file mode: file type name and octal permissions.
    Mode,
    /// A flag word named with a table.
    Flags(&'static [Named]),
    /// `open` flags (access mode, then the arch's `O_*` flags).
    OpenFlags,
    /// Shown as the inner kind only when argument number `.0` (open flags) has `O_CREAT`.
    IfCreat(usize, &'static Arg),
    /// The `mknod` device: `makedev(major,minor)`, only when the previous argument (the mode)
    /// is a character or block device.
    Dev,
    /// An enumerated value named with a table (`%#x` when unnamed).
    Enum(&'static [Named]),
    /// An enumerated value named with a table (`%ld` when unnamed).
    NamedLong(&'static [Named]),
    /// A SysV IPC command (low byte named, else `%d`).
    IpcCmd,
    /// `0x%016x`, zero included.
    Hex64,
    /// A signal number.
    Signal,
    /// `lseek`'s whence.
    Whence,
    /// `rt_sigprocmask`'s how (`UNKNOWN` when unnamed).
    SigHow,
    /// A `struct timespec *`.
    Timespec,
    /// A `struct timeval *`.
    Timeval,
    /// A `struct timezone *`.
    Timezone,
    /// A `struct itimerval *`.
    Itimerval,
    /// A `siginfo_t *`.
    Siginfo,
    /// `clone` flags (32 bits).
    CloneFlags,
    /// `name=0x%016x` (clone's pointers).
    Field(&'static str),
    /// `fcntl`'s command and its argument (two arguments).
    Fcntl,
    /// `ioctl`'s request and its argument (two arguments).
    Ioctl,
    /// `futex`'s op, val, timeout, uaddr2 and (as qemu 7.2 does) uaddr2 again as `%d` instead
    /// of val3 (four arguments).
    Futex,
    /// `execve`'s path: when unreadable qemu prints nothing for the whole call.
    ExecPath,
    /// `execve`'s argv, `{"a","b",NULL}`; an unreadable slot ends the line there.
    Argv,
    /// `socket`'s domain, type and protocol (three arguments).
    Socket,
    /// A `struct sockaddr *` and its length (two arguments).
    Sockaddr,
    /// A pointer to an `int`, shown as `[value]`.
    IntPtr,
}

impl Arg {
    /// How many syscall arguments this kind shows.
    pub fn width(self) -> usize {
        match self {
            Arg::Fcntl | Arg::Ioctl | Arg::Sockaddr => 2,
            Arg::Socket => 3,
            Arg::Futex => 4,
            _ => 1,
        }
    }
}

/// How the call is shown.
#[derive(Debug, Clone, Copy)]
pub enum Call {
    /// `name(args)` with these kinds.
    Args(&'static [Arg]),
    /// qemu's default: all six arguments with `%ld`.
    Generic,
    /// Nothing at all (qemu-riscv64 handles `riscv_flush_icache` before its syscall layer).
    Silent,
}

/// How the result is shown (errors are always `-1 errno=N (text)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// `%ld`.
    Dec,
    /// `0x%016x` (mmap, brk).
    Addr,
    /// The value, then ` (timespec)` of the second argument (clock_gettime, clock_getres).
    Timespec,
    /// The value, then ` (timeval,timezone)` of the arguments (gettimeofday).
    Timeofday,
    /// The value, then ` (itimerval)` of the second argument (getitimer).
    Itimer,
    /// The value, then ` (old_value = itimerval)` of the third argument (setitimer).
    OldItimer,
    /// The value, then ` (int)` read from the third argument for ioctls that write an int.
    Ioctl,
    /// The value, then ` (list = "a","b")` of the second argument (listxattr family).
    XattrList,
    /// exit, exit_group: the line ends after the call.
    NoReturn,
    /// Nothing (with [`Call::Silent`]).
    Silent,
}

/// One syscall's row.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub nr: u64,
    pub name: &'static str,
    pub call: Call,
    pub ret: Ret,
}

const fn a(nr: u64, name: &'static str, args: &'static [Arg]) -> Entry {
    Entry {
        nr,
        name,
        call: Call::Args(args),
        ret: Ret::Dec,
    }
}

const fn g(nr: u64, name: &'static str) -> Entry {
    Entry {
        nr,
        name,
        call: Call::Generic,
        ret: Ret::Dec,
    }
}

const fn r(entry: Entry, ret: Ret) -> Entry {
    Entry { ret, ..entry }
}

use Arg::*;

const FD: &[Arg] = &[Int];
const NONE: &[Arg] = &[];
const AT_PATH_FLAGS: &[Arg] = &[AtFd, Str, Ptr, Flags(names::AT_FILE)];
const ACCESS_AT: &[Arg] = &[AtFd, Str, Flags(names::ACCESS), Flags(names::AT_FILE)];
const RW: &[Arg] = &[Int, Hex, Int];
const KILL: &[Arg] = &[Int, Signal];
const CLOCK_PTR: &[Arg] = &[Enum(names::CLOCKS), Ptr];
const TWO_PTRS: &[Arg] = &[HostPtr, HostPtr];
const GETXATTR: &[Arg] = &[Str, Str, Ptr, ULong];
const LISTXATTR: &[Arg] = &[Str, Ptr, ULong];
const MQ_TIMED: &[Arg] = &[Int, HostPtr, Int, UInt, HostPtr];

/// Sorted by number.
pub static TABLE: &[Entry] = &[
    g(0, "io_setup"),
    g(1, "io_destroy"),
    g(2, "io_submit"),
    g(3, "io_cancel"),
    g(4, "io_getevents"),
    g(5, "setxattr"),
    g(6, "lsetxattr"),
    g(7, "fsetxattr"),
    a(8, "getxattr", GETXATTR),
    a(9, "lgetxattr", GETXATTR),
    a(10, "fgetxattr", &[Int, Str, Ptr, ULong]),
    r(a(11, "listxattr", LISTXATTR), Ret::XattrList),
    r(a(12, "llistxattr", LISTXATTR), Ret::XattrList),
    r(a(13, "flistxattr", &[Int, Ptr, ULong]), Ret::XattrList),
    a(14, "removexattr", &[Str, Str]),
    a(15, "lremovexattr", &[Str, Str]),
    a(16, "fremovexattr", &[Int, Str]),
    a(17, "getcwd", &[HostPtr, Int]),
    g(18, "lookup_dcookie"),
    a(19, "eventfd2", &[Int, Int]),
    a(20, "epoll_create1", FD),
    g(21, "epoll_ctl"),
    g(22, "epoll_pwait"),
    a(23, "dup", FD),
    a(24, "dup3", &[Int, Int, Int]),
    a(25, "fcntl", &[Int, Fcntl]),
    g(26, "inotify_init1"),
    g(27, "inotify_add_watch"),
    g(28, "inotify_rm_watch"),
    r(a(29, "ioctl", &[Int, Ioctl]), Ret::Ioctl),
    g(30, "ioprio_set"),
    g(31, "ioprio_get"),
    g(32, "flock"),
    a(33, "mknodat", &[AtFd, Str, Mode, Dev]),
    a(34, "mkdirat", &[AtFd, Str, Mode]),
    a(35, "unlinkat", &[AtFd, Str, Flags(names::UNLINKAT)]),
    a(36, "symlinkat", &[Str, AtFd, Str]),
    a(37, "linkat", &[AtFd, Str, AtFd, Str, Flags(names::AT_FILE)]),
    a(38, "renameat", &[AtFd, Str, AtFd, Str]),
    a(39, "umount2", &[Str, Flags(names::UMOUNT2)]),
    a(40, "mount", &[Str, Str, Str, Flags(names::MOUNT), Ptr]),
    g(41, "pivot_root"),
    g(42, "nfsservctl"),
    a(43, "statfs", &[Str, Ptr]),
    a(44, "fstatfs", &[Int, HostPtr]),
    a(45, "truncate", &[Str, Long]),
    a(46, "ftruncate", &[Int, Long]),
    a(47, "fallocate", &[Int, Flags(names::FALLOC), Long, Long]),
    a(48, "faccessat", ACCESS_AT),
    a(49, "chdir", &[Str]),
    a(50, "fchdir", FD),
    a(51, "chroot", &[Str]),
    a(52, "fchmod", &[Int, Oct]),
    a(53, "fchmodat", &[AtFd, Str, Mode, Flags(names::AT_FILE)]),
    a(
        54,
        "fchownat",
        &[AtFd, Str, Int, Int, Flags(names::AT_FILE)],
    ),
    a(55, "fchown", &[Int, Int, Int]),
    a(56, "openat", &[AtFd, Str, OpenFlags, IfCreat(2, &Mode)]),
    a(57, "close", FD),
    g(58, "vhangup"),
    g(59, "pipe2"),
    g(60, "quotactl"),
    a(61, "getdents64", &[Int, HostPtr, UInt]),
    a(62, "lseek", &[Int, Long, Whence]),
    a(63, "read", RW),
    a(64, "write", RW),
    g(65, "readv"),
    a(66, "writev", &[Int, HostPtr, Hex]),
    g(67, "pread64"),
    g(68, "pwrite64"),
    g(69, "preadv"),
    g(70, "pwritev"),
    g(71, "sendfile"),
    g(72, "pselect6"),
    g(73, "ppoll"),
    g(74, "signalfd4"),
    g(75, "vmsplice"),
    g(76, "splice"),
    g(77, "tee"),
    a(78, "readlinkat", &[AtFd, Str, Ptr, UInt]),
    a(79, "newfstatat", AT_PATH_FLAGS),
    a(80, "fstat", &[Int, Ptr]),
    g(81, "sync"),
    a(82, "fsync", FD),
    a(83, "fdatasync", FD),
    g(84, "sync_file_range"),
    g(85, "timerfd_create"),
    g(86, "timerfd_settime"),
    g(87, "timerfd_gettime"),
    a(88, "utimensat", AT_PATH_FLAGS),
    a(89, "acct", &[Str]),
    a(90, "capget", TWO_PTRS),
    a(91, "capset", TWO_PTRS),
    g(92, "personality"),
    r(a(93, "exit", FD), Ret::NoReturn),
    r(a(94, "exit_group", FD), Ret::NoReturn),
    a(95, "waitid", &[Hex, Int, HostPtr, Hex]),
    g(96, "set_tid_address"),
    a(97, "unshare", &[Flags(names::CLONE_FLAGS)]),
    a(98, "futex", &[Ptr, Futex]),
    g(99, "set_robust_list"),
    g(100, "get_robust_list"),
    g(101, "nanosleep"),
    r(
        a(102, "getitimer", &[Enum(names::ITIMERS), Ptr]),
        Ret::Itimer,
    ),
    r(
        a(103, "setitimer", &[Enum(names::ITIMERS), Itimerval, Ptr]),
        Ret::OldItimer,
    ),
    g(104, "kexec_load"),
    g(105, "init_module"),
    g(106, "delete_module"),
    g(107, "timer_create"),
    g(108, "timer_gettime"),
    g(109, "timer_getoverrun"),
    a(110, "timer_settime", &[Int, Int, HostPtr, HostPtr]),
    g(111, "timer_delete"),
    a(112, "clock_settime", &[Enum(names::CLOCKS), Timespec]),
    r(a(113, "clock_gettime", CLOCK_PTR), Ret::Timespec),
    r(a(114, "clock_getres", CLOCK_PTR), Ret::Timespec),
    a(
        115,
        "clock_nanosleep",
        &[Enum(names::CLOCKS), Int, Timespec, Timespec],
    ),
    a(116, "syslog", &[NamedLong(names::SYSLOG_ACTIONS), Ptr, Int]),
    g(117, "ptrace"),
    g(118, "sched_setparam"),
    g(119, "sched_setscheduler"),
    g(120, "sched_getscheduler"),
    g(121, "sched_getparam"),
    g(122, "sched_setaffinity"),
    g(123, "sched_getaffinity"),
    g(124, "sched_yield"),
    g(125, "sched_get_priority_max"),
    g(126, "sched_get_priority_min"),
    g(127, "sched_rr_get_interval"),
    g(128, "restart_syscall"),
    a(129, "kill", KILL),
    a(130, "tkill", KILL),
    a(131, "tgkill", &[Int, Int, Signal]),
    a(132, "sigaltstack", &[HostPtr, HostPtr]),
    g(133, "rt_sigsuspend"),
    a(134, "rt_sigaction", &[Signal, Ptr, Ptr]),
    a(135, "rt_sigprocmask", &[SigHow, Ptr, Ptr]),
    g(136, "rt_sigpending"),
    g(137, "rt_sigtimedwait"),
    a(138, "rt_sigqueueinfo", &[Int, Signal, Siginfo]),
    g(139, "rt_sigreturn"),
    g(140, "setpriority"),
    a(141, "getpriority", &[Hex, Hex]),
    g(142, "reboot"),
    g(143, "setregid"),
    a(144, "setgid", &[UInt]),
    a(145, "setreuid", &[UInt, UInt]),
    g(146, "setuid"),
    a(147, "setresuid", &[UInt, UInt, UInt]),
    g(148, "getresuid"),
    a(149, "setresgid", &[UInt, UInt, UInt]),
    g(150, "getresgid"),
    a(151, "setfsuid", &[UInt]),
    a(152, "setfsgid", &[UInt]),
    g(153, "times"),
    a(154, "setpgid", &[UInt, UInt]),
    a(155, "getpgid", &[UInt]),
    a(156, "getsid", FD),
    a(157, "setsid", NONE),
    g(158, "getgroups"),
    g(159, "setgroups"),
    a(160, "uname", &[HostPtr]),
    g(161, "sethostname"),
    g(162, "setdomainname"),
    g(163, "getrlimit"),
    g(164, "setrlimit"),
    g(165, "getrusage"),
    a(166, "umask", &[Oct]),
    g(167, "prctl"),
    a(168, "getcpu", &[HostPtr, Int]),
    r(a(169, "gettimeofday", &[Ptr, Ptr]), Ret::Timeofday),
    a(170, "settimeofday", &[Timeval, Timezone]),
    a(171, "adjtimex", &[HostPtr]),
    a(172, "getpid", NONE),
    a(173, "getppid", NONE),
    a(174, "getuid", NONE),
    a(175, "geteuid", NONE),
    a(176, "getgid", NONE),
    a(177, "getegid", NONE),
    a(178, "gettid", NONE),
    g(179, "sysinfo"),
    a(
        180,
        "mq_open",
        &[Str, OpenFlags, IfCreat(1, &Mode), IfCreat(1, &Ptr)],
    ),
    a(181, "mq_unlink", &[Str]),
    a(182, "mq_timedsend", MQ_TIMED),
    a(183, "mq_timedreceive", MQ_TIMED),
    a(184, "mq_notify", &[Int, HostPtr]),
    a(185, "mq_getsetattr", &[Int, HostPtr, HostPtr]),
    g(186, "msgget"),
    g(187, "msgctl"),
    g(188, "msgrcv"),
    g(189, "msgsnd"),
    g(190, "semget"),
    a(191, "semctl", &[Long, Long, IpcCmd, Hex64]),
    g(192, "semtimedop"),
    g(193, "semop"),
    g(194, "shmget"),
    g(195, "shmctl"),
    r(g(196, "shmat"), Ret::Addr),
    g(197, "shmdt"),
    a(198, "socket", &[Socket]),
    g(199, "socketpair"),
    a(200, "bind", &[Int, Sockaddr]),
    a(201, "listen", &[Int, Int]),
    a(202, "accept", &[Int, Ptr, IntPtr]),
    a(203, "connect", &[Int, Hex, Int]),
    g(204, "getsockname"),
    g(205, "getpeername"),
    g(206, "sendto"),
    g(207, "recvfrom"),
    g(208, "setsockopt"),
    g(209, "getsockopt"),
    g(210, "shutdown"),
    g(211, "sendmsg"),
    a(212, "recvmsg", &[Int, HostPtr, Hex]),
    g(213, "readahead"),
    r(a(214, "brk", &[Ptr]), Ret::Addr),
    a(215, "munmap", &[Ptr, Int]),
    g(216, "mremap"),
    g(217, "add_key"),
    g(218, "request_key"),
    g(219, "keyctl"),
    a(
        220,
        "clone",
        &[
            CloneFlags,
            Field("child_stack"),
            Field("parent_tidptr"),
            Field("tls"),
            Field("child_tidptr"),
        ],
    ),
    a(221, "execve", &[ExecPath, Argv]),
    r(
        a(
            222,
            "mmap",
            &[
                Ptr,
                Int,
                Flags(names::MMAP_PROT),
                Flags(names::MMAP_FLAGS),
                Int,
                Hex,
            ],
        ),
        Ret::Addr,
    ),
    g(223, "fadvise64"),
    g(224, "swapon"),
    g(225, "swapoff"),
    a(226, "mprotect", &[Ptr, Int, Flags(names::MMAP_PROT)]),
    g(227, "msync"),
    a(228, "mlock", &[HostPtr, ULong]),
    a(229, "munlock", &[HostPtr, ULong]),
    a(230, "mlockall", &[Flags(names::MLOCKALL)]),
    a(231, "munlockall", NONE),
    g(232, "mincore"),
    a(233, "madvise", &[Ptr, Int, Enum(names::MADVISE)]),
    g(234, "remap_file_pages"),
    g(235, "mbind"),
    g(236, "get_mempolicy"),
    g(237, "set_mempolicy"),
    g(238, "migrate_pages"),
    g(239, "move_pages"),
    a(240, "rt_tgsigqueueinfo", &[Int, Int, Signal, Siginfo]),
    g(241, "perf_event_open"),
    g(242, "accept4"),
    g(243, "recvmmsg"),
    g(260, "wait4"),
    g(261, "prlimit64"),
    g(262, "fanotify_init"),
    g(263, "fanotify_mark"),
    g(264, "name_to_handle_at"),
    a(266, "clock_adjtime", CLOCK_PTR),
    a(267, "syncfs", FD),
    g(268, "setns"),
    g(269, "sendmmsg"),
    g(270, "process_vm_readv"),
    g(271, "process_vm_writev"),
    g(272, "kcmp"),
    g(273, "finit_module"),
    g(275, "sched_getattr"),
    g(276, "renameat2"),
    g(277, "seccomp"),
    a(278, "getrandom", &[HostPtr, UInt, UInt]),
    g(279, "memfd_create"),
    g(280, "bpf"),
    g(281, "execveat"),
    g(282, "userfaultfd"),
    g(283, "membarrier"),
    g(284, "mlock2"),
    a(
        285,
        "copy_file_range",
        &[Int, HostPtr, Int, HostPtr, ULong, UInt],
    ),
    a(
        291,
        "statx",
        &[
            AtFd,
            Str,
            Flags(names::STATX_FLAGS),
            Flags(names::STATX_MASK),
            Ptr,
        ],
    ),
    a(424, "pidfd_send_signal", &[Int, Signal, Siginfo, UInt]),
    a(434, "pidfd_open", &[Int, UInt]),
    a(436, "close_range", &[UInt, UInt, UInt]),
    a(438, "pidfd_getfd", &[Int, Int, UInt]),
    a(439, "faccessat2", ACCESS_AT),
];

/// Where an arch differs from the generic table: `None` = not a syscall there (qemu prints
/// `Unknown syscall N`).
static ARCH_ROWS: &[(GuestArch, u64, Option<Entry>)] = &[
    // riscv64 has no renameat (no __ARCH_WANT_RENAMEAT).
    (GuestArch::Riscv64, 38, None),
    // qemu-riscv64 handles riscv_flush_icache before its syscall layer: nothing is logged.
    (
        GuestArch::Riscv64,
        259,
        Some(Entry {
            nr: 259,
            name: "riscv_flush_icache",
            call: Call::Silent,
            ret: Ret::Silent,
        }),
    ),
    x86_only(7, "poll", Call::Generic),
    x86_only(23, "select", Call::Generic),
    x86_only(37, "alarm", Call::Args(&[Arg::UInt])),
    x86_only(33, "dup2", Call::Args(&[Arg::Int, Arg::Int])),
    x86_only(158, "arch_prctl", Call::Args(&[Arg::Int, Arg::Ptr])),
    x86_only(201, "time", Call::Args(&[Arg::Ptr])),
];

/// A row for an x86_64-only syscall (private number, see `syscall::x86_64`).
const fn x86_only(nr: u64, name: &'static str, call: Call) -> (GuestArch, u64, Option<Entry>) {
    let nr = crate::syscall::x86_64::X86_ONLY + nr;
    (
        GuestArch::X86_64,
        nr,
        Some(Entry {
            nr,
            name,
            call,
            ret: Ret::Dec,
        }),
    )
}

/// The row for `nr` on `arch`, if qemu's strace knows it.
pub fn lookup(arch: GuestArch, nr: u64) -> Option<&'static Entry> {
    if let Some((.., row)) = ARCH_ROWS.iter().find(|r| r.0 == arch && r.1 == nr) {
        return row.as_ref();
    }
    TABLE
        .binary_search_by_key(&nr, |e| e.nr)
        .ok()
        .map(|i| &TABLE[i])
}

/// The name and argument kind of an `fcntl` command.
pub fn fcntl_cmd(cmd: u64) -> Option<(&'static str, FcntlArg)> {
    names::FCNTL
        .iter()
        .find(|c| c.0 == cmd)
        .map(|&(_, name, arg)| (name, arg))
}

/// The name and argument kind of an `ioctl` request.
pub fn ioctl_cmd(cmd: u64) -> Option<(&'static str, IoctlArg)> {
    names::IOCTLS
        .iter()
        .find(|c| c.0 == cmd)
        .map(|&(_, name, arg)| (name, arg))
}
