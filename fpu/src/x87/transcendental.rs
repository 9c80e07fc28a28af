//! The x87 transcendental instructions: F2XM1, FYL2X, FYL2XP1, FPATAN, FSIN, FCOS, FSINCOS
//! and FPTAN. Each result is computed in binary128 ([`super::quad`], far more precise than
//! the 64-bit significand) and rounded once by the rounding control (precision control does
//! not apply to these instructions), with C1 when rounded up, PE, UE/OE, and the x87's
//! special cases: IE for negative logarithms and infinite trigonometric operands, ZE for
//! log(0), exact zeros and infinities without PE (exact non-zero logarithms, such as FYL2X
//! of a power of two, still report PE as the hardware does), its results outside the
//! defined ranges (F2XM1 of |x| > 1, FYL2XP1 of x ≤ −1), and the out-of-range rule of the
//! trigonometric instructions (|x| ≥ 2^63: C2 set, operand kept).
//!
//! The trigonometric argument reduction uses the x87's own 66-bit π (see [`quad::reduce`]),
//! so large arguments give the hardware's results rather than the mathematically exact ones.

use super::quad::{self, Q};
use super::*;

/// Runs a binary128 computation under round-to-nearest; also reports whether it was invalid.
fn quad_run(op: impl FnOnce() -> Q) -> (Q, bool) {
    let (q, flags) = soft(Control(DEFAULT_CONTROL), op);
    (q, flags & IE != 0)
}

/// Where the exact result lies relative to its binary128 approximation, for the cases where
/// the approximation is itself an 80-bit value (tiny arguments: sin x ≈ x).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// The exact value is smaller in magnitude.
    Below,
    /// The exact value is larger in magnitude.
    Above,
}

/// `q` moved by one binary128 ulp in magnitude.
fn nudge(q: Q, tail: Tail) -> Q {
    let bits = (u128::from(q.0.v[1]) << 64) | u128::from(q.0.v[0]);
    let mag = bits & !(1 << 127);
    let mag = match tail {
        // A zero approximation of a non-zero value (underflow in binary128) grows.
        _ if mag == 0 => 1,
        Tail::Above => mag + 1,
        Tail::Below => mag - 1,
    };
    let bits = (bits & 1 << 127) | mag;
    Q::bits((bits >> 64) as u64, bits as u64)
}

fn to_f80(q: Q) -> F80 {
    // SAFETY: a pure SoftFloat function on a plain value.
    F80::from_sf(unsafe { sf::f128_to_extF80(q.0) })
}

/// Rounds an inexact result's binary128 approximation into 80 bits by `cw`'s rounding
/// control at full precision: PE (the exact value is irrational), C1, UE/OE.
fn round_inexact(cw: Control, q: Q, tail: Tail) -> (F80, u16) {
    let full = Control(cw.0 | 0x300);
    let exact = soft(full, || to_f80(q)).1 & PE == 0;
    let q = if exact { nudge(q, tail) } else { q };
    soft_rounding(full, || to_f80(q))
}

/// Rounds a result that may be exact (zeros, infinities) without forcing PE.
fn round_maybe_exact(cw: Control, q: Q) -> (F80, u16) {
    soft_rounding(Control(cw.0 | 0x300), || to_f80(q))
}

/// `flags` of a result reported inexact: UE too when it is tiny.
fn inexact(r: F80, flags: u16) -> u16 {
    if flags & PE != 0 && r.is_denormal() {
        flags | UE
    } else {
        flags
    }
}

/// The exponent if `a` is a positive power of two (normal or denormal).
fn power_of_two(a: F80) -> Option<i64> {
    if a.negative() || a.signif.count_ones() != 1 || a.exp() == EXP_MAX {
        return None;
    }
    let e = i64::from(a.exp().max(1)) - 16383;
    Some(e - i64::from(a.signif.leading_zeros()))
}

const INFINITY: F80 = F80 {
    signif: INT_BIT,
    sign_exp: EXP_MAX,
};
const ZERO: F80 = F80 {
    signif: 0,
    sign_exp: 0,
};
const ONE: F80 = F80::ONE;

/// `F2XM1`: 2^x − 1 for −1 ≤ x ≤ 1. Outside that range the x87 leaves the operand
/// unchanged (−∞ gives −1), with PE.
pub fn f2xm1(cw: Control, x: F80) -> (F80, u16) {
    if let Some(r) = special_operands(&[x]) {
        return r;
    }
    if x.is_zero() {
        return (x, 0);
    }
    if x.exp() >= 0x3fff {
        // 1 gives the x87's approximation just below 1 (rounded by RC); −1 gives −0.5
        // with PE.
        return match (x.is_infinite(), x == ONE, x == ONE.with_sign(true)) {
            (true, _, _) if x.negative() => (ONE.with_sign(true), 0),
            (true, _, _) => (x, 0),
            (_, true, _) => round_inexact(cw, Q::ONE, Tail::Below),
            (_, _, true) => (
                F80 {
                    sign_exp: 0xbffe,
                    ..ONE
                },
                PE,
            ),
            _ => (x, with_denormal(PE, &[x])),
        };
    }
    let (q, _) = quad_run(|| quad::exp2m1(Q::from_f80(x)));
    let (r, flags) = round_inexact(cw, q, Tail::Below);
    (r, with_denormal(flags, &[x]))
}

