//! System instructions available in user mode: ecall (Syscall exit past the instruction),
//! ebreak (Breakpoint exit at it), fence (IR fence; also covers fence.tso and pause) and the
//! Zifencei fence.i (ends the block so the following code is fetched anew).

use emu_ir::{ExitReason, Terminal};

use super::insn::{insn, Ctx, Entry, Exec, Flow, Insn};

#[rustfmt::skip]
pub const TABLE: &[Entry] = &[
    insn!("ecall", "0000000 00000 00000 000 00000 1110011", ecall),
    insn!("ebreak", "0000000 00001 00000 000 00000 1110011", ebreak),
    insn!("fence", "....... ..... ..... 000 ..... 0001111", fence),
    insn!("fence.i", "....... ..... ..... 001 ..... 0001111", fence_i),
];

fn ecall(c: &mut Ctx, _: Insn) -> Exec {
    c.b.set_terminal(Terminal::Exit {
        reason: ExitReason::Syscall,
        pc: c.next_pc(),
    });
    Ok(Flow::End)
}

fn ebreak(c: &mut Ctx, _: Insn) -> Exec {
    c.b.set_terminal(Terminal::Exit {
        reason: ExitReason::Breakpoint,
        pc: c.pc,
    });
    Ok(Flow::End)
}

fn fence(c: &mut Ctx, _: Insn) -> Exec {
    c.b.fence();
    Ok(Flow::Continue)
}

fn fence_i(c: &mut Ctx, _: Insn) -> Exec {
    c.b.set_terminal(Terminal::Goto(c.next_pc()));
    Ok(Flow::End)
}
