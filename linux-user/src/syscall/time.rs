//! Time syscalls: host clocks and sleeps on guest structs (`timespec`, `timeval`, `timezone`
//! and `tms` have the same layout on every 64-bit arch), which the host reads and writes in
//! place, so it writes exactly what and when the kernel would (a sleep's remaining time only
//! when a signal interrupts it, never for an absolute `clock_nanosleep`).

use super::{host_syscall, Process};
use crate::errno::{Errno, SysResult};

/// Size of `struct timespec` and `struct timeval`.
const TIMESPEC: u64 = 16;

/// A host pointer to an optional guest buffer of `len` bytes the host fills (NULL stays NULL,
/// for the host to treat as the kernel does).
fn out_ptr(p: &mut Process, addr: u64, len: u64) -> Result<u64, Errno> {
    if addr == 0 {
        return Ok(0);
    }
    Ok(p.space.write_ptr(addr, len)? as u64)
}

/// A host pointer to an optional guest struct of `len` bytes the host reads.
fn in_ptr(p: &Process, addr: u64, len: u64) -> Result<u64, Errno> {
    if addr == 0 {
        return Ok(0);
    }
    Ok(p.space.read_ptr(addr, len)? as u64)
}

pub fn clock_gettime(p: &mut Process, a: [u64; 6]) -> SysResult {
    let ts = out_ptr(p, a[1], TIMESPEC)?;
    host_syscall(libc::SYS_clock_gettime, [a[0], ts, 0, 0, 0, 0])
}

pub fn clock_getres(p: &mut Process, a: [u64; 6]) -> SysResult {
    let ts = out_ptr(p, a[1], TIMESPEC)?;
    host_syscall(libc::SYS_clock_getres, [a[0], ts, 0, 0, 0, 0])
}

/// `gettimeofday(tv, tz)`: `struct timezone` is two ints everywhere.
pub fn gettimeofday(p: &mut Process, a: [u64; 6]) -> SysResult {
    let tv = out_ptr(p, a[0], TIMESPEC)?;
    let tz = out_ptr(p, a[1], 8)?;
    host_syscall(libc::SYS_gettimeofday, [tv, tz, 0, 0, 0, 0])
}

pub fn nanosleep(p: &mut Process, a: [u64; 6]) -> SysResult {
    let req = in_ptr(p, a[0], TIMESPEC)?;
    let rem = out_ptr(p, a[1], TIMESPEC)?;
    host_syscall(libc::SYS_nanosleep, [req, rem, 0, 0, 0, 0])
}

pub fn clock_nanosleep(p: &mut Process, a: [u64; 6]) -> SysResult {
    let req = in_ptr(p, a[2], TIMESPEC)?;
    let rem = out_ptr(p, a[3], TIMESPEC)?;
    host_syscall(libc::SYS_clock_nanosleep, [a[0], a[1], req, rem, 0, 0])
}

pub fn times(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = out_ptr(p, a[0], 32)?;
    host_syscall(libc::SYS_times, [buf, 0, 0, 0, 0, 0])
}
