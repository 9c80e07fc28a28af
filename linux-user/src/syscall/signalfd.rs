//! `signalfd4`: guest signals are emulated (the host handlers take every host signal), so a
//! guest signalfd is a host eventfd kept readable exactly while a signal of its mask may be
//! pending, plus a table entry with that mask. A signal becoming pending (a host signal in the
//! handler, a guest `kill`/`raise` in the syscall layer) bumps the eventfds whose mask holds it
//! ([`notify`], async-signal-safe); `read` on one of these fds takes pending signals of the mask
//! and returns them as `struct signalfd_siginfo` records (the same layout on every arch).
//! `poll`/`epoll` then work on the host eventfd unchanged. A `dup` of a signalfd is a plain
//! eventfd to the emulator (a known gap).

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use super::signal::{guest_sigmask, SigInfo, UNBLOCKABLE};
use super::{host_syscall, Process};
use crate::errno::{Errno, SysResult};

/// Most signalfds at once.
const SLOTS: usize = 64;
/// `sizeof(struct signalfd_siginfo)`.
const RECORD: usize = 128;
/// `SFD_NONBLOCK` / `SFD_CLOEXEC` (= the host's `O_NONBLOCK` / `O_CLOEXEC` = `EFD_*`).
const SFD_FLAGS: u64 = (libc::O_NONBLOCK | libc::O_CLOEXEC) as u64;

/// One signalfd: its host eventfd (-1: free slot) and the guest signals it reports.
struct Slot {
    fd: AtomicI32,
    mask: AtomicU64,
}

static TABLE: [Slot; SLOTS] = [const {
    Slot {
        fd: AtomicI32::new(-1),
        mask: AtomicU64::new(0),
    }
}; SLOTS];

fn slot_of(fd: i32) -> Option<&'static Slot> {
    TABLE.iter().find(|s| s.fd.load(Ordering::Acquire) == fd)
}

/// Whether guest fd `fd` is a signalfd.
pub fn is_signalfd(fd: u64) -> bool {
    i32::try_from(fd).is_ok_and(|fd| fd >= 0 && slot_of(fd).is_some())
}

/// Signal `sig` became pending: make the signalfds watching it readable (async-signal-safe:
/// atomics and `write`).
pub fn notify(sig: usize) {
    let bit = 1u64 << (sig - 1);
    for s in &TABLE {
        let fd = s.fd.load(Ordering::Acquire);
        if fd >= 0 && s.mask.load(Ordering::Acquire) & bit != 0 {
            let one = 1u64;
            // SAFETY: writing 8 bytes from a local to an eventfd.
            unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
        }
    }
}

