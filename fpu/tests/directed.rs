//! Hand-checked cases from the IEEE 754 and RISC-V specifications: rounding in every mode
//! (including RMM, which no host oracle offers), overflow, underflow and tininess after
//! rounding, invalid operations, division by zero, NaN handling, comparisons, FMIN/FMAX,
//! FCLASS, conversions and the rounding-mode decoder.

use emu_fpu::*;
use RoundingMode::{Down, NearestEven, NearestMaxMag, TowardZero, Up};

const NONE: Flags = Flags::NONE;
const NX: Flags = Flags::NX;
const NV: Flags = Flags::NV;
const DZ: Flags = Flags::DZ;
const OF_NX: Flags = Flags(Flags::OF.0 | Flags::NX.0);
const UF_NX: Flags = Flags(Flags::UF.0 | Flags::NX.0);

const F32_QNAN: u32 = 0x7fc0_0000;
const F32_SNAN: u32 = 0x7f80_0001;
const F32_QNAN_PAYLOAD: u32 = 0xffc1_2345;
const F32_INF: u32 = 0x7f80_0000;
const F32_NEG_INF: u32 = 0xff80_0000;
const F32_MAX: u32 = 0x7f7f_ffff;
const F32_NEG_ZERO: u32 = 0x8000_0000;
const F32_ONE: u32 = 0x3f80_0000;
const F64_QNAN: u64 = 0x7ff8_0000_0000_0000;
const F64_SNAN: u64 = 0x7ff0_0000_0000_0001;
const F64_INF: u64 = 0x7ff0_0000_0000_0000;
const F64_MAX: u64 = 0x7fef_ffff_ffff_ffff;
const F64_ONE: u64 = 0x3ff0_0000_0000_0000;

/// Checks `op` in each mode of `RoundingMode::ALL` order against `expected`.
fn each_mode<B: Copy + Eq + std::fmt::Debug>(
    what: &str,
    op: impl Fn(RoundingMode) -> (B, Flags),
    expected: [(B, Flags); 5],
) {
    for (rm, want) in RoundingMode::ALL.into_iter().zip(expected) {
        assert_eq!(op(rm), want, "{what} in {rm:?}");
    }
}

#[test]
fn one_third_in_each_mode() {
    let three32 = 3.0f32.to_bits();
    // 1/3 = 0x3eaaaaaa.aaa... (binary32 significand bits 1010...10|1010...).
    each_mode(
        "f32 1/3",
        |rm| f32_div(F32_ONE, three32, rm),
        [
            (0x3eaa_aaab, NX),
            (0x3eaa_aaaa, NX),
            (0x3eaa_aaaa, NX),
            (0x3eaa_aaab, NX),
            (0x3eaa_aaab, NX),
        ],
    );
    each_mode(
        "f32 -1/3",
        |rm| f32_div(F32_ONE | 1 << 31, three32, rm),
        [
            (0xbeaa_aaab, NX),
            (0xbeaa_aaaa, NX),
            (0xbeaa_aaab, NX),
            (0xbeaa_aaaa, NX),
            (0xbeaa_aaab, NX),
        ],
    );
    // binary64: 1/3 = 0x3fd5555555555555.555..., below the halfway point.
    let three64 = 3.0f64.to_bits();
    each_mode(
        "f64 1/3",
        |rm| f64_div(F64_ONE, three64, rm),
        [
            (0x3fd5_5555_5555_5555, NX),
            (0x3fd5_5555_5555_5555, NX),
            (0x3fd5_5555_5555_5555, NX),
            (0x3fd5_5555_5555_5556, NX),
            (0x3fd5_5555_5555_5555, NX),
        ],
    );
}

