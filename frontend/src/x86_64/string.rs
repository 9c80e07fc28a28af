//! String instructions MOVS, STOS, LODS, CMPS, SCAS (64-bit addressing, DS/ES segments). One
//! iteration is plain IR; a REP/REPE/REPNE prefix runs the whole loop in the `x64_rep` helper,
//! which updates RCX/RSI/RDI after every element (so a fault leaves the architectural
//! mid-loop state) and, for CMPS/SCAS, the lazy flags of the last comparison.

use emu_ir::helpers::HelperFn;
use emu_ir::{Helper, HelperEffects, Type, Value};
use iced_x86::{Mnemonic as M, OpKind};

use crate::translator::{Flow, Illegal};
use crate::x86_64::ctx::{ity, Ctx, Res};
use crate::x86_64::flags::{cc_op, Kind};
use crate::x86_64::{X64Cpu, RAX, RCX, RDI, RSI};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Movs = 0,
    Stos = 1,
    Lods = 2,
    Cmps = 3,
    Scas = 4,
}

const OPS: [Op; 5] = [Op::Movs, Op::Stos, Op::Lods, Op::Cmps, Op::Scas];

/// Translate `c.i` if it is a string instruction.
pub(crate) fn translate(c: &mut Ctx) -> Option<Res> {
    let op = match c.i.mnemonic() {
        M::Movsb | M::Movsw | M::Movsd | M::Movsq => Op::Movs,
        M::Stosb | M::Stosw | M::Stosd | M::Stosq => Op::Stos,
        M::Lodsb | M::Lodsw | M::Lodsd | M::Lodsq => Op::Lods,
        M::Cmpsb | M::Cmpsw | M::Cmpsd | M::Cmpsq => Op::Cmps,
        M::Scasb | M::Scasw | M::Scasd | M::Scasq => Op::Scas,
        _ => return None,
    };
    let kinds: Vec<OpKind> = (0..c.i.op_count()).map(|n| c.i.op_kind(n)).collect();
    let is_string = kinds
        .iter()
        .any(|k| matches!(k, OpKind::MemorySegRSI | OpKind::MemoryESRDI));
    let is_other_string = kinds.iter().any(|k| {
        matches!(
            k,
            OpKind::MemorySegSI | OpKind::MemorySegESI | OpKind::MemoryESDI | OpKind::MemoryESEDI
        )
    });
    if !is_string {
        // SSE MOVSD/CMPSD share the mnemonics; 16/32-bit addressing is not supported.
        return if is_other_string {
            Some(Err(Illegal))
        } else {
            None
        };
    }
    Some(string_op(c, op))
}

fn string_op(c: &mut Ctx, op: Op) -> Res {
    let size = c.i.memory_size().size();
    if !matches!(
        c.i.memory_segment(),
        iced_x86::Register::DS | iced_x86::Register::ES
    ) {
        return Err(Illegal);
    }
    let rep = if c.i.has_repne_prefix() {
        2
    } else if c.i.has_rep_prefix() || c.i.has_repe_prefix() {
        1
    } else {
        0
    };
    if rep == 0 {
        return once(c, op, ity(size));
    }
    let code = c.b.i64(op as u64 | (size as u64) << 4 | rep << 8);
    c.b.call(&REP, &[code]);
    if matches!(op, Op::Cmps | Op::Scas) {
        c.cc_unknown();
    }
    Ok(Flow::Continue)
}

/// Add the direction-dependent step to register `r`.
fn step(c: &mut Ctx, r: u32, delta: Value) {
    let v = c.reg64(r);
    let v = c.b.add(v, delta);
    c.set_reg64(r, v);
}

/// One iteration in IR.
fn once(c: &mut Ctx, op: Op, ty: Type) -> Res {
    let df = c.b.read_reg(Type::I64, X64Cpu::DF_OFFSET);
    let up = c.b.i64(u64::from(ty.bytes()));
    let down = c.b.i64(u64::from(ty.bytes()).wrapping_neg());
    let delta = c.b.select(df, down, up);
    let (rsi, rdi) = (c.reg64(RSI), c.reg64(RDI));
    match op {
        Op::Movs => {
            let v = c.b.load(ty, rsi);
            c.b.store(rdi, v);
            step(c, RSI, delta);
            step(c, RDI, delta);
        }
        Op::Stos => {
            let v = c.reg_n(RAX, ty);
            c.b.store(rdi, v);
            step(c, RDI, delta);
        }
        Op::Lods => {
            let v = c.b.load(ty, rsi);
            c.set_reg_n(RAX, v);
            step(c, RSI, delta);
        }
        Op::Cmps | Op::Scas => {
            let a = if op == Op::Cmps {
                c.b.load(ty, rsi)
            } else {
                c.reg_n(RAX, ty)
            };
            let b = c.b.load(ty, rdi);
            let r = c.b.sub(a, b);
            if op == Op::Cmps {
                step(c, RSI, delta);
            }
            step(c, RDI, delta);
            c.set_cc(Kind::Sub, r, Some(b), None);
        }
    }
    Ok(Flow::Continue)
}

