//! The [`Engine`]: owns the TB cache, code memory, the compile thread and the statistics, and
//! implements what the execution loop needs (lookup with linking, tier-up, native entry,
//! invalidation, code-memory flush).
//!
//! Locks, always taken in this order: `lowerer` (synchronous compiles) → `flush_lock` → `tbs` →
//! `code` → a `Tb`'s `incoming` list → `vcpus`.
//!
//! A code-memory flush must not free code some vCPU is running. Each vCPU raises its
//! `in_native` flag around native runs; a flush sets `flushing`, asks every vCPU to leave
//! compiled code (their `exit_request`) and waits until no flag is up, while vCPUs that see
//! `flushing` interpret instead (a Dekker-style handshake with sequentially consistent atomics).
//! A vCPU stopped that way returns `Halt` from [`crate::Vcpu::run`] as if asked to stop.
//! A flag, unlike a lock guard, can be cleared when a guest fault leaves native code by
//! `siglongjmp` ([`crate::Vcpu::fault_recovered`]).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};

use emu_ir::{ExitReason, Translator};

use crate::cache::{CompileState, Tb, TbKey, TbMap};
use crate::codemem::CodeMemory;
use crate::exec::{PendingLink, Trampoline, Vcpu, VcpuCtx};
use crate::lower::{host_isa, Lowerer};
use crate::{BackendError, EngineConfig, EngineStats};

/// Lock helpers that ignore poisoning (a panicking thread leaves the data consistent: every
/// critical section here is a few plain updates).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}
fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|e| e.into_inner())
}

#[derive(Default)]
struct Counters {
    translated: AtomicU64,
    compiled: AtomicU64,
    compile_failures: AtomicU64,
    interpreted: AtomicU64,
    native_entries: AtomicU64,
    links: AtomicU64,
    invalidated: AtomicU64,
    flushes: AtomicU64,
}

/// The translation engine, shared by all guest threads.
pub struct Engine {
    pub(crate) translator: Arc<dyn Translator>,
    config: EngineConfig,
    tbs: RwLock<TbMap>,
    code: Mutex<CodeMemory>,
    /// Serializes flushes (and is held across a fork).
    flush_lock: Mutex<()>,
    /// Set while a flush waits for native code to finish or frees code memory.
    flushing: AtomicBool,
    /// Incremented by every flush (under the `tbs` write lock).
    generation: AtomicU64,
    trampoline: Trampoline,
    /// Host addresses of code memory (fixed for the engine's life).
    code_range: std::ops::Range<usize>,
    /// For synchronous compiles.
    lowerer: Mutex<Lowerer>,
    /// Queue of the background compile thread (None when compiling synchronously).
    compile_queue: Mutex<Option<Sender<Arc<Tb>>>>,
    vcpus: Mutex<Vec<std::sync::Weak<VcpuCtx>>>,
    stats: Counters,
}

impl Engine {
    pub fn new(
        translator: Arc<dyn Translator>,
        config: EngineConfig,
    ) -> Result<Arc<Engine>, BackendError> {
        let isa = host_isa()?;
        let mut lowerer = Lowerer::new(isa.clone());
        let mut code = CodeMemory::new(config.code_size)?;
        let tramp_bytes = lowerer.compile_trampoline()?;
        let tramp = code
            .install(&tramp_bytes)
            .ok_or(BackendError::CodeMemoryTooSmall)?;
        code.make_permanent();
        // SAFETY: `tramp` is the address of the trampoline just compiled for the host with
        // exactly this signature, in code memory that lives as long as the engine.
        let trampoline: Trampoline = unsafe { std::mem::transmute::<usize, Trampoline>(tramp) };
        let code_range = code.range();
        let background = config.background_compile;
        Ok(Arc::new_cyclic(|weak: &Weak<Engine>| {
            let compile_queue = background.then(|| spawn_compiler(weak.clone(), Lowerer::new(isa)));
            Engine {
                translator,
                config,
                tbs: RwLock::new(TbMap::default()),
                code: Mutex::new(code),
                flush_lock: Mutex::new(()),
                flushing: AtomicBool::new(false),
                generation: AtomicU64::new(0),
                trampoline,
                code_range,
                lowerer: Mutex::new(lowerer),
                compile_queue: Mutex::new(compile_queue.flatten()),
                vcpus: Mutex::new(Vec::new()),
                stats: Counters::default(),
            }
        }))
    }

