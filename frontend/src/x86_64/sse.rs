//! SSE/SSE2 instructions: register and memory moves (MOVD/MOVQ, MOVDQA/MOVDQU/MOVAPS/…,
//! MOVSD/MOVSS, MOVLPD/MOVHPD/…), the bitwise group (PXOR/POR/PAND/PANDN and the PS/PD
//! forms) and LDMXCSR/STMXCSR in IR, the hottest integer lane operations in IR through
//! `sse_inline.rs`; everything else (integer lanes, shuffles, packs, masks, floating point)
//! through the `x64_sse` helper in `sse_helpers.rs`, with a memory source
//! first copied to the scratch XMM slot, MASKMOVDQU through `mmx.rs`'s masked store. A 16-byte
//! memory operand must be 16-byte aligned (#GP otherwise) except for the unaligned moves and
//! PCMPxSTRx. MMX (`mm`) register forms go to `mmx.rs` first; SSE3 to SSE4.2 continue in
//! `sse4.rs`.

use emu_ir::{Type, Value};
use iced_x86::{Mnemonic as M, OpKind};

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{ity, Ctx, Res};
use crate::x86_64::mmx::{masked_store, masked_store_address};
use crate::x86_64::sse_helpers::{Op, SSE, WIDE};
use crate::x86_64::{X64Cpu, XMM_TMP};

/// Translate `c.i` if it belongs to this class.
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    if let Some(r) = crate::x86_64::mmx::translate(c) {
        return Some(r);
    }
    let m = c.i.mnemonic();
    let r = match m {
        M::Movd | M::Movq => movd_q(c),
        M::Movdqa
        | M::Movdqu
        | M::Movaps
        | M::Movups
        | M::Movapd
        | M::Movupd
        | M::Lddqu
        | M::Movntdq
        | M::Movntdqa
        | M::Movntps
        | M::Movntpd => mov128(c),
        M::Movsd | M::Movss => mov_scalar(c, if m == M::Movsd { 8 } else { 4 }),
        M::Movlpd | M::Movlps | M::Movhpd | M::Movhps | M::Movhlps | M::Movlhps => mov_half(c, m),
        M::Maskmovdqu => maskmovdqu(c),
        M::Movnti => {
            let ty = c.op_ty(0);
            c.read_op(1, ty)
                .and_then(|v| c.write_op(0, v))
                .map(|_| Flow::Continue)
        }
        M::Ldmxcsr => {
            let v = c.read_op(0, Type::I32);
            v.map(|v| {
                let v = c.fit(v, Type::I64);
                c.b.write_reg(X64Cpu::MXCSR_OFFSET, v);
                Flow::Continue
            })
        }
        M::Stmxcsr => {
            let v = c.b.read_reg(Type::I32, X64Cpu::MXCSR_OFFSET);
            c.write_op(0, v).map(|_| Flow::Continue)
        }
        _ => match (bit_op(m), helper_op(m)) {
            (Some(op), _) => bitwise(c, op),
            (None, Some(op)) => helper(c, op),
            (None, None) => return crate::x86_64::sse4::translate(c),
        },
    };
    Some(r)
}

/// Whether an operand of `c.i` is an MMX register.
pub(super) fn uses_mmx(c: &Ctx) -> bool {
    (0..c.i.op_count()).any(|n| c.i.op_kind(n) == OpKind::Register && c.i.op_register(n).is_mm())
}

/// Whether the 16-byte memory operand of `m` may be misaligned (the unaligned moves and
/// PCMPxSTRx); every other legacy-SSE 16-byte memory operand must be 16-byte aligned.
fn unaligned_ok(m: M) -> bool {
    matches!(
        m,
        M::Movdqu
            | M::Movups
            | M::Movupd
            | M::Lddqu
            | M::Pcmpestri
            | M::Pcmpestri64
            | M::Pcmpestrm
            | M::Pcmpestrm64
            | M::Pcmpistri
            | M::Pcmpistrm
    )
}

/// #GP at the instruction when `addr`, the address of its memory operand, must be 16-byte
/// aligned (a 16-byte operand, see [`unaligned_ok`]) and is not.
fn check_aligned(c: &mut Ctx, addr: Value) {
    if c.i.memory_size().size() != 16 || unaligned_ok(c.i.mnemonic()) {
        return;
    }
    c.require_aligned(addr, 16);
}

