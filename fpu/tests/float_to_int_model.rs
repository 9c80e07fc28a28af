//! Oracle for FCVT float-to-integer: a direct model of the RISC-V specification built on the
//! host's exact rounding functions (`round_ties_even`, `trunc`, `floor`, `ceil`, `round`):
//! round to an integer in the requested mode; NaN gives the largest value and NV; a rounded
//! value outside the destination range saturates with NV; otherwise NX if rounding changed
//! the value. Every binary32 input is widened exactly to binary64 first.

mod common;

use common::{Rng, Width};
use emu_fpu::{Flags, RoundingMode};

/// The value `x` rounds to, in mode `rm`.
fn round_host(x: f64, rm: RoundingMode) -> f64 {
    match rm {
        RoundingMode::NearestEven => x.round_ties_even(),
        RoundingMode::TowardZero => x.trunc(),
        RoundingMode::Down => x.floor(),
        RoundingMode::Up => x.ceil(),
        RoundingMode::NearestMaxMag => x.round(),
    }
}

/// The RISC-V result of converting `x` to an integer in `[min, max]`.
fn model(x: f64, rm: RoundingMode, min: i128, max: i128) -> (i128, Flags) {
    if x.is_nan() {
        return (max, Flags::NV);
    }
    let rounded = round_host(x, rm);
    // `as i128` saturates, which is fine: every bound here is far inside i128.
    let value = rounded as i128;
    if value < min {
        (min, Flags::NV)
    } else if value > max {
        (max, Flags::NV)
    } else if rounded != x {
        (value, Flags::NX)
    } else {
        (value, Flags::NONE)
    }
}

/// One destination type: its range and emu-fpu's two conversions into it (as raw u64 bits).
struct Dest {
    name: &'static str,
    min: i128,
    max: i128,
    /// Bits of the destination width (the result is compared after masking to it).
    bits: u32,
    from_f32: fn(u32, RoundingMode) -> (u64, Flags),
    from_f64: fn(u64, RoundingMode) -> (u64, Flags),
}

const DESTS: [Dest; 4] = [
    Dest {
        name: "i32",
        min: i32::MIN as i128,
        max: i32::MAX as i128,
        bits: 32,
        from_f32: |a, rm| widen(emu_fpu::f32_to_i32(a, rm)),
        from_f64: |a, rm| widen(emu_fpu::f64_to_i32(a, rm)),
    },
    Dest {
        name: "u32",
        min: 0,
        max: u32::MAX as i128,
        bits: 32,
        from_f32: |a, rm| widen(emu_fpu::f32_to_u32(a, rm)),
        from_f64: |a, rm| widen(emu_fpu::f64_to_u32(a, rm)),
    },
    Dest {
        name: "i64",
        min: i64::MIN as i128,
        max: i64::MAX as i128,
        bits: 64,
        from_f32: emu_fpu::f32_to_i64,
        from_f64: emu_fpu::f64_to_i64,
    },
    Dest {
        name: "u64",
        min: 0,
        max: u64::MAX as i128,
        bits: 64,
        from_f32: emu_fpu::f32_to_u64,
        from_f64: emu_fpu::f64_to_u64,
    },
];

fn widen((v, f): (u32, Flags)) -> (u64, Flags) {
    (v.into(), f)
}

fn check(dest: &Dest, what: &str, x: f64, rm: RoundingMode, got: (u64, Flags)) {
    let (value, flags) = model(x, rm, dest.min, dest.max);
    let mask = u64::MAX >> (64 - dest.bits);
    let expected = (value as u64 & mask, flags);
    assert_eq!(got, expected, "{what}_to_{}({x:e}) {rm:?}", dest.name);
}

/// Values around every integer-range boundary and around small integers and halves.
fn boundary_values() -> Vec<f64> {
    let anchors = [
        0.0,
        0.5,
        1.0,
        1.5,
        2.5,
        2f64.powi(31),
        2f64.powi(32),
        2f64.powi(63),
        2f64.powi(64),
    ];
    let mut v = Vec::new();
    for a in anchors {
        for x in [a, -a] {
            v.push(x);
            for k in 1..40u64 {
                v.push(f64::from_bits(x.to_bits().wrapping_add(k)));
                v.push(f64::from_bits(x.to_bits().wrapping_sub(k)));
                v.push(f64::from_bits(x.to_bits().wrapping_add(k << 28)));
                v.push(f64::from_bits(x.to_bits().wrapping_sub(k << 28)));
            }
        }
    }
    v
}

#[test]
fn f64_to_int_matches_model() {
    let mut rng = Rng::new(0xfc7);
    let randoms: Vec<u64> = (0..50_000).map(|_| f64::random(&mut rng)).collect();
    // Random values with magnitudes where integer conversion is interesting (2^-2 .. 2^66).
    let ranged: Vec<u64> = (0..50_000)
        .map(|_| (rng.below(2) << 63) | (1021 + rng.below(68)) << 52 | rng.next_u64() >> 12)
        .collect();
    let boundaries = boundary_values().into_iter().map(f64::to_bits);
    let inputs = f64::specials()
        .into_iter()
        .chain(randoms)
        .chain(ranged)
        .chain(boundaries);
    for a in inputs {
        for dest in &DESTS {
            for rm in RoundingMode::ALL {
                check(dest, "f64", f64::from_bits(a), rm, (dest.from_f64)(a, rm));
            }
        }
    }
}

#[test]
fn f32_to_int_matches_model() {
    let mut rng = Rng::new(0xfc3);
    let randoms: Vec<u32> = (0..50_000).map(|_| f32::random(&mut rng)).collect();
    let ranged: Vec<u32> = (0..50_000)
        .map(|_| ((rng.below(2) << 31) | (125 + rng.below(68)) << 23 | rng.next_u64() >> 41) as u32)
        .collect();
    let boundaries = boundary_values()
        .into_iter()
        .map(|x| x as f32)
        .map(f32::to_bits);
    let inputs = f32::specials()
        .into_iter()
        .chain(randoms)
        .chain(ranged)
        .chain(boundaries);
    for a in inputs {
        for dest in &DESTS {
            for rm in RoundingMode::ALL {
                let x = f32::from_bits(a) as f64;
                check(dest, "f32", x, rm, (dest.from_f32)(a, rm));
            }
        }
    }
}
