//! Time syscalls: host clocks and sleeps on guest structs (`timespec`, `timeval`, `timezone`
//! and `tms` have the same layout on every 64-bit arch), which the host reads and writes in
//! place, so it writes exactly what and when the kernel would (a sleep's remaining time only
//! when a signal interrupts it, never for an absolute `clock_nanosleep`).

use super::{host_syscall, opt_ptr, Process};
use crate::errno::SysResult;

/// Size of `struct timespec` and `struct timeval`.
const TIMESPEC: u64 = 16;

pub fn clock_gettime(p: &mut Process, a: [u64; 6]) -> SysResult {
    let ts = opt_ptr(p, a[1], TIMESPEC, true)?;
    host_syscall(libc::SYS_clock_gettime, [a[0], ts, 0, 0, 0, 0])
}

pub fn clock_getres(p: &mut Process, a: [u64; 6]) -> SysResult {
    let ts = opt_ptr(p, a[1], TIMESPEC, true)?;
    host_syscall(libc::SYS_clock_getres, [a[0], ts, 0, 0, 0, 0])
}

/// `gettimeofday(tv, tz)`: `struct timezone` is two ints everywhere.
pub fn gettimeofday(p: &mut Process, a: [u64; 6]) -> SysResult {
    let tv = opt_ptr(p, a[0], TIMESPEC, true)?;
    let tz = opt_ptr(p, a[1], 8, true)?;
    host_syscall(libc::SYS_gettimeofday, [tv, tz, 0, 0, 0, 0])
}

pub fn nanosleep(p: &mut Process, a: [u64; 6]) -> SysResult {
    let req = opt_ptr(p, a[0], TIMESPEC, false)?;
    let rem = opt_ptr(p, a[1], TIMESPEC, true)?;
    host_syscall(libc::SYS_nanosleep, [req, rem, 0, 0, 0, 0])
}

pub fn clock_nanosleep(p: &mut Process, a: [u64; 6]) -> SysResult {
    let req = opt_ptr(p, a[2], TIMESPEC, false)?;
    let rem = opt_ptr(p, a[3], TIMESPEC, true)?;
    host_syscall(libc::SYS_clock_nanosleep, [a[0], a[1], req, rem, 0, 0])
}

pub fn times(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = opt_ptr(p, a[0], 32, true)?;
    host_syscall(libc::SYS_times, [buf, 0, 0, 0, 0, 0])
}