/// The SSE/SSE2 lane operation of `m` (also the MMX forms' table).
pub(super) fn helper_op(m: M) -> Option<Op> {
    Some(match m {
        M::Pcmpeqb => Op::PcmpeqB,
        M::Pcmpeqw => Op::PcmpeqW,
        M::Pcmpeqd => Op::PcmpeqD,
        M::Pcmpgtb => Op::PcmpgtB,
        M::Pcmpgtw => Op::PcmpgtW,
        M::Pcmpgtd => Op::PcmpgtD,
        M::Pminub => Op::PminUB,
        M::Pmaxub => Op::PmaxUB,
        M::Pminsw => Op::PminSW,
        M::Pmaxsw => Op::PmaxSW,
        M::Paddb => Op::PaddB,
        M::Paddw => Op::PaddW,
        M::Paddd => Op::PaddD,
        M::Paddq => Op::PaddQ,
        M::Psubb => Op::PsubB,
        M::Psubw => Op::PsubW,
        M::Psubd => Op::PsubD,
        M::Psubq => Op::PsubQ,
        M::Paddusb => Op::PaddusB,
        M::Paddusw => Op::PaddusW,
        M::Psubusb => Op::PsubusB,
        M::Psubusw => Op::PsubusW,
        M::Pavgb => Op::PavgB,
        M::Pavgw => Op::PavgW,
        M::Pmullw => Op::PmullW,
        M::Pmulhw => Op::PmulhW,
        M::Pmulhuw => Op::PmulhuW,
        M::Pmuludq => Op::PmuludQ,
        M::Psadbw => Op::PsadBW,
        M::Punpcklbw => Op::PunpcklBW,
        M::Punpcklwd => Op::PunpcklWD,
        M::Punpckldq | M::Unpcklps => Op::PunpcklDQ,
        M::Punpcklqdq | M::Unpcklpd => Op::PunpcklQDQ,
        M::Punpckhbw => Op::PunpckhBW,
        M::Punpckhwd => Op::PunpckhWD,
        M::Punpckhdq | M::Unpckhps => Op::PunpckhDQ,
        M::Punpckhqdq | M::Unpckhpd => Op::PunpckhQDQ,
        M::Packsswb => Op::PacksswB,
        M::Packuswb => Op::PackuswB,
        M::Packssdw => Op::PackssdW,
        M::Pshufd => Op::PshufD,
        M::Pshuflw => Op::PshufLW,
        M::Pshufhw => Op::PshufHW,
        M::Shufps => Op::ShufPS,
        M::Shufpd => Op::ShufPD,
        M::Pslldq => Op::PslldQ,
        M::Psrldq => Op::PsrldQ,
        M::Psllw => Op::PsllW,
        M::Pslld => Op::PsllD,
        M::Psllq => Op::PsllQ,
        M::Psrlw => Op::PsrlW,
        M::Psrld => Op::PsrlD,
        M::Psrlq => Op::PsrlQ,
        M::Psraw => Op::PsraW,
        M::Psrad => Op::PsraD,
        M::Pmovmskb => Op::PmovmskB,
        M::Movmskps => Op::MovmskPS,
        M::Movmskpd => Op::MovmskPD,
        M::Pextrw => Op::PextrW,
        M::Pinsrw => Op::PinsrW,
        M::Paddsb => Op::PaddsB,
        M::Paddsw => Op::PaddsW,
        M::Psubsb => Op::PsubsB,
        M::Psubsw => Op::PsubsW,
        M::Pmaddwd => Op::PmaddWD,
        M::Cvtpd2dq => Op::CvtPD2DQ,
        M::Cvttpd2dq => Op::CvttPD2DQ,
        M::Cvtps2dq => Op::CvtPS2DQ,
        M::Addss => Op::AddSS,
        M::Addsd => Op::AddSD,
        M::Addps => Op::AddPS,
        M::Addpd => Op::AddPD,
        M::Subss => Op::SubSS,
        M::Subsd => Op::SubSD,
        M::Subps => Op::SubPS,
        M::Subpd => Op::SubPD,
        M::Mulss => Op::MulSS,
        M::Mulsd => Op::MulSD,
        M::Mulps => Op::MulPS,
        M::Mulpd => Op::MulPD,
        M::Divss => Op::DivSS,
        M::Divsd => Op::DivSD,
        M::Divps => Op::DivPS,
        M::Divpd => Op::DivPD,
        M::Minss => Op::MinSS,
        M::Minsd => Op::MinSD,
        M::Minps => Op::MinPS,
        M::Minpd => Op::MinPD,
        M::Maxss => Op::MaxSS,
        M::Maxsd => Op::MaxSD,
        M::Maxps => Op::MaxPS,
        M::Maxpd => Op::MaxPD,
        M::Sqrtss => Op::SqrtSS,
        M::Sqrtsd => Op::SqrtSD,
        M::Sqrtps => Op::SqrtPS,
        M::Sqrtpd => Op::SqrtPD,
        M::Cvtsi2ss => Op::CvtSI2SS,
        M::Cvtsi2sd => Op::CvtSI2SD,
        M::Cvttss2si => Op::CvttSS2SI,
        M::Cvttsd2si => Op::CvttSD2SI,
        M::Cvtss2si => Op::CvtSS2SI,
        M::Cvtsd2si => Op::CvtSD2SI,
        M::Cvtss2sd => Op::CvtSS2SD,
        M::Cvtsd2ss => Op::CvtSD2SS,
        M::Cvtdq2pd => Op::CvtDQ2PD,
        M::Cvtdq2ps => Op::CvtDQ2PS,
        M::Cvttps2dq => Op::CvttPS2DQ,
        M::Cvtps2pd => Op::CvtPS2PD,
        M::Cvtpd2ps => Op::CvtPD2PS,
        M::Ucomiss => Op::UcomiSS,
        M::Ucomisd => Op::UcomiSD,
        M::Comiss => Op::ComiSS,
        M::Comisd => Op::ComiSD,
        M::Cmpss => Op::CmpSS,
        M::Cmpsd => Op::CmpSD,
        M::Cmpps => Op::CmpPS,
        M::Cmppd => Op::CmpPD,
        _ => return None,
    })
}