/// `signalfd4(fd, mask, size, flags)`: a new signalfd (`fd` = -1) or a new mask for one.
pub fn signalfd4(p: &mut Process, a: [u64; 6]) -> SysResult {
    let mask = guest_sigmask(p, a[1], a[2])?.ok_or(Errno::EFAULT)? & !UNBLOCKABLE;
    if a[3] & !SFD_FLAGS != 0 {
        return Err(Errno::EINVAL);
    }
    let fd = a[0] as i32;
    if fd != -1 {
        let slot = slot_of(fd).ok_or(Errno::EINVAL)?;
        slot.mask.store(mask, Ordering::Release);
        wake_if_pending(p, fd, mask);
        return Ok(fd as u64);
    }
    let new = host_syscall(libc::SYS_eventfd2, [0, a[3], 0, 0, 0, 0])? as i32;
    let Some(slot) = TABLE.iter().find(|s| {
        s.fd.compare_exchange(-1, new, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }) else {
        let _ = host_syscall(libc::SYS_close, [new as u64, 0, 0, 0, 0, 0]);
        return Err(Errno(libc::EMFILE));
    };
    slot.mask.store(mask, Ordering::Release);
    wake_if_pending(p, new, mask);
    Ok(new as u64)
}

fn wake_if_pending(p: &mut Process, fd: i32, mask: u64) {
    crate::signals::collect_host(&mut p.signals);
    if p.signals.all_pending() & mask != 0 {
        let one = 1u64;
        // SAFETY: writing 8 bytes from a local to our eventfd.
        unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
    }
}

/// `close` of a signalfd frees its table entry (the caller closes the host fd).
pub fn forget(fd: u64) {
    if let Some(slot) = i32::try_from(fd).ok().and_then(slot_of) {
        slot.fd.store(-1, Ordering::Release);
    }
}

/// `read(fd, buf, len)` on a signalfd: as many pending signals of its mask as fit, waiting for
/// one (on the eventfd) unless the fd is non-blocking.
pub fn read(p: &mut Process, fd: u64, buf: u64, len: u64) -> SysResult {
    let fd = fd as i32;
    let slot = slot_of(fd).ok_or(Errno::EBADF)?;
    let room = len as usize / RECORD;
    if room == 0 {
        return Err(Errno::EINVAL);
    }
    p.space.write_ptr(buf, (room * RECORD) as u64)?;
    loop {
        crate::signals::collect_host(&mut p.signals);
        let mask = slot.mask.load(Ordering::Acquire);
        let mut taken = 0;
        while taken < room {
            let Some((_, info)) = p.signals.take_next(!mask) else {
                break;
            };
            let at = buf + (taken * RECORD) as u64;
            p.space.write_bytes(at, &record(&info))?;
            taken += 1;
        }
        if p.signals.all_pending() & mask == 0 {
            drain(fd);
        }
        if taken > 0 {
            return Ok((taken * RECORD) as u64);
        }
        // Nothing pending: wait for the eventfd (EAGAIN if non-blocking, EINTR on a signal).
        let mut counter = 0u64;
        let ptr = &mut counter as *mut u64 as u64;
        host_syscall(libc::SYS_read, [fd as u64, ptr, 8, 0, 0, 0])?;
    }
}

/// Empty the eventfd's counter without blocking.
fn drain(fd: i32) {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: polling one local pollfd, then reading 8 bytes into a local.
    unsafe {
        if libc::poll(&mut pfd, 1, 0) == 1 {
            let mut counter = 0u64;
            libc::read(fd, (&mut counter as *mut u64).cast(), 8);
        }
    }
}

/// The `struct signalfd_siginfo` of `info`.
fn record(info: &SigInfo) -> [u8; RECORD] {
    let mut b = [0u8; RECORD];
    let put32 = |b: &mut [u8; RECORD], off: usize, v: u32| {
        b[off..off + 4].copy_from_slice(&v.to_le_bytes())
    };
    put32(&mut b, 0, info.signo as u32);
    put32(&mut b, 8, info.code as u32);
    let fault = matches!(
        info.signo,
        libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE | libc::SIGTRAP
    ) && info.code > 0;
    if fault {
        b[72..80].copy_from_slice(&info.word0.to_le_bytes()); // ssi_addr
    } else {
        put32(&mut b, 12, info.word0 as u32); // ssi_pid
        put32(&mut b, 16, (info.word0 >> 32) as u32); // ssi_uid
        if info.signo == libc::SIGCHLD {
            put32(&mut b, 40, info.word1 as u32); // ssi_status
        } else {
            put32(&mut b, 44, info.word1 as u32); // ssi_int
            b[48..56].copy_from_slice(&info.word1.to_le_bytes()); // ssi_ptr
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets of `struct signalfd_siginfo` fields, checked against the host's definition.
    #[test]
    fn record_layout_matches_the_kernel() {
        assert_eq!(std::mem::size_of::<libc::signalfd_siginfo>(), RECORD);
        let info = SigInfo {
            signo: libc::SIGCHLD,
            code: 1,
            word0: 77 | 1000 << 32,
            word1: 42,
        };
        let b = record(&info);
        // SAFETY: `b` has exactly the size of the plain-integer struct read from it.
        let si: libc::signalfd_siginfo = unsafe { std::ptr::read_unaligned(b.as_ptr().cast()) };
        assert_eq!(
            (
                si.ssi_signo,
                si.ssi_code,
                si.ssi_pid,
                si.ssi_uid,
                si.ssi_status
            ),
            (17, 1, 77, 1000, 42)
        );
        let segv = SigInfo {
            signo: libc::SIGSEGV,
            code: 1,
            word0: 0xdead_0000,
            word1: 0,
        };
        // SAFETY: as above.
        let si: libc::signalfd_siginfo =
            unsafe { std::ptr::read_unaligned(record(&segv).as_ptr().cast()) };
        assert_eq!(si.ssi_addr, 0xdead_0000);
        let queued = SigInfo {
            signo: 34,
            code: -1,
            word0: 5,
            word1: 1234,
        };
        // SAFETY: as above.
        let si: libc::signalfd_siginfo =
            unsafe { std::ptr::read_unaligned(record(&queued).as_ptr().cast()) };
        assert_eq!((si.ssi_int, si.ssi_ptr), (1234, 1234));
    }
}
