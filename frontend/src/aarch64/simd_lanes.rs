//! The lane operations of the Advanced SIMD integer instructions and the context they share.
//!
//! Every operation is a plain function `(ctx, d, a, b) -> result` over exact integers: the
//! engine (`simd_vec.rs`) hands it the destination lane `d` and the source lanes `a` and `b`,
//! already sign- or zero-extended (by the instruction's U bit) to `i128`, and truncates the
//! result to the destination element size. Saturating operations clamp through [`L::sat`],
//! which records saturation for FPSR.QC.
//!
//! [`run`] holds one engine instance per operation (the engine is generic over the lane
//! function, so each instance has its operation inlined into the lane loop).

/// The per-instruction lane context.
pub struct L {
    /// Result element size in bits.
    pub e: u32,
    /// Source element size in bits.
    pub ein: u32,
    /// The U bit: sources are zero-extended and saturation is unsigned.
    pub u: bool,
    /// Some lane saturated (FPSR.QC).
    pub qc: bool,
}

/// The low `bits` bits of `x`, sign-extended.
pub fn sx(x: i128, bits: u32) -> i128 {
    let sh = 128 - bits;
    (x << sh) >> sh
}

/// The low `bits` bits of `x`, zero-extended.
pub fn zx(x: i128, bits: u32) -> i128 {
    if bits >= 128 {
        x
    } else {
        x & ((1i128 << bits) - 1)
    }
}

impl L {
    /// Clamp to the signed range of the result size.
    pub fn sat_s(&mut self, x: i128) -> i128 {
        let max = (1i128 << (self.e - 1)) - 1;
        let min = -(1i128 << (self.e - 1));
        self.clamp(x, min, max)
    }

    /// Clamp to the unsigned range of the result size.
    pub fn sat_u(&mut self, x: i128) -> i128 {
        self.clamp(x, 0, (1i128 << self.e) - 1)
    }

    /// Clamp by the U bit.
    pub fn sat(&mut self, x: i128) -> i128 {
        if self.u {
            self.sat_u(x)
        } else {
            self.sat_s(x)
        }
    }

    fn clamp(&mut self, x: i128, min: i128, max: i128) -> i128 {
        if x > max {
            self.qc = true;
            max
        } else if x < min {
            self.qc = true;
            min
        } else {
            x
        }
    }
}

/// A source lane shifted left by `sh`, exact; very large shifts of non-zero values give a
/// value beyond every element range (zero after truncation, saturated by `sat`).
fn shl_exact(a: i128, sh: i64) -> i128 {
    if sh >= 64 {
        a.signum() << 100
    } else {
        a << sh
    }
}

/// `a` shifted right by `sh` (arithmetic on the exact value), rounding when `round`.
fn shr_exact(a: i128, sh: i64, round: bool) -> i128 {
    let sh = sh.min(100) as u32;
    if sh == 0 {
        return a;
    }
    let r = if round { 1i128 << (sh - 1) } else { 0 };
    (a + r) >> sh
}

/// Shift by a signed register amount (the low byte of `b`): left when positive, right when
/// negative.
fn shift_reg(a: i128, b: i128, round: bool) -> i128 {
    let sh = i64::from(b as i8);
    if sh >= 0 {
        shl_exact(a, sh)
    } else {
        shr_exact(a, -sh, round)
    }
}

fn mask(c: bool) -> i128 {
    -i128::from(c)
}

/// Carry-less multiply of the low `bits` bits of `a` and `b`.
fn clmul(a: i128, b: i128, bits: u32) -> i128 {
    let (a, b) = (zx(a, bits) as u128, zx(b, bits) as u128);
    (0..bits)
        .filter(|i| b >> i & 1 != 0)
        .fold(0u128, |acc, i| acc ^ (a << i)) as i128
}

/// Signed saturating doubling multiply, at the result size.
fn qdmul(l: &mut L, a: i128, b: i128) -> i128 {
    let (a, b) = (sx(a, l.ein), sx(b, l.ein));
    l.sat_s(2 * a * b)
}

