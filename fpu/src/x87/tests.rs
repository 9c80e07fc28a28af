//! The x87 operations against the host's own x87 (the oracle), on operands chosen to hit every
//! special case (zeros, infinities, quiet and signaling NaNs, denormals, unsupported encodings,
//! near-equal values, overflow and underflow ranges) under every rounding and precision control.

use super::*;

/// A small deterministic generator (xorshift64*).
pub(super) struct Rng(pub u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An operand of some interesting class.
pub(super) fn operand(r: &mut Rng) -> F80 {
    let sign = (r.below(2) as u16) << 15;
    let signif = r.next() | INT_BIT;
    let exp = match r.below(18) {
        0 => {
            return F80 {
                signif: 0,
                sign_exp: sign,
            }
        }
        1 => {
            return F80 {
                signif: INT_BIT,
                sign_exp: sign | EXP_MAX,
            }
        }
        2 => {
            return F80 {
                signif: signif | QUIET_BIT,
                sign_exp: sign | EXP_MAX,
            }
        }
        3 => {
            let s = (signif & !QUIET_BIT) | 1;
            return F80 {
                signif: s,
                sign_exp: sign | EXP_MAX,
            };
        }
        4 => {
            return F80 {
                signif: signif >> 1 >> r.below(40),
                sign_exp: sign,
            }
        }
        5 => {
            return F80 {
                signif: signif & !INT_BIT,
                sign_exp: sign | (1 + r.below(0x7ffe) as u16),
            }
        }
        6 => 1 + r.below(80) as u16,
        7 => 0x7ffe - r.below(80) as u16,
        8 => {
            return F80 {
                signif: INT_BIT | r.below(4),
                sign_exp: sign | 0x3fff,
            }
        }
        9 => {
            return F80 {
                signif,
                sign_exp: sign,
            }
        } // pseudo-denormal
        _ => 0x3fff - 40 + r.below(80) as u16,
    };
    F80 {
        signif,
        sign_exp: sign | exp,
    }
}

/// Control words: every rounding control with 24-, 53- and 64-bit precision.
pub(super) fn controls() -> Vec<Control> {
    let mut v = Vec::new();
    for rc in 0..4u16 {
        for pc in [0u16, 2, 3] {
            v.push(Control(0x7f | 0x40 | pc << 8 | rc << 10));
        }
    }
    v
}

/// Defines `fn $name(cw, a, b) -> (ST(0), ST(1), status word & $mask)`: the instructions run
/// on the host x87 with `a` in ST(0) and `b` in ST(1) under `cw` (exceptions masked, the stack
/// emptied after).
macro_rules! host_pair {
    ($name:ident, $mask:expr, $($insn:literal),+) => {
        fn $name(cw: Control, a: F80, b: F80) -> (F80, F80, u16) {
            let (ab, bb) = (a.to_bytes(), b.to_bytes());
            let mut out = [0u8; 20];
            let sw: u16;
            // SAFETY: x87 instructions on locals; `fninit` leaves the FPU as the ABI expects.
            unsafe {
                std::arch::asm!(
                    "fninit",
                    "fldcw word ptr [{cw}]",
                    "fld tbyte ptr [{b}]",
                    "fld tbyte ptr [{a}]",
                    $($insn,)+
                    "fnstsw ax",
                    "fstp tbyte ptr [{out}]",
                    "fstp tbyte ptr [{out} + 10]",
                    "fninit",
                    cw = in(reg) &cw.0,
                    a = in(reg) ab.as_ptr(),
                    b = in(reg) bb.as_ptr(),
                    out = in(reg) out.as_mut_ptr(),
                    out("ax") sw,
                    options(nostack),
                );
            }
            let mut lo = [0u8; 10];
            let mut hi = [0u8; 10];
            lo.copy_from_slice(&out[..10]);
            hi.copy_from_slice(&out[10..]);
            (F80::from_bytes(lo), F80::from_bytes(hi), sw & $mask)
        }
    };
}
pub(super) use host_pair;

/// Defines `fn $name(cw, a, b) -> (ST(0), exception flags)` (see [`host_pair`]).
macro_rules! host_op {
    ($name:ident, $($insn:literal),+) => {
        fn $name(cw: Control, a: F80, b: F80) -> (F80, u16) {
            host_pair!(run, 0x23f, $($insn),+);
            let (r, _, sw) = run(cw, a, b);
            (r, sw)
        }
    };
}

host_op!(host_add, "fadd st(0), st(1)");
host_op!(host_sub, "fsub st(0), st(1)");
host_op!(host_mul, "fmul st(0), st(1)");
host_op!(host_div, "fdiv st(0), st(1)");
host_op!(host_sqrt, "fsqrt");
host_op!(host_rndint, "frndint");
host_op!(
    host_prem,
    "2:",
    "fprem",
    "fnstsw ax",
    "test ah, 4",
    "jnz 2b"
);
host_op!(
    host_prem1,
    "2:",
    "fprem1",
    "fnstsw ax",
    "test ah, 4",
    "jnz 2b"
);

/// Our result and flags must equal the host's bit for bit (the x87 is deterministic).
fn check(what: &str, cw: Control, ops: &[F80], ours: (F80, u16), host: (F80, u16)) {
    assert_eq!(
        ours, host,
        "{what} cw={:#06x} operands {ops:x?}: ours (left) vs host x87 (right)",
        cw.0
    );
}

#[test]
fn arithmetic_matches_the_host_x87() {
    let mut r = Rng(0x1234_5678_9abc_def1);
    for _ in 0..10_000 {
        let (a, b) = (operand(&mut r), operand(&mut r));
        for cw in controls() {
            check("add", cw, &[a, b], add(cw, a, b), host_add(cw, a, b));
            check("sub", cw, &[a, b], sub(cw, a, b), host_sub(cw, a, b));
            check("mul", cw, &[a, b], mul(cw, a, b), host_mul(cw, a, b));
            check("div", cw, &[a, b], div(cw, a, b), host_div(cw, a, b));
            check("sqrt", cw, &[a], sqrt(cw, a), host_sqrt(cw, a, b));
            check(
                "frndint",
                cw,
                &[a],
                round_to_int(cw, a),
                host_rndint(cw, a, b),
            );
        }
    }
}

/// FPREM/FPREM1 repeated until C2 is clear (glibc's fmodl/remainderl loop): the remainder,
/// C1 (the quotient's low bit) and the exception flags of every step.
fn complete_remainder(a: F80, b: F80, ieee: bool) -> (F80, u16) {
    let (mut a, mut flags) = (a, 0);
    loop {
        let (r, f) = prem(a, b, ieee);
        flags |= f & 0x3f;
        if f & C2 == 0 {
            return (r, flags | f & C1);
        }
        a = r;
    }
}

#[test]
fn remainders_match_the_host_x87() {
    let mut r = Rng(0x0bad_cafe_f00d_0001);
    let cw = Control(DEFAULT_CONTROL);
    for _ in 0..3000 {
        let (a, b) = (operand(&mut r), operand(&mut r));
        let ours = complete_remainder(a, b, true);
        check("fprem1", cw, &[a, b], ours, host_prem1(cw, a, b));
        let ours = complete_remainder(a, b, false);
        check("fprem", cw, &[a, b], ours, host_prem(cw, a, b));
    }
}

/// Host `FST m64fp` / `FST m32fp` / `FLD` of both and `FIST`/`FISTTP` of every width.
fn host_convert(cw: Control, a: F80) -> (u64, u32, [i64; 6], u16, [u16; 8]) {
    let ab = a.to_bytes();
    let (mut d, mut s) = (0u64, 0u32);
    let (mut i16v, mut i32v, mut i64v) = (0i16, 0i32, 0i64);
    let (mut t16, mut t32, mut t64) = (0i16, 0i32, 0i64);
    let mut sw = [0u16; 8];
    // SAFETY: x87 instructions on locals; `fninit` after each step keeps the FPU clean.
    unsafe {
        std::arch::asm!(
            "fninit", "fldcw word ptr [{cw}]", "fld tbyte ptr [{a}]", "fstp qword ptr [{d}]",
            "fnstsw word ptr [{sw}]",
            "fninit", "fldcw word ptr [{cw}]", "fld tbyte ptr [{a}]", "fstp dword ptr [{s}]",
            "fnstsw word ptr [{sw} + 2]",
            "fninit", "fldcw word ptr [{cw}]", "fld tbyte ptr [{a}]", "fistp word ptr [{i16}]",
            "fnstsw word ptr [{sw} + 4]",
            "fninit", "fldcw word ptr [{cw}]", "fld tbyte ptr [{a}]", "fistp dword ptr [{i32}]",
            "fnstsw word ptr [{sw} + 6]",
            "fninit", "fldcw word ptr [{cw}]", "fld tbyte ptr [{a}]", "fistp qword ptr [{i64}]",
            "fnstsw word ptr [{sw} + 8]",
            "fninit", "fldcw word ptr [{cw}]", "fld tbyte ptr [{a}]", "fisttp word ptr [{t16}]",
            "fnstsw word ptr [{sw} + 10]",
            "fninit", "fldcw word ptr [{cw}]", "fld tbyte ptr [{a}]", "fisttp dword ptr [{t32}]",
            "fnstsw word ptr [{sw} + 12]",
            "fninit", "fldcw word ptr [{cw}]", "fld tbyte ptr [{a}]", "fisttp qword ptr [{t64}]",
            "fnstsw word ptr [{sw} + 14]",
            "fninit",
            cw = in(reg) &cw.0,
            a = in(reg) ab.as_ptr(),
            d = in(reg) &mut d,
            s = in(reg) &mut s,
            i16 = in(reg) &mut i16v,
            i32 = in(reg) &mut i32v,
            i64 = in(reg) &mut i64v,
            t16 = in(reg) &mut t16,
            t32 = in(reg) &mut t32,
            t64 = in(reg) &mut t64,
            sw = in(reg) sw.as_mut_ptr(),
            options(nostack),
        );
    }
    let ints = [
        i64::from(i16v),
        i64::from(i32v),
        i64v,
        i64::from(t16),
        i64::from(t32),
        t64,
    ];
    (d, s, ints, 0, sw.map(|w| w & 0x23f))
}

#[test]
fn conversions_match_the_host_x87() {
    let mut r = Rng(0x5eed_5eed_5eed_5eed);
    for _ in 0..3000 {
        let a = operand(&mut r);
        for cw in controls() {
            let (d, s, ints, _, sw) = host_convert(cw, a);
            assert_eq!(to_f64(cw, a), (d, sw[0]), "fst m64 {a:x?} cw={:#x}", cw.0);
            assert_eq!(to_f32(cw, a), (s, sw[1]), "fst m32 {a:x?} cw={:#x}", cw.0);
            for (i, (bits, truncate)) in [
                (16, false),
                (32, false),
                (64, false),
                (16, true),
                (32, true),
                (64, true),
            ]
            .into_iter()
            .enumerate()
            {
                let ours = to_int(cw, a, bits, truncate);
                assert_eq!(
                    ours,
                    (ints[i], sw[2 + i]),
                    "fist{} {bits} {a:x?} cw={:#x}",
                    if truncate { "tp" } else { "" },
                    cw.0
                );
            }
        }
    }
}

/// A host function that loads its operand with `$load` and stores it as 80 bits: the value
/// and the exception flags.
macro_rules! host_load {
    ($name:ident, $ty:ty, $load:literal) => {
        fn $name(v: $ty) -> (F80, u16) {
            let mut out = [0u8; 10];
            let sw: u16;
            // SAFETY: x87 instructions on locals; `fninit` leaves the FPU as the ABI expects.
            unsafe {
                std::arch::asm!(
                    "fninit", $load, "fnstsw ax", "fstp tbyte ptr [{out}]", "fninit",
                    v = in(reg) &v, out = in(reg) out.as_mut_ptr(), out("ax") sw,
                    options(nostack),
                );
            }
            (F80::from_bytes(out), sw & 0x3f)
        }
    };
}

host_load!(host_from_f64, u64, "fld qword ptr [{v}]");
host_load!(host_from_f32, u32, "fld dword ptr [{v}]");
host_load!(host_from_i64, i64, "fild qword ptr [{v}]");

#[test]
fn loads_match_the_host_x87() {
    let mut r = Rng(42);
    let specials64 = [
        0x7ff0_0000_0000_0001,
        0xfff8_0000_0000_0002,
        1,
        0x8000_0000_0000_0000,
    ];
    let specials32 = [0x7f80_0001u32, 0xffc0_0002, 1, 0x8000_0000];
    for i in 0..5000 {
        let v = if i < 4 { specials64[i] } else { r.next() };
        assert_eq!(from_f64(v), host_from_f64(v), "fld m64 {v:#x}");
        let w = if i < 4 {
            specials32[i]
        } else {
            r.next() as u32
        };
        assert_eq!(from_f32(w), host_from_f32(w), "fld m32 {w:#x}");
        let n = r.next() as i64 >> r.below(64);
        assert_eq!((from_i64(n), 0), host_from_i64(n), "fild {n}");
    }
}

/// Host `FUCOM`/`FCOM` of st(0) = `a` with st(1) = `b`: the condition codes and flags.
fn host_compare(a: F80, b: F80, quiet: bool) -> (Compare, u16) {
    let (ab, bb) = (a.to_bytes(), b.to_bytes());
    let sw: u16;
    // SAFETY: x87 instructions on locals.
    unsafe {
        if quiet {
            std::arch::asm!(
                "fninit", "fld tbyte ptr [{b}]", "fld tbyte ptr [{a}]", "fucom st(1)",
                "fnstsw ax", "fninit",
                a = in(reg) ab.as_ptr(), b = in(reg) bb.as_ptr(), out("ax") sw, options(nostack),
            );
        } else {
            std::arch::asm!(
                "fninit", "fld tbyte ptr [{b}]", "fld tbyte ptr [{a}]", "fcom st(1)",
                "fnstsw ax", "fninit",
                a = in(reg) ab.as_ptr(), b = in(reg) bb.as_ptr(), out("ax") sw, options(nostack),
            );
        }
    }
    let c = match (sw >> 8 & 1, sw >> 10 & 1, sw >> 14 & 1) {
        (0, 0, 0) => Compare::Greater,
        (1, 0, 0) => Compare::Less,
        (0, 0, 1) => Compare::Equal,
        _ => Compare::Unordered,
    };
    (c, sw & 0x3f)
}

#[test]
fn comparisons_match_the_host_x87() {
    let mut r = Rng(7);
    for _ in 0..5000 {
        let (a, b) = (operand(&mut r), operand(&mut r));
        let b = if r.below(4) == 0 { a } else { b };
        for quiet in [true, false] {
            assert_eq!(
                compare(a, b, quiet),
                host_compare(a, b, quiet),
                "{a:x?} {b:x?} quiet={quiet}"
            );
        }
    }
}
