//! File and descriptor syscalls: guest pointers are checked and turned into host pointers
//! inside the window, paths are copied out, and the few layouts that differ (open flags,
//! `struct stat`) are translated.

use std::ffi::CString;

use super::{host_syscall, stat, Process};
use crate::arch;
use crate::errno::{Errno, SysResult};
use crate::procfs::{self, ProcFile};

/// Longest path accepted from the guest (PATH_MAX).
const PATH_MAX: usize = 4096;
/// Most iovecs in one readv/writev (UIO_MAXIOV).
const IOV_MAX: u64 = 1024;

fn fd(a: u64) -> u64 {
    a as i32 as i64 as u64
}

impl Process {
    /// A guest path for a syscall that looks a file up (open, stat, access, readlink, exec):
    /// `/proc/self/exe` (also as `/proc/<our pid>/exe`) means the guest program, and absolute
    /// paths are tried under the sysroot first (qemu-user's `path()`).
    pub(super) fn path(&self, addr: u64) -> Result<CString, Errno> {
        let p = self.space.read_cstring(addr, PATH_MAX)?;
        if procfs::is_own_exe(&p) {
            return CString::new(self.exe_path.as_os_str().as_encoded_bytes())
                .map_err(|_| Errno::ENOENT);
        }
        CString::new(self.under_sysroot(p)).map_err(|_| Errno::EINVAL)
    }

    /// A guest path taken as it is, for syscalls that create, change or remove names (as
    /// qemu-user, these never go to the sysroot).
    fn raw_path(&self, addr: u64) -> Result<CString, Errno> {
        CString::new(self.space.read_cstring(addr, PATH_MAX)?).map_err(|_| Errno::EINVAL)
    }

    /// `path` under the `-L` prefix when it is absolute and exists there, else `path`.
    fn under_sysroot(&self, path: Vec<u8>) -> Vec<u8> {
        crate::sysroot::resolve(self.sysroot.as_deref(), &path)
    }

    /// A fresh descriptor reading `file`'s text (a memory file, like qemu's fake `/proc`).
    fn open_proc(&self, file: ProcFile, host_flags: u32) -> SysResult {
        let text = match file {
            ProcFile::Maps => procfs::maps(&self.space).into_bytes(),
            ProcFile::CpuInfo => procfs::cpuinfo(self.arch).into_bytes(),
            ProcFile::Cmdline => procfs::cmdline(&self.argv),
            ProcFile::Auxv => procfs::auxv(&self.auxv),
        };
        let cloexec = if host_flags & libc::O_CLOEXEC as u32 != 0 {
            libc::MFD_CLOEXEC
        } else {
            0
        };
        let name = c"emu-proc";
        let fd = host_syscall(
            libc::SYS_memfd_create,
            [name.as_ptr() as u64, cloexec as u64, 0, 0, 0, 0],
        )?;
        let mut done = 0;
        while done < text.len() {
            let rest = &text[done..];
            let n = host_syscall(
                libc::SYS_write,
                [fd, rest.as_ptr() as u64, rest.len() as u64, 0, 0, 0],
            );
            match n {
                Ok(n) if n > 0 => done += n as usize,
                _ => {
                    let _ = host_syscall(libc::SYS_close, [fd, 0, 0, 0, 0, 0]);
                    return Err(Errno(libc::EIO));
                }
            }
        }
        host_syscall(libc::SYS_lseek, [fd, 0, libc::SEEK_SET as u64, 0, 0, 0])?;
        Ok(fd)
    }
}

pub fn read(p: &mut Process, a: [u64; 6]) -> SysResult {
    if super::signalfd::is_signalfd(a[0]) {
        return super::signalfd::read(p, a[0], a[1], a[2]);
    }
    let buf = p.space.write_ptr(a[1], a[2])?;
    host_syscall(libc::SYS_read, [fd(a[0]), buf as u64, a[2], 0, 0, 0])
}

pub fn write(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.read_ptr(a[1], a[2])?;
    host_syscall(libc::SYS_write, [fd(a[0]), buf as u64, a[2], 0, 0, 0])
}

pub fn pread64(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.write_ptr(a[1], a[2])?;
    host_syscall(libc::SYS_pread64, [fd(a[0]), buf as u64, a[2], a[3], 0, 0])
}

