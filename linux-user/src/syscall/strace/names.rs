//! The symbolic names `-strace` prints for flag words and enumerated values, and qemu's rules
//! for combining them (`print_flags`, `print_enums`, `print_file_mode`, `print_signal` of
//! qemu 7.2's linux-user/strace.c). Tables and their order follow what `qemu-aarch64 -strace`
//! and `qemu-riscv64 -strace` 7.2 print; the numbers are the asm-generic ones (also the host's).

use crate::arch::{self, ArchInfo};

/// One named bit pattern (or enumerated value).
#[derive(Debug, Clone, Copy)]
pub struct Named {
    pub value: u64,
    pub name: &'static str,
}

const fn n(value: u64, name: &'static str) -> Named {
    Named { value, name }
}

/// printf `%#x` of the low 32 bits: `0` or `0x..`.
pub fn hex32(v: u64) -> String {
    match v as u32 {
        0 => "0".to_string(),
        x => format!("{x:#x}"),
    }
}

/// printf `%#o` of the low 32 bits: `0` or `0..`.
pub fn oct32(v: u64) -> String {
    match v as u32 {
        0 => "0".to_string(),
        x => format!("0{x:o}"),
    }
}

/// qemu's `print_flags`: the names of the table's non-zero patterns fully present in `v`
/// (each consumes its bits), then the rest in hex; a zero `v` is named only by a zero first
/// entry; with no name at all, the whole value in hex.
pub fn flags(table: &[Named], v: u64) -> String {
    if v == 0 {
        if let Some(first) = table.first().filter(|f| f.value == 0) {
            return first.name.to_string();
        }
    }
    let mut rest = v;
    let mut parts: Vec<String> = Vec::new();
    for f in table {
        if f.value != 0 && rest & f.value == f.value {
            parts.push(f.name.to_string());
            rest &= !f.value;
        }
    }
    if parts.is_empty() {
        return hex32(v);
    }
    if rest != 0 {
        parts.push(hex32(rest));
    }
    parts.join("|")
}

/// The name of the value `v` in `table`.
pub fn name(table: &[Named], v: u64) -> Option<&'static str> {
    table.iter().find(|e| e.value == v).map(|e| e.name)
}

/// qemu's `print_enums`: the name of `v`, else `v` in hex.
pub fn enumerated(table: &[Named], v: u64) -> String {
    name(table, v).map_or_else(|| hex32(v), str::to_string)
}

/// qemu's `print_open_flags`: the access mode, then the other flags (arch-specific values).
pub fn open_flags(arch: &ArchInfo, v: u64) -> String {
    let access = flags(OPEN_ACCESS, v & O_ACCMODE);
    let rest = v & !O_ACCMODE;
    if rest == 0 {
        return access;
    }
    let table: Vec<Named> = OPEN_FLAGS
        .iter()
        .map(|f| n(guest_open_flag(arch, f), f.name))
        .collect();
    format!("{access}|{}", flags(&table, rest))
}

/// The guest value of an asm-generic `O_*` flag. qemu 7.2 keeps asm-generic's `O_LARGEFILE`
/// (0o100000) for aarch64, where that bit is `O_NOFOLLOW`: since `O_LARGEFILE` comes first in
/// its table, `qemu-aarch64 -strace` names aarch64's `O_NOFOLLOW` `O_LARGEFILE`, and aarch64's
/// real `O_LARGEFILE` (0o400000) stays a number. We print the same.
fn guest_open_flag(arch: &ArchInfo, f: &Named) -> u64 {
    if f.name == "O_LARGEFILE" {
        return f.value;
    }
    u64::from(arch::open_flags_to_guest(arch, f.value as u32))
}

pub const O_ACCMODE: u64 = 3;
pub const O_CREAT: u64 = 0o100;

const OPEN_ACCESS: &[Named] = &[n(0, "O_RDONLY"), n(1, "O_WRONLY"), n(2, "O_RDWR")];

/// Host (= asm-generic) values, in qemu's order.
const OPEN_FLAGS: &[Named] = &[
    n(0o2000, "O_APPEND"),
    n(0o100, "O_CREAT"),
    n(libc::O_DIRECTORY as u64, "O_DIRECTORY"),
    n(0o200, "O_EXCL"),
    n(0o100000, "O_LARGEFILE"),
    n(0o400, "O_NOCTTY"),
    n(libc::O_NOFOLLOW as u64, "O_NOFOLLOW"),
    n(0o4000, "O_NONBLOCK"),
    n(0o10000, "O_DSYNC"),
    n(0o4000000, "__O_SYNC"),
    n(0o1000, "O_TRUNC"),
    n(libc::O_DIRECT as u64, "O_DIRECT"),
    n(0o1000000, "O_NOATIME"),
    n(0o2000000, "O_CLOEXEC"),
    n(0o10000000, "O_PATH"),
    n(0o20000000, "__O_TMPFILE"),
];

