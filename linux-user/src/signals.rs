//! Guest signals: the host handlers that turn host signals into pending guest signals, delivery
//! of pending signals to guest handlers at block boundaries and syscall returns (frames built by
//! [`crate::signal_frame`]), `rt_sigreturn`, synchronous signals from guest exceptions,
//! restarting interrupted syscalls, and default actions.
//!
//! A fatal default action ends the emulator the way it would end the guest under Linux (and
//! qemu-user): a core-dumping signal prints
//! `emu-user: uncaught target signal 11 (Segmentation fault) - core dumped`, then the emulator
//! kills itself with the same signal so the parent sees the same wait status.
//!
//! Host signals arrive asynchronously: the handler (async-signal-safe: atomics only) records
//! the signal and its `siginfo` words and raises the CPU's `exit_request`, so the guest stops at
//! the next block entry; host handlers are installed without `SA_RESTART`, so a blocking host
//! syscall returns `EINTR` and [`syscall`] decides, as Linux's `-ERESTARTSYS` handling does,
//! whether the guest sees `EINTR` or the syscall is restarted.
//!
//! Guest signal numbers of riscv64 and aarch64 (asm-generic) equal the host's (x86_64).

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::guest_cpu::GuestCpu;
use crate::memory::Backing;
use crate::signal_frame::{self, FrameInput};
use crate::syscall::signal::{
    sigbit, AltStack, SigInfo, SignalState, TrapInfo, NSIG, SA_NODEFER, SA_ONSTACK, SA_RESETHAND,
    SA_RESTART, SA_RESTORER, SA_SIGINFO, SIG_DFL, SIG_IGN, SI_TKILL, SS_DISABLE, UNBLOCKABLE,
};
use crate::syscall::Process;

/// `rt_sigreturn` (generic syscall number).
pub const SYS_RT_SIGRETURN: u64 = 139;
/// `clone` (generic syscall number): a thread-making clone needs the CPU.
const SYS_CLONE: u64 = 220;
/// Syscalls never restarted after a signal (they report `EINTR` by definition).
const NEVER_RESTART: &[u64] = &[133, 137];
/// Syscalls restarted only when no handler runs (`-ERESTARTNOHAND`, `-ERESTART_RESTARTBLOCK`):
/// pselect6, ppoll, epoll_pwait, nanosleep, clock_nanosleep, epoll_pwait2.
const RESTART_WITHOUT_HANDLER: &[u64] = &[72, 73, 22, 101, 115, 441];
/// `si_code`s of synchronous signals.
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;
pub const ILL_ILLOPC: i32 = 1;
/// x86 reports #UD as an illegal operand.
pub const ILL_ILLOPN: i32 = 2;
/// `si_code` of signals the kernel raises for exceptions without a specific code (#GP, INT3 on x86).
pub const SI_KERNEL: i32 = 0x80;
pub const TRAP_BRKPT: i32 = 1;
/// `si_code` of an integer divide by zero (x86 #DE).
pub const FPE_INTDIV: i32 = 1;
pub const BUS_ADRERR: i32 = 2;

/// Host signals turned into guest signals (the rest keep their host disposition: SIGSEGV and
/// SIGBUS belong to [`crate::fault`], the others stop or crash the emulator itself).
const HOST_CAUGHT: &[i32] = &[
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGPIPE,
    libc::SIGALRM,
    libc::SIGTERM,
    libc::SIGSTKFLT,
    libc::SIGCHLD,
    libc::SIGURG,
    libc::SIGXCPU,
    libc::SIGXFSZ,
    libc::SIGVTALRM,
    libc::SIGPROF,
    libc::SIGWINCH,
    libc::SIGIO,
    libc::SIGPWR,
];
/// First real-time signal caught (glibc keeps 32 and 33 for itself, on the host and the guest).
const FIRST_RT_CAUGHT: i32 = 34;

/// Host signals that arrived and were not yet collected, with their `siginfo` words.
struct HostPending {
    bits: AtomicU64,
    /// Per signal: `si_code` | `si_pid` << 32, and `si_uid` | `si_status` << 32.
    info: [[AtomicU64; 2]; NSIG + 1],
}

