//! SSE3, SSSE3, SSE4.1 and SSE4.2 instructions: lane extracts and inserts (PEXTRB/D/Q,
//! PINSRB/D/Q, EXTRACTPS; PEXTRW's memory form is `sse.rs`'s PEXTRW) in IR; the lane
//! operations through the `x64_sse4` helper (`sse4_helpers.rs`, chosen by [`lane_op`]'s
//! table), PTEST's flags among them; CRC32 through `x64_crc32`, and PCMPxSTRx through
//! `x64_pcmpstr` (`pcmpstr.rs`). A memory source is first copied to the scratch XMM slot,
//! reading only the bytes the instruction reads. The MMX (`mm`) register forms of the SSSE3
//! instructions are `mmx.rs`'s, which shares [`lane_op`]'s table.

use emu_ir::{Helper, Type, Value};
use iced_x86::{Mnemonic as M, OpKind};

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{ity, Ctx, Res};
use crate::x86_64::pcmpstr::{EXPLICIT, LEN64, MASK, PCMPSTR};
use crate::x86_64::sse::{src_xmm, xmm_num};
use crate::x86_64::sse4_helpers::{code, Op4, CRC32, SSE4};
use crate::x86_64::X64Cpu;

/// Translate `c.i` if it belongs to this class.
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    let m = c.i.mnemonic();
    let r = match m {
        M::Pextrb | M::Pextrd | M::Pextrq | M::Extractps => extract(c, m),
        M::Pinsrb | M::Pinsrd | M::Pinsrq => insert(c, m),
        M::Crc32 => crc32(c),
        M::Pcmpestri
        | M::Pcmpestri64
        | M::Pcmpestrm
        | M::Pcmpestrm64
        | M::Pcmpistri
        | M::Pcmpistrm => pcmpstr(c, m),
        _ => {
            let (op, es, p) = lane_op(m)?;
            helper(c, op, es, p)
        }
    };
    Some(r)
}

/// The helper operation, lane width and parameter of a lane instruction.
pub(super) fn lane_op(m: M) -> Option<(Op4, u32, u32)> {
    use Op4::*;
    Some(match m {
        M::Addsubps => (AddSub, 4, 0),
        M::Addsubpd => (AddSub, 8, 0),
        M::Haddps => (HAdd, 4, 0),
        M::Haddpd => (HAdd, 8, 0),
        M::Hsubps => (HSub, 4, 0),
        M::Hsubpd => (HSub, 8, 0),
        M::Movddup => (Dup, 8, 0),
        M::Movsldup => (Dup, 4, 0),
        M::Movshdup => (Dup, 4, 1),
        M::Pshufb => (PshufB, 1, 0),
        M::Phaddw => (PhAdd, 2, 0),
        M::Phaddd => (PhAdd, 4, 0),
        M::Phaddsw => (PhAddS, 2, 0),
        M::Phsubw => (PhSub, 2, 0),
        M::Phsubd => (PhSub, 4, 0),
        M::Phsubsw => (PhSubS, 2, 0),
        M::Pmaddubsw => (PmaddUBSW, 2, 0),
        M::Pmulhrsw => (PmulhRSW, 2, 0),
        M::Psignb => (Psign, 1, 0),
        M::Psignw => (Psign, 2, 0),
        M::Psignd => (Psign, 4, 0),
        M::Pabsb => (Pabs, 1, 0),
        M::Pabsw => (Pabs, 2, 0),
        M::Pabsd => (Pabs, 4, 0),
        M::Palignr => (PalignR, 1, 0),
        M::Pblendvb => (BlendV, 1, 0),
        M::Blendvps => (BlendV, 4, 0),
        M::Blendvpd => (BlendV, 8, 0),
        M::Pblendw => (Blend, 2, 0),
        M::Blendps => (Blend, 4, 0),
        M::Blendpd => (Blend, 8, 0),
        M::Ptest => (Ptest, 1, 0),
        M::Pmovsxbw => (PmovSX, 1, 2),
        M::Pmovsxbd => (PmovSX, 1, 4),
        M::Pmovsxbq => (PmovSX, 1, 8),
        M::Pmovsxwd => (PmovSX, 2, 4),
        M::Pmovsxwq => (PmovSX, 2, 8),
        M::Pmovsxdq => (PmovSX, 4, 8),
        M::Pmovzxbw => (PmovZX, 1, 2),
        M::Pmovzxbd => (PmovZX, 1, 4),
        M::Pmovzxbq => (PmovZX, 1, 8),
        M::Pmovzxwd => (PmovZX, 2, 4),
        M::Pmovzxwq => (PmovZX, 2, 8),
        M::Pmovzxdq => (PmovZX, 4, 8),
        M::Pminsb => (PminS, 1, 0),
        M::Pminsd => (PminS, 4, 0),
        M::Pminuw => (PminU, 2, 0),
        M::Pminud => (PminU, 4, 0),
        M::Pmaxsb => (PmaxS, 1, 0),
        M::Pmaxsd => (PmaxS, 4, 0),
        M::Pmaxuw => (PmaxU, 2, 0),
        M::Pmaxud => (PmaxU, 4, 0),
        M::Pmulld => (PmulLD, 4, 0),
        M::Pmuldq => (PmulDQ, 8, 0),
        M::Pcmpeqq => (PcmpEq, 8, 0),
        M::Pcmpgtq => (PcmpGt, 8, 0),
        M::Packusdw => (PackusDW, 4, 0),
        M::Roundps => (Round, 4, 0),
        M::Roundpd => (Round, 8, 0),
        M::Roundss => (Round, 4, 1),
        M::Roundsd => (Round, 8, 1),
        M::Dpps => (Dp, 4, 0),
        M::Dppd => (Dp, 8, 0),
        M::Insertps => (InsertPS, 4, 0),
        M::Mpsadbw => (MpsadBW, 1, 0),
        M::Phminposuw => (PhminposUW, 2, 0),
        _ => return None,
    })
}

