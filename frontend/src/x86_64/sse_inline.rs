//! Inline IR for the SSE2 integer operations vectorized loops run most, instead of a call to
//! the `x64_sse` helper: lane-wise add, subtract and compare-equal (SWAR on each 64-bit half),
//! PMOVMSKB, shifts by an immediate, PSHUFD and the doubleword/quadword unpacks. Every other form (and the MMX
//! forms) still goes through the helper.

use emu_ir::{BinOp, Type, Value};
use iced_x86::OpKind;

use crate::translator::Flow;
use crate::x86_64::ctx::{Ctx, Res};
use crate::x86_64::sse::{set_xmm, src_xmm, xmm_num};
use crate::x86_64::sse_helpers::Op;
use crate::x86_64::X64Cpu;

/// Translate `op` inline when it is one of this module's forms; `None` leaves it to the helper.
pub(super) fn translate(c: &mut Ctx, op: Op) -> Option<Res> {
    use Op::*;
    match op {
        PaddB | PaddW | PaddD | PaddQ => lanewise(c, |c, a, b| add(c, a, b, lane_bits(op))),
        PsubB | PsubW | PsubD | PsubQ => lanewise(c, |c, a, b| sub(c, a, b, lane_bits(op))),
        PsllW | PsllD | PsllQ | PsrlW | PsrlD | PsrlQ if has_imm_count(c) => shift_imm(c, op),
        PcmpeqB | PcmpeqW | PcmpeqD => lanewise(c, |c, a, b| equal(c, a, b, lane_bits(op))),
        PmovmskB if is_xmm(c, 1) => Some(pmovmskb(c)),
        PshufD => Some(pshufd(c)),
        PunpcklDQ | PunpckhDQ | PunpcklQDQ | PunpckhQDQ => Some(unpack(c, op)),
        _ => None,
    }
}

/// Lane width in bits of an add, subtract or shift op.
fn lane_bits(op: Op) -> u32 {
    use Op::*;
    match op {
        PaddB | PsubB | PcmpeqB => 8,
        PaddW | PsubW | PsllW | PsrlW | PcmpeqW => 16,
        PaddD | PsubD | PsllD | PsrlD | PcmpeqD => 32,
        _ => 64,
    }
}

/// `v` (one lane of `bits`) repeated over 64 bits.
fn replicate(v: u64, bits: u32) -> u64 {
    (0..64 / bits).fold(0, |r, i| r | v << (i * bits))
}

/// The top bit of every lane of `bits`.
fn high_bits(bits: u32) -> u64 {
    replicate(1 << (bits - 1), bits)
}

fn halves(c: &mut Ctx, x: u32) -> (Value, Value) {
    let lo = c.b.read_reg(Type::I64, X64Cpu::xmm_offset(x));
    let hi = c.b.read_reg(Type::I64, X64Cpu::xmm_offset(x) + 8);
    (lo, hi)
}

/// `dst = f(dst, src)` on each 64-bit half, for `op xmm, xmm/m128`.
fn lanewise(c: &mut Ctx, f: impl Fn(&mut Ctx, Value, Value) -> Value) -> Option<Res> {
    let d = xmm_num(c, 0).ok()?;
    Some(src_xmm(c, 1).map(|s| {
        let (alo, ahi) = halves(c, d);
        let (blo, bhi) = halves(c, s);
        let lo = f(c, alo, blo);
        let hi = f(c, ahi, bhi);
        set_xmm(c, d, lo, hi);
        Flow::Continue
    }))
}

/// Lanes of `bits` of `a + b`: the low bits of every lane add without carrying into the next
/// lane, the top bit is `a ^ b ^ carry` (Hacker's Delight 2-18).
fn add(c: &mut Ctx, a: Value, b: Value, bits: u32) -> Value {
    if bits == 64 {
        return c.b.add(a, b);
    }
    let (h, l) = (c.b.i64(high_bits(bits)), c.b.i64(!high_bits(bits)));
    let al = c.b.and(a, l);
    let bl = c.b.and(b, l);
    let sum = c.b.add(al, bl);
    let x = c.b.xor(a, b);
    let top = c.b.and(x, h);
    c.b.xor(sum, top)
}

