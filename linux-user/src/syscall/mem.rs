//! Memory syscalls, carried out by the guest address space ([`crate::memory`]).

use super::{host_syscall, Process};
use crate::errno::{Errno, SysResult};
use crate::memory::{map_flags, Backing};

pub fn brk(p: &mut Process, a: [u64; 6]) -> SysResult {
    Ok(p.space.brk(a[0]))
}

pub fn mmap(p: &mut Process, a: [u64; 6]) -> SysResult {
    let (addr, len, prot, flags, fd, off) = (
        a[0],
        a[1],
        a[2] as u32,
        a[3] as u32,
        a[4] as i32,
        a[5] as i64,
    );
    let kind = flags & 0x0f;
    if !matches!(
        kind,
        map_flags::SHARED | map_flags::PRIVATE | map_flags::SHARED_VALIDATE
    ) {
        return Err(Errno::EINVAL);
    }
    let backing = if flags & map_flags::ANONYMOUS != 0 {
        Backing::Anonymous
    } else {
        Backing::File {
            fd,
            offset: off,
            shared: kind != map_flags::PRIVATE,
        }
    };
    p.space.mmap(addr, len, prot, flags, backing)
}

pub fn munmap(p: &mut Process, a: [u64; 6]) -> SysResult {
    p.space.munmap(a[0], a[1]).map(|()| 0)
}

pub fn mprotect(p: &mut Process, a: [u64; 6]) -> SysResult {
    p.space.mprotect(a[0], a[1], a[2] as u32).map(|()| 0)
}

pub fn mremap(p: &mut Process, a: [u64; 6]) -> SysResult {
    p.space.mremap(a[0], a[1], a[2], a[3] as u32, a[4])
}

/// `madvise`: advice on mapped guest memory goes to the host pages (so `MADV_DONTNEED` zeroes
/// anonymous memory as on Linux); unmapped ranges give `ENOMEM`.
pub fn madvise(p: &mut Process, a: [u64; 6]) -> SysResult {
    if a[1] == 0 {
        return Ok(0);
    }
    p.space.check(a[0], a[1], 0).map_err(|_| Errno::ENOMEM)?;
    let host = p.space.mem.window.host_ptr(a[0]);
    host_syscall(libc::SYS_madvise, [host as u64, a[1], a[2], 0, 0, 0])
}

/// `mlock`, `munlock`: nothing to do for guest memory (mapped ranges only).
pub fn accept_range(p: &mut Process, a: [u64; 6]) -> SysResult {
    p.space.check(a[0], a[1], 0).map_err(|_| Errno::ENOMEM)?;
    Ok(0)
}

/// `msync(addr, len, flags)`: the kernel's argument checks, then the host's msync of the
/// pages (which writes shared file mappings back).
pub fn msync(p: &mut Process, a: [u64; 6]) -> SysResult {
    const ASYNC: u64 = 1;
    const INVALIDATE: u64 = 2;
    const SYNC: u64 = 4;
    let flags = a[2];
    let bad_flags =
        flags & !(ASYNC | INVALIDATE | SYNC) != 0 || flags & (ASYNC | SYNC) == ASYNC | SYNC;
    if !a[0].is_multiple_of(crate::window::PAGE_SIZE) || bad_flags {
        return Err(Errno::EINVAL);
    }
    if a[1] == 0 {
        return Ok(0);
    }
    p.space.check(a[0], a[1], 0).map_err(|_| Errno::ENOMEM)?;
    let host = p.space.mem.window.host_ptr(a[0]);
    host_syscall(libc::SYS_msync, [host as u64, a[1], flags, 0, 0, 0])
}

/// riscv64 `riscv_flush_icache(start, end, flags)`: nothing to do, translations already follow
/// guest code writes (code pages are write-protected and invalidated on write).
pub fn flush_icache(_p: &mut Process, _a: [u64; 6]) -> SysResult {
    Ok(0)
}
