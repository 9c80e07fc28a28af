//! The decoder: every instruction class's table joined into one and indexed by the A64
//! top-level `op0` field (bits 28:25), and the entry point.
//!
//! Within one `op0` group, rows are tried in table order and the first match wins: a class
//! table lists a more specific pattern before a more general one that overlaps it.

use std::sync::OnceLock;

use emu_ir::Helper;

use super::insn::{Ctx, Entry, Exec, Illegal, Insn};
use super::{atomic, branch, dp_imm, dp_reg, fp, ldst, simd, simd_fp, system};

/// All instruction-class tables, in priority order.
const TABLES: &[&[Entry]] = &[
    dp_imm::TABLE,
    dp_reg::TABLE,
    branch::TABLE,
    system::TABLE,
    atomic::TABLE,
    ldst::TABLE,
    fp::TABLE,
    simd_fp::TABLE,
    simd::TABLE,
];

/// Every helper the classes call, registered by name for the IR text parser.
pub const HELPERS: &[&[&Helper]] = &[
    atomic::HELPERS,
    dp_reg::HELPERS,
    system::HELPERS,
    fp::HELPERS,
    simd_fp::HELPERS,
    simd::HELPERS,
];

/// The `op0` field an index slot stands for.
const OP0_SHIFT: u32 = 25;
const OP0_MASK: u32 = 0xf << OP0_SHIFT;

/// Rows grouped by every `op0` value they can match.
fn by_op0() -> &'static [Vec<Entry>; 16] {
    static INDEX: OnceLock<[Vec<Entry>; 16]> = OnceLock::new();
    INDEX.get_or_init(|| {
        std::array::from_fn(|op0| {
            let slot = (op0 as u32) << OP0_SHIFT;
            all_entries()
                .filter(|e| (slot ^ e.bits) & e.mask & OP0_MASK == 0)
                .copied()
                .collect()
        })
    })
}

/// The table row for an instruction word, if any.
pub fn decode(word: u32) -> Option<&'static Entry> {
    by_op0()[((word & OP0_MASK) >> OP0_SHIFT) as usize]
        .iter()
        .find(|e| e.matches(word))
}

/// Every row, in priority order.
pub fn all_entries() -> impl Iterator<Item = &'static Entry> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// Translate one instruction.
pub fn translate(ctx: &mut Ctx, word: u32) -> Exec {
    let entry = decode(word).ok_or(Illegal)?;
    (entry.exec)(ctx, Insn(word))
}
