//! The x86_64 guest: 64-bit user-mode integer instructions with their extensions, string
//! operations, SSE through SSE4.2 and the x87, decoded with `iced-x86`.
//!
//! This file owns the CPU state ([`X64Cpu`]) with its field offsets, the exception numbers the
//! frontend raises, and [`X64Translator`], which plugs the decoder into the shared translator
//! loop. Instruction semantics live one file per class:
//! - `int.rs` (integer arithmetic, shifts, multiply/divide, bit operations) and `int_ext.rs`
//!   (BMI1/BMI2, ADX, MOVBE, RCL/RCR, CMPXCHG8B/16B, LOCK NEG/ADC/SBB);
//! - `control.rs` (branches, calls, system instructions), with the CPU model in `cpuid.rs`;
//! - `string.rs` (MOVS/STOS/LODS/CMPS/SCAS);
//! - `sse.rs` (SSE/SSE2 moves and operations) with its out-of-line helpers in `sse_helpers.rs`,
//!   `mmx.rs` (MMX: the MM registers aliasing the x87's, and their instructions),
//!   `sse4.rs` (SSE3 to SSE4.2) with `sse4_helpers.rs` and `pcmpstr.rs` (PCMPxSTRx), and
//!   `mxcsr.rs` (MXCSR rounding, DAZ/FTZ and flags);
//! - `x87.rs` (the x87 instructions) with the register stack's helper in `x87_stack.rs`, its
//!   arithmetic in `x87_arith.rs`, the environment images (FNSTENV/FLDENV/FNSAVE/FRSTOR) in
//!   `x87_env.rs`, and `fxsave.rs` (FXSAVE/FXRSTOR).
//!
//! `ctx.rs` holds operand access, `flags.rs` the lazy condition codes, `locate.rs` finds an
//! instruction's memory access for fault reporting, and `vsyscall.rs` provides the legacy
//! vsyscall page's code.

mod control;
pub mod cpuid;
mod ctx;
pub mod flags;
mod fxsave;
mod int;
mod int_ext;
pub mod locate;
mod mmx;
mod mxcsr;
mod pcmpstr;
mod sse;
mod sse4;
mod sse4_helpers;
mod sse_helpers;
mod sse_inline;
mod string;
mod vsyscall;
mod x87;
mod x87_arith;
mod x87_env;
mod x87_stack;

pub use cpuid::{cpuid, CPUID1_EDX};
pub use fxsave::FXSAVE_SIZE;

use std::mem::offset_of;

use emu_ir::{Builder, CpuHeader};
use iced_x86::{Decoder, DecoderError, DecoderOptions};

use crate::translator::{emit_insn, GuestArch, InsnOutcome, LoopTranslator};

/// `ExitReason::Exception` number of a divide error (#DE; SIGFPE in user mode).
pub const EXC_DIVIDE: u32 = 0;
/// `ExitReason::Exception` number of a general-protection fault (#GP, e.g. HLT in user mode;
/// SIGSEGV in user mode).
pub const EXC_GP: u32 = 13;

/// Index of the scratch XMM slot helpers use for memory operands (`xmm[16]`).
pub const XMM_TMP: u32 = 16;

/// x86_64 guest CPU state (user mode, 64-bit code segment).
///
/// The arithmetic flags are lazy (as in QEMU): the last flag-setting instruction records its
/// kind and operands in `cc_op`/`cc_dst`/`cc_src`/`cc_src2`, and [`flags::compute`] derives
/// CF, PF, AF, ZF, SF and OF from them when something reads them; [`X64Cpu::eflags`]
/// materializes the whole register.
#[repr(C)]
#[derive(Debug, Clone)]
pub struct X64Cpu {
    /// `header.pc` is RIP.
    pub header: CpuHeader,
    /// RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8–R15 (encoding order).
    pub regs: [u64; 16],
    /// Lazy flags: the operation (see [`flags`]).
    pub cc_op: u64,
    pub cc_dst: u64,
    pub cc_src: u64,
    pub cc_src2: u64,
    /// EFLAGS.DF (0 or 1).
    pub df: u64,
    pub fs_base: u64,
    pub gs_base: u64,
    /// XMM0–XMM15 as two little-endian 64-bit halves, plus one scratch slot
    /// ([`XMM_TMP`]) for memory operands of helper-implemented instructions.
    pub xmm: [[u64; 2]; 17],
    /// MXCSR (low 32 bits).
    pub mxcsr: u64,
    /// The x87 control word.
    pub fpu_cw: u64,
    /// The x87 status word: exception flags, SF and condition codes (TOP is `fpu_top`).
    pub fpu_sw: u64,
    /// The x87 registers by physical number: the 64-bit significand and the sign and
    /// exponent (low 16 bits); ST(i) is `st[(fpu_top + i) % 8]`.
    pub st: [[u64; 2]; 8],
    /// The x87 stack top (0–7).
    pub fpu_top: u64,
    /// The x87 tags as QEMU keeps them: bit i set when physical register i is empty (the
    /// architectural tag word's finer classes are derived from the contents when stored).
    pub fpu_empty: u64,
    /// The last x87 data instruction as FNSTENV/FNSAVE store it: its RIP (FIP), the
    /// `FCS | FOP << 16` word, and the address of its memory operand (FDP); zero after FNINIT.
    pub fpu_fip: u64,
    pub fpu_fop: u64,
    pub fpu_fdp: u64,
}

