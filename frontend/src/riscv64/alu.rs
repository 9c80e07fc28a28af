//! RV64I integer computation: lui/auipc, register-immediate and register-register ALU
//! operations, and their 32-bit `*w` forms (computed on I32, then sign-extended).

use emu_ir::{BinOp, Cond};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Insn};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("lui", "....... ..... ..... ... ..... 0110111", lui),
    insn!("auipc", "....... ..... ..... ... ..... 0010111", auipc),
    insn!("addi", "....... ..... ..... 000 ..... 0010011", |c, i| op_imm(c, i, BinOp::Add)),
    insn!("slti", "....... ..... ..... 010 ..... 0010011", |c, i| set_imm(c, i, Cond::LtS)),
    insn!("sltiu", "....... ..... ..... 011 ..... 0010011", |c, i| set_imm(c, i, Cond::LtU)),
    insn!("xori", "....... ..... ..... 100 ..... 0010011", |c, i| op_imm(c, i, BinOp::Xor)),
    insn!("ori", "....... ..... ..... 110 ..... 0010011", |c, i| op_imm(c, i, BinOp::Or)),
    insn!("andi", "....... ..... ..... 111 ..... 0010011", |c, i| op_imm(c, i, BinOp::And)),
    insn!("slli", "000000. ..... ..... 001 ..... 0010011", |c, i| shift_imm(c, i, BinOp::Shl)),
    insn!("srli", "000000. ..... ..... 101 ..... 0010011", |c, i| shift_imm(c, i, BinOp::ShrU)),
    insn!("srai", "010000. ..... ..... 101 ..... 0010011", |c, i| shift_imm(c, i, BinOp::ShrS)),
    insn!("add", "0000000 ..... ..... 000 ..... 0110011", |c, i| op_reg(c, i, BinOp::Add)),
    insn!("sub", "0100000 ..... ..... 000 ..... 0110011", |c, i| op_reg(c, i, BinOp::Sub)),
    insn!("sll", "0000000 ..... ..... 001 ..... 0110011", |c, i| op_reg(c, i, BinOp::Shl)),
    insn!("slt", "0000000 ..... ..... 010 ..... 0110011", |c, i| set_reg(c, i, Cond::LtS)),
    insn!("sltu", "0000000 ..... ..... 011 ..... 0110011", |c, i| set_reg(c, i, Cond::LtU)),
    insn!("xor", "0000000 ..... ..... 100 ..... 0110011", |c, i| op_reg(c, i, BinOp::Xor)),
    insn!("srl", "0000000 ..... ..... 101 ..... 0110011", |c, i| op_reg(c, i, BinOp::ShrU)),
    insn!("sra", "0100000 ..... ..... 101 ..... 0110011", |c, i| op_reg(c, i, BinOp::ShrS)),
    insn!("or", "0000000 ..... ..... 110 ..... 0110011", |c, i| op_reg(c, i, BinOp::Or)),
    insn!("and", "0000000 ..... ..... 111 ..... 0110011", |c, i| op_reg(c, i, BinOp::And)),
    insn!("addiw", "....... ..... ..... 000 ..... 0011011", |c, i| op_imm_w(c, i, BinOp::Add)),
    insn!("slliw", "0000000 ..... ..... 001 ..... 0011011", |c, i| shift_imm_w(c, i, BinOp::Shl)),
    insn!("srliw", "0000000 ..... ..... 101 ..... 0011011", |c, i| shift_imm_w(c, i, BinOp::ShrU)),
    insn!("sraiw", "0100000 ..... ..... 101 ..... 0011011", |c, i| shift_imm_w(c, i, BinOp::ShrS)),
    insn!("addw", "0000000 ..... ..... 000 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::Add)),
    insn!("subw", "0100000 ..... ..... 000 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::Sub)),
    insn!("sllw", "0000000 ..... ..... 001 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::Shl)),
    insn!("srlw", "0000000 ..... ..... 101 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::ShrU)),
    insn!("sraw", "0100000 ..... ..... 101 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::ShrS)),
];

fn lui(c: &mut Ctx, i: Insn) -> Exec {
    let v = c.imm(i.imm_u());
    c.set_x(i.rd(), v);
    Ok(Flow::Continue)
}

fn auipc(c: &mut Ctx, i: Insn) -> Exec {
    let v = c.b.i64(c.pc_rel(i.imm_u()));
    c.set_x(i.rd(), v);
    Ok(Flow::Continue)
}

/// `rd = rs1 op sext(imm)`.
fn op_imm(c: &mut Ctx, i: Insn, op: BinOp) -> Exec {
    let a = c.x(i.rs1());
    let b = c.imm(i.imm_i());
    let r = c.b.binary(op, a, b);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = (rs1 cond sext(imm)) ? 1 : 0`.
fn set_imm(c: &mut Ctx, i: Insn, cond: Cond) -> Exec {
    let a = c.x(i.rs1());
    let b = c.imm(i.imm_i());
    let r = c.b.icmp(cond, a, b);
    c.set_x_bool(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = rs1 op shamt` (6-bit shift amount).
fn shift_imm(c: &mut Ctx, i: Insn, op: BinOp) -> Exec {
    let a = c.x(i.rs1());
    let b = c.imm(i64::from(i.shamt()));
    let r = c.b.binary(op, a, b);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = rs1 op rs2`.
pub fn op_reg(c: &mut Ctx, i: Insn, op: BinOp) -> Exec {
    let a = c.x(i.rs1());
    let b = c.x(i.rs2());
    let r = c.b.binary(op, a, b);
    c.set_x(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = (rs1 cond rs2) ? 1 : 0`.
fn set_reg(c: &mut Ctx, i: Insn, cond: Cond) -> Exec {
    let a = c.x(i.rs1());
    let b = c.x(i.rs2());
    let r = c.b.icmp(cond, a, b);
    c.set_x_bool(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = sext32(rs1[31:0] op imm)`.
fn op_imm_w(c: &mut Ctx, i: Insn, op: BinOp) -> Exec {
    let a = c.x32(i.rs1());
    let b = c.b.i32(i.imm_i() as u32);
    let r = c.b.binary(op, a, b);
    c.set_x32(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = sext32(rs1[31:0] op shamt)` (5-bit shift amount; the encoding fixes bit 25 to 0).
fn shift_imm_w(c: &mut Ctx, i: Insn, op: BinOp) -> Exec {
    let a = c.x32(i.rs1());
    let b = c.b.i32(i.shamt() & 31);
    let r = c.b.binary(op, a, b);
    c.set_x32(i.rd(), r);
    Ok(Flow::Continue)
}

/// `rd = sext32(rs1[31:0] op rs2[31:0])` (shift amounts taken modulo 32).
pub fn op_reg_w(c: &mut Ctx, i: Insn, op: BinOp) -> Exec {
    let a = c.x32(i.rs1());
    let b = c.x32(i.rs2());
    let r = c.b.binary(op, a, b);
    c.set_x32(i.rd(), r);
    Ok(Flow::Continue)
}