#[test]
fn exact_ties_separate_nearest_even_from_max_mag() {
    // 1 + 2^-24 is halfway between 1 and 1 + 2^-23 (binary32).
    let half_ulp32 = 0x3380_0000; // 2^-24
    each_mode(
        "f32 1 + 2^-24",
        |rm| f32_add(F32_ONE, half_ulp32, rm),
        [
            (F32_ONE, NX),
            (F32_ONE, NX),
            (F32_ONE, NX),
            (0x3f80_0001, NX),
            (0x3f80_0001, NX),
        ],
    );
    // 1 + 3 * 2^-53 is halfway between 1 + 2^-52 (odd) and 1 + 2^-51 (even): both nearest
    // modes round up here.
    let three_half_ulps64 = (3.0f64 * 2f64.powi(-53)).to_bits();
    each_mode(
        "f64 1 + 3*2^-53",
        |rm| f64_add(F64_ONE, three_half_ulps64, rm),
        [
            (F64_ONE + 2, NX),
            (F64_ONE + 1, NX),
            (F64_ONE + 1, NX),
            (F64_ONE + 2, NX),
            (F64_ONE + 2, NX),
        ],
    );
    // A tie toward an odd neighbour on the negative side: -(1 + 2^-53).
    let half_ulp64 = 2f64.powi(-53).to_bits();
    let neg_one = F64_ONE | 1 << 63;
    each_mode(
        "f64 -1 - 2^-53",
        |rm| f64_sub(neg_one, half_ulp64, rm),
        [
            (neg_one, NX),
            (neg_one, NX),
            (neg_one + 1, NX),
            (neg_one, NX),
            (neg_one + 1, NX),
        ],
    );
}

#[test]
fn overflow_gives_inf_or_max_finite_by_mode() {
    let two = 2.0f32.to_bits();
    each_mode(
        "f32 MAX*2",
        |rm| f32_mul(F32_MAX, two, rm),
        [
            (F32_INF, OF_NX),
            (F32_MAX, OF_NX),
            (F32_MAX, OF_NX),
            (F32_INF, OF_NX),
            (F32_INF, OF_NX),
        ],
    );
    let neg_max = F64_MAX | 1 << 63;
    let neg_inf = F64_INF | 1 << 63;
    each_mode(
        "f64 -MAX*2",
        |rm| f64_mul(neg_max, 2.0f64.to_bits(), rm),
        [
            (neg_inf, OF_NX),
            (neg_max, OF_NX),
            (neg_inf, OF_NX),
            (neg_max, OF_NX),
            (neg_inf, OF_NX),
        ],
    );
    // Narrowing overflow.
    each_mode(
        "f64_to_f32(1e300)",
        |rm| f64_to_f32(1e300f64.to_bits(), rm),
        [
            (F32_INF, OF_NX),
            (F32_MAX, OF_NX),
            (F32_MAX, OF_NX),
            (F32_INF, OF_NX),
            (F32_INF, OF_NX),
        ],
    );
}

#[test]
fn underflow_and_tininess_after_rounding() {
    // 1e-30 * 1e-30 = 1e-60: far below the smallest binary32 subnormal (1.4e-45).
    let tiny = 1e-30f32.to_bits();
    each_mode(
        "f32 1e-30^2",
        |rm| f32_mul(tiny, tiny, rm),
        [(0, UF_NX), (0, UF_NX), (0, UF_NX), (1, UF_NX), (0, UF_NX)],
    );
    // Exact subnormal results do not underflow: MIN_POSITIVE / 2.
    assert_eq!(
        f32_mul(0x0080_0000, 0x3f00_0000, NearestEven),
        (0x0040_0000, NONE)
    );
    // (1 + 2^-23) * largest subnormal = 2^-126 * (1 - 2^-46): rounds to 2^-126 with an
    // unbounded exponent, so after-rounding tininess (RISC-V) says "not tiny": NX only. In RTZ
    // the unbounded-exponent result is below 2^-126, so it is tiny and UF is raised.
    let (a, b) = (0x3f80_0001, 0x007f_ffff);
    assert_eq!(f32_mul(a, b, NearestEven), (0x0080_0000, NX));
    assert_eq!(f32_mul(a, b, TowardZero), (0x007f_ffff, UF_NX));
    assert_eq!(
        f64_mul(0x3ff0_0000_0000_0001, 0x000f_ffff_ffff_ffff, NearestEven),
        (0x0010_0000_0000_0000, NX)
    );
    // (1 - 2^-24) * 2^-126 is exactly representable only with an unbounded exponent: tiny,
    // inexact, and rounds (ties-to-even) up to the smallest normal.
    assert_eq!(
        f32_mul(0x3f7f_ffff, 0x0080_0000, NearestEven),
        (0x0080_0000, UF_NX)
    );
}

