//! Oracle: the host x86-64 SSE/FMA unit, driven through MXCSR so that all four IEEE rounding
//! directions are covered and the exception flags can be compared too. x86 detects tininess
//! after rounding and raises underflow only for inexact tiny results, as RISC-V does, so the
//! flags must match exactly. Results that are NaN must be the canonical NaN on our side (x86
//! propagates payloads). RMM has no x86 equivalent; `directed.rs` covers it by hand.

#![cfg(target_arch = "x86_64")]

mod common;

use common::{Rng, Width};
use emu_fpu::{Flags, RoundingMode};
use std::arch::asm;

const RANDOM_CASES: usize = 40_000;

/// MXCSR with all exceptions masked, no FTZ/DAZ, and the rounding-control field for `rm`.
fn mxcsr_for(rm: RoundingMode) -> u32 {
    let rc = match rm {
        RoundingMode::NearestEven => 0,
        RoundingMode::Down => 1,
        RoundingMode::Up => 2,
        RoundingMode::TowardZero => 3,
        RoundingMode::NearestMaxMag => unreachable!("x86 has no ties-away mode"),
    };
    0x1f80 | rc << 13
}

/// The four modes x86 implements.
const X86_MODES: [RoundingMode; 4] = [
    RoundingMode::NearestEven,
    RoundingMode::TowardZero,
    RoundingMode::Down,
    RoundingMode::Up,
];

/// Translates MXCSR status bits (IE=0, DE=1, ZE=2, OE=3, UE=4, PE=5) to RISC-V flags. The
/// x86-only denormal-operand flag is dropped.
fn flags_from_mxcsr(status: u32) -> Flags {
    let table = [
        (0, Flags::NV),
        (2, Flags::DZ),
        (3, Flags::OF),
        (4, Flags::UF),
        (5, Flags::NX),
    ];
    table
        .iter()
        .filter(|(bit, _)| status & 1 << bit != 0)
        .fold(Flags::NONE, |acc, &(_, flag)| acc | flag)
}

/// Runs one SSE instruction with MXCSR = `$csr` and returns the MXCSR status afterwards,
/// restoring the caller's MXCSR. `$insn` names its operands `{d}` (destination xmm, read and
/// written), `{s}` and `{t}` (sources); the operands are given as in `asm!`.
macro_rules! with_mxcsr {
    ($csr:expr, $insn:literal, $($operands:tt)*) => {{
        // [0] = MXCSR to load, [1] = MXCSR after the instruction, [2] = the caller's MXCSR.
        let mut csr = [$csr, 0u32, 0u32];
        // SAFETY: the block only executes the given SSE instruction on register operands and
        // saves/loads MXCSR through `csr`, a live local array; it restores the caller's MXCSR
        // before returning.
        unsafe {
            asm!(
                "stmxcsr [{p} + 8]",
                "ldmxcsr [{p}]",
                $insn,
                "stmxcsr [{p} + 4]",
                "ldmxcsr [{p} + 8]",
                p = in(reg) csr.as_mut_ptr(),
                $($operands)*
                options(nostack),
            );
        }
        csr[1]
    }};
}

