//! Guest errno values and the `SysResult` type every syscall handler returns.
//!
//! The generic Linux errno numbers (asm-generic/errno.h) are used by riscv64, aarch64 and x86_64
//! alike, and equal the host's (x86_64), so a host errno is passed to the guest unchanged.

/// A Linux errno value (positive); the guest sees `-errno` in its result register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub i32);

impl Errno {
    pub const EPERM: Errno = Errno(libc::EPERM);
    pub const ENOENT: Errno = Errno(libc::ENOENT);
    pub const ESRCH: Errno = Errno(libc::ESRCH);
    pub const EBADF: Errno = Errno(libc::EBADF);
    pub const EAGAIN: Errno = Errno(libc::EAGAIN);
    pub const ENOMEM: Errno = Errno(libc::ENOMEM);
    pub const EFAULT: Errno = Errno(libc::EFAULT);
    pub const EEXIST: Errno = Errno(libc::EEXIST);
    pub const EINVAL: Errno = Errno(libc::EINVAL);
    pub const ENOTTY: Errno = Errno(libc::ENOTTY);
    pub const ERANGE: Errno = Errno(libc::ERANGE);
    pub const ENOSYS: Errno = Errno(libc::ENOSYS);
    pub const ENAMETOOLONG: Errno = Errno(libc::ENAMETOOLONG);

    /// The errno of the last failed host libc call on this thread.
    pub fn last() -> Errno {
        Errno(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }
}

/// What a syscall handler produces: the value for the guest's result register, or an errno.
pub type SysResult = Result<u64, Errno>;

/// Converts a raw host syscall/libc return value (`-1` + errno convention) into a `SysResult`.
pub fn host_result(ret: i64) -> SysResult {
    if ret < 0 {
        Err(Errno::last())
    } else {
        Ok(ret as u64)
    }
}

/// The guest register value for a result: the value, or `-errno`.
pub fn to_guest(result: SysResult) -> u64 {
    match result {
        Ok(v) => v,
        Err(Errno(e)) => (-(e as i64)) as u64,
    }
}
