//! The out-of-line helpers of the scalar FP class (and the pieces `simd_fp.rs` shares): each
//! takes register numbers and small operation codes, reads its operands from [`A64Cpu`]
//! directly, computes through `emu_fpu::arm` with the guest's FPCR, writes the result register,
//! and ORs the raised exception flags into FPSR. All of them read and write CPU state.

use emu_fpu::arm::{self, FpCtx, Op2, Prec};
use emu_fpu::RoundingMode;
use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type};

use crate::aarch64::A64Cpu;

/// Helpers that read FPCR and registers and write registers and FPSR.
pub(crate) const FP_EFFECTS: HelperEffects = HelperEffects {
    reads_state: true,
    writes_state: true,
    memory: false,
};

/// The CPU state behind a helper's `env`.
pub(crate) fn cpu<'a>(env: *mut u8) -> &'a mut A64Cpu {
    // SAFETY: these helpers are only called by translated aarch64 code, whose `env` points to
    // the live `A64Cpu` of the calling guest thread; no other reference to it is in use while
    // the helper runs.
    unsafe { &mut *env.cast::<A64Cpu>() }
}

/// Runs `f` with an FP context built from the guest's FPCR, then accrues its flags in FPSR.
pub(crate) fn with_fpu<T>(env: *mut u8, f: impl FnOnce(&mut FpCtx, &mut A64Cpu) -> T) -> T {
    let cpu = cpu(env);
    let mut ctx = FpCtx::new(cpu.fpcr);
    let r = f(&mut ctx, cpu);
    cpu.fpsr |= u64::from(ctx.flags);
    r
}

/// Precision codes passed to helpers.
pub(crate) const PREC_H: u64 = 0;
pub(crate) const PREC_S: u64 = 1;
pub(crate) const PREC_D: u64 = 2;

/// The precision a helper argument names.
pub(crate) fn prec(code: u64) -> Prec {
    match code {
        PREC_H => Prec::H,
        PREC_S => Prec::S,
        _ => Prec::D,
    }
}

/// The helper code of a precision.
pub(crate) fn prec_code(p: Prec) -> u64 {
    match p {
        Prec::H => PREC_H,
        Prec::S => PREC_S,
        Prec::D => PREC_D,
    }
}

/// Mask of a precision's bits.
pub(crate) fn prec_mask(p: Prec) -> u64 {
    u64::MAX >> (64 - p.bits())
}

/// Scalar `p` of V register `r`.
pub(crate) fn read_scalar(cpu: &A64Cpu, p: Prec, r: u64) -> u64 {
    cpu.v[(r & 31) as usize][0] & prec_mask(p)
}

/// Write a scalar to V register `r`, zeroing the rest of the register.
pub(crate) fn write_scalar(cpu: &mut A64Cpu, r: u64, value: u64) {
    cpu.v[(r & 31) as usize] = [value, 0];
}

/// Rounding-mode codes: the [`RoundingMode`] discriminants, and this one for "FPCR's mode".
pub(crate) const RM_FPCR: u64 = 5;

/// The rounding mode a helper argument names.
pub(crate) fn rounding(ctx: &FpCtx, code: u64) -> RoundingMode {
    RoundingMode::from_riscv(code as u8).unwrap_or_else(|| ctx.rmode())
}

/// Unary operation codes (see [`unary`]).
pub(crate) const UN_SQRT: u64 = 0;
pub(crate) const UN_RECPE: u64 = 1;
pub(crate) const UN_RSQRTE: u64 = 2;
pub(crate) const UN_RECPX: u64 = 3;
/// `UN_CVT + precision code`: FCVT to that precision.
pub(crate) const UN_CVT: u64 = 4;
/// `UN_RINT + rounding code`: FRINT in that mode.
pub(crate) const UN_RINT: u64 = 8;
/// `UN_RINTX + rounding code`: FRINT raising IXC when inexact (FRINTX).
pub(crate) const UN_RINTX: u64 = 16;

