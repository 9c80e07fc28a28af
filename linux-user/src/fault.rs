//! Host SIGSEGV/SIGBUS handling for guest memory.
//!
//! A fault inside the guest window is either a write to a page we write-protected because
//! translated code came from it (self-modifying code), or a real guest fault. For the first, the
//! handler restores the page's write permission, clears its code mark, queues the page for
//! `Engine::invalidate` and raises the CPU's `exit_request`; returning retries the write, and at
//! the next block boundary the run loop drains the queue and invalidates. For a real guest
//! fault while guest code runs under [`run_guarded`], the handler records the fault (address,
//! signal, whether it was a write) and `siglongjmp`s back to [`run_guarded`], which returns it
//! for delivery as a guest signal (as qemu's `cpu_loop_exit`); elsewhere the guest signal's
//! default action ends the emulator ([`crate::signals::die_with_signal`]). A fault outside the
//! window is an emulator bug: a clear message, then `abort`.
//!
//! The jump leaves the engine's frames without unwinding them: nothing there owns heap data,
//! but the engine's executing read lock is left held, so later code-cache flushes cannot take
//! it (translated code keeps working, flushes stop; acceptable for programs that fault and
//! recover a few times).
//!
//! Async-signal-safety compromise: the handler only uses atomics, `mprotect`, `write` and
//! `kill`; the engine is not called from the handler (it takes locks), hence the queue. The
//! queue is a fixed array; on overflow everything is invalidated. The block that did the write
//! runs to its end on its old translation (the write itself is kept), like a store followed by
//! the next fetch on real hardware without `fence.i`. The handler state is global (one guest
//! window per process) except the jump buffer and the CPU's `exit_request`, which are per
//! thread.

use std::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering,
};

use crate::memory::GuestMemory;
use crate::pages::{self, host_prot};
use crate::signals::{die_with_signal, fmt_u64, write_stderr};
use crate::window::PAGE_SIZE;

static WINDOW_BASE: AtomicU64 = AtomicU64::new(0);
static WINDOW_SIZE: AtomicU64 = AtomicU64::new(0);
static PAGE_FLAGS: AtomicPtr<AtomicU8> = AtomicPtr::new(std::ptr::null_mut());

/// glibc's `sigjmp_buf` (200 bytes on x86_64), with room to spare.
#[repr(C, align(16))]
struct SigJmpBuf([u64; 40]);

extern "C" {
    #[link_name = "__sigsetjmp"]
    fn sigsetjmp(env: *mut SigJmpBuf, savemask: libc::c_int) -> libc::c_int;
    fn siglongjmp(env: *mut SigJmpBuf, val: libc::c_int) -> !;
}

thread_local! {
    /// Where a guest fault jumps to while guest code runs on this thread.
    static JMP: std::cell::UnsafeCell<SigJmpBuf> = const {
        std::cell::UnsafeCell::new(SigJmpBuf([0; 40]))
    };
    /// The last guest fault: host address, signal, write flag.
    static LAST_FAULT: std::cell::Cell<(u64, i32, bool)> = const {
        std::cell::Cell::new((0, 0, false))
    };
    /// Set while [`run_guarded`] runs guest code on this thread.
    static ARMED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The `exit_request` word of the CPU this thread runs (null: none yet).
    static EXIT_REQUEST: std::cell::Cell<*const AtomicU32> = const {
        std::cell::Cell::new(std::ptr::null())
    };
}

/// A guest memory fault caught while guest code ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestFault {
    /// The guest address.
    pub addr: u64,
    /// SIGSEGV or SIGBUS.
    pub signal: i32,
    /// The access was a write (from the host's page-fault error code).
    pub write: bool,
}

/// Run guest code (`f`, normally `Vcpu::run`), returning early with the fault if guest code
/// makes a guest memory fault. State is as translated code left it at the faulting access.
#[inline(never)]
pub fn run_guarded<R>(f: &mut dyn FnMut() -> R) -> Result<R, GuestFault> {
    let buf = JMP.with(|j| j.get());
    // SAFETY: `buf` is this thread's jump buffer; it stays valid while ARMED is set, which is
    // only during `f` below. When the handler jumps back here, nothing live in this frame is
    // used but thread-locals and statics.
    if unsafe { sigsetjmp(buf, 1) } != 0 {
        ARMED.with(|a| a.set(false));
        let (host, signal, write) = LAST_FAULT.with(|c| c.get());
        let base = WINDOW_BASE.load(Ordering::Acquire);
        return Err(GuestFault {
            addr: host.wrapping_sub(base),
            signal,
            write,
        });
    }
    ARMED.with(|a| a.set(true));
    let r = f();
    ARMED.with(|a| a.set(false));
    Ok(r)
}