impl Default for X64Cpu {
    fn default() -> Self {
        X64Cpu {
            header: CpuHeader::default(),
            regs: [0; 16],
            cc_op: flags::CC_EFLAGS,
            cc_dst: 0,
            cc_src: 0,
            cc_src2: 0,
            df: 0,
            fs_base: 0,
            gs_base: 0,
            xmm: [[0; 2]; 17],
            mxcsr: MXCSR_DEFAULT,
            fpu_cw: FPU_CW_DEFAULT,
            fpu_sw: 0,
            st: [[0; 2]; 8],
            fpu_top: 0,
            fpu_empty: FPU_ALL_EMPTY,
            fpu_fip: 0,
            fpu_fop: 0,
            fpu_fdp: 0,
        }
    }
}

/// MXCSR at process start: all exceptions masked, round to nearest.
pub const MXCSR_DEFAULT: u64 = 0x1f80;

/// The x87 control word at process start (`FNINIT`): all exceptions masked, double
/// extended precision, round to nearest.
pub const FPU_CW_DEFAULT: u64 = 0x037f;

/// [`X64Cpu::fpu_empty`] after `FNINIT`: every register empty.
pub const FPU_ALL_EMPTY: u64 = 0xff;

/// Register numbers in encoding order.
pub const RAX: u32 = 0;
pub const RCX: u32 = 1;
pub const RDX: u32 = 2;
pub const RSP: u32 = 4;
pub const RSI: u32 = 6;
pub const RDI: u32 = 7;
pub const R11: u32 = 11;

impl X64Cpu {
    /// A zeroed CPU (flags clear, MXCSR at its reset value).
    pub fn new() -> Self {
        Self::default()
    }

    /// Byte offset of general register `r` (encoding order, taken modulo 16).
    pub const fn reg_offset(r: u32) -> u32 {
        (offset_of!(X64Cpu, regs) + 8 * (r as usize % 16)) as u32
    }

    /// Byte offset of the low half of XMM register `r` (0–16, 16 being the scratch slot).
    pub const fn xmm_offset(r: u32) -> u32 {
        (offset_of!(X64Cpu, xmm) + 16 * (r as usize % 17)) as u32
    }

    pub const CC_OP_OFFSET: u32 = offset_of!(X64Cpu, cc_op) as u32;
    pub const CC_DST_OFFSET: u32 = offset_of!(X64Cpu, cc_dst) as u32;
    pub const CC_SRC_OFFSET: u32 = offset_of!(X64Cpu, cc_src) as u32;
    pub const CC_SRC2_OFFSET: u32 = offset_of!(X64Cpu, cc_src2) as u32;
    pub const DF_OFFSET: u32 = offset_of!(X64Cpu, df) as u32;
    pub const FS_BASE_OFFSET: u32 = offset_of!(X64Cpu, fs_base) as u32;
    pub const GS_BASE_OFFSET: u32 = offset_of!(X64Cpu, gs_base) as u32;
    pub const MXCSR_OFFSET: u32 = offset_of!(X64Cpu, mxcsr) as u32;
    pub const FPU_CW_OFFSET: u32 = offset_of!(X64Cpu, fpu_cw) as u32;
    pub const FPU_SW_OFFSET: u32 = offset_of!(X64Cpu, fpu_sw) as u32;
    pub const FPU_TOP_OFFSET: u32 = offset_of!(X64Cpu, fpu_top) as u32;
    pub const FPU_EMPTY_OFFSET: u32 = offset_of!(X64Cpu, fpu_empty) as u32;
    pub const FPU_FIP_OFFSET: u32 = offset_of!(X64Cpu, fpu_fip) as u32;
    pub const FPU_FOP_OFFSET: u32 = offset_of!(X64Cpu, fpu_fop) as u32;
    pub const FPU_FDP_OFFSET: u32 = offset_of!(X64Cpu, fpu_fdp) as u32;

