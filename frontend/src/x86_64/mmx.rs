//! MMX: the eight 64-bit MM registers and every instruction with an MM operand.
//!
//! MM0–MM7 alias the x87 registers' 64-bit significands by physical number
//! (`X64Cpu::st[i][0]`, independent of TOP). As on the hardware, writing MMn sets that
//! register's sign and exponent word to 0xffff, every MMX instruction sets TOP to 0 and marks
//! all eight tags valid, and EMMS sets TOP to 0 and marks all eight empty (the SDM's table
//! "Effects of MMX Instructions on x87 FPU State"; the host agrees).
//!
//! Moves (MOVD/MOVQ with general registers, memory and MM registers, MOVNTQ, MOVQ2DQ,
//! MOVDQ2Q) and PAND/PANDN/POR/PXOR are IR; MASKMOVQ stores through the `x64_maskmov` helper (shared with `sse.rs`'s
//! MASKMOVDQU); the conversions between MM and XMM registers (CVTPI2PS/PD, CVT(T)PS2PI,
//! CVT(T)PD2PI) run the packed conversions of the `x64_sse` helper on the scratch XMM slot.
//! The lane operations go through the pure `x64_mmx(code, a, b, x)` helper, which runs the
//! lane code of `sse_helpers.rs` (`code` an SSE [`Op`]) or `sse4_helpers.rs` (`code` an SSSE3
//! `Op4` code with [`SSSE3`] set) on 8-byte registers, the operation chosen by the same
//! mnemonic tables as the XMM forms.

use std::mem::offset_of;

use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type, Value};
use iced_x86::{Mnemonic as M, OpKind, Register};

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{ity, Ctx, Res};
use crate::x86_64::sse::{
    bit_op, bit_value, helper_op, is_lane_shift, set_xmm, src_xmm, uses_mmx, xmm_num, Bit,
};
use crate::x86_64::sse4::lane_op;
use crate::x86_64::sse4_helpers::{code as code4, int_op, Op4};
use crate::x86_64::sse_helpers::{vec_int, Op, SSE};
use crate::x86_64::{X64Cpu, FPU_ALL_EMPTY, RDI, XMM_TMP};

/// Width of an MM register in bytes (the lane helpers' register width).
const MM_WIDTH: u32 = 8;

/// Bit of an `x64_mmx` code selecting the SSSE3 operations (an `Op4` code below it).
pub(crate) const SSSE3: u64 = 1 << 31;

/// The x87 sign/exponent word an MMX register write leaves.
const MM_EXPONENT: u64 = 0xffff;

/// Translate `c.i` if it is an MMX instruction: EMMS, anything with an MM operand, and the
/// memory forms of CVTPI2PS/CVTPI2PD (which leave the x87 state alone).
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    let m = c.i.mnemonic();
    if m == M::Emms {
        // TOP 0 as for any MMX instruction, then all eight tags empty.
        enter_mmx(c);
        let empty = c.b.i64(FPU_ALL_EMPTY);
        c.b.write_reg(X64Cpu::FPU_EMPTY_OFFSET, empty);
        return Some(Ok(Flow::Continue));
    }
    let mmx = uses_mmx(c);
    if !mmx && !matches!(m, M::Cvtpi2ps | M::Cvtpi2pd) {
        return None;
    }
    let r = instruction(c, m);
    if mmx && r.is_ok() {
        enter_mmx(c);
    }
    Some(r)
}

fn instruction(c: &mut Ctx, m: M) -> Res {
    match m {
        M::Movd | M::Movq | M::Movntq => mov(c),
        M::Movq2dq => {
            let (d, s) = (xmm_num(c, 0)?, mm_num(c, 1)?);
            let v = read_mm(c, s);
            let zero = c.b.i64(0);
            set_xmm(c, d, v, zero);
            Ok(Flow::Continue)
        }
        M::Movdq2q => {
            let (d, s) = (mm_num(c, 0)?, xmm_num(c, 1)?);
            let v = c.b.read_reg(Type::I64, X64Cpu::xmm_offset(s));
            write_mm(c, d, v);
            Ok(Flow::Continue)
        }
        M::Maskmovq => maskmovq(c),
        M::Cvtpi2ps | M::Cvtpi2pd => from_ints(c, m == M::Cvtpi2pd),
        M::Cvtps2pi | M::Cvttps2pi | M::Cvtpd2pi | M::Cvttpd2pi => to_ints(c, m),
        M::Pextrw | M::Pmovmskb => to_gpr(c, m),
        M::Pinsrw => pinsrw(c),
        M::Pshufw => lanes(c, Op::PshufLW as u64, false),
        _ => {
            if let Some(op) = bit_op(m) {
                bitwise(c, op)
            } else if let Some(op) = helper_op(m) {
                lanes(c, op as u64, is_lane_shift(op))
            } else if let Some((op, es, p)) = lane_op(m) {
                lanes(c, code4(op, es, p) | SSSE3, false)
            } else {
                Err(Illegal)
            }
        }
    }
}

