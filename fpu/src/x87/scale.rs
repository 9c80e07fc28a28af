//! The x87's exact exponent and remainder instructions: `FSCALE` (multiply by 2 to the
//! truncated ST(1), rounded once when the result leaves the normal range), `FXTRACT` (split
//! into exponent and significand) and `FPREM`/`FPREM1` (partial remainders with the
//! quotient's low bits in C0/C3/C1 and C2 for an incomplete reduction), all computed on the
//! integer significands.

use super::*;

/// A finite non-zero value as (significand in [1, 2) with `a`'s sign, unbiased exponent);
/// denormals are normalized.
fn normalize(a: F80) -> (F80, i64) {
    let lz = a.signif.leading_zeros();
    let e = i64::from(a.exp().max(1)) - 16383 - i64::from(lz);
    let m = F80 {
        signif: a.signif << lz,
        sign_exp: (a.sign_exp & 0x8000) | 0x3fff,
    };
    (m, e)
}

/// `m` (an exponent-0 value) times 2^e, for a normal result exponent.
fn with_exponent(m: F80, e: i64) -> F80 {
    F80 {
        signif: m.signif,
        sign_exp: (m.sign_exp & 0x8000) | (e + 16383) as u16,
    }
}

/// `FSCALE`: `x · 2^trunc(s)` with x = ST(0), s = ST(1).
pub fn fscale(cw: Control, x: F80, s: F80) -> (F80, u16) {
    if let Some(r) = special_operands(&[x, s]) {
        return r;
    }
    let invalid = (F80::INDEFINITE, IE);
    if s.is_infinite() {
        let grow = !s.negative();
        return match (x.is_zero(), x.is_infinite(), grow) {
            (true, _, true) | (_, true, false) => invalid,
            (_, _, true) => (
                F80 {
                    signif: INT_BIT,
                    sign_exp: (x.sign_exp & 0x8000) | EXP_MAX,
                },
                with_denormal(0, &[x]),
            ),
            _ => (
                F80 {
                    signif: 0,
                    sign_exp: x.sign_exp & 0x8000,
                },
                with_denormal(0, &[x]),
            ),
        };
    }
    if x.is_zero() || x.is_infinite() {
        return (x, with_denormal(0, &[s]));
    }
    let n = if s.exp() < 0x3fff {
        0
    } else if s.exp() >= 0x3fff + 32 {
        1 << 32
    } else {
        (s.signif >> (63 - (s.exp() - 0x3fff))) as i64
    };
    let n = if s.negative() { -n } else { n };
    let (m, e) = normalize(x);
    // One rounding: the significand at exponent `a` (normal) times 2^b (|b| small).
    let t = (e + n).clamp(-16382 - 80, 16383 + 80);
    let a = t.clamp(-16382, 16383);
    let (r, flags) = mul(
        Control(cw.0 | 0x300),
        with_exponent(m, a),
        with_exponent(F80::ONE, t - a),
    );
    (r, with_denormal(flags, &[x, s]))
}

/// `FXTRACT`: (exponent, significand) of x; the significand ends in ST(0). Zero gives −∞
/// with ZE, ∞ gives +∞.
pub fn fxtract(x: F80) -> (F80, F80, u16) {
    if let Some((r, flags)) = special_operands(&[x]) {
        return (r, r, flags);
    }
    if x.is_zero() {
        let minus_inf = F80 {
            signif: INT_BIT,
            sign_exp: 0x8000 | EXP_MAX,
        };
        return (minus_inf, x, ZE);
    }
    if x.is_infinite() {
        let plus_inf = F80 {
            signif: INT_BIT,
            sign_exp: EXP_MAX,
        };
        return (plus_inf, x, 0);
    }
    let (m, e) = normalize(x);
    (from_i64(e), m, with_denormal(0, &[x]))
}

