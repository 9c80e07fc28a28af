//! x87 arithmetic on 80-bit values through SoftFloat's `extF80` functions, with the x87's
//! rules on top: rounding mode and precision from the control word, exception flags in the
//! status word's layout, NaN operands propagated (quieted; of two NaNs the one with the larger
//! significand), the negative "indefinite" QNaN for invalid results and unsupported encodings,
//! and the integer indefinite for out-of-range stores.

use softfloat_sys as sf;

/// An 80-bit value: `[significand (explicit integer bit), sign and exponent]`.
pub(crate) type F80 = [u64; 2];

/// The x87 "QNaN floating-point indefinite".
pub(crate) const INDEFINITE: F80 = [0xc000_0000_0000_0000, 0xffff];

/// Status-word exception bits: IE, ZE, OE, UE, PE.
const SW_IE: u64 = 1;
pub(crate) const SW_DE: u64 = 2;
const SW_ZE: u64 = 4;
const SW_OE: u64 = 8;
const SW_UE: u64 = 16;
const SW_PE: u64 = 32;
/// C1 after a rounding operation: the result was rounded up (away from zero).
const SW_C1: u64 = 0x200;

fn to_sf(v: F80) -> sf::extFloat80_t {
    sf::extFloat80M {
        signif: v[0],
        signExp: v[1] as u16,
    }
}

fn from_sf(v: sf::extFloat80_t) -> F80 {
    [v.signif, u64::from(v.signExp)]
}

pub(crate) fn is_nan(v: F80) -> bool {
    v[1] & 0x7fff == 0x7fff && v[0] << 1 != 0
}

/// An encoding the x87 rejects as an operand (unnormal, pseudo-NaN, pseudo-infinity).
pub(crate) fn is_unsupported(v: F80) -> bool {
    v[1] & 0x7fff != 0 && v[0] >> 63 == 0
}

/// A denormal (or pseudo-denormal) 80-bit value.
pub(crate) fn is_denormal(v: F80) -> bool {
    v[1] & 0x7fff == 0 && v[0] != 0
}

/// DE when an operand of an arithmetic operation is denormal (and none is invalid).
fn denormal_operands(ops: &[F80]) -> u64 {
    if ops.iter().any(|&v| is_denormal(v)) {
        SW_DE
    } else {
        0
    }
}

/// Runs SoftFloat under control word `cw` (RC bits 11:10, PC bits 9:8); returns the result
/// and the raised exceptions as status-word bits.
fn run<T>(cw: u64, f: impl FnOnce() -> T) -> (T, u64) {
    let rm = match (cw >> 10) & 3 {
        0 => sf::softfloat_round_near_even,
        1 => sf::softfloat_round_min,
        2 => sf::softfloat_round_max,
        _ => sf::softfloat_round_minMag,
    };
    let precision = match (cw >> 8) & 3 {
        0 => 32,
        2 => 64,
        _ => 80,
    };
    // SAFETY: the helpers only read and write SoftFloat's thread-local globals.
    unsafe {
        sf::softfloat_roundingMode_write_helper(rm);
        sf::extF80_roundingPrecision_write_helper(precision);
        sf::softfloat_exceptionFlags_write_helper(0);
    }
    let r = f();
    // SAFETY: as above.
    let raised = unsafe { sf::softfloat_exceptionFlags_read_helper() };
    let mut sw = 0;
    for (bit, x87) in [
        (sf::softfloat_flag_invalid, SW_IE),
        (sf::softfloat_flag_infinite, SW_ZE),
        (sf::softfloat_flag_overflow, SW_OE),
        (sf::softfloat_flag_underflow, SW_UE),
        (sf::softfloat_flag_inexact, SW_PE),
    ] {
        if raised & bit != 0 {
            sw |= x87;
        }
    }
    (r, sw)
}

/// [`run`] of an operation that rounds, also reporting in C1 whether an inexact result was
/// rounded away from zero (it differs from the result rounded toward zero).
fn run_rounding<T: PartialEq>(cw: u64, f: impl Fn() -> T) -> (T, u64) {
    let (r, sw) = run(cw, &f);
    if sw & SW_PE != 0 && run(cw | 0xc00, &f).0 != r {
        return (r, sw | SW_C1);
    }
    (r, sw)
}

