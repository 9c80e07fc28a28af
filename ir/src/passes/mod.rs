//! Optimization passes over a block, each a plain `pub fn name(&mut Block)`, and
//! [`optimize`], the standard pipeline.
//!
//! Every pass takes a valid block (one [`crate::verify::verify`] accepts) and leaves a valid
//! block with dense value numbers. The shared machinery is [`Edit`]: a pass walks the block once,
//! records "value `a` equals earlier value `b`" and "drop instruction `i`", and [`Edit::finish`]
//! rewrites the uses, removes the dropped instructions and renumbers the values.

mod copy_prop;
mod dce;
mod fold;
mod forward;

pub use copy_prop::copy_propagate;
pub use dce::eliminate_dead_code;
pub use fold::fold_constants;
pub use forward::forward_registers;

use crate::helpers::HelperEffects;
use crate::verify::{for_each_operand_mut, terminal_operand_mut};
use crate::{Block, Inst, Value};

/// Run the standard pass pipeline.
///
/// Register forwarding first (it turns register round trips into plain value uses), then
/// constant folding, copy propagation (including local value numbering, which can expose
/// `x - x` and friends), folding again, and finally dead-code elimination to drop everything the
/// others made unused.
pub fn optimize(block: &mut Block) {
    forward_registers(block);
    fold_constants(block);
    copy_propagate(block);
    fold_constants(block);
    eliminate_dead_code(block);
}

/// True if `inst` has no effect besides its result, so it may be removed when the result is
/// unused. Loads are not pure: they can fault, and faults are guest-visible.
pub(crate) fn is_pure(inst: &Inst) -> bool {
    match inst {
        Inst::Const { .. }
        | Inst::ReadReg { .. }
        | Inst::Unary { .. }
        | Inst::Binary { .. }
        | Inst::Cast { .. }
        | Inst::Icmp { .. }
        | Inst::Select { .. } => true,
        Inst::Call { helper, .. } => helper.effects == HelperEffects::PURE,
        Inst::WriteReg { .. }
        | Inst::Load { .. }
        | Inst::Store { .. }
        | Inst::AtomicRmw { .. }
        | Inst::AtomicCas { .. }
        | Inst::Fence
        | Inst::ExitIf { .. } => false,
    }
}

/// The edits a pass makes to a block: value replacements and instructions to drop.
pub(crate) struct Edit {
    /// `alias[v]` is the value that replaces `v` (itself when unchanged). Always points to a
    /// value defined no later than `v`, and is already resolved (no chains).
    alias: Vec<Value>,
    /// `dropped[i]`: instruction `i` is removed.
    dropped: Vec<bool>,
}

impl Edit {
    pub(crate) fn new(block: &Block) -> Edit {
        Edit {
            alias: (0..block.value_types.len() as u32).map(Value).collect(),
            dropped: vec![false; block.insts.len()],
        }
    }

    /// The current replacement of `v`.
    pub(crate) fn resolve(&self, v: Value) -> Value {
        self.alias.get(v.index()).copied().unwrap_or(v)
    }

    /// Replace the operands of `inst` by their current replacements (call before looking at an
    /// instruction, so that patterns see through earlier edits).
    pub(crate) fn rewrite_operands(&self, inst: &mut Inst) {
        for_each_operand_mut(inst, |v| *v = self.resolve(*v));
    }

    /// Instruction `i`, defining `v`, is replaced by the earlier value `with`.
    pub(crate) fn replace(&mut self, i: usize, v: Value, with: Value) {
        let with = self.resolve(with);
        if let Some(slot) = self.alias.get_mut(v.index()) {
            *slot = with;
        }
        self.drop_inst(i);
    }

    /// Remove instruction `i` (its result, if any, must be unused or replaced).
    pub(crate) fn drop_inst(&mut self, i: usize) {
        if let Some(d) = self.dropped.get_mut(i) {
            *d = true;
        }
    }

    pub(crate) fn is_dropped(&self, i: usize) -> bool {
        self.dropped.get(i).copied().unwrap_or(false)
    }

    /// Apply the edits: rewrite every use, remove dropped instructions, renumber densely.
    pub(crate) fn finish(self, block: &mut Block) {
        let old_types = std::mem::take(&mut block.value_types);
        block.value_types.reserve(old_types.len());
        let mut renumber: Vec<Option<Value>> = vec![None; old_types.len()];
        let map = |renumber: &[Option<Value>], v: Value| -> Value {
            let v = self.resolve(v);
            renumber.get(v.index()).copied().flatten().unwrap_or(v)
        };
        // Compacted in place: kept instructions only move down past dropped ones.
        let mut i = 0;
        block.insts.retain_mut(|data| {
            let keep = !self.is_dropped(i);
            i += 1;
            if !keep {
                return false;
            }
            for_each_operand_mut(&mut data.inst, |v| *v = map(&renumber, *v));
            if let Some(r) = data.result {
                let new = Value(block.value_types.len() as u32);
                block.value_types.push(
                    old_types
                        .get(r.index())
                        .copied()
                        .unwrap_or(crate::Type::I64),
                );
                if let Some(slot) = renumber.get_mut(r.index()) {
                    *slot = Some(new);
                }
                data.result = Some(new);
            }
            true
        });
        if let Some(v) = terminal_operand_mut(&mut block.terminal) {
            *v = map(&renumber, *v);
        }
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Helpers for pass unit tests: run a pass on text and compare with expected text.
    use crate::helpers::{self, Helper, HelperEffects, HelperFn};
    use crate::text::parse_block;
    use crate::verify::verify;
    use crate::Block;

    extern "C" fn h1(_env: *mut u8, a: u64) -> u64 {
        a
    }
    extern "C" fn h2(_env: *mut u8, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }

    static PURE2: Helper = Helper {
        name: "unit_pure2",
        func: HelperFn::A2(h2),
        nargs: 2,
        ret: Some(crate::Type::I64),
        effects: HelperEffects::PURE,
    };
    static READS1: Helper = Helper {
        name: "unit_reads1",
        func: HelperFn::A1(h1),
        nargs: 1,
        ret: Some(crate::Type::I64),
        effects: HelperEffects {
            reads_state: true,
            writes_state: false,
            memory: false,
        },
    };
    static WRITES1: Helper = Helper {
        name: "unit_writes1",
        func: HelperFn::A1(h1),
        nargs: 1,
        ret: None,
        effects: HelperEffects {
            reads_state: false,
            writes_state: true,
            memory: false,
        },
    };

    fn parse(text: &str) -> Block {
        helpers::register_all(&[&PURE2, &READS1, &WRITES1]);
        let b = parse_block(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        verify(&b).unwrap_or_else(|e| panic!("input does not verify: {e}\n{b}"));
        b
    }

    /// Run `pass` on the block in `input` and check the result prints as `expected` (itself
    /// parsed and printed, so whitespace and value numbers in it don't matter).
    pub(crate) fn check_pass(pass: fn(&mut Block), input: &str, expected: &str) {
        let mut b = parse(input);
        pass(&mut b);
        verify(&b).unwrap_or_else(|e| panic!("output does not verify: {e}\n{b}"));
        let want = parse(expected);
        assert_eq!(b.to_string(), want.to_string(), "input:\n{input}");
    }

    /// Wrap instruction lines in a block header and the given terminal.
    pub(crate) fn blk(body: &str, terminal: &str) -> String {
        format!("block pc=0x1000 flags=0x0 size=4 insns=1 {{\n{body}\n{terminal}\n}}\n")
    }
}
