//! The aarch64 guest: the A64 user-level instruction set (EL0) with FP and Advanced SIMD.
//!
//! This file owns the CPU state ([`A64Cpu`]) with its field offsets, and [`A64Translator`],
//! which plugs the table-driven decoder ([`decode`]) into the shared translator loop. The
//! instruction semantics live one file per instruction class (`dp_imm.rs`, `dp_reg.rs`,
//! `branch.rs`, `system.rs`, `ldst.rs`, `atomic.rs`, `fp.rs`, `simd*.rs`); `insn.rs` holds the
//! field extraction and the register, flag and condition helpers they share.

mod atomic;
mod branch;
pub mod decode;
mod dp_imm;
mod dp_reg;
mod fp;
mod insn;
mod ldst;
mod simd;
mod simd_fp;
mod system;

use std::mem::offset_of;

use emu_ir::{Builder, CpuHeader};

use crate::translator::{emit_insn, GuestArch, InsnOutcome, LoopTranslator};

pub use insn::Insn;

/// aarch64 guest CPU state (EL0).
#[repr(C)]
#[derive(Debug, Default, Clone)]
pub struct A64Cpu {
    pub header: CpuHeader,
    /// `x[0..31]` are X0–X30; `x[31]` is SP (XZR is not stored: it reads as zero).
    pub x: [u64; 32],
    /// The 128-bit SIMD&FP registers V0–V31, as two little-endian 64-bit halves
    /// (`v[r][0]` holds bits 63:0, so D/S/H/B views are the low bytes of `v[r][0]`).
    pub v: [[u64; 2]; 32],
    /// PSTATE.N, Z, C, V, each 0 or 1.
    pub flag_n: u64,
    pub flag_z: u64,
    pub flag_c: u64,
    pub flag_v: u64,
    /// FPCR (rounding mode in bits 23:22, FZ bit 24, DN bit 25, AHP bit 26).
    pub fpcr: u64,
    /// FPSR (cumulative exception flags IOC=0 DZC=1 OFC=2 UFC=3 IXC=4 IDC=7, QC=27).
    pub fpsr: u64,
    /// TPIDR_EL0, the thread pointer.
    pub tpidr_el0: u64,
    /// Exclusive monitor: address of the last load-exclusive.
    pub excl_addr: u64,
    /// Exclusive monitor: the value(s) the load-exclusive read (second half for pairs).
    pub excl_value: u64,
    pub excl_value_hi: u64,
    /// Exclusive monitor: access size in bytes of the last load-exclusive (0: not armed).
    pub excl_size: u64,
}

impl A64Cpu {
    /// A zeroed CPU (all registers 0, pc 0, no memory window, FPCR 0: round to nearest).
    pub fn new() -> Self {
        Self::default()
    }

    /// Byte offset of `x[r]` (`r` 0–30 are X registers, 31 is SP; taken modulo 32).
    pub const fn x_offset(r: u32) -> u32 {
        (offset_of!(A64Cpu, x) + 8 * (r as usize % 32)) as u32
    }

    /// Byte offset of bits 63:0 of V register `r` (taken modulo 32).
    pub const fn v_offset(r: u32) -> u32 {
        (offset_of!(A64Cpu, v) + 16 * (r as usize % 32)) as u32
    }

    /// Byte offset of bits 127:64 of V register `r`.
    pub const fn v_hi_offset(r: u32) -> u32 {
        Self::v_offset(r) + 8
    }

    pub const SP_OFFSET: u32 = Self::x_offset(31);
    pub const FLAG_N_OFFSET: u32 = offset_of!(A64Cpu, flag_n) as u32;
    pub const FLAG_Z_OFFSET: u32 = offset_of!(A64Cpu, flag_z) as u32;
    pub const FLAG_C_OFFSET: u32 = offset_of!(A64Cpu, flag_c) as u32;
    pub const FLAG_V_OFFSET: u32 = offset_of!(A64Cpu, flag_v) as u32;
    pub const FPCR_OFFSET: u32 = offset_of!(A64Cpu, fpcr) as u32;
    pub const FPSR_OFFSET: u32 = offset_of!(A64Cpu, fpsr) as u32;
    pub const TPIDR_EL0_OFFSET: u32 = offset_of!(A64Cpu, tpidr_el0) as u32;
    pub const EXCL_ADDR_OFFSET: u32 = offset_of!(A64Cpu, excl_addr) as u32;
    pub const EXCL_VALUE_OFFSET: u32 = offset_of!(A64Cpu, excl_value) as u32;
    pub const EXCL_VALUE_HI_OFFSET: u32 = offset_of!(A64Cpu, excl_value_hi) as u32;
    pub const EXCL_SIZE_OFFSET: u32 = offset_of!(A64Cpu, excl_size) as u32;

    /// NZCV in the architectural layout (N bit 31 … V bit 28), as `MRS NZCV` reads it.
    pub fn nzcv(&self) -> u64 {
        (self.flag_n & 1) << 31
            | (self.flag_z & 1) << 30
            | (self.flag_c & 1) << 29
            | (self.flag_v & 1) << 28
    }

    /// Set the flags from the architectural NZCV layout.
    pub fn set_nzcv(&mut self, nzcv: u64) {
        self.flag_n = (nzcv >> 31) & 1;
        self.flag_z = (nzcv >> 30) & 1;
        self.flag_c = (nzcv >> 29) & 1;
        self.flag_v = (nzcv >> 28) & 1;
    }
}

/// The aarch64 [`Translator`]: translates EL0 blocks (flags are always 0).
pub type A64Translator = LoopTranslator<A64Arch>;

/// The aarch64 side of the translator loop.
#[derive(Debug, Default)]
pub struct A64Arch;

impl GuestArch for A64Arch {
    fn register_helpers(&self) {
        for helpers in decode::HELPERS {
            emu_ir::helpers::register_all(helpers);
        }
    }

    fn max_insn_len(&self) -> usize {
        4
    }

    fn translate_insn(&self, pc: u64, bytes: &[u8], builder: &mut Builder) -> InsnOutcome {
        let Some(&[b0, b1, b2, b3]) = bytes.get(..4) else {
            return InsnOutcome::Truncated;
        };
        let word = u32::from_le_bytes([b0, b1, b2, b3]);
        emit_insn(builder, pc, 4, |b| {
            decode::translate(&mut insn::Ctx { b, pc }, word)
        })
    }
}

#[cfg(test)]
mod tests;
