//! x87 80-bit floating point (the x86 FPU that glibc's `long double` and libm use) on
//! SoftFloat's `extF80`, with the x87's own rules: rounding control (control word bits 11:10)
//! and precision control (bits 9:8: results rounded to 24, 53 or 64 significand bits),
//! tininess detected after rounding, the NaN propagation of the Intel SDM (table 4-7: a QNaN
//! operand wins over an SNaN, of two NaNs of one kind the larger significand wins, ties go to
//! the positive one; SNaNs are quieted and raise IE), the "real indefinite" default NaN
//! (`0xFFFF_C000000000000000`) for invalid operations, unsupported encodings (unnormals,
//! pseudo-infinities, pseudo-NaNs) rejected as invalid operands, the denormal-operand flag DE,
//! and the status-word flag layout (IE 0x01, DE 0x02, ZE 0x04, OE 0x08, UE 0x10, PE 0x20).
//!
//! Operations return the result with the flags they raise (and C1 when an inexact result was
//! rounded up); the caller ORs them into the status word. Exceptions are assumed masked (the
//! control word's defaults, which Linux programs keep): unmasked-exception traps (#MF) are not
//! modelled. `FPREM`/`FPREM1`, `FSCALE` and `FXTRACT` are in `x87/scale.rs`, the
//! transcendental instructions (computed in binary128 and rounded once) in
//! `x87/transcendental.rs` on the elementary functions of `x87/quad.rs`.

use softfloat_sys as sf;

/// Status-word exception flags.
pub const IE: u16 = 0x01;
pub const DE: u16 = 0x02;
pub const ZE: u16 = 0x04;
pub const OE: u16 = 0x08;
pub const UE: u16 = 0x10;
pub const PE: u16 = 0x20;
/// Condition code C1 after a rounding operation: the inexact result was rounded up (away from
/// zero).
pub const C1: u16 = 0x200;
/// Condition codes C0, C2 (incomplete reduction, operand out of range) and C3.
pub const C0: u16 = 0x100;
pub const C2: u16 = 0x400;
pub const C3: u16 = 0x4000;

mod quad;
mod scale;
mod transcendental;

pub use scale::{fscale, fxtract, prem};
pub use transcendental::{f2xm1, fcos, fpatan, fptan, fsin, fsincos, fyl2x, fyl2xp1, TrigResult};

/// The control word's power-up value (all exceptions masked, 64-bit precision, round to
/// nearest), as `FNINIT` sets it.
pub const DEFAULT_CONTROL: u16 = 0x037f;

/// An 80-bit extended value: the 64-bit significand with its explicit integer bit, and the
/// sign bit above the 15-bit exponent (the memory layout: significand first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct F80 {
    pub signif: u64,
    pub sign_exp: u16,
}

const EXP_MAX: u16 = 0x7fff;
const INT_BIT: u64 = 1 << 63;
const QUIET_BIT: u64 = 1 << 62;

impl F80 {
    /// The x87 default NaN ("real indefinite").
    pub const INDEFINITE: F80 = F80 {
        signif: 0xc000_0000_0000_0000,
        sign_exp: 0xffff,
    };

    /// The 10 bytes of memory holding this value.
    pub fn to_bytes(self) -> [u8; 10] {
        let mut b = [0u8; 10];
        b[..8].copy_from_slice(&self.signif.to_le_bytes());
        b[8..].copy_from_slice(&self.sign_exp.to_le_bytes());
        b
    }

    pub fn from_bytes(b: [u8; 10]) -> F80 {
        let mut signif = [0u8; 8];
        signif.copy_from_slice(&b[..8]);
        F80 {
            signif: u64::from_le_bytes(signif),
            sign_exp: u16::from_le_bytes([b[8], b[9]]),
        }
    }

    fn exp(self) -> u16 {
        self.sign_exp & EXP_MAX
    }

    fn negative(self) -> bool {
        self.sign_exp & 0x8000 != 0
    }

    pub fn is_nan(self) -> bool {
        self.exp() == EXP_MAX && self.signif & INT_BIT != 0 && self.signif << 1 != 0
    }

    pub fn is_signaling_nan(self) -> bool {
        self.is_nan() && self.signif & QUIET_BIT == 0
    }

    /// 1.0.
    pub const ONE: F80 = F80 {
        signif: INT_BIT,
        sign_exp: 0x3fff,
    };

    fn is_zero(self) -> bool {
        self.exp() == 0 && self.signif == 0
    }

    fn is_infinite(self) -> bool {
        self.exp() == EXP_MAX && self.signif << 1 == 0
    }

