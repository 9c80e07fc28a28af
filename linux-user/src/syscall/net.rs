//! Socket syscalls (socket, bind, connect, accept4, send/recv families, socket options),
//! with guest↔host struct translation where layouts differ.
//!
//! On the generic 64-bit ABI of the guests, `sockaddr`, `msghdr`, `mmsghdr`, `iovec`,
//! `cmsghdr` and the option values (`timeval`, `linger`, `ucred`, ...) have the host's layout,
//! so only the guest pointers are translated: into checked host pointers inside the window,
//! or, for `msghdr`, into a host copy whose pointers are checked host pointers. Lengths passed
//! by pointer (`socklen_t *`) go through a host local. A NULL guest pointer stays NULL, so the
//! host kernel sees what the guest's would. Flag values (`SOCK_*`, `MSG_*`, `SOL_SOCKET`
//! options) equal the host's.

use super::{buf_ptr, host_syscall, opt_ptr, Process, Syscall};
use crate::errno::{Errno, SysResult};

/// `sizeof(struct sockaddr_storage)`: the most a kernel reads or writes of a socket address.
const SOCKADDR_MAX: u64 = 128;
/// Most iovecs in one message, and most messages in one `sendmmsg`/`recvmmsg` (UIO_MAXIOV).
const UIO_MAXIOV: u64 = 1024;
/// `sizeof(struct msghdr)` and `sizeof(struct mmsghdr)` on the guests (and the host).
const MSGHDR_SIZE: u64 = 56;
const MMSGHDR_SIZE: u64 = 64;
/// Offsets of the `msghdr` fields a receive writes back, and of `mmsghdr.msg_len`.
const MSG_NAMELEN: u64 = 8;
const MSG_CONTROLLEN: u64 = 40;
const MSG_FLAGS: u64 = 48;
const MMSG_LEN: u64 = 56;
/// The socket options whose value holds a pointer, a `struct sock_fprog` (level, name):
/// SO_ATTACH_FILTER and SO_ATTACH_REUSEPORT_CBPF of SOL_SOCKET, PACKET_FANOUT_DATA of
/// SOL_PACKET.
const FPROG_OPTIONS: &[(i32, i32)] = &[(1, 26), (1, 51), (263, 22)];
/// `sizeof(struct sock_fprog)` and of one `struct sock_filter` instruction.
const FPROG_SIZE: usize = 16;
const SOCK_FILTER_SIZE: u64 = 8;

/// An `int` argument (a descriptor, a level, a length): the low 32 bits, sign-extended.
pub(super) fn int(a: u64) -> u64 {
    a as i32 as i64 as u64
}

/// A guest `int` read from memory.
fn read_i32(p: &Process, addr: u64) -> Result<i32, Errno> {
    let b = p.space.read_bytes(addr, 4)?;
    Ok(i32::from_le_bytes(b.try_into().map_err(|_| Errno::EFAULT)?))
}

/// Host pointer for an input socket address of `len` bytes (`bind`, `connect`, `sendto`).
fn sockaddr_in(p: &mut Process, addr: u64, len: u64) -> Result<u64, Errno> {
    let len = len as i32;
    if addr != 0 && (len < 0 || len as u64 > SOCKADDR_MAX) {
        return Err(Errno::EINVAL);
    }
    opt_ptr(p, addr, len.max(0) as u64, false)
}

/// A guest `(buffer, socklen_t *len)` pair the host fills (`accept`'s and `getsockname`'s
/// address, `getsockopt`'s value): the length goes through a host local (a negative one is
/// `EINVAL`), the buffer is checked writable for it, and the length the host reports is
/// written back by [`LenBuf::finish`].
struct LenBuf {
    /// Guest address of the length; `None` when the pair is absent (NULL buffer, optional).
    len_addr: Option<u64>,
    len: u32,
    buf: u64,
}

impl LenBuf {
    /// The pair at `buf`/`len_addr`; the host sees at most `cap` bytes of buffer.
    fn new(p: &mut Process, buf: u64, len_addr: u64, cap: u64) -> Result<LenBuf, Errno> {
        let len = read_i32(p, len_addr)?;
        if len < 0 {
            return Err(Errno::EINVAL);
        }
        p.space.check(len_addr, 4, crate::pages::WRITE)?;
        let len = (len as u64).min(cap);
        Ok(LenBuf {
            len_addr: Some(len_addr),
            len: len as u32,
            buf: opt_ptr(p, buf, len, true)?,
        })
    }

    /// [`LenBuf::new`] for an address the caller may leave out (NULL `buf`: no address).
    fn optional(p: &mut Process, buf: u64, len_addr: u64) -> Result<LenBuf, Errno> {
        if buf == 0 {
            return Ok(LenBuf {
                len_addr: None,
                len: 0,
                buf: 0,
            });
        }
        LenBuf::new(p, buf, len_addr, SOCKADDR_MAX)
    }