/// `FYL2X`: `y · log2(x)` with x = ST(0), y = ST(1).
pub fn fyl2x(cw: Control, x: F80, y: F80) -> (F80, u16) {
    if let Some(r) = special_operands(&[x, y]) {
        return r;
    }
    let invalid = (F80::INDEFINITE, IE);
    if x.negative() && !x.is_zero() {
        return invalid;
    }
    if x.is_zero() {
        // log2(0) = −∞.
        return match (y.is_zero(), y.is_infinite()) {
            (true, _) => invalid,
            (_, true) => (INFINITY.with_sign(!y.negative()), 0),
            _ => (INFINITY.with_sign(!y.negative()), ZE),
        };
    }
    if x.is_infinite() {
        return if y.is_zero() {
            invalid
        } else {
            (INFINITY.with_sign(y.negative()), with_denormal(0, &[y]))
        };
    }
    if let Some(e) = power_of_two(x) {
        // An integer logarithm: exact, yet the x87 reports PE unless the result is 0 or ∞.
        let (r, flags) = mul(Control(cw.0 | 0x300), y, from_i64(e));
        let pe = if e == 0 || y.is_zero() || y.is_infinite() {
            0
        } else {
            PE
        };
        return (r, with_denormal(inexact(r, flags | pe), &[x, y]));
    }
    let (q, _) = quad_run(|| quad::log2(Q::from_f80(x)).mul(Q::from_f80(y)));
    let (r, flags) = if y.is_zero() || y.is_infinite() {
        round_maybe_exact(cw, q)
    } else {
        round_inexact(cw, q, Tail::Below)
    };
    (r, with_denormal(flags, &[x, y]))
}

/// `FYL2XP1`: `y · log2(x + 1)` with x = ST(0), y = ST(1) (defined for
/// |x| < 1 − √2/2; any x > −1 is computed). For finite x ≤ −1 the x87 returns x (with PE),
/// or y's zero or infinity with the sign flipped.
pub fn fyl2xp1(cw: Control, x: F80, y: F80) -> (F80, u16) {
    if let Some(r) = special_operands(&[x, y]) {
        return r;
    }
    if x.is_infinite() && !x.negative() {
        return if y.is_zero() {
            (F80::INDEFINITE, IE)
        } else {
            (x.with_sign(y.negative()), with_denormal(0, &[y]))
        };
    }
    if x.negative() && x.exp() >= 0x3fff && !x.is_infinite() {
        return if y.is_zero() || y.is_infinite() {
            (y.with_sign(!y.negative()), 0)
        } else {
            (x, with_denormal(PE, &[y]))
        };
    }
    // 1 + x a power of two: the logarithm is an integer; the x87 still reports PE.
    let (onep, _) = quad_run(|| Q::ONE.add(Q::from_f80(x)));
    let exact = quad_run(|| onep.sub(Q::ONE)).0 == Q::from_f80(x);
    if let (Some(e), true) = (onep.power_of_two(), exact) {
        if !x.is_zero() && !y.is_zero() && !y.is_infinite() {
            let (r, flags) = mul(Control(cw.0 | 0x300), y, from_i64(e));
            return (r, with_denormal(inexact(r, flags | PE), &[x, y]));
        }
    }
    let (q, invalid) = quad_run(|| quad::ln1p(Q::from_f80(x)).mul(Q::LOG2E).mul(Q::from_f80(y)));
    if invalid {
        return (F80::INDEFINITE, IE);
    }
    let (r, flags) = if x.is_zero() || y.is_zero() || y.is_infinite() {
        round_maybe_exact(cw, q)
    } else {
        round_inexact(cw, q, Tail::Below)
    };
    (r, with_denormal(flags, &[x, y]))
}

/// `FPATAN`: the angle of (x = ST(0), y = ST(1)), i.e. `atan2(y, x)`, with C's quadrant
/// rules for zeros and infinities.
pub fn fpatan(cw: Control, x: F80, y: F80) -> (F80, u16) {
    if let Some(r) = special_operands(&[x, y]) {
        return r;
    }
    let (q, _) = quad_run(|| {
        let (ay, ax) = (Q::from_f80(y).abs(), Q::from_f80(x).abs());
        let t = if y.is_zero() {
            if x.negative() {
                Q::PI
            } else {
                Q::ZERO
            }
        } else if x.is_zero() {
            Q::PI_2
        } else if y.is_infinite() {
            match (x.is_infinite(), x.negative()) {
                (true, false) => Q::PI_4,
                (true, true) => Q::PI3_4,
                _ => Q::PI_2,
            }
        } else if x.is_infinite() {
            if x.negative() {
                Q::PI
            } else {
                Q::ZERO
            }
        } else {
            let base = if !ax.lt(ay) {
                quad::atan(ay.div(ax))
            } else {
                Q::PI_2.sub(quad::atan(ax.div(ay)))
            };
            if x.negative() {
                Q::PI.sub(base)
            } else {
                base
            }
        };
        if y.negative() {
            t.neg()
        } else {
            t
        }
    });
    let exact_zero =
        y.is_zero() && !x.negative() || x.is_infinite() && !x.negative() && !y.is_infinite();
    let (r, flags) = if exact_zero {
        (ZERO.with_sign(y.negative()), 0)
    } else {
        let tail = if q.abs() == Q::ZERO {
            Tail::Above
        } else {
            Tail::Below
        };
        round_inexact(cw, q, tail)
    };
    (r, with_denormal(flags, &[x, y]))
}

