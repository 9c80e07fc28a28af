//! The F and D extensions: loads/stores, arithmetic, fused multiply-add, sign injection,
//! min/max, compares, classification, conversions and moves. Sign injection, moves, loads and
//! stores are plain IR bit operations; everything that rounds or raises flags calls a helper
//! of `fp_helpers.rs`. Rounding modes: static 0..=4 are constants, 5 and 6 are illegal at
//! translate time, 7 (DYN) reads `frm` and exits with an illegal instruction if it holds 5..=7.

use emu_ir::{Cond, Helper, Type, Value};

use super::fp_helpers::*;
use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};
use super::mem::address;
use super::Rv64Cpu;
use super::BOXED_CANONICAL_NAN_S;

/// Floating-point format of an instruction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fmt {
    S,
    D,
}

impl Fmt {
    /// Sign bit within the register's raw bits.
    fn sign_bit(self) -> u64 {
        match self {
            Fmt::S => 1 << 31,
            Fmt::D => 1 << 63,
        }
    }
}

/// Which operands a fused multiply-add negates: FMSUB negates c, FNMSUB the product (a),
/// FNMADD both.
#[derive(Clone, Copy)]
struct Negate {
    product: bool,
    addend: bool,
}

const MADD: Negate = Negate {
    product: false,
    addend: false,
};
const MSUB: Negate = Negate {
    product: false,
    addend: true,
};
const NMSUB: Negate = Negate {
    product: true,
    addend: false,
};
const NMADD: Negate = Negate {
    product: true,
    addend: true,
};

