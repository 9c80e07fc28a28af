//! Exception generation and system instructions available at EL0: SVC (Syscall exit past the
//! instruction), BRK (Breakpoint exit at it), the HINT space (NOP, YIELD, WFE, WFI, SEV, BTI,
//! PACIASP, ... all no-ops), CLREX, the barriers DMB/DSB/SB (IR fence) and ISB (ends the
//! block), the cache-maintenance SYS aliases (DC ZVA zeroes a 64-byte block; DC CVAU/CVAC/
//! CIVAC/CVAP/CVADP and IC IVAU are no-ops), and MRS/MSR of the EL0-visible system registers
//! (NZCV, FPCR, FPSR, TPIDR_EL0, TPIDRRO_EL0, CTR_EL0, DCZID_EL0, CNTFRQ_EL0, CNTVCT_EL0).
//!
//! Everything else (HVC, SMC, HLT, MSR to PSTATE fields, EL1 registers, ID registers — no
//! `HWCAP_CPUID` — and CNTPCT_EL0, which Linux does not open to EL0: it leaves
//! CNTKCTL_EL1.EL0PCTEN clear, and QEMU's user mode traps it too) is undefined at EL0 and
//! decodes as illegal.

use std::sync::OnceLock;
use std::time::Instant;

use emu_ir::helpers::HelperFn;
use emu_ir::{ExitReason, Helper, HelperEffects, Terminal, Type, Value};

use super::dp_imm::reserved;
use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};
use super::A64Cpu;

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("svc",      "11010100 000 ................ 000 01", svc),
    insn!("brk",      "11010100 001 ................ 000 00", brk),
    insn!("hint",     "1101010100 0 00 011 0010 .... ... 11111", |_, _| Ok(Flow::Continue)),
    insn!("barriers", "1101010100 0 00 011 0011 .... ... 11111", barrier),
    insn!("sys",      "1101010100 0 01 ... .... .... ... .....", sys),
    insn!("msr",      "1101010100 0 1. ... .... .... ... .....", msr),
    insn!("mrs",      "1101010100 1 1. ... .... .... ... .....", mrs),
];

/// This class's helpers.
pub const HELPERS: &[&Helper] = &[&COUNTER];

/// The generic timer's virtual counter (CNTVCT_EL0): the host monotonic clock at
/// [`COUNTER_HZ`]. It touches no guest state; it is marked as having memory effects only so
/// that two reads are never merged or reordered.
static COUNTER: Helper = Helper {
    name: "a64_counter",
    func: HelperFn::A0(counter_helper),
    nargs: 0,
    ret: Some(Type::I64),
    effects: HelperEffects {
        reads_state: false,
        writes_state: false,
        memory: true,
    },
};

/// CNTFRQ_EL0: 62.5 MHz (one tick per 16 ns), the frequency QEMU's generic timer reports.
const COUNTER_HZ: u64 = 62_500_000;
const NANOS_PER_TICK: u128 = 1_000_000_000 / COUNTER_HZ as u128;

extern "C" fn counter_helper(_env: *mut u8) -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let nanos = ORIGIN.get_or_init(Instant::now).elapsed().as_nanos();
    (nanos / NANOS_PER_TICK) as u64
}

/// DCZID_EL0: DC ZVA allowed (DZP 0), blocks of 2^4 words = 64 bytes.
const DCZID: u64 = 4;
/// Bytes DC ZVA zeroes (4-byte words, as DCZID_EL0.BS counts them).
const ZVA_BYTES: u64 = 4 << DCZID;
/// CTR_EL0: 64-byte I/D cache lines, PIPT I-cache, and IDC/DIC set (no cache maintenance is
/// needed for coherence, which is true of a translator that tracks code writes).
const CTR: u64 = 0xb444_c004;
/// The FPCR bits that are stored: AHP, DN, FZ, RMode, FZ16 (trap enables are RAZ/WI).
const FPCR_MASK: u64 = 0x07c8_0000;
/// The FPSR bits that are stored: the AArch32 NZCV, QC and the cumulative exception flags.
const FPSR_MASK: u64 = 0xf800_009f;

/// A system register's `op0:op1:CRn:CRm:op2` (instruction bits 20:5).
const fn sysreg(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32) -> u32 {
    op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2
}

const NZCV: u32 = sysreg(3, 3, 4, 2, 0);
const FPCR: u32 = sysreg(3, 3, 4, 4, 0);
const FPSR: u32 = sysreg(3, 3, 4, 4, 1);
const TPIDR_EL0: u32 = sysreg(3, 3, 13, 0, 2);
const TPIDRRO_EL0: u32 = sysreg(3, 3, 13, 0, 3);
const CTR_EL0: u32 = sysreg(3, 3, 0, 0, 1);
const DCZID_EL0: u32 = sysreg(3, 3, 0, 0, 7);
const CNTFRQ_EL0: u32 = sysreg(3, 3, 14, 0, 0);
const CNTVCT_EL0: u32 = sysreg(3, 3, 14, 0, 2);