impl HostPending {
    const fn new() -> HostPending {
        HostPending {
            bits: AtomicU64::new(0),
            info: [const { [AtomicU64::new(0), AtomicU64::new(0)] }; NSIG + 1],
        }
    }

    /// Record `sig` (async-signal-safe).
    fn record(&self, sig: usize, w0: u64, w1: u64) {
        self.info[sig][0].store(w0, Ordering::Relaxed);
        self.info[sig][1].store(w1, Ordering::Relaxed);
        self.bits.fetch_or(sigbit(sig), Ordering::AcqRel);
    }

    /// Take every recorded signal, in number order.
    fn take(&self) -> impl Iterator<Item = SigInfo> + '_ {
        let mut bits = self.bits.swap(0, Ordering::AcqRel);
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let sig = bits.trailing_zeros() as usize + 1;
            bits &= bits - 1;
            let w0 = self.info[sig][0].load(Ordering::Relaxed);
            let w1 = self.info[sig][1].load(Ordering::Relaxed);
            Some(SigInfo {
                signo: sig as i32,
                code: w0 as u32 as i32,
                word0: (w0 >> 32) | (w1 & 0xffff_ffff) << 32,
                word1: w1 >> 32,
            })
        })
    }

    fn any(&self) -> bool {
        self.bits.load(Ordering::Acquire) != 0
    }
}

/// Host signals sent to the process.
static HOST_PENDING: HostPending = HostPending::new();
thread_local! {
    /// Host signals sent to this thread (`tgkill`, `si_code` `SI_TKILL`).
    static THREAD_HOST_PENDING: HostPending = const { HostPending::new() };
}
/// Incremented by every host signal (tells an `EINTR` caused by one from other `EINTR`s).
static HOST_SEQ: AtomicU64 = AtomicU64::new(0);

fn caught_signals() -> impl Iterator<Item = i32> {
    HOST_CAUGHT
        .iter()
        .copied()
        .chain(FIRST_RT_CAUGHT..=NSIG as i32)
}

/// Clear this thread's host signal mask; returns what it was, as a guest mask.
fn take_host_mask() -> u64 {
    // SAFETY: sigemptyset initialises a local set; pthread_sigmask fills `old`.
    let old = unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::pthread_sigmask(libc::SIG_SETMASK, &empty, &mut old);
        old
    };
    (1..=NSIG)
        // SAFETY: reading membership of a valid set.
        .filter(|&sig| unsafe { libc::sigismember(&old, sig as i32) } == 1)
        .fold(0, |m, sig| m | sigbit(sig))
}

/// Just before a host `execve`: give the host the guest's signal state the kernel keeps across
/// exec, so the new program (or the emu-user re-executed for it) starts with it: ignored
/// signals stay ignored, handled ones go back to the default, the mask is kept. If the exec
/// fails, [`exec_failed`] puts the emulator's handlers back.
pub fn prepare_exec(state: &SignalState) {
    for sig in caught_signals() {
        let host = if state.action(sig as usize).handler == SIG_IGN {
            libc::SIG_IGN
        } else {
            libc::SIG_DFL
        };
        // SAFETY: setting a standard disposition.
        unsafe { libc::signal(sig, host) };
    }
    // SAFETY: sigemptyset/sigaddset fill a local set; pthread_sigmask changes this thread only.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in (1..=NSIG).filter(|&s| state.mask & sigbit(s) != 0) {
            libc::sigaddset(&mut set, sig as i32);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
    // Blocked pending signals stay pending across exec: made pending on the host (blocked
    // there now), the new emulator's handlers collect them when `install` unblocks.
    let pending = state.all_pending() & state.mask;
    for sig in caught_signals().filter(|&s| pending & sigbit(s as usize) != 0) {
        // SAFETY: raising a signal blocked on this thread only makes it pending.
        unsafe { libc::raise(sig) };
    }
}

/// The exec did not happen: back to the emulator's handlers and an empty host mask (the host
/// state [`prepare_exec`] set is exactly the guest's, so `install` reads it back unchanged).
pub fn exec_failed(state: &mut SignalState) {
    let _ = install(state);
}

