//! The decoder: every instruction class's table joined into one, indexed by major opcode (the
//! low 7 bits, fixed in every 32-bit pattern), and the entry point that expands RVC first.

use std::sync::OnceLock;

use super::insn::{Ctx, Entry, Exec, Illegal, Insn};
use super::{alu, atomic, bitmanip, branch, compressed, csr, fp, mem, muldiv, system};

/// All instruction-class tables.
const TABLES: &[&[Entry]] = &[
    alu::TABLE,
    muldiv::TABLE,
    bitmanip::TABLE,
    mem::TABLE,
    branch::TABLE,
    system::TABLE,
    csr::TABLE,
    atomic::TABLE,
    fp::TABLE,
];

/// Entries grouped by major opcode.
fn by_opcode() -> &'static [Vec<Entry>; 128] {
    static INDEX: OnceLock<[Vec<Entry>; 128]> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: [Vec<Entry>; 128] = std::array::from_fn(|_| Vec::new());
        for entry in TABLES.iter().flat_map(|t| t.iter()) {
            index[(entry.bits & 0x7f) as usize].push(*entry);
        }
        index
    })
}

/// The table entry for a 32-bit instruction word, if any.
pub fn decode(word: u32) -> Option<&'static Entry> {
    by_opcode()[(word & 0x7f) as usize]
        .iter()
        .find(|e| word & e.mask == e.bits)
}

/// Every entry (for tests: patterns must not overlap).
pub fn all_entries() -> impl Iterator<Item = &'static Entry> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// Translate one instruction (`len` 2: a compressed halfword in the low bits of `word`).
pub fn translate(ctx: &mut Ctx, word: u32, len: u32) -> Exec {
    let word = if len == 2 {
        compressed::expand(word as u16).ok_or(Illegal)?
    } else {
        word
    };
    let entry = decode(word).ok_or(Illegal)?;
    (entry.exec)(ctx, Insn(word))
}