/// State offset of the significand of physical x87 register `i` (MMi).
fn mm_offset(i: u32) -> u32 {
    (offset_of!(X64Cpu, st) + 16 * (i as usize % 8)) as u32
}

/// The MM number of register operand `n`.
fn mm_num(c: &Ctx, n: u32) -> Result<u32, Illegal> {
    let r = c.i.op_register(n);
    if c.i.op_kind(n) == OpKind::Register && r.is_mm() {
        Ok(r.number() as u32)
    } else {
        Err(Illegal)
    }
}

fn read_mm(c: &mut Ctx, i: u32) -> Value {
    c.b.read_reg(Type::I64, mm_offset(i))
}

/// Write MMi: the significand, and 0xffff as sign and exponent.
fn write_mm(c: &mut Ctx, i: u32, v: Value) {
    c.b.write_reg(mm_offset(i), v);
    let exp = c.b.i64(MM_EXPONENT);
    c.b.write_reg(mm_offset(i) + 8, exp);
}

/// The x87-to-MMX transition every MMX instruction makes: TOP 0, all eight tags valid.
fn enter_mmx(c: &mut Ctx) {
    let zero = c.b.i64(0);
    c.b.write_reg(X64Cpu::FPU_TOP_OFFSET, zero);
    c.b.write_reg(X64Cpu::FPU_EMPTY_OFFSET, zero);
}

/// Operand `n` (an MM register, a general register or memory) zero-extended to 64 bits.
fn value64(c: &mut Ctx, n: u32) -> Result<Value, Illegal> {
    if let Ok(s) = mm_num(c, n) {
        return Ok(read_mm(c, s));
    }
    let size = c.op_size(n);
    let v = c.read_op(n, ity(size))?;
    Ok(c.fit(v, Type::I64))
}

/// MOVD/MOVQ/MOVNTQ: to an MM register from anything, or from an MM register to a general
/// register or memory.
fn mov(c: &mut Ctx) -> Res {
    if let Ok(d) = mm_num(c, 0) {
        let v = value64(c, 1)?;
        write_mm(c, d, v);
    } else {
        let s = mm_num(c, 1)?;
        let v = read_mm(c, s);
        let ty = c.op_ty(0);
        let v = c.fit(v, ty);
        c.write_op(0, v)?;
    }
    Ok(Flow::Continue)
}

/// PAND/PANDN/POR/PXOR mm, mm/m64.
fn bitwise(c: &mut Ctx, op: Bit) -> Res {
    let d = mm_num(c, 0)?;
    let a = read_mm(c, d);
    let b = value64(c, 1)?;
    let r = bit_value(c, op, a, b);
    write_mm(c, d, r);
    Ok(Flow::Continue)
}

/// `x64_mmx(code, a, b, x)`.
fn call_mmx(c: &mut Ctx, code: u64, a: Value, b: Value, x: Value) -> Result<Value, Illegal> {
    let code = c.b.i64(code);
    c.b.call(&MMX, &[code, a, b, x]).ok_or(Illegal)
}