    /// The host (buffer, length pointer) arguments.
    fn host_args(&mut self) -> (u64, u64) {
        match self.len_addr {
            Some(_) => (self.buf, &mut self.len as *mut u32 as u64),
            None => (0, 0),
        }
    }

    /// Copy the host's length back to the guest.
    fn finish(&self, p: &mut Process) -> Result<(), Errno> {
        match self.len_addr {
            Some(addr) => p.space.write_u32(addr, self.len),
            None => Ok(()),
        }
    }

    /// Run `nr` with `args`, where `AT` and `AT + 1` get this pair, then write the length back.
    fn call<const AT: usize>(
        mut self,
        p: &mut Process,
        nr: libc::c_long,
        mut args: [u64; 6],
    ) -> SysResult {
        (args[AT], args[AT + 1]) = self.host_args();
        let r = host_syscall(nr, args)?;
        self.finish(p)?;
        Ok(r)
    }
}

pub fn socket(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(libc::SYS_socket, [int(a[0]), int(a[1]), int(a[2]), 0, 0, 0])
}

pub fn socketpair(p: &mut Process, a: [u64; 6]) -> SysResult {
    let sv = buf_ptr(p, a[3], 8, true)?;
    host_syscall(
        libc::SYS_socketpair,
        [int(a[0]), int(a[1]), int(a[2]), sv, 0, 0],
    )
}

/// `bind` and `connect`: (fd, address, length).
fn with_sockaddr(p: &mut Process, nr: libc::c_long, a: [u64; 6]) -> SysResult {
    let addr = sockaddr_in(p, a[1], a[2])?;
    host_syscall(nr, [int(a[0]), addr, a[2] as u32 as u64, 0, 0, 0])
}

pub fn bind(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_sockaddr(p, libc::SYS_bind, a)
}

pub fn connect(p: &mut Process, a: [u64; 6]) -> SysResult {
    with_sockaddr(p, libc::SYS_connect, a)
}

pub fn listen(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(libc::SYS_listen, [int(a[0]), int(a[1]), 0, 0, 0, 0])
}

pub fn shutdown(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(libc::SYS_shutdown, [int(a[0]), int(a[1]), 0, 0, 0, 0])
}

pub fn accept(p: &mut Process, a: [u64; 6]) -> SysResult {
    accept4(p, [a[0], a[1], a[2], 0, 0, 0])
}

pub fn accept4(p: &mut Process, a: [u64; 6]) -> SysResult {
    let peer = LenBuf::optional(p, a[1], a[2])?;
    peer.call::<1>(p, libc::SYS_accept4, [int(a[0]), 0, 0, int(a[3]), 0, 0])
}

/// `getsockname` and `getpeername`: (fd, address, length pointer).
fn name_of(p: &mut Process, nr: libc::c_long, a: [u64; 6]) -> SysResult {
    let name = LenBuf::new(p, a[1], a[2], SOCKADDR_MAX)?;
    name.call::<1>(p, nr, [int(a[0]), 0, 0, 0, 0, 0])
}

pub fn getsockname(p: &mut Process, a: [u64; 6]) -> SysResult {
    name_of(p, libc::SYS_getsockname, a)
}

pub fn getpeername(p: &mut Process, a: [u64; 6]) -> SysResult {
    name_of(p, libc::SYS_getpeername, a)
}

/// `sendto(fd, buf, len, flags, dest, destlen)`.
pub fn sendto(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = buf_ptr(p, a[1], a[2], false)?;
    let dest = sockaddr_in(p, a[4], a[5])?;
    host_syscall(
        libc::SYS_sendto,
        [int(a[0]), buf, a[2], int(a[3]), dest, a[5] as u32 as u64],
    )
}

/// `recvfrom(fd, buf, len, flags, src, srclen *)`.
pub fn recvfrom(p: &mut Process, a: [u64; 6]) -> SysResult {
    let buf = buf_ptr(p, a[1], a[2], true)?;
    let src = LenBuf::optional(p, a[4], a[5])?;
    src.call::<4>(
        p,
        libc::SYS_recvfrom,
        [int(a[0]), buf, a[2], int(a[3]), 0, 0],
    )
}

/// `setsockopt(fd, level, name, value, len)`: values are passed through, except a
/// `struct sock_fprog`, whose filter pointer is translated.
pub fn setsockopt(p: &mut Process, a: [u64; 6]) -> SysResult {
    let (level, name, len) = (a[1] as i32, a[2] as i32, a[4] as i32);
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let mut args = [int(a[0]), int(a[1]), int(a[2]), 0, len as u64, 0];
    // (Of another length the kernel refuses it without reading it.)
    if FPROG_OPTIONS.contains(&(level, name)) && len as usize == FPROG_SIZE {
        let prog = host_fprog(p, a[3])?;
        args[3] = &prog as *const libc::sock_fprog as u64;
        return host_syscall(libc::SYS_setsockopt, args);
    }
    args[3] = opt_ptr(p, a[3], len as u64, false)?;
    host_syscall(libc::SYS_setsockopt, args)
}