    /// Per-guest-thread execution context (owns the indirect-jump cache).
    pub fn vcpu(self: &Arc<Self>) -> Vcpu {
        let ctx = VcpuCtx::new();
        let mut vcpus = lock(&self.vcpus);
        vcpus.retain(|w| w.strong_count() > 0);
        vcpus.push(Arc::downgrade(&ctx));
        Vcpu::new(self.clone(), ctx)
    }

    /// Whether the host address `pc` lies in generated code (e.g. a host fault's pc, to tell a
    /// guest memory fault from an emulator bug). Lock-free: callable from a signal handler.
    pub fn is_generated_code(&self, pc: usize) -> bool {
        self.code_range.contains(&pc)
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// What the `-d` log wants reported (nothing without one).
    pub(crate) fn log_wants(&self) -> crate::LogWants {
        self.config
            .log
            .as_ref()
            .map_or_else(Default::default, |l| l.0.wants())
    }

    /// Report that `key` is about to run (exec tracing).
    ///
    /// # Safety
    /// As [`crate::EngineLog::executing`].
    pub(crate) unsafe fn log_executing(&self, key: TbKey, env: *const u8) {
        if let Some(log) = &self.config.log {
            // SAFETY: forwarded contract.
            unsafe { log.0.executing(key, env) };
        }
    }

    pub fn stats(&self) -> EngineStats {
        let s = &self.stats;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        EngineStats {
            blocks_translated: get(&s.translated),
            blocks_compiled: get(&s.compiled),
            compile_failures: get(&s.compile_failures),
            interpreted_runs: get(&s.interpreted),
            native_entries: get(&s.native_entries),
            links: get(&s.links),
            blocks_invalidated: get(&s.invalidated),
            flushes: get(&s.flushes),
            live_blocks: read(&self.tbs).live.len() as u64,
            code_bytes: lock(&self.code).used() as u64,
        }
    }

    /// Fork the host process through `fork` (returning 0 in the child, like fork(2)) with
    /// every engine lock held, so that no other thread (the compile thread) holds one at the
    /// moment of the fork. In the child, where only the calling thread exists, a new compile
    /// thread is started and blocks queued for the old one go back to tier 0's counter.
    pub fn fork_with(self: &Arc<Self>, fork: impl FnOnce() -> i64) -> i64 {
        let r = {
            let _lowerer = lock(&self.lowerer);
            let _flush = lock(&self.flush_lock);
            let _tbs = write(&self.tbs);
            let _code = lock(&self.code);
            let _vcpus = lock(&self.vcpus);
            let _queue = lock(&self.compile_queue);
            fork()
        };
        if r == 0 {
            self.restart_compiler_in_child();
        }
        r
    }

    /// After a fork: the compile thread and every other vCPU thread did not survive; start
    /// another compile thread and forget that the dead vCPUs were in native code.
    fn restart_compiler_in_child(self: &Arc<Self>) {
        self.for_each_vcpu(|ctx| ctx.in_native.store(false, Ordering::SeqCst));
        let mut queue = lock(&self.compile_queue);
        if queue.is_none() {
            return;
        }
        let fresh = host_isa()
            .ok()
            .and_then(|isa| spawn_compiler(Arc::downgrade(self), Lowerer::new(isa)));
        // The old channel may have been locked by the dead thread: never touch it again.
        std::mem::forget(std::mem::replace(&mut *queue, fresh));
        drop(queue);
        for tb in read(&self.tbs).live.values() {
            if tb.compile_state() == CompileState::Queued && tb.native.load(Ordering::Acquire) == 0
            {
                tb.set_compile_state(CompileState::Idle);
            }
        }
    }

    /// Drop every block overlapping guest [start, start+len): unlinked, never run again.
    pub fn invalidate(&self, start: u64, len: u64) {
        let mut tbs = write(&self.tbs);
        let removed = tbs.invalidate(start, len);
        if removed.is_empty() {
            return;
        }
        self.stats
            .invalidated
            .fetch_add(removed.len() as u64, Ordering::Relaxed);
        let dead: HashSet<usize> = removed
            .iter()
            .map(|tb| tb.native.load(Ordering::Acquire))
            .filter(|&c| c != 0)
            .collect();
        if !dead.is_empty() {
            self.for_each_vcpu(|ctx| ctx.clear_where(|c| dead.contains(&c)));
        }
    }

    fn for_each_vcpu(&self, f: impl Fn(&VcpuCtx)) {
        for w in lock(&self.vcpus).iter() {
            if let Some(ctx) = w.upgrade() {
                f(&ctx);
            }
        }
    }

    /// Find the block for `key`, translating it on a miss.
    pub(crate) fn lookup(&self, key: TbKey) -> Arc<Tb> {
        if let Some(tb) = read(&self.tbs).live.get(&key) {
            return tb.clone();
        }
        let tb = Arc::new(Tb::new(key, self.translate(key)));
        self.stats.translated.fetch_add(1, Ordering::Relaxed);
        if tb.block.guest_size == 0 {
            // No code could be fetched (the block only reports the fault). Not cached, so that
            // code mapped there later is found: marked invalid, it is interpreted once and
            // neither compiled, linked nor reused.
            tb.invalid.store(true, Ordering::Release);
            return tb;
        }
        let mut tbs = write(&self.tbs);
        tbs.live.entry(key).or_insert(tb).clone()
    }

    fn translate(&self, key: TbKey) -> emu_ir::Block {
        let mut block = self.translator.translate(key.pc, key.flags);
        let wants = self.log_wants();
        let raw = wants.raw_ir.then(|| block.clone());
        if self.config.optimize {
            emu_ir::passes::optimize(&mut block);
        }
        if let Some(log) = self.config.log.as_ref().filter(|_| wants.translate) {
            log.0.translated(key, raw.as_ref(), &block);
        }
        #[cfg(debug_assertions)]
        if let Err(e) = emu_ir::verify::verify(&block) {
            panic!(
                "translator produced an invalid block at {:#x}: {e}\n{block:?}",
                key.pc
            );
        }
        block
    }

    /// If `tb` is compiled: link the pending exit of the previous compiled block to it and put
    /// it in the vCPU's jump cache (under the `tbs` read lock, so that no flush or invalidation
    /// runs concurrently).
    pub(crate) fn link_and_cache(&self, tb: &Tb, ctx: &VcpuCtx, pending: Option<PendingLink>) {
        if tb.native.load(Ordering::Acquire) == 0 {
            return;
        }
        let _tbs = read(&self.tbs);
        let native = tb.native.load(Ordering::Acquire);
        if native == 0 || tb.invalid.load(Ordering::Acquire) {
            return;
        }
        if let Some(p) = pending {
            if p.generation == self.generation.load(Ordering::Acquire) {
                // SAFETY: the slot belongs to a `Tb` alive in this generation (live or in the
                // graveyard), which the read lock keeps from being flushed.
                let slot = unsafe { &*(p.slot as *const std::sync::atomic::AtomicUsize) };
                slot.store(native, Ordering::Release);
                lock(&tb.incoming).push(p.slot);
                self.stats.links.fetch_add(1, Ordering::Relaxed);
            }
        }
        ctx.fill(tb.key, native);
    }

    /// Count an interpreted execution of `tb` and tier it up when hot.
    pub(crate) fn maybe_compile(&self, tb: &Arc<Tb>) {
        if tb.native.load(Ordering::Acquire) != 0 || tb.invalid.load(Ordering::Acquire) {
            return;
        }
        let threshold = self.config.tier1_threshold;
        let runs = tb.runs.fetch_add(1, Ordering::Relaxed);
        if threshold == u32::MAX || runs < threshold || !tb.claim_compile() {
            return;
        }
        if threshold > 0 {
            if let Some(q) = lock(&self.compile_queue).as_ref() {
                if q.send(tb.clone()).is_ok() {
                    return;
                }
            }
        }
        let mut lowerer = lock(&self.lowerer);
        self.compile_and_install(&mut lowerer, tb);
    }

    /// Compile `tb` and put it in code memory (flushing everything once if memory is full).
    fn compile_and_install(&self, lowerer: &mut Lowerer, tb: &Tb) {
        let bytes = match lowerer.compile_block(&tb.block, tb.exit_slots()) {
            Ok(b) => b,
            Err(_) => {
                tb.set_compile_state(CompileState::Failed);
                self.stats.compile_failures.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        for attempt in 0..2 {
            {
                let mut code = lock(&self.code);
                if tb.invalid.load(Ordering::Acquire) {
                    return;
                }
                if let Some(addr) = code.install(&bytes) {
                    tb.native.store(addr, Ordering::Release);
                    self.stats.compiled.fetch_add(1, Ordering::Relaxed);
                    if let Some(log) = self
                        .config
                        .log
                        .as_ref()
                        .filter(|_| self.log_wants().compile)
                    {
                        log.0.compiled(tb.key, addr, &bytes);
                    }
                    return;
                }
            }
            if attempt == 0 {
                self.flush();
            }
        }
        // Larger than the whole code memory: stays interpreted.
        tb.set_compile_state(CompileState::Failed);
        self.stats.compile_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// Drop all compiled code (code memory full): every block goes back to tier 0.
    fn flush(&self) {
        let _one_flush = lock(&self.flush_lock);
        self.flushing.store(true, Ordering::SeqCst);
        self.for_each_vcpu(|ctx| {
            if ctx.in_native.load(Ordering::SeqCst) {
                ctx.request_exit();
            }
        });
        while self.any_vcpu(|ctx| ctx.in_native.load(Ordering::SeqCst)) {
            std::thread::yield_now();
        }
        let mut tbs = write(&self.tbs);
        let mut code = lock(&self.code);
        for tb in tbs.live.values() {
            tb.drop_native();
        }
        tbs.graveyard.clear();
        code.reset();
        self.for_each_vcpu(|ctx| ctx.clear_where(|_| true));
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.stats.flushes.fetch_add(1, Ordering::Relaxed);
        self.flushing.store(false, Ordering::SeqCst);
    }

    fn any_vcpu(&self, f: impl Fn(&VcpuCtx) -> bool) -> bool {
        lock(&self.vcpus)
            .iter()
            .filter_map(|w| w.upgrade())
            .any(|ctx| f(&ctx))
    }

    /// Run `tb` natively if it is compiled: `None` if not; `Some(Ok(link))` to continue at the
    /// header's pc (with the exit to link, if any); `Some(Err(reason))` to leave the loop.
    ///
    /// # Safety
    /// `env` is a valid CPU state for the translator with a valid memory window.
    pub(crate) unsafe fn run_native(
        &self,
        tb: &Tb,
        env: *mut u8,
        ctx: &VcpuCtx,
    ) -> Option<Result<Option<PendingLink>, ExitReason>> {
        if tb.native.load(Ordering::Acquire) == 0 {
            return None;
        }
        // While a flush waits for native code to finish, run in the interpreter instead of
        // queueing behind it: a guest thread spinning in chained code may be waiting for this
        // one, and blocking here could then deadlock the flush.
        if self.flushing.load(Ordering::SeqCst) {
            return None;
        }
        ctx.in_native.store(true, Ordering::SeqCst);
        let code = tb.native.load(Ordering::Acquire);
        if self.flushing.load(Ordering::SeqCst) || code == 0 || tb.invalid.load(Ordering::Acquire) {
            ctx.in_native.store(false, Ordering::SeqCst);
            return None;
        }
        let generation = self.generation.load(Ordering::Acquire);
        self.stats.native_entries.fetch_add(1, Ordering::Relaxed);
        ctx.last_slot.store(0, Ordering::Relaxed);
        // SAFETY: `code` is a block function compiled for this engine, kept in code memory
        // while `in_native` is up; `env` is valid (contract); `ctx` outlives the call.
        let r = unsafe { (self.trampoline)(env, ctx, code) };
        ctx.in_native.store(false, Ordering::SeqCst);
        if r != 0 {
            // An unknown code would be a backend bug; stopping is the safe reaction.
            return Some(Err(ExitReason::decode(r).unwrap_or(ExitReason::Halt)));
        }
        let slot = ctx.last_slot.swap(0, Ordering::Relaxed);
        Some(Ok((slot != 0).then_some(PendingLink { slot, generation })))
    }

    pub(crate) fn count_interpreted(&self) {
        self.stats.interpreted.fetch_add(1, Ordering::Relaxed);
    }
}

/// Start the background compile thread; returns its queue, or None if it cannot start.
fn spawn_compiler(engine: Weak<Engine>, mut lowerer: Lowerer) -> Option<Sender<Arc<Tb>>> {
    let (tx, rx) = channel::<Arc<Tb>>();
    let spawned = std::thread::Builder::new()
        .name("emu-compile".into())
        .spawn(move || {
            block_async_signals();
            while let Ok(tb) = rx.recv() {
                let Some(engine) = engine.upgrade() else {
                    break;
                };
                engine.compile_and_install(&mut lowerer, &tb);
            }
        });
    spawned.ok().map(|_| tx)
}

/// Keep signals meant for guest threads off the compile thread: only the synchronous ones a
/// bug could raise stay unblocked.
fn block_async_signals() {
    // SAFETY: sigfillset/sigdelset fill a local set; pthread_sigmask changes only this thread.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for sig in [
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGFPE,
            libc::SIGTRAP,
        ] {
            libc::sigdelset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// The engine is shared by all guest threads; each `Vcpu` moves to its thread.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    fn movable<T: Send>() {}
    shared::<Engine>();
    movable::<Vcpu>();
};