/// Call `helper` with constant arguments (operation, XMM numbers, immediate).
fn call(c: &mut Ctx, helper: &'static Helper, args: &[u64]) -> Result<Value, Illegal> {
    let v: Vec<Value> = args.iter().map(|&a| c.b.i64(a)).collect();
    c.b.call(helper, &v).ok_or(Illegal)
}

/// The immediate operand `n`, or 0 when operand `n` is not an immediate (BLENDVx's XMM0).
fn imm(c: &Ctx, n: u32) -> u64 {
    if n < c.i.op_count() && matches!(c.i.op_kind(n), OpKind::Immediate8 | OpKind::Immediate8_2nd) {
        c.i.immediate(n)
    } else {
        0
    }
}

/// A lane operation through `x64_sse4`.
fn helper(c: &mut Ctx, op: Op4, es: u32, p: u32) -> Res {
    let d = xmm_num(c, 0)?;
    let from_mem = c.i.op_kind(1) == OpKind::Memory;
    let s = src_xmm(c, 1)?;
    let mut x = imm(c, 2);
    if op == Op4::InsertPS && from_mem {
        // The memory form inserts the 32-bit operand itself.
        x &= 0x3f;
    }
    let args = [code(op, es, p), u64::from(d), u64::from(s), x];
    let r = call(c, &SSE4, &args)?;
    if op == Op4::Ptest {
        c.set_eflags_value(r);
    }
    Ok(Flow::Continue)
}

/// Lane width of an extract/insert mnemonic.
fn lane_bytes(m: M) -> u32 {
    match m {
        M::Pextrb | M::Pinsrb => 1,
        M::Pextrd | M::Pinsrd | M::Extractps => 4,
        _ => 8,
    }
}

/// State offset of the lane of XMM `x` selected by immediate operand `n`.
fn lane_offset(c: &Ctx, x: u32, es: u32, n: u32) -> u32 {
    let lane = imm(c, n) as u32 & (16 / es - 1);
    X64Cpu::xmm_offset(x) + lane * es
}

/// PEXTRB/W/D/Q, EXTRACTPS: a lane to a general register (zero-extended) or memory.
fn extract(c: &mut Ctx, m: M) -> Res {
    let es = lane_bytes(m);
    let s = xmm_num(c, 1)?;
    let off = lane_offset(c, s, es, 2);
    let mut v = c.b.read_reg(ity(es as usize), off);
    if c.i.op_kind(0) == OpKind::Register {
        let ty = c.op_ty(0);
        v = c.fit(v, ty);
    }
    c.write_op(0, v)?;
    Ok(Flow::Continue)
}

/// PINSRB/D/Q: the low lane-width bits of a general register or memory into a lane.
fn insert(c: &mut Ctx, m: M) -> Res {
    let es = lane_bytes(m);
    let d = xmm_num(c, 0)?;
    let v = c.read_op(1, ity(es as usize))?;
    let off = lane_offset(c, d, es, 2);
    c.b.write_reg(off, v);
    Ok(Flow::Continue)
}

/// CRC32 r32/r64, r/m8–64: CRC-32C into the low 32 bits (zero-extended).
fn crc32(c: &mut Ctx) -> Res {
    let size = c.op_size(1);
    let v = c.read_op(1, ity(size))?;
    let v = c.fit(v, Type::I64);
    let crc = c.read_op(0, Type::I32)?;
    let crc = c.fit(crc, Type::I64);
    let bytes = c.b.i64(size as u64);
    let r = c.b.call(&CRC32, &[crc, v, bytes]).ok_or(Illegal)?;
    let r = c.fit(r, Type::I32);
    let ty = c.op_ty(0);
    let r = c.fit(r, ty);
    c.write_op(0, r)?;
    Ok(Flow::Continue)
}

/// PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM.
fn pcmpstr(c: &mut Ctx, m: M) -> Res {
    let d = xmm_num(c, 0)?;
    let s = src_xmm(c, 1)?;
    let mut ctl = imm(c, 2) & 0xff;
    if matches!(
        m,
        M::Pcmpestri | M::Pcmpestri64 | M::Pcmpestrm | M::Pcmpestrm64
    ) {
        ctl |= EXPLICIT;
    }
    if matches!(m, M::Pcmpestri64 | M::Pcmpestrm64) {
        ctl |= LEN64;
    }
    if matches!(m, M::Pcmpestrm | M::Pcmpestrm64 | M::Pcmpistrm) {
        ctl |= MASK;
    }
    let f = call(c, &PCMPSTR, &[ctl, u64::from(d), u64::from(s)])?;
    c.set_eflags_value(f);
    Ok(Flow::Continue)
}
