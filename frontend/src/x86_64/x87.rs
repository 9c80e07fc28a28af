//! x87 instructions: loads (FLD m32/m64/m80/ST(i), FILD, FBLD, FLD1/FLDZ/FLDPI/…), stores
//! (FST/FSTP m32/m64/m80/ST(i), FIST/FISTP/FISTTP, FBSTP), FXCH, FCHS/FABS, FCMOVcc, the four
//! basic operations in all their forms (FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR, …P, FI…), FSQRT,
//! FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1, the transcendental instructions (F2XM1, FYL2X,
//! FYL2XP1, FPATAN, FPTAN, FSIN, FCOS, FSINCOS), compares (FCOM/FUCOM/…P/…PP, FTST,
//! FCOMI/FUCOMI(P)), FXAM, FFREE(P), FINCSTP/FDECSTP and FNOP, as calls of the `x64_x87`
//! helper (`x87_stack.rs`, which keeps the tags and stack faults); FNINIT and the
//! environment images (FNSTENV/FLDENV/FNSAVE/FRSTOR) are in `x87_env.rs`. Unmasked
//! exceptions are not modelled.

use emu_ir::{Type, Value};
use iced_x86::{Mnemonic as M, OpKind};

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{Ctx, Res};
use crate::x86_64::flags;
use crate::x86_64::x87_stack::{self, op::*};
use crate::x86_64::X64Cpu;

/// Translate `c.i` if it is one of the supported x87 instructions.
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    let m = c.i.mnemonic();
    Some(match m {
        M::Fld => fld(c),
        M::Fild => fild(c),
        M::Fld1 => push_const(c, 0x8000_0000_0000_0000, 0x3fff),
        M::Fldz => push_const(c, 0, 0),
        // The constants as FLDxx loads them when rounding to nearest.
        M::Fldpi => push_const(c, 0xc90f_daa2_2168_c235, 0x4000),
        M::Fldln2 => push_const(c, 0xb172_17f7_d1cf_79ac, 0x3ffe),
        M::Fldl2e => push_const(c, 0xb8aa_3b29_5c17_f0bc, 0x3fff),
        M::Fldlg2 => push_const(c, 0x9a20_9a84_fbcf_f799, 0x3ffd),
        M::Fldl2t => push_const(c, 0xd49a_784b_cd1b_8afe, 0x4000),
        M::Fst | M::Fstp => fst(c, m == M::Fstp),
        M::Fist | M::Fistp | M::Fisttp => fist(c, m != M::Fist, m == M::Fisttp),
        M::Fadd | M::Faddp | M::Fiadd => arith_insn(c, 0, false, m == M::Faddp),
        M::Fsub | M::Fsubp | M::Fisub => arith_insn(c, 1, false, m == M::Fsubp),
        M::Fsubr | M::Fsubrp | M::Fisubr => arith_insn(c, 1, true, m == M::Fsubrp),
        M::Fmul | M::Fmulp | M::Fimul => arith_insn(c, 2, false, m == M::Fmulp),
        M::Fdiv | M::Fdivp | M::Fidiv => arith_insn(c, 3, false, m == M::Fdivp),
        M::Fdivr | M::Fdivrp | M::Fidivr => arith_insn(c, 3, true, m == M::Fdivrp),
        M::Fsqrt => simple(c, SQRT),
        M::Frndint => simple(c, RNDINT),
        M::Fcom
        | M::Fcomp
        | M::Fcompp
        | M::Fucom
        | M::Fucomp
        | M::Fucompp
        | M::Ficom
        | M::Ficomp
        | M::Ftst => compare_sw(c, m),
        M::Fxch => st_index(c, c.i.op_count().saturating_sub(1)).map(|i| {
            call(c, XCH, i, &[]);
            Flow::Continue
        }),
        M::Fchs => simple(c, CHS),
        M::Fabs => simple(c, ABS),
        M::Fucomi | M::Fcomi | M::Fucomip | M::Fcomip => compare(
            c,
            matches!(m, M::Fucomip | M::Fcomip),
            matches!(m, M::Fcomi | M::Fcomip),
        ),
        M::Fxam => simple(c, EXAMINE),
        M::F2xm1 => simple(c, UNARY | UN_F2XM1 << 8),
        M::Fsin => simple(c, UNARY | UN_SIN << 8),
        M::Fcos => simple(c, UNARY | UN_COS << 8),
        M::Fscale => simple(c, UNARY | UN_SCALE << 8),
        M::Fprem => simple(c, UNARY | UN_PREM << 8),
        M::Fprem1 => simple(c, UNARY | UN_PREM1 << 8),
        M::Fyl2x => simple(c, BINARY_POP | BIN_YL2X << 8),
        M::Fyl2xp1 => simple(c, BINARY_POP | BIN_YL2XP1 << 8),
        M::Fpatan => simple(c, BINARY_POP | BIN_PATAN << 8),
        M::Fptan => simple(c, PUSHING | PUSHING_TAN << 8),
        M::Fsincos => simple(c, PUSHING | PUSHING_SINCOS << 8),
        M::Fxtract => simple(c, PUSHING | PUSHING_XTRACT << 8),
        M::Fincstp | M::Fdecstp => simple(c, STEP | u64::from(m == M::Fincstp) << 8),
        M::Fnop => Ok(Flow::Continue),
        M::Ffree | M::Ffreep => st_index(c, 0).map(|i| {
            call(c, FREE | u64::from(m == M::Ffreep) << 8, i, &[]);
            Flow::Continue
        }),
        M::Fbld => fbld(c),
        M::Fbstp => fbstp(c),
        _ => {
            if let Some(cc) = fcmov_condition(m) {
                return Some(fcmov(c, cc));
            }
            return crate::x86_64::x87_env::translate(c);
        }
    })
}

