//! Signal syscalls and the guest's signal bookkeeping ([`SignalState`]): actions, the blocked
//! mask, pending signals with their `siginfo`, the alternate stack.
//!
//! `kill`/`tkill`/`tgkill` aimed at ourselves queue the signal here; everything else goes to
//! the host, whose signals come back through [`crate::signals`]' host handler. Delivery (frames,
//! default actions) is [`crate::signals`]' job at the next return to guest code. Signal numbers
//! of riscv64 and aarch64 (asm-generic) equal the host's.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use super::{host_syscall, Process};
use crate::errno::{Errno, SysResult};

/// Highest signal number.
pub const NSIG: usize = 64;
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;
pub const SA_NOCLDSTOP: u64 = 0x1;
pub const SA_NOCLDWAIT: u64 = 0x2;
pub const SA_SIGINFO: u64 = 0x4;
pub const SA_RESTORER: u64 = 0x0400_0000;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;
pub const SS_ONSTACK: u64 = 1;
pub const SS_DISABLE: u64 = 2;
/// `si_code` values.
pub const SI_USER: i32 = 0;
pub const SI_TKILL: i32 = -6;
/// Signals that cannot be blocked, caught or ignored.
pub const UNBLOCKABLE: u64 = sigbit(libc::SIGKILL as usize) | sigbit(libc::SIGSTOP as usize);

/// Signals whose default action is to do nothing (the stop signals too: job control is not
/// emulated).
const IGNORED_BY_DEFAULT: &[i32] = &[
    libc::SIGCHLD,
    libc::SIGURG,
    libc::SIGWINCH,
    libc::SIGCONT,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
];

/// The mask bit of signal `sig` (1..=64).
pub const fn sigbit(sig: usize) -> u64 {
    1 << (sig - 1)
}

/// One guest `struct sigaction`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Action {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

/// The fields of a queued signal's `siginfo` (the rest is zero).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigInfo {
    pub signo: i32,
    pub code: i32,
    /// Bytes 16..24: `si_pid` + `si_uid`, or `si_addr`.
    pub word0: u64,
    /// Bytes 24..32 (e.g. `si_status` of SIGCHLD).
    pub word1: u64,
}

impl SigInfo {
    /// A signal sent by process `pid` (user `uid`).
    pub fn from_process(signo: i32, code: i32, pid: u32, uid: u32) -> SigInfo {
        SigInfo {
            signo,
            code,
            word0: u64::from(pid) | u64::from(uid) << 32,
            word1: 0,
        }
    }

    /// The guest's 128-byte `siginfo_t`.
    pub fn to_bytes(self) -> [u8; 128] {
        let mut b = [0u8; 128];
        b[0..4].copy_from_slice(&self.signo.to_le_bytes());
        b[8..12].copy_from_slice(&self.code.to_le_bytes());
        b[16..24].copy_from_slice(&self.word0.to_le_bytes());
        b[24..32].copy_from_slice(&self.word1.to_le_bytes());
        b
    }
}

/// What the last hardware exception of a thread left behind (Linux's `thread.trap_nr`,
/// `error_code` and `cr2`): the x86_64 signal frame reports it in `sigcontext`, for the
/// fault's own signal and for any later one, as the kernel does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrapInfo {
    /// The x86 exception vector (14 page fault, 13 #GP, 6 #UD, 3 #BP, 0 #DE).
    pub trapno: u64,
    /// The exception's error code (for page faults: present, write, user, fetch bits).
    pub error_code: u64,
    /// The faulting address of the last page fault.
    pub fault_address: u64,
}

/// The guest's `stack_t` for `sigaltstack`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AltStack {
    pub sp: u64,
    pub flags: u64,
    pub size: u64,
}

impl AltStack {
    /// Whether `sp` is on this alternate stack.
    pub fn contains(&self, sp: u64) -> bool {
        self.flags & SS_DISABLE == 0 && sp > self.sp && sp - self.sp <= self.size
    }