    /// `self` with the sign `negative`.
    fn with_sign(self, negative: bool) -> F80 {
        F80 {
            sign_exp: (self.sign_exp & EXP_MAX) | if negative { 0x8000 } else { 0 },
            ..self
        }
    }

    /// A denormal (or pseudo-denormal) operand: zero exponent, non-zero significand.
    pub fn is_denormal(self) -> bool {
        self.exp() == 0 && self.signif != 0
    }

    /// Encodings the x87 rejects as operands since the 80387: a non-zero exponent with the
    /// integer bit clear (unnormals, pseudo-infinities, pseudo-NaNs).
    pub fn is_unsupported(self) -> bool {
        self.exp() != 0 && self.signif & INT_BIT == 0
    }

    fn quieted(self) -> F80 {
        F80 {
            signif: self.signif | QUIET_BIT,
            ..self
        }
    }

    /// SoftFloat's view; a pseudo-denormal (zero exponent, integer bit set) means the same
    /// value with exponent 1, which is how the x87 reads it.
    fn to_sf(self) -> sf::extFloat80_t {
        let pseudo_denormal = self.exp() == 0 && self.signif & INT_BIT != 0;
        sf::extFloat80M {
            signif: self.signif,
            signExp: self.sign_exp | u16::from(pseudo_denormal),
        }
    }

    fn from_sf(v: sf::extFloat80_t) -> F80 {
        F80 {
            signif: v.signif,
            sign_exp: v.signExp,
        }
    }
}

/// The control word an operation runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Control(pub u16);

impl Control {
    /// SoftFloat's rounding mode for the RC field (00 nearest, 01 down, 10 up, 11 toward 0).
    fn rounding(self) -> u8 {
        match (self.0 >> 10) & 3 {
            0 => sf::softfloat_round_near_even,
            1 => sf::softfloat_round_min,
            2 => sf::softfloat_round_max,
            _ => sf::softfloat_round_minMag,
        }
    }

    /// SoftFloat's `extF80_roundingPrecision` for the PC field (00 single, 10 double, 11
    /// extended; 01 is reserved and behaves as extended here).
    fn precision(self) -> u8 {
        match (self.0 >> 8) & 3 {
            0 => 32,
            2 => 64,
            _ => 80,
        }
    }
}

/// Runs `op` (SoftFloat calls) under `cw` with x86's tininess rule and no pending flags;
/// returns its result and the x87 flags it raised. The thread's SoftFloat modes are restored.
fn soft<T>(cw: Control, op: impl FnOnce() -> T) -> (T, u16) {
    let modes = crate::Modes {
        rounding: cw.rounding(),
        tininess: sf::softfloat_tininess_afterRounding,
        ext_precision: Some(cw.precision()),
    };
    let (r, raised) = crate::with_modes(modes, op);
    (r, x87_flags(raised))
}

/// [`soft`] for an operation that rounds: adds C1 when the inexact result differs from the
/// one rounded toward zero, i.e. it was rounded up in magnitude.
fn soft_rounding<T: PartialEq>(cw: Control, op: impl Fn() -> T) -> (T, u16) {
    let (r, flags) = soft(cw, &op);
    if flags & PE != 0 && soft(Control(cw.0 | 0xc00), &op).0 != r {
        return (r, flags | C1);
    }
    (r, flags)
}

/// SoftFloat's flags in the status-word layout.
fn x87_flags(raised: u8) -> u16 {
    [
        (sf::softfloat_flag_invalid, IE),
        (sf::softfloat_flag_infinite, ZE),
        (sf::softfloat_flag_overflow, OE),
        (sf::softfloat_flag_underflow, UE),
        (sf::softfloat_flag_inexact, PE),
    ]
    .iter()
    .filter(|(s, _)| raised & s != 0)
    .fold(0, |acc, (_, x)| acc | x)
}

/// The result of an operation on NaN or unsupported operands, if any: the propagated NaN
/// (SDM table 4-7) or the indefinite, with IE when an operand signals.
fn special_operands(ops: &[F80]) -> Option<(F80, u16)> {
    if ops.iter().any(|o| o.is_unsupported()) {
        return Some((F80::INDEFINITE, IE));
    }
    let signals = ops.iter().any(|o| o.is_signaling_nan());
    let ie = if signals { IE } else { 0 };
    let nans = ops.iter().copied().filter(|o| o.is_nan());
    let pick = nans.reduce(|a, b| {
        let (aq, bq) = (a.signif & QUIET_BIT != 0, b.signif & QUIET_BIT != 0);
        if aq != bq {
            return if aq { a } else { b };
        }
        match a.signif.cmp(&b.signif) {
            std::cmp::Ordering::Greater => a,
            std::cmp::Ordering::Less => b,
            std::cmp::Ordering::Equal if a.negative() => b,
            std::cmp::Ordering::Equal => a,
        }
    })?;
    Some((pick.quieted(), ie))
}