/// The NaN (or indefinite) result of an operation on `ops`, if any operand is a NaN or
/// unsupported; `sw` collects IE.
fn nan_operands(ops: &[F80], sw: &mut u64) -> Option<F80> {
    if ops.iter().any(|&v| is_unsupported(v)) {
        *sw |= SW_IE;
        return Some(INDEFINITE);
    }
    let nans: Vec<F80> = ops.iter().copied().filter(|&v| is_nan(v)).collect();
    if nans.is_empty() {
        return None;
    }
    if nans.iter().any(|v| v[0] & 1 << 62 == 0) {
        *sw |= SW_IE;
    }
    let quiet = |v: F80| [v[0] | 1 << 62, v[1]];
    let pick = nans
        .iter()
        .copied()
        .max_by_key(|v| v[0] | 1 << 62)
        .map(quiet);
    pick
}

/// Patch a NaN result of an invalid operation to the x87 indefinite.
fn indefinite_if_nan(v: F80) -> F80 {
    if is_nan(v) {
        INDEFINITE
    } else {
        v
    }
}

/// `a op b` for op 0 add, 1 sub, 2 mul, 3 div.
pub(crate) fn arith(op: u64, a: F80, b: F80, cw: u64) -> (F80, u64) {
    let mut sw = 0;
    if let Some(n) = nan_operands(&[a, b], &mut sw) {
        return (n, sw);
    }
    sw |= denormal_operands(&[a, b]);
    let (r, f) = run_rounding(cw, || {
        // SAFETY: pure SoftFloat arithmetic on values.
        let r = unsafe {
            match op {
                0 => sf::extF80_add(to_sf(a), to_sf(b)),
                1 => sf::extF80_sub(to_sf(a), to_sf(b)),
                2 => sf::extF80_mul(to_sf(a), to_sf(b)),
                _ => sf::extF80_div(to_sf(a), to_sf(b)),
            }
        };
        from_sf(r)
    });
    (indefinite_if_nan(r), sw | f)
}

pub(crate) fn sqrt(a: F80, cw: u64) -> (F80, u64) {
    let mut sw = 0;
    if let Some(n) = nan_operands(&[a], &mut sw) {
        return (n, sw);
    }
    sw |= denormal_operands(&[a]);
    // SAFETY: pure SoftFloat arithmetic on a value.
    let (r, f) = run_rounding(cw, || from_sf(unsafe { sf::extF80_sqrt(to_sf(a)) }));
    (indefinite_if_nan(r), sw | f)
}

/// FRNDINT: round to an integer in the control word's rounding mode.
pub(crate) fn round_int(a: F80, cw: u64) -> (F80, u64) {
    let mut sw = 0;
    if let Some(n) = nan_operands(&[a], &mut sw) {
        return (n, sw);
    }
    sw |= denormal_operands(&[a]);
    let (r, f) = run_rounding(cw | 0x300, || {
        // SAFETY: pure SoftFloat arithmetic on a value; the mode is the one `run` installed.
        from_sf(unsafe {
            sf::extF80_roundToInt(to_sf(a), sf::softfloat_roundingMode_read_helper(), true)
        })
    });
    (r, sw | f)
}

/// FST m32/m64: round to binary32 (`bits` 32) or binary64, NaNs keeping sign and payload.
pub(crate) fn to_float(a: F80, bits: u32, cw: u64) -> (u64, u64) {
    let mut sw = 0;
    if is_unsupported(a) {
        sw |= SW_IE;
    }
    if is_nan(a) || is_unsupported(a) {
        let v = if is_unsupported(a) { INDEFINITE } else { a };
        if v[0] & 1 << 62 == 0 {
            sw |= SW_IE;
        }
        let sign = v[1] >> 15 & 1;
        let payload = v[0] << 2 >> 2;
        return match bits {
            32 => (sign << 31 | 0x7fc0_0000 | payload >> 41, sw),
            _ => (sign << 63 | 0x7ff8_0000_0000_0000 | payload >> 11, sw),
        };
    }
    sw |= denormal_operands(&[a]);
    // Precision control does not apply to stores: use full precision with the store's width.
    let (r, f) = run_rounding(cw | 0x300, || {
        // SAFETY: pure SoftFloat conversions on a value.
        unsafe {
            if bits == 32 {
                u64::from(sf::extF80_to_f32(to_sf(a)).v)
            } else {
                sf::extF80_to_f64(to_sf(a)).v
            }
        }
    });
    (r, sw | f)
}

