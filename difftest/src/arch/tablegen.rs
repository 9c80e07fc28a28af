//! Instruction generation from the frontends' own decode tables (riscv64, aarch64): pick an
//! allow-listed row, fill its free bits at random, let the arch constrain fields (memory
//! operands onto the base register, no writes to reserved registers, no unsupported
//! variants), and re-decode to name the result. Also the fixed-width encoding helpers the
//! two arches share.

use emu_frontend::table::Entry;

use crate::arch::{mnemonic, GenInsn};
use crate::rng::Rng;

/// One decode-table row as the generator sees it.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub name: &'static str,
    pub mask: u32,
    pub bits: u32,
}

impl<H> From<&Entry<H>> for Row {
    fn from(e: &Entry<H>) -> Self {
        Row {
            name: e.name,
            mask: e.mask,
            bits: e.bits,
        }
    }
}

/// The generated rows of one arch and its field constraints.
pub struct TableGen {
    rows: Vec<Row>,
    /// Constrains a filled-in word of the named row (None: draw again).
    fixup: fn(&str, u32, &mut Rng) -> Option<u32>,
    /// The name of the row that decodes a word (the decoder's priority order decides
    /// overlaps).
    decode: Box<dyn Fn(u32) -> Option<&'static str> + Send + Sync>,
    disas: emu_disas::Arch,
}

impl TableGen {
    /// A generator over the rows of `entries` not named in `excluded`, checked against
    /// `decode`.
    pub fn new<H: 'static>(
        entries: impl Iterator<Item = &'static Entry<H>>,
        decode: fn(u32) -> Option<&'static Entry<H>>,
        excluded: &[&str],
        fixup: fn(&str, u32, &mut Rng) -> Option<u32>,
        disas: emu_disas::Arch,
    ) -> Self {
        let rows: Vec<Row> = entries
            .map(Row::from)
            .filter(|r| !excluded.contains(&r.name))
            .collect();
        assert!(!rows.is_empty(), "every decode-table row is excluded");
        TableGen {
            rows,
            fixup,
            decode: Box::new(move |w| decode(w).map(|e| e.name)),
            disas,
        }
    }

    /// A random instruction whose decoded row is still allow-listed.
    pub fn generate(&self, rng: &mut Rng) -> GenInsn {
        loop {
            let row = rng.pick(&self.rows);
            let word = row.bits | (rng.next_u32() & !row.mask);
            let Some(word) = (self.fixup)(row.name, word, rng) else {
                continue;
            };
            let Some(name) = (self.decode)(word) else {
                continue;
            };
            // The fixup was for the picked row: a word an earlier row claims is redrawn.
            if name != row.name {
                continue;
            }
            let bytes = word.to_le_bytes().to_vec();
            let m = mnemonic(self.disas, &bytes);
            return GenInsn::plain(bytes, name.to_string(), m);
        }
    }
}

/// Sets bits `lo..lo+width` of `word` to `value`.
pub fn set_field(word: u32, lo: u32, width: u32, value: u32) -> u32 {
    let mask = ((1u64 << width) - 1) as u32;
    (word & !(mask << lo)) | ((value & mask) << lo)
}

/// Bits `lo..lo+width` of `word`.
pub fn field(word: u32, lo: u32, width: u32) -> u32 {
    (word >> lo) & ((1u64 << width) - 1) as u32
}

/// Appends 32-bit instruction words (little-endian).
pub fn emit(out: &mut Vec<u8>, words: &[u32]) {
    for w in words {
        out.extend(w.to_le_bytes());
    }
}