/// The guest `struct sock_fprog` at `addr` with its instructions as a checked host pointer.
fn host_fprog(p: &mut Process, addr: u64) -> Result<libc::sock_fprog, Errno> {
    let raw = p.space.read_bytes(addr, FPROG_SIZE)?;
    let count = u16::from_le_bytes([raw[0], raw[1]]);
    let filter = u64::from_le_bytes(raw[8..16].try_into().map_err(|_| Errno::EFAULT)?);
    let filter = buf_ptr(p, filter, u64::from(count) * SOCK_FILTER_SIZE, false)?;
    Ok(libc::sock_fprog {
        len: count,
        filter: filter as *mut libc::sock_filter,
    })
}

/// `getsockopt(fd, level, name, value, len *)`.
pub fn getsockopt(p: &mut Process, a: [u64; 6]) -> SysResult {
    let value = LenBuf::new(p, a[3], a[4], u64::MAX)?;
    value.call::<3>(
        p,
        libc::SYS_getsockopt,
        [int(a[0]), int(a[1]), int(a[2]), 0, 0, 0],
    )
}

/// A guest `struct msghdr` as a host one whose name, iovecs and control buffer are checked
/// host pointers (writable for a receive). `_iov` owns the iovec array `hdr` points at.
struct HostMsg {
    hdr: libc::msghdr,
    _iov: Vec<libc::iovec>,
    /// Whether the guest gave a name buffer (a receive then writes `msg_namelen` back).
    has_name: bool,
}

impl HostMsg {
    fn new(p: &mut Process, addr: u64, receive: bool) -> Result<HostMsg, Errno> {
        let raw = p.space.read_bytes(addr, MSGHDR_SIZE as usize)?;
        if receive {
            p.space.check(addr, MSGHDR_SIZE, crate::pages::WRITE)?;
        }
        let word = |i: usize| u64::from_le_bytes(raw[i..i + 8].try_into().unwrap_or([0; 8]));
        let (name, iov, iov_len, control, control_len) =
            (word(0), word(16), word(24), word(32), word(40));
        let name_len = word(8) as u32;
        if name != 0 && (name_len as i32) < 0 {
            return Err(Errno::EINVAL);
        }
        if iov_len > UIO_MAXIOV {
            return Err(Errno(libc::EMSGSIZE));
        }
        let name_len = u64::from(name_len).min(SOCKADDR_MAX);
        let name_ptr = opt_ptr(p, name, name_len, receive)?;
        let mut iovs = super::fs::host_iovecs(p, iov, iov_len, receive)?;
        let control_ptr = opt_ptr(p, control, control_len, receive)?;
        // SAFETY: msghdr is plain data; all-zero is a valid value (the padding included).
        let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
        hdr.msg_name = name_ptr as *mut libc::c_void;
        hdr.msg_namelen = name_len as u32;
        hdr.msg_iov = iovs.as_mut_ptr();
        hdr.msg_iovlen = iovs.len();
        hdr.msg_control = control_ptr as *mut libc::c_void;
        hdr.msg_controllen = control_len as usize;
        hdr.msg_flags = word(48) as i32;
        Ok(HostMsg {
            hdr,
            _iov: iovs,
            has_name: name != 0,
        })
    }

    /// After a receive: the guest msghdr at `addr` gets the lengths and flags the host set.
    fn write_back(&self, p: &mut Process, addr: u64) -> Result<(), Errno> {
        if self.has_name {
            p.space
                .write_u32(addr + MSG_NAMELEN, self.hdr.msg_namelen)?;
        }
        p.space
            .write_u64(addr + MSG_CONTROLLEN, self.hdr.msg_controllen as u64)?;
        p.space
            .write_u32(addr + MSG_FLAGS, self.hdr.msg_flags as u32)
    }
}

pub fn sendmsg(p: &mut Process, a: [u64; 6]) -> SysResult {
    let msg = HostMsg::new(p, a[1], false)?;
    let hdr = &msg.hdr as *const libc::msghdr as u64;
    host_syscall(libc::SYS_sendmsg, [int(a[0]), hdr, int(a[2]), 0, 0, 0])
}

pub fn recvmsg(p: &mut Process, a: [u64; 6]) -> SysResult {
    let mut msg = HostMsg::new(p, a[1], true)?;
    let hdr = &mut msg.hdr as *mut libc::msghdr as u64;
    let n = host_syscall(libc::SYS_recvmsg, [int(a[0]), hdr, int(a[2]), 0, 0, 0])?;
    msg.write_back(p, a[1])?;
    Ok(n)
}

