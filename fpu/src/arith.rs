//! Generic arithmetic (add, sub, mul, div, sqrt, fused multiply-add) over any [`Format`], with
//! an explicit rounding mode and the raised flags returned.

use crate::format::Format;
use crate::{run, Flags, RoundingMode};

/// `a + b`.
pub(crate) fn add<F: Format>(a: F::Bits, b: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::add(a, b))
}

/// `a - b`.
pub(crate) fn sub<F: Format>(a: F::Bits, b: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::sub(a, b))
}

/// `a * b`.
pub(crate) fn mul<F: Format>(a: F::Bits, b: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::mul(a, b))
}

/// `a / b`.
pub(crate) fn div<F: Format>(a: F::Bits, b: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::div(a, b))
}

/// Square root of `a`.
pub(crate) fn sqrt<F: Format>(a: F::Bits, rm: RoundingMode) -> (F::Bits, Flags) {
    run(rm, || F::sqrt(a))
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
    run(rm, || F::mul_add(a, b, c))
}
