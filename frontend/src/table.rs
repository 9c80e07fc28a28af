//! Decode tables shared by every table-driven guest frontend: a row ([`Entry`]) matches an
//! instruction word when `word & mask == bits`, built from a bit-pattern string ([`pattern`])
//! in the style of Dynarmic's decoders (`"z0010001ssiiiiiiiiiiiinnnnnddddd"`).

/// Parses a 32-character bit pattern (most significant bit first; `0`/`1` are fixed bits, any
/// other character a free bit; spaces and `_` are ignored) into `(mask, match)`.
pub const fn pattern(p: &str) -> (u32, u32) {
    let bytes = p.as_bytes();
    let (mut i, mut n, mut mask, mut bits) = (0, 0, 0u32, 0u32);
    while i < bytes.len() {
        let c = bytes[i];
        if c != b' ' && c != b'_' {
            mask <<= 1;
            bits <<= 1;
            n += 1;
            if c == b'0' {
                mask |= 1;
            } else if c == b'1' {
                mask |= 1;
                bits |= 1;
            }
        }
        i += 1;
    }
    assert!(n == 32, "a decode pattern must have 32 bits");
    (mask, bits)
}

/// One decode-table row: the instruction matches when `word & mask == bits`; `exec` is the
/// arch's handler type.
#[derive(Clone, Copy)]
pub struct Entry<H> {
    /// Assembler mnemonic (used by tests and debugging).
    pub name: &'static str,
    pub mask: u32,
    pub bits: u32,
    pub exec: H,
}

impl<H> Entry<H> {
    /// Whether `word` is this row's instruction.
    pub fn matches(&self, word: u32) -> bool {
        word & self.mask == self.bits
    }
}

/// Builds an [`Entry`] from a mnemonic, a [`pattern`] string and a handler; the handler type
/// comes from the table's declared element type (each arch's `Entry` alias).
macro_rules! insn {
    ($name:literal, $pat:literal, $exec:expr) => {
        $crate::table::Entry {
            name: $name,
            mask: $crate::table::pattern($pat).0,
            bits: $crate::table::pattern($pat).1,
            exec: $exec,
        }
    };
}
pub(crate) use insn;

impl<H> std::fmt::Debug for Entry<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({:08x}/{:08x})", self.name, self.bits, self.mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_fixes_only_0_and_1() {
        let (mask, bits) = pattern("1x0. xxxx 0000_0000 0000 0000 0000 001z");
        assert_eq!(mask, 0xa0ff_fffe);
        assert_eq!(bits, 0x8000_0002);
    }
}