    /// `ss_flags` as the kernel reports them for a thread at `sp`.
    pub fn reported_flags(&self, sp: u64) -> u64 {
        if self.flags & SS_DISABLE != 0 {
            SS_DISABLE
        } else if self.contains(sp) {
            SS_ONSTACK
        } else {
            0
        }
    }

    /// A guest `stack_t` (24 bytes: `ss_sp`, `ss_flags`, `ss_size`).
    pub fn from_bytes(b: &[u8]) -> AltStack {
        let w = |i: usize| {
            b.get(i..i + 8)
                .and_then(|s| s.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        AltStack {
            sp: w(0),
            flags: w(8) & 0xffff_ffff,
            size: w(16),
        }
    }

    /// The 24-byte `stack_t` as seen by a thread at `sp`.
    pub fn to_bytes(self, sp: u64) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&self.sp.to_le_bytes());
        b[8..12].copy_from_slice(&(self.reported_flags(sp) as u32).to_le_bytes());
        b[16..24].copy_from_slice(&self.size.to_le_bytes());
        b
    }
}

/// A set of pending signals with their `siginfo`: one instance per standard signal (a second
/// one merges with the first, as Linux), every instance of a real-time signal (32 and up),
/// delivered in the order sent.
#[derive(Clone, Debug)]
pub struct Pending {
    pub bits: u64,
    pub info: [SigInfo; NSIG + 1],
    /// Further instances of real-time signals, oldest first.
    more: std::collections::VecDeque<SigInfo>,
}

/// The first real-time signal number.
const SIGRT_FIRST: usize = 32;

impl Default for Pending {
    fn default() -> Pending {
        Pending {
            bits: 0,
            info: [SigInfo::default(); NSIG + 1],
            more: std::collections::VecDeque::new(),
        }
    }
}

impl Pending {
    fn add(&mut self, info: SigInfo) {
        let sig = info.signo as usize;
        if self.bits & sigbit(sig) == 0 {
            self.info[sig] = info;
        } else if sig >= SIGRT_FIRST {
            self.more.push_back(info);
        }
        self.bits |= sigbit(sig);
    }

    /// The lowest signal not in `mask`, taken off the set (its next instance, if queued,
    /// stays pending).
    fn take(&mut self, mask: u64) -> Option<(usize, SigInfo)> {
        let ready = self.bits & !mask;
        if ready == 0 {
            return None;
        }
        let sig = ready.trailing_zeros() as usize + 1;
        let taken = self.info[sig];
        match self.more.iter().position(|i| i.signo as usize == sig) {
            Some(at) => self.info[sig] = self.more.remove(at).unwrap_or_default(),
            None => self.bits &= !sigbit(sig),
        }
        Some((sig, taken))
    }

    /// Forget every instance of `sig`.
    fn remove(&mut self, sig: usize) {
        self.bits &= !sigbit(sig);
        self.more.retain(|i| i.signo as usize != sig);
    }

    fn clear(&mut self) {
        *self = Pending::default();
    }
}

/// The signal state every thread of the process shares: the actions, the signals sent to the
/// process as a whole, and the `rt_sigreturn` trampoline page.
#[derive(Debug)]
pub struct SharedSignals {
    actions: Mutex<[Action; NSIG + 1]>,
    pending: Mutex<Pending>,
    /// Guest address of the `rt_sigreturn` trampoline page (0: not mapped yet).
    pub trampoline: AtomicU64,
}

