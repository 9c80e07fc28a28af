//! Unit tests of the aarch64 frontend.

mod decode;
mod int;
mod ldst;
mod simd;

use crate::aarch64::insn::Entry;
use crate::test_support::xorshift;

/// Random words matching the rows of `tables`, `per_row` each (the row's fixed bits kept).
fn random_words(tables: &[&[Entry]], per_row: usize, seed: u64) -> Vec<u32> {
    let mut state = seed;
    let mut words = Vec::new();
    for e in tables.iter().flat_map(|t| t.iter()) {
        for _ in 0..per_row {
            words.push(e.bits | xorshift(&mut state) as u32 & !e.mask);
        }
    }
    words
}
