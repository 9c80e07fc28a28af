//! Generic arithmetic (add, sub, mul, div, sqrt, fused multiply-add) over any [`Format`], with
//! an explicit rounding mode and the raised flags returned. Each operation tries the
//! hardfloat fast path (`fast.rs`) first and runs SoftFloat when it declines.

use crate::fast;
use crate::format::Format;
use crate::{run, Flags, RoundingMode};

/// The fast path's answer in raw bits.
fn bits<F: Format>(r: Option<(F::Host, Flags)>) -> Option<(F::Bits, Flags)> {
    r.map(|(h, f)| (F::from_host(h), f))
}

/// `a + b`.
pub(crate) fn add<F: Format>(a: F::Bits, b: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    bits::<F>(fast::add(F::to_host(a), F::to_host(b), rm))
        .unwrap_or_else(|| run(rm, || F::add(a, b)))
}

/// `a - b`.
pub(crate) fn sub<F: Format>(a: F::Bits, b: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    bits::<F>(fast::sub(F::to_host(a), F::to_host(b), rm))
        .unwrap_or_else(|| run(rm, || F::sub(a, b)))
}

/// `a * b`.
pub(crate) fn mul<F: Format>(a: F::Bits, b: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    bits::<F>(fast::mul(F::to_host(a), F::to_host(b), rm))
        .unwrap_or_else(|| run(rm, || F::mul(a, b)))
}

/// `a / b`.
pub(crate) fn div<F: Format>(a: F::Bits, b: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    bits::<F>(fast::div(F::to_host(a), F::to_host(b), rm))
        .unwrap_or_else(|| run(rm, || F::div(a, b)))
}

/// Square root of `a`.
pub(crate) fn sqrt<F: Format>(a: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    bits::<F>(fast::sqrt(F::to_host(a), rm)).unwrap_or_else(|| run(rm, || F::sqrt(a)))
}

/// Fused `a * b + c` with a single rounding. Callers build FMSUB/FNMADD/FNMSUB by flipping the
/// sign bits of `b`/`c` (RISC-V negates the operands, not the result, so NaN results stay
/// canonical).
pub(crate) fn mul_add<F: Format>(
    a: F::Bits,
    b: F::Bits,
    c: F::Bits,
    rm: RoundingMode,
) -> (F::Bits, Flags) {
    let fast = fast::mul_add(F::to_host(a), F::to_host(b), F::to_host(c), rm);
    bits::<F>(fast).unwrap_or_else(|| run(rm, || F::mul_add(a, b, c)))
}