/// The common checks of the trigonometric instructions: `Err` with the result for NaNs,
/// unsupported encodings and infinities (IE), `Ok(None)` when |x| ≥ 2^63 (out of range:
/// C2), `Ok(Some((r, quadrant)))` with the reduced argument otherwise.
fn trig_operand(x: F80) -> Result<Option<(Q, u32)>, (F80, u16)> {
    if let Some(r) = special_operands(&[x]) {
        return Err(r);
    }
    if x.is_infinite() {
        return Err((F80::INDEFINITE, IE));
    }
    if x.exp() >= 0x3fff + 63 {
        return Ok(None);
    }
    Ok(Some(soft(Control(DEFAULT_CONTROL), || quad::reduce(x)).0))
}

/// sin and cos of the reduced argument `r` in `quadrant`.
fn sin_cos_of(r: Q, quadrant: u32) -> (Q, Q) {
    soft(Control(DEFAULT_CONTROL), || {
        let (s, c) = quad::sin_cos(r);
        match quadrant {
            0 => (s, c),
            1 => (c, s.neg()),
            2 => (s.neg(), c.neg()),
            _ => (c.neg(), s),
        }
    })
    .0
}

/// The rounding of a sine (`is_sin`) or cosine value: exact for sin(±0) and cos(0); tiny
/// sines lie below their argument, cosines below 1.
fn round_trig(cw: Control, x: F80, q: Q, is_sin: bool) -> (F80, u16) {
    if x.is_zero() {
        return if is_sin { (x, 0) } else { (ONE, 0) };
    }
    let (r, flags) = round_inexact(cw, q, Tail::Below);
    (r, with_denormal(flags, &[x]))
}

/// Outcome of FSIN/FCOS/FPTAN: `None` when the operand is out of range (C2 set, ST(0)
/// unchanged).
pub type TrigResult = Option<(F80, u16)>;

/// `FSIN`.
pub fn fsin(cw: Control, x: F80) -> TrigResult {
    match trig_operand(x) {
        Err(r) => Some(r),
        Ok(None) => None,
        Ok(Some((r, quadrant))) => Some(round_trig(cw, x, sin_cos_of(r, quadrant).0, true)),
    }
}

/// `FCOS`.
pub fn fcos(cw: Control, x: F80) -> TrigResult {
    match trig_operand(x) {
        Err(r) => Some(r),
        Ok(None) => None,
        Ok(Some((r, quadrant))) => Some(round_trig(cw, x, sin_cos_of(r, quadrant).1, false)),
    }
}

/// `FSINCOS`: (sine, cosine, flags); C1 reports the sine's rounding (as the x87 does, though
/// the cosine ends in ST(0)).
pub fn fsincos(cw: Control, x: F80) -> Option<(F80, F80, u16)> {
    match trig_operand(x) {
        Err((r, flags)) => Some((r, r, flags)),
        Ok(None) => None,
        Ok(Some((r, quadrant))) => {
            let (s, c) = sin_cos_of(r, quadrant);
            let (s, sf) = round_trig(cw, x, s, true);
            let (c, cf) = round_trig(cw, x, c, false);
            Some((s, c, (sf | cf) & !C1 | sf & C1))
        }
    }
}

/// `FPTAN`: (the tangent for ST(0), the value pushed after it, flags): 1.0, or the NaN
/// result again for NaN and invalid operands.
pub fn fptan(cw: Control, x: F80) -> Option<(F80, F80, u16)> {
    match trig_operand(x) {
        Err((r, flags)) => Some((r, r, flags)),
        Ok(None) => None,
        Ok(Some(_)) if x.is_zero() => Some((x, ONE, 0)),
        Ok(Some((r, quadrant))) => {
            let (s, c) = sin_cos_of(r, quadrant);
            // Tiny arguments, where tan x rounds to x: the x87 rounds normal ones as if
            // below x, denormals as if above. (For 2^-80 < |x| < 2^-32 its result lies on
            // either side of x depending on the significand, which is not modelled: about
            // half of those differ from the host by an ulp in the directed rounding modes.)
            let q = soft(Control(DEFAULT_CONTROL), || s.div(c)).0;
            let tail = if x.is_denormal() {
                Tail::Above
            } else {
                Tail::Below
            };
            let (t, flags) = round_inexact(cw, q, tail);
            Some((t, ONE, with_denormal(flags, &[x])))
        }
    }
}
