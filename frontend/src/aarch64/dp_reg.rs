//! Data processing (register): logical and add/subtract with a shifted register, add/subtract
//! with an extended register, add/subtract with carry (ADC, ADCS, SBC, SBCS), conditional
//! compare (CCMN, CCMP, register and immediate), conditional select (CSEL, CSINC, CSINV,
//! CSNEG and their aliases), 1-source (RBIT, REV16, REV, REV32, CLZ, CLS), 2-source (UDIV,
//! SDIV, LSLV, LSRV, ASRV, RORV, CRC32*, CRC32C*) and 3-source (MADD, MSUB, SMADDL, SMSUBL,
//! UMADDL, UMSUBL, SMULH, UMULH) operations.
//!
//! Everything is IR except bit reversal and the CRC32 family, which call the pure helpers in
//! [`HELPERS`].

use emu_ir::helpers::HelperFn;
use emu_ir::{BinOp, Cond, Helper, HelperEffects, Type, UnOp, Value};

use super::dp_imm::{add_sub, reserved, shift_const, width, write_add_sub};
use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};
use super::A64Cpu;

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("logical shifted", "... 01010 .. . ..... ...... ..... .....", logical_shifted),
    insn!("add/sub shifted", "... 01011 .. 0 ..... ...... ..... .....", add_sub_shifted),
    insn!("add/sub extended", "... 01011 .. 1 ..... ... ... ..... .....", add_sub_extended),
    insn!("adc/sbc",         "... 11010000 ..... 000000 ..... .....", adc_sbc),
    insn!("ccmn/ccmp",       "..1 11010010 ..... .... . 0 ..... 0 ....", cond_compare),
    insn!("csel/csinc/csinv/csneg", "..0 11010100 ..... .... 0. ..... .....", cond_select),
    insn!("2-source",        ".00 11010110 ..... ...... ..... .....", two_source),
    insn!("1-source",        ".10 11010110 00000 ...... ..... .....", one_source),
    insn!("3-source",        ".00 11011 ... ..... . ..... ..... .....", three_source),
];

/// This class's helpers.
pub const HELPERS: &[&Helper] = &[&RBIT, &CRC32];

/// `RBIT` of a 64-bit value.
static RBIT: Helper = Helper {
    name: "a64_rbit",
    func: HelperFn::A1(rbit_helper),
    nargs: 1,
    ret: Some(Type::I64),
    effects: HelperEffects::PURE,
};

/// `crc32(acc, value, bytes, reflected polynomial)`: the CRC32* / CRC32C* update.
static CRC32: Helper = Helper {
    name: "a64_crc32",
    func: HelperFn::A4(crc32_helper),
    nargs: 4,
    ret: Some(Type::I64),
    effects: HelperEffects::PURE,
};

/// The bit-reflected CRC-32 polynomial 0x04C11DB7 (CRC32*).
const CRC32_POLY: u64 = 0x04C1_1DB7u32.reverse_bits() as u64;
/// The bit-reflected CRC-32C (Castagnoli) polynomial 0x1EDC6F41 (CRC32C*).
const CRC32C_POLY: u64 = 0x1EDC_6F41u32.reverse_bits() as u64;

extern "C" fn rbit_helper(_env: *mut u8, x: u64) -> u64 {
    x.reverse_bits()
}

extern "C" fn crc32_helper(_env: *mut u8, acc: u64, value: u64, bytes: u64, poly: u64) -> u64 {
    crc32_update(acc as u32, value, bytes.min(8) as u32, poly as u32).into()
}

/// The Arm CRC32 pseudocode (`BitReverse(Poly32Mod2(BitReverse(acc):0 EOR BitReverse(val):0,
/// poly))`) in its equivalent LSB-first form: the low `bytes` bytes of `value` fed into
/// `acc` with no pre- or post-inversion.
pub fn crc32_update(acc: u32, value: u64, bytes: u32, reflected_poly: u32) -> u32 {
    let mut crc = acc;
    for k in 0..bytes {
        crc ^= u32::from((value >> (8 * k)) as u8);
        for _ in 0..8 {
            let lsb = crc & 1;
            crc = (crc >> 1) ^ (reflected_poly & lsb.wrapping_neg());
        }
    }
    crc
}