/// Make the host's SIGCHLD disposition follow the guest's `action` where the kernel acts on
/// it: ignoring SIGCHLD or `SA_NOCLDWAIT` makes it reap children itself (`wait` then reports
/// `ECHILD`), `SA_NOCLDSTOP` stops stop/continue reports.
pub fn mirror_sigchld(action: &crate::syscall::signal::Action) {
    use crate::syscall::signal::{SA_NOCLDSTOP, SA_NOCLDWAIT};
    // SAFETY: a zeroed sigaction is valid; the fields are filled before use.
    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    if action.handler == SIG_IGN {
        act.sa_sigaction = libc::SIG_IGN;
    } else {
        act.sa_sigaction = host_handler as *const () as usize;
        act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        if action.flags & SA_NOCLDWAIT != 0 {
            act.sa_flags |= libc::SA_NOCLDWAIT;
        }
        if action.flags & SA_NOCLDSTOP != 0 {
            act.sa_flags |= libc::SA_NOCLDSTOP;
        }
    }
    // SAFETY: a valid sigaction for SIGCHLD; the handler has the SA_SIGINFO shape.
    unsafe {
        libc::sigemptyset(&mut act.sa_mask);
        libc::sigaction(libc::SIGCHLD, &act, std::ptr::null_mut());
    }
}

/// In a forked child: host signals the parent had not collected are not the child's.
pub fn forget_host_pending() {
    let _ = HOST_PENDING.take().count();
    THREAD_HOST_PENDING.with(|t| t.take().count());
}

/// Whether host signal `sig` comes back as a guest signal through the host handler.
pub fn is_caught_on_host(sig: i32) -> bool {
    caught_signals().any(|s| s == sig)
}

/// Install the host handlers of every signal the guest can receive from outside. A signal the
/// emulator was started with ignored (e.g. SIGINT in a background job) starts ignored in the
/// guest too, and the signal mask it was started with becomes the guest's, as across `execve`
/// ([`prepare_exec`] hands them over); the host mask is then cleared so the handlers run.
pub fn install(state: &mut SignalState) -> std::io::Result<()> {
    for sig in caught_signals() {
        // SAFETY: a zeroed sigaction is valid; we fill handler, flags and mask before use.
        let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: as above, filled by the kernel.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        act.sa_sigaction = host_handler as *const () as usize;
        act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        // SAFETY: valid sigaction structs; the handler is an `extern "C"` fn of the right shape.
        let r = unsafe {
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(sig, &act, &mut old)
        };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if old.sa_sigaction == libc::SIG_IGN && sig != libc::SIGPIPE {
            let ignored = crate::syscall::signal::Action {
                handler: SIG_IGN,
                ..Default::default()
            };
            state.set_action(sig as usize, ignored);
        }
    }
    // Only now, with the handlers in place: signals kept pending across exec arrive here.
    state.mask = take_host_mask() & !UNBLOCKABLE;
    Ok(())
}

extern "C" fn host_handler(sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    let i = sig as usize;
    if i == 0 || i > NSIG || info.is_null() {
        return;
    }
    // SAFETY: the kernel passes a valid siginfo to SA_SIGINFO handlers; the accessors read
    // fields every siginfo has (pid/uid for user signals, status only read for SIGCHLD).
    let (code, pid, uid, status) = unsafe {
        let status = if sig == libc::SIGCHLD {
            (*info).si_status()
        } else {
            0
        };
        ((*info).si_code, (*info).si_pid(), (*info).si_uid(), status)
    };
    let w0 = u64::from(code as u32) | u64::from(pid as u32) << 32;
    let w1 = u64::from(uid) | u64::from(status as u32) << 32;
    if code == SI_TKILL {
        THREAD_HOST_PENDING.with(|t| t.record(i, w0, w1));
    } else {
        HOST_PENDING.record(i, w0, w1);
    }
    crate::syscall::signalfd::notify(i);
    HOST_SEQ.fetch_add(1, Ordering::AcqRel);
    crate::fault::request_exit();
}

/// Move the host signals that arrived into the guest's pending sets (the thread's own for
/// signals sent to this thread, the process's for the others).
pub fn collect_host(state: &mut SignalState) {
    for info in HOST_PENDING.take() {
        state.queue_process(info);
    }
    THREAD_HOST_PENDING.with(|t| {
        for info in t.take() {
            state.queue(info);
        }
    });
}