pub fn pwrite64(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.read_ptr(a[1], a[2])?;
    host_syscall(libc::SYS_pwrite64, [fd(a[0]), buf as u64, a[2], a[3], 0, 0])
}

/// The guest iovec array at `addr` as host iovecs, each buffer checked (writable when the
/// host fills it); at most `IOV_MAX` entries.
pub(super) fn host_iovecs(
    p: &mut Process,
    addr: u64,
    count: u64,
    writable: bool,
) -> Result<Vec<libc::iovec>, Errno> {
    if count > IOV_MAX {
        return Err(Errno::EINVAL);
    }
    let raw = p.space.read_bytes(addr, (count * 16) as usize)?;
    raw.chunks_exact(16)
        .map(|entry| {
            let word = |i: usize| u64::from_le_bytes(entry[i..i + 8].try_into().unwrap_or([0; 8]));
            let (base, len) = (word(0), word(8));
            Ok(libc::iovec {
                iov_base: super::buf_ptr(p, base, len, writable)? as *mut libc::c_void,
                iov_len: len as usize,
            })
        })
        .collect()
}

pub fn readv(p: &mut Process, a: [u64; 6]) -> SysResult {
    let iov = host_iovecs(p, a[1], a[2], true)?;
    host_syscall(
        libc::SYS_readv,
        [fd(a[0]), iov.as_ptr() as u64, iov.len() as u64, 0, 0, 0],
    )
}

pub fn writev(p: &mut Process, a: [u64; 6]) -> SysResult {
    let iov = host_iovecs(p, a[1], a[2], false)?;
    host_syscall(
        libc::SYS_writev,
        [fd(a[0]), iov.as_ptr() as u64, iov.len() as u64, 0, 0, 0],
    )
}

pub fn openat(p: &mut Process, a: [u64; 6]) -> SysResult {
    let flags = arch::open_flags_to_host(p.arch, a[2] as u32);
    if let Some(file) = procfs::lookup(&p.space.read_cstring(a[1], PATH_MAX)?) {
        return p.open_proc(file, flags);
    }
    let path = p.path(a[1])?;
    host_syscall(
        libc::SYS_openat,
        [fd(a[0]), path.as_ptr() as u64, flags as u64, a[3], 0, 0],
    )
}

pub fn close(_p: &mut Process, a: [u64; 6]) -> SysResult {
    super::signalfd::forget(a[0]);
    host_syscall(libc::SYS_close, [fd(a[0]), 0, 0, 0, 0, 0])
}

pub fn lseek(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(libc::SYS_lseek, [fd(a[0]), a[1], a[2], 0, 0, 0])
}

fn write_stat(p: &mut Process, addr: u64, st: &libc::stat) -> SysResult {
    p.space
        .write_bytes(addr, &stat::for_guest(p.arch.arch, st))?;
    Ok(0)
}

pub fn fstat(p: &mut Process, a: [u64; 6]) -> SysResult {
    // SAFETY: zeroed stat is a valid out buffer.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    host_syscall(
        libc::SYS_fstat,
        [fd(a[0]), &mut st as *mut _ as u64, 0, 0, 0, 0],
    )?;
    write_stat(p, a[1], &st)
}

pub fn newfstatat(p: &mut Process, a: [u64; 6]) -> SysResult {
    let path = p.path(a[1])?;
    // SAFETY: zeroed stat is a valid out buffer.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    host_syscall(
        libc::SYS_newfstatat,
        [
            fd(a[0]),
            path.as_ptr() as u64,
            &mut st as *mut _ as u64,
            a[3],
            0,
            0,
        ],
    )?;
    write_stat(p, a[2], &st)
}

/// `struct statx` has one layout on every arch.
pub fn statx(p: &mut Process, a: [u64; 6]) -> SysResult {
    let path = p.path(a[1])?;
    let buf = p.space.write_ptr(a[4], 256)?;
    host_syscall(
        libc::SYS_statx,
        [fd(a[0]), path.as_ptr() as u64, a[2], a[3], buf as u64, 0],
    )
}