/// Operand 2 of the shifted-register forms: `Rm` shifted by `amount` (`shift` 0 LSL, 1 LSR,
/// 2 ASR, 3 ROR).
fn shifted_operand(c: &mut Ctx, sf: bool, rm: u32, shift: u32, amount: u32) -> Value {
    let v = c.reg(sf, rm);
    let op = [BinOp::Shl, BinOp::ShrU, BinOp::ShrS, BinOp::RotR][shift as usize & 3];
    shift_const(c, op, v, amount)
}

fn logical_shifted(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, opc, amount) = (i.sf(), i.bits(30, 29), i.bits(15, 10));
    reserved(amount >= width(sf))?;
    let a = c.reg(sf, i.rn());
    let mut b = shifted_operand(c, sf, i.rm(), i.bits(23, 22), amount);
    if i.bit(21) {
        b = c.b.unary(UnOp::Not, b);
    }
    let op = [BinOp::And, BinOp::Or, BinOp::Xor, BinOp::And][opc as usize];
    let r = c.b.binary(op, a, b);
    if opc == 3 {
        c.set_nz_clear_cv(r);
    }
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

fn add_sub_shifted(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, shift, amount) = (i.sf(), i.bits(23, 22), i.bits(15, 10));
    reserved(shift == 3 || amount >= width(sf))?;
    let a = c.reg(sf, i.rn());
    let b = shifted_operand(c, sf, i.rm(), shift, amount);
    let r = add_sub(c, a, b, i.bit(30), i.bit(29));
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

/// `ExtendReg(Rm, option, shift)`: the low 8/16/32/64 bits of X`rm`, zero- or sign-extended
/// (`option` bit 2), shifted left, at the operation's width.
fn extended_operand(c: &mut Ctx, sf: bool, rm: u32, option: u32, shift: u32) -> Value {
    let v = c.x(rm);
    let bits = 8u32 << (option & 3);
    let ext = match Type::int(bits) {
        Some(narrow) if bits < 64 => {
            let low = c.b.trunc(narrow, v);
            if option & 4 != 0 {
                c.b.sext(Type::I64, low)
            } else {
                c.b.zext(Type::I64, low)
            }
        }
        _ => v,
    };
    let shifted = shift_const(c, BinOp::Shl, ext, shift);
    if sf {
        shifted
    } else {
        c.b.trunc(Type::I32, shifted)
    }
}

fn add_sub_extended(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, shift, set_flags) = (i.sf(), i.bits(12, 10), i.bit(29));
    reserved(i.bits(23, 22) != 0 || shift > 4)?;
    let a = c.reg_sp(sf, i.rn());
    let b = extended_operand(c, sf, i.rm(), i.bits(15, 13), shift);
    let r = add_sub(c, a, b, i.bit(30), set_flags);
    write_add_sub(c, i.rd(), r, set_flags);
    Ok(Flow::Continue)
}

