//! The x86_64 syscall ABI: x86_64's own syscall numbers mapped onto the generic ones
//! ([`to_generic`]), so every handler, the `-strace` tables and the restart rules are shared
//! with riscv64 and aarch64; the legacy calls only x86_64 has (`open`, `stat`, `pipe`,
//! `fork`, …) are rewritten into their `*at`/generic equivalents with `AT_FDCWD` where that is
//! exact, and the few with no generic equivalent (`arch_prctl`, `dup2`, `time`) get numbers in
//! a private range ([`X86_ONLY`]) and handlers here. `clone` swaps its last two arguments (x86_64
//! passes `child_tid` before `tls`).

use super::{host_syscall, Process, SysResult, Syscall};
use crate::errno::Errno;
use crate::signal_frame::ArchCpu;

/// Base of the private numbers of x86_64-only syscalls (`X86_ONLY + x86_64 number`).
pub const X86_ONLY: u64 = 0x1_0000;
/// `arch_prctl` (needs the CPU: dispatched by the signal layer's syscall entry).
pub const ARCH_PRCTL: u64 = X86_ONLY + 158;
const POLL: u64 = X86_ONLY + 7;
const SELECT: u64 = X86_ONLY + 23;
const ALARM: u64 = X86_ONLY + 37;
const DUP2: u64 = X86_ONLY + 33;
const TIME: u64 = X86_ONLY + 201;

const AT_FDCWD: u64 = -100i64 as u64;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const AT_REMOVEDIR: u64 = 0x200;
const SIGCHLD: u64 = 17;

/// Generic numbers used by the rewrites.
mod generic {
    pub const MKNODAT: u64 = 33;
    pub const MKDIRAT: u64 = 34;
    pub const UNLINKAT: u64 = 35;
    pub const SYMLINKAT: u64 = 36;
    pub const LINKAT: u64 = 37;
    pub const RENAMEAT: u64 = 38;
    pub const FACCESSAT: u64 = 48;
    pub const FCHMODAT: u64 = 53;
    pub const FCHOWNAT: u64 = 54;
    pub const OPENAT: u64 = 56;
    pub const PIPE2: u64 = 59;
    pub const READLINKAT: u64 = 78;
    pub const NEWFSTATAT: u64 = 79;
    pub const EPOLL_CREATE1: u64 = 20;
    pub const EPOLL_PWAIT: u64 = 22;
    pub const GETPGID: u64 = 155;
    pub const CLONE: u64 = 220;
    pub const EVENTFD2: u64 = 19;
    pub const INOTIFY_INIT1: u64 = 26;
    pub const PPOLL: u64 = 73;
    pub const SIGNALFD4: u64 = 74;
}