pub const MMAP_PROT: &[Named] = &[
    n(0, "PROT_NONE"),
    n(4, "PROT_EXEC"),
    n(1, "PROT_READ"),
    n(2, "PROT_WRITE"),
    n(8, "PROT_SEM"),
    n(0x0100_0000, "PROT_GROWSDOWN"),
    n(0x0200_0000, "PROT_GROWSUP"),
];

/// qemu 7.2 has no `MAP_STACK`, `MAP_HUGETLB` or `MAP_FIXED_NOREPLACE` here.
pub const MMAP_FLAGS: &[Named] = &[
    n(0x01, "MAP_SHARED"),
    n(0x02, "MAP_PRIVATE"),
    n(0x20, "MAP_ANONYMOUS"),
    n(0x800, "MAP_DENYWRITE"),
    n(0x10, "MAP_FIXED"),
    n(0x100, "MAP_GROWSDOWN"),
    n(0x1000, "MAP_EXECUTABLE"),
    n(0x2000, "MAP_LOCKED"),
    n(0x10000, "MAP_NONBLOCK"),
    n(0x4000, "MAP_NORESERVE"),
    n(0x8000, "MAP_POPULATE"),
    n(0x400_0000, "MAP_UNINITIALIZED"),
];

pub const CLONE_FLAGS: &[Named] = &[
    n(0x100, "CLONE_VM"),
    n(0x200, "CLONE_FS"),
    n(0x400, "CLONE_FILES"),
    n(0x800, "CLONE_SIGHAND"),
    n(0x2000, "CLONE_PTRACE"),
    n(0x4000, "CLONE_VFORK"),
    n(0x8000, "CLONE_PARENT"),
    n(0x10000, "CLONE_THREAD"),
    n(0x20000, "CLONE_NEWNS"),
    n(0x40000, "CLONE_SYSVSEM"),
    n(0x80000, "CLONE_SETTLS"),
    n(0x10_0000, "CLONE_PARENT_SETTID"),
    n(0x20_0000, "CLONE_CHILD_CLEARTID"),
    n(0x40_0000, "CLONE_DETACHED"),
    n(0x80_0000, "CLONE_UNTRACED"),
    n(0x100_0000, "CLONE_CHILD_SETTID"),
    n(0x400_0000, "CLONE_NEWUTS"),
    n(0x800_0000, "CLONE_NEWIPC"),
    n(0x1000_0000, "CLONE_NEWUSER"),
    n(0x2000_0000, "CLONE_NEWPID"),
    n(0x4000_0000, "CLONE_NEWNET"),
    n(0x200_0000, "CLONE_NEWCGROUP"),
    n(0x80, "CLONE_NEWTIME"),
    n(0x8000_0000, "CLONE_IO"),
];

pub const ACCESS: &[Named] = &[n(0, "F_OK"), n(4, "R_OK"), n(2, "W_OK"), n(1, "X_OK")];
pub const AT_FILE: &[Named] = &[n(0x200, "AT_EACCESS"), n(0x100, "AT_SYMLINK_NOFOLLOW")];
pub const UNLINKAT: &[Named] = &[n(0x200, "AT_REMOVEDIR")];

pub const FALLOC: &[Named] = &[
    n(0x01, "FALLOC_FL_KEEP_SIZE"),
    n(0x02, "FALLOC_FL_PUNCH_HOLE"),
    n(0x04, "FALLOC_FL_NO_HIDE_STALE"),
    n(0x08, "FALLOC_FL_COLLAPSE_RANGE"),
    n(0x10, "FALLOC_FL_ZERO_RANGE"),
    n(0x20, "FALLOC_FL_INSERT_RANGE"),
    n(0x40, "FALLOC_FL_UNSHARE_RANGE"),
];

pub const STATX_FLAGS: &[Named] = &[
    n(0x1000, "AT_EMPTY_PATH"),
    n(0x800, "AT_NO_AUTOMOUNT"),
    n(0x100, "AT_SYMLINK_NOFOLLOW"),
    n(0, "AT_STATX_SYNC_AS_STAT"),
    n(0x2000, "AT_STATX_FORCE_SYNC"),
    n(0x4000, "AT_STATX_DONT_SYNC"),
];

