//! emu-backend: runs IR blocks — the TB cache, tier 0 (the IR interpreter) and tier 1 (Cranelift),
//! code memory, block chaining and the execution loop.
//!
//! Modules:
//! - [`engine`]: the [`Engine`] (TB cache owner, tier-up, invalidation, flush, statistics);
//! - [`exec`]: the execution loop ([`Vcpu::run`]) and the per-vCPU context compiled code uses;
//! - [`cache`]: translation blocks and their chaining links;
//! - [`lower`]: IR → Cranelift → machine code;
//! - [`codemem`]: executable memory;
//! - [`standalone`]: compile and run one block outside an engine (tests, difftest);
//! - [`fuzzing`]: the tier-1 compiler as a `cargo fuzz` entry point.
//!
//! How a block runs: the execution loop ([`Vcpu::run`]) keys blocks by [`TbKey`] `{ pc, flags }`
//! and translates a missing one through the [`emu_ir::Translator`] (then
//! `emu_ir::passes::optimize`, and the verifier in debug builds). A new block is interpreted
//! (tier 0) and counts its runs; at [`EngineConfig::tier1_threshold`] it is compiled by
//! Cranelift (tier 1) on the background thread or synchronously. Compiled blocks are
//! `tail`-convention functions that tail-call each other: each direct exit reads a link slot
//! the dispatcher fills once both ends are compiled, and indirect exits probe a per-vCPU jump
//! cache. Invalidation unlinks a block so it is never entered again; a full code memory is
//! flushed wholesale (every block back to tier 0), like QEMU's code buffer.
//!
//! Contract for translators: a block's translation flags must hold for its whole execution and
//! at its exits: compiled code follows direct and indirect exits to blocks of the *same* flags
//! without returning to the loop. An instruction that changes the flags must therefore end its
//! block with `Terminal::Exit` (so the caller re-enters the loop and flags are re-read).

pub mod cache;
pub mod codemem;
pub mod engine;
pub mod exec;
pub mod fuzzing;
pub mod lower;
pub mod standalone;

pub use cache::TbKey;
pub use engine::Engine;
pub use exec::{DebugExit, DebugRun, Vcpu};

use std::sync::Arc;

/// Which reports an [`EngineLog`] wants (each costs time only when asked for).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogWants {
    /// [`EngineLog::translated`] for every new block (`-d in_asm`, `op_opt`).
    pub translate: bool,
    /// The IR before optimization too (`-d op`).
    pub raw_ir: bool,
    /// [`EngineLog::compiled`] (`-d out_asm`).
    pub compile: bool,
    /// [`EngineLog::executing`] before every block (`-d exec`, `cpu`); blocks are then not
    /// chained, so every executed block is reported.
    pub exec: bool,
}

/// The `-d` logging hooks of the engine, called on any vCPU thread or the compile thread.
pub trait EngineLog: Send + Sync {
    fn wants(&self) -> LogWants;
    /// A new block: its IR before optimization (when [`LogWants::raw_ir`]) and after.
    fn translated(&self, key: TbKey, raw: Option<&emu_ir::Block>, block: &emu_ir::Block);
    /// A block's host code, installed at `addr`.
    fn compiled(&self, key: TbKey, addr: usize, code: &[u8]);
    /// The block `key` is about to run on the CPU state at `env`.
    ///
    /// # Safety
    /// `env` points at the live CPU state of the engine's translator (the `env` given to
    /// [`Vcpu::run`]).
    unsafe fn executing(&self, key: TbKey, env: *const u8);
}

/// An [`EngineLog`] in an [`EngineConfig`].
#[derive(Clone)]
pub struct LogHook(pub Arc<dyn EngineLog>);

impl std::fmt::Debug for LogHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogHook({:?})", self.0.wants())
    }
}

/// Engine configuration.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Executions of a block in tier 0 (interpreter) before it is compiled by Cranelift.
    /// 0 = compile before first run; u32::MAX = never compile (interpreter only).
    pub tier1_threshold: u32,
    /// Compile on a background thread (true) or synchronously (false; deterministic, for tests).
    pub background_compile: bool,
    /// Run `emu_ir::passes::optimize` before executing/compiling.
    pub optimize: bool,
    /// Bytes of executable code memory; flushed when full.
    pub code_size: usize,
    /// `-d` logging.
    pub log: Option<LogHook>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            tier1_threshold: 50,
            background_compile: true,
            optimize: true,
            code_size: 64 << 20,
            log: None,
        }
    }
}

/// Counters since the engine was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Blocks translated by the frontend.
    pub blocks_translated: u64,
    /// Blocks compiled to native code (recompiles after a flush count again).
    pub blocks_compiled: u64,
    /// Blocks Cranelift could not compile (they stay interpreted).
    pub compile_failures: u64,
    /// Block executions in the interpreter.
    pub interpreted_runs: u64,
    /// Entries from the dispatcher into native code (chained blocks are not counted).
    pub native_entries: u64,
    /// Direct exits linked to their target (chaining).
    pub links: u64,
    /// Blocks dropped by `invalidate`.
    pub blocks_invalidated: u64,
    /// Code-memory flushes.
    pub flushes: u64,
    /// Blocks currently in the cache.
    pub live_blocks: u64,
    /// Bytes of code memory in use.
    pub code_bytes: u64,
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("cannot map code memory: {0}")]
    CodeMemory(std::io::Error),
    #[error("code memory too small")]
    CodeMemoryTooSmall,
    #[error(transparent)]
    Lower(#[from] lower::LowerError),
}