#[test]
fn invalid_operations_give_canonical_nan() {
    let rne = NearestEven;
    assert_eq!(f32_sub(F32_INF, F32_INF, rne), (F32_QNAN, NV));
    assert_eq!(f32_add(F32_INF, F32_NEG_INF, rne), (F32_QNAN, NV));
    assert_eq!(f32_mul(0, F32_INF, rne), (F32_QNAN, NV));
    assert_eq!(f32_div(0, F32_NEG_ZERO, rne), (F32_QNAN, NV));
    assert_eq!(f32_div(F32_INF, F32_INF, rne), (F32_QNAN, NV));
    assert_eq!(f32_sqrt((-1.0f32).to_bits(), rne), (F32_QNAN, NV));
    assert_eq!(f64_sqrt((-1.0f64).to_bits(), rne), (F64_QNAN, NV));
    assert_eq!(f64_sub(F64_INF, F64_INF, rne), (F64_QNAN, NV));
    assert_eq!(f64_mul(F64_INF, 0, rne), (F64_QNAN, NV));
    // sqrt(-0) = -0 exactly.
    assert_eq!(f32_sqrt(F32_NEG_ZERO, rne), (F32_NEG_ZERO, NONE));
    // Fused: inf * 1 - inf, and 0 * inf + qNaN (RISC-V requires NV here).
    assert_eq!(
        f64_mul_add(F64_INF, F64_ONE, F64_INF | 1 << 63, rne),
        (F64_QNAN, NV)
    );
    assert_eq!(f32_mul_add(0, F32_INF, F32_QNAN, rne), (F32_QNAN, NV));
    assert_eq!(f64_mul_add(F64_INF, 0, F64_QNAN, rne), (F64_QNAN, NV));
}

#[test]
fn division_by_zero() {
    let rne = NearestEven;
    assert_eq!(f32_div(F32_ONE, 0, rne), (F32_INF, DZ));
    assert_eq!(f32_div(F32_ONE | 1 << 31, 0, rne), (F32_NEG_INF, DZ));
    assert_eq!(f32_div(F32_ONE, F32_NEG_ZERO, rne), (F32_NEG_INF, DZ));
    assert_eq!(f64_div(F64_ONE, 0, rne), (F64_INF, DZ));
    // inf / 0 is an exact infinity, not a division by zero.
    assert_eq!(f32_div(F32_INF, 0, rne), (F32_INF, NONE));
}

#[test]
fn nan_operands_never_propagate_payloads() {
    let rne = NearestEven;
    assert_eq!(f32_add(F32_QNAN_PAYLOAD, F32_ONE, rne), (F32_QNAN, NONE));
    assert_eq!(f32_add(F32_SNAN, F32_ONE, rne), (F32_QNAN, NV));
    assert_eq!(f32_mul_add(F32_ONE, F32_ONE, F32_SNAN, rne), (F32_QNAN, NV));
    assert_eq!(f64_div(F64_SNAN | 1 << 63, F64_ONE, rne), (F64_QNAN, NV));
    assert_eq!(f64_sqrt(0xfff8_0000_dead_beef, rne), (F64_QNAN, NONE));
    assert_eq!(f32_to_f64(F32_SNAN), (F64_QNAN, NV));
    assert_eq!(f32_to_f64(F32_QNAN_PAYLOAD), (F64_QNAN, NONE));
    assert_eq!(f64_to_f32(F64_SNAN, rne), (F32_QNAN, NV));
    assert_eq!(f64_to_f32(0xfff8_0000_dead_beef, rne), (F32_QNAN, NONE));
}

