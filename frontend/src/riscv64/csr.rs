//! Zicsr in user mode: csrrw/csrrs/csrrc and their immediate forms on the CSRs a user program
//! can reach: `fflags`, `frm`, `fcsr` (kept as two fields of [`Rv64Cpu`]) and the read-only
//! counters `cycle`, `time`, `instret`. Any other CSR, or a write to a read-only one, is an
//! illegal instruction (decided at translate time).
//!
//! Counters come from the host's monotonic clock measured from the first counter read in the
//! process: `time` ticks at 10 MHz (the timebase of QEMU's riscv `virt` machine), `cycle` and
//! `instret` count nanoseconds (a 1 GHz "cycle"; instructions are not counted).

use std::sync::OnceLock;
use std::time::Instant;

use emu_ir::{Helper, HelperEffects, Type, Value};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};
use super::Rv64Cpu;

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("csrrw", "....... ..... ..... 001 ..... 1110011", |c, i| csr_op(c, i, Op::Write, Src::Reg)),
    insn!("csrrs", "....... ..... ..... 010 ..... 1110011", |c, i| csr_op(c, i, Op::Set, Src::Reg)),
    insn!("csrrc", "....... ..... ..... 011 ..... 1110011", |c, i| csr_op(c, i, Op::Clear, Src::Reg)),
    insn!("csrrwi", "....... ..... ..... 101 ..... 1110011", |c, i| csr_op(c, i, Op::Write, Src::Imm)),
    insn!("csrrsi", "....... ..... ..... 110 ..... 1110011", |c, i| csr_op(c, i, Op::Set, Src::Imm)),
    insn!("csrrci", "....... ..... ..... 111 ..... 1110011", |c, i| csr_op(c, i, Op::Clear, Src::Imm)),
];

/// The helpers this module's code calls.
pub const HELPERS: &[&Helper] = &[&READ_TIME, &READ_CYCLE];

/// A counter read: not pure (two reads differ), but touches no guest state.
const COUNTER_EFFECTS: HelperEffects = HelperEffects {
    reads_state: true,
    writes_state: false,
    memory: false,
};

static READ_TIME: Helper = Helper {
    name: "rv64_read_time",
    func: emu_ir::helpers::HelperFn::A0(read_time),
    nargs: 0,
    ret: Some(Type::I64),
    effects: COUNTER_EFFECTS,
};

static READ_CYCLE: Helper = Helper {
    name: "rv64_read_cycle",
    func: emu_ir::helpers::HelperFn::A0(read_cycle),
    nargs: 0,
    ret: Some(Type::I64),
    effects: COUNTER_EFFECTS,
};

fn nanos_since_start() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

extern "C" fn read_time(_env: *mut u8) -> u64 {
    nanos_since_start() / 100
}

extern "C" fn read_cycle(_env: *mut u8) -> u64 {
    nanos_since_start()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Write,
    Set,
    Clear,
}

/// Where the operand comes from: register rs1 or the 5-bit immediate in the rs1 field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Src {
    Reg,
    Imm,
}

/// The CSRs user code may name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Csr {
    Fflags,
    Frm,
    Fcsr,
    Cycle,
    Time,
    Instret,
}

impl Csr {
    fn from_number(n: u32) -> Option<Csr> {
        Some(match n {
            0x001 => Csr::Fflags,
            0x002 => Csr::Frm,
            0x003 => Csr::Fcsr,
            0xc00 => Csr::Cycle,
            0xc01 => Csr::Time,
            0xc02 => Csr::Instret,
            _ => return None,
        })
    }

    fn read_only(self) -> bool {
        matches!(self, Csr::Cycle | Csr::Time | Csr::Instret)
    }
}

fn read_field(c: &mut Ctx, offset: u32) -> Value {
    c.b.read_reg(Type::I64, offset)
}

/// Write `v & mask` to the CPU field at `offset`.
fn write_field_masked(c: &mut Ctx, offset: u32, v: Value, mask: u64) {
    let m = c.b.i64(mask);
    let masked = c.b.and(v, m);
    c.b.write_reg(offset, masked);
}

fn read_csr(c: &mut Ctx, csr: Csr) -> Value {
    match csr {
        Csr::Fflags => read_field(c, Rv64Cpu::FFLAGS_OFFSET),
        Csr::Frm => read_field(c, Rv64Cpu::FRM_OFFSET),
        Csr::Fcsr => {
            let flags = read_field(c, Rv64Cpu::FFLAGS_OFFSET);
            let frm = read_field(c, Rv64Cpu::FRM_OFFSET);
            let five = c.b.i64(5);
            let shifted = c.b.binary(emu_ir::BinOp::Shl, frm, five);
            c.b.or(shifted, flags)
        }
        Csr::Time => call_counter(c, &READ_TIME),
        Csr::Cycle | Csr::Instret => call_counter(c, &READ_CYCLE),
    }
}

fn call_counter(c: &mut Ctx, helper: &'static Helper) -> Value {
    match c.b.call(helper, &[]) {
        Some(v) => v,
        None => c.b.i64(0),
    }
}

fn write_csr(c: &mut Ctx, csr: Csr, v: Value) {
    match csr {
        Csr::Fflags => write_field_masked(c, Rv64Cpu::FFLAGS_OFFSET, v, 0x1f),
        Csr::Frm => write_field_masked(c, Rv64Cpu::FRM_OFFSET, v, 7),
        Csr::Fcsr => {
            write_field_masked(c, Rv64Cpu::FFLAGS_OFFSET, v, 0x1f);
            let five = c.b.i64(5);
            let frm = c.b.binary(emu_ir::BinOp::ShrU, v, five);
            write_field_masked(c, Rv64Cpu::FRM_OFFSET, frm, 7);
        }
        // Rejected at decode time; nothing to write.
        Csr::Cycle | Csr::Time | Csr::Instret => {}
    }
}

fn csr_op(c: &mut Ctx, i: Insn, op: Op, src: Src) -> Exec {
    let csr = Csr::from_number(i.csr()).ok_or(Illegal)?;
    // csrrs/csrrc with rs1 = x0 (or uimm = 0) do not write.
    let writes = op == Op::Write || i.rs1() != 0;
    if writes && csr.read_only() {
        return Err(Illegal);
    }
    let operand = match src {
        Src::Reg => c.x(i.rs1()),
        Src::Imm => c.b.i64(u64::from(i.rs1())),
    };
    let reads = !(op == Op::Write && i.rd() == 0);
    let old = if reads { Some(read_csr(c, csr)) } else { None };
    if writes {
        let new = match (op, old) {
            (Op::Set, Some(old)) => c.b.or(old, operand),
            (Op::Clear, Some(old)) => {
                let inv = c.b.unary(emu_ir::UnOp::Not, operand);
                c.b.and(old, inv)
            }
            _ => operand,
        };
        write_csr(c, csr, new);
    }
    if let Some(old) = old {
        c.set_x(i.rd(), old);
    }
    Ok(Flow::Continue)
}