/// A unary FP operation by code on a `p` value.
pub(crate) fn unary(ctx: &mut FpCtx, code: u64, p: Prec, a: u64) -> u64 {
    match code {
        UN_SQRT => ctx.sqrt(p, a),
        UN_RECPE => ctx.recpe(p, a),
        UN_RSQRTE => ctx.rsqrte(p, a),
        UN_RECPX => ctx.recpx(p, a),
        c if (UN_CVT..UN_RINT).contains(&c) => ctx.convert(p, prec(c - UN_CVT), a),
        c if (UN_RINT..UN_RINTX).contains(&c) => {
            let rm = rounding(ctx, c - UN_RINT);
            ctx.round_int(p, a, rm, false)
        }
        c => {
            let rm = rounding(ctx, c - UN_RINTX);
            ctx.round_int(p, a, rm, true)
        }
    }
}

/// Conversion flag bits passed to the integer-conversion helpers.
pub(crate) const CV_SIGNED: u64 = 1 << 8;
pub(crate) const CV_WIDE: u64 = 1 << 9;

/// The `signed`, `wide` and fraction-bits parts of a conversion flags argument.
fn conv_flags(flags: u64) -> (bool, bool, u32) {
    (
        flags & CV_SIGNED != 0,
        flags & CV_WIDE != 0,
        (flags & 0xff) as u32,
    )
}

/// Float to integer conversion of one value (conversion flags as [`CV_SIGNED`] etc.).
pub(crate) fn to_int(ctx: &mut FpCtx, p: Prec, a: u64, rm: u64, flags: u64) -> u64 {
    let (signed, wide, fbits) = conv_flags(flags);
    let rm = rounding(ctx, rm);
    ctx.float_to_int(p, a, rm, signed, wide, fbits)
}

/// Integer to float conversion of one value.
pub(crate) fn from_int(ctx: &mut FpCtx, p: Prec, v: u64, flags: u64) -> u64 {
    let (signed, wide, fbits) = conv_flags(flags);
    ctx.int_to_float(p, v, signed, wide, fbits)
}

/// The NZCV result of a compare, written to the flags.
fn set_nzcv(cpu: &mut A64Cpu, nzcv: u32) {
    cpu.set_nzcv(u64::from(nzcv) << 28);
}

/// Compare-flags bits passed to the compare helpers.
pub(crate) const CMP_SIGNALING: u64 = 1;
pub(crate) const CMP_ZERO: u64 = 2;

fn compare(ctx: &mut FpCtx, cpu: &A64Cpu, p: Prec, rn: u64, rm: u64, flags: u64) -> u32 {
    let a = read_scalar(cpu, p, rn);
    let b = if flags & CMP_ZERO != 0 {
        0
    } else {
        read_scalar(cpu, p, rm)
    };
    ctx.compare(p, a, b, flags & CMP_SIGNALING != 0)
}

/// Defines a `static` helper returning I64 whose function body is `$body`.
macro_rules! helper {
    ($stat:ident, $name:literal, $arity:ident, |$env:ident $(, $arg:ident)*| $body:expr) => {
        pub(crate) static $stat: Helper = Helper {
            name: $name,
            func: HelperFn::$arity({
                extern "C" fn func($env: *mut u8 $(, $arg: u64)*) -> u64 {
                    $body
                }
                func
            }),
            nargs: [$(stringify!($arg)),*].len(),
            ret: Some(Type::I64),
            effects: FP_EFFECTS,
        };
    };
}
pub(crate) use helper;

helper!(FP_OP2, "a64_fp_op2", A5, |e, op, p, rd, rn, rm| {
    with_fpu(e, |ctx, cpu| {
        let p = prec(p);
        let (a, b) = (read_scalar(cpu, p, rn), read_scalar(cpu, p, rm));
        let r = ctx.op2(Op2::from_code(op).unwrap_or(Op2::Add), p, a, b);
        write_scalar(cpu, rd, r & prec_mask(p));
        0
    })
});

