//! (being written) The atomic instruction class.

use super::insn::Entry;

pub const TABLE: &[Entry] = &[];
