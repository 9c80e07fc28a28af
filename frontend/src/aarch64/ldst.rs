//! (being written) The ldst instruction class.

use super::insn::Entry;

pub const TABLE: &[Entry] = &[];