/// FIST/FISTP (`truncate`: FISTTP) to a `bits`-bit integer; out of range or NaN gives the
/// integer indefinite (the most negative value).
pub(crate) fn to_int(a: F80, bits: u32, truncate: bool, cw: u64) -> (u64, u64) {
    let indefinite = 1u64 << (bits - 1);
    if is_nan(a) || is_unsupported(a) {
        return (indefinite, SW_IE);
    }
    let cw = if truncate { cw | 0xc00 } else { cw };
    let (r, mut f) = run_rounding(cw, || {
        // SAFETY: pure SoftFloat conversion on a value.
        unsafe { sf::extF80_to_i64(to_sf(a), sf::softfloat_roundingMode_read_helper(), true) }
    });
    let fits = bits == 64 || (r >= -(1i64 << (bits - 1)) && r < 1i64 << (bits - 1));
    if f & SW_IE != 0 || !fits {
        f = (f & !(SW_PE | SW_C1)) | SW_IE;
        return (indefinite, f);
    }
    (r as u64 & (u64::MAX >> (64 - bits)), f)
}

/// FCOM/FUCOM: the ordering as (ZF/C3, PF/C2, CF/C0) bits of EFLAGS; `sw` gets IE for
/// signaling NaNs (any NaN when `signaling`).
pub(crate) fn compare(a: F80, b: F80, signaling: bool, sw: &mut u64) -> u64 {
    use crate::x86_64::flags::{CF, PF, ZF};
    if [a, b].iter().any(|&v| is_nan(v) || is_unsupported(v)) {
        let snan = [a, b]
            .iter()
            .any(|&v| is_unsupported(v) || (is_nan(v) && v[0] & 1 << 62 == 0));
        if signaling || snan {
            *sw |= SW_IE;
        }
        return ZF | PF | CF;
    }
    *sw |= denormal_operands(&[a, b]);
    // SAFETY: pure SoftFloat comparisons on values.
    let (lt, eq) = unsafe {
        (
            sf::extF80_lt_quiet(to_sf(a), to_sf(b)),
            sf::extF80_eq(to_sf(a), to_sf(b)),
        )
    };
    if eq {
        ZF
    } else if lt {
        CF
    } else {
        0
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

/// Widen a binary format value (`exp_bits`, `frac_bits`) to 80 bits (exact).
pub(crate) fn widen(bits: u64, exp_bits: u32, frac_bits: u32) -> F80 {
    let sign = (bits >> (exp_bits + frac_bits)) & 1;
    let exp = (bits >> frac_bits) & ((1 << exp_bits) - 1);
    let frac = bits & ((1 << frac_bits) - 1);
    let bias = (1u64 << (exp_bits - 1)) - 1;
    let s = sign << 15;
    if exp == (1 << exp_bits) - 1 {
        // Infinity, or a NaN (payload kept, left-aligned, quieted as FLD does).
        let quiet = if frac != 0 { 1 << 62 } else { 0 };
        return [1 << 63 | quiet | frac << (63 - frac_bits), s | 0x7fff];
    }
    if exp == 0 {
        if frac == 0 {
            return [0, s];
        }
        // Denormal: frac * 2^(1 - bias - frac_bits), normalized to bit 63.
        let shift = u64::from(frac.leading_zeros());
        let exp80 = 16383 + 63 + 1 - bias - u64::from(frac_bits) - shift;
        return [frac << shift, s | exp80];
    }
    [1 << 63 | frac << (63 - frac_bits), s | (exp + 16383 - bias)]
}

/// An integer as an 80-bit value (exact).
pub(crate) fn from_int(v: i64) -> F80 {
    if v == 0 {
        return [0, 0];
    }
    let sign = if v < 0 { 0x8000 } else { 0 };
    let mag = v.unsigned_abs();
    let shift = mag.leading_zeros();
    [mag << shift, sign | (16383 + 63 - u64::from(shift))]
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
        assert_eq!(sw, SW_PE | SW_C1, "inexact, rounded up");
        assert_eq!(to_float(third, 64, cw).0, (1.0f64 / 3.0).to_bits());
        assert_eq!(arith(1, ONE, ONE, cw).0, [0, 0]);
        let inf: F80 = [1 << 63, 0x7fff];
        assert_eq!(arith(1, inf, inf, cw), (INDEFINITE, SW_IE));
        assert_eq!(to_int(THREE, 16, false, cw), (3, 0));
        assert_eq!(to_int(inf, 32, false, cw), (1 << 31, SW_IE));
    }
}