pub fn add(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a + b
}
pub fn sub(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a - b
}
pub fn hadd(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    (a + b) >> 1
}
pub fn rhadd(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    (a + b + 1) >> 1
}
pub fn hsub(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    (a - b) >> 1
}
pub fn qadd(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    l.sat(a + b)
}
pub fn qsub(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    l.sat(a - b)
}
pub fn cmgt(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    mask(a > b)
}
pub fn cmge(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    mask(a >= b)
}
pub fn cmeq(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    mask(a == b)
}
pub fn cmtst(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    mask(a & b != 0)
}
pub fn max(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a.max(b)
}
pub fn min(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a.min(b)
}
pub fn abd(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    (a - b).abs()
}
pub fn aba(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    d + (a - b).abs()
}
pub fn mul(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a.wrapping_mul(b)
}
pub fn mla(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    d.wrapping_add(a.wrapping_mul(b))
}
pub fn mls(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    d.wrapping_sub(a.wrapping_mul(b))
}
pub fn pmul(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    clmul(a, b, l.ein)
}
pub fn and(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a & b
}
pub fn bic(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a & !b
}
pub fn orr(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a | b
}
pub fn orn(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a | !b
}
pub fn eor(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    a ^ b
}
pub fn bsl(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    (d & a) | (!d & b)
}
pub fn bit(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    d ^ ((d ^ a) & b)
}
pub fn bif(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    d ^ ((d ^ a) & !b)
}
pub fn shl_reg(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    shift_reg(a, b, false)
}
pub fn rshl_reg(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    shift_reg(a, b, true)
}
pub fn qshl_reg(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let r = shift_reg(a, b, false);
    l.sat(r)
}
pub fn qrshl_reg(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let r = shift_reg(a, b, true);
    l.sat(r)
}
pub fn sqdmulh(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let (a, b) = (sx(a, l.e), sx(b, l.e));
    l.sat_s((2 * a * b) >> l.e)
}
pub fn sqrdmulh(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let (a, b) = (sx(a, l.e), sx(b, l.e));
    l.sat_s((2 * a * b + (1i128 << (l.e - 1))) >> l.e)
}
/// `(d << e) ± 2ab` rounded and narrowed back to `e` bits, saturated (SQRDMLAH/SQRDMLSH).
fn qrdmlxh(l: &mut L, d: i128, a: i128, b: i128, sub: bool) -> i128 {
    let (a, b, d) = (sx(a, l.e), sx(b, l.e), sx(d, l.e));
    let p = if sub { -2 * a * b } else { 2 * a * b };
    l.sat_s(((d << l.e) + p + (1i128 << (l.e - 1))) >> l.e)
}
pub fn sqrdmlah(l: &mut L, d: i128, a: i128, b: i128) -> i128 {
    qrdmlxh(l, d, a, b, false)
}
pub fn sqrdmlsh(l: &mut L, d: i128, a: i128, b: i128) -> i128 {
    qrdmlxh(l, d, a, b, true)
}

// Three-different (long and narrow) operations.

pub fn addhn(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    (a + b) >> l.e
}
pub fn raddhn(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    (a + b + (1i128 << (l.e - 1))) >> l.e
}
pub fn subhn(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    (a - b) >> l.e
}
pub fn rsubhn(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    (a - b + (1i128 << (l.e - 1))) >> l.e
}
pub fn sqdmull(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    qdmul(l, a, b)
}
pub fn sqdmlal(l: &mut L, d: i128, a: i128, b: i128) -> i128 {
    let p = qdmul(l, a, b);
    l.sat_s(sx(d, l.e) + p)
}
pub fn sqdmlsl(l: &mut L, d: i128, a: i128, b: i128) -> i128 {
    let p = qdmul(l, a, b);
    l.sat_s(sx(d, l.e) - p)
}

// Two-register miscellaneous operations (`b` unused unless said).

pub fn addp_acc(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    d + a + b
}
pub fn suqadd(l: &mut L, d: i128, a: i128, _: i128) -> i128 {
    l.sat_s(sx(d, l.e) + zx(a, l.ein))
}
pub fn usqadd(l: &mut L, d: i128, a: i128, _: i128) -> i128 {
    l.sat_u(zx(d, l.e) + sx(a, l.ein))
}
pub fn clz(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    let x = zx(a, l.e) as u128;
    (x.leading_zeros() - (128 - l.e)) as i128
}
pub fn cls(l: &mut L, d: i128, a: i128, b: i128) -> i128 {
    let s = sx(a, l.e);
    clz(l, d, s ^ (s >> 1), b) - 1
}
pub fn cnt(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    i128::from(zx(a, l.e).count_ones() as u8)
}
pub fn not(_: &mut L, _: i128, a: i128, _: i128) -> i128 {
    !a
}
pub fn rbit(_: &mut L, _: i128, a: i128, _: i128) -> i128 {
    i128::from((a as u8).reverse_bits())
}
pub fn sqabs(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    l.sat_s(sx(a, l.e).abs())
}
pub fn sqneg(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    l.sat_s(-sx(a, l.e))
}
pub fn abs(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    sx(a, l.e).abs()
}
pub fn neg(_: &mut L, _: i128, a: i128, _: i128) -> i128 {
    -a
}
pub fn cmgt0(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    mask(sx(a, l.e) > 0)
}
pub fn cmge0(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    mask(sx(a, l.e) >= 0)
}
pub fn cmeq0(_: &mut L, _: i128, a: i128, _: i128) -> i128 {
    mask(a == 0)
}
pub fn cmle0(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    mask(sx(a, l.e) <= 0)
}
pub fn cmlt0(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    mask(sx(a, l.e) < 0)
}
pub fn xtn(_: &mut L, _: i128, a: i128, _: i128) -> i128 {
    a
}
pub fn qxtn(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    l.sat(a)
}
pub fn sqxtun(l: &mut L, _: i128, a: i128, _: i128) -> i128 {
    l.sat_u(sx(a, l.ein))
}
pub fn urecpe(_: &mut L, _: i128, a: i128, _: i128) -> i128 {
    let a = zx(a, 32) as u32;
    if a >> 31 == 0 {
        return 0xffff_ffff;
    }
    // UnsignedRecipEstimate: a 9-bit estimate from the top 9 bits.
    let x = i128::from(a >> 23);
    let x = x * 2 + 1;
    let r = ((1i128 << 19) / x + 1) >> 1;
    (r << 23) & 0xffff_ffff
}
pub fn ursqrte(_: &mut L, _: i128, a: i128, _: i128) -> i128 {
    let a = zx(a, 32) as u32;
    if a >> 30 == 0 {
        return 0xffff_ffff;
    }
    // UnsignedRSqrtEstimate: RecipSqrtEstimate on the top 9 bits.
    let x = i128::from(a >> 23);
    let x = if x < 256 {
        x * 2 + 1
    } else {
        ((x >> 1 << 1) + 1) * 2
    };
    let mut b = 512i128;
    while x * (b + 1) * (b + 1) < (1 << 28) {
        b += 1;
    }
    let r = (b + 1) >> 1;
    (r << 23) & 0xffff_ffff
}