/// The guest `mmsghdr` array at `addr` (`count` entries, at most UIO_MAXIOV as the kernel
/// clamps) as host messages, and the host `mmsghdr` array built from them.
fn host_mmsgs(
    p: &mut Process,
    addr: u64,
    count: u64,
    receive: bool,
) -> Result<(Vec<HostMsg>, Vec<libc::mmsghdr>), Errno> {
    let count = count.min(UIO_MAXIOV);
    let msgs = (0..count)
        .map(|i| HostMsg::new(p, addr + i * MMSGHDR_SIZE, receive))
        .collect::<Result<Vec<_>, _>>()?;
    p.space
        .check(addr, count * MMSGHDR_SIZE, crate::pages::WRITE)?;
    let host = msgs
        .iter()
        .map(|m| libc::mmsghdr {
            msg_hdr: m.hdr,
            msg_len: 0,
        })
        .collect();
    Ok((msgs, host))
}

/// After `sendmmsg`/`recvmmsg` handled `n` messages: their `msg_len`s (and, for a receive,
/// the msghdr fields the host set) back to the guest array at `addr`.
fn mmsg_write_back(
    p: &mut Process,
    addr: u64,
    msgs: &mut [HostMsg],
    host: &[libc::mmsghdr],
    n: u64,
    receive: bool,
) -> Result<(), Errno> {
    for (i, (msg, h)) in msgs.iter_mut().zip(host).take(n as usize).enumerate() {
        let entry = addr + i as u64 * MMSGHDR_SIZE;
        p.space.write_u32(entry + MMSG_LEN, h.msg_len)?;
        if receive {
            msg.hdr = h.msg_hdr;
            msg.write_back(p, entry)?;
        }
    }
    Ok(())
}

/// `sendmmsg(fd, msgs, count, flags)` and `recvmmsg(fd, msgs, count, flags, timeout)`.
fn mmsg(p: &mut Process, a: [u64; 6], receive: bool) -> SysResult {
    let (nr, timeout) = if receive {
        (libc::SYS_recvmmsg, opt_ptr(p, a[4], 16, true)?)
    } else {
        (libc::SYS_sendmmsg, 0)
    };
    let (mut msgs, mut host) = host_mmsgs(p, a[1], u64::from(a[2] as u32), receive)?;
    let (vec, count, flags) = (
        host.as_mut_ptr() as u64,
        host.len() as u64,
        a[3] as u32 as u64,
    );
    let n = host_syscall(nr, [int(a[0]), vec, count, flags, timeout, 0])?;
    mmsg_write_back(p, a[1], &mut msgs, &host, n, receive)?;
    Ok(n)
}

pub fn sendmmsg(p: &mut Process, a: [u64; 6]) -> SysResult {
    mmsg(p, a, false)
}

pub fn recvmmsg(p: &mut Process, a: [u64; 6]) -> SysResult {
    mmsg(p, a, true)
}