pub fn readlinkat(p: &mut Process, a: [u64; 6]) -> SysResult {
    let raw = p.space.read_cstring(a[1], PATH_MAX)?;
    if procfs::is_own_exe(&raw) {
        let target = p.exe_path.as_os_str().as_encoded_bytes().to_vec();
        let n = target.len().min(a[3] as usize);
        p.space.write_bytes(a[2], &target[..n])?;
        return Ok(n as u64);
    }
    let path = CString::new(p.under_sysroot(raw)).map_err(|_| Errno::EINVAL)?;
    let buf = p.space.write_ptr(a[2], a[3])?;
    host_syscall(
        libc::SYS_readlinkat,
        [fd(a[0]), path.as_ptr() as u64, buf as u64, a[3], 0, 0],
    )
}

pub fn getcwd(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.write_ptr(a[0], a[1])?;
    host_syscall(libc::SYS_getcwd, [buf as u64, a[1], 0, 0, 0, 0])
}

/// Syscalls taking paths: the arguments at `path_args` are guest path pointers, looked up
/// under the sysroot first ([`Process::path`]).
pub(super) fn with_path(
    p: &mut Process,
    nr: libc::c_long,
    a: [u64; 6],
    path_args: &[usize],
) -> SysResult {
    with_paths(p, nr, a, path_args, Process::path)
}

/// Syscalls that create, change or remove names: their paths are taken as they are.
fn with_raw_path(p: &mut Process, nr: libc::c_long, a: [u64; 6], path_args: &[usize]) -> SysResult {
    with_paths(p, nr, a, path_args, Process::raw_path)
}

fn with_paths(
    p: &mut Process,
    nr: libc::c_long,
    mut a: [u64; 6],
    path_args: &[usize],
    convert: fn(&Process, u64) -> Result<CString, Errno>,
) -> SysResult {
    let mut keep = Vec::new();
    for &i in path_args {
        let c = convert(p, a[i])?;
        a[i] = c.as_ptr() as u64;
        keep.push(c);
    }
    host_syscall(nr, a)
}

pub fn chdir(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(p, libc::SYS_chdir, a, &[0])
}

pub fn mkdirat(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(p, libc::SYS_mkdirat, [fd(a[0]), a[1], a[2], 0, 0, 0], &[1])
}

pub fn unlinkat(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(p, libc::SYS_unlinkat, [fd(a[0]), a[1], a[2], 0, 0, 0], &[1])
}

pub fn renameat(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(
        p,
        libc::SYS_renameat2,
        [fd(a[0]), a[1], fd(a[2]), a[3], 0, 0],
        &[1, 3],
    )
}

pub fn renameat2(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(
        p,
        libc::SYS_renameat2,
        [fd(a[0]), a[1], fd(a[2]), a[3], a[4], 0],
        &[1, 3],
    )
}

pub fn faccessat(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_path(
        p,
        libc::SYS_faccessat,
        [fd(a[0]), a[1], a[2], 0, 0, 0],
        &[1],
    )
}

pub fn faccessat2(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_path(
        p,
        libc::SYS_faccessat2,
        [fd(a[0]), a[1], a[2], a[3], 0, 0],
        &[1],
    )
}

pub fn fchmodat(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(p, libc::SYS_fchmodat, [fd(a[0]), a[1], a[2], 0, 0, 0], &[1])
}

pub fn fchownat(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(
        p,
        libc::SYS_fchownat,
        [fd(a[0]), a[1], a[2], a[3], a[4], 0],
        &[1],
    )
}

pub fn utimensat(p: &mut Process, a: [u64; 6]) -> SysResult {
    let path = if a[1] == 0 { None } else { Some(p.path(a[1])?) };
    let times = if a[2] == 0 {
        0
    } else {
        p.space.read_ptr(a[2], 32)? as u64
    };
    let path_ptr = path.as_ref().map_or(0, |c| c.as_ptr() as u64);
    host_syscall(libc::SYS_utimensat, [fd(a[0]), path_ptr, times, a[3], 0, 0])
}

/// Descriptor syscalls whose arguments are all plain integers.
macro_rules! int_syscall {
    ($name:ident, $nr:expr) => {
        pub fn $name(_p: &mut Process, a: [u64; 6]) -> SysResult {
            host_syscall($nr, [fd(a[0]), a[1], a[2], a[3], a[4], a[5]])
        }
    };
}
int_syscall!(dup, libc::SYS_dup);
int_syscall!(dup3, libc::SYS_dup3);
int_syscall!(fsync, libc::SYS_fsync);
int_syscall!(fdatasync, libc::SYS_fdatasync);
int_syscall!(ftruncate, libc::SYS_ftruncate);
int_syscall!(fchdir, libc::SYS_fchdir);
int_syscall!(fchmod, libc::SYS_fchmod);
int_syscall!(fchown, libc::SYS_fchown);
int_syscall!(flock, libc::SYS_flock);
int_syscall!(fadvise64, libc::SYS_fadvise64);
int_syscall!(fallocate, libc::SYS_fallocate);
int_syscall!(umask, libc::SYS_umask);