/// `flags` plus DE when an operand is denormal, unless the operation was invalid or a division
/// by zero (those take priority over the denormal exception, as the hardware reports).
fn with_denormal(flags: u16, ops: &[F80]) -> u16 {
    if flags & (IE | ZE) == 0 && ops.iter().any(|o| o.is_denormal()) {
        flags | DE
    } else {
        flags
    }
}

/// An arithmetic result: SoftFloat's NaN for an invalid operation becomes the indefinite.
fn arith_result(r: F80, flags: u16) -> F80 {
    if flags & IE != 0 && r.is_nan() {
        F80::INDEFINITE
    } else {
        r
    }
}

/// A two-operand arithmetic operation.
fn binary(
    cw: Control,
    a: F80,
    b: F80,
    op: unsafe extern "C" fn(sf::extFloat80_t, sf::extFloat80_t) -> sf::extFloat80_t,
) -> (F80, u16) {
    if let Some(r) = special_operands(&[a, b]) {
        return r;
    }
    // SAFETY: a pure SoftFloat function on plain values.
    let (r, flags) = soft_rounding(cw, || F80::from_sf(unsafe { op(a.to_sf(), b.to_sf()) }));
    (arith_result(r, flags), with_denormal(flags, &[a, b]))
}

pub fn add(cw: Control, a: F80, b: F80) -> (F80, u16) {
    binary(cw, a, b, sf::extF80_add)
}

pub fn sub(cw: Control, a: F80, b: F80) -> (F80, u16) {
    binary(cw, a, b, sf::extF80_sub)
}

pub fn mul(cw: Control, a: F80, b: F80) -> (F80, u16) {
    binary(cw, a, b, sf::extF80_mul)
}

pub fn div(cw: Control, a: F80, b: F80) -> (F80, u16) {
    binary(cw, a, b, sf::extF80_div)
}

pub fn sqrt(cw: Control, a: F80) -> (F80, u16) {
    if let Some(r) = special_operands(&[a]) {
        return r;
    }
    // SAFETY: a pure SoftFloat function on a plain value.
    let (r, flags) = soft_rounding(cw, || F80::from_sf(unsafe { sf::extF80_sqrt(a.to_sf()) }));
    (arith_result(r, flags), with_denormal(flags, &[a]))
}

/// `FRNDINT`: round to an integer value by the RC field (precision control does not apply).
pub fn round_to_int(cw: Control, a: F80) -> (F80, u16) {
    if let Some(r) = special_operands(&[a]) {
        return r;
    }
    let full = Control(cw.0 | 0x300);
    let (r, flags) = soft_rounding(full, || {
        // SAFETY: a pure SoftFloat function on a plain value, in the mode `soft` set.
        F80::from_sf(unsafe {
            sf::extF80_roundToInt(a.to_sf(), sf::softfloat_roundingMode_read_helper(), true)
        })
    });
    (arith_result(r, flags), with_denormal(flags, &[a]))
}

/// `FLD` of a `width`-bit binary float `v` with `frac_bits` fraction bits (SoftFloat's
/// `convert` does the conversion): exact; an SNaN is quieted with IE, a denormal sets DE.
fn load(
    v: u64,
    width: u32,
    frac_bits: u32,
    convert: impl FnOnce() -> sf::extFloat80_t,
) -> (F80, u16) {
    let exp_all = (1u64 << (width - 1 - frac_bits)) - 1;
    let exp = (v >> frac_bits) & exp_all;
    let frac = v & ((1 << frac_bits) - 1);
    let sign = ((v >> (width - 1)) as u16 & 1) << 15;
    if exp == exp_all && frac != 0 {
        let nan = F80 {
            signif: INT_BIT | frac << (63 - frac_bits),
            sign_exp: sign | EXP_MAX,
        };
        let ie = if nan.is_signaling_nan() { IE } else { 0 };
        return (nan.quieted(), ie);
    }
    let de = if exp == 0 && frac != 0 { DE } else { 0 };
    let (r, _) = soft(Control(DEFAULT_CONTROL), convert);
    (F80::from_sf(r), de)
}

/// `FLD m64fp`.
pub fn from_f64(v: u64) -> (F80, u16) {
    // SAFETY: a pure SoftFloat function on a plain value.
    load(v, 64, 52, || unsafe {
        sf::f64_to_extF80(sf::float64_t { v })
    })
}