    /// RFLAGS as the guest sees it (`pushfq`): the arithmetic flags, DF, IF and the
    /// always-one bit 1.
    pub fn eflags(&self) -> u64 {
        let arith = flags::compute(self.cc_op, self.cc_dst, self.cc_src, self.cc_src2);
        arith | (self.df & 1) << 10 | flags::IF | 0x2
    }

    /// Set the flags from an RFLAGS value (`popfq`, `rt_sigreturn`): arithmetic flags and DF.
    pub fn set_eflags(&mut self, value: u64) {
        self.cc_op = flags::CC_EFLAGS;
        self.cc_src = value & flags::ARITH;
        self.cc_dst = 0;
        self.df = (value >> 10) & 1;
    }
}

/// The x86_64 [`emu_ir::Translator`]: translates 64-bit user-mode blocks (flags are always 0).
pub type X64Translator = LoopTranslator<X64Arch>;

/// The x86_64 side of the translator loop.
#[derive(Debug, Default)]
pub struct X64Arch;

impl GuestArch for X64Arch {
    fn register_helpers(&self) {
        emu_ir::helpers::register_all(flags::HELPERS);
        emu_ir::helpers::register_all(int::HELPERS);
        emu_ir::helpers::register_all(int_ext::HELPERS);
        emu_ir::helpers::register_all(control::HELPERS);
        emu_ir::helpers::register_all(string::HELPERS);
        emu_ir::helpers::register_all(sse_helpers::HELPERS);
        emu_ir::helpers::register_all(sse4_helpers::HELPERS);
        emu_ir::helpers::register_all(mmx::HELPERS);
        emu_ir::helpers::register_all(pcmpstr::HELPERS);
        emu_ir::helpers::register_all(x87_stack::HELPERS);
        emu_ir::helpers::register_all(x87_env::HELPERS);
        emu_ir::helpers::register_all(fxsave::HELPERS);
    }

    fn max_insn_len(&self) -> usize {
        15
    }

    fn fixed_code(&self, pc: u64) -> Option<&'static [u8]> {
        vsyscall::code_at(pc)
    }

    fn translate_insn(&self, pc: u64, bytes: &[u8], builder: &mut Builder) -> InsnOutcome {
        let mut decoder = Decoder::with_ip(64, bytes, pc, DecoderOptions::NONE);
        let insn = decoder.decode();
        if decoder.last_error() == DecoderError::NoMoreBytes {
            return InsnOutcome::Truncated;
        }
        // An invalid encoding still has a length; 1 keeps the loop going if it ever is 0.
        let len = (insn.len() as u32).max(1);
        emit_insn(builder, pc, len, |b| {
            if insn.is_invalid() {
                return Err(crate::translator::Illegal);
            }
            let mut ctx = ctx::Ctx {
                b,
                pc,
                next: pc.wrapping_add(u64::from(len)),
                i: &insn,
            };
            x87::note_instruction(&mut ctx, bytes);
            translate(&mut ctx)
        })
    }
}

/// The name of the instruction at `pc` whose bytes start `bytes` (iced's `Code`, e.g.
/// `Fadd_m64fp`), for "unimplemented instruction" logs.
pub fn describe(bytes: &[u8], pc: u64) -> String {
    let insn = Decoder::with_ip(64, bytes, pc, DecoderOptions::NONE).decode();
    if insn.is_invalid() {
        "an invalid encoding".to_string()
    } else {
        format!("{:?}", insn.code())
    }
}

/// Dispatch one decoded instruction to its class.
fn translate(c: &mut ctx::Ctx) -> ctx::Res {
    // Before `int`: it takes the LOCK-prefixed forms of NEG/ADC/SBB.
    if let Some(r) = int_ext::translate(c) {
        return r;
    }
    if let Some(r) = int::translate(c) {
        return r;
    }
    // x87 before control: the x87 environment instructions (FNINIT, FLDENV, FNSTENV) are
    // x87.rs's, which keeps the tags they touch.
    if let Some(r) = x87::translate(c) {
        return r;
    }
    if let Some(r) = control::translate(c) {
        return r;
    }
    if let Some(r) = string::translate(c) {
        return r;
    }
    if let Some(r) = sse::translate(c) {
        return r;
    }
    Err(crate::translator::Illegal)
}

#[cfg(test)]
mod tests;
