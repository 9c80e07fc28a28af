//! Fuzzing entry points for the guest decoders: arbitrary bytes as guest code, run through the
//! same translator loop the engine uses ([`crate::translator::translator_loop`]), checked by
//! the IR verifier, then through the IR optimizer and the verifier again.
//!
//! The `cargo fuzz` targets (`fuzz/fuzz_targets/decode_*.rs`, `translate_compile.rs`) and the
//! stable regression tests (`tests/fuzz_regressions.rs`) both call [`translate_bytes`]. It
//! must return for every input: undecodable bytes become blocks ending in
//! `Exit { IllegalInsn }`; a panic (in a decoder, the optimizer, or an invalid block caught by
//! the verifier) is a bug.

use std::path::{Path, PathBuf};
use std::sync::Once;

use emu_ir::{Block, ExitReason, Terminal};

use crate::translator::{translator_loop, GuestArch, LoopLimits};
use crate::BufferFetch;

/// The guest architectures with a frontend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuzzArch {
    Riscv64,
    Aarch64,
    X86_64,
}

impl FuzzArch {
    pub const ALL: [FuzzArch; 3] = [FuzzArch::Riscv64, FuzzArch::Aarch64, FuzzArch::X86_64];
}

/// The `translate_compile` target's input format: the first byte (modulo 3) picks the arch,
/// the rest is its code (an empty input is empty riscv64 code).
pub fn split_arch(data: &[u8]) -> (FuzzArch, &[u8]) {
    match data.split_first() {
        Some((&b, code)) => (FuzzArch::ALL[usize::from(b) % 3], code),
        None => (FuzzArch::Riscv64, data),
    }
}

/// Guest address the fuzzed bytes are placed at (page aligned, not x86_64's vsyscall page).
pub const CODE_BASE: u64 = 0x40_0000;

/// Upper bound on the blocks translated per input (each consumes at least one byte anyway).
const MAX_BLOCKS: usize = 256;

/// Translate `code`, placed at [`CODE_BASE`], block after block: each block starts where the
/// previous one's bytes ended, until the bytes run out. Returns the optimized blocks.
///
/// # Panics
/// Only on a bug: a decoder or optimizer panic, or a block the IR verifier rejects.
pub fn translate_bytes(arch: FuzzArch, code: &[u8]) -> Vec<Block> {
    let fetch = BufferFetch::new(CODE_BASE, code.to_vec());
    let end = CODE_BASE + code.len() as u64;
    let mut blocks = Vec::new();
    let mut pc = CODE_BASE;
    while pc < end && blocks.len() < MAX_BLOCKS {
        let block = translate_one(arch, &fetch, pc);
        if block.guest_size == 0 {
            check_fetch_fault(&block, pc);
            break;
        }
        pc += u64::from(block.guest_size);
        blocks.push(block);
    }
    blocks
}

/// Translate, verify, optimize and verify again the block at `pc`.
fn translate_one(arch: FuzzArch, fetch: &BufferFetch, pc: u64) -> Block {
    let mut block = translator_loop(arch_impl(arch), fetch, pc, 0, LoopLimits::default());
    verified(&block, "translated");
    emu_ir::passes::optimize(&mut block);
    verified(&block, "optimized");
    block
}

/// A block with no guest bytes can only be the fetch fault of a truncated first instruction.
fn check_fetch_fault(block: &Block, pc: u64) {
    let want = Terminal::Exit {
        reason: ExitReason::FetchFault,
        pc,
    };
    assert_eq!(block.terminal, want, "empty block at {pc:#x}");
}

fn verified(block: &Block, what: &str) {
    if let Err(e) = emu_ir::verify::verify(block) {
        panic!("{what} block at {:#x} is invalid: {e}\n{block:?}", block.pc);
    }
}

/// The arch's translator-loop side, with its helpers registered once (as
/// [`crate::translator::LoopTranslator::new`] does).
fn arch_impl(arch: FuzzArch) -> &'static dyn GuestArch {
    static RV: crate::riscv64::Rv64Arch = crate::riscv64::Rv64Arch;
    static A64: crate::aarch64::A64Arch = crate::aarch64::A64Arch;
    static X64: crate::x86_64::X64Arch = crate::x86_64::X64Arch;
    static REGISTER: [Once; 3] = [Once::new(), Once::new(), Once::new()];
    let (imp, once): (&'static dyn GuestArch, _) = match arch {
        FuzzArch::Riscv64 => (&RV, &REGISTER[0]),
        FuzzArch::Aarch64 => (&A64, &REGISTER[1]),
        FuzzArch::X86_64 => (&X64, &REGISTER[2]),
    };
    once.call_once(|| imp.register_helpers());
    imp
}

/// The inputs kept for the fuzz target `target` under `fuzz_dir` (the repository's `fuzz/`):
/// the files of `regressions/TARGET/` and `seeds/TARGET/`, dotfiles (`.gitkeep`) aside,
/// sorted. For the regression tests that replay them.
pub fn kept_inputs(fuzz_dir: &Path, target: &str) -> Vec<PathBuf> {
    let hidden = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    };
    let mut files: Vec<PathBuf> = ["regressions", "seeds"]
        .iter()
        .filter_map(|d| std::fs::read_dir(fuzz_dir.join(d).join(target)).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !hidden(p))
        .collect();
    files.sort();
    files
}
