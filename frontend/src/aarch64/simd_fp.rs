//! (being written) Advanced SIMD floating point: vector FP arithmetic, compares and conversions.

use emu_ir::Helper;

use super::insn::Entry;

pub const TABLE: &[Entry] = &[];

/// This class's helpers.
pub const HELPERS: &[&Helper] = &[];