#[derive(Clone, Copy)]
enum Sgnj {
    Copy,
    Negate,
    Xor,
}

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("flw", "....... ..... ..... 010 ..... 0000111", |c, i| load(c, i, Fmt::S)),
    insn!("fld", "....... ..... ..... 011 ..... 0000111", |c, i| load(c, i, Fmt::D)),
    insn!("fsw", "....... ..... ..... 010 ..... 0100111", |c, i| store(c, i, Fmt::S)),
    insn!("fsd", "....... ..... ..... 011 ..... 0100111", |c, i| store(c, i, Fmt::D)),
    insn!("fmadd.s", ".....00 ..... ..... ... ..... 1000011", |c, i| fma(c, i, &FMA_S, Fmt::S, MADD)),
    insn!("fmsub.s", ".....00 ..... ..... ... ..... 1000111", |c, i| fma(c, i, &FMA_S, Fmt::S, MSUB)),
    insn!("fnmsub.s", ".....00 ..... ..... ... ..... 1001011", |c, i| fma(c, i, &FMA_S, Fmt::S, NMSUB)),
    insn!("fnmadd.s", ".....00 ..... ..... ... ..... 1001111", |c, i| fma(c, i, &FMA_S, Fmt::S, NMADD)),
    insn!("fmadd.d", ".....01 ..... ..... ... ..... 1000011", |c, i| fma(c, i, &FMA_D, Fmt::D, MADD)),
    insn!("fmsub.d", ".....01 ..... ..... ... ..... 1000111", |c, i| fma(c, i, &FMA_D, Fmt::D, MSUB)),
    insn!("fnmsub.d", ".....01 ..... ..... ... ..... 1001011", |c, i| fma(c, i, &FMA_D, Fmt::D, NMSUB)),
    insn!("fnmadd.d", ".....01 ..... ..... ... ..... 1001111", |c, i| fma(c, i, &FMA_D, Fmt::D, NMADD)),
    insn!("fadd.s", "0000000 ..... ..... ... ..... 1010011", |c, i| arith2(c, i, &FADD_S)),
    insn!("fsub.s", "0000100 ..... ..... ... ..... 1010011", |c, i| arith2(c, i, &FSUB_S)),
    insn!("fmul.s", "0001000 ..... ..... ... ..... 1010011", |c, i| arith2(c, i, &FMUL_S)),
    insn!("fdiv.s", "0001100 ..... ..... ... ..... 1010011", |c, i| arith2(c, i, &FDIV_S)),
    insn!("fadd.d", "0000001 ..... ..... ... ..... 1010011", |c, i| arith2(c, i, &FADD_D)),
    insn!("fsub.d", "0000101 ..... ..... ... ..... 1010011", |c, i| arith2(c, i, &FSUB_D)),
    insn!("fmul.d", "0001001 ..... ..... ... ..... 1010011", |c, i| arith2(c, i, &FMUL_D)),
    insn!("fdiv.d", "0001101 ..... ..... ... ..... 1010011", |c, i| arith2(c, i, &FDIV_D)),
    insn!("fsqrt.s", "0101100 00000 ..... ... ..... 1010011", |c, i| f_from_f_rm(c, i, &FSQRT_S)),
    insn!("fsqrt.d", "0101101 00000 ..... ... ..... 1010011", |c, i| f_from_f_rm(c, i, &FSQRT_D)),
    insn!("fsgnj.s", "0010000 ..... ..... 000 ..... 1010011", |c, i| sgnj(c, i, Fmt::S, Sgnj::Copy)),
    insn!("fsgnjn.s", "0010000 ..... ..... 001 ..... 1010011", |c, i| sgnj(c, i, Fmt::S, Sgnj::Negate)),
    insn!("fsgnjx.s", "0010000 ..... ..... 010 ..... 1010011", |c, i| sgnj(c, i, Fmt::S, Sgnj::Xor)),
    insn!("fsgnj.d", "0010001 ..... ..... 000 ..... 1010011", |c, i| sgnj(c, i, Fmt::D, Sgnj::Copy)),
    insn!("fsgnjn.d", "0010001 ..... ..... 001 ..... 1010011", |c, i| sgnj(c, i, Fmt::D, Sgnj::Negate)),
    insn!("fsgnjx.d", "0010001 ..... ..... 010 ..... 1010011", |c, i| sgnj(c, i, Fmt::D, Sgnj::Xor)),
    insn!("fmin.s", "0010100 ..... ..... 000 ..... 1010011", |c, i| f_from_ff(c, i, &FMIN_S)),
    insn!("fmax.s", "0010100 ..... ..... 001 ..... 1010011", |c, i| f_from_ff(c, i, &FMAX_S)),
    insn!("fmin.d", "0010101 ..... ..... 000 ..... 1010011", |c, i| f_from_ff(c, i, &FMIN_D)),
    insn!("fmax.d", "0010101 ..... ..... 001 ..... 1010011", |c, i| f_from_ff(c, i, &FMAX_D)),
    insn!("fcvt.s.d", "0100000 00001 ..... ... ..... 1010011", |c, i| f_from_f_rm(c, i, &FCVT_S_D)),
    insn!("fcvt.d.s", "0100001 00000 ..... ... ..... 1010011", fcvt_d_s),
    insn!("feq.s", "1010000 ..... ..... 010 ..... 1010011", |c, i| x_from_ff(c, i, &FEQ_S)),
    insn!("flt.s", "1010000 ..... ..... 001 ..... 1010011", |c, i| x_from_ff(c, i, &FLT_S)),
    insn!("fle.s", "1010000 ..... ..... 000 ..... 1010011", |c, i| x_from_ff(c, i, &FLE_S)),
    insn!("feq.d", "1010001 ..... ..... 010 ..... 1010011", |c, i| x_from_ff(c, i, &FEQ_D)),
    insn!("flt.d", "1010001 ..... ..... 001 ..... 1010011", |c, i| x_from_ff(c, i, &FLT_D)),
    insn!("fle.d", "1010001 ..... ..... 000 ..... 1010011", |c, i| x_from_ff(c, i, &FLE_D)),
    insn!("fclass.s", "1110000 00000 ..... 001 ..... 1010011", |c, i| fclass(c, i, &FCLASS_S)),
    insn!("fclass.d", "1110001 00000 ..... 001 ..... 1010011", |c, i| fclass(c, i, &FCLASS_D)),
    insn!("fcvt.w.s", "1100000 00000 ..... ... ..... 1010011", |c, i| x_from_f_rm(c, i, &FCVT_W_S)),
    insn!("fcvt.wu.s", "1100000 00001 ..... ... ..... 1010011", |c, i| x_from_f_rm(c, i, &FCVT_WU_S)),
    insn!("fcvt.l.s", "1100000 00010 ..... ... ..... 1010011", |c, i| x_from_f_rm(c, i, &FCVT_L_S)),
    insn!("fcvt.lu.s", "1100000 00011 ..... ... ..... 1010011", |c, i| x_from_f_rm(c, i, &FCVT_LU_S)),
    insn!("fcvt.w.d", "1100001 00000 ..... ... ..... 1010011", |c, i| x_from_f_rm(c, i, &FCVT_W_D)),
    insn!("fcvt.wu.d", "1100001 00001 ..... ... ..... 1010011", |c, i| x_from_f_rm(c, i, &FCVT_WU_D)),
    insn!("fcvt.l.d", "1100001 00010 ..... ... ..... 1010011", |c, i| x_from_f_rm(c, i, &FCVT_L_D)),
    insn!("fcvt.lu.d", "1100001 00011 ..... ... ..... 1010011", |c, i| x_from_f_rm(c, i, &FCVT_LU_D)),
    insn!("fcvt.s.w", "1101000 00000 ..... ... ..... 1010011", |c, i| f_from_x_rm(c, i, &FCVT_S_W)),
    insn!("fcvt.s.wu", "1101000 00001 ..... ... ..... 1010011", |c, i| f_from_x_rm(c, i, &FCVT_S_WU)),
    insn!("fcvt.s.l", "1101000 00010 ..... ... ..... 1010011", |c, i| f_from_x_rm(c, i, &FCVT_S_L)),
    insn!("fcvt.s.lu", "1101000 00011 ..... ... ..... 1010011", |c, i| f_from_x_rm(c, i, &FCVT_S_LU)),
    insn!("fcvt.d.w", "1101001 00000 ..... ... ..... 1010011", |c, i| f_from_x_rm(c, i, &FCVT_D_W)),
    insn!("fcvt.d.wu", "1101001 00001 ..... ... ..... 1010011", |c, i| f_from_x_rm(c, i, &FCVT_D_WU)),
    insn!("fcvt.d.l", "1101001 00010 ..... ... ..... 1010011", |c, i| f_from_x_rm(c, i, &FCVT_D_L)),
    insn!("fcvt.d.lu", "1101001 00011 ..... ... ..... 1010011", |c, i| f_from_x_rm(c, i, &FCVT_D_LU)),
    insn!("fmv.x.w", "1110000 00000 ..... 000 ..... 1010011", fmv_x_w),
    insn!("fmv.x.d", "1110001 00000 ..... 000 ..... 1010011", fmv_x_d),
    insn!("fmv.w.x", "1111000 00000 ..... 000 ..... 1010011", fmv_w_x),
    insn!("fmv.d.x", "1111001 00000 ..... 000 ..... 1010011", fmv_d_x),
];