/// Lanes of `bits` of `a - b`: `((a | H) - (b & !H)) ^ ((a ^ !b) & H)`.
fn sub(c: &mut Ctx, a: Value, b: Value, bits: u32) -> Value {
    if bits == 64 {
        return c.b.sub(a, b);
    }
    let (h, l) = (c.b.i64(high_bits(bits)), c.b.i64(!high_bits(bits)));
    let ah = c.b.or(a, h);
    let bl = c.b.and(b, l);
    let diff = c.b.sub(ah, bl);
    // (a ^ !b) & H = ((a ^ b) ^ H) & H.
    let x = c.b.xor(a, b);
    let x = c.b.xor(x, h);
    let top = c.b.and(x, h);
    c.b.xor(diff, top)
}

/// Lanes of `bits`: all ones where `a` and `b` are equal, else zero. A lane of `t = a ^ b`
/// is zero exactly when `(t & L) + L` (no carry out of the lane) and `t` have no bit in
/// common with H (Hacker's Delight 6-2); that bit is then spread over the lane.
fn equal(c: &mut Ctx, a: Value, b: Value, bits: u32) -> Value {
    let (l, lane) = (!high_bits(bits), u64::MAX >> (64 - bits));
    let t = c.b.xor(a, b);
    let lv = c.b.i64(l);
    let tl = c.b.and(t, lv);
    let y = c.b.add(tl, lv);
    let y = c.b.or(y, t);
    let y = c.b.or(y, lv);
    let all = c.b.i64(u64::MAX);
    let zero_top = c.b.xor(y, all);
    let sh = c.b.i64(u64::from(bits - 1));
    let ones = c.b.binary(BinOp::ShrU, zero_top, sh);
    let spread = c.b.i64(lane);
    c.b.binary(BinOp::Mul, ones, spread)
}

fn is_xmm(c: &Ctx, n: u32) -> bool {
    c.i.op_kind(n) == OpKind::Register && c.i.op_register(n).is_xmm()
}

/// The sign bits of the 8 bytes of `v` gathered into bits 0..8: the multiply moves bit
/// `8k + 7` to bit `56 + k` without carries between them.
fn byte_signs(c: &mut Ctx, v: Value) -> Value {
    let h = c.b.i64(high_bits(8));
    let signs = c.b.and(v, h);
    let gather = c.b.i64(0x0002_0408_1020_4081);
    let g = c.b.binary(BinOp::Mul, signs, gather);
    let sh = c.b.i64(56);
    c.b.binary(BinOp::ShrU, g, sh)
}

/// PMOVMSKB reg, xmm: the 16 byte sign bits, zero-extended.
fn pmovmskb(c: &mut Ctx) -> Res {
    let s = xmm_num(c, 1)?;
    let (lo, hi) = halves(c, s);
    let lo = byte_signs(c, lo);
    let hi = byte_signs(c, hi);
    let eight = c.b.i64(8);
    let hi = c.b.binary(BinOp::Shl, hi, eight);
    let mask = c.b.or(lo, hi);
    let ty = c.op_ty(0);
    let mask = c.fit(mask, ty);
    c.write_op(0, mask).map(|_| Flow::Continue)
}

/// Whether the shift count is an immediate (`psrld xmm, imm8`).
fn has_imm_count(c: &Ctx) -> bool {
    c.i.op_count() == 2 && c.i.op_kind(1) == OpKind::Immediate8
}

