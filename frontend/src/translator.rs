//! The shared translator loop: fetches guest instructions one at a time through a
//! [`CodeFetch`], lets the guest architecture ([`GuestArch`]) append each instruction's IR to a
//! [`Block`], and decides where the block ends (instruction limit, guest page boundary, a
//! terminal set by the arch, or code that cannot be fetched).

use std::sync::Arc;

use emu_ir::{Block, Builder, ExitReason, Terminal, Translator};

use crate::CodeFetch;

/// Guest page size the loop keeps blocks within (blocks never start an instruction on a page
/// other than their first instruction's, so invalidating a page finds every block using it).
pub const GUEST_PAGE_SIZE: u64 = 4096;

/// Default limit on guest instructions per block.
pub const DEFAULT_MAX_INSNS: u32 = 64;

/// Longest instruction any supported architecture has (x86: 15 bytes).
const FETCH_BUF_LEN: usize = 16;

/// What translating one instruction did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsnOutcome {
    /// Translated an instruction of `len` bytes; the block may go on after it.
    Continue { len: u32 },
    /// Translated an instruction of `len` bytes and set the block's terminal: the block ends.
    End { len: u32 },
    /// The bytes given do not hold the whole instruction (fetch stopped early). Anything the
    /// arch emitted for it is discarded by the loop.
    Truncated,
}

/// Whether the block goes on after an instruction (what a decoder's handler returns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The handler set the block's terminal.
    End,
}

/// The instruction is reserved, unallocated or not supported: the guest gets an
/// illegal-instruction exception (SIGILL in user mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Illegal;

/// Append one decoded instruction of `len` bytes at `pc`: `emit` adds its IR. If `emit` says
/// the instruction is illegal, nothing it appended is kept (no part of an illegal instruction
/// takes effect) and the block ends with an `IllegalInsn` exit at `pc`.
pub fn emit_insn(
    builder: &mut Builder,
    pc: u64,
    len: u32,
    emit: impl FnOnce(&mut Builder) -> Result<Flow, Illegal>,
) -> InsnOutcome {
    let (insts, values) = (builder.block.insts.len(), builder.block.value_types.len());
    match emit(builder) {
        Ok(Flow::Continue) => InsnOutcome::Continue { len },
        Ok(Flow::End) => InsnOutcome::End { len },
        Err(Illegal) => {
            roll_back(builder.block, insts, values);
            builder.set_terminal(Terminal::Exit {
                reason: ExitReason::IllegalInsn,
                pc,
            });
            InsnOutcome::End { len }
        }
    }
}

/// The guest-architecture side of the translator loop.
pub trait GuestArch: Send + Sync {
    /// Register the arch's IR helpers by name (for the IR text parser); called once per
    /// translator.
    fn register_helpers(&self) {}

    /// The translation flags (mode bits) of the CPU state at `env`; 0 for arches whose user
    /// mode has a single mode.
    ///
    /// # Safety
    /// `env` points to this arch's CPU state.
    unsafe fn flags(&self, _env: *const u8) -> u32 {
        0
    }

    /// Longest instruction in bytes (at most 16); the loop fetches this many when it can.
    fn max_insn_len(&self) -> usize;

    /// Code the arch itself provides at `pc` instead of guest memory (x86_64's vsyscall
    /// page): the bytes from `pc` on.
    fn fixed_code(&self, _pc: u64) -> Option<&'static [u8]> {
        None
    }

    /// Append the IR for the instruction at `pc`, whose bytes start `bytes` (which may be
    /// shorter than [`GuestArch::max_insn_len`] when fetch stopped early, or longer than the
    /// instruction). Must not panic on any input: undecodable instructions set an
    /// `Exit { IllegalInsn }` terminal and return [`InsnOutcome::End`].
    fn translate_insn(&self, pc: u64, bytes: &[u8], builder: &mut Builder) -> InsnOutcome;
}

/// Limits of one translation.
#[derive(Clone, Copy, Debug)]
pub struct LoopLimits {
    pub max_insns: u32,
}

impl Default for LoopLimits {
    fn default() -> Self {
        LoopLimits {
            max_insns: DEFAULT_MAX_INSNS,
        }
    }
}