/// Whether the x86_64 page-fault error code in `ctx` says "write".
fn fault_was_write(ctx: *mut libc::c_void) -> bool {
    if ctx.is_null() {
        return false;
    }
    // SAFETY: the kernel passes a valid ucontext to SA_SIGINFO handlers.
    let err =
        unsafe { (*(ctx as *const libc::ucontext_t)).uc_mcontext.gregs[libc::REG_ERR as usize] };
    err & 2 != 0
}

/// Leave guest code for [`run_guarded`] with this fault, if guest code is running.
fn jump_out(addr: u64, sig: i32, ctx: *mut libc::c_void) {
    if !ARMED.with(|a| a.get()) {
        return;
    }
    let write = fault_was_write(ctx);
    LAST_FAULT.with(|c| c.set((addr, sig, write)));
    let buf = JMP.with(|j| j.get());
    // SAFETY: ARMED says `run_guarded` is on this thread's stack below us with `buf` set.
    unsafe { siglongjmp(buf, 1) }
}

const QUEUE_LEN: usize = 256;
static QUEUE: [AtomicU64; QUEUE_LEN] = [const { AtomicU64::new(0) }; QUEUE_LEN];
static QUEUE_USED: AtomicUsize = AtomicUsize::new(0);
static QUEUE_OVERFLOW: AtomicBool = AtomicBool::new(false);

/// Guest pages written after their code was translated, since the last [`take_pending`].
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PendingInvalidations {
    pub pages: Vec<u64>,
    /// More pages than the queue holds were written: drop every translation.
    pub everything: bool,
}

