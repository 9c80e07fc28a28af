//! Which guest instruction of a block made a memory fault. Translated code (and the IR
//! interpreter) keep the guest registers exact at every access that can fault, but the guest pc
//! only at block boundaries; so after a fault, with the pc at the block's start, the faulting
//! instruction is the first memory access of the block whose address, computed from the
//! current registers, covers the fault address. Scanning stops at the first control-flow
//! instruction (blocks end there). The riscv64 (with compressed forms) and the aarch64
//! addressing modes are decoded here, only as far as finding the address goes; x86_64's come
//! from its frontend ([`emu_frontend::x86_64::locate`]).

use emu_frontend::aarch64::A64Cpu;
use emu_frontend::riscv64::Rv64Cpu;
use emu_frontend::x86_64::locate::{insn_access, InsnAccess};
use emu_frontend::x86_64::X64Cpu;

use crate::memory::AddressSpace;
use crate::signal_frame::ArchCpu;

/// Longest scan, in instructions.
const MAX_SCAN: usize = 256;

/// What one instruction does, as far as the search goes.
enum Step {
    /// A memory access of `len` bytes at `addr` (`write`: it may store).
    Access { addr: u64, len: u64, write: bool },
    /// Not a memory access; go on.
    Other,
    /// Control flow: the block ends here.
    End,
}

/// The pc of the instruction at or after the block start `pc` that faulted at guest `addr`
/// (`write` if the fault can only be a write); `None` when no candidate is found.
pub fn locate(cpu: &ArchCpu, space: &AddressSpace, addr: u64, write: bool) -> Option<u64> {
    let start = match cpu {
        ArchCpu::Riscv64(c) => c.header.pc,
        ArchCpu::Aarch64(c) => c.header.pc,
        ArchCpu::X86_64(c) => c.header.pc,
    };
    let mut pc = start;
    for _ in 0..MAX_SCAN {
        let (step, size) = match cpu {
            ArchCpu::Riscv64(c) => {
                let lo = u32::from(u16::from_le_bytes(
                    space.read_bytes(pc, 2).ok()?.try_into().ok()?,
                ));
                if lo & 3 == 3 {
                    let w = fetch32(space, pc)?;
                    (rv_step(c, w), 4)
                } else {
                    (rv_compressed_step(c, lo & 0xffff), 2)
                }
            }
            ArchCpu::Aarch64(c) => (a64_step(c, fetch32(space, pc)?, pc), 4),
            ArchCpu::X86_64(c) => x64_step(c, space, pc)?,
        };
        match step {
            Step::Access {
                addr: a,
                len,
                write: w,
            } => {
                if addr.wrapping_sub(a) < len && (w || !write) {
                    return Some(pc);
                }
            }
            Step::Other => {}
            Step::End => return None,
        }
        pc += size;
    }
    None
}

/// The x86_64 instruction at `pc` (up to 15 bytes, fewer at the end of the mapping).
fn x64_step(c: &X64Cpu, space: &AddressSpace, pc: u64) -> Option<(Step, u64)> {
    let bytes = (1..=15).rev().find_map(|n| space.read_bytes(pc, n).ok())?;
    let (access, len) = insn_access(c, &bytes, pc);
    let step = match access {
        InsnAccess::Access { addr, len, write } => Step::Access { addr, len, write },
        InsnAccess::Other => Step::Other,
        InsnAccess::End => Step::End,
    };
    Some((step, len as u64))
}

fn fetch32(space: &AddressSpace, pc: u64) -> Option<u32> {
    Some(u32::from_le_bytes(
        space.read_bytes(pc, 4).ok()?.try_into().ok()?,
    ))
}

fn bits(w: u32, lo: u32, n: u32) -> u64 {
    u64::from((w >> lo) & ((1 << n) - 1))
}

/// Sign-extend the low `n` bits of `v`.
fn sext(v: u64, n: u32) -> u64 {
    (((v << (64 - n)) as i64) >> (64 - n)) as u64
}

fn access(addr: u64, len: u64, write: bool) -> Step {
    Step::Access { addr, len, write }
}

fn rv_step(c: &Rv64Cpu, w: u32) -> Step {
    let base = c.x[bits(w, 15, 5) as usize];
    let f3 = bits(w, 12, 3);
    let i_imm = sext(bits(w, 20, 12), 12);
    let s_imm = sext(bits(w, 25, 7) << 5 | bits(w, 7, 5), 12);
    match w & 0x7f {
        0x03 => access(base.wrapping_add(i_imm), 1 << (f3 & 3), false),
        0x07 => access(base.wrapping_add(i_imm), 1 << (f3 & 3), false),
        0x23 => access(base.wrapping_add(s_imm), 1 << (f3 & 3), true),
        0x27 => access(base.wrapping_add(s_imm), 1 << (f3 & 3), true),
        0x2f => access(base, 1 << (f3 & 3), bits(w, 27, 5) != 2),
        0x63 | 0x67 | 0x6f | 0x73 => Step::End,
        _ => Step::Other,
    }
}

