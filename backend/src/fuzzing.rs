//! Fuzzing entry point for the tier-1 compiler: lower IR blocks (from the frontends' fuzzing
//! entry points, `emu_frontend::fuzzing`) to host code with Cranelift, as the engine does
//! when a block gets hot, without installing or running the code.
//!
//! The `cargo fuzz` decode targets and the frontend's stable regression tests call
//! [`compile_blocks`]. `LowerError::Unsupported` is an expected outcome (the engine keeps such
//! a block in the interpreter); any other error or a panic is a bug.

use std::cell::RefCell;

use emu_ir::Block;

use crate::lower::{host_isa, LowerError, Lowerer};

thread_local! {
    /// One compiler per thread, reused across calls (as the engine's compile thread does).
    static LOWERER: RefCell<Option<Lowerer>> = const { RefCell::new(None) };
}

/// Compile every block of `blocks` (link slots 0: never chained); returns how many compiled
/// (the others use something the compiler leaves to the interpreter).
///
/// # Panics
/// Only on a bug: a panic in lowering or Cranelift, or Cranelift rejecting the generated
/// function (its verifier runs in builds with debug assertions).
pub fn compile_blocks(blocks: &[Block]) -> usize {
    LOWERER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let lowerer =
            cell.get_or_insert_with(|| Lowerer::new(host_isa().expect("host ISA for Cranelift")));
        blocks.iter().filter(|b| compile_one(lowerer, b)).count()
    })
}

fn compile_one(lowerer: &mut Lowerer, block: &Block) -> bool {
    match lowerer.compile_block(block, [0, 0]) {
        Ok(_) => true,
        Err(LowerError::Unsupported(_)) => false,
        Err(e) => panic!("block at {:#x} does not compile: {e}\n{block:?}", block.pc),
    }
}
