//! The x87 register stack through the `x64_x87` helper on the eight 80-bit registers of
//! [`X64Cpu`]: loads (FLD m32/m64/m80/ST(i), FILD, FLD1/FLDZ/FLDPI/…), stores (FST/FSTP
//! m32/m64/m80/ST(i), FIST/FISTP/FISTTP), FXCH, FCHS/FABS, the four basic operations in all
//! their forms (FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR, …P, FI…), FSQRT, FRNDINT, compares
//! (FCOM/FUCOM/…P/…PP, FTST, FCOMI/FUCOMI(P)) and FXAM; arithmetic in `x87_arith.rs`. No
//! tag word (stack overflow/underflow are not detected), no transcendental instructions
//! (FSIN, FYL2X, …: illegal) and no unmasked exceptions.

use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type, Value};
use iced_x86::{Mnemonic as M, OpKind};

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{Ctx, Res};
use crate::x86_64::x87_arith::{self, examine, from_int, widen, F80};
use crate::x86_64::X64Cpu;

/// Helper operations.
const PUSH: u64 = 0;
const POP: u64 = 1;
const GET_LO: u64 = 2;
const GET_HI: u64 = 3;
const COPY_TO: u64 = 4;
const XCH: u64 = 5;
const CHS: u64 = 6;
const ABS: u64 = 7;
const COMPARE: u64 = 8;
const PUSH_F32: u64 = 9;
const PUSH_F64: u64 = 10;
const PUSH_INT: u64 = 11;
const EXAMINE: u64 = 12;
/// `ARITH | kind << 8 | reverse << 10 | dst_sti << 11 | pop << 12 | src << 13`.
const ARITH: u64 = 13;
const SQRT: u64 = 14;
const RNDINT: u64 = 15;
/// `STORE_FLOAT | bits << 8`: the rounded value's bits.
const STORE_FLOAT: u64 = 16;
/// `STORE_INT | bits << 8 | truncate << 15`: the integer.
const STORE_INT: u64 = 17;
/// `COMPARE_SW | signaling << 8 | src << 13`: C3/C2/C0 in the status word.
const COMPARE_SW: u64 = 18;
/// `COMPARE | signaling << 8`: ZF/PF/CF (returned).
const SIGNALING: u64 = 1 << 8;

/// Where the second operand of ARITH/COMPARE_SW comes from (`<< 13`): ST(i), or the `lo`
/// argument as binary32, binary64 or a sign-extended integer.
const SRC_ST: u64 = 0;
const SRC_F32: u64 = 1;
const SRC_F64: u64 = 2;
const SRC_INT: u64 = 3;

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
        M::Fsqrt | M::Frndint => {
            call(c, if m == M::Fsqrt { SQRT } else { RNDINT }, 0, &[]);
            Ok(Flow::Continue)
        }
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
        M::Fchs | M::Fabs => {
            call(c, if m == M::Fchs { CHS } else { ABS }, 0, &[]);
            Ok(Flow::Continue)
        }
        M::Fucomi | M::Fcomi | M::Fucomip | M::Fcomip => compare(
            c,
            matches!(m, M::Fucomip | M::Fcomip),
            matches!(m, M::Fcomi | M::Fcomip),
        ),
        M::Fxam => {
            call(c, EXAMINE, 0, &[]);
            Ok(Flow::Continue)
        }
        _ => return None,
    })
}