impl Default for SharedSignals {
    fn default() -> SharedSignals {
        SharedSignals {
            actions: Mutex::new([Action::default(); NSIG + 1]),
            pending: Mutex::default(),
            trampoline: AtomicU64::new(0),
        }
    }
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One thread's view of the signals: its mask, alternate stack and thread-directed pending
/// signals, plus the process-wide [`SharedSignals`].
#[derive(Debug)]
pub struct SignalState {
    pub shared: Arc<SharedSignals>,
    /// The guest `struct sigaction` has `sa_restorer` (aarch64) before the mask.
    has_restorer: bool,
    pub mask: u64,
    /// Signals sent to this thread.
    pub pending: Pending,
    pub altstack: AltStack,
    /// The mask to restore after a handler interrupted `rt_sigsuspend`.
    pub saved_mask: Option<u64>,
    /// The guest stack pointer at the current syscall (for `sigaltstack`'s `SS_ONSTACK`).
    pub syscall_sp: u64,
    /// The thread's last hardware exception.
    pub trap: TrapInfo,
}

impl SignalState {
    pub fn new(sigaction_size: usize) -> SignalState {
        SignalState {
            shared: Arc::default(),
            has_restorer: sigaction_size >= 32,
            mask: 0,
            pending: Pending::default(),
            altstack: AltStack {
                sp: 0,
                flags: SS_DISABLE,
                size: 0,
            },
            saved_mask: None,
            syscall_sp: 0,
            trap: TrapInfo::default(),
        }
    }

    /// The state of a new thread: the creator's mask, no pending signals, no alternate stack
    /// (as `clone` with `CLONE_VM` in Linux).
    pub fn for_new_thread(&self) -> SignalState {
        SignalState {
            mask: self.mask,
            ..SignalState::new(self.action_size())
        }
        .sharing(&self.shared)
    }

    fn sharing(mut self, shared: &Arc<SharedSignals>) -> SignalState {
        self.shared = shared.clone();
        self
    }

    /// Install the alternate stack `n` for a thread at `sp`, as `sigaltstack` (and
    /// `rt_sigreturn`'s restore of `uc_stack`) does.
    pub fn set_altstack(&mut self, mut n: AltStack, sp: u64) -> Result<(), Errno> {
        const MINSIGSTKSZ: u64 = 2048;
        if self.altstack.contains(sp) {
            return Err(Errno::EPERM);
        }
        match n.flags {
            SS_DISABLE => {
                n = AltStack {
                    sp: 0,
                    flags: SS_DISABLE,
                    size: 0,
                }
            }
            0 | SS_ONSTACK => {
                if n.size < MINSIGSTKSZ {
                    return Err(Errno::ENOMEM);
                }
                n.flags = 0;
            }
            _ => return Err(Errno::EINVAL),
        }
        self.altstack = n;
        Ok(())
    }

    /// The action for `sig` (default for out-of-range numbers).
    pub fn action(&self, sig: usize) -> Action {
        locked(&self.shared.actions)
            .get(sig)
            .copied()
            .unwrap_or_default()
    }

    /// Set the action of `sig` (1..=NSIG); pending instances of a now-ignored signal go.
    pub fn set_action(&mut self, sig: usize, action: Action) {
        if let Some(a) = locked(&self.shared.actions).get_mut(sig) {
            *a = action;
        }
        if self.is_ignored(sig) {
            self.pending.remove(sig);
            locked(&self.shared.pending).remove(sig);
        }
    }

    /// Whether delivering `sig` now would do nothing.
    pub fn is_ignored(&self, sig: usize) -> bool {
        match self.action(sig).handler {
            SIG_IGN => true,
            SIG_DFL => IGNORED_BY_DEFAULT.contains(&(sig as i32)),
            _ => false,
        }
    }

    /// Whether `info` should be dropped at send time: unblocked and ignored (as Linux does),
    /// or a child's stop/continue report under `SA_NOCLDSTOP`.
    fn drops(&self, info: &SigInfo) -> bool {
        const CLD_STOPPED: i32 = 5;
        const CLD_CONTINUED: i32 = 6;
        let sig = info.signo as usize;
        if sig == 0 || sig > NSIG {
            return true;
        }
        let child_stop = sig == libc::SIGCHLD as usize
            && matches!(info.code, CLD_STOPPED | CLD_CONTINUED)
            && self.action(sig).flags & SA_NOCLDSTOP != 0;
        child_stop || (self.mask & sigbit(sig) == 0 && self.is_ignored(sig))
    }