/// `FPREM` (`ieee` false: quotient truncated) and `FPREM1` (`ieee`: quotient rounded to
/// nearest even) of a = ST(0) by b = ST(1): the new ST(0) and the status bits (C2 when the
/// reduction is partial, else the quotient's low bits in C0 (Q2), C3 (Q1), C1 (Q0)).
///
/// When the exponents differ by 64 or more the hardware reduces partially: by b · 2^(d − n)
/// with the quotient truncated, where n = 32 + (d mod 32) is the AMD-documented chunk size.
pub fn prem(a: F80, b: F80, ieee: bool) -> (F80, u16) {
    if let Some(r) = special_operands(&[a, b]) {
        return r;
    }
    if a.is_infinite() || b.is_zero() {
        return (F80::INDEFINITE, IE);
    }
    if a.is_zero() || b.is_infinite() {
        return (canonical(a), with_denormal(0, &[a, b]));
    }
    let ((ma, ea), (mb, eb)) = (normalize(a), normalize(b));
    let d = ea - eb;
    let de = with_denormal(0, &[a, b]);
    if d >= 64 {
        let n = 32 + d % 32;
        let (r, _) = divide(ma.signif, mb.signif, n, false);
        return (result(a, r, ea - n, false), de | C2);
    }
    if d < -1 {
        return (canonical(a), de);
    }
    let (r, q) = divide(ma.signif, mb.signif, d, ieee);
    (result(a, r, ea.min(eb), r < 0), de | q_bits(q))
}

/// The remainder and low quotient bits of `x · 2^d / y` (`d ≥ −1`; significands as
/// integers), the quotient truncated or, with `ieee`, rounded to nearest even. The remainder
/// is a signed integer in units of the smaller operand's ulp.
fn divide(x: u64, y: u64, d: i64, ieee: bool) -> (i128, u64) {
    let (num, den) = if d >= 0 {
        (u128::from(x) << d, u128::from(y))
    } else {
        (u128::from(x), u128::from(y) << 1)
    };
    let mut q = num / den;
    let mut r = (num % den) as i128;
    let den = den as i128;
    if ieee && (2 * r > den || 2 * r == den && q & 1 == 1) {
        q += 1;
        r -= den;
    }
    (r, q as u64)
}

/// A pseudo-denormal as the normal encoding of its value (exponent 1), as the x87 stores an
/// operand it passes through.
fn canonical(a: F80) -> F80 {
    if a.exp() == 0 && a.signif & INT_BIT != 0 {
        F80 {
            sign_exp: a.sign_exp | 1,
            ..a
        }
    } else {
        a
    }
}

/// C0 = Q2, C3 = Q1, C1 = Q0.
fn q_bits(q: u64) -> u16 {
    (((q >> 2) & 1) << 8 | ((q >> 1) & 1) << 14 | (q & 1) << 9) as u16
}

/// The value `r · 2^(e − 63)` (r a signed integer below 2^65) with the sign of `a` flipped
/// when `negative`; a zero remainder has `a`'s sign. Exact (denormal if need be).
fn result(a: F80, r: i128, e: i64, negative: bool) -> F80 {
    let sign = (a.sign_exp & 0x8000) ^ if negative { 0x8000 } else { 0 };
    let mag = r.unsigned_abs();
    if mag == 0 {
        return F80 {
            signif: 0,
            sign_exp: a.sign_exp & 0x8000,
        };
    }
    // Normalize to a 64-bit significand with the integer bit set.
    let lz = mag.leading_zeros() as i64 - 64;
    let (signif, e) = if lz >= 0 {
        ((mag << lz) as u64, e - lz)
    } else {
        ((mag >> -lz) as u64, e - lz)
    };
    let biased = e + 16383;
    if biased >= 1 {
        return F80 {
            signif,
            sign_exp: sign | biased as u16,
        };
    }
    // A denormal: shift right into exponent 0 (exact: remainders are multiples of ulp(b)).
    F80 {
        signif: signif >> (1 - biased).min(64),
        sign_exp: sign,
    }
}
