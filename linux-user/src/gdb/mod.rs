//! The gdb stub of `emu-user -g PORT`: gdb (`target remote :PORT`) debugs the guest's main
//! thread — breakpoints, single-step, continue, registers (integer, FP, vector: [`regs`]),
//! memory, Ctrl-C, and the program's exit. Breakpoints and steps are exact in every tier:
//! under a debugger blocks are not chained, and while a breakpoint is set or a step runs they
//! are one instruction long ([`emu_backend::Vcpu::run_debug`]).
//!
//! Two threads: the `gdbstub` protocol runs on its own thread ([`target`]) and asks the
//! stopped guest thread, through a channel, to read or write its registers and memory or to
//! resume; the guest thread ([`Debugger`]) serves those requests whenever it is stopped and
//! sends back why it stopped. Other guest threads run undebugged; a forked child runs without
//! the debugger.

mod regs;
mod target;

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, RwLock};
use std::time::Duration;

use emu_backend::exec::VcpuCtx;
use emu_backend::{DebugExit, DebugRun};

use crate::arch::GuestArch;
use crate::guest_cpu::GuestCpu;
use crate::syscall::Process;

/// A register or memory access run on the stopped guest thread.
type Access = Box<dyn FnOnce(&mut dyn GuestCpu, &mut Process) + Send>;

/// Work the gdb thread asks of the stopped guest thread.
enum Request {
    /// Read or write registers or memory.
    Access(Access),
    /// Run on: one instruction, or until a breakpoint or an exit; deliver `signal` (a
    /// Linux signal number) if the stop was a signal gdb passes on.
    Resume { step: bool, signal: Option<i32> },
    /// gdb detached (or the session failed): run on undebugged.
    Detach,
    /// gdb's `kill`: end the process.
    Kill,
}

/// Why the guest stopped, as reported to gdb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Stepped,
    Breakpoint,
    /// Ctrl-C from gdb.
    Interrupted,
    /// The thread is about to receive this (Linux) signal.
    Signal(i32),
    /// The process ended with this exit status.
    Exited(i32),
    /// The process was killed by this signal.
    Killed(i32),
}

/// State both threads see.
struct Shared {
    breakpoints: RwLock<BTreeSet<u64>>,
    /// gdb sent Ctrl-C; the guest thread reports a stop at its next exit.
    interrupt: AtomicBool,
    /// The guest vCPU's exit-request handle, to make running code return for Ctrl-C.
    vcpu: Mutex<Option<Arc<VcpuCtx>>>,
}

/// The guest thread's end of a gdb session.
pub struct Debugger {
    shared: Arc<Shared>,
    requests: mpsc::Receiver<Request>,
    stops: mpsc::Sender<Stop>,
    /// The current resume: single-step or continue.
    step: bool,
    /// The signal gdb's last resume passes on.
    resume_signal: Option<i32>,
    /// The process the session belongs to (a forked child has another pid).
    pid: u32,
}

/// What the process's exit tells the session (see [`process_ending`]).
struct ExitLink {
    stops: mpsc::Sender<Stop>,
    /// The gdb thread says it has reported the exit.
    reported: Mutex<mpsc::Receiver<()>>,
    pid: u32,
}

static EXIT_LINK: Mutex<Option<ExitLink>> = Mutex::new(None);

/// Wait on `port` (all local addresses, as qemu) for gdb to connect, then start the session's
/// protocol thread for `arch`. The guest has not run yet.
pub fn listen(port: u16, arch: GuestArch) -> std::io::Result<Debugger> {
    let listener = TcpListener::bind(("0.0.0.0", port))?;
    let (conn, _) = listener.accept()?;
    conn.set_nodelay(true)?;
    Ok(start(conn, arch))
}

