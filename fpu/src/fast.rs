//! Hardfloat fast paths: the common case of IEEE arithmetic computed with the host's own
//! floating point, with the exact result and exact flags, so most guest FP operations never
//! reach SoftFloat (QEMU's `hardfloat` idea, made flag-exact without relying on the guest's
//! sticky inexact bit).
//!
//! A fast path applies only when the answer cannot depend on anything but IEEE's basic
//! round-to-nearest-even operation: the mode is RNE; every operand is zero or normal (no NaN,
//! infinity or subnormal, so no arch's NaN rules or flush-to-zero / denormals-are-zero
//! setting can matter); and the result is zero or comfortably normal (no overflow, no
//! underflow, no tininess question). Then the host's result is the correctly rounded one, the
//! only possible flag is inexact, and inexactness is decided exactly with error-free
//! transformations (TwoSum; the FMA residual `fma(a, b, -p)`; `a - q·b` for division;
//! `a - r²` for the square root; Boldo–Muller's ErrFma for the fused multiply-add), which are
//! exact in the magnitude band the checks enforce. Anything else returns `None` and the
//! caller runs SoftFloat.
//!
//! `fast` tests compare every path with SoftFloat on random and crafted operands.

use crate::{Flags, RoundingMode};

/// Host arithmetic on one binary format.
pub(crate) trait HostFloat: Copy + PartialEq + PartialOrd {
    const ZERO: Self;
    /// Smallest magnitude (besides zero) allowed for operands and results: far enough above
    /// the subnormal range that every residual computed below is exact.
    const LOW: Self;
    /// Largest magnitude allowed for operands, products and results.
    const HIGH: Self;
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn div(self, b: Self) -> Self;
    fn sqrt(self) -> Self;
    fn fma(self, b: Self, c: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    /// From / to raw bits widened to `u64`.
    fn from_raw(bits: u64) -> Self;
    fn to_raw(self) -> u64;
}

macro_rules! host_float {
    ($t:ty, low: $low:expr, high: $high:expr) => {
        impl HostFloat for $t {
            const ZERO: Self = 0.0;
            const LOW: Self = $low;
            const HIGH: Self = $high;
            fn add(self, b: Self) -> Self {
                self + b
            }
            fn sub(self, b: Self) -> Self {
                self - b
            }
            fn mul(self, b: Self) -> Self {
                self * b
            }
            fn div(self, b: Self) -> Self {
                self / b
            }
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            // Inlined into the callers, which `with_fma!` compiles for the FMA extension
            // when the CPU has it; elsewhere an exact software fused multiply-add.
            #[inline(always)]
            fn fma(self, b: Self, c: Self) -> Self {
                self.mul_add(b, c)
            }
            fn neg(self) -> Self {
                -self
            }
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            fn from_raw(bits: u64) -> Self {
                <$t>::from_bits(bits as _)
            }
            fn to_raw(self) -> u64 {
                u64::from(self.to_bits())
            }
        }
    };
}

// binary64: residuals of products down to 2^-450 · 2^-450 · 2^-106 stay normal.
host_float!(f64, low: f64::from_bits((1023 - 450) << 52), high: f64::from_bits((1023 + 450) << 52));
// binary32: 2^-30 · 2^-30 · 2^-48 = 2^-108 is normal.
host_float!(f32, low: f32::from_bits((127 - 30) << 23), high: f32::from_bits((127 + 30) << 23));

/// Calls `$f(args)` compiled for the FMA extension when the x86-64 CPU has it (so the
/// residuals' fused multiply-adds are single instructions), else as it is.
macro_rules! with_fma {
    ($f:ident::<$h:ident>($($arg:ident),*; $rm:ident)) => {{
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("fma") {
            #[target_feature(enable = "fma")]
            fn fused<$h: HostFloat>($($arg: $h,)* $rm: RoundingMode) -> Option<($h, Flags)> {
                $f::<$h>($($arg,)* $rm)
            }
            // SAFETY: the CPU has the FMA extension (checked just above).
            return unsafe { fused::<$h>($($arg,)* $rm) };
        }
        $f::<$h>($($arg,)* $rm)
    }};
}

/// `x` is zero or inside the allowed magnitude band.
fn in_band<H: HostFloat>(x: H) -> bool {
    let m = x.abs();
    m == H::ZERO || (m >= H::LOW && m <= H::HIGH)
}

/// `x` is inside the band and not zero.
fn nonzero_in_band<H: HostFloat>(x: H) -> bool {
    x != H::ZERO && in_band(x)
}

/// The result with its flag: inexact when the residual is not zero.
fn finish<H: HostFloat>(r: H, inexact: bool) -> Option<(H, Flags)> {
    Some((r, if inexact { Flags::NX } else { Flags::NONE }))
}

/// TwoSum: `s + e == a + b` exactly.
fn two_sum<H: HostFloat>(a: H, b: H) -> (H, H) {
    let s = a.add(b);
    let bb = s.sub(a);
    let e = a.sub(s.sub(bb)).add(b.sub(bb));
    (s, e)
}

pub(crate) fn add<H: HostFloat>(a: H, b: H, rm: RoundingMode) -> Option<(H, Flags)> {
    if rm != RoundingMode::NearestEven || !in_band(a) || !in_band(b) {
        return None;
    }
    let (s, e) = two_sum(a, b);
    // An exact cancellation gives zero; otherwise the sum of two banded values is either
    // banded or tiny (then SoftFloat decides).
    if !(s == H::ZERO || nonzero_in_band(s)) {
        return None;
    }
    finish(s, e != H::ZERO)
}

pub(crate) fn sub<H: HostFloat>(a: H, b: H, rm: RoundingMode) -> Option<(H, Flags)> {
    add(a, b.neg(), rm)
}

pub(crate) fn mul<H: HostFloat>(a: H, b: H, rm: RoundingMode) -> Option<(H, Flags)> {
    with_fma!(mul_impl::<H>(a, b; rm))
}

#[inline(always)]
fn mul_impl<H: HostFloat>(a: H, b: H, rm: RoundingMode) -> Option<(H, Flags)> {
    if rm != RoundingMode::NearestEven || !in_band(a) || !in_band(b) {
        return None;
    }
    let p = a.mul(b);
    if p == H::ZERO {
        // A zero operand (banded nonzero operands cannot underflow to zero).
        return finish(p, false);
    }
    if !nonzero_in_band(p) {
        return None;
    }
    finish(p, a.fma(b, p.neg()) != H::ZERO)
}

pub(crate) fn div<H: HostFloat>(a: H, b: H, rm: RoundingMode) -> Option<(H, Flags)> {
    with_fma!(div_impl::<H>(a, b; rm))
}

#[inline(always)]
fn div_impl<H: HostFloat>(a: H, b: H, rm: RoundingMode) -> Option<(H, Flags)> {
    if rm != RoundingMode::NearestEven || !in_band(a) || !nonzero_in_band(b) {
        return None;
    }
    let q = a.div(b);
    if q == H::ZERO {
        return finish(q, false);
    }
    if !nonzero_in_band(q) {
        return None;
    }
    finish(q, q.neg().fma(b, a) != H::ZERO)
}

pub(crate) fn sqrt<H: HostFloat>(a: H, rm: RoundingMode) -> Option<(H, Flags)> {
    with_fma!(sqrt_impl::<H>(a; rm))
}

#[inline(always)]
fn sqrt_impl<H: HostFloat>(a: H, rm: RoundingMode) -> Option<(H, Flags)> {
    if rm != RoundingMode::NearestEven || !in_band(a) || a < H::ZERO {
        return None;
    }
    let r = a.sqrt();
    finish(r, r.neg().fma(r, a) != H::ZERO)
}

/// Fused `a * b + c`, inexactness by ErrFma (Boldo & Muller, "Exact and approximated error
/// of the FMA", 2011): `a·b + c = r + r2 + r3` exactly.
pub(crate) fn mul_add<H: HostFloat>(a: H, b: H, c: H, rm: RoundingMode) -> Option<(H, Flags)> {
    with_fma!(mul_add_impl::<H>(a, b, c; rm))
}

#[inline(always)]
fn mul_add_impl<H: HostFloat>(a: H, b: H, c: H, rm: RoundingMode) -> Option<(H, Flags)> {
    if rm != RoundingMode::NearestEven || !in_band(a) || !in_band(b) || !in_band(c) {
        return None;
    }
    let u1 = a.mul(b);
    if u1 == H::ZERO {
        // A zero factor: the sum `±0 + c`, exact (its zero sign is the host's IEEE one).
        return finish(a.fma(b, c), false);
    }
    let r = a.fma(b, c);
    if !nonzero_in_band(u1) || !(r == H::ZERO || nonzero_in_band(r)) {
        return None;
    }
    let u2 = a.fma(b, u1.neg());
    let (alpha1, z) = two_sum(c, u2);
    let (beta1, beta2) = two_sum(u1, alpha1);
    let gamma = beta1.sub(r).add(beta2);
    // Fast2Sum(gamma, z): r2 + r3 == gamma + z exactly.
    let r2 = gamma.add(z);
    let r3 = z.sub(r2.sub(gamma));
    finish(r, r2 != H::ZERO || r3 != H::ZERO)
}

/// A basic operation, for callers that choose it at run time (the Arm module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    Div,
    /// Of the first operand.
    Sqrt,
    /// `a * b + c`.
    MulAdd,
}

