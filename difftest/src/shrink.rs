//! Shrinking a mismatching case: drop instructions one at a time while the mismatch
//! persists, then zero input registers and the scratch window that do not matter (each round
//! tries every candidate in one batch program, then confirms the combination).

use crate::layout::{Kind, SCRATCH};
use crate::runner::Runner;
use crate::session::{Case, Session};

/// A piece of input state that can be zeroed.
#[derive(Clone, Copy, Debug)]
enum Zap {
    Field(usize),
    Scratch,
}

/// The smallest mismatching case found from `case`.
pub fn shrink(s: &Session, emu: &Runner, case: &Case) -> Case {
    let still = |c: &Case| s.check(emu, std::slice::from_ref(c))[0].0;
    let mut cur = case.clone();
    let mut i = cur.insns.len();
    while i > 0 && cur.insns.len() > 1 {
        i -= 1;
        let mut cand = cur.clone();
        cand.insns.remove(i);
        if cand.is_valid(s.arch.as_ref()) && still(&cand) {
            cur = cand;
        }
    }
    loop {
        let zaps = zappable(s, &cur);
        if zaps.is_empty() {
            return cur;
        }
        let cands: Vec<Case> = zaps.iter().map(|&z| apply(s, &cur, &[z])).collect();
        let good: Vec<Zap> = s
            .check(emu, &cands)
            .iter()
            .zip(&zaps)
            .filter(|((m, _, _), _)| *m)
            .map(|(_, &z)| z)
            .collect();
        if good.is_empty() {
            return cur;
        }
        let all = apply(s, &cur, &good);
        cur = if still(&all) {
            all
        } else {
            apply(s, &cur, &good[..1])
        };
    }
}

/// The non-zero, non-reserved registers and the scratch window of `case`'s input.
fn zappable(s: &Session, case: &Case) -> Vec<Zap> {
    let layout = s.arch.layout();
    let mut out: Vec<Zap> = layout
        .fields
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            f.fixed.is_none()
                && matches!(f.kind, Kind::Int | Kind::Vec)
                && layout.get(&case.input, *i).iter().any(|&b| b != 0)
        })
        .map(|(i, _)| Zap::Field(i))
        .collect();
    if layout.scratch(&case.input).iter().any(|&b| b != 0) {
        out.push(Zap::Scratch);
    }
    out
}

fn apply(s: &Session, case: &Case, zaps: &[Zap]) -> Case {
    let layout = s.arch.layout();
    let mut c = case.clone();
    for z in zaps {
        match *z {
            Zap::Field(i) => layout.get_mut(&mut c.input, i).fill(0),
            Zap::Scratch => layout.scratch_mut(&mut c.input)[..SCRATCH].fill(0),
        }
    }
    c
}