/// PSLL/PSRL W/D/Q by an immediate: each half shifted, then the bits that crossed into a
/// neighbouring lane masked off; counts of the lane width or more clear the register.
fn shift_imm(c: &mut Ctx, op: Op) -> Option<Res> {
    let d = xmm_num(c, 0).ok()?;
    let bits = lane_bits(op);
    let n = c.i.immediate(1);
    let left = matches!(op, Op::PsllW | Op::PsllD | Op::PsllQ);
    let (lo, hi) = halves(c, d);
    let shift = |c: &mut Ctx, v: Value| -> Value {
        if n >= u64::from(bits) {
            return c.b.i64(0);
        }
        let count = c.b.i64(n);
        let lane = u64::MAX >> (64 - bits);
        let (shifted, keep) = if left {
            (c.b.binary(BinOp::Shl, v, count), (lane << n) & lane)
        } else {
            (c.b.binary(BinOp::ShrU, v, count), lane >> n)
        };
        if bits == 64 {
            return shifted;
        }
        let mask = c.b.i64(replicate(keep, bits));
        c.b.and(shifted, mask)
    };
    let lo = shift(c, lo);
    let hi = shift(c, hi);
    set_xmm(c, d, lo, hi);
    Some(Ok(Flow::Continue))
}

/// Doubleword `k` (0..4) of a register given as halves, in the low 32 bits of the result
/// (the high bits hold garbage unless `k` is odd).
fn dword(c: &mut Ctx, (lo, hi): (Value, Value), k: u64) -> Value {
    let half = if k < 2 { lo } else { hi };
    if k.is_multiple_of(2) {
        return half;
    }
    let sh = c.b.i64(32);
    c.b.binary(BinOp::ShrU, half, sh)
}

/// `low32(a) | b << 32`.
fn join(c: &mut Ctx, a: Value, b: Value) -> Value {
    let m = c.b.i64(0xffff_ffff);
    let a = c.b.and(a, m);
    let sh = c.b.i64(32);
    let b = c.b.binary(BinOp::Shl, b, sh);
    c.b.or(a, b)
}

/// PSHUFD: dword `i` of the result is dword `imm[2i+1:2i]` of the source.
fn pshufd(c: &mut Ctx) -> Res {
    let d = xmm_num(c, 0)?;
    let s = src_xmm(c, 1)?;
    let imm = c.i.immediate(2);
    let src = halves(c, s);
    let pick: Vec<Value> = (0..4)
        .map(|i| dword(c, src, (imm >> (2 * i)) & 3))
        .collect();
    let lo = join(c, pick[0], pick[1]);
    let hi = join(c, pick[2], pick[3]);
    set_xmm(c, d, lo, hi);
    Ok(Flow::Continue)
}

/// PUNPCKL/H DQ and QDQ: the low (or high) halves of both operands interleaved.
fn unpack(c: &mut Ctx, op: Op) -> Res {
    let d = xmm_num(c, 0)?;
    let s = src_xmm(c, 1)?;
    let high = matches!(op, Op::PunpckhDQ | Op::PunpckhQDQ);
    let (a, b) = (halves(c, d), halves(c, s));
    let (a, b) = if high { (a.1, b.1) } else { (a.0, b.0) };
    let (lo, hi) = if matches!(op, Op::PunpcklQDQ | Op::PunpckhQDQ) {
        (a, b)
    } else {
        let lo = join(c, a, b);
        let sh = c.b.i64(32);
        let a_hi = c.b.binary(BinOp::ShrU, a, sh);
        let m = c.b.i64(0xffff_ffff_0000_0000);
        let b_hi = c.b.and(b, m);
        (lo, c.b.or(a_hi, b_hi))
    };
    set_xmm(c, d, lo, hi);
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_masks() {
        assert_eq!(high_bits(8), 0x8080_8080_8080_8080);
        assert_eq!(high_bits(16), 0x8000_8000_8000_8000);
        assert_eq!(high_bits(32), 0x8000_0000_8000_0000);
        assert_eq!(replicate(0xfff0, 16), 0xfff0_fff0_fff0_fff0);
    }
}
