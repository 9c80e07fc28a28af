//! x87 arithmetic for the frontend's register view (`[significand, sign and exponent]`): thin
//! wrappers over emu-fpu's x87 operations ([`emu_fpu::x87`], which implement the x87's
//! rounding and precision control, NaN rules, indefinites, status flags and C1, checked bit
//! for bit against a real x87), plus FXAM's classification.

use emu_fpu::x87::{self, Compare, Control};

/// An 80-bit value: `[significand (explicit integer bit), sign and exponent]`.
pub(crate) type F80 = [u64; 2];

/// The denormal-operand flag of the status word.
pub(crate) const SW_DE: u64 = x87::DE as u64;

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
