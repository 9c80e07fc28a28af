//! Control transfer: jal (Goto), jalr (Indirect, bit 0 of the target cleared) and the
//! conditional branches (Branch terminal). Each ends the block. With the C extension targets
//! need only 2-byte alignment, which every encodable target has, so no misalignment traps.

use emu_ir::{Cond, Terminal};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Insn};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("jal", "....... ..... ..... ... ..... 1101111", jal),
    insn!("jalr", "....... ..... ..... 000 ..... 1100111", jalr),
    insn!("beq", "....... ..... ..... 000 ..... 1100011", |c, i| branch(c, i, Cond::Eq)),
    insn!("bne", "....... ..... ..... 001 ..... 1100011", |c, i| branch(c, i, Cond::Ne)),
    insn!("blt", "....... ..... ..... 100 ..... 1100011", |c, i| branch(c, i, Cond::LtS)),
    insn!("bge", "....... ..... ..... 101 ..... 1100011", |c, i| branch(c, i, Cond::GeS)),
    insn!("bltu", "....... ..... ..... 110 ..... 1100011", |c, i| branch(c, i, Cond::LtU)),
    insn!("bgeu", "....... ..... ..... 111 ..... 1100011", |c, i| branch(c, i, Cond::GeU)),
];

/// Write the return address (pc of the next instruction) to `rd`.
fn link(c: &mut Ctx, rd: u32) {
    let ret = c.b.i64(c.next_pc());
    c.set_x(rd, ret);
}

fn jal(c: &mut Ctx, i: Insn) -> Exec {
    link(c, i.rd());
    c.b.set_terminal(Terminal::Goto(c.pc_rel(i.imm_j())));
    Ok(Flow::End)
}

fn jalr(c: &mut Ctx, i: Insn) -> Exec {
    // The target is computed before rd is written (rd may equal rs1).
    let base = c.x(i.rs1());
    let off = c.imm(i.imm_i());
    let sum = c.b.add(base, off);
    let mask = c.imm(!1);
    let target = c.b.and(sum, mask);
    link(c, i.rd());
    c.b.set_terminal(Terminal::Indirect(target));
    Ok(Flow::End)
}

fn branch(c: &mut Ctx, i: Insn, cond: Cond) -> Exec {
    let a = c.x(i.rs1());
    let b = c.x(i.rs2());
    let taken = c.b.icmp(cond, a, b);
    c.b.set_terminal(Terminal::Branch {
        cond: taken,
        taken: c.pc_rel(i.imm_b()),
        not_taken: c.next_pc(),
    });
    Ok(Flow::End)
}