fn page_of(addr: u64) -> u64 {
    addr & !(GUEST_PAGE_SIZE - 1)
}

/// Drop everything appended to `block` after it held `insts` instructions and `values` values.
fn roll_back(block: &mut Block, insts: usize, values: usize) {
    block.insts.truncate(insts);
    block.value_types.truncate(values);
}

/// A [`Translator`] for a guest arch: the translator loop over code read through a
/// [`CodeFetch`], with a per-block instruction limit.
pub struct LoopTranslator<A> {
    arch: A,
    fetch: Arc<dyn CodeFetch>,
    limits: LoopLimits,
}

impl<A: GuestArch + Default> LoopTranslator<A> {
    /// A translator reading code through `fetch`; registers the arch's helpers.
    pub fn new(fetch: Arc<dyn CodeFetch>) -> Self {
        let arch = A::default();
        arch.register_helpers();
        LoopTranslator {
            arch,
            fetch,
            limits: LoopLimits::default(),
        }
    }

    /// Same, with a different per-block instruction limit (at least 1).
    pub fn with_max_insns(fetch: Arc<dyn CodeFetch>, max_insns: u32) -> Self {
        let mut t = Self::new(fetch);
        t.limits.max_insns = max_insns.max(1);
        t
    }
}

impl<A: GuestArch> Translator for LoopTranslator<A> {
    fn translate(&self, pc: u64, flags: u32) -> Block {
        translator_loop(&self.arch, self.fetch.as_ref(), pc, flags, self.limits)
    }

    unsafe fn flags(&self, env: *const u8) -> u32 {
        // SAFETY: the caller passes this arch's CPU state, as `Translator::flags` requires.
        unsafe { self.arch.flags(env) }
    }
}

/// Translate the block at `pc` under `flags`: run `arch` over the instructions `fetch` gives
/// until the arch ends the block, `limits.max_insns` instructions (one under
/// [`emu_ir::TB_FLAG_ONE_INSN`]) were translated, the next
/// instruction starts on another guest page, or the next instruction cannot be fetched whole.
/// A block whose first instruction cannot be fetched is `Exit { FetchFault, pc }`.
pub fn translator_loop(
    arch: &dyn GuestArch,
    fetch: &dyn CodeFetch,
    pc: u64,
    flags: u32,
    limits: LoopLimits,
) -> Block {
    let mut block = Block::new(pc, flags);
    let max_len = arch.max_insn_len().min(FETCH_BUF_LEN);
    let max_insns = if flags & emu_ir::TB_FLAG_ONE_INSN != 0 {
        1
    } else {
        limits.max_insns.max(1)
    };
    let mut buf = [0u8; FETCH_BUF_LEN];
    let mut cur = pc;
    let mut count = 0u32;
    let terminal = loop {
        let got = match arch.fixed_code(cur) {
            Some(code) => {
                let n = code.len().min(max_len);
                buf[..n].copy_from_slice(&code[..n]);
                n
            }
            None => fetch.fetch(cur, &mut buf[..max_len]).min(max_len),
        };
        let (insts, values) = (block.insts.len(), block.value_types.len());
        let outcome = arch.translate_insn(cur, &buf[..got], &mut Builder::new(&mut block));
        match outcome {
            InsnOutcome::Truncated => {
                roll_back(&mut block, insts, values);
                break if count == 0 {
                    Terminal::Exit {
                        reason: ExitReason::FetchFault,
                        pc: cur,
                    }
                } else {
                    Terminal::Goto(cur)
                };
            }
            InsnOutcome::End { len } => {
                count += 1;
                cur = cur.wrapping_add(u64::from(len));
                break block.terminal.clone();
            }
            InsnOutcome::Continue { len } => {
                count += 1;
                cur = cur.wrapping_add(u64::from(len));
                if count >= max_insns || page_of(cur) != page_of(pc) {
                    break Terminal::Goto(cur);
                }
            }
        }
    };
    block.terminal = terminal;
    block.insn_count = count;
    block.guest_size = cur.wrapping_sub(pc) as u32;
    block
}
