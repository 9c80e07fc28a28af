//! What one x86_64 instruction accesses in memory, from the registers at hand: used by
//! user mode to find which instruction of a block made a memory fault (the guest pc is only
//! exact at block boundaries).

use iced_x86::{Decoder, DecoderOptions, FlowControl, OpKind, Register};

use crate::x86_64::X64Cpu;

/// What the instruction at the start of some bytes does, as far as memory goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsnAccess {
    /// It may access `len` bytes at `addr` (`write`: it may store).
    Access { addr: u64, len: u64, write: bool },
    /// No memory access.
    Other,
    /// It transfers control (a block ends there), or cannot be decoded.
    End,
}

/// The value of a register operand of an address, from `cpu`.
fn reg_value(cpu: &X64Cpu, r: Register) -> Option<u64> {
    match r {
        Register::FS => Some(cpu.fs_base),
        Register::GS => Some(cpu.gs_base),
        Register::ES | Register::CS | Register::SS | Register::DS => Some(0),
        Register::RIP => Some(cpu.header.pc),
        r if r.is_gpr64() => Some(cpu.regs[r.number()]),
        r if r.is_gpr32() => Some(cpu.regs[r.number()] & 0xffff_ffff),
        _ => None,
    }
}

/// Decode the instruction at `pc` (its bytes start `bytes`) and say what it accesses
/// (addresses computed from `cpu`'s registers), with its length (0 when undecodable).
pub fn insn_access(cpu: &X64Cpu, bytes: &[u8], pc: u64) -> (InsnAccess, usize) {
    let mut d = Decoder::with_ip(64, bytes, pc, DecoderOptions::NONE);
    let i = d.decode();
    if i.is_invalid() {
        return (InsnAccess::End, 0);
    }
    let len = i.len();
    if i.flow_control() != FlowControl::Next {
        return (InsnAccess::End, len);
    }
    for n in 0..i.op_count() {
        let kind = i.op_kind(n);
        if !matches!(
            kind,
            OpKind::Memory | OpKind::MemorySegRSI | OpKind::MemoryESRDI
        ) {
            continue;
        }
        let Some(addr) = i.virtual_address(n, 0, |r, _, _| reg_value(cpu, r)) else {
            continue;
        };
        let size = i.memory_size().size().max(1) as u64;
        // A REP string operation covers RCX elements (either direction).
        let (addr, len) = if kind != OpKind::Memory && (i.has_rep_prefix() || i.has_repne_prefix())
        {
            let span = size.saturating_mul(cpu.regs[1]);
            if cpu.df & 1 != 0 {
                (addr.wrapping_sub(span).wrapping_add(size), span)
            } else {
                (addr, span)
            }
        } else {
            (addr, size)
        };
        return (
            InsnAccess::Access {
                addr,
                len,
                write: true,
            },
            i.len(),
        );
    }
    (InsnAccess::Other, len)
}