#[test]
fn widening_is_exact() {
    assert_eq!(
        f32_to_f64(0x0000_0001),
        (0x36a0_0000_0000_0000, NONE) // 2^-149
    );
    assert_eq!(f32_to_f64(F32_NEG_INF), (F64_INF | 1 << 63, NONE));
    assert_eq!(f32_to_f64(0x3eaa_aaab), (0x3fd5_5555_6000_0000, NONE));
}

#[test]
fn comparisons_quiet_and_signaling() {
    let two = 2.0f32.to_bits();
    assert_eq!(f32_eq(F32_ONE, F32_ONE), (true, NONE));
    assert_eq!(f32_eq(0, F32_NEG_ZERO), (true, NONE));
    assert_eq!(f32_lt(F32_NEG_ZERO, 0), (false, NONE));
    assert_eq!(f32_le(F32_NEG_ZERO, 0), (true, NONE));
    assert_eq!(f32_lt(F32_ONE, two), (true, NONE));
    assert_eq!(f32_le(two, F32_ONE), (false, NONE));
    assert_eq!(f32_lt(F32_NEG_INF, F32_ONE), (true, NONE));
    // FEQ is quiet: NV only for signaling NaNs.
    assert_eq!(f32_eq(F32_QNAN, F32_QNAN), (false, NONE));
    assert_eq!(f32_eq(F32_SNAN, F32_ONE), (false, NV));
    assert_eq!(f64_eq(F64_QNAN, F64_ONE), (false, NONE));
    assert_eq!(f64_eq(F64_ONE, F64_SNAN), (false, NV));
    // FLT/FLE signal on any NaN.
    assert_eq!(f32_lt(F32_QNAN, F32_ONE), (false, NV));
    assert_eq!(f32_le(F32_ONE, F32_QNAN), (false, NV));
    assert_eq!(f64_lt(F64_ONE, F64_QNAN), (false, NV));
    assert_eq!(f64_le(F64_SNAN, F64_ONE), (false, NV));
    assert_eq!(f64_le(F64_ONE, F64_ONE), (true, NONE));
}

#[test]
fn min_max_riscv_semantics() {
    let two = 2.0f32.to_bits();
    assert_eq!(f32_min(F32_ONE, two), (F32_ONE, NONE));
    assert_eq!(f32_max(F32_ONE, two), (two, NONE));
    assert_eq!(f32_min(two, F32_NEG_INF), (F32_NEG_INF, NONE));
    // -0.0 < +0.0, whichever the operand order.
    assert_eq!(f32_min(0, F32_NEG_ZERO), (F32_NEG_ZERO, NONE));
    assert_eq!(f32_min(F32_NEG_ZERO, 0), (F32_NEG_ZERO, NONE));
    assert_eq!(f32_max(0, F32_NEG_ZERO), (0, NONE));
    assert_eq!(f32_max(F32_NEG_ZERO, 0), (0, NONE));
    // One NaN: the other operand; NV only if the NaN is signaling.
    assert_eq!(f32_min(F32_QNAN_PAYLOAD, two), (two, NONE));
    assert_eq!(f32_max(two, F32_QNAN), (two, NONE));
    assert_eq!(f32_min(F32_SNAN, two), (two, NV));
    assert_eq!(f64_max(F64_ONE, F64_SNAN), (F64_ONE, NV));
    // Two NaNs: the canonical NaN.
    assert_eq!(
        f32_max(F32_QNAN_PAYLOAD, F32_QNAN_PAYLOAD),
        (F32_QNAN, NONE)
    );
    assert_eq!(f64_min(F64_SNAN, F64_QNAN), (F64_QNAN, NV));
    assert_eq!(
        f64_min((-3.0f64).to_bits(), F64_ONE),
        ((-3.0f64).to_bits(), NONE)
    );
    assert_eq!(f64_max(F64_MAX, F64_INF), (F64_INF, NONE));
}

