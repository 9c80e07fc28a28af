//! The IR verifier: SSA well-formedness and type rules. STUB: being written.

use crate::Block;

/// A verifier error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(pub String);

/// Check `block`.
pub fn verify(_block: &Block) -> Result<(), VerifyError> {
    Ok(())
}
