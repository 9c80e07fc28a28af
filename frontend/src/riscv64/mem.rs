//! RV64I loads and stores (integer registers). Float loads/stores live in `fp.rs`.

use emu_ir::{CastOp, Type, Value};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Insn};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("lb", "....... ..... ..... 000 ..... 0000011", |c, i| load(c, i, Type::I8, CastOp::SExt)),
    insn!("lh", "....... ..... ..... 001 ..... 0000011", |c, i| load(c, i, Type::I16, CastOp::SExt)),
    insn!("lw", "....... ..... ..... 010 ..... 0000011", |c, i| load(c, i, Type::I32, CastOp::SExt)),
    insn!("ld", "....... ..... ..... 011 ..... 0000011", |c, i| load(c, i, Type::I64, CastOp::SExt)),
    insn!("lbu", "....... ..... ..... 100 ..... 0000011", |c, i| load(c, i, Type::I8, CastOp::ZExt)),
    insn!("lhu", "....... ..... ..... 101 ..... 0000011", |c, i| load(c, i, Type::I16, CastOp::ZExt)),
    insn!("lwu", "....... ..... ..... 110 ..... 0000011", |c, i| load(c, i, Type::I32, CastOp::ZExt)),
    insn!("sb", "....... ..... ..... 000 ..... 0100011", |c, i| store(c, i, Type::I8)),
    insn!("sh", "....... ..... ..... 001 ..... 0100011", |c, i| store(c, i, Type::I16)),
    insn!("sw", "....... ..... ..... 010 ..... 0100011", |c, i| store(c, i, Type::I32)),
    insn!("sd", "....... ..... ..... 011 ..... 0100011", |c, i| store(c, i, Type::I64)),
];

/// `rs1 + offset`, the effective address of a load or store.
pub fn address(c: &mut Ctx, rs1: u32, offset: i64) -> Value {
    let base = c.x(rs1);
    if offset == 0 {
        return base;
    }
    let off = c.imm(offset);
    c.b.add(base, off)
}

/// `rd = extend(mem[rs1 + imm])`. The load happens even for rd = x0 (it may fault).
fn load(c: &mut Ctx, i: Insn, ty: Type, ext: CastOp) -> Exec {
    let addr = address(c, i.rs1(), i.imm_i());
    let v = c.b.load(ty, addr);
    let wide = if ty == Type::I64 {
        v
    } else {
        c.b.cast(ext, Type::I64, v)
    };
    c.set_x(i.rd(), wide);
    Ok(Flow::Continue)
}

/// `mem[rs1 + imm] = rs2` (low `ty` bits).
fn store(c: &mut Ctx, i: Insn, ty: Type) -> Exec {
    let addr = address(c, i.rs1(), i.imm_s());
    let v = c.x(i.rs2());
    let narrow = if ty == Type::I64 { v } else { c.b.trunc(ty, v) };
    c.b.store(addr, narrow);
    Ok(Flow::Continue)
}
