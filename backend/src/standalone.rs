//! Compile one block and run it outside an engine, without chaining: for the
//! interpreter-versus-compiled tests and for differential testing.

use emu_ir::Block;

use crate::codemem::CodeMemory;
use crate::exec::{Trampoline, VcpuCtx};
use crate::lower::{host_isa, Lowerer};
use crate::BackendError;

/// A block compiled into its own code memory.
pub struct CompiledBlock {
    _code: CodeMemory,
    trampoline: Trampoline,
    entry: usize,
    ctx: std::sync::Arc<VcpuCtx>,
}

impl CompiledBlock {
    /// Compile `block`; its direct exits are never chained.
    pub fn new(block: &Block) -> Result<CompiledBlock, BackendError> {
        let mut lowerer = Lowerer::new(host_isa()?);
        let tramp = lowerer.compile_trampoline()?;
        let body = lowerer.compile_block(block, [0, 0])?;
        let mut code = CodeMemory::new(tramp.len() + body.len() + 64)?;
        let t = code
            .install(&tramp)
            .ok_or(BackendError::CodeMemoryTooSmall)?;
        let entry = code
            .install(&body)
            .ok_or(BackendError::CodeMemoryTooSmall)?;
        // SAFETY: `t` is the trampoline just compiled for the host with this signature.
        let trampoline = unsafe { std::mem::transmute::<usize, Trampoline>(t) };
        Ok(CompiledBlock {
            _code: code,
            trampoline,
            entry,
            ctx: VcpuCtx::new(),
        })
    }

    /// Run the block once: returns 0 (continue at the header's pc) or an encoded `ExitReason`.
    ///
    /// # Safety
    /// As for [`emu_ir::interp::interpret`].
    pub unsafe fn run(&self, env: *mut u8) -> u64 {
        // SAFETY: `entry` is this block's compiled code, alive with `self`; `env` is valid
        // (contract); the jump cache is empty, so no other code is reached.
        unsafe { (self.trampoline)(env, &*self.ctx, self.entry) }
    }
}