/// The generic number and arguments of x86_64 syscall `nr` (numbers without a generic
/// equivalent map to `X86_ONLY + nr`, which has a row only if implemented here).
pub fn to_generic(nr: u64, a: [u64; 6]) -> (u64, [u64; 6]) {
    use generic::*;
    let at = |n: u64, args: [u64; 6]| (n, args);
    match nr {
        2 => at(OPENAT, [AT_FDCWD, a[0], a[1], a[2], 0, 0]),
        4 => at(NEWFSTATAT, [AT_FDCWD, a[0], a[1], 0, 0, 0]),
        6 => at(
            NEWFSTATAT,
            [AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW, 0, 0],
        ),
        21 => at(FACCESSAT, [AT_FDCWD, a[0], a[1], 0, 0, 0]),
        22 => at(PIPE2, [a[0], 0, 0, 0, 0, 0]),
        // pause: a ppoll of nothing without a timeout sleeps until a handled signal and,
        // like pause, is never restarted.
        34 => at(PPOLL, [0; 6]),
        56 => at(CLONE, [a[0], a[1], a[2], a[4], a[3], 0]),
        57 => at(CLONE, [SIGCHLD, 0, 0, 0, 0, 0]),
        58 => at(CLONE, [0x4000 | 0x100 | SIGCHLD, 0, 0, 0, 0, 0]),
        82 => at(RENAMEAT, [AT_FDCWD, a[0], AT_FDCWD, a[1], 0, 0]),
        83 => at(MKDIRAT, [AT_FDCWD, a[0], a[1], 0, 0, 0]),
        84 => at(UNLINKAT, [AT_FDCWD, a[0], AT_REMOVEDIR, 0, 0, 0]),
        85 => at(OPENAT, [AT_FDCWD, a[0], 0o1101, a[1], 0, 0]),
        86 => at(LINKAT, [AT_FDCWD, a[0], AT_FDCWD, a[1], 0, 0]),
        87 => at(UNLINKAT, [AT_FDCWD, a[0], 0, 0, 0, 0]),
        88 => at(SYMLINKAT, [a[0], AT_FDCWD, a[1], 0, 0, 0]),
        89 => at(READLINKAT, [AT_FDCWD, a[0], a[1], a[2], 0, 0]),
        90 => at(FCHMODAT, [AT_FDCWD, a[0], a[1], 0, 0, 0]),
        92 => at(FCHOWNAT, [AT_FDCWD, a[0], a[1], a[2], 0, 0]),
        94 => at(
            FCHOWNAT,
            [AT_FDCWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW, 0],
        ),
        111 => at(GETPGID, [0; 6]),
        133 => at(MKNODAT, [AT_FDCWD, a[0], a[1], a[2], 0, 0]),
        // epoll_create's size only has to be positive.
        213 if a[0] as i32 > 0 => at(EPOLL_CREATE1, [0; 6]),
        232 => at(EPOLL_PWAIT, [a[0], a[1], a[2], a[3], 0, 8]),
        253 => at(INOTIFY_INIT1, [0; 6]),
        282 => at(SIGNALFD4, [a[0], a[1], a[2], 0, 0, 0]),
        284 => at(EVENTFD2, [a[0], 0, 0, 0, 0, 0]),
        _ => {
            let generic = TO_GENERIC
                .binary_search_by_key(&nr, |&(x, _)| u64::from(x))
                .map_or(X86_ONLY + nr, |i| u64::from(TO_GENERIC[i].1));
            (generic, a)
        }
    }
}

/// The x86_64-only syscalls (private numbers).
pub static X86_64_SYSCALLS: &[Syscall] = &[
    Syscall {
        nr: POLL,
        name: "poll",
        handler: poll,
    },
    Syscall {
        nr: SELECT,
        name: "select",
        handler: select,
    },
    Syscall {
        nr: ALARM,
        name: "alarm",
        handler: alarm,
    },
    Syscall {
        nr: DUP2,
        name: "dup2",
        handler: dup2,
    },
    Syscall {
        nr: TIME,
        name: "time",
        handler: time,
    },
    Syscall {
        nr: ARCH_PRCTL,
        name: "arch_prctl",
        handler: no_cpu,
    },
];

/// `arch_prctl` without a CPU at hand (never dispatched this way).
fn no_cpu(_p: &mut Process, _a: [u64; 6]) -> SysResult {
    Err(Errno::ENOSYS)
}

/// `dup2(old, new)`: `dup3` except that equal descriptors return `new` if it is open.
fn dup2(_p: &mut Process, a: [u64; 6]) -> SysResult {
    let (old, new) = (a[0] as i32 as i64 as u64, a[1] as i32 as i64 as u64);
    if old == new {
        host_syscall(libc::SYS_fcntl, [old, libc::F_GETFD as u64, 0, 0, 0, 0])?;
        return Ok(new);
    }
    host_syscall(libc::SYS_dup3, [old, new, 0, 0, 0, 0])
}

/// `poll(fds, nfds, timeout_ms)`: `ppoll` with the timeout as a host `timespec` (negative:
/// none) and no signal mask.
fn poll(p: &mut Process, a: [u64; 6]) -> SysResult {
    if a[1] > 4096 {
        return Err(Errno(libc::EINVAL));
    }
    let fds = p.space.write_ptr(a[0], a[1] * 8)? as u64;
    let ms = i64::from(a[2] as i32);
    let ts = libc::timespec {
        tv_sec: ms / 1000,
        tv_nsec: (ms % 1000) * 1_000_000,
    };
    let timeout = if ms < 0 {
        0
    } else {
        &ts as *const libc::timespec as u64
    };
    host_syscall(libc::SYS_ppoll, [fds, a[1], timeout, 0, 8, 0])
}

