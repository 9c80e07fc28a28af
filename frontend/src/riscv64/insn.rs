//! Shared pieces of the riscv64 decoder: instruction field extraction ([`Insn`]), decode-table
//! entries built from bit-pattern strings ([`pattern`], [`Entry`]), and the per-instruction
//! translation context ([`Ctx`]) with register access helpers (x0 reads as zero, writes to it
//! are dropped).

use emu_ir::{Builder, ExitReason, Type, Value};

use super::Rv64Cpu;

/// A 32-bit instruction word (compressed instructions are expanded to one first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn(pub u32);

impl Insn {
    fn bits(self, hi: u32, lo: u32) -> u32 {
        (self.0 >> lo) & ((1u32 << (hi - lo + 1)) - 1)
    }
    pub fn rd(self) -> u32 {
        self.bits(11, 7)
    }
    pub fn rs1(self) -> u32 {
        self.bits(19, 15)
    }
    pub fn rs2(self) -> u32 {
        self.bits(24, 20)
    }
    pub fn rs3(self) -> u32 {
        self.bits(31, 27)
    }
    /// The `funct3` field, which is the rounding mode of FP instructions.
    pub fn funct3(self) -> u32 {
        self.bits(14, 12)
    }
    /// 6-bit shift amount of RV64 immediate shifts.
    pub fn shamt(self) -> u32 {
        self.bits(25, 20)
    }
    /// The CSR number of Zicsr instructions.
    pub fn csr(self) -> u32 {
        self.bits(31, 20)
    }
    pub fn imm_i(self) -> i64 {
        i64::from(self.0 as i32 >> 20)
    }
    pub fn imm_s(self) -> i64 {
        i64::from(((self.0 & 0xfe00_0000) as i32 >> 20) | self.bits(11, 7) as i32)
    }
    pub fn imm_b(self) -> i64 {
        let sign = (self.0 & 0x8000_0000) as i32 >> 19; // bit 12 and up
        let v = sign as u32
            | (self.bits(7, 7) << 11)
            | (self.bits(30, 25) << 5)
            | (self.bits(11, 8) << 1);
        i64::from(v as i32)
    }
    pub fn imm_u(self) -> i64 {
        i64::from((self.0 & 0xffff_f000) as i32)
    }
    pub fn imm_j(self) -> i64 {
        let sign = (self.0 & 0x8000_0000) as i32 >> 11; // bit 20 and up
        let v = sign as u32
            | (self.bits(19, 12) << 12)
            | (self.bits(20, 20) << 11)
            | (self.bits(30, 21) << 1);
        i64::from(v as i32)
    }
}

/// Splits the start of `bytes` into an instruction word and its length (2 for RVC, 4
/// otherwise); `None` if the bytes do not hold the whole instruction.
pub fn split(bytes: &[u8]) -> Option<(u32, u32)> {
    let low = u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]);
    if low & 3 != 3 {
        return Some((u32::from(low), 2));
    }
    let high = u16::from_le_bytes([*bytes.get(2)?, *bytes.get(3)?]);
    Some((u32::from(low) | (u32::from(high) << 16), 4))
}

pub use crate::translator::{Flow, Illegal};

/// What a handler returns.
pub type Exec = Result<Flow, Illegal>;

/// An instruction handler.
pub type Handler = for<'a, 'b, 'c> fn(&'a mut Ctx<'b, 'c>, Insn) -> Exec;

/// One decode-table row of this arch.
pub type Entry = crate::table::Entry<Handler>;

pub(crate) use crate::table::insn;

/// The translation context of one instruction.
pub struct Ctx<'a, 'b> {
    pub b: &'a mut Builder<'b>,
    /// Guest pc of the instruction.
    pub pc: u64,
    /// Its length in bytes (2 for RVC).
    pub len: u64,
}

impl Ctx<'_, '_> {
    /// The pc of the following instruction.
    pub fn next_pc(&self) -> u64 {
        self.pc.wrapping_add(self.len)
    }

    /// The pc plus a signed offset.
    pub fn pc_rel(&self, offset: i64) -> u64 {
        self.pc.wrapping_add(offset as u64)
    }

    pub fn imm(&mut self, v: i64) -> Value {
        self.b.i64(v as u64)
    }

    /// Integer register `r` as I64 (x0 is the constant 0).
    pub fn x(&mut self, r: u32) -> Value {
        if r == 0 {
            self.b.i64(0)
        } else {
            self.b.read_reg(Type::I64, Rv64Cpu::x_offset(r))
        }
    }

    /// Low 32 bits of integer register `r`.
    pub fn x32(&mut self, r: u32) -> Value {
        let v = self.x(r);
        self.b.trunc(Type::I32, v)
    }

    /// Write I64 `v` to integer register `r` (dropped for x0).
    pub fn set_x(&mut self, r: u32, v: Value) {
        if r != 0 {
            self.b.write_reg(Rv64Cpu::x_offset(r), v);
        }
    }

    /// Sign-extend I32 `v` and write it to integer register `r`.
    pub fn set_x32(&mut self, r: u32, v: Value) {
        let wide = self.b.sext(Type::I64, v);
        self.set_x(r, wide);
    }

    /// Write an I8 0/1 condition to integer register `r` as 0/1.
    pub fn set_x_bool(&mut self, r: u32, cond: Value) {
        let wide = self.b.zext(Type::I64, cond);
        self.set_x(r, wide);
    }

    /// Float register `r` as raw I64 bits.
    pub fn f(&mut self, r: u32) -> Value {
        self.b.read_reg(Type::I64, Rv64Cpu::f_offset(r))
    }

    pub fn set_f(&mut self, r: u32, v: Value) {
        self.b.write_reg(Rv64Cpu::f_offset(r), v);
    }

    /// Leave with an illegal-instruction exit at this pc when `cond` (I8) is non-zero.
    pub fn illegal_if(&mut self, cond: Value) {
        self.b.exit_if(cond, ExitReason::IllegalInsn, self.pc);
    }
}
