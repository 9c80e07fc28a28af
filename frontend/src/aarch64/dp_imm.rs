//! Data processing (immediate): PC-relative addressing (ADR, ADRP), add/subtract immediate
//! (ADD, ADDS, SUB, SUBS with the optional `LSL #12`; CMP/CMN/MOV-to-SP are aliases), logical
//! immediate (AND, ORR, EOR, ANDS with the `DecodeBitMasks` bitmask immediate), move wide
//! (MOVN, MOVZ, MOVK), bitfield moves (SBFM, BFM, UBFM and all their aliases: LSL/LSR/ASR
//! immediate, SXT*/UXT*, SBFIZ/UBFIZ/SBFX/UBFX/BFI/BFXIL) and EXTR (ROR immediate).
//!
//! The add/subtract and bitfield-extract building blocks ([`add_sub`], [`extract_field`]) are
//! shared with `dp_reg.rs`.

use emu_ir::{BinOp, Type, UnOp, Value};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("adr/adrp",    "... 10000 ................... .....", adr),
    insn!("add/sub imm", "... 100010 . ............ ..... .....", add_sub_imm),
    insn!("logical imm", "... 100100 . ...... ...... ..... .....", logical_imm),
    insn!("movn/movz/movk", "... 100101 .. ................ .....", move_wide),
    insn!("sbfm/bfm/ubfm", "... 100110 . ...... ...... ..... .....", bitfield),
    insn!("extr",        "... 100111 . . ..... ...... ..... .....", extr),
];

/// `Ok(())`, or `Err(Illegal)` when `reserved` holds.
pub(super) fn reserved(reserved: bool) -> Result<(), Illegal> {
    if reserved {
        Err(Illegal)
    } else {
        Ok(())
    }
}

/// Data size in bits of an `sf`-selected operation.
pub(super) fn width(sf: bool) -> u32 {
    if sf {
        64
    } else {
        32
    }
}

/// `a + b` or `a - b` at the operands' width, setting NZCV as `AddWithCarry` does when
/// `set_flags`.
pub(super) fn add_sub(c: &mut Ctx, a: Value, b: Value, sub: bool, set_flags: bool) -> Value {
    match (sub, set_flags) {
        (false, false) => c.b.add(a, b),
        (true, false) => c.b.sub(a, b),
        (false, true) => c.add_with_carry(a, b, None, true),
        (true, true) => {
            let not_b = c.b.unary(UnOp::Not, b);
            let one = c.b.iconst(Type::I8, 1);
            c.add_with_carry(a, not_b, Some(one), true)
        }
    }
}

/// Write an add/subtract result: register 31 is SP unless the instruction sets flags.
pub(super) fn write_add_sub(c: &mut Ctx, rd: u32, v: Value, set_flags: bool) {
    if set_flags {
        c.set_reg(rd, v);
    } else {
        c.set_reg_sp(rd, v);
    }
}

/// `v` shifted by a constant, emitting nothing for a zero amount.
pub(super) fn shift_const(c: &mut Ctx, op: BinOp, v: Value, amount: u32) -> Value {
    if amount == 0 {
        return v;
    }
    let ty = c.b.ty(v);
    let sh = c.b.iconst(ty, amount.into());
    c.b.binary(op, v, sh)
}

/// The bits of `v` (of `width` bits) from `lsb` up to `msb`, moved to bit `dest`, with the
/// rest zero or (when `signed`) filled with the field's sign: `(v << (width-1-msb)) >> k`.
pub(super) fn extract_field(
    c: &mut Ctx,
    v: Value,
    width: u32,
    msb: u32,
    lsb: u32,
    dest: u32,
    signed: bool,
) -> Value {
    let left = width - 1 - msb;
    let up = shift_const(c, BinOp::Shl, v, left);
    let right = if signed { BinOp::ShrS } else { BinOp::ShrU };
    shift_const(c, right, up, left + lsb - dest)
}

fn adr(c: &mut Ctx, i: Insn) -> Exec {
    let imm = (i.sbits(23, 5) << 2) | i64::from(i.bits(30, 29));
    let target = if i.bit(31) {
        (c.pc & !0xfff).wrapping_add((imm << 12) as u64)
    } else {
        c.pc_rel(imm)
    };
    let v = c.b.i64(target);
    c.set_x(i.rd(), v);
    Ok(Flow::Continue)
}

fn add_sub_imm(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, sub, set_flags) = (i.sf(), i.bit(30), i.bit(29));
    let imm = u64::from(i.bits(21, 10)) << if i.bit(22) { 12 } else { 0 };
    let a = c.reg_sp(sf, i.rn());
    let b = c.imm(sf, imm);
    let r = add_sub(c, a, b, sub, set_flags);
    write_add_sub(c, i.rd(), r, set_flags);
    Ok(Flow::Continue)
}

