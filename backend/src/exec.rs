//! The execution loop: [`Vcpu::run`] looks blocks up (translating on a miss), runs them in the
//! interpreter or as native code, links direct exits of compiled blocks to their targets, and
//! returns on the first [`ExitReason`]; [`Vcpu::run_debug`] is the same loop under a debugger
//! (one-instruction blocks, breakpoints, single-step).
//!
//! Also owns [`VcpuCtx`], the per-thread memory compiled code reads and writes (its address is
//! the second argument of every block function): the last unlinked exit slot and the
//! direct-mapped indirect-jump cache.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use emu_ir::interp::{interpret, BlockExit};
use emu_ir::{CpuHeader, ExitReason};

use crate::cache::{Tb, TbKey};
use crate::engine::Engine;

/// Entries in the per-vCPU jump cache (a power of two).
pub const JC_ENTRIES: usize = 4096;
/// Mask applied to `pc >> 1` to index the jump cache.
pub const JC_MASK: usize = JC_ENTRIES - 1;
/// Bytes per jump-cache entry.
pub const JC_ENTRY_SIZE: usize = std::mem::size_of::<JcEntry>();
/// Offset of `VcpuCtx::last_slot`.
pub const VCPU_LAST_SLOT_OFFSET: i32 = 0;
/// Offset of `VcpuCtx::jcache`.
pub const JC_OFFSET: i32 = 16;

/// One jump-cache entry: code for (`pc`, `flags`), or `code == 0` for none. Written only by the
/// owning vCPU's dispatcher; other threads only clear `code` (invalidation).
#[repr(C)]
pub struct JcEntry {
    pub pc: AtomicU64,
    pub flags: AtomicU64,
    pub code: AtomicUsize,
    _pad: u64,
}

/// Per-vCPU state shared with compiled code. All-zero is its initial state.
#[repr(C)]
pub struct VcpuCtx {
    /// Set by compiled code when it returns through an unlinked direct exit: that exit's link
    /// slot address (0 for other exits).
    pub last_slot: AtomicUsize,
    _pad: u64,
    pub jcache: [JcEntry; JC_ENTRIES],
    /// Set while this vCPU runs compiled code (a code-memory flush waits for it to clear).
    pub in_native: AtomicBool,
    /// The running CPU's `exit_request` word (null before the first run): a flush raises it so
    /// that compiled code spinning in chained blocks returns.
    pub exit_request: AtomicPtr<AtomicU32>,
}

const _: () = assert!(std::mem::offset_of!(VcpuCtx, jcache) == JC_OFFSET as usize);
const _: () = assert!(std::mem::offset_of!(VcpuCtx, last_slot) == VCPU_LAST_SLOT_OFFSET as usize);
const _: () = assert!(JC_ENTRY_SIZE == 32);

impl VcpuCtx {
    pub fn new() -> Arc<VcpuCtx> {
        // SAFETY: every field is an atomic integer or a u64, for which all-zero bytes are valid.
        unsafe { Arc::<VcpuCtx>::new_zeroed().assume_init() }
    }

    fn entry(&self, pc: u64) -> &JcEntry {
        &self.jcache[(pc >> 1) as usize & JC_MASK]
    }

    /// Remember that `key` runs the code at `code` (owning thread only).
    pub fn fill(&self, key: TbKey, code: usize) {
        let e = self.entry(key.pc);
        e.code.store(0, Ordering::Release);
        e.pc.store(key.pc, Ordering::Relaxed);
        e.flags.store(u64::from(key.flags), Ordering::Relaxed);
        e.code.store(code, Ordering::Release);
    }

    /// Ask the CPU running on this context to leave compiled code at the next block entry.
    pub fn request_exit(&self) {
        let word = self.exit_request.load(Ordering::Acquire);
        if !word.is_null() {
            // SAFETY: the pointer was set by `Vcpu::run` from the CPU state it runs, which the
            // owner keeps alive as long as it uses this vCPU.
            unsafe { (*word).store(1, Ordering::Release) };
        }
    }

