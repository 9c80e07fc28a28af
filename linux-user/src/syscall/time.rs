//! Time syscalls: host clocks, copied into guest structs (`timespec`, `timeval` and `tms` have
//! the same layout on every 64-bit arch).

use super::{host_syscall, Process};
use crate::errno::SysResult;

/// Call `nr` with a host out-buffer of `N` bytes at argument `out_arg`, then copy it to the
/// guest pointer that was there (skipped when that pointer is NULL).
fn with_out<const N: usize>(
    p: &mut Process,
    nr: libc::c_long,
    mut a: [u64; 6],
    out_arg: usize,
) -> SysResult {
    let guest = a[out_arg];
    let mut buf = [0u8; N];
    if guest != 0 {
        p.space.check(guest, N as u64, crate::pages::WRITE)?;
        a[out_arg] = buf.as_mut_ptr() as u64;
    }
    let r = host_syscall(nr, a)?;
    if guest != 0 {
        p.space.write_bytes(guest, &buf)?;
    }
    Ok(r)
}

/// Host copy of a guest input struct of `N` bytes at argument `arg` (NULL stays NULL).
fn in_ptr(p: &Process, a: &mut [u64; 6], arg: usize, len: u64) -> Result<(), crate::errno::Errno> {
    if a[arg] != 0 {
        a[arg] = p.space.read_ptr(a[arg], len)? as u64;
    }
    Ok(())
}

pub fn clock_gettime(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_out::<16>(p, libc::SYS_clock_gettime, [a[0], a[1], 0, 0, 0, 0], 1)
}

pub fn clock_getres(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_out::<16>(p, libc::SYS_clock_getres, [a[0], a[1], 0, 0, 0, 0], 1)
}

pub fn gettimeofday(p: &mut Process, a: [u64; 6]) -> SysResult {
    let r = with_out::<16>(p, libc::SYS_gettimeofday, [a[0], 0, 0, 0, 0, 0], 0)?;
    if a[1] != 0 {
        p.space.write_bytes(a[1], &[0u8; 8])?;
    }
    Ok(r)
}

pub fn nanosleep(p: &mut Process, a: [u64; 6]) -> SysResult {
    let mut args = [a[0], a[1], 0, 0, 0, 0];
    in_ptr(p, &mut args, 0, 16)?;
    with_out::<16>(p, libc::SYS_nanosleep, args, 1)
}

pub fn clock_nanosleep(p: &mut Process, a: [u64; 6]) -> SysResult {
    let mut args = [a[0], a[1], a[2], a[3], 0, 0];
    in_ptr(p, &mut args, 2, 16)?;
    with_out::<16>(p, libc::SYS_clock_nanosleep, args, 3)
}

pub fn times(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_out::<32>(p, libc::SYS_times, [a[0], 0, 0, 0, 0, 0], 0)
}