/// The logical-immediate bitmask of `DecodeBitMasks(N, imms, immr, TRUE)` at `datasize`
/// bits, or `None` for a reserved encoding.
pub(super) fn decode_bit_masks(n: u32, imms: u32, immr: u32, datasize: u32) -> Option<u64> {
    let combined = (n & 1) << 6 | (!imms & 0x3f);
    let len = 31u32.checked_sub(combined.leading_zeros())?;
    if len < 1 || (datasize == 32 && len > 5) {
        return None;
    }
    let levels = (1u32 << len) - 1;
    let (s, r) = (imms & levels, immr & levels);
    if s == levels {
        return None;
    }
    let esize = 1u32 << len;
    let emask = if esize == 64 {
        u64::MAX
    } else {
        (1u64 << esize) - 1
    };
    let welem = (1u64 << (s + 1)) - 1;
    let mut elem = if r == 0 {
        welem
    } else {
        ((welem >> r) | (welem << (esize - r))) & emask
    };
    let mut size = esize;
    while size < 64 {
        elem |= elem << size;
        size *= 2;
    }
    Some(if datasize == 32 {
        elem & 0xffff_ffff
    } else {
        elem
    })
}

fn logical_imm(c: &mut Ctx, i: Insn) -> Exec {
    let sf = i.sf();
    let imm = decode_bit_masks(i.bits(22, 22), i.bits(15, 10), i.bits(21, 16), width(sf))
        .ok_or(Illegal)?;
    let a = c.reg(sf, i.rn());
    let b = c.imm(sf, imm);
    let opc = i.bits(30, 29);
    let op = [BinOp::And, BinOp::Or, BinOp::Xor, BinOp::And][opc as usize];
    let r = c.b.binary(op, a, b);
    if opc == 3 {
        c.set_nz_clear_cv(r);
        c.set_reg(i.rd(), r);
    } else {
        c.set_reg_sp(i.rd(), r);
    }
    Ok(Flow::Continue)
}

fn move_wide(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, opc, hw) = (i.sf(), i.bits(30, 29), i.bits(22, 21));
    reserved(opc == 1 || (!sf && hw > 1))?;
    let shifted = u64::from(i.bits(20, 5)) << (16 * hw);
    let r = match opc {
        0 => c.imm(sf, !shifted),
        2 => c.imm(sf, shifted),
        _ => {
            let old = c.reg(sf, i.rd());
            let keep = c.imm(sf, !(0xffff << (16 * hw)));
            let kept = c.b.and(old, keep);
            let new = c.imm(sf, shifted);
            c.b.or(kept, new)
        }
    };
    c.set_reg(i.rd(), r);
    Ok(Flow::Continue)
}

fn bitfield(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, opc) = (i.sf(), i.bits(30, 29));
    let (r, s) = (i.bits(21, 16), i.bits(15, 10));
    let w = width(sf);
    reserved(opc == 3 || i.bit(22) != sf || r >= w || s >= w)?;
    let src = c.reg(sf, i.rn());
    // s >= r: bits s..r go to bit 0 (extract); s < r: bits s..0 go to bit w-r (insert).
    let (msb, lsb, dest) = if s >= r { (s, r, 0) } else { (s, 0, w - r) };
    let result = if opc == 1 {
        let field = extract_field(c, src, w, msb, lsb, dest, false);
        let ones = (u64::MAX >> (64 - (msb - lsb + 1))) << dest;
        let old = c.reg(sf, i.rd());
        let keep = c.imm(sf, !ones);
        let kept = c.b.and(old, keep);
        c.b.or(kept, field)
    } else {
        extract_field(c, src, w, msb, lsb, dest, opc == 0)
    };
    c.set_reg(i.rd(), result);
    Ok(Flow::Continue)
}

fn extr(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, lsb) = (i.sf(), i.bits(15, 10));
    let w = width(sf);
    reserved(i.bits(30, 29) != 0 || i.bit(22) != sf || i.bit(21) || lsb >= w)?;
    let low = c.reg(sf, i.rm());
    let result = if lsb == 0 {
        low
    } else if i.rn() == i.rm() {
        let amount = c.imm(sf, lsb.into());
        c.b.binary(BinOp::RotR, low, amount)
    } else {
        let high = c.reg(sf, i.rn());
        let lo_part = shift_const(c, BinOp::ShrU, low, lsb);
        let hi_part = shift_const(c, BinOp::Shl, high, w - lsb);
        c.b.or(hi_part, lo_part)
    };
    c.set_reg(i.rd(), result);
    Ok(Flow::Continue)
}