fn start(conn: TcpStream, arch: GuestArch) -> Debugger {
    let shared = Arc::new(Shared {
        breakpoints: RwLock::new(BTreeSet::new()),
        interrupt: AtomicBool::new(false),
        vcpu: Mutex::new(None),
    });
    let (request_tx, requests) = mpsc::channel();
    let (stops, stop_rx) = mpsc::channel();
    let (reported_tx, reported) = mpsc::channel();
    let pid = std::process::id();
    *lock(&EXIT_LINK) = Some(ExitLink {
        stops: stops.clone(),
        reported: Mutex::new(reported),
        pid,
    });
    let link = target::Link {
        shared: shared.clone(),
        requests: request_tx,
        stops: stop_rx,
        exit_reported: reported_tx,
    };
    let spawned = std::thread::Builder::new()
        .name("gdbstub".into())
        .spawn(move || match arch {
            GuestArch::Aarch64 => target::serve::<gdbstub_arch::aarch64::AArch64>(conn, link),
            GuestArch::Riscv64 => target::serve::<regs::Riscv64Fpu>(conn, link),
            GuestArch::X86_64 => target::serve::<gdbstub_arch::x86::X86_64_SSE>(conn, link),
        });
    if let Err(e) = spawned {
        eprintln!("emu-user: cannot start the gdb thread: {e}");
    }
    Debugger {
        shared,
        requests,
        stops,
        step: false,
        resume_signal: None,
        pid,
    }
}

/// Linux signal numbers 1..=31 and gdb's remote-protocol numbers for them (gdb's
/// `signals.def`; 1–6, 8, 9, 11, 13–15 and 21–22, 24–28 agree).
const GDB_SIGNALS: [(i32, u8); 31] = [
    (1, 1),
    (2, 2),
    (3, 3),
    (4, 4),
    (5, 5),
    (6, 6),
    (7, 10),
    (8, 8),
    (9, 9),
    (10, 30),
    (11, 11),
    (12, 31),
    (13, 13),
    (14, 14),
    (15, 15),
    (16, 0),
    (17, 20),
    (18, 19),
    (19, 17),
    (20, 18),
    (21, 21),
    (22, 22),
    (23, 16),
    (24, 24),
    (25, 25),
    (26, 26),
    (27, 27),
    (28, 28),
    (29, 23),
    (30, 32),
    (31, 12),
];

/// gdb's number for Linux signal `sig` (real-time signals: 32 is 77, 33..63 are 45..75; 0
/// for one gdb has no number for).
pub fn gdb_signal(sig: i32) -> u8 {
    match sig {
        32 => 77,
        33..=63 => (sig - 33 + 45) as u8,
        _ => GDB_SIGNALS
            .iter()
            .find(|(l, _)| *l == sig)
            .map_or(0, |(_, g)| *g),
    }
}