/// `close_range(first, last, flags)`: its bounds are unsigned ints.
pub fn close_range(_p: &mut Process, a: [u64; 6]) -> SysResult {
    let (first, last) = (a[0] as u32 as u64, a[1] as u32 as u64);
    host_syscall(
        libc::SYS_close_range,
        [first, last, a[2] as u32 as u64, 0, 0, 0],
    )
}

pub fn sync(_p: &mut Process, _a: [u64; 6]) -> SysResult {
    host_syscall(libc::SYS_sync, [0; 6])
}

/// `fcntl` commands whose argument is an integer (or unused), passed through as they are. The
/// numbers (asm-generic/fcntl.h, linux/fcntl.h) are the same on the guest arches and the host.
const FCNTL_INT_CMDS: &[i32] = &[
    0,    // F_DUPFD
    1,    // F_GETFD
    2,    // F_SETFD
    8,    // F_SETOWN
    9,    // F_GETOWN
    10,   // F_SETSIG
    11,   // F_GETSIG
    1024, // F_SETLEASE
    1025, // F_GETLEASE
    1026, // F_NOTIFY
    1030, // F_DUPFD_CLOEXEC
    1031, // F_SETPIPE_SZ
    1032, // F_GETPIPE_SZ
    1033, // F_ADD_SEALS
    1034, // F_GET_SEALS
];

/// `fcntl` commands whose argument points to a struct of the same layout on the guest arches
/// and the host: command, bytes the kernel reads or writes, whether it writes.
const FCNTL_PTR_CMDS: &[(i32, u64, bool)] = &[
    (5, 32, true),    // F_GETLK (struct flock)
    (6, 32, false),   // F_SETLK
    (7, 32, false),   // F_SETLKW
    (15, 8, false),   // F_SETOWN_EX (struct f_owner_ex)
    (16, 8, true),    // F_GETOWN_EX
    (36, 32, true),   // F_OFD_GETLK
    (37, 32, false),  // F_OFD_SETLK
    (38, 32, false),  // F_OFD_SETLKW
    (1035, 8, true),  // F_GET_RW_HINT (u64)
    (1036, 8, false), // F_SET_RW_HINT
    (1037, 8, true),  // F_GET_FILE_RW_HINT
    (1038, 8, false), // F_SET_FILE_RW_HINT
];

pub fn fcntl(p: &mut Process, a: [u64; 6]) -> SysResult {
    let (fd, cmd) = (fd(a[0]), a[1] as i32);
    let host = |arg: u64| host_syscall(libc::SYS_fcntl, [fd, cmd as u64, arg, 0, 0, 0]);
    match cmd {
        libc::F_GETFL => Ok(arch::open_flags_to_guest(p.arch, host(0)? as u32) as u64),
        libc::F_SETFL => host(arch::open_flags_to_host(p.arch, a[2] as u32) as u64),
        _ if FCNTL_INT_CMDS.contains(&cmd) => host(a[2]),
        _ => {
            let &(_, len, writes) = FCNTL_PTR_CMDS
                .iter()
                .find(|c| c.0 == cmd)
                .ok_or(Errno::EINVAL)?;
            host(super::buf_ptr(p, a[2], len, writes)?)
        }
    }
}

pub fn pipe2(p: &mut Process, a: [u64; 6]) -> SysResult {
    p.space.check(a[0], 8, crate::pages::WRITE)?;
    let mut fds = [0i32; 2];
    host_syscall(libc::SYS_pipe2, [fds.as_mut_ptr() as u64, a[1], 0, 0, 0, 0])?;
    let bytes: Vec<u8> = fds.iter().flat_map(|f| f.to_le_bytes()).collect();
    p.space.write_bytes(a[0], &bytes)?;
    Ok(0)
}

