//! Event-notification syscalls: epoll, eventfd, timerfd (guest↔host struct translation where
//! layouts differ, e.g. `struct epoll_event`).
//!
//! The riscv64/aarch64 `struct epoll_event` is `{u32 events; u32 pad; u64 data}` (16 bytes),
//! x86_64's (guest or host) is packed (12 bytes): it is rebuilt for `epoll_ctl` and copied out
//! field by field after a wait (the pad is left alone, as the guest kernel does). `struct itimerspec`
//! has the host layout. A wait given a signal mask runs with it as the guest's mask, which an
//! interrupting handler's frame then restores (as `rt_sigsuspend`).

use super::net::{int, syscall_table};
use super::signal::{guest_sigmask, with_sigmask};
use super::{buf_ptr, opt_ptr};
use super::{host_syscall, Process, Syscall};
use crate::errno::{Errno, SysResult};

const EPOLL_CTL_DEL: i32 = 2;

/// `sizeof(struct epoll_event)` on the guest, and the offset of its `data`.
fn event_layout(p: &Process) -> (u64, u64) {
    match p.arch.arch {
        crate::arch::GuestArch::X86_64 => (12, 4),
        _ => (16, 8),
    }
}
/// Most events one host wait gathers; more ready events stay ready for the next wait, as
/// when the guest itself passes a smaller `maxevents`.
const HOST_EVENTS_MAX: usize = 1024;
/// `sizeof(struct itimerspec)` and `sizeof(struct timespec)`.
const ITIMERSPEC_SIZE: u64 = 32;
const TIMESPEC_SIZE: u64 = 16;
pub fn eventfd2(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(
        libc::SYS_eventfd2,
        [a[0] as u32 as u64, int(a[1]), 0, 0, 0, 0],
    )
}

pub fn inotify_init1(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(libc::SYS_inotify_init1, [int(a[0]), 0, 0, 0, 0, 0])
}

/// `inotify_add_watch(fd, path, mask)`: the path goes through the sysroot like any lookup.
/// The events read from the descriptor have the same layout on every arch.
pub fn inotify_add_watch(p: &mut Process, a: [u64; 6]) -> SysResult {
    crate::syscall::fs::with_path(
        p,
        libc::SYS_inotify_add_watch,
        [int(a[0]), a[1], a[2] as u32 as u64, 0, 0, 0],
        &[1],
    )
}

pub fn inotify_rm_watch(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(
        libc::SYS_inotify_rm_watch,
        [int(a[0]), int(a[1]), 0, 0, 0, 0],
    )
}

pub fn epoll_create1(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(libc::SYS_epoll_create1, [int(a[0]), 0, 0, 0, 0, 0])
}

/// `epoll_ctl(epfd, op, fd, event)`: the event is read for every op but `EPOLL_CTL_DEL`
/// (which ignores it), as the kernel does.
pub fn epoll_ctl(p: &mut Process, a: [u64; 6]) -> SysResult {
    let event = if a[1] as i32 == EPOLL_CTL_DEL {
        None
    } else {
        Some(guest_event(p, a[3])?)
    };
    let host_event = event
        .as_ref()
        .map_or(0, |e| e as *const libc::epoll_event as u64);
    host_syscall(
        libc::SYS_epoll_ctl,
        [int(a[0]), int(a[1]), int(a[2]), host_event, 0, 0],
    )
}

/// The guest `struct epoll_event` at `addr` in the host layout.
fn guest_event(p: &Process, addr: u64) -> Result<libc::epoll_event, Errno> {
    let (size, data_at) = event_layout(p);
    let raw = p.space.read_bytes(addr, size as usize)?;
    let data = &raw[data_at as usize..];
    Ok(libc::epoll_event {
        events: u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]),
        u64: u64::from_le_bytes(data.try_into().map_err(|_| Errno::EFAULT)?),
    })
}

