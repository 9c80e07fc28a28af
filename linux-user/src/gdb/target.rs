//! The protocol thread of a gdb session: a `gdbstub` [`Target`] ([`Proxy`]) whose every
//! operation is a request to the stopped guest thread, and the event loop that waits for the
//! guest to stop while watching the connection for Ctrl-C.

use std::marker::PhantomData;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use gdbstub::common::Signal;
use gdbstub::conn::{Connection, ConnectionExt};
use gdbstub::stub::run_blocking::{BlockingEventLoop, Event, WaitForStopReasonError};
use gdbstub::stub::{DisconnectReason, GdbStub, SingleThreadStopReason};
use gdbstub::target::ext::auxv::{Auxv, AuxvOps};
use gdbstub::target::ext::base::singlethread::{
    SingleThreadBase, SingleThreadResume, SingleThreadResumeOps, SingleThreadSingleStep,
    SingleThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, HwBreakpoint, HwBreakpointOps, SwBreakpoint, SwBreakpointOps,
};
use gdbstub::target::{Target, TargetError, TargetResult};

use super::regs::GdbArch;
use super::{lock, Request, Shared, Stop};
use crate::guest_cpu::GuestCpu;
use crate::syscall::Process;

/// The protocol thread's end of the channels to the guest thread.
pub struct Link {
    pub shared: Arc<Shared>,
    pub requests: mpsc::Sender<Request>,
    pub stops: mpsc::Receiver<Stop>,
    /// Tell the exiting process its exit was reported.
    pub exit_reported: mpsc::Sender<()>,
}

/// The guest thread is gone (the process is ending).
#[derive(Debug, thiserror::Error)]
#[error("the guest thread is gone")]
pub struct GuestGone;

/// The `gdbstub` target for guest arch `A`: forwards everything to the guest thread.
pub struct Proxy<A> {
    link: Link,
    arch: PhantomData<A>,
}

impl<A> Proxy<A> {
    /// Run `f` on the stopped guest thread and return its result.
    fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn GuestCpu, &mut Process) -> R + Send + 'static,
    ) -> Result<R, GuestGone> {
        let (tx, rx) = mpsc::sync_channel(1);
        let job = move |cpu: &mut dyn GuestCpu, p: &mut Process| {
            let _ = tx.send(f(cpu, p));
        };
        self.link
            .requests
            .send(Request::Access(Box::new(job)))
            .map_err(|_| GuestGone)?;
        rx.recv().map_err(|_| GuestGone)
    }

    /// [`Proxy::call`] for target operations (a gone guest ends the session).
    fn access<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn GuestCpu, &mut Process) -> R + Send + 'static,
    ) -> Result<R, TargetError<GuestGone>> {
        self.call(f).map_err(TargetError::Fatal)
    }

    fn send(&self, r: Request) -> Result<(), GuestGone> {
        self.link.requests.send(r).map_err(|_| GuestGone)
    }

    fn set_breakpoint(&self, addr: u64, set: bool) -> bool {
        let mut bps = self
            .link
            .shared
            .breakpoints
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if set {
            bps.insert(addr)
        } else {
            bps.remove(&addr)
        }
    }
}

impl<A: GdbArch> Target for Proxy<A> {
    type Arch = A;
    type Error = GuestGone;

    fn base_ops(&mut self) -> BaseOps<'_, A, GuestGone> {
        BaseOps::SingleThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }

    fn support_auxv(&mut self) -> Option<AuxvOps<'_, Self>> {
        Some(self)
    }
}

impl<A: GdbArch> SingleThreadBase for Proxy<A> {
    fn read_registers(&mut self, regs: &mut A::Registers) -> TargetResult<(), Self> {
        let read = self.access(|cpu, _| A::read(cpu.arch_cpu()))?;
        *regs = read.ok_or(TargetError::NonFatal)?;
        Ok(())
    }

    fn write_registers(&mut self, regs: &A::Registers) -> TargetResult<(), Self> {
        let regs = regs.clone();
        self.access(move |cpu, _| A::write(cpu.arch_cpu(), &regs))?;
        Ok(())
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8]) -> TargetResult<usize, Self> {
        let len = data.len();
        let bytes = self.access(move |_, p| readable_prefix(p, start, len))?;
        data[..bytes.len()].copy_from_slice(&bytes);
        match bytes.len() {
            0 if len > 0 => Err(TargetError::NonFatal),
            n => Ok(n),
        }
    }

    fn write_addrs(&mut self, start: u64, data: &[u8]) -> TargetResult<(), Self> {
        let data = data.to_vec();
        let ok = self.access(move |_, p| p.space.write_bytes(start, &data).is_ok())?;
        ok.then_some(()).ok_or(TargetError::NonFatal)
    }

    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

/// The bytes at `start..start+len` up to the first unreadable one.
fn readable_prefix(p: &Process, start: u64, len: usize) -> Vec<u8> {
    if let Ok(all) = p.space.read_bytes(start, len) {
        return all;
    }
    (0..len as u64)
        .map_while(|i| p.space.read_bytes(start.wrapping_add(i), 1).ok())
        .flatten()
        .collect()
}

impl<A: GdbArch> SingleThreadResume for Proxy<A> {
    fn resume(&mut self, signal: Option<Signal>) -> Result<(), GuestGone> {
        let signal = signal.and_then(|s| super::linux_signal(s.0));
        self.send(Request::Resume {
            step: false,
            signal,
        })
    }