fn rv_compressed_step(c: &Rv64Cpu, w: u32) -> Step {
    let f3 = bits(w, 13, 3);
    let rs1p = c.x[bits(w, 7, 3) as usize + 8];
    let sp = c.x[2];
    // Offsets of C.LD/C.SD/C.FLD/C.FSD and of C.LW/C.SW.
    let d_off = bits(w, 10, 3) << 3 | bits(w, 5, 2) << 6;
    let w_off = bits(w, 10, 3) << 3 | bits(w, 6, 1) << 2 | bits(w, 5, 1) << 6;
    let ldsp = bits(w, 12, 1) << 5 | bits(w, 5, 2) << 3 | bits(w, 2, 3) << 6;
    let lwsp = bits(w, 12, 1) << 5 | bits(w, 4, 3) << 2 | bits(w, 2, 2) << 6;
    let sdsp = bits(w, 10, 3) << 3 | bits(w, 7, 3) << 6;
    let swsp = bits(w, 9, 4) << 2 | bits(w, 7, 2) << 6;
    match (w & 3, f3) {
        (0, 1) | (0, 3) => access(rs1p.wrapping_add(d_off), 8, false),
        (0, 2) => access(rs1p.wrapping_add(w_off), 4, false),
        (0, 5) | (0, 7) => access(rs1p.wrapping_add(d_off), 8, true),
        (0, 6) => access(rs1p.wrapping_add(w_off), 4, true),
        (1, 5..=7) => Step::End,
        (2, 1) | (2, 3) => access(sp.wrapping_add(ldsp), 8, false),
        (2, 2) => access(sp.wrapping_add(lwsp), 4, false),
        (2, 5) | (2, 7) => access(sp.wrapping_add(sdsp), 8, true),
        (2, 6) => access(sp.wrapping_add(swsp), 4, true),
        (2, 4) if bits(w, 2, 5) == 0 => Step::End,
        _ => Step::Other,
    }
}

/// Register `r` as an index register (31 is XZR).
fn a64_xzr(c: &A64Cpu, r: u64) -> u64 {
    if r == 31 {
        0
    } else {
        c.x[r as usize]
    }
}

/// The register-offset operand: `Rm` extended by `option`, shifted by `shift`.
fn a64_extend(v: u64, option: u64, shift: u64) -> u64 {
    let v = match option {
        2 => v & 0xffff_ffff,
        6 => sext(v & 0xffff_ffff, 32),
        _ => v,
    };
    v << shift
}

fn a64_is_branch(w: u32) -> bool {
    (w >> 26) & 0x1f == 0b00101
        || (w >> 25) & 0x3f == 0b011010
        || (w >> 25) & 0x3f == 0b011011
        || w >> 24 == 0x54
        || (w >> 25) & 0x7f == 0b110_1011
        || w >> 24 == 0xd4
}

fn a64_step(c: &A64Cpu, w: u32, pc: u64) -> Step {
    if a64_is_branch(w) {
        return Step::End;
    }
    if (w >> 25) & 0b101 != 0b100 {
        return Step::Other;
    }
    let base = c.x[bits(w, 5, 5) as usize];
    let size = bits(w, 30, 2);
    let v = bits(w, 26, 1) == 1;
    let opc = bits(w, 22, 2);
    let scale = if v && opc & 2 != 0 { 4 } else { size };
    let is_store = if v { opc & 1 == 0 } else { opc == 0 };
    let op = (w >> 24) & 0x3b;
    if op == 0x39 {
        let off = bits(w, 10, 12) << scale;
        return access(base.wrapping_add(off), 1 << scale, is_store);
    }
    if op == 0x38 {
        return a64_register_forms(c, w, base, scale, is_store);
    }
    if (w >> 27) & 7 == 0b101 {
        let opc2 = bits(w, 30, 2);
        let pscale = if v { 2 + opc2 } else { 2 + (opc2 >> 1) };
        let imm = sext(bits(w, 15, 7), 7) << pscale;
        let post = bits(w, 23, 2) == 1;
        let addr = if post { base } else { base.wrapping_add(imm) };
        return access(addr, 2 << pscale, bits(w, 22, 1) == 0);
    }
    if (w >> 24) & 0x3f == 0x08 {
        let pair = if bits(w, 21, 1) == 1 { 2 } else { 1 };
        return access(base, pair << size, bits(w, 22, 1) == 0);
    }
    if op == 0x18 {
        let addr = pc.wrapping_add(sext(bits(w, 5, 19), 19) << 2);
        return access(addr, 8, false);
    }
    if (w >> 24) & 0xbf == 0x0c {
        return access(base, 64, bits(w, 22, 1) == 0);
    }
    Step::Other
}

/// Unscaled, pre/post-indexed, register-offset and atomic forms (bits 29:27 = 111, 24 = 0).
fn a64_register_forms(c: &A64Cpu, w: u32, base: u64, scale: u64, is_store: bool) -> Step {
    let len = 1 << scale;
    if bits(w, 21, 1) == 0 {
        let imm = sext(bits(w, 12, 9), 9);
        let addr = if bits(w, 10, 2) == 1 {
            base
        } else {
            base.wrapping_add(imm)
        };
        return access(addr, len, is_store);
    }
    match bits(w, 10, 2) {
        2 => {
            let shift = if bits(w, 12, 1) == 1 { scale } else { 0 };
            let off = a64_extend(a64_xzr(c, bits(w, 16, 5)), bits(w, 13, 3), shift);
            access(base.wrapping_add(off), len, is_store)
        }
        0 => access(base, len, true),
        _ => Step::Other,
    }
}