/// `epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize)`.
pub fn epoll_pwait(p: &mut Process, a: [u64; 6]) -> SysResult {
    epoll_wait_with(p, a, libc::SYS_epoll_pwait, int(a[3]))
}

/// `epoll_pwait2(epfd, events, maxevents, timeout, sigmask, sigsetsize)`: the timeout is a
/// `struct timespec` (NULL: none).
pub fn epoll_pwait2(p: &mut Process, a: [u64; 6]) -> SysResult {
    let timeout = opt_ptr(p, a[3], TIMESPEC_SIZE, false)?;
    epoll_wait_with(p, a, libc::SYS_epoll_pwait2, timeout)
}

/// The epoll waits: host call `nr` with the host `timeout` argument, into a host event array
/// whose entries are then copied out in the guest layout. Checks in the kernel's order: the
/// signal mask, then `maxevents`, then the event buffer.
fn epoll_wait_with(p: &mut Process, a: [u64; 6], nr: libc::c_long, timeout: u64) -> SysResult {
    let mask = guest_sigmask(p, a[4], a[5])?;
    let max = a[2] as i32;
    let (size, data_at) = event_layout(p);
    // The kernel's `EP_MAX_EVENTS` for the guest's event size.
    if max <= 0 || max as u64 > i32::MAX as u64 / size {
        return Err(Errno::EINVAL);
    }
    let out = a[1];
    p.space.check(out, max as u64 * size, crate::pages::WRITE)?;
    let mut events =
        vec![libc::epoll_event { events: 0, u64: 0 }; HOST_EVENTS_MAX.min(max as usize)];
    let (buf, len) = (events.as_mut_ptr() as u64, events.len() as u64);
    let n = with_sigmask(p, mask, |host_mask, size| {
        host_syscall(nr, [int(a[0]), buf, len, timeout, host_mask, size])
    })?;
    for (i, e) in events.iter().take(n as usize).enumerate() {
        let at = out + i as u64 * size;
        p.space.write_u32(at, e.events)?;
        p.space.write_u64(at + data_at, e.u64)?;
    }
    Ok(n)
}

pub fn timerfd_create(_p: &mut Process, a: [u64; 6]) -> SysResult {
    host_syscall(libc::SYS_timerfd_create, [int(a[0]), int(a[1]), 0, 0, 0, 0])
}

/// `timerfd_settime(fd, flags, new, old)`: `old` may be NULL.
pub fn timerfd_settime(p: &mut Process, a: [u64; 6]) -> SysResult {
    let new = buf_ptr(p, a[2], ITIMERSPEC_SIZE, false)?;
    let old = opt_ptr(p, a[3], ITIMERSPEC_SIZE, true)?;
    host_syscall(
        libc::SYS_timerfd_settime,
        [int(a[0]), int(a[1]), new, old, 0, 0],
    )
}

pub fn timerfd_gettime(p: &mut Process, a: [u64; 6]) -> SysResult {
    let cur = buf_ptr(p, a[1], ITIMERSPEC_SIZE, true)?;
    host_syscall(libc::SYS_timerfd_gettime, [int(a[0]), cur, 0, 0, 0, 0])
}

