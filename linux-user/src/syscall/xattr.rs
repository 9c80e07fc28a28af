//! Extended attributes: `setxattr`/`getxattr`/`listxattr`/`removexattr` in their path,
//! `l` (symlink itself) and `f` (descriptor) forms, passed to the host kernel with the guest
//! buffers checked. Paths are looked up through the sysroot like any other lookup; the
//! attribute values and name lists have no arch-specific layout.

use std::ffi::CString;

use super::net::{int, syscall_table};
use super::{host_syscall, opt_ptr, Process, SysResult, Syscall};
use crate::errno::Errno;

/// `XATTR_NAME_MAX` + 1.
const NAME_MAX: usize = 256;

/// Which file a call names.
#[derive(Clone, Copy)]
enum On {
    /// A path, following a final symlink.
    Path,
    /// A path, not following it (`l*xattr`).
    Link,
    /// A descriptor (`f*xattr`).
    Fd,
}

/// The host numbers of one operation in its path, link and descriptor forms.
type Forms = [libc::c_long; 3];

const SET: Forms = [libc::SYS_setxattr, libc::SYS_lsetxattr, libc::SYS_fsetxattr];
const GET: Forms = [libc::SYS_getxattr, libc::SYS_lgetxattr, libc::SYS_fgetxattr];
const LIST: Forms = [
    libc::SYS_listxattr,
    libc::SYS_llistxattr,
    libc::SYS_flistxattr,
];
const REMOVE: Forms = [
    libc::SYS_removexattr,
    libc::SYS_lremovexattr,
    libc::SYS_fremovexattr,
];

fn host_nr(on: On, forms: Forms) -> libc::c_long {
    forms[on as usize]
}

/// The first argument made host-ready: the descriptor, or the resolved path (kept alive by
/// the returned `CString`).
fn file_arg(p: &Process, on: On, arg: u64) -> Result<(u64, Option<CString>), Errno> {
    match on {
        On::Fd => Ok((int(arg), None)),
        On::Path | On::Link => {
            let path = p.path(arg)?;
            Ok((path.as_ptr() as u64, Some(path)))
        }
    }
}

fn name_arg(p: &Process, addr: u64) -> Result<CString, Errno> {
    CString::new(p.space.read_cstring(addr, NAME_MAX)?).map_err(|_| Errno::EINVAL)
}

/// `set*xattr(file, name, value, size, flags)`.
fn set(p: &mut Process, a: [u64; 6], on: On) -> SysResult {
    let (file, _path) = file_arg(p, on, a[0])?;
    let name = name_arg(p, a[1])?;
    let value = opt_ptr(p, a[2], a[3], false)?;
    let args = [file, name.as_ptr() as u64, value, a[3], int(a[4]), 0];
    host_syscall(host_nr(on, SET), args)
}

/// `get*xattr(file, name, value, size)`: size 0 asks for the value's length.
fn get(p: &mut Process, a: [u64; 6], on: On) -> SysResult {
    let (file, _path) = file_arg(p, on, a[0])?;
    let name = name_arg(p, a[1])?;
    let value = opt_ptr(p, a[2], a[3], true)?;
    let args = [file, name.as_ptr() as u64, value, a[3], 0, 0];
    host_syscall(host_nr(on, GET), args)
}

/// `list*xattr(file, list, size)`.
fn list(p: &mut Process, a: [u64; 6], on: On) -> SysResult {
    let (file, _path) = file_arg(p, on, a[0])?;
    let buf = opt_ptr(p, a[1], a[2], true)?;
    host_syscall(host_nr(on, LIST), [file, buf, a[2], 0, 0, 0])
}

/// `remove*xattr(file, name)`.
fn remove(p: &mut Process, a: [u64; 6], on: On) -> SysResult {
    let (file, _path) = file_arg(p, on, a[0])?;
    let name = name_arg(p, a[1])?;
    host_syscall(
        host_nr(on, REMOVE),
        [file, name.as_ptr() as u64, 0, 0, 0, 0],
    )
}

/// The twelve handlers: one operation on one form each.
macro_rules! forms {
    ($($name:ident = $op:ident($on:ident),)*) => {
        $(fn $name(p: &mut Process, a: [u64; 6]) -> SysResult {
            $op(p, a, On::$on)
        })*
    };
}

forms! {
    setxattr = set(Path),
    lsetxattr = set(Link),
    fsetxattr = set(Fd),
    getxattr = get(Path),
    lgetxattr = get(Link),
    fgetxattr = get(Fd),
    listxattr = list(Path),
    llistxattr = list(Link),
    flistxattr = list(Fd),
    removexattr = remove(Path),
    lremovexattr = remove(Link),
    fremovexattr = remove(Fd),
}

syscall_table! {
    /// The extended-attribute syscalls of the generic table (asm-generic/unistd.h numbers).
    5 setxattr,
    6 lsetxattr,
    7 fsetxattr,
    8 getxattr,
    9 lgetxattr,
    10 fgetxattr,
    11 listxattr,
    12 llistxattr,
    13 flistxattr,
    14 removexattr,
    15 lremovexattr,
    16 fremovexattr,
}