/// Whether host signals wait to be collected by this thread.
fn host_signals_waiting() -> bool {
    HOST_PENDING.any() || THREAD_HOST_PENDING.with(|t| t.any())
}

/// The host signal set of [`caught_signals`].
fn caught_set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise and fill a local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in caught_signals() {
            libc::sigaddset(&mut set, sig);
        }
        set
    }
}

/// Wait for host signals until `done(state)` holds, or `timeout` passes (one wait: the timeout
/// is not shortened across spurious wake-ups of ignored signals).
pub fn wait_host(
    state: &mut SignalState,
    timeout: Option<libc::timespec>,
    done: impl Fn(&SignalState) -> bool,
) {
    let set = caught_set();
    loop {
        collect_host(state);
        if done(state) {
            return;
        }
        // SAFETY: blocking our handled signals, then waiting with the old mask atomically
        // restored (ppoll with no fds), so a signal arriving in between is not lost.
        let timed_out = unsafe {
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
            let mut r = -1;
            if !host_signals_waiting() {
                let ts = timeout.as_ref().map_or(std::ptr::null(), |t| t as *const _);
                r = libc::ppoll(std::ptr::null_mut(), 0, ts, &old);
            }
            libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
            r == 0
        };
        if timed_out {
            collect_host(state);
            return;
        }
    }
}

/// The `ecall`/`svc` just done by the guest: run it, then decide on restarts. `rt_sigreturn`
/// and thread-making `clone` are handled here since they need the CPU.
pub fn syscall(cpu: &mut dyn GuestCpu, p: &mut Process) {
    let abi = p.arch.syscall_regs;
    let (nr, args) = {
        let regs = cpu.int_regs();
        (abi.number(regs), abi.arguments(regs))
    };
    // x86_64 numbers (and its legacy calls) become the generic ones the rest uses.
    let (nr, args) = if p.arch.arch == crate::arch::GuestArch::X86_64 {
        crate::syscall::x86_64::to_generic(nr, args)
    } else {
        (nr, args)
    };
    if nr == SYS_RT_SIGRETURN {
        p.strace_sigreturn(args);
        sigreturn(cpu, p);
        return;
    }
    p.signals.syscall_sp = signal_frame::stack_pointer(&cpu.arch_cpu());
    let seq = HOST_SEQ.load(Ordering::Acquire);
    let ret = if nr == SYS_CLONE && crate::threads::is_thread_clone(args[0]) {
        p.dispatch_with(nr, args, |p| crate::threads::clone_thread(cpu, p, args))
    } else if nr == crate::syscall::x86_64::ARCH_PRCTL {
        p.dispatch_with(nr, args, |p| {
            crate::syscall::x86_64::arch_prctl(&mut cpu.arch_cpu(), p, args)
        })
    } else {
        p.dispatch(nr, args)
    };
    let eintr = (libc::EINTR as u64).wrapping_neg();
    if ret == eintr && HOST_SEQ.load(Ordering::Acquire) != seq && should_restart(p, nr) {
        // Back to the syscall instruction with the arguments intact.
        let len = p.arch.syscall_insn_len;
        let h = cpu.header_mut();
        h.pc = h.pc.wrapping_sub(len);
        return;
    }
    abi.set_result(cpu.int_regs(), ret);
}

/// Whether a syscall interrupted by a host signal restarts (Linux's `-ERESTARTSYS` rules).
fn should_restart(p: &mut Process, nr: u64) -> bool {
    if NEVER_RESTART.contains(&nr) {
        return false;
    }
    collect_host(&mut p.signals);
    let ready = p.signals.all_pending() & !p.signals.mask;
    if ready == 0 {
        return true;
    }
    let act = p.signals.action(ready.trailing_zeros() as usize + 1);
    if act.handler == SIG_DFL || act.handler == SIG_IGN {
        return true;
    }
    !RESTART_WITHOUT_HANDLER.contains(&nr) && act.flags & SA_RESTART != 0
}