// Shifts by an immediate (`b` is the shift amount).

pub fn shr(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    shr_exact(a, b as i64, false)
}
pub fn rshr(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    shr_exact(a, b as i64, true)
}
pub fn sra(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    d + shr_exact(a, b as i64, false)
}
pub fn rsra(_: &mut L, d: i128, a: i128, b: i128) -> i128 {
    d + shr_exact(a, b as i64, true)
}
pub fn shl(_: &mut L, _: i128, a: i128, b: i128) -> i128 {
    shl_exact(a, b as i64)
}
pub fn qshl(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let r = shl_exact(a, b as i64);
    l.sat(r)
}
pub fn sqshlu(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let r = shl_exact(sx(a, l.ein), b as i64);
    l.sat_u(r)
}
pub fn sri(l: &mut L, d: i128, a: i128, b: i128) -> i128 {
    let ones = zx(-1, l.e);
    let m = shr_exact(ones, b as i64, false);
    (d & !m) | (shr_exact(zx(a, l.e), b as i64, false) & m)
}
pub fn sli(l: &mut L, d: i128, a: i128, b: i128) -> i128 {
    let m = zx(zx(-1, l.e) << b, l.e);
    (d & !m) | (zx(a, l.e) << b & m)
}
pub fn qshrn(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let r = shr_exact(a, b as i64, false);
    l.sat(r)
}
pub fn qrshrn(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let r = shr_exact(a, b as i64, true);
    l.sat(r)
}
pub fn qshrun(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let r = shr_exact(sx(a, l.ein), b as i64, false);
    l.sat_u(r)
}
pub fn qrshrun(l: &mut L, _: i128, a: i128, b: i128) -> i128 {
    let r = shr_exact(sx(a, l.ein), b as i64, true);
    l.sat_u(r)
}

/// Defines, for each lane operation, an engine instance in module `run`.
macro_rules! runners {
    ($($name:ident),* $(,)?) => {
        /// One lane-engine instance per lane operation.
        pub mod run {
            use crate::aarch64::A64Cpu;
            use super::super::vec::{run_plan, Plan};
            $(
                pub fn $name(cpu: &mut A64Cpu, p: &Plan) {
                    run_plan(cpu, p, super::$name);
                }
            )*
        }
    };
}

runners!(
    aba, abd, abs, add, addhn, addp_acc, and, bic, bif, bit, bsl, cls, clz, cmeq, cmeq0, cmge,
    cmge0, cmgt, cmgt0, cmle0, cmlt0, cmtst, cnt, eor, hadd, hsub, max, min, mla, mls, mul, neg,
    not, orn, orr, pmul, qadd, qrshl_reg, qrshrn, qrshrun, qshl, qshl_reg, qshrn, qshrun, qsub,
    qxtn, raddhn, rbit, rhadd, rshl_reg, rshr, rsra, rsubhn, shl, shl_reg, shr, sli, sqabs,
    sqdmlal, sqdmlsl, sqdmulh, sqdmull, sqneg, sqrdmlah, sqrdmlsh, sqrdmulh, sqshlu, sqxtun, sra,
    sri, sub, subhn, suqadd, urecpe, ursqrte, usqadd, xtn,
);