/// A lane operation `mm0 = op(mm0, src)`: the source is operand 1 (an MM register, memory or
/// a shift count immediate), `x` the immediate operand 2, or the source itself for shifts by
/// a register or memory count (`count_from_source`).
fn lanes(c: &mut Ctx, code: u64, count_from_source: bool) -> Res {
    let d = mm_num(c, 0)?;
    let a = read_mm(c, d);
    let (b, x) = match c.i.op_kind(1) {
        OpKind::Immediate8 => {
            let imm = c.b.i64(c.i.immediate(1));
            (c.b.i64(0), imm)
        }
        _ => {
            let b = value64(c, 1)?;
            let x = if c.i.op_count() == 3 {
                c.b.i64(c.i.immediate(2))
            } else if count_from_source {
                b
            } else {
                c.b.i64(0)
            };
            (b, x)
        }
    };
    let r = call_mmx(c, code, a, b, x)?;
    write_mm(c, d, r);
    Ok(Flow::Continue)
}

/// PEXTRW r32, mm, imm8 and PMOVMSKB r32, mm.
fn to_gpr(c: &mut Ctx, m: M) -> Res {
    let s = mm_num(c, 1)?;
    let b = read_mm(c, s);
    let (op, x) = if m == M::Pextrw {
        (Op::PextrW, c.i.immediate(2) & 3)
    } else {
        (Op::PmovmskB, 0)
    };
    let (zero, x) = (c.b.i64(0), c.b.i64(x));
    let r = call_mmx(c, op as u64, zero, b, x)?;
    let ty = c.op_ty(0);
    let r = c.fit(r, ty);
    c.write_op(0, r)?;
    Ok(Flow::Continue)
}

/// PINSRW mm, r32/m16, imm8: the word and its lane number go in `x` as for the XMM form.
fn pinsrw(c: &mut Ctx) -> Res {
    let d = mm_num(c, 0)?;
    let a = read_mm(c, d);
    let v = c.read_op(1, Type::I16)?;
    let v = c.fit(v, Type::I64);
    let lane = c.b.i64((c.i.immediate(2) & 3) << 16);
    let x = c.b.or(v, lane);
    let zero = c.b.i64(0);
    let r = call_mmx(c, Op::PinsrW as u64, a, zero, x)?;
    write_mm(c, d, r);
    Ok(Flow::Continue)
}

/// `x64_sse(op, d, s, 0)` on XMM numbers.
fn call_sse(c: &mut Ctx, op: Op, d: u32, s: u32) -> Result<(), Illegal> {
    let args = [op as u64, u64::from(d), u64::from(s), 0].map(|a| c.b.i64(a));
    c.b.call(&SSE, &args).ok_or(Illegal)?;
    Ok(())
}

/// The scratch XMM slot set to `(lo, 0)`.
fn scratch_low(c: &mut Ctx, lo: Value) {
    let zero = c.b.i64(0);
    set_xmm(c, XMM_TMP, lo, zero);
}

/// CVTPI2PS (the low half of the XMM destination; the high half kept) and CVTPI2PD (the whole
/// destination) from two 32-bit integers in an MM register or memory.
fn from_ints(c: &mut Ctx, double: bool) -> Res {
    let d = xmm_num(c, 0)?;
    let v = value64(c, 1)?;
    scratch_low(c, v);
    if double {
        return call_sse(c, Op::CvtDQ2PD, d, XMM_TMP).map(|_| Flow::Continue);
    }
    // The scratch's high lanes convert +0 to +0.0, exactly and without flags.
    call_sse(c, Op::CvtDQ2PS, XMM_TMP, XMM_TMP)?;
    let r = c.b.read_reg(Type::I64, X64Cpu::xmm_offset(XMM_TMP));
    c.b.write_reg(X64Cpu::xmm_offset(d), r);
    Ok(Flow::Continue)
}

/// CVT(T)PS2PI (two floats: the low half of an XMM register, or m64) and CVT(T)PD2PI (two
/// doubles: an XMM register or m128, aligned) to two 32-bit integers in an MM register.
fn to_ints(c: &mut Ctx, m: M) -> Res {
    let d = mm_num(c, 0)?;
    let (op, s) = match m {
        M::Cvtps2pi | M::Cvttps2pi => {
            // Only the two low floats convert: the scratch's zero high lanes raise nothing.
            let v = if c.i.op_kind(1) == OpKind::Memory {
                c.read_op(1, Type::I64)?
            } else {
                let s = xmm_num(c, 1)?;
                c.b.read_reg(Type::I64, X64Cpu::xmm_offset(s))
            };
            scratch_low(c, v);
            let op = if m == M::Cvtps2pi {
                Op::CvtPS2DQ
            } else {
                Op::CvttPS2DQ
            };
            (op, XMM_TMP)
        }
        _ => {
            let op = if m == M::Cvtpd2pi {
                Op::CvtPD2DQ
            } else {
                Op::CvttPD2DQ
            };
            (op, src_xmm(c, 1)?)
        }
    };
    call_sse(c, op, XMM_TMP, s)?;
    let r = c.b.read_reg(Type::I64, X64Cpu::xmm_offset(XMM_TMP));
    write_mm(c, d, r);
    Ok(Flow::Continue)
}