pub const STATX_MASK: &[Named] = &[
    n(0xfff, "STATX_ALL"),
    n(0x7ff, "STATX_BASIC_STATS"),
    n(0x1, "STATX_TYPE"),
    n(0x2, "STATX_MODE"),
    n(0x4, "STATX_NLINK"),
    n(0x8, "STATX_UID"),
    n(0x10, "STATX_GID"),
    n(0x20, "STATX_ATIME"),
    n(0x40, "STATX_MTIME"),
    n(0x80, "STATX_CTIME"),
    n(0x100, "STATX_INO"),
    n(0x200, "STATX_SIZE"),
    n(0x400, "STATX_BLOCKS"),
    n(0x800, "STATX_BTIME"),
];

pub const CLOCKS: &[Named] = &[
    n(0, "CLOCK_REALTIME"),
    n(1, "CLOCK_MONOTONIC"),
    n(2, "CLOCK_PROCESS_CPUTIME_ID"),
    n(3, "CLOCK_THREAD_CPUTIME_ID"),
    n(4, "CLOCK_MONOTONIC_RAW"),
    n(5, "CLOCK_REALTIME_COARSE"),
    n(6, "CLOCK_MONOTONIC_COARSE"),
    n(7, "CLOCK_BOOTTIME"),
    n(8, "CLOCK_REALTIME_ALARM"),
    n(9, "CLOCK_BOOTTIME_ALARM"),
    n(10, "CLOCK_SGI_CYCLE"),
    n(11, "CLOCK_TAI"),
];

pub const ITIMERS: &[Named] = &[
    n(0, "ITIMER_REAL"),
    n(1, "ITIMER_VIRTUAL"),
    n(2, "ITIMER_PROF"),
];

pub const MADVISE: &[Named] = &[
    n(0, "MADV_NORMAL"),
    n(1, "MADV_RANDOM"),
    n(2, "MADV_SEQUENTIAL"),
    n(3, "MADV_WILLNEED"),
    n(4, "MADV_DONTNEED"),
    n(8, "MADV_FREE"),
    n(9, "MADV_REMOVE"),
    n(10, "MADV_DONTFORK"),
    n(11, "MADV_DOFORK"),
    n(12, "MADV_MERGEABLE"),
    n(13, "MADV_UNMERGEABLE"),
    n(14, "MADV_HUGEPAGE"),
    n(15, "MADV_NOHUGEPAGE"),
    n(16, "MADV_DONTDUMP"),
    n(17, "MADV_DODUMP"),
    n(18, "MADV_WIPEONFORK"),
    n(19, "MADV_KEEPONFORK"),
    n(20, "MADV_COLD"),
    n(21, "MADV_PAGEOUT"),
    n(22, "MADV_POPULATE_READ"),
    n(23, "MADV_POPULATE_WRITE"),
    n(24, "MADV_DONTNEED_LOCKED"),
];

pub const UMOUNT2: &[Named] = &[n(1, "MNT_FORCE"), n(2, "MNT_DETACH"), n(4, "MNT_EXPIRE")];

pub const MOUNT: &[Named] = &[
    n(4096, "MS_BIND"),
    n(128, "MS_DIRSYNC"),
    n(64, "MS_MANDLOCK"),
    n(8192, "MS_MOVE"),
    n(1024, "MS_NOATIME"),
    n(4, "MS_NODEV"),
    n(2048, "MS_NODIRATIME"),
    n(8, "MS_NOEXEC"),
    n(2, "MS_NOSUID"),
    n(1, "MS_RDONLY"),
    n(1 << 21, "MS_RELATIME"),
    n(32, "MS_REMOUNT"),
    n(16, "MS_SYNCHRONOUS"),
];

pub const MLOCKALL: &[Named] = &[n(1, "MCL_CURRENT"), n(2, "MCL_FUTURE"), n(4, "MCL_ONFAULT")];

/// `syslog` actions (qemu prints others with `%ld`).
pub const SYSLOG_ACTIONS: &[Named] = &[
    n(0, "SYSLOG_ACTION_CLOSE"),
    n(1, "SYSLOG_ACTION_OPEN"),
    n(2, "SYSLOG_ACTION_READ"),
    n(3, "SYSLOG_ACTION_READ_ALL"),
    n(4, "SYSLOG_ACTION_READ_CLEAR"),
    n(5, "SYSLOG_ACTION_CLEAR"),
    n(6, "SYSLOG_ACTION_CONSOLE_OFF"),
    n(7, "SYSLOG_ACTION_CONSOLE_ON"),
    n(8, "SYSLOG_ACTION_CONSOLE_LEVEL"),
    n(9, "SYSLOG_ACTION_SIZE_UNREAD"),
    n(10, "SYSLOG_ACTION_SIZE_BUFFER"),
];

