//! (being written) The dp_imm instruction class.

use super::insn::Entry;

pub const TABLE: &[Entry] = &[];