syscall_table! {
    /// The event syscalls of the generic table (asm-generic/unistd.h numbers).
    19 eventfd2,
    20 epoll_create1,
    21 epoll_ctl,
    22 epoll_pwait,
    26 inotify_init1,
    27 inotify_add_watch,
    28 inotify_rm_watch,
    85 timerfd_create,
    86 timerfd_settime,
    87 timerfd_gettime,
    441 epoll_pwait2,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::net::tests::{assert_wild_efault, close, process, P};

    const EPOLL_CTL_ADD: u64 = 1;
    /// Offset of `data` in the riscv64 `struct epoll_event` these tests build.
    const GUEST_EVENT_DATA: u64 = 8;
    /// The kernel's `EP_MAX_EVENTS` for riscv64's 16-byte events.
    const EP_MAX_EVENTS: u64 = i32::MAX as u64 / 16;

    /// An eventfd holding 1, and an epoll instance watching it for EPOLLIN with `data`, made
    /// through the guest syscalls (the event struct built in the guest layout at `at`).
    fn epoll_on_eventfd(p: &mut Process, at: u64, data: u64) -> (u64, u64) {
        let efd = p.dispatch(19, [1, 0, 0, 0, 0, 0]);
        let ep = p.dispatch(20, [0, 0, 0, 0, 0, 0]);
        assert!(
            (efd as i64) >= 0 && (ep as i64) >= 0,
            "eventfd2 {efd}, epoll_create1 {ep}"
        );
        p.space.write_u32(at, libc::EPOLLIN as u32).unwrap();
        p.space.write_u32(at + 4, 0x5a5a_5a5a).unwrap(); // pad: ignored
        p.space.write_u64(at + GUEST_EVENT_DATA, data).unwrap();
        assert_eq!(p.dispatch(21, [ep, EPOLL_CTL_ADD, efd, at, 0, 0]), 0);
        (ep, efd)
    }

    #[test]
    fn wild_pointers_are_efault() {
        let (mut p, buf) = process();
        let (ep, efd) = epoll_on_eventfd(&mut p, buf, 1);
        let tfd = p.dispatch(85, [libc::CLOCK_MONOTONIC as u64, 0, 0, 0, 0, 0]);
        let (events, ts, its) = (buf + 0x100, buf + 0x200, buf + 0x400);
        p.space.write_bytes(ts, &[0; 16]).unwrap();
        p.space.write_bytes(its, &[0; 32]).unwrap();
        assert_wild_efault(
            &mut p,
            &[
                (21, [ep, EPOLL_CTL_ADD, efd, P, 0, 0]),
                (22, [ep, P, 4, 0, 0, 0]),
                (22, [ep, events, 4, 0, P, 8]),
                (441, [ep, P, 4, ts, 0, 0]),
                (441, [ep, events, 4, P, 0, 0]),
                (441, [ep, events, 4, ts, P, 8]),
                (86, [tfd, 0, P, 0, 0, 0]),
                (86, [tfd, 0, its, P, 0, 0]),
                (87, [tfd, P, 0, 0, 0, 0]),
            ],
        );
        close(&[ep, efd, tfd]);
    }

    /// A wait returns the event in the guest layout: `events`, the pad left as it was, the
    /// 64-bit data word given to epoll_ctl.
    #[test]
    fn epoll_wait_returns_guest_layout_events() {
        let (mut p, buf) = process();
        let data = 0x0123_4567_89ab_cdef;
        let (ep, efd) = epoll_on_eventfd(&mut p, buf, data);
        let out = buf + 0x100;
        p.space.write_bytes(out, &[0xee; 64]).unwrap();
        assert_eq!(p.dispatch(22, [ep, out, 4, 0, 0, 0]), 1, "epoll_pwait");
        let got = p.space.read_bytes(out, 32).unwrap();
        assert_eq!(got[..4], (libc::EPOLLIN as u32).to_le_bytes());
        assert_eq!(got[4..8], [0xee; 4], "pad untouched");
        assert_eq!(got[8..16], data.to_le_bytes());
        assert_eq!(got[16..], [0xee; 16], "one event only");
        // epoll_pwait2 with a zero timeout, and the same after EPOLL_CTL_DEL (whose event
        // pointer is ignored, even a wild one).
        let ts = buf + 0x200;
        p.space.write_bytes(ts, &[0; 16]).unwrap();
        assert_eq!(p.dispatch(441, [ep, out, 4, ts, 0, 0]), 1, "epoll_pwait2");
        assert_eq!(p.dispatch(21, [ep, EPOLL_CTL_DEL as u64, efd, 8, 0, 0]), 0);
        assert_eq!(p.dispatch(441, [ep, out, 4, ts, 0, 0]), 0);
        close(&[ep, efd]);
    }

    #[test]
    fn bad_waits_are_einval() {
        let (mut p, buf) = process();
        let (ep, efd) = epoll_on_eventfd(&mut p, buf, 1);
        let einval = -(libc::EINVAL as i64);
        for max in [0, -1i64 as u64, EP_MAX_EVENTS + 1] {
            assert_eq!(
                p.dispatch(22, [ep, buf, max, 0, 0, 0]) as i64,
                einval,
                "{max}"
            );
        }
        assert_eq!(
            p.dispatch(22, [ep, buf, 1, 0, buf, 16]) as i64,
            einval,
            "sigsetsize"
        );
        close(&[ep, efd]);
    }

    /// With a signal mask, the wait runs with it as the guest's mask and puts the old one
    /// back; a pending signal it lets through ends the wait with EINTR at once, the old mask
    /// saved for the handler's frame.
    #[test]
    fn epoll_pwait_sigmask() {
        let (mut p, buf) = process();
        let (ep, efd) = epoll_on_eventfd(&mut p, buf, 1);
        let usr1 = super::super::signal::sigbit(libc::SIGUSR1 as usize);
        let (out, mask) = (buf + 0x100, buf + 0x200);
        p.signals.mask = usr1;
        p.space.write_u64(mask, 0).unwrap();
        assert_eq!(p.dispatch(22, [ep, out, 4, 0, mask, 8]), 1);
        assert_eq!((p.signals.mask, p.signals.saved_mask), (usr1, None));

        let handler = super::super::signal::Action {
            handler: 0x1000,
            ..Default::default()
        };
        p.signals.set_action(libc::SIGUSR1 as usize, handler);
        p.signals.queue(super::super::signal::SigInfo::from_process(
            libc::SIGUSR1,
            0,
            1,
            0,
        ));
        p.space.write_u64(mask, usr1).unwrap();
        assert_eq!(p.dispatch(22, [ep, out, 4, 0, mask, 8]), 1, "still blocked");
        assert_eq!((p.signals.mask, p.signals.saved_mask), (usr1, None));
        p.space.write_u64(mask, 0).unwrap();
        let r = p.dispatch(22, [ep, out, 4, -1i64 as u64, mask, 8]) as i64;
        assert_eq!(r, -(libc::EINTR as i64));
        assert_eq!((p.signals.mask, p.signals.saved_mask), (0, Some(usr1)));
        close(&[ep, efd]);
    }

    /// timerfd_settime and timerfd_gettime pass `struct itimerspec` through (host layout).
    #[test]
    fn timerfd_round_trip() {
        let (mut p, buf) = process();
        let tfd = p.dispatch(85, [libc::CLOCK_MONOTONIC as u64, 0, 0, 0, 0, 0]);
        let (new, old, cur) = (buf, buf + 0x100, buf + 0x200);
        let spec = [50u64, 0, 100, 0]; // interval 50 s, value 100 s
        let bytes: Vec<u8> = spec.iter().flat_map(|v| v.to_le_bytes()).collect();
        p.space.write_bytes(new, &bytes).unwrap();
        p.space.write_bytes(old, &[0xff; 32]).unwrap();
        assert_eq!(p.dispatch(86, [tfd, 0, new, old, 0, 0]), 0);
        assert_eq!(
            p.space.read_bytes(old, 32).unwrap(),
            [0; 32],
            "was disarmed"
        );
        assert_eq!(p.dispatch(87, [tfd, cur, 0, 0, 0, 0]), 0);
        assert_eq!(p.space.read_u64(cur).unwrap(), 50, "interval");
        assert!(p.space.read_u64(cur + 16).unwrap() <= 100, "value");
        p.space.write_bytes(new, &[0; 32]).unwrap();
        assert_eq!(p.dispatch(86, [tfd, 0, new, 0, 0, 0]), 0, "disarm, no old");
        assert_eq!(p.dispatch(87, [tfd, cur, 0, 0, 0, 0]), 0);
        assert_eq!(p.space.read_bytes(cur, 32).unwrap(), [0; 32]);
        close(&[tfd]);
    }
}