/// Host binary operations on f64 (`d = d op s`).
fn host_binop_f64(op: BinOp, a: u64, b: u64, csr: u32) -> (u64, u32) {
    let mut d = f64::from_bits(a);
    let s = f64::from_bits(b);
    let status = match op {
        BinOp::Add => with_mxcsr!(csr, "addsd {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,),
        BinOp::Sub => with_mxcsr!(csr, "subsd {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,),
        BinOp::Mul => with_mxcsr!(csr, "mulsd {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,),
        BinOp::Div => with_mxcsr!(csr, "divsd {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,),
    };
    (d.to_bits(), status)
}

/// Host binary operations on f32 (`d = d op s`).
fn host_binop_f32(op: BinOp, a: u32, b: u32, csr: u32) -> (u32, u32) {
    let mut d = f32::from_bits(a);
    let s = f32::from_bits(b);
    let status = match op {
        BinOp::Add => with_mxcsr!(csr, "addss {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,),
        BinOp::Sub => with_mxcsr!(csr, "subss {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,),
        BinOp::Mul => with_mxcsr!(csr, "mulss {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,),
        BinOp::Div => with_mxcsr!(csr, "divss {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,),
    };
    (d.to_bits(), status)
}

fn host_sqrt_f64(a: u64, csr: u32) -> (u64, u32) {
    let mut d = 0f64;
    let s = f64::from_bits(a);
    let status = with_mxcsr!(csr, "sqrtsd {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,);
    (d.to_bits(), status)
}

fn host_sqrt_f32(a: u32, csr: u32) -> (u32, u32) {
    let mut d = 0f32;
    let s = f32::from_bits(a);
    let status = with_mxcsr!(csr, "sqrtss {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,);
    (d.to_bits(), status)
}

/// `a * b + c` with one rounding (`vfmadd213`: d = s * d + t, with d = b, s = a).
#[target_feature(enable = "fma")]
fn host_fma_f64(a: u64, b: u64, c: u64, csr: u32) -> (u64, u32) {
    let mut d = f64::from_bits(b);
    let (s, t) = (f64::from_bits(a), f64::from_bits(c));
    let status = with_mxcsr!(csr, "vfmadd213sd {d}, {s}, {t}",
        d = inout(xmm_reg) d, s = in(xmm_reg) s, t = in(xmm_reg) t,);
    (d.to_bits(), status)
}

#[target_feature(enable = "fma")]
fn host_fma_f32(a: u32, b: u32, c: u32, csr: u32) -> (u32, u32) {
    let mut d = f32::from_bits(b);
    let (s, t) = (f32::from_bits(a), f32::from_bits(c));
    let status = with_mxcsr!(csr, "vfmadd213ss {d}, {s}, {t}",
        d = inout(xmm_reg) d, s = in(xmm_reg) s, t = in(xmm_reg) t,);
    (d.to_bits(), status)
}

fn host_f64_to_f32(a: u64, csr: u32) -> (u32, u32) {
    let mut d = 0f32;
    let s = f64::from_bits(a);
    let status = with_mxcsr!(csr, "cvtsd2ss {d}, {s}", d = inout(xmm_reg) d, s = in(xmm_reg) s,);
    (d.to_bits(), status)
}

fn host_i64_to_f64(a: i64, csr: u32) -> (u64, u32) {
    let mut d = 0f64;
    let status = with_mxcsr!(csr, "cvtsi2sd {d}, {s}", d = inout(xmm_reg) d, s = in(reg) a,);
    (d.to_bits(), status)
}

fn host_i64_to_f32(a: i64, csr: u32) -> (u32, u32) {
    let mut d = 0f32;
    let status = with_mxcsr!(csr, "cvtsi2ss {d}, {s}", d = inout(xmm_reg) d, s = in(reg) a,);
    (d.to_bits(), status)
}

/// Unsigned 64-bit to float needs AVX-512 (`vcvtusi2sd`).
#[target_feature(enable = "avx512f")]
fn host_u64_to_f64(a: u64, csr: u32) -> (u64, u32) {
    let mut d = 0f64;
    let status = with_mxcsr!(csr, "vcvtusi2sd {d}, {d}, {s}", d = inout(xmm_reg) d, s = in(reg) a,);
    (d.to_bits(), status)
}

#[target_feature(enable = "avx512f")]
fn host_u64_to_f32(a: u64, csr: u32) -> (u32, u32) {
    let mut d = 0f32;
    let status = with_mxcsr!(csr, "vcvtusi2ss {d}, {d}, {s}", d = inout(xmm_reg) d, s = in(reg) a,);
    (d.to_bits(), status)
}

#[derive(Clone, Copy, Debug)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

const BIN_OPS: [BinOp; 4] = [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div];

/// Compares emu-fpu's `(bits, flags)` with the host's `(bits, mxcsr)`.
fn check<W: Width>(
    what: &str,
    operands: &[u64],
    rm: RoundingMode,
    got: (W::Bits, Flags),
    host: (W::Bits, u32),
) {
    let expected_flags = flags_from_mxcsr(host.1);
    let ctx = || format!("{} {what}{operands:x?} {rm:?}", W::NAME);
    if W::is_nan_bits(host.0) {
        assert_eq!(got.0, W::CANONICAL_NAN, "{}: NaN must be canonical", ctx());
    } else {
        assert_eq!(got.0, host.0, "{}: result", ctx());
    }
    assert_eq!(got.1, expected_flags, "{}: flags", ctx());
}

fn emu_binop<W: Width>(op: BinOp) -> common::BinOp<W::Bits> {
    match op {
        BinOp::Add => W::ADD,
        BinOp::Sub => W::SUB,
        BinOp::Mul => W::MUL,
        BinOp::Div => W::DIV,
    }
}

/// A host binary operation: operands and MXCSR in, result and MXCSR out.
type HostBinOp<B> = fn(BinOp, B, B, u32) -> (B, u32);
/// A host fused multiply-add: operands and MXCSR in, result and MXCSR out.
type HostFma<B> = fn(B, B, B, u32) -> (B, u32);

/// Everything x86 can check for one format, given the host implementations.
struct HostOps<W: Width> {
    binop: HostBinOp<W::Bits>,
    sqrt: fn(W::Bits, u32) -> (W::Bits, u32),
    fma: HostFma<W::Bits>,
}

fn check_operands<W: Width>(host: &HostOps<W>, a: W::Bits, b: W::Bits, c: W::Bits) {
    let ops = [a.into(), b.into(), c.into()];
    for rm in X86_MODES {
        let csr = mxcsr_for(rm);
        for op in BIN_OPS {
            let got = emu_binop::<W>(op)(a, b, rm);
            check::<W>(
                &format!("{op:?}"),
                &ops[..2],
                rm,
                got,
                (host.binop)(op, a, b, csr),
            );
        }
        check::<W>("sqrt", &ops[..1], rm, W::SQRT(a, rm), (host.sqrt)(a, csr));
        let (r, mut status) = (host.fma)(a, b, c, csr);
        if is_zero_times_inf::<W>(a, b) {
            // RISC-V (unlike x86) raises NV for 0 * inf even when the addend is a quiet NaN
            // (unprivileged ISA, "Single-Precision Floating-Point Computational Instructions").
            status |= MXCSR_IE;
        }
        check::<W>("fma", &ops, rm, W::MUL_ADD(a, b, c, rm), (r, status));
    }
}

/// MXCSR's invalid-operation status bit.
const MXCSR_IE: u32 = 1;

/// True if `{a, b}` is `{±0, ±inf}`.
fn is_zero_times_inf<W: Width>(a: W::Bits, b: W::Bits) -> bool {
    let sign = 1u64 << (W::EXP_BITS + W::FRAC_BITS);
    let inf = ((1u64 << W::EXP_BITS) - 1) << W::FRAC_BITS;
    let (ma, mb) = (a.into() & !sign, b.into() & !sign);
    (ma == 0 && mb == inf) || (ma == inf && mb == 0)
}

fn specials_and_random<W: Width>(host: HostOps<W>, seed: u64) {
    let specials = W::specials();
    for &a in &specials {
        for &b in &specials {
            for &c in &specials {
                check_operands(&host, a, b, c);
            }
        }
    }
    let mut rng = Rng::new(seed);
    for _ in 0..RANDOM_CASES {
        let (a, b, c) = (
            W::random(&mut rng),
            W::random(&mut rng),
            W::random(&mut rng),
        );
        check_operands(&host, a, b, c);
    }
}

fn have_fma() -> bool {
    let ok = is_x86_feature_detected!("fma");
    if !ok {
        eprintln!("host has no FMA: skipping");
    }
    ok
}

#[test]
fn f64_arith_all_modes_and_flags_match_x86() {
    if !have_fma() {
        return;
    }
    specials_and_random::<f64>(
        HostOps {
            binop: host_binop_f64,
            sqrt: host_sqrt_f64,
            // SAFETY: FMA support was checked above.
            fma: |a, b, c, csr| unsafe { host_fma_f64(a, b, c, csr) },
        },
        0xd0b1e,
    );
}

#[test]
fn f32_arith_all_modes_and_flags_match_x86() {
    if !have_fma() {
        return;
    }
    specials_and_random::<f32>(
        HostOps {
            binop: host_binop_f32,
            sqrt: host_sqrt_f32,
            // SAFETY: FMA support was checked above.
            fma: |a, b, c, csr| unsafe { host_fma_f32(a, b, c, csr) },
        },
        0x517e,
    );
}

#[test]
fn f64_to_f32_matches_x86() {
    let mut rng = Rng::new(0xc0de);
    let randoms = (0..RANDOM_CASES).map(|_| f64::random(&mut rng));
    // Also values around the binary32 range limits.
    let near_limits = [
        f32::MAX as f64,
        f32::MIN_POSITIVE as f64,
        1.0e-45,
        7.0e-46,
        3.5e38,
    ]
    .into_iter()
    .flat_map(|x| (0..64).map(move |k| x.to_bits() + k * (1 << 26) - (1 << 31)));
    for a in f64::specials()
        .into_iter()
        .chain(randoms)
        .chain(near_limits)
    {
        for rm in X86_MODES {
            let got = emu_fpu::f64_to_f32(a, rm);
            check::<f32>(
                "f64_to_f32",
                &[a],
                rm,
                got,
                host_f64_to_f32(a, mxcsr_for(rm)),
            );
        }
    }
}

/// Integers worth converting: small, powers of two and their neighbours, random.
fn interesting_ints(rng: &mut Rng) -> Vec<u64> {
    let mut v: Vec<u64> = (0..64)
        .flat_map(|k| {
            let p = 1u64 << k;
            [p, p - 1, p + 1, p.wrapping_neg(), !p]
        })
        .collect();
    v.extend((0..RANDOM_CASES).map(|_| rng.next_u64() >> rng.below(64)));
    v
}

#[test]
fn int_to_float_matches_x86() {
    let mut rng = Rng::new(0x1e7);
    let avx512 = is_x86_feature_detected!("avx512f");
    for a in interesting_ints(&mut rng) {
        for rm in X86_MODES {
            let csr = mxcsr_for(rm);
            let (ops, i32v, u32v) = ([a], a as u32, a as u32 as i64);
            let sext32 = i32v as i32 as i64;
            check::<f64>(
                "i64_to_f64",
                &ops,
                rm,
                emu_fpu::i64_to_f64(a, rm),
                host_i64_to_f64(a as i64, csr),
            );
            check::<f32>(
                "i64_to_f32",
                &ops,
                rm,
                emu_fpu::i64_to_f32(a, rm),
                host_i64_to_f32(a as i64, csr),
            );
            check::<f64>(
                "i32_to_f64",
                &ops,
                rm,
                emu_fpu::i32_to_f64(i32v, rm),
                host_i64_to_f64(sext32, csr),
            );
            check::<f32>(
                "i32_to_f32",
                &ops,
                rm,
                emu_fpu::i32_to_f32(i32v, rm),
                host_i64_to_f32(sext32, csr),
            );
            check::<f64>(
                "u32_to_f64",
                &ops,
                rm,
                emu_fpu::u32_to_f64(i32v, rm),
                host_i64_to_f64(u32v, csr),
            );
            check::<f32>(
                "u32_to_f32",
                &ops,
                rm,
                emu_fpu::u32_to_f32(i32v, rm),
                host_i64_to_f32(u32v, csr),
            );
            if avx512 {
                // SAFETY: AVX-512F support was checked above.
                let (h64, h32) = unsafe { (host_u64_to_f64(a, csr), host_u64_to_f32(a, csr)) };
                check::<f64>("u64_to_f64", &ops, rm, emu_fpu::u64_to_f64(a, rm), h64);
                check::<f32>("u64_to_f32", &ops, rm, emu_fpu::u64_to_f32(a, rm), h32);
            }
        }
    }
}
