//! The scalar floating-point class: FMOV (register, general, immediate, top half), FABS,
//! FNEG, FSQRT, the two-source arithmetic (FADD … FNMUL, FMAX/FMIN[NM]), FMADD and its
//! family, FCMP/FCMPE, FCCMP/FCCMPE, FCSEL, FCVT between precisions, the integer and
//! fixed-point conversions (SCVTF/UCVTF, FCVT[NAPMZ][SU]) and FRINT*.
//!
//! Moves, FABS/FNEG and FCSEL are plain IR; everything that rounds or raises exception flags
//! calls a helper of `fp_helpers.rs`, which works on the registers in the CPU state through
//! `emu_fpu::arm`.

#[path = "fp_helpers.rs"]
pub(super) mod helpers;

use emu_fpu::arm::{rmode_from_fpcr_bits, Op2, Prec};
use emu_fpu::RoundingMode;
use emu_ir::{Helper, Type, Value};

use self::helpers::{
    prec_code, CMP_SIGNALING, CMP_ZERO, CV_SIGNED, CV_WIDE, FP_CCMP, FP_CMP, FP_FROM_INT, FP_JSCVT,
    FP_MADD, FP_OP2, FP_TO_INT, FP_UNARY, RM_FPCR, UN_CVT, UN_RINT, UN_RINTX, UN_SQRT,
};
use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};
use super::A64Cpu;

pub const TABLE: &[Entry] = &[
    insn!("fp-int", "x0011110 xx1 xxxxx 000000 xxxxx xxxxx", conv_int),
    insn!(
        "fp-fixed",
        "x0011110 xx0 xxxxx xxxxxx xxxxx xxxxx",
        conv_fixed
    ),
    insn!(
        "fp-1src",
        "00011110 xx1 xxxxx x10000 xxxxx xxxxx",
        one_source
    ),
    insn!("fcmp", "00011110 xx1 xxxxx 001000 xxxxx xx000", fcmp),
    insn!(
        "fmov-imm",
        "00011110 xx1 xxxxx xxx100 00000 xxxxx",
        fmov_imm
    ),
    insn!("fccmp", "00011110 xx1 xxxxx xxxx01 xxxxx xxxxx", fccmp),
    insn!(
        "fp-2src",
        "00011110 xx1 xxxxx xxxx10 xxxxx xxxxx",
        two_source
    ),
    insn!("fcsel", "00011110 xx1 xxxxx xxxx11 xxxxx xxxxx", fcsel),
    insn!(
        "fp-3src",
        "00011111 xxx xxxxx xxxxxx xxxxx xxxxx",
        three_source
    ),
];

/// This class's helpers (the vector FP class registers its own).
pub const HELPERS: &[&Helper] = helpers::ALL;

/// The precision of an arithmetic `ftype` field (half precision arithmetic, FEAT_FP16, is
/// not supported).
fn arith_prec(i: Insn) -> Result<Prec, Illegal> {
    match i.bits(23, 22) {
        0 => Ok(Prec::S),
        1 => Ok(Prec::D),
        _ => Err(Illegal),
    }
}

/// The precision of a conversion's `ftype` field (half precision allowed).
fn any_prec(ftype: u32) -> Result<Prec, Illegal> {
    match ftype {
        0 => Ok(Prec::S),
        1 => Ok(Prec::D),
        3 => Ok(Prec::H),
        _ => Err(Illegal),
    }
}

/// The IR type of a precision's bits.
fn prec_ty(p: Prec) -> Type {
    match p {
        Prec::H => Type::I16,
        Prec::S => Type::I32,
        Prec::D => Type::I64,
    }
}

/// Calls a helper (with constant arguments) whose result is unused: the FP helpers write their
/// results to the CPU state.
pub(super) fn call(c: &mut Ctx, helper: &'static Helper, args: &[u64]) -> Exec {
    let args: Vec<Value> = args.iter().map(|&a| c.b.i64(a)).collect();
    c.b.call(helper, &args);
    Ok(Flow::Continue)
}

