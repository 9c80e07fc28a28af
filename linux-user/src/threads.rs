//! Guest threads. `clone` with the flags of `pthread_create` (`CLONE_VM|CLONE_THREAD|...`)
//! starts the new guest thread on a new host thread, so the guest tid is the host tid. It
//! shares the address space, the engine (translated code), the signal actions and the log
//! with its creator ([`Process::for_new_thread`]), and gets a copy of the creator's registers
//! with the new stack and thread pointer. `exit` of a thread zeroes and futex-wakes its
//! `CLONE_CHILD_CLEARTID` word (how `pthread_join` waits) and ends the host thread; `exit` of
//! the last thread, or `exit_group`, ends the process.
//!
//! Futexes need no translation: guest memory is host memory at `window base + guest address`,
//! every guest thread is a host thread of this process, and the futex word holds guest tids
//! (= host tids) for the PI operations.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use crate::errno::{Errno, SysResult};
use crate::guest_cpu::GuestCpu;
use crate::syscall::clone_flags::*;
use crate::syscall::{host_syscall, Process};

/// Guest threads alive in this process, the calling one included.
static LIVE: AtomicUsize = AtomicUsize::new(1);
/// The tids of the threads `clone` started (not the main thread).
static TIDS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// The flags `clone` must have to make a thread (what glibc and musl pass, as qemu requires).
const THREAD_FLAGS: u64 = VM | FS | FILES | SIGHAND | THREAD | SYSVSEM;
/// Flags accepted on top of [`THREAD_FLAGS`].
const THREAD_OPTIONAL: u64 = SETTLS | PARENT_SETTID | CHILD_CLEARTID | CHILD_SETTID;
/// Host stack of a guest thread's emulator loop (interpreter and helpers run on it).
const HOST_STACK: usize = 8 << 20;

fn tids() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    TIDS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `tid` is a thread `clone` started in this process that is still running.
pub fn is_guest_thread(tid: i32) -> bool {
    tids().contains(&tid)
}

/// Whether a `clone` with these flags asks for a thread (else it is a fork).
pub fn is_thread_clone(flags: u64) -> bool {
    flags & VM != 0 && flags & VFORK == 0
}

/// In a forked child only the forking thread exists.
pub fn forget_other_threads() {
    LIVE.store(1, Ordering::SeqCst);
    tids().clear();
}

/// The arguments of `clone` after the flags, in the generic order
/// (`newsp, parent_tid, tls, child_tid`).
struct CloneArgs {
    flags: u64,
    stack: u64,
    parent_tid: u64,
    tls: u64,
    child_tid: u64,
}

/// `clone` making a thread: the child's registers are the caller's, with 0 as the syscall
/// result, the new stack and (with `CLONE_SETTLS`) the new thread pointer. Returns the tid.
pub fn clone_thread(cpu: &mut dyn GuestCpu, p: &mut Process, a: [u64; 6]) -> SysResult {
    let args = CloneArgs {
        flags: a[0],
        stack: a[1],
        parent_tid: a[2],
        tls: a[3],
        child_tid: a[4],
    };
    if args.flags & THREAD_FLAGS != THREAD_FLAGS
        || args.flags & !(THREAD_FLAGS | THREAD_OPTIONAL | CSIGNAL) != 0
    {
        return Err(Errno::EINVAL);
    }
    let mut child = cpu.boxed_clone();
    p.arch.syscall_regs.set_result(child.int_regs(), 0);
    if args.stack != 0 {
        child.set_stack_pointer(args.stack);
    }
    if args.flags & SETTLS != 0 {
        child.set_thread_pointer(args.tls);
    }
    let mut process = p.for_new_thread();
    if args.flags & CHILD_CLEARTID != 0 {
        process.thread.clear_child_tid = args.child_tid;
    }
    start(child, process, args)
}

/// Start the host thread and wait until it knows its tid (written to the tid words before it
/// runs guest code, so the guest never sees them unset).
fn start(cpu: Box<dyn GuestCpu>, mut process: Process, args: CloneArgs) -> SysResult {
    let (tx, rx) = mpsc::sync_channel(1);
    LIVE.fetch_add(1, Ordering::SeqCst);
    // Unnamed: the host thread keeps its creator's name, as a new thread's comm under Linux.
    let spawned = std::thread::Builder::new()
        .stack_size(HOST_STACK)
        .spawn(move || {
            // SAFETY: gettid cannot fail.
            let tid = unsafe { libc::gettid() };
            // The kernel writes the tid words without reporting a failure.
            if args.flags & PARENT_SETTID != 0 {
                let _ = process.space.write_u32(args.parent_tid, tid as u32);
            }
            if args.flags & CHILD_SETTID != 0 {
                let _ = process.space.write_u32(args.child_tid, tid as u32);
            }
            tids().insert(tid);
            let _ = tx.send(tid);
            crate::runner::run_thread(cpu, &mut process);
            tids().remove(&tid);
        });
    if spawned.is_err() {
        LIVE.fetch_sub(1, Ordering::SeqCst);
        return Err(Errno::EAGAIN);
    }
    rx.recv().map(|tid| tid as u64).map_err(|_| Errno::EAGAIN)
}

/// `exit` of one thread: the last one ends the process; otherwise the run loop ends the
/// thread when the syscall returns ([`finish`]).
pub fn exit_thread(p: &mut Process, status: i32) -> SysResult {
    if LIVE.fetch_sub(1, Ordering::SeqCst) == 1 {
        p.exit(status);
    }
    p.thread.exit_status = Some(status);
    Ok(0)
}

/// The end of a thread's life after `exit`: clear its tid word and wake one waiter on it, as
/// the kernel does for `CLONE_CHILD_CLEARTID`.
pub fn finish(p: &mut Process) {
    let word = p.thread.clear_child_tid;
    if word == 0 || p.space.write_u32(word, 0).is_err() {
        return;
    }
    if let Ok(host) = p.space.read_ptr(word, 4) {
        const FUTEX_WAKE: u64 = 1;
        let _ = host_syscall(libc::SYS_futex, [host as u64, FUTEX_WAKE, 1, 0, 0, 0]);
    }
}