/// Most descriptors `select` takes (the kernel's limit is the fd table size).
const MAX_SELECT_FDS: u64 = 1 << 20;

/// `select(n, in, out, except, timeout)`: `pselect6` with the `timeval` as a host
/// `timespec`, the time left written back as Linux does.
fn select(p: &mut Process, a: [u64; 6]) -> SysResult {
    let n = a[0] as i32 as i64;
    if n < 0 || n as u64 > MAX_SELECT_FDS {
        return Err(Errno(libc::EINVAL));
    }
    let set_bytes = (n as u64).div_ceil(64) * 8;
    let mut sets = [0u64; 3];
    for (set, addr) in sets.iter_mut().zip([a[1], a[2], a[3]]) {
        if addr != 0 {
            *set = p.space.write_ptr(addr, set_bytes)? as u64;
        }
    }
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let timeout = if a[4] == 0 {
        0
    } else {
        let (sec, usec) = (
            p.space.read_u64(a[4])? as i64,
            p.space.read_u64(a[4] + 8)? as i64,
        );
        if sec < 0 || !(0..1_000_000).contains(&usec) {
            return Err(Errno(libc::EINVAL));
        }
        ts.tv_sec = sec;
        ts.tv_nsec = usec * 1000;
        &mut ts as *mut libc::timespec as u64
    };
    let [r, w, e] = sets;
    let result = host_syscall(libc::SYS_pselect6, [n as u64, r, w, e, timeout, 0]);
    if a[4] != 0 {
        p.space.write_u64(a[4], ts.tv_sec as u64)?;
        p.space.write_u64(a[4] + 8, (ts.tv_nsec / 1000) as u64)?;
    }
    result
}

/// `alarm(seconds)`: the real-time interval timer; returns the seconds that were left
/// (rounded as Linux does).
fn alarm(_p: &mut Process, a: [u64; 6]) -> SysResult {
    let new = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        it_value: libc::timeval {
            tv_sec: i64::from(a[0] as u32),
            tv_usec: 0,
        },
    };
    let mut old = new;
    host_syscall(
        libc::SYS_setitimer,
        [
            libc::ITIMER_REAL as u64,
            &new as *const libc::itimerval as u64,
            &mut old as *mut libc::itimerval as u64,
            0,
            0,
            0,
        ],
    )?;
    let (sec, usec) = (old.it_value.tv_sec as u64, old.it_value.tv_usec);
    Ok(sec + u64::from(usec >= 500_000 || (sec == 0 && usec > 0)))
}

/// `time(tloc)`: seconds since the epoch, also stored at `tloc` when it is not null.
fn time(p: &mut Process, a: [u64; 6]) -> SysResult {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if a[0] != 0 {
        p.space.write_u64(a[0], secs)?;
    }
    Ok(secs)
}

const ARCH_SET_GS: u64 = 0x1001;
const ARCH_SET_FS: u64 = 0x1002;
const ARCH_GET_FS: u64 = 0x1003;
const ARCH_GET_GS: u64 = 0x1004;

/// `arch_prctl(code, addr)`: set or read the FS/GS bases.
pub fn arch_prctl(cpu: &mut ArchCpu, p: &mut Process, a: [u64; 6]) -> SysResult {
    let ArchCpu::X86_64(c) = cpu else {
        return Err(Errno::ENOSYS);
    };
    match a[0] {
        ARCH_SET_FS => c.fs_base = a[1],
        ARCH_SET_GS => c.gs_base = a[1],
        ARCH_GET_FS => p.space.write_u64(a[1], c.fs_base)?,
        ARCH_GET_GS => p.space.write_u64(a[1], c.gs_base)?,
        _ => return Err(Errno(libc::EINVAL)),
    }
    Ok(0)
}