fn conv_int(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, ftype, rmode, opcode) = (i.sf(), i.bits(23, 22), i.bits(20, 19), i.bits(18, 16));
    if (sf, ftype, rmode, opcode) == (false, 1, 3, 6) {
        let (rd, rn) = (u64::from(i.rd()), u64::from(i.rn()));
        return call(c, &FP_JSCVT, &[rd, rn]);
    }
    if opcode >= 6 {
        return fmov_general(c, i, sf, ftype, rmode, opcode == 7);
    }
    let p = arith_prec(i)?;
    let wide = if sf { CV_WIDE } else { 0 };
    let signed = if opcode & 1 == 0 { CV_SIGNED } else { 0 };
    let (p, rd, rn) = (prec_code(p), u64::from(i.rd()), u64::from(i.rn()));
    match (opcode >> 1, rmode) {
        (0, _) => {
            // FCVT[NPMZ][SU]: the rmode field encodes the direction as FPCR.RMode does.
            let rm = rmode_from_fpcr_bits(u64::from(rmode)) as u64;
            call(c, &FP_TO_INT, &[p, rd, rn, rm, signed | wide])
        }
        (2, 0) => {
            let rm = RoundingMode::NearestMaxMag as u64;
            call(c, &FP_TO_INT, &[p, rd, rn, rm, signed | wide])
        }
        (1, 0) => call(c, &FP_FROM_INT, &[p, rd, rn, signed | wide]),
        _ => Err(Illegal),
    }
}

/// FMOV between a general register and a SIMD&FP register (`to_fp`: general to FP).
fn fmov_general(c: &mut Ctx, i: Insn, sf: bool, ftype: u32, rmode: u32, to_fp: bool) -> Exec {
    let (rd, rn) = (i.rd(), i.rn());
    match (sf, ftype, rmode) {
        (true, 2, 1) => {
            if to_fp {
                let x = c.x(rn);
                c.b.write_reg(A64Cpu::v_hi_offset(rd), x);
            } else {
                let v = c.vreg_hi(rn);
                c.set_x(rd, v);
            }
        }
        (false, 0, 0) | (true, 1, 0) | (_, 3, 0) => {
            let ty = prec_ty(any_prec(ftype)?);
            if to_fp {
                let x = c.x(rn);
                let v = if ty == Type::I64 { x } else { c.b.trunc(ty, x) };
                c.set_vreg_scalar(rd, v);
            } else {
                let v = c.vreg(ty, rn);
                c.set_reg(rd, v);
            }
        }
        _ => return Err(Illegal),
    }
    Ok(Flow::Continue)
}

fn conv_fixed(c: &mut Ctx, i: Insn) -> Exec {
    let (sf, scale) = (i.sf(), i.bits(15, 10));
    if !sf && scale < 32 {
        return Err(Illegal);
    }
    let p = prec_code(arith_prec(i)?);
    let fbits = u64::from(64 - scale);
    let wide = if sf { CV_WIDE } else { 0 };
    let (rd, rn) = (u64::from(i.rd()), u64::from(i.rn()));
    let rz = RoundingMode::TowardZero as u64;
    match i.bits(20, 16) {
        0b00010 => call(c, &FP_FROM_INT, &[p, rd, rn, CV_SIGNED | wide | fbits]),
        0b00011 => call(c, &FP_FROM_INT, &[p, rd, rn, wide | fbits]),
        0b11000 => call(c, &FP_TO_INT, &[p, rd, rn, rz, CV_SIGNED | wide | fbits]),
        0b11001 => call(c, &FP_TO_INT, &[p, rd, rn, rz, wide | fbits]),
        _ => Err(Illegal),
    }
}

/// FRINT rounding codes by the opcode's low three bits (`None`: unallocated).
const FRINT_MODES: [Option<u64>; 8] = [
    Some(UN_RINT + RoundingMode::NearestEven as u64),
    Some(UN_RINT + RoundingMode::Up as u64),
    Some(UN_RINT + RoundingMode::Down as u64),
    Some(UN_RINT + RoundingMode::TowardZero as u64),
    Some(UN_RINT + RoundingMode::NearestMaxMag as u64),
    None,
    Some(UN_RINTX + RM_FPCR),
    Some(UN_RINT + RM_FPCR),
];

fn one_source(c: &mut Ctx, i: Insn) -> Exec {
    let opcode = i.bits(20, 15);
    let (rd, rn) = (i.rd(), i.rn());
    if (4..8).contains(&opcode) {
        let from = any_prec(i.bits(23, 22))?;
        let to = any_prec(opcode & 3)?;
        if from == to {
            return Err(Illegal);
        }
        let code = UN_CVT + prec_code(to);
        return call(c, &FP_UNARY, &[code, prec_code(from), rd.into(), rn.into()]);
    }
    let p = arith_prec(i)?;
    let code = match opcode {
        0..=2 => return sign_op(c, p, opcode, rd, rn),
        3 => UN_SQRT,
        8..=15 => FRINT_MODES[(opcode & 7) as usize].ok_or(Illegal)?,
        _ => return Err(Illegal),
    };
    call(c, &FP_UNARY, &[code, prec_code(p), rd.into(), rn.into()])
}

