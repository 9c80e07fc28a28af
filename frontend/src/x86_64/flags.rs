//! Lazy x86 arithmetic flags (the QEMU `cc_op` scheme).
//!
//! A flag-setting instruction writes `cc_op` (its [`Kind`] and operand size), `cc_dst` (the
//! result) and `cc_src`/`cc_src2` (an operand, a carry-in or the old CF, per kind); nothing is
//! computed until a flag is read. [`compute`] is the one full definition of every kind's
//! flags (used by the `x64_flags` helper and [`crate::x86_64::X64Cpu::eflags`]).
//!
//! Conditions read inside the block that set the flags take a fast path: the translator finds
//! the last `cc_op` write in the block's IR and, when it is a constant SUB/ADD/LOGIC/INC/DEC,
//! turns the condition into a compare of the original operands (CMP + JL becomes one signed
//! compare). Anything else calls the pure helper on the four fields.

use emu_ir::helpers::HelperFn;
use emu_ir::{Block, Cond, Helper, HelperEffects, Inst, Type, Value};

use crate::x86_64::ctx::Ctx;
use crate::x86_64::X64Cpu;

pub const CF: u64 = 1 << 0;
pub const PF: u64 = 1 << 2;
pub const AF: u64 = 1 << 4;
pub const ZF: u64 = 1 << 6;
pub const SF: u64 = 1 << 7;
pub const IF: u64 = 1 << 9;
pub const DF: u64 = 1 << 10;
pub const OF: u64 = 1 << 11;
/// The six arithmetic flags.
pub const ARITH: u64 = CF | PF | AF | ZF | SF | OF;

/// `cc_op` of "the flags are `cc_src` itself".
pub const CC_EFLAGS: u64 = 0;

/// `cc_op` bits above the operation (bits 7:0): CF and/or OF replaced by the given values
/// (rotates, BT*, CLC/STC/CMC change only those, so the rest stays lazy).
pub const OVR_CF: u64 = 1 << 8;
pub const OVR_CF_VAL: u64 = 1 << 9;
pub const OVR_OF: u64 = 1 << 10;
pub const OVR_OF_VAL: u64 = 1 << 11;
const OVR_ALL: u64 = OVR_CF | OVR_CF_VAL | OVR_OF | OVR_OF_VAL;

/// What the last flag-setting instruction was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Kind {
    /// dst = a + b; src = b.
    Add = 1,
    /// dst = a + b + cin; src = b; src2 = cin.
    Adc,
    /// dst = a - b; src = b.
    Sub,
    /// dst = a - b - cin; src = b; src2 = cin.
    Sbb,
    /// dst = result; CF = OF = 0.
    Logic,
    /// dst = a + 1; src2 = the old CF.
    Inc,
    /// dst = a - 1; src2 = the old CF.
    Dec,
    /// dst = result; src = the operand shifted by count - 1.
    Shl,
    /// dst = result; src = the operand shifted by count - 1.
    Sar,
    /// dst = result; src = the operand shifted by count - 1.
    Shr,
    /// dst = low half of the product; src = non-zero when the product overflowed.
    Mul,
    /// SHRD: dst = result; src = the destination shifted by count - 1 (OF: sign change).
    Shrd,
}

const KINDS: [Kind; 12] = [
    Kind::Add,
    Kind::Adc,
    Kind::Sub,
    Kind::Sbb,
    Kind::Logic,
    Kind::Inc,
    Kind::Dec,
    Kind::Shl,
    Kind::Sar,
    Kind::Shr,
    Kind::Mul,
    Kind::Shrd,
];

/// The `cc_op` value of `kind` on operands of `ty`.
pub fn cc_op(kind: Kind, ty: Type) -> u64 {
    let size = match ty.bits() {
        8 => 0,
        16 => 1,
        32 => 2,
        _ => 3,
    };
    (kind as u64) << 2 | size
}

/// Split a `cc_op` into kind and width in bits (`None` for [`CC_EFLAGS`] and unknown values).
pub fn decode_op(op: u64) -> Option<(Kind, u32)> {
    let kind = *KINDS.get(((op >> 2) as usize).checked_sub(1)?)?;
    Some((kind, 8 << (op & 3)))
}

