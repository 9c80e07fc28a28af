//! x87 arithmetic for the frontend's register view (`[significand, sign and exponent]`): thin
//! wrappers over emu-fpu's x87 operations ([`emu_fpu::x87`], which implement the x87's
//! rounding and precision control, NaN rules, indefinites, status flags and C1, the
//! transcendental instructions, FSCALE/FXTRACT/FPREM, checked against a real x87), plus
//! FXAM's classification and the packed BCD conversions of FBLD/FBSTP.

use emu_fpu::x87::{self, Compare, Control};

/// An 80-bit value: `[significand (explicit integer bit), sign and exponent]`.
pub(crate) type F80 = [u64; 2];

/// The denormal-operand flag of the status word.
pub(crate) const SW_DE: u64 = x87::DE as u64;

/// The real indefinite (the masked response to invalid operations and stack faults).
pub(crate) const INDEFINITE: F80 = [0xc000_0000_0000_0000, 0xffff];

fn ext(v: F80) -> x87::F80 {
    x87::F80 {
        signif: v[0],
        sign_exp: v[1] as u16,
    }
}

fn arr(v: x87::F80) -> F80 {
    [v.signif, u64::from(v.sign_exp)]
}

fn control(cw: u64) -> Control {
    Control(cw as u16)
}

pub(crate) fn is_nan(v: F80) -> bool {
    ext(v).is_nan()
}

pub(crate) fn is_unsupported(v: F80) -> bool {
    ext(v).is_unsupported()
}

/// `a op b` for op 0 add, 1 sub, 2 mul, 3 div.
pub(crate) fn arith(op: u64, a: F80, b: F80, cw: u64) -> (F80, u64) {
    let f = [x87::add, x87::sub, x87::mul, x87::div][(op & 3) as usize];
    let (r, sw) = f(control(cw), ext(a), ext(b));
    (arr(r), u64::from(sw))
}

pub(crate) fn sqrt(a: F80, cw: u64) -> (F80, u64) {
    let (r, sw) = x87::sqrt(control(cw), ext(a));
    (arr(r), u64::from(sw))
}

/// FRNDINT: round to an integer in the control word's rounding mode.
pub(crate) fn round_int(a: F80, cw: u64) -> (F80, u64) {
    let (r, sw) = x87::round_to_int(control(cw), ext(a));
    (arr(r), u64::from(sw))
}

/// FST m32/m64: round to binary32 (`bits` 32) or binary64.
pub(crate) fn to_float(a: F80, bits: u32, cw: u64) -> (u64, u64) {
    let (v, sw) = if bits == 32 {
        let (v, sw) = x87::to_f32(control(cw), ext(a));
        (u64::from(v), sw)
    } else {
        x87::to_f64(control(cw), ext(a))
    };
    (v, u64::from(sw))
}

/// FIST/FISTP (`truncate`: FISTTP) to a `bits`-bit integer (the integer indefinite when out
/// of range or NaN).
pub(crate) fn to_int(a: F80, bits: u32, truncate: bool, cw: u64) -> (u64, u64) {
    let (v, sw) = x87::to_int(control(cw), ext(a), bits, truncate);
    (v as u64 & (u64::MAX >> (64 - bits)), u64::from(sw))
}

/// FCOM/FUCOM: the ordering as (ZF/C3, PF/C2, CF/C0) bits of EFLAGS; `sw` gets IE for
/// signaling NaNs (any NaN when `signaling`) and DE for denormal operands.
pub(crate) fn compare(a: F80, b: F80, signaling: bool, sw: &mut u64) -> u64 {
    use crate::x86_64::flags::{CF, PF, ZF};
    let (order, flags) = x87::compare(ext(a), ext(b), !signaling);
    *sw |= u64::from(flags);
    match order {
        Compare::Less => CF,
        Compare::Equal => ZF,
        Compare::Greater => 0,
        Compare::Unordered => ZF | PF | CF,
    }
}

fn pair((r, sw): (x87::F80, u16)) -> (F80, u64) {
    (arr(r), u64::from(sw))
}

pub(crate) fn f2xm1(a: F80, cw: u64) -> (F80, u64) {
    pair(x87::f2xm1(control(cw), ext(a)))
}

/// FSIN (`cos` false) or FCOS: the result, or the operand with C2 when out of range.
pub(crate) fn trig(cos: bool, a: F80, cw: u64) -> (F80, u64) {
    let f = if cos { x87::fcos } else { x87::fsin };
    f(control(cw), ext(a)).map_or((a, u64::from(x87::C2)), pair)
}

pub(crate) fn scale(a: F80, b: F80, cw: u64) -> (F80, u64) {
    pair(x87::fscale(control(cw), ext(a), ext(b)))
}

/// FPREM / FPREM1 (`ieee`): the partial remainder and C0–C3.
pub(crate) fn prem(a: F80, b: F80, ieee: bool) -> (F80, u64) {
    pair(x87::prem(ext(a), ext(b), ieee))
}

pub(crate) fn fyl2x(x: F80, y: F80, cw: u64) -> (F80, u64) {
    pair(x87::fyl2x(control(cw), ext(x), ext(y)))
}

pub(crate) fn fyl2xp1(x: F80, y: F80, cw: u64) -> (F80, u64) {
    pair(x87::fyl2xp1(control(cw), ext(x), ext(y)))
}

