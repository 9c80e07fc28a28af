//! emu-disas: a thin wrapper over capstone for the `-d in_asm` logs and test-failure reports.
//!
//! [`disassemble`] turns a byte slice into owned [`Insn`]s for one of the supported [`Arch`]es.
//! Bytes that do not decode do not stop the listing: capstone's SKIPDATA mode emits a `.byte`
//! pseudo-instruction for them (one 2-byte parcel on riscv64, whose compressed extension is
//! enabled; 4 bytes on aarch64; 1 byte on x86-64) and carries on.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use capstone::arch::{self, BuildsCapstone, BuildsCapstoneExtraMode, BuildsCapstoneSyntax};
use capstone::Capstone;

/// A guest or host instruction set capstone can decode for us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    /// RV64GC (little-endian, compressed instructions enabled).
    Riscv64,
    /// AArch64 (little-endian).
    Aarch64,
    /// x86-64, Intel syntax.
    X86_64,
}

/// One decoded instruction, owning its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insn {
    /// Address of the first byte.
    pub addr: u64,
    /// The encoding.
    pub bytes: Vec<u8>,
    /// e.g. `addi` (or `.byte` for undecodable bytes).
    pub mnemonic: String,
    /// e.g. `sp, sp, -16` (empty when there are no operands).
    pub op_str: String,
}

impl fmt::Display for Insn {
    /// `0x10078:  addi sp, sp, -16`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}:  {}", self.addr, self.mnemonic)?;
        if !self.op_str.is_empty() {
            write!(f, " {}", self.op_str)?;
        }
        Ok(())
    }
}

/// Why disassembly failed.
#[derive(Debug, thiserror::Error)]
pub enum DisasError {
    /// capstone could not be set up for the architecture (e.g. built without it).
    #[error("cannot initialise capstone for {arch:?}: {source}")]
    Init {
        arch: Arch,
        #[source]
        source: capstone::Error,
    },
    /// capstone failed while decoding.
    #[error("capstone failed to disassemble {arch:?} code at {addr:#x}: {source}")]
    Decode {
        arch: Arch,
        addr: u64,
        #[source]
        source: capstone::Error,
    },
}

/// Creates a capstone handle for `arch` with SKIPDATA enabled.
fn new_capstone(arch: Arch) -> Result<Capstone, capstone::Error> {
    let builder = Capstone::new();
    let mut cs = match arch {
        Arch::Riscv64 => builder
            .riscv()
            .mode(arch::riscv::ArchMode::RiscV64)
            .extra_mode(std::iter::once(arch::riscv::ArchExtraMode::RiscVC))
            .build()?,
        Arch::Aarch64 => builder.arm64().mode(arch::arm64::ArchMode::Arm).build()?,
        Arch::X86_64 => builder
            .x86()
            .mode(arch::x86::ArchMode::Mode64)
            .syntax(arch::x86::ArchSyntax::Intel)
            .build()?,
    };
    cs.set_skipdata(true)?;
    Ok(cs)
}

thread_local! {
    /// One capstone handle per architecture and thread (handles are `!Send`), created lazily.
    static HANDLES: RefCell<HashMap<Arch, Capstone>> = RefCell::new(HashMap::new());
}

/// Disassembles all of `code`, whose first byte is at guest/host address `addr`.
pub fn disassemble(arch: Arch, code: &[u8], addr: u64) -> Result<Vec<Insn>, DisasError> {
    HANDLES.with(|handles| {
        let mut handles = handles.borrow_mut();
        let cs = match handles.entry(arch) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let cs = new_capstone(arch).map_err(|source| DisasError::Init { arch, source })?;
                e.insert(cs)
            }
        };
        let insns = cs
            .disasm_all(code, addr)
            .map_err(|source| DisasError::Decode { arch, addr, source })?;
        Ok(insns.iter().map(to_owned_insn).collect())
    })
}

/// Copies a capstone instruction into an owned [`Insn`].
fn to_owned_insn(insn: &capstone::Insn<'_>) -> Insn {
    Insn {
        addr: insn.address(),
        bytes: insn.bytes().to_vec(),
        mnemonic: insn.mnemonic().unwrap_or_default().to_string(),
        op_str: insn.op_str().unwrap_or_default().to_string(),
    }
}

/// Disassembles `code` and renders one [`Insn`] per line (each ending in `\n`); on failure, a
/// single line describing the error. Convenient for logs.
pub fn listing(arch: Arch, code: &[u8], addr: u64) -> String {
    match disassemble(arch, code, addr) {
        Ok(insns) => insns.iter().map(|i| format!("{i}\n")).collect(),
        Err(e) => format!("{e}\n"),
    }
}