/// `rt_sigreturn`: restore the interrupted state and mask from the frame; a bad frame is a
/// SIGSEGV, as under Linux.
fn sigreturn(cpu: &mut dyn GuestCpu, p: &mut Process) {
    match signal_frame::restore(&mut cpu.arch_cpu(), &p.space) {
        Ok(r) => {
            p.signals.mask = r.mask & !UNBLOCKABLE;
            // As the kernel's restore_altstack: errors (e.g. still on the stack) are ignored.
            let sp = signal_frame::stack_pointer(&cpu.arch_cpu());
            let _ = p
                .signals
                .set_altstack(AltStack::from_bytes(&r.uc_stack), sp);
        }
        Err(_) => fatal(p, libc::SIGSEGV),
    }
}

/// Deliver every deliverable pending signal (nesting frames, like qemu), then restore a mask
/// `rt_sigsuspend` left behind if no handler took it.
pub fn deliver(cpu: &mut dyn GuestCpu, p: &mut Process) {
    collect_host(&mut p.signals);
    while let Some((sig, info)) = p.signals.take_next(p.signals.mask) {
        match crate::gdb::signal_hook(sig as i32, cpu, p) {
            Some(s) if s as usize == sig => deliver_one(cpu, p, sig, info),
            Some(other) => deliver_one(cpu, p, other as usize, injected_info(other)),
            None => {}
        }
    }
    if let Some(m) = p.signals.saved_mask.take() {
        p.signals.mask = m;
    }
}

/// The `siginfo` of a signal gdb passes on instead of the one that stopped the thread (as a
/// ptrace-injected one: SI_USER from this process).
fn injected_info(sig: i32) -> SigInfo {
    // SAFETY: getpid and getuid cannot fail.
    let (pid, uid) = unsafe { (libc::getpid() as u32, libc::getuid()) };
    SigInfo::from_process(sig, 0, pid, uid)
}

/// A synchronous signal raised by the guest instruction at the current pc (state as before
/// it). Blocked or ignored, it takes its default action, as Linux's `force_sig` does.
pub fn sync_signal(cpu: &mut dyn GuestCpu, p: &mut Process, sig: i32, code: i32, addr: u64) {
    // Under gdb: gdb sees it first, and may discard it (the instruction then runs again).
    let Some(passed) = crate::gdb::signal_hook(sig, cpu, p) else {
        return;
    };
    if passed != sig {
        return deliver_one(cpu, p, passed as usize, injected_info(passed));
    }
    let s = sig as usize;
    let handler = p.signals.action(s).handler;
    if p.signals.mask & sigbit(s) != 0 || handler == SIG_IGN || handler == SIG_DFL {
        fatal(p, sig);
    }
    let info = SigInfo {
        signo: sig,
        code,
        word0: addr,
        word1: 0,
    };
    deliver_one(cpu, p, s, info);
}

/// x86 page-fault error code bits.
const PF_PRESENT: u64 = 1;
const PF_WRITE: u64 = 2;
const PF_USER: u64 = 4;
const PF_FETCH: u64 = 16;

/// Record a page fault at `addr` as the thread's last exception. The present bit is set
/// when the page is mapped and resident, as the CPU's page walk would find it.
fn record_page_fault(p: &mut Process, addr: u64, mapped: bool, access: u64) {
    let present = if mapped && p.space.resident(addr) {
        PF_PRESENT
    } else {
        0
    };
    p.signals.trap = TrapInfo {
        trapno: TRAP_PAGE_FAULT,
        error_code: PF_USER | present | access,
        fault_address: addr,
    };
}

/// Record a non-page-fault exception (`cr2` keeps the last page fault's address).
pub fn record_trap(p: &mut Process, trapno: u64) {
    p.signals.trap.trapno = trapno;
    p.signals.trap.error_code = 0;
}

/// x86 exception vectors.
pub const TRAP_DIVIDE: u64 = 0;
pub const TRAP_BREAKPOINT: u64 = 3;
pub const TRAP_INVALID_OPCODE: u64 = 6;
pub const TRAP_GP: u64 = 13;
const TRAP_PAGE_FAULT: u64 = 14;