/// XMM number of register operand `n`.
pub(super) fn xmm_num(c: &Ctx, n: u32) -> Result<u32, Illegal> {
    let r = c.i.op_register(n);
    if c.i.op_kind(n) == OpKind::Register && r.is_xmm() && r.number() < 16 {
        Ok(r.number() as u32)
    } else {
        Err(Illegal)
    }
}

fn lo_off(x: u32) -> u32 {
    X64Cpu::xmm_offset(x)
}

fn hi_off(x: u32) -> u32 {
    X64Cpu::xmm_offset(x) + 8
}

/// Write both halves of XMM `x`.
pub(super) fn set_xmm(c: &mut Ctx, x: u32, lo: Value, hi: Value) {
    c.b.write_reg(lo_off(x), lo);
    c.b.write_reg(hi_off(x), hi);
}

/// Load `bytes` (4, 8 or 16) at `addr` as (lo, hi), zero-extended.
fn load_xmm(c: &mut Ctx, addr: Value, bytes: usize) -> (Value, Value) {
    if bytes == 16 {
        let lo = c.b.load(Type::I64, addr);
        let eight = c.b.i64(8);
        let a8 = c.b.add(addr, eight);
        let hi = c.b.load(Type::I64, a8);
        return (lo, hi);
    }
    let v = c.b.load(ity(bytes), addr);
    let lo = c.fit(v, Type::I64);
    (lo, c.b.i64(0))
}

/// The XMM holding source operand `n`: its register, or the scratch slot loaded from memory.
pub(super) fn src_xmm(c: &mut Ctx, n: u32) -> Result<u32, Illegal> {
    if c.i.op_kind(n) != OpKind::Memory {
        return xmm_num(c, n);
    }
    let addr = c.ea();
    check_aligned(c, addr);
    let (lo, hi) = load_xmm(c, addr, c.i.memory_size().size());
    set_xmm(c, XMM_TMP, lo, hi);
    Ok(XMM_TMP)
}

fn movd_q(c: &mut Ctx) -> Res {
    if c.i.op_kind(0) == OpKind::Register && c.i.op_register(0).is_xmm() {
        let d = xmm_num(c, 0)?;
        let v = if c.i.op_kind(1) == OpKind::Register && c.i.op_register(1).is_xmm() {
            let s = xmm_num(c, 1)?;
            c.b.read_reg(Type::I64, lo_off(s))
        } else {
            let size = c.op_size(1);
            let v = c.read_op(1, ity(size))?;
            c.fit(v, Type::I64)
        };
        let zero = c.b.i64(0);
        set_xmm(c, d, v, zero);
    } else {
        let s = xmm_num(c, 1)?;
        let ty = ity(c.op_size(0));
        let v = c.b.read_reg(ty, lo_off(s));
        c.write_op(0, v)?;
    }
    Ok(Flow::Continue)
}

