//! Generic conversions between floats and integers (RISC-V FCVT semantics: NaN gives the
//! largest positive value, out-of-range inputs saturate, NV on invalid, NX on inexact), and
//! between binary32 and binary64.
//!
//! Integer operands and results travel as raw bits: 32-bit integers as `u32`, 64-bit integers
//! as `u64`, whatever their signedness. On RV64 the caller sign-extends 32-bit results.

use softfloat_sys as sf;

use crate::format::Format;
use crate::{run, run_exact, Flags, RoundingMode};

/// FCVT.W: to signed 32-bit.
pub(crate) fn to_i32<F: Format>(a: F::Bits, rm: RoundingMode) -> (u32, Flags) {
    run(rm, || F::to_i32(a, rm as u8) as u32)
}

/// FCVT.WU: to unsigned 32-bit.
pub(crate) fn to_u32<F: Format>(a: F::Bits, rm: RoundingMode) -> (u32, Flags) {
    run(rm, || F::to_u32(a, rm as u8))
}

/// FCVT.L: to signed 64-bit.
pub(crate) fn to_i64<F: Format>(a: F::Bits, rm: RoundingMode) -> (u64, Flags) {
    run(rm, || F::to_i64(a, rm as u8) as u64)
}

/// FCVT.LU: to unsigned 64-bit.
pub(crate) fn to_u64<F: Format>(a: F::Bits, rm: RoundingMode) -> (u64, Flags) {
    run(rm, || F::to_u64(a, rm as u8))
}

/// FCVT.*.W: from signed 32-bit.
pub(crate) fn from_i32<F: Format>(a: u32, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::from_i32(a as i32))
}

/// FCVT.*.WU: from unsigned 32-bit.
pub(crate) fn from_u32<F: Format>(a: u32, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::from_u32(a))
}

/// FCVT.*.L: from signed 64-bit.
pub(crate) fn from_i64<F: Format>(a: u64, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::from_i64(a as i64))
}

/// FCVT.*.LU: from unsigned 64-bit.
pub(crate) fn from_u64<F: Format>(a: u64, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::from_u64(a))
}

/// FCVT.D.S: widen binary32 to binary64 (exact; NV for a signaling NaN; NaN gives the
/// canonical NaN).
pub fn f32_to_f64(a: u32) -> (u64, Flags) {
    // SAFETY: pure apart from SoftFloat's thread-local flags.
    run_exact(|| unsafe { sf::f32_to_f64(sf::float32_t { v: a }).v })
}

/// FCVT.S.D: narrow binary64 to binary32, rounding with `rm`.
pub fn f64_to_f32(a: u64, rm: RoundingMode) -> (u32, Flags) {
    // SAFETY: pure apart from SoftFloat's thread-local rounding mode and flags.
    run(rm, || unsafe { sf::f64_to_f32(sf::float64_t { v: a }).v })
}
