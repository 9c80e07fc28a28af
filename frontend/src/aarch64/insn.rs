//! Shared pieces of the aarch64 decoder: instruction field extraction ([`Insn`]), decode-table
//! rows ([`Entry`], the [`insn!`] macro), and the per-instruction translation context
//! ([`Ctx`]) with the register views every class uses (X/W with XZR or SP as register 31,
//! V registers as scalars), the NZCV flags, condition codes, and `AddWithCarry`.

use emu_ir::{BinOp, Builder, Cond, ExitReason, Type, Value};

use super::A64Cpu;

/// A 32-bit A64 instruction word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn(pub u32);

impl Insn {
    /// Bits `hi..=lo` as an unsigned field.
    pub fn bits(self, hi: u32, lo: u32) -> u32 {
        (self.0 >> lo) & (((1u64 << (hi - lo + 1)) - 1) as u32)
    }
    /// Bit `n` as a bool.
    pub fn bit(self, n: u32) -> bool {
        (self.0 >> n) & 1 != 0
    }
    /// Bits `hi..=lo` sign-extended.
    pub fn sbits(self, hi: u32, lo: u32) -> i64 {
        sign_extend(u64::from(self.bits(hi, lo)), hi - lo + 1)
    }
    pub fn rd(self) -> u32 {
        self.bits(4, 0)
    }
    pub fn rt(self) -> u32 {
        self.bits(4, 0)
    }
    pub fn rn(self) -> u32 {
        self.bits(9, 5)
    }
    pub fn rm(self) -> u32 {
        self.bits(20, 16)
    }
    /// Third source register of 3-source instructions (bits 14:10); also `Rt2` of pairs.
    pub fn ra(self) -> u32 {
        self.bits(14, 10)
    }
    pub fn rt2(self) -> u32 {
        self.bits(14, 10)
    }
    /// The `sf` bit: 64-bit operation.
    pub fn sf(self) -> bool {
        self.bit(31)
    }
}

/// `value`'s low `bits` bits, sign-extended.
pub fn sign_extend(value: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((value << shift) as i64) >> shift
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
}

impl Ctx<'_, '_> {
    /// The pc of the following instruction.
    pub fn next_pc(&self) -> u64 {
        self.pc.wrapping_add(4)
    }

    /// The pc plus a signed offset.
    pub fn pc_rel(&self, offset: i64) -> u64 {
        self.pc.wrapping_add(offset as u64)
    }

    /// The integer type of an `sf`-selected operation.
    pub fn int_ty(sf: bool) -> Type {
        if sf {
            Type::I64
        } else {
            Type::I32
        }
    }

    /// A constant of an `sf`-selected width.
    pub fn imm(&mut self, sf: bool, v: u64) -> Value {
        if sf {
            self.b.i64(v)
        } else {
            self.b.i32(v as u32)
        }
    }

    /// X register `r` as I64; register 31 is XZR (zero).
    pub fn x(&mut self, r: u32) -> Value {
        if r == 31 {
            self.b.i64(0)
        } else {
            self.b.read_reg(Type::I64, A64Cpu::x_offset(r))
        }
    }

    /// X register `r` as I64; register 31 is SP.
    pub fn xsp(&mut self, r: u32) -> Value {
        self.b.read_reg(Type::I64, A64Cpu::x_offset(r))
    }

    /// W register `r` (low 32 bits) as I32; register 31 is WZR.
    pub fn w(&mut self, r: u32) -> Value {
        let v = self.x(r);
        self.b.trunc(Type::I32, v)
    }

    /// X (`sf`) or W register `r`, register 31 reading as zero.
    pub fn reg(&mut self, sf: bool, r: u32) -> Value {
        if sf {
            self.x(r)
        } else {
            self.w(r)
        }
    }

    /// X (`sf`) or W register `r`, register 31 being SP / WSP.
    pub fn reg_sp(&mut self, sf: bool, r: u32) -> Value {
        let v = self.xsp(r);
        if sf {
            v
        } else {
            self.b.trunc(Type::I32, v)
        }
    }

    /// Write I64 `v` to X register `r` (dropped for XZR).
    pub fn set_x(&mut self, r: u32, v: Value) {
        if r != 31 {
            self.b.write_reg(A64Cpu::x_offset(r), v);
        }
    }

    /// Write I64 `v` to X register `r`, register 31 being SP.
    pub fn set_xsp(&mut self, r: u32, v: Value) {
        self.b.write_reg(A64Cpu::x_offset(r), v);
    }