#[test]
fn classify_each_class() {
    let f32_cases = [
        (F32_NEG_INF, 0),
        ((-1.5f32).to_bits(), 1),
        (0x8000_0001, 2),
        (F32_NEG_ZERO, 3),
        (0, 4),
        (0x007f_ffff, 5),
        (F32_MAX, 6),
        (F32_INF, 7),
        (F32_SNAN, 8),
        (0xff80_0001, 8),
        (F32_QNAN, 9),
        (F32_QNAN_PAYLOAD, 9),
    ];
    for (bits, class) in f32_cases {
        assert_eq!(f32_classify(bits), 1 << class, "f32 {bits:#x}");
    }
    let f64_cases = [
        (F64_INF | 1 << 63, 0),
        ((-1e300f64).to_bits(), 1),
        (0x800f_ffff_ffff_ffff, 2),
        (1 << 63, 3),
        (0, 4),
        (1, 5),
        (0x0010_0000_0000_0000, 6),
        (F64_INF, 7),
        (F64_SNAN, 8),
        (F64_QNAN, 9),
    ];
    for (bits, class) in f64_cases {
        assert_eq!(f64_classify(bits), 1 << class, "f64 {bits:#x}");
    }
}

#[test]
fn float_to_int_in_each_mode() {
    let to_i32 = |x: f64| move |rm| f64_to_i32(x.to_bits(), rm);
    let i = |v: i32| v as u32;
    each_mode(
        "f64_to_i32(2.5)",
        to_i32(2.5),
        [(i(2), NX), (i(2), NX), (i(2), NX), (i(3), NX), (i(3), NX)],
    );
    each_mode(
        "f64_to_i32(-2.5)",
        to_i32(-2.5),
        [
            (i(-2), NX),
            (i(-2), NX),
            (i(-3), NX),
            (i(-2), NX),
            (i(-3), NX),
        ],
    );
    each_mode("f64_to_i32(7)", to_i32(7.0), [(i(7), NONE); 5]);
    each_mode("f64_to_i32(NaN)", to_i32(f64::NAN), [(i(i32::MAX), NV); 5]);
    each_mode("f64_to_i32(1e20)", to_i32(1e20), [(i(i32::MAX), NV); 5]);
    each_mode("f64_to_i32(-1e20)", to_i32(-1e20), [(i(i32::MIN), NV); 5]);
    each_mode(
        "f64_to_i32(-inf)",
        to_i32(f64::NEG_INFINITY),
        [(i(i32::MIN), NV); 5],
    );
    // Range is judged after rounding.
    each_mode(
        "f64_to_i32(-2147483648.5)",
        to_i32(-2147483648.5),
        [
            (i(i32::MIN), NX),
            (i(i32::MIN), NX),
            (i(i32::MIN), NV),
            (i(i32::MIN), NX),
            (i(i32::MIN), NV),
        ],
    );
    each_mode(
        "f64_to_u32(-0.5)",
        |rm| f64_to_u32((-0.5f64).to_bits(), rm),
        [(0, NX), (0, NX), (0, NV), (0, NX), (0, NV)],
    );
    assert_eq!(f64_to_u32((-1.0f64).to_bits(), TowardZero), (0, NV));
    assert_eq!(f64_to_u32(F64_QNAN, NearestEven), (u32::MAX, NV));
    assert_eq!(f64_to_u32(4294967295.0f64.to_bits(), Up), (u32::MAX, NONE));
    assert_eq!(f64_to_u32(4294967296.0f64.to_bits(), Down), (u32::MAX, NV));
    // 64-bit results.
    assert_eq!(f32_to_i64(0x5f00_0000, NearestEven), (i64::MAX as u64, NV)); // 2^63
    assert_eq!(
        f32_to_i64(0xdf00_0000, NearestEven),
        (i64::MIN as u64, NONE)
    ); // -2^63
    assert_eq!(f64_to_i64(F64_INF | 1 << 63, Up), (i64::MIN as u64, NV));
    assert_eq!(f64_to_u64(F64_SNAN, Down), (u64::MAX, NV));
    assert_eq!(
        f64_to_u64(1.8446744073709552e19f64.to_bits(), Down),
        (u64::MAX, NV)
    ); // 2^64
    assert_eq!(
        f32_to_u64(0x5f7f_ffff, NearestEven),
        (0xffff_ff00_0000_0000, NONE)
    );
    assert_eq!(f32_to_i32(0xbfc0_0000, NearestMaxMag), (i(-2), NX)); // -1.5
    assert_eq!(f32_to_u32(0x3f00_0000, NearestMaxMag), (1, NX)); // 0.5
    assert_eq!(f32_to_u32(0x3f00_0000, NearestEven), (0, NX));
}