/// Registers that are plain CPU-state fields, with the bits a write keeps.
const STATE_REGS: &[(u32, u32, u64)] = &[
    (FPCR, A64Cpu::FPCR_OFFSET, FPCR_MASK),
    (FPSR, A64Cpu::FPSR_OFFSET, FPSR_MASK),
    (TPIDR_EL0, A64Cpu::TPIDR_EL0_OFFSET, u64::MAX),
];

/// Read-only registers with a constant value.
const CONST_REGS: &[(u32, u64)] = &[
    (TPIDRRO_EL0, 0),
    (CTR_EL0, CTR),
    (DCZID_EL0, DCZID),
    (CNTFRQ_EL0, COUNTER_HZ),
];

fn svc(c: &mut Ctx, _: Insn) -> Exec {
    c.b.set_terminal(Terminal::Exit {
        reason: ExitReason::Syscall,
        pc: c.next_pc(),
    });
    Ok(Flow::End)
}

fn brk(c: &mut Ctx, _: Insn) -> Exec {
    c.b.set_terminal(Terminal::Exit {
        reason: ExitReason::Breakpoint,
        pc: c.pc,
    });
    Ok(Flow::End)
}

/// CLREX, DSB, DMB, ISB, SB (and DSB nXS), by `op2` (bits 7:5).
fn barrier(c: &mut Ctx, i: Insn) -> Exec {
    let crm = i.bits(11, 8);
    match i.bits(7, 5) {
        0b010 => {
            let zero = c.b.i64(0);
            c.b.write_reg(A64Cpu::EXCL_SIZE_OFFSET, zero);
        }
        0b001 if crm & 3 == 2 => c.b.fence(),
        0b100 | 0b101 => c.b.fence(),
        0b111 if crm == 0 => c.b.fence(),
        0b110 => {
            // ISB: later instructions are fetched anew.
            c.b.set_terminal(Terminal::Goto(c.next_pc()));
            return Ok(Flow::End);
        }
        _ => return Err(Illegal),
    }
    Ok(Flow::Continue)
}

/// SYS: the EL0 cache-maintenance operations (`op1` 3, `CRn` 7, `op2` 1).
fn sys(c: &mut Ctx, i: Insn) -> Exec {
    reserved(i.bits(18, 16) != 3 || i.bits(15, 12) != 7 || i.bits(7, 5) != 1)?;
    match i.bits(11, 8) {
        4 => dc_zva(c, i.rt()),
        // IC IVAU, DC CVAC, DC CVAU, DC CVAP, DC CVADP, DC CIVAC.
        5 | 10 | 11 | 12 | 13 | 14 => {}
        _ => return Err(Illegal),
    }
    Ok(Flow::Continue)
}

/// DC ZVA: zero the aligned 64-byte block holding X`rt`.
fn dc_zva(c: &mut Ctx, rt: u32) {
    let addr = c.x(rt);
    let align = c.b.i64(!(ZVA_BYTES - 1));
    let base = c.b.and(addr, align);
    let zero = c.b.i64(0);
    for offset in (0..ZVA_BYTES).step_by(8) {
        let off = c.b.i64(offset);
        let at = c.b.add(base, off);
        c.b.store(at, zero);
    }
}

/// The system register an MRS/MSR names.
fn sysreg_of(i: Insn) -> u32 {
    i.bits(20, 5)
}

fn mrs(c: &mut Ctx, i: Insn) -> Exec {
    let reg = sysreg_of(i);
    let v = read_sysreg(c, reg)?;
    c.set_x(i.rt(), v);
    Ok(Flow::Continue)
}

fn read_sysreg(c: &mut Ctx, reg: u32) -> Result<Value, Illegal> {
    if reg == NZCV {
        return Ok(c.nzcv_packed());
    }
    if reg == CNTVCT_EL0 {
        return c.b.call(&COUNTER, &[]).ok_or(Illegal);
    }
    if let Some(&(_, offset, _)) = STATE_REGS.iter().find(|r| r.0 == reg) {
        return Ok(c.b.read_reg(Type::I64, offset));
    }
    let &(_, value) = CONST_REGS.iter().find(|r| r.0 == reg).ok_or(Illegal)?;
    Ok(c.b.i64(value))
}

fn msr(c: &mut Ctx, i: Insn) -> Exec {
    let reg = sysreg_of(i);
    let v = c.x(i.rt());
    if reg == NZCV {
        c.set_nzcv_packed(v);
        return Ok(Flow::Continue);
    }
    let &(_, offset, mask) = STATE_REGS.iter().find(|r| r.0 == reg).ok_or(Illegal)?;
    let kept = if mask == u64::MAX {
        v
    } else {
        let m = c.b.i64(mask);
        c.b.and(v, m)
    };
    c.b.write_reg(offset, kept);
    Ok(Flow::Continue)
}