/// Legacy prefixes, REX and WAIT (the prefix of FSTSW/FSTENV/FSAVE/…).
fn is_prefix(b: u8) -> bool {
    matches!(
        b,
        0x26 | 0x2e | 0x36 | 0x3e | 0x64 | 0x65 | 0x66 | 0x67 | 0x9b | 0xf0 | 0xf2 | 0xf3 | 0x40
            ..=0x4f
    )
}

/// The x87 control instructions, which leave the last-instruction pointers alone.
fn is_control(m: M) -> bool {
    matches!(
        m,
        M::Fninit
            | M::Finit
            | M::Fldcw
            | M::Fnstcw
            | M::Fstcw
            | M::Fnstsw
            | M::Fstsw
            | M::Fnclex
            | M::Fclex
            | M::Fldenv
            | M::Fnstenv
            | M::Fstenv
            | M::Fnsave
            | M::Fsave
            | M::Frstor
    )
}

/// For an x87 data instruction (`bytes` its encoding): record FIP, FCS:FOP and FDP as the
/// CPU does for FNSTENV/FNSAVE (CS is 0x33 in 64-bit user mode).
pub(crate) fn note_instruction(c: &mut Ctx, bytes: &[u8]) {
    let Some(k) = bytes.iter().position(|&b| !is_prefix(b)) else {
        return;
    };
    let (Some(&op), Some(&modrm)) = (bytes.get(k), bytes.get(k + 1)) else {
        return;
    };
    if !(0xd8..=0xdf).contains(&op) || is_control(c.i.mnemonic()) {
        return;
    }
    let fip = c.b.i64(c.pc);
    c.b.write_reg(X64Cpu::FPU_FIP_OFFSET, fip);
    let fop =
        c.b.i64(0x33 | (u64::from(op & 7) << 8 | u64::from(modrm)) << 16);
    c.b.write_reg(X64Cpu::FPU_FOP_OFFSET, fop);
    if (0..c.i.op_count()).any(|n| c.i.op_kind(n) == OpKind::Memory) {
        let fdp = c.ea();
        c.b.write_reg(X64Cpu::FPU_FDP_OFFSET, fdp);
    }
}

/// `x64_x87(op, i, lo, hi)`.
fn call(c: &mut Ctx, op: u64, i: u64, data: &[Value]) -> Value {
    let mut args = vec![c.b.i64(op), c.b.i64(i)];
    args.extend_from_slice(data);
    while args.len() < 4 {
        args.push(c.b.i64(0));
    }
    c.b.call(x87_stack::helper(), &args).unwrap_or(args[0])
}

/// An instruction that is one helper call without operands.
fn simple(c: &mut Ctx, op: u64) -> Res {
    call(c, op, 0, &[]);
    Ok(Flow::Continue)
}

/// The EFLAGS condition of an FCMOVcc (flags.rs's condition codes).
fn fcmov_condition(m: M) -> Option<u8> {
    Some(match m {
        M::Fcmovb => flags::CC_B,
        M::Fcmovnb => flags::CC_AE,
        M::Fcmove => flags::CC_E,
        M::Fcmovne => flags::CC_E | 1,
        M::Fcmovbe => flags::CC_BE,
        M::Fcmovnbe => flags::CC_BE | 1,
        M::Fcmovu => flags::CC_P,
        M::Fcmovnu => flags::CC_P | 1,
        _ => return None,
    })
}