/// The guest SIGSEGV for a fetch from `pc`: unmapped or not executable.
pub fn fetch_fault(cpu: &mut dyn GuestCpu, p: &mut Process) {
    let pc = cpu.header().pc;
    let mapped = p.space.check(pc, 1, crate::pages::MAPPED).is_ok();
    record_page_fault(p, pc, mapped, PF_FETCH);
    let code = if mapped { SEGV_ACCERR } else { SEGV_MAPERR };
    sync_signal(cpu, p, libc::SIGSEGV, code, pc);
}

/// A guest memory fault caught by [`crate::fault::run_guarded`]: find the faulting
/// instruction (the pc is at its block's start), then raise the guest signal there with
/// `si_addr` = the guest address.
pub fn memory_fault(cpu: &mut dyn GuestCpu, p: &mut Process, f: crate::fault::GuestFault) {
    let mapped = p.space.check(f.addr, 1, crate::pages::MAPPED).is_ok();
    let write = f.write || p.space.check(f.addr, 1, crate::pages::READ).is_ok();
    if let Some(pc) = crate::fault_pc::locate(&cpu.arch_cpu(), &p.space, f.addr, write) {
        cpu.header_mut().pc = pc;
    }
    record_page_fault(p, f.addr, mapped, if write { PF_WRITE } else { 0 });
    let code = if f.signal == libc::SIGSEGV {
        if mapped {
            SEGV_ACCERR
        } else {
            SEGV_MAPERR
        }
    } else {
        BUS_ADRERR
    };
    sync_signal(cpu, p, f.signal, code, f.addr);
    deliver(cpu, p);
}

fn deliver_one(cpu: &mut dyn GuestCpu, p: &mut Process, sig: usize, info: SigInfo) {
    let act = p.signals.action(sig);
    match act.handler {
        SIG_IGN => return,
        SIG_DFL if p.signals.is_ignored(sig) => return,
        SIG_DFL => fatal(p, sig as i32),
        _ => {}
    }
    // The trampoline page is mapped only for a handler without a restorer: mapping it
    // would take the first free guest range, perhaps a hole the program relies on.
    let return_to = if act.flags & SA_RESTORER != 0 && act.restorer != 0 {
        act.restorer
    } else {
        ensure_trampoline(cpu, p)
    };
    let mut ac = cpu.arch_cpu();
    let sp = signal_frame::stack_pointer(&ac);
    let alt = p.signals.altstack;
    let stack_top =
        if act.flags & SA_ONSTACK != 0 && alt.flags & SS_DISABLE == 0 && !alt.contains(sp) {
            alt.sp.wrapping_add(alt.size)
        } else {
            sp
        };
    let info_bytes = info.to_bytes();
    p.strace_signal(sig as u64, &info_bytes);
    if p.log_options.int {
        let pc = signal_frame::pc(&ac);
        let handler = act.handler;
        let _ = writeln!(
            p.log,
            "emu-user: signal {sig} at pc {pc:#x} to handler {handler:#x}"
        );
    }
    let frame = FrameInput {
        siginfo: act.flags & SA_SIGINFO != 0,
        signo: sig as u64,
        info: &info_bytes,
        uc_stack: alt.to_bytes(sp),
        uc_sigmask: p.signals.saved_mask.take().unwrap_or(p.signals.mask),
        handler: act.handler,
        return_to,
        stack_top,
        trap: p.signals.trap,
    };
    if signal_frame::setup(&mut ac, &mut p.space, &frame).is_err() {
        fatal(p, libc::SIGSEGV);
    }
    let mut block = act.mask;
    if act.flags & SA_NODEFER == 0 {
        block |= sigbit(sig);
    }
    p.signals.mask = (p.signals.mask | block) & !UNBLOCKABLE;
    if act.flags & SA_RESETHAND != 0 {
        p.signals.set_action(sig, Default::default());
    }
}

