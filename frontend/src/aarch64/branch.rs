//! Branches: B and BL (immediate), B.cond and BC.cond, CBZ/CBNZ, TBZ/TBNZ, and the
//! register branches BR, BLR and RET. Each ends the block with a `Goto`, a two-way `Branch` or
//! an `Indirect` terminal. The pointer-authenticating forms (BRAA, RETAA, ...) are not
//! implemented and decode as undefined.

use emu_ir::{BinOp, Cond, Terminal, Value};

use super::dp_imm::shift_const;
use super::insn::{insn, Ctx, Entry, Exec, Flow, Illegal, Insn};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("b/bl",       ". 00101 ..........................", branch_imm),
    insn!("cbz/cbnz",   ". 011010 . ................... .....", compare_branch),
    insn!("tbz/tbnz",   ". 011011 . ..... .............. .....", test_branch),
    insn!("b.cond",     "0101010 0 ................... . ....", cond_branch),
    insn!("br/blr/ret", "1101011 00 .. 11111 000000 ..... 00000", branch_reg),
];

/// The link register.
const LR: u32 = 30;

/// End the block with a two-way branch on `cond` (I8) to `target` or the next instruction.
fn branch_if(c: &mut Ctx, cond: Value, target: u64) -> Exec {
    let not_taken = c.next_pc();
    c.b.set_terminal(Terminal::Branch {
        cond,
        taken: target,
        not_taken,
    });
    Ok(Flow::End)
}

/// Write the return address (this pc + 4) to X30.
fn link(c: &mut Ctx) {
    let ret = c.b.i64(c.next_pc());
    c.set_x(LR, ret);
}

fn branch_imm(c: &mut Ctx, i: Insn) -> Exec {
    if i.bit(31) {
        link(c);
    }
    let target = c.pc_rel(i.sbits(25, 0) << 2);
    c.b.set_terminal(Terminal::Goto(target));
    Ok(Flow::End)
}

fn compare_branch(c: &mut Ctx, i: Insn) -> Exec {
    let sf = i.sf();
    let v = c.reg(sf, i.rt());
    let zero = c.imm(sf, 0);
    let cond = if i.bit(24) { Cond::Ne } else { Cond::Eq };
    let taken = c.b.icmp(cond, v, zero);
    branch_if(c, taken, c.pc_rel(i.sbits(23, 5) << 2))
}

fn test_branch(c: &mut Ctx, i: Insn) -> Exec {
    let bit = i.bits(31, 31) << 5 | i.bits(23, 19);
    let v = c.x(i.rt());
    let shifted = shift_const(c, BinOp::ShrU, v, bit);
    let one = c.b.i64(1);
    let set = c.b.and(shifted, one);
    let zero = c.b.i64(0);
    let cond = if i.bit(24) { Cond::Ne } else { Cond::Eq };
    let taken = c.b.icmp(cond, set, zero);
    branch_if(c, taken, c.pc_rel(i.sbits(18, 5) << 2))
}

fn cond_branch(c: &mut Ctx, i: Insn) -> Exec {
    let target = c.pc_rel(i.sbits(23, 5) << 2);
    let cond = i.bits(3, 0);
    if cond >= 14 {
        c.b.set_terminal(Terminal::Goto(target));
        return Ok(Flow::End);
    }
    let holds = c.cond_holds(cond);
    branch_if(c, holds, target)
}

/// BR, BLR, RET: `opc` (bits 22:21) 0, 1, 2; the target is read before BLR writes X30.
fn branch_reg(c: &mut Ctx, i: Insn) -> Exec {
    let opc = i.bits(22, 21);
    if opc == 3 {
        return Err(Illegal);
    }
    let target = c.x(i.rn());
    if opc == 1 {
        link(c);
    }
    c.b.set_terminal(Terminal::Indirect(target));
    Ok(Flow::End)
}