/// FMOV (register), FABS, FNEG: bit operations without exceptions.
fn sign_op(c: &mut Ctx, p: Prec, opcode: u32, rd: u32, rn: u32) -> Exec {
    let ty = prec_ty(p);
    let v = c.vreg(ty, rn);
    let sign = c.b.iconst(ty, 1u128 << (p.bits() - 1));
    let r = match opcode {
        1 => {
            let mask = c.b.iconst(ty, (1u128 << (p.bits() - 1)) - 1);
            c.b.and(v, mask)
        }
        2 => c.b.xor(v, sign),
        _ => v,
    };
    c.set_vreg_scalar(rd, r);
    Ok(Flow::Continue)
}

fn fcmp(c: &mut Ctx, i: Insn) -> Exec {
    let p = prec_code(arith_prec(i)?);
    let signaling = if i.bit(4) { CMP_SIGNALING } else { 0 };
    let flags = signaling | if i.bit(3) { CMP_ZERO } else { 0 };
    call(c, &FP_CMP, &[p, i.rn().into(), i.rm().into(), flags])
}

fn fccmp(c: &mut Ctx, i: Insn) -> Exec {
    let p = c.b.i64(prec_code(arith_prec(i)?));
    let cond = c.cond_holds(i.bits(15, 12));
    let cond = c.b.zext(Type::I64, cond);
    let flags = if i.bit(4) { CMP_SIGNALING } else { 0 };
    let [rn, rm, flags, nzcv] =
        [i.rn(), i.rm(), flags as u32, i.bits(3, 0)].map(|a| c.b.i64(u64::from(a)));
    c.b.call(&FP_CCMP, &[p, rn, rm, flags, cond, nzcv]);
    Ok(Flow::Continue)
}

/// VFPExpandImm: the value of an 8-bit FP immediate in precision `p`.
pub(crate) fn expand_fp_imm(p: Prec, imm8: u64) -> u64 {
    let (exp_bits, frac_bits) = match p {
        Prec::H => (5, 10),
        Prec::S => (8, 23),
        Prec::D => (11, 52),
    };
    let sign = (imm8 >> 7) & 1;
    let b6 = (imm8 >> 6) & 1;
    let exp = ((b6 ^ 1) << (exp_bits - 1))
        | (if b6 == 1 {
            ((1 << (exp_bits - 3)) - 1) << 2
        } else {
            0
        })
        | ((imm8 >> 4) & 3);
    (sign << (exp_bits + frac_bits)) | (exp << frac_bits) | ((imm8 & 15) << (frac_bits - 4))
}

fn fmov_imm(c: &mut Ctx, i: Insn) -> Exec {
    let p = any_prec(i.bits(23, 22))?;
    if p == Prec::H {
        return Err(Illegal);
    }
    let v = expand_fp_imm(p, u64::from(i.bits(20, 13)));
    let v = c.b.i64(v);
    c.set_vreg_scalar(i.rd(), v);
    Ok(Flow::Continue)
}

/// FP data-processing (2 source) operations by opcode.
const TWO_SOURCE: [Op2; 9] = [
    Op2::Mul,
    Op2::Div,
    Op2::Add,
    Op2::Sub,
    Op2::Max,
    Op2::Min,
    Op2::MaxNm,
    Op2::MinNm,
    Op2::Nmul,
];

fn two_source(c: &mut Ctx, i: Insn) -> Exec {
    let p = prec_code(arith_prec(i)?);
    let op = *TWO_SOURCE.get(i.bits(15, 12) as usize).ok_or(Illegal)?;
    let regs = [i.rd(), i.rn(), i.rm()].map(u64::from);
    call(c, &FP_OP2, &[op.code(), p, regs[0], regs[1], regs[2]])
}

fn fcsel(c: &mut Ctx, i: Insn) -> Exec {
    let ty = prec_ty(arith_prec(i)?);
    let cond = c.cond_holds(i.bits(15, 12));
    let a = c.vreg(ty, i.rn());
    let b = c.vreg(ty, i.rm());
    let r = c.b.select(cond, a, b);
    c.set_vreg_scalar(i.rd(), r);
    Ok(Flow::Continue)
}

fn three_source(c: &mut Ctx, i: Insn) -> Exec {
    let p = prec_code(arith_prec(i)?);
    let (o1, o0) = (u64::from(i.bit(21)), u64::from(i.bit(15)));
    let neg = o1 | ((o0 ^ o1) << 1);
    let regs = [i.rd(), i.rn(), i.rm(), i.ra()].map(u64::from);
    call(c, &FP_MADD, &[p, neg, regs[0], regs[1], regs[2], regs[3]])
}