#[test]
fn int_to_float_rounding() {
    // i64::MAX = 2^63 - 1 needs 63 bits.
    each_mode(
        "i64_to_f32(i64::MAX)",
        |rm| i64_to_f32(i64::MAX as u64, rm),
        [
            (0x5f00_0000, NX),
            (0x5eff_ffff, NX),
            (0x5eff_ffff, NX),
            (0x5f00_0000, NX),
            (0x5f00_0000, NX),
        ],
    );
    each_mode(
        "u64_to_f64(u64::MAX)",
        |rm| u64_to_f64(u64::MAX, rm),
        [
            (0x43f0_0000_0000_0000, NX),
            (0x43ef_ffff_ffff_ffff, NX),
            (0x43ef_ffff_ffff_ffff, NX),
            (0x43f0_0000_0000_0000, NX),
            (0x43f0_0000_0000_0000, NX),
        ],
    );
    // 2^24 + 1 is a tie in binary32: RNE keeps 2^24 (even), RMM goes up.
    each_mode(
        "i32_to_f32(2^24 + 1)",
        |rm| i32_to_f32((1 << 24) + 1, rm),
        [
            (0x4b80_0000, NX),
            (0x4b80_0000, NX),
            (0x4b80_0000, NX),
            (0x4b80_0001, NX),
            (0x4b80_0001, NX),
        ],
    );
    assert_eq!(i32_to_f64(-1i32 as u32, Down), ((-1.0f64).to_bits(), NONE));
    assert_eq!(u32_to_f32(u32::MAX, NearestEven), (0x4f80_0000, NX)); // 2^32
    assert_eq!(
        u32_to_f64(u32::MAX, NearestEven),
        (4294967295.0f64.to_bits(), NONE)
    );
    assert_eq!(
        i64_to_f64(i64::MIN as u64, TowardZero),
        ((-(2f64.powi(63))).to_bits(), NONE)
    );
    assert_eq!(u64_to_f32(0, Up), (0, NONE));
}

#[test]
fn rounding_mode_decoder() {
    assert_eq!(RoundingMode::from_riscv(0), Some(NearestEven));
    assert_eq!(RoundingMode::from_riscv(1), Some(TowardZero));
    assert_eq!(RoundingMode::from_riscv(2), Some(Down));
    assert_eq!(RoundingMode::from_riscv(3), Some(Up));
    assert_eq!(RoundingMode::from_riscv(4), Some(NearestMaxMag));
    for reserved_or_dyn in [5, 6, 7, 8, 255] {
        assert_eq!(RoundingMode::from_riscv(reserved_or_dyn), None);
    }
}

#[test]
fn flags_helpers() {
    assert_eq!(
        (Flags::NX | Flags::UF | Flags::OF | Flags::DZ | Flags::NV).0,
        0x1f
    );
    assert!(OF_NX.contains(Flags::OF) && !OF_NX.contains(Flags::UF));
    assert!(NONE.is_empty());
}

/// SoftFloat's rounding mode and flags are per thread: threads running different modes at the
/// same time never see each other's state.
#[test]
fn threads_do_not_share_state() {
    let workers: Vec<_> = RoundingMode::ALL
        .into_iter()
        .map(|rm| {
            std::thread::spawn(move || {
                let expected = f32_div(F32_ONE, 3.0f32.to_bits(), rm);
                for _ in 0..20_000 {
                    assert_eq!(f32_div(F32_ONE, 3.0f32.to_bits(), rm), expected);
                    assert_eq!(f32_add(F32_ONE, F32_ONE, rm), (2.0f32.to_bits(), NONE));
                }
                expected
            })
        })
        .collect();
    let results: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(results[0], (0x3eaa_aaab, NX));
    assert_eq!(results[1], (0x3eaa_aaaa, NX));
}