/// The Linux signal of gdb's signal number `g`.
pub fn linux_signal(g: u8) -> Option<i32> {
    match g {
        77 => Some(32),
        45..=75 => Some(i32::from(g) - 45 + 33),
        0 => None,
        _ => GDB_SIGNALS.iter().find(|(_, x)| *x == g).map(|(l, _)| *l),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the guest thread does after serving gdb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attached {
    Yes,
    /// gdb went away: run on without the debugger.
    No,
}

impl Debugger {
    /// Whether this session belongs to the calling process (not to a forked child's copy).
    pub fn is_ours(&self) -> bool {
        self.pid == std::process::id()
    }

    /// Remember the vCPU running the guest, so that Ctrl-C can stop it.
    pub fn set_vcpu(&self, ctx: Arc<VcpuCtx>) {
        *lock(&self.shared.vcpu) = Some(ctx);
    }

    /// Serve gdb before the first instruction, until it resumes the guest.
    pub fn attach(&mut self, cpu: &mut dyn GuestCpu, process: &mut Process) -> Attached {
        self.serve(cpu, process)
    }

    /// Run guest code the way gdb asked (see [`emu_backend::Vcpu::run_debug`]) through `run`.
    pub fn run<R>(&self, run: impl FnOnce(&DebugRun<'_>) -> R) -> R {
        let bps = self
            .shared
            .breakpoints
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let breakpoint = |pc: u64| bps.contains(&pc);
        run(&DebugRun {
            step: self.step,
            breakpoint: &breakpoint,
            has_breakpoints: !bps.is_empty(),
        })
    }

    /// After a run (and its exit handled, `exit` = `None` for a guest fault): report a stop
    /// to gdb and serve it when the run ended one, else go on.
    pub fn after_run(
        &mut self,
        exit: Option<DebugExit>,
        cpu: &mut dyn GuestCpu,
        process: &mut Process,
    ) -> Attached {
        let interrupted = self.shared.interrupt.swap(false, Ordering::AcqRel);
        let stop = match exit {
            Some(DebugExit::Breakpoint) => Stop::Breakpoint,
            _ if interrupted => Stop::Interrupted,
            // A step that ended in a syscall or a fault has run its instruction.
            _ if self.step => Stop::Stepped,
            _ => return Attached::Yes,
        };
        if self.stops.send(stop).is_err() {
            return Attached::No;
        }
        self.serve(cpu, process)
    }

    /// The thread is about to receive signal `sig`: report it and serve gdb. The signal to
    /// deliver instead: the one gdb's resume passes on (`sig` itself after `continue`,
    /// `None` after `signal 0` or when gdb discards it), or `sig` when gdb went away.
    pub fn report_signal(
        &mut self,
        sig: i32,
        cpu: &mut dyn GuestCpu,
        process: &mut Process,
    ) -> (Option<i32>, Attached) {
        if self.stops.send(Stop::Signal(sig)).is_err() {
            return (Some(sig), Attached::No);
        }
        match self.serve(cpu, process) {
            Attached::Yes => (self.resume_signal.take(), Attached::Yes),
            Attached::No => (Some(sig), Attached::No),
        }
    }

    /// Serve requests until gdb resumes the guest or goes away.
    fn serve(&mut self, cpu: &mut dyn GuestCpu, process: &mut Process) -> Attached {
        loop {
            match self.requests.recv() {
                Ok(Request::Access(f)) => f(cpu, process),
                Ok(Request::Resume { step, signal }) => {
                    self.step = step;
                    self.resume_signal = signal;
                    return Attached::Yes;
                }
                Ok(Request::Kill) => process.exit(0),
                Ok(Request::Detach) | Err(_) => return Attached::No,
            }
        }
    }
}

/// The thread of `p` is about to receive Linux signal `sig`: under gdb, report it and let gdb
/// decide. The signal to deliver (`None`: gdb discarded it).
pub fn signal_hook(sig: i32, cpu: &mut dyn GuestCpu, p: &mut Process) -> Option<i32> {
    let Some(mut d) = p.debugger.take().filter(|d| d.is_ours()) else {
        return Some(sig);
    };
    let (deliver, attached) = d.report_signal(sig, cpu, p);
    if attached == Attached::Yes {
        p.debugger = Some(d);
    }
    deliver
}

/// The process is ending (`exit_group`, the last thread's `exit`, a fatal signal): tell gdb,
/// and give it a moment to read the report, as gdb expects `W`/`X` before the connection
/// closes.
pub fn process_ending(stop: Stop) {
    let guard = lock(&EXIT_LINK);
    let Some(link) = guard.as_ref().filter(|l| l.pid == std::process::id()) else {
        return;
    };
    if link.stops.send(stop).is_ok() {
        let _ = lock(&link.reported).recv_timeout(Duration::from_secs(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_numbers_round_trip_and_follow_gdb() {
        for sig in (1..=63).filter(|&s| s != libc::SIGSTKFLT) {
            assert_eq!(linux_signal(gdb_signal(sig)), Some(sig), "{sig}");
        }
        // gdb's numbering (gdbstub's constants come from gdb's signals.def).
        use gdbstub::common::Signal;
        assert_eq!(gdb_signal(libc::SIGBUS), Signal::SIGBUS.0);
        assert_eq!(gdb_signal(libc::SIGUSR1), Signal::SIGUSR1.0);
        assert_eq!(gdb_signal(libc::SIGCHLD), Signal::SIGCHLD.0);
        assert_eq!(gdb_signal(libc::SIGSYS), Signal::SIGSYS.0);
        assert_eq!(gdb_signal(34), Signal::SIG34.0);
        assert_eq!(gdb_signal(32), Signal::SIG32.0);
    }
}