    fn support_single_step(&mut self) -> Option<SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
}

impl<A: GdbArch> SingleThreadSingleStep for Proxy<A> {
    fn step(&mut self, signal: Option<Signal>) -> Result<(), GuestGone> {
        let signal = signal.and_then(|s| super::linux_signal(s.0));
        self.send(Request::Resume { step: true, signal })
    }
}

impl<A: GdbArch> Breakpoints for Proxy<A> {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }

    fn support_hw_breakpoint(&mut self) -> Option<HwBreakpointOps<'_, Self>> {
        Some(self)
    }
}

/// `SwBreakpoint` and `HwBreakpoint` (`hbreak`) are the same here: neither patches code.
macro_rules! breakpoint_kind {
    ($kind:ident, $add:ident, $remove:ident) => {
        impl<A: GdbArch> $kind for Proxy<A> {
            fn $add(&mut self, addr: u64, _kind: A::BreakpointKind) -> TargetResult<bool, Self> {
                self.set_breakpoint(addr, true);
                Ok(true)
            }

            fn $remove(&mut self, addr: u64, _kind: A::BreakpointKind) -> TargetResult<bool, Self> {
                Ok(self.set_breakpoint(addr, false))
            }
        }
    };
}

breakpoint_kind!(SwBreakpoint, add_sw_breakpoint, remove_sw_breakpoint);
breakpoint_kind!(HwBreakpoint, add_hw_breakpoint, remove_hw_breakpoint);

impl<A: GdbArch> Auxv for Proxy<A> {
    fn get_auxv(&self, offset: u64, length: usize, buf: &mut [u8]) -> TargetResult<usize, Self> {
        let auxv = self.access(|_, p| {
            p.auxv
                .iter()
                .flat_map(|(k, v)| [*k, *v])
                .flat_map(u64::to_le_bytes)
                .collect::<Vec<u8>>()
        })?;
        let from = (offset as usize).min(auxv.len());
        let n = length.min(buf.len()).min(auxv.len() - from);
        buf[..n].copy_from_slice(&auxv[from..from + n]);
        Ok(n)
    }
}

/// How long the event loop waits for a stop before looking at the connection again.
const POLL: Duration = Duration::from_millis(10);

/// The `gdbstub` blocking event loop over [`Proxy`].
struct EventLoop<A>(PhantomData<A>);

impl<A: GdbArch> BlockingEventLoop for EventLoop<A> {
    type Target = Proxy<A>;
    type Connection = TcpStream;
    type StopReason = SingleThreadStopReason<u64>;

    fn wait_for_stop_reason(
        target: &mut Proxy<A>,
        conn: &mut TcpStream,
    ) -> Result<
        Event<Self::StopReason>,
        WaitForStopReasonError<GuestGone, <TcpStream as Connection>::Error>,
    > {
        loop {
            match target.link.stops.recv_timeout(POLL) {
                Ok(stop) => return Ok(Event::TargetStopped(stop_reason(stop))),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(WaitForStopReasonError::Target(GuestGone))
                }
            }
            if conn
                .peek()
                .map_err(WaitForStopReasonError::Connection)?
                .is_some()
            {
                let byte = conn.read().map_err(WaitForStopReasonError::Connection)?;
                return Ok(Event::IncomingData(byte));
            }
        }
    }

    fn on_interrupt(target: &mut Proxy<A>) -> Result<Option<Self::StopReason>, GuestGone> {
        let shared = &target.link.shared;
        shared.interrupt.store(true, Ordering::Release);
        if let Some(vcpu) = lock(&shared.vcpu).as_ref() {
            vcpu.request_exit();
        }
        // The guest thread reports the stop when it has left guest code.
        Ok(None)
    }
}

fn stop_reason(stop: Stop) -> SingleThreadStopReason<u64> {
    match stop {
        Stop::Stepped => SingleThreadStopReason::DoneStep,
        Stop::Breakpoint => SingleThreadStopReason::SwBreak(()),
        Stop::Interrupted => SingleThreadStopReason::Signal(Signal::SIGINT),
        Stop::Signal(sig) => SingleThreadStopReason::Signal(Signal(super::gdb_signal(sig))),
        Stop::Exited(status) => SingleThreadStopReason::Exited(status as u8),
        Stop::Killed(sig) => SingleThreadStopReason::Terminated(Signal(super::gdb_signal(sig))),
    }
}

/// Run the gdb protocol on `conn` until gdb detaches, kills the program or the program ends.
pub fn serve<A: GdbArch>(conn: TcpStream, link: Link) {
    let mut target = Proxy::<A> {
        link,
        arch: PhantomData,
    };
    let result = GdbStub::new(conn).run_blocking::<EventLoop<A>>(&mut target);
    let link = &target.link;
    match result {
        Ok(DisconnectReason::TargetExited(_) | DisconnectReason::TargetTerminated(_)) => {
            let _ = link.exit_reported.send(());
        }
        Ok(DisconnectReason::Kill) => {
            let _ = link.requests.send(Request::Kill);
        }
        Ok(DisconnectReason::Disconnect) => {
            lock(&link.shared.vcpu).take();
            let _ = link.requests.send(Request::Detach);
        }
        Err(e) => {
            if !e.is_target_error() {
                eprintln!("emu-user: gdb connection: {e}");
            }
            let _ = link.requests.send(Request::Detach);
        }
    }
}