/// `(x86_64 number, generic number)` for every syscall both tables name, sorted (from
/// arch/x86/entry/syscalls/syscall_64.tbl and include/uapi/asm-generic/unistd.h).
#[rustfmt::skip]
static TO_GENERIC: &[(u16, u16)] = &[
    (0, 63), // read
    (1, 64), // write
    (3, 57), // close
    (5, 80), // fstat
    (8, 62), // lseek
    (9, 222), // mmap
    (10, 226), // mprotect
    (11, 215), // munmap
    (12, 214), // brk
    (13, 134), // rt_sigaction
    (14, 135), // rt_sigprocmask
    (15, 139), // rt_sigreturn
    (16, 29), // ioctl
    (17, 67), // pread64
    (18, 68), // pwrite64
    (19, 65), // readv
    (20, 66), // writev
    (24, 124), // sched_yield
    (25, 216), // mremap
    (26, 227), // msync
    (27, 232), // mincore
    (28, 233), // madvise
    (29, 194), // shmget
    (30, 196), // shmat
    (31, 195), // shmctl
    (32, 23), // dup
    (35, 101), // nanosleep
    (36, 102), // getitimer
    (38, 103), // setitimer
    (39, 172), // getpid
    (40, 71), // sendfile
    (41, 198), // socket
    (42, 203), // connect
    (43, 202), // accept
    (44, 206), // sendto
    (45, 207), // recvfrom
    (46, 211), // sendmsg
    (47, 212), // recvmsg
    (48, 210), // shutdown
    (49, 200), // bind
    (50, 201), // listen
    (51, 204), // getsockname
    (52, 205), // getpeername
    (53, 199), // socketpair
    (54, 208), // setsockopt
    (55, 209), // getsockopt
    (56, 220), // clone
    (59, 221), // execve
    (60, 93), // exit
    (61, 260), // wait4
    (62, 129), // kill
    (63, 160), // uname
    (64, 190), // semget
    (65, 193), // semop
    (66, 191), // semctl
    (67, 197), // shmdt
    (68, 186), // msgget
    (69, 189), // msgsnd
    (70, 188), // msgrcv
    (71, 187), // msgctl
    (72, 25), // fcntl
    (73, 32), // flock
    (74, 82), // fsync
    (75, 83), // fdatasync
    (76, 45), // truncate
    (77, 46), // ftruncate
    (79, 17), // getcwd
    (80, 49), // chdir
    (81, 50), // fchdir
    (91, 52), // fchmod
    (93, 55), // fchown
    (95, 166), // umask
    (96, 169), // gettimeofday
    (97, 163), // getrlimit
    (98, 165), // getrusage
    (99, 179), // sysinfo
    (100, 153), // times
    (101, 117), // ptrace
    (102, 174), // getuid
    (103, 116), // syslog
    (104, 176), // getgid
    (105, 146), // setuid
    (106, 144), // setgid
    (107, 175), // geteuid
    (108, 177), // getegid
    (109, 154), // setpgid
    (110, 173), // getppid
    (112, 157), // setsid
    (113, 145), // setreuid
    (114, 143), // setregid
    (115, 158), // getgroups
    (116, 159), // setgroups
    (117, 147), // setresuid
    (118, 148), // getresuid
    (119, 149), // setresgid
    (120, 150), // getresgid
    (121, 155), // getpgid
    (122, 151), // setfsuid
    (123, 152), // setfsgid
    (124, 156), // getsid
    (125, 90), // capget
    (126, 91), // capset
    (127, 136), // rt_sigpending
    (128, 137), // rt_sigtimedwait
    (129, 138), // rt_sigqueueinfo
    (130, 133), // rt_sigsuspend
    (131, 132), // sigaltstack
    (135, 92), // personality
    (137, 43), // statfs
    (138, 44), // fstatfs
    (140, 141), // getpriority
    (141, 140), // setpriority
    (142, 118), // sched_setparam
    (143, 121), // sched_getparam
    (144, 119), // sched_setscheduler
    (145, 120), // sched_getscheduler
    (146, 125), // sched_get_priority_max
    (147, 126), // sched_get_priority_min
    (148, 127), // sched_rr_get_interval
    (149, 228), // mlock
    (150, 229), // munlock
    (151, 230), // mlockall
    (152, 231), // munlockall
    (153, 58), // vhangup
    (155, 41), // pivot_root
    (157, 167), // prctl
    (159, 171), // adjtimex
    (160, 164), // setrlimit
    (161, 51), // chroot
    (162, 81), // sync
    (163, 89), // acct
    (164, 170), // settimeofday
    (165, 40), // mount
    (166, 39), // umount2
    (167, 224), // swapon
    (168, 225), // swapoff
    (169, 142), // reboot
    (170, 161), // sethostname
    (171, 162), // setdomainname
    (175, 105), // init_module
    (176, 106), // delete_module
    (179, 60), // quotactl
    (180, 42), // nfsservctl
    (186, 178), // gettid
    (187, 213), // readahead
    (188, 5), // setxattr
    (189, 6), // lsetxattr
    (190, 7), // fsetxattr
    (191, 8), // getxattr
    (192, 9), // lgetxattr
    (193, 10), // fgetxattr
    (194, 11), // listxattr
    (195, 12), // llistxattr
    (196, 13), // flistxattr
    (197, 14), // removexattr
    (198, 15), // lremovexattr
    (199, 16), // fremovexattr
    (200, 130), // tkill
    (202, 98), // futex
    (203, 122), // sched_setaffinity
    (204, 123), // sched_getaffinity
    (206, 0), // io_setup
    (207, 1), // io_destroy
    (208, 4), // io_getevents
    (209, 2), // io_submit
    (210, 3), // io_cancel
    (212, 18), // lookup_dcookie
    (216, 234), // remap_file_pages
    (217, 61), // getdents64
    (218, 96), // set_tid_address
    (219, 128), // restart_syscall
    (220, 192), // semtimedop
    (221, 223), // fadvise64
    (222, 107), // timer_create
    (223, 110), // timer_settime
    (224, 108), // timer_gettime
    (225, 109), // timer_getoverrun
    (226, 111), // timer_delete
    (227, 112), // clock_settime
    (228, 113), // clock_gettime
    (229, 114), // clock_getres
    (230, 115), // clock_nanosleep
    (231, 94), // exit_group
    (233, 21), // epoll_ctl
    (234, 131), // tgkill
    (237, 235), // mbind
    (238, 237), // set_mempolicy
    (239, 236), // get_mempolicy
    (240, 180), // mq_open
    (241, 181), // mq_unlink
    (242, 182), // mq_timedsend
    (243, 183), // mq_timedreceive
    (244, 184), // mq_notify
    (245, 185), // mq_getsetattr
    (246, 104), // kexec_load
    (247, 95), // waitid
    (248, 217), // add_key
    (249, 218), // request_key
    (250, 219), // keyctl
    (251, 30), // ioprio_set
    (252, 31), // ioprio_get
    (254, 27), // inotify_add_watch
    (255, 28), // inotify_rm_watch
    (256, 238), // migrate_pages
    (257, 56), // openat
    (258, 34), // mkdirat
    (259, 33), // mknodat
    (260, 54), // fchownat
    (262, 79), // newfstatat
    (263, 35), // unlinkat
    (264, 38), // renameat
    (265, 37), // linkat
    (266, 36), // symlinkat
    (267, 78), // readlinkat
    (268, 53), // fchmodat
    (269, 48), // faccessat
    (270, 72), // pselect6
    (271, 73), // ppoll
    (272, 97), // unshare
    (273, 99), // set_robust_list
    (274, 100), // get_robust_list
    (275, 76), // splice
    (276, 77), // tee
    (277, 84), // sync_file_range
    (278, 75), // vmsplice
    (279, 239), // move_pages
    (280, 88), // utimensat
    (281, 22), // epoll_pwait
    (283, 85), // timerfd_create
    (285, 47), // fallocate
    (286, 86), // timerfd_settime
    (287, 87), // timerfd_gettime
    (288, 242), // accept4
    (289, 74), // signalfd4
    (290, 19), // eventfd2
    (291, 20), // epoll_create1
    (292, 24), // dup3
    (293, 59), // pipe2
    (294, 26), // inotify_init1
    (295, 69), // preadv
    (296, 70), // pwritev
    (297, 240), // rt_tgsigqueueinfo
    (298, 241), // perf_event_open
    (299, 243), // recvmmsg
    (300, 262), // fanotify_init
    (301, 263), // fanotify_mark
    (302, 261), // prlimit64
    (303, 264), // name_to_handle_at
    (304, 265), // open_by_handle_at
    (305, 266), // clock_adjtime
    (306, 267), // syncfs
    (307, 269), // sendmmsg
    (308, 268), // setns
    (309, 168), // getcpu
    (310, 270), // process_vm_readv
    (311, 271), // process_vm_writev
    (312, 272), // kcmp
    (313, 273), // finit_module
    (314, 274), // sched_setattr
    (315, 275), // sched_getattr
    (316, 276), // renameat2
    (317, 277), // seccomp
    (318, 278), // getrandom
    (319, 279), // memfd_create
    (320, 294), // kexec_file_load
    (321, 280), // bpf
    (322, 281), // execveat
    (323, 282), // userfaultfd
    (324, 283), // membarrier
    (325, 284), // mlock2
    (326, 285), // copy_file_range
    (327, 286), // preadv2
    (328, 287), // pwritev2
    (329, 288), // pkey_mprotect
    (330, 289), // pkey_alloc
    (331, 290), // pkey_free
    (332, 291), // statx
    (333, 292), // io_pgetevents
    (334, 293), // rseq
    (424, 424), // pidfd_send_signal
    (425, 425), // io_uring_setup
    (426, 426), // io_uring_enter
    (427, 427), // io_uring_register
    (428, 428), // open_tree
    (429, 429), // move_mount
    (430, 430), // fsopen
    (431, 431), // fsconfig
    (432, 432), // fsmount
    (433, 433), // fspick
    (434, 434), // pidfd_open
    (435, 435), // clone3
    (436, 436), // close_range
    (437, 437), // openat2
    (438, 438), // pidfd_getfd
    (439, 439), // faccessat2
    (440, 440), // process_madvise
    (441, 441), // epoll_pwait2
    (442, 442), // mount_setattr
    (443, 443), // quotactl_fd
    (444, 444), // landlock_create_ruleset
    (445, 445), // landlock_add_rule
    (446, 446), // landlock_restrict_self
    (447, 447), // memfd_secret
    (448, 448), // process_mrelease
    (449, 449), // futex_waitv
    (450, 450), // set_mempolicy_home_node
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_map_to_the_generic_table() {
        assert!(TO_GENERIC.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        let name =
            |nr: u64| super::super::lookup(crate::arch::GuestArch::X86_64, nr).map(|s| s.name);
        for (x86, expect) in [
            (0, "read"),
            (1, "write"),
            (9, "mmap"),
            (60, "exit"),
            (231, "exit_group"),
            (262, "newfstatat"),
            (5, "fstat"),
        ] {
            assert_eq!(
                name(to_generic(x86, [0; 6]).0),
                Some(expect),
                "x86_64 syscall {x86}"
            );
        }
        assert_eq!(name(to_generic(158, [0; 6]).0), Some("arch_prctl"));
        assert_eq!(
            to_generic(2, [1, 2, 3, 0, 0, 0]),
            (generic::OPENAT, [AT_FDCWD, 1, 2, 3, 0, 0])
        );
        assert_eq!(
            to_generic(56, [1, 2, 3, 4, 5, 0]).1,
            [1, 2, 3, 5, 4, 0],
            "clone's tls/child_tid"
        );
        assert_eq!(name(to_generic(999, [0; 6]).0), None);
    }
}