    /// A forked child starts with no pending signals (its mask and actions are kept).
    pub fn clear_pending(&mut self) {
        self.pending.clear();
        locked(&self.shared.pending).clear();
    }

    /// Make `info.signo` pending for this thread.
    pub fn queue(&mut self, info: SigInfo) {
        if !self.drops(&info) {
            self.pending.add(info);
            super::signalfd::notify(info.signo as usize);
        }
    }

    /// Make `info.signo` pending for the whole process (any thread not blocking it takes it).
    pub fn queue_process(&mut self, info: SigInfo) {
        if !self.drops(&info) {
            locked(&self.shared.pending).add(info);
            super::signalfd::notify(info.signo as usize);
        }
    }

    /// Every signal pending for this thread or the process.
    pub fn all_pending(&self) -> u64 {
        self.pending.bits | locked(&self.shared.pending).bits
    }

    /// The next signal to deliver, as Linux's `dequeue_signal`: the lowest one sent to this
    /// thread and not in `mask`, else the lowest such one sent to the process.
    pub fn take_next(&mut self, mask: u64) -> Option<(usize, SigInfo)> {
        self.pending
            .take(mask)
            .or_else(|| locked(&self.shared.pending).take(mask))
    }

    fn action_size(&self) -> usize {
        if self.has_restorer {
            32
        } else {
            24
        }
    }

