//! Optimization passes over a block. STUB: being written.

use crate::Block;

/// Run the standard pass pipeline.
pub fn optimize(_block: &mut Block) {}