/// FCMOVcc ST(0), ST(i).
fn fcmov(c: &mut Ctx, cc: u8) -> Res {
    let i = st_index(c, 1)?;
    let cond = c.cond(cc);
    let cond = c.fit(cond, Type::I64);
    call(c, FCMOV, i, &[cond]);
    Ok(Flow::Continue)
}

/// The 10-byte memory operand of `c.i` as (bytes 0–7, bytes 8–9) values.
fn load_m80(c: &mut Ctx) -> (Value, Value) {
    let addr = c.ea();
    let lo = c.b.load(Type::I64, addr);
    let eight = c.b.i64(8);
    let a8 = c.b.add(addr, eight);
    let hi = c.b.load(Type::I16, a8);
    (lo, c.fit(hi, Type::I64))
}

/// Store `lo` (bytes 0–7) and `hi` (bytes 8–9) to the 10-byte memory operand of `c.i`.
fn store_m80(c: &mut Ctx, lo: Value, hi: Value) {
    let addr = c.ea();
    c.b.store(addr, lo);
    let eight = c.b.i64(8);
    let a8 = c.b.add(addr, eight);
    let hi = c.fit(hi, Type::I16);
    c.b.store(a8, hi);
}

/// FBLD m80bcd.
fn fbld(c: &mut Ctx) -> Res {
    let (lo, hi) = load_m80(c);
    call(c, PUSH_BCD, 0, &[lo, hi]);
    Ok(Flow::Continue)
}

/// FBSTP m80bcd.
fn fbstp(c: &mut Ctx) -> Res {
    let lo = call(c, STORE_BCD, 0, &[]);
    let hi = call(c, STORE_BCD | 1 << 8, 0, &[]);
    store_m80(c, lo, hi);
    call(c, POP, 0, &[]);
    Ok(Flow::Continue)
}

/// The stack index of ST(i) operand `n`.
fn st_index(c: &Ctx, n: u32) -> Result<u64, Illegal> {
    let r = c.i.op_register(n);
    if c.i.op_kind(n) == OpKind::Register && r.is_st() {
        Ok(r.number() as u64)
    } else {
        Err(Illegal)
    }
}

fn push_const(c: &mut Ctx, lo: u64, hi: u64) -> Res {
    let (lo, hi) = (c.b.i64(lo), c.b.i64(hi));
    call(c, PUSH, 0, &[lo, hi]);
    Ok(Flow::Continue)
}

fn fld(c: &mut Ctx) -> Res {
    if c.i.op_kind(0) == OpKind::Register {
        let i = st_index(c, 0)?;
        call(c, PUSH_ST, i, &[]);
        return Ok(Flow::Continue);
    }
    let addr = c.ea();
    match c.i.memory_size().size() {
        10 => {
            let (lo, hi) = load_m80(c);
            call(c, PUSH, 0, &[lo, hi]);
        }
        8 => {
            let v = c.b.load(Type::I64, addr);
            call(c, PUSH_F64, 0, &[v]);
        }
        4 => {
            let v = c.b.load(Type::I32, addr);
            let v = c.fit(v, Type::I64);
            call(c, PUSH_F32, 0, &[v]);
        }
        _ => return Err(Illegal),
    }
    Ok(Flow::Continue)
}

fn fild(c: &mut Ctx) -> Res {
    let size = c.i.memory_size().size();
    if !matches!(size, 2 | 4 | 8) {
        return Err(Illegal);
    }
    let v = c.read_op(0, crate::x86_64::ctx::ity(size))?;
    let v = c.sfit(v, Type::I64);
    call(c, PUSH_INT, 0, &[v]);
    Ok(Flow::Continue)
}

fn fst(c: &mut Ctx, pop: bool) -> Res {
    if c.i.op_kind(0) == OpKind::Register {
        let i = st_index(c, 0)?;
        call(c, COPY_TO, i, &[]);
    } else if matches!(c.i.memory_size().size(), 4 | 8) {
        let bytes = c.i.memory_size().size();
        let addr = c.ea();
        let v = call(c, STORE_FLOAT | (bytes as u64 * 8) << 8, 0, &[]);
        let v = c.fit(v, crate::x86_64::ctx::ity(bytes));
        c.b.store(addr, v);
    } else if pop && c.i.memory_size().size() == 10 {
        let lo = call(c, GET_LO, 0, &[]);
        let hi = call(c, GET_HI, 0, &[]);
        store_m80(c, lo, hi);
    } else {
        return Err(Illegal);
    }
    if pop {
        call(c, POP, 0, &[]);
    }
    Ok(Flow::Continue)
}

