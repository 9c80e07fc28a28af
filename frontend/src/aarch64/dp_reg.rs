//! (being written) The dp_reg instruction class.

use emu_ir::Helper;

use super::insn::Entry;

pub const TABLE: &[Entry] = &[];

/// This class's helpers.
pub const HELPERS: &[&Helper] = &[];