/// Terminal ioctls whose argument layouts are the same on the guest arches and the host
/// (asm-generic termbits): request, bytes the kernel reads or writes, whether it writes.
const IOCTLS: &[(u64, u64, bool)] = &[
    (0x5401, 36, true),  // TCGETS
    (0x5402, 36, false), // TCSETS
    (0x5403, 36, false), // TCSETSW
    (0x5404, 36, false), // TCSETSF
    (0x5413, 8, true),   // TIOCGWINSZ
    (0x5414, 8, false),  // TIOCSWINSZ
    (0x540f, 4, true),   // TIOCGPGRP
    (0x541b, 4, true),   // FIONREAD
];

pub fn ioctl(p: &mut Process, a: [u64; 6]) -> SysResult {
    let Some(&(req, len, writes)) = IOCTLS.iter().find(|i| i.0 == a[1] & 0xffff_ffff) else {
        return Err(Errno::ENOTTY);
    };
    let buf = super::buf_ptr(p, a[2], len, writes)?;
    host_syscall(libc::SYS_ioctl, [fd(a[0]), req, buf, 0, 0, 0])
}

/// `struct linux_dirent64` is arch-independent.
pub fn getdents64(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.write_ptr(a[1], a[2])?;
    host_syscall(libc::SYS_getdents64, [fd(a[0]), buf as u64, a[2], 0, 0, 0])
}

pub fn symlinkat(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(
        p,
        libc::SYS_symlinkat,
        [a[0], fd(a[1]), a[2], 0, 0, 0],
        &[0, 2],
    )
}

pub fn linkat(p: &mut Process, a: [u64; 6]) -> SysResult {
    let args = [fd(a[0]), a[1], fd(a[2]), a[3], a[4], 0];
    with_raw_path(p, libc::SYS_linkat, args, &[1, 3])
}

pub fn truncate(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_raw_path(p, libc::SYS_truncate, [a[0], a[1], 0, 0, 0, 0], &[0])
}

/// `sendfile(out, in, *offset, count)`; the offset is a 64-bit value on every arch.
pub fn sendfile(p: &mut Process, a: [u64; 6]) -> SysResult {
    let off = super::opt_ptr(p, a[2], 8, true)?;
    host_syscall(libc::SYS_sendfile, [fd(a[0]), fd(a[1]), off, a[3], 0, 0])
}

/// `copy_file_range(fd_in, off_in, fd_out, off_out, len, flags)`: the offsets are optional
/// 64-bit in-out words.
pub fn copy_file_range(p: &mut Process, a: [u64; 6]) -> SysResult {
    let off_in = super::opt_ptr(p, a[1], 8, true)?;
    let off_out = super::opt_ptr(p, a[3], 8, true)?;
    host_syscall(
        libc::SYS_copy_file_range,
        [
            fd(a[0]),
            off_in,
            fd(a[2]),
            off_out,
            a[4],
            a[5] as u32 as u64,
        ],
    )
}

/// `sizeof(struct statfs)`: the generic 64-bit layout equals x86_64's.
const STATFS_SIZE: u64 = 120;

/// `statfs(path, buf)` (a lookup: the sysroot is tried first).
pub fn statfs(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.write_ptr(a[1], STATFS_SIZE)? as u64;
    with_path(p, libc::SYS_statfs, [a[0], buf, 0, 0, 0, 0], &[0])
}

pub fn fstatfs(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = p.space.write_ptr(a[1], STATFS_SIZE)? as u64;
    host_syscall(libc::SYS_fstatfs, [fd(a[0]), buf, 0, 0, 0, 0])
}

/// `ppoll(fds, n, timeout, sigmask, size)`: `struct pollfd` is arch-independent; the signal
/// mask is the guest's during the wait ([`super::signal::with_sigmask`]).
pub fn ppoll(p: &mut Process, a: [u64; 6]) -> SysResult {
    if a[1] > 4096 {
        return Err(Errno::EINVAL);
    }
    let fds = p.space.write_ptr(a[0], a[1] * 8)?;
    let timeout = super::opt_ptr(p, a[2], 16, true)?;
    let mask = super::signal::guest_sigmask(p, a[3], a[4])?;
    super::signal::with_sigmask(p, mask, |host_mask, size| {
        host_syscall(
            libc::SYS_ppoll,
            [fds as u64, a[1], timeout, host_mask, size, 0],
        )
    })
}