    /// Write an I64 (`sf`) or I32 result to register `r` (a W result is zero-extended);
    /// dropped for XZR.
    pub fn set_reg(&mut self, r: u32, v: Value) {
        let wide = self.widen(v);
        self.set_x(r, wide);
    }

    /// Same as [`Ctx::set_reg`] with register 31 being SP.
    pub fn set_reg_sp(&mut self, r: u32, v: Value) {
        let wide = self.widen(v);
        self.set_xsp(r, wide);
    }

    /// Zero-extend an I8/I16/I32 value to I64 (I64 unchanged).
    pub fn widen(&mut self, v: Value) -> Value {
        if self.b.ty(v) == Type::I64 {
            v
        } else {
            self.b.zext(Type::I64, v)
        }
    }

    /// The low `ty` bits of V register `r` (`ty` at most 64 bits: B/H/S/D views, or F32/F64).
    pub fn vreg(&mut self, ty: Type, r: u32) -> Value {
        self.b.read_reg(ty, A64Cpu::v_offset(r))
    }

    /// Bits 127:64 of V register `r` as I64.
    pub fn vreg_hi(&mut self, r: u32) -> Value {
        self.b.read_reg(Type::I64, A64Cpu::v_hi_offset(r))
    }

    /// Write a scalar (B/H/S/D, integer or float type) to V register `r`, zeroing the rest of
    /// the register as every scalar SIMD&FP write does.
    pub fn set_vreg_scalar(&mut self, r: u32, v: Value) {
        let ty = self.b.ty(v);
        let bits = if ty.is_float() {
            let int_ty = Type::int(ty.bits()).unwrap_or(Type::I64);
            self.b.bitcast(int_ty, v)
        } else {
            v
        };
        let low = self.widen(bits);
        self.set_vreg128(r, low, None);
    }

    /// Write both halves of V register `r` (`hi` `None`: zero).
    pub fn set_vreg128(&mut self, r: u32, lo: Value, hi: Option<Value>) {
        self.b.write_reg(A64Cpu::v_offset(r), lo);
        let hi = match hi {
            Some(h) => h,
            None => self.b.i64(0),
        };
        self.b.write_reg(A64Cpu::v_hi_offset(r), hi);
    }

    /// Read one NZCV flag (offset `A64Cpu::FLAG_*_OFFSET`) as I64 0/1.
    fn flag(&mut self, offset: u32) -> Value {
        self.b.read_reg(Type::I64, offset)
    }

    /// Set N, Z, C, V from I8 0/1 values.
    pub fn set_nzcv(&mut self, n: Value, z: Value, c: Value, v: Value) {
        for (offset, f) in [
            (A64Cpu::FLAG_N_OFFSET, n),
            (A64Cpu::FLAG_Z_OFFSET, z),
            (A64Cpu::FLAG_C_OFFSET, c),
            (A64Cpu::FLAG_V_OFFSET, v),
        ] {
            let wide = self.b.zext(Type::I64, f);
            self.b.write_reg(offset, wide);
        }
    }

    /// Set NZCV from an I64 in the architectural layout (N bit 31 … V bit 28), as a
    /// helper returning flags or `MSR NZCV` provides.
    pub fn set_nzcv_packed(&mut self, packed: Value) {
        for (offset, bit) in [
            (A64Cpu::FLAG_N_OFFSET, 31),
            (A64Cpu::FLAG_Z_OFFSET, 30),
            (A64Cpu::FLAG_C_OFFSET, 29),
            (A64Cpu::FLAG_V_OFFSET, 28),
        ] {
            let sh = self.b.i64(bit);
            let shifted = self.b.binary(BinOp::ShrU, packed, sh);
            let one = self.b.i64(1);
            let f = self.b.and(shifted, one);
            self.b.write_reg(offset, f);
        }
    }

    /// NZCV as an I64 in the architectural layout.
    pub fn nzcv_packed(&mut self) -> Value {
        let mut acc = self.b.i64(0);
        for (offset, bit) in [
            (A64Cpu::FLAG_N_OFFSET, 31),
            (A64Cpu::FLAG_Z_OFFSET, 30),
            (A64Cpu::FLAG_C_OFFSET, 29),
            (A64Cpu::FLAG_V_OFFSET, 28),
        ] {
            let f = self.flag(offset);
            let sh = self.b.i64(bit);
            let placed = self.b.binary(BinOp::Shl, f, sh);
            acc = self.b.or(acc, placed);
        }
        acc
    }