fn adc_sbc(c: &mut Ctx, i: Insn) -> Exec {
    let sf = i.sf();
    let a = c.reg(sf, i.rn());
    let mut b = c.reg(sf, i.rm());
    if i.bit(30) {
        b = c.b.unary(UnOp::Not, b);
    }
    let carry = c.carry();
    let r = c.add_with_carry(a, b, Some(carry), i.bit(29));
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

/// CCMN/CCMP: the flags of `Rn + op2` / `Rn - op2` when the condition holds, else the
/// instruction's `nzcv` immediate.
fn cond_compare(c: &mut Ctx, i: Insn) -> Exec {
    let sf = i.sf();
    let holds = c.cond_holds(i.bits(15, 12));
    let a = c.reg(sf, i.rn());
    let b = if i.bit(11) {
        c.imm(sf, i.bits(20, 16).into())
    } else {
        c.reg(sf, i.rm())
    };
    add_sub(c, a, b, i.bit(30), true);
    let nzcv = i.bits(3, 0);
    for (offset, bit) in [
        (A64Cpu::FLAG_N_OFFSET, 3),
        (A64Cpu::FLAG_Z_OFFSET, 2),
        (A64Cpu::FLAG_C_OFFSET, 1),
        (A64Cpu::FLAG_V_OFFSET, 0),
    ] {
        let computed = c.b.read_reg(Type::I64, offset);
        let fallback = c.b.i64(u64::from((nzcv >> bit) & 1));
        let f = c.b.select(holds, computed, fallback);
        c.b.write_reg(offset, f);
    }
    Ok(Flow::Continue)
}

fn cond_select(c: &mut Ctx, i: Insn) -> Exec {
    let sf = i.sf();
    let holds = c.cond_holds(i.bits(15, 12));
    let t = c.reg(sf, i.rn());
    let m = c.reg(sf, i.rm());
    let f = match (i.bit(30), i.bit(10)) {
        (false, false) => m,
        (false, true) => {
            let one = c.imm(sf, 1);
            c.b.add(m, one)
        }
        (true, false) => c.b.unary(UnOp::Not, m),
        (true, true) => c.b.unary(UnOp::Neg, m),
    };
    let r = c.b.select(holds, t, f);
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

fn two_source(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, opcode) = (i.sf(), i.bits(15, 10));
    match opcode {
        0b000010 | 0b000011 => divide(c, i, opcode & 1 != 0),
        0b001000..=0b001011 => {
            let op = [BinOp::Shl, BinOp::ShrU, BinOp::ShrS, BinOp::RotR][(opcode & 3) as usize];
            let a = c.reg(sf, i.rn());
            let amount = c.reg(sf, i.rm());
            let r = c.b.binary(op, a, amount);
            c.set_reg(i.rd(), r);
            Ok(Flow::Continue)
        }
        0b010000..=0b010111 => crc32(c, i),
        _ => Err(Illegal),
    }
}

/// UDIV/SDIV: the IR's quotient, except that division by zero gives 0 (the IR's `MIN / -1`
/// is already `MIN`).
fn divide(c: &mut Ctx, i: Insn, signed: bool) -> Exec {
    let sf = i.sf();
    let a = c.reg(sf, i.rn());
    let b = c.reg(sf, i.rm());
    let q =
        c.b.binary(if signed { BinOp::DivS } else { BinOp::DivU }, a, b);
    let zero = c.imm(sf, 0);
    let by_zero = c.b.icmp(Cond::Eq, b, zero);
    let r = c.b.select(by_zero, zero, q);
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

/// CRC32{B,H,W,X} and CRC32C{B,H,W,X}: `sz` (bits 11:10) selects the data size, bit 12 the
/// polynomial; only the X forms have `sf` set.
fn crc32(c: &mut Ctx, i: Insn) -> Exec {
    let sz = i.bits(11, 10);
    reserved(i.sf() != (sz == 3))?;
    let poly = if i.bit(12) { CRC32C_POLY } else { CRC32_POLY };
    let acc = c.x(i.rn());
    let value = c.x(i.rm());
    let bytes = c.b.i64(1 << sz);
    let poly = c.b.i64(poly);
    let r =
        c.b.call(&CRC32, &[acc, value, bytes, poly])
            .ok_or(Illegal)?;
    let r = c.b.trunc(Type::I32, r);
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

fn one_source(c: &mut Ctx, i: Insn) -> Exec {
    let sf = i.sf();
    let x = c.reg(sf, i.rn());
    let r = match (i.bits(15, 10), sf) {
        (0, _) => rbit(c, x)?,
        (1, _) => rev16(c, x),
        (2, false) | (3, true) => c.b.unary(UnOp::Bswap, x),
        (2, true) => {
            // REV32: byte-reverse each word = byte-reverse all, then swap the words.
            let swapped = c.b.unary(UnOp::Bswap, x);
            shift_const(c, BinOp::RotR, swapped, 32)
        }
        (4, _) => c.b.unary(UnOp::Clz, x),
        (5, _) => {
            // CLS(x) = CLZ(x EOR (x ASR 1)) - 1.
            let half = shift_const(c, BinOp::ShrS, x, 1);
            let diff = c.b.xor(x, half);
            let zeros = c.b.unary(UnOp::Clz, diff);
            let one = c.imm(sf, 1);
            c.b.sub(zeros, one)
        }
        _ => return Err(Illegal),
    };
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

/// RBIT through the 64-bit helper (a W operand is reversed in the high half and shifted down).
fn rbit(c: &mut Ctx, x: Value) -> Result<Value, Illegal> {
    let wide = c.widen(x);
    let r = c.b.call(&RBIT, &[wide]).ok_or(Illegal)?;
    Ok(if c.b.ty(x) == Type::I64 {
        r
    } else {
        let down = shift_const(c, BinOp::ShrU, r, 32);
        c.b.trunc(Type::I32, down)
    })
}

/// REV16: swap the bytes of every halfword.
fn rev16(c: &mut Ctx, x: Value) -> Value {
    let sf = c.b.ty(x) == Type::I64;
    let low_bytes = c.imm(sf, 0x00ff_00ff_00ff_00ff);
    let high_bytes = c.imm(sf, 0xff00_ff00_ff00_ff00);
    let down = shift_const(c, BinOp::ShrU, x, 8);
    let down = c.b.and(down, low_bytes);
    let up = shift_const(c, BinOp::Shl, x, 8);
    let up = c.b.and(up, high_bytes);
    c.b.or(up, down)
}

fn three_source(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, op31, sub) = (i.sf(), i.bits(23, 21), i.bit(15));
    reserved(!sf && op31 != 0)?;
    let r = match (op31, sub) {
        (0, _) => {
            let n = c.reg(sf, i.rn());
            let m = c.reg(sf, i.rm());
            let product = c.b.binary(BinOp::Mul, n, m);
            accumulate(c, sf, i.ra(), product, sub)
        }
        (1 | 5, _) => {
            let signed = op31 == 1;
            let n = c.w(i.rn());
            let m = c.w(i.rm());
            let (n, m) = if signed {
                (c.b.sext(Type::I64, n), c.b.sext(Type::I64, m))
            } else {
                (c.b.zext(Type::I64, n), c.b.zext(Type::I64, m))
            };
            let product = c.b.binary(BinOp::Mul, n, m);
            accumulate(c, true, i.ra(), product, sub)
        }
        (2, false) | (6, false) => {
            let op = if op31 == 2 {
                BinOp::MulHiS
            } else {
                BinOp::MulHiU
            };
            let n = c.x(i.rn());
            let m = c.x(i.rm());
            c.b.binary(op, n, m)
        }
        _ => return Err(Illegal),
    };
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

/// `Ra + product` or `Ra - product`.
fn accumulate(c: &mut Ctx, sf: bool, ra: u32, product: Value, sub: bool) -> Value {
    let a = c.reg(sf, ra);
    if sub {
        c.b.sub(a, product)
    } else {
        c.b.add(a, product)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_values() {
        // "123456789" with the usual pre/post inversion: 0xCBF43926 (CRC-32), 0xE3069283
        // (CRC-32C).
        let run = |poly: u64| {
            let crc = b"123456789"
                .iter()
                .fold(!0u32, |acc, &b| crc32_update(acc, b.into(), 1, poly as u32));
            !crc
        };
        assert_eq!(run(CRC32_POLY), 0xcbf4_3926);
        assert_eq!(run(CRC32C_POLY), 0xe306_9283);
    }
}
