//! The M extension: multiply, multiply-high, divide and remainder, and their `*w` forms. The
//! IR's division already has RISC-V's total semantics (x/0, MIN/-1).

use emu_ir::BinOp;

use super::alu::{op_reg, op_reg_w};
use super::insn::{insn, Entry};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("mul", "0000001 ..... ..... 000 ..... 0110011", |c, i| op_reg(c, i, BinOp::Mul)),
    insn!("mulh", "0000001 ..... ..... 001 ..... 0110011", |c, i| op_reg(c, i, BinOp::MulHiS)),
    insn!("mulhsu", "0000001 ..... ..... 010 ..... 0110011", |c, i| op_reg(c, i, BinOp::MulHiSU)),
    insn!("mulhu", "0000001 ..... ..... 011 ..... 0110011", |c, i| op_reg(c, i, BinOp::MulHiU)),
    insn!("div", "0000001 ..... ..... 100 ..... 0110011", |c, i| op_reg(c, i, BinOp::DivS)),
    insn!("divu", "0000001 ..... ..... 101 ..... 0110011", |c, i| op_reg(c, i, BinOp::DivU)),
    insn!("rem", "0000001 ..... ..... 110 ..... 0110011", |c, i| op_reg(c, i, BinOp::RemS)),
    insn!("remu", "0000001 ..... ..... 111 ..... 0110011", |c, i| op_reg(c, i, BinOp::RemU)),
    insn!("mulw", "0000001 ..... ..... 000 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::Mul)),
    insn!("divw", "0000001 ..... ..... 100 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::DivS)),
    insn!("divuw", "0000001 ..... ..... 101 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::DivU)),
    insn!("remw", "0000001 ..... ..... 110 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::RemS)),
    insn!("remuw", "0000001 ..... ..... 111 ..... 0111011", |c, i| op_reg_w(c, i, BinOp::RemU)),
];