    /// Drop every entry whose code satisfies `dead`.
    pub fn clear_where(&self, dead: impl Fn(usize) -> bool) {
        for e in &self.jcache {
            let code = e.code.load(Ordering::Acquire);
            if code != 0 && dead(code) {
                e.code.store(0, Ordering::Release);
            }
        }
    }
}

/// The entry trampoline's type: calls the tail-conv block function `code`.
pub type Trampoline = unsafe extern "C" fn(env: *mut u8, vcpu: *const VcpuCtx, code: usize) -> u64;

/// Entries in the per-vCPU block cache the dispatcher checks before the shared TB map.
const TB_CACHE_ENTRIES: usize = 1024;

/// A guest thread's execution context.
pub struct Vcpu {
    engine: Arc<Engine>,
    ctx: Arc<VcpuCtx>,
    /// Direct-mapped cache of recently run blocks (invalidated ones are skipped by their
    /// `invalid` flag), so the dispatcher rarely locks and hashes into the shared map.
    recent: Vec<Option<Arc<Tb>>>,
}

/// A direct exit of compiled code waiting to be linked to the next block.
#[derive(Clone, Copy)]
pub(crate) struct PendingLink {
    pub slot: usize,
    /// Code-memory generation the slot's block ran in (links are dropped across flushes).
    pub generation: u64,
}

impl Vcpu {
    pub(crate) fn new(engine: Arc<Engine>, ctx: Arc<VcpuCtx>) -> Vcpu {
        Vcpu {
            engine,
            ctx,
            recent: vec![None; TB_CACHE_ENTRIES],
        }
    }

    /// Run guest code on the CPU state at `env` (starting at its header's `pc`) until an exit.
    /// A set `exit_request` returns `Halt` before the next block; the caller clears it.
    ///
    /// # Safety
    /// `env` must be a valid CPU state for the engine's translator, whose header's memory window
    /// is valid.
    pub unsafe fn run(&mut self, env: *mut u8) -> ExitReason {
        // SAFETY: forwarded contract.
        match unsafe { self.run_loop(env, None) } {
            DebugExit::Exit(reason) => reason,
            // Only a debug run stops for these; a spurious one just re-enters the loop.
            DebugExit::Stepped | DebugExit::Breakpoint => ExitReason::Halt,
        }
    }

    /// [`Vcpu::run`] under a debugger: blocks are not chained, and with breakpoints or
    /// single-stepping they are one instruction long (in both tiers), so that the run stops
    /// exactly after one instruction (`debug.step`) or before an instruction whose address
    /// `debug.breakpoint` accepts (not the first one: resuming from a breakpoint executes it).
    ///
    /// # Safety
    /// As [`Vcpu::run`].
    pub unsafe fn run_debug(&mut self, env: *mut u8, debug: &DebugRun<'_>) -> DebugExit {
        // SAFETY: forwarded contract.
        unsafe { self.run_loop(env, Some(debug)) }
    }