/// Register `mem` with the handler and install it for SIGSEGV and SIGBUS. `mem` must outlive
/// every guest access (the run loop keeps it alive until exit).
pub fn install(mem: &GuestMemory) -> std::io::Result<()> {
    WINDOW_BASE.store(mem.window.base(), Ordering::Release);
    WINDOW_SIZE.store(mem.window.size(), Ordering::Release);
    PAGE_FLAGS.store(mem.pages.raw().0 as *mut AtomicU8, Ordering::Release);
    install_alt_stack()?;
    for sig in [libc::SIGSEGV, libc::SIGBUS] {
        // SAFETY: a zeroed sigaction is valid; we fill handler, flags and mask before use.
        let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
        act.sa_sigaction = handler as *const () as usize;
        act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
        // SAFETY: valid sigaction struct; the handler is an `extern "C"` fn of the right shape.
        let r = unsafe {
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(sig, &act, std::ptr::null_mut())
        };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The handler must run even when the fault is a host stack overflow.
fn install_alt_stack() -> std::io::Result<()> {
    const SIZE: usize = 64 * 1024;
    // SAFETY: fresh anonymous mapping, leaked on purpose: it is the thread's signal stack.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(std::io::Error::last_os_error());
    }
    let st = libc::stack_t {
        ss_sp: p,
        ss_flags: 0,
        ss_size: SIZE,
    };
    // SAFETY: `st` describes the mapping just made.
    if unsafe { libc::sigaltstack(&st, std::ptr::null_mut()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// The `exit_request` word of the CPU the calling thread runs, raised after a self-modifying
/// write or a host signal on this thread. The CPU must outlive the thread's guest execution.
pub fn set_exit_request(word: &AtomicU32) {
    EXIT_REQUEST.with(|c| c.set(word));
}

/// Take the queued self-modifying-code pages.
pub fn take_pending() -> PendingInvalidations {
    let used = QUEUE_USED.swap(0, Ordering::AcqRel).min(QUEUE_LEN);
    PendingInvalidations {
        pages: QUEUE[..used]
            .iter()
            .map(|q| q.load(Ordering::Acquire))
            .collect(),
        everything: QUEUE_OVERFLOW.swap(false, Ordering::AcqRel),
    }
}

fn queue_page(page: u64) {
    let i = QUEUE_USED.fetch_add(1, Ordering::AcqRel);
    if i < QUEUE_LEN {
        QUEUE[i].store(page, Ordering::Release);
    } else {
        QUEUE_OVERFLOW.store(true, Ordering::Release);
    }
    request_exit();
}

/// Raise the `exit_request` of the CPU this thread runs (async-signal-safe: a const-initialized
/// thread-local read): guest code returns to the run loop at the next block entry.
pub fn request_exit() {
    let req = EXIT_REQUEST.with(|c| c.get());
    if !req.is_null() {
        // SAFETY: the pointer was registered from a live CPU header by this thread's run loop.
        unsafe { (*req).store(1, Ordering::Release) };
    }
}

/// Outcome of looking at a fault address.
#[derive(Debug, PartialEq, Eq)]
enum FaultKind {
    /// A write to a write-protected code page: fixed, retry.
    CodeWrite,
    /// A guest access to memory it may not touch.
    Guest,
    /// Not in the guest window.
    Host,
}

/// Classify (and for code pages, fix) a fault at host address `addr`.
fn classify(addr: u64) -> FaultKind {
    let base = WINDOW_BASE.load(Ordering::Acquire);
    let size = WINDOW_SIZE.load(Ordering::Acquire);
    let flags_table = PAGE_FLAGS.load(Ordering::Acquire);
    if flags_table.is_null() || addr < base || addr - base >= size {
        return FaultKind::Host;
    }
    let guest = addr - base;
    let page = guest & !(PAGE_SIZE - 1);
    // SAFETY: the table has one entry per window page and `guest < size`.
    let slot = unsafe { &*flags_table.add((guest / PAGE_SIZE) as usize) };
    let old = slot.fetch_and(!pages::CODE, Ordering::AcqRel);
    if old & pages::CODE == 0 || old & pages::WRITE == 0 {
        return FaultKind::Guest;
    }
    // SAFETY: the page is inside our reservation and mapped; restoring its guest permissions.
    let r = unsafe {
        libc::mprotect(
            (base + page) as *mut libc::c_void,
            PAGE_SIZE as usize,
            host_prot(old & !pages::CODE),
        )
    };
    if r != 0 {
        return FaultKind::Guest;
    }
    queue_page(page);
    FaultKind::CodeWrite
}

extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers of SIGSEGV/SIGBUS.
    let addr = unsafe { (*info).si_addr() } as u64;
    match classify(addr) {
        FaultKind::CodeWrite => {}
        FaultKind::Guest => {
            jump_out(addr, sig, ctx);
            die_with_signal(sig)
        }
        FaultKind::Host => {
            let mut b1 = [0u8; 20];
            let mut b2 = [0u8; 20];
            write_stderr(&[
                b"emu-user: host signal ",
                fmt_u64(sig as u64, 10, &mut b1),
                b" at address 0x",
                fmt_u64(addr, 16, &mut b2),
                b" outside the guest window (emulator bug or host stack overflow)\n",
            ]);
            // SAFETY: aborting the process is always allowed.
            unsafe {
                libc::signal(libc::SIGABRT, libc::SIG_DFL);
                libc::abort()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Self-modifying-code path: a host write to a code-marked, write-protected page succeeds
    /// after the handler fixes it, and the page is queued. (The only test touching the global
    /// handler state; guest and host fault paths end the process and are tested end to end.)
    #[test]
    fn write_to_code_page_is_retried_and_queued() {
        let mem = GuestMemory::new(32).unwrap();
        let rwx = pages::MAPPED | pages::READ | pages::WRITE | pages::EXEC;
        mem.window
            .map_anon(0x10000, PAGE_SIZE, host_prot(rwx))
            .unwrap();
        mem.pages.set(0x10000, rwx | pages::CODE);
        mem.window
            .protect(0x10000, PAGE_SIZE, host_prot(rwx | pages::CODE))
            .unwrap();
        install(&mem).unwrap();
        let exit_req = AtomicU32::new(0);
        set_exit_request(&exit_req);
        let _ = take_pending();
        // SAFETY: the page is mapped (read-only until the handler unprotects it).
        unsafe { std::ptr::write_volatile(mem.window.host_ptr(0x10008), 42u8) };
        // SAFETY: same page, now writable.
        let back = unsafe { std::ptr::read_volatile(mem.window.host_ptr(0x10008)) };
        assert_eq!(back, 42);
        assert_eq!(mem.pages.get(0x10000), rwx, "code mark cleared");
        assert_eq!(exit_req.load(Ordering::Acquire), 1);
        assert_eq!(
            take_pending(),
            PendingInvalidations {
                pages: vec![0x10000],
                everything: false
            }
        );
        assert_eq!(classify(mem.window.base() - 1), FaultKind::Host);
        assert_eq!(classify(mem.window.base() + 0x20000), FaultKind::Guest);
        EXIT_REQUEST.with(|c| c.set(std::ptr::null()));
    }
}
