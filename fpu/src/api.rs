//! The macro that stamps out the public, width-specific API (`f32_add`, `f64_add`, ...) as thin
//! wrappers over the generic operations, so `f32.rs` and `f64.rs` are just name tables.

/// Defines the public functions of one format `$fmt` whose raw bits are `$bits`.
macro_rules! float_api {
    (
        format: $fmt:ty, bits: $bits:ty, name: $name:literal,
        add: $add:ident, sub: $sub:ident, mul: $mul:ident, div: $div:ident,
        sqrt: $sqrt:ident, mul_add: $mul_add:ident,
        eq: $eq:ident, lt: $lt:ident, le: $le:ident,
        min: $min:ident, max: $max:ident, classify: $classify:ident,
        to_i32: $to_i32:ident, to_u32: $to_u32:ident,
        to_i64: $to_i64:ident, to_u64: $to_u64:ident,
        from_i32: $from_i32:ident, from_u32: $from_u32:ident,
        from_i64: $from_i64:ident, from_u64: $from_u64:ident $(,)?
    ) => {
        use crate::{arith, compare, convert, Flags, RoundingMode};

        #[doc = concat!("`a + b` in ", $name, ".")]
        pub fn $add(a: $bits, b: $bits, rm: RoundingMode) -> ($bits, Flags) {
            arith::add::<$fmt>(a, b, rm)
        }

        #[doc = concat!("`a - b` in ", $name, ".")]
        pub fn $sub(a: $bits, b: $bits, rm: RoundingMode) -> ($bits, Flags) {
            arith::sub::<$fmt>(a, b, rm)
        }

        #[doc = concat!("`a * b` in ", $name, ".")]
        pub fn $mul(a: $bits, b: $bits, rm: RoundingMode) -> ($bits, Flags) {
            arith::mul::<$fmt>(a, b, rm)
        }

        #[doc = concat!("`a / b` in ", $name, ".")]
        pub fn $div(a: $bits, b: $bits, rm: RoundingMode) -> ($bits, Flags) {
            arith::div::<$fmt>(a, b, rm)
        }

        #[doc = concat!("Square root in ", $name, ".")]
        pub fn $sqrt(a: $bits, rm: RoundingMode) -> ($bits, Flags) {
            arith::sqrt::<$fmt>(a, rm)
        }

        #[doc = concat!("Fused `a * b + c` in ", $name, " (one rounding). For FMSUB, FNMSUB and ")]
        /// FNMADD, flip the sign bits of the operands before the call.
        pub fn $mul_add(a: $bits, b: $bits, c: $bits, rm: RoundingMode) -> ($bits, Flags) {
            arith::mul_add::<$fmt>(a, b, c, rm)
        }

        #[doc = concat!("FEQ (", $name, "): quiet `a == b`; NV only for a signaling NaN.")]
        pub fn $eq(a: $bits, b: $bits) -> (bool, Flags) {
            compare::eq::<$fmt>(a, b)
        }

        #[doc = concat!("FLT (", $name, "): signaling `a < b`; NV for any NaN.")]
        pub fn $lt(a: $bits, b: $bits) -> (bool, Flags) {
            compare::lt::<$fmt>(a, b)
        }

        #[doc = concat!("FLE (", $name, "): signaling `a <= b`; NV for any NaN.")]
        pub fn $le(a: $bits, b: $bits) -> (bool, Flags) {
            compare::le::<$fmt>(a, b)
        }

        #[doc = concat!("FMIN (", $name, "), IEEE 754-2019 minimumNumber.")]
        pub fn $min(a: $bits, b: $bits) -> ($bits, Flags) {
            compare::min::<$fmt>(a, b)
        }

        #[doc = concat!("FMAX (", $name, "), IEEE 754-2019 maximumNumber.")]
        pub fn $max(a: $bits, b: $bits) -> ($bits, Flags) {
            compare::max::<$fmt>(a, b)
        }

        #[doc = concat!("FCLASS (", $name, "): the RISC-V 10-bit class mask.")]
        pub fn $classify(a: $bits) -> u32 {
            compare::classify::<$fmt>(a)
        }

        #[doc = concat!("FCVT.W from ", $name, ": to signed 32-bit (as raw `u32`), saturating.")]
        pub fn $to_i32(a: $bits, rm: RoundingMode) -> (u32, Flags) {
            convert::to_i32::<$fmt>(a, rm)
        }

        #[doc = concat!("FCVT.WU from ", $name, ": to unsigned 32-bit, saturating.")]
        pub fn $to_u32(a: $bits, rm: RoundingMode) -> (u32, Flags) {
            convert::to_u32::<$fmt>(a, rm)
        }

        #[doc = concat!("FCVT.L from ", $name, ": to signed 64-bit (as raw `u64`), saturating.")]
        pub fn $to_i64(a: $bits, rm: RoundingMode) -> (u64, Flags) {
            convert::to_i64::<$fmt>(a, rm)
        }

        #[doc = concat!("FCVT.LU from ", $name, ": to unsigned 64-bit, saturating.")]
        pub fn $to_u64(a: $bits, rm: RoundingMode) -> (u64, Flags) {
            convert::to_u64::<$fmt>(a, rm)
        }

        #[doc = concat!("FCVT to ", $name, " from signed 32-bit (raw `u32`).")]
        pub fn $from_i32(a: u32, rm: RoundingMode) -> ($bits, Flags) {
            convert::from_i32::<$fmt>(a, rm)
        }

        #[doc = concat!("FCVT to ", $name, " from unsigned 32-bit.")]
        pub fn $from_u32(a: u32, rm: RoundingMode) -> ($bits, Flags) {
            convert::from_u32::<$fmt>(a, rm)
        }

        #[doc = concat!("FCVT to ", $name, " from signed 64-bit (raw `u64`).")]
        pub fn $from_i64(a: u64, rm: RoundingMode) -> ($bits, Flags) {
            convert::from_i64::<$fmt>(a, rm)
        }

        #[doc = concat!("FCVT to ", $name, " from unsigned 64-bit.")]
        pub fn $from_u64(a: u64, rm: RoundingMode) -> ($bits, Flags) {
            convert::from_u64::<$fmt>(a, rm)
        }
    };
}