/// `x64_x87(op, i, lo, hi)`.
fn call(c: &mut Ctx, op: u64, i: u64, data: &[Value]) -> Value {
    let mut args = vec![c.b.i64(op), c.b.i64(i)];
    args.extend_from_slice(data);
    while args.len() < 4 {
        args.push(c.b.i64(0));
    }
    c.b.call(&X87, &args).unwrap_or(args[0])
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
        let lo = call(c, GET_LO, i, &[]);
        let hi = call(c, GET_HI, i, &[]);
        call(c, PUSH, 0, &[lo, hi]);
        return Ok(Flow::Continue);
    }
    let addr = c.ea();
    match c.i.memory_size().size() {
        10 => {
            let lo = c.b.load(Type::I64, addr);
            let eight = c.b.i64(8);
            let a8 = c.b.add(addr, eight);
            let hi = c.b.load(Type::I16, a8);
            let hi = c.fit(hi, Type::I64);
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
        let addr = c.ea();
        let lo = call(c, GET_LO, 0, &[]);
        let hi = call(c, GET_HI, 0, &[]);
        c.b.store(addr, lo);
        let eight = c.b.i64(8);
        let a8 = c.b.add(addr, eight);
        let hi = c.fit(hi, Type::I16);
        c.b.store(a8, hi);
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

/// DE for a denormal binary32 (`single`) or binary64 memory operand, IE for a signaling NaN
/// (the flags of loading it).
fn memory_exceptions(single: bool, bits: u64) -> u64 {
    let flags = if single {
        emu_fpu::x87::from_f32(bits as u32).1
    } else {
        emu_fpu::x87::from_f64(bits).1
    };
    u64::from(flags)
}

/// [`memory_exceptions`] of a float memory source of ARITH/COMPARE_SW whose other operand
/// is `other` (no DE when that is a NaN).
fn source_exceptions(code: u64, lo: u64, other: F80) -> u64 {
    let e = match (code >> 13) & 3 {
        SRC_F32 => memory_exceptions(true, lo),
        SRC_F64 => memory_exceptions(false, lo),
        _ => 0,
    };
    if x87_arith::is_nan(other) || x87_arith::is_unsupported(other) {
        e & !x87_arith::SW_DE
    } else {
        e
    }
}

/// The second operand of ARITH/COMPARE_SW.
fn source(cpu: &X64Cpu, code: u64, i: u64, lo: u64) -> F80 {
    match (code >> 13) & 3 {
        SRC_ST => cpu.st[(cpu.fpu_top as usize + i as usize) & 7],
        SRC_F32 => widen(lo & 0xffff_ffff, 8, 23),
        SRC_F64 => widen(lo, 11, 52),
        _ => from_int(lo as i64),
    }
}

extern "C" fn helper_x87(env: *mut u8, code: u64, i: u64, lo: u64, hi: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    let top = (cpu.fpu_top & 7) as usize;
    let phys = |n: u64| (top + n as usize) & 7;
    let push = |cpu: &mut X64Cpu, v: F80| {
        let t = (top + 7) & 7;
        cpu.st[t] = [v[0], v[1] & 0xffff];
        cpu.fpu_top = t as u64;
    };
    let cw = cpu.fpu_cw;
    let mut sw = 0;
    // C1 reports the rounding of the last operation (or the sign, for FXAM): cleared first.
    cpu.fpu_sw &= !0x200;
    let ret = match code & 0xff {
        PUSH => {
            push(cpu, [lo, hi]);
            0
        }
        PUSH_F32 | PUSH_F64 => {
            let v = source(
                cpu,
                if code & 0xff == PUSH_F32 {
                    SRC_F32
                } else {
                    SRC_F64
                } << 13,
                0,
                lo,
            );
            sw = memory_exceptions(code & 0xff == PUSH_F32, lo);
            push(cpu, v);
            0
        }
        PUSH_INT => {
            push(cpu, from_int(lo as i64));
            0
        }
        POP => {
            cpu.fpu_top = ((top + 1) & 7) as u64;
            0
        }
        GET_LO => cpu.st[phys(i)][0],
        GET_HI => cpu.st[phys(i)][1],
        COPY_TO => {
            cpu.st[phys(i)] = cpu.st[top];
            0
        }
        XCH => {
            cpu.st.swap(top, phys(i));
            0
        }
        CHS => {
            cpu.st[top][1] ^= 0x8000;
            0
        }
        ABS => {
            cpu.st[top][1] &= 0x7fff;
            0
        }
        COMPARE => {
            let signaling = code & SIGNALING != 0;
            x87_arith::compare(cpu.st[top], cpu.st[phys(i)], signaling, &mut sw)
        }
        COMPARE_SW => {
            let b = source(cpu, code, i, lo);
            sw = source_exceptions(code, lo, cpu.st[top]);
            let f = x87_arith::compare(cpu.st[top], b, code & SIGNALING != 0, &mut sw);
            // ZF, PF, CF → C3 (bit 14), C2 (bit 10), C0 (bit 8).
            let cc = (f & 0x40) << 8 | (f & 0x4) << 8 | (f & 1) << 8;
            cpu.fpu_sw = (cpu.fpu_sw & !0x4700) | cc;
            0
        }
        EXAMINE => {
            cpu.fpu_sw = (cpu.fpu_sw & !0x4700) | examine(cpu.st[top]);
            0
        }
        ARITH => {
            let dst_sti = code & 1 << 11 != 0;
            let d = if dst_sti { phys(i) } else { top };
            let b = if dst_sti {
                cpu.st[top]
            } else {
                sw = source_exceptions(code, lo, cpu.st[d]);
                source(cpu, code, i, lo)
            };
            let a = cpu.st[d];
            let (x, y) = if code & 1 << 10 != 0 { (b, a) } else { (a, b) };
            let (r, f) = x87_arith::arith((code >> 8) & 3, x, y, cw);
            cpu.st[d] = r;
            sw |= f;
            if code & 1 << 12 != 0 {
                cpu.fpu_top = ((top + 1) & 7) as u64;
            }
            0
        }
        SQRT | RNDINT => {
            let (r, f) = if code & 0xff == SQRT {
                x87_arith::sqrt(cpu.st[top], cw)
            } else {
                x87_arith::round_int(cpu.st[top], cw)
            };
            cpu.st[top] = r;
            sw = f;
            0
        }
        STORE_FLOAT => {
            let (v, f) = x87_arith::to_float(cpu.st[top], ((code >> 8) & 0x7f) as u32, cw);
            sw = f;
            v
        }
        STORE_INT => {
            let truncate = code & 1 << 15 != 0;
            let bits = ((code >> 8) & 0x7f) as u32;
            let (v, f) = x87_arith::to_int(cpu.st[top], bits, truncate, cw);
            sw = f;
            v
        }
        _ => 0,
    };
    cpu.fpu_sw |= sw;
    ret
}

static X87: Helper = Helper {
    name: "x64_x87",
    func: HelperFn::A4(helper_x87),
    nargs: 4,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: true,
        writes_state: true,
        memory: false,
    },
};

pub(crate) static HELPERS: &[&Helper] = &[&X87];