fn compare(c: &mut Ctx, pop: bool, signaling: bool) -> Res {
    let i = st_index(c, 1)?;
    let f = call(c, COMPARE | if signaling { SIGNALING } else { 0 }, i, &[]);
    c.set_eflags_value(f);
    if pop {
        call(c, POP, 0, &[]);
    }
    Ok(Flow::Continue)
}

/// A memory operand as the helper's second-operand source: (`SRC_*`, raw bits).
fn memory_source(c: &mut Ctx, integer: bool) -> Result<(u64, Value), Illegal> {
    let size = c.i.memory_size().size();
    let kind = match (integer, size) {
        (true, 2 | 4 | 8) => SRC_INT,
        (false, 4) => SRC_F32,
        (false, 8) => SRC_F64,
        _ => return Err(Illegal),
    };
    let v = c.read_op(0, crate::x86_64::ctx::ity(size))?;
    let v = if integer {
        c.sfit(v, Type::I64)
    } else {
        c.fit(v, Type::I64)
    };
    Ok((kind, v))
}

fn is_integer_form(m: M) -> bool {
    matches!(
        m,
        M::Fiadd | M::Fisub | M::Fisubr | M::Fimul | M::Fidiv | M::Fidivr | M::Ficom | M::Ficomp
    )
}

/// FADD and friends: `kind` 0 add, 1 sub, 2 mul, 3 div; `reverse`: the R forms.
fn arith_insn(c: &mut Ctx, kind: u64, reverse: bool, pop: bool) -> Res {
    let base = ARITH | kind << 8 | u64::from(reverse) << 10 | u64::from(pop) << 12;
    if c.i.op_kind(0) == OpKind::Memory {
        let (src, v) = memory_source(c, is_integer_form(c.i.mnemonic()))?;
        call(c, base | src << 13, 0, &[v]);
        return Ok(Flow::Continue);
    }
    let (d, s) = (st_index(c, 0)?, st_index(c, 1)?);
    // `op st(0), st(i)` writes ST(0); `op st(i), st(0)` writes ST(i).
    let (dst_sti, i) = if d == 0 { (0, s) } else { (1, d) };
    call(c, base | dst_sti << 11 | SRC_ST << 13, i, &[]);
    Ok(Flow::Continue)
}

/// FIST/FISTP/FISTTP m16/m32/m64.
fn fist(c: &mut Ctx, pop: bool, truncate: bool) -> Res {
    let bytes = c.i.memory_size().size();
    if !matches!(bytes, 2 | 4 | 8) {
        return Err(Illegal);
    }
    let addr = c.ea();
    let code = STORE_INT | (bytes as u64 * 8) << 8 | u64::from(truncate) << 15;
    let v = call(c, code, 0, &[]);
    let v = c.fit(v, crate::x86_64::ctx::ity(bytes));
    c.b.store(addr, v);
    if pop {
        call(c, POP, 0, &[]);
    }
    Ok(Flow::Continue)
}

/// FCOM/FUCOM (…P, …PP), FICOM(P), FTST: C3/C2/C0 from comparing ST(0) with the operand.
fn compare_sw(c: &mut Ctx, m: M) -> Res {
    let signaling = matches!(
        m,
        M::Fcom | M::Fcomp | M::Fcompp | M::Ficom | M::Ficomp | M::Ftst
    );
    let base = COMPARE_SW | if signaling { SIGNALING } else { 0 };
    let pops = match m {
        M::Fcomp | M::Fucomp | M::Ficomp => 1,
        M::Fcompp | M::Fucompp => 2,
        _ => 0,
    };
    let ops = c.i.op_count();
    if m == M::Ftst {
        let zero = c.b.i64(0);
        call(c, base | SRC_F64 << 13, 0, &[zero]);
    } else if ops >= 1 && c.i.op_kind(0) == OpKind::Memory {
        let (src, v) = memory_source(c, is_integer_form(m))?;
        call(c, base | src << 13, 0, &[v]);
    } else {
        let i = if ops == 0 { 1 } else { st_index(c, ops - 1)? };
        call(c, base | SRC_ST << 13, i, &[]);
    }
    for _ in 0..pops {
        call(c, POP, 0, &[]);
    }
    Ok(Flow::Continue)
}