/// SysV IPC `*ctl` commands (the low byte; qemu prints others with `%d`). Where msg, shm and
/// sem commands share a number, the first name in qemu's order wins.
pub const IPC_CMDS: &[Named] = &[
    n(0, "IPC_RMID"),
    n(1, "IPC_SET"),
    n(2, "IPC_STAT"),
    n(3, "IPC_INFO"),
    n(11, "MSG_STAT"),
    n(12, "MSG_INFO"),
    n(13, "SHM_STAT"),
    n(14, "SHM_INFO"),
    n(15, "GETZCNT"),
    n(16, "SETVAL"),
    n(17, "SETALL"),
    n(18, "SEM_STAT"),
    n(19, "SEM_INFO"),
];

/// `lseek` whence (qemu prints others with `%#x`).
pub const WHENCE: &[Named] = &[
    n(0, "SEEK_SET"),
    n(1, "SEEK_CUR"),
    n(2, "SEEK_END"),
    n(3, "SEEK_DATA"),
    n(4, "SEEK_HOLE"),
];

/// `rt_sigprocmask` how (qemu prints others as `UNKNOWN`).
pub const SIG_HOW: &[Named] = &[n(0, "SIG_BLOCK"), n(1, "SIG_UNBLOCK"), n(2, "SIG_SETMASK")];

/// `fcntl` commands: the name, and how the third argument is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FcntlArg {
    None,
    Long,
    Pointer,
    OpenFlags,
    /// `%ld` followed by a stray comma (qemu 7.2's F_SETOWN and F_SETSIG).
    LongComma,
}

pub const FCNTL: &[(u64, &str, FcntlArg)] = &[
    (0, "F_DUPFD", FcntlArg::Long),
    (1, "F_GETFD", FcntlArg::None),
    (2, "F_SETFD", FcntlArg::Long),
    (3, "F_GETFL", FcntlArg::None),
    (4, "F_SETFL", FcntlArg::OpenFlags),
    (5, "F_GETLK", FcntlArg::Pointer),
    (6, "F_SETLK", FcntlArg::Pointer),
    (7, "F_SETLKW", FcntlArg::Pointer),
    (8, "F_SETOWN", FcntlArg::LongComma),
    (9, "F_GETOWN", FcntlArg::None),
    (10, "F_SETSIG", FcntlArg::LongComma),
    (11, "F_GETSIG", FcntlArg::None),
    (15, "F_SETOWN_EX", FcntlArg::Pointer),
    (16, "F_GETOWN_EX", FcntlArg::Pointer),
    (36, "F_OFD_GETLK", FcntlArg::Pointer),
    (37, "F_OFD_SETLK", FcntlArg::Pointer),
    (38, "F_OFD_SETLKW", FcntlArg::Pointer),
    (1024, "F_SETLEASE", FcntlArg::Long),
    (1025, "F_GETLEASE", FcntlArg::None),
    (1026, "F_NOTIFY", FcntlArg::Long),
    (1030, "F_DUPFD_CLOEXEC", FcntlArg::Long),
    (1031, "F_SETPIPE_SZ", FcntlArg::Long),
    (1032, "F_GETPIPE_SZ", FcntlArg::None),
    (1033, "F_ADD_SEALS", FcntlArg::Pointer),
    (1034, "F_GET_SEALS", FcntlArg::None),
];

/// How an `ioctl`'s argument is shown (qemu's ioctl table argument types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoctlArg {
    /// No argument.
    None,
    /// A plain integer (`%d`).
    Int,
    /// A pointer the kernel writes through (printed as a pointer; an `int` result is shown
    /// after the return value).
    OutInt,
    /// A pointer to something the kernel writes (printed as a pointer only).
    Out,
    /// A pointer to an `int` the kernel reads (the `int` is printed).
    InInt,
    /// A pointer to a struct the kernel reads. qemu prints the struct; we print the pointer.
    InStruct,
}

/// The common tty/file ioctls (asm-generic numbers, the same on riscv64 and aarch64).
pub const IOCTLS: &[(u64, &str, IoctlArg)] = &[
    (0x5401, "TCGETS", IoctlArg::Out),
    (0x5402, "TCSETS", IoctlArg::InStruct),
    (0x5403, "TCSETSW", IoctlArg::InStruct),
    (0x5404, "TCSETSF", IoctlArg::InStruct),
    (0x540e, "TIOCSCTTY", IoctlArg::Int),
    (0x540f, "TIOCGPGRP", IoctlArg::OutInt),
    (0x5410, "TIOCSPGRP", IoctlArg::InInt),
    (0x5413, "TIOCGWINSZ", IoctlArg::Out),
    (0x5414, "TIOCSWINSZ", IoctlArg::InStruct),
    (0x541b, "FIONREAD", IoctlArg::OutInt),
    (0x5421, "FIONBIO", IoctlArg::InInt),
    (0x5422, "TIOCNOTTY", IoctlArg::None),
    (0x5450, "FIONCLEX", IoctlArg::None),
    (0x5451, "FIOCLEX", IoctlArg::None),
    (0x5452, "FIOASYNC", IoctlArg::InInt),
];