/// `op` on raw operands (bits widened to `u64`) of the format `H`.
pub(crate) fn apply<H: HostFloat>(
    op: Op,
    [a, b, c]: [u64; 3],
    rm: RoundingMode,
) -> Option<(u64, Flags)> {
    let (a, b, c) = (H::from_raw(a), H::from_raw(b), H::from_raw(c));
    let r = match op {
        Op::Add => add(a, b, rm),
        Op::Sub => sub(a, b, rm),
        Op::Mul => mul(a, b, rm),
        Op::Div => div(a, b, rm),
        Op::Sqrt => sqrt(a, rm),
        Op::MulAdd => mul_add(a, b, c, rm),
    };
    r.map(|(h, f)| (h.to_raw(), f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Format, F32, F64};
    use crate::run;

    /// xorshift64*.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        /// A random value: mostly ordinary magnitudes, some short significands (exact
        /// results), some extreme exponents, zeros, subnormals, infinities and NaNs.
        fn value<F: Format>(&mut self, exp_bits: u32, frac_bits: u32) -> u64 {
            let r = self.next();
            let bias = (1u64 << (exp_bits - 1)) - 1;
            let sign = (r >> 63) << (exp_bits + frac_bits);
            let frac_mask = (1u64 << frac_bits) - 1;
            let frac = match r % 5 {
                0 => self.next() & frac_mask & !((1 << (frac_bits - 4)) - 1),
                _ => self.next() & frac_mask,
            };
            let exp = match (r >> 8) % 16 {
                0 => 0,
                1 => (1 << exp_bits) - 1,
                2 => self.next() % (1 << exp_bits),
                _ => bias - 40 + (self.next() % 80),
            };
            let v = sign | exp << frac_bits | frac;
            if (r >> 16).is_multiple_of(50) {
                sign
            } else {
                v
            }
        }
    }

    /// An operation's name, its fast answer and SoftFloat's.
    type Compared<F> = (
        &'static str,
        Option<(<F as Format>::Host, Flags)>,
        (<F as Format>::Bits, Flags),
    );

    /// Every fast answer equals SoftFloat's; returns how many operations took the fast path.
    fn check<F: Format>(exp_bits: u32, frac_bits: u32, n: usize) -> usize
    where
        F::Bits: TryFrom<u64> + std::fmt::Debug + PartialEq,
        <F::Bits as TryFrom<u64>>::Error: std::fmt::Debug,
    {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut hits = 0;
        let bits = |v: u64| F::Bits::try_from(v).unwrap();
        for i in 0..n {
            let (a, b, c) = (
                rng.value::<F>(exp_bits, frac_bits),
                rng.value::<F>(exp_bits, frac_bits),
                rng.value::<F>(exp_bits, frac_bits),
            );
            // Exact cases: integers and a cancellation.
            let (a, b, c) = match i % 7 {
                0 => (
                    F::from_host(F::to_host(bits(a))).into(),
                    b,
                    (F::from_host(F::to_host(bits(a))).into()) ^ (1 << (exp_bits + frac_bits)),
                ),
                _ => (a, b, c),
            };
            let (a, b, c) = (bits(a), bits(b), bits(c));
            let rm = RoundingMode::ALL[(i / 7) % 5];
            let (ha, hb, hc) = (F::to_host(a), F::to_host(b), F::to_host(c));
            let cases: [Compared<F>; 6] = [
                ("add", add(ha, hb, rm), run(rm, || F::add(a, b))),
                ("sub", sub(ha, hb, rm), run(rm, || F::sub(a, b))),
                ("mul", mul(ha, hb, rm), run(rm, || F::mul(a, b))),
                ("div", div(ha, hb, rm), run(rm, || F::div(a, b))),
                ("sqrt", sqrt(ha, rm), run(rm, || F::sqrt(a))),
                (
                    "fma",
                    mul_add(ha, hb, hc, rm),
                    run(rm, || F::mul_add(a, b, c)),
                ),
            ];
            for (name, fast, soft) in cases {
                if let Some((r, f)) = fast {
                    hits += 1;
                    assert_eq!(
                        (F::from_host(r), f.0),
                        (soft.0, soft.1 .0),
                        "{name} {a:?} {b:?} {c:?} {rm:?}"
                    );
                }
            }
        }
        hits
    }

    #[test]
    fn binary64_fast_paths_match_softfloat() {
        let n = 200_000;
        let hits = check::<F64>(11, 52, n);
        // Round to nearest is a fifth of the cases; most of those take the fast path.
        assert!(hits > n * 6 / 5 / 2, "only {hits} fast answers");
    }

    #[test]
    fn binary32_fast_paths_match_softfloat() {
        let n = 200_000;
        let hits = check::<F32>(8, 23, n);
        // The binary32 band is narrower (2^-30..2^30) than the generated exponents.
        assert!(hits > n / 4, "only {hits} fast answers");
    }

    #[test]
    fn exact_and_inexact_products_and_quotients() {
        let rne = RoundingMode::NearestEven;
        assert_eq!(mul(3.0f64, 0.5, rne), Some((1.5, Flags::NONE)));
        assert_eq!(mul(0.1f64, 3.0, rne).map(|r| r.1), Some(Flags::NX));
        assert_eq!(div(1.0f64, 4.0, rne), Some((0.25, Flags::NONE)));
        assert_eq!(div(1.0f64, 3.0, rne).map(|r| r.1), Some(Flags::NX));
        assert_eq!(sqrt(2.25f64, rne), Some((1.5, Flags::NONE)));
        assert_eq!(mul_add(2.0f64, 3.0, -6.0, rne), Some((0.0, Flags::NONE)));
        assert_eq!(
            mul_add(0.1f64, 10.0, -1.0, rne),
            Some((2f64.powi(-54), Flags::NONE))
        );
        assert_eq!(mul_add(0.1f64, 3.0, 1.0, rne).map(|r| r.1), Some(Flags::NX));
        assert_eq!(add(1e300f64, 1e300, rne), None, "out of the band");
        assert_eq!(div(1.0f64, 0.0, rne), None, "division by zero");
        assert_eq!(
            add(1.0f64, 2.0, RoundingMode::Up),
            None,
            "not round to nearest"
        );
    }
}