    fn action_to_bytes(&self, a: Action) -> Vec<u8> {
        let mut words = vec![a.handler, a.flags];
        if self.has_restorer {
            words.push(a.restorer);
        }
        words.push(a.mask);
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    fn action_from_bytes(&self, b: &[u8]) -> Action {
        let word = |i: usize| {
            b.get(i * 8..i * 8 + 8)
                .and_then(|s| s.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        let (restorer, mask) = if self.has_restorer {
            (word(2), word(3))
        } else {
            (0, word(2))
        };
        Action {
            handler: word(0),
            flags: word(1),
            restorer,
            mask: mask & !UNBLOCKABLE,
        }
    }
}

fn check_signal(sig: u64) -> Result<usize, Errno> {
    if sig == 0 || sig > NSIG as u64 {
        return Err(Errno::EINVAL);
    }
    Ok(sig as usize)
}

fn check_sigset_size(size: u64) -> Result<(), Errno> {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

pub fn rt_sigaction(p: &mut Process, a: [u64; 6]) -> SysResult {
    let sig = check_signal(a[0])?;
    check_sigset_size(a[3])?;
    let size = p.signals.action_size();
    let new = if a[1] != 0 {
        let b = p.space.read_bytes(a[1], size)?;
        Some(p.signals.action_from_bytes(&b))
    } else {
        None
    };
    if new.is_some() && UNBLOCKABLE & sigbit(sig) != 0 {
        return Err(Errno::EINVAL);
    }
    if a[2] != 0 {
        let old = p.signals.action_to_bytes(p.signals.action(sig));
        p.space.write_bytes(a[2], &old)?;
    }
    if let Some(new) = new {
        p.signals.set_action(sig, new);
        if sig == libc::SIGCHLD as usize {
            crate::signals::mirror_sigchld(&new);
        }
    }
    Ok(0)
}

/// Rust starts with SIGPIPE ignored; the guest starts with the default action. (The host
/// handlers of [`crate::signals::install`] then take SIGPIPE over.)
pub fn mirror_sigpipe(guest_handler: u64) {
    let host = if guest_handler == SIG_DFL {
        libc::SIG_DFL
    } else {
        libc::SIG_IGN
    };
    // SAFETY: setting a standard disposition for SIGPIPE.
    unsafe { libc::signal(libc::SIGPIPE, host) };
}

pub fn rt_sigprocmask(p: &mut Process, a: [u64; 6]) -> SysResult {
    check_sigset_size(a[3])?;
    let old = p.signals.mask;
    if a[1] != 0 {
        let set = p.space.read_u64(a[1])?;
        let new = match a[0] as i32 {
            libc::SIG_BLOCK => old | set,
            libc::SIG_UNBLOCK => old & !set,
            libc::SIG_SETMASK => set,
            _ => return Err(Errno::EINVAL),
        };
        p.signals.mask = new & !UNBLOCKABLE;
    }
    if a[2] != 0 {
        p.space.write_u64(a[2], old)?;
    }
    Ok(0)
}

pub fn rt_sigpending(p: &mut Process, a: [u64; 6]) -> SysResult {
    check_sigset_size(a[1])?;
    crate::signals::collect_host(&mut p.signals);
    let set = p.signals.all_pending() & p.signals.mask;
    p.space.write_u64(a[0], set)?;
    Ok(0)
}

/// `rt_sigsuspend(mask, size)`: wait with `mask` until a signal is deliverable; always `EINTR`
/// (the old mask comes back after the handler, through the frame).
pub fn rt_sigsuspend(p: &mut Process, a: [u64; 6]) -> SysResult {
    check_sigset_size(a[1])?;
    let mask = p.space.read_u64(a[0])? & !UNBLOCKABLE;
    let old = p.signals.mask;
    p.signals.mask = mask;
    crate::signals::wait_host(&mut p.signals, None, |s| s.all_pending() & !s.mask != 0);
    p.signals.saved_mask = Some(old);
    Err(Errno(libc::EINTR))
}

/// `rt_sigtimedwait(set, info, timeout, size)`: take a signal of `set` (waiting for one up to
/// `timeout`); `EINTR` when another, unblocked signal arrives first.
pub fn rt_sigtimedwait(p: &mut Process, a: [u64; 6]) -> SysResult {
    check_sigset_size(a[3])?;
    let set = p.space.read_u64(a[0])? & !UNBLOCKABLE;
    let timeout = if a[2] != 0 {
        let b = p.space.read_bytes(a[2], 16)?;
        let w = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
        Some(libc::timespec {
            tv_sec: w(0) as i64,
            tv_nsec: w(8) as i64,
        })
    } else {
        None
    };
    crate::signals::wait_host(&mut p.signals, timeout, |s| {
        s.all_pending() & (set | !s.mask) != 0
    });
    let Some((sig, info)) = p.signals.take_next(!set) else {
        if p.signals.all_pending() & !p.signals.mask != 0 {
            return Err(Errno(libc::EINTR));
        }
        return Err(Errno::EAGAIN);
    };
    if a[1] != 0 {
        p.space.write_bytes(a[1], &info.to_bytes())?;
    }
    Ok(sig as u64)
}

pub fn sigaltstack(p: &mut Process, a: [u64; 6]) -> SysResult {
    let sp = p.signals.syscall_sp;
    let new = if a[0] != 0 {
        let b = p.space.read_bytes(a[0], 24)?;
        Some(AltStack::from_bytes(&b))
    } else {
        None
    };
    if a[1] != 0 {
        let old = p.signals.altstack.to_bytes(sp);
        p.space.write_bytes(a[1], &old)?;
    }
    match new {
        Some(n) => p.signals.set_altstack(n, sp).map(|()| 0),
        None => Ok(0),
    }
}

/// `rt_sigqueueinfo(pid, sig, info)`: to ourselves, queued with the caller's `siginfo` words.
pub fn rt_sigqueueinfo(p: &mut Process, a: [u64; 6]) -> SysResult {
    let sig = check_signal(a[1])?;
    let b = p.space.read_bytes(a[2], 128)?;
    if !is_self(a[0]) {
        return host_syscall(
            libc::SYS_rt_sigqueueinfo,
            [a[0], a[1], b.as_ptr() as u64, 0, 0, 0],
        );
    }
    let w = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
    let code = w(8) as u32 as i32;
    if code >= 0 || code == SI_TKILL {
        return Err(Errno::EPERM);
    }
    p.signals.queue_process(SigInfo {
        signo: sig as i32,
        code,
        word0: w(16),
        word1: w(24),
    });
    Ok(0)
}

/// `getitimer(which, value)`: `struct itimerval` has the host's layout.
pub fn getitimer(p: &mut Process, a: [u64; 6]) -> SysResult {
    let out = p.space.write_ptr(a[1], 32)?;
    host_syscall(libc::SYS_getitimer, [a[0], out as u64, 0, 0, 0, 0])
}

/// `setitimer(which, new, old)`: the host timer's signal comes back as a guest signal.
pub fn setitimer(p: &mut Process, a: [u64; 6]) -> SysResult {
    let new = super::opt_ptr(p, a[1], 32, false)?;
    let old = super::opt_ptr(p, a[2], 32, true)?;
    host_syscall(libc::SYS_setitimer, [a[0], new, old, 0, 0, 0])
}

fn host_id(nr: libc::c_long) -> u32 {
    host_syscall(nr, [0; 6]).unwrap_or(0) as u32
}

/// A signal sent to our own process (`SI_USER`, any thread may take it) or to the calling
/// thread (`SI_TKILL`): queued for delivery at the end of the syscall.
fn signal_self(p: &mut Process, sig: u64, code: i32) -> SysResult {
    if sig == 0 {
        return Ok(0);
    }
    let sig = check_signal(sig)?;
    let info = SigInfo::from_process(
        sig as i32,
        code,
        host_id(libc::SYS_getpid),
        host_id(libc::SYS_getuid),
    );
    if code == SI_TKILL {
        p.signals.queue(info);
    } else {
        p.signals.queue_process(info);
    }
    Ok(0)
}

/// A signal for thread `tid` of this process. Another guest thread gets it through the host
/// (`tgkill`, so it interrupts a blocking syscall there) when the host handlers catch that
/// signal; the others (SIGABRT, SIGSEGV, ...) are not caught on the host and are queued for
/// the process instead, so any thread not blocking them takes them.
fn signal_thread(p: &mut Process, tid: u64, sig: u64) -> SysResult {
    let tid = tid as i32;
    if tid == host_id(libc::SYS_gettid) as i32 {
        return signal_self(p, sig, SI_TKILL);
    }
    if !crate::threads::is_guest_thread(tid) {
        return Err(Errno::ESRCH);
    }
    if sig == 0 {
        return Ok(0);
    }
    let signo = check_signal(sig)? as i32;
    if crate::signals::is_caught_on_host(signo) {
        let pid = u64::from(host_id(libc::SYS_getpid));
        return host_syscall(libc::SYS_tgkill, [pid, tid as u64, sig, 0, 0, 0]);
    }
    signal_self(p, sig, SI_USER)
}

fn is_self(pid: u64) -> bool {
    pid as i32 == host_id(libc::SYS_getpid) as i32
}

pub fn kill(p: &mut Process, a: [u64; 6]) -> SysResult {
    if is_self(a[0]) {
        return signal_self(p, a[1], SI_USER);
    }
    host_syscall(libc::SYS_kill, [a[0] as i32 as u64, a[1], 0, 0, 0, 0])
}

pub fn tkill(p: &mut Process, a: [u64; 6]) -> SysResult {
    signal_thread(p, a[0], a[1])
}

pub fn tgkill(p: &mut Process, a: [u64; 6]) -> SysResult {
    if !is_self(a[0]) {
        return Err(Errno::ESRCH);
    }
    signal_thread(p, a[1], a[2])
}

/// The kernel's `sigset_t` size.
pub(crate) const SIGSET_SIZE: u64 = 8;
/// Host signals a wait never blocks: the synchronous ones (the emulator's own faults) and the
/// two glibc keeps for itself.
const NEVER_BLOCKED: u64 = sigbit(libc::SIGSEGV as usize)
    | sigbit(libc::SIGBUS as usize)
    | sigbit(libc::SIGILL as usize)
    | sigbit(libc::SIGFPE as usize)
    | sigbit(libc::SIGTRAP as usize)
    | sigbit(32)
    | sigbit(33);

/// The optional guest signal mask at `addr` (`size` must be the kernel's sigset size).
pub(crate) fn guest_sigmask(p: &Process, addr: u64, size: u64) -> Result<Option<u64>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    Ok(Some(p.space.read_u64(addr)? & !UNBLOCKABLE))
}

/// Run the host wait `call(host mask pointer, mask size)` with the guest's signal mask
/// replaced by `mask` (no mask: the host gets NULL and the masks are left alone).
///
/// As in the kernel, a signal the mask lets through ends the wait with `EINTR`, and the guest
/// mask is then left as `mask` with the old one saved for the handler's frame to restore;
/// otherwise the old mask comes back at once. The host signals are blocked while the guest's
/// pending set is checked and atomically unblocked (but for `mask`) by the host wait, so a
/// signal arriving in between is not lost.
pub(crate) fn with_sigmask(
    p: &mut Process,
    mask: Option<u64>,
    call: impl FnOnce(u64, u64) -> SysResult,
) -> SysResult {
    let Some(mask) = mask else {
        return call(0, 0);
    };
    let old = p.signals.mask;
    p.signals.mask = mask;
    let r = host_sigmask(libc::SIG_BLOCK, !NEVER_BLOCKED).and_then(|host_old| {
        crate::signals::collect_host(&mut p.signals);
        let r = if p.signals.all_pending() & !mask != 0 {
            Err(Errno(libc::EINTR))
        } else {
            let during = host_old | (mask & !NEVER_BLOCKED);
            call(&during as *const u64 as u64, SIGSET_SIZE)
        };
        host_sigmask(libc::SIG_SETMASK, host_old)?;
        r
    });
    if r == Err(Errno(libc::EINTR)) {
        p.signals.saved_mask = Some(old);
    } else {
        p.signals.mask = old;
    }
    r
}

/// Change this thread's host signal mask by `how` with `set`; returns the old mask.
fn host_sigmask(how: libc::c_int, set: u64) -> Result<u64, Errno> {
    let mut old = 0u64;
    host_syscall(
        libc::SYS_rt_sigprocmask,
        [
            how as u64,
            &set as *const u64 as u64,
            &mut old as *mut u64 as u64,
            SIGSET_SIZE,
            0,
            0,
        ],
    )?;
    Ok(old)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_both_layouts() {
        for size in [24, 32] {
            let s = SignalState::new(size);
            let a = Action {
                handler: 0x1234,
                flags: SA_SIGINFO | SA_RESTART,
                restorer: if size == 32 { 0x5678 } else { 0 },
                mask: 0x10,
            };
            let b = s.action_to_bytes(a);
            assert_eq!(b.len(), size);
            assert_eq!(s.action_from_bytes(&b), a);
        }
    }

    #[test]
    fn queue_take_and_ignore() {
        let mut s = SignalState::new(24);
        s.queue(SigInfo::from_process(libc::SIGCHLD, 0, 1, 2));
        assert_eq!(s.all_pending(), 0, "SIGCHLD is ignored by default");
        s.queue(SigInfo::from_process(libc::SIGUSR2, 0, 1, 2));
        s.queue(SigInfo::from_process(libc::SIGUSR1, 0, 1, 2));
        assert_eq!(s.take_next(0).map(|(n, _)| n), Some(libc::SIGUSR1 as usize));
        assert_eq!(s.take_next(sigbit(libc::SIGUSR2 as usize)), None);
        assert_eq!(s.take_next(0).map(|(n, _)| n), Some(libc::SIGUSR2 as usize));
    }
}
