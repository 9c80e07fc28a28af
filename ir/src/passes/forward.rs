//! Guest-register forwarding within a block.
//!
//! - A `read_reg` of an offset and type whose current value is known (from an earlier
//!   `write_reg` or `read_reg` of exactly that offset and type, with nothing in between that may
//!   change it) becomes that value.
//! - A `write_reg` that a later `write_reg` fully overwrites before anything can observe the
//!   state is dead and removed.
//!
//! What may observe the state (makes pending writes live): a `read_reg` overlapping the write,
//! a call to a helper that reads or writes state, a side exit (`exit_if`), and anything that can
//! fault (loads, stores, atomics, helpers touching memory), since faults are precise and the
//! state at a fault is guest-visible; the end of the block observes everything. What may change
//! the state (forgets known values): an overlapping `write_reg` and a helper that writes state.

use super::Edit;
use crate::{Block, Inst, Type, Value};

/// A byte range of the CPU state.
#[derive(Clone, Copy)]
struct Range {
    start: u64,
    end: u64,
}

impl Range {
    fn new(offset: u32, ty: Type) -> Range {
        let start = u64::from(offset);
        Range {
            start,
            end: start + u64::from(ty.bytes()),
        }
    }

    fn overlaps(self, other: Range) -> bool {
        self.start < other.end && other.start < self.end
    }

    fn within(self, other: Range) -> bool {
        other.start <= self.start && self.end <= other.end
    }
}

/// A register whose current value is known.
struct Known {
    offset: u32,
    ty: Type,
    value: Value,
}

/// A write not yet observed by anything, and its instruction index.
struct Pending {
    range: Range,
    inst: usize,
}

/// Forward register values and remove overwritten register writes; see the module docs.
pub fn forward_registers(block: &mut Block) {
    let mut edit = Edit::new(block);
    let mut known: Vec<Known> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    for i in 0..block.insts.len() {
        edit.rewrite_operands(&mut block.insts[i].inst);
        let data = &block.insts[i];
        match data.inst {
            Inst::ReadReg { ty, offset } => {
                let Some(r) = data.result else { continue };
                if let Some(k) = known.iter().find(|k| k.offset == offset && k.ty == ty) {
                    edit.replace(i, r, k.value);
                    continue;
                }
                let range = Range::new(offset, ty);
                pending.retain(|p| !p.range.overlaps(range));
                known.push(Known {
                    offset,
                    ty,
                    value: r,
                });
            }
            Inst::WriteReg { offset, value } => {
                let Some(&ty) = block.value_types.get(value.index()) else {
                    continue;
                };
                let range = Range::new(offset, ty);
                for p in pending.iter().filter(|p| p.range.within(range)) {
                    edit.drop_inst(p.inst);
                }
                pending.retain(|p| !p.range.within(range));
                known.retain(|k| !Range::new(k.offset, k.ty).overlaps(range));
                known.push(Known { offset, ty, value });
                pending.push(Pending { range, inst: i });
            }
            Inst::Call { helper, .. } => {
                let e = helper.effects;
                if e.reads_state || e.writes_state || e.memory {
                    pending.clear();
                }
                if e.writes_state {
                    known.clear();
                }
            }
            Inst::ExitIf { .. }
            | Inst::Load { .. }
            | Inst::Store { .. }
            | Inst::AtomicRmw { .. }
            | Inst::AtomicCas { .. } => pending.clear(),
            Inst::Const { .. }
            | Inst::Unary { .. }
            | Inst::Binary { .. }
            | Inst::Cast { .. }
            | Inst::Icmp { .. }
            | Inst::Select { .. }
            | Inst::Fence => {}
        }
    }
    edit.finish(block);
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{blk, check_pass};
    use super::forward_registers as fwd;

    #[test]
    fn read_after_write_and_read_after_read() {
        check_pass(
            fwd,
            &blk(
                "v0:i64 = read_reg 8\n v1:i64 = read_reg 8\n v2:i64 = add v0, v1\n\
                 write_reg 16, v2\n v3:i64 = read_reg 16\n v4:i32 = read_reg 16\n\
                 store v3, v4",
                "goto 0x0",
            ),
            &blk(
                "v0:i64 = read_reg 8\n v2:i64 = add v0, v0\n write_reg 16, v2\n\
                 v4:i32 = read_reg 16\n store v2, v4",
                "goto 0x0",
            ),
        );
    }

    #[test]
    fn overwritten_write_is_dead() {
        check_pass(
            fwd,
            &blk(
                "v0:i64 = read_reg 8\n write_reg 16, v0\n write_reg 24, v0\n v1:i64 = add v0, v0\n\
                 write_reg 16, v1",
                "goto 0x0",
            ),
            &blk(
                "v0:i64 = read_reg 8\n write_reg 24, v0\n v1:i64 = add v0, v0\n write_reg 16, v1",
                "goto 0x0",
            ),
        );
    }

    #[test]
    fn observers_keep_writes_live() {
        // Each observer between the two writes keeps the first one.
        for observer in [
            "v9:i32 = read_reg 20",
            "v9:i64 = call unit_reads1(v0)",
            "call unit_writes1(v0)",
            "exit_if v0, syscall, 0x1000",
            "v9:i8 = load v0",
            "store v0, v0",
        ] {
            let body = format!(
                "v0:i64 = read_reg 8\n write_reg 16, v0\n {observer}\n v1:i64 = add v0, v0\n write_reg 16, v1"
            );
            check_pass(fwd, &blk(&body, "goto 0x0"), &blk(&body, "goto 0x0"));
        }
    }

    #[test]
    fn state_writers_forget_known_values() {
        for clobber in ["call unit_writes1(v0)", "write_reg 12, v1"] {
            let body = format!(
                "v0:i64 = read_reg 8\n v1:i32 = const 0\n {clobber}\n v2:i64 = read_reg 8\n store v0, v2"
            );
            check_pass(fwd, &blk(&body, "goto 0x0"), &blk(&body, "goto 0x0"));
        }
        // A read-state helper does not change registers: the value stays known.
        check_pass(
            fwd,
            &blk(
                "v0:i64 = read_reg 8\n v1:i64 = call unit_reads1(v0)\n v2:i64 = read_reg 8\n store v0, v2",
                "goto 0x0",
            ),
            &blk(
                "v0:i64 = read_reg 8\n v1:i64 = call unit_reads1(v0)\n store v0, v0",
                "goto 0x0",
            ),
        );
    }

    #[test]
    fn partial_overlap_is_not_forwarded() {
        let body = "v0:i64 = read_reg 8\n write_reg 8, v0\n v1:i32 = trunc v0\n write_reg 12, v1\n\
                    v2:i64 = read_reg 8";
        // The second write partially overwrites the first: the read must reload and both
        // writes stay.
        check_pass(
            fwd,
            &blk(body, "indirect v2"),
            &blk(
                "v0:i64 = read_reg 8\n write_reg 8, v0\n v1:i32 = trunc v0\n write_reg 12, v1\n v2:i64 = read_reg 8",
                "indirect v2",
            ),
        );
    }
}
