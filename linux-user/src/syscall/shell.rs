//! Descriptor and file syscalls shells and their tools need beyond the basic file layer:
//! `mknodat` (`mkfifo`, `tar` extracting FIFOs) and `pselect6`. Their argument layouts
//! (`fd_set` as 64-bit words, `struct timespec`) are the same on the guest arches and the host.

use super::signal::{guest_sigmask, with_sigmask};
use super::{host_syscall, Process};
use crate::errno::{Errno, SysResult};

/// Longest path accepted from the guest (PATH_MAX).
const PATH_MAX: usize = 4096;
/// Most descriptors a `select` set may cover (the kernel bounds it by RLIMIT_NOFILE).
const MAX_SELECT_FDS: u64 = 1 << 20;

/// `mknodat(dirfd, path, mode, dev)`: a name is created, so the sysroot is not consulted.
pub fn mknodat(p: &mut Process, a: [u64; 6]) -> SysResult {
    let path =
        std::ffi::CString::new(p.space.read_cstring(a[1], PATH_MAX)?).map_err(|_| Errno::EINVAL)?;
    host_syscall(
        libc::SYS_mknodat,
        [
            a[0] as i32 as u64,
            path.as_ptr() as u64,
            a[2] as u32 as u64,
            a[3] as u32 as u64,
            0,
            0,
        ],
    )
}

/// `pselect6(n, in, out, except, timeout, sigmask)`; `sigmask` points at
/// `{ const sigset_t *ss; size_t ss_len }`, applied as the guest's mask during the wait.
pub fn pselect6(p: &mut Process, a: [u64; 6]) -> SysResult {
    let n = a[0] as i32 as i64;
    if n < 0 || n as u64 > MAX_SELECT_FDS {
        return Err(Errno::EINVAL);
    }
    let set_bytes = (n as u64).div_ceil(64) * 8;
    let sets = [a[1], a[2], a[3]].map(|addr| super::opt_ptr(p, addr, set_bytes, true));
    let [r, w, e] = sets;
    let timeout = super::opt_ptr(p, a[4], 16, true)?;
    let (r, w, e) = (r?, w?, e?);
    let mask = match a[5] {
        0 => None,
        addr => {
            let (ss, len) = (p.space.read_u64(addr)?, p.space.read_u64(addr + 8)?);
            guest_sigmask(p, ss, len)?
        }
    };
    with_sigmask(p, mask, |host_mask, size| {
        let data = [host_mask, size];
        let data = if host_mask == 0 {
            0
        } else {
            data.as_ptr() as u64
        };
        host_syscall(libc::SYS_pselect6, [n as u64, r, w, e, timeout, data])
    })
}