/// MASKMOVQ mm1, mm2: the bytes of MM1 whose MM2 byte has its top bit set, stored at DS:RDI
/// (EDI with an address-size prefix).
fn maskmovq(c: &mut Ctx) -> Res {
    let (s, mask) = (mm_num(c, 1)?, mm_num(c, 2)?);
    let addr = masked_store_address(c)?;
    let (v, mask) = (read_mm(c, s), read_mm(c, mask));
    masked_store(c, addr, v, mask)
}

/// The DS:RDI (or DS:EDI) destination of MASKMOVQ/MASKMOVDQU (operand 0); other segments
/// are not supported.
pub(super) fn masked_store_address(c: &mut Ctx) -> Result<Value, Illegal> {
    if c.i.memory_segment() != Register::DS {
        return Err(Illegal);
    }
    let rdi = c.reg64(RDI);
    Ok(match c.i.op_kind(0) {
        OpKind::MemorySegRDI => rdi,
        OpKind::MemorySegEDI => {
            let edi = c.b.trunc(Type::I32, rdi);
            c.b.zext(Type::I64, edi)
        }
        _ => return Err(Illegal),
    })
}

/// Store the bytes of `v` whose `mask` byte has its top bit set at `addr` (`x64_maskmov`).
pub(super) fn masked_store(c: &mut Ctx, addr: Value, v: Value, mask: Value) -> Res {
    c.b.call(&MASKMOV, &[addr, v, mask]).ok_or(Illegal)?;
    Ok(Flow::Continue)
}

extern "C" fn helper_mmx(_env: *mut u8, code: u64, a: u64, b: u64, x: u64) -> u64 {
    let (a, b) = (u128::from(a), u128::from(b));
    if code & SSSE3 != 0 {
        let Some(op) = Op4::from_code(code as u8) else {
            return 0;
        };
        let (es, p) = ((code >> 8) as u32 & 0xff, (code >> 16) as u32 & 0xff);
        if !matches!(es, 1 | 2 | 4 | 8) {
            return 0;
        }
        return int_op(op, es, p, [a, b, 0], x, MM_WIDTH) as u64;
    }
    let Some(op) = Op::from_code(code as u8) else {
        return 0;
    };
    let out = vec_int(op, a, b, x, MM_WIDTH);
    out.d.map_or(out.ret, |v| v as u64)
}

/// `x64_mmx(code, a, b, x)`: see the module docs; the result is the new destination value (or
/// the general-register result of PEXTRW/PMOVMSKB).
pub(crate) static MMX: Helper = Helper {
    name: "x64_mmx",
    func: HelperFn::A4(helper_mmx),
    nargs: 4,
    ret: Some(Type::I64),
    effects: HelperEffects::PURE,
};

extern "C" fn helper_maskmov(env: *mut u8, addr: u64, v: u64, mask: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; only its header is read.
    let cpu = unsafe { &*env.cast::<X64Cpu>() };
    for i in 0..8u64 {
        if mask >> (8 * i + 7) & 1 != 0 {
            let p = cpu.header.host_addr(addr.wrapping_add(i));
            // SAFETY: `p` is the guest window's byte for the guest address; a bad guest
            // address faults there and becomes a guest signal, as for any guest store.
            unsafe { p.write_volatile((v >> (8 * i)) as u8) };
        }
    }
    0
}

/// `x64_maskmov(addr, v, mask)`: the selected bytes of `v` stored at `addr`.
pub(crate) static MASKMOV: Helper = Helper {
    name: "x64_maskmov",
    func: HelperFn::A3(helper_maskmov),
    nargs: 3,
    ret: Some(Type::I64),
    effects: HelperEffects::ALL,
};

pub(crate) static HELPERS: &[&Helper] = &[&MMX, &MASKMOV];