fn parity(v: u64) -> u64 {
    if (v as u8).count_ones().is_multiple_of(2) {
        PF
    } else {
        0
    }
}

fn bit(cond: bool, flag: u64) -> u64 {
    if cond {
        flag
    } else {
        0
    }
}

/// The arithmetic flags (bits of [`ARITH`]) the lazy state describes.
pub fn compute(op: u64, dst: u64, src: u64, src2: u64) -> u64 {
    let mut f = compute_base(op & 0xff, dst, src, src2);
    if op & OVR_CF != 0 {
        f = (f & !CF) | bit(op & OVR_CF_VAL != 0, CF);
    }
    if op & OVR_OF != 0 {
        f = (f & !OF) | bit(op & OVR_OF_VAL != 0, OF);
    }
    f
}

/// [`compute`] without the CF/OF overrides.
fn compute_base(op: u64, dst: u64, src: u64, src2: u64) -> u64 {
    let Some((kind, bits)) = decode_op(op) else {
        return src & ARITH;
    };
    let mask = u64::MAX >> (64 - bits);
    let sign = 1u64 << (bits - 1);
    let (d, s) = (dst & mask, src & mask);
    let c = src2 & 1;
    let szp = bit(d == 0, ZF) | bit(d & sign != 0, SF) | parity(d);
    let aux = |a: u64| bit((a ^ s ^ d) & 0x10 != 0, AF);
    let rest = match kind {
        Kind::Add | Kind::Adc => {
            let a = d
                .wrapping_sub(s)
                .wrapping_sub(if kind == Kind::Adc { c } else { 0 })
                & mask;
            let carry = if kind == Kind::Adc && c != 0 {
                d <= s
            } else {
                d < s
            };
            bit(carry, CF) | aux(a) | bit((a ^ d) & (s ^ d) & sign != 0, OF)
        }
        Kind::Sub | Kind::Sbb => {
            let a = d
                .wrapping_add(s)
                .wrapping_add(if kind == Kind::Sbb { c } else { 0 })
                & mask;
            let borrow = if kind == Kind::Sbb && c != 0 {
                a <= s
            } else {
                a < s
            };
            bit(borrow, CF) | aux(a) | bit((a ^ s) & (a ^ d) & sign != 0, OF)
        }
        Kind::Logic => 0,
        Kind::Inc => c | bit(d & 0xf == 0, AF) | bit(d == sign, OF),
        Kind::Dec => c | bit(d & 0xf == 0xf, AF) | bit(d == sign - 1, OF),
        Kind::Shl => {
            let cf = s & sign != 0;
            bit(cf, CF) | bit(cf != (d & sign != 0), OF)
        }
        Kind::Sar => s & 1,
        Kind::Shr => (s & 1) | bit(s & sign != 0, OF),
        Kind::Shrd => (s & 1) | bit((s ^ d) & sign != 0, OF),
        Kind::Mul => bit(s != 0, CF | OF),
    };
    szp | rest
}

extern "C" fn helper_flags(_env: *mut u8, op: u64, dst: u64, src: u64, src2: u64) -> u64 {
    compute(op, dst, src, src2)
}

/// `x64_flags(op, dst, src, src2)`: the arithmetic flags of a lazy state.
pub static FLAGS: Helper = Helper {
    name: "x64_flags",
    func: HelperFn::A4(helper_flags),
    nargs: 4,
    ret: Some(Type::I64),
    effects: HelperEffects::PURE,
};

pub(crate) static HELPERS: &[&Helper] = &[&FLAGS];

/// Condition codes in encoding order (the low nibble of Jcc/SETcc/CMOVcc).
pub const CC_O: u8 = 0;
pub const CC_B: u8 = 2;
pub const CC_AE: u8 = 3;
pub const CC_E: u8 = 4;
pub const CC_BE: u8 = 6;
pub const CC_S: u8 = 8;
pub const CC_P: u8 = 10;
pub const CC_L: u8 = 12;
pub const CC_LE: u8 = 14;

/// The flag state the block's own IR last set, when it is statically known.
struct Known {
    kind: Kind,
    /// The typed result.
    dst: Value,
    /// For ADD/SUB: the typed operands of the `Binary` that produced `dst`.
    operands: Option<(Value, Value)>,
}

