//! The per-format glue: the [`Format`] trait describes one IEEE binary format (its bit layout
//! and the SoftFloat entry points that operate on it) so that everything else in the crate is
//! written once, generically. [`F32`] and [`F64`] implement it through one macro, which is the
//! only place that calls SoftFloat's per-width functions.
//!
//! The trait methods assume the caller has set the rounding mode and cleared the flags (see
//! [`crate::run`]); they only make the raw calls.

use softfloat_sys as sf;

/// One IEEE binary interchange format. Bit patterns are widened to `u64` for the generic
/// bit-level logic (classification, NaN tests).
pub(crate) trait Format {
    /// The raw bit representation (`u32` or `u64`).
    type Bits: Copy + Into<u64>;
    /// The host's type of the same format (for the hardfloat fast paths).
    type Host: crate::fast::HostFloat;

    fn to_host(a: Self::Bits) -> Self::Host;
    fn from_host(h: Self::Host) -> Self::Bits;

    /// The sign bit.
    const SIGN: u64;
    /// The biased-exponent field.
    const EXP: u64;
    /// The fraction (trailing significand) field.
    const FRAC: u64;
    /// The most significant fraction bit: set for quiet NaNs, clear for signaling NaNs.
    const QUIET: u64;
    /// The RISC-V canonical NaN.
    const CANONICAL_NAN: Self::Bits;

