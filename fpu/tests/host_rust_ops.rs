//! Oracle: the host's own IEEE arithmetic (Rust `+ - * /`, `sqrt`, `mul_add`), which rounds to
//! nearest-even. For random and special operands, emu-fpu's results in RNE must be
//! bit-identical, except that NaN results must be exactly the canonical NaN (the host
//! propagates payloads, RISC-V does not).

mod common;

use common::{Rng, Width};
use emu_fpu::RoundingMode;

const RANDOM_CASES: usize = 100_000;

/// Checks one result against the host's.
fn check<W: Width>(what: &str, operands: &[W::Bits], got: W::Bits, host: W) {
    let expected = host.to_bits();
    if W::is_nan_bits(expected) {
        assert_eq!(
            got,
            W::CANONICAL_NAN,
            "{} {what}{operands:x?}: NaN result must be canonical",
            W::NAME
        );
    } else {
        assert_eq!(
            got,
            expected,
            "{} {what}{operands:x?}: got {got:#x}, host {expected:#x}",
            W::NAME
        );
    }
}

/// Runs every operation on `(a, b, c)` in RNE and compares with the host.
fn check_all_ops<W: Width>(a: W::Bits, b: W::Bits, c: W::Bits) {
    let rne = RoundingMode::NearestEven;
    let (x, y, z) = (W::from_bits(a), W::from_bits(b), W::from_bits(c));
    check::<W>("add", &[a, b], W::ADD(a, b, rne).0, x + y);
    check::<W>("sub", &[a, b], W::SUB(a, b, rne).0, x - y);
    check::<W>("mul", &[a, b], W::MUL(a, b, rne).0, x * y);
    check::<W>("div", &[a, b], W::DIV(a, b, rne).0, x / y);
    check::<W>("sqrt", &[a], W::SQRT(a, rne).0, x.host_sqrt());
    check::<W>(
        "mul_add",
        &[a, b, c],
        W::MUL_ADD(a, b, c, rne).0,
        x.host_mul_add(y, z),
    );
}

fn all_special_combinations<W: Width>() {
    let specials = W::specials();
    for &a in &specials {
        for &b in &specials {
            for &c in &specials {
                check_all_ops::<W>(a, b, c);
            }
        }
    }
}

fn random_operands<W: Width>(seed: u64) {
    let mut rng = Rng::new(seed);
    for _ in 0..RANDOM_CASES {
        let (a, b, c) = (
            W::random(&mut rng),
            W::random(&mut rng),
            W::random(&mut rng),
        );
        check_all_ops::<W>(a, b, c);
    }
}

#[test]
fn f32_specials_match_host() {
    all_special_combinations::<f32>();
}

#[test]
fn f64_specials_match_host() {
    all_special_combinations::<f64>();
}

#[test]
fn f32_random_match_host() {
    random_operands::<f32>(0x5eed_0032);
}

#[test]
fn f64_random_match_host() {
    random_operands::<f64>(0x5eed_0064);
}