    /// Set N and Z from `result` and clear C and V (logical operations with flags).
    pub fn set_nz_clear_cv(&mut self, result: Value) {
        let ty = self.b.ty(result);
        let zero = self.b.iconst(ty, 0);
        let n = self.b.icmp(Cond::LtS, result, zero);
        let z = self.b.icmp(Cond::Eq, result, zero);
        let f = self.b.iconst(Type::I8, 0);
        self.set_nzcv(n, z, f, f);
    }

    /// `AddWithCarry(a, b, carry_in)` of the Arm ARM on I32 or I64 operands (`carry_in` an
    /// I8 0/1, or `None` for 0): the sum, and the NZCV flags it sets when `set_flags`.
    /// Subtraction is `add_with_carry(a, NOT b, 1)`.
    pub fn add_with_carry(
        &mut self,
        a: Value,
        b: Value,
        carry_in: Option<Value>,
        set_flags: bool,
    ) -> Value {
        let ty = self.b.ty(a);
        let sum = self.b.add(a, b);
        let result = match carry_in {
            Some(c) => {
                let c = self.b.zext(ty, c);
                self.b.add(sum, c)
            }
            None => sum,
        };
        if set_flags {
            let zero = self.b.iconst(ty, 0);
            let n = self.b.icmp(Cond::LtS, result, zero);
            let z = self.b.icmp(Cond::Eq, result, zero);
            // Unsigned carry out: result < a, or (carry in and result == a).
            let wrapped = self.b.icmp(Cond::LtU, result, a);
            let c = match carry_in {
                Some(cin) => {
                    let same = self.b.icmp(Cond::Eq, result, a);
                    let both = self.b.and(same, cin);
                    self.b.or(wrapped, both)
                }
                None => wrapped,
            };
            // Signed overflow: a and b have the same sign and the result's differs.
            let ar = self.b.xor(a, result);
            let br = self.b.xor(b, result);
            let both = self.b.and(ar, br);
            let v = self.b.icmp(Cond::LtS, both, zero);
            self.set_nzcv(n, z, c, v);
        }
        result
    }

    /// The carry flag as an I8 0/1.
    pub fn carry(&mut self) -> Value {
        let c = self.flag(A64Cpu::FLAG_C_OFFSET);
        self.b.trunc(Type::I8, c)
    }

    /// `ConditionHolds(cond)` for a 4-bit condition code, as an I8 0/1.
    pub fn cond_holds(&mut self, cond: u32) -> Value {
        let base = match cond >> 1 {
            0 => self.flag(A64Cpu::FLAG_Z_OFFSET),
            1 => self.flag(A64Cpu::FLAG_C_OFFSET),
            2 => self.flag(A64Cpu::FLAG_N_OFFSET),
            3 => self.flag(A64Cpu::FLAG_V_OFFSET),
            4 => {
                // HI: C == 1 && Z == 0.
                let c = self.flag(A64Cpu::FLAG_C_OFFSET);
                let z = self.flag(A64Cpu::FLAG_Z_OFFSET);
                let one = self.b.i64(1);
                let nz = self.b.xor(z, one);
                self.b.and(c, nz)
            }
            5 => {
                // GE: N == V.
                let n = self.flag(A64Cpu::FLAG_N_OFFSET);
                let v = self.flag(A64Cpu::FLAG_V_OFFSET);
                let ne = self.b.xor(n, v);
                let one = self.b.i64(1);
                self.b.xor(ne, one)
            }
            6 => {
                // GT: Z == 0 && N == V.
                let n = self.flag(A64Cpu::FLAG_N_OFFSET);
                let v = self.flag(A64Cpu::FLAG_V_OFFSET);
                let z = self.flag(A64Cpu::FLAG_Z_OFFSET);
                let bad = self.b.xor(n, v);
                let bad = self.b.or(bad, z);
                let one = self.b.i64(1);
                self.b.xor(bad, one)
            }
            _ => self.b.i64(1),
        };
        let result = if cond & 1 == 1 && cond != 15 {
            let one = self.b.i64(1);
            self.b.xor(base, one)
        } else {
            base
        };
        let zero = self.b.i64(0);
        self.b.icmp(Cond::Ne, result, zero)
    }

    /// Leave with an undefined-instruction exit at this pc when `cond` (I8) is non-zero.
    pub fn illegal_if(&mut self, cond: Value) {
        self.b.exit_if(cond, ExitReason::IllegalInsn, self.pc);
    }
}