/// The rounding mode operand of an instruction (see the module doc).
fn rounding(c: &mut Ctx, i: Insn) -> Result<Value, Illegal> {
    match i.funct3() {
        rm @ 0..=4 => Ok(c.b.i64(u64::from(rm))),
        7 => {
            let frm = c.b.read_reg(Type::I64, Rv64Cpu::FRM_OFFSET);
            let four = c.b.i64(4);
            let invalid = c.b.icmp(Cond::GtU, frm, four);
            c.illegal_if(invalid);
            Ok(frm)
        }
        _ => Err(Illegal),
    }
}

/// Call a helper that returns an I64.
fn call(c: &mut Ctx, helper: &'static Helper, args: &[Value]) -> Value {
    match c.b.call(helper, args) {
        Some(v) => v,
        // Every helper of fp_helpers returns I64; keep the IR well-formed regardless.
        None => c.b.i64(0),
    }
}

fn load(c: &mut Ctx, i: Insn, fmt: Fmt) -> Exec {
    let addr = address(c, i.rs1(), i.imm_i());
    let v = match fmt {
        Fmt::S => {
            let word = c.b.load(Type::I32, addr);
            let wide = c.b.zext(Type::I64, word);
            let boxing = c.b.i64(0xffff_ffff_0000_0000);
            c.b.or(wide, boxing)
        }
        Fmt::D => c.b.load(Type::I64, addr),
    };
    c.set_f(i.rd(), v);
    Ok(Flow::Continue)
}