    /// The dispatcher loop of [`Vcpu::run`] and [`Vcpu::run_debug`].
    ///
    /// # Safety
    /// As [`Vcpu::run`].
    unsafe fn run_loop(&mut self, env: *mut u8, debug: Option<&DebugRun<'_>>) -> DebugExit {
        // Only a raw pointer: blocks write the header (pc) while the loop runs.
        let header = env as *const CpuHeader;
        // SAFETY: `env` starts with a CpuHeader (contract); only the atomic's address is taken.
        let exit_word = unsafe { &(*header).exit_request } as *const AtomicU32;
        self.ctx
            .exit_request
            .store(exit_word.cast_mut(), Ordering::Release);
        let engine = self.engine.clone();
        let tracing = engine.log_wants().exec;
        let extra_flags = debug.map_or(0, DebugRun::flags);
        let mut pending: Option<PendingLink> = None;
        let mut first = true;
        loop {
            // SAFETY: `env` starts with a CpuHeader (contract); `exit_request` is atomic.
            if unsafe { (*header).exit_request.load(Ordering::Acquire) } != 0 {
                return DebugExit::Exit(ExitReason::Halt);
            }
            // SAFETY: `env` is the translator's CPU state (contract).
            let flags = unsafe { engine.translator.flags(env) } | extra_flags;
            // SAFETY: as above; a plain read of the pc, no reference kept.
            let pc = unsafe { (*header).pc };
            if let Some(d) = debug {
                if !first && (d.step || (d.breakpoint)(pc)) {
                    return if d.step {
                        DebugExit::Stepped
                    } else {
                        DebugExit::Breakpoint
                    };
                }
            }
            first = false;
            let key = TbKey { pc, flags };
            let tb = find(&mut self.recent, &engine, key);
            engine.maybe_compile(tb);
            if tracing {
                // Unchained, so that every block comes back here to be reported.
                // SAFETY: `env` is the translator's CPU state (contract of `run`).
                unsafe { engine.log_executing(key, env) };
            } else if debug.is_none() {
                engine.link_and_cache(tb, &self.ctx, pending.take());
            }
            // SAFETY: forwarded contract; `tb` is kept alive by the Arc during the call.
            if let Some(result) = unsafe { engine.run_native(tb, env, &self.ctx) } {
                match result {
                    Ok(p) => pending = p,
                    Err(reason) => return DebugExit::Exit(reason),
                }
                continue;
            }
            engine.count_interpreted();
            // SAFETY: forwarded contract.
            match unsafe { interpret(&tb.block, env) } {
                BlockExit::Goto(_) | BlockExit::Indirect(_) => {}
                BlockExit::Exit(reason) => return DebugExit::Exit(reason),
            }
        }
    }
}

/// How [`Vcpu::run_debug`] runs.
pub struct DebugRun<'a> {
    /// Stop after one instruction.
    pub step: bool,
    /// Whether a breakpoint is set at a guest address.
    pub breakpoint: &'a dyn Fn(u64) -> bool,
    /// Whether any breakpoint is set (blocks are then one instruction long).
    pub has_breakpoints: bool,
}

impl DebugRun<'_> {
    /// The translation flags the run adds to the arch's.
    fn flags(&self) -> u32 {
        if self.step || self.has_breakpoints {
            emu_ir::TB_FLAG_ONE_INSN
        } else {
            0
        }
    }
}

/// Why [`Vcpu::run_debug`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugExit {
    /// Guest code stopped by itself (syscall, exception, exit request); a step that ends
    /// this way has executed its instruction as far as it goes.
    Exit(ExitReason),
    /// One instruction was executed (`step`).
    Stepped,
    /// The next instruction is at a breakpoint.
    Breakpoint,
}

impl Vcpu {
    /// The context another thread uses to make this vCPU leave guest code
    /// ([`VcpuCtx::request_exit`]).
    pub fn exit_handle(&self) -> Arc<VcpuCtx> {
        self.ctx.clone()
    }

    /// After guest code left [`Vcpu::run`] by a non-local jump (a guest fault recovered with
    /// `siglongjmp`): this vCPU no longer runs compiled code.
    pub fn fault_recovered(&self) {
        self.ctx.in_native.store(false, Ordering::Release);
    }
}

/// The block for `key` from the per-vCPU cache `recent`, filling the entry from the engine
/// (which translates on a miss) when it holds another or an invalidated block.
fn find<'a>(recent: &'a mut [Option<Arc<Tb>>], engine: &Engine, key: TbKey) -> &'a Arc<Tb> {
    let slot = &mut recent[(key.pc >> 1) as usize % TB_CACHE_ENTRIES];
    let hit = slot
        .as_ref()
        .is_some_and(|tb| tb.key == key && !tb.invalid.load(Ordering::Acquire));
    if !hit {
        *slot = None;
    }
    slot.get_or_insert_with(|| engine.lookup(key))
}
