//! Generic comparisons, RISC-V FMIN/FMAX and FCLASS over any [`Format`].

use crate::format::Format;
use crate::{run_exact, Flags};

/// FEQ: quiet equality; NV only if an operand is a signaling NaN.
pub(crate) fn eq<F: Format>(a: F::Bits, b: F::Bits) -> (bool, Flags) {
    run_exact(|| F::eq(a, b))
}

/// FLT: signaling less-than; NV if either operand is any NaN.
pub(crate) fn lt<F: Format>(a: F::Bits, b: F::Bits) -> (bool, Flags) {
    run_exact(|| F::lt(a, b))
}

/// FLE: signaling less-or-equal; NV if either operand is any NaN.
pub(crate) fn le<F: Format>(a: F::Bits, b: F::Bits) -> (bool, Flags) {
    run_exact(|| F::le(a, b))
}

/// Which operand FMIN/FMAX picks among two non-NaN values.
#[derive(Clone, Copy)]
enum Pick {
    Smaller,
    Larger,
}

/// RISC-V FMIN/FMAX (ISA 2.2, IEEE 754-2019 minimumNumber/maximumNumber): a NaN operand is
/// ignored in favour of the other, two NaNs give the canonical NaN, signaling NaNs raise NV,
/// and -0.0 is smaller than +0.0.
fn min_max<F: Format>(a: F::Bits, b: F::Bits, pick: Pick) -> (F::Bits, Flags) {
    let flags = if F::is_signaling_nan(a) || F::is_signaling_nan(b) {
        Flags::NV
    } else {
        Flags::NONE
    };
    let result = match (F::is_nan(a), F::is_nan(b)) {
        (true, true) => F::CANONICAL_NAN,
        (true, false) => b,
        (false, true) => a,
        (false, false) => {
            // Neither is NaN, so the quiet comparisons raise nothing. Equal values differ at
            // most in the sign of zero, which orders -0.0 first.
            let a_first = F::lt_quiet(a, b) || (F::eq(a, b) && F::is_negative(a));
            match (pick, a_first) {
                (Pick::Smaller, true) | (Pick::Larger, false) => a,
                (Pick::Smaller, false) | (Pick::Larger, true) => b,
            }
        }
    };
    (result, flags)
}

/// FMIN.
pub(crate) fn min<F: Format>(a: F::Bits, b: F::Bits) -> (F::Bits, Flags) {
    min_max::<F>(a, b, Pick::Smaller)
}

/// FMAX.
pub(crate) fn max<F: Format>(a: F::Bits, b: F::Bits) -> (F::Bits, Flags) {
    min_max::<F>(a, b, Pick::Larger)
}

/// FCLASS result bits (the returned mask has exactly one of them set).
mod class {
    pub const NEG_INF: u32 = 1 << 0;
    pub const NEG_NORMAL: u32 = 1 << 1;
    pub const NEG_SUBNORMAL: u32 = 1 << 2;
    pub const NEG_ZERO: u32 = 1 << 3;
    pub const POS_ZERO: u32 = 1 << 4;
    pub const POS_SUBNORMAL: u32 = 1 << 5;
    pub const POS_NORMAL: u32 = 1 << 6;
    pub const POS_INF: u32 = 1 << 7;
    pub const SIGNALING_NAN: u32 = 1 << 8;
    pub const QUIET_NAN: u32 = 1 << 9;
}

/// RISC-V FCLASS: a 10-bit mask with the bit for `a`'s class set.
pub(crate) fn classify<F: Format>(a: F::Bits) -> u32 {
    let bits: u64 = a.into();
    let exp = bits & F::EXP;
    let frac = bits & F::FRAC;
    let negative = F::is_negative(a);
    let pick = |neg: u32, pos: u32| if negative { neg } else { pos };
    if F::is_nan(a) {
        if F::is_signaling_nan(a) {
            class::SIGNALING_NAN
        } else {
            class::QUIET_NAN
        }
    } else if exp == F::EXP {
        pick(class::NEG_INF, class::POS_INF)
    } else if exp != 0 {
        pick(class::NEG_NORMAL, class::POS_NORMAL)
    } else if frac != 0 {
        pick(class::NEG_SUBNORMAL, class::POS_SUBNORMAL)
    } else {
        pick(class::NEG_ZERO, class::POS_ZERO)
    }
}
