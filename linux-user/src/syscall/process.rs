//! Process, identity and system-information syscalls (the signal syscalls are in
//! [`super::signal`]).

use super::{host_syscall, Process};
use crate::errno::{Errno, SysResult};

/// `exit_group`.
pub fn exit(p: &mut Process, a: [u64; 6]) -> SysResult {
    p.exit(a[0] as i32)
}

/// `exit`: ends the calling thread ([`crate::threads::exit_thread`]).
pub fn exit_thread(p: &mut Process, a: [u64; 6]) -> SysResult {
    crate::threads::exit_thread(p, a[0] as i32)
}

fn is_self(pid: u64) -> bool {
    // SAFETY: getpid cannot fail.
    pid as i32 == unsafe { libc::getpid() }
}

/// Syscalls whose arguments are all numbers (or none), passed to the host as they are.
macro_rules! numeric_syscall {
    ($($name:ident => $nr:expr,)*) => {
        $(pub fn $name(_p: &mut Process, a: [u64; 6]) -> SysResult {
            host_syscall($nr, a)
        })*
    };
}
numeric_syscall! {
    getpid => libc::SYS_getpid,
    getppid => libc::SYS_getppid,
    gettid => libc::SYS_gettid,
    getuid => libc::SYS_getuid,
    geteuid => libc::SYS_geteuid,
    getgid => libc::SYS_getgid,
    getegid => libc::SYS_getegid,
    sched_yield => libc::SYS_sched_yield,
    setsid => libc::SYS_setsid,
    getpgid => libc::SYS_getpgid,
    getsid => libc::SYS_getsid,
    setpgid => libc::SYS_setpgid,
    sched_getscheduler => libc::SYS_sched_getscheduler,
    sched_get_priority_max => libc::SYS_sched_get_priority_max,
    sched_get_priority_min => libc::SYS_sched_get_priority_min,
    membarrier => libc::SYS_membarrier,
}

/// `set_tid_address(word)`: `word` is zeroed and futex-woken when the thread exits; returns
/// the caller's tid.
pub fn set_tid_address(p: &mut Process, a: [u64; 6]) -> SysResult {
    p.thread.clear_child_tid = a[0];
    host_syscall(libc::SYS_gettid, [0; 6])
}