// `neg` bit 0: negate the addend; bit 1: negate the first multiplicand.
helper!(FP_MADD, "a64_fp_madd", A6, |e, p, neg, rd, rn, rm, ra| {
    with_fpu(e, |ctx, cpu| {
        let p = prec(p);
        let (mut a, mut n) = (read_scalar(cpu, p, ra), read_scalar(cpu, p, rn));
        if neg & 1 != 0 {
            a = arm::neg(p, a);
        }
        if neg & 2 != 0 {
            n = arm::neg(p, n);
        }
        let r = ctx.mul_add(p, a, n, read_scalar(cpu, p, rm));
        write_scalar(cpu, rd, r & prec_mask(p));
        0
    })
});

// Unary operations; `from` is the source precision (FCVT's target is in the code).
helper!(FP_UNARY, "a64_fp_unary", A4, |e, code, from, rd, rn| {
    with_fpu(e, |ctx, cpu| {
        let p = prec(from);
        let r = unary(ctx, code, p, read_scalar(cpu, p, rn));
        write_scalar(cpu, rd, r);
        0
    })
});

helper!(FP_CMP, "a64_fp_cmp", A4, |e, p, rn, rm, flags| {
    with_fpu(e, |ctx, cpu| {
        let nzcv = compare(ctx, cpu, prec(p), rn, rm, flags);
        set_nzcv(cpu, nzcv);
        0
    })
});

// FCCMP: compares when `cond` is non-zero, else sets the flags to `nzcv`.
helper!(
    FP_CCMP,
    "a64_fp_ccmp",
    A6,
    |e, p, rn, rm, flags, cond, nzcv| {
        with_fpu(e, |ctx, cpu| {
            let nzcv = if cond != 0 {
                compare(ctx, cpu, prec(p), rn, rm, flags)
            } else {
                nzcv as u32
            };
            set_nzcv(cpu, nzcv);
            0
        })
    }
);

// Float (V register `rn`) to integer, written to X register `rd` (31 is XZR).
helper!(FP_TO_INT, "a64_fp_to_int", A5, |e, p, rd, rn, rm, flags| {
    with_fpu(e, |ctx, cpu| {
        let p = prec(p);
        let r = to_int(ctx, p, read_scalar(cpu, p, rn), rm, flags);
        if rd & 31 != 31 {
            cpu.x[(rd & 31) as usize] = r;
        }
        0
    })
});

// Integer (X register `rn`, 31 is XZR) to float in V register `rd`.
helper!(FP_FROM_INT, "a64_fp_from_int", A4, |e, p, rd, rn, flags| {
    with_fpu(e, |ctx, cpu| {
        let v = match rn & 31 {
            31 => 0,
            r => cpu.x[r as usize],
        };
        let r = from_int(ctx, prec(p), v, flags);
        write_scalar(cpu, rd, r);
        0
    })
});

// FJCVTZS: W register `rd` gets the JavaScript conversion of D register `rn`; NZCV = 0Z00.
helper!(FP_JSCVT, "a64_fp_jscvt", A2, |e, rd, rn| {
    with_fpu(e, |ctx, cpu| {
        let (r, exact) = ctx.js_convert(read_scalar(cpu, Prec::D, rn));
        if rd & 31 != 31 {
            cpu.x[(rd & 31) as usize] = u64::from(r);
        }
        set_nzcv(cpu, u32::from(exact) << 2);
        0
    })
});

/// This module's helpers.
pub(crate) const ALL: &[&Helper] = &[
    &FP_OP2,
    &FP_MADD,
    &FP_UNARY,
    &FP_CMP,
    &FP_CCMP,
    &FP_TO_INT,
    &FP_FROM_INT,
    &FP_JSCVT,
];
