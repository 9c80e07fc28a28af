//! The bit-manipulation extensions of RVA22: Zba (address generation), Zbb (basic bit
//! manipulation) and Zbs (single-bit instructions), RV64 forms.

use emu_ir::{BinOp, Cond, Type, UnOp, Value};

use super::alu::{op_reg, op_reg_w};
use super::insn::{insn, Ctx, Entry, Exec, Flow, Insn};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    // Zba
    insn!("sh1add", "0010000 ..... ..... 010 ..... 0110011", |c, i| shadd(c, i, 1, false)),
    insn!("sh2add", "0010000 ..... ..... 100 ..... 0110011", |c, i| shadd(c, i, 2, false)),
    insn!("sh3add", "0010000 ..... ..... 110 ..... 0110011", |c, i| shadd(c, i, 3, false)),
    insn!("add.uw", "0000100 ..... ..... 000 ..... 0111011", |c, i| shadd(c, i, 0, true)),
    insn!("sh1add.uw", "0010000 ..... ..... 010 ..... 0111011", |c, i| shadd(c, i, 1, true)),
    insn!("sh2add.uw", "0010000 ..... ..... 100 ..... 0111011", |c, i| shadd(c, i, 2, true)),
    insn!("sh3add.uw", "0010000 ..... ..... 110 ..... 0111011", |c, i| shadd(c, i, 3, true)),
    insn!("slli.uw", "000010. ..... ..... 001 ..... 0011011", slli_uw),
    // Zbb
    insn!("andn", "0100000 ..... ..... 111 ..... 0110011", |c, i| logic_not(c, i, BinOp::And)),
    insn!("orn", "0100000 ..... ..... 110 ..... 0110011", |c, i| logic_not(c, i, BinOp::Or)),
    insn!("xnor", "0100000 ..... ..... 100 ..... 0110011", |c, i| logic_not(c, i, BinOp::Xor)),
    insn!("clz", "0110000 00000 ..... 001 ..... 0010011", |c, i| count(c, i, UnOp::Clz, Type::I64)),
    insn!("ctz", "0110000 00001 ..... 001 ..... 0010011", |c, i| count(c, i, UnOp::Ctz, Type::I64)),
    insn!("cpop", "0110000 00010 ..... 001 ..... 0010011", |c, i| count(c, i, UnOp::Popcnt, Type::I64)),
    insn!("clzw", "0110000 00000 ..... 001 ..... 0011011", |c, i| count(c, i, UnOp::Clz, Type::I32)),
    insn!("ctzw", "0110000 00001 ..... 001 ..... 0011011", |c, i| count(c, i, UnOp::Ctz, Type::I32)),
    insn!("cpopw", "0110000 00010 ..... 001 ..... 0011011", |c, i| count(c, i, UnOp::Popcnt, Type::I32)),
    insn!("max", "0000101 ..... ..... 110 ..... 0110011", |c, i| min_max(c, i, Cond::GtS)),
    insn!("maxu", "0000101 ..... ..... 111 ..... 0110011", |c, i| min_max(c, i, Cond::GtU)),
    insn!("min", "0000101 ..... ..... 100 ..... 0110011", |c, i| min_max(c, i, Cond::LtS)),
    insn!("minu", "0000101 ..... ..... 101 ..... 0110011", |c, i| min_max(c, i, Cond::LtU)),
    insn!("sext.b", "0110000 00100 ..... 001 ..... 0010011", |c, i| extend(c, i, Type::I8, true)),
    insn!("sext.h", "0110000 00101 ..... 001 ..... 0010011", |c, i| extend(c, i, Type::I16, true)),
    insn!("zext.h", "0000100 00000 ..... 100 ..... 0111011", |c, i| extend(c, i, Type::I16, false)),
    insn!("rol", "0110000 ..... ..... 001 ..... 0110011", |c, i| op_reg(c, i, BinOp::RotL)),
    insn!("ror", "0110000 ..... ..... 101 ..... 0110011", |c, i| op_reg(c, i, BinOp::RotR)),
    insn!("rolw", "0110000 ..... ..... 001 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::RotL)),
    insn!("rorw", "0110000 ..... ..... 101 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::RotR)),
    insn!("rori", "011000. ..... ..... 101 ..... 0010011", rori),
    insn!("roriw", "0110000 ..... ..... 101 ..... 0011011", roriw),
    insn!("orc.b", "0010100 00111 ..... 101 ..... 0010011", orc_b),
    insn!("rev8", "0110101 11000 ..... 101 ..... 0010011", rev8),
    // Zbs
    insn!("bclr", "0100100 ..... ..... 001 ..... 0110011", |c, i| bit_reg(c, i, BitOp::Clear)),
    insn!("bext", "0100100 ..... ..... 101 ..... 0110011", |c, i| bit_reg(c, i, BitOp::Extract)),
    insn!("binv", "0110100 ..... ..... 001 ..... 0110011", |c, i| bit_reg(c, i, BitOp::Invert)),
    insn!("bset", "0010100 ..... ..... 001 ..... 0110011", |c, i| bit_reg(c, i, BitOp::Set)),
    insn!("bclri", "010010. ..... ..... 001 ..... 0010011", |c, i| bit_imm(c, i, BitOp::Clear)),
    insn!("bexti", "010010. ..... ..... 101 ..... 0010011", |c, i| bit_imm(c, i, BitOp::Extract)),
    insn!("binvi", "011010. ..... ..... 001 ..... 0010011", |c, i| bit_imm(c, i, BitOp::Invert)),
    insn!("bseti", "001010. ..... ..... 001 ..... 0010011", |c, i| bit_imm(c, i, BitOp::Set)),
];

/// Low 32 bits of `rs`, zero-extended to 64.
fn x_uw(c: &mut Ctx, r: u32) -> Value {
    let low = c.x32(r);
    c.b.zext(Type::I64, low)
}

/// `rd = rs2 + (rs1 << shift)`, with rs1 zero-extended from 32 bits for the `.uw` forms.
fn shadd(c: &mut Ctx, i: Insn, shift: u64, uw: bool) -> Exec {
    let a = if uw { x_uw(c, i.rs1()) } else { c.x(i.rs1()) };
    let amount = c.b.i64(shift);
    let scaled = c.b.binary(BinOp::Shl, a, amount);
    let b = c.x(i.rs2());
    let r = c.b.add(scaled, b);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

fn slli_uw(c: &mut Ctx, i: Insn) -> Exec {
    let a = x_uw(c, i.rs1());
    let amount = c.b.i64(u64::from(i.shamt()));
    let r = c.b.binary(BinOp::Shl, a, amount);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = rs1 op ~rs2`.
fn logic_not(c: &mut Ctx, i: Insn, op: BinOp) -> Exec {
    let a = c.x(i.rs1());
    let b = c.x(i.rs2());
    let nb = c.b.unary(UnOp::Not, b);
    let r = c.b.binary(op, a, nb);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// clz/ctz/cpop on the whole register (I64) or its low word (I32, result zero-extended).
fn count(c: &mut Ctx, i: Insn, op: UnOp, ty: Type) -> Exec {
    let r = if ty == Type::I32 {
        let a = c.x32(i.rs1());
        let n = c.b.unary(op, a);
        c.b.zext(Type::I64, n)
    } else {
        let a = c.x(i.rs1());
        c.b.unary(op, a)
    };
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = (rs1 cond rs2) ? rs1 : rs2`.
fn min_max(c: &mut Ctx, i: Insn, cond: Cond) -> Exec {
    let a = c.x(i.rs1());
    let b = c.x(i.rs2());
    let pick_a = c.b.icmp(cond, a, b);
    let r = c.b.select(pick_a, a, b);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// Sign- or zero-extend the low `ty` bits of rs1.
fn extend(c: &mut Ctx, i: Insn, ty: Type, signed: bool) -> Exec {
    let a = c.x(i.rs1());
    let low = c.b.trunc(ty, a);
    let r = if signed {
        c.b.sext(Type::I64, low)
    } else {
        c.b.zext(Type::I64, low)
    };
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

fn rori(c: &mut Ctx, i: Insn) -> Exec {
    let a = c.x(i.rs1());
    let amount = c.b.i64(u64::from(i.shamt()));
    let r = c.b.binary(BinOp::RotR, a, amount);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

fn roriw(c: &mut Ctx, i: Insn) -> Exec {
    let a = c.x32(i.rs1());
    let amount = c.b.i32(i.shamt() & 31);
    let r = c.b.binary(BinOp::RotR, a, amount);
    c.set_x32(i.rd(), r);
    Ok(Flow::Continue)
}

/// Each byte becomes 0xff if it is non-zero, else 0x00.
fn orc_b(c: &mut Ctx, i: Insn) -> Exec {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let a = c.x(i.rs1());
    // Bit 7 of each byte of `any` is set iff the byte is non-zero (no carry crosses bytes).
    let low7 = c.b.i64(LOW7);
    let masked = c.b.and(a, low7);
    let carried = c.b.add(masked, low7);
    let any = c.b.or(carried, a);
    let high = c.b.i64(HIGH);
    let tops = c.b.and(any, high);
    let seven = c.b.i64(7);
    let ones = c.b.binary(BinOp::ShrU, tops, seven);
    let ff = c.b.i64(0xff);
    let r = c.b.binary(BinOp::Mul, ones, ff);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

fn rev8(c: &mut Ctx, i: Insn) -> Exec {
    let a = c.x(i.rs1());
    let r = c.b.unary(UnOp::Bswap, a);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BitOp {
    Clear,
    Extract,
    Invert,
    Set,
}

/// Apply a single-bit operation to rs1 at bit index `index` (taken modulo 64).
fn bit_op(c: &mut Ctx, i: Insn, op: BitOp, index: Value) -> Exec {
    let a = c.x(i.rs1());
    let one = c.b.i64(1);
    let r = match op {
        BitOp::Extract => {
            let shifted = c.b.binary(BinOp::ShrU, a, index);
            c.b.and(shifted, one)
        }
        BitOp::Clear | BitOp::Invert | BitOp::Set => {
            let bit = c.b.binary(BinOp::Shl, one, index);
            match op {
                BitOp::Clear => {
                    let mask = c.b.unary(UnOp::Not, bit);
                    c.b.and(a, mask)
                }
                BitOp::Invert => c.b.xor(a, bit),
                _ => c.b.or(a, bit),
            }
        }
    };
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

fn bit_reg(c: &mut Ctx, i: Insn, op: BitOp) -> Exec {
    let index = c.x(i.rs2());
    bit_op(c, i, op, index)
}

fn bit_imm(c: &mut Ctx, i: Insn, op: BitOp) -> Exec {
    let index = c.b.i64(u64::from(i.shamt()));
    bit_op(c, i, op, index)
}