/// Read `size` (at most 8) little-endian bytes at guest `addr`. Only for the helper below,
/// whose CPU is the running guest CPU with a valid memory window.
fn read(cpu: &X64Cpu, addr: u64, size: usize) -> u64 {
    let p = cpu.header.host_addr(addr);
    let mut b = [0u8; 8];
    // SAFETY: `p` is inside the running CPU's guest window (the masked address plus its
    // base), which the window reserves; a fault there is a guest fault handled by the run
    // loop, with the registers of the finished elements. `size` is at most 8.
    unsafe { std::ptr::copy_nonoverlapping(p, b.as_mut_ptr(), size.min(8)) };
    u64::from_le_bytes(b)
}

/// Write the low `size` (at most 8) bytes of `v` at guest `addr` (as for [`read`]).
fn write(cpu: &X64Cpu, addr: u64, size: usize, v: u64) {
    let p = cpu.header.host_addr(addr);
    // SAFETY: as in `read`.
    unsafe { std::ptr::copy_nonoverlapping(v.to_le_bytes().as_ptr(), p, size.min(8)) };
}

extern "C" fn helper_rep(env: *mut u8, code: u64) -> u64 {
    // SAFETY: called only from translated x86_64 code, whose `env` is the live `X64Cpu` of
    // this guest thread; nothing else references it while the helper runs.
    let cpu = unsafe { &mut *env.cast::<X64Cpu>() };
    let op = OPS[(code & 0xf) as usize % OPS.len()];
    let size = ((code >> 4) & 0xf) as usize;
    let repne = (code >> 8) == 2;
    let delta = if cpu.df & 1 != 0 {
        (size as u64).wrapping_neg()
    } else {
        size as u64
    };
    let mask = u64::MAX >> (64 - 8 * size as u32);
    let [rax, rcx, rsi, rdi] = [RAX, RCX, RSI, RDI].map(|r| r as usize);
    while cpu.regs[rcx] != 0 {
        let (s, d) = (cpu.regs[rsi], cpu.regs[rdi]);
        match op {
            Op::Movs => write(cpu, d, size, read(cpu, s, size)),
            Op::Stos => write(cpu, d, size, cpu.regs[rax]),
            Op::Lods => {
                let v = read(cpu, s, size);
                cpu.regs[rax] = if size >= 4 {
                    v
                } else {
                    (cpu.regs[rax] & !mask) | v
                };
            }
            Op::Cmps | Op::Scas => {
                let a = if op == Op::Cmps {
                    read(cpu, s, size)
                } else {
                    cpu.regs[rax] & mask
                };
                let b = read(cpu, d, size);
                cpu.cc_op = cc_op(Kind::Sub, ity(size));
                cpu.cc_dst = a.wrapping_sub(b) & mask;
                cpu.cc_src = b;
            }
        }
        if matches!(op, Op::Movs | Op::Lods | Op::Cmps) {
            cpu.regs[rsi] = s.wrapping_add(delta);
        }
        if op != Op::Lods {
            cpu.regs[rdi] = d.wrapping_add(delta);
        }
        cpu.regs[rcx] -= 1;
        if matches!(op, Op::Cmps | Op::Scas) && (cpu.cc_dst == 0) == repne {
            break;
        }
    }
    0
}

/// `x64_rep(op | size << 4 | (1: REP/REPE, 2: REPNE) << 8)`: a whole REP string loop.
static REP: Helper = Helper {
    name: "x64_rep",
    func: HelperFn::A1(helper_rep),
    nargs: 1,
    ret: None,
    effects: HelperEffects::ALL,
};

pub(crate) static HELPERS: &[&Helper] = &[&REP];
