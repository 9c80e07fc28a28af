//! The IR interpreter (tier 0). STUB: being written.

use crate::{Block, ExitReason};

/// How an interpreted block ended; the header's `pc` holds the next guest pc in every case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockExit {
    /// A direct jump (`Goto` or either side of `Branch`) to this pc.
    Goto(u64),
    /// An indirect jump to this pc.
    Indirect(u64),
    /// Left the execution loop.
    Exit(ExitReason),
}

/// Interpret `block` on the CPU state at `env`.
///
/// # Safety
/// `env` must point to a live CPU state struct starting with a [`crate::CpuHeader`], large
/// enough for every register offset the block uses, and the header's memory window must be valid.
pub unsafe fn interpret(_block: &Block, _env: *mut u8) -> BlockExit {
    BlockExit::Exit(ExitReason::Halt)
}