/// `FLD m32fp`.
pub fn from_f32(v: u32) -> (F80, u16) {
    // SAFETY: a pure SoftFloat function on a plain value.
    load(u64::from(v), 32, 23, || unsafe {
        sf::f32_to_extF80(sf::float32_t { v })
    })
}

/// `FST` to a `width`-bit binary float with `frac_bits` fraction bits (stores never raise
/// DE): rounded by RC through SoftFloat's `convert`; a NaN keeps its sign and top payload
/// bits (quieted); an unsupported encoding stores the format's indefinite with IE.
fn store(
    cw: Control,
    a: F80,
    width: u32,
    frac_bits: u32,
    convert: impl Fn(sf::extFloat80_t) -> u64,
) -> (u64, u16) {
    let sign = u64::from(a.negative()) << (width - 1);
    let exp_all = ((1u64 << (width - 1 - frac_bits)) - 1) << frac_bits;
    let quiet = 1u64 << (frac_bits - 1);
    if a.is_unsupported() {
        return (1 << (width - 1) | exp_all | quiet, IE);
    }
    if a.is_nan() {
        let ie = if a.is_signaling_nan() { IE } else { 0 };
        let payload = (a.quieted().signif << 1) >> (64 - frac_bits);
        return (sign | exp_all | payload, ie);
    }
    soft_rounding(cw, || convert(a.to_sf()))
}

/// `FST m64fp`.
pub fn to_f64(cw: Control, a: F80) -> (u64, u16) {
    // SAFETY: a pure SoftFloat function on a plain value.
    store(cw, a, 64, 52, |x| unsafe { sf::extF80_to_f64(x).v })
}

/// `FST m32fp`.
pub fn to_f32(cw: Control, a: F80) -> (u32, u16) {
    // SAFETY: a pure SoftFloat function on a plain value.
    let (v, flags) = store(cw, a, 32, 23, |x| unsafe {
        u64::from(sf::extF80_to_f32(x).v)
    });
    (v as u32, flags)
}

/// `FILD`: exact for every 16-, 32- and 64-bit integer.
pub fn from_i64(v: i64) -> F80 {
    // SAFETY: a pure SoftFloat function on a plain value.
    let (r, _) = soft(Control(DEFAULT_CONTROL), || unsafe { sf::i64_to_extF80(v) });
    F80::from_sf(r)
}

/// `FIST`/`FISTP` to a `bits`-wide integer (16, 32 or 64), rounded by RC, or with
/// `truncate` toward zero (`FISTTP`). NaNs, infinities and out-of-range values give the
/// integer indefinite (the most negative value) with IE.
pub fn to_int(cw: Control, a: F80, bits: u32, truncate: bool) -> (i64, u16) {
    let indefinite = i64::MIN >> (64 - bits);
    if a.is_unsupported() || a.is_nan() {
        return (indefinite, IE);
    }
    let cw = if truncate { Control(cw.0 | 0xc00) } else { cw };
    // SAFETY: a pure SoftFloat function on a plain value, in the mode `soft` set.
    let (r, flags) = soft_rounding(cw, || unsafe {
        sf::extF80_to_i64(a.to_sf(), sf::softfloat_roundingMode_read_helper(), true)
    });
    let fits = r >= indefinite && r <= !indefinite;
    if flags & IE != 0 || !fits {
        return (indefinite, IE);
    }
    (r, flags)
}

/// The outcome of `FCOM`/`FUCOM`/`FCOMI`/`FUCOMI`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Less,
    Equal,
    Greater,
    Unordered,
}

/// Compare `a` with `b`. `quiet` (`FUCOM*`) raises IE only for SNaNs; `FCOM*` for any NaN.
pub fn compare(a: F80, b: F80, quiet: bool) -> (Compare, u16) {
    let ops = [a, b];
    if ops.iter().any(|o| o.is_unsupported() || o.is_nan()) {
        let signals = ops
            .iter()
            .any(|o| o.is_signaling_nan() || o.is_unsupported());
        let ie = if signals || !quiet { IE } else { 0 };
        return (Compare::Unordered, ie);
    }
    // SAFETY: pure SoftFloat functions on plain values.
    let ((lt, eq), _) = soft(Control(DEFAULT_CONTROL), || unsafe {
        (
            sf::extF80_lt_quiet(a.to_sf(), b.to_sf()),
            sf::extF80_eq(a.to_sf(), b.to_sf()),
        )
    });
    let c = if lt {
        Compare::Less
    } else if eq {
        Compare::Equal
    } else {
        Compare::Greater
    };
    (c, with_denormal(0, &ops))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod transcendental_tests;