fn mov128(c: &mut Ctx) -> Res {
    if c.i.op_kind(0) == OpKind::Memory {
        let s = xmm_num(c, 1)?;
        let addr = c.ea();
        check_aligned(c, addr);
        let lo = c.b.read_reg(Type::I64, lo_off(s));
        let hi = c.b.read_reg(Type::I64, hi_off(s));
        c.b.store(addr, lo);
        let eight = c.b.i64(8);
        let a8 = c.b.add(addr, eight);
        c.b.store(a8, hi);
    } else {
        let d = xmm_num(c, 0)?;
        let s = src_xmm(c, 1)?;
        let lo = c.b.read_reg(Type::I64, lo_off(s));
        let hi = c.b.read_reg(Type::I64, hi_off(s));
        set_xmm(c, d, lo, hi);
    }
    Ok(Flow::Continue)
}

/// MOVSD/MOVSS: loads zero the rest of the register, register moves merge the low lane.
fn mov_scalar(c: &mut Ctx, bytes: usize) -> Res {
    let ty = ity(bytes);
    match (c.i.op_kind(0), c.i.op_kind(1)) {
        (OpKind::Memory, _) => {
            let s = xmm_num(c, 1)?;
            let v = c.b.read_reg(ty, lo_off(s));
            let addr = c.ea();
            c.b.store(addr, v);
        }
        (_, OpKind::Memory) => {
            let d = xmm_num(c, 0)?;
            let addr = c.ea();
            let (lo, hi) = load_xmm(c, addr, bytes);
            set_xmm(c, d, lo, hi);
        }
        _ => {
            let (d, s) = (xmm_num(c, 0)?, xmm_num(c, 1)?);
            let v = c.b.read_reg(ty, lo_off(s));
            c.b.write_reg(lo_off(d), v);
        }
    }
    Ok(Flow::Continue)
}

/// MOVLPx/MOVHPx (memory forms), MOVHLPS and MOVLHPS.
fn mov_half(c: &mut Ctx, m: M) -> Res {
    let high = matches!(m, M::Movhpd | M::Movhps | M::Movlhps);
    if c.i.op_kind(0) == OpKind::Memory {
        let s = xmm_num(c, 1)?;
        let v =
            c.b.read_reg(Type::I64, if high { hi_off(s) } else { lo_off(s) });
        let addr = c.ea();
        c.b.store(addr, v);
        return Ok(Flow::Continue);
    }
    let d = xmm_num(c, 0)?;
    let v = if c.i.op_kind(1) == OpKind::Memory {
        let addr = c.ea();
        c.b.load(Type::I64, addr)
    } else {
        let s = xmm_num(c, 1)?;
        // MOVHLPS takes the source's high half, MOVLHPS its low half.
        let off = if m == M::Movhlps {
            hi_off(s)
        } else {
            lo_off(s)
        };
        c.b.read_reg(Type::I64, off)
    };
    c.b.write_reg(if high { hi_off(d) } else { lo_off(d) }, v);
    Ok(Flow::Continue)
}

/// MASKMOVDQU xmm1, xmm2: the bytes of XMM1 whose XMM2 byte has its top bit set, stored at
/// DS:RDI, eight bytes at a time.
fn maskmovdqu(c: &mut Ctx) -> Res {
    let (s, mask) = (xmm_num(c, 1)?, xmm_num(c, 2)?);
    let addr = masked_store_address(c)?;
    for half in 0..2u32 {
        let v = c.b.read_reg(Type::I64, lo_off(s) + 8 * half);
        let m = c.b.read_reg(Type::I64, lo_off(mask) + 8 * half);
        let off = c.b.i64(u64::from(8 * half));
        let a = c.b.add(addr, off);
        masked_store(c, a, v, m)?;
    }
    Ok(Flow::Continue)
}

/// A bitwise operation.
#[derive(Clone, Copy)]
pub(super) enum Bit {
    And,
    AndNot,
    Or,
    Xor,
}

/// The bitwise operation of `m` (the PS/PD forms, and the MMX forms' table).
pub(super) fn bit_op(m: M) -> Option<Bit> {
    Some(match m {
        M::Pxor | M::Xorps | M::Xorpd => Bit::Xor,
        M::Por | M::Orps | M::Orpd => Bit::Or,
        M::Pand | M::Andps | M::Andpd => Bit::And,
        M::Pandn | M::Andnps | M::Andnpd => Bit::AndNot,
        _ => return None,
    })
}

/// `a op b` on 64-bit values (ANDN: `!a & b`).
pub(super) fn bit_value(c: &mut Ctx, op: Bit, a: Value, b: Value) -> Value {
    match op {
        Bit::And => c.b.and(a, b),
        Bit::Or => c.b.or(a, b),
        Bit::Xor => c.b.xor(a, b),
        Bit::AndNot => {
            let ones = c.b.i64(u64::MAX);
            let na = c.b.xor(a, ones);
            c.b.and(na, b)
        }
    }
}