/// fsw stores the low 32 bits without checking the NaN-boxing (a transfer operation).
fn store(c: &mut Ctx, i: Insn, fmt: Fmt) -> Exec {
    let addr = address(c, i.rs1(), i.imm_s());
    let v = c.f(i.rs2());
    let v = match fmt {
        Fmt::S => c.b.trunc(Type::I32, v),
        Fmt::D => v,
    };
    c.b.store(addr, v);
    Ok(Flow::Continue)
}

/// `rd = helper(rs1, rs2, rm)`.
fn arith2(c: &mut Ctx, i: Insn, helper: &'static Helper) -> Exec {
    let rm = rounding(c, i)?;
    let a = c.f(i.rs1());
    let b = c.f(i.rs2());
    let r = call(c, helper, &[a, b, rm]);
    c.set_f(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = helper(rs1, rm)` (float result).
fn f_from_f_rm(c: &mut Ctx, i: Insn, helper: &'static Helper) -> Exec {
    let rm = rounding(c, i)?;
    let a = c.f(i.rs1());
    let r = call(c, helper, &[a, rm]);
    c.set_f(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = helper(rs1, rs2)` (float result, no rounding).
fn f_from_ff(c: &mut Ctx, i: Insn, helper: &'static Helper) -> Exec {
    let a = c.f(i.rs1());
    let b = c.f(i.rs2());
    let r = call(c, helper, &[a, b]);
    c.set_f(i.rd(), r);
    Ok(Flow::Continue)
}

/// `x[rd] = helper(rs1, rs2)` (compares).
fn x_from_ff(c: &mut Ctx, i: Insn, helper: &'static Helper) -> Exec {
    let a = c.f(i.rs1());
    let b = c.f(i.rs2());
    let r = call(c, helper, &[a, b]);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// `x[rd] = helper(rs1, rm)` (float-to-integer conversions).
fn x_from_f_rm(c: &mut Ctx, i: Insn, helper: &'static Helper) -> Exec {
    let rm = rounding(c, i)?;
    let a = c.f(i.rs1());
    let r = call(c, helper, &[a, rm]);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// `f[rd] = helper(x[rs1], rm)` (integer-to-float conversions).
fn f_from_x_rm(c: &mut Ctx, i: Insn, helper: &'static Helper) -> Exec {
    let rm = rounding(c, i)?;
    let a = c.x(i.rs1());
    let r = call(c, helper, &[a, rm]);
    c.set_f(i.rd(), r);
    Ok(Flow::Continue)
}

/// fcvt.d.s is exact, but its rm field must still be a valid mode.
fn fcvt_d_s(c: &mut Ctx, i: Insn) -> Exec {
    rounding(c, i)?;
    let a = c.f(i.rs1());
    let r = call(c, &FCVT_D_S, &[a]);
    c.set_f(i.rd(), r);
    Ok(Flow::Continue)
}

fn fclass(c: &mut Ctx, i: Insn, helper: &'static Helper) -> Exec {
    let a = c.f(i.rs1());
    let r = call(c, helper, &[a]);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// Flip the sign bit of `v` when `negate`.
fn maybe_negate(c: &mut Ctx, v: Value, fmt: Fmt, negate: bool) -> Value {
    if !negate {
        return v;
    }
    let sign = c.b.i64(fmt.sign_bit());
    c.b.xor(v, sign)
}

/// fmadd/fmsub/fnmsub/fnmadd: `±(rs1 * rs2) ± rs3` with one rounding. Negating a boxed
/// single keeps it boxed, and an unboxed one still reads as the canonical NaN.
fn fma(c: &mut Ctx, i: Insn, helper: &'static Helper, fmt: Fmt, neg: Negate) -> Exec {
    let rm = rounding(c, i)?;
    let a = c.f(i.rs1());
    let a = maybe_negate(c, a, fmt, neg.product);
    let b = c.f(i.rs2());
    let addend = c.f(i.rs3());
    let addend = maybe_negate(c, addend, fmt, neg.addend);
    let r = call(c, helper, &[a, b, addend, rm]);
    c.set_f(i.rd(), r);
    Ok(Flow::Continue)
}

/// A single-precision operand in IR: the register if properly NaN-boxed, else the boxed
/// canonical NaN.
fn unboxed_s(c: &mut Ctx, r: u32) -> Value {
    let v = c.f(r);
    let boxed_min = c.b.i64(0xffff_ffff_0000_0000);
    let is_boxed = c.b.icmp(Cond::GeU, v, boxed_min);
    let nan = c.b.i64(BOXED_CANONICAL_NAN_S);
    c.b.select(is_boxed, v, nan)
}

fn operand(c: &mut Ctx, r: u32, fmt: Fmt) -> Value {
    match fmt {
        Fmt::S => unboxed_s(c, r),
        Fmt::D => c.f(r),
    }
}

/// fsgnj/fsgnjn/fsgnjx: rs1's magnitude with a sign from rs2 (pure bit operations).
fn sgnj(c: &mut Ctx, i: Insn, fmt: Fmt, kind: Sgnj) -> Exec {
    let a = operand(c, i.rs1(), fmt);
    let b = operand(c, i.rs2(), fmt);
    let sign = c.b.i64(fmt.sign_bit());
    let r = match kind {
        Sgnj::Xor => {
            let b_sign = c.b.and(b, sign);
            c.b.xor(a, b_sign)
        }
        Sgnj::Copy | Sgnj::Negate => {
            let not_sign = c.b.i64(!fmt.sign_bit());
            let magnitude = c.b.and(a, not_sign);
            let src = if matches!(kind, Sgnj::Negate) {
                c.b.unary(emu_ir::UnOp::Not, b)
            } else {
                b
            };
            let b_sign = c.b.and(src, sign);
            c.b.or(magnitude, b_sign)
        }
    };
    c.set_f(i.rd(), r);
    Ok(Flow::Continue)
}

/// fmv.x.w: the low 32 bits, sign-extended, without checking the boxing.
fn fmv_x_w(c: &mut Ctx, i: Insn) -> Exec {
    let v = c.f(i.rs1());
    let low = c.b.trunc(Type::I32, v);
    c.set_x32(i.rd(), low);
    Ok(Flow::Continue)
}

fn fmv_x_d(c: &mut Ctx, i: Insn) -> Exec {
    let v = c.f(i.rs1());
    c.set_x(i.rd(), v);
    Ok(Flow::Continue)
}

fn fmv_w_x(c: &mut Ctx, i: Insn) -> Exec {
    let low = c.x32(i.rs1());
    let wide = c.b.zext(Type::I64, low);
    let boxing = c.b.i64(0xffff_ffff_0000_0000);
    let boxed = c.b.or(wide, boxing);
    c.set_f(i.rd(), boxed);
    Ok(Flow::Continue)
}

fn fmv_d_x(c: &mut Ctx, i: Insn) -> Exec {
    let v = c.x(i.rs1());
    c.set_f(i.rd(), v);
    Ok(Flow::Continue)
}
