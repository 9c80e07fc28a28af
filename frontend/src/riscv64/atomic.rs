//! The A extension: lr/sc and the AMOs, word (results sign-extended) and doubleword.
//!
//! LR/SC follows QEMU: `lr` loads the value and records (address, value) as the reservation;
//! `sc` succeeds only if the address matches a valid reservation and a compare-and-swap of the
//! recorded value for the new one succeeds; it always clears the reservation. The swap is done
//! in straight-line IR: without a matching reservation the CAS "replacement" is the expected
//! value itself, so memory never changes, and the result reports failure.

use emu_ir::{AtomicOp, Cond, Type, Value};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Insn};
use super::Rv64Cpu;

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("lr.w", "00010.. 00000 ..... 010 ..... 0101111", |c, i| lr(c, i, Type::I32)),
    insn!("lr.d", "00010.. 00000 ..... 011 ..... 0101111", |c, i| lr(c, i, Type::I64)),
    insn!("sc.w", "00011.. ..... ..... 010 ..... 0101111", |c, i| sc(c, i, Type::I32)),
    insn!("sc.d", "00011.. ..... ..... 011 ..... 0101111", |c, i| sc(c, i, Type::I64)),
    insn!("amoswap.w", "00001.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::Xchg)),
    insn!("amoadd.w", "00000.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::Add)),
    insn!("amoxor.w", "00100.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::Xor)),
    insn!("amoand.w", "01100.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::And)),
    insn!("amoor.w", "01000.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::Or)),
    insn!("amomin.w", "10000.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::SMin)),
    insn!("amomax.w", "10100.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::SMax)),
    insn!("amominu.w", "11000.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::UMin)),
    insn!("amomaxu.w", "11100.. ..... ..... 010 ..... 0101111", |c, i| amo(c, i, Type::I32, AtomicOp::UMax)),
    insn!("amoswap.d", "00001.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::Xchg)),
    insn!("amoadd.d", "00000.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::Add)),
    insn!("amoxor.d", "00100.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::Xor)),
    insn!("amoand.d", "01100.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::And)),
    insn!("amoor.d", "01000.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::Or)),
    insn!("amomin.d", "10000.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::SMin)),
    insn!("amomax.d", "10100.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::SMax)),
    insn!("amominu.d", "11000.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::UMin)),
    insn!("amomaxu.d", "11100.. ..... ..... 011 ..... 0101111", |c, i| amo(c, i, Type::I64, AtomicOp::UMax)),
];

/// Sign-extend a `ty` value to I64 (identity for I64).
fn widen(c: &mut Ctx, v: Value, ty: Type) -> Value {
    if ty == Type::I64 {
        v
    } else {
        c.b.sext(Type::I64, v)
    }
}

/// Truncate an I64 value to `ty` (identity for I64).
fn narrow(c: &mut Ctx, v: Value, ty: Type) -> Value {
    if ty == Type::I64 {
        v
    } else {
        c.b.trunc(ty, v)
    }
}

fn lr(c: &mut Ctx, i: Insn, ty: Type) -> Exec {
    let addr = c.x(i.rs1());
    let loaded = c.b.load(ty, addr);
    let value = widen(c, loaded, ty);
    c.b.write_reg(Rv64Cpu::RES_ADDR_OFFSET, addr);
    c.b.write_reg(Rv64Cpu::RES_VALUE_OFFSET, value);
    let one = c.b.i64(1);
    c.b.write_reg(Rv64Cpu::RES_VALID_OFFSET, one);
    c.set_x(i.rd(), value);
    Ok(Flow::Continue)
}

fn sc(c: &mut Ctx, i: Insn, ty: Type) -> Exec {
    let addr = c.x(i.rs1());
    let src = c.x(i.rs2());
    let res_addr = c.b.read_reg(Type::I64, Rv64Cpu::RES_ADDR_OFFSET);
    let res_valid = c.b.read_reg(Type::I64, Rv64Cpu::RES_VALID_OFFSET);
    let res_value = c.b.read_reg(Type::I64, Rv64Cpu::RES_VALUE_OFFSET);
    let zero = c.b.i64(0);
    let same_addr = c.b.icmp(Cond::Eq, res_addr, addr);
    let valid = c.b.icmp(Cond::Ne, res_valid, zero);
    let reserved = c.b.and(same_addr, valid);
    let expected = narrow(c, res_value, ty);
    let new = narrow(c, src, ty);
    let replacement = c.b.select(reserved, new, expected);
    let old = c.b.atomic_cas(ty, addr, expected, replacement);
    let swapped = c.b.icmp(Cond::Eq, old, expected);
    let success = c.b.and(reserved, swapped);
    let one = c.b.iconst(Type::I8, 1);
    let failure = c.b.xor(success, one);
    c.b.write_reg(Rv64Cpu::RES_VALID_OFFSET, zero);
    c.set_x_bool(i.rd(), failure);
    Ok(Flow::Continue)
}

fn amo(c: &mut Ctx, i: Insn, ty: Type, op: AtomicOp) -> Exec {
    let addr = c.x(i.rs1());
    let src = c.x(i.rs2());
    let operand = narrow(c, src, ty);
    let old = c.b.atomic_rmw(op, ty, addr, operand);
    let value = widen(c, old, ty);
    c.set_x(i.rd(), value);
    Ok(Flow::Continue)
}