/// The instruction defining `v`, if any.
fn def(block: &Block, v: Value) -> Option<&Inst> {
    block
        .insts
        .iter()
        .rev()
        .find(|d| d.result == Some(v))
        .map(|d| &d.inst)
}

/// The value of the last `write_reg` to `offset` in the block so far.
fn last_write(block: &Block, offset: u32) -> Option<Value> {
    block.insts.iter().rev().find_map(|d| match d.inst {
        Inst::WriteReg { offset: o, value } if o == offset => Some(value),
        _ => None,
    })
}

fn known(block: &Block) -> Option<Known> {
    let op = last_write(block, X64Cpu::CC_OP_OFFSET)?;
    let Some(&Inst::Const { imm, .. }) = def(block, op) else {
        return None;
    };
    let (kind, bits) = decode_op(imm as u64)?;
    let wide = last_write(block, X64Cpu::CC_DST_OFFSET)?;
    let dst = match def(block, wide) {
        Some(&Inst::Cast {
            op: emu_ir::CastOp::ZExt,
            arg,
            ..
        }) => arg,
        _ => wide,
    };
    if block.ty(dst).bits() != bits {
        return None;
    }
    let operands = match (kind, def(block, dst)) {
        (
            Kind::Sub | Kind::Add,
            Some(&Inst::Binary {
                op: emu_ir::BinOp::Sub | emu_ir::BinOp::Add,
                lhs,
                rhs,
            }),
        ) => Some((lhs, rhs)),
        _ => None,
    };
    Some(Known {
        kind,
        dst,
        operands,
    })
}

impl Ctx<'_, '_> {
    /// Record flags of `kind` for a result `dst`, with `src`/`src2` as the kind defines
    /// (`None`: not used by the kind).
    pub fn set_cc(&mut self, kind: Kind, dst: Value, src: Option<Value>, src2: Option<Value>) {
        let ty = self.b.ty(dst);
        let op = self.b.i64(cc_op(kind, ty));
        self.b.write_reg(X64Cpu::CC_OP_OFFSET, op);
        let d = self.fit(dst, Type::I64);
        self.b.write_reg(X64Cpu::CC_DST_OFFSET, d);
        if let Some(s) = src {
            let s = self.fit(s, Type::I64);
            self.b.write_reg(X64Cpu::CC_SRC_OFFSET, s);
        }
        if let Some(s) = src2 {
            let s = self.fit(s, Type::I64);
            self.b.write_reg(X64Cpu::CC_SRC2_OFFSET, s);
        }
    }

    /// Set the arithmetic flags to `flags` (I64, bits of [`ARITH`]).
    pub fn set_eflags_value(&mut self, flags: Value) {
        let op = self.b.i64(CC_EFLAGS);
        self.b.write_reg(X64Cpu::CC_OP_OFFSET, op);
        let zero = self.b.i64(0);
        self.b.write_reg(X64Cpu::CC_DST_OFFSET, zero);
        self.b.write_reg(X64Cpu::CC_SRC_OFFSET, flags);
    }

    /// Replace CF by `cf` and, if given, OF by `of` (I64 0/1), leaving the other flags lazy;
    /// nothing changes when `keep` (I8) is set.
    pub fn override_cf_of(&mut self, cf: Value, of: Option<Value>, keep: Option<Value>) {
        let old = self.b.read_reg(Type::I64, X64Cpu::CC_OP_OFFSET);
        let clear = self
            .b
            .i64(!(OVR_ALL & !(if of.is_some() { 0 } else { OVR_OF | OVR_OF_VAL })));
        let mut op = self.b.and(old, clear);
        let set = self.b.i64(OVR_CF | if of.is_some() { OVR_OF } else { 0 });
        op = self.b.or(op, set);
        for (v, shift) in [(Some(cf), 9), (of, 11)] {
            if let Some(v) = v {
                let sh = self.b.i64(shift);
                let v = self.b.binary(emu_ir::BinOp::Shl, v, sh);
                op = self.b.or(op, v);
            }
        }
        if let Some(keep) = keep {
            op = self.b.select(keep, old, op);
        }
        self.b.write_reg(X64Cpu::CC_OP_OFFSET, op);
    }