/// A `pub static SYSCALLS` table of handlers named like their syscalls (`nr name,` rows,
/// after the table's doc comment).
macro_rules! syscall_table {
    ($(#[$doc:meta])* $($nr:literal $name:ident,)*) => {
        $(#[$doc])*
        pub static SYSCALLS: &[Syscall] = &[
            $(Syscall { nr: $nr, name: stringify!($name), handler: $name },)*
        ];
    };
}
pub(super) use syscall_table;

syscall_table! {
    /// The socket syscalls of the generic table (asm-generic/unistd.h numbers).
    198 socket,
    199 socketpair,
    200 bind,
    201 listen,
    202 accept,
    203 connect,
    204 getsockname,
    205 getpeername,
    206 sendto,
    207 recvfrom,
    208 setsockopt,
    209 getsockopt,
    210 shutdown,
    211 sendmsg,
    212 recvmsg,
    242 accept4,
    243 recvmmsg,
    269 sendmmsg,
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::arch;
    use crate::memory::{map_flags, AddressSpace, Layout};
    use std::path::PathBuf;

    /// Bytes of guest scratch memory [`process`] maps.
    pub const SCRATCH_LEN: u64 = 0x10000;
    /// Placeholder in [`assert_wild_efault`]'s argument lists for the pointer under test.
    pub const P: u64 = u64::MAX;
    const AF_UNIX: u64 = libc::AF_UNIX as u64;

    /// A riscv64 process (built as syscall/mod.rs's tests build theirs) and the address of
    /// `SCRATCH_LEN` bytes of read-write guest memory.
    pub fn process() -> (Process, u64) {
        let space = AddressSpace::new(Layout::default()).unwrap();
        let info = arch::info(arch::GuestArch::Riscv64);
        let mut p = Process::new(space, info, PathBuf::from("/bin/true"));
        let flags = (map_flags::PRIVATE | map_flags::ANONYMOUS) as u64;
        let scratch = p.dispatch(222, [0, SCRATCH_LEN, 3, flags, u64::MAX, 0]);
        assert!(scratch < p.space.mem.window.size(), "mmap: {scratch:#x}");
        (p, scratch)
    }

    /// Guest addresses no syscall may touch: unmapped, straddling or past the window's end,
    /// wrapping around.
    fn wild_pointers(p: &Process) -> [u64; 6] {
        let window = p.space.mem.window.size();
        [8, 0xdead_0000, window - 1, window, 1 << 45, u64::MAX - 3]
    }

    /// Every call, with [`P`] replaced by each wild pointer, fails with EFAULT.
    pub fn assert_wild_efault(p: &mut Process, calls: &[(u64, [u64; 6])]) {
        for &(nr, args) in calls {
            for w in wild_pointers(p) {
                let a = args.map(|v| if v == P { w } else { v });
                let r = p.dispatch(nr, a) as i64;
                assert_eq!(r, -(libc::EFAULT as i64), "syscall {nr} {a:x?}");
            }
        }
    }

    /// Every wild pointer stored as the u64 at guest `slot` makes `call` fail with EFAULT.
    fn assert_inner_wild_efault(p: &mut Process, slot: u64, nr: u64, args: [u64; 6]) {
        let saved = p.space.read_u64(slot).unwrap();
        for w in wild_pointers(p) {
            p.space.write_u64(slot, w).unwrap();
            let r = p.dispatch(nr, args) as i64;
            assert_eq!(
                r,
                -(libc::EFAULT as i64),
                "syscall {nr}, {w:#x} at {slot:#x}"
            );
        }
        p.space.write_u64(slot, saved).unwrap();
    }

    /// A non-blocking AF_UNIX pair made through the guest syscall, its fds stored at `at`.
    fn guest_socketpair(p: &mut Process, kind: i32, at: u64) -> (u64, u64) {
        let kind = (kind | libc::SOCK_NONBLOCK) as u64;
        assert_eq!(p.dispatch(199, [AF_UNIX, kind, 0, at, 0, 0]), 0);
        let b = p.space.read_bytes(at, 8).unwrap();
        let fd = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().unwrap()));
        (fd(0), fd(4))
    }

    /// Close host descriptors a test opened.
    pub fn close(fds: &[u64]) {
        for &fd in fds {
            // SAFETY: closing descriptors this test opened.
            unsafe { libc::close(fd as i32) };
        }
    }

    /// A guest msghdr at `at`: (name, namelen, iov, iovlen, control, controllen, flags).
    /// Each field fills an 8-byte slot; the two 32-bit ones are followed by zero padding.
    fn put_msghdr(p: &mut Process, at: u64, fields: [u64; 7]) {
        let [name, namelen, iov, iovlen, control, controllen, flags] = fields;
        let (namelen, flags) = (u64::from(namelen as u32), u64::from(flags as u32));
        let words = [name, namelen, iov, iovlen, control, controllen, flags];
        let b: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        assert_eq!(b.len() as u64, MSGHDR_SIZE);
        p.space.write_bytes(at, &b).unwrap();
    }

    /// A guest iovec array at `at` for `(base, len)` pairs.
    fn put_iovecs(p: &mut Process, at: u64, iovs: &[(u64, u64)]) {
        let b: Vec<u8> = iovs
            .iter()
            .flat_map(|&(base, len)| [base.to_le_bytes(), len.to_le_bytes()])
            .flatten()
            .collect();
        p.space.write_bytes(at, &b).unwrap();
    }

    #[test]
    fn wild_pointers_are_efault() {
        let (mut p, buf) = process();
        let (s, _peer) = guest_socketpair(&mut p, libc::SOCK_DGRAM, buf);
        let len = buf + 0x100; // a socklen_t of 16
        p.space.write_u32(len, 16).unwrap();
        let out = buf + 0x200;
        assert_wild_efault(
            &mut p,
            &[
                (199, [AF_UNIX, libc::SOCK_DGRAM as u64, 0, P, 0, 0]),
                (200, [s, P, 16, 0, 0, 0]),
                (203, [s, P, 16, 0, 0, 0]),
                (202, [s, P, len, 0, 0, 0]),
                (202, [s, out, P, 0, 0, 0]),
                (242, [s, P, len, 0, 0, 0]),
                (242, [s, out, P, 0, 0, 0]),
                (204, [s, P, len, 0, 0, 0]),
                (204, [s, out, P, 0, 0, 0]),
                (205, [s, P, len, 0, 0, 0]),
                (205, [s, out, P, 0, 0, 0]),
                (206, [s, P, 5, 0, 0, 0]),
                (206, [s, out, 5, 0, P, 16]),
                (207, [s, P, 5, 0, 0, 0]),
                (207, [s, out, 5, 0, P, len]),
                (207, [s, out, 5, 0, out, P]),
                (208, [s, 1, libc::SO_RCVBUF as u64, P, 4, 0]),
                (208, [s, 1, 26, P, 16, 0]), // SO_ATTACH_FILTER
                (209, [s, 1, libc::SO_TYPE as u64, P, len, 0]),
                (209, [s, 1, libc::SO_TYPE as u64, out, P, 0]),
                (211, [s, P, 0, 0, 0, 0]),
                (212, [s, P, 0, 0, 0, 0]),
                (269, [s, P, 1, 0, 0, 0]),
                (243, [s, P, 1, 0, 0, 0]),
            ],
        );
    }

    /// The pointers inside a msghdr (name, iovec array, iovec buffers, control), an mmsghdr
    /// and a sock_fprog are checked as well.
    #[test]
    fn wild_pointers_inside_structs_are_efault() {
        let (mut p, buf) = process();
        let (s, _peer) = guest_socketpair(&mut p, libc::SOCK_DGRAM, buf);
        let (msg, iov, data) = (buf + 0x100, buf + 0x200, buf + 0x300);
        put_iovecs(&mut p, iov, &[(data, 8)]);
        put_msghdr(&mut p, msg, [data, 16, iov, 1, data, 32, 0]);
        for nr in [211, 212, 269, 243] {
            for slot in [msg, msg + 16, msg + 32, iov] {
                assert_inner_wild_efault(&mut p, slot, nr, [s, msg, 1, 0, 0, 0]);
            }
        }
        let timeout = buf + 0x400;
        p.space.write_bytes(timeout, &[0; 16]).unwrap();
        assert_wild_efault(&mut p, &[(243, [s, msg, 1, 0, P, 0])]);
        let prog = buf + 0x500; // one instruction at `data`
        p.space
            .write_bytes(prog, &[1, 0, 0, 0, 0, 0, 0, 0])
            .unwrap();
        p.space.write_u64(prog + 8, data).unwrap();
        assert_inner_wild_efault(&mut p, prog + 8, 208, [s, 1, 26, prog, 16, 0]);
    }

    /// A bad msghdr or length is refused as the kernel refuses it.
    #[test]
    fn bad_lengths_are_einval() {
        let (mut p, buf) = process();
        let (s, _peer) = guest_socketpair(&mut p, libc::SOCK_DGRAM, buf);
        let einval = -(libc::EINVAL as i64);
        let len = buf + 0x100;
        p.space.write_u32(len, -1i32 as u32).unwrap();
        assert_eq!(p.dispatch(204, [s, buf, len, 0, 0, 0]) as i64, einval);
        assert_eq!(p.dispatch(209, [s, 1, 3, buf, len, 0]) as i64, einval);
        assert_eq!(p.dispatch(200, [s, buf, 129, 0, 0, 0]) as i64, einval);
        assert_eq!(
            p.dispatch(208, [s, 1, 8, buf, -1i64 as u64, 0]) as i64,
            einval
        );
        let msg = buf + 0x200;
        put_msghdr(&mut p, msg, [buf, -1i32 as u64, 0, 0, 0, 0, 0]);
        assert_eq!(p.dispatch(211, [s, msg, 0, 0, 0, 0]) as i64, einval);
        put_msghdr(&mut p, msg, [0, 0, buf, UIO_MAXIOV + 1, 0, 0, 0]);
        let emsgsize = -(libc::EMSGSIZE as i64);
        assert_eq!(p.dispatch(211, [s, msg, 0, 0, 0, 0]) as i64, emsgsize);
    }

    /// What a `recvmsg` reports besides the data.
    #[derive(Debug, PartialEq, Eq)]
    struct Received {
        len: u64,
        data: Vec<Vec<u8>>,
        namelen: u32,
        controllen: u64,
        flags: u32,
        /// The first cmsghdr (length, level, type), when the control buffer holds one.
        cmsg: Option<(u64, i32, i32)>,
    }

    /// A control buffer holding one SCM_RIGHTS message for `fd`, laid out by the host's
    /// `CMSG_*` macros (the same layout as the guests').
    fn rights(fd: i32) -> Vec<u8> {
        // SAFETY: CMSG_SPACE and CMSG_LEN are arithmetic.
        let (space, len) = unsafe { (libc::CMSG_SPACE(4), libc::CMSG_LEN(4)) };
        let mut b = vec![0u8; space as usize];
        b[..8].copy_from_slice(&u64::from(len).to_le_bytes());
        b[8..12].copy_from_slice(&libc::SOL_SOCKET.to_le_bytes());
        b[12..16].copy_from_slice(&libc::SCM_RIGHTS.to_le_bytes());
        b[16..20].copy_from_slice(&fd.to_le_bytes());
        b
    }

    fn cmsg_head(control: &[u8], controllen: u64) -> Option<(u64, i32, i32)> {
        (controllen >= 16).then(|| {
            let w = |i: usize| i32::from_le_bytes(control[i..i + 4].try_into().unwrap());
            (
                u64::from_le_bytes(control[..8].try_into().unwrap()),
                w(8),
                w(12),
            )
        })
    }

    /// The fd in the SCM_RIGHTS message of `control`: it must work (it reaches `pipe_read`).
    fn check_passed_fd(control: &[u8], pipe_read: i32) {
        let fd = i32::from_le_bytes(control[16..20].try_into().unwrap());
        // SAFETY: writing a local buffer to, and reading one from, descriptors of this test.
        unsafe {
            assert_eq!(libc::write(fd, b"!".as_ptr().cast(), 1), 1);
            let mut c = 0u8;
            assert_eq!(libc::read(pipe_read, (&mut c as *mut u8).cast(), 1), 1);
            assert_eq!(c, b'!');
            libc::close(fd);
        }
    }

    fn pipe() -> [i32; 2] {
        let mut fds = [0i32; 2];
        // SAFETY: `fds` has room for the two descriptors.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        fds
    }

    const PARTS: [&[u8]; 2] = [b"hello, ", b"world"];
    const RECV_IOVS: [usize; 2] = [4, 20];
    const CONTROL_LEN: usize = 64;

    /// The oracle: the same exchange (PARTS with an SCM_RIGHTS fd, received into RECV_IOVS
    /// and CONTROL_LEN bytes of control, with or without a name buffer) done natively.
    fn native_exchange(with_name: bool) -> Received {
        let mut sv = [0i32; 2];
        // SAFETY: `sv` has room for the pair.
        let r = unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_DGRAM, 0, sv.as_mut_ptr()) };
        assert_eq!(r, 0);
        let pipe = pipe();
        let mut out_iov: Vec<libc::iovec> = PARTS
            .iter()
            .map(|b| libc::iovec {
                iov_base: b.as_ptr() as *mut libc::c_void,
                iov_len: b.len(),
            })
            .collect();
        let mut out_control = rights(pipe[1]);
        // SAFETY: zeroed msghdrs are valid; every pointer set below is to a live local
        // buffer of the length given with it.
        let mut out: libc::msghdr = unsafe { std::mem::zeroed() };
        out.msg_iov = out_iov.as_mut_ptr();
        out.msg_iovlen = out_iov.len();
        out.msg_control = out_control.as_mut_ptr().cast();
        out.msg_controllen = out_control.len();
        let mut data: Vec<Vec<u8>> = RECV_IOVS.iter().map(|&n| vec![0u8; n]).collect();
        let mut in_iov: Vec<libc::iovec> = data
            .iter_mut()
            .map(|b| libc::iovec {
                iov_base: b.as_mut_ptr().cast(),
                iov_len: b.len(),
            })
            .collect();
        let mut name = [0u8; 128];
        let mut control = vec![0u8; CONTROL_LEN];
        // SAFETY: as above.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = if with_name {
            name.as_mut_ptr().cast()
        } else {
            std::ptr::null_mut()
        };
        msg.msg_namelen = if with_name { 128 } else { 77 };
        msg.msg_iov = in_iov.as_mut_ptr();
        msg.msg_iovlen = in_iov.len();
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = control.len();
        msg.msg_flags = -1;
        // SAFETY: as above.
        let (sent, len) = unsafe {
            (
                libc::sendmsg(sv[0], &out, 0),
                libc::recvmsg(sv[1], &mut msg, 0),
            )
        };
        assert_eq!(sent, 12);
        let got = Received {
            len: len as u64,
            data,
            namelen: msg.msg_namelen,
            controllen: msg.msg_controllen as u64,
            flags: msg.msg_flags as u32,
            cmsg: cmsg_head(&control, msg.msg_controllen as u64),
        };
        check_passed_fd(&control, pipe[0]);
        close(&[sv[0], sv[1], pipe[0], pipe[1]].map(|f| f as u64));
        got
    }

    /// The exchange of [`native_exchange`] done by the guest through sendmsg/recvmsg.
    fn guest_exchange(with_name: bool) -> Received {
        let (mut p, buf) = process();
        let (a, b) = guest_socketpair(&mut p, libc::SOCK_DGRAM, buf);
        let pipe = pipe();
        let (out_msg, out_iov, out_data, out_control) =
            (buf + 0x100, buf + 0x200, buf + 0x300, buf + 0x400);
        p.space.write_bytes(out_data, PARTS[0]).unwrap();
        p.space.write_bytes(out_data + 7, PARTS[1]).unwrap();
        put_iovecs(&mut p, out_iov, &[(out_data, 7), (out_data + 7, 5)]);
        let control = rights(pipe[1]);
        p.space.write_bytes(out_control, &control).unwrap();
        let out = [0, 0, out_iov, 2, out_control, control.len() as u64, 0];
        put_msghdr(&mut p, out_msg, out);
        assert_eq!(p.dispatch(211, [a, out_msg, 0, 0, 0, 0]), 12, "sendmsg");

        let (msg, iov, data, control, name) = (
            buf + 0x1000,
            buf + 0x1100,
            buf + 0x1200,
            buf + 0x1300,
            buf + 0x1400,
        );
        let (iov0, iov1) = (RECV_IOVS[0] as u64, RECV_IOVS[1] as u64);
        put_iovecs(&mut p, iov, &[(data, iov0), (data + 0x80, iov1)]);
        let (name, namelen) = if with_name { (name, 128) } else { (0, 77) };
        let fields = [
            name,
            namelen,
            iov,
            2,
            control,
            CONTROL_LEN as u64,
            u32::MAX as u64,
        ];
        put_msghdr(&mut p, msg, fields);
        let len = p.dispatch(212, [b, msg, 0, 0, 0, 0]);
        let control_bytes = p.space.read_bytes(control, CONTROL_LEN).unwrap();
        let controllen = p.space.read_u64(msg + MSG_CONTROLLEN).unwrap();
        let word =
            |at: u64| u32::from_le_bytes(p.space.read_bytes(at, 4).unwrap().try_into().unwrap());
        let got = Received {
            len,
            data: vec![
                p.space.read_bytes(data, RECV_IOVS[0]).unwrap(),
                p.space.read_bytes(data + 0x80, RECV_IOVS[1]).unwrap(),
            ],
            namelen: word(msg + MSG_NAMELEN),
            controllen,
            flags: word(msg + MSG_FLAGS),
            cmsg: cmsg_head(&control_bytes, controllen),
        };
        check_passed_fd(&control_bytes, pipe[0]);
        close(&[a, b, pipe[0] as u64, pipe[1] as u64]);
        got
    }

    #[test]
    fn sendmsg_recvmsg_round_trip_matches_the_host() {
        for with_name in [true, false] {
            let guest = guest_exchange(with_name);
            assert_eq!(guest.data[0], b"hell");
            assert_eq!(&guest.data[1][..8], b"o, world");
            assert_eq!(guest, native_exchange(with_name), "with name: {with_name}");
        }
    }

    /// bind takes a guest address; getsockname and recvfrom write the address and its length
    /// back through the guest pointers, as the host reports them for the same socket.
    #[test]
    fn addresses_and_lengths_by_pointer() {
        let (mut p, buf) = process();
        let (a, b) = guest_socketpair(&mut p, libc::SOCK_DGRAM, buf);
        let (len, name, data, addr) = (buf + 0x100, buf + 0x200, buf + 0x300, buf + 0x400);
        let mut sun = vec![libc::AF_UNIX as u8, 0, 0]; // abstract: a NUL, then the name
        sun.extend_from_slice(format!("emu-net-test-{}", std::process::id()).as_bytes());
        p.space.write_bytes(addr, &sun).unwrap();
        assert_eq!(
            p.dispatch(200, [a, addr, sun.len() as u64, 0, 0, 0]),
            0,
            "bind"
        );
        // SAFETY: the host's own view of the same socket's address, into a local.
        let host_name = unsafe {
            let mut ss = [0u8; 128];
            let mut l = 128 as libc::socklen_t;
            let r = libc::getsockname(a as i32, ss.as_mut_ptr().cast(), &mut l);
            assert_eq!(r, 0);
            ss[..l as usize].to_vec()
        };
        assert_eq!(host_name, sun);
        let reported = |p: &Process| {
            let l = u32::from_le_bytes(p.space.read_bytes(len, 4).unwrap().try_into().unwrap());
            p.space.read_bytes(name, l as usize).unwrap()
        };
        p.space.write_u32(len, 128).unwrap();
        assert_eq!(p.dispatch(204, [a, name, len, 0, 0, 0]), 0, "getsockname");
        assert_eq!(reported(&p), host_name);
        p.space.write_bytes(data, b"xyz").unwrap();
        assert_eq!(p.dispatch(206, [a, data, 3, 0, 0, 0]), 3, "sendto");
        p.space.write_u32(len, 128).unwrap();
        p.space.write_bytes(name, &[0; 128]).unwrap();
        assert_eq!(
            p.dispatch(207, [b, data + 8, 8, 0, name, len]),
            3,
            "recvfrom"
        );
        assert_eq!(p.space.read_bytes(data + 8, 3).unwrap(), b"xyz");
        assert_eq!(reported(&p), host_name, "the sender's address");
        close(&[a, b]);
    }

    /// The socket and event tables are sorted, and none of their numbers is shadowed by the
    /// generic table (`lookup` tries that first) on either guest arch.
    #[test]
    fn tables_are_sorted_and_reachable() {
        use crate::arch::GuestArch;
        for table in [SYSCALLS, super::super::events::SYSCALLS] {
            for w in table.windows(2) {
                assert!(w[0].nr < w[1].nr, "{} / {}", w[0].name, w[1].name);
            }
            for s in table {
                for arch in [GuestArch::Riscv64, GuestArch::Aarch64] {
                    let found = super::super::lookup(arch, s.nr).map(|r| r.name);
                    assert_eq!(found, Some(s.name), "{arch:?} {}", s.nr);
                }
            }
        }
    }
}
