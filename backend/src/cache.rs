//! The translation-block cache: every translated block ([`Tb`]) keyed by [`TbKey`] `{ pc, flags }`,
//! shared by all vCPUs, with each block's tier state and its chaining links.
//!
//! Chaining bookkeeping: each block owns two link slots (one per direct exit) that its compiled
//! code reads; a non-zero slot holds the target block's code address. Each block also remembers
//! the slots that point at it (`incoming`), so invalidating it can clear them.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use emu_ir::{Block, Terminal};

/// What identifies a translation: the guest pc and the translation flags (mode bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TbKey {
    pub pc: u64,
    pub flags: u32,
}

/// Tier-1 compilation state of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CompileState {
    /// Not compiled and not queued.
    Idle = 0,
    /// Queued for (or being) compiled; or compiled (then `native != 0`).
    Queued = 1,
    /// Cranelift could not compile it: it stays in the interpreter.
    Failed = 2,
}

/// One translated block with its tier state.
pub struct Tb {
    pub key: TbKey,
    /// The (optimized) IR: interpreted in tier 0, compiled for tier 1.
    pub block: Block,
    /// Interpreted executions so far (drives tier-up).
    pub runs: AtomicU32,
    /// Address of the compiled function in code memory, 0 while not compiled.
    pub native: AtomicUsize,
    /// Link slots of the direct exits (0: `Goto` / `Branch` taken, 1: `Branch` not taken); the
    /// compiled code has their addresses baked in, so they live as long as the `Tb`.
    pub slots: Box<[AtomicUsize; 2]>,
    /// Addresses of other blocks' link slots currently pointing at this block's code.
    pub incoming: Mutex<Vec<usize>>,
    /// Set once the block has been invalidated; it is never entered or linked again.
    pub invalid: AtomicBool,
    compile_state: AtomicU8,
}

impl Tb {
    pub fn new(key: TbKey, block: Block) -> Tb {
        Tb {
            key,
            block,
            runs: AtomicU32::new(0),
            native: AtomicUsize::new(0),
            slots: Box::new([AtomicUsize::new(0), AtomicUsize::new(0)]),
            incoming: Mutex::new(Vec::new()),
            invalid: AtomicBool::new(false),
            compile_state: AtomicU8::new(CompileState::Idle as u8),
        }
    }

    /// Address of link slot `i`.
    pub fn slot_addr(&self, i: usize) -> usize {
        &self.slots[i] as *const AtomicUsize as usize
    }

    /// The link-slot addresses to bake into this block's compiled code (0 = exit not chainable).
    pub fn exit_slots(&self) -> [usize; 2] {
        match self.block.terminal {
            Terminal::Goto(_) => [self.slot_addr(0), 0],
            Terminal::Branch { .. } => [self.slot_addr(0), self.slot_addr(1)],
            Terminal::Indirect(_) | Terminal::Exit { .. } => [0, 0],
        }
    }

    pub fn compile_state(&self) -> CompileState {
        match self.compile_state.load(Ordering::Acquire) {
            0 => CompileState::Idle,
            1 => CompileState::Queued,
            _ => CompileState::Failed,
        }
    }

    /// Move from `Idle` to `Queued`; true if this caller won (and must compile it).
    pub fn claim_compile(&self) -> bool {
        self.compile_state
            .compare_exchange(
                CompileState::Idle as u8,
                CompileState::Queued as u8,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
    }

    pub fn set_compile_state(&self, s: CompileState) {
        self.compile_state.store(s as u8, Ordering::Release);
    }

    /// Whether the guest range [start, start+len) overlaps the code this block covers.
    pub fn overlaps(&self, start: u64, len: u64) -> bool {
        let size = u64::from(self.block.guest_size.max(1));
        let end = start.saturating_add(len);
        self.key.pc < end && start < self.key.pc.saturating_add(size)
    }

    /// Clear every link slot that points at this block's code.
    pub fn unlink_incoming(&self) {
        let native = self.native.load(Ordering::Acquire);
        let mut incoming = self.incoming.lock().unwrap_or_else(|e| e.into_inner());
        for &slot in incoming.iter() {
            // SAFETY: `slot` is the address of a link slot of a `Tb` that is still alive: slots
            // are recorded only while both blocks are live, and the lists are cleared on every
            // flush, before any dropped `Tb` can be freed.
            let slot = unsafe { &*(slot as *const AtomicUsize) };
            let _ = slot.compare_exchange(native, 0, Ordering::AcqRel, Ordering::Relaxed);
        }
        incoming.clear();
    }

    /// Forget compiled code (code-memory flush): back to tier 0 with a fresh counter.
    pub fn drop_native(&self) {
        self.native.store(0, Ordering::Release);
        for s in self.slots.iter() {
            s.store(0, Ordering::Release);
        }
        self.incoming
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.runs.store(0, Ordering::Relaxed);
        if self.compile_state() == CompileState::Queued {
            self.set_compile_state(CompileState::Idle);
        }
    }
}

/// The map of live blocks plus those invalidated since the last flush (kept alive because
/// another thread may still be executing their code, which reads their link slots).
#[derive(Default)]
pub struct TbMap {
    pub live: HashMap<TbKey, Arc<Tb>, FxBuildHasher>,
    pub graveyard: Vec<Arc<Tb>>,
}

impl TbMap {
    /// Remove every live block overlapping [start, start+len), mark it invalid, unlink it and
    /// move it to the graveyard. Returns the removed blocks.
    pub fn invalidate(&mut self, start: u64, len: u64) -> Vec<Arc<Tb>> {
        let keys: Vec<TbKey> = self
            .live
            .values()
            .filter(|tb| tb.overlaps(start, len))
            .map(|tb| tb.key)
            .collect();
        let mut removed = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(tb) = self.live.remove(&key) {
                tb.invalid.store(true, Ordering::Release);
                tb.unlink_incoming();
                // Only compiled code reads the slots; an interpreted block can go right away.
                if tb.native.load(Ordering::Acquire) != 0 {
                    self.graveyard.push(tb.clone());
                }
                removed.push(tb);
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tb(pc: u64, size: u32) -> Tb {
        let mut b = Block::new(pc, 0);
        b.guest_size = size;
        Tb::new(TbKey { pc, flags: 0 }, b)
    }

    #[test]
    fn overlap_is_half_open() {
        let t = tb(0x1000, 8);
        assert!(t.overlaps(0x1000, 1));
        assert!(t.overlaps(0x1007, 1));
        assert!(!t.overlaps(0x1008, 4));
        assert!(!t.overlaps(0xff0, 0x10));
        assert!(t.overlaps(0xff0, 0x11));
    }

    #[test]
    fn invalidate_unlinks_incoming_slots() {
        let mut map = TbMap::default();
        let a = Arc::new(tb(0x1000, 4));
        let b = Arc::new(tb(0x2000, 4));
        b.native.store(0xdead0, Ordering::Relaxed);
        a.slots[0].store(0xdead0, Ordering::Relaxed);
        b.incoming.lock().unwrap().push(a.slot_addr(0));
        map.live.insert(a.key, a.clone());
        map.live.insert(b.key, b.clone());
        let removed = map.invalidate(0x2002, 1);
        assert_eq!(removed.len(), 1);
        assert!(b.invalid.load(Ordering::Relaxed));
        assert_eq!(a.slots[0].load(Ordering::Relaxed), 0);
        assert!(map.live.contains_key(&a.key));
        assert_eq!(map.graveyard.len(), 1);
    }
}