    /// Forget any statically known flag state (after a helper wrote the lazy fields).
    pub fn cc_unknown(&mut self) {
        let op = self.b.read_reg(Type::I64, X64Cpu::CC_OP_OFFSET);
        self.b.write_reg(X64Cpu::CC_OP_OFFSET, op);
    }

    /// The current arithmetic flags as an I64 (bits of [`ARITH`]).
    pub fn eflags_value(&mut self) -> Value {
        let args = [
            X64Cpu::CC_OP_OFFSET,
            X64Cpu::CC_DST_OFFSET,
            X64Cpu::CC_SRC_OFFSET,
            X64Cpu::CC_SRC2_OFFSET,
        ]
        .map(|off| self.b.read_reg(Type::I64, off));
        self.b.call(&FLAGS, &args).unwrap_or(args[0])
    }

    /// Condition `cc` (0–15, x86 encoding) as an I8 0/1.
    pub fn cond(&mut self, cc: u8) -> Value {
        let base = cc & !1;
        let v = match self.fast_cond(base) {
            Some(v) => v,
            None => {
                let f = self.eflags_value();
                self.cond_from_flags(base, f)
            }
        };
        if cc & 1 != 0 {
            let one = self.b.iconst(Type::I8, 1);
            self.b.xor(v, one)
        } else {
            v
        }
    }

    /// Even condition `cc` from a known flag state, if it has a cheap form.
    fn fast_cond(&mut self, cc: u8) -> Option<Value> {
        let k = known(self.b.block)?;
        let ty = self.b.ty(k.dst);
        let zero = self.iconst(ty, 0);
        let cmp0 = |c: &mut Self, cond| Some(c.b.icmp(cond, k.dst, zero));
        match (k.kind, cc) {
            (_, CC_E) if k.kind != Kind::Mul => cmp0(self, Cond::Eq),
            (_, CC_S) if k.kind != Kind::Mul => cmp0(self, Cond::LtS),
            (Kind::Logic, CC_O) | (Kind::Logic, CC_B) => Some(self.b.iconst(Type::I8, 0)),
            (Kind::Logic, CC_BE) => cmp0(self, Cond::Eq),
            (Kind::Logic, CC_L) => cmp0(self, Cond::LtS),
            (Kind::Logic, CC_LE) => cmp0(self, Cond::LeS),
            (Kind::Sub, _) => {
                let (a, b) = k.operands?;
                let cond = match cc {
                    CC_B => Cond::LtU,
                    CC_BE => Cond::LeU,
                    CC_L => Cond::LtS,
                    CC_LE => Cond::LeS,
                    _ => return None,
                };
                Some(self.b.icmp(cond, a, b))
            }
            (Kind::Add, CC_B) => {
                let (_, b) = k.operands?;
                Some(self.b.icmp(Cond::LtU, k.dst, b))
            }
            _ => None,
        }
    }

    /// Even condition `cc` from materialized flags `f` (I64).
    fn cond_from_flags(&mut self, cc: u8, f: Value) -> Value {
        let mask = match cc {
            CC_O => OF,
            CC_B => CF,
            CC_E => ZF,
            CC_BE => CF | ZF,
            CC_S => SF,
            CC_P => PF,
            _ => 0,
        };
        let zero = self.b.i64(0);
        if mask != 0 {
            let m = self.b.i64(mask);
            let v = self.b.and(f, m);
            return self.b.icmp(Cond::Ne, v, zero);
        }
        // L: SF != OF; LE: ZF or SF != OF. `f ^ f >> 4` has SF ^ OF in bit 7 and, since
        // `f` holds only arithmetic flags (bit 10 clear), ZF in bit 6.
        let four = self.b.i64(4);
        let of = self.b.binary(emu_ir::BinOp::ShrU, f, four);
        let x = self.b.xor(f, of);
        let m = self.b.i64(if cc == CC_L { SF } else { SF | ZF });
        let v = self.b.and(x, m);
        self.b.icmp(Cond::Ne, v, zero)
    }
}