pub(crate) fn fpatan(x: F80, y: F80, cw: u64) -> (F80, u64) {
    pair(x87::fpatan(control(cw), ext(x), ext(y)))
}

/// A result left in ST(0), the value pushed above it, and the flags.
pub(crate) type Pushed = (F80, F80, u64);

/// FPTAN: (tan, 1.0 or the NaN result, flags); `None` when out of range.
pub(crate) fn fptan(a: F80, cw: u64) -> Option<Pushed> {
    x87::fptan(control(cw), ext(a)).map(|(t, one, f)| (arr(t), arr(one), u64::from(f)))
}

/// FSINCOS: (sin, cos, flags); `None` when out of range.
pub(crate) fn fsincos(a: F80, cw: u64) -> Option<Pushed> {
    x87::fsincos(control(cw), ext(a)).map(|(s, c, f)| (arr(s), arr(c), u64::from(f)))
}

/// FXTRACT: (exponent, significand, flags).
pub(crate) fn fxtract(a: F80) -> Pushed {
    let (e, m, f) = x87::fxtract(ext(a));
    (arr(e), arr(m), u64::from(f))
}

/// FBLD: the packed BCD integer with digit bytes `lo` (bytes 0–7) and `hi` (bytes 8–9: two
/// more digits, then the sign byte). Invalid digits are taken at face value.
pub(crate) fn from_bcd(lo: u64, hi: u64) -> F80 {
    let digits = (u128::from(hi & 0xff) << 64) | u128::from(lo);
    let value = (0..18)
        .rev()
        .fold(0i64, |acc, k| acc * 10 + ((digits >> (4 * k)) & 0xf) as i64);
    let mut v = from_int(value);
    if hi & 0x8000 != 0 {
        v[1] |= 0x8000;
    }
    v
}

/// FBSTP: ST(0) rounded to an integer by RC as 18 packed BCD digits: (bytes 0–7, bytes
/// 8–9, flags). NaNs, infinities and values of more than 18 digits store the BCD
/// indefinite with IE.
pub(crate) fn to_bcd(a: F80, cw: u64) -> (u64, u64, u64) {
    let (v, f) = x87::to_int(control(cw), ext(a), 64, false);
    let negative = a[1] & 0x8000 != 0;
    if f & x87::IE != 0 || v.unsigned_abs() > 999_999_999_999_999_999 {
        return (0xc000_0000_0000_0000, 0xffff, u64::from(x87::IE));
    }
    let mut n = v.unsigned_abs();
    let mut digits = 0u128;
    for k in 0..18 {
        digits |= u128::from(n % 10) << (4 * k);
        n /= 10;
    }
    let sign = if negative { 0x8000 } else { 0 };
    (digits as u64, (digits >> 64) as u64 | sign, u64::from(f))
}

/// FXAM's condition bits (C3 bit 14, C2 bit 10, C1 bit 9 = sign, C0 bit 8) for `v`.
pub(crate) fn examine(v: F80) -> u64 {
    let (exp, mant) = (v[1] & 0x7fff, v[0]);
    let class = if exp == 0x7fff {
        if mant << 1 == 0 {
            0x500 // infinity: C2, C0
        } else {
            0x100 // NaN: C0
        }
    } else if exp == 0 {
        if mant == 0 {
            0x4000 // zero: C3
        } else {
            0x4400 // denormal: C3, C2
        }
    } else if mant >> 63 == 0 {
        0 // unnormal: unsupported
    } else {
        0x400 // normal: C2
    };
    class | (v[1] >> 15 & 1) << 9
}

/// Widen a binary32 (`exp_bits` 8) or binary64 value to 80 bits (exact; NaNs quieted as
/// FLD does).
pub(crate) fn widen(bits: u64, exp_bits: u32, _frac_bits: u32) -> F80 {
    if exp_bits == 8 {
        arr(x87::from_f32(bits as u32).0)
    } else {
        arr(x87::from_f64(bits).0)
    }
}

/// An integer as an 80-bit value (exact).
pub(crate) fn from_int(v: i64) -> F80 {
    arr(x87::from_i64(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: F80 = [1 << 63, 0x3fff];
    const THREE: F80 = [3 << 62, 0x4000];

    #[test]
    fn arithmetic_and_conversions() {
        let cw = crate::x86_64::FPU_CW_DEFAULT;
        let (third, sw) = arith(3, ONE, THREE, cw);
        assert_eq!(third, [0xaaaa_aaaa_aaaa_aaab, 0x3ffd]);
        assert_eq!(sw, u64::from(x87::PE | x87::C1), "inexact, rounded up");
        assert_eq!(to_float(third, 64, cw).0, (1.0f64 / 3.0).to_bits());
        assert_eq!(arith(1, ONE, ONE, cw).0, [0, 0]);
        let inf: F80 = [1 << 63, 0x7fff];
        let indefinite = arr(x87::F80::INDEFINITE);
        assert_eq!(arith(1, inf, inf, cw), (indefinite, u64::from(x87::IE)));
        assert_eq!(to_int(THREE, 16, false, cw), (3, 0));
        assert_eq!(to_int(inf, 32, false, cw), (1 << 31, u64::from(x87::IE)));
    }
}
