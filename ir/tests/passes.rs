//! Property tests for the passes on many random blocks: each pass keeps the block valid and
//! dense, and does not change what the block does. The oracle for "what the block does" is the
//! IR interpreter (`emu_ir::interp`, written independently of the passes): the original and
//! the transformed block run on the same CPU state and guest memory and must leave identical
//! state, memory, exit and next pc.

mod common;

use common::{random_blocks, GenOptions, Rng};
use emu_ir::interp::{interpret, BlockExit};
use emu_ir::passes;
use emu_ir::verify::verify;
use emu_ir::Block;

/// A pass, as the tables below name them.
type Pass = fn(&mut Block);

const PASSES: &[(&str, Pass)] = &[
    ("fold_constants", passes::fold_constants),
    ("copy_propagate", passes::copy_propagate),
    ("forward_registers", passes::forward_registers),
    ("eliminate_dead_code", passes::eliminate_dead_code),
    ("optimize", passes::optimize),
];

/// CPU state: 32-byte header, then registers at [64, 128) (see `GenOptions::reg_base`), then
/// from [`OBSERVE_BASE`] one 16-byte slot per value for [`observe_all`].
const STATE_WORDS: usize = 1024;
const OBSERVE_BASE: u32 = 256;

/// Make every value observable: write each one to its own slot of the state before the
/// terminal (so a wrong folded value shows up even where the block itself ignores it).
fn observe_all(block: &mut Block) {
    let n = block.value_types.len() as u32;
    let mut b = emu_ir::Builder::new(block);
    for v in 0..n.min((STATE_WORDS as u32 * 8 - OBSERVE_BASE) / 16) {
        b.write_reg(OBSERVE_BASE + 16 * v, emu_ir::Value(v));
    }
}
const MEM_MASK: u64 = 0xfff;
/// Guest memory: the masked window plus room for a 16-byte access at its last byte.
const MEM_WORDS: usize = (MEM_MASK as usize + 1 + 16) / 8;

fn gen_options() -> GenOptions {
    GenOptions {
        reg_base: 64,
        reg_bytes: 64,
        small_constants: true,
        ..GenOptions::default()
    }
}

/// What running a block observably did.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// Exit, with `Goto` and `Indirect` merged (a pass may turn a constant indirect jump into a
    /// direct one); the target is in the header's pc.
    exit: Option<emu_ir::ExitReason>,
    state: Vec<u64>,
    memory: Vec<u64>,
}

fn run(block: &Block, state: &[u64], memory: &[u64]) -> Outcome {
    let mut state = state.to_vec();
    let mut memory = memory.to_vec();
    state[1] = memory.as_mut_ptr() as u64;
    state[2] = MEM_MASK;
    state[3] = 0;
    // SAFETY: `state` is a CpuHeader followed by the register area every generated offset lies
    // in; the header's window is `memory`, which covers every masked address plus 16 bytes;
    // the test helpers touch only `state[8]`.
    let exit = unsafe { interpret(block, state.as_mut_ptr() as *mut u8) };
    state[1] = 0; // the window's host address differs between runs
    Outcome {
        exit: match exit {
            BlockExit::Goto(_) | BlockExit::Indirect(_) => None,
            BlockExit::Exit(r) => Some(r),
        },
        state,
        memory,
    }
}

fn random_words(rng: &mut Rng, n: usize) -> Vec<u64> {
    (0..n)
        .map(|_| match rng.below(4) {
            0 => 0,
            1 => rng.below(16) as u64,
            _ => rng.next(),
        })
        .collect()
}

#[test]
fn passes_preserve_semantics_and_validity() {
    let blocks = random_blocks(21, 3000, gen_options());
    let mut rng = Rng::new(77);
    let mut before = 0;
    let mut after = 0;
    for (i, original) in blocks.iter().enumerate() {
        let observed = i % 2 == 1;
        let mut original = original.clone();
        if observed {
            observe_all(&mut original);
        }
        let original = &original;
        verify(original).unwrap();
        let inputs: Vec<(Vec<u64>, Vec<u64>)> = (0..3)
            .map(|_| {
                (
                    random_words(&mut rng, STATE_WORDS),
                    random_words(&mut rng, MEM_WORDS),
                )
            })
            .collect();
        let expected: Vec<Outcome> = inputs.iter().map(|(s, m)| run(original, s, m)).collect();
        for &(name, pass) in PASSES {
            let mut b = original.clone();
            pass(&mut b);
            verify(&b).unwrap_or_else(|e| {
                panic!("{name} made block {i} invalid: {e}\nbefore:\n{original}\nafter:\n{b}")
            });
            for ((s, m), want) in inputs.iter().zip(&expected) {
                let got = run(&b, s, m);
                assert!(
                    got == *want,
                    "{name} changed the behaviour of block {i}\nbefore:\n{original}\nafter:\n{b}\n\
                     exit {:?} vs {:?}\nstate before pass:\n{:x?}\nafter pass:\n{:x?}",
                    want.exit,
                    got.exit,
                    want.state,
                    got.state
                );
            }
            if name == "optimize" && !observed {
                before += original.insts.len();
                after += b.insts.len();
            }
        }
    }
    // The generator's blocks are full of foldable and dead code: a working pipeline removes
    // a good share of it.
    assert!(
        after * 10 < before * 8,
        "optimize kept {after} of {before} instructions"
    );
}

/// Running the pipeline twice changes nothing the second time for most blocks (a cheap check
/// that one run reaches the easy fixpoint), and never breaks validity.
#[test]
fn optimize_is_nearly_idempotent() {
    let mut changed = 0;
    let blocks = random_blocks(22, 1000, gen_options());
    for b in &blocks {
        let mut once = b.clone();
        passes::optimize(&mut once);
        let mut twice = once.clone();
        passes::optimize(&mut twice);
        verify(&twice).unwrap();
        if once != twice {
            changed += 1;
        }
    }
    assert!(
        changed * 20 < blocks.len(),
        "{changed} blocks changed on a second run"
    );
}