/// `socket` domains, types and protocols.
pub const SOCK_DOMAINS: &[Named] = &[
    n(1, "PF_UNIX"),
    n(2, "PF_INET"),
    n(16, "PF_NETLINK"),
    n(17, "PF_PACKET"),
];

pub const SOCK_TYPES: &[Named] = &[
    n(2, "SOCK_DGRAM"),
    n(1, "SOCK_STREAM"),
    n(3, "SOCK_RAW"),
    n(4, "SOCK_RDM"),
    n(5, "SOCK_SEQPACKET"),
    n(10, "SOCK_PACKET"),
];

pub const IP_PROTOCOLS: &[Named] = &[
    n(0, "IPPROTO_IP"),
    n(6, "IPPROTO_TCP"),
    n(17, "IPPROTO_UDP"),
    n(255, "IPPROTO_RAW"),
];

pub const NETLINK_PROTOCOLS: &[Named] = &[
    n(0, "NETLINK_ROUTE"),
    n(1, "NETLINK_UNUSED"),
    n(2, "NETLINK_USERSOCK"),
    n(3, "NETLINK_FIREWALL"),
    n(4, "NETLINK_SOCK_DIAG"),
    n(5, "NETLINK_NFLOG"),
    n(6, "NETLINK_XFRM"),
    n(7, "NETLINK_SELINUX"),
    n(8, "NETLINK_ISCSI"),
    n(9, "NETLINK_AUDIT"),
    n(10, "NETLINK_FIB_LOOKUP"),
    n(11, "NETLINK_CONNECTOR"),
    n(12, "NETLINK_NETFILTER"),
    n(13, "NETLINK_IP6_FW"),
    n(14, "NETLINK_DNRTMSG"),
    n(15, "NETLINK_KOBJECT_UEVENT"),
    n(16, "NETLINK_GENERIC"),
    n(18, "NETLINK_SCSITRANSPORT"),
    n(19, "NETLINK_ECRYPTFS"),
    n(20, "NETLINK_RDMA"),
    n(21, "NETLINK_CRYPTO"),
    n(22, "NETLINK_SMC"),
];

/// Signal names (generic numbering) as qemu 7.2 prints them (6 is `SIGIOT`); others are numbers.
const SIGNALS: [&str; 32] = [
    "",
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGIOT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// qemu's `print_signal`: a name for 1..=31, else the number (`%ld`).
pub fn signal(v: u64) -> String {
    match usize::try_from(v).ok().and_then(|i| SIGNALS.get(i)) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => (v as i64).to_string(),
    }
}

const S_IFMT: u64 = 0o170000;

const FILE_TYPES: &[Named] = &[
    n(0o140000, "S_IFSOCK"),
    n(0o120000, "S_IFLNK"),
    n(0o100000, "S_IFREG"),
    n(0o60000, "S_IFBLK"),
    n(0o40000, "S_IFDIR"),
    n(0o20000, "S_IFCHR"),
    n(0o10000, "S_IFIFO"),
];

/// qemu's `print_file_mode`: `000`, or the first file type whose bits are all set, then the
/// permission bits in octal.
pub fn file_mode(v: u64) -> String {
    if v == 0 {
        return "000".to_string();
    }
    let kind = FILE_TYPES.iter().find(|t| v & t.value == t.value);
    let perms = v & !kind.map_or(0, |t| t.value) & !S_IFMT;
    match (kind, perms) {
        (Some(t), 0) => t.name.to_string(),
        (Some(t), p) => format!("{}|{}", t.name, oct32(p)),
        (None, p) => oct32(p),
    }
}

/// Whether a `mknod` mode has a device number (character or block device).
pub fn mode_has_dev(mode: u64) -> bool {
    mode & 0o60000 != 0
}

/// glibc's `major`/`minor` of a 64-bit `dev_t`, as qemu prints them (`makedev(%d,%d)`).
pub fn makedev(dev: u64) -> String {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    format!("makedev({},{})", major as u32 as i32, minor as u32 as i32)
}