fn bitwise(c: &mut Ctx, op: Bit) -> Res {
    let d = xmm_num(c, 0)?;
    let s = src_xmm(c, 1)?;
    let [lo, hi] = [lo_off, hi_off].map(|off| {
        // The zeroing idiom: no dependency on the old value.
        if matches!(op, Bit::Xor) && d == s {
            return c.b.i64(0);
        }
        let a = c.b.read_reg(Type::I64, off(d));
        let b = c.b.read_reg(Type::I64, off(s));
        bit_value(c, op, a, b)
    });
    set_xmm(c, d, lo, hi);
    Ok(Flow::Continue)
}

/// Whether register operand `n` is a general register.
fn is_gpr(c: &Ctx, n: u32) -> bool {
    c.i.op_kind(n) == OpKind::Register && c.i.op_register(n).is_gpr()
}

/// An instruction implemented by the `x64_sse` helper.
fn helper(c: &mut Ctx, op: Op) -> Res {
    if let Some(r) = crate::x86_64::sse_inline::translate(c, op) {
        return r;
    }
    let call = |c: &mut Ctx, code: u64, d: u32, s: u32, x: Value| -> Result<Value, Illegal> {
        let args = [
            c.b.i64(code),
            c.b.i64(u64::from(d)),
            c.b.i64(u64::from(s)),
            x,
        ];
        c.b.call(&SSE, &args).ok_or(Illegal)
    };
    let zero = c.b.i64(0);
    match op {
        Op::PmovmskB | Op::MovmskPS | Op::MovmskPD | Op::PextrW => {
            let s = xmm_num(c, 1)?;
            let x = if op == Op::PextrW {
                c.b.i64(c.i.immediate(2))
            } else {
                zero
            };
            let r = call(c, op as u64, 0, s, x)?;
            let ty = c.op_ty(0);
            let r = c.fit(r, ty);
            c.write_op(0, r)?;
        }
        Op::CvttSS2SI | Op::CvttSD2SI | Op::CvtSS2SI | Op::CvtSD2SI => {
            let wide = c.op_size(0) == 8;
            let s = src_xmm(c, 1)?;
            let r = call(c, op as u64 | if wide { WIDE } else { 0 }, 0, s, zero)?;
            let ty = c.op_ty(0);
            let r = c.fit(r, ty);
            c.write_op(0, r)?;
        }
        Op::CvtSI2SS | Op::CvtSI2SD | Op::PinsrW => {
            let d = xmm_num(c, 0)?;
            let size = if is_gpr(c, 1) {
                c.i.op_register(1).size()
            } else {
                c.i.memory_size().size()
            };
            let v = c.read_op(1, ity(size))?;
            let mut x = c.fit(v, Type::I64);
            if op == Op::PinsrW {
                let imm = c.b.i64((c.i.immediate(2) & 7) << 16);
                let m = c.b.i64(0xffff);
                let v = c.b.and(x, m);
                x = c.b.or(v, imm);
            }
            call(c, op as u64 | if size == 8 { WIDE } else { 0 }, d, d, x)?;
        }
        Op::UcomiSS | Op::UcomiSD | Op::ComiSS | Op::ComiSD => {
            let d = xmm_num(c, 0)?;
            let s = src_xmm(c, 1)?;
            let f = call(c, op as u64, d, s, zero)?;
            c.set_eflags_value(f);
        }
        _ => {
            let d = xmm_num(c, 0)?;
            let (s, x) = if c.i.op_count() >= 2 && is_imm(c.i.op_kind(1)) {
                (d, c.b.i64(c.i.immediate(1)))
            } else {
                let s = src_xmm(c, 1)?;
                let x = if c.i.op_count() == 3 {
                    c.b.i64(c.i.immediate(2))
                } else if is_lane_shift(op) {
                    c.b.read_reg(Type::I64, lo_off(s))
                } else {
                    zero
                };
                (s, x)
            };
            call(c, op as u64, d, s, x)?;
        }
    }
    Ok(Flow::Continue)
}

fn is_imm(k: OpKind) -> bool {
    matches!(k, OpKind::Immediate8 | OpKind::Immediate8_2nd)
}

/// Whether `op` shifts lanes by a count (an immediate, or the source register's low 64 bits).
pub(super) fn is_lane_shift(op: Op) -> bool {
    matches!(
        op,
        Op::PsllW
            | Op::PsllD
            | Op::PsllQ
            | Op::PsrlW
            | Op::PsrlD
            | Op::PsrlQ
            | Op::PsraW
            | Op::PsraD
    )
}
