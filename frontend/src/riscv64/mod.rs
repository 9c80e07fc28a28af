//! The riscv64 guest: RV64GC user level plus Zba/Zbb/Zbs/Zicsr/Zifencei.
//!
//! This file owns the CPU state ([`Rv64Cpu`]) with its field offsets, and
//! [`Rv64Translator`], which plugs the table-driven decoder ([`decode`]) into the shared
//! translator loop. The instruction semantics live one file per instruction class
//! (`alu.rs`, `mem.rs`, `branch.rs`, ...); `compressed.rs` expands RVC to 32-bit encodings.

mod alu;
mod atomic;
mod bitmanip;
mod branch;
pub mod compressed;
mod csr;
pub mod decode;
mod fp;
mod fp_helpers;
mod insn;
mod mem;
mod muldiv;
mod system;

use emu_ir::{Builder, CpuHeader};
use std::mem::offset_of;

use crate::translator::{emit_insn, GuestArch, InsnOutcome, LoopTranslator};

pub use insn::Insn;

/// The RISC-V canonical single-precision NaN, NaN-boxed.
pub const BOXED_CANONICAL_NAN_S: u64 = 0xffff_ffff_7fc0_0000;

/// riscv64 guest CPU state (user level).
#[repr(C)]
#[derive(Debug, Default, Clone)]
pub struct Rv64Cpu {
    pub header: CpuHeader,
    /// Integer registers; `x[0]` is always 0 (translated code never writes it).
    pub x: [u64; 32],
    /// Float registers as raw bits; single-precision values are NaN-boxed (upper 32 bits set).
    pub f: [u64; 32],
    /// Accrued exception flags (`fflags`, low 5 bits: NX=1 UF=2 OF=4 DZ=8 NV=16).
    pub fflags: u64,
    /// Dynamic rounding mode (`frm`, low 3 bits).
    pub frm: u64,
    /// LR/SC reservation: address of the last `lr`.
    pub res_addr: u64,
    /// LR/SC reservation: the value `lr` loaded (sign-extended to 64 bits).
    pub res_value: u64,
    /// LR/SC reservation: non-zero while a reservation is held.
    pub res_valid: u64,
}

impl Rv64Cpu {
    /// A zeroed CPU (all registers 0, pc 0, no memory window, `frm` = round to nearest even).
    pub fn new() -> Self {
        Self::default()
    }

    /// Byte offset of integer register `x[r]` (`r` taken modulo 32).
    pub const fn x_offset(r: u32) -> u32 {
        (offset_of!(Rv64Cpu, x) + 8 * (r as usize % 32)) as u32
    }

    /// Byte offset of float register `f[r]` (`r` taken modulo 32).
    pub const fn f_offset(r: u32) -> u32 {
        (offset_of!(Rv64Cpu, f) + 8 * (r as usize % 32)) as u32
    }

    pub const FFLAGS_OFFSET: u32 = offset_of!(Rv64Cpu, fflags) as u32;
    pub const FRM_OFFSET: u32 = offset_of!(Rv64Cpu, frm) as u32;
    pub const RES_ADDR_OFFSET: u32 = offset_of!(Rv64Cpu, res_addr) as u32;
    pub const RES_VALUE_OFFSET: u32 = offset_of!(Rv64Cpu, res_value) as u32;
    pub const RES_VALID_OFFSET: u32 = offset_of!(Rv64Cpu, res_valid) as u32;
}

/// The riscv64 [`Translator`]: translates user-mode blocks (flags are always 0).
pub type Rv64Translator = LoopTranslator<Rv64Arch>;

/// The riscv64 side of the translator loop.
#[derive(Debug, Default)]
pub struct Rv64Arch;

impl GuestArch for Rv64Arch {
    fn register_helpers(&self) {
        emu_ir::helpers::register_all(fp_helpers::ALL);
        emu_ir::helpers::register_all(csr::HELPERS);
    }

    fn max_insn_len(&self) -> usize {
        4
    }

    fn translate_insn(&self, pc: u64, bytes: &[u8], builder: &mut Builder) -> InsnOutcome {
        let Some((word, len)) = insn::split(bytes) else {
            return InsnOutcome::Truncated;
        };
        emit_insn(builder, pc, len, |b| {
            let mut ctx = insn::Ctx {
                b,
                pc,
                len: u64::from(len),
            };
            decode::translate(&mut ctx, word, len)
        })
    }
}

#[cfg(test)]
mod tests;