/// `set_robust_list`: accepted (the list matters only when threads die holding locks).
pub fn set_robust_list(_p: &mut Process, a: [u64; 6]) -> SysResult {
    if a[1] != 24 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

/// `futex(uaddr, op, val, timeout|val2, uaddr2, val3)` on the host futex at the word's host
/// address (guest threads are host threads; see [`crate::threads`]). The guest and host
/// `struct timespec` agree, so timeouts are passed by pointer.
pub fn futex(p: &mut Process, a: [u64; 6]) -> SysResult {
    const CMD_MASK: u64 = 0x7f;
    // Operations whose fourth argument is a timeout pointer; for the others it is a number.
    const WAIT: u64 = 0;
    const LOCK_PI: u64 = 6;
    const WAIT_BITSET: u64 = 9;
    const WAIT_REQUEUE_PI: u64 = 11;
    const LOCK_PI2: u64 = 13;
    // Operations that use `uaddr2`.
    const REQUEUE: u64 = 3;
    const CMP_REQUEUE: u64 = 4;
    const WAKE_OP: u64 = 5;
    const CMP_REQUEUE_PI: u64 = 12;
    let cmd = a[1] & CMD_MASK;
    let word = p.space.write_ptr(a[0], 4)? as u64;
    let fourth = match cmd {
        WAIT | LOCK_PI | WAIT_BITSET | WAIT_REQUEUE_PI | LOCK_PI2 if a[3] != 0 => {
            p.space.read_ptr(a[3], 16)? as u64
        }
        _ => a[3],
    };
    let second = match cmd {
        REQUEUE | CMP_REQUEUE | WAKE_OP | CMP_REQUEUE_PI | WAIT_REQUEUE_PI => {
            p.space.write_ptr(a[4], 4)? as u64
        }
        _ => a[4],
    };
    host_syscall(libc::SYS_futex, [word, a[1], a[2], fourth, second, a[5]])
}

/// `uname` with the guest's machine name.
pub fn uname(p: &mut Process, a: [u64; 6]) -> SysResult {
    // SAFETY: zeroed utsname is a valid out buffer for uname.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    host_syscall(libc::SYS_uname, [&mut u as *mut _ as u64, 0, 0, 0, 0, 0])?;
    let field = |f: &[libc::c_char]| -> Vec<u8> { f.iter().map(|&c| c as u8).collect() };
    let mut machine = [0u8; 65];
    machine[..p.arch.uname_machine.len()].copy_from_slice(p.arch.uname_machine.as_bytes());
    let mut out = Vec::with_capacity(6 * 65);
    out.extend(field(&u.sysname));
    out.extend(field(&u.nodename));
    out.extend(field(&u.release));
    out.extend(field(&u.version));
    out.extend(machine);
    out.extend(field(&u.domainname));
    p.space.write_bytes(a[0], &out)?;
    Ok(0)
}

/// `prlimit64` on ourselves (`struct rlimit64` is arch-independent).
pub fn prlimit64(p: &mut Process, a: [u64; 6]) -> SysResult {
    if a[0] != 0 && !is_self(a[0]) {
        return Err(Errno::EPERM);
    }
    let new = if a[2] != 0 {
        p.space.read_ptr(a[2], 16)? as u64
    } else {
        0
    };
    let old = if a[3] != 0 {
        p.space.write_ptr(a[3], 16)? as u64
    } else {
        0
    };
    host_syscall(libc::SYS_prlimit64, [0, a[1], new, old, 0, 0])
}

pub fn getrlimit(p: &mut Process, a: [u64; 6]) -> SysResult {
    prlimit64(p, [0, a[0], 0, a[1], 0, 0])
}

pub fn setrlimit(p: &mut Process, a: [u64; 6]) -> SysResult {
    prlimit64(p, [0, a[0], a[1], 0, 0, 0])
}

/// Structs with one layout on every 64-bit arch, filled by the host at a checked guest pointer.
macro_rules! out_struct_syscall {
    ($name:ident, $nr:expr, $arg:expr, $size:expr) => {
        pub fn $name(p: &mut Process, mut a: [u64; 6]) -> SysResult {
            a[$arg] = p.space.write_ptr(a[$arg], $size)? as u64;
            host_syscall($nr, a)
        }
    };
}
out_struct_syscall!(sysinfo, libc::SYS_sysinfo, 0, 112);
out_struct_syscall!(getrusage, libc::SYS_getrusage, 1, 144);

pub fn getrandom(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.write_ptr(a[0], a[1])?;
    host_syscall(libc::SYS_getrandom, [buf as u64, a[1], a[2], 0, 0, 0])
}

pub fn sched_getaffinity(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.write_ptr(a[2], a[1])?;
    host_syscall(
        libc::SYS_sched_getaffinity,
        [a[0], a[1], buf as u64, 0, 0, 0],
    )
}

/// `getcpu(cpu, node, cache)`: either pointer may be NULL; the cache argument is unused.
pub fn getcpu(p: &mut Process, a: [u64; 6]) -> SysResult {
    let cpu = crate::syscall::opt_ptr(p, a[0], 4, true)?;
    let node = crate::syscall::opt_ptr(p, a[1], 4, true)?;
    host_syscall(libc::SYS_getcpu, [cpu, node, 0, 0, 0, 0])
}

pub fn sched_setaffinity(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.read_ptr(a[2], a[1])?;
    host_syscall(
        libc::SYS_sched_setaffinity,
        [a[0], a[1], buf as u64, 0, 0, 0],
    )
}

/// `sizeof(struct sched_param)`.
const SCHED_PARAM: u64 = 4;

pub fn sched_setparam(p: &mut Process, a: [u64; 6]) -> SysResult {
    let param = p.space.read_ptr(a[1], SCHED_PARAM)?;
    host_syscall(libc::SYS_sched_setparam, [a[0], param as u64, 0, 0, 0, 0])
}

pub fn sched_getparam(p: &mut Process, a: [u64; 6]) -> SysResult {
    let param = p.space.write_ptr(a[1], SCHED_PARAM)?;
    host_syscall(libc::SYS_sched_getparam, [a[0], param as u64, 0, 0, 0, 0])
}

pub fn sched_setscheduler(p: &mut Process, a: [u64; 6]) -> SysResult {
    let param = p.space.read_ptr(a[2], SCHED_PARAM)?;
    host_syscall(
        libc::SYS_sched_setscheduler,
        [a[0], a[1], param as u64, 0, 0, 0],
    )
}

pub fn sched_rr_get_interval(p: &mut Process, a: [u64; 6]) -> SysResult {
    let ts = p.space.write_ptr(a[1], 16)?;
    host_syscall(
        libc::SYS_sched_rr_get_interval,
        [a[0], ts as u64, 0, 0, 0, 0],
    )
}

/// `prctl`: the thread name options go to the host thread (16-byte names); the others the
/// guest may use are refused with `EINVAL`.
pub fn prctl(p: &mut Process, a: [u64; 6]) -> SysResult {
    const PR_SET_NAME: u64 = 15;
    const PR_GET_NAME: u64 = 16;
    const NAME_LEN: u64 = 16;
    match a[0] {
        PR_SET_NAME => {
            // As the kernel: at most 15 bytes are read, the name is always NUL-terminated.
            let mut buf = [0u8; NAME_LEN as usize];
            for (i, b) in buf.iter_mut().take(NAME_LEN as usize - 1).enumerate() {
                *b = p.space.read_bytes(a[1] + i as u64, 1)?[0];
                if *b == 0 {
                    break;
                }
            }
            host_syscall(
                libc::SYS_prctl,
                [PR_SET_NAME, buf.as_ptr() as u64, 0, 0, 0, 0],
            )
        }
        PR_GET_NAME => {
            let out = p.space.write_ptr(a[1], NAME_LEN)?;
            host_syscall(libc::SYS_prctl, [PR_GET_NAME, out as u64, 0, 0, 0, 0])
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `wait4(pid, *status, options, *rusage)`.
pub fn wait4(p: &mut Process, a: [u64; 6]) -> SysResult {
    let status = super::opt_ptr(p, a[1], 4, true)?;
    let rusage = super::opt_ptr(p, a[3], 144, true)?;
    host_syscall(
        libc::SYS_wait4,
        [a[0] as i32 as u64, status, a[2], rusage, 0, 0],
    )
}

/// `getresuid`/`getresgid`: three 32-bit ids.
fn getres(p: &mut Process, nr: libc::c_long, a: [u64; 6]) -> SysResult {
    let mut ids = [0u32; 3];
    let ptrs = [&mut ids[0] as *mut u32, &mut ids[1], &mut ids[2]].map(|q| q as u64);
    host_syscall(nr, [ptrs[0], ptrs[1], ptrs[2], 0, 0, 0])?;
    for (i, id) in ids.iter().enumerate() {
        p.space.write_u32(a[i], *id)?;
    }
    Ok(0)
}

pub fn getresuid(p: &mut Process, a: [u64; 6]) -> SysResult {
    getres(p, libc::SYS_getresuid, a)
}

pub fn getresgid(p: &mut Process, a: [u64; 6]) -> SysResult {
    getres(p, libc::SYS_getresgid, a)
}

/// `getgroups(size, list)`: 32-bit gids.
pub fn getgroups(p: &mut Process, a: [u64; 6]) -> SysResult {
    const NGROUPS_MAX: u64 = 65536;
    if a[0] > NGROUPS_MAX {
        return Err(Errno::EINVAL);
    }
    let list = if a[0] == 0 {
        0
    } else {
        p.space.write_ptr(a[1], a[0] * 4)? as u64
    };
    host_syscall(libc::SYS_getgroups, [a[0], list, 0, 0, 0, 0])
}

/// `waitid(idtype, id, *infop, options, *rusage)`: `siginfo_t` (128 bytes) and `struct rusage`
/// have the same layout on the guest arches and the host.
pub fn waitid(p: &mut Process, a: [u64; 6]) -> SysResult {
    let info = super::opt_ptr(p, a[2], 128, true)?;
    let rusage = super::opt_ptr(p, a[4], 144, true)?;
    host_syscall(
        libc::SYS_waitid,
        [a[0], a[1] as i32 as u64, info, a[3], rusage, 0],
    )
}
