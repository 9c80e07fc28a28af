//! (being written) The branch instruction class.

use super::insn::Entry;

pub const TABLE: &[Entry] = &[];
