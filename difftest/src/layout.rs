//! The register-file layout of one arch ([`Layout`]: which architectural registers a case
//! loads and records, at which offsets) and the byte layout of a case record in the batch ELF
//! (header, input state, output state), shared by the code generator and the result parser.

/// Bytes of scratch memory a case may load from and store to (the window the base register
/// points into; it is initialised from the input state and recorded after the case).
pub const SCRATCH: usize = 256;
/// Offset of the base register's value inside the scratch window.
pub const BASE_IN_SCRATCH: u64 = 128;
/// Bytes before the input state in a case record: the signal number, the resume pc.
pub const HEADER: usize = 16;
/// Offset of the signal number a fault handler stores (0: the case ran to its end).
pub const SIG_OFF: usize = 0;
/// Offset of the address the fault handler resumes at (the next case).
pub const RESUME_OFF: usize = 8;

/// What kind of architectural state a field holds (decides how it is loaded and stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A general-purpose register (number = the encoding's register number).
    Int,
    /// An FP/vector register (8 or 16 bytes).
    Vec,
    /// The arithmetic flags (NZCV, RFLAGS).
    Flags,
    /// FP control and status (FCSR, FPCR, FPSR, MXCSR); `reg` tells the arch which one.
    FpCtl,
}

/// One recorded piece of architectural state.
#[derive(Clone, Debug)]
pub struct Field {
    /// Display name (`x5`, `v3`, `nzcv`).
    pub name: String,
    /// Register number (or an arch-defined id for flags/control fields).
    pub reg: u8,
    pub kind: Kind,
    /// 8 or 16.
    pub size: usize,
    /// Bits compared (for 8-byte fields); the others are architecturally undefined or not
    /// part of the test (e.g. RFLAGS.IF).
    pub cmp_mask: u64,
    /// A register the harness reserves: its input value is this, never random.
    pub fixed: Option<u64>,
}

impl Field {
    /// A field compared on every bit.
    pub fn new(name: impl Into<String>, reg: u8, kind: Kind, size: usize) -> Self {
        Field {
            name: name.into(),
            reg,
            kind,
            size,
            cmp_mask: u64::MAX,
            fixed: None,
        }
    }

    /// This field with only `mask` compared.
    pub fn masked(mut self, mask: u64) -> Self {
        self.cmp_mask = mask;
        self
    }

    /// This field reserved with a fixed input value.
    pub fn fixed(mut self, value: u64) -> Self {
        self.fixed = Some(value);
        self
    }
}

/// The fields of an arch's state and their offsets inside a state block.
#[derive(Clone, Debug)]
pub struct Layout {
    pub fields: Vec<Field>,
    /// Offset of each field inside a state block (16-byte fields first, all naturally aligned).
    pub offsets: Vec<usize>,
    /// Bytes of the register part; the scratch window follows.
    pub regs_size: usize,
}

impl Layout {
    /// Lays out `fields` (16-byte ones first so every field stays aligned).
    pub fn new(fields: Vec<Field>) -> Self {
        let mut offsets = vec![0; fields.len()];
        let mut off = 0;
        for size in [16, 8] {
            for (i, _) in fields.iter().enumerate().filter(|(_, f)| f.size == size) {
                offsets[i] = off;
                off += size;
            }
        }
        let regs_size = off.next_multiple_of(16);
        Layout {
            fields,
            offsets,
            regs_size,
        }
    }

    /// Bytes of one state block (registers + scratch window), a multiple of 16.
    pub fn state_size(&self) -> usize {
        self.regs_size + SCRATCH
    }

    /// Bytes of one case record: header, input state, output state.
    pub fn record_size(&self) -> usize {
        HEADER + 2 * self.state_size()
    }

    /// Offset of the input state in a record.
    pub fn in_off(&self) -> usize {
        HEADER
    }

    /// Offset of the output state in a record.
    pub fn out_off(&self) -> usize {
        HEADER + self.state_size()
    }

    /// The index of the field named `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Field `i`'s bytes in a state block.
    pub fn get<'a>(&self, state: &'a [u8], i: usize) -> &'a [u8] {
        &state[self.offsets[i]..self.offsets[i] + self.fields[i].size]
    }

    /// Field `i`'s bytes in a state block, writable.
    pub fn get_mut<'a>(&self, state: &'a mut [u8], i: usize) -> &'a mut [u8] {
        &mut state[self.offsets[i]..self.offsets[i] + self.fields[i].size]
    }

    /// The scratch window of a state block.
    pub fn scratch<'a>(&self, state: &'a [u8]) -> &'a [u8] {
        &state[self.regs_size..self.regs_size + SCRATCH]
    }

    /// The scratch window of a state block, writable.
    pub fn scratch_mut<'a>(&self, state: &'a mut [u8]) -> &'a mut [u8] {
        &mut state[self.regs_size..self.regs_size + SCRATCH]
    }
}

/// Reads the little-endian u64 at `off`.
pub fn u64_at(bytes: &[u8], off: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[off..off + 8]);
    u64::from_le_bytes(b)
}

/// Formats a field's bytes as hex (16-byte fields as `hi_lo`).
pub fn hex(bytes: &[u8]) -> String {
    match bytes.len() {
        8 => format!("{:016x}", u64_at(bytes, 0)),
        16 => format!("{:016x}_{:016x}", u64_at(bytes, 8), u64_at(bytes, 0)),
        _ => bytes.iter().map(|b| format!("{b:02x}")).collect(),
    }
}