/// The guest address of the `rt_sigreturn` trampoline, mapping its page on first use (a
/// read+exec page of our own, like qemu's).
fn ensure_trampoline(cpu: &mut dyn GuestCpu, p: &mut Process) -> u64 {
    let shared = p.signals.shared.clone();
    let known = shared.trampoline.load(Ordering::Acquire);
    if known != 0 {
        return known;
    }
    const PROT_RW: u32 = 3;
    const PROT_RX: u32 = 5;
    let flags = crate::memory::map_flags::PRIVATE | crate::memory::map_flags::ANONYMOUS;
    let code = signal_frame::trampoline_code(&cpu.arch_cpu());
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    let page = p
        .space
        .mmap(0, 4096, PROT_RW, flags, Backing::Anonymous)
        .and_then(|a| p.space.write_bytes(a, &bytes).map(|()| a))
        .and_then(|a| p.space.mprotect(a, 4096, PROT_RX).map(|()| a));
    match page {
        Ok(a) => match shared
            .trampoline
            .compare_exchange(0, a, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => a,
            Err(other) => {
                // Another thread mapped one first: use it.
                let _ = p.space.munmap(a, 4096);
                other
            }
        },
        Err(_) => fatal(p, libc::SIGSEGV),
    }
}

fn fatal(p: &mut Process, sig: i32) -> ! {
    p.flush_log();
    die_with_signal(sig)
}

/// Signals whose default action dumps core, with the text of `strsignal` (what qemu prints).
const CORE_SIGNALS: &[(i32, &str)] = &[
    (libc::SIGQUIT, "Quit"),
    (libc::SIGILL, "Illegal instruction"),
    (libc::SIGTRAP, "Trace/breakpoint trap"),
    (libc::SIGABRT, "Aborted"),
    (libc::SIGBUS, "Bus error"),
    (libc::SIGFPE, "Floating point exception"),
    (libc::SIGSEGV, "Segmentation fault"),
    (libc::SIGXCPU, "CPU time limit exceeded"),
    (libc::SIGXFSZ, "File size limit exceeded"),
    (libc::SIGSYS, "Bad system call"),
];

/// Write raw bytes to stderr (async-signal-safe).
pub fn write_stderr(parts: &[&[u8]]) {
    for p in parts {
        // SAFETY: writes `p.len()` bytes from a valid slice to fd 2.
        unsafe { libc::write(2, p.as_ptr().cast(), p.len()) };
    }
}

/// Decimal digits of `v` into `buf`, returning the used tail (async-signal-safe formatting).
pub fn fmt_u64(mut v: u64, radix: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        let d = (v % radix) as u8;
        buf[i] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
        v /= radix;
        if v == 0 || i == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Terminate the emulator as the guest's fatal signal `sig` would terminate the guest.
pub fn die_with_signal(sig: i32) -> ! {
    crate::gdb::process_ending(crate::gdb::Stop::Killed(sig));
    if let Some((_, name)) = CORE_SIGNALS.iter().find(|(s, _)| *s == sig) {
        let mut buf = [0u8; 20];
        let num = fmt_u64(sig as u64, 10, &mut buf);
        write_stderr(&[
            b"emu-user: uncaught target signal ",
            num,
            b" (",
            name.as_bytes(),
            b") - core dumped\n",
        ]);
        // Like qemu: no core file of the emulator itself (it would hold the whole window).
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain syscall with a valid struct.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) };
    }
    // SAFETY: resetting a signal to its default action, unblocking it and sending it to
    // ourselves are plain syscalls on valid arguments.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::kill(libc::getpid(), sig);
        // A signal whose default is to be ignored (or a stopped-then-continued process) lands here.
        libc::_exit(128 + sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        let mut b = [0u8; 20];
        assert_eq!(fmt_u64(0, 10, &mut b), b"0");
        assert_eq!(fmt_u64(11, 10, &mut b), b"11");
        assert_eq!(fmt_u64(0xdead_beef, 16, &mut b), b"deadbeef");
        assert_eq!(fmt_u64(u64::MAX, 10, &mut b), b"18446744073709551615");
    }

    #[test]
    fn names_match_the_host_strsignal() {
        for &(sig, name) in CORE_SIGNALS {
            // SAFETY: strsignal returns a valid C string (called in a single-threaded test).
            let host = unsafe { std::ffi::CStr::from_ptr(libc::strsignal(sig)) };
            assert_eq!(host.to_str().unwrap(), name);
        }
    }
}