    fn add(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    fn sub(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    fn mul(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    fn div(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    fn sqrt(a: Self::Bits) -> Self::Bits;
    /// Fused `a * b + c`.
    fn mul_add(a: Self::Bits, b: Self::Bits, c: Self::Bits) -> Self::Bits;

    /// Quiet equality (NV only for signaling NaNs).
    fn eq(a: Self::Bits, b: Self::Bits) -> bool;
    /// Signaling less-than (NV for any NaN).
    fn lt(a: Self::Bits, b: Self::Bits) -> bool;
    /// Signaling less-or-equal (NV for any NaN).
    fn le(a: Self::Bits, b: Self::Bits) -> bool;
    /// Quiet less-than (NV only for signaling NaNs).
    fn lt_quiet(a: Self::Bits, b: Self::Bits) -> bool;

    /// Conversions to integers in rounding mode `rm`, raising NX when inexact; out-of-range and
    /// NaN inputs give the RISC-V saturated values and raise NV.
    fn to_i32(a: Self::Bits, rm: u8) -> i32;
    fn to_u32(a: Self::Bits, rm: u8) -> u32;
    fn to_i64(a: Self::Bits, rm: u8) -> i64;
    fn to_u64(a: Self::Bits, rm: u8) -> u64;

    /// Conversions from integers, rounding with the current mode.
    fn from_i32(a: i32) -> Self::Bits;
    fn from_u32(a: u32) -> Self::Bits;
    fn from_i64(a: i64) -> Self::Bits;
    fn from_u64(a: u64) -> Self::Bits;

    /// True for any NaN.
    fn is_nan(a: Self::Bits) -> bool {
        let a: u64 = a.into();
        a & Self::EXP == Self::EXP && a & Self::FRAC != 0
    }

    /// True for a signaling NaN.
    fn is_signaling_nan(a: Self::Bits) -> bool {
        Self::is_nan(a) && a.into() & Self::QUIET == 0
    }

    /// True if the sign bit is set (including -0.0 and negative NaNs).
    fn is_negative(a: Self::Bits) -> bool {
        a.into() & Self::SIGN != 0
    }
}

/// IEEE binary32.
pub(crate) struct F32;
/// IEEE binary64.
pub(crate) struct F64;

/// Implements [`Format`] for `$fmt` from its bit layout and SoftFloat's function names.
macro_rules! impl_format {
    (
        $fmt:ty, bits: $bits:ty, host: $host:ty, sf_type: $sf_ty:ident,
        exp_bits: $exp_bits:expr, frac_bits: $frac_bits:expr,
        binary: { $($op:ident => $sf_op:ident),* $(,)? },
        sqrt: $sf_sqrt:ident, mul_add: $sf_mul_add:ident,
        compare: { $($cmp:ident => $sf_cmp:ident),* $(,)? },
        to_int: { $($to:ident -> $int:ty => $sf_to:ident),* $(,)? },
        from_int: { $($from:ident($src:ty) => $sf_from:ident),* $(,)? } $(,)?
    ) => {
        impl Format for $fmt {
            type Bits = $bits;
            type Host = $host;

            fn to_host(a: $bits) -> $host {
                <$host>::from_bits(a)
            }

            fn from_host(h: $host) -> $bits {
                h.to_bits()
            }
            const FRAC: u64 = (1 << $frac_bits) - 1;
            const EXP: u64 = ((1 << $exp_bits) - 1) << $frac_bits;
            const SIGN: u64 = 1 << ($exp_bits + $frac_bits);
            const QUIET: u64 = 1 << ($frac_bits - 1);
            const CANONICAL_NAN: $bits = (Self::EXP | Self::QUIET) as $bits;

            $(
                fn $op(a: $bits, b: $bits) -> $bits {
                    // SAFETY: SoftFloat arithmetic is a pure function of its arguments apart
                    // from the thread-local rounding mode and flags.
                    unsafe { sf::$sf_op(sf::$sf_ty { v: a }, sf::$sf_ty { v: b }).v }
                }
            )*

            fn sqrt(a: $bits) -> $bits {
                // SAFETY: as for the binary operations above.
                unsafe { sf::$sf_sqrt(sf::$sf_ty { v: a }).v }
            }

            fn mul_add(a: $bits, b: $bits, c: $bits) -> $bits {
                // SAFETY: as for the binary operations above.
                unsafe {
                    sf::$sf_mul_add(sf::$sf_ty { v: a }, sf::$sf_ty { v: b }, sf::$sf_ty { v: c })
                        .v
                }
            }

            $(
                fn $cmp(a: $bits, b: $bits) -> bool {
                    // SAFETY: SoftFloat comparisons are pure apart from the thread-local flags.
                    unsafe { sf::$sf_cmp(sf::$sf_ty { v: a }, sf::$sf_ty { v: b }) }
                }
            )*

            $(
                fn $to(a: $bits, rm: u8) -> $int {
                    // SAFETY: pure apart from the thread-local flags. `exact = true` makes
                    // SoftFloat raise NX for inexact results, as RISC-V FCVT does. The result
                    // is already in range of `$int` (SoftFloat returns a wider C "fast" type).
                    unsafe { sf::$sf_to(sf::$sf_ty { v: a }, rm, true) as $int }
                }
            )*

            $(
                fn $from(a: $src) -> $bits {
                    // SAFETY: pure apart from the thread-local rounding mode and flags.
                    unsafe { sf::$sf_from(a).v }
                }
            )*
        }
    };
}

impl_format! {
    F32, bits: u32, host: f32, sf_type: float32_t, exp_bits: 8, frac_bits: 23,
    binary: { add => f32_add, sub => f32_sub, mul => f32_mul, div => f32_div },
    sqrt: f32_sqrt, mul_add: f32_mulAdd,
    compare: { eq => f32_eq, lt => f32_lt, le => f32_le, lt_quiet => f32_lt_quiet },
    to_int: {
        to_i32 -> i32 => f32_to_i32, to_u32 -> u32 => f32_to_ui32,
        to_i64 -> i64 => f32_to_i64, to_u64 -> u64 => f32_to_ui64,
    },
    from_int: {
        from_i32(i32) => i32_to_f32, from_u32(u32) => ui32_to_f32,
        from_i64(i64) => i64_to_f32, from_u64(u64) => ui64_to_f32,
    },
}

impl_format! {
    F64, bits: u64, host: f64, sf_type: float64_t, exp_bits: 11, frac_bits: 52,
    binary: { add => f64_add, sub => f64_sub, mul => f64_mul, div => f64_div },
    sqrt: f64_sqrt, mul_add: f64_mulAdd,
    compare: { eq => f64_eq, lt => f64_lt, le => f64_le, lt_quiet => f64_lt_quiet },
    to_int: {
        to_i32 -> i32 => f64_to_i32, to_u32 -> u32 => f64_to_ui32,
        to_i64 -> i64 => f64_to_i64, to_u64 -> u64 => f64_to_ui64,
    },
    from_int: {
        from_i32(i32) => i32_to_f64, from_u32(u32) => ui32_to_f64,
        from_i64(i64) => i64_to_f64, from_u64(u64) => ui64_to_f64,
    },
}
